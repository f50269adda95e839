// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"
#include "transport.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QUdpSocket>

#include <map>
#include <memory>

namespace ladder::sctp {

class Engine;
class Runtime;

// Real mode: SCTP over UDP (RFC 6951) on our own QUdpSocket. Each remote UDP address (host and
// encapsulation port) is one AF_CONN address, so usrsctp's conn_output tells us where a packet
// goes; endpoints bind the wildcard and reach every peer. Interoperates with usrsctp's own
// encapsulation (usrsctp_init(9899), see tests/sctp/interop_peer.c).
class UdpTransport : public QObject, public Transport {
    Q_OBJECT
public:
    static constexpr quint16 kDefaultPort = 9899;

    explicit UdpTransport(Engine& engine, QObject* parent = nullptr);
    ~UdpTransport() override;

    // Binds the UDP socket (loopback and 9899 by default; port 0 picks a free one).
    Result<void> bind(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = kDefaultPort);
    quint16 udpPort() const { return m_socket.localPort(); }
    QHostAddress udpAddress() const { return m_socket.localAddress(); }
    // The UDP port peers are assumed to listen on when we send to them first (default 9899).
    void setPeerUdpPort(quint16 port) { m_peerUdpPort = port; }
    int descriptor() const { return m_descriptor; }
    quint64 datagramsSent() const { return m_sent; }
    quint64 datagramsReceived() const { return m_received; }

    QString localHost() const override;
    void* bindHandle() const override { return nullptr; }
    void portBound(quint16) override { }
    void portReleased(quint16) override { }
    void* peerHandle(const QString& host, QString* why) override;
    QString peerHost(void* handle, quint16 peerPort) const override;
    bool outputQueueFull() const override { return false; }

private:
    struct Peer {
        QHostAddress address;
        quint16 port = 0;
    };
    Peer* peerFor(const QHostAddress& address, quint16 port);
    void readDatagrams();
    QString lane(const Peer& p) const;
    QString ownLane() const;

    QPointer<Engine> m_engine; // the engine may go first; then there is nothing to deregister
    std::shared_ptr<Runtime> m_runtime;
    QUdpSocket m_socket;
    quint16 m_peerUdpPort = kDefaultPort;
    std::map<std::pair<QString, quint16>, std::unique_ptr<Peer>> m_peers;
    int m_descriptor = -1;
    quint64 m_sent = 0, m_received = 0;
};

} // namespace ladder::sctp
