// SPDX-License-Identifier: GPL-3.0-or-later
#include "packettap.h"

#include "core/scheduler.h"
#include "runtime.h"
#include "journal/journal.h"

#include <QStringList>

#include <algorithm>
#include <iterator>

namespace ladder::sctp {

namespace {
    // FNV-1a over a packet's chunk types (the summary lines' cache key, with ports and tag).
    constexpr quint32 kTypesHashSeed = 2166136261u;
    constexpr quint32 kFnvPrime = 16777619u;
    quint32 hashType(quint32 h, quint8 type) { return (h ^ type) * kFnvPrime; }

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
    QString packetText(quint16 src, quint16 dst, quint32 vtag, const std::vector<ChunkFields>& chunks, const QString& error)
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
        head = 0;
    }
    quint32 off = tsn - base;
    if (off >= 0x80000000u)
        return false;
    if (off >= (1u << 24)) { // a jump no association makes: start the window over there
        base = tsn & ~63u;
        words.clear();
        head = 0;
        off = tsn - base;
    }
    const std::size_t w = head + (off >> 6);
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
    const std::size_t drop = std::min<std::size_t>(off >> 6, words.size() - head);
    head += drop;
    base += quint32(drop) * 64;
    if (head > 0 && head * 2 >= words.size()) { // move the live words down, now and then
        words.erase(words.begin(), words.begin() + std::ptrdiff_t(head));
        head = 0;
    }
}

PacketTap::PacketTap(Scheduler& scheduler, trace::Journal& journal)
    : m_scheduler(scheduler)
    , m_journal(journal)
{
    trace::Journal::setExpander(trace::Kind::SctpPacket, &expandPacketEvents);
}

PacketTap::Scanned& PacketTap::scan(const QByteArray& packet, bool lookup)
{
    // The lab link delivers the very bytes that were sent (same shared buffer): reuse that scan.
    if (lookup && !packet.isEmpty())
        for (std::size_t i = 0; i < m_cache.size(); ++i) {
            Scanned& c = m_cache[(m_cacheNext + m_cache.size() - 1 - i) % m_cache.size()];
            if (c.packet.constData() == packet.constData() && c.packet.size() == packet.size())
                return c;
        }
    Scanned& s = m_cache[m_cacheNext];
    m_cacheNext = (m_cacheNext + 1) % m_cache.size();
    s.packet = packet;
    s.valid = false;
    s.srcPort = s.dstPort = 0;
    s.chunks.clear();
    s.full.clear();
    s.needsFullDecode = false;
    s.fullyDecoded = false;
    s.onlyData = false;

    const auto* p = reinterpret_cast<const uchar*>(packet.constData());
    const int n = int(packet.size());
    quint32 vtag = 0;
    bool onlyData = true;
    quint32 typesHash = kTypesHashSeed; // for the summary line's cache, as summary() computes it
    if (n >= 12) {
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
            ChunkFields& c = s.chunks.emplace_back();
            c.offset = at;
            c.type = p[at];
            c.flags = p[at + 1];
            c.length = be16(p + at + 2);
            const int end = at + c.length;
            if (c.length < 4 || end > n) {
                s.needsFullDecode = true;
                break;
            }
            onlyData = onlyData && (c.type == chunk::Data || c.type == chunk::IData);
            typesHash = hashType(typesHash, c.type);
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
        }
    }
    if (s.needsFullDecode || n < 12) {
        // A rare chunk or something malformed: the full decoder, descriptions included for the
        // chunk events (no checksum: usrsctp computed it for what we send, and the inspector
        // verifies it on demand).
        DecodedPacket d = decodePacket(packet, m_level == Level::Chunks, false);
        s.fullyDecoded = true;
        s.valid = d.valid;
        s.srcPort = d.srcPort;
        s.dstPort = d.dstPort;
        s.full.assign(std::make_move_iterator(d.chunks.begin()), std::make_move_iterator(d.chunks.end()));
        s.chunks.assign(s.full.begin(), s.full.end());
        if (!d.valid)
            s.text = QStringLiteral("malformed SCTP packet: %1").arg(d.error);
        else if (!d.error.isEmpty())
            s.text = packetText(d.srcPort, d.dstPort, d.verificationTag, s.chunks, d.error);
        else
            assignIfOther(s.text, summary(d.srcPort, d.dstPort, d.verificationTag, s.chunks));
        return s;
    }
    s.onlyData = onlyData && !s.chunks.empty();
    if (m_level == Level::Off)
        s.text.clear();
    else
        assignIfOther(s.text, summary(s.srcPort, s.dstPort, vtag, s.chunks, typesHash));
    return s;
}

