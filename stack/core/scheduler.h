// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

#include <functional>
#include <limits>
#include <vector>

namespace ladder {

// The one source of time and timers for everything in the stack (SIP timers, lab link delays,
// usrsctp's timer tick). Real mode follows the monotonic clock and fires from the Qt event loop;
// virtual mode only moves when a test or a headless lab run advances it, so timer behaviour is
// exact and reproducible (Timer A at 0.5, 1.5, 3.5 s… to the nanosecond) and runs instantly.
class Scheduler : public QObject {
    Q_OBJECT
public:
    enum class Mode { Real, Virtual };
    using TimerId = quint64;
    using Callback = std::function<void()>;

    explicit Scheduler(Mode mode = Mode::Real, QObject* parent = nullptr);
    ~Scheduler() override;

    Mode mode() const { return m_mode; }
    // Switches between real and virtual time, every pending timer keeping the delay it has left.
    // Into Virtual, the clock reads virtualStartNs (a lab run starts at 0) and moves only when
    // advanceBy() moves it; back into Real, it goes on from where virtual time stood, following
    // the monotonic clock. Not from inside a timer callback: returns false there (and when the
    // mode is already the one asked for).
    bool setMode(Mode mode, qint64 virtualStartNs = 0);
    // Nanoseconds since the scheduler was created (monotonic: clock::monotonicNs).
    qint64 nowNs() const;
    qint64 nowMs() const { return nowNs() / 1000000; }

    // Runs fn once, delayNs from now. Callbacks due at the same instant run in scheduling order.
    TimerId schedule(qint64 delayNs, Callback fn);
    TimerId scheduleMs(qint64 delayMs, Callback fn) { return schedule(delayMs * 1000000, std::move(fn)); }
    // Runs fn from the event loop as soon as possible (never re-entrantly from the caller).
    TimerId post(Callback fn) { return schedule(0, std::move(fn)); }
    // Returns false when the timer had already fired or was cancelled.
    bool cancel(TimerId id);
    bool isPending(TimerId id) const { return slotOf(id) != nullptr; }
    // Absolute due time of a pending timer, or -1.
    qint64 dueNs(TimerId id) const;
    std::size_t pendingCount() const { return m_live; }
    // Due time of the earliest pending timer, or -1 when none is pending.
    qint64 nextDueNs() const;

    // Virtual mode: fire every timer due up to now+ns (including ones scheduled while running),
    // leaving the clock at now+ns. Real mode: runs what is due now and ignores ns.
    void advanceBy(qint64 ns);
    // Virtual mode: jump from timer to timer until none is pending or limitNs of virtual time
    // has passed. Returns the number of callbacks run.
    std::size_t runUntilIdle(qint64 limitNs = qint64(3600) * 1000000000);

private:
    // A pending timer lives in a slot (reused through a free list, so arming a timer allocates
    // nothing once the table has grown); its id is the slot index and the slot's generation, which
    // changes when the timer fires or is cancelled, so a stale id never names a newer timer.
    struct Slot {
        Callback fn;
        qint64 due = 0;
        quint32 generation = 1;
        bool live = false;
    };
    // The queue: a binary min-heap of (due, sequence) — the sequence number keeps timers due at
    // the same instant in scheduling order. cancel() only frees the slot; its heap entry goes
    // stale and is dropped when it reaches the top (or when stale entries outnumber live ones,
    // in one O(n) sweep). The top entry is always live.
    struct Entry {
        qint64 due;
        quint64 seq;
        quint32 slot;
        quint32 generation;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const
        {
            return a.due != b.due ? a.due > b.due : a.seq > b.seq;
        }
    };

    const Slot* slotOf(TimerId id) const;
    bool isLive(const Entry& e) const
    {
        const Slot& s = m_slots[e.slot];
        return s.live && s.generation == e.generation;
    }
    void freeSlot(quint32 index);
    void popStale();
    void compact();
    // Removes the top (due) entry and returns its callback; advances virtual time to it.
    Callback takeTop();
    void runDue(qint64 upToNs);
    void rearm();

    Mode m_mode;
    qint64 m_startNs = 0; // clock::monotonicNs() at construction (Real mode)
    qint64 m_virtualNow = 0;
    quint64 m_nextSeq = 0;
    std::vector<Slot> m_slots;
    std::vector<quint32> m_freeSlots;
    std::vector<Entry> m_heap;
    std::size_t m_live = 0;
    QTimer m_timer;
    // Real mode: the deadline m_timer is armed for (INT64_MAX when stopped). A timer due later
    // needs no re-arming: the earlier wake-up re-arms for it.
    qint64 m_armedDue = std::numeric_limits<qint64>::max();
    bool m_running = false;
};

} // namespace ladder
