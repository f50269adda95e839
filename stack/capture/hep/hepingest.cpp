// SPDX-License-Identifier: GPL-3.0-or-later
#include "hepingest.h"

#include "capture/endpoint.h"
#include "capture/live/pipeline.h"
#include "capture/netpacket.h"

namespace ladder::trace::hep {

namespace {
    constexpr qsizetype kMaxFlows = 100000; // sequence counters kept; beyond, flows start again at 1
    // The largest payload that fits an IPv4 packet with a TCP header or an SCTP DATA chunk.
    constexpr qsizetype kMaxPayload = 65535 - 20 - 12 - 16 - 3;
}

Ingest::Ingest(CapturePipeline& pipeline)
    : m_pipeline(pipeline)
{
}

void Ingest::problem(const QString& text)
{
    if (m_problem)
        m_problem(text);
}

void Ingest::datagram(const uchar* data, qsizetype size, qint64 arrivalNs, const QString& from)
{
    const DecodeResult r = decode(data, size);
    if (!r.ok) {
        ++m_stats.malformed;
        m_pipeline.countIgnored();
        problem(QStringLiteral("%1: %2").arg(from, r.error));
        return;
    }
    packet(r.packet, arrivalNs, from);
}

bool Ingest::stream(Stream& s, const char* data, qsizetype size, qint64 arrivalNs, const QString& from)
{
    if (s.broken)
        return false;
    s.buffer.append(data, size);
    qsizetype off = 0;
    while (off < s.buffer.size()) {
        const auto* d = reinterpret_cast<const uchar*>(s.buffer.constData()) + off;
        const qsizetype left = s.buffer.size() - off;
        QString error;
        const qsizetype len = frameLength(d, left, &error);
        if (len < 0) {
            ++m_stats.malformed;
            m_pipeline.countIgnored();
            problem(QStringLiteral("%1: %2; closing the connection").arg(from, error));
            s.broken = true;
            s.buffer.clear();
            return false;
        }
        if (len == 0 || len > left)
            break; // the rest of the frame is still on its way
        const DecodeResult r = decode(d, len);
        if (r.ok) {
            packet(r.packet, arrivalNs, from);
        } else {
            ++m_stats.malformed;
            m_pipeline.countIgnored();
            problem(QStringLiteral("%1: %2").arg(from, r.error));
        }
        off += len;
    }
    s.buffer.remove(0, off);
    return true;
}

bool Ingest::packet(const Packet& p, qint64 arrivalNs, const QString& from)
{
    ++m_stats.packets;
    if (!m_authKey.isEmpty() && p.authKey != m_authKey) {
        ++m_stats.refused;
        m_pipeline.countIgnored();
        problem(QStringLiteral("%1: HEP packet refused: %2 authentication key")
                    .arg(from, p.authKey.isEmpty() ? QStringLiteral("no") : QStringLiteral("a wrong")));
        return false;
    }
    CapturedPacket c;
    QString why;
    if (!toCaptured(p, arrivalNs, &c, &why)) {
        ++m_stats.notSip;
        m_pipeline.countIgnored();
        if (!why.isEmpty())
            problem(QStringLiteral("%1: %2").arg(from, why));
        return false;
    }
    ++m_stats.fed;
    m_pipeline.feed(c);
    return true;
}

bool Ingest::toCaptured(const Packet& p, qint64 arrivalNs, CapturedPacket* out, QString* why)
{
    if (p.payload.isEmpty())
        return false; // a keep-alive, or nothing captured: nothing to say about it
    if (p.protoType != ProtoTypeSip && p.protoType != 0) {
        *why = QStringLiteral("HEP protocol type %1 is not SIP (1); skipped").arg(p.protoType);
        return false;
    }
    if (p.srcAddr.isEmpty() || p.srcAddr.size() != p.dstAddr.size()) {
        *why = QStringLiteral("HEP packet without a source and destination address of one family; skipped");
        return false;
    }
    if (p.payload.size() > kMaxPayload) {
        *why = QStringLiteral("a payload of %1 bytes does not fit an IP packet with its headers; skipped").arg(p.payload.size());
        return false;
    }
    NetEndpoint src, dst;
    src.v6 = dst.v6 = p.srcAddr.size() == 16;
    src.addr = p.srcAddr;
    dst.addr = p.dstAddr;
    src.port = p.srcPort;
    dst.port = p.dstPort;
    QByteArray key = p.srcAddr + p.dstAddr;
    key.append(char(p.srcPort >> 8)).append(char(p.srcPort)).append(char(p.dstPort >> 8)).append(char(p.dstPort));
    key.append(char(p.ipProto));
    if (m_next.size() >= kMaxFlows && !m_next.contains(key))
        m_next.clear();
    switch (p.ipProto) {
    case net::ProtoUdp:
        m_frame = net::udpPacket(src, dst, p.payload, 0);
        break;
    case net::ProtoTcp: {
        quint32& seq = m_next[key];
        if (seq == 0)
            seq = 1;
        m_frame = net::tcpPacket(src, dst, seq, 0, net::TcpPsh, p.payload, 0);
        seq += quint32(p.payload.size());
        break;
    }
    case net::ProtoSctp: {
        quint32& tsn = m_next[key];
        ++tsn;
        const QByteArray chunk = net::sctpDataChunk(tsn, 0, quint16(tsn - 1), 0, p.payload);
        m_frame = net::sctpNativePacket(src, dst, net::sctpPacket(p.srcPort, p.dstPort, 0, chunk), 0);
        break;
    }
    default:
        *why = QStringLiteral("HEP packet of IP protocol %1 (not UDP, TCP or SCTP); skipped").arg(p.ipProto);
        return false;
    }
    out->linktype = 101;
    out->timeNs = p.tsSec || p.tsUsec ? p.timeNs() : arrivalNs;
    out->data = reinterpret_cast<const uchar*>(m_frame.constData());
    out->size = m_frame.size();
    const QString agent = describeAgent(p);
    out->note = QStringLiteral("HEPv%1%2").arg(p.version).arg(agent.isEmpty() ? QString() : QLatin1Char(' ') + agent);
    return true;
}

} // namespace ladder::trace::hep