const QString& PacketTap::summary(quint16 src, quint16 dst, quint32 vtag, const std::vector<ChunkFields>& chunks)
{
    quint32 typesHash = kTypesHashSeed;
    for (const ChunkFields& c : chunks)
        typesHash = hashType(typesHash, c.type);
    return summary(src, dst, vtag, chunks, typesHash);
}

const QString& PacketTap::summary(quint16 src, quint16 dst, quint32 vtag, const std::vector<ChunkFields>& chunks,
    quint32 typesHash)
{
    if (chunks.size() > SummaryLine {}.types.size()) {
        m_longSummary = packetText(src, dst, vtag, chunks, QString());
        return m_longSummary;
    }
    quint32 h = (typesHash ^ src ^ (quint32(dst) << 16) ^ vtag) * kFnvPrime;
    h ^= h >> 15;
    SummaryLine& slot = m_summaries[h % m_summaries.size()];
    bool same = !slot.text.isEmpty() && slot.src == src && slot.dst == dst && slot.vtag == vtag
        && slot.count == chunks.size();
    for (std::size_t i = 0; same && i < chunks.size(); ++i)
        same = slot.types[i] == chunks[i].type;
    if (same)
        return slot.text;
    slot.src = src;
    slot.dst = dst;
    slot.vtag = vtag;
    slot.count = quint8(chunks.size());
    for (std::size_t i = 0; i < chunks.size(); ++i)
        slot.types[i] = chunks[i].type;
    slot.text = packetText(src, dst, vtag, chunks, QString());
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
    observeOne(dir, handle, packet, from, to, derived, timeNs, true);
}

void PacketTap::observeTransient(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from,
    const QString& to, bool derived)
{
    Scanned& s = observeOne(dir, handle, packet, from, to, derived, -1, false);
    // The bytes are the caller's for this call only: nothing may point at them afterwards (the
    // journal copied them), nor may a later packet at the same address match this scan.
    s.packet = QByteArray();
    m_packetEvent.raw = QByteArray();
}

PacketTap::Scanned& PacketTap::observeOne(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from,
    const QString& to, bool derived, qint64 timeNs, bool lookup)
{
    ++m_packets;
    const qint64 now = timeNs >= 0 ? timeNs : m_scheduler.nowNs();
    m_lastTimeNs = now;
    Scanned& s = scan(packet, lookup);
    const quint64 assoc = resolve(dir, handle, s);
    const bool anyDerived = update(dir, handle, s, derived, m_kinds);
    journalPacket(s, Seen { dir, handle, now, assoc, &from, &to, derived }, anyDerived, m_kinds);
    notify(dir, handle, s, assoc, m_kinds);
    return s;
}

