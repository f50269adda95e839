// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace ladder::lab {

// A breakpoint of a lab run, chosen by protocol meaning: the lab pauses at the first journal event
// it matches (the nth, with "nth N"). The language, documented in docs/TEACHING.md:
//
//   rule    = trigger {filter} [count]
//   trigger = "timer" ("sip:" A…M | "sctp:" ("T1-init" | "T1-cookie" | "T3-rtx" | "T2-shutdown" | "heartbeat"))
//           | "state" ("sip:" STATE | "dialog:" STATE | "sctp:" STATE)
//           | ("send" | "receive") ("sip:" (METHOD | NNN | Nxx) | "sctp:" CHUNK-TYPE)
//           | "abandon" ["ttl" | "buf" | "rtx" | "prio"]
//           | "forward-tsn"
//           | "text" WORD-OR-"QUOTED TEXT"
//           | "at" N ("ms" | "s")               (the first event at or after that time)
//   filter  = "from" NAME | "to" NAME | "containing" WORD-OR-"QUOTED TEXT"
//   count   = "nth" N                          (default: nth 1)
//
// e.g. "timer sip:A", "timer sctp:T3-rtx nth 2", "state sip:Completed", "send sip:INVITE nth 2",
// "receive sctp:SACK from 10.0.0.2", "abandon buf", "send sip:INVITE containing \"Max-Forwards: 69\"",
// "at 3.5s" (headless, with ladderctl lab run --break, the state of every stack as of that instant).
//
// usrsctp does not journal its own timers, so the SCTP ones are recognised by what they make it do,
// as a reader of the trace would: T3-rtx is a retransmission by timeout (RFC 4960 §6.3.3), T1-init,
// T1-cookie and T2-shutdown an INIT, COOKIE-ECHO or SHUTDOWN sent again between the same ends
// (§5.1, §9.2; by the same association), heartbeat a HEARTBEAT sent (§8.3). Events of one instant that come from one expiry
// (the TSNs one T3-rtx retransmits) count once.
struct Breakpoint {
    enum class Trigger : quint8 { Timer, State, Send, Receive, Abandon, ForwardTsn, Text, At };
    enum class Protocol : quint8 { Sip, Dialog, Sctp, Any };

    Trigger trigger = Trigger::Timer;
    Protocol protocol = Protocol::Sip;
    QString name; // timer name (A, T3-rtx), state (Proceeding, ESTABLISHED), method (INVITE), text
    int status = 0; // send/receive sip:NNN
    int statusClass = 0; // send/receive sip:Nxx
    quint8 chunkType = 0; // send/receive sctp:CHUNK
    int policy = 0; // abandon: 0 any, 1 TTL, 2 BUF, 3 RTX, 4 PRIO
    qint64 atNs = 0; // at: the run's time
    QString from; // a lane's label or host; empty = any
    QString to;
    QString containing; // case-insensitive, in the event's summary or bytes; empty = any
    int nth = 1;

    // Canonical text, as the lab reports it: "break 1 'timer sip:A'".
    QString text() const;
    static std::optional<Breakpoint> parse(const QString& text, QString* error);
    static std::optional<QList<Breakpoint>> parseAll(const QStringList& texts, QString* error);
};

// Breakpoints at work over one run's journal: hand it every event in order; it says which
// breakpoint (if any) an event hits. Each breakpoint hits once (at its nth match) and then is spent.
class BreakpointSet {
public:
    BreakpointSet() = default;
    explicit BreakpointSet(QList<Breakpoint> breakpoints);

    const QList<Breakpoint>& breakpoints() const { return m_breakpoints; }
    bool isEmpty() const { return m_breakpoints.isEmpty(); }
    // The index of the breakpoint this event hits, or -1.
    int feed(const trace::Event& e);
    // How many events each breakpoint matched so far.
    const QList<int>& matched() const { return m_matched; }
    void reset();

private:
    bool matches(int index, const trace::Event& e);

    QList<Breakpoint> m_breakpoints;
    QList<int> m_matched;
    QList<bool> m_spent;
    // Per breakpoint: the instant and object of its last match (one expiry counts once).
    QList<QPair<qint64, quint64>> m_lastMatch;
    // INIT / COOKIE-ECHO / SHUTDOWN chunks sent so far, by chunk type, association and lanes: a second one is
    // its timer's doing.
    QHash<QString, int> m_sentControl;
};

} // namespace ladder::lab
