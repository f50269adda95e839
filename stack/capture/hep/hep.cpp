// SPDX-License-Identifier: GPL-3.0-or-later
#include "hep.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace ladder::trace::hep {

namespace {
    quint16 be16(const uchar* p) { return quint16((p[0] << 8) | p[1]); }
    quint32 be32(const uchar* p) { return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3]; }
    quint16 le16(const uchar* p) { return quint16(p[0] | (p[1] << 8)); }
    quint32 le32(const uchar* p) { return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24); }

    QString hex16(quint16 v) { return QStringLiteral("0x%1").arg(v, 4, 16, QLatin1Char('0')); }

    const char* chunkName(quint16 type)
    {
        switch (type) {
        case 0x01: return "IP family";
        case 0x02: return "IP protocol";
        case 0x03: return "IPv4 source";
        case 0x04: return "IPv4 destination";
        case 0x05: return "IPv6 source";
        case 0x06: return "IPv6 destination";
        case 0x07: return "source port";
        case 0x08: return "destination port";
        case 0x09: return "time (seconds)";
        case 0x0a: return "time (microseconds)";
        case 0x0b: return "protocol type";
        case 0x0c: return "capture agent id";
        case 0x0d: return "keep-alive timer";
        case 0x0e: return "authentication key";
        case 0x0f: return "payload";
        case 0x10: return "compressed payload";
        case 0x11: return "correlation id";
        case 0x12: return "VLAN id";
        case 0x13: return "capture agent name";
        }
        return "chunk";
    }

    // Value size of the fixed-size generic chunk types, 0 for octet strings and unknown types.
    int fixedSize(quint16 type)
    {
        switch (type) {
        case 0x01:
        case 0x02:
        case 0x0b: return 1;
        case 0x07:
        case 0x08:
        case 0x0d:
        case 0x12: return 2;
        case 0x03:
        case 0x04:
        case 0x09:
        case 0x0a:
        case 0x0c: return 4;
        case 0x05:
        case 0x06: return 16;
        }
        return 0;
    }

    bool isHep3(const uchar* d)
    {
        return (d[0] == 'H' || d[0] == 'E') && d[1] == 'E' && d[2] == 'P' && d[3] == '3';
    }

    DecodeResult decodeV3(const uchar* d, qsizetype n)
    {
        DecodeResult r;
        Packet& p = r.packet;
        p.version = 3;
        const qsizetype total = be16(d + 4);
        if (total < 6) {
            r.error = QStringLiteral("HEP3 total length %1 is less than its own 6-byte header").arg(total);
            return r;
        }
        if (total != n) {
            r.error = total > n ? QStringLiteral("HEP3 packet truncated: its header says %1 bytes, %2 arrived").arg(total).arg(n)
                                : QStringLiteral("HEP3 header says %1 bytes but %2 arrived").arg(total).arg(n);
            return r;
        }
        for (qsizetype off = 6; off < total;) {
            if (total - off < 6) {
                r.error = QStringLiteral("HEP3 chunk header truncated at offset %1 (%2 bytes left, a header takes 6)")
                              .arg(off)
                              .arg(total - off);
                return r;
            }
            const quint16 vendor = be16(d + off), type = be16(d + off + 2);
            const qsizetype len = be16(d + off + 4);
            if (len < 6) {
                r.error = QStringLiteral("HEP3 chunk %1/%2 at offset %3 has length %4, less than its 6-byte header")
                              .arg(hex16(vendor), hex16(type))
                              .arg(off)
                              .arg(len);
                return r;
            }
            if (len > total - off) {
                r.error = QStringLiteral("HEP3 chunk %1/%2 at offset %3 claims %4 bytes, only %5 left in the packet")
                              .arg(hex16(vendor), hex16(type))
                              .arg(off)
                              .arg(len)
                              .arg(total - off);
                return r;
            }
            const uchar* v = d + off + 6;
            const qsizetype vn = len - 6;
            off += len;
            if (vendor != 0) {
                ++p.vendorChunks;
                continue;
            }
            const int fixed = fixedSize(type);
            if (fixed && vn != fixed) {
                r.error = QStringLiteral("HEP3 chunk %1 (%2) at offset %3 must hold %4 byte(s), holds %5")
                              .arg(hex16(type), QLatin1String(chunkName(type)))
                              .arg(off - len)
                              .arg(fixed)
                              .arg(vn);
                return r;
            }
            const QByteArray bytes(reinterpret_cast<const char*>(v), vn);
            switch (type) {
            case 0x01: p.family = v[0]; break;
            case 0x02: p.ipProto = v[0]; break;
            case 0x03:
            case 0x05: p.srcAddr = bytes; break;
            case 0x04:
            case 0x06: p.dstAddr = bytes; break;
            case 0x07: p.srcPort = be16(v); break;
            case 0x08: p.dstPort = be16(v); break;
            case 0x09: p.tsSec = be32(v); break;
            case 0x0a: p.tsUsec = be32(v); break;
            case 0x0b: p.protoType = v[0]; break;
            case 0x0c:
                p.hasAgentId = true;
                p.agentId = be32(v);
                break;
            case 0x0d:
                p.hasKeepAlive = true;
                p.keepAliveSec = be16(v);
                break;
            case 0x0e: p.authKey = bytes; break;
            case 0x0f: p.payload = bytes; break;
            case 0x10:
                r.error = QStringLiteral("HEP3 chunk 0x0010 (compressed payload) is not supported: "
                                         "turn payload compression off at the sender");
                return r;
            case 0x11: p.correlationId = bytes; break;
            case 0x12:
                p.hasVlan = true;
                p.vlan = be16(v);
                break;
            case 0x13: p.agentName = bytes; break;
            default: ++p.skippedChunks; break;
            }
        }
        r.ok = true;
        return r;
    }

    DecodeResult decodeV12(const uchar* d, qsizetype n)
    {
        DecodeResult r;
        Packet& p = r.packet;
        p.version = d[0];
        if (n < 8) {
            r.error = QStringLiteral("HEPv%1 header truncated: %2 bytes, the fixed part takes 8").arg(p.version).arg(n);
            return r;
        }
        const qsizetype hl = d[1];
        p.family = d[2];
        p.ipProto = d[3];
        p.srcPort = be16(d + 4);
        p.dstPort = be16(d + 6);
        int alen = 0;
        if (p.family == FamilyInet)
            alen = 4;
        else if (p.family == FamilyInet6)
            alen = 16;
        else {
            r.error = QStringLiteral("HEPv%1 address family %2 is neither AF_INET (2) nor AF_INET6 (10)").arg(p.version).arg(p.family);
            return r;
        }
        if (hl != 8 + 2 * alen) {
            r.error = QStringLiteral("HEPv%1 header length %2 does not match an %3 header (%4 bytes)")
                          .arg(p.version)
                          .arg(hl)
                          .arg(alen == 4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6"))
                          .arg(8 + 2 * alen);
            return r;
        }
        const qsizetype timeLen = p.version == 2 ? 12 : 0;
        if (n < hl + timeLen) {
            r.error = QStringLiteral("HEPv%1 header truncated: %2 bytes, the header takes %3").arg(p.version).arg(n).arg(hl + timeLen);
            return r;
        }
        p.srcAddr = QByteArray(reinterpret_cast<const char*>(d + 8), alen);
        p.dstAddr = QByteArray(reinterpret_cast<const char*>(d + 8 + alen), alen);
        if (p.version == 2) {
            const uchar* t = d + hl;
            // The sender's own byte order; little-endian unless that cannot be a microsecond count.
            const bool big = le32(t + 4) >= 1000000 && be32(t + 4) < 1000000;
            p.tsSec = big ? be32(t) : le32(t);
            p.tsUsec = big ? be32(t + 4) : le32(t + 4);
            p.hasAgentId = true;
            p.agentId = big ? be16(t + 8) : le16(t + 8);
        }
        p.payload = QByteArray(reinterpret_cast<const char*>(d + hl + timeLen), n - hl - timeLen);
        r.ok = true;
        return r;
    }

    void putChunk(QByteArray& out, quint16 type, const char* v, qsizetype n)
    {
        const qsizetype len = 6 + n;
        const char h[6] = { 0, 0, char(type >> 8), char(type), char(len >> 8), char(len) };
        out.append(h, 6);
        out.append(v, n);
    }
    void put8(QByteArray& out, quint16 type, quint8 v)
    {
        const char b = char(v);
        putChunk(out, type, &b, 1);
    }
    void put16(QByteArray& out, quint16 type, quint16 v)
    {
        const char b[2] = { char(v >> 8), char(v) };
        putChunk(out, type, b, 2);
    }
    void put32(QByteArray& out, quint16 type, quint32 v)
    {
        const char b[4] = { char(v >> 24), char(v >> 16), char(v >> 8), char(v) };
        putChunk(out, type, b, 4);
    }
    void putBytes(QByteArray& out, quint16 type, const QByteArray& b) { putChunk(out, type, b.constData(), b.size()); }
} // namespace

