// SPDX-License-Identifier: GPL-3.0-or-later
#include "packetdecoder.h"

#include "endpoint.h"
#include "netpacket.h"

#include <QVarLengthArray>

#include <cstring>


namespace ladder::trace {

using net::get16;
using net::get32;

namespace {
    constexpr qsizetype kMaxSipHeader = 64 * 1024;
    constexpr qsizetype kMaxTcpBuffer = 1024 * 1024;
    constexpr int kMaxWarnings = 32;
    constexpr int kMaxTcpStreams = 100000;
    constexpr int kMaxTunnelDepth = 2; // VXLAN / GRE inside each other at most this deep
    constexpr quint8 kProtoGre = 47;
    constexpr quint8 kTcpRst = 0x04;
    constexpr int kMaxTlsConnections = 4096; // followed at once (each holds at most 2 x 16 KiB)
    constexpr quint64 kTransportTls = 3; // Event::b for SIP over TLS, as the stack records it

    // The start of a TLS stream: a handshake record (0x16, version 3.x) holding a ClientHello (1)
    // or a ServerHello (2).
    bool startsTlsHandshake(const char* d, qsizetype n)
    {
        return n >= 6 && uchar(d[0]) == 0x16 && uchar(d[1]) == 0x03 && (d[5] == 1 || d[5] == 2);
    }

    // One direction of a TCP connection: source address and port, destination address and port.
    QByteArray tcpKey(const uchar* src, const uchar* dst, int addrLen, quint16 sport, quint16 dport)
    {
        QByteArray key(reinterpret_cast<const char*>(src), addrLen);
        key.append(reinterpret_cast<const char*>(dst), addrLen);
        key.append(char(sport >> 8)).append(char(sport)).append(char(dport >> 8)).append(char(dport));
        return key;
    }

    QString endpoint(const uchar* addr, int len, quint16 port)
    {
        return formatEndpoint(QByteArray(reinterpret_cast<const char*>(addr), len), port);
    }

    // "a.b.c.d:port", as formatEndpoint writes it.
    QString formatV4(const uchar* a, quint16 port)
    {
        char buf[24];
        int n = 0;
        auto put = [&](unsigned v) {
            char d[5];
            int k = 0;
            do {
                d[k++] = char('0' + v % 10);
                v /= 10;
            } while (v);
            while (k)
                buf[n++] = d[--k];
        };
        for (int i = 0; i < 4; ++i) {
            put(a[i]);
            buf[n++] = i < 3 ? '.' : ':';
        }
        put(port);
        return QString::fromLatin1(buf, n);
    }

    // A SIP start line: "SIP/2.0 " or a method token, a space, and " SIP/2.0" ending the line.
    bool looksLikeSip(const char* d, qsizetype n)
    {
        if (n >= 8 && memcmp(d, "SIP/2.0 ", 8) == 0)
            return true;
        qsizetype i = 0;
        while (i < n && i < 32 && ((d[i] >= 'A' && d[i] <= 'Z') || d[i] == '-' || d[i] == '_'))
            ++i;
        if (i == 0 || i >= n || d[i] != ' ')
            return false;
        const qsizetype lineEnd = QByteArrayView(d, std::min<qsizetype>(n, 2048)).indexOf("\r\n");
        return lineEnd > i + 8 && memcmp(d + lineEnd - 8, " SIP/2.0", 8) == 0;
    }
    bool looksLikeSip(const QByteArray& b) { return looksLikeSip(b.constData(), b.size()); }

    // Where the first SIP start line in b begins (at its start or after a CRLF), or -1.
    qsizetype sipStartIn(const QByteArray& b)
    {
        for (qsizetype at = 0; at >= 0 && at < b.size();) {
            if (looksLikeSip(b.constData() + at, b.size() - at))
                return at;
            at = b.indexOf("\r\n", at);
            if (at >= 0)
                at += 2;
        }
        return -1;
    }

    // For a stream buffer that may end inside the start line: could this still become SIP?
    bool couldBeSip(const QByteArray& b)
    {
        if (b.indexOf("\r\n") >= 0 || b.size() >= 2048)
            return looksLikeSip(b);
        if (b.startsWith("SIP/2.0 ") || QByteArrayLiteral("SIP/2.0 ").startsWith(b))
            return true;
        qsizetype i = 0;
        while (i < b.size() && i < 32 && ((b[i] >= 'A' && b[i] <= 'Z') || b[i] == '-' || b[i] == '_'))
            ++i;
        return i == b.size() || (i > 0 && b[i] == ' ');
    }

    // The value of a header (full or compact name) in the head of a SIP message, or empty.
    QByteArray header(const QByteArray& msg, const char* name, const char* compact)
    {
        const qsizetype headEnd = msg.indexOf("\r\n\r\n");
        const QByteArrayView head(msg.constData(), headEnd < 0 ? msg.size() : headEnd);
        qsizetype pos = head.indexOf("\r\n");
        while (pos >= 0 && pos + 2 < head.size()) {
            const qsizetype start = pos + 2;
            qsizetype end = head.indexOf("\r\n", start);
            if (end < 0)
                end = head.size();
            const QByteArrayView line = head.sliced(start, end - start);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0) {
                const QByteArray n = line.first(colon).trimmed().toByteArray().toLower();
                if (n == name || (compact && n == compact))
                    return line.sliced(colon + 1).trimmed().toByteArray();
            }
            pos = end < head.size() ? end : -1;
        }
        return {};
    }

    bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

    QByteArrayView trimmedView(QByteArrayView v)
    {
        qsizetype b = 0, e = v.size();
        while (b < e && isSpace(v[b]))
            ++b;
        while (e > b && isSpace(v[e - 1]))
            --e;
        return v.sliced(b, e - b);
    }

