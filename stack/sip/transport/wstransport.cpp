// SPDX-License-Identifier: GPL-3.0-or-later
#include "wstransport.h"

#include "wsconnection.h"

#include <QHostAddress>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QWebSocketServer>

#include <algorithm>

namespace ladder::sip {

namespace {
    const QString kSubprotocol = QStringLiteral("sip"); // RFC 7118 §4
}

WsTransport::WsTransport(const QString& label, QObject* parent)
    : Transport(parent)
{
    setLabel(label);
}

WsTransport::WsTransport(TlsContext tls, const QString& label, QObject* parent)
    : Transport(parent)
    , m_tls(std::move(tls))
{
    setLabel(label);
}

WsTransport::~WsTransport()
{
    for (const auto& c : std::as_const(m_connections))
        static_cast<WsConnection*>(c.get())->detach();
}

QString WsTransport::prefix(const HostPort& remote) const
{
    return QString::fromLatin1(transportToken(type())) + QLatin1Char(' ') + remote.toString() + QStringLiteral(": ");
}

bool WsTransport::listen(const HostPort& local, QString* error)
{
    QHostAddress address;
    if (!address.setAddress(local.host)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(local.host);
        return false;
    }
    if (m_tls && !m_tls->hasCertificate()) {
        if (error)
            *error = QStringLiteral("a WSS listener needs a certificate and key (or a self-signed one)");
        return false;
    }
    m_server = new QWebSocketServer(
        QStringLiteral("LadderLab"), m_tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    m_server->setSupportedSubprotocols({ kSubprotocol });
    m_server->setHandshakeTimeout(m_limits.handshakeMs);
    if (m_tls)
        m_server->setSslConfiguration(m_tls->serverConfiguration());
    if (!m_server->listen(address, local.port)) {
        if (error)
            *error = QStringLiteral("cannot listen on %1 %2: %3")
                         .arg(QString::fromLatin1(transportToken(type())), local.toString(), m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    m_local = { address.toString(), m_server->serverPort() };
    connect(m_server, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket* s = m_server->nextPendingConnection())
            accept(s);
    });
    // A handshake that fails (not a WebSocket upgrade, a TLS client that rejects our certificate)
    // never becomes a connection; Qt does not say from whom.
    connect(m_server, &QWebSocketServer::serverError, this, [this](QWebSocketProtocol::CloseCode code) {
        report(nullptr,
            QStringLiteral("%1 %2: a handshake failed (%3): %4")
                .arg(QString::fromLatin1(transportToken(type())), m_local.toString())
                .arg(int(code))
                .arg(m_server->errorString()));
    });
    return true;
}

void WsTransport::accept(QWebSocket* socket)
{
    const HostPort remote { socket->peerAddress().toString(), socket->peerPort() };
    const char* refusal = nullptr;
    QString why;
    if (m_connections.size() >= qsizetype(m_limits.maxConnections)) {
        why = QStringLiteral("over %1 connections, connection refused").arg(m_limits.maxConnections);
        refusal = "too many connections";
    } else if (socket->subprotocol() != kSubprotocol) {
        // RFC 7118 §4.1: a SIP WebSocket server only talks to clients that ask for "sip".
        why = QStringLiteral(
            "the client did not ask for the WebSocket subprotocol \"sip\" (RFC 7118 §4.1), connection closed");
        refusal = "subprotocol sip required";
    }
    if (refusal) {
        report(nullptr, prefix(remote) + why);
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QString::fromLatin1(refusal));
        socket->deleteLater();
        return;
    }
    adopt(socket, remote, false);
}

void WsTransport::adopt(QWebSocket* socket, const HostPort& remote, bool outgoing)
{
    // Deleted from the event loop: the last reference may go inside one of the socket's signals.
    std::shared_ptr<Connection> c(new WsConnection(*this, socket, m_local, remote, label(), outgoing),
        [](Connection* p) { static_cast<WsConnection*>(p)->deleteLater(); });
    m_connections.insert(remote.toString(), c);
    if (m_limits.idleSeconds > 0 && !m_idleTimer) {
        m_idleTimer = new QTimer(this);
        m_idleTimer->setInterval(std::clamp(m_limits.idleSeconds * 250, 50, 5000));
        connect(m_idleTimer, &QTimer::timeout, this, &WsTransport::sweepIdle);
    }
    if (m_idleTimer && !m_idleTimer->isActive())
        m_idleTimer->start();
    notifyOpened(c);
}

std::shared_ptr<Connection> WsTransport::connectTo(const HostPort& remote, QString* error)
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
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(address.toString());
    url.setPort(remote.port);
    url.setPath(m_path.startsWith(QLatin1Char('/')) ? m_path : QLatin1Char('/') + m_path);
    auto* socket = new QWebSocket;
    if (m_tls)
        socket->setSslConfiguration(m_tls->clientConfiguration());
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({ kSubprotocol });
    adopt(socket, remote, true);
    socket->open(QNetworkRequest(url), options);
    return m_connections.value(key);
}

QList<std::shared_ptr<Connection>> WsTransport::connections() const { return m_connections.values(); }

std::shared_ptr<Connection> WsTransport::find(WsConnection* c) const
{
    const auto it = m_connections.constFind(c->remote().toString());
    return it != m_connections.constEnd() && it->get() == c ? *it : nullptr;
}

void WsTransport::received(WsConnection* c, const QByteArray& message)
{
    if (const std::shared_ptr<Connection> keep = find(c))
        deliver(keep, message);
}

void WsTransport::connectionFailed(WsConnection* c, const QString& why)
{
    report(find(c), prefix(c->remote()) + why + QStringLiteral(", connection closed"));
}

void WsTransport::note(WsConnection* c, const QString& text) { report(find(c), prefix(c->remote()) + text, false); }

void WsTransport::connectionClosed(WsConnection* c)
{
    const auto it = m_connections.find(c->remote().toString());
    if (it == m_connections.end() || it->get() != c)
        return;
    const std::shared_ptr<Connection> keep = *it;
    m_connections.erase(it);
    if (m_connections.isEmpty() && m_idleTimer)
        m_idleTimer->stop();
    notifyClosed(keep);
}

void WsTransport::sweepIdle()
{
    const qint64 now = monotonicMs();
    const qint64 limitMs = qint64(m_limits.idleSeconds) * 1000;
    QList<std::shared_ptr<Connection>> idle;
    for (const auto& c : std::as_const(m_connections))
        if (now - static_cast<WsConnection*>(c.get())->lastActivityMs() >= limitMs)
            idle.append(c);
    for (const auto& c : std::as_const(idle))
        static_cast<WsConnection*>(c.get())->fail(QStringLiteral("idle for %1 s").arg(m_limits.idleSeconds));
}

} // namespace ladder::sip
