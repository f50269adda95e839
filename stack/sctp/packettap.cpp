// SPDX-License-Identifier: GPL-3.0-or-later
#include "packettap.h"

#include "core/scheduler.h"
#include "runtime.h"
#include "trace/journal.h"

#include <QStringList>

#include <algorithm>
#include <iterator>

namespace ladder::sctp {

namespace {
    // Serial-number comparison (RFC 1982) for 32-bit TSNs.
    bool tsnLessEq(quint32 a, quint32 b) { return a == b || qint32(a - b) < 0; }

    // Same characters at the same address: nothing to assign.
    void assignIfOther(QString& to, const QString& from)
    {
        if (to.constData() != from.constData() || to.size() != from.size())
            to = from;
    }

    quint16 be16(const uchar* p) { return quint16((p[0] << 8) | p[1]); }
    quint32 be32(const uchar* p)
    {
        return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
    }

    // "5000 → 5001 vtag 0x0badcafe: DATA, SACK" — what the timeline and the ladder show. Built by
    // appending: QString::arg chains cost more than the rest of the packet's bookkeeping.
    QString packetText(quint16 src, quint16 dst, quint32 vtag, const std::vector<DecodedChunk>& chunks, const QString& error)
    {
        QString t;
        t.reserve(40 + qsizetype(chunks.size()) * 6);
        t += QString::number(src);
        t += QStringLiteral(" → ");
        t += QString::number(dst);
        t += QStringLiteral(" vtag 0x");
        char16_t hex[8];
        for (int i = 0; i < 8; ++i) {
            const quint32 nibble = (vtag >> (28 - 4 * i)) & 0xf;
            hex[i] = char16_t(nibble < 10 ? u'0' + nibble : u'a' + nibble - 10);
        }
        t += QStringView(hex, 8);
        t += QStringLiteral(": ");
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            if (i)
                t += QStringLiteral(", ");
            t += chunkTypeName(chunks[i].type);
        }
        if (!error.isEmpty())
            t += QStringLiteral(" [malformed: %1]").arg(error);
        return t;
    }
}

bool PacketTap::TsnSet::insert(quint32 tsn)
{
    if (!started) {
        started = true;
        base = tsn & ~63u;
        words.clear();
    }
    quint32 off = tsn - base;
    if (off >= 0x80000000u)
        return false;
    if (off >= (1u << 24)) { // a jump no association makes: start the window over there
        base = tsn & ~63u;
        words.clear();
        off = tsn - base;
    }
    const std::size_t w = off >> 6;
    if (w >= words.size())
        words.resize(w + 1, 0);
    const quint64 bit = quint64(1) << (off & 63);
    if (words[w] & bit)
        return false;
    words[w] |= bit;
    return true;
}

void PacketTap::TsnSet::forgetBefore(quint32 tsn)
{
    const quint32 off = tsn - base;
    if (!started || off >= 0x80000000u)
        return;
    const std::size_t drop = std::min<std::size_t>(off >> 6, words.size());
    words.erase(words.begin(), words.begin() + qsizetype(drop));
    base += quint32(drop) * 64;
}

PacketTap::PacketTap(Scheduler& scheduler, trace::Journal& journal)
    : m_scheduler(scheduler)
    , m_journal(journal)
{
}

