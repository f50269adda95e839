// SPDX-License-Identifier: GPL-3.0-or-later
#include "tsngraphmodel.h"

#include "sctp/chunkdecoder.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

namespace ladder::ui::graphs {

using trace::Dir;
using trace::Kind;

namespace {
    Dir opposite(Dir d) { return d == Dir::Tx ? Dir::Rx : Dir::Tx; }
    constexpr qint64 kMaxSentBitmap = qint64(1) << 27; // relative TSNs tracked for "sent before"
    // Sent chunks an abandon may still name: all above the cumulative point (at most kMaxChunks),
    // and kRetainBelowCum TSNs below it (a FORWARD-TSN can skip a message before its record comes).
    constexpr qint64 kRetainBelowCum = 4096;
    constexpr std::size_t kMaxChunks = std::size_t(1) << 20;
    constexpr int kKeyBytes = 64; // of a message's data, hashed to find its chunk
    constexpr std::size_t kMaxUnsent = 1024;
    // An abandon record and the skipped, never sent TSN it takes are at most this far apart.
    constexpr qint64 kUnsentPairNs = 1000000000;
    constexpr quint8 kFlagsMask = 0x07; // DATA's U, B, E
} // namespace

QString markKindName(MarkKind kind)
{
    switch (kind) {
    case MarkKind::GapAck: return QStringLiteral("gap-ack block");
    case MarkKind::CumAck: return QStringLiteral("SACK cumulative TSN");
    case MarkKind::Data: return QStringLiteral("DATA");
    case MarkKind::Retransmission: return QStringLiteral("retransmission");
    case MarkKind::FastRetransmission: return QStringLiteral("fast retransmission");
    case MarkKind::TimeoutRetransmission: return QStringLiteral("timeout retransmission");
    case MarkKind::Duplicate: return QStringLiteral("duplicate TSN");
    case MarkKind::ForwardTsn: return QStringLiteral("FORWARD-TSN");
    case MarkKind::Abandon: return QStringLiteral("abandoned");
    case MarkKind::Count: break;
    }
    return {};
}

QString policyName(quint8 policy)
{
    switch (policy) {
    case 1: return QStringLiteral("TTL");
    case 2: return QStringLiteral("BUF");
    case 3: return QStringLiteral("RTX");
    case 4: return QStringLiteral("PRIO");
    default: return QStringLiteral("no policy");
    }
}

QString Flow::title() const
{
    const QString who = from.isEmpty() ? QString() : QStringLiteral(" %1 → %2").arg(from, to);
    return QStringLiteral("Association %1, %2:%3 (%4 TSNs)")
        .arg(association)
        .arg(dir == Dir::Rx ? QStringLiteral("received") : QStringLiteral("sent"))
        .arg(who)
        .arg(dataCount);
}

void Flow::add(const Point& p)
{
    if (points.empty()) {
        firstNs = p.timeNs;
        minTsn = maxTsn = p.tsn;
    }
    lastNs = std::max(lastNs, p.timeNs);
    minTsn = std::min(minTsn, std::min(p.tsn, p.kind == MarkKind::GapAck || p.kind == MarkKind::ForwardTsn ? p.tsnEnd : p.tsn));
    maxTsn = std::max(maxTsn, std::max(p.tsn, p.kind == MarkKind::GapAck ? p.tsnEnd : p.tsn));
    if (!points.empty() && p.timeNs < points.back().timeNs) {
        // Events reach the journal in time order per thread; keep the points sorted anyway.
        const auto at = std::upper_bound(points.begin(), points.end(), p.timeNs,
            [](qint64 t, const Point& q) { return t < q.timeNs; });
        const std::size_t index = std::size_t(at - points.begin());
        points.insert(at, p);
        m_blocksValid = std::min(m_blocksValid, index / kBlock);
        for (auto it = m_unclassified.begin(); it != m_unclassified.end(); ++it)
            if (*it >= index)
                ++*it;
        for (std::size_t& i : m_pendingAbandons)
            if (i >= index)
                ++i;
        return;
    }
    points.push_back(p);
}

bool Flow::markSent(qint64 rel)
{
    if (rel < 0 || rel >= kMaxSentBitmap)
        return true; // out of any sensible window: count it as new
    const auto i = std::size_t(rel);
    if (i >= m_sent.size())
        m_sent.resize(std::max(i + 1, m_sent.size() * 2), 0);
    if (m_sent[i])
        return false;
    m_sent[i] = 1;
    return true;
}

quint64 Flow::payloadKey(quint16 stream, const char* data, int length)
{
    return quint64(qHash(QByteArrayView(data, std::clamp(length, 0, kKeyBytes)), std::size_t(stream) + 1));
}

void Flow::remember(qint64 rel, const Sent& chunk)
{
    if (!m_chunks.emplace(rel, chunk).second)
        return;
    std::vector<qint64>& same = m_byPayload[chunk.key];
    same.insert(std::upper_bound(same.begin(), same.end(), rel), rel);
    if (m_chunks.size() > kMaxChunks)
        forget(m_chunks.begin());
}

void Flow::forget(std::map<qint64, Sent>::iterator it)
{
    auto same = m_byPayload.find(it->second.key);
    if (same != m_byPayload.end()) {
        const auto at = std::lower_bound(same->begin(), same->end(), it->first);
        if (at != same->end() && *at == it->first)
            same->erase(at);
        if (same->empty())
            m_byPayload.erase(same);
    }
    m_chunks.erase(it);
}

void Flow::forgetBelow(qint64 rel)
{
    while (!m_chunks.empty() && m_chunks.begin()->first < rel)
        forget(m_chunks.begin());
}

qint64 Flow::claim(quint16 stream, const QByteArray& data)
{
    if (data.isEmpty())
        return -1;
    const auto same = m_byPayload.constFind(payloadKey(stream, data.constData(), int(data.size())));
    if (same == m_byPayload.constEnd())
        return -1;
    // Messages are given up oldest first: the lowest such TSN not acknowledged by a SACK (still
    // outstanding, or just skipped by a FORWARD-TSN); failing that, the newest one a SACK covered
    // (its record can follow the SACK that acknowledged it).
    qint64 acked = -1;
    for (const qint64 rel : *same) {
        const auto it = m_chunks.find(rel);
        if (it == m_chunks.end() || it->second.claimed || it->second.stream != stream)
            continue;
        const Sent& c = it->second;
        // The whole message in one chunk, or the first fragment of a longer one (the record's data
        // is then the message, which starts with it).
        const bool whole = c.length == data.size();
        const bool first = (c.flags & 0x02) && !(c.flags & 0x01) && c.length < data.size()
            && c.length >= std::min<qsizetype>(kKeyBytes, data.size());
        if (!whole && !first)
            continue;
        if (c.acked) {
            acked = rel;
            continue;
        }
        it->second.claimed = true;
        return rel;
    }
    if (acked >= 0)
        m_chunks[acked].claimed = true;
    return acked;
}

void Flow::placeAbandon(Point& p, qint64 rel, quint8 how)
{
    p.tsn = p.tsnEnd = rel;
    p.wire = base + quint32(rel - 1);
    p.detail = quint8((p.detail & kAbandonPolicyMask) | how);
    minTsn = std::min(minTsn, rel);
    maxTsn = std::max(maxTsn, rel);
}

Point& Flow::changePoint(std::size_t index)
{
    m_blocksValid = std::min(m_blocksValid, index / kBlock);
    return points[index];
}

const std::vector<Flow::Block>& Flow::blocks() const
{
    const std::size_t complete = points.size() / kBlock;
    m_blocks.resize(complete);
    for (std::size_t b = m_blocksValid; b < complete; ++b) {
        Block block;
        for (std::size_t j = 0; j < kBlock; ++j) {
            const Point& p = points[b * kBlock + j];
            const bool ranged = p.kind == MarkKind::GapAck || p.kind == MarkKind::ForwardTsn;
            const qint64 lo = ranged ? std::min(p.tsn, p.tsnEnd) : p.tsn;
            const qint64 hi = ranged ? std::max(p.tsn, p.tsnEnd) : p.tsn;
            BlockKind& k = block.kinds[int(p.kind)];
            if (k.count++ == 0) {
                k.lo = lo;
                k.hi = hi;
            } else {
                k.lo = std::min(k.lo, lo);
                k.hi = std::max(k.hi, hi);
            }
            if (p.kind == MarkKind::CumAck || p.kind == MarkKind::ForwardTsn) {
                block.cumMax = block.hasCum ? std::max(block.cumMax, p.tsn) : p.tsn;
                block.hasCum = true;
            }
        }
        m_blocks[b] = block;
    }
    m_blocksValid = complete;
    return m_blocks;
}

void Flow::placeUnsent(qint64 from, qint64 to, qint64 timeNs)
{
    for (qint64 rel = from; rel <= to; ++rel) {
        // Pending abandons take them oldest first; what is left waits for a record to come.
        while (!m_pendingAbandons.empty() && points[m_pendingAbandons.front()].timeNs < timeNs - kUnsentPairNs)
            m_pendingAbandons.erase(m_pendingAbandons.begin()); // too old: it never had a TSN
        if (!m_pendingAbandons.empty()) {
            placeAbandon(changePoint(m_pendingAbandons.front()), rel, kAbandonUnsent);
            m_pendingAbandons.erase(m_pendingAbandons.begin());
            continue;
        }
        if (m_unsent.size() >= kMaxUnsent)
            m_unsent.pop_front();
        m_unsent.push_back({ rel, timeNs });
        if (to - rel > qint64(kMaxUnsent))
            rel = to - qint64(kMaxUnsent); // a gap of a capture, not abandoned messages
    }
}

void TsnGraphModel::clear()
{
    m_flows.clear();
    m_flowIds.clear();
    ++m_generation;
}

void TsnGraphModel::append(const QVector<trace::Event>& events)
{
    for (const trace::Event& e : events)
        append(e);
    // The level of detail's summaries kept up with the points here, a batch at a time, so that no
    // frame pays for many blocks at once.
    for (const Flow& f : m_flows)
        (void)f.blocks();
}

void TsnGraphModel::append(const trace::Event& e)
{
    switch (e.kind) {
    case Kind::SctpPacket: addPacket(e); break;
    case Kind::SctpRetransmission: addRetransmission(e); break;
    case Kind::SctpAbandon: addAbandon(e); break;
    case Kind::SctpForwardTsn: addForwardTsnEvent(e); break;
    default: break;
    }
}

int TsnGraphModel::busiestFlow() const
{
    int best = -1;
    for (int i = 0; i < int(m_flows.size()); ++i) {
        const Flow& f = m_flows[std::size_t(i)];
        if (f.points.empty())
            continue;
        if (best < 0)
            best = i;
        const Flow& b = m_flows[std::size_t(best)];
        const quint64 fs = f.dataCount + f.retransmissions + f.abandons, bs = b.dataCount + b.retransmissions + b.abandons;
        if (fs > bs || (fs == bs && f.dir == Dir::Tx && b.dir != Dir::Tx))
            best = i;
    }
    return best;
}

int TsnGraphModel::flowIndex(quint64 association, Dir dir) const
{
    return m_flowIds.value((association << 2) | quint64(dir), -1);
}

Flow& TsnGraphModel::flowFor(quint64 association, Dir dir)
{
    if (dir == Dir::None)
        dir = Dir::Tx;
    const quint64 key = (association << 2) | quint64(dir);
    auto it = m_flowIds.constFind(key);
    if (it != m_flowIds.constEnd())
        return m_flows[std::size_t(*it)];
    m_flowIds.insert(key, int(m_flows.size()));
    Flow& f = m_flows.emplace_back();
    f.association = association;
    f.dir = dir;
    ++m_generation;
    return f;
}

void TsnGraphModel::advanceCum(Flow& f, qint64 cum, qint64 timeNs, quint64 seq, quint32 wire, bool forward)
{
    const bool advances = !f.haveCum || cum > f.cum;
    if (!advances && !forward)
        return;
    Point p;
    p.timeNs = timeNs;
    p.seq = seq;
    p.wire = wire;
    p.tsn = advances ? cum : f.cum;
    p.tsnEnd = f.haveCum ? f.cum : p.tsn;
    p.kind = forward ? MarkKind::ForwardTsn : MarkKind::CumAck;
    if (forward)
        ++f.forwardTsns;
    const qint64 before = f.haveCum ? f.cum : 0;
    if (advances) {
        f.cum = cum;
        f.haveCum = true;
        if (!forward)
            for (auto it = f.m_chunks.upper_bound(before); it != f.m_chunks.end() && it->first <= cum; ++it)
                it->second.acked = true;
        f.forgetBelow(cum - kRetainBelowCum);
    }
    f.add(p);
    // A FORWARD-TSN past the highest TSN sent skips TSNs that never went out: messages abandoned
    // before they were sent (their records may come before or after it).
    if (forward && advances && f.dir == Dir::Tx && f.m_highestSent > 0 && cum > f.m_highestSent)
        f.placeUnsent(std::max(before, f.m_highestSent) + 1, cum, timeNs);
}

void TsnGraphModel::sent(Flow& f, const sctp::DecodedChunk& c, const QByteArray& raw, qint64 rel, qint64 timeNs)
{
    if (f.dir == Dir::Tx && f.m_highestSent > 0 && rel > f.m_highestSent + 1 && rel - 1 > (f.haveCum ? f.cum : 0))
        f.placeUnsent(std::max(f.m_highestSent, f.haveCum ? f.cum : 0) + 1, rel - 1, timeNs); // TSNs skipped unsent
    f.m_highestSent = std::max(f.m_highestSent, rel);
    if (f.dir != Dir::Tx || (f.haveCum && rel <= f.cum))
        return; // only what a sender may still abandon
    const int header = c.type == sctp::chunk::IData ? 20 : 16;
    const qsizetype at = qsizetype(c.offset) + header;
    const int length = int(std::clamp<qsizetype>(raw.size() - at, 0, c.payloadLength));
    Flow::Sent s;
    s.key = Flow::payloadKey(c.sid, raw.constData() + std::min(at, raw.size()), length);
    s.length = length;
    s.stream = c.sid;
    s.ssn = c.ssn;
    s.flags = c.flags & kFlagsMask;
    f.remember(rel, s);
}

void TsnGraphModel::addPacket(const trace::Event& e)
{
    if (e.raw.size() < 16 || (e.dir != Dir::Tx && e.dir != Dir::Rx))
        return;
    const quint64 association = e.object ? e.object : e.a;
    if (!association)
        return;
    // Cheap refusal of packets without DATA, SACK or FORWARD-TSN (HEARTBEATs, the handshake).
    const sctp::DecodedPacket packet = sctp::decodePacket(e.raw, false, false);
    if (!packet.valid)
        return;
    for (const sctp::DecodedChunk& c : packet.chunks) {
        if (c.truncated)
            continue;
        switch (c.type) {
        case sctp::chunk::Data:
        case sctp::chunk::IData: {
            Flow& f = flowFor(association, e.dir);
            if (!f.baseKnown) {
                f.baseKnown = true;
                f.base = c.tsn;
                f.m_refWire = c.tsn;
                f.m_refRel = 1;
                f.from = e.from;
                f.to = e.to;
            }
            const qint64 rel = f.relative(c.tsn);
            if (rel > f.m_refRel) {
                f.m_refRel = rel;
                f.m_refWire = c.tsn;
            }
            Point p;
            p.timeNs = e.timeNs;
            p.tsn = p.tsnEnd = rel;
            p.seq = e.seq;
            p.wire = c.tsn;
            p.stream = c.sid;
            if (f.markSent(rel)) {
                p.kind = MarkKind::Data;
                ++f.dataCount;
                sent(f, c, e.raw, rel, e.timeNs);
                f.add(p);
            } else if (e.dir == Dir::Rx) {
                p.kind = MarkKind::Duplicate;
                ++f.duplicates;
                f.add(p);
            } else {
                // Sent again: the SctpRetransmission event that follows says fast or timeout.
                auto classified = f.m_classifiedAt.find(rel);
                if (classified != f.m_classifiedAt.end() && *classified == e.timeNs) {
                    f.m_classifiedAt.erase(classified);
                    break;
                }
                p.kind = MarkKind::Retransmission;
                ++f.retransmissions;
                f.add(p);
                f.m_unclassified.insert(rel, f.points.size() - 1);
            }
            break;
        }
        case sctp::chunk::Sack:
        case sctp::chunk::NrSack: {
            // A SACK that association receives acknowledges what it sends, and the other way round.
            Flow& f = flowFor(association, opposite(e.dir));
            if (!f.baseKnown)
                break;
            const qint64 cum = f.relative(c.cumTsn);
            advanceCum(f, cum, e.timeNs, e.seq, c.cumTsn, false);
            for (const auto& g : c.gapBlocks) {
                Point p;
                p.timeNs = e.timeNs;
                p.seq = e.seq;
                p.kind = MarkKind::GapAck;
                p.tsn = cum + g.first;
                p.tsnEnd = cum + g.second;
                p.wire = c.cumTsn + g.first;
                f.add(p);
            }
            // The sender learns of duplicates from the SACK; the receiver's graph has them already.
            if (f.dir == Dir::Tx)
                for (quint32 d : c.duplicateTsns) {
                    const qint64 rel = f.relative(d);
                    Point p;
                    p.timeNs = e.timeNs;
                    p.seq = e.seq;
                    p.kind = MarkKind::Duplicate;
                    p.tsn = p.tsnEnd = rel;
                    p.wire = d;
                    ++f.duplicates;
                    f.add(p);
                }
            break;
        }
        case sctp::chunk::ForwardTsn:
        case sctp::chunk::IForwardTsn: {
            Flow& f = flowFor(association, e.dir);
            if (!f.baseKnown)
                break;
            advanceCum(f, f.relative(c.cumTsn), e.timeNs, e.seq, c.cumTsn, true);
            break;
        }
        default: break;
        }
    }
}

void TsnGraphModel::addRetransmission(const trace::Event& e)
{
    Flow& f = flowFor(e.object, e.dir);
    if (!f.baseKnown)
        return;
    const auto wire = quint32(e.c);
    const qint64 rel = f.relative(wire);
    const MarkKind kind = e.a == 1 ? MarkKind::FastRetransmission
        : e.a == 2                 ? MarkKind::TimeoutRetransmission
                                   : MarkKind::Retransmission;
    auto it = f.m_unclassified.find(rel);
    if (it != f.m_unclassified.end()) {
        Point& p = f.changePoint(*it);
        p.kind = kind;
        p.seq = e.seq; // the retransmission event says how usrsctp decided
        f.m_unclassified.erase(it);
        return;
    }
    // No repeated DATA read before it (a capture, or the packet level off): the event alone.
    Point p;
    p.timeNs = e.timeNs;
    p.tsn = p.tsnEnd = rel;
    p.seq = e.seq;
    p.wire = wire;
    p.stream = quint16(e.b);
    p.kind = kind;
    ++f.retransmissions;
    f.markSent(rel);
    f.m_classifiedAt.insert(rel, e.timeNs);
    f.add(p);
}

void TsnGraphModel::addAbandon(const trace::Event& e)
{
    Flow& f = flowFor(e.object, Dir::Tx);
    Point p;
    p.timeNs = e.timeNs;
    p.seq = e.seq;
    p.kind = MarkKind::Abandon;
    p.context = e.c;
    p.stream = quint16(e.b);
    p.detail = quint8(e.a) & kAbandonPolicyMask;
    // Placed until its TSN is known: just above the highest TSN sent (where it would have gone).
    p.tsn = p.tsnEnd = f.m_highestSent + 1;
    ++f.abandons;
    const qint64 matched = f.baseKnown ? f.claim(p.stream, e.raw) : -1;
    if (matched >= 0) {
        f.placeAbandon(p, matched, kAbandonMatched);
        f.add(p);
        return;
    }
    // Not sent with that data: a TSN a FORWARD-TSN skipped without sending, if one was seen.
    while (!f.m_unsent.empty() && f.m_unsent.front().timeNs < e.timeNs - kUnsentPairNs)
        f.m_unsent.pop_front();
    if (!f.m_unsent.empty()) {
        f.placeAbandon(p, f.m_unsent.front().tsn, kAbandonUnsent);
        f.m_unsent.pop_front();
        f.add(p);
        return;
    }
    f.add(p);
    // Or one that a FORWARD-TSN or the next DATA will skip.
    if (f.baseKnown) {
        const auto at = std::upper_bound(f.points.begin(), f.points.end(), p.timeNs,
            [](qint64 t, const Point& q) { return t < q.timeNs; });
        f.m_pendingAbandons.push_back(std::size_t(at - f.points.begin()) - 1);
    }
}

void TsnGraphModel::addForwardTsnEvent(const trace::Event& e)
{
    Flow& f = flowFor(e.object, e.dir);
    if (!f.baseKnown)
        return;
    const auto wire = quint32(e.c);
    // The chunk read from the packet made the jump; point it at this event, which names what was skipped.
    for (std::size_t i = f.points.size(), n = 0; i > 0 && n < 64; --i, ++n) {
        Point& p = f.points[i - 1];
        if (p.kind == MarkKind::ForwardTsn && p.wire == wire && p.timeNs == e.timeNs) {
            p.seq = e.seq;
            return;
        }
    }
    advanceCum(f, f.relative(wire), e.timeNs, e.seq, wire, true);
}

std::pair<std::size_t, std::size_t> TsnGraphModel::range(const Flow& flow, qint64 startNs, qint64 endNs)
{
    const auto lo = std::lower_bound(flow.points.begin(), flow.points.end(), startNs,
        [](const Point& p, qint64 t) { return p.timeNs < t; });
    const auto hi = std::lower_bound(lo, flow.points.end(), endNs, [](const Point& p, qint64 t) { return p.timeNs < t; });
    return { std::size_t(lo - flow.points.begin()), std::size_t(hi - flow.points.begin()) };
}

bool TsnGraphModel::tsnRange(const Flow& flow, qint64 startNs, qint64 endNs, qint64* low, qint64* high, bool summaries)
{
    const auto [first, last] = range(flow, startNs, endNs);
    bool any = false;
    qint64 lo = 0, hi = 0;
    auto take = [&](qint64 v) {
        if (!any) {
            lo = hi = v;
            any = true;
        }
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    };
    const std::vector<Flow::Block>* blocks = summaries ? &flow.blocks() : nullptr;
    for (std::size_t i = first; i < last;) {
        if (blocks && i % Flow::kBlock == 0 && i + Flow::kBlock <= last) {
            // A whole block in range: its summary.
            for (const Flow::BlockKind& k : (*blocks)[i / Flow::kBlock].kinds) {
                if (k.count) {
                    take(k.lo);
                    take(k.hi);
                }
            }
            i += Flow::kBlock;
            continue;
        }
        const Point& p = flow.points[i++];
        take(p.tsn);
        if (p.kind == MarkKind::GapAck || p.kind == MarkKind::ForwardTsn)
            take(p.tsnEnd);
    }
    // The cumulative line entering the range.
    for (std::size_t i = first; i > 0; --i) {
        const Point& p = flow.points[i - 1];
        if (p.kind == MarkKind::CumAck || p.kind == MarkKind::ForwardTsn) {
            take(p.tsn);
            break;
        }
        if (first - i > 4096)
            break;
    }
    *low = lo;
    *high = hi;
    return any;
}

GraphFrame TsnGraphModel::frame(const Flow& flow, const Viewport& vp, bool summaries)
{
    GraphFrame out;
    const int columns = std::max(1, int(std::ceil(vp.plot.width())));
    const qint64 endNs = vp.startNs + qint64(std::ceil(vp.plot.width() * vp.nsPerPx)) + 1;
    const auto [first, last] = range(flow, vp.startNs, endNs);
    out.visiblePoints = last - first;

    // Per column and kind: lowest and highest y, how many, and the first few one by one.
    struct Cell {
        double lo = 0, hi = 0;
        quint32 count = 0;
        std::size_t point = 0;
        int head = -1, tail = -1; // the points drawn one by one, a list in links
    };
    struct Link {
        std::size_t point;
        int next;
    };
    std::vector<Link> links;
    std::vector<Cell> cells(std::size_t(columns) * kMarkKinds);
    std::vector<int> touched;
    touched.reserve(std::min<std::size_t>(last - first, std::size_t(columns) * kMarkKinds));

    // The cumulative step line: the point entering the range, then the highest per column.
    qint64 cum = 0;
    bool haveCum = false;
    for (std::size_t i = first; i > 0; --i) {
        const Point& p = flow.points[i - 1];
        if (p.kind == MarkKind::CumAck || p.kind == MarkKind::ForwardTsn) {
            cum = p.tsn;
            haveCum = true;
            break;
        }
    }
    if (haveCum)
        out.cumLine << QPointF(vp.plot.left(), vp.y(double(cum)));
    int cumColumn = -1;

    const auto columnOf = [&](qint64 timeNs) { return std::clamp(int(vp.x(timeNs) - vp.plot.left()), 0, columns - 1); };
    // The cumulative point reaching tsn in column col: one step per column.
    const auto cumStep = [&](qint64 tsn, int col) {
        if (haveCum && tsn <= cum)
            return;
        const double x = vp.plot.left() + col + 0.5;
        if (haveCum && col == cumColumn && !out.cumLine.isEmpty()) {
            out.cumLine.back().setY(vp.y(double(tsn)));
        } else {
            if (haveCum)
                out.cumLine << QPointF(x, vp.y(double(cum)));
            out.cumLine << QPointF(x, vp.y(double(tsn)));
        }
        cum = tsn;
        haveCum = true;
        cumColumn = col;
    };
    const auto visit = [&](std::size_t i, int col) {
        const Point& p = flow.points[i];
        if (p.kind == MarkKind::CumAck || p.kind == MarkKind::ForwardTsn) {
            cumStep(p.tsn, col);
            if (p.kind == MarkKind::CumAck)
                return;
        }
        const int k = int(p.kind);
        Cell& c = cells[std::size_t(col) * kMarkKinds + std::size_t(k)];
        const double y = vp.y(double(p.tsn));
        const double yEnd = (p.kind == MarkKind::GapAck || p.kind == MarkKind::ForwardTsn) ? vp.y(double(p.tsnEnd)) : y;
        if (c.count == 0) {
            c.lo = std::min(y, yEnd);
            c.hi = std::max(y, yEnd);
            c.point = i;
            touched.push_back(col * kMarkKinds + k);
        } else {
            c.lo = std::min(c.lo, std::min(y, yEnd));
            c.hi = std::max(c.hi, std::max(y, yEnd));
        }
        if (c.count < quint32(kPerColumnMax)) {
            links.push_back({ i, -1 });
            const int at = int(links.size()) - 1;
            if (c.tail >= 0)
                links[std::size_t(c.tail)].next = at;
            else
                c.head = at;
            c.tail = at;
        }
        ++c.count;
    };
    // A block inside one column whose kinds all have their cells full already (no point of it
    // would be drawn one by one): taken whole, as its points one by one would be. False: visit them.
    const auto takeBlock = [&](const Flow::Block& block, int col) {
        for (int k = 0; k < kMarkKinds; ++k)
            if (k != int(MarkKind::CumAck) && block.kinds[k].count
                && cells[std::size_t(col) * kMarkKinds + std::size_t(k)].count < quint32(kPerColumnMax))
                return false;
        if (block.hasCum)
            cumStep(block.cumMax, col);
        for (int k = 0; k < kMarkKinds; ++k) {
            const Flow::BlockKind& bk = block.kinds[k];
            if (k == int(MarkKind::CumAck) || !bk.count)
                continue;
            Cell& c = cells[std::size_t(col) * kMarkKinds + std::size_t(k)];
            // vp.y is decreasing: the highest TSN is the lowest y.
            c.lo = std::min(c.lo, vp.y(double(bk.hi)));
            c.hi = std::max(c.hi, vp.y(double(bk.lo)));
            c.count += bk.count;
        }
        return true;
    };
    const std::vector<Flow::Block>* blocks = summaries ? &flow.blocks() : nullptr;
    for (std::size_t i = first; i < last;) {
        if (blocks && i % Flow::kBlock == 0 && i + Flow::kBlock <= last) {
            const int col = columnOf(flow.points[i].timeNs);
            if (col == columnOf(flow.points[i + Flow::kBlock - 1].timeNs) && takeBlock((*blocks)[i / Flow::kBlock], col)) {
                i += Flow::kBlock;
                continue;
            }
        }
        visit(i, columnOf(flow.points[i].timeNs));
        ++i;
    }
    if (haveCum)
        out.cumLine << QPointF(std::max(out.cumLine.back().x(), std::min(vp.x(flow.lastNs), vp.plot.right())), vp.y(double(cum)));

    // Emit in kind order so later kinds draw on top.
    std::sort(touched.begin(), touched.end(), [](int a, int b) {
        return a % kMarkKinds != b % kMarkKinds ? a % kMarkKinds < b % kMarkKinds : a < b;
    });
    out.marks.reserve(touched.size());
    for (int t : touched) {
        const Cell& c = cells[std::size_t(t)];
        const auto kind = MarkKind(t % kMarkKinds);
        const double x = vp.plot.left() + t / kMarkKinds + 0.5;
        const bool oneByOne = c.count <= quint32(kPerColumn)
            || (c.count <= quint32(kPerColumnMax) && (rare(kind) || c.hi - c.lo >= kMinSpacingPx * (c.count - 1)));
        if (oneByOne) {
            for (int j = c.head; j >= 0; j = links[std::size_t(j)].next) {
                const std::size_t index = links[std::size_t(j)].point;
                const Point& p = flow.points[index];
                const double y = vp.y(double(p.tsn));
                const double yEnd = (kind == MarkKind::GapAck || kind == MarkKind::ForwardTsn) ? vp.y(double(p.tsnEnd)) : y;
                out.marks.push_back({ kind, QPointF(vp.x(p.timeNs), y), yEnd, 1, index });
            }
        } else {
            ++out.aggregatedColumns;
            out.marks.push_back({ kind, QPointF(x, c.hi), c.lo, c.count, c.point });
        }
    }
    return out;
}

QString TsnGraphModel::describe(const Flow& flow, const Point& p)
{
    const QString time = QString::number(double(p.timeNs) / 1e9, 'f', 6) + QStringLiteral(" s");
    switch (p.kind) {
    case MarkKind::GapAck:
        return QStringLiteral("%1: gap-ack block TSN %2–%3 (wire %4–%5)")
            .arg(time)
            .arg(p.tsn)
            .arg(p.tsnEnd)
            .arg(p.wire)
            .arg(p.wire + quint32(p.tsnEnd - p.tsn));
    case MarkKind::CumAck:
        return QStringLiteral("%1: SACK cumulative TSN %2 (wire %3)").arg(time).arg(p.tsn).arg(p.wire);
    case MarkKind::ForwardTsn:
        return p.tsn > p.tsnEnd
            ? QStringLiteral("%1: FORWARD-TSN → %2 (wire %3): skips TSN %4–%5").arg(time).arg(p.tsn).arg(p.wire).arg(p.tsnEnd + 1).arg(p.tsn)
            : QStringLiteral("%1: FORWARD-TSN → %2 (wire %3), nothing new skipped").arg(time).arg(p.tsn).arg(p.wire);
    case MarkKind::Abandon: {
        const QString what = QStringLiteral("%1: abandoned ctx %2 (%3), stream %4")
                                 .arg(time)
                                 .arg(p.context)
                                 .arg(policyName(p.detail & kAbandonPolicyMask))
                                 .arg(p.stream);
        if (p.detail & kAbandonMatched)
            return QStringLiteral("%1: TSN %2 (wire %3), the DATA it was sent in").arg(what).arg(p.tsn).arg(p.wire);
        if (p.detail & kAbandonUnsent)
            return QStringLiteral("%1: TSN %2 (wire %3), never sent: a FORWARD-TSN skipped it").arg(what).arg(p.tsn).arg(p.wire);
        return QStringLiteral("%1: never sent and no TSN skipped for it; drawn above the highest TSN sent").arg(what);
    }
    default: break;
    }
    Q_UNUSED(flow);
    return QStringLiteral("%1: %2 TSN %3 (wire %4) stream %5").arg(time, markKindName(p.kind)).arg(p.tsn).arg(p.wire).arg(p.stream);
}

QString TsnGraphModel::csv(const Flow& flow)
{
    QString out = QStringLiteral("time_s,kind,tsn_rel,tsn,stream,detail\n");
    for (const Point& p : flow.points) {
        QString detail;
        switch (p.kind) {
        case MarkKind::GapAck: detail = QStringLiteral("to %1").arg(p.tsnEnd); break;
        case MarkKind::ForwardTsn: detail = QStringLiteral("from %1").arg(p.tsnEnd); break;
        case MarkKind::Abandon:
            detail = QStringLiteral("ctx %1 %2%3")
                         .arg(p.context)
                         .arg(policyName(p.detail & kAbandonPolicyMask))
                         .arg((p.detail & kAbandonMatched) ? QString()
                                 : (p.detail & kAbandonUnsent) ? QStringLiteral(" never sent")
                                                               : QStringLiteral(" never sent, no TSN"));
            break;
        default: break;
        }
        const bool noTsn = p.kind == MarkKind::Abandon && !p.tsnKnown();
        out += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                   .arg(QString::number(double(p.timeNs) / 1e9, 'f', 9), markKindName(p.kind))
                   .arg(noTsn ? QString() : QString::number(p.tsn))
                   .arg(noTsn ? QString() : QString::number(p.wire))
                   .arg(p.stream)
                   .arg(detail);
    }
    return out;
}

} // namespace ladder::ui::graphs
