// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamtransport.h"

class QTcpServer;
class QTcpSocket;

namespace ladder::sip {

// SIP over TCP (RFC 3261 §18), or over TLS (§26) when made with a TlsContext: a listener
// (QTcpServer, QSslServer) for connections from peers, and outgoing connections made on demand by
// connectTo() (messages queue until the connection is up and, for TLS, the server's certificate
// is verified). Each connection frames its byte stream by Content-Length; a stream that cannot
// be framed is closed. StreamTransport keeps the connections; StreamLimits bound what peers can
// make it hold; every limit hit is reported.
class TcpTransport : public StreamTransport {
    Q_OBJECT
public:
    explicit TcpTransport(const QString& label = {}, QObject* parent = nullptr);
    // SIP over TLS: a listener needs the context's certificate; clients verify the server's.
    explicit TcpTransport(TlsContext tls, const QString& label = {}, QObject* parent = nullptr);

    // Listens on host:port (port 0 = any free one).
    bool listen(const HostPort& local, QString* error);

    TransportType type() const override { return m_tls ? TransportType::Tls : TransportType::Tcp; }
    bool stream() const override { return true; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;

private:
    void accept(QTcpSocket* socket);

    QTcpServer* m_server = nullptr;
};

} // namespace ladder::sip
