// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/link.h"
#include "journal/event.h"
#include "faultrule.h"

#include <QHash>
#include <QList>
#include <QVector>

#include <optional>

#include <memory>

namespace ladder::lab {

struct FaultTally {
    quint64 matched = 0; // datagrams the rule matched (its "nth" counts these)
    quint64 acted = 0; // datagrams it did something to
};

// The fault rules of one run at work: every lab link of the run asks the plan about each datagram
// it is given (Link::FaultJudge), and the plan counts, per rule, the datagrams the rule matches —
// over all links, retransmissions included, in the order the links were given them, which the
// virtual clock makes the same in every run with the same seed. A datagram goes to the first rule,
// in the order given, that selects it; the other rules count it all the same.
class FaultPlan {
public:
    explicit FaultPlan(QList<FaultRule> rules);

    const QList<FaultRule>& rules() const { return m_state->rules; }
    bool isEmpty() const { return m_state->rules.isEmpty(); }

    // A judge for a link that carries the protocol given (SIP messages or SCTP packets). It shares
    // the plan's counters, and keeps them alive if a link outlives the plan.
    Link::FaultJudge judgeFor(FaultRule::Protocol carried) const;

    // How many datagrams each rule matched so far, and how many it acted on, in rule order.
    QList<FaultTally> tallies() const;
    // How the journal names rule i: "fault rule 1 'drop sip:INVITE nth 4'".
    QString label(qsizetype i) const;

    // Whether a lane is the one a rule's from/to names: its label ("uac") or its host ("10.0.0.1").
    static bool laneIs(const QString& lane, const QString& name);

    // The rule that does action to the datagram one journal event sent — a SIP message or SCTP
    // packet, events[index], a transmission (dir Tx) — in a re-run with the same seed: "drop
    // sip:INVITE nth 3", "delay sctp:SACK 300ms nth 7". The matcher is the message's method or
    // status, or the packet's most telling chunk (DATA before FORWARD-TSN before SACK…), and nth
    // counts the datagrams it matches from the run's start exactly as a plan does (events holds the
    // run from its start). An arrival or a lab link's loss of the same bytes stands for the
    // transmission before it. delayMs is for Delay. Without a transmission there: nullopt and *error.
    static std::optional<FaultRule> ruleForEvent(const QVector<trace::Event>& events, qsizetype index,
        FaultRule::Action action, qint64 delayMs, QString* error);

private:
    struct State {
        QList<FaultRule> rules;
        QList<FaultTally> tallies;
        // The initial TSN each direction's INIT or INIT-ACK announced, by the lanes and the SCTP
        // ports it went between: a rule's "tsn N" counts from it, as the timeline does (1 = the first).
        QHash<QString, quint32> initialTsns;
    };
    static LinkFault judge(
        State& state, FaultRule::Protocol carried, const QByteArray& datagram, const QString& from, const QString& to);

    std::shared_ptr<State> m_state;
};

} // namespace ladder::lab
