// SPDX-License-Identifier: GPL-3.0-or-later
#include "loadgen.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include <poll.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ladder::bench {

namespace {
    constexpr int kBatch = 64; // datagrams per recvmmsg/sendmmsg
    constexpr int kMax = 2048; // our requests and the stack's answers are far smaller

    double now()
    {
        timespec ts {};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
    }

    double cpuSelf()
    {
        rusage u {};
        getrusage(RUSAGE_SELF, &u);
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }

    void noteError(LoadResult& r, const char* what, const char* msg, int len)
    {
        if (r.errors++ == 0) {
            int line = 0;
            while (line < len && line < 60 && msg[line] != '\r' && msg[line] != '\n')
                ++line;
            std::snprintf(r.firstError, sizeof r.firstError, "%s: %.*s", what, line, msg);
        }
    }

    // The value of the first header named `name` (full) or `compact` (one letter), or nullptr.
    const char* headerValue(const char* msg, int len, const char* name, char compact, int* valueLen)
    {
        const char* end = msg + len;
        const char* p = static_cast<const char*>(std::memchr(msg, '\n', std::size_t(len)));
        const std::size_t nameLen = std::strlen(name);
        while (p && p + 1 < end) {
            const char* line = p + 1;
            if (*line == '\r' || *line == '\n')
                return nullptr; // end of the header section
            const char* colon = static_cast<const char*>(std::memchr(line, ':', std::size_t(end - line)));
            const char* eol = static_cast<const char*>(std::memchr(line, '\r', std::size_t(end - line)));
            if (!colon || !eol)
                return nullptr;
            const char* n = colon;
            while (n > line && (n[-1] == ' ' || n[-1] == '\t'))
                --n;
            const std::size_t nl = std::size_t(n - line);
            if ((nl == nameLen && strncasecmp(line, name, nameLen) == 0) || (nl == 1 && (*line | 0x20) == compact)) {
                const char* v = colon + 1;
                while (v < eol && (*v == ' ' || *v == '\t'))
                    ++v;
                *valueLen = int(eol - v);
                return v;
            }
            p = static_cast<const char*>(std::memchr(eol, '\n', std::size_t(end - eol)));
        }
        return nullptr;
    }

    struct Request {
        char bytes[kMax];
        int len;
    };
}

LoadResult generateOptions(int fd, const sockaddr_in& target, std::uint64_t total, int window, int idleMs)
{
    LoadResult r;
    sockaddr_in local {};
    socklen_t llen = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    char here[64], there[64];
    const unsigned char* la = reinterpret_cast<const unsigned char*>(&local.sin_addr);
    const unsigned char* ta = reinterpret_cast<const unsigned char*>(&target.sin_addr);
    std::snprintf(here, sizeof here, "%u.%u.%u.%u:%u", la[0], la[1], la[2], la[3], unsigned(ntohs(local.sin_port)));
    std::snprintf(there, sizeof there, "%u.%u.%u.%u:%u", ta[0], ta[1], ta[2], ta[3], unsigned(ntohs(target.sin_port)));
    // The run's salt makes every branch, Call-ID and tag unique across runs too.
    const unsigned salt = unsigned(getpid()) * 2654435761u ^ unsigned(now() * 1e6);
    std::vector<unsigned char> outstanding(total + 1, 0);
    std::uint64_t next = 1, live = 0;
    std::vector<Request> out(kBatch);
    std::vector<char> in(std::size_t(kBatch) * kMax);
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];

    auto fill = [&] {
        while (live < std::uint64_t(window) && next <= total) {
            int n = 0;
            for (; n < kBatch && live < std::uint64_t(window) && next <= total; ++n, ++next, ++live) {
                Request& q = out[std::size_t(n)];
                q.len = std::snprintf(q.bytes, sizeof q.bytes,
                    "OPTIONS sip:bench@%s SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP %s;branch=z9hG4bK%x.%llx;rport\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:load@%s>;tag=%llx%x\r\n"
                    "To: <sip:bench@%s>\r\n"
                    "Call-ID: %llx.%x@load\r\n"
                    "CSeq: 1 OPTIONS\r\n"
                    "Content-Length: 0\r\n\r\n",
                    there, here, salt, static_cast<unsigned long long>(next), here,
                    static_cast<unsigned long long>(next), salt, there, static_cast<unsigned long long>(next), salt);
                outstanding[next] = 1;
                iov[n] = { q.bytes, std::size_t(q.len) };
                msgs[n].msg_hdr = {};
                msgs[n].msg_hdr.msg_name = const_cast<sockaddr_in*>(&target);
                msgs[n].msg_hdr.msg_namelen = sizeof target;
                msgs[n].msg_hdr.msg_iov = &iov[n];
                msgs[n].msg_hdr.msg_iovlen = 1;
            }
            for (int done = 0; done < n;) {
                const int s = sendmmsg(fd, msgs + done, unsigned(n - done), 0);
                if (s < 0 && errno == EINTR)
                    continue;
                if (s <= 0) {
                    noteError(r, "sendmmsg failed", std::strerror(errno), int(std::strlen(std::strerror(errno))));
                    return;
                }
                done += s;
            }
            r.sent += std::uint64_t(n);
        }
    };

    const double t0 = now();
    fill();
    while (live > 0) {
        pollfd p { fd, POLLIN, 0 };
        const int ready = poll(&p, 1, idleMs);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            char why[64];
            const int n = std::snprintf(why, sizeof why, "%llu requests unanswered after %d ms",
                static_cast<unsigned long long>(live), idleMs);
            noteError(r, "missing answers", why, n);
            r.errors += live - 1;
            break;
        }
        for (int i = 0; i < kBatch; ++i) {
            iov[i] = { in.data() + std::size_t(i) * kMax, std::size_t(kMax) };
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int got = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
        for (int i = 0; i < got; ++i) {
            const char* m = in.data() + std::size_t(i) * kMax;
            const int len = int(msgs[i].msg_len);
            int vlen = 0;
            const char* via = headerValue(m, len, "via", 'v', &vlen);
            const char* b = via ? static_cast<const char*>(memmem(via, std::size_t(vlen), "branch=z9hG4bK", 14)) : nullptr;
            unsigned s = 0;
            unsigned long long seq = 0;
            if (!b || std::sscanf(b + 14, "%x.%llx", &s, &seq) != 2 || s != salt || seq == 0 || seq > total
                || !outstanding[seq]) {
                noteError(r, "answer to no outstanding request", m, len);
                continue;
            }
            outstanding[seq] = 0;
            --live;
            if (len < 12 || std::memcmp(m, "SIP/2.0 200 ", 12) != 0) {
                noteError(r, "answer is not a 200", m, len);
                continue;
            }
            int clen = 0;
            const char* callId = headerValue(m, len, "call-id", 'i', &clen);
            char want[48];
            const int wlen = std::snprintf(want, sizeof want, "%llx.%x@load", seq, salt);
            if (!callId || clen != wlen || std::memcmp(callId, want, std::size_t(wlen)) != 0) {
                noteError(r, "answer with the wrong Call-ID", m, len);
                continue;
            }
            ++r.answered;
        }
        fill();
    }
    r.seconds = now() - t0;
    r.cpu = cpuSelf();
    return r;
}

