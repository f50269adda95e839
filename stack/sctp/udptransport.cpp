// SPDX-License-Identifier: GPL-3.0-or-later
#include "udptransport.h"

#include "engine.h"
#include "runtime.h"

#include "core/datagrams.h"

#include <QHostInfo>
#include <QNetworkInterface>
#include <QSocketNotifier>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <unistd.h>

namespace ladder::sctp {

namespace {
    constexpr int kBatch = 64; // datagrams per wake-up, so that a busy peer cannot starve the loop

    // address:port as a sockaddr for a socket of this family: an IPv4 address on an IPv6 socket
    // (bound to :: for both) is v4-mapped. False if the socket cannot reach it.
    bool toSockaddr(const QHostAddress& address, quint16 port, int family, sockaddr_storage* ss, socklen_t* length)
    {
        std::memset(ss, 0, sizeof *ss);
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (family == AF_INET) {
            if (!isV4)
                return false;
            auto* s4 = reinterpret_cast<sockaddr_in*>(ss);
            s4->sin_family = AF_INET;
            s4->sin_port = htons(port);
            s4->sin_addr.s_addr = htonl(v4);
            *length = sizeof(sockaddr_in);
            return true;
        }
        if (family != AF_INET6 || (!isV4 && address.protocol() != QAbstractSocket::IPv6Protocol))
            return false;
        auto* s6 = reinterpret_cast<sockaddr_in6*>(ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (isV4) {
            s6->sin6_addr.s6_addr[10] = 0xff;
            s6->sin6_addr.s6_addr[11] = 0xff;
            const quint32 n = htonl(v4);
            std::memcpy(&s6->sin6_addr.s6_addr[12], &n, 4);
        } else {
            const Q_IPV6ADDR a = address.toIPv6Address();
            std::memcpy(&s6->sin6_addr, &a, 16);
            if (const QString scope = address.scopeId(); !scope.isEmpty()) {
                bool numeric = false;
                const uint id = scope.toUInt(&numeric);
                s6->sin6_scope_id = numeric ? id : uint(QNetworkInterface::interfaceIndexFromName(scope));
            }
        }
        *length = sizeof(sockaddr_in6);
        return true;
    }

    quint16 portOf(const sockaddr_storage& ss)
    {
        return ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port)
                                        : ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
    }

    bool sameEndpoint(const sockaddr_storage& a, const sockaddr_storage& b)
    {
        if (a.ss_family != b.ss_family)
            return false;
        if (a.ss_family == AF_INET) {
            const auto& x = reinterpret_cast<const sockaddr_in&>(a);
            const auto& y = reinterpret_cast<const sockaddr_in&>(b);
            return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
        }
        const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
        return x.sin6_port == y.sin6_port && x.sin6_scope_id == y.sin6_scope_id
            && std::memcmp(&x.sin6_addr, &y.sin6_addr, 16) == 0;
    }

    QString laneOf(const QHostAddress& address, quint16 port)
    {
        if (address.protocol() == QAbstractSocket::IPv6Protocol)
            return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
        return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
    }
}

UdpTransport::UdpTransport(Engine& engine, QObject* parent)
    : QObject(parent)
    , m_engine(&engine)
    , m_runtime(Runtime::acquire())
{
    m_descriptor = engine.openNonSocket(QStringLiteral("a UDP encapsulation socket"));
    m_runtime->addBatchEnd(this, [this] { flushOutgoing(); });
}

UdpTransport::~UdpTransport()
{
    m_runtime->removeBatchEnd(this);
    flushOutgoing();
    for (auto& [key, peer] : m_peers)
        m_runtime->deregisterAddress(peer.get());
    delete m_notifier;
    if (m_fd >= 0)
        ::close(m_fd);
    if (m_engine)
        m_engine->closeNonSocket(m_descriptor);
}

Result<void> UdpTransport::bind(const QHostAddress& address, quint16 port)
{
    if (!m_engine)
        return Error { EBADF, QStringLiteral("the SCTP engine is gone.") };
    auto refuse = [&](int err, const QString& why) -> Result<void> {
        Error e { err, why };
        m_engine->journalError(e);
        return e;
    };
    if (m_fd >= 0)
        return refuse(EINVAL,
            QStringLiteral("this UDP encapsulation socket is already bound to %1: make another transport.").arg(m_ownLane));
    // QHostAddress::Any is "every address, IPv6 and IPv4": one IPv6 socket that also takes IPv4.
    const bool dual = address == QHostAddress::Any;
    const QHostAddress at = dual ? QHostAddress(QHostAddress::AnyIPv6) : address;
    const int family = at.protocol() == QAbstractSocket::IPv6Protocol ? AF_INET6
        : at.protocol() == QAbstractSocket::IPv4Protocol             ? AF_INET
                                                                      : AF_UNSPEC;
    sockaddr_storage ss;
    socklen_t length = 0;
    if (family == AF_UNSPEC || !toSockaddr(at, port, family, &ss, &length))
        return refuse(EADDRNOTAVAIL,
            QStringLiteral("cannot bind UDP for SCTP encapsulation: '%1' is not an IP address.").arg(address.toString()));
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && family == AF_INET6) {
        const int v6only = dual ? 0 : 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&ss), length) != 0) {
        const int err = errno;
        if (fd >= 0)
            ::close(fd);
        return refuse(err == EADDRINUSE || err == EACCES ? err : EADDRNOTAVAIL,
            QStringLiteral("cannot bind UDP %1 for SCTP encapsulation (%2): choose another address or port.")
                .arg(laneOf(at, port), QString::fromLocal8Bit(std::strerror(err))));
    }
    net::enlargeBuffers(fd);
    socklen_t boundLength = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &boundLength);
    m_fd = fd;
    m_family = family;
    m_localAddress = dual ? QHostAddress(QHostAddress::Any) : QHostAddress(reinterpret_cast<const sockaddr*>(&ss));
    m_localPort = portOf(ss);
    m_ownLane = laneOf(dual ? QHostAddress(QHostAddress::AnyIPv6) : m_localAddress, m_localPort);
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read);
    connect(m_notifier, &QSocketNotifier::activated, this, &UdpTransport::readDatagrams);
    return {};
}

