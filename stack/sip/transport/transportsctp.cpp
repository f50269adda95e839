// SPDX-License-Identifier: GPL-3.0-or-later
#include "transportsctp.h"

#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/transport.h"

#include <QPointer>

namespace ladder::sip {

class SctpTransport::SctpConnection : public Connection {
public:
    SctpConnection(SctpTransport& owner, const HostPort& remote)
        : Connection(TransportType::Sctp, true, false, owner.m_local, remote, owner.label())
        , m_owner(&owner)
    {
    }
    bool isOpen() const override { return m_open && m_owner && m_owner->m_endpoint; }
    bool send(const QByteArray& bytes, QString* error) override
    {
        if (!isOpen()) {
            if (error)
                *error = QStringLiteral("the SCTP association with %1 is closed").arg(remote().toString());
            return false;
        }
        sctp::SendInfo info;
        // Once we know the association (a message came in on it), send on it: its peer may sit
        // behind a UDP encapsulation port that the address alone would not tell.
        if (m_association)
            info.association = m_association;
        else
            info.to = sctp::Address { remote().host, remote().port };
        const auto r = m_owner->m_endpoint->send(bytes, info);
        if (!r.ok()) {
            if (error)
                *error = r.error().text();
            return false;
        }
        countSent();
        return true;
    }
    void markClosed() { m_open = false; }
    void setAssociation(quint64 a) { m_association = a; }

private:
    quint64 m_association = 0;
    QPointer<SctpTransport> m_owner;
    bool m_open = true;
};

SctpTransport::SctpTransport(sctp::Engine& engine, sctp::Transport& carrier, const QString& label, QObject* parent)
    : Transport(parent)
    , m_engine(engine)
    , m_carrier(carrier)
{
    setLabel(label);
}

SctpTransport::~SctpTransport()
{
    for (const auto& c : std::as_const(m_connections))
        static_cast<SctpConnection*>(c.get())->markClosed();
    if (m_endpoint)
        m_endpoint->close();
}

bool SctpTransport::listen(quint16 port, QString* error)
{
    m_endpoint = m_engine.socket(sctp::Style::OneToMany, m_carrier);
    if (!m_endpoint) {
        if (error)
            *error = QStringLiteral("the SCTP engine could not open an endpoint");
        return false;
    }
    if (const auto b = m_endpoint->bind(port); !b.ok()) {
        if (error)
            *error = b.error().text();
        return false;
    }
    if (const auto l = m_endpoint->listen(); !l.ok()) {
        if (error)
            *error = l.error().text();
        return false;
    }
    m_local = { m_carrier.localHost(), m_endpoint->localPort() };
    connect(m_endpoint, &sctp::Endpoint::readyRead, this, &SctpTransport::readAll);
    connect(m_endpoint, &sctp::Endpoint::associationDown, this,
        [this](quint64 association, const QString&) { associationDown(association); });
    return true;
}

std::shared_ptr<Connection> SctpTransport::connectionFor(const HostPort& remote)
{
    const QString key = remote.toString();
    if (const auto it = m_connections.constFind(key); it != m_connections.constEnd())
        return *it;
    auto c = std::make_shared<SctpConnection>(*this, remote);
    m_connections.insert(key, c);
    notifyOpened(c);
    return c;
}

std::shared_ptr<Connection> SctpTransport::connectTo(const HostPort& remote, QString* error)
{
    if (!m_endpoint) {
        if (error)
            *error = QStringLiteral("the SCTP transport is not listening");
        return {};
    }
    return connectionFor(remote);
}

QList<std::shared_ptr<Connection>> SctpTransport::connections() const { return m_connections.values(); }

void SctpTransport::readAll()
{
    while (m_endpoint && m_endpoint->hasMessages()) {
        const auto m = m_endpoint->receive();
        if (!m.ok())
            return;
        const auto c = connectionFor({ m->from.host, m->from.port });
        static_cast<SctpConnection*>(c.get())->setAssociation(m->association);
        c->countReceived();
        deliver(c, m->data);
    }
}

void SctpTransport::associationDown(quint64)
{
    // The engine names the association, not the peer: drop the connections whose peer no longer
    // has one; the next message to it sets up a new association.
    const QList<quint64> alive = m_endpoint ? m_endpoint->associations() : QList<quint64>();
    QList<QString> gone;
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        bool found = false;
        for (quint64 a : alive) {
            const auto info = m_engine.association(a);
            found |= info && info->peerAddress == it.value()->remote().toString();
        }
        if (!found)
            gone.append(it.key());
    }
    for (const QString& key : gone) {
        const auto c = m_connections.take(key);
        static_cast<SctpConnection*>(c.get())->markClosed();
        notifyClosed(c);
    }
}

} // namespace ladder::sip
