// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What tst_lab_pacer, tst_lab_rewind and tst_lab_quiz share: the window's lab without the window —
// a stack in real time (as the GUI's) and a LabController that paces lessons in virtual time, with
// its pauses recorded.
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/controller.h"

#include <QSignalSpy>

namespace ladder::labtest {

struct LabWindow {
    Stack stack { Scheduler::Mode::Real };
    lab::LabController controller { stack };
    QSignalSpy paused { &controller, &lab::LabController::pausedAt };

    // Starts a lesson on an empty journal (paused before its first event when startPaused).
    bool start(const QString& name, const lab::ScenarioParams& p, bool startPaused)
    {
        QString error;
        stack.journal().clear();
        const bool ok = controller.start(name, p, &error, startPaused);
        if (!ok)
            qWarning("%s", qPrintable(error));
        return ok;
    }
    bool start(const QString& name, quint64 seed, bool startPaused)
    {
        lab::ScenarioParams p;
        p.seed = seed;
        return start(name, p, startPaused);
    }
    // The journal's sequence number of the event the last pause is at; -1 when none.
    qint64 pausedSeq() const { return paused.isEmpty() ? -1 : paused.last().at(0).toLongLong(); }
    trace::Event lastPauseEvent()
    {
        const qint64 seq = pausedSeq();
        return seq < 0 ? trace::Event() : stack.journal().at(quint64(seq));
    }
    // The journal's events from `from` on.
    QList<trace::Event> events(quint64 from = 0) { return stack.journal().range(from, stack.journal().count() - from).toList(); }
};

} // namespace ladder::labtest
