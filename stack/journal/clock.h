// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace ladder::clock {

// CLOCK_MONOTONIC in nanoseconds, the time every journal event is stamped with (Scheduler::nowNs).
//
// Bulk traffic stamps an event per sctp_sendmsg and per packet, and clock_gettime costs more than
// the rest of journalling a repeated send. So where the kernel itself keeps time with the TSC
// (x86-64, clocksource "tsc", an invariant TSC), the clock is read from the TSC: each thread
// anchors it to clock_gettime at least every 10 ms and converts the ticks in between with the
// rate measured since the process's first reading. The answers stay within a microsecond or so
// of clock_gettime's and never go back on a thread. Elsewhere — or with LADDERLAB_CLOCK=monotonic
// in the environment — it is clock_gettime itself.
qint64 monotonicNs();

// Whether monotonicNs() reads the TSC between anchors (false until the rate is known, the first
// few milliseconds of a process).
bool usesTsc();

namespace detail {
    struct Anchor {
        quint64 tsc = 0; // TSC at the anchor
        qint64 ns = 0; // CLOCK_MONOTONIC at the anchor
        quint64 span = 0; // ticks the anchor is good for; 0: none yet (or no TSC)
        quint64 mult = 0; // nanoseconds per tick, in units of 2^-32
        qint64 last = 0; // the last answer on this thread
    };
    extern thread_local Anchor t_anchor;
    qint64 anchorAndRead(); // the slow path: clock_gettime, and a new anchor when the TSC can be used
}

inline qint64 monotonicNs()
{
#if defined(__x86_64__)
    detail::Anchor& a = detail::t_anchor;
    const quint64 ticks = __rdtsc() - a.tsc; // before the anchor wraps to huge: the slow path
    if (ticks < a.span) {
        qint64 ns = a.ns + qint64((ticks * a.mult) >> 32);
        if (ns < a.last) // a new anchor may start a hair behind the old one's extrapolation
            ns = a.last;
        a.last = ns;
        return ns;
    }
#endif
    return detail::anchorAndRead();
}

} // namespace ladder::clock
