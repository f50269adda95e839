// SPDX-License-Identifier: GPL-3.0-or-later
#include "wstransport.h"

#include "wsconnection.h"

#include <QHostAddress>
#include <QNetworkRequest>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QWebSocketServer>

namespace ladder::sip {

namespace {
    const QString kSubprotocol = QStringLiteral("sip"); // RFC 7118 §4
}

WsTransport::WsTransport(const QString& label, QObject* parent)
    : StreamTransport(std::nullopt, label, parent)
{
}

WsTransport::WsTransport(TlsContext tls, const QString& label, QObject* parent)
    : StreamTransport(std::move(tls), label, parent)
{
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
    if (full()) {
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
    track(new WsConnection(*this, socket, m_local, remote, label(), false));
}

std::shared_ptr<Connection> WsTransport::connectTo(const HostPort& remote, QString* error)
{
    if (std::shared_ptr<Connection> open = openTo(remote))
        return open;
    QHostAddress address;
    if (!mayConnect(remote, &address, error))
        return {};
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
    std::shared_ptr<Connection> c = track(new WsConnection(*this, socket, m_local, remote, label(), true));
    socket->open(QNetworkRequest(url), options);
    return c;
}

} // namespace ladder::sip
