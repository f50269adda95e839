// SPDX-License-Identifier: GPL-3.0-or-later
// usrsctp's gettimeofday and read_random on the lab's virtual clock and seed: see labclock.h and
// docs/ARCHITECTURE.md ("usrsctp in virtual time").
#include "labclock.h"

#include "core/scheduler.h"

#include <atomic>
#include <cstring>
#include <mutex>

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

namespace ladder::sctp {

namespace {
    // The active run. g_scheduler is the switch (release/acquire); the rest is written before it
    // is set and read only on g_owner, the thread that began the run.
    std::atomic<const Scheduler*> g_scheduler { nullptr };
    pthread_t g_owner {};
    qint64 g_epochNs = 0;
    quint64 g_rng = 0; // splitmix64 state
    std::mutex g_beginMutex;
    std::atomic<quint64> g_timeReads { 0 };
    std::atomic<quint64> g_randomBytes { 0 };

    // Where libusrsctp's code is mapped: gettimeofday answers virtual time only to callers there.
    struct CodeRange {
        std::uintptr_t lo = 0, hi = 0;
    };
    CodeRange g_usrsctp;
    std::once_flag g_rangeOnce;

    int findUsrsctp(struct dl_phdr_info* info, size_t, void* data)
    {
        if (!info->dlpi_name || !std::strstr(info->dlpi_name, "libusrsctp"))
            return 0;
        auto* range = static_cast<CodeRange*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
                continue;
            const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
            const std::uintptr_t hi = lo + ph.p_memsz;
            if (!range->lo || lo < range->lo)
                range->lo = lo;
            if (hi > range->hi)
                range->hi = hi;
        }
        return range->lo ? 1 : 0;
    }

    const CodeRange& usrsctpCode()
    {
        std::call_once(g_rangeOnce, [] { dl_iterate_phdr(&findUsrsctp, &g_usrsctp); });
        return g_usrsctp;
    }

    template <class Fn>
    Fn nextSymbol(const char* name)
    {
        void* sym = dlsym(RTLD_NEXT, name);
        Fn fn = nullptr;
        static_assert(sizeof fn == sizeof sym);
        std::memcpy(&fn, &sym, sizeof fn);
        return fn;
    }

    // The run this thread began, or null: the only state the interposers read.
    const Scheduler* activeHere()
    {
        const Scheduler* s = g_scheduler.load(std::memory_order_acquire);
        return s && pthread_equal(pthread_self(), g_owner) ? s : nullptr;
    }

    quint64 splitmix64(quint64& state)
    {
        quint64 z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    using GettimeofdayFn = int (*)(struct timeval*, void*);
    using ReadRandomFn = void (*)(void*, size_t);
} // namespace

bool LabClock::begin(const Scheduler& scheduler, qint64 epochNs, quint64 seed)
{
    std::lock_guard lock(g_beginMutex);
    if (g_scheduler.load(std::memory_order_acquire))
        return false;
    usrsctpCode(); // find it now, not inside the first interposed call
    g_owner = pthread_self();
    g_epochNs = epochNs;
    g_rng = seed;
    g_scheduler.store(&scheduler, std::memory_order_release);
    return true;
}

void LabClock::end()
{
    std::lock_guard lock(g_beginMutex);
    g_scheduler.store(nullptr, std::memory_order_release);
}

bool LabClock::active() { return g_scheduler.load(std::memory_order_acquire) != nullptr; }

quint64 LabClock::virtualTimeReads() { return g_timeReads.load(std::memory_order_relaxed); }
quint64 LabClock::virtualRandomBytes() { return g_randomBytes.load(std::memory_order_relaxed); }

} // namespace ladder::sctp

// The interposers. Default visibility: they must be in the executable's dynamic symbol table for
// the dynamic linker to bind libusrsctp's calls to them.
extern "C" __attribute__((visibility("default"))) int gettimeofday(struct timeval* __restrict tv, void* __restrict tz) noexcept
{
    using namespace ladder::sctp;
    if (const ladder::Scheduler* s = activeHere()) {
        const auto caller = reinterpret_cast<std::uintptr_t>(__builtin_extract_return_addr(__builtin_return_address(0)));
        const CodeRange& code = g_usrsctp;
        if (caller >= code.lo && caller < code.hi) {
            const qint64 us = (g_epochNs + s->nowNs()) / 1000;
            tv->tv_sec = time_t(us / 1'000'000);
            tv->tv_usec = suseconds_t(us % 1'000'000);
            g_timeReads.fetch_add(1, std::memory_order_relaxed);
            return 0;
        }
    }
    static const GettimeofdayFn next = nextSymbol<GettimeofdayFn>("gettimeofday");
    if (next)
        return next(tv, tz);
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = suseconds_t(ts.tv_nsec / 1000);
    return 0;
}

// usrsctp's own (user_environment.h: void read_random(void*, size_t)); nobody else has one.
extern "C" __attribute__((visibility("default"))) void read_random(void* buf, size_t size)
{
    using namespace ladder::sctp;
    if (activeHere()) {
        auto* out = static_cast<unsigned char*>(buf);
        for (size_t at = 0; at < size; at += 8) {
            const quint64 r = splitmix64(g_rng);
            for (size_t i = 0; i < 8 && at + i < size; ++i)
                out[at + i] = static_cast<unsigned char>(r >> (8 * i));
        }
        g_randomBytes.fetch_add(size, std::memory_order_relaxed);
        return;
    }
    static const ReadRandomFn next = nextSymbol<ReadRandomFn>("read_random");
    if (next) {
        next(buf, size);
        return;
    }
    for (size_t at = 0; at < size;) { // no usrsctp behind us (cannot happen when usrsctp calls)
        const ssize_t n = getrandom(static_cast<char*>(buf) + at, size - at, 0);
        if (n > 0)
            at += size_t(n);
    }
}

namespace ladder::sctp {

bool LabClock::interposed(QString* why)
{
    auto fail = [why](const QString& reason) {
        if (why)
            *why = reason;
        return false;
    };
    void* time = dlsym(RTLD_DEFAULT, "gettimeofday");
    void* random = dlsym(RTLD_DEFAULT, "read_random");
    void* ourTime = nullptr;
    void* ourRandom = nullptr;
    const GettimeofdayFn t = &::gettimeofday;
    const ReadRandomFn r = &::read_random;
    std::memcpy(&ourTime, &t, sizeof t);
    std::memcpy(&ourRandom, &r, sizeof r);
    if (time != ourTime)
        return fail(QStringLiteral("gettimeofday does not resolve to LadderLab's interposer (the executable does not export it)"));
    if (random != ourRandom)
        return fail(QStringLiteral("read_random does not resolve to LadderLab's interposer (the executable does not export it)"));
    if (!usrsctpCode().lo)
        return fail(QStringLiteral("libusrsctp.so is not loaded (a static usrsctp binds its calls at link time)"));
    if (why)
        why->clear();
    return true;
}

} // namespace ladder::sctp
