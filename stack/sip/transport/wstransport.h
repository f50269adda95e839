// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamtransport.h"

class QWebSocket;
class QWebSocketServer;

namespace ladder::sip {

// SIP over WebSocket (RFC 7118), ws: or, made with a TlsContext, wss:. A listener
// (QWebSocketServer, subprotocol "sip" required) and outgoing connections made on demand by
// connectTo() to ws[s]://HOST:PORT/PATH (messages queue until the handshake is done and the
// server has chosen "sip"). One SIP message per WebSocket message; Via transport WS or WSS.
// StreamTransport keeps the connections; StreamLimits bound what peers can make it hold; every
// limit hit is reported.
class WsTransport : public StreamTransport {
    Q_OBJECT
public:
    explicit WsTransport(const QString& label = {}, QObject* parent = nullptr);
    explicit WsTransport(TlsContext tls, const QString& label = {}, QObject* parent = nullptr);

    // The resource outgoing connections ask for ("/" by default; kamailio and most servers take any).
    void setPath(const QString& path) { m_path = path; }

    // Listens on host:port (port 0 = any free one).
    bool listen(const HostPort& local, QString* error);

    TransportType type() const override { return m_tls ? TransportType::Wss : TransportType::Ws; }
    bool stream() const override { return false; } // framed by WebSocket: Content-Length optional
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;

private:
    void accept(QWebSocket* socket);

    QString m_path = QStringLiteral("/");
    QWebSocketServer* m_server = nullptr;
};

} // namespace ladder::sip
