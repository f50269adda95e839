// SPDX-License-Identifier: GPL-3.0-or-later
#include "chunkdecoder.h"

#include <QStringList>

#include <array>
#include <charconv>
#include <cstring>

namespace ladder::sctp {

namespace {

    // Bounds-checked big-endian reads: out-of-range reads return false and leave the value alone.
    struct Reader {
        const uchar* p;
        int size;
        bool u8(int at, quint8& v) const
        {
            if (at < 0 || at + 1 > size)
                return false;
            v = p[at];
            return true;
        }
        bool u16(int at, quint16& v) const
        {
            if (at < 0 || at + 2 > size)
                return false;
            v = quint16((p[at] << 8) | p[at + 1]);
            return true;
        }
        bool u32(int at, quint32& v) const
        {
            if (at < 0 || at + 4 > size)
                return false;
            v = (quint32(p[at]) << 24) | (quint32(p[at + 1]) << 16) | (quint32(p[at + 2]) << 8) | quint32(p[at + 3]);
            return true;
        }
    };

    std::array<quint32, 256> makeCrcTable()
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

    // A description built in a stack buffer. At the Chunks tap level every DATA chunk and SACK
    // gets one, and QString::arg's placeholder scans and temporaries cost more than decoding the
    // chunk; this costs one allocation, the result's.
    class Line
    {
    public:
        template <std::size_t N>
        Line& s(const char (&literal)[N]) // the length is known: one copy
        {
            constexpr int n = int(N) - 1;
            if (m_n + n <= int(sizeof m_buf)) {
                std::memcpy(m_buf + m_n, literal, std::size_t(n));
                m_n += n;
            }
            return *this;
        }
        Line& z(const char* t) // a string known only at run time
        {
            while (*t && m_n < int(sizeof m_buf))
                m_buf[m_n++] = *t++;
            return *this;
        }
        Line& u(quint64 v)
        {
            const auto r = std::to_chars(m_buf + m_n, m_buf + sizeof m_buf, v);
            if (r.ec == std::errc())
                m_n = int(r.ptr - m_buf);
            return *this;
        }
        QString str() const { return QString::fromLatin1(m_buf, m_n); }

    private:
        char m_buf[192];
        int m_n = 0;
    };

    const char* dataFlagText(quint8 flags, char (&out)[5])
    {
        int n = 0;
        if (flags & 0x08)
            out[n++] = 'I';
        if (flags & 0x04)
            out[n++] = 'U';
        if (flags & 0x02)
            out[n++] = 'B';
        if (flags & 0x01)
            out[n++] = 'E';
        if (n == 0)
            out[n++] = '-';
        out[n] = 0;
        return out;
    }

    // "DATA (TSN=…, SID=…, SSN=…, PPID=…, len=…, BE)"; I-DATA names its MID, and after the first
    // fragment carries an FSN where DATA has the PPID.
    QString dataDescription(const DecodedChunk& c)
    {
        const bool idata = c.type == chunk::IData;
        const bool ppid = !idata || c.beginning();
        char flags[5];
        return Line()
            .z(idata ? "I_DATA (TSN=" : "DATA (TSN=")
            .u(c.tsn)
            .s(", SID=")
            .u(c.sid)
            .z(idata ? ", MID=" : ", SSN=")
            .u(c.ssn)
            .z(ppid ? ", PPID=" : ", FSN=")
            .u(ppid ? c.ppid : c.fsn)
            .s(", len=")
            .u(quint64(c.payloadLength))
            .s(", ")
            .z(dataFlagText(c.flags, flags))
            .s(")")
            .str();
    }

    QString hex32(quint32 v) { return QStringLiteral("0x%1").arg(v, 8, 16, QLatin1Char('0')); }