    // Whether the header name n, trimmed, is `lower` (ASCII, case-insensitive), or `compact`.
    bool nameIs(QByteArrayView n, QByteArrayView lower, QByteArrayView compact)
    {
        n = trimmedView(n);
        auto eq = [&](QByteArrayView want) {
            if (want.isEmpty() || n.size() != want.size())
                return false;
            for (qsizetype i = 0; i < n.size(); ++i) {
                char c = n[i];
                if (c >= 'A' && c <= 'Z')
                    c = char(c + 32);
                if (c != want[i])
                    return false;
            }
            return true;
        };
        return eq(lower) || eq(compact);
    }

    // The values of the first Via and the first CSeq in the head of a SIP message, as header()
    // finds them (the same lines, the same trimming), in one pass and without copying.
    // The first CRLF at or after from in [d, d + n), or -1. memchr for the LF: Qt's indexOf of a
    // two- or four-byte needle (a hashed search) was ≈ 7 % of a capture's reading time here.
    qsizetype crlfFrom(const char* d, qsizetype n, qsizetype from)
    {
        while (from < n) {
            const void* q = std::memchr(d + from, '\n', std::size_t(n - from));
            if (!q)
                return -1;
            const qsizetype i = static_cast<const char*>(q) - d;
            if (i > from && d[i - 1] == '\r')
                return i - 1;
            from = i + 1;
        }
        return -1;
    }

    // The top Via's and the CSeq's values: the header lines after the start line, up to the
    // first empty line (or the end), each line ending at a CRLF.
    void viaAndCSeq(QByteArrayView msg, QByteArrayView* via, QByteArrayView* cseq)
    {
        *via = *cseq = {};
        bool haveVia = false, haveCSeq = false;
        const char* d = msg.data();
        const qsizetype n = msg.size();
        qsizetype pos = crlfFrom(d, n, 0);
        while (pos >= 0 && pos + 2 < n && !(haveVia && haveCSeq)) {
            const qsizetype start = pos + 2;
            qsizetype end = crlfFrom(d, n, start);
            if (end == start)
                break; // the empty line: the headers end
            if (end < 0)
                end = n;
            const QByteArrayView line = msg.sliced(start, end - start);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0) {
                const QByteArrayView name = line.first(colon);
                if (!haveVia && nameIs(name, "via", "v")) {
                    haveVia = true;
                    *via = trimmedView(line.sliced(colon + 1));
                } else if (!haveCSeq && nameIs(name, "cseq", {})) {
                    haveCSeq = true;
                    *cseq = trimmedView(line.sliced(colon + 1));
                }
            }
            pos = end < n ? end : -1;
        }
    }

    QString firstLine(const QByteArray& msg)
    {
        qsizetype end = crlfFrom(msg.constData(), std::min<qsizetype>(msg.size(), 202), 0);
        if (end < 0 || end > 200)
            end = std::min<qsizetype>(msg.size(), 200);
        return QString::fromUtf8(msg.constData(), end);
    }

    const char* chunkName(quint8 type)
    {
        switch (type) {
        case 0: return "DATA";
        case 1: return "INIT";
        case 2: return "INIT-ACK";
        case 3: return "SACK";
        case 4: return "HEARTBEAT";
        case 5: return "HEARTBEAT-ACK";
        case 6: return "ABORT";
        case 7: return "SHUTDOWN";
        case 8: return "SHUTDOWN-ACK";
        case 9: return "ERROR";
        case 10: return "COOKIE-ECHO";
        case 11: return "COOKIE-ACK";
        case 14: return "SHUTDOWN-COMPLETE";
        case 15: return "AUTH";
        case 64: return "I-DATA";
        case 128: return "ASCONF-ACK";
        case 130: return "RE-CONFIG";
        case 132: return "PAD";
        case 192: return "FORWARD-TSN";
        case 193: return "ASCONF";
        case 194: return "I-FORWARD-TSN";
        }
        return nullptr;
    }
} // namespace

PacketDecoder::PacketDecoder(const EventSink& sink, const CaptureReadOptions& options, CaptureReadResult& result)
    : m_sink(sink)
    , m_options(options)
    , m_result(result)
{
    if (!m_options.tlsKeyLogFile.isEmpty()) {
        // Kept even when it cannot be read yet: a live capture's peers may create it later.
        m_keyLog = std::make_unique<tls::KeyLog>();
        QString error;
        if (!m_keyLog->load(m_options.tlsKeyLogFile, &error))
            warn(error + QStringLiteral(" (looked at again when a TLS connection needs its secrets)"));
        else if (!error.isEmpty())
            warn(error);
        if (m_keyLog->badLines() > 0)
            warn(QStringLiteral("TLS key log %1: %2 malformed line(s) skipped").arg(m_options.tlsKeyLogFile).arg(m_keyLog->badLines()));
    }
}

// A TLS connection whose SIP cannot be read: one warning for all of them, its count kept current.
void PacketDecoder::tlsNotDecrypted(quint64 connectionId, const QString& why)
{
    if (m_tlsUndecrypted.contains(connectionId) || m_tlsUndecrypted.size() >= kMaxTcpStreams)
        return;
    m_tlsUndecrypted.insert(connectionId);
    if (m_tlsFirstWhy.isEmpty())
        m_tlsFirstWhy = why;
    tlsWarning();
}

// A connection counted as not decrypted whose secrets came into the key log after all (a live
// capture: the peer writes them while its handshake is already being captured).
void PacketDecoder::tlsDecryptedLate(quint64 connectionId)
{
    if (!m_tlsUndecrypted.remove(connectionId))
        return;
    ++m_tlsLate;
    tlsWarning();
}

