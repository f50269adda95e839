// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/link.h"
#include "transport.h"

#include <QPointer>
#include <QString>

#include <map>
#include <memory>

namespace ladder::sctp {

class Engine;
class Runtime;

// Two SCTP sides in one process joined by a pair of lossy, delaying lab links. The pair is one
// AF_CONN address: usrsctp names the destination only by that pointer and sets source =
// destination on input, so both sides bind it and packets are routed by their SCTP source port
// (shared/USRSCTP.md, ARCHITECTURE.md "As built"). Every packet passes the packet tap when it is
// sent and again when the link delivers it.
class LabLinkPair {
public:
    // hostA/hostB name the sides (and the journal's lanes, "10.0.0.1:9899"); the UDP port 9899 in
    // the lanes lets pcapng exporters show the packets as RFC 6951 encapsulated SCTP.
    LabLinkPair(Engine& engine, quint64 seed, ladder::LinkParams aToB = {}, ladder::LinkParams bToA = {},
        QString hostA = QStringLiteral("10.0.0.1"), QString hostB = QStringLiteral("10.0.0.2"));
    ~LabLinkPair();
    LabLinkPair(const LabLinkPair&) = delete;
    LabLinkPair& operator=(const LabLinkPair&) = delete;

    Transport& a();
    Transport& b();
    ladder::Link& aToB() { return m_aToB; }
    ladder::Link& bToA() { return m_bToA; }
    // Datagrams in flight per direction before the sending side reports ENOBUFS; 0 = no limit.
    void setQueueLimit(int datagrams) { m_queueLimit = datagrams; }
    // The AF_CONN address. Not a real pointer but a small number, the lowest one free in the
    // process: usrsctp only compares it, but it copies it into the STATE COOKIE (sctp_state_cookie's
    // address field), which goes on the wire and into the journal, so a pointer would make every
    // run's INIT-ACK and COOKIE-ECHO differ (ASLR). Multiples of 16 from 16 up: never heap
    // addresses, and each pair's the same in every run.
    void* handle() { return m_handle; }
    int descriptor() const { return m_descriptor; }

private:
    class Side;
    void output(const QByteArray& packet);
    // observe = false: the tap already saw the arrival (PacketTap::observeDelivery).
    void deliver(int toSide, const QByteArray& packet, qint64 timeNs = -1, bool observe = true);

    QPointer<Engine> m_engine; // the engine may go first; then there is nothing to deregister
    void* m_handle = nullptr; // the AF_CONN address, see handle()
    std::shared_ptr<Runtime> m_runtime;
    ladder::Link m_aToB;
    ladder::Link m_bToA;
    std::unique_ptr<Side> m_sides[2];
    std::map<quint16, int> m_portSide; // SCTP port -> side (0 = A, 1 = B)
    int m_inFlight[2] = { 0, 0 };
    int m_queueLimit = 0;
    int m_descriptor = -1;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); // deliveries still scheduled check it
};

} // namespace ladder::sctp
