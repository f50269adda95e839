// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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

// Why a scenario refuses fault rules (Scenario::takesFaultRules() is false), in one sentence;
// runToEnd() does not run it with any.
QString faultRulesRefused(const Scenario& scenario);

// Virtual-time runs are reproducible: the same scenario, seed and build give byte-identical
// journals (JSONL), SCTP included — see docs/ARCHITECTURE.md, "Reproducible lab runs" — and so
// are runs with the same fault rules (docs/FAULTS.md).
RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params);

} // namespace ladder::lab