void PacketTap::observeDelivery(void* handle, const QByteArray& packet, const QString& from, const QString& to,
    qint64 timeNs)
{
    m_packets += 2;
    const qint64 now = timeNs >= 0 ? timeNs : m_scheduler.nowNs();
    m_lastTimeNs = now;
    const Scanned& s = scan(packet, false); // a new packet, and its arrival is seen right here
    const quint64 sender = resolve(trace::Dir::Tx, handle, s);
    const bool sentDerived = update(trace::Dir::Tx, handle, s, true, m_kinds);
    const quint64 receiver = resolve(trace::Dir::Rx, handle, s);
    // An arrival of nothing but DATA changes no flow (only SACKs, INITs and FORWARD-TSNs do) and,
    // seen on our own receiving side, derives nothing: its kinds are only needed if it is
    // journalled on its own (below).
    const bool receivedDerived = s.onlyData ? false : update(trace::Dir::Rx, handle, s, false, m_arrivalKinds);
    const Seen departure { trace::Dir::Tx, handle, now, sender, &from, &to, true };
    const Seen arrival { trace::Dir::Rx, handle, now, receiver, &from, &to, false };
    // The arrival is the departure's twin (same instant, bytes, summary and lanes): when both
    // ends are known associations and the packet is clean, the departure's event implies it —
    // its b names the receiving association — and, at the Chunks level, both sides' chunk events.
    const bool joint = m_level != Level::Off && m_implied && s.valid && !s.fullyDecoded && !sentDerived
        && !receivedDerived && sender != 0 && receiver != 0;
    if (!joint) {
        if (s.onlyData)
            m_arrivalKinds.assign(s.chunks.size(), qint8(-1));
        journalPacket(s, departure, sentDerived, m_kinds);
        notify(trace::Dir::Tx, handle, s, sender, m_kinds);
        journalPacket(s, arrival, receivedDerived, m_arrivalKinds);
        return;
    }
    trace::Event& pe = packetEvent(s, departure);
    pe.b = receiver;
    const quint32 n = quint32(s.chunks.size());
    const bool chunks = m_level == Level::Chunks;
    m_journal.append(pe, chunks ? 2 * n + 1 : 1);
    pe.b = 0;
    if (chunks)
        m_impliedChunks += 2 * n;
    notify(trace::Dir::Tx, handle, s, sender, m_kinds);
}

quint64 PacketTap::resolve(trace::Dir dir, void* handle, const Scanned& s)
{
    const quint16 localPort = dir == trace::Dir::Tx ? s.srcPort : s.dstPort;
    const quint16 peerPort = dir == trace::Dir::Tx ? s.dstPort : s.srcPort;
    if (!m_resolver || !s.valid)
        return 0;
    for (const Resolved& r : m_resolved)
        if (r.valid && r.handle == handle && r.localPort == localPort && r.peerPort == peerPort)
            return r.id;
    const quint64 id = m_resolver(handle, localPort, peerPort);
    m_resolved[m_nextResolved] = { handle, localPort, peerPort, true, id };
    m_nextResolved = (m_nextResolved + 1) % m_resolved.size();
    return id;
}

bool PacketTap::update(trace::Dir dir, void* handle, const Scanned& s, bool derived, std::vector<qint8>& kinds)
{
    // What the packet changes (sent TSNs, acknowledgements), remembering per chunk whether it was
    // a retransmission and of which kind. How many of this packet's DATA chunks usrsctp counted as
    // fast / timeout retransmissions is only known for packets our runtime just emitted.
    qint64 fastLeft = 0, timeoutLeft = 0;
    if (s.valid && derived && dir == trace::Dir::Tx) {
        const Runtime::OutputCounters rc = Runtime::currentOutput();
        if (rc.known) {
            fastLeft = rc.fast;
            timeoutLeft = qint64(rc.retransmitted) - qint64(rc.fast);
        }
    }
    bool anyDerived = false;
    kinds.clear();
    if (!s.valid)
        return false;
    // This direction's flow, looked up once and only when needed: an arrival's DATA changes nothing.
    Flow* out = nullptr;
    for (const ChunkFields& c : s.chunks) {
        int kind = -1; // not a retransmission
        if (c.type == chunk::Data || c.type == chunk::IData) {
            if (!c.truncated && derived && !(out ? out : (out = &flow(handle, s.srcPort, s.dstPort)))->sent.insert(c.tsn)) {
                kind = 0;
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
                anyDerived = true;
            }
        } else if (c.type == chunk::Init || c.type == chunk::InitAck) {
            // A new association on these ports: forget the old one's TSNs.
            if (!out)
                out = &flow(handle, s.srcPort, s.dstPort);
            *out = Flow {};
            flow(handle, s.dstPort, s.srcPort) = Flow {};
        } else if ((c.type == chunk::Sack || c.type == chunk::NrSack) && !c.truncated && dir == trace::Dir::Rx) {
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
        } else if ((c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) && derived && !c.truncated) {
            anyDerived = true;
        }
        kinds.push_back(qint8(kind));
    }
    return anyDerived;
}

