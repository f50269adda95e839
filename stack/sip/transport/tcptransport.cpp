// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcptransport.h"

#include "tcpconnection.h"

#include <QHostAddress>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

namespace ladder::sip {

TcpTransport::TcpTransport(const QString& label, QObject* parent)
    : StreamTransport(std::nullopt, label, parent)
{
}

TcpTransport::TcpTransport(TlsContext tls, const QString& label, QObject* parent)
    : StreamTransport(std::move(tls), label, parent)
{
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
    if (full()) {
        report(nullptr,
            prefix(remote) + QStringLiteral("over %1 connections, connection refused").arg(m_limits.maxConnections));
        socket->abort();
        socket->deleteLater();
        return;
    }
    track(new TcpConnection(*this, socket, m_local, remote, label(), false));
}

std::shared_ptr<Connection> TcpTransport::connectTo(const HostPort& remote, QString* error)
{
    if (std::shared_ptr<Connection> open = openTo(remote))
        return open;
    QHostAddress address;
    if (!mayConnect(remote, &address, error))
        return {};
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
    return track(new TcpConnection(*this, socket, m_local, remote, label(), true));
}

} // namespace ladder::sip
