// SPDX-License-Identifier: GPL-3.0-or-later
#include "sippeer.h"

#include "host/stack.h"
#include "sip/message/builder.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab::peers {

SipPeer::SipPeer(Stack& stack, const QString& label, const QString& host, quint64 seed)
    : m_stack(stack)
    , m_label(label)
    , m_host(host)
    , m_ids(seed)
    , m_sip(std::make_unique<sip::SipStack>(stack.scheduler(), &stack.journal()))
{
    m_sip->setLabel(label);
}

SipPeer::~SipPeer() = default;

sip::LabTransport& SipPeer::transport(sip::TransportType type)
{
    if (auto* t = m_sip->transport(type))
        return static_cast<sip::LabTransport&>(*t);
    auto t = std::make_unique<sip::LabTransport>(address(), type, m_label);
    return static_cast<sip::LabTransport&>(*m_sip->addTransport(std::move(t)));
}

QByteArray SipPeer::newVia(sip::TransportType type)
{
    return "SIP/2.0/" + sip::transportToken(type) + ' ' + address().toSentBy() + ";branch=" + m_ids.branch()
        + ";rport";
}

QByteArray SipPeer::contact(sip::TransportType type) const
{
    QByteArray uri = "<sip:" + address().toSentBy();
    if (type != sip::TransportType::Udp)
        uri += ";transport=" + sip::transportToken(type).toLower();
    return uri + '>';
}

QByteArray SipPeer::aor() const { return "sip:" + m_label.toUtf8() + '@' + m_host.toUtf8(); }

sip::Message SipPeer::responseTo(quint64 tx, const sip::Message& request, int status, sip::TransportType type)
{
    QByteArray tag;
    if (status > 100) {
        auto it = m_tags.find(tx);
        if (it == m_tags.end())
            it = m_tags.insert(tx, m_ids.tag());
        tag = *it;
    }
    sip::Message r = sip::buildResponse(request, status, {}, tag);
    if (status > 100 && status < 300 && request.method() == "INVITE")
        r.setHeader(sip::HeaderId::Contact, contact(type));
    return r;
}

} // namespace ladder::lab::peers
