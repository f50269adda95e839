// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

#include <QHash>

#include <memory>
#include <unordered_map>

class QSocketNotifier;

namespace ladder::sip {

// SIP over UDP (RFC 3261 §18): one datagram socket bound to a local address (127.0.0.1 by
// default). Every remote address is a Connection (cheap: the address and counters). The socket
// is read in batches of up to 64 datagrams per wake-up through one reused buffer; each datagram
// then gets one right-sized byte array, which the parsed message keeps (zero-copy from there on).
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

private:
    class UdpConnection;
    void readPending();
    std::shared_ptr<Connection> connectionFor(const void* sockaddr, int len);
    void evictIdle();

    int m_fd = -1;
    int m_family = 0;
    HostPort m_local;
    QSocketNotifier* m_notifier = nullptr;
    std::unordered_map<std::string, std::shared_ptr<Connection>> m_connections; // by raw sockaddr
    quint64 m_truncated = 0;
    QByteArray m_buffer;
};

} // namespace ladder::sip
