// SPDX-License-Identifier: GPL-3.0-or-later
#include "stack.h"

#include "sctp/runtime.h"

namespace ladder {

Stack::Stack(Scheduler::Mode mode, QObject* parent)
    : QObject(parent)
    , m_scheduler(mode)
    , m_journal(std::make_shared<trace::Journal>())
    , m_sctp(sctp::Runtime::acquire())
{
    qRegisterMetaType<trace::Event>();
}

Stack::~Stack() = default;

void Stack::log(int level, const QString& text)
{
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::Log;
    e.a = quint64(level);
    e.text = text;
    m_journal->append(std::move(e));
}

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
