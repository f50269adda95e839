// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamfates.h"

#include "sctp/chunkdecoder.h"
#include "sctpsummary.h"

#include <QHashFunctions>

#include <algorithm>

namespace ladder::ui {

namespace {
    constexpr quint32 kAcked = 0x80000000u;
    constexpr int kMaxGapWalk = 4096; // TSNs of one gap-ack block looked at (a huge block: its start)
    constexpr std::size_t kMaxSkipped = 1024;
    // TSN serial arithmetic (RFC 9260 §1.6): a at or before b.
    bool atOrBefore(quint32 a, quint32 b) { return qint32(a - b) <= 0; }
    quint32 hashOf(const char* data, int length) { return quint32(qHashBits(data, std::size_t(length), 0x5eed)); }
} // namespace

void StreamFates::clear()
{
    m_messages.clear();
    m_rows.clear();
    m_order.clear();
    m_rowIds.clear();
    m_flows.clear();
    std::fill(std::begin(m_counts), std::end(m_counts), 0);
}

int StreamFates::rowFor(qint32 lane, quint16 stream)
{
    const quint64 key = (quint64(quint32(lane)) << 16) | stream;
    const auto it = m_rowIds.constFind(key);
    if (it != m_rowIds.constEnd())
        return *it;
    const int id = int(m_rows.size());
    Row& r = m_rows.emplace_back();
    r.lane = lane;
    r.stream = stream;
    m_rowIds.insert(key, id);
    const auto at = std::upper_bound(m_order.begin(), m_order.end(), id, [this](int a, int b) {
        const Row &x = m_rows[std::size_t(a)], &y = m_rows[std::size_t(b)];
        return x.lane != y.lane ? x.lane < y.lane : x.stream < y.stream;
    });
    m_order.insert(at, id);
    return id;
}

void StreamFates::settle(quint32 index, Fate fate, qint64 timeNs, quint64 seq)
{
    Message& m = m_messages[index];
    Q_ASSERT(m.fate == Fate::InFlight);
    --m_counts[int(Fate::InFlight)];
    Row& r = m_rows[std::size_t(rowFor(m.lane, m.stream))];
    // Swapped with the last, found where it was put: the layout sorts the few it shows from here
    // by start.
    Q_ASSERT(m.openAt < r.open.size() && r.open[m.openAt] == index);
    const quint32 moved = r.open.back();
    r.open[m.openAt] = moved;
    m_messages[moved].openAt = m.openAt;
    r.open.pop_back();
    m.endNs = timeNs;
    m.endSeq = seq;
    r.longestSettledNs = std::max(r.longestSettledNs, m.endNs - m.startNs);
    m.fate = fate;
    ++m_counts[int(fate)];
}

void StreamFates::acknowledge(Flow& f, quint32 tsn, qint64 timeNs, quint64 seq)
{
    const auto it = f.byTsn.find(tsn);
    if (it == f.byTsn.end() || (*it & kAcked))
        return;
    *it |= kAcked;
    Message& m = m_messages[*it & ~kAcked];
    ++m.ackedChunks;
    if (m.fate == Fate::InFlight && m.complete && m.ackedChunks >= m.chunks)
        settle(*it & ~kAcked, Fate::Acknowledged, timeNs, seq);
}

void StreamFates::cumulative(Flow& f, quint32 cum, qint64 timeNs, quint64 seq, bool forward)
{
    if (f.cumKnown && atOrBefore(cum, f.cum))
        return; // old news (the lab's received copy of a SACK, a SACK overtaken by a later one)
    f.cumKnown = true;
    f.cum = cum;
    // Messages in flight, oldest TSNs first: covered whole by the cumulative TSN, acknowledged; a
    // FORWARD-TSN's jump skipped what it covers and was not acknowledged (abandoned, its record to come).
    while (!f.unsettled.empty()) {
        const quint32 index = f.unsettled.front();
        Message& m = m_messages[index];
        if (!atOrBefore(m.firstTsn, cum))
            break;
        if (!forward && !(m.complete && atOrBefore(m.lastTsn, cum)))
            break; // its last chunks are still outstanding
        // Its chunks leave the TSN table (what a SACK's cumulative TSN covers counts as acknowledged).
        for (quint32 t = m.firstTsn, n = 0; n <= m.chunks + 64u; ++t, ++n) {
            const auto it = f.byTsn.find(t);
            if (it != f.byTsn.end() && (*it & ~kAcked) == index) {
                if (!(*it & kAcked) && !forward)
                    ++m.ackedChunks;
                f.byTsn.erase(it);
            }
            if (t == m.lastTsn)
                break;
        }
        if (m.fate == Fate::InFlight) {
            if (forward && m.ackedChunks < m.chunks) {
                settle(index, Fate::Abandoned, timeNs, seq);
                f.skipped.push_back(index);
                if (f.skipped.size() > kMaxSkipped)
                    f.skipped.pop_front();
            } else {
                settle(index, Fate::Acknowledged, timeNs, seq);
            }
        }
        if (f.partial.value(m.stream, ~0u) == index)
            f.partial.remove(m.stream);
        f.unsettled.pop_front();
    }
}

void StreamFates::packet(const trace::Event& e, qint32 lane)
{
    const qint64 ports = sctpPorts(e.raw);
    if (ports < 0 || e.raw.size() < 16)
        return;
    // Cheap refusal: only DATA, SACK and FORWARD-TSN matter here.
    bool any = false;
    for (int at = 12; at + 4 <= e.raw.size();) {
        const auto type = quint8(e.raw[at]);
        if (type == sctp::chunk::Data || type == sctp::chunk::IData || type == sctp::chunk::Sack || type == sctp::chunk::NrSack
            || type == sctp::chunk::ForwardTsn || type == sctp::chunk::IForwardTsn) {
            any = true;
            break;
        }
        const int len = (quint8(e.raw[at + 2]) << 8) | quint8(e.raw[at + 3]);
        if (len < 4)
            break;
        at += (len + 3) & ~3;
    }
    if (!any)
        return;
    const sctp::DecodedPacket packet = sctp::decodePacket(e.raw, false, false);
    const quint32 own = quint32(ports);
    const quint32 reverse = (own << 16) | (own >> 16);
    for (const sctp::DecodedChunk& c : packet.chunks) {
        if (c.truncated)
            continue;
        switch (c.type) {
        case sctp::chunk::Data:
        case sctp::chunk::IData: {
            Flow& f = m_flows[own];
            if (!f.dirKnown) {
                f.dirKnown = true;
                f.dir = e.dir;
                f.lane = lane;
            }
            if (f.dir != e.dir || f.lane < 0)
                break; // the other copy of the packet
            const auto known = f.byTsn.constFind(c.tsn);
            if (known != f.byTsn.constEnd()) {
                Message& m = m_messages[*known & ~kAcked];
                if (m.retransmissions < quint32(kRetransmitTimes))
                    m.retransmittedNs[m.retransmissions] = e.timeNs;
                ++m.retransmissions;
                break;
            }
            if (f.cumKnown && atOrBefore(c.tsn, f.cum))
                break; // sent again after it was acknowledged or skipped
            quint32 index = ~0u;
            const auto open = f.partial.constFind(c.sid);
            if (!c.beginning() && open != f.partial.constEnd())
                index = *open;
            if (index == ~0u) {
                // A new message (or the rest of one whose start the journal did not see).
                index = quint32(m_messages.size());
                Message& m = m_messages.emplace_back();
                m.startNs = e.timeNs;
                m.seq = e.seq;
                m.firstTsn = c.tsn;
                m.stream = c.sid;
                m.lane = f.lane;
                const int header = c.type == sctp::chunk::IData ? 20 : 16;
                const qsizetype at = qsizetype(c.offset) + header;
                const int bytes = int(std::clamp<qsizetype>(std::min<qsizetype>(e.raw.size() - at, c.payloadLength), 0, kKeyBytes));
                m.payloadBytes = quint16(bytes);
                m.payloadHash = bytes > 0 ? hashOf(e.raw.constData() + at, bytes) : 0;
                Row& r = m_rows[std::size_t(rowFor(f.lane, c.sid))];
                r.messages.push_back(index);
                m.openAt = quint32(r.open.size());
                r.open.push_back(index);
                f.unsettled.push_back(index);
                ++m_counts[int(Fate::InFlight)];
            }
            Message& m = m_messages[index];
            m.lastTsn = c.tsn;
            ++m.chunks;
            f.byTsn.insert(c.tsn, index);
            if (c.ending()) {
                m.complete = true;
                f.partial.remove(c.sid);
            } else {
                f.partial.insert(c.sid, index);
            }
            break;
        }
        case sctp::chunk::Sack:
        case sctp::chunk::NrSack: {
            // The peer's SACK acknowledges the flow in the other direction.
            const auto it = m_flows.find(reverse);
            if (it == m_flows.end())
                break;
            Flow& f = *it;
            // What the DATA's sender received counts (the lab journals the peer's SACK as sent
            // too, and the link may lose it): opposite to the direction its DATA counts in.
            if (f.dir != trace::Dir::None && e.dir == f.dir)
                break;
            for (const auto& [start, end] : c.gapBlocks) {
                const quint32 from = c.cumTsn + start, to = c.cumTsn + std::max(start, end);
                for (quint32 t = from, n = 0; atOrBefore(t, to) && n < quint32(kMaxGapWalk); ++t, ++n)
                    acknowledge(f, t, e.timeNs, e.seq);
            }
            cumulative(f, c.cumTsn, e.timeNs, e.seq, false);
            break;
        }
        case sctp::chunk::ForwardTsn:
        case sctp::chunk::IForwardTsn: {
            const auto it = m_flows.find(own);
            if (it != m_flows.end())
                cumulative(*it, c.cumTsn, e.timeNs, e.seq, true);
            break;
        }
        default: break;
        }
    }
}

void StreamFates::abandon(const trace::Event& e, qint32 lane, qint64 ports)
{
    const auto stream = quint16(e.b);
    const auto policy = quint8(std::min<quint64>(e.a, 255));
    Flow* f = nullptr;
    if (ports >= 0) {
        const auto it = m_flows.find(quint32(ports));
        if (it != m_flows.end())
            f = &*it;
    }
    // Which message: one still in flight or skipped unnamed on that stream, the one whose first
    // bytes are the record's if there is one, else the oldest.
    quint32 match = ~0u, oldest = ~0u;
    if (f) {
        const auto consider = [&](quint32 index) {
            const Message& m = m_messages[index];
            if (m.stream != stream || m.unsent || (m.fate == Fate::Acknowledged) || (m.fate == Fate::Abandoned && m.policy))
                return;
            if (oldest == ~0u || m.firstTsn - m_messages[oldest].firstTsn > 0x80000000u)
                oldest = index;
            if (match == ~0u && m.payloadBytes > 0 && e.raw.size() >= m.payloadBytes
                && hashOf(e.raw.constData(), m.payloadBytes) == m.payloadHash)
                match = index;
        };
        for (quint32 index : f->skipped)
            consider(index);
        for (quint32 index : f->unsettled)
            consider(index);
    }
    const quint32 index = match != ~0u ? match : oldest;
    if (index != ~0u) {
        Message& m = m_messages[index];
        m.policy = policy ? policy : 0xff;
        m.context = e.c;
        if (m.fate == Fate::InFlight)
            settle(index, Fate::Abandoned, e.timeNs, e.seq);
        return;
    }
    // Given up before any of it went out: a message that starts and ends at the record.
    const qint32 where = f && f->lane >= 0 ? f->lane : lane;
    if (where < 0)
        return;
    const quint32 id = quint32(m_messages.size());
    Message& m = m_messages.emplace_back();
    m.startNs = m.endNs = e.timeNs;
    m.seq = m.endSeq = e.seq;
    m.context = e.c;
    m.stream = stream;
    m.lane = where;
    m.policy = policy ? policy : 0xff;
    m.unsent = true;
    m.complete = true;
    m.fate = Fate::Abandoned;
    ++m_counts[int(Fate::Abandoned)];
    m_rows[std::size_t(rowFor(where, stream))].messages.push_back(id);
}

} // namespace ladder::ui
