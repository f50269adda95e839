// SPDX-License-Identifier: GPL-3.0-or-later
#include "clock.h"

#include <QFile>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

namespace ladder::clock {

namespace detail {
    thread_local Anchor t_anchor;
}

namespace {
    __extension__ using Wide = unsigned __int128; // for the rate's 32.32 fixed point
    constexpr qint64 kAnchorNs = 10'000'000; // a thread anchors again after this long
    constexpr qint64 kFirstRateNs = 20'000'000; // the rate is first taken over this long

    qint64 readMonotonic()
    {
        timespec ts {};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }

#if defined(__x86_64__)
    // A TSC reading and the CLOCK_MONOTONIC time it stands for, read together: taken again while
    // something (a preemption, an interrupt) came between the readings. False if it always did.
    bool readPair(quint64& tsc, qint64& ns)
    {
        for (int attempt = 0; attempt < 4; ++attempt) {
            const qint64 before = readMonotonic();
            const quint64 t = __rdtsc();
            const qint64 after = readMonotonic();
            if (after - before <= 2'000) {
                tsc = t;
                ns = before + (after - before) / 2;
                return true;
            }
        }
        return false;
    }

    // The kernel keeps CLOCK_MONOTONIC with the TSC only when it found the TSC invariant and in
    // step on every CPU; constant_tsc says its rate does not follow the CPU's frequency.
    bool tscTrusted()
    {
        const char* env = std::getenv("LADDERLAB_CLOCK");
        if (env && std::strcmp(env, "monotonic") == 0)
            return false;
        QFile source(QStringLiteral("/sys/devices/system/clocksource/clocksource0/current_clocksource"));
        if (!source.open(QIODevice::ReadOnly) || source.readAll().trimmed() != "tsc")
            return false;
        QFile cpu(QStringLiteral("/proc/cpuinfo"));
        if (!cpu.open(QIODevice::ReadOnly))
            return false;
        for (;;) {
            const QByteArray line = cpu.readLine();
            if (line.isEmpty())
                return false;
            if (line.startsWith("flags"))
                return line.contains(" constant_tsc") && line.contains(" nonstop_tsc");
        }
    }

    // The process-wide rate: ticks and nanoseconds since the first reading, measured again each
    // time that span has doubled (finer each time) until it is ten seconds long.
    struct Rate {
        std::mutex mutex;
        bool started = false;
        quint64 tsc0 = 0;
        qint64 ns0 = 0;
        qint64 measuredOver = 0; // the span the current mult was measured over
        std::atomic<quint64> mult { 0 };

        quint64 update(quint64 tsc, qint64 ns)
        {
            std::lock_guard lock(mutex);
            if (!started) {
                started = true;
                tsc0 = tsc;
                ns0 = ns;
                return 0;
            }
            const qint64 elapsed = ns - ns0;
            const bool due = measuredOver == 0 ? elapsed >= kFirstRateNs
                                               : elapsed >= 2 * measuredOver && measuredOver < 10'000'000'000;
            if (due && tsc > tsc0) {
                const auto m = quint64((static_cast<Wide>(elapsed) << 32) / (tsc - tsc0));
                if (m > 0) {
                    mult.store(m, std::memory_order_relaxed);
                    measuredOver = elapsed;
                }
            }
            return mult.load(std::memory_order_relaxed);
        }
    };

    Rate& rate()
    {
        static Rate r;
        return r;
    }
#endif
}

namespace detail {
    qint64 anchorAndRead()
    {
        Anchor& a = t_anchor;
#if defined(__x86_64__)
        static const bool trusted = tscTrusted();
        quint64 tsc = 0;
        qint64 ns = 0;
        if (trusted && readPair(tsc, ns)) {
            const quint64 mult = rate().update(tsc, ns);
            a.tsc = tsc;
            a.ns = ns;
            a.mult = mult;
            a.span = mult ? quint64((static_cast<Wide>(kAnchorNs) << 32) / mult) : 0;
            const qint64 answer = std::max(ns, a.last);
            a.last = answer;
            return answer;
        }
        a.span = 0; // no anchor: the next reading tries again
#endif
        const qint64 now = std::max(readMonotonic(), a.last);
        a.last = now;
        return now;
    }
}

bool usesTsc()
{
    monotonicNs(); // anchors this thread if it had no anchor
    return detail::t_anchor.span != 0;
}

} // namespace ladder::clock
