// SPDX-License-Identifier: GPL-3.0-or-later
#include "network.h"

#include "host/stack.h"
#include "sip/transport/labtransport.h"

namespace ladder::lab::peers {

namespace {
    quint64 mix(quint64 a, quint64 b)
    {
        Rng r(a ^ (b * 0x9e3779b97f4a7c15ull));
        return r.next();
    }
}

Network::Network(Stack& stack, quint64 seed, QList<FaultRule> faults)
    : m_stack(stack)
    , m_seed(seed)
    , m_faults(std::move(faults))
{
}

Network::~Network() = default;

quint64 Network::seedFor(const QString& name) const
{
    // FNV-1a over the UTF-8 bytes: qHash is randomised per process, this is not.
    quint64 h = 1469598103934665603ull;
    for (const char ch : name.toUtf8()) {
        h ^= quint8(ch);
        h *= 1099511628211ull;
    }
    return mix(m_seed, h);
}

Link& Network::addLink(const QString& name, const LinkParams& params)
{
    const quint64 index = quint64(m_all.size()) + 1;
    auto link = std::make_unique<Link>(m_stack.scheduler(), mix(m_seed, index), params, name);
    link->setJournal(&m_stack.journal(), index);
    Link& ref = *link;
    m_owned.push_back(std::move(link));
    m_all.append(&ref);
    return ref;
}

void Network::adopt(Link& link)
{
    if (!m_faults.isEmpty())
        link.setFaultJudge(m_faults.judgeFor(FaultRule::Protocol::Sctp));
    m_all.append(&link);
}

std::pair<Link*, Link*> Network::wire(sip::LabTransport& a, sip::LabTransport& b, const LinkParams& aToB,
    const LinkParams& bToA)
{
    const QString an = a.label().isEmpty() ? a.local().toString() : a.label();
    const QString bn = b.label().isEmpty() ? b.local().toString() : b.label();
    Link& ab = addLink(an + QStringLiteral(" → ") + bn, aToB);
    Link& ba = addLink(bn + QStringLiteral(" → ") + an, bToA);
    if (!m_faults.isEmpty()) {
        ab.setFaultJudge(m_faults.judgeFor(FaultRule::Protocol::Sip));
        ba.setFaultJudge(m_faults.judgeFor(FaultRule::Protocol::Sip));
    }
    sip::LabTransport::wire(a, b, ab, ba);
    return { &ab, &ba };
}

void Network::setConditions(double lossPct, qint64 delayMs)
{
    for (Link* l : std::as_const(m_all)) {
        LinkParams p = l->params();
        if (lossPct >= 0)
            p.lossPct = lossPct;
        if (delayMs >= 0)
            p.delayMs = delayMs;
        l->setParams(p);
    }
}

void Network::setUp(Link& link, bool up)
{
    LinkParams p = link.params();
    p.up = up;
    link.setParams(p);
}

} // namespace ladder::lab::peers
