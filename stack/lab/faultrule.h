// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace ladder::lab {

// One fault rule of a lab run, chosen by protocol meaning: what to do to which datagrams.
// The language is documented in docs/FAULTS.md:
//
//   rule     = action matcher [duration] {filter} [count]
//   action   = "drop" | "duplicate" | "delay" | "reorder" | "corrupt"
//   matcher  = "sip:" (METHOD | NNN | Nxx) | "sctp:" CHUNK-TYPE
//   duration = N "ms" | N "s"                  (delay only, and required there)
//   filter   = "tsn" N | "from" NAME | "to" NAME
//   count    = "nth" N | "all"                 (default: nth 1)
//
// e.g. "drop sip:INVITE nth 4", "delay sctp:SACK 300ms all", "drop sctp:DATA tsn 5".
struct FaultRule {
    enum class Action : quint8 { Drop, Duplicate, Delay, Reorder, Corrupt };
    enum class Protocol : quint8 { Sip, Sctp };

    Action action = Action::Drop;
    Protocol protocol = Protocol::Sip;
    // sip: exactly one of these: a request method (matched without regard to case), a status
    // code, or a status class (2 for "2xx").
    QString method;
    int status = 0;
    int statusClass = 0;
    // sctp: the chunk type a packet must contain.
    quint8 chunkType = 0;
    qint64 delayMs = 0; // delay only
    std::optional<quint32> tsn; // sctp:DATA / sctp:I-DATA only
    QString from; // a lane's label or host ("uac", "10.0.0.1"); empty = any
    QString to;
    int nth = 1; // the nth datagram the rule matches; 0 = all of them

    // The rule in its canonical form, the way the journal and saved runs record it.
    QString text() const;

    // Parses one rule. On failure returns nullopt and says in *error which word is wrong and what
    // was expected there.
    static std::optional<FaultRule> parse(const QString& text, QString* error);
    // Parses each rule; the first bad one stops it, its error prefixed with the rule's text.
    static std::optional<QList<FaultRule>> parseAll(const QStringList& texts, QString* error);

    // The chunk type names rules accept ("DATA", "INIT-ACK"…), in type order.
    static QStringList chunkTypeNames();
};

} // namespace ladder::lab
