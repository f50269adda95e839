// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcptransport.h"

#include "tcpconnection.h"

#include <QHostAddress>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace ladder::sip {

TcpTransport::TcpTransport(const QString& label, QObject* parent)
    : Transport(parent)
{
    setLabel(label);
}

TcpTransport::TcpTransport(TlsContext tls, const QString& label, QObject* parent)
    : Transport(parent)
    , m_tls(std::move(tls))
{
    setLabel(label);
}

TcpTransport::~TcpTransport()
{
    for (const auto& c : std::as_const(m_connections))
        static_cast<TcpConnection*>(c.get())->detach();
}

QString TcpTransport::prefix(const HostPort& remote) const
{
    return QString::fromLatin1(transportToken(type())) + QLatin1Char(' ') + remote.toString() + QStringLiteral(": ");
}

bool TcpTransport::listen(const HostPort& local, QString* error)
{
    QHostAddress address;
    if (!address.setAddress(local.host)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(local.host);
        return false;
    }
    if (m_tls && !m_tls->hasCertificate()) {
        if (error)
            *error = QStringLiteral("a TLS listener needs a certificate and key (or a self-signed one)");
        return false;
    }
    if (m_tls) {
        auto* server = new QSslServer(this);
        server->setSslConfiguration(m_tls->serverConfiguration());
        server->setHandshakeTimeout(m_limits.handshakeMs);
        // A client that fails the handshake (bad ClientHello, rejects our certificate) never
        // becomes a connection: the reason is reported and its socket dropped.
        connect(server, &QSslServer::errorOccurred, this, [this, server](QSslSocket* s, QAbstractSocket::SocketError) {
            if (s->parent() != server)
                return; // adopted: the connection reports its own errors
            report(nullptr,
                prefix({ s->peerAddress().toString(), s->peerPort() }) + QStringLiteral("handshake failed: ")
                    + s->errorString() + QStringLiteral(", connection closed"));
            s->deleteLater();
        });
        m_server = server;
    } else {
        m_server = new QTcpServer(this);
    }
    if (!m_server->listen(address, local.port)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1 %2: %3")
                         .arg(QString::fromLatin1(transportToken(type())), local.toString(), m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    m_local = { address.toString(), m_server->serverPort() };
    // QSslServer queues a socket once its handshake is done (pendingConnectionAvailable);
    // QTcpServer at once.
    auto drain = [this] {
        while (QTcpSocket* s = m_server->nextPendingConnection())
            accept(s);
    };
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, drain);
    connect(m_server, &QTcpServer::newConnection, this, drain);
    return true;
}

void TcpTransport::accept(QTcpSocket* socket)
{
    const HostPort remote { socket->peerAddress().toString(), socket->peerPort() };
    if (m_connections.size() >= qsizetype(m_limits.maxConnections)) {
        report(nullptr,
            prefix(remote) + QStringLiteral("over %1 connections, connection refused").arg(m_limits.maxConnections));
        socket->abort();
        socket->deleteLater();
        return;
    }
    adopt(socket, remote, false);
}

void TcpTransport::adopt(QTcpSocket* socket, const HostPort& remote, bool outgoing)
{
    // Deleted from the event loop: the last reference may go inside one of the socket's signals.
    std::shared_ptr<Connection> c(new TcpConnection(*this, socket, m_local, remote, label(), outgoing),
        [](Connection* p) { static_cast<TcpConnection*>(p)->deleteLater(); });
    m_connections.insert(remote.toString(), c);
    if (m_limits.idleSeconds > 0 && !m_idleTimer) {
        m_idleTimer = new QTimer(this);
        m_idleTimer->setInterval(std::clamp(m_limits.idleSeconds * 250, 50, 5000));
        connect(m_idleTimer, &QTimer::timeout, this, &TcpTransport::sweepIdle);
    }
    if (m_idleTimer && !m_idleTimer->isActive())
        m_idleTimer->start();
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
    if (m_connections.size() >= qsizetype(m_limits.maxConnections)) {
        if (error)
            *error = QStringLiteral("%1 already has %2 connections (the limit)")
                         .arg(QString::fromLatin1(transportToken(type())))
                         .arg(m_connections.size());
        return {};
    }
    QTcpSocket* socket = nullptr;
    if (m_tls) {
        auto* ssl = new QSslSocket;
        ssl->setSslConfiguration(m_tls->clientConfiguration());
        socket = ssl;
    } else {
        socket = new QTcpSocket;
    }
    if (!m_local.host.isEmpty() && m_local.host != QLatin1String("0.0.0.0") && m_local.host != QLatin1String("::"))
        socket->bind(QHostAddress(m_local.host), 0);
    if (auto* ssl = qobject_cast<QSslSocket*>(socket))
        // The certificate must name the address connected to (RFC 5922 would use the SIP domain;
        // ladderctl and the composer target addresses).
        ssl->connectToHostEncrypted(address.toString(), remote.port, remote.host);
    else
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

void TcpTransport::connectionFailed(TcpConnection* c, const QString& why)
{
    const auto it = m_connections.constFind(c->remote().toString());
    const std::shared_ptr<Connection> keep = it != m_connections.constEnd() && it->get() == c ? *it : nullptr;
    report(keep, prefix(c->remote()) + why + QStringLiteral(", connection closed"));
}

void TcpTransport::note(TcpConnection* c, const QString& text)
{
    const auto it = m_connections.constFind(c->remote().toString());
    const std::shared_ptr<Connection> keep = it != m_connections.constEnd() && it->get() == c ? *it : nullptr;
    report(keep, prefix(c->remote()) + text, false);
}

void TcpTransport::connectionClosed(TcpConnection* c)
{
    const QString key = c->remote().toString();
    const auto it = m_connections.find(key);
    if (it == m_connections.end() || it->get() != c)
        return;
    const std::shared_ptr<Connection> keep = *it;
    m_connections.erase(it);
    if (m_connections.isEmpty() && m_idleTimer)
        m_idleTimer->stop();
    notifyClosed(keep);
    // Transactions may still hold the connection (closed: their sends fail); the QObject parts
    // go when the last holder lets go — after this call returns.
}

void TcpTransport::sweepIdle()
{
    const qint64 now = monotonicMs();
    const qint64 limitMs = qint64(m_limits.idleSeconds) * 1000;
    QList<std::shared_ptr<Connection>> idle;
    for (const auto& c : std::as_const(m_connections))
        if (now - static_cast<TcpConnection*>(c.get())->lastActivityMs() >= limitMs)
            idle.append(c);
    for (const auto& c : std::as_const(idle))
        static_cast<TcpConnection*>(c.get())->fail(QStringLiteral("idle for %1 s").arg(m_limits.idleSeconds));
}

} // namespace ladder::sip
