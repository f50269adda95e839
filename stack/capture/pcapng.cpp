// SPDX-License-Identifier: GPL-3.0-or-later
#include "pcapng.h"

#include "journal/journal.h"
#include "netpacket.h"

#include <QIODevice>

namespace ladder::trace {

namespace {
    constexpr quint32 kShb = 0x0A0D0D0A;
    constexpr quint32 kIdb = 0x00000001;
    constexpr quint32 kEpb = 0x00000006;
    constexpr quint16 kLinktypeRaw = 101;
    constexpr quint16 kSipPort = 5060;
    constexpr quint16 kSctpUdpPort = 9899;
    constexpr int kMaxTcpSegment = 60000;

    // pcapng is written little-endian whatever the host (the byte-order magic says so).
    void le16(QByteArray& b, quint16 v)
    {
        b.append(char(v));
        b.append(char(v >> 8));
    }
    void le32(QByteArray& b, quint32 v)
    {
        for (int i = 0; i < 4; ++i)
            b.append(char(v >> (8 * i)));
    }
    void pad4(QByteArray& b)
    {
        while (b.size() % 4)
            b.append('\0');
    }
    void option(QByteArray& b, quint16 code, const QByteArray& value)
    {
        le16(b, code);
        le16(b, quint16(value.size()));
        b += value;
        pad4(b);
    }
    QByteArray flowKey(const NetEndpoint& a, const NetEndpoint& b)
    {
        QByteArray k = a.addr;
        k.append(char(a.port >> 8)).append(char(a.port));
        k += b.addr;
        k.append(char(b.port >> 8)).append(char(b.port));
        return k;
    }
} // namespace

PcapngWriter::PcapngWriter(QIODevice* device, PcapngOptions options)
    : m_device(device)
    , m_options(options)
{
}

bool PcapngWriter::writeBlock(quint32 type, const QByteArray& body)
{
    const quint32 total = quint32(body.size()) + 12;
    QByteArray block;
    block.reserve(qsizetype(total));
    le32(block, type);
    le32(block, total);
    block += body;
    le32(block, total);
    if (m_device->write(block) != block.size()) {
        m_error = m_device->errorString();
        return false;
    }
    return true;
}

bool PcapngWriter::begin()
{
    QByteArray shb;
    le32(shb, 0x1A2B3C4D);
    le16(shb, 1);
    le16(shb, 0);
    le32(shb, 0xffffffffu); // section length unknown
    le32(shb, 0xffffffffu);
    option(shb, 4, QByteArrayLiteral("LadderLab")); // shb_userappl
    option(shb, 0, {});
    if (!writeBlock(kShb, shb))
        return false;
    QByteArray idb;
    le16(idb, kLinktypeRaw);
    le16(idb, 0);
    le32(idb, 0); // no snap length limit
    option(idb, 2, QByteArrayLiteral("ladderlab")); // if_name
    option(idb, 9, QByteArray(1, char(9))); // if_tsresol: nanoseconds
    option(idb, 0, {});
    return writeBlock(kIdb, idb);
}

bool PcapngWriter::writePacket(const QByteArray& packet, qint64 timeNs, Dir dir, const QStringList& comments)
{
    const quint64 ts = quint64(net::satAdd(m_options.epochNs, timeNs));
    QByteArray epb;
    le32(epb, 0); // interface 0
    le32(epb, quint32(ts >> 32));
    le32(epb, quint32(ts));
    le32(epb, quint32(packet.size()));
    le32(epb, quint32(packet.size()));
    epb += packet;
    pad4(epb);
    for (const QString& c : comments) {
        QByteArray utf8 = c.toUtf8();
        if (utf8.size() > 65000)
            utf8.truncate(65000);
        option(epb, 1, utf8); // opt_comment
    }
    if (dir != Dir::None) {
        QByteArray flags;
        le32(flags, dir == Dir::Rx ? 1u : 2u); // epb_flags direction: 01 inbound, 10 outbound
        option(epb, 2, flags);
    }
    option(epb, 0, {});
    ++m_stats.packets;
    return writeBlock(kEpb, epb);
}

QStringList PcapngWriter::takeComments(const Event& e)
{
    QStringList comments = std::exchange(m_pendingComments, {});
    if (!e.text.isEmpty())
        comments.prepend(e.text);
    return comments;
}

bool PcapngWriter::write(const Event& e)
{
    ++m_stats.events;
    switch (e.kind) {
    case Kind::SipMessage:
    case Kind::SipRetransmission:
        return writeSip(e);
    case Kind::SctpPacket:
        return writeSctp(e);
    case Kind::LinkDrop:
        m_pendingComments.append(QStringLiteral("lab: ") + e.text);
        return true;
    default:
        return true;
    }
}

bool PcapngWriter::writeSip(const Event& e)
{
    if (e.raw.isEmpty()) {
        ++m_stats.skipped;
        return true;
    }
    NetEndpoint src = parseEndpoint(e.from, kSipPort);
    NetEndpoint dst = parseEndpoint(e.to, kSipPort);
    unifyFamilies(src, dst);
    switch (e.b) {
    case 1:
    case 3: // TLS, WS and WSS as the plaintext SIP on TCP: the journal has no record of the TLS or WebSocket framing
    case 4:
    case 5:
        return writeTcp(e, src, dst);
    case 2: {
        if (m_options.sipOverSctp == PcapngOptions::SipOverSctp::Skip)
            return true;
        SctpFlow& f = m_sctp[flowKey(src, dst)];
        const QByteArray chunk = net::sctpDataChunk(f.tsn++, 0, f.ssn++, 0, e.raw);
        const QByteArray sctp = net::sctpPacket(src.port, dst.port, 0, chunk);
        if (sctp.size() > net::kMaxUdpPayload) {
            ++m_stats.skipped;
            return true;
        }
        return writePacket(net::sctpNativePacket(src, dst, sctp, m_ipId++), e.timeNs, e.dir, takeComments(e));
    }
    default:
        if (e.raw.size() > net::kMaxUdpPayload) {
            ++m_stats.skipped;
            return true;
        }
        return writePacket(net::udpPacket(src, dst, e.raw, m_ipId++), e.timeNs, e.dir, takeComments(e));
    }
}

bool PcapngWriter::writeTcp(const Event& e, NetEndpoint src, NetEndpoint dst)
{
    // One flow per unordered 4-tuple; side 0 is whoever sent first and so "opened" the connection.
    const QByteArray fwd = flowKey(src, dst);
    const QByteArray rev = flowKey(dst, src);
    int side = 0;
    auto it = m_tcp.find(fwd);
    if (it == m_tcp.end()) {
        it = m_tcp.find(rev);
        side = 1;
    }
    if (it == m_tcp.end()) {
        // Deterministic initial sequence numbers, different per flow.
        const quint32 h = net::crc32c(fwd.constData(), fwd.size());
        TcpFlow flow;
        flow.seq[0] = h;
        flow.seq[1] = h ^ 0x5a5a5a5au;
        if (!writePacket(net::tcpPacket(src, dst, flow.seq[0], 0, net::TcpSyn, {}, m_ipId++), e.timeNs, Dir::None, {}))
            return false;
        if (!writePacket(net::tcpPacket(dst, src, flow.seq[1], flow.seq[0] + 1, net::TcpSyn | net::TcpAck, {}, m_ipId++),
                e.timeNs, Dir::None, {}))
            return false;
        ++flow.seq[0];
        ++flow.seq[1];
        if (!writePacket(net::tcpPacket(src, dst, flow.seq[0], flow.seq[1], net::TcpAck, {}, m_ipId++), e.timeNs,
                Dir::None, {}))
            return false;
        it = m_tcp.insert(fwd, flow);
        side = 0;
    }
    TcpFlow& flow = *it;
    QStringList comments = takeComments(e);
    for (qsizetype off = 0; off < e.raw.size(); off += kMaxTcpSegment) {
        const QByteArray part = e.raw.mid(off, kMaxTcpSegment);
        const QByteArray pkt
            = net::tcpPacket(src, dst, flow.seq[side], flow.seq[1 - side], net::TcpPsh | net::TcpAck, part, m_ipId++);
        flow.seq[side] += quint32(part.size());
        if (!writePacket(pkt, e.timeNs, e.dir, std::exchange(comments, {})))
            return false;
    }
    return true;
}

bool PcapngWriter::writeSctp(const Event& e)
{
    if (e.raw.size() < 12 || e.raw.size() > net::kMaxUdpPayload) {
        ++m_stats.skipped;
        return true;
    }
    QByteArray sctp = e.raw;
    if (m_options.fixSctpChecksums && !net::sctpChecksumValid(sctp)) {
        sctp = net::withSctpChecksum(sctp);
        ++m_stats.fixedChecksums;
    }
    const bool native = e.b == 1;
    // Native packets carry their ports in the SCTP header; encapsulated ones in the UDP header.
    const quint16 defaultPort = native ? 0 : kSctpUdpPort;
    NetEndpoint src = parseEndpoint(e.from, defaultPort);
    NetEndpoint dst = parseEndpoint(e.to, defaultPort);
    unifyFamilies(src, dst);
    const QByteArray pkt
        = native ? net::sctpNativePacket(src, dst, sctp, m_ipId++) : net::udpPacket(src, dst, sctp, m_ipId++);
    return writePacket(pkt, e.timeNs, e.dir, takeComments(e));
}

bool writePcapng(const Journal& journal, QIODevice* device, PcapngOptions options, QString* error, PcapngStats* stats)
{
    if (options.epochNs == 0)
        options.epochNs = journal.epochNs();
    if (options.sipOverSctp == PcapngOptions::SipOverSctp::Auto) {
        bool haveSctpPackets = false;
        journal.forEach(0, journal.count(), [&](const Event& e) { haveSctpPackets |= e.kind == Kind::SctpPacket; });
        options.sipOverSctp
            = haveSctpPackets ? PcapngOptions::SipOverSctp::Skip : PcapngOptions::SipOverSctp::Synthesize;
    }
    PcapngWriter w(device, options);
    bool ok = w.begin();
    const quint64 n = journal.count();
    for (quint64 first = 0; ok && first < n; first += 4096)
        journal.forEach(first, std::min<quint64>(4096, n - first), [&](const Event& e) { ok = ok && w.write(e); });
    if (stats)
        *stats = w.stats();
    if (!ok && error)
        *error = w.errorString();
    return ok;
}

} // namespace ladder::trace
