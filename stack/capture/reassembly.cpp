// SPDX-License-Identifier: GPL-3.0-or-later
#include "reassembly.h"

#include <cstring>

namespace ladder::trace {

namespace {
    constexpr qsizetype kMaxDatagram = 65535;
}

void IpDefragmenter::drop(QHash<QByteArray, Pending>::iterator it)
{
    m_bytes -= it->bytes;
    m_pending.erase(it);
}

void IpDefragmenter::sweep(qint64 nowNs)
{
    m_lastSweepNs = nowNs;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (nowNs - it->firstNs > m_limits.timeoutNs) {
            m_bytes -= it->bytes;
            it = m_pending.erase(it);
            ++m_expired;
        } else {
            ++it;
        }
    }
}

IpDefragmenter::Outcome IpDefragmenter::add(const QByteArray& key, qint64 nowNs, qsizetype offset, bool more,
    const char* data, qsizetype size, QByteArray* datagram, QString* why)
{
    if (nowNs - m_lastSweepNs > 1'000'000'000 || nowNs < m_lastSweepNs)
        sweep(nowNs);
    auto fail = [&](QString text) {
        const auto it = m_pending.find(key);
        if (it != m_pending.end())
            drop(it);
        *why = std::move(text);
        return Outcome::Dropped;
    };
    if (offset < 0 || size < 0 || offset + size > kMaxDatagram)
        return fail(QStringLiteral("a fragment reaches past 64 KiB"));
    if (more && (size == 0 || size % 8 != 0))
        return fail(QStringLiteral("a fragment that is not the last is not a multiple of 8 bytes"));
    auto it = m_pending.find(key);
    if (it == m_pending.end()) {
        if (m_pending.size() >= m_limits.maxDatagrams) {
            // The oldest one goes: it is the likeliest never to be completed.
            auto oldest = m_pending.begin();
            for (auto j = m_pending.begin(); j != m_pending.end(); ++j)
                if (j->firstNs < oldest->firstNs)
                    oldest = j;
            drop(oldest);
            ++m_expired;
        }
        it = m_pending.insert(key, Pending());
        it->firstNs = nowNs;
    }
    Pending& d = *it;
    if (!more) {
        if (d.total >= 0 && d.total != offset + size)
            return fail(QStringLiteral("two last fragments end at %1 and %2").arg(d.total).arg(offset + size));
        if (!d.pieces.isEmpty()) {
            const auto last = std::prev(d.pieces.end());
            if (last.key() + last->size() > offset + size)
                return fail(QStringLiteral("a fragment reaches past the last one"));
        }
        d.total = offset + size;
    } else if (d.total >= 0 && offset + size > d.total) {
        return fail(QStringLiteral("a fragment reaches past the last one"));
    }
    // Overlaps: the same bytes are a fragment seen twice; different bytes drop the datagram.
    auto next = d.pieces.lowerBound(offset);
    auto first = next;
    if (first != d.pieces.begin()) {
        auto prev = std::prev(first);
        if (prev.key() + prev->size() > offset)
            first = prev;
    }
    bool covered = false;
    for (auto j = first; j != d.pieces.end() && j.key() < offset + size; ++j) {
        const qsizetype from = std::max(offset, j.key());
        const qsizetype to = std::min(offset + size, j.key() + j->size());
        if (to <= from)
            continue;
        if (std::memcmp(data + (from - offset), j->constData() + (from - j.key()), size_t(to - from)) != 0)
            return fail(QStringLiteral("fragments overlap with different bytes at offset %1").arg(from));
        if (from == offset && to == offset + size)
            covered = true;
    }
    if (!covered && size > 0) {
        if (d.pieces.size() >= m_limits.maxFragments)
            return fail(QStringLiteral("more than %1 fragments").arg(m_limits.maxFragments));
        if (m_bytes + size > m_limits.maxBytes) {
            ++m_expired;
            return fail(QStringLiteral("fragments waiting for reassembly hold more than %1 KiB")
                    .arg(m_limits.maxBytes / 1024));
        }
        QByteArray& piece = d.pieces[offset];
        if (piece.size() < size) { // same offset, longer: the longer one (the overlap matched)
            d.bytes += size - piece.size();
            m_bytes += size - piece.size();
            piece = QByteArray(data, size);
        }
    }
    if (d.total < 0)
        return Outcome::Pending;
    qsizetype cover = 0;
    for (auto j = d.pieces.cbegin(); j != d.pieces.cend(); ++j) {
        if (j.key() > cover)
            return Outcome::Pending;
        cover = std::max(cover, j.key() + j->size());
    }
    if (cover < d.total)
        return Outcome::Pending;
    QByteArray out(d.total, Qt::Uninitialized);
    for (auto j = d.pieces.cbegin(); j != d.pieces.cend(); ++j)
        std::memcpy(out.data() + j.key(), j->constData(), size_t(j->size()));
    *datagram = std::move(out);
    drop(it);
    return Outcome::Complete;
}

void TcpReorder::start(quint32 seq)
{
    reset();
    m_started = true;
    m_nextSeq = seq;
    m_nextOff = 0;
}

void TcpReorder::reset()
{
    m_started = false;
    m_waiting.clear();
    m_waitingBytes = 0;
}

void TcpReorder::drain(QByteArray* ready)
{
    while (!m_waiting.isEmpty() && m_waiting.firstKey() <= m_nextOff) {
        const quint64 off = m_waiting.firstKey();
        const QByteArray seg = m_waiting.take(off);
        m_waitingBytes -= seg.size();
        const quint64 skip = m_nextOff - off;
        if (skip < quint64(seg.size())) {
            ready->append(seg.constData() + skip, seg.size() - qsizetype(skip));
            const quint32 added = quint32(seg.size() - qsizetype(skip));
            m_nextOff += added;
            m_nextSeq += added;
        }
    }
}

TcpReorder::Outcome TcpReorder::giveUp(QByteArray* ready, qsizetype* lost)
{
    const quint64 off = m_waiting.firstKey();
    *lost = qsizetype(off - m_nextOff);
    m_nextSeq += quint32(off - m_nextOff);
    m_nextOff = off;
    drain(ready);
    m_gapSinceNs = 0;
    return Outcome::GapGivenUp;
}

TcpReorder::Outcome TcpReorder::add(quint32 seq, const char* data, qsizetype size, qint64 nowNs, QByteArray* ready,
    qsizetype* lost)
{
    *lost = 0;
    const qint32 delta = qint32(seq - m_nextSeq); // serial-number arithmetic
    if (delta <= 0) {
        // In order, or starting with bytes already had (a retransmission): keep what is new.
        const qsizetype skip = qsizetype(-qint64(delta));
        if (skip < size) {
            ready->append(data + skip, size - skip);
            m_nextOff += quint64(size - skip);
            m_nextSeq += quint32(size - skip);
        }
        const bool hadGap = !m_waiting.isEmpty();
        drain(ready);
        if (hadGap && m_waiting.isEmpty())
            m_gapSinceNs = 0;
        else if (hadGap)
            m_gapSinceNs = nowNs; // a new gap behind what was just filled
        return Outcome::InOrder;
    }
    if (qsizetype(delta) > m_limits.maxAhead) {
        // Far ahead: no gap that size is waited for; the stream goes on from here.
        m_waiting.clear();
        m_waitingBytes = 0;
        *lost = qsizetype(delta);
        m_nextSeq = seq;
        m_nextOff += quint64(delta);
        ready->append(data, size);
        m_nextOff += quint64(size);
        m_nextSeq += quint32(size);
        m_gapSinceNs = 0;
        return Outcome::GapGivenUp;
    }
    if (m_waiting.isEmpty())
        m_gapSinceNs = nowNs;
    const quint64 off = m_nextOff + quint64(delta);
    QByteArray& slot = m_waiting[off];
    if (slot.size() < size) { // a retransmission of a waiting segment, or a longer one
        m_waitingBytes += size - slot.size();
        slot = QByteArray(data, size);
    }
    if (m_waitingBytes > m_limits.maxWaitingBytes || m_waiting.size() > m_limits.maxWaitingSegments
        || nowNs - m_gapSinceNs > m_limits.maxGapNs)
        return giveUp(ready, lost);
    return Outcome::Waiting;
}

} // namespace ladder::trace
