// SPDX-License-Identifier: GPL-3.0-or-later
#include "forkingproxy.h"

#include "host/stack.h"
#include "sip/message/builder.h"
#include "sip/transport/labtransport.h"
#include "sip/message/parser.h"
#include "journal/journal.h"

#include <QCryptographicHash>

namespace ladder::lab::peers {

namespace {
    constexpr quint16 kPort = 5060;
}

ForkingProxy::ForkingProxy(Stack& stack, const QString& label, const QString& host, quint64 seed)
    : m_stack(stack)
    , m_label(label)
    , m_host(host)
    , m_seed(seed)
    , m_transport(std::make_unique<sip::LabTransport>(sip::HostPort { host, kPort }, sip::TransportType::Udp, label))
{
    m_transport->setReceiveHandler(
        [this](const std::shared_ptr<sip::Connection>& c, const QByteArray& bytes) { onReceive(c, bytes); });
}

ForkingProxy::~ForkingProxy() { m_transport->setReceiveHandler({}); }

sip::HostPort ForkingProxy::address() const { return { m_host, kPort }; }

QByteArray ForkingProxy::legBranch(QByteArrayView incoming, int leg) const
{
    // §16.11: a stateless proxy derives its branch from the request, so that retransmissions of
    // the request (and its CANCEL and non-2xx ACK, which carry the same top Via) take the same one.
    QCryptographicHash h(QCryptographicHash::Md5);
    h.addData(incoming);
    h.addData(QByteArray::number(leg));
    h.addData(QByteArray::number(m_seed));
    return "z9hG4bK" + h.result().toHex().left(16);
}

bool ForkingProxy::isOurs(const sip::Uri& uri) const
{
    return uri.host() == m_host.toUtf8() && (uri.port() < 0 || uri.port() == kPort);
}

void ForkingProxy::trace(const std::shared_ptr<sip::Connection>& c, const QByteArray& bytes, bool tx)
{
    trace::Event e;
    e.timeNs = m_stack.scheduler().nowNs();
    e.kind = trace::Kind::SipMessage;
    e.dir = tx ? trace::Dir::Tx : trace::Dir::Rx;
    e.a = c->id();
    e.b = quint64(c->type());
    e.from = tx ? c->localEndpoint() : c->remoteEndpoint();
    e.to = tx ? c->remoteEndpoint() : c->localEndpoint();
    const qsizetype eol = bytes.indexOf('\r');
    e.text = QString::fromUtf8(bytes.left(eol < 0 ? 200 : qMin<qsizetype>(eol, 200)));
    e.raw = bytes;
    m_stack.journal().append(std::move(e));
}

bool ForkingProxy::sendTo(const sip::HostPort& to, const QByteArray& bytes)
{
    QString error;
    const auto c = m_transport->connectTo(to, &error);
    if (!c || !c->send(bytes, &error)) {
        m_stack.log(2, QStringLiteral("%1: cannot forward to %2: %3").arg(m_label, to.toString(), error));
        return false;
    }
    trace(c, bytes, true);
    return true;
}

void ForkingProxy::onReceive(const std::shared_ptr<sip::Connection>& c, const QByteArray& bytes)
{
    trace(c, bytes, false);
    sip::ParseOptions options;
    options.stream = c->stream();
    sip::ParseResult p = sip::parse(bytes, options);
    if (!p.ok || !p.message.topVia()) {
        m_stack.log(2, QStringLiteral("%1: dropped an unusable message: %2").arg(m_label, p.error));
        return;
    }
    if (p.message.isRequest())
        forwardRequest(std::move(p.message));
    else
        relayResponse(std::move(p.message));
}

void ForkingProxy::forwardRequest(sip::Message m)
{
    const QByteArray ours = address().toSentBy();
    for (const sip::Via& v : m.vias()) {
        if (v.sentBy() == ours) {
            m_stack.log(2, QStringLiteral("%1: dropped a request that looped back").arg(m_label));
            return;
        }
    }
    const int maxForwards = m.maxForwards().value_or(70);
    if (maxForwards <= 0) {
        m_stack.log(2, QStringLiteral("%1: dropped a request with Max-Forwards 0").arg(m_label));
        return;
    }
    m.setHeader(sip::HeaderId::MaxForwards, QByteArray::number(maxForwards - 1));
    const auto uri = m.requestUri();
    if (!uri)
        return;
    const QByteArray incoming = m.topVia()->branch().toByteArray();
    const QByteArray method = m.method().toByteArray();
    auto down = [&](int leg, const sip::HostPort& target) {
        sip::Message copy = m;
        const QByteArray branch = legBranch(incoming, leg);
        copy.prependHeader(sip::HeaderId::Via, "SIP/2.0/UDP " + ours + ";branch=" + branch);
        m_legOf.insert(branch, { incoming, leg });
        if (sendTo(target, copy.serialize()))
            ++m_forwarded;
        return copy;
    };

    if (isOurs(*uri) && !m_targets.isEmpty()) {
        if (method == "INVITE") {
            Fork& fork = m_forks[incoming];
            const bool first = fork.legs.isEmpty();
            for (int i = 0; i < m_targets.size(); ++i) {
                const sip::Message sent = down(i, m_targets[i]);
                if (first)
                    fork.legs.append(Leg { m_targets[i], legBranch(incoming, i), sent });
            }
        } else if (method == "CANCEL" || method == "ACK") {
            // Hop-by-hop: to every leg of the INVITE, with that leg's branch.
            for (int i = 0; i < m_targets.size(); ++i)
                down(i, m_targets[i]);
        } else {
            down(0, m_targets.first());
        }
        return;
    }
    const quint16 port = uri->port() > 0 ? quint16(uri->port()) : kPort;
    down(0, sip::HostPort { QString::fromUtf8(uri->host()), port });
}

void ForkingProxy::relayResponse(sip::Message m)
{
    const auto top = m.topVia();
    if (!top || top->sentBy() != address().toSentBy()) {
        m_stack.log(2, QStringLiteral("%1: dropped a response whose top Via is not ours").arg(m_label));
        return;
    }
    const int status = m.statusCode();
    const QByteArray method = m.transactionMethod();
    const auto legIt = m_legOf.constFind(top->branch().toByteArray());
    if (legIt != m_legOf.constEnd() && method != "ACK") {
        const auto forkIt = m_forks.find(legIt->first);
        if (forkIt != m_forks.end() && legIt->second < forkIt->legs.size()) {
            Fork& fork = *forkIt;
            const int legIndex = legIt->second;
            Leg& leg = fork.legs[legIndex];
            if (method == "INVITE" && status > 100 && status < 200) {
                leg.provisional = true;
                if (leg.cancelled && !leg.cancelSent)
                    cancelLeg(leg);
            }
            if (method == "INVITE" && status >= 200)
                leg.final = true;
            if (leg.cancelled) {
                // Our own CANCEL's 200, and the cancelled leg's 1xx and 487: the caller has its
                // answer already. The 487 is acknowledged here, hop by hop (§17.1.1.3).
                if (method == "INVITE" && status >= 300)
                    sendTo(leg.target, sip::buildAckForNon2xx(leg.forwarded, m).serialize());
                if (method == "CANCEL" || status < 200 || status >= 300)
                    return;
            }
            if (method == "INVITE" && status >= 200 && status < 300 && !fork.answered) {
                fork.answered = true;
                m.removeTopVia();
                relayOnward(m);
                cancelOtherLegs(fork, legIndex);
                return;
            }
        }
    }
    m.removeTopVia();
    relayOnward(m);
}

void ForkingProxy::relayOnward(const sip::Message& m)
{
    const auto next = m.topVia();
    if (!next)
        return;
    // §18.2.2: to the received/rport address when present, else the sent-by.
    QString host = QString::fromUtf8(next->received().isEmpty() ? next->host() : next->received());
    quint16 port = next->rport() > 0 ? quint16(next->rport()) : next->port() > 0 ? quint16(next->port()) : kPort;
    if (sendTo(sip::HostPort { host, port }, m.serialize()))
        ++m_relayed;
}

void ForkingProxy::cancelOtherLegs(Fork& fork, int answeredLeg)
{
    for (int i = 0; i < fork.legs.size(); ++i) {
        Leg& leg = fork.legs[i];
        if (i == answeredLeg || leg.final || leg.cancelled)
            continue;
        leg.cancelled = true;
        if (leg.provisional)
            cancelLeg(leg); // §9.1: not before a provisional response; otherwise when it comes
    }
}

void ForkingProxy::cancelLeg(Leg& leg)
{
    leg.cancelSent = true;
    if (sendTo(leg.target, sip::buildCancel(leg.forwarded).serialize()))
        ++m_cancels;
}

} // namespace ladder::lab::peers