bool Packet::sameFields(const Packet& o) const
{
    return family == o.family && ipProto == o.ipProto && srcAddr == o.srcAddr && dstAddr == o.dstAddr
        && srcPort == o.srcPort && dstPort == o.dstPort && tsSec == o.tsSec && tsUsec == o.tsUsec
        && protoType == o.protoType && hasAgentId == o.hasAgentId && agentId == o.agentId && authKey == o.authKey
        && correlationId == o.correlationId && agentName == o.agentName && hasVlan == o.hasVlan && vlan == o.vlan
        && hasKeepAlive == o.hasKeepAlive && keepAliveSec == o.keepAliveSec && payload == o.payload;
}

DecodeResult decode(const uchar* data, qsizetype size)
{
    if (!data || size < 1) {
        DecodeResult r;
        r.error = QStringLiteral("empty HEP packet");
        return r;
    }
    if (size >= 6 && isHep3(data))
        return decodeV3(data, size);
    if (data[0] == 1 || data[0] == 2)
        return decodeV12(data, size);
    DecodeResult r;
    if (size >= 4 && isHep3(data))
        r.error = QStringLiteral("HEP3 header truncated: %1 bytes, it takes 6").arg(size);
    else
        r.error = QStringLiteral("not HEP: a packet starts with \"HEP3\", \"EEP3\" or version 1 or 2, this one with 0x%1")
                      .arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(data), std::min<qsizetype>(size, 4)).toHex()));
    return r;
}