trace::Event& PacketTap::packetEvent(const Scanned& s, const Seen& seen)
{
    // One Event reused for every packet: the lanes and summary lines repeat, and assigning a
    // string only when it changed spares two atomic reference counts per string and packet.
    trace::Event& pe = m_packetEvent;
    pe.timeNs = seen.timeNs;
    pe.kind = trace::Kind::SctpPacket;
    pe.dir = seen.dir;
    pe.object = seen.association;
    pe.a = seen.association;
    assignIfOther(pe.from, *seen.from);
    assignIfOther(pe.to, *seen.to);
    assignIfOther(pe.text, s.text);
    pe.raw = s.packet;
    return pe;
}

void PacketTap::journalPacket(const Scanned& s, const Seen& seen, bool anyDerived, const std::vector<qint8>& kinds)
{
    bool chunksWritten = false;
    if (m_level != Level::Off) {
        const trace::Event& pe = packetEvent(s, seen);
        // At the Chunks level a clean packet whose chunks bring no derived events implies its
        // SctpChunk events: the journal derives them from the packet's bytes when they are read
        // (expandPacketEvents), identical to the ones journalChunks writes for the other packets.
        const bool implied = m_level == Level::Chunks && m_implied && s.valid && !s.fullyDecoded && !anyDerived;
        m_journal.append(pe, implied ? quint32(s.chunks.size()) : 0);
        if (implied)
            m_impliedChunks += s.chunks.size();
        if (s.valid && m_level == Level::Chunks && !implied) {
            journalChunks(s, seen, kinds);
            chunksWritten = true;
        }
    }
    if (anyDerived && !chunksWritten)
        for (std::size_t i = 0; i < s.chunks.size(); ++i)
            journalDerived(s, i, kinds[i], seen);
}

void PacketTap::notify(trace::Dir dir, void* handle, const Scanned& s, quint64 assoc, const std::vector<qint8>& kinds)
{
    if (m_observer && s.valid && dir == trace::Dir::Tx)
        m_observer(PacketSeen { dir, handle, assoc, s.srcPort, s.dstPort, &s.chunks, &kinds });
}

void PacketTap::journalChunks(const Scanned& s, const Seen& seen, const std::vector<qint8>& kinds)
{
    // The chunk events need the descriptions, which the bulk scan leaves out.
    DecodedPacket decoded;
    if (!s.fullyDecoded) {
        decoded = decodePacket(s.packet, true, false);
        if (std::size_t(decoded.chunks.size()) != s.chunks.size())
            return; // cannot be: the scan and the decoder read the same chunk headers
    }
    for (std::size_t i = 0; i < s.chunks.size(); ++i) {
        const DecodedChunk& c = s.fullyDecoded ? s.full[i] : decoded.chunks[qsizetype(i)];
        trace::Event& ce = m_chunkEvent; // reused, as the packet event is
        setChunkEvent(ce, c, seen.timeNs, seen.dir, seen.association);
        assignIfOther(ce.from, *seen.from);
        assignIfOther(ce.to, *seen.to);
        m_journal.append(ce);
        journalDerived(s, i, kinds[i], seen);
    }
}

