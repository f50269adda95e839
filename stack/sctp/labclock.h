// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QtGlobal>

namespace ladder {
class Scheduler;

namespace sctp {

    // usrsctp's clock and randomness, on the lab's virtual clock and seed.
    //
    // usrsctp reads two things behind our back. Time: SCTP_GETTIME_TIMEVAL is gettimeofday(2) on
    // Linux (0.9.5.0, sctp_constants.h), used for RTT/RTO, PR-SCTP TTL expiry, cookie lifetime and
    // the cookie's own timestamp (which goes on the wire); its timer tick count is ours already
    // (usrsctp_handle_timers). Randomness: read_random() (user_environment.c: getrandom(2) through
    // syscall(), /dev/urandom as fallback) for verification tags, initial TSNs, the cookie secret and
    // AUTH keys. Neither has a hook in 0.9.5.0, so this file interposes both symbols: libusrsctp.so
    // imports gettimeofday from libc and calls its own exported read_random through its PLT, and a
    // definition in the executable comes first in the global lookup scope, ahead of libusrsctp, libc
    // and ASan's interceptors (`nm -D libusrsctp.so.2` lists both; see docs/ARCHITECTURE.md).
    //
    // The interposers change nothing unless a lab run in virtual time is active (begin()) AND the
    // call comes from the thread that began it AND — for gettimeofday — from code inside
    // libusrsctp.so (the caller's return address). Every other call, and every call outside a lab
    // run (network mode, real sockets, the GUI's live lab), goes to the next definition, found with
    // dlsym(RTLD_NEXT): libc's (or ASan's interceptor, which then calls libc's).
    //
    // While active: gettimeofday answers epochNs + scheduler.nowNs() (microseconds truncated), and
    // read_random fills buffers from a splitmix64 stream seeded with seed at begin(). So a run that
    // starts usrsctp's sockets after begin() sees the same tags, TSNs, keys and clock readings every
    // time. Limits: usrsctp must be the shared library (a static libusrsctp would bind its calls at
    // link time; interposed() then says so and nothing is virtual); random bytes drawn before begin()
    // (none in 0.9.5.0's usrsctp_init) are not covered; one run at a time per process.
    class LabClock {
    public:
        // Returns false (and changes nothing) when another run is active.
        static bool begin(const Scheduler& scheduler, qint64 epochNs, quint64 seed);
        static void end();
        static bool active();

        // Whether the interposers can reach usrsctp in this process: our definitions are the ones
        // the dynamic linker binds libusrsctp's calls to, and libusrsctp's code was found (for the
        // caller check). why: the reason when not.
        static bool interposed(QString* why = nullptr);

        // Reads answered from the lab since the process started (tests check the path is taken).
        static quint64 virtualTimeReads();
        static quint64 virtualRandomBytes();
    };

} // namespace sctp
} // namespace ladder
