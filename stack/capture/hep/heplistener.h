// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/hep/hepingest.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

class QTcpServer;
class QTcpSocket;
class QUdpSocket;

namespace ladder::trace::hep {

// A HEP collector: a UDP socket (HEPv1/v2/v3, one packet per datagram) and/or a TCP server
// (HEPv3 frames delimited by their length field, any number per read, split anywhere), both
// handing what arrives to an Ingest. Runs on the event loop of the thread it lives in.
// Bind loopback unless the user names another address: HEP carries whole SIP messages.
class Listener : public QObject {
    Q_OBJECT
public:
    static constexpr quint16 kDefaultPort = 9060;

    explicit Listener(Ingest& ingest, QObject* parent = nullptr);
    ~Listener() override;

    bool listenUdp(const QHostAddress& address, quint16 port, QString* error);
    bool listenTcp(const QHostAddress& address, quint16 port, QString* error);
    // "udp:127.0.0.1:9060 tcp:127.0.0.1:9060" — what is bound (the port the kernel chose for 0).
    QString localDescription() const;
    quint16 udpPort() const;
    quint16 tcpPort() const;
    int connections() const { return int(m_streams.size()); }

signals:
    // After each read: the ingest's counts changed.
    void received();

private:
    void readUdp();
    void accept();
    void readTcp(QTcpSocket* s);

    Ingest& m_ingest;
    QUdpSocket* m_udp = nullptr;
    QTcpServer* m_tcp = nullptr;
    QHash<QTcpSocket*, Ingest::Stream> m_streams;
    QByteArray m_buffer;
};

// Wall-clock time now, ns since 1970.
qint64 wallClockNs();

} // namespace ladder::trace::hep