void PacketDecoder::tlsWarning()
{
    QString w;
    if (!m_tlsUndecrypted.isEmpty())
        w = QStringLiteral("%1 TLS connection(s) not decrypted, their SIP not shown; the first because %2")
                .arg(m_tlsUndecrypted.size())
                .arg(m_tlsFirstWhy);
    if (m_tlsLate > 0)
        w += (w.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("%1 TLS connection(s) decrypted only once their secrets reached the key log (after their "
                             "first records)")
                  .arg(m_tlsLate);
    if (m_tlsWarning >= 0 && m_tlsWarning < m_result.warnings.size()) {
        m_result.warnings[m_tlsWarning] = w;
    } else if (m_result.warnings.size() < kMaxWarnings) {
        m_tlsWarning = m_result.warnings.size();
        m_result.warnings.append(w);
    }
}

void PacketDecoder::warn(const QString& w)
{
    if (m_result.warnings.size() < kMaxWarnings)
        m_result.warnings.append(w);
}

void PacketDecoder::emitEvent(Event&& e)
{
    e.timeNs = m_nowNs;
    ++m_result.events;
    if (m_sink)
        m_sink(std::move(e));
}

void PacketDecoder::decode(const CapturedPacket& p)
{
    if (!m_haveFirst) {
        m_haveFirst = true;
        m_firstNs = p.timeNs;
        m_result.epochNs = p.timeNs;
    }
    m_nowNs = net::satAdd(p.timeNs, m_firstNs == std::numeric_limits<qint64>::min() ? std::numeric_limits<qint64>::max() : -m_firstNs);
    const uchar* d = p.data;
    qsizetype n = p.size;
    quint32 ethertype = 0; // 0: look at the IP version nibble
    m_dedupWindowNs = p.linktype == 113 || p.linktype == 276 ? m_options.duplicateWindowNs : 0;
    switch (p.linktype) {
    case 1: // Ethernet, possibly VLAN-tagged
        return decodeEthernet(p, d, n, 0);
    case 113: // Linux cooked v1 (the "any" device of older libpcap)
        if (n < 16)
            return ignore();
        ethertype = get16(d + 14);
        d += 16;
        n -= 16;
        break;
    case 276: { // Linux cooked v2: names the interface each packet came in on
        if (n < 20)
            return ignore();
        ethertype = get16(d);
        const quint32 ifindex = get32(d + 4);
        d += 20;
        n -= 20;
        if (ethertype != 0x0800 && ethertype != 0x86DD)
            return ignore();
        if (m_options.showInterface) {
            CapturedPacket named = p;
            const QString name = m_options.interfaceName ? m_options.interfaceName(ifindex) : QString();
            const QString iface = name.isEmpty() ? QStringLiteral("if %1").arg(ifindex) : name;
            named.note = p.note.isEmpty() ? iface : p.note + QStringLiteral(", ") + iface;
            return decodeIp(named, d, n, 0);
        }
        return decodeIp(p, d, n, 0);
    }
    case 0: // BSD null: address family in the capturing host's byte order
    case 108: // OpenBSD loop: network order
        if (n < 4)
            return ignore();
        d += 4;
        n -= 4;
        break;
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
        break;
    case 248: { // bare SCTP: there are no addresses, only the ports
        if (n < 12)
            return ignore();
        // Each end is named by its port (the lower port's end 0.0.0.0, the other 0.0.0.1), so both
        // directions of an association name the same pair of ends: a reply is not a new flow.
        const quint16 src = get16(d), dst = get16(d + 2);
        const bool srcLow = src <= dst;
        decodeSctp(p, QStringLiteral("sctp 0.0.0.%1:%2").arg(srcLow ? 0 : 1).arg(src),
            QStringLiteral("sctp 0.0.0.%1:%2").arg(srcLow ? 1 : 0).arg(dst), d, n, true);
        return;
    }
    default:
        return ignore();
    }
    if (ethertype != 0 && ethertype != 0x0800 && ethertype != 0x86DD)
        return ignore();
    decodeIp(p, d, n, 0);
}

// An Ethernet frame: the capture's own link layer, or one carried inside VXLAN or ERSPAN. 802.1Q
// and 802.1ad (QinQ) tags are stepped over, up to four deep.
void PacketDecoder::decodeEthernet(const CapturedPacket& p, const uchar* d, qsizetype n, int depth)
{
    if (n < 14)
        return ignore();
    quint16 ethertype = get16(d + 12);
    qsizetype off = 14;
    for (int tags = 0; (ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100) && tags < 4; ++tags) {
        if (n < off + 4)
            return ignore();
        ethertype = get16(d + off + 2);
        off += 4;
    }
    if (ethertype != 0x0800 && ethertype != 0x86DD)
        return ignore();
    decodeIp(p, d + off, n - off, depth);
}

// GRE (RFC 2784, RFC 2890) carrying what mirrored traffic arrives in: ERSPAN type I, II and III
// (a switch's or an SBC's port mirror), transparent Ethernet bridging, or IP.
void PacketDecoder::decodeGre(const CapturedPacket& p, const uchar* d, qsizetype n, int depth)
{
    if (depth >= kMaxTunnelDepth || n < 4)
        return ignore();
    const quint16 flags = get16(d);
    const quint16 type = get16(d + 2);
    if ((flags & 0x0007) != 0) // version 0 only (1 is PPTP's enhanced GRE)
        return ignore();
    qsizetype off = 4;
    if (flags & 0x8000) // checksum + reserved
        off += 4;
    if (flags & 0x2000) // key
        off += 4;
    const bool sequenced = flags & 0x1000;
    if (sequenced)
        off += 4;
    if (off > n)
        return ignore();
    const uchar* in = d + off;
    const qsizetype inN = n - off;
    switch (type) {
    case 0x88BE: // ERSPAN type II (an 8-byte header, GRE sequenced) or type I (no header)
        if (!sequenced)
            return decodeEthernet(p, in, inN, depth + 1);
        if (inN < 8)
            return ignore();
        return decodeEthernet(p, in + 8, inN - 8, depth + 1);
    case 0x22EB: { // ERSPAN type III: a 12-byte header, 8 more when its O bit says a subheader follows
        if (inN < 12)
            return ignore();
        const qsizetype hl = (in[11] & 0x01) ? 20 : 12;
        if (inN < hl)
            return ignore();
        return decodeEthernet(p, in + hl, inN - hl, depth + 1);
    }
    case 0x6558: // transparent Ethernet bridging
        return decodeEthernet(p, in, inN, depth + 1);
    case 0x0800:
    case 0x86DD:
        return decodeIp(p, in, inN, depth + 1);
    default:
        return ignore();
    }
}

// A datagram seen again within a few milliseconds on a cooked ("any") capture: the same packet
// shown by a second interface (a bridge and its port, the two ends of a veth pair).
bool PacketDecoder::isDuplicate(const uchar* d, qsizetype n)
{
    const quint64 h = qHash(QByteArrayView(d, n), 0x5eed) ^ (quint64(n) << 48);
    if (m_recent.size() > 4096) {
        for (auto it = m_recent.begin(); it != m_recent.end();)
            it = m_nowNs - it.value() > m_dedupWindowNs ? m_recent.erase(it) : std::next(it);
    }
    auto it = m_recent.find(h);
    if (it != m_recent.end() && m_nowNs - it.value() <= m_dedupWindowNs && m_nowNs >= it.value()) {
        it.value() = m_nowNs;
        ++m_result.duplicates;
        return true;
    }
    m_recent.insert(h, m_nowNs);
    return false;
}

void PacketDecoder::decodeIp(const CapturedPacket& p, const uchar* d, qsizetype n, int depth)
{
    if (n < 1)
        return ignore();
    if (depth == 0 && m_dedupWindowNs > 0 && isDuplicate(d, n))
        return;
    Flow f;
    quint8 proto = 0;
    qsizetype off = 0, end = n;
    if ((d[0] >> 4) == 4) {
        const qsizetype ihl = (d[0] & 0x0f) * 4;
        if (n < 20 || ihl < 20 || ihl > n)
            return ignore();
        const qsizetype total = get16(d + 2);
        if (total < ihl)
            return ignore();
        end = std::min(total, n); // Ethernet padding past the IP length is not payload
        proto = d[9];
        f.src = d + 12;
        f.dst = d + 16;
        f.addrLen = 4;
        off = ihl;
        const quint16 frag = get16(d + 6);
        if ((frag & 0x3fff) != 0) { // MF set or a fragment offset
            QByteArray key(reinterpret_cast<const char*>(d + 12), 8);
            key.append(reinterpret_cast<const char*>(d + 4), 2).append(char(proto));
            return defragment(p, f, proto, key, qsizetype(frag & 0x1fff) * 8, (frag & 0x2000) != 0, d + off,
                end - off, depth);
        }
    } else if ((d[0] >> 4) == 6) {
        if (n < 40)
            return ignore();
        end = std::min<qsizetype>(40 + get16(d + 4), n);
        f.src = d + 8;
        f.dst = d + 24;
        f.addrLen = 16;
        proto = d[6];
        off = 40;
        if (!skipIpv6Extensions(d, end, &proto, &off))
            return ignore();
        if (proto == 44) { // Fragment header: next header, reserved, offset and M, identification
            if (off + 8 > end)
                return ignore();
            const quint8 next = d[off];
            const quint16 field = get16(d + off + 2);
            QByteArray key(reinterpret_cast<const char*>(d + 8), 32);
            key.append(reinterpret_cast<const char*>(d + off + 4), 4);
            return defragment(p, f, next, key, qsizetype(field >> 3) * 8, (field & 1) != 0, d + off + 8,
                end - off - 8, depth);
        }
    } else {
        return ignore();
    }
    decodeTransport(p, f, proto, d + off, end - off, depth);
}

// Extension headers before the transport header (hop-by-hop, routing, destination options,
// authentication); stops at a Fragment header or the transport. False if they run past `end`.
bool PacketDecoder::skipIpv6Extensions(const uchar* d, qsizetype end, quint8* proto, qsizetype* off)
{
    for (int guard = 0; guard < 8 && (*proto == 0 || *proto == 43 || *proto == 60 || *proto == 51); ++guard) {
        if (*off + 2 > end)
            return false;
        const qsizetype len = *proto == 51 ? (qsizetype(d[*off + 1]) + 2) * 4 : (qsizetype(d[*off + 1]) + 1) * 8;
        *proto = d[*off];
        *off += len;
    }
    return *off <= end;
}

void PacketDecoder::defragment(const CapturedPacket& p, Flow f, quint8 proto, const QByteArray& key,
    qsizetype offset, bool more, const uchar* d, qsizetype n, int depth)
{
    QByteArray datagram;
    QString why;
    switch (m_defrag.add(key, m_nowNs, offset, more, reinterpret_cast<const char*>(d), n, &datagram, &why)) {
    case IpDefragmenter::Outcome::Pending:
        ++m_result.fragments;
        return;
    case IpDefragmenter::Outcome::Dropped:
        warn(QStringLiteral("IP fragments from %1 to %2 dropped: %3")
                .arg(endpoint(f.src, f.addrLen, 0).chopped(2), endpoint(f.dst, f.addrLen, 0).chopped(2), why));
        return ignore();
    case IpDefragmenter::Outcome::Complete:
        break;
    }
    ++m_result.fragments;
    ++m_result.reassembled;
    const uchar* t = reinterpret_cast<const uchar*>(datagram.constData());
    qsizetype off = 0;
    if (f.addrLen == 16 && !skipIpv6Extensions(t, datagram.size(), &proto, &off))
        return ignore();
    // The addresses still point into this (the last) fragment's header, which outlives the call.
    decodeTransport(p, f, proto, t + off, datagram.size() - off, depth);
}

void PacketDecoder::decodeTransport(const CapturedPacket& p, Flow f, quint8 proto, const uchar* t, qsizetype tn,
    int depth)
{
    switch (proto) {
    case net::ProtoUdp:
        return decodeUdp(p, f, t, tn, depth);
    case net::ProtoTcp:
        return decodeTcp(p, f, t, tn);
    case net::ProtoSctp:
        if (tn < 12)
            return ignore();
        return decodeSctp(p, endpointText(f.src, f.addrLen, get16(t)), endpointText(f.dst, f.addrLen, get16(t + 2)), t, tn, true);
    case kProtoGre:
        return decodeGre(p, t, tn, depth);
    default:
        return ignore();
    }
}

void PacketDecoder::decodeUdp(const CapturedPacket& p, Flow f, const uchar* d, qsizetype n, int depth)
{
    if (n < 8)
        return ignore();
    f.sport = get16(d);
    f.dport = get16(d + 2);
    const qsizetype len = std::min<qsizetype>(get16(d + 4), n);
    if (len < 8)
        return ignore();
    const uchar* payload = d + 8;
    const qsizetype pn = len - 8;
    const QString from = endpointText(f.src, f.addrLen, f.sport);
    const QString to = endpointText(f.dst, f.addrLen, f.dport);
    if ((m_options.sctpUdpPorts.contains(f.sport) || m_options.sctpUdpPorts.contains(f.dport)) && pn >= 12)
        return decodeSctp(p, from, to, payload, pn, false);
    // VXLAN (RFC 7348; 4789, or Linux's older default 8472): flags with the I bit, then a frame.
    if ((f.dport == 4789 || f.dport == 8472) && pn >= 8 + 14 && (payload[0] & 0x08) && depth < kMaxTunnelDepth)
        return decodeEthernet(p, payload + 8, pn - 8, depth + 1);
    const char* c = reinterpret_cast<const char*>(payload);
    if (!looksLikeSip(c, pn))
        return ignore();
    emitSip(p, from, to, m_payloads.copy(c, pn), 0, 0);
}

void PacketDecoder::decodeTcp(const CapturedPacket& p, Flow f, const uchar* d, qsizetype n)
{
    if (n < 20)
        return ignore();
    f.sport = get16(d);
    f.dport = get16(d + 2);
    const quint32 seq = get32(d + 4);
    const quint8 flags = d[13];
    const qsizetype hl = (d[12] >> 4) * 4;
    if (hl < 20 || hl > n)
        return ignore();
    const QByteArray key = tcpKey(f.src, f.dst, f.addrLen, f.sport, f.dport);
    if (flags & kTcpRst) { // the connection is gone, both ways
        if (const auto it = m_tcp.constFind(key); it != m_tcp.constEnd())
            m_tlsConnections.remove(it->connectionId);
        m_tcp.remove(key);
        m_tcp.remove(tcpKey(f.dst, f.src, f.addrLen, f.dport, f.sport));
        return;
    }
    if (!m_tcp.contains(key) && m_tcp.size() >= kMaxTcpStreams) {
        warn(QStringLiteral("more than %1 TCP streams at once; later ones are not followed").arg(kMaxTcpStreams));
        return ignore();
    }
    TcpStream& s = m_tcp[key];
    if (flags & net::TcpSyn) {
        s.order.start(seq + 1);
        if (s.connectionId != 0)
            m_tlsConnections.remove(s.connectionId); // the 4-tuple's earlier connection
        s.mode = TcpStream::Mode::Sip;
        s.tlsSide = -1;
        s.wsMessage.clear();
        s.buffer.clear();
        s.plain.clear();
        return;
    }
    const char* payload = reinterpret_cast<const char*>(d + hl);
    const qsizetype pn = n - hl;
    if (pn > 0 && s.mode == TcpStream::Mode::Ignored)
        return ignore(); // a TLS stream that cannot be read, until a SYN starts the 4-tuple again
    if (pn > 0) {
        if (!s.order.started()) {
            // Joined mid-stream (or after a resynchronisation): start at a segment that begins a
            // SIP message, or the HTTP Upgrade that starts SIP over WebSocket (RFC 7118).
            // (Whether the HTTP head asks for websocket is checked once it is complete.)
            const QByteArrayView head(payload, pn);
            const bool upgrade = head.startsWith("GET ") || head.startsWith("HTTP/1.1 101");
            if (!upgrade && !looksLikeSip(payload, pn) && !startsTlsHandshake(payload, pn))
                return ignore();
            s.mode = TcpStream::Mode::Sip; // frameTcp tells an Upgrade from the bytes
            s.order.start(seq);
        }
        QByteArray ready;
        qsizetype lost = 0;
        const TcpReorder::Outcome o = s.order.add(seq, payload, pn, m_nowNs, &ready, &lost);
        if (s.connectionId == 0) {
            // Both directions of a connection share its id.
            const auto rev = m_tcp.constFind(tcpKey(f.dst, f.src, f.addrLen, f.dport, f.sport));
            s.connectionId = rev != m_tcp.constEnd() && rev->connectionId ? rev->connectionId : m_nextConnection++;
        }
        const QString from = endpointText(f.src, f.addrLen, f.sport);
        const QString to = endpointText(f.dst, f.addrLen, f.dport);
        if (o == TcpReorder::Outcome::GapGivenUp && s.mode != TcpStream::Mode::Sip) {
            // WebSocket frames and TLS records cannot be found again after a gap: wait for a new
            // start (TLS: a new connection).
            ++m_result.tcpGaps;
            const bool tls = s.mode == TcpStream::Mode::Tls;
            warn(QStringLiteral("TCP %1 -> %2: %3 bytes were not captured; the %4 stream is not followed further")
                    .arg(from, to)
                    .arg(lost)
                    .arg(tls ? QStringLiteral("TLS") : QStringLiteral("WebSocket")));
            s.buffer.clear();
            s.plain.clear();
            s.wsMessage.clear();
            s.order.reset();
            if (tls)
                s.mode = TcpStream::Mode::Ignored;
            return;
        }
        if (o == TcpReorder::Outcome::GapGivenUp) {
            ++m_result.tcpGaps;
            warn(QStringLiteral("TCP %1 -> %2: %3 bytes were not captured; going on at the next SIP message")
                    .arg(from, to)
                    .arg(lost));
            s.buffer.clear();
            // What follows the gap is used only from a message start on.
            const qsizetype start = sipStartIn(ready);
            if (start < 0) {
                s.order.reset();
                return;
            }
            ready.remove(0, start);
        }
        if (s.buffer.size() + ready.size() > kMaxTcpBuffer) {
            warn(QStringLiteral("TCP stream buffer overflow; resynchronising"));
            s.buffer.clear();
            s.order.reset();
            return ignore();
        }
        s.buffer.append(ready);
        if (!frameTcp(p, s, from, to))
            s.order.reset(); // not SIP: wait for a segment that starts a message
    }
    if ((flags & net::TcpFin) && s.order.idle() && s.buffer.isEmpty()) {
        const quint64 id = s.connectionId;
        m_tcp.remove(key); // this direction is done (the other keeps the connection id)
        if (!m_tcp.contains(tcpKey(f.dst, f.src, f.addrLen, f.dport, f.sport)))
            m_tlsConnections.remove(id); // and so is the connection
    }
}

// Takes every complete SIP message off the front of the stream's buffer; false when the buffer
// cannot be SIP (the stream then waits for a segment that starts a message).
bool PacketDecoder::frameTcp(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to)
{
    if (s.mode == TcpStream::Mode::Tls)
        return frameTls(p, s, from, to);
    // A stream that opens with a TLS handshake record: SIP over TLS (decrypted with a key log).
    if (s.mode == TcpStream::Mode::Sip && !s.buffer.isEmpty() && uchar(s.buffer[0]) == 0x16) {
        if (s.buffer.size() < 6)
            return true; // the record header and the handshake type are still to come
        if (startsTlsHandshake(s.buffer.constData(), s.buffer.size())) {
            s.mode = TcpStream::Mode::Tls;
            s.tlsSide = s.buffer[5] == 1 ? tls::Connection::Client : tls::Connection::Server;
            return frameTls(p, s, from, to);
        }
    }
    // A stream (or, after a SYN, its first bytes) that opens with an HTTP request or a 101 answer
    // may be the Upgrade to SIP over WebSocket.
    if (s.mode == TcpStream::Mode::Sip && (s.buffer.startsWith("GET ") || s.buffer.startsWith("HTTP/1.1 101")))
        s.mode = TcpStream::Mode::HttpUpgrade;
    if (s.mode == TcpStream::Mode::HttpUpgrade) {
        // The HTTP request or the 101 answer: WebSocket frames follow its empty line.
        const qsizetype end = s.buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return s.buffer.size() <= kMaxSipHeader;
        if (!s.buffer.left(end).toLower().contains("\r\nupgrade: websocket")) {
            s.buffer.clear(); // plain HTTP: nothing LadderLab reads
            return false;
        }
        s.buffer.remove(0, end + 4);
        s.mode = TcpStream::Mode::WebSocket;
    }
    if (s.mode == TcpStream::Mode::WebSocket)
        return frameWebSocket(p, s, from, to);
    return frameSip(p, s.buffer, from, to, 1, s.connectionId);
}

// The TLS records of one direction: decrypted (tls::Connection, shared by both directions of the
// connection) into s.plain, and the SIP messages framed from it as on plain TCP.
bool PacketDecoder::frameTls(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to)
{
    if (!m_keyLog) {
        tlsNotDecrypted(s.connectionId,
            QStringLiteral("no TLS key log was given (an SSLKEYLOGFILE: ladderctl --tls-keylog FILE, or the capture "
                           "dialog's key log file)"));
        s.buffer.clear();
        s.mode = TcpStream::Mode::Ignored;
        return true;
    }
    std::shared_ptr<tls::Connection>& c = m_tlsConnections[s.connectionId];
    if (!c) {
        if (m_tlsConnections.size() > kMaxTlsConnections) {
            m_tlsConnections.remove(s.connectionId);
            tlsNotDecrypted(s.connectionId, QStringLiteral("more than %1 TLS connections were open at once").arg(kMaxTlsConnections));
            s.buffer.clear();
            s.mode = TcpStream::Mode::Ignored;
            return true;
        }
        c = std::make_shared<tls::Connection>(m_keyLog.get());
    }
    const std::shared_ptr<tls::Connection> conn = c; // the hash may rehash below
    conn->feed(tls::Connection::Side(s.tlsSide), &s.buffer, &s.plain);
    for (const QString& problem : conn->takeProblems())
        warn(QStringLiteral("%1 -> %2: %3").arg(from, to, problem));
    if (conn->keys() == tls::Connection::Keys::Missing)
        tlsNotDecrypted(s.connectionId, conn->missingReason());
    else if (conn->keys() == tls::Connection::Keys::Found)
        tlsDecryptedLate(s.connectionId);
    if (s.plain.size() > kMaxTcpBuffer) {
        warn(QStringLiteral("TLS %1 -> %2: over %3 KiB of decrypted bytes that are not SIP; dropped").arg(from, to).arg(kMaxTcpBuffer / 1024));
        s.plain.clear();
    }
    if (!s.plain.isEmpty() && !frameSip(p, s.plain, from, to, kTransportTls, s.connectionId))
        ++m_result.ignored; // not SIP inside: what follows is looked at from its start
    return true;
}

// Takes every complete SIP message off the front of buffer (a TCP stream's, or the plaintext of a
// TLS one); false when it cannot be SIP (it is then cleared).
bool PacketDecoder::frameSip(const CapturedPacket& p, QByteArray& buffer, const QString& from, const QString& to,
    quint64 transport, quint64 connectionId)
{
    qsizetype pos = 0;
    auto consume = [&] {
        buffer.remove(0, pos);
        pos = 0;
    };
    for (;;) {
        while (pos + 1 < buffer.size() && buffer[pos] == '\r' && buffer[pos + 1] == '\n')
            pos += 2; // keep-alive CRLFs between messages
        const QByteArray rest = QByteArray::fromRawData(buffer.constData() + pos, buffer.size() - pos);
        if (rest.isEmpty()) {
            consume();
            return true;
        }
        if (!couldBeSip(rest)) {
            buffer.clear();
            return false;
        }
        const qsizetype headEnd = rest.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            consume();
            if (buffer.size() > kMaxSipHeader) {
                warn(QStringLiteral("TCP %1 -> %2: a header section over %3 KiB; resynchronising")
                        .arg(from, to)
                        .arg(kMaxSipHeader / 1024));
                buffer.clear();
                return false;
            }
            return true;
        }
        bool ok = true;
        const QByteArray cl = header(rest, "content-length", "l");
        const qint64 bodyLen = cl.isEmpty() ? 0 : cl.toLongLong(&ok);
        if (!ok || bodyLen < 0 || bodyLen > kMaxTcpBuffer) {
            warn(QStringLiteral("bad Content-Length on a TCP stream; resynchronising"));
            buffer.clear();
            return false;
        }
        const qsizetype total = headEnd + 4 + qsizetype(bodyLen);
        if (rest.size() < total) {
            consume();
            return true;
        }
        emitSip(p, from, to, QByteArray(rest.constData(), total), transport, connectionId);
        pos += total;
    }
}

