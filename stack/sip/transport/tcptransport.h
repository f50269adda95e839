// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamlimits.h"
#include "tlscontext.h"
#include "transport.h"

#include <QHash>

#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QTimer;

namespace ladder::sip {

class TcpConnection;

// SIP over TCP (RFC 3261 §18), or over TLS (§26) when made with a TlsContext: a listener
// (QTcpServer, QSslServer) for connections from peers, and outgoing connections made on demand by
// connectTo() (messages queue until the connection is up and, for TLS, the server's certificate
// is verified). Each connection frames its byte stream by Content-Length; a stream that cannot
// be framed is closed. A connection is reused for every message to the same remote address while
// it is open. StreamLimits bound what peers can make it hold; every limit hit is reported.
class TcpTransport : public Transport {
    Q_OBJECT
public:
    explicit TcpTransport(const QString& label = {}, QObject* parent = nullptr);
    // SIP over TLS: a listener needs the context's certificate; clients verify the server's.
    explicit TcpTransport(TlsContext tls, const QString& label = {}, QObject* parent = nullptr);
    ~TcpTransport() override;

    // Before listen() and connectTo().
    void setLimits(const StreamLimits& limits) { m_limits = limits; }
    const StreamLimits& limits() const { return m_limits; }
    const std::optional<TlsContext>& tls() const { return m_tls; }

    // Listens on host:port (port 0 = any free one).
    bool listen(const HostPort& local, QString* error);

    TransportType type() const override { return m_tls ? TransportType::Tls : TransportType::Tcp; }
    bool reliable() const override { return true; }
    bool stream() const override { return true; }
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

private:
    friend class TcpConnection;
    void accept(QTcpSocket* socket);
    void adopt(QTcpSocket* socket, const HostPort& remote, bool outgoing);
    void connectionClosed(TcpConnection* c);
    void connectionFailed(TcpConnection* c, const QString& why);
    void note(TcpConnection* c, const QString& text);
    void received(TcpConnection* c, const QByteArray& message);
    void sweepIdle();
    QString prefix(const HostPort& remote) const;

    std::optional<TlsContext> m_tls;
    StreamLimits m_limits;
    QTcpServer* m_server = nullptr;
    QTimer* m_idleTimer = nullptr;
    HostPort m_local;
    QHash<QString, std::shared_ptr<Connection>> m_connections; // by remote "host:port"
};

} // namespace ladder::sip