    // INIT / INIT-ACK optional parameters: find PR-SCTP and I-DATA support.
    void decodeInitParams(const Reader& r, int from, int end, DecodedChunk& c)
    {
        int at = from;
        while (at + 4 <= end) {
            quint16 type = 0, len = 0;
            r.u16(at, type);
            r.u16(at + 2, len);
            if (len < 4 || at + len > end) {
                c.truncated = true;
                return;
            }
            if (type == 0xc000) // Forward-TSN-Supported (RFC 3758)
                c.prSupported = true;
            if (type == 0x8008) { // Supported Extensions (RFC 5061)
                for (int i = at + 4; i < at + len; ++i) {
                    quint8 t = 0;
                    r.u8(i, t);
                    if (t == chunk::ForwardTsn || t == chunk::IForwardTsn)
                        c.prSupported = true;
                    if (t == chunk::IData)
                        c.idataSupported = true;
                }
            }
            at += (len + 3) & ~3;
        }
    }

    void decodeCauses(const Reader& r, int from, int end, DecodedChunk& c)
    {
        int at = from;
        while (at + 4 <= end) {
            quint16 code = 0, len = 0;
            r.u16(at, code);
            r.u16(at + 2, len);
            c.causes.append(code);
            if (len < 4 || at + len > end) {
                c.truncated = true;
                return;
            }
            at += (len + 3) & ~3;
        }
    }

