// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"
#include "transport.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <vector>

#include <sys/socket.h>

class QSocketNotifier;

namespace ladder::sctp {

class Engine;
class Runtime;

// Real mode: SCTP over UDP (RFC 6951) on a UDP socket of our own. Each remote UDP address (host
// and encapsulation port) is one AF_CONN address, so usrsctp's conn_output tells us where a packet
// goes; endpoints bind the wildcard and reach every peer. Interoperates with usrsctp's own
// encapsulation (usrsctp_init(9899), see tests/sctp/interop_peer.c).
//
// The socket is a plain non-blocking one, not a QUdpSocket: Qt's datagram path costs a peek for
// the size, a recvmsg with control messages and a QNetworkDatagram per packet, which over the
// loopback cost a third of a bulk transfer's time (bench_sctp_throughput --wire udp). Here a
// wake-up reads up to 16 datagrams per recvmmsg, the packets usrsctp hands over in one runtime
// batch go out in one sendmmsg, and the journal's lane names are built once per peer.
class UdpTransport : public QObject, public Transport {
    Q_OBJECT
public:
    static constexpr quint16 kDefaultPort = 9899;

    explicit UdpTransport(Engine& engine, QObject* parent = nullptr);
    ~UdpTransport() override;

    // Binds the UDP socket (loopback and 9899 by default; port 0 picks a free one). QHostAddress::Any
    // binds both IPv6 and IPv4; a transport binds once.
    Result<void> bind(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = kDefaultPort);
    quint16 udpPort() const { return m_localPort; }
    QHostAddress udpAddress() const { return m_localAddress; }
    // The UDP port peers are assumed to listen on when we send to them first (default 9899).
    void setPeerUdpPort(quint16 port) { m_peerUdpPort = port; }
    int descriptor() const { return m_descriptor; }
    quint64 datagramsSent() const { return m_sent; }
    quint64 datagramsReceived() const { return m_received; }
    // Datagrams the kernel refused to send (full buffer, unreachable) and ones received cut short
    // (larger than any SCTP packet): both are dropped, and SCTP retransmits.
    quint64 sendErrors() const { return m_sendErrors; }
    quint64 truncated() const { return m_truncated; }

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
        sockaddr_storage sa {}; // where its datagrams go
        socklen_t saLength = 0;
        QString lane; // "host:port", as the journal names it
    };
    Peer* peerFor(const QHostAddress& address, quint16 port);
    Peer* peerFrom(const sockaddr_storage& from); // the peer a datagram came from
    void readDatagrams();
    void flushOutgoing();

    QPointer<Engine> m_engine; // the engine may go first; then there is nothing to deregister
    std::shared_ptr<Runtime> m_runtime;
    int m_fd = -1;
    int m_family = AF_UNSPEC;
    QSocketNotifier* m_notifier = nullptr;
    QHostAddress m_localAddress;
    quint16 m_localPort = 0;
    QString m_ownLane;
    quint16 m_peerUdpPort = kDefaultPort;
    std::map<std::pair<QString, quint16>, std::unique_ptr<Peer>> m_peers;
    Peer* m_lastFrom = nullptr; // a bulk transfer's datagrams come from one peer after another
    QByteArray m_buffer; // recvmmsg's slots
    struct Outgoing {
        const Peer* peer;
        QByteArray packet;
    };
    std::vector<Outgoing> m_outgoing; // handed over by usrsctp in this runtime batch, not yet sent
    int m_descriptor = -1;
    quint64 m_sent = 0, m_received = 0, m_sendErrors = 0, m_truncated = 0;
};

} // namespace ladder::sctp
