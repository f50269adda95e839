// SPDX-License-Identifier: GPL-3.0-or-later
#include "runner.h"

#include "core/stack.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

namespace ladder::lab {

RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params)
{
    RunOutcome out;
    const double duration = params.durationS > 0 ? params.durationS : scenario.defaultDurationS();
    const qint64 limitNs = qint64(duration * 1e9);
    Scheduler& sched = stack.scheduler();
    const qint64 startNs = sched.nowNs();
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
