// SPDX-License-Identifier: GPL-3.0-or-later
#include "runner.h"

#include "host/stack.h"
#include "journal/journal.h"
#include "sctp/labclock.h"
#include "sctp/runtime.h"
#include "sip/message/ids.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <optional>

namespace ladder::lab {

quint64 idSeedFor(quint64 scenarioSeed)
{
    // splitmix64 of the seed: the SIP ids do not follow the same sequence as the link losses.
    quint64 z = scenarioSeed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

quint64 sctpSeedFor(quint64 scenarioSeed)
{
    // Another stream again: usrsctp's tags, TSNs and keys follow neither the links nor the SIP ids.
    return idSeedFor(scenarioSeed ^ 0x5c7f0a11d5eed5ULL);
}

namespace {
    // Hands the Qt events posted on this thread (the SCTP endpoints' "read your socket now", the
    // runtime's flushes when it is not driven) to their objects, in the order they were posted.
    // Timers of the Qt event loop (QTimer with an interval) are not run: they follow real time.
    void sendPosted()
    {
        if (QCoreApplication::instance())
            QCoreApplication::sendPostedEvents();
    }

    // A run in virtual time owns usrsctp's time and randomness for its duration (sctp/labclock.h):
    // the runtime ticks from the run's scheduler, usrsctp's gettimeofday answers the lab's epoch
    // plus the scheduler's time, and its random bytes come from the seed.
    class VirtualSctp {
    public:
        VirtualSctp(Stack& stack, quint64 seed)
            : m_stack(stack)
        {
            Scheduler& sched = stack.scheduler();
            m_driven = stack.sctpRuntime().driveFrom(&sched);
            m_clock = sctp::LabClock::begin(sched, stack.journal().epochNs(), sctpSeedFor(seed));
            if (!m_driven || !m_clock)
                stack.log(2, QStringLiteral("lab: another run in virtual time drives usrsctp: this one's SCTP is not reproducible"));
            QString why;
            if (m_clock && !sctp::LabClock::interposed(&why))
                stack.log(2, QStringLiteral("lab: usrsctp reads the real clock and real random bytes in this process (%1): "
                                            "its SCTP is not reproducible")
                                 .arg(why));
        }
        ~VirtualSctp()
        {
            if (m_clock)
                sctp::LabClock::end();
            if (m_driven)
                m_stack.sctpRuntime().driveFrom(nullptr);
        }

    private:
        Stack& m_stack;
        bool m_driven = false;
        bool m_clock = false;
    };
}

QString faultRulesRefused(const Scenario& scenario)
{
    return QStringLiteral("%1 takes no fault rules: its association runs in a helper process, in real time, over "
                          "links of its own that the rules do not reach")
        .arg(scenario.name());
}

RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params)
{
    RunOutcome out;
    if (!params.faults.isEmpty() && !scenario.takesFaultRules()) {
        out.result.failure = faultRulesRefused(scenario);
        return out;
    }
    const double duration = params.durationS > 0 ? params.durationS : scenario.defaultDurationS();
    const qint64 limitNs = qint64(duration * 1e9);
    Scheduler& sched = stack.scheduler();
    const qint64 startNs = sched.nowNs();
    // The SIP stacks the scenario creates draw their branch and tag generators from the
    // process-wide one: seeding it from the scenario seed makes the ids they write themselves (To
    // tags of CANCEL/487 answers, of forked 1xx) the same in every run with this seed.
    sip::seedIds(idSeedFor(params.seed));
    const bool virtualTime = sched.mode() == Scheduler::Mode::Virtual;
    std::optional<VirtualSctp> sctp;
    if (virtualTime) {
        // The lab's epoch first: scenarios fix it (LabScenario::begin) but usrsctp's clock starts
        // from it before the scenario creates its first socket.
        stack.journal().setEpochNs(kLabEpochNs);
        sctp.emplace(stack, params.seed);
    }
    scenario.start(stack, params);
    if (virtualTime) {
        // Step timer by timer so finished() is checked between events; what the step posted to
        // the Qt event loop (SCTP socket reads) runs before the next step, at the same instant.
        sendPosted();
        while (!scenario.finished()) {
            const qint64 next = sched.nextDueNs();
            if (next < 0 || next - startNs > limitNs)
                break;
            sched.advanceBy(next - sched.nowNs());
            sendPosted();
        }
    } else {
        QElapsedTimer wall;
        wall.start();
        while (!scenario.finished() && wall.nsecsElapsed() < limitNs) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QThread::usleep(200);
        }
    }
    out.timedOut = !scenario.finished();
    out.ranForS = double(sched.nowNs() - startNs) / 1e9;
    out.result = scenario.result(stack);
    out.faults = scenario.faultTallies();
    scenario.stop();
    if (virtualTime)
        sendPosted(); // what stopping posted, still on the lab's clock
    return out;
}

} // namespace ladder::lab