QString UdpTransport::localHost() const { return m_fd >= 0 ? m_localAddress.toString() : QString(); }

UdpTransport::Peer* UdpTransport::peerFor(const QHostAddress& address, quint16 port)
{
    QHostAddress a = address;
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    if (ok)
        a = QHostAddress(v4); // a v4-mapped sender is the same peer as its v4 address
    auto key = std::make_pair(a.toString(), port);
    auto it = m_peers.find(key);
    if (it != m_peers.end())
        return it->second.get();
    auto peer = std::make_unique<Peer>();
    if (!toSockaddr(a, port, m_family, &peer->sa, &peer->saLength))
        return nullptr;
    peer->address = a;
    peer->port = port;
    peer->lane = laneOf(a, port);
    Peer* p = peer.get();
    m_peers[key] = std::move(peer);
    m_runtime->registerAddress(p, [this, p](const QByteArray& packet) {
        if (m_engine)
            m_engine->tap().observe(trace::Dir::Tx, p, packet, m_ownLane, p->lane, true);
        m_outgoing.push_back({ p, packet }); // sent at the end of the runtime's batch (flushOutgoing)
    });
    return p;
}

UdpTransport::Peer* UdpTransport::peerFrom(const sockaddr_storage& from)
{
    if (m_lastFrom && sameEndpoint(from, m_lastFrom->sa))
        return m_lastFrom;
    const QHostAddress address(reinterpret_cast<const sockaddr*>(&from));
    if (Peer* p = peerFor(address, portOf(from)))
        m_lastFrom = p;
    return m_lastFrom && sameEndpoint(from, m_lastFrom->sa) ? m_lastFrom : nullptr;
}

void UdpTransport::flushOutgoing()
{
    const std::size_t sent = net::sendDatagrams(m_fd, m_outgoing.size(), [this](std::size_t i) {
        const Outgoing& o = m_outgoing[i];
        return net::OutDatagram { o.packet.constData(), std::size_t(o.packet.size()),
            reinterpret_cast<const sockaddr*>(&o.peer->sa), o.peer->saLength };
    });
    // Refused (a full buffer, an unreachable peer) or the socket gone: dropped, as on any wire
    // (SCTP retransmits).
    m_sendErrors += m_outgoing.size() - sent;
    m_sent += sent;
    m_outgoing.clear(); // keeps its capacity
}

void* UdpTransport::peerHandle(const QString& host, QString* why)
{
    if (m_fd < 0) {
        if (why)
            *why = QStringLiteral("the UDP encapsulation socket is not bound");
        return nullptr;
    }
    QHostAddress address(host);
    if (address.isNull()) {
        const QHostInfo info = QHostInfo::fromName(host);
        if (info.addresses().isEmpty()) {
            if (why)
                *why = QStringLiteral("%1 does not resolve").arg(host);
            return nullptr;
        }
        address = info.addresses().first();
    }
    Peer* p = peerFor(address, m_peerUdpPort);
    if (!p && why)
        *why = QStringLiteral("%1 is not reachable from the UDP encapsulation socket bound to %2").arg(address.toString(), m_ownLane);
    return p;
}

QString UdpTransport::peerHost(void* handle, quint16) const
{
    for (const auto& [key, peer] : m_peers)
        if (peer.get() == handle)
            return peer->address.toString();
    return {};
}

void UdpTransport::readDatagrams()
{
    net::receiveDatagrams(m_fd, m_buffer, kBatch,
        [this](const char* data, std::size_t n, const sockaddr_storage& from, socklen_t, bool truncated) {
            if (truncated) {
                ++m_truncated;
                return;
            }
            Peer* p = peerFrom(from);
            if (!p)
                return;
            ++m_received;
            // Straight from the receive buffer, as usrsctp's own encapsulation does: the tap
            // journals a copy, and usrsctp reads it now (this runs from the event loop).
            if (m_engine)
                m_engine->tap().observeTransient(trace::Dir::Rx, p, QByteArray::fromRawData(data, qsizetype(n)), p->lane,
                    m_ownLane, true);
            if (n >= 12) // shorter is no SCTP packet (the journal shows it as malformed)
                m_runtime->inputNow(p, data, n);
        });
}

} // namespace ladder::sctp