LoadResult respondOptions(int fd, int stopFd)
{
    LoadResult r;
    std::vector<char> in(std::size_t(kBatch) * kMax);
    std::vector<Request> out(kBatch);
    sockaddr_storage from[kBatch];
    mmsghdr msgs[kBatch], replies[kBatch];
    iovec iov[kBatch], riov[kBatch];
    const double t0 = now();
    for (;;) {
        pollfd p[2] = { { fd, POLLIN, 0 }, { stopFd, POLLIN, 0 } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        for (int i = 0; i < kBatch; ++i) {
            iov[i] = { in.data() + std::size_t(i) * kMax, std::size_t(kMax) };
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        const int got = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
        int n = 0;
        for (int i = 0; i < got; ++i) {
            const char* m = in.data() + std::size_t(i) * kMax;
            const int len = int(msgs[i].msg_len);
            int vl = 0, fl = 0, tl = 0, il = 0, cl = 0;
            const char* via = headerValue(m, len, "via", 'v', &vl);
            const char* f = headerValue(m, len, "from", 'f', &fl);
            const char* t = headerValue(m, len, "to", 't', &tl);
            const char* id = headerValue(m, len, "call-id", 'i', &il);
            const char* cseq = headerValue(m, len, "cseq", '\0', &cl);
            if (!via || !f || !t || !id || !cseq || len < 8 || std::memcmp(m, "SIP/2.0 ", 8) == 0) {
                noteError(r, "not an answerable request", m, len);
                continue;
            }
            const bool tagged = memmem(t, std::size_t(tl), ";tag=", 5) != nullptr;
            Request& q = out[std::size_t(n)];
            q.len = std::snprintf(q.bytes, sizeof q.bytes,
                "SIP/2.0 200 OK\r\nVia: %.*s\r\nFrom: %.*s\r\nTo: %.*s%s\r\nCall-ID: %.*s\r\nCSeq: %.*s\r\n"
                "Content-Length: 0\r\n\r\n",
                vl, via, fl, f, tl, t, tagged ? "" : ";tag=responder", il, id, cl, cseq);
            riov[n] = { q.bytes, std::size_t(q.len) };
            replies[n].msg_hdr = {};
            replies[n].msg_hdr.msg_name = &from[i];
            replies[n].msg_hdr.msg_namelen = msgs[i].msg_hdr.msg_namelen;
            replies[n].msg_hdr.msg_iov = &riov[n];
            replies[n].msg_hdr.msg_iovlen = 1;
            ++n;
        }
        for (int done = 0; done < n;) {
            const int s = sendmmsg(fd, replies + done, unsigned(n - done), 0);
            if (s < 0 && errno == EINTR)
                continue;
            if (s <= 0) {
                r.errors += std::uint64_t(n - done);
                break;
            }
            done += s;
        }
        r.sent += std::uint64_t(n);
    }
    r.seconds = now() - t0;
    r.cpu = cpuSelf();
    return r;
}

} // namespace ladder::bench
