// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctppeers.h"

#include "sctp/endpoint.h"
#include "sctp/engine.h"

namespace ladder::lab::peers {

SctpSink::SctpSink(sctp::Engine& engine, sctp::Transport& side, quint16 port, sctp::Style style)
{
    sctp::Endpoint* ep = engine.socket(style, side);
    if (!ep) {
        m_error = QStringLiteral("socket() failed");
        return;
    }
    ep->setRto(100, 50, 400);
    if (auto r = ep->bind(port); !r) {
        m_error = r.error().text();
        return;
    }
    if (auto r = ep->listen(); !r) {
        m_error = r.error().text();
        return;
    }
    m_listener = ep;
    watch(ep);
    if (style == sctp::Style::OneToOne)
        QObject::connect(ep, &sctp::Endpoint::incomingConnection, m_context.get(), [this] { acceptAll(); });
}

SctpSink::~SctpSink() { m_context.reset(); }

void SctpSink::watch(sctp::Endpoint* ep)
{
    QObject::connect(ep, &sctp::Endpoint::readyRead, m_context.get(), [this, ep] { drain(ep); });
    QObject::connect(ep, &sctp::Endpoint::associationDown, m_context.get(),
        [this](quint64, const QString& why) { m_closed << why; });
    drain(ep);
}

void SctpSink::acceptAll()
{
    while (true) {
        auto r = m_listener->accept();
        if (!r)
            return;
        m_accepted << *r;
        watch(*r);
    }
}

void SctpSink::drain(sctp::Endpoint* ep)
{
    while (ep->isOpen() && ep->hasMessages()) {
        auto m = ep->receive();
        if (!m)
            return;
        m_received << *m;
        onMessage(ep, *m);
        if (m_onReceived)
            m_onReceived();
    }
}

void SctpSink::onMessage(sctp::Endpoint*, const sctp::ReceivedMessage&) { }

void SctpEcho::onMessage(sctp::Endpoint* on, const sctp::ReceivedMessage& m)
{
    sctp::SendInfo info;
    info.stream = m.stream;
    info.ppid = m.ppid;
    if (m.unordered)
        info.flags |= sctp::flag::Unordered;
    if (on->style() == sctp::Style::OneToMany)
        info.association = m.association;
    if (on->send(m.data, info))
        ++m_echoed;
}

SctpSender::SctpSender(sctp::Engine& engine, sctp::Transport& side, sctp::Style style)
    : m_endpoint(engine.socket(style, side))
{
    if (!m_endpoint)
        return;
    m_endpoint->setRto(100, 50, 400);
    QObject::connect(m_endpoint, &sctp::Endpoint::associationUp, m_context.get(), [this](quint64) { m_up = true; });
    QObject::connect(m_endpoint, &sctp::Endpoint::associationDown, m_context.get(), [this](quint64, const QString& why) {
        m_down = true;
        m_downReason = why;
    });
    QObject::connect(m_endpoint, &sctp::Endpoint::readyRead, m_context.get(), [this] {
        while (m_endpoint->isOpen() && m_endpoint->hasMessages()) {
            auto m = m_endpoint->receive();
            if (!m)
                return;
            m_received << *m;
            if (m_onReceived)
                m_onReceived();
        }
    });
}

SctpSender::~SctpSender() { m_context.reset(); }

bool SctpSender::connect(const sctp::Address& peer)
{
    if (!m_endpoint)
        return false;
    auto r = m_endpoint->connect(peer);
    if (!r)
        m_errors << r.error().text();
    return bool(r);
}

bool SctpSender::send(const QByteArray& data, const sctp::SendInfo& info)
{
    auto r = m_endpoint->send(data, info);
    if (!r) {
        m_errors << r.error().text();
        return false;
    }
    ++m_sent;
    return true;
}

int SctpSender::sendBulk(int count, int size, sctp::SendInfo info, quint32 contextBase)
{
    int ok = 0;
    for (int n = 0; n < count; ++n) {
        QByteArray data = "bulk-" + QByteArray::number(n) + '-';
        data += QByteArray(std::max<qsizetype>(0, size - data.size()), 'x');
        info.context = contextBase + quint32(n);
        ok += send(data, info);
    }
    return ok;
}

} // namespace ladder::lab::peers
