// SPDX-License-Identifier: GPL-3.0-or-later
#include "runner.h"

#include "host/stack.h"
#include "sip/message/ids.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

namespace ladder::lab {

quint64 idSeedFor(quint64 scenarioSeed)
{
    // splitmix64 of the seed: the SIP ids do not follow the same sequence as the link losses.
    quint64 z = scenarioSeed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params)
{
    RunOutcome out;
    const double duration = params.durationS > 0 ? params.durationS : scenario.defaultDurationS();
    const qint64 limitNs = qint64(duration * 1e9);
    Scheduler& sched = stack.scheduler();
    const qint64 startNs = sched.nowNs();
    // The SIP stacks the scenario creates draw their branch and tag generators from the
    // process-wide one: seeding it from the scenario seed makes the ids they write themselves (To
    // tags of CANCEL/487 answers, of forked 1xx) the same in every run with this seed.
    sip::seedIds(idSeedFor(params.seed));
    scenario.start(stack, params);
    if (sched.mode() == Scheduler::Mode::Virtual) {
        // Step timer by timer so finished() is checked between events.
        while (!scenario.finished()) {
            const qint64 next = sched.nextDueNs();
            if (next < 0 || next - startNs > limitNs)
                break;
            sched.advanceBy(next - sched.nowNs());
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
    scenario.stop();
    return out;
}

} // namespace ladder::lab
