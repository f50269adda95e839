// SPDX-License-Identifier: GPL-3.0-or-later
#include "timelineindex.h"

#include <algorithm>

namespace ladder::ui {

using trace::Dir;
using trace::Kind;

quint64 TimelineIndex::pairKey(const QByteArray& raw, qint32 from, qint32 to)
{
    return quint64(qHash(raw)) ^ (quint64(quint32(from)) << 32) ^ (quint64(quint32(to)) * 0x9e3779b97f4a7c15ull);
}

quint32 TimelineIndex::labelOf(const trace::Event& e)
{
    // SIP: the method, or the status code and reason; SCTP: the chunks' names. A handful of
    // distinct strings, interned once.
    QString label;
    if (e.kind == Kind::SctpPacket) {
        // "5001 → 5000 vtag 0x4f613c55: SACK, DATA" → the chunks, "SACK, DATA".
        const qsizetype colon = e.text.indexOf(QLatin1String(": "));
        label = colon < 0 ? e.text.section(QLatin1Char(' '), 0, 0) : e.text.mid(colon + 2, 24);
    } else if (e.raw.startsWith("SIP/2.0 ")) {
        const qsizetype eol = e.raw.indexOf('\r');
        label = QString::fromUtf8(e.raw.mid(8, eol < 0 ? 40 : std::min<qsizetype>(eol - 8, 40)));
    } else if (!e.raw.isEmpty()) {
        const qsizetype sp = e.raw.indexOf(' ');
        label = QString::fromUtf8(e.raw.left(sp < 0 ? 16 : std::min<qsizetype>(sp, 16)));
    } else {
        label = e.text.section(QLatin1Char(' '), 0, 0);
    }
    auto it = m_labelIds.constFind(label);
    if (it != m_labelIds.constEnd())
        return *it;
    if (m_labels.size() > 4096)
        return 0; // no unbounded growth on odd input
    const quint32 id = quint32(m_labels.size());
    m_labels.append(label);
    m_labelIds.insert(label, id);
    // What an SCTP packet's chunk names say, worked out once per distinct label.
    quint8 flags = 0;
    if (e.kind == Kind::SctpPacket) {
        bool onlyHeartbeats = !label.isEmpty();
        for (const QString& part : label.split(QStringLiteral(", "))) {
            const QString name = part.trimmed();
            if (name == QLatin1String("DATA") || name == QLatin1String("I_DATA") || name == QLatin1String("I-DATA"))
                flags |= SctpData;
            else if (name == QLatin1String("SACK") || name == QLatin1String("NR_SACK") || name == QLatin1String("NR-SACK"))
                flags |= SctpSack;
            if (!name.startsWith(QLatin1String("HEARTBEAT")))
                onlyHeartbeats = false;
        }
        if (flags & SctpData)
            flags &= quint8(~SctpSack);
        if (onlyHeartbeats)
            flags |= KeepAlive;
    }
    m_labelFlags.append(flags);
    return id;
}

bool TimelineIndex::isSipKeepAlive(const QByteArray& raw)
{
    // A CRLF keep-alive (RFC 5626 §4.4.1: "\r\n\r\n" ping, "\r\n" pong).
    if (raw.size() <= 4 && !raw.isEmpty()) {
        for (char c : raw)
            if (c != '\r' && c != '\n')
                return false;
        return true;
    }
    if (raw.startsWith("OPTIONS "))
        return true;
    if (!raw.startsWith("SIP/2.0 "))
        return false;
    // A response to OPTIONS: its CSeq names the method.
    const qsizetype headEnd = raw.indexOf("\r\n\r\n");
    const QByteArrayView head = QByteArrayView(raw).first(headEnd < 0 ? raw.size() : headEnd);
    qsizetype pos = head.indexOf("\nCSeq:");
    if (pos < 0)
        pos = head.indexOf("\ncseq:");
    if (pos < 0)
        return false;
    qsizetype eol = head.indexOf('\r', pos + 1);
    if (eol < 0)
        eol = head.size();
    return head.sliced(pos, eol - pos).trimmed().endsWith("OPTIONS");
}

void TimelineIndex::clear()
{
    m_items.clear();
    m_lanes.clear();
    m_laneIds.clear();
    m_laneReceives.clear();
    m_labels = QStringList { QString() };
    m_labelIds = { { QString(), 0 } };
    m_labelFlags = { 0 };
    m_pendingTx.clear();
    m_associationLane.clear();
    m_spans.clear();
    m_openSpans.clear();
    m_notableSpans.clear();
    m_spansOrdered = true;
    m_spanReachNs = 0;
    m_important.clear();
    m_buckets.clear();
    m_bucketOrigin = 0;
    m_bucketNs = 1000000;
    m_bucketsStarted = false;
    m_bucketsStale = false;
    m_sendsTowards.clear();
    m_initialTsns.clear();
    m_associationPorts.clear();
    m_streams.clear();
    m_lastNs = 0;
    m_retransmissions = m_abandoned = m_drops = 0;
}

QString TimelineIndex::laneTitle(const QString& endpoint)
{
    const int space = int(endpoint.lastIndexOf(QLatin1Char(' ')));
    return space > 0 ? endpoint.left(space) : endpoint;
}

qint32 TimelineIndex::laneOf(const QString& endpoint)
{
    if (endpoint.isEmpty())
        return -1;
    auto it = m_laneIds.constFind(endpoint);
    if (it != m_laneIds.constEnd())
        return *it;
    const qint32 id = qint32(m_lanes.size());
    m_lanes.append(endpoint);
    m_laneIds.insert(endpoint, id);
    m_laneReceives.append(false);
    return id;
}

qint32 TimelineIndex::laneOrAssociation(const trace::Event& e, const QString& endpoint)
{
    if (!endpoint.isEmpty() || !e.object)
        return laneOf(endpoint);
    return m_associationLane.value(e.object, -1);
}

TsnBases TimelineIndex::basesFor(quint32 ports, qint64 timeNs) const
{
    auto lookup = [&](quint32 key, bool* known, quint32* base) {
        auto it = m_initialTsns.constFind(key);
        if (it == m_initialTsns.constEnd())
            return;
        for (auto e = it->crbegin(); e != it->crend(); ++e)
            if (e->first <= timeNs) {
                *known = true;
                *base = e->second;
                return;
            }
    };
    TsnBases b;
    lookup(ports, &b.ownKnown, &b.own);
    lookup((ports >> 16) | (ports << 16), &b.peerKnown, &b.peer);
    return b;
}

TsnBases TimelineIndex::tsnBases(const QByteArray& raw, qint64 timeNs) const
{
    const qint64 ports = sctpPorts(raw);
    return ports < 0 ? TsnBases {} : basesFor(quint32(ports), timeNs);
}

TsnBases TimelineIndex::associationTsnBases(quint64 association, qint64 timeNs) const
{
    auto it = m_associationPorts.constFind(association);
    return it == m_associationPorts.constEnd() ? TsnBases {} : basesFor(*it, timeNs);
}

void TimelineIndex::trackSpan(const trace::Event& e, qint32 lane)
{
    if (!e.object || lane < 0)
        return;
    const quint64 key = e.object ^ (quint64(quint32(lane)) << 40);
    const bool deadlineTimer = e.text == QLatin1String("B") || e.text == QLatin1String("F");
    switch (e.kind) {
    case Kind::TimerArmed:
        if (deadlineTimer && !m_openSpans.contains(key)) {
            Span span;
            span.transaction = e.object;
            span.lane = lane;
            span.startNs = e.timeNs;
            span.deadlineNs = e.timeNs + qint64(e.a) * 1000000;
            span.invite = e.text == QLatin1String("B");
            if (!m_spans.empty() && span.startNs < m_spans.back().startNs)
                m_spansOrdered = false;
            m_spanReachNs = std::max(m_spanReachNs, span.deadlineNs - span.startNs);
            m_openSpans.insert(key, m_spans.size());
            m_spans.push_back(std::move(span));
        }
        break;
    case Kind::SipRetransmission: {
        auto it = m_openSpans.constFind(key);
        if (it != m_openSpans.constEnd()) {
            m_spans[*it].sends.push_back(e.timeNs);
            markNotable(*it);
        }
        break;
    }
    case Kind::TimerFired:
    case Kind::TimerCancelled:
        if (deadlineTimer) {
            auto it = m_openSpans.find(key);
            if (it != m_openSpans.end()) {
                closeSpan(*it, e.timeNs, e.kind == Kind::TimerFired);
                m_openSpans.erase(it);
            }
        }
        break;
    case Kind::TransactionState:
        if (e.text.endsWith(QLatin1String("-> Terminated"))) {
            auto it = m_openSpans.find(key);
            if (it != m_openSpans.end()) {
                closeSpan(*it, e.timeNs, false);
                m_openSpans.erase(it);
            }
        }
        break;
    default: break;
    }
}

std::size_t TimelineIndex::lowerBound(qint64 timeNs) const
{
    return std::size_t(std::lower_bound(m_items.begin(), m_items.end(), timeNs,
                           [](const Item& it, qint64 t) { return it.timeNs < t; })
        - m_items.begin());
}

void TimelineIndex::closeSpan(std::size_t i, qint64 endNs, bool timedOut)
{
    Span& s = m_spans[i];
    s.endNs = endNs;
    s.timedOut = timedOut;
    m_spanReachNs = std::max(m_spanReachNs, std::max(endNs, s.deadlineNs) - s.startNs);
    if (timedOut)
        markNotable(i);
}

void TimelineIndex::markNotable(std::size_t i)
{
    if (!m_spans[i].notable) {
        m_spans[i].notable = true;
        m_notableSpans.push_back(i);
    }
}

std::vector<std::size_t> TimelineIndex::openSpans() const
{
    std::vector<std::size_t> open;
    open.reserve(std::size_t(m_openSpans.size()));
    for (std::size_t i : m_openSpans)
        open.push_back(i);
    std::sort(open.begin(), open.end());
    return open;
}

bool TimelineIndex::isImportant(const Item& it)
{
    switch (it.kind) {
    case Kind::LinkDrop:
    case Kind::SctpAbandon:
    case Kind::SctpForwardTsn:
    case Kind::SctpRetransmission:
    case Kind::Error: return true;
    case Kind::SipMessage:
    case Kind::SipRetransmission:
    case Kind::SctpPacket: return it.flags & Retransmission;
    default: return false;
    }
}

const std::vector<TimelineIndex::BucketCounts>& TimelineIndex::buckets(qint32 lane) const
{
    static const std::vector<BucketCounts> none;
    return lane >= 0 && std::size_t(lane) < m_buckets.size() ? m_buckets[std::size_t(lane)] : none;
}

void TimelineIndex::count(const Item& it)
{
    if (isImportant(it)) {
        const Marked m { it.timeNs, it.seq };
        if (m_important.empty() || m_important.back().timeNs <= it.timeNs)
            m_important.push_back(m);
        else
            m_important.insert(std::upper_bound(m_important.begin(), m_important.end(), it.timeNs,
                                   [](qint64 t, const Marked& x) { return t < x.timeNs; }),
                m);
        return;
    }
    const bool message = it.kind == Kind::SipMessage || it.kind == Kind::SipRetransmission || it.kind == Kind::SctpPacket;
    if (it.lane < 0 || !message)
        return;
    const bool keepAlive = it.flags & KeepAlive;
    const bool arrowEnd = it.pairLane >= 0 && (it.dir == Dir::Rx || !laneReceives(it.pairLane));
    if (!keepAlive && !arrowEnd)
        return;
    if (arrowEnd && it.dir != Dir::Rx) {
        if (m_sendsTowards.size() <= it.pairLane)
            m_sendsTowards.resize(it.pairLane + 1);
        ++m_sendsTowards[it.pairLane];
    }
    if (!m_bucketsStarted) {
        m_bucketsStarted = true;
        m_bucketOrigin = it.timeNs;
    }
    auto bucketOf = [&] { return it.timeNs <= m_bucketOrigin ? 0 : std::size_t((it.timeNs - m_bucketOrigin) / m_bucketNs); };
    std::size_t b = bucketOf();
    while (b >= kMaxBuckets) {
        // Twice as wide: the new bucket i holds what the old 2i and 2i + 1 held.
        m_bucketNs *= 2;
        for (std::vector<BucketCounts>& lane : m_buckets) {
            const std::size_t n = (lane.size() + 1) / 2;
            for (std::size_t i = 0; i < n; ++i) {
                BucketCounts merged = lane[2 * i];
                if (2 * i + 1 < lane.size()) {
                    merged.arrows += lane[2 * i + 1].arrows;
                    merged.keepAlives += lane[2 * i + 1].keepAlives;
                    merged.keepAliveArrows += lane[2 * i + 1].keepAliveArrows;
                }
                lane[i] = merged; // i <= 2i: nothing still to be read is overwritten
            }
            lane.resize(n);
        }
        b = bucketOf();
    }
    if (m_buckets.size() <= std::size_t(it.lane))
        m_buckets.resize(std::size_t(it.lane) + 1);
    std::vector<BucketCounts>& lane = m_buckets[std::size_t(it.lane)];
    if (lane.size() <= b)
        lane.resize(b + 1);
    BucketCounts& c = lane[b];
    if (keepAlive) {
        ++c.keepAlives;
        if (arrowEnd)
            ++c.keepAliveArrows;
    } else {
        ++c.arrows;
    }
}

void TimelineIndex::recount()
{
    m_bucketsStale = false;
    m_important.clear();
    m_buckets.clear();
    m_sendsTowards.clear();
    m_bucketsStarted = false;
    m_bucketNs = 1000000;
    for (const Item& it : m_items)
        count(it);
}

std::size_t TimelineIndex::findItem(qint64 timeNs, quint64 seq) const
{
    for (std::size_t i = lowerBound(timeNs); i < m_items.size() && m_items[i].timeNs == timeNs; ++i)
        if (m_items[i].seq == seq)
            return i;
    return SIZE_MAX;
}

std::size_t TimelineIndex::findItem(quint64 seq) const
{
    // Journal order is time order for the items of one stack: try a binary search by seq first.
    const auto it = std::lower_bound(m_items.begin(), m_items.end(), seq, [](const Item& x, quint64 s) { return x.seq < s; });
    if (it != m_items.end() && it->seq == seq)
        return std::size_t(it - m_items.begin());
    for (std::size_t i = 0; i < m_items.size(); ++i)
        if (m_items[i].seq == seq)
            return i;
    return SIZE_MAX;
}

std::size_t TimelineIndex::insertSorted(const Item& item)
{
    count(item);
    // Journal order is time order within one stack; an imported capture may step back a little,
    // so fall back to an ordered insert rather than assume.
    m_lastNs = std::max(m_lastNs, item.timeNs);
    if (m_items.empty() || m_items.back().timeNs <= item.timeNs) {
        m_items.push_back(item);
        return m_items.size() - 1;
    }
    auto pos = std::upper_bound(m_items.begin(), m_items.end(), item.timeNs,
        [](qint64 t, const Item& it) { return t < it.timeNs; });
    pos = m_items.insert(pos, item);
    m_pendingTx.clear(); // positions moved; pairing restarts from here
    return std::size_t(pos - m_items.begin());
}

void TimelineIndex::append(const QVector<trace::Event>& events)
{
    // No reserve(size + n) per batch: std::vector::reserve gives no headroom, so every 20 Hz batch
    // copied every item already held (a 60 ms stall at 300 k events, growing). push_back's
    // geometric growth copies each item a bounded number of times in all.
    for (const trace::Event& e : events) {
        Item it {};
        it.timeNs = e.timeNs;
        it.pairTimeNs = e.timeNs;
        it.seq = e.seq;
        it.kind = e.kind;
        it.dir = e.dir;
        it.lane = -1;
        it.pairLane = -1;
        switch (e.kind) {
        case Kind::SipMessage:
        case Kind::SipRetransmission:
        case Kind::SctpPacket: {
            const qint32 from = laneOf(e.from), to = laneOf(e.to);
            if (e.kind == Kind::SipRetransmission) {
                it.flags |= Retransmission;
                it.number = e.c;
                ++m_retransmissions;
                trackSpan(e, from);
            }
            if (e.kind != Kind::SctpPacket && e.raw.startsWith("SIP/2.0"))
                it.flags |= Response;
            it.label = labelOf(e);
            if (e.kind == Kind::SctpPacket) {
                it.flags |= m_labelFlags.value(int(it.label));
                m_streams.packet(e, from);
                quint32 initial = 0;
                if (sctpInitialTsn(e.raw, &initial)) {
                    auto& list = m_initialTsns[quint32(sctpPorts(e.raw))];
                    if (list.isEmpty() || list.last().second != initial)
                        list.append({ e.timeNs, initial });
                }
            }
            else if (isSipKeepAlive(e.raw))
                it.flags |= KeepAlive;
            // A captured packet (no direction) is its own send and arrival: nothing pairs with it,
            // so its bytes are not hashed and it is not kept waiting for an arrival.
            const quint64 key = e.dir == Dir::None ? 0 : pairKey(e.raw, from, to);
            if (e.dir == Dir::Rx) {
                it.lane = to;
                if (to >= 0) {
                    // Sends to it were counted as arrow ends: they are dots from now on.
                    if (!m_laneReceives[to] && to < m_sendsTowards.size() && m_sendsTowards[to] > 0)
                        m_bucketsStale = true;
                    m_laneReceives[to] = true;
                }
                it.pairLane = from;
                auto p = m_pendingTx.find(key);
                if (p != m_pendingTx.end()) {
                    const Item& tx = m_items[*p];
                    it.pairTimeNs = tx.timeNs;
                    it.flags |= Paired;
                    if (tx.flags & Retransmission) {
                        it.flags |= Retransmission;
                        it.number = tx.number;
                    }
                    m_pendingTx.erase(p);
                }
            } else {
                it.lane = from;
                it.pairLane = to;
                if (e.kind == Kind::SctpPacket && from >= 0) {
                    const quint64 association = e.a ? e.a : e.object;
                    if (association && !m_associationLane.contains(association)) {
                        m_associationLane.insert(association, from);
                        const qint64 ports = sctpPorts(e.raw);
                        if (ports >= 0)
                            m_associationPorts.insert(association, quint32(ports));
                    }
                }
                if (e.dir == Dir::None)
                    break;
                // Sends never seen arriving (a peer outside the capture, a one-sided trace) would
                // pile up here for ever, and regrowing a big hash stalls the UI thread: past a
                // bound all pending sends are forgotten (an arrival of one of them is then drawn
                // unpaired, as a message from a peer we did not see sending).
                if (m_pendingTx.size() >= kMaxPendingTx)
                    m_pendingTx.clear();
                m_pendingTx.insert(key, insertSorted(it));
                continue;
            }
            break;
        }
        case Kind::LinkDrop:
            it.lane = laneOf(e.from);
            it.pairLane = laneOf(e.to);
            ++m_drops;
            // A lost datagram's transmission is still pending; it never arrives, so unpair it.
            {
                auto p = m_pendingTx.find(pairKey(e.raw, it.lane, it.pairLane));
                if (p != m_pendingTx.end()) {
                    it.pairTimeNs = m_items[*p].timeNs;
                    m_pendingTx.erase(p);
                }
            }
            break;
        case Kind::SctpAbandon:
            it.lane = laneOrAssociation(e, e.from);
            it.number = e.c;
            it.detail = quint8(std::min<quint64>(e.a, 255));
            ++m_abandoned;
            m_streams.abandon(e, it.lane, e.object && m_associationPorts.contains(e.object) ? qint64(m_associationPorts.value(e.object)) : -1);
            break;
        case Kind::SctpForwardTsn:
        case Kind::SctpRetransmission:
            it.lane = laneOrAssociation(e, e.from);
            it.number = e.c;
            if (e.kind == Kind::SctpRetransmission) {
                it.flags |= Retransmission;
                it.detail = quint8(std::min<quint64>(e.a, 255));
                ++m_retransmissions;
            }
            break;
        case Kind::SctpChunk:
            // Chunks are drawn through their packet; keeping them out keeps the index small.
            continue;
        case Kind::TimerArmed:
        case Kind::TimerFired:
        case Kind::TimerCancelled:
        case Kind::TransactionState:
            it.lane = laneOf(e.from.isEmpty() ? e.to : e.from);
            it.number = e.a;
            trackSpan(e, it.lane);
            break;
        default:
            it.lane = e.kind == Kind::AssociationState || e.kind == Kind::StreamState || e.kind == Kind::SctpNotification
                ? laneOrAssociation(e, e.from.isEmpty() ? e.to : e.from)
                : laneOf(e.from.isEmpty() ? e.to : e.from);
            it.number = e.a;
            break;
        }
        insertSorted(it);
    }
    if (m_bucketsStale)
        recount();
}

} // namespace ladder::ui