// RFC 6455 frames (RFC 7118: one SIP message per text or binary message): masked or not,
// fragmented messages put together, control frames skipped. False on a frame no endpoint sends
// (reserved opcode, a message over the limit): the stream then waits for a new start.
bool PacketDecoder::frameWebSocket(const CapturedPacket& p, TcpStream& s, const QString& from, const QString& to)
{
    qsizetype pos = 0;
    for (;;) {
        const qsizetype avail = s.buffer.size() - pos;
        if (avail < 2)
            break;
        const auto* d = reinterpret_cast<const uchar*>(s.buffer.constData() + pos);
        const bool fin = d[0] & 0x80;
        const int opcode = d[0] & 0x0f;
        const bool masked = d[1] & 0x80;
        quint64 len = d[1] & 0x7f;
        qsizetype hl = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = get16(d + 2);
            hl = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = quint64(get32(d + 2)) << 32 | get32(d + 6);
            hl = 10;
        }
        if ((opcode > 2 && opcode < 8) || opcode > 10 || len > quint64(kMaxTcpBuffer)) {
            warn(QStringLiteral("WebSocket %1 -> %2: a frame no endpoint sends (opcode %3, %4 bytes); resynchronising")
                    .arg(from, to)
                    .arg(opcode)
                    .arg(len));
            s.buffer.clear();
            s.wsMessage.clear();
            return false;
        }
        const qsizetype maskAt = hl;
        if (masked)
            hl += 4;
        if (avail < hl + qsizetype(len))
            break;
        if (opcode <= 2) { // continuation, text, binary
            QByteArray part(reinterpret_cast<const char*>(d + hl), qsizetype(len));
            if (masked)
                for (qsizetype i = 0; i < part.size(); ++i)
                    part[i] = char(part[i] ^ d[maskAt + (i & 3)]);
            if (opcode != 0)
                s.wsMessage.clear();
            if (s.wsMessage.size() + part.size() > kMaxTcpBuffer) {
                warn(QStringLiteral("WebSocket %1 -> %2: a message over %3 KiB; dropped").arg(from, to).arg(kMaxTcpBuffer / 1024));
                s.wsMessage.clear();
            } else {
                s.wsMessage += part;
            }
            if (fin && !s.wsMessage.isEmpty()) {
                if (looksLikeSip(s.wsMessage))
                    emitSip(p, from, to, s.wsMessage, 4, s.connectionId);
                else
                    ++m_result.ignored;
                s.wsMessage.clear();
            }
        }
        pos += hl + qsizetype(len);
    }
    s.buffer.remove(0, pos);
    return true;
}

