// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QStringList>

class QIODevice;

namespace ladder::trace {

class Journal;

// JSON Lines export and import of the journal.
//
// Schema (version 1). UTF-8, one JSON object per line, '\n' line ends, no blank lines. Keys always
// appear, in exactly this order, so that the same journal gives byte-identical files.
//
// Line 1, the header:
//   {"format":"ladderlab-journal","version":1,"epoch_ns":1700000000000000000,"events":3}
//     format   always "ladderlab-journal"
//     version  1; readers refuse a higher major version
//     epoch_ns wall-clock time of t_ns 0, ns since 1970-01-01 UTC (Journal::epochNs)
//     events   number of event lines that follow (a reader may check it; -1 = unknown)
// Every further line, one event:
//   {"seq":0,"t_ns":1000000,"kind":"sip.message","dir":"tx","object":7,"a":1,"b":0,"c":0,
//    "from":"uac 10.0.0.1:5060","to":"uas 10.0.0.2:5060","text":"INVITE sip:bob@example.com SIP/2.0",
//    "raw":"SU5WSVRF..."}
//     seq      integer ≥ 0: position in the journal (dense from 0 in an export; an import renumbers)
//     t_ns     integer (signed): scheduler time, ns, monotonic within the file
//     kind     string: kindName() of trace::Kind — "sip.message", "sip.retransmission",
//              "sip.timer.armed", "sip.timer.fired", "sip.timer.cancelled", "sip.transaction.state",
//              "sip.dialog.state", "net.connection.state", "sctp.packet", "sctp.chunk",
//              "sctp.retransmission", "sctp.abandon", "sctp.forward_tsn", "sctp.association.state",
//              "sctp.stream.state", "sctp.notification", "lab.link.drop", "lab.link.duplicate",
//              "user.action", "error", "log"
//     dir      string: "tx", "rx" or "" (none)
//     object   integer ≥ 0 (unsigned 64-bit): transaction/dialog/connection/association id, 0 = none
//     a, b, c  integers ≥ 0 (unsigned 64-bit): meaning per kind, see the Kind table in event.h
//     from, to strings: endpoints "[label ]host:port", "" when none
//     text     string: one-line summary
//     raw      string: the wire bytes, standard base64 with padding (RFC 4648 §4), "" when none
// Strings are JSON strings: '"', '\\' and control characters escaped (\n, \r, \t, \uXXXX), all else
// literal UTF-8. Integers are written as plain decimal and must be read as 64-bit integers, not
// doubles (ids may exceed 2^53).
// Readers ignore unknown keys (later versions may add some) and take missing ones as 0 / "".
// An unknown kind name, a non-integer number or broken JSON makes that line bad: it is counted and
// reported with its line number, and reading continues with the next line.
struct JsonlReadResult {
    bool ok = false; // false: not a journal file, or some lines were bad
    QString error; // the first problem, "line N: ..."
    bool header = false;
    qint64 epochNs = 0;
    qint64 declaredEvents = -1;
    quint64 events = 0;
    quint64 badLines = 0;
    QStringList errors; // the first few bad lines, "line N: why"
};

// One event as a line, without the '\n'.
QByteArray eventToJson(const Event& e);
QByteArray jsonlHeader(qint64 epochNs, qint64 events);
// Parses one event line; on failure error says why.
bool eventFromJson(QByteArrayView line, Event* e, QString* error);

// Writes the header and every event. epochNs: the header's value (use journal.epochNs() unless a
// deterministic run wants a fixed one).
bool writeJsonl(const Journal& journal, QIODevice* device, qint64 epochNs, QString* error = nullptr);
JsonlReadResult readJsonl(QByteArrayView data, const EventSink& sink);
JsonlReadResult readJsonlFile(const QString& path, const EventSink& sink);

} // namespace ladder::trace
