// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/context.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace ladder {
namespace sctp {
    class Runtime;
}

// The engine behind one window or one ladderctl run: the scheduler (time) and the trace journal
// (history) it inherits from Context, and a reference on the process's usrsctp runtime, which the
// SCTP engines and the lab's SCTP scenarios share. It lives on one thread — the stack thread in
// the GUI, the main thread in ladderctl and the tests — and every call into it must come from that
// thread. The protocol layers take it as a Context.
class Stack : public QObject, public Context {
    Q_OBJECT
public:
    explicit Stack(Scheduler::Mode mode = Scheduler::Mode::Real, QObject* parent = nullptr);
    ~Stack() override;

    sctp::Runtime& sctpRuntime() { return *m_sctp; }

private:
    std::shared_ptr<sctp::Runtime> m_sctp;
};

// Runs a Stack on its own thread with its own event loop, as the GUI does. The journal is shared
// with the UI (its append/read boundary is the only shared state); commands go through invoke().
class StackThread {
public:
    StackThread();
    ~StackThread(); // stops the stack on its thread, then joins

    Stack* stack() const { return m_stack; }
    std::shared_ptr<trace::Journal> journal() const { return m_journal; }
    // Runs fn on the stack thread (queued); use for every command from the UI.
    void invoke(std::function<void(Stack&)> fn);
    // Runs fn on the stack thread and waits for it (start-up and tests only).
    void invokeBlocking(std::function<void(Stack&)> fn);

private:
    QThread m_thread;
    QObject m_anchor; // lives on m_thread; the target of start-up and shut-down calls
    Stack* m_stack = nullptr;
    std::shared_ptr<trace::Journal> m_journal;
};

} // namespace ladder