QString PacketDecoder::endpointText(const uchar* addr, int len, quint16 port)
{
    if (len != 4 && len != 16)
        return endpoint(addr, len, port);
    EndpointKey k;
    if (len == 4) {
        k.a0 = get32(addr);
    } else {
        std::memcpy(&k.a0, addr, 8);
        std::memcpy(&k.a1, addr + 8, 8);
    }
    k.portLen = quint32(port) | quint32(len) << 16;
    if (m_endpoints.size() >= (1 << 15))
        m_endpoints.clear(); // a bound on what a capture of many hosts keeps; the strings live on in events
    bool inserted = false;
    QString& s = m_endpoints.findOrInsert(k, &inserted);
    if (inserted)
        s = len == 4 ? formatV4(addr, port) : endpoint(addr, len, port);
    return s;
}

quint64 PacketDecoder::associationId(const QString& from, const QString& to)
{
    const QString key = from < to ? from + QLatin1Char('|') + to : to + QLatin1Char('|') + from;
    auto it = m_assocs.find(key);
    if (it == m_assocs.end())
        it = m_assocs.insert(key, quint64(m_assocs.size()) + 1);
    return *it;
}

void PacketDecoder::decodeSctp(const CapturedPacket& p, const QString& from, const QString& to, const uchar* d,
    qsizetype n, bool native)
{
    const quint64 assoc = associationId(from, to);
    const quint64 dirKey = (assoc << 1) | (from < to ? 0 : 1);
    struct Chunk {
        quint8 type, flags;
        const uchar* v;
        qsizetype len;
    };
    QList<Chunk> chunks;
    QStringList names;
    for (qsizetype off = 12; off + 4 <= n && chunks.size() < 1024;) {
        const qsizetype len = get16(d + off + 2);
        if (len < 4 || off + len > n) {
            names.append(QStringLiteral("(malformed chunk)"));
            break;
        }
        const Chunk c { d[off], d[off + 1], d + off, len };
        chunks.append(c);
        const char* name = chunkName(c.type);
        QString label = name ? QString::fromLatin1(name) : QStringLiteral("chunk %1").arg(c.type);
        if ((c.type == 0 && len >= 16) || (c.type == 3 && len >= 8))
            label += QStringLiteral("(%1)").arg(get32(c.v + 4));
        names.append(label);
        off += (len + 3) & ~qsizetype(3);
    }
    Event pe;
    pe.kind = Kind::SctpPacket;
    pe.dir = p.dir;
    pe.from = from;
    pe.to = to;
    pe.a = assoc;
    pe.b = native ? 1 : 0;
    pe.object = assoc;
    pe.raw = QByteArray(reinterpret_cast<const char*>(d), n);
    pe.text = p.comment.isEmpty() ? names.join(QStringLiteral(", ")) : p.comment;
    if (!p.note.isEmpty())
        pe.text += QStringLiteral(" [%1]").arg(p.note);
    emitEvent(std::move(pe));
    if (!m_options.sctpChunks && !m_options.sipInSctp)
        return;
    for (const Chunk& c : std::as_const(chunks)) {
        Event e;
        e.dir = p.dir;
        e.from = from;
        e.to = to;
        e.object = assoc;
        const bool data = c.type == 0 && c.len >= 16;
        if (m_options.sctpChunks) {
            e.kind = Kind::SctpChunk;
            e.a = c.type;
            if (data) {
                e.c = get32(c.v + 4);
                e.b = get16(c.v + 8);
            } else if (c.type == 3 && c.len >= 8) {
                e.c = get32(c.v + 4);
            }
            const char* name = chunkName(c.type);
            e.text = name ? QString::fromLatin1(name) : QStringLiteral("chunk %1").arg(c.type);
            emitEvent(Event(e));
            if (data) {
                QSet<quint32>& seen = m_seenTsn[dirKey];
                const quint32 tsn = quint32(e.c);
                if (seen.contains(tsn)) {
                    Event r = e;
                    r.kind = Kind::SctpRetransmission;
                    r.a = 0;
                    r.b = 0;
                    r.text = QStringLiteral("DATA TSN %1 again").arg(tsn);
                    emitEvent(std::move(r));
                } else if (seen.size() < 1000000) {
                    seen.insert(tsn);
                }
            }
            if (c.type == 192 && c.len >= 8) {
                Event ft = e;
                ft.kind = Kind::SctpForwardTsn;
                ft.a = 0;
                ft.c = get32(c.v + 4);
                ft.b = 0;
                ft.text = QStringLiteral("FORWARD-TSN to %1").arg(ft.c);
                emitEvent(std::move(ft));
            }
        }
        if (m_options.sipInSctp && data && (c.flags & 0x03) == 0x03) {
            const QByteArray payload(reinterpret_cast<const char*>(c.v + 16), c.len - 16);
            if (looksLikeSip(payload))
                emitSip(p, from, to, payload, 2, assoc);
        }
    }
}

