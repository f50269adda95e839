// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "breakpoint.h"
#include "scenario.h"

namespace ladder::lab {

// Runs one scenario to the end on a stack, headless: virtual-time scenarios by jumping from timer
// to timer, real-time ones by spinning the event loop. Used by `ladderctl lab run` and the tests;
// the GUI starts scenarios on its stack thread and lets them run live instead.
struct RunOutcome {
    ScenarioResult result;
    double ranForS = 0; // scenario time that passed
    bool timedOut = false; // the duration passed before the scenario said it had finished
    QList<FaultTally> faults; // what each fault rule did, in rule order
    // With breakpoints: the run stopped at journal event breakSeq for breakpoint breakIndex (the
    // scenario was not finished; result says so), or both are -1.
    qint64 breakSeq = -1;
    int breakIndex = -1;
    // The stacks' state at the break, a line per transaction, dialog and association:
    // "transaction 3 INVITE client INVITE: Calling, 1 retransmission, timers A at 1.500 s, B at 32.000 s".
    QStringList breakState;
};

// The seed of the process-wide SIP id generator (sip::seedIds) for a scenario seed. runToEnd()
// applies it before starting the scenario; a live runner (the GUI) should do the same.
quint64 idSeedFor(quint64 scenarioSeed);

// The seed of usrsctp's random bytes (verification tags, initial TSNs, cookie secret) in a run in
// virtual time: sctp::LabClock serves them from it.
quint64 sctpSeedFor(quint64 scenarioSeed);

// Journal time 0 of a run in virtual time, ns since 1970 (2026-01-01 00:00:00 UTC): the JSONL
// header's epoch_ns and, plus the scheduler's time, what usrsctp's gettimeofday answers.
constexpr qint64 kLabEpochNs = qint64(1767225600) * 1'000'000'000;

// A run in virtual time owns usrsctp's time and randomness for its life (sctp/labclock.h): the
// runtime ticks from the stack's scheduler (which must be in virtual mode), usrsctp's gettimeofday
// answers the journal's epoch plus the scheduler's time, and its random bytes come from the seed.
// Only one at a time in a process; a second one logs that its SCTP is not reproducible.
class VirtualSctp {
public:
    VirtualSctp(Stack& stack, quint64 scenarioSeed);
    ~VirtualSctp();
    VirtualSctp(const VirtualSctp&) = delete;
    VirtualSctp& operator=(const VirtualSctp&) = delete;

private:
    Stack& m_stack;
    bool m_driven = false;
    bool m_clock = false;
};

// Hands the Qt events posted on this thread (the SCTP endpoints' "read your socket now", the
// runtime's flushes when it is not driven) to their objects, in the order they were posted, and
// what those post in turn (a few rounds deep). A run in virtual time calls it after each timer, so
// what a timer posted runs at the same instant.
// Timers of the Qt event loop (QTimer with an interval) are not run: they follow real time.
void sendPostedEvents();

// Why a scenario refuses fault rules (Scenario::takesFaultRules() is false), in one sentence;
// runToEnd() does not run it with any.
QString faultRulesRefused(const Scenario& scenario);

// Virtual-time runs are reproducible: the same scenario, seed and build give byte-identical
// journals (JSONL), SCTP included — see docs/ARCHITECTURE.md, "Reproducible lab runs" — and so
// are runs with the same fault rules (docs/FAULTS.md).
// With breakpoints (virtual time only), the run stops at the first event one hits, as the
// window's pacer does (pacer.h), and the scenario is stopped there.
RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params,
    const QList<Breakpoint>& breakpoints = {});

} // namespace ladder::lab
