// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <functional>

namespace ladder::trace {

enum class Dir : quint8 { None, Tx, Rx };

// What happened. The meaning of the generic numbers a/b/c is given per kind; exporters and views
// rely on it, so keep this table true when adding kinds.
enum class Kind : quint8 {
    SipMessage, //          dir Tx/Rx; raw = bytes on the wire; text = start line; a = connection id;
    //                      b = transport (0 UDP, 1 TCP, 2 SCTP, 3 TLS, 4 WS, 5 WSS; TLS and WSS:
    //                      the plaintext); object = transaction id
    SipRetransmission, //   dir Tx; raw = bytes; a = connection id; b = transport; c = retransmission
    //                      number (1, 2…); object = transaction id
    TimerArmed, //          text = timer name ("A", "E"…); a = interval ms; object = transaction id
    TimerFired, //          text = timer name; object = transaction id
    TimerCancelled, //      text = timer name; object = transaction id
    TransactionState, //    object = transaction id; text = "INVITE client: Calling -> Proceeding"
    DialogState, //         object = dialog id; text = "early -> confirmed"
    ConnectionState, //     object = connection id; text = description
    SctpPacket, //          dir Tx/Rx; raw = SCTP packet (common header + chunks); a = association id;
    //                      from/to = the UDP encapsulation addresses (RFC 6951); b (Tx) = the
    //                      receiving association when a perfect lab link delivered it in the same
    //                      instant (the journal then derives the arrival from this event), else 0
    SctpChunk, //           dir Tx/Rx; a = chunk type; b = stream id; c = TSN; object = association id
    SctpRetransmission, //  c = TSN; a = 0 unknown, 1 fast, 2 timeout; object = association id
    SctpAbandon, //         c = context; a = PR policy (1 TTL, 2 BUF, 3 RTX, 4 PRIO); b = stream; object = assoc
    SctpForwardTsn, //      c = new cumulative TSN; b = first skipped TSN; object = association id
    AssociationState, //    object = association id; text = "COOKIE-WAIT -> ESTABLISHED"
    StreamState, //         object = association id; a = stream id; text = description
    SctpNotification, //    object = association id; a = notification type; text = description
    LinkDrop, //            a lab link lost a datagram: raw = datagram; a = link id
    LinkDuplicate, //       a lab link duplicated a datagram: a = link id
    UserAction, //          the user (composer, CLI) did something: text = what
    Error, //               text = errno name + sentence
    Log, //                 text = free text; a = level (0 debug, 1 info, 2 warning, 3 error)
};

const char* kindName(Kind kind);
const char* dirName(Dir dir);

struct Event {
    quint64 seq = 0; // assigned by the journal, dense from 0
    qint64 timeNs = 0; // scheduler time (monotonic ns)
    Kind kind = Kind::Log;
    Dir dir = Dir::None;
    quint64 object = 0; // transaction / dialog / connection / association id, 0 = none
    quint64 a = 0, b = 0, c = 0; // kind-specific numbers, see Kind
    // Endpoints, as "[label ]host:port" — "uac 10.0.0.1:5060", "127.0.0.1:9899", "[::1]:5060".
    // The timeline makes a lane per endpoint; exporters take the address after the last space to
    // synthesise IP/UDP/TCP headers.
    QString from; // the sender
    QString to; // the receiver
    QString text; // one-line summary
    QByteArray raw; // wire bytes, if any
};

// Where readers (captures, JSON Lines, session files) hand their events; usually Journal::append.
using EventSink = std::function<void(Event&& e)>;

// The kind whose kindName() is name; false if none is.
bool kindFromName(QByteArrayView name, Kind* kind);
bool dirFromName(QByteArrayView name, Dir* dir);

} // namespace ladder::trace

Q_DECLARE_METATYPE(ladder::trace::Event)
