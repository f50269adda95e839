// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <unordered_map>

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
    // Nanoseconds since the scheduler was created (monotonic).
    qint64 nowNs() const;
    qint64 nowMs() const { return nowNs() / 1000000; }

    // Runs fn once, delayNs from now. Callbacks due at the same instant run in scheduling order.
    TimerId schedule(qint64 delayNs, Callback fn);
    TimerId scheduleMs(qint64 delayMs, Callback fn) { return schedule(delayMs * 1000000, std::move(fn)); }
    // Runs fn from the event loop as soon as possible (never re-entrantly from the caller).
    TimerId post(Callback fn) { return schedule(0, std::move(fn)); }
    // Returns false when the timer had already fired or was cancelled.
    bool cancel(TimerId id);
    bool isPending(TimerId id) const { return m_index.count(id) != 0; }
    // Absolute due time of a pending timer, or -1.
    qint64 dueNs(TimerId id) const;
    std::size_t pendingCount() const { return m_queue.size(); }
    // Due time of the earliest pending timer, or -1 when none is pending.
    qint64 nextDueNs() const;

    // Virtual mode: fire every timer due up to now+ns (including ones scheduled while running),
    // leaving the clock at now+ns. Real mode: runs what is due now and ignores ns.
    void advanceBy(qint64 ns);
    // Virtual mode: jump from timer to timer until none is pending or limitNs of virtual time
    // has passed. Returns the number of callbacks run.
    std::size_t runUntilIdle(qint64 limitNs = qint64(3600) * 1000000000);

private:
    void runDue(qint64 upToNs);
    void rearm();

    struct Key {
        qint64 due;
        TimerId id;
        bool operator<(const Key& o) const { return due != o.due ? due < o.due : id < o.id; }
    };

    Mode m_mode;
    QElapsedTimer m_clock;
    qint64 m_virtualNow = 0;
    TimerId m_nextId = 1;
    std::map<Key, Callback> m_queue;
    std::unordered_map<TimerId, qint64> m_index;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace ladder
