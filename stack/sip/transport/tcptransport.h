// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

#include <QHash>

#include <memory>

class QTcpServer;
class QTcpSocket;

namespace ladder::sip {

class TcpConnection;

// SIP over TCP (RFC 3261 §18): a listener (QTcpServer) for connections from peers, and outgoing
// connections made on demand by connectTo() (messages queue until the connection is up). Each
// connection frames its byte stream by Content-Length; a stream that cannot be framed is closed.
// A connection is reused for every message to the same remote address while it is open.
class TcpTransport : public Transport {
    Q_OBJECT
public:
    explicit TcpTransport(const QString& label = {}, QObject* parent = nullptr);
    ~TcpTransport() override;

    // Listens on host:port (port 0 = any free one).
    bool listen(const HostPort& local, QString* error);

    TransportType type() const override { return TransportType::Tcp; }
    bool reliable() const override { return true; }
    bool stream() const override { return true; }
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

private:
    friend class TcpConnection;
    void adopt(QTcpSocket* socket, const HostPort& remote, bool outgoing);
    void connectionClosed(TcpConnection* c);
    void received(TcpConnection* c, const QByteArray& message);

    QTcpServer* m_server = nullptr;
    HostPort m_local;
    QHash<QString, std::shared_ptr<Connection>> m_connections; // by remote "host:port"
};

} // namespace ladder::sip
