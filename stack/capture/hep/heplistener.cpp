// SPDX-License-Identifier: GPL-3.0-or-later
#include "heplistener.h"

#include "capture/endpoint.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QUdpSocket>

#include <chrono>

namespace ladder::trace::hep {

namespace {
    QString peerName(const QHostAddress& a, quint16 port)
    {
        bool v4 = false;
        const quint32 ip4 = a.toIPv4Address(&v4);
        if (v4) {
            const char b[4] = { char(ip4 >> 24), char(ip4 >> 16), char(ip4 >> 8), char(ip4) };
            return formatEndpoint(QByteArray(b, 4), port);
        }
        const Q_IPV6ADDR ip6 = a.toIPv6Address();
        return formatEndpoint(QByteArray(reinterpret_cast<const char*>(ip6.c), 16), port);
    }
} // namespace

qint64 wallClockNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Listener::Listener(Ingest& ingest, QObject* parent)
    : QObject(parent)
    , m_ingest(ingest)
{
}

Listener::~Listener() = default;

bool Listener::listenUdp(const QHostAddress& address, quint16 port, QString* error)
{
    auto* s = new QUdpSocket(this);
    if (!s->bind(address, port)) {
        if (error)
            *error = QStringLiteral("cannot bind udp:%1: %2").arg(peerName(address, port), s->errorString());
        delete s;
        return false;
    }
    // Bursts from a busy proxy: ask for a larger receive buffer than the default.
    s->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
    m_udp = s;
    connect(s, &QUdpSocket::readyRead, this, &Listener::readUdp);
    return true;
}

bool Listener::listenTcp(const QHostAddress& address, quint16 port, QString* error)
{
    auto* s = new QTcpServer(this);
    if (!s->listen(address, port)) {
        if (error)
            *error = QStringLiteral("cannot listen on tcp:%1: %2").arg(peerName(address, port), s->errorString());
        delete s;
        return false;
    }
    m_tcp = s;
    connect(s, &QTcpServer::newConnection, this, &Listener::accept);
    return true;
}

quint16 Listener::udpPort() const { return m_udp ? m_udp->localPort() : 0; }
quint16 Listener::tcpPort() const { return m_tcp ? m_tcp->serverPort() : 0; }

QString Listener::localDescription() const
{
    QStringList parts;
    if (m_udp)
        parts << QStringLiteral("udp:") + peerName(m_udp->localAddress(), m_udp->localPort());
    if (m_tcp)
        parts << QStringLiteral("tcp:") + peerName(m_tcp->serverAddress(), m_tcp->serverPort());
    return parts.join(QLatin1Char(' '));
}

void Listener::readUdp()
{
    bool any = false;
    while (m_udp->hasPendingDatagrams()) {
        const qint64 size = m_udp->pendingDatagramSize();
        m_buffer.resize(std::max<qint64>(size, 1));
        QHostAddress from;
        quint16 port = 0;
        const qint64 n = m_udp->readDatagram(m_buffer.data(), m_buffer.size(), &from, &port);
        if (n < 0)
            break;
        m_ingest.datagram(reinterpret_cast<const uchar*>(m_buffer.constData()), qsizetype(n), wallClockNs(),
            QStringLiteral("udp:") + peerName(from, port));
        any = true;
    }
    if (any)
        emit received();
}

void Listener::accept()
{
    while (QTcpSocket* s = m_tcp->nextPendingConnection()) {
        m_streams.insert(s, {});
        connect(s, &QTcpSocket::readyRead, this, [this, s] { readTcp(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            readTcp(s);
            m_streams.remove(s);
            s->deleteLater();
        });
    }
}

void Listener::readTcp(QTcpSocket* s)
{
    auto it = m_streams.find(s);
    if (it == m_streams.end())
        return;
    const QString from = QStringLiteral("tcp:") + peerName(s->peerAddress(), s->peerPort());
    bool any = false;
    while (s->bytesAvailable() > 0) {
        const QByteArray chunk = s->read(64 * 1024);
        if (chunk.isEmpty())
            break;
        any = true;
        if (!m_ingest.stream(*it, chunk.constData(), chunk.size(), wallClockNs(), from)) {
            s->abort();
            break;
        }
    }
    if (any)
        emit received();
}

} // namespace ladder::trace::hep
