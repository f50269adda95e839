// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

#include <QHash>

#include <memory>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>

class QSocketNotifier;

namespace ladder::sip {

// SIP over UDP (RFC 3261 §18): one datagram socket bound to a local address (127.0.0.1 by
// default). Every remote address is a Connection (cheap: the address and counters). The socket
// is read in batches of up to 64 datagrams per wake-up through one reused buffer; each datagram
// then gets one right-sized byte array, which the parsed message keeps (zero-copy from there on).
// What the stack sends while such a batch is delivered (the responses to the requests read, the
// next requests a client sends on a response) is queued and leaves at the end of the batch in
// one sendmmsg; anything sent outside a batch (timers, the user) goes out at once with sendto.
class UdpTransport : public Transport {
    Q_OBJECT
public:
    explicit UdpTransport(const QString& label = {}, QObject* parent = nullptr);
    ~UdpTransport() override;

    // Binds host:port (port 0 = any free one). false with *error when it cannot.
    bool bind(const HostPort& local, QString* error);

    TransportType type() const override { return TransportType::Udp; }
    bool reliable() const override { return false; }
    bool stream() const override { return false; }
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

    int socketDescriptor() const { return m_fd; }
    // Datagrams received that were larger than the receive buffer (dropped).
    quint64 truncated() const { return m_truncated; }
    // Queued datagrams the kernel refused at the batched send (see readPending; dropped, as a
    // datagram lost on the wire would be).
    quint64 sendErrors() const { return m_sendErrors; }

private:
    class UdpConnection;
    // A datagram sent while a received batch is being delivered: it waits for the end of the
    // batch and leaves with the others in one sendmmsg.
    struct Outgoing {
        QByteArray bytes;
        sockaddr_storage to;
        socklen_t len;
    };
    void readPending();
    void flushOutgoing();
    std::shared_ptr<Connection> connectionFor(const void* sockaddr, int len);
    void evictIdle();

    int m_fd = -1;
    int m_family = 0;
    HostPort m_local;
    QSocketNotifier* m_notifier = nullptr;
    std::unordered_map<std::string, std::shared_ptr<Connection>> m_connections; // by raw sockaddr
    quint64 m_truncated = 0;
    quint64 m_sendErrors = 0;
    QByteArray m_buffer;
    int m_delivering = 0; // readPending depth: sends are batched while > 0
    std::vector<Outgoing> m_outgoing;
};

} // namespace ladder::sip
