// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// bench_sip_transactions' one-core figures, measured as a SIP server vendor would: our SipStack
// alone in this process (one thread), the load from another process over loopback UDP, and only
// this process's CPU counted (getrusage(RUSAGE_SELF) does not include children).

#include <QString>

#include <cstdint>

namespace ladder::bench {

struct OneCore {
    std::uint64_t done = 0; // transactions our stack completed (UAS: 200 sent; UAC: 200 received)
    std::uint64_t stackErrors = 0; // UAS: reply() failed; UAC: non-200 final, timeouts
    std::uint64_t peerErrors = 0; // what the other process found wrong or missing
    QString firstError;
    double seconds = 0; // wall clock of the run
    double cpu = 0; // CPU seconds of our process during the run
    double peerCpu = 0; // CPU seconds of the other process
    std::uint64_t events = 0; // journal entries
    std::size_t liveAtEnd = 0; // transactions still live (Completed, Timer J or K running)
    bool ok() const { return stackErrors == 0 && peerErrors == 0 && firstError.isEmpty(); }
};

// Server role: our stack answers OPTIONS with 200 statefully; a forked stateless generator keeps
// `window` requests outstanding and checks every answer.
OneCore runUasOneCore(std::uint64_t total, int window, bool tracing);
// Client role: our stack sends OPTIONS statefully (Timers E, F, K), `window` outstanding; a forked
// stateless responder answers each with 200.
OneCore runUacOneCore(std::uint64_t total, int window, bool tracing);
// What SIPp itself counted, from its statistics file (-trace_stat): the last line, written as SIPp
// ends, holds the cumulative counters. SIPp's rate is SIPp's own figure, not our clock's.
struct SippStats {
    bool read = false; // the file was there with these columns
    double callRate = 0; // CallRate(C): calls per second over SIPp's run, as SIPp computes it
    std::uint64_t successful = 0; // SuccessfulCall(C)
    std::uint64_t failed = 0; // FailedCall(C)
    QString elapsed; // ElapsedTime(C), as SIPp writes it
};

// Server role driven by SIPp (`sipp` on PATH): `total` calls of an OPTIONS uac scenario, at most
// `window` outstanding, at `rate` per second. *stats: SIPp's own statistics; its failed or missing
// calls (and statistics it did not write) are peerErrors. Empty firstError with done == 0 when
// SIPp is not installed (see sippMissing).
OneCore runUasSipp(std::uint64_t total, int window, int rate, bool tracing, SippStats* stats, bool* sippMissing);

} // namespace ladder::bench