void PacketDecoder::emitSip(const CapturedPacket& p, const QString& from, const QString& to, const QByteArray& msg,
    quint64 transport, quint64 connectionId)
{
    Event e;
    e.kind = Kind::SipMessage;
    e.dir = p.dir;
    e.from = from;
    e.to = to;
    e.a = connectionId;
    e.b = transport;
    e.raw = msg;
    e.text = p.comment.isEmpty() ? firstLine(msg) : p.comment;
    if (!p.note.isEmpty())
        e.text += QStringLiteral(" [%1]").arg(p.note);
    // A transaction is named by the top Via branch and the CSeq method (RFC 3261 17.1.3).
    QByteArrayView via, cseq;
    viaAndCSeq(msg, &via, &cseq);
    if (const qsizetype comma = via.indexOf(','); comma >= 0)
        via.truncate(comma);
    const qsizetype br = via.indexOf("branch=");
    QByteArrayView branch = br >= 0 ? via.sliced(br + 7) : via;
    if (const qsizetype semi = branch.indexOf(';'); semi >= 0)
        branch.truncate(semi);
    const QByteArrayView method = trimmedView(cseq.sliced(cseq.indexOf(' ') + 1));
    QVarLengthArray<char, 256> tkey;
    tkey.append(branch.data(), branch.size());
    tkey.append(' ');
    tkey.append(method.data(), method.size());
    if (method == "ACK" || method == "CANCEL")
        tkey.append('/'); // their own transactions, even with the INVITE's branch
    bool inserted = false;
    quint32& t = m_transactions.findOrInsert(QByteArrayView(tkey.constData(), tkey.size()), &inserted);
    if (inserted)
        t = quint32(m_transactions.size());
    e.object = t;
    const qsizetype n = msg.size();
    const quint64 ends = mix64((quint64(qHash(from)) << 32) ^ quint64(qHash(to)) ^ (quint64(n) << 17));
    const quint32 seen = m_seenSip.see(mix64(quint64(qHash(QByteArrayView(msg), 0x243f6a88u)) ^ ends),
        quint32(mix64(quint64(qHash(QByteArrayView(msg), 0x85a308d3u)) + ends)));
    if (seen > 0) {
        e.kind = Kind::SipRetransmission;
        e.c = seen;
    }
    emitEvent(std::move(e));
}

} // namespace ladder::trace
