// SPDX-License-Identifier: GPL-3.0-or-later
#include "scheduler.h"

#include "journal/clock.h"

#include <algorithm>

namespace ladder {

namespace {
    constexpr qint64 kNever = std::numeric_limits<qint64>::max();
}

Scheduler::Scheduler(Mode mode, QObject* parent)
    : QObject(parent)
    , m_mode(mode)
{
    m_startNs = clock::monotonicNs();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_armedDue = kNever;
        runDue(nowNs());
        rearm();
    });
}

Scheduler::~Scheduler() = default;

qint64 Scheduler::nowNs() const
{
    return m_mode == Mode::Real ? clock::monotonicNs() - m_startNs : m_virtualNow;
}

bool Scheduler::setMode(Mode mode, qint64 virtualStartNs)
{
    if (mode == m_mode || m_running)
        return false;
    const qint64 now = nowNs();
    if (mode == Mode::Virtual) {
        // Shift every deadline by the same amount: the heap's order does not change.
        const qint64 shift = virtualStartNs - now;
        for (Entry& e : m_heap)
            e.due += shift;
        for (Slot& s : m_slots)
            if (s.live)
                s.due += shift;
        m_timer.stop();
        m_armedDue = kNever;
        m_virtualNow = virtualStartNs;
        m_mode = Mode::Virtual;
        return true;
    }
    m_mode = Mode::Real;
    m_startNs = clock::monotonicNs() - now;
    rearm();
    return true;
}

const Scheduler::Slot* Scheduler::slotOf(TimerId id) const
{
    const quint64 index = id & 0xffffffffu;
    if (index >= m_slots.size())
        return nullptr;
    const Slot& s = m_slots[index];
    return s.live && s.generation == quint32(id >> 32) ? &s : nullptr;
}

Scheduler::TimerId Scheduler::schedule(qint64 delayNs, Callback fn)
{
    const qint64 due = nowNs() + std::max<qint64>(0, delayNs);
    quint32 index;
    if (!m_freeSlots.empty()) {
        index = m_freeSlots.back();
        m_freeSlots.pop_back();
    } else {
        index = quint32(m_slots.size());
        m_slots.emplace_back();
    }
    Slot& s = m_slots[index];
    s.fn = std::move(fn);
    s.due = due;
    s.live = true;
    ++m_live;
    m_heap.push_back({ due, m_nextSeq++, index, s.generation });
    std::push_heap(m_heap.begin(), m_heap.end(), Later {});
    if (m_mode == Mode::Real && !m_running && due < m_armedDue)
        rearm();
    // Generation >= 1: an id is never 0, which callers use for "no timer".
    return (TimerId(s.generation) << 32) | index;
}

void Scheduler::freeSlot(quint32 index)
{
    Slot& s = m_slots[index];
    // The callback is destroyed last, once the bookkeeping is consistent: destroying what it
    // captured may re-enter the scheduler (cancel or schedule other timers, growing m_slots).
    Callback dead = std::move(s.fn);
    s.fn = nullptr;
    s.live = false;
    if (++s.generation == 0)
        s.generation = 1;
    m_freeSlots.push_back(index);
    --m_live;
}

void Scheduler::popStale()
{
    while (!m_heap.empty() && !isLive(m_heap.front())) {
        std::pop_heap(m_heap.begin(), m_heap.end(), Later {});
        m_heap.pop_back();
    }
}

void Scheduler::compact()
{
    // Cancelled timers (a transaction's Timer F once its response came) would otherwise stay in
    // the heap until their due time: sweep them out once they are the majority.
    std::erase_if(m_heap, [this](const Entry& e) { return !isLive(e); });
    std::make_heap(m_heap.begin(), m_heap.end(), Later {});
}

bool Scheduler::cancel(TimerId id)
{
    if (!slotOf(id))
        return false;
    freeSlot(quint32(id & 0xffffffffu));
    if (m_heap.size() > 2 * m_live + 1024)
        compact();
    else
        popStale();
    return true;
}

qint64 Scheduler::dueNs(TimerId id) const
{
    const Slot* s = slotOf(id);
    return s ? s->due : -1;
}

qint64 Scheduler::nextDueNs() const
{
    return m_heap.empty() ? -1 : m_heap.front().due;
}

Scheduler::Callback Scheduler::takeTop()
{
    const Entry top = m_heap.front();
    std::pop_heap(m_heap.begin(), m_heap.end(), Later {});
    m_heap.pop_back();
    Callback fn = std::move(m_slots[top.slot].fn);
    freeSlot(top.slot);
    popStale();
    if (m_mode == Mode::Virtual)
        m_virtualNow = std::max(m_virtualNow, top.due);
    return fn;
}

void Scheduler::runDue(qint64 upToNs)
{
    m_running = true;
    while (!m_heap.empty() && m_heap.front().due <= upToNs)
        takeTop()();
    m_running = false;
}

void Scheduler::rearm()
{
    if (m_mode != Mode::Real)
        return;
    if (m_heap.empty()) {
        m_timer.stop();
        m_armedDue = kNever;
        return;
    }
    const qint64 due = m_heap.front().due;
    if (due == m_armedDue && m_timer.isActive())
        return;
    const qint64 waitNs = due - nowNs();
    // Round up so the timer never fires before the deadline and spins.
    const int waitMs = waitNs <= 0 ? 0 : int(std::min<qint64>((waitNs + 999999) / 1000000, 1 << 30));
    m_timer.start(waitMs);
    m_armedDue = due;
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
        while (!m_heap.empty() && m_heap.front().due <= now) {
            takeTop()();
            ++ran;
        }
        rearm();
        return ran;
    }
    const qint64 limit = m_virtualNow + limitNs;
    while (!m_heap.empty() && m_heap.front().due <= limit) {
        takeTop()();
        ++ran;
    }
    return ran;
}

} // namespace ladder