const PacketTap::Scanned& PacketTap::scan(const QByteArray& packet)
{
    // The lab link delivers the very bytes that were sent (same shared buffer): reuse that scan.
    if (!packet.isEmpty())
        for (std::size_t i = 0; i < m_cache.size(); ++i) {
            const Scanned& c = m_cache[(m_cacheNext + m_cache.size() - 1 - i) % m_cache.size()];
            if (c.packet.constData() == packet.constData() && c.packet.size() == packet.size())
                return c;
        }
    Scanned& s = m_cache[m_cacheNext];
    m_cacheNext = (m_cacheNext + 1) % m_cache.size();
    s.packet = packet;
    s.valid = false;
    s.srcPort = s.dstPort = 0;
    s.chunks.clear();
    s.needsFullDecode = m_level == Level::Chunks;

    const auto* p = reinterpret_cast<const uchar*>(packet.constData());
    const int n = int(packet.size());
    quint32 vtag = 0;
    if (n >= 12 && !s.needsFullDecode) {
        s.valid = true;
        s.srcPort = be16(p);
        s.dstPort = be16(p + 2);
        vtag = be32(p + 4);
        int at = 12;
        while (at < n) {
            if (at + 4 > n) {
                s.needsFullDecode = true; // stray bytes: let the decoder word the error
                break;
            }
            DecodedChunk c;
            c.offset = at;
            c.type = p[at];
            c.flags = p[at + 1];
            c.length = be16(p + at + 2);
            const int end = at + c.length;
            if (c.length < 4 || end > n) {
                s.needsFullDecode = true;
                break;
            }
            switch (c.type) {
            case chunk::Data:
                if (c.length < 16) {
                    s.needsFullDecode = true;
                    break;
                }
                c.tsn = be32(p + at + 4);
                c.sid = be16(p + at + 8);
                c.ssn = be16(p + at + 10);
                c.ppid = be32(p + at + 12);
                c.payloadLength = end - (at + 16);
                break;
            case chunk::IData:
                if (c.length < 20) {
                    s.needsFullDecode = true;
                    break;
                }
                c.tsn = be32(p + at + 4);
                c.sid = be16(p + at + 8);
                c.ssn = be32(p + at + 12);
                (c.beginning() ? c.ppid : c.fsn) = be32(p + at + 16);
                c.payloadLength = end - (at + 20);
                break;
            case chunk::Sack:
            case chunk::NrSack:
                if (c.length < 16) {
                    s.needsFullDecode = true;
                    break;
                }
                c.cumTsn = be32(p + at + 4);
                c.arwnd = be32(p + at + 8);
                break;
            case chunk::ForwardTsn:
            case chunk::IForwardTsn:
            case chunk::Init:
            case chunk::InitAck:
                s.needsFullDecode = true; // rare, and their details go into derived events
                break;
            default:
                break;
            }
            if (s.needsFullDecode)
                break;
            at += (c.length + 3) & ~3;
            s.chunks.push_back(std::move(c));
        }
    }
    if (s.needsFullDecode || n < 12) {
        // Chunks level, a rare chunk or something malformed: the full decoder (no checksum: usrsctp
        // computed it for what we send, and the inspector verifies it on demand).
        DecodedPacket d = decodePacket(packet, m_level == Level::Chunks, false);
        s.valid = d.valid;
        s.srcPort = d.srcPort;
        s.dstPort = d.dstPort;
        s.chunks.assign(std::make_move_iterator(d.chunks.begin()), std::make_move_iterator(d.chunks.end()));
        s.text = !d.valid        ? QStringLiteral("malformed SCTP packet: %1").arg(d.error)
            : d.error.isEmpty() ? summary(d.srcPort, d.dstPort, d.verificationTag, s.chunks)
                                : packetText(d.srcPort, d.dstPort, d.verificationTag, s.chunks, d.error);
        return s;
    }
    s.text = m_level == Level::Off ? QString() : summary(s.srcPort, s.dstPort, vtag, s.chunks);
    return s;
}

QString PacketTap::summary(quint16 src, quint16 dst, quint32 vtag, const std::vector<DecodedChunk>& chunks)
{
    SummaryLine key;
    if (chunks.size() > key.types.size())
        return packetText(src, dst, vtag, chunks, QString());
    key.src = src;
    key.dst = dst;
    key.vtag = vtag;
    key.count = quint8(chunks.size());
    quint32 h = 2166136261u ^ src ^ (quint32(dst) << 16) ^ vtag;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        key.types[i] = chunks[i].type;
        h = (h ^ chunks[i].type) * 16777619u;
    }
    h ^= h >> 15;
    SummaryLine& slot = m_summaries[h % m_summaries.size()];
    if (!slot.text.isEmpty() && slot.src == src && slot.dst == dst && slot.vtag == vtag && slot.count == key.count
        && std::equal(key.types.begin(), key.types.begin() + key.count, slot.types.begin()))
        return slot.text;
    key.text = packetText(src, dst, vtag, chunks, QString());
    slot = std::move(key);
    return slot.text;
}

PacketTap::Flow& PacketTap::flow(void* handle, quint16 src, quint16 dst)
{
    const FlowKey key { handle, src, dst };
    if (m_lastFlow && key == m_lastFlowKey)
        return *m_lastFlow;
    m_lastFlowKey = key;
    m_lastFlow = &m_flows[key];
    return *m_lastFlow;
}

