// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace ladder::sip {

// RFC 3261 §17 / Table 4 timer values, per stack (teaching wants short and long T1). Everything
// else is derived: A starts at T1 and doubles, B = F = H = J = L = M = 64·T1, E and G double up to
// T2, I = K = T4, D = 32 s — and on reliable transports A, E, G are never armed and D, I, J, K are 0.
struct TimerConfig {
    qint64 t1Ns = 500'000'000; // RTT estimate
    qint64 t2Ns = 4'000'000'000; // maximum retransmit interval for non-INVITE requests and INVITE responses
    qint64 t4Ns = 5'000'000'000; // maximum duration a message remains in the network
    qint64 timerDNs = 32'000'000'000; // wait time for response retransmits (unreliable), RFC 3261: > 32 s
    // When the INVITE server transaction sends 100 Trying (RFC 3261 §17.2.1): if the TU has not
    // answered within this time. 0 sends it at once, a negative value never.
    qint64 trying100Ns = 200'000'000;

    qint64 sixtyFourT1() const { return 64 * t1Ns; }
    static TimerConfig fromMs(qint64 t1Ms, qint64 t2Ms, qint64 t4Ms)
    {
        TimerConfig c;
        c.t1Ns = t1Ms * 1'000'000;
        c.t2Ns = t2Ms * 1'000'000;
        c.t4Ns = t4Ms * 1'000'000;
        return c;
    }
};

} // namespace ladder::sip
