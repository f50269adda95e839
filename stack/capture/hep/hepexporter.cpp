// SPDX-License-Identifier: GPL-3.0-or-later
#include "hepexporter.h"

#include "capture/endpoint.h"

#include <QCryptographicHash>
#include <QMutexLocker>
#include <QPointer>
#include <QTcpSocket>
#include <QUdpSocket>

namespace ladder::trace::hep {

namespace {
    constexpr qint64 kMirrorWindowNs = 5'000'000'000; // a received copy of an own send comes within this

    // A message by its ends and bytes: a Tx from A to B and its copy received at B (an Rx from A to
    // B) have the same digest.
    QByteArray digest(const Event& e)
    {
        QCryptographicHash h(QCryptographicHash::Sha1);
        h.addData(e.from.toUtf8());
        h.addData("|");
        h.addData(e.to.toUtf8());
        h.addData("|");
        h.addData(e.raw);
        return h.result();
    }
}

bool parseTarget(const QString& text, ExportOptions* options, QString* error)
{
    QString rest = text.trimmed();
    bool tcp = false;
    if (rest.startsWith(QLatin1String("tcp:"))) {
        tcp = true;
        rest = rest.mid(4);
    } else if (rest.startsWith(QLatin1String("udp:"))) {
        rest = rest.mid(4);
    }
    const qsizetype colon = rest.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? rest.left(colon) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = colon > 0 ? rest.mid(colon + 1).toUInt(&ok) : 0;
    const QHostAddress address(host);
    if (!ok || port == 0 || port > 65535 || address.isNull()) {
        if (error)
            *error = QStringLiteral("'%1' is not [udp:|tcp:]HOST:PORT with HOST an IP address").arg(text);
        return false;
    }
    options->address = address;
    options->port = quint16(port);
    options->tcp = tcp;
    return true;
}

bool packetFor(const Event& e, qint64 epochNs, const ExportOptions& options, Packet* out)
{
    if ((e.kind != Kind::SipMessage && e.kind != Kind::SipRetransmission) || e.raw.isEmpty())
        return false;
    NetEndpoint src = parseEndpoint(e.from, 5060);
    NetEndpoint dst = parseEndpoint(e.to, 5060);
    unifyFamilies(src, dst);
    Packet p;
    p.family = src.v6 ? FamilyInet6 : FamilyInet;
    switch (e.b) {
    case 0: p.ipProto = 17; break;
    case 2: p.ipProto = 132; break;
    default: p.ipProto = 6; break; // TCP, and TLS and WebSocket over it
    }
    p.srcAddr = src.addr;
    p.dstAddr = dst.addr;
    p.srcPort = src.port;
    p.dstPort = dst.port;
    const qint64 ns = epochNs + e.timeNs;
    p.tsSec = quint32(ns / 1'000'000'000);
    p.tsUsec = quint32((ns % 1'000'000'000) / 1000);
    p.protoType = ProtoTypeSip;
    p.hasAgentId = true;
    p.agentId = options.agentId;
    p.agentName = options.agentName;
    p.authKey = options.authKey;
    p.payload = e.raw;
    *out = std::move(p);
    return true;
}

Exporter::Exporter(QObject* parent)
    : QObject(parent)
{
}

Exporter::~Exporter() { stop(); }

QString Exporter::description() const
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(m_options.address.toString())
        : m_options.address.toString();
    return QStringLiteral("%1:%2:%3").arg(m_options.tcp ? QStringLiteral("tcp") : QStringLiteral("udp"), host).arg(m_options.port);
}

bool Exporter::start(const ExportOptions& options, QString* error)
{
    stop();
    m_options = options;
    if (options.tcp) {
        m_tcp = new QTcpSocket(this);
        connect(m_tcp, &QTcpSocket::connected, this, [this] {
            m_failedReported = false;
            sendQueued();
        });
        connect(m_tcp, &QTcpSocket::bytesWritten, this, [this] { sendQueued(); });
        connect(m_tcp, &QTcpSocket::errorOccurred, this, [this] {
            const QString why = QStringLiteral("HEP collector %1: %2").arg(description(), m_tcp->errorString());
            {
                QMutexLocker lock(&m_mutex);
                m_stats.lastError = why;
            }
            if (!m_failedReported) {
                m_failedReported = true;
                emit failed(why);
            }
        });
        connect(m_tcp, &QTcpSocket::disconnected, this, [this] {
            // Try again in a second; what is offered meanwhile waits (bounded).
            QPointer<Exporter> self(this);
            QMetaObject::invokeMethod(this, [self] {
                if (self && self->m_tcp && self->m_tcp->state() == QAbstractSocket::UnconnectedState)
                    self->connectTcp();
            }, Qt::QueuedConnection);
        });
        connectTcp();
    } else {
        m_udp = new QUdpSocket(this);
        const QHostAddress any = options.address.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress::AnyIPv6
                                                                                             : QHostAddress::AnyIPv4;
        if (!m_udp->bind(any, 0)) {
            if (error)
                *error = QStringLiteral("HEP: cannot open a UDP socket: %1").arg(m_udp->errorString());
            delete m_udp;
            m_udp = nullptr;
            return false;
        }
    }
    return true;
}

void Exporter::connectTcp()
{
    if (m_tcp)
        m_tcp->connectToHost(m_options.address, m_options.port);
}

void Exporter::stop()
{
    flush();
    delete m_udp;
    m_udp = nullptr;
    if (m_tcp) {
        m_tcp->disconnect(this);
        m_tcp->abort();
        delete m_tcp;
        m_tcp = nullptr;
    }
    QMutexLocker lock(&m_mutex);
    m_stats.dropped += m_queue.size();
    m_queue.clear();
}

void Exporter::offer(const Event& e, qint64 epochNs)
{
    Packet p;
    if (!packetFor(e, epochNs, m_options, &p))
        return;
    QMutexLocker lock(&m_mutex);
    ++m_stats.offered;
    // Both ends in one journal (the lab): the receiving end's copy of a message sent here is the
    // same packet on the wire, mirrored once.
    const qint64 now = e.timeNs;
    if (m_sentDigests.size() > 20000)
        for (auto it = m_sentDigests.begin(); it != m_sentDigests.end();)
            it = now - it.value() > kMirrorWindowNs ? m_sentDigests.erase(it) : std::next(it);
    if (e.dir == Dir::Tx) {
        m_sentDigests.insert(digest(e), now);
    } else if (e.dir == Dir::Rx) {
        const auto it = m_sentDigests.constFind(digest(e));
        if (it != m_sentDigests.constEnd() && now - it.value() <= kMirrorWindowNs && now >= it.value()) {
            ++m_stats.mirrors;
            return;
        }
    }
    QByteArray bytes;
    QString why;
    if (!encode(p, &bytes, &why)) {
        ++m_stats.dropped;
        m_stats.lastError = why;
        return;
    }
    if (int(m_queue.size()) >= m_options.maxQueued) {
        ++m_stats.dropped;
        return;
    }
    m_queue.push_back(std::move(bytes));
    if (!m_wakePending) {
        m_wakePending = true;
        QMetaObject::invokeMethod(this, &Exporter::sendQueued, Qt::QueuedConnection);
    }
}

void Exporter::flush() { sendQueued(); }

void Exporter::sendQueued()
{
    std::deque<QByteArray> batch;
    {
        QMutexLocker lock(&m_mutex);
        m_wakePending = false;
        if (m_tcp && m_tcp->state() != QAbstractSocket::ConnectedState)
            return; // kept until connected
        if (m_tcp && m_tcp->bytesToWrite() > 4 * 1024 * 1024)
            return; // the collector is slow: wait for bytesWritten
        batch.swap(m_queue);
    }
    quint64 sent = 0, dropped = 0;
    QString error;
    for (const QByteArray& b : batch) {
        const qint64 n = m_udp ? m_udp->writeDatagram(b, m_options.address, m_options.port)
                       : m_tcp ? m_tcp->write(b)
                               : -1;
        if (n == b.size()) {
            ++sent;
        } else {
            ++dropped;
            error = m_udp ? m_udp->errorString() : m_tcp ? m_tcp->errorString() : QStringLiteral("not started");
        }
    }
    QMutexLocker lock(&m_mutex);
    m_stats.sent += sent;
    m_stats.dropped += dropped;
    if (!error.isEmpty())
        m_stats.lastError = QStringLiteral("HEP collector %1: %2").arg(description(), error);
}

Exporter::Stats Exporter::stats() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats;
}

} // namespace ladder::trace::hep
