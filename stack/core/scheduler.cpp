// SPDX-License-Identifier: GPL-3.0-or-later
#include "scheduler.h"

namespace ladder {

Scheduler::Scheduler(Mode mode, QObject* parent)
    : QObject(parent)
    , m_mode(mode)
{
    m_clock.start();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        runDue(nowNs());
        rearm();
    });
}

Scheduler::~Scheduler() = default;

qint64 Scheduler::nowNs() const
{
    return m_mode == Mode::Real ? m_clock.nsecsElapsed() : m_virtualNow;
}

Scheduler::TimerId Scheduler::schedule(qint64 delayNs, Callback fn)
{
    const TimerId id = m_nextId++;
    const qint64 due = nowNs() + std::max<qint64>(0, delayNs);
    m_queue.emplace(Key { due, id }, std::move(fn));
    m_index.emplace(id, due);
    if (m_mode == Mode::Real && !m_running)
        rearm();
    return id;
}

bool Scheduler::cancel(TimerId id)
{
    auto it = m_index.find(id);
    if (it == m_index.end())
        return false;
    m_queue.erase(Key { it->second, id });
    m_index.erase(it);
    return true;
}

qint64 Scheduler::dueNs(TimerId id) const
{
    auto it = m_index.find(id);
    return it == m_index.end() ? -1 : it->second;
}

qint64 Scheduler::nextDueNs() const
{
    return m_queue.empty() ? -1 : m_queue.begin()->first.due;
}

void Scheduler::runDue(qint64 upToNs)
{
    m_running = true;
    while (!m_queue.empty() && m_queue.begin()->first.due <= upToNs) {
        auto node = m_queue.extract(m_queue.begin());
        m_index.erase(node.key().id);
        if (m_mode == Mode::Virtual)
            m_virtualNow = std::max(m_virtualNow, node.key().due);
        node.mapped()();
    }
    m_running = false;
}

void Scheduler::rearm()
{
    if (m_mode != Mode::Real)
        return;
    if (m_queue.empty()) {
        m_timer.stop();
        return;
    }
    const qint64 waitNs = m_queue.begin()->first.due - nowNs();
    // Round up so the timer never fires before the deadline and spins.
    const int waitMs = waitNs <= 0 ? 0 : int(std::min<qint64>((waitNs + 999999) / 1000000, 1 << 30));
    m_timer.start(waitMs);
}

void Scheduler::advanceBy(qint64 ns)
{
    if (m_mode == Mode::Real) {
        runDue(nowNs());
        rearm();
        return;
    }
    const qint64 target = m_virtualNow + std::max<qint64>(0, ns);
    runDue(target);
    m_virtualNow = target;
}

std::size_t Scheduler::runUntilIdle(qint64 limitNs)
{
    std::size_t ran = 0;
    if (m_mode == Mode::Real) {
        const qint64 now = nowNs();
        while (!m_queue.empty() && m_queue.begin()->first.due <= now) {
            auto node = m_queue.extract(m_queue.begin());
            m_index.erase(node.key().id);
            node.mapped()();
            ++ran;
        }
        rearm();
        return ran;
    }
    const qint64 limit = m_virtualNow + limitNs;
    while (!m_queue.empty() && m_queue.begin()->first.due <= limit) {
        auto node = m_queue.extract(m_queue.begin());
        m_index.erase(node.key().id);
        m_virtualNow = std::max(m_virtualNow, node.key().due);
        node.mapped()();
        ++ran;
    }
    return ran;
}

} // namespace ladder
