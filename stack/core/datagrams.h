// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Batched datagram I/O on a non-blocking UDP socket, shared by the SIP and the SCTP (RFC 6951)
// transports: recvmmsg reads up to 16 datagrams and sendmmsg sends up to 64 per system call,
// instead of one recvfrom / sendto each — most of what a busy UDP endpoint pays per packet.

#include <QByteArray>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <sys/socket.h>

namespace ladder::net {

// Gives a UDP socket buffers large enough that a burst (a window of SCTP packets, a flood of SIP
// requests) is not dropped by the kernel before the event loop reads it. (The kernel caps them at
// its rmem_max / wmem_max.)
inline void enlargeBuffers(int fd)
{
    const int bytes = 4 * 1024 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

// One datagram to send.
struct OutDatagram {
    const char* data;
    std::size_t size;
    const sockaddr* to;
    socklen_t toLength;
};

// Sends the n datagrams at(0) … at(n-1) from fd, in order. One the kernel refuses (a full buffer,
// an unreachable peer) is dropped, as a wire drops it, and the rest go on; stops early if fd
// becomes negative (the socket was closed). Returns how many were sent.
template <typename At>
std::size_t sendDatagrams(const int& fd, std::size_t n, At&& at)
{
    constexpr std::size_t kPerCall = 64;
    std::size_t next = 0, sent = 0;
    while (next < n && fd >= 0) {
        mmsghdr msgs[kPerCall];
        iovec iov[kPerCall];
        const std::size_t count = std::min(kPerCall, n - next);
        for (std::size_t i = 0; i < count; ++i) {
            const OutDatagram d = at(next + i);
            iov[i].iov_base = const_cast<char*>(d.data);
            iov[i].iov_len = d.size;
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = const_cast<sockaddr*>(d.to);
            msgs[i].msg_hdr.msg_namelen = d.toLength;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_len = 0;
        }
        const int done = ::sendmmsg(fd, msgs, unsigned(count), 0);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            ++next; // the first one was refused
            continue;
        }
        next += std::size_t(done);
        sent += std::size_t(done);
    }
    return sent;
}

// Reads up to `limit` datagrams from fd (so that one busy peer cannot starve the event loop; the
// socket notifier fires again for the rest) into buffer, 16 per call, and hands each to
// deliver(const char* data, std::size_t size, const sockaddr_storage& from, socklen_t fromLength,
// bool truncated) — truncated: larger than 64 KiB - 1, cut short. Stops when the socket is
// drained or fd becomes negative (deliver may close it).
template <typename Deliver>
void receiveDatagrams(const int& fd, QByteArray& buffer, int limit, Deliver&& deliver)
{
    constexpr int kPerCall = 16;
    constexpr qsizetype kSlot = 65536; // more than any UDP payload (65 507 bytes)
    if (buffer.size() < kSlot * kPerCall)
        buffer.resize(kSlot * kPerCall);
    for (int done = 0; done < limit && fd >= 0;) {
        mmsghdr msgs[kPerCall];
        iovec iov[kPerCall];
        sockaddr_storage from[kPerCall];
        const int want = std::min(kPerCall, limit - done);
        for (int i = 0; i < want; ++i) {
            iov[i].iov_base = buffer.data() + i * kSlot;
            iov[i].iov_len = std::size_t(kSlot);
            msgs[i].msg_hdr = {};
            msgs[i].msg_hdr.msg_name = &from[i];
            msgs[i].msg_hdr.msg_namelen = sizeof from[i];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_len = 0;
        }
        const int got = ::recvmmsg(fd, msgs, unsigned(want), MSG_DONTWAIT, nullptr);
        if (got <= 0)
            return; // drained (EAGAIN), or an error the next wake-up sees again
        done += got;
        for (int i = 0; i < got && fd >= 0; ++i) {
            const std::size_t n = msgs[i].msg_len;
            deliver(buffer.constData() + i * kSlot, n, from[i], msgs[i].msg_hdr.msg_namelen,
                n >= std::size_t(kSlot) || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
        }
        if (got < want)
            return; // drained
    }
}

} // namespace ladder::net
