// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcptransport.h"

#include "tcpconnection.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>

namespace ladder::sip {

TcpTransport::TcpTransport(const QString& label, QObject* parent)
    : Transport(parent)
{
    setLabel(label);
}

TcpTransport::~TcpTransport()
{
    for (const auto& c : std::as_const(m_connections))
        static_cast<TcpConnection*>(c.get())->detach();
}

bool TcpTransport::listen(const HostPort& local, QString* error)
{
    QHostAddress address;
    if (!address.setAddress(local.host)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(local.host);
        return false;
    }
    m_server = new QTcpServer(this);
    if (!m_server->listen(address, local.port)) {
        if (error)
            *error = QStringLiteral("cannot listen on TCP %1: %2").arg(local.toString(), m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    m_local = { address.toString(), m_server->serverPort() };
    connect(m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* s = m_server->nextPendingConnection())
            adopt(s, { s->peerAddress().toString(), s->peerPort() }, false);
    });
    return true;
}

void TcpTransport::adopt(QTcpSocket* socket, const HostPort& remote, bool outgoing)
{
    // Deleted from the event loop: the last reference may go inside one of the socket's signals.
    std::shared_ptr<Connection> c(new TcpConnection(*this, socket, m_local, remote, label(), outgoing),
        [](Connection* p) { static_cast<TcpConnection*>(p)->deleteLater(); });
    m_connections.insert(remote.toString(), c);
    notifyOpened(c);
}

std::shared_ptr<Connection> TcpTransport::connectTo(const HostPort& remote, QString* error)
{
    const QString key = remote.toString();
    if (const auto it = m_connections.constFind(key); it != m_connections.constEnd() && (*it)->isOpen())
        return *it;
    QHostAddress address;
    if (!address.setAddress(remote.host)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(remote.host);
        return {};
    }
    auto* socket = new QTcpSocket;
    if (!m_local.host.isEmpty() && m_local.host != QLatin1String("0.0.0.0") && m_local.host != QLatin1String("::"))
        socket->bind(QHostAddress(m_local.host), 0);
    socket->connectToHost(address, remote.port);
    adopt(socket, remote, true);
    return m_connections.value(key);
}

QList<std::shared_ptr<Connection>> TcpTransport::connections() const { return m_connections.values(); }

void TcpTransport::received(TcpConnection* c, const QByteArray& message)
{
    const auto it = m_connections.constFind(c->remote().toString());
    if (it == m_connections.constEnd() || it->get() != c)
        return;
    const std::shared_ptr<Connection> keep = *it;
    deliver(keep, message);
}

void TcpTransport::connectionClosed(TcpConnection* c)
{
    const QString key = c->remote().toString();
    const auto it = m_connections.find(key);
    if (it == m_connections.end() || it->get() != c)
        return;
    const std::shared_ptr<Connection> keep = *it;
    m_connections.erase(it);
    notifyClosed(keep);
    // Transactions may still hold the connection (closed: their sends fail); the QObject parts
    // go when the last holder lets go — after this call returns.
}

} // namespace ladder::sip
