// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What both modes of bench_gui_ingest (the writer thread, main.cpp; the live capture, live.cpp)
// set up around the window: its size, and the UI thread watched while they run; and the
// process's peak resident memory they both report.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSize>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <execinfo.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace ladder::bench {

// The window's size in both modes.
inline constexpr QSize kWindowSize { 1400, 860 };

// Runs the UI thread's event loop for ms, or until done() says so: waiting for events as an
// application's loop does. (A loop of processEvents(AllEvents, N) does not wait — N is how long it
// may work — so it spins, and on two vCPUs takes a CPU from the peers the bench measures.)
inline void runEventLoop(qint64 ms, const std::function<bool()>& done = {})
{
    QElapsedTimer t;
    t.start();
    QTimer wake; // done() and the time are looked at again at least every 10 ms
    wake.start(10);
    while (t.elapsed() < ms && !(done && done()))
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

// The process's peak resident set (VmHWM) in KiB, -1 where /proc does not say.
inline long peakRssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}

// The UI thread's stack, written from a signal handler (backtrace is primed before the first
// signal, so the handler does not load libgcc; backtrace_symbols_fd does not allocate).
inline void printUiStack(int)
{
    void* frames[64];
    const int n = backtrace(frames, 64);
    static const char head[] = "--- UI thread stack during a stall ---\n";
    [[maybe_unused]] const auto w = write(STDERR_FILENO, head, sizeof head - 1);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

// A 1 ms precise ticker on the UI thread (made on it): the raw gap between two ticks, interval
// included, bounds any stall from above. With stallStacksMs > 0, a watchdog thread has the UI
// thread print its stack (SIGUSR2) whenever a tick is more than that late, once a late tick.
class UiWatch {
public:
    explicit UiWatch(int stallStacksMs) : m_stallStacksMs(stallStacksMs)
    {
        m_since.start();
        m_ticker.setTimerType(Qt::PreciseTimer);
        m_ticker.setInterval(1);
        QObject::connect(&m_ticker, &QTimer::timeout, [this] { tick(); });
    }
    ~UiWatch() { stop(); }
    UiWatch(const UiWatch&) = delete;
    UiWatch& operator=(const UiWatch&) = delete;

    void start()
    {
        m_lastTickNs.store(m_since.nsecsElapsed());
        if (m_stallStacksMs > 0 && !m_watchdog.joinable()) {
            void* prime[4];
            backtrace(prime, 4);
            std::signal(SIGUSR2, printUiStack);
            const pthread_t ui = pthread_self();
            const qint64 lateNs = qint64(m_stallStacksMs) * 1000000;
            m_watching.store(true);
            m_watchdog = std::thread([this, ui, lateNs] {
                qint64 sampled = -1;
                while (m_watching.load()) {
                    const qint64 tick = m_lastTickNs.load();
                    if (tick != sampled && m_since.nsecsElapsed() - tick > lateNs) {
                        sampled = tick;
                        pthread_kill(ui, SIGUSR2);
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
            });
        }
        m_ticker.start();
    }
    // The ticker stopped, the watchdog ended.
    void stop()
    {
        m_ticker.stop();
        m_watching.store(false);
        if (m_watchdog.joinable())
            m_watchdog.join();
    }
    // The bench's own wait on the UI thread is not the window's: the gap around it is not counted
    // (the next tick starts a new one).
    void skipGap() { m_gap.invalidate(); }

    qint64 worstGapNs() const { return m_worstGapNs; }
    qint64 worstEndedMs() const { return m_worstEndedMs; } // since the watch was made
    quint64 gapsOver50Ms() const { return m_gapsOver50; }

private:
    void tick()
    {
        const qint64 now = m_since.nsecsElapsed();
        m_lastTickNs.store(now);
        if (m_gap.isValid()) {
            const qint64 g = m_gap.nsecsElapsed();
            if (g > m_worstGapNs) {
                m_worstGapNs = g;
                m_worstEndedMs = now / 1000000;
            }
            m_gapsOver50 += g > 50000000 ? 1 : 0;
        }
        m_gap.restart();
    }

    const int m_stallStacksMs;
    QElapsedTimer m_since, m_gap;
    QTimer m_ticker;
    qint64 m_worstGapNs = 0, m_worstEndedMs = 0;
    quint64 m_gapsOver50 = 0;
    std::atomic<qint64> m_lastTickNs { 0 };
    std::atomic<bool> m_watching { false };
    std::thread m_watchdog;
};

} // namespace ladder::bench
