// SPDX-License-Identifier: GPL-3.0-or-later
// The journal's read path: events by sequence number, from segments in memory or read back from
// the spill file (through a small cache), with implied events derived as they are read.
#include "journal.h"

#include "journalstore.h"

namespace ladder::trace {

using namespace stored;
using namespace journalstore;

namespace {
    constexpr int kReadBatch = 256;
} // namespace

std::shared_ptr<const std::vector<char>> Journal::loadSpilled(std::size_t idx) const
{
    std::shared_ptr<SpillFile> file;
    qint64 offset = 0;
    std::size_t size = 0;
    {
        QReadLocker lock(&m_lock);
        const Store& s = *m_store;
        if (idx >= s.segments.size() || s.segments[idx].fileOffset < 0 || !s.spill)
            return {};
        file = s.spill;
        offset = s.segments[idx].fileOffset;
        size = s.segments[idx].byteSize;
    }
    auto bytes = std::make_shared<std::vector<char>>();
    if (!file->read(offset, size, bytes.get()))
        return {};
    QMutexLocker l(&m_store->cacheMutex);
    auto& cache = m_store->cache;
    cache.emplace_front(idx, bytes);
    if (cache.size() > kCacheSegments)
        cache.pop_back();
    return bytes;
}

void Journal::forEach(quint64 first, quint64 n, const std::function<void(const Event&)>& fn) const
{
    const quint64 c = count();
    const quint64 end = first >= c ? first : first + std::min(n, c - first);
    quint64 seq = first;
    quint64 gen = 0;
    bool started = false;
    std::vector<Event> batch;
    batch.reserve(kReadBatch);
    // Implied events (see append(e, implied)) are read as their parent, under the lock, and
    // derived from it after the lock is released: deriving is the expensive part.
    struct Implied {
        std::size_t at; // in batch
        std::size_t parent; // in parents
        quint32 index; // among the parent's implied events
    };
    std::vector<Implied> implied;
    std::vector<Event> parents;
    std::vector<quint32> impliedCounts; // of each parent
    quint64 lastParentSeq = ~quint64(0);
    quint64 expandedSeq = ~quint64(0);
    std::vector<Event> children;
    while (seq < end) {
        batch.clear();
        implied.clear();
        parents.clear();
        impliedCounts.clear();
        lastParentSeq = ~quint64(0);
        std::size_t missing = std::size_t(-1);
        {
            QReadLocker lock(&m_lock);
            const Store& s = *m_store;
            if (started && gen != s.generation)
                return; // cleared under our feet: the rest no longer exists
            gen = s.generation;
            started = true;
            if (s.segments.empty())
                return;
            std::shared_ptr<const std::vector<char>> held;
            while (seq < end && batch.size() < std::size_t(kReadBatch)) {
                const std::size_t idx = s.segmentOf(seq);
                const Segment& seg = s.segments[idx];
                if (seg.discarded) {
                    seq = s.endOf(idx, end);
                    continue;
                }
                const uchar* base = nullptr;
                std::size_t size = 0;
                HeldRaws heldRaws;
                if (seg.bytes) {
                    base = reinterpret_cast<const uchar*>(seg.bytes->data);
                    size = seg.bytes->size;
                    heldRaws.arrays = &seg.bytes->held;
                } else {
                    heldRaws.offsets = &seg.heldOffsets;
                    held = s.cached(idx);
                    if (!held) {
                        missing = idx;
                        break;
                    }
                    base = reinterpret_cast<const uchar*>(held->data());
                    size = held->size();
                }
                auto decodeAt = [&](quint32 off, quint64 at, Event* e) {
                    codec::Cursor cur { base + std::min<std::size_t>(off, size), base + size };
                    quint32 from = 0, to = 0;
                    if (off > size || !decodeStored(cur, base, e, &from, &to, &heldRaws))
                        return false;
                    e->seq = at;
                    e->from = s.strings.value(qsizetype(from));
                    e->to = s.strings.value(qsizetype(to));
                    return true;
                };
                const std::size_t k = std::size_t(seq - seg.firstSeq);
                const quint32 off = seg.offsets[k];
                if (k > 0 && seg.offsets[k - 1] == off) {
                    // Implied by the event whose index entry comes first with this offset.
                    std::size_t j = k - 1;
                    while (j > 0 && seg.offsets[j - 1] == off)
                        --j;
                    const quint64 parentSeq = seg.firstSeq + j;
                    if (parentSeq != lastParentSeq) {
                        Event parent;
                        if (decodeAt(off, parentSeq, &parent)) {
                            std::size_t last = j + 1;
                            while (last < seg.offsets.size() && seg.offsets[last] == off)
                                ++last;
                            parents.push_back(std::move(parent));
                            impliedCounts.push_back(quint32(last - j - 1));
                            lastParentSeq = parentSeq;
                        }
                    }
                    if (parentSeq == lastParentSeq) {
                        implied.push_back({ batch.size(), parents.size() - 1, quint32(k - j - 1) });
                        batch.emplace_back().seq = seq;
                    }
                } else {
                    Event e;
                    if (decodeAt(off, seq, &e))
                        batch.push_back(std::move(e));
                }
                ++seq;
            }
        }
        for (const Implied& im : implied) {
            const Event& parent = parents[im.parent];
            if (parent.seq != expandedSeq) {
                children = expand(parent, impliedCounts[im.parent]);
                expandedSeq = parent.seq;
            }
            Event& e = batch[im.at];
            const quint64 at = e.seq;
            e = im.index < children.size() ? children[im.index] : underivable(parent);
            e.seq = at;
        }
        for (const Event& e : batch)
            fn(e);
        if (missing != std::size_t(-1) && !loadSpilled(missing)) {
            // Unreadable spill data: skip the segment rather than loop on it.
            QReadLocker lock(&m_lock);
            if (gen != m_store->generation)
                return;
            seq = m_store->endOf(missing, end);
        }
    }
}

Event Journal::at(quint64 seq) const
{
    Event out;
    forEach(seq, 1, [&out](const Event& e) { out = e; });
    return out;
}

QVector<Event> Journal::range(quint64 first, quint64 n) const
{
    QVector<Event> out;
    forEach(first, n, [&out](const Event& e) { out.append(e); });
    return out;
}

} // namespace ladder::trace
