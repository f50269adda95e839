// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamlimits.h"
#include "tlscontext.h"
#include "transport.h"

#include <QHash>

#include <memory>
#include <optional>

class QHostAddress;
class QTimer;

namespace ladder::sip {

// What a StreamTransport asks of its connections (TcpConnection, WsConnection).
class StreamConnection : public Connection {
public:
    using Connection::Connection;
    // The transport is going: report nothing more to it.
    virtual void detach() = 0;
    // Closes the connection because of `why` (a limit hit, a failed handshake), reported as an
    // Error by the transport.
    virtual void fail(const QString& why) = 0;
    // Monotonic milliseconds of the last byte received or sent.
    virtual qint64 lastActivityMs() const = 0;
    // The last reference went: deleted from the event loop, since that may happen inside one of
    // the socket's signals.
    virtual void release() = 0;
};

// What the connection-oriented transports share (TcpTransport: TCP and TLS; WsTransport: WS and
// WSS): the open connections by remote address, one reused for every message to that address
// while it is open, at most StreamLimits::maxConnections of them, closed when idle past
// StreamLimits::idleSeconds; what their connections receive, fail with and note goes to the
// Transport's handlers with the connection named ("TLS 127.0.0.1:5061: …").
class StreamTransport : public Transport {
    Q_OBJECT
public:
    ~StreamTransport() override;

    // Before listen() and connectTo().
    void setLimits(const StreamLimits& limits) { m_limits = limits; }
    const StreamLimits& limits() const { return m_limits; }
    const std::optional<TlsContext>& tls() const { return m_tls; }

    bool reliable() const override { return true; }
    HostPort local() const override { return m_local; }
    QList<std::shared_ptr<Connection>> connections() const override;

    // From its connections.
    void received(StreamConnection* c, const QByteArray& message);
    void connectionFailed(StreamConnection* c, const QString& why);
    void note(StreamConnection* c, const QString& text);
    void connectionClosed(StreamConnection* c);

protected:
    StreamTransport(std::optional<TlsContext> tls, const QString& label, QObject* parent);

    // "TCP 10.0.0.1:5060: ", the start of what is reported about a connection.
    QString prefix(const HostPort& remote) const;
    bool full() const;
    // connectTo's first steps: the open connection to remote, if there is one.
    std::shared_ptr<Connection> openTo(const HostPort& remote) const;
    // Whether a new connection to remote may be made: remote is an IP address (*address) and the
    // limit is not reached; else false with *error.
    bool mayConnect(const HostPort& remote, QHostAddress* address, QString* error) const;
    // Takes a new connection in (accepted or connecting): kept by remote address, swept when
    // idle, announced to the opened handler.
    std::shared_ptr<Connection> track(StreamConnection* c);

    std::optional<TlsContext> m_tls;
    StreamLimits m_limits;
    HostPort m_local;

private:
    std::shared_ptr<Connection> find(StreamConnection* c) const;
    void sweepIdle();

    QTimer* m_idleTimer = nullptr;
    QHash<QString, std::shared_ptr<Connection>> m_connections; // by remote "host:port"
};

} // namespace ladder::sip