qsizetype frameLength(const uchar* data, qsizetype size, QString* error)
{
    const qsizetype have = std::min<qsizetype>(size, 4);
    static const char magicH[4] = { 'H', 'E', 'P', '3' }, magicE[4] = { 'E', 'E', 'P', '3' };
    if (memcmp(data, magicH, size_t(have)) != 0 && memcmp(data, magicE, size_t(have)) != 0) {
        if (error)
            *error = QStringLiteral("not a HEPv3 stream: a frame starts with \"HEP3\" or \"EEP3\", this one with 0x%1 "
                                    "(HEPv1/v2 come only in datagrams)")
                         .arg(QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(data), have).toHex()));
        return -1;
    }
    if (size < 6)
        return 0;
    const qsizetype total = be16(data + 4);
    if (total < 6) {
        if (error)
            *error = QStringLiteral("HEP3 frame length %1 is less than its own 6-byte header").arg(total);
        return -1;
    }
    return total;
}

bool encode(const Packet& p, QByteArray* out, QString* error)
{
    for (const QByteArray* a : { &p.srcAddr, &p.dstAddr }) {
        if (!a->isEmpty() && a->size() != 4 && a->size() != 16) {
            if (error)
                *error = QStringLiteral("an address of %1 bytes is neither IPv4 (4) nor IPv6 (16)").arg(a->size());
            return false;
        }
    }
    QByteArray b;
    b.reserve(80 + p.payload.size() + p.authKey.size() + p.correlationId.size() + p.agentName.size());
    b.append("HEP3\0\0", 6);
    put8(b, 0x01, p.family);
    put8(b, 0x02, p.ipProto);
    if (!p.srcAddr.isEmpty())
        putBytes(b, p.srcAddr.size() == 4 ? 0x03 : 0x05, p.srcAddr);
    if (!p.dstAddr.isEmpty())
        putBytes(b, p.dstAddr.size() == 4 ? 0x04 : 0x06, p.dstAddr);
    put16(b, 0x07, p.srcPort);
    put16(b, 0x08, p.dstPort);
    put32(b, 0x09, p.tsSec);
    put32(b, 0x0a, p.tsUsec);
    put8(b, 0x0b, p.protoType);
    if (p.hasAgentId)
        put32(b, 0x0c, p.agentId);
    if (p.hasKeepAlive)
        put16(b, 0x0d, p.keepAliveSec);
    const std::pair<quint16, const QByteArray*> strings[] = { { 0x0e, &p.authKey }, { 0x11, &p.correlationId },
        { 0x13, &p.agentName } };
    for (const auto& [type, bytes] : strings) {
        if (bytes->isEmpty())
            continue;
        if (bytes->size() > kMaxFrame - 6) {
            if (error)
                *error = QStringLiteral("HEP3 chunk %1 (%2) would exceed 65535 bytes").arg(hex16(type), QLatin1String(chunkName(type)));
            return false;
        }
        putBytes(b, type, *bytes);
    }
    if (p.hasVlan)
        put16(b, 0x12, p.vlan);
    if (!p.payload.isEmpty()) {
        if (p.payload.size() > kMaxFrame - 6) {
            if (error)
                *error = QStringLiteral("a payload of %1 bytes does not fit a HEP3 packet (65535 bytes at most)").arg(p.payload.size());
            return false;
        }
        putBytes(b, 0x0f, p.payload);
    }
    if (b.size() > kMaxFrame) {
        if (error)
            *error = QStringLiteral("the HEP3 packet would take %1 bytes, more than 65535").arg(b.size());
        return false;
    }
    b[4] = char(b.size() >> 8);
    b[5] = char(b.size());
    *out = b;
    return true;
}

QString describeAgent(const Packet& p)
{
    QString s;
    if (p.hasAgentId) {
        s = QStringLiteral("agent %1").arg(p.agentId);
        if (p.version == 3 && p.agentId > 0xffff && (p.agentId & 0xffff) == 0)
            s += QStringLiteral(" (%1 << 16: a 16-bit id sent with htons, as sngrep does)").arg(p.agentId >> 16);
    }
    if (!p.agentName.isEmpty()) {
        if (!s.isEmpty())
            s += QStringLiteral(", ");
        s += QStringLiteral("name ") + QString::fromUtf8(p.agentName);
    }
    return s;
}

} // namespace ladder::trace::hep
