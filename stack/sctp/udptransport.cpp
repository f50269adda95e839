// SPDX-License-Identifier: GPL-3.0-or-later
#include "udptransport.h"

#include "engine.h"
#include "runtime.h"

#include <QHostInfo>
#include <QNetworkDatagram>

#include <cerrno>

namespace ladder::sctp {

UdpTransport::UdpTransport(Engine& engine, QObject* parent)
    : QObject(parent)
    , m_engine(&engine)
    , m_runtime(Runtime::acquire())
{
    m_descriptor = engine.openNonSocket(QStringLiteral("a UDP encapsulation socket"));
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpTransport::readDatagrams);
}

UdpTransport::~UdpTransport()
{
    for (auto& [key, peer] : m_peers)
        m_runtime->deregisterAddress(peer.get());
    if (m_engine)
        m_engine->closeNonSocket(m_descriptor);
}

Result<void> UdpTransport::bind(const QHostAddress& address, quint16 port)
{
    if (!m_socket.bind(address, port)) {
        if (!m_engine)
            return Error { EBADF, QStringLiteral("the SCTP engine is gone.") };
        Error e { m_socket.error() == QAbstractSocket::AddressInUseError ? EADDRINUSE : EADDRNOTAVAIL,
            QStringLiteral("cannot bind UDP %1:%2 for SCTP encapsulation (%3): choose another address or port.")
                .arg(address.toString())
                .arg(port)
                .arg(m_socket.errorString()) };
        m_engine->journalError(e);
        return e;
    }
    return {};
}

QString UdpTransport::localHost() const { return m_socket.localAddress().toString(); }

QString UdpTransport::ownLane() const
{
    return QStringLiteral("%1:%2").arg(m_socket.localAddress().toString()).arg(m_socket.localPort());
}

QString UdpTransport::lane(const Peer& p) const
{
    if (p.address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(p.address.toString()).arg(p.port);
    return QStringLiteral("%1:%2").arg(p.address.toString()).arg(p.port);
}

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
    peer->address = a;
    peer->port = port;
    Peer* p = peer.get();
    m_peers[key] = std::move(peer);
    m_runtime->registerAddress(p, [this, p](const QByteArray& packet) {
        if (m_engine)
            m_engine->tap().observe(trace::Dir::Tx, p, packet, ownLane(), lane(*p), true);
        if (m_socket.writeDatagram(packet, p->address, p->port) >= 0)
            ++m_sent;
    });
    return p;
}

void* UdpTransport::peerHandle(const QString& host, QString* why)
{
    if (m_socket.state() != QAbstractSocket::BoundState) {
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
    return peerFor(address, m_peerUdpPort);
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
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram d = m_socket.receiveDatagram();
        if (!d.isValid())
            break;
        ++m_received;
        Peer* p = peerFor(d.senderAddress(), quint16(d.senderPort()));
        if (m_engine)
            m_engine->tap().observe(trace::Dir::Rx, p, d.data(), lane(*p), ownLane(), true);
        m_runtime->input(p, d.data());
    }
}

} // namespace ladder::sctp
