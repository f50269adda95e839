// SPDX-License-Identifier: GPL-3.0-or-later
#include "udptransport.h"

#include "core/datagrams.h"

#include <QHostAddress>
#include <QSocketNotifier>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ladder::sip {

namespace {
    constexpr int kMaxDatagram = 65535;
    constexpr std::size_t kMaxConnections = 4096;
    constexpr int kBatch = 64; // datagrams per wake-up, so one busy peer cannot starve the loop

    HostPort hostPortOf(const sockaddr_storage& ss)
    {
        HostPort hp;
        QHostAddress a(reinterpret_cast<const sockaddr*>(&ss));
        hp.host = a.toString();
        hp.port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port)
                                           : ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
        return hp;
    }

    bool toSockaddr(const HostPort& hp, sockaddr_storage* ss, socklen_t* len)
    {
        QHostAddress a;
        if (!a.setAddress(hp.host))
            return false;
        std::memset(ss, 0, sizeof *ss);
        if (a.protocol() == QAbstractSocket::IPv6Protocol) {
            auto* s6 = reinterpret_cast<sockaddr_in6*>(ss);
            s6->sin6_family = AF_INET6;
            s6->sin6_port = htons(hp.port);
            const Q_IPV6ADDR v6 = a.toIPv6Address();
            std::memcpy(&s6->sin6_addr, &v6, 16);
            *len = sizeof(sockaddr_in6);
        } else {
            auto* s4 = reinterpret_cast<sockaddr_in*>(ss);
            s4->sin_family = AF_INET;
            s4->sin_port = htons(hp.port);
            s4->sin_addr.s_addr = htonl(a.toIPv4Address());
            *len = sizeof(sockaddr_in);
        }
        return true;
    }
}

class UdpTransport::UdpConnection : public Connection {
public:
    UdpConnection(UdpTransport& owner, const sockaddr_storage& ss, socklen_t len)
        : Connection(TransportType::Udp, false, false, owner.m_local, hostPortOf(ss), owner.label())
        , m_owner(&owner)
        , m_len(len)
    {
        std::memcpy(&m_addr, &ss, len);
    }
    bool isOpen() const override { return m_owner && m_owner->m_fd >= 0; }
    bool send(const QByteArray& bytes, QString* error) override
    {
        if (!isOpen()) {
            if (error)
                *error = QStringLiteral("the UDP socket is closed");
            return false;
        }
        if (m_owner->m_delivering) {
            // Inside a received batch: leaves with the batch's other datagrams (flushOutgoing).
            // A refusal then is counted, not reported: like a datagram lost on the wire, which
            // the transaction's retransmissions cover.
            Outgoing& o = m_owner->m_outgoing.emplace_back();
            o.bytes = bytes;
            std::memcpy(&o.to, &m_addr, m_len);
            o.len = m_len;
            countSent();
            return true;
        }
        const ssize_t n = ::sendto(m_owner->m_fd, bytes.constData(), size_t(bytes.size()), 0,
            reinterpret_cast<const sockaddr*>(&m_addr), m_len);
        if (n < 0) {
            if (error)
                *error = QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
        countSent();
        return true;
    }
    void detach() { m_owner = nullptr; }

private:
    UdpTransport* m_owner;
    sockaddr_storage m_addr {};
    socklen_t m_len;
};

UdpTransport::UdpTransport(const QString& label, QObject* parent)
    : Transport(parent)
{
    setLabel(label);
}

UdpTransport::~UdpTransport()
{
    for (auto& [key, c] : m_connections)
        static_cast<UdpConnection*>(c.get())->detach();
    if (m_fd >= 0)
        ::close(m_fd);
}

bool UdpTransport::bind(const HostPort& local, QString* error)
{
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!toSockaddr(local, &ss, &len)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(local.host);
        return false;
    }
    const int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (error)
            *error = QStringLiteral("cannot bind UDP %1: %2")
                         .arg(local.toString(), QString::fromLocal8Bit(std::strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    net::enlargeBuffers(fd);
    socklen_t slen = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &slen);
    m_fd = fd;
    m_family = ss.ss_family;
    m_local = hostPortOf(ss);
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &UdpTransport::readPending);
    return true;
}

std::shared_ptr<Connection> UdpTransport::connectionFor(const void* sa, int len)
{
    std::string key(static_cast<const char*>(sa), std::size_t(len));
    auto it = m_connections.find(key);
    if (it != m_connections.end())
        return it->second;
    if (m_connections.size() >= kMaxConnections)
        evictIdle();
    sockaddr_storage ss {};
    std::memcpy(&ss, sa, std::size_t(len));
    auto c = std::make_shared<UdpConnection>(*this, ss, socklen_t(len));
    m_connections.emplace(std::move(key), c);
    notifyOpened(c);
    return c;
}

void UdpTransport::evictIdle()
{
    // Only the map holds these: no transaction or dialog uses them any more.
    for (auto it = m_connections.begin(); it != m_connections.end();)
        it = it->second.use_count() == 1 ? m_connections.erase(it) : std::next(it);
}

std::shared_ptr<Connection> UdpTransport::connectTo(const HostPort& remote, QString* error)
{
    if (m_fd < 0) {
        if (error)
            *error = QStringLiteral("the UDP transport is not bound");
        return {};
    }
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!toSockaddr(remote, &ss, &len)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(remote.host);
        return {};
    }
    if (ss.ss_family != m_family) {
        if (error)
            *error = QStringLiteral("%1 is not reachable from a socket bound to %2").arg(remote.toString(),
                m_local.toString());
        return {};
    }
    return connectionFor(&ss, int(len));
}

QList<std::shared_ptr<Connection>> UdpTransport::connections() const
{
    QList<std::shared_ptr<Connection>> out;
    for (const auto& [key, c] : m_connections)
        out.append(c);
    return out;
}

void UdpTransport::readPending()
{
    // Sends made while delivering are queued and flushed when this returns, however it returns.
    struct Batch {
        UdpTransport& t;
        explicit Batch(UdpTransport& owner)
            : t(owner)
        {
            ++t.m_delivering;
        }
        ~Batch()
        {
            if (--t.m_delivering == 0)
                t.flushOutgoing();
        }
    } batch(*this);
    net::receiveDatagrams(m_fd, m_buffer, kBatch,
        [this](const char* data, std::size_t n, const sockaddr_storage& from, socklen_t fromLength, bool truncated) {
            if (truncated || n > std::size_t(kMaxDatagram)) {
                ++m_truncated;
                return;
            }
            // One right-sized allocation per datagram: the message keeps these bytes.
            const QByteArray bytes(data, qsizetype(n));
            const auto c = connectionFor(&from, int(fromLength));
            c->countReceived();
            deliver(c, bytes);
        });
}

void UdpTransport::flushOutgoing()
{
    const std::size_t sent = net::sendDatagrams(m_fd, m_outgoing.size(), [this](std::size_t i) {
        const Outgoing& o = m_outgoing[i];
        return net::OutDatagram { o.bytes.constData(), std::size_t(o.bytes.size()), reinterpret_cast<const sockaddr*>(&o.to),
            o.len };
    });
    m_sendErrors += m_outgoing.size() - sent; // refused, or the socket closed meanwhile
    m_outgoing.clear(); // keeps its capacity: no allocation per batch once warmed up
}

} // namespace ladder::sip
