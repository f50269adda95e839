// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The SCTP part of the lesson reader (docs/LESSONS.md, "SCTP peers"): sockets as peers, the
// connect / sctp_sendmsg / shutdown / abort actions, the delivered and retransmissions expectations,
// and the checks across them (which host pairs the links make, who can reach whom).

#include "lesson.h"
#include "reader.h"

namespace ladder::lab::lessonfile {

// The fields of an "sctp" peer after kind, name and host.
bool readSctpPeer(Reader& r, const QJsonObject& o, const QString& path, LessonPeer* p);
// Whether the action object names an SCTP action ("connect", "sctp_sendmsg", "shutdown", "abort").
bool isSctpAction(const QJsonObject& o);
// An SCTP action; at_ms and peer are read already.
bool readSctpAction(Reader& r, const QJsonObject& o, const QString& path, LessonAction* a);
// "delivered" and "retransmissions" expectations.
bool isSctpExpectation(const QJsonObject& o);
bool readSctpExpectation(Reader& r, const QJsonObject& o, const QString& path, LessonExpectation* e);
// After peers and links: SCTP peers share a host only with SCTP peers, ports are unique per host,
// a link joins two SCTP peers' hosts (or two SIP peers), each SCTP host has one link pair.
bool checkSctpPeersAndLinks(Reader& r, const Lesson& l);
// An SCTP action against the peers and links (its peer is an sctp peer; `to` is reachable…).
bool checkSctpAction(Reader& r, const Lesson& l, const QString& path, const LessonAction& a);
// A state trigger (an SCTP action's "after" with "up" or "down", the lesson's "ends"): "up", "down"
// (a peer's name or an array of them), "delivered" (a filter or an array of them), "count", "delay_ms".
bool readTrigger(Reader& r, const QJsonObject& o, const QString& path, LessonTrigger* t);
// Its peers are sctp peers.
bool checkTrigger(Reader& r, const Lesson& l, const QString& path, const LessonTrigger& t);
// The JSON key of an action kind: "connect", "sctp_sendmsg"…
QString sctpActionKey(LessonAction::Kind kind);
// The host an SCTP host is paired with by the links, or empty.
QString pairedHost(const Lesson& l, const QString& host);

} // namespace ladder::lab::lessonfile
