// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace ladder::sip {

// The journal's transport numbers (trace::Kind::SipMessage, field b).
enum class TransportType : quint8 { Udp = 0, Tcp = 1, Sctp = 2, Tls = 3, Ws = 4, Wss = 5 };

// "UDP", "TCP", "SCTP", "TLS", "WS", "WSS": the Via transport token (RFC 7118 §5 for WS/WSS).
QByteArray transportToken(TransportType t);
// Parses "udp"/"UDP"…; false when unknown.
bool transportFromToken(QByteArrayView token, TransportType* out);

// A host (IPv4, IPv6 without brackets, or a lab host name) and a port.
struct HostPort {
    QString host;
    quint16 port = 0;

    bool operator==(const HostPort& o) const { return port == o.port && host == o.host; }
    bool isNull() const { return host.isEmpty(); }
    // "10.0.0.1:5060", "[::1]:5060" — the journal's form and the Via sent-by form.
    QString toString() const;
    QByteArray toSentBy() const { return toString().toUtf8(); }
    // Parses "host:port", "[v6]:port" or "host" (port = defaultPort).
    static bool parse(const QString& text, HostPort* out, quint16 defaultPort = 5060);
};

// One SIP "connection" (RFC 3261 §18): for a stream transport the TCP connection or SCTP
// association, for a datagram transport the pair of local socket and remote address. Transactions
// keep a shared pointer to the connection their messages travel on, so responses and
// retransmissions go back the way the request came (RFC 3261 §18.2.2, RFC 3581 symmetric response).
class Connection {
public:
    virtual ~Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    quint64 id() const { return m_id; }
    TransportType type() const { return m_type; }
    QByteArray viaToken() const { return transportToken(m_type); }
    // Reliable transports never see SIP-level retransmissions (Timers A, E, G are not armed).
    bool reliable() const { return m_reliable; }
    // Stream transports frame messages by Content-Length.
    bool stream() const { return m_stream; }
    const HostPort& local() const { return m_local; }
    const HostPort& remote() const { return m_remote; }
    // The journal's endpoint strings, "[label ]host:port", built once.
    const QString& localEndpoint() const { return m_localEndpoint; }
    const QString& remoteEndpoint() const { return m_remoteEndpoint; }
    // One line for tables: "UDP 127.0.0.1:5060 -> 127.0.0.1:5070".
    QString describe() const;

    virtual bool isOpen() const = 0;
    // Sends one complete message. false with *error when the bytes cannot be handed on (closed
    // connection, socket error); queued bytes on a connecting stream count as sent.
    virtual bool send(const QByteArray& bytes, QString* error) = 0;
    virtual void close() { }

    // Why the connection failed (a TLS verification failure, a limit hit), empty when it did not.
    const QString& failure() const { return m_failure; }

    quint64 messagesSent() const { return m_sent; }
    quint64 messagesReceived() const { return m_received; }
    void countReceived() { ++m_received; }

protected:
    Connection(TransportType type, bool reliable, bool stream, HostPort local, HostPort remote, const QString& label);
    void countSent() { ++m_sent; }
    void setLocal(const HostPort& local, const QString& label);
    void setRemoteLabel(const QString& label);
    void setFailure(const QString& why) { m_failure = why; }

private:
    quint64 m_id;
    TransportType m_type;
    bool m_reliable;
    bool m_stream;
    HostPort m_local, m_remote;
    QString m_localEndpoint, m_remoteEndpoint;
    QString m_failure;
    quint64 m_sent = 0, m_received = 0;
};

} // namespace ladder::sip