    void decodeChunk(const Reader& r, int at, int end, DecodedChunk& c, bool describe)
    {
        const int body = at + 4;
        QString info;
        switch (c.type) {
        case chunk::Data:
            if (end - at < 16) {
                c.truncated = true;
                break;
            }
            {
                quint16 ssn = 0;
                r.u32(body, c.tsn);
                r.u16(body + 4, c.sid);
                r.u16(body + 6, ssn);
                c.ssn = ssn;
                r.u32(body + 8, c.ppid);
                c.payloadLength = end - (at + 16);
                if (describe) {
                    c.info = dataDescription(c);
                    return;
                }
            }
            break;
        case chunk::IData:
            if (end - at < 20) {
                c.truncated = true;
                break;
            }
            r.u32(body, c.tsn);
            r.u16(body + 4, c.sid);
            r.u32(body + 8, c.ssn);
            if (c.beginning())
                r.u32(body + 12, c.ppid);
            else
                r.u32(body + 12, c.fsn);
            c.payloadLength = end - (at + 20);
            if (describe) {
                c.info = dataDescription(c);
                return;
            }
            break;
        case chunk::Sack:
        case chunk::NrSack: {
            quint16 nGaps = 0, nNrGaps = 0, nDups = 0;
            if (!r.u32(body, c.cumTsn) || !r.u32(body + 4, c.arwnd) || !r.u16(body + 8, nGaps)) {
                c.truncated = true;
                break;
            }
            int p = body + 12;
            if (c.type == chunk::NrSack) {
                r.u16(body + 10, nNrGaps);
                r.u16(body + 12, nDups);
                p = body + 16;
            } else {
                r.u16(body + 10, nDups);
            }
            for (int i = 0; i < nGaps + nNrGaps; ++i, p += 4) {
                quint16 s = 0, e = 0;
                if (p + 4 > end || !r.u16(p, s) || !r.u16(p + 2, e)) {
                    c.truncated = true;
                    break;
                }
                if (i < nGaps)
                    c.gapBlocks.append({ s, e });
            }
            for (int i = 0; i < nDups && !c.truncated; ++i, p += 4) {
                quint32 d = 0;
                if (p + 4 > end || !r.u32(p, d)) {
                    c.truncated = true;
                    break;
                }
                c.duplicateTsns.append(d);
            }
            if (!describe)
                break;
            if (c.gapBlocks.isEmpty() && c.duplicateTsns.isEmpty()) {
                c.info = Line()
                             .z(c.type == chunk::NrSack ? "NR_SACK (Ack=" : "SACK (Ack=")
                             .u(c.cumTsn)
                             .s(", Arwnd=")
                             .u(c.arwnd)
                             .s(")")
                             .str();
                return;
            }
            info = QStringLiteral(" (Ack=%1, Arwnd=%2").arg(c.cumTsn).arg(c.arwnd);
            if (!c.gapBlocks.isEmpty()) {
                QStringList g;
                for (const auto& b : c.gapBlocks)
                    g << QStringLiteral("%1-%2").arg(c.cumTsn + b.first).arg(c.cumTsn + b.second);
                info += QStringLiteral(", gaps ") + g.join(QLatin1Char(' '));
            }
            if (!c.duplicateTsns.isEmpty()) {
                QStringList d;
                for (quint32 t : c.duplicateTsns)
                    d << QString::number(t);
                info += QStringLiteral(", dup ") + d.join(QLatin1Char(' '));
            }
            info += QLatin1Char(')');
            break;
        }
        case chunk::ForwardTsn:
        case chunk::IForwardTsn: {
            if (!r.u32(body, c.cumTsn)) {
                c.truncated = true;
                break;
            }
            const bool i = c.type == chunk::IForwardTsn;
            const int step = i ? 8 : 4;
            QStringList s;
            for (int p = body + 4; p < end; p += step) {
                DecodedChunk::Skipped sk;
                if (p + step > end) {
                    c.truncated = true;
                    break;
                }
                r.u16(p, sk.sid);
                if (i) {
                    quint16 fl = 0;
                    r.u16(p + 2, fl);
                    sk.unordered = fl & 1;
                    r.u32(p + 4, sk.ssn);
                } else {
                    quint16 ssn = 0;
                    r.u16(p + 2, ssn);
                    sk.ssn = ssn;
                }
                c.skipped.append(sk);
                s << QStringLiteral("%1:%2%3").arg(sk.sid).arg(sk.ssn).arg(sk.unordered ? QStringLiteral("U") : QString());
            }
            info = QStringLiteral(" (NewCumTSN=%1%2)")
                       .arg(c.cumTsn)
                       .arg(s.isEmpty() ? QString() : QStringLiteral(", skipped ") + s.join(QLatin1Char(' ')));
            break;
        }
        case chunk::Init:
        case chunk::InitAck:
            if (end - at < 20) {
                c.truncated = true;
                break;
            }
            r.u32(body, c.initiateTag);
            r.u32(body + 4, c.arwnd);
            r.u16(body + 8, c.outboundStreams);
            r.u16(body + 10, c.inboundStreams);
            r.u32(body + 12, c.initialTsn);
            decodeInitParams(r, at + 20, end, c);
            info = QStringLiteral(" (Tag=%1, Arwnd=%2, OS=%3, MIS=%4, TSN=%5%6%7)")
                       .arg(hex32(c.initiateTag))
                       .arg(c.arwnd)
                       .arg(c.outboundStreams)
                       .arg(c.inboundStreams)
                       .arg(c.initialTsn)
                       .arg(c.prSupported ? QStringLiteral(", PR-SCTP") : QString())
                       .arg(c.idataSupported ? QStringLiteral(", I-DATA") : QString());
            break;
        case chunk::Shutdown:
            if (!r.u32(body, c.cumTsn))
                c.truncated = true;
            else
                info = QStringLiteral(" (Ack=%1)").arg(c.cumTsn);
            break;
        case chunk::Abort:
        case chunk::OperationError: {
            decodeCauses(r, body, end, c);
            QStringList names;
            for (quint16 cause : c.causes)
                names << errorCauseName(cause);
            if (c.type == chunk::Abort && (c.flags & 1))
                names.prepend(QStringLiteral("T"));
            if (!names.isEmpty())
                info = QStringLiteral(" (") + names.join(QStringLiteral(", ")) + QLatin1Char(')');
            break;
        }
        case chunk::ShutdownComplete:
            if (c.flags & 1)
                info = QStringLiteral(" (T)");
            break;
        case chunk::Heartbeat:
        case chunk::HeartbeatAck:
        case chunk::CookieEcho:
            info = QStringLiteral(" (len=%1)").arg(end - body);
            break;
        case chunk::ReConfig: {
            QStringList params;
            for (int p = body; p + 4 <= end;) {
                quint16 type = 0, len = 0;
                r.u16(p, type);
                r.u16(p + 2, len);
                if (len < 4 || p + len > end) {
                    c.truncated = true;
                    break;
                }
                switch (type) {
                case 13: params << QStringLiteral("Outgoing SSN reset"); break;
                case 14: params << QStringLiteral("Incoming SSN reset"); break;
                case 15: params << QStringLiteral("SSN/TSN reset"); break;
                case 16: params << QStringLiteral("Response"); break;
                case 17: params << QStringLiteral("Add outgoing streams"); break;
                case 18: params << QStringLiteral("Add incoming streams"); break;
                default: params << QStringLiteral("param %1").arg(type); break;
                }
                p += (len + 3) & ~3;
            }
            info = QStringLiteral(" (") + params.join(QStringLiteral(", ")) + QLatin1Char(')');
            break;
        }
        case chunk::Asconf:
        case chunk::AsconfAck: {
            quint32 serial = 0;
            if (!r.u32(body, serial))
                c.truncated = true;
            else
                info = QStringLiteral(" (Serial=%1)").arg(serial);
            break;
        }
        default:
            break;
        }
        if (describe)
            c.info = chunkTypeName(c.type) + info;
    }

} // namespace

quint32 sctpChecksum(const QByteArray& packet)
{
    // Slicing-by-8 (eight tables, eight bytes per step): the tap checks every packet twice in
    // the lab, so a byte-at-a-time CRC was the largest cost of a bulk transfer.
    static const auto tables = [] {
        std::array<std::array<quint32, 256>, 8> t {};
        t[0] = makeCrcTable();
        for (int i = 0; i < 256; ++i)
            for (int k = 1; k < 8; ++k)
                t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
        return t;
    }();
    const auto* p = reinterpret_cast<const uchar*>(packet.constData());
    const qsizetype n = packet.size();
    quint32 crc = 0xffffffffu;
    auto byte = [&](qsizetype i) -> quint8 { return (i >= 8 && i < 12) ? 0 : p[i]; };
    qsizetype i = 0;
    for (; i < n && i < 12; ++i)
        crc = tables[0][(crc ^ byte(i)) & 0xff] ^ (crc >> 8);
    for (; i + 8 <= n; i += 8) {
        const quint32 lo = crc ^ (quint32(p[i]) | (quint32(p[i + 1]) << 8) | (quint32(p[i + 2]) << 16) | (quint32(p[i + 3]) << 24));
        crc = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^ tables[4][lo >> 24]
            ^ tables[3][p[i + 4]] ^ tables[2][p[i + 5]] ^ tables[1][p[i + 6]] ^ tables[0][p[i + 7]];
    }
    for (; i < n; ++i)
        crc = tables[0][(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

QString chunkTypeName(quint8 type)
{
    switch (type) {
    case chunk::Data: return QStringLiteral("DATA");
    case chunk::Init: return QStringLiteral("INIT");
    case chunk::InitAck: return QStringLiteral("INIT_ACK");
    case chunk::Sack: return QStringLiteral("SACK");
    case chunk::Heartbeat: return QStringLiteral("HEARTBEAT");
    case chunk::HeartbeatAck: return QStringLiteral("HEARTBEAT_ACK");
    case chunk::Abort: return QStringLiteral("ABORT");
    case chunk::Shutdown: return QStringLiteral("SHUTDOWN");
    case chunk::ShutdownAck: return QStringLiteral("SHUTDOWN_ACK");
    case chunk::OperationError: return QStringLiteral("ERROR");
    case chunk::CookieEcho: return QStringLiteral("COOKIE_ECHO");
    case chunk::CookieAck: return QStringLiteral("COOKIE_ACK");
    case chunk::Ecne: return QStringLiteral("ECNE");
    case chunk::Cwr: return QStringLiteral("CWR");
    case chunk::ShutdownComplete: return QStringLiteral("SHUTDOWN_COMPLETE");
    case chunk::Auth: return QStringLiteral("AUTH");
    case chunk::NrSack: return QStringLiteral("NR_SACK");
    case chunk::IData: return QStringLiteral("I_DATA");
    case chunk::AsconfAck: return QStringLiteral("ASCONF_ACK");
    case chunk::PktDrop: return QStringLiteral("PKTDROP");
    case chunk::ReConfig: return QStringLiteral("RE_CONFIG");
    case chunk::Pad: return QStringLiteral("PAD");
    case chunk::ForwardTsn: return QStringLiteral("FORWARD_TSN");
    case chunk::Asconf: return QStringLiteral("ASCONF");
    case chunk::IForwardTsn: return QStringLiteral("I_FORWARD_TSN");
    default: return QStringLiteral("UNKNOWN(0x%1)").arg(type, 2, 16, QLatin1Char('0'));
    }
}

QString errorCauseName(quint16 cause)
{
    switch (cause) {
    case 1: return QStringLiteral("Invalid stream identifier");
    case 2: return QStringLiteral("Missing mandatory parameter");
    case 3: return QStringLiteral("Stale cookie");
    case 4: return QStringLiteral("Out of resource");
    case 5: return QStringLiteral("Unresolvable address");
    case 6: return QStringLiteral("Unrecognized chunk type");
    case 7: return QStringLiteral("Invalid mandatory parameter");
    case 8: return QStringLiteral("Unrecognized parameters");
    case 9: return QStringLiteral("No user data");
    case 10: return QStringLiteral("Cookie received while shutting down");
    case 11: return QStringLiteral("Restart with new addresses");
    case 12: return QStringLiteral("User-initiated abort");
    case 13: return QStringLiteral("Protocol violation");
    case 0x00a0: return QStringLiteral("Request to delete last address");
    case 0x00a1: return QStringLiteral("Operation refused");
    case 0x00a2: return QStringLiteral("Request to delete source address");
    case 0x00a3: return QStringLiteral("Illegal ASCONF-ACK");
    case 0x00a4: return QStringLiteral("Request refused");
    case 0x0105: return QStringLiteral("Unsupported HMAC identifier");
    default: return QStringLiteral("cause %1").arg(cause);
    }
}

QString DecodedPacket::summary() const
{
    QStringList names;
    for (const DecodedChunk& c : chunks)
        names << chunkTypeName(c.type);
    return names.join(QStringLiteral(", "));
}

DecodedPacket decodePacket(const QByteArray& packet, bool describe, bool verifyChecksum)
{
    DecodedPacket d;
    const Reader r { reinterpret_cast<const uchar*>(packet.constData()), int(packet.size()) };
    if (r.size < 12) {
        d.error = QStringLiteral("packet of %1 bytes is shorter than the 12-byte common header").arg(r.size);
        return d;
    }
    d.valid = true;
    r.u16(0, d.srcPort);
    r.u16(2, d.dstPort);
    r.u32(4, d.verificationTag);
    d.checksum = quint32(r.p[8]) | (quint32(r.p[9]) << 8) | (quint32(r.p[10]) << 16) | (quint32(r.p[11]) << 24);
    d.checksumOk = verifyChecksum && d.checksum == sctpChecksum(packet);

    d.chunks.reserve(8); // a bulk packet bundles a few chunks: one allocation, not three
    int at = 12;
    while (at < r.size) {
        DecodedChunk c;
        c.offset = at;
        if (at + 4 > r.size) {
            d.error = QStringLiteral("%1 stray bytes after the last chunk").arg(r.size - at);
            break;
        }
        r.u8(at, c.type);
        r.u8(at + 1, c.flags);
        r.u16(at + 2, c.length);
        int end = at + c.length;
        if (c.length < 4) {
            c.truncated = true;
            c.info = chunkTypeName(c.type) + QStringLiteral(" (bad length %1)").arg(c.length);
            d.chunks.append(c);
            d.error = QStringLiteral("chunk at offset %1 declares length %2").arg(at).arg(c.length);
            break;
        }
        if (end > r.size) {
            c.truncated = true;
            end = r.size;
        }
        decodeChunk(r, at, end, c, describe);
        if (c.truncated) {
            c.info += QStringLiteral(" [truncated]");
            if (d.error.isEmpty())
                d.error = QStringLiteral("%1 chunk at offset %2 is truncated").arg(chunkTypeName(c.type)).arg(at);
        }
        const int next = at + ((c.length + 3) & ~3);
        d.chunks.append(std::move(c));
        if (end >= r.size)
            break;
        at = next;
    }
    return d;
}

} // namespace ladder::sctp