void PacketTap::journalDerived(const Scanned& s, std::size_t index, int retransmissionKind, const Seen& seen)
{
    const ChunkFields& c = s.chunks[index];
    if (retransmissionKind >= 0) {
        trace::Event re;
        re.timeNs = seen.timeNs;
        re.kind = trace::Kind::SctpRetransmission;
        re.dir = seen.dir;
        re.object = seen.association;
        re.a = quint64(retransmissionKind);
        re.b = c.sid;
        re.c = c.tsn;
        re.from = *seen.from;
        re.to = *seen.to;
        re.text = QStringLiteral("%1 retransmission of TSN %2 (SID %3)")
                      .arg(retransmissionKind == 1     ? QStringLiteral("fast")
                              : retransmissionKind == 2 ? QStringLiteral("timeout")
                                                        : QStringLiteral("a"))
                      .arg(c.tsn)
                      .arg(c.sid);
        m_journal.append(std::move(re));
    }
    if ((c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) && seen.derived && !c.truncated) {
        ++m_forwardTsns;
        const Flow& out = flow(seen.handle, s.srcPort, s.dstPort);
        const quint32 first = out.haveCumAck ? out.cumAck + 1 : c.cumTsn;
        trace::Event fe;
        fe.timeNs = seen.timeNs;
        fe.kind = trace::Kind::SctpForwardTsn;
        fe.dir = seen.dir;
        fe.object = seen.association;
        fe.b = first;
        fe.c = c.cumTsn;
        fe.from = *seen.from;
        fe.to = *seen.to;
        fe.text = tsnLessEq(first, c.cumTsn) && first != c.cumTsn
            ? QStringLiteral("FORWARD-TSN skips TSN %1–%2").arg(first).arg(c.cumTsn)
            : QStringLiteral("FORWARD-TSN skips TSN %1").arg(c.cumTsn);
        // FORWARD-TSN always takes the full decoder (see scan), which lists the skipped streams.
        const QList<DecodedChunk::Skipped> skipped = s.fullyDecoded ? s.full[index].skipped : QList<DecodedChunk::Skipped>();
        if (!skipped.isEmpty()) {
            QStringList sk;
            for (const auto& x : skipped)
                sk << QStringLiteral("stream %1 %2 %3")
                          .arg(x.sid)
                          .arg(c.type == chunk::IForwardTsn ? QStringLiteral("MID") : QStringLiteral("SSN"))
                          .arg(x.ssn);
            fe.text += QStringLiteral(" (") + sk.join(QStringLiteral(", ")) + QLatin1Char(')');
        }
        m_journal.append(std::move(fe));
    }
}

void setChunkEvent(trace::Event& ce, const DecodedChunk& c, qint64 timeNs, trace::Dir dir, quint64 association)
{
    ce.timeNs = timeNs;
    ce.kind = trace::Kind::SctpChunk;
    ce.dir = dir;
    ce.object = association;
    ce.a = c.type;
    ce.b = 0;
    ce.c = 0;
    ce.text = c.info;
    ce.raw = QByteArray();
    if (c.type == chunk::Data || c.type == chunk::IData) {
        ce.b = c.sid;
        ce.c = c.tsn;
    } else if (c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) {
        ce.c = c.cumTsn;
    }
}

void expandPacketEvents(const trace::Event& packet, quint32 count, std::vector<trace::Event>& out)
{
    if (packet.kind != trace::Kind::SctpPacket)
        return;
    const DecodedPacket d = decodePacket(packet.raw, true, false);
    if (!d.valid)
        return;
    const quint32 n = quint32(d.chunks.size());
    // b names the receiving association when the event also stands for the packet's arrival
    // (PacketTap::observeDelivery): then 1 (the arrival) or 2n + 1 (and both sides' chunks),
    // else n (the chunks).
    const bool arrival = packet.dir == trace::Dir::Tx && packet.b != 0;
    const bool chunks = arrival ? count == 2 * n + 1 : count == n;
    out.reserve(count);
    auto addChunks = [&](trace::Dir dir, quint64 association) {
        for (const DecodedChunk& c : d.chunks) {
            trace::Event& ce = out.emplace_back();
            setChunkEvent(ce, c, packet.timeNs, dir, association);
            ce.from = packet.from;
            ce.to = packet.to;
        }
    };
    if (chunks)
        addChunks(packet.dir, packet.object);
    if (arrival) {
        trace::Event& rx = out.emplace_back(packet);
        rx.seq = 0;
        rx.dir = trace::Dir::Rx;
        rx.object = rx.a = packet.b;
        rx.b = 0;
        if (chunks)
            addChunks(trace::Dir::Rx, packet.b);
    }
}

} // namespace ladder::sctp
