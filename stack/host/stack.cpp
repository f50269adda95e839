// SPDX-License-Identifier: GPL-3.0-or-later
#include "stack.h"

#include "sctp/runtime.h"

namespace ladder {

Stack::Stack(Scheduler::Mode mode, QObject* parent)
    : QObject(parent)
    , Context(mode)
    , m_sctp(sctp::Runtime::acquire())
{
    qRegisterMetaType<trace::Event>();
}

Stack::~Stack() = default;

StackThread::StackThread()
{
    m_thread.setObjectName(QStringLiteral("ladderlab-stack"));
    m_anchor.moveToThread(&m_thread);
    m_thread.start();
    // Create the stack on its own thread so its timers and usrsctp belong to that thread.
    QMetaObject::invokeMethod(
        &m_anchor, [this] { m_stack = new Stack(Scheduler::Mode::Real); }, Qt::BlockingQueuedConnection);
    m_journal = m_stack->sharedJournal();
}

StackThread::~StackThread()
{
    QMetaObject::invokeMethod(
        &m_anchor, [this] { delete m_stack; }, Qt::BlockingQueuedConnection);
    m_stack = nullptr;
    m_thread.quit();
    m_thread.wait();
}

void StackThread::invoke(std::function<void(Stack&)> fn)
{
    QMetaObject::invokeMethod(m_stack, [s = m_stack, fn = std::move(fn)] { fn(*s); }, Qt::QueuedConnection);
}

void StackThread::invokeBlocking(std::function<void(Stack&)> fn)
{
    QMetaObject::invokeMethod(m_stack, [s = m_stack, &fn] { fn(*s); }, Qt::BlockingQueuedConnection);
}

} // namespace ladder
