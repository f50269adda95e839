// SPDX-License-Identifier: GPL-3.0-or-later
#include "netpacket.h"

#include <array>

namespace ladder::trace::net {

namespace {
    constexpr std::array<quint32, 256> makeCrc32cTable()
    {
        std::array<quint32, 256> t {};
        for (quint32 i = 0; i < 256; ++i) {
            quint32 c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[i] = c;
        }
        return t;
    }
    constexpr auto kCrc32c = makeCrc32cTable();

    quint32 sumWords(const char* data, qsizetype len, quint32 sum)
    {
        const auto* p = reinterpret_cast<const uchar*>(data);
        qsizetype i = 0;
        for (; i + 1 < len; i += 2)
            sum += quint32((p[i] << 8) | p[i + 1]);
        if (i < len)
            sum += quint32(p[i] << 8);
        return sum;
    }

    quint16 fold(quint32 sum)
    {
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        return quint16(~sum);
    }
} // namespace

quint32 crc32c(const char* data, qsizetype len)
{
    quint32 crc = 0xffffffffu;
    for (qsizetype i = 0; i < len; ++i)
        crc = kCrc32c[(crc ^ quint8(data[i])) & 0xff] ^ (crc >> 8);
    return ~crc;
}

namespace {
    quint32 sctpCrcOf(const QByteArray& packet)
    {
        QByteArray copy = packet;
        put32(copy, 8, 0);
        return crc32c(copy.constData(), copy.size());
    }
    // RFC 4960 appendix B: the CRC is stored least significant byte first.
    quint32 storedCrc(const QByteArray& packet)
    {
        const auto* p = reinterpret_cast<const uchar*>(packet.constData()) + 8;
        return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
    }
} // namespace

bool sctpChecksumValid(const QByteArray& packet)
{
    return packet.size() >= 12 && storedCrc(packet) == sctpCrcOf(packet);
}

QByteArray withSctpChecksum(QByteArray packet)
{
    if (packet.size() < 12)
        return packet;
    const quint32 crc = sctpCrcOf(packet);
    packet[8] = char(crc);
    packet[9] = char(crc >> 8);
    packet[10] = char(crc >> 16);
    packet[11] = char(crc >> 24);
    return packet;
}

QByteArray ipPacket(const NetEndpoint& src, const NetEndpoint& dst, quint8 proto, QByteArray segment,
    int checksumOffset, quint16 ipId)
{
    const int segLen = int(segment.size());
    // Pseudo-header checksum (RFC 768/793 for IPv4, RFC 8200 8.1 for IPv6).
    if (checksumOffset >= 0 && checksumOffset + 2 <= segLen) {
        put16(segment, checksumOffset, 0);
        quint32 sum = 0;
        sum = sumWords(src.addr.constData(), src.addr.size(), sum);
        sum = sumWords(dst.addr.constData(), dst.addr.size(), sum);
        sum += proto;
        sum += quint32(segLen & 0xffff) + quint32(quint32(segLen) >> 16);
        sum = sumWords(segment.constData(), segLen, sum);
        quint16 c = fold(sum);
        if (c == 0 && proto == ProtoUdp)
            c = 0xffff; // 0 would mean "no checksum" for UDP
        put16(segment, checksumOffset, c);
    }
    QByteArray ip;
    if (!src.v6) {
        ip = QByteArray(20, '\0');
        ip[0] = char(0x45);
        put16(ip, 2, quint16(20 + segLen));
        put16(ip, 4, ipId);
        put16(ip, 6, 0x4000); // DF
        ip[8] = char(64);
        ip[9] = char(proto);
        memcpy(ip.data() + 12, src.addr.constData(), 4);
        memcpy(ip.data() + 16, dst.addr.constData(), 4);
        put16(ip, 10, fold(sumWords(ip.constData(), 20, 0)));
    } else {
        ip = QByteArray(40, '\0');
        ip[0] = char(0x60);
        put16(ip, 4, quint16(segLen));
        ip[6] = char(proto);
        ip[7] = char(64);
        memcpy(ip.data() + 8, src.addr.constData(), 16);
        memcpy(ip.data() + 24, dst.addr.constData(), 16);
    }
    return ip + segment;
}

QByteArray udpPacket(const NetEndpoint& src, const NetEndpoint& dst, const QByteArray& payload, quint16 ipId)
{
    QByteArray udp(8, '\0');
    put16(udp, 0, src.port);
    put16(udp, 2, dst.port);
    put16(udp, 4, quint16(8 + payload.size()));
    return ipPacket(src, dst, ProtoUdp, udp + payload, 6, ipId);
}

QByteArray tcpPacket(const NetEndpoint& src, const NetEndpoint& dst, quint32 seq, quint32 ack, quint8 flags,
    const QByteArray& payload, quint16 ipId)
{
    QByteArray tcp(20, '\0');
    put16(tcp, 0, src.port);
    put16(tcp, 2, dst.port);
    put32(tcp, 4, seq);
    put32(tcp, 8, (flags & TcpAck) ? ack : 0);
    tcp[12] = char(5 << 4);
    tcp[13] = char(flags);
    put16(tcp, 14, 65535);
    return ipPacket(src, dst, ProtoTcp, tcp + payload, 16, ipId);
}

QByteArray sctpNativePacket(const NetEndpoint& src, const NetEndpoint& dst, const QByteArray& sctp, quint16 ipId)
{
    return ipPacket(src, dst, ProtoSctp, sctp, -1, ipId);
}

QByteArray sctpDataChunk(quint32 tsn, quint16 stream, quint16 ssn, quint32 ppid, const QByteArray& payload)
{
    QByteArray c(16, '\0');
    c[0] = 0; // DATA
    c[1] = 0x03; // B|E: the whole message in one chunk
    put16(c, 2, quint16(16 + payload.size()));
    put32(c, 4, tsn);
    put16(c, 8, stream);
    put16(c, 10, ssn);
    put32(c, 12, ppid);
    c += payload;
    while (c.size() % 4)
        c.append('\0');
    return c;
}

QByteArray sctpPacket(quint16 srcPort, quint16 dstPort, quint32 vtag, const QByteArray& chunks)
{
    QByteArray h(12, '\0');
    put16(h, 0, srcPort);
    put16(h, 2, dstPort);
    put32(h, 4, vtag);
    return withSctpChecksum(h + chunks);
}

} // namespace ladder::trace::net
