// SPDX-License-Identifier: GPL-3.0-or-later
#include "labtransport.h"

#include "core/link.h"

#include <QPointer>

namespace ladder::sip {

class LabTransport::LabConnection : public Connection {
public:
    LabConnection(LabTransport& owner, const HostPort& remote, const Route& route)
        : Connection(owner.m_type, owner.reliable(), owner.stream(), owner.m_local, remote, owner.label())
        , m_owner(&owner)
        , m_route(route)
    {
        setRemoteLabel(route.peer->label());
    }

    bool isOpen() const override { return m_owner && m_route.peer; }

    bool send(const QByteArray& bytes, QString* error) override
    {
        if (!isOpen()) {
            if (error)
                *error = QStringLiteral("the lab transport was removed");
            return false;
        }
        QPointer<LabTransport> peer = m_route.peer;
        const HostPort from = local();
        m_route.link->transmit(
            bytes,
            [peer, from](const QByteArray& datagram) {
                if (peer)
                    peer->receive(from, datagram);
            },
            localEndpoint(), remoteEndpoint());
        countSent();
        return true;
    }

    QPointer<LabTransport> m_owner;
    Route m_route;
};

LabTransport::LabTransport(HostPort local, TransportType type, const QString& label, QObject* parent)
    : Transport(parent)
    , m_local(std::move(local))
    , m_type(type)
{
    setLabel(label);
}

LabTransport::~LabTransport() = default;

void LabTransport::wire(LabTransport& a, LabTransport& b, ladder::Link& aToB, ladder::Link& bToA)
{
    a.m_routes.insert(b.m_local.toString(), Route { &b, &aToB });
    b.m_routes.insert(a.m_local.toString(), Route { &a, &bToA });
}

std::shared_ptr<Connection> LabTransport::connectTo(const HostPort& remote, QString* error)
{
    const QString key = remote.toString();
    const auto route = m_routes.constFind(key);
    if (route == m_routes.constEnd()) {
        if (error)
            *error = QStringLiteral("no lab link from %1 to %2").arg(m_local.toString(), key);
        return {};
    }
    return connectionFor(remote, *route);
}

std::shared_ptr<Connection> LabTransport::connectionFor(const HostPort& remote, const Route& route)
{
    const QString key = remote.toString();
    auto it = m_connections.constFind(key);
    if (it != m_connections.constEnd())
        return *it;
    auto c = std::make_shared<LabConnection>(*this, remote, route);
    m_connections.insert(key, c);
    notifyOpened(c);
    return c;
}

QList<std::shared_ptr<Connection>> LabTransport::connections() const { return m_connections.values(); }

void LabTransport::receive(const HostPort& from, const QByteArray& bytes)
{
    const auto route = m_routes.constFind(from.toString());
    if (route == m_routes.constEnd())
        return; // unwired sender: nothing could answer it
    const auto c = connectionFor(from, *route);
    c->countReceived();
    deliver(c, bytes);
}

} // namespace ladder::sip
