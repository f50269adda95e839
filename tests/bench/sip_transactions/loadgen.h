// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The other side of bench_sip_transactions' one-core figures: a stateless SIP peer that runs in
// a forked child process, so none of its CPU is counted as the stack's. Plain POSIX and libc only
// (it runs after fork(), outside Qt): one UDP socket, recvmmsg/sendmmsg in batches.

#include <cstdint>
#include <string>

#include <netinet/in.h>

namespace ladder::bench {

struct LoadResult {
    std::uint64_t sent = 0; // requests sent (generator) or answered (responder)
    std::uint64_t answered = 0; // valid answers: status 200, branch of an outstanding request
    std::uint64_t errors = 0; // wrong status, unknown/duplicate branch, unparsable, missing
    double seconds = 0; // wall clock from the first request to the last answer
    double cpu = 0; // the child's own CPU seconds
    char firstError[160] = {};
};

// Sends `total` OPTIONS to `target`, keeping `window` outstanding, each with a unique RFC 3261
// branch, Call-ID and From tag; checks every answer (status 200, the branch of a request that is
// still outstanding). When nothing arrives for `idleMs` while requests are outstanding, those are
// counted as missing answers (errors) and the run ends. fd: a bound, blocking UDP socket.
LoadResult generateOptions(int fd, const sockaddr_in& target, std::uint64_t total, int window, int idleMs);

// Answers every request read on fd with a 200 built statelessly from it (Via, From, To + tag,
// Call-ID, CSeq copied) until `stopFd` becomes readable or closes. Requests it cannot answer
// (no Via/CSeq...) are counted as errors.
LoadResult respondOptions(int fd, int stopFd);

} // namespace ladder::bench
