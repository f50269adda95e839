// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipsctp.h"

#include "host/stack.h"
#include "sctp/engine.h"
#include "sctp/udptransport.h"
#include "sip/sipstack.h"
#include "sip/transport/transportsctp.h"

#include <QHostAddress>

namespace ladder::ctl {

SipSctpCarrier::SipSctpCarrier(Stack& stack)
    : m_stack(stack)
{
}

SipSctpCarrier::~SipSctpCarrier()
{
    m_engine.reset();
    m_udp.reset();
}

QString SipSctpCarrier::addTo(sip::SipStack& sip, const QString& host, quint16 udpPort, quint16 peerUdpPort,
    quint16 sctpPort, QString* why)
{
    m_engine = std::make_unique<sctp::Engine>(m_stack);
    m_udp = std::make_unique<sctp::UdpTransport>(*m_engine);
    if (const auto b = m_udp->bind(QHostAddress(host), udpPort); !b.ok()) {
        *why = b.error().text();
        return {};
    }
    if (peerUdpPort)
        m_udp->setPeerUdpPort(peerUdpPort);
    auto t = std::make_unique<sip::SctpTransport>(*m_engine, *m_udp);
    if (!t->listen(sctpPort, why))
        return {};
    const QString local = t->local().toString();
    sip.addTransport(std::move(t));
    return local;
}

quint16 SipSctpCarrier::udpPort() const { return m_udp ? m_udp->udpPort() : 0; }

} // namespace ladder::ctl
