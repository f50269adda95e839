// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SIP over SCTP (RFC 4168) for `ladderctl send sip` and `listen sip`: an SCTP engine with its RFC
// 6951 UDP carrier, and the SIP stack's SCTP transport on top.

#include <QString>

#include <memory>

namespace ladder {
class Stack;
namespace sctp {
    class Engine;
    class UdpTransport;
}
namespace sip {
    class SipStack;
}

namespace ctl {

    // Declare it before the SipStack it serves: the engine and its carrier must outlive the
    // stack's SCTP transport (and the engine goes before the carrier).
    class SipSctpCarrier {
    public:
        explicit SipSctpCarrier(Stack& stack);
        ~SipSctpCarrier();

        // Binds the UDP carrier to host:udpPort (0: any port), sends to peerUdpPort (0: the
        // default 9899), and adds to sip an SCTP transport listening on SCTP port sctpPort.
        // The transport's local address, or an empty string with why.
        QString addTo(sip::SipStack& sip, const QString& host, quint16 udpPort, quint16 peerUdpPort, quint16 sctpPort,
            QString* why);
        // The UDP carrier's bound port (after addTo; 0 before).
        quint16 udpPort() const;

    private:
        Stack& m_stack;
        std::unique_ptr<sctp::Engine> m_engine;
        std::unique_ptr<sctp::UdpTransport> m_udp;
    };

} // namespace ctl
} // namespace ladder
