// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/scheduler.h"
#include "journal/journal.h"

#include <QString>

#include <memory>

namespace ladder {

// What every protocol layer runs on: the scheduler (time) and the trace journal (history). The SIP
// and SCTP layers take one of these, never the Stack that owns it (host/stack.h), so they need not
// know what else a window or a ladderctl run holds (the usrsctp runtime, the lab).
class Context {
public:
    explicit Context(Scheduler::Mode mode = Scheduler::Mode::Real);
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    Scheduler& scheduler() { return m_scheduler; }
    trace::Journal& journal() { return *m_journal; }
    std::shared_ptr<trace::Journal> sharedJournal() const { return m_journal; }

    // Appends a Log event stamped with the scheduler's time.
    void log(int level, const QString& text);

protected:
    ~Context();

private:
    Scheduler m_scheduler;
    std::shared_ptr<trace::Journal> m_journal;
};

} // namespace ladder