void PacketTap::observe(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from, const QString& to,
    bool derived, qint64 timeNs)
{
    ++m_packets;
    const qint64 now = timeNs >= 0 ? timeNs : m_scheduler.nowNs();
    m_lastTimeNs = now;
    const Scanned& s = scan(packet);
    const quint16 localPort = dir == trace::Dir::Tx ? s.srcPort : s.dstPort;
    const quint16 peerPort = dir == trace::Dir::Tx ? s.dstPort : s.srcPort;
    const quint64 assoc = m_resolver && s.valid ? m_resolver(handle, localPort, peerPort) : 0;

    if (m_level != Level::Off) {
        // One Event reused for every packet: the lanes and summary lines repeat, and assigning a
        // string only when it changed spares two atomic reference counts per string and packet.
        trace::Event& pe = m_packetEvent;
        pe.timeNs = now;
        pe.kind = trace::Kind::SctpPacket;
        pe.dir = dir;
        pe.object = assoc;
        pe.a = assoc;
        assignIfOther(pe.from, from);
        assignIfOther(pe.to, to);
        assignIfOther(pe.text, s.text);
        pe.raw = packet;
        m_journal.append(pe);
    }
    if (!s.valid)
        return;

    // How many of this packet's DATA chunks usrsctp counted as fast / timeout retransmissions
    // (only known for packets our runtime just emitted).
    qint64 fastLeft = 0, timeoutLeft = 0;
    if (derived && dir == trace::Dir::Tx) {
        const Runtime::OutputCounters rc = Runtime::currentOutput();
        if (rc.known) {
            fastLeft = rc.fast;
            timeoutLeft = qint64(rc.retransmitted) - qint64(rc.fast);
        }
    }
    const bool chunkEvents = m_level == Level::Chunks;
    Flow& out = flow(handle, s.srcPort, s.dstPort);
    for (const DecodedChunk& c : s.chunks) {
        bool retransmitted = false;
        if (c.type == chunk::Data || c.type == chunk::IData) {
            if (!c.truncated && derived)
                retransmitted = !out.sent.insert(c.tsn);
        } else if (c.type == chunk::Init || c.type == chunk::InitAck) {
            // A new association on these ports: forget the old one's TSNs.
            out = Flow {};
            flow(handle, s.dstPort, s.srcPort) = Flow {};
        }
        if (chunkEvents) {
            trace::Event& ce = m_chunkEvent; // reused, as the packet event is
            ce.timeNs = now;
            ce.kind = trace::Kind::SctpChunk;
            ce.dir = dir;
            ce.object = assoc;
            ce.a = c.type;
            ce.b = 0;
            ce.c = 0;
            assignIfOther(ce.from, from);
            assignIfOther(ce.to, to);
            ce.text = c.info;
            if (c.type == chunk::Data || c.type == chunk::IData) {
                ce.b = c.sid;
                ce.c = c.tsn;
            } else if (c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) {
                ce.c = c.cumTsn;
            }
            m_journal.append(ce);
        }

        int kind = 0;
        if (retransmitted) {
            ++m_retransmissions;
            if (fastLeft > 0) {
                --fastLeft;
                kind = 1;
                ++m_fast;
            } else if (timeoutLeft > 0) {
                --timeoutLeft;
                kind = 2;
                ++m_timeout;
            }
            trace::Event re;
            re.timeNs = now;
            re.kind = trace::Kind::SctpRetransmission;
            re.dir = dir;
            re.object = assoc;
            re.a = quint64(kind);
            re.b = c.sid;
            re.c = c.tsn;
            re.from = from;
            re.to = to;
            re.text = QStringLiteral("%1 retransmission of TSN %2 (SID %3)")
                          .arg(kind == 1     ? QStringLiteral("fast")
                                  : kind == 2 ? QStringLiteral("timeout")
                                              : QStringLiteral("a"))
                          .arg(c.tsn)
                          .arg(c.sid);
            m_journal.append(std::move(re));
        }
        if ((c.type == chunk::Sack || c.type == chunk::NrSack) && !c.truncated && dir == trace::Dir::Rx) {
            // A SACK that reached the data sender acknowledges the reverse flow: remember its
            // cumulative TSN and forget the TSNs it covers (they can no longer be retransmitted).
            // Only on receipt: a SACK seen leaving the peer may still be lost on the way.
            Flow& rev = flow(handle, s.dstPort, s.srcPort);
            if (!rev.haveCumAck || tsnLessEq(rev.cumAck, c.cumTsn)) {
                rev.cumAck = c.cumTsn;
                rev.haveCumAck = true;
                // Keep a margin: the sender may already have queued a retransmission of data
                // this SACK covers before it processed the SACK, and that copy is still one.
                rev.sent.forgetBefore(c.cumTsn - 8192);
            }
        }
        if ((c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) && derived && !c.truncated) {
            ++m_forwardTsns;
            const quint32 first = out.haveCumAck ? out.cumAck + 1 : c.cumTsn;
            trace::Event fe;
            fe.timeNs = now;
            fe.kind = trace::Kind::SctpForwardTsn;
            fe.dir = dir;
            fe.object = assoc;
            fe.b = first;
            fe.c = c.cumTsn;
            fe.from = from;
            fe.to = to;
            fe.text = tsnLessEq(first, c.cumTsn) && first != c.cumTsn
                ? QStringLiteral("FORWARD-TSN skips TSN %1–%2").arg(first).arg(c.cumTsn)
                : QStringLiteral("FORWARD-TSN skips TSN %1").arg(c.cumTsn);
            if (!c.skipped.isEmpty()) {
                QStringList sk;
                for (const auto& x : c.skipped)
                    sk << QStringLiteral("stream %1 %2 %3")
                              .arg(x.sid)
                              .arg(c.type == chunk::IForwardTsn ? QStringLiteral("MID") : QStringLiteral("SSN"))
                              .arg(x.ssn);
                fe.text += QStringLiteral(" (") + sk.join(QStringLiteral(", ")) + QLatin1Char(')');
            }
            m_journal.append(std::move(fe));
        }
        if (m_observer)
            m_observer(ChunkSeen { dir, handle, assoc, s.srcPort, s.dstPort, &c, retransmitted, kind });
    }
}

} // namespace ladder::sctp
