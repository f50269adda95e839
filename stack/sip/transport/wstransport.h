// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamlimits.h"
#include "tlscontext.h"
#include "transport.h"

#include <QHash>

#include <memory>
#include <optional>

class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace ladder::sip {

class WsConnection;

// SIP over WebSocket (RFC 7118), ws: or, made with a TlsContext, wss:. A listener
// (QWebSocketServer, subprotocol "sip" required) and outgoing connections made on demand by
// connectTo() to ws[s]://HOST:PORT/PATH (messages queue until the handshake is done and the
// server has chosen "sip"). One SIP message per WebSocket message; Via transport WS or WSS.
// A connection is reused for every message to the same remote address while it is open.
// StreamLimits bound what peers can make it hold; every limit hit is reported.
class WsTransport : public Transport {
    Q_OBJECT
public:
    explicit WsTransport(const QString& label = {}, QObject* parent = nullptr);
    explicit WsTransport(TlsContext tls, const QString& label = {}, QObject* parent = nullptr);
    ~WsTransport() override;

    // Before listen() and connectTo().
    void setLimits(const StreamLimits& limits) { m_limits = limits; }
    const StreamLimits& limits() const { return m_limits; }
    const std::optional<TlsContext>& tls() const { return m_tls; }
    // The resource outgoing connections ask for ("/" by default; kamailio and most servers take any).
    void setPath(const QString& path) { m_path = path; }

    // Listens on host:port (port 0 = any free one).
    bool listen(const HostPort& local, QString* error);

    TransportType type() const override { return m_tls ? TransportType::Wss : TransportType::Ws; }
    bool reliable() const override { return true; }
    bool stream() const override { return false; } // framed by WebSocket: Content-Length optional
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

private:
    friend class WsConnection;
    void accept(QWebSocket* socket);
    void adopt(QWebSocket* socket, const HostPort& remote, bool outgoing);
    void connectionClosed(WsConnection* c);
    void connectionFailed(WsConnection* c, const QString& why);
    void note(WsConnection* c, const QString& text);
    void received(WsConnection* c, const QByteArray& message);
    void sweepIdle();
    std::shared_ptr<Connection> find(WsConnection* c) const;
    QString prefix(const HostPort& remote) const;

    std::optional<TlsContext> m_tls;
    StreamLimits m_limits;
    QString m_path = QStringLiteral("/");
    QWebSocketServer* m_server = nullptr;
    QTimer* m_idleTimer = nullptr;
    HostPort m_local;
    QHash<QString, std::shared_ptr<Connection>> m_connections; // by remote "host:port"
};

} // namespace ladder::sip
