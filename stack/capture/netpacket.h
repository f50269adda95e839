// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "endpoint.h"

#include <QByteArray>

#include <limits>

namespace ladder::trace::net {

// Builders for the IP, UDP, TCP and SCTP framing the pcapng exporter puts around journal bytes.
// Every length and checksum is filled in, so Wireshark sees well-formed packets.

enum : quint8 { ProtoTcp = 6, ProtoUdp = 17, ProtoSctp = 132 };
enum : quint8 { TcpFin = 0x01, TcpSyn = 0x02, TcpPsh = 0x08, TcpAck = 0x10 };

// Largest transport payload that still fits an IP packet's 16-bit length field.
constexpr int kMaxUdpPayload = 65535 - 20 - 8;

quint32 crc32c(const char* data, qsizetype len);
// Checks (and with fix, rewrites) the CRC32c of an SCTP common header. False if len < 12.
bool sctpChecksumValid(const QByteArray& packet);
QByteArray withSctpChecksum(QByteArray packet);

// An IPv4 or IPv6 packet (family from the endpoints; unify them first) around a transport segment
// whose checksum field is at checksumOffset (-1 = none) and gets the pseudo-header checksum.
QByteArray ipPacket(const NetEndpoint& src, const NetEndpoint& dst, quint8 proto, QByteArray segment,
    int checksumOffset, quint16 ipId);

QByteArray udpPacket(const NetEndpoint& src, const NetEndpoint& dst, const QByteArray& payload, quint16 ipId);
QByteArray tcpPacket(const NetEndpoint& src, const NetEndpoint& dst, quint32 seq, quint32 ack, quint8 flags,
    const QByteArray& payload, quint16 ipId);
// SCTP carried natively (IP protocol 132); the packet's own CRC32c is left as given.
QByteArray sctpNativePacket(const NetEndpoint& src, const NetEndpoint& dst, const QByteArray& sctp, quint16 ipId);

// One SCTP DATA chunk with B and E set, padded to 4 bytes.
QByteArray sctpDataChunk(quint32 tsn, quint16 stream, quint16 ssn, quint32 ppid, const QByteArray& payload);
// Common header (ports, tag) + chunks, with the CRC32c filled in.
QByteArray sctpPacket(quint16 srcPort, quint16 dstPort, quint32 vtag, const QByteArray& chunks);

inline void put16(QByteArray& b, int off, quint16 v)
{
    b[off] = char(v >> 8);
    b[off + 1] = char(v);
}
inline void put32(QByteArray& b, int off, quint32 v)
{
    b[off] = char(v >> 24);
    b[off + 1] = char(v >> 16);
    b[off + 2] = char(v >> 8);
    b[off + 3] = char(v);
}
// Saturating arithmetic for timestamps from untrusted files (overflow would be undefined).
inline qint64 satAdd(qint64 a, qint64 b)
{
    qint64 r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
    return r;
}
inline qint64 satMul(qint64 a, qint64 b)
{
    qint64 r;
    if (__builtin_mul_overflow(a, b, &r))
        return (a < 0) != (b < 0) ? std::numeric_limits<qint64>::min() : std::numeric_limits<qint64>::max();
    return r;
}

inline quint16 get16(const uchar* p) { return quint16((p[0] << 8) | p[1]); }
inline quint32 get32(const uchar* p) { return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3]; }

} // namespace ladder::trace::net
