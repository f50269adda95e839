// SPDX-License-Identifier: GPL-3.0-or-later
// The journal's limits: sealed segments spilled to disk or discarded when memory or disk run over
// their limits, clear(), and the status the UI shows.
#include "journal.h"

#include "journalstore.h"

namespace ladder::trace {

using namespace stored;
using namespace journalstore;

void Journal::enforceLimits()
{
    Store& s = *m_store;
    if (!s.spillMutex.tryLock())
        return; // another appender is already at it
    QList<Event> notices;
    for (;;) {
        JournalLimits limits;
        bool spillOk = false;
        {
            QReadLocker lock(&m_lock);
            if (!(s.inMemoryBytes > s.limits.memoryBytes && s.nextSpill + 1 < s.segments.size()))
                break;
            limits = s.limits;
            const quint64 spillSize = s.spill ? s.spill->size.load() : 0;
            spillOk = limits.spill && !s.spillFailed
                && spillSize + s.segments[s.nextSpill].bytes->size + s.segments[s.nextSpill].bytes->heldBytes <= limits.diskBytes;
        }
        QString why;
        if (spillOk) {
            if (spillOne())
                continue;
            QReadLocker lock(&m_lock);
            why = s.lastError;
        } else {
            why = !limits.spill ? QStringLiteral("spilling to disk is off")
                : s.spillFailed ? QStringLiteral("the spill file failed: %1").arg(s.lastError)
                                : QStringLiteral("the spill file reached its limit of %1 MB").arg(limits.diskBytes >> 20);
        }
        quint64 first = 0, last = 0;
        if (!discardOne(&first, &last))
            break;
        Event n;
        n.kind = Kind::Error;
        n.text = QStringLiteral("journal: events %1 to %2 were discarded to stay within %3 MB of memory (%4)")
                     .arg(first)
                     .arg(last)
                     .arg(limits.memoryBytes >> 20)
                     .arg(why);
        notices.append(n);
    }
    {
        QWriteLocker lock(&m_lock);
        if (s.spilledEvents > 0 && !s.spillAnnounced && s.spill) {
            s.spillAnnounced = true;
            Event n;
            n.kind = Kind::Log;
            n.a = 2;
            n.text = QStringLiteral("journal: memory limit of %1 MB reached; older events are kept in %2")
                         .arg(s.limits.memoryBytes >> 20)
                         .arg(s.spill->file.fileName());
            notices.prepend(n);
        }
    }
    s.spillMutex.unlock();
    for (Event& n : notices) {
        // Notices carry the time of the newest event so that the timeline shows them in place.
        const quint64 c = count();
        if (c > 0)
            n.timeNs = at(c - 1).timeNs;
        append(std::move(n));
    }
}

bool Journal::spillOne()
{
    Store& s = *m_store;
    std::shared_ptr<Block> bytes;
    std::shared_ptr<SpillFile> file;
    std::size_t idx = 0;
    quint64 gen = 0;
    QString dir;
    {
        QReadLocker lock(&m_lock);
        idx = s.nextSpill;
        bytes = s.segments[idx].bytes;
        file = s.spill;
        gen = s.generation;
        dir = s.limits.spillDirectory;
    }
    QString error;
    if (!file) {
        auto f = std::make_shared<SpillFile>();
        if (f->open(dir, &error))
            file = f;
    }
    qint64 offset = -1;
    // The segment is sealed: nobody writes its bytes (or its held raw bytes) any more, so it can
    // be written unlocked. The held bytes follow the segment's own, one after another; a held
    // raw field read back finds them at the offsets kept in the segment.
    std::vector<quint32> heldOffsets;
    std::size_t byteSize = bytes->size;
    bool ok = false;
    if (file && bytes->held.empty()) {
        ok = file->append(bytes->data, bytes->size, &offset, &error);
    } else if (file) {
        std::vector<char> whole(bytes->data, bytes->data + bytes->size);
        whole.reserve(bytes->size + bytes->heldBytes);
        heldOffsets.reserve(bytes->held.size());
        for (const QByteArray& h : bytes->held) {
            heldOffsets.push_back(quint32(whole.size()));
            whole.insert(whole.end(), h.constData(), h.constData() + h.size());
        }
        byteSize = whole.size();
        ok = file->append(whole.data(), whole.size(), &offset, &error);
    }
    QWriteLocker lock(&m_lock);
    if (gen != s.generation)
        return true; // cleared meanwhile: nothing left to spill
    if (!ok) {
        s.spillFailed = true;
        s.lastError = error;
        return false;
    }
    s.spill = file;
    Segment& seg = s.segments[idx];
    seg.fileOffset = offset;
    seg.byteSize = byteSize;
    seg.heldOffsets = std::move(heldOffsets);
    seg.bytes.reset();
    s.recycle(std::move(bytes));
    s.inMemoryBytes -= seg.capacity;
    s.spilledEvents += s.endOf(idx, m_count.load()) - seg.firstSeq;
    ++s.nextSpill;
    return true;
}

bool Journal::discardOne(quint64* first, quint64* last)
{
    QWriteLocker lock(&m_lock);
    Store& s = *m_store;
    if (s.nextSpill + 1 >= s.segments.size())
        return false;
    const std::size_t idx = s.nextSpill++;
    Segment& seg = s.segments[idx];
    *first = seg.firstSeq;
    *last = s.endOf(idx, m_count.load()) - 1;
    s.recycle(std::move(seg.bytes));
    s.recycleIndex(std::move(seg.offsets));
    seg.discarded = true;
    s.inMemoryBytes -= seg.capacity;
    s.discarded += *last - *first + 1;
    while (s.firstLive < s.segments.size() && s.segments[s.firstLive].discarded)
        ++s.firstLive;
    m_firstAvailable.store(s.firstLive < s.segments.size() ? s.segments[s.firstLive].firstSeq : m_count.load(),
        std::memory_order_release);
    return true;
}

void Journal::clear()
{
    QWriteLocker lock(&m_lock);
    QMutexLocker pending(&m_pendingMutex);
    m_pendingTimes.clear();
    m_pending.store(false, std::memory_order_release);
    m_store->reset();
    m_count.store(0, std::memory_order_release);
    m_firstAvailable.store(0, std::memory_order_release);
    m_epochNs.store(nowEpochNs(), std::memory_order_relaxed);
    m_generation.fetch_add(1, std::memory_order_acq_rel);
}

std::size_t Journal::memoryBytes() const
{
    QReadLocker lock(&m_lock);
    const Store& s = *m_store;
    std::size_t bytes = s.inMemoryBytes + s.segments.capacity() * sizeof(Segment);
    for (const auto& b : s.spare)
        bytes += b->capacity;
    for (const auto& index : s.spareIndexes)
        bytes += index.capacity() * sizeof(quint32);
    for (const Segment& seg : s.segments)
        bytes += seg.offsets.capacity() * sizeof(quint32);
    for (const QString& str : std::as_const(s.strings))
        bytes += sizeof(QString) + std::size_t(str.size()) * 2 + 32; // + hash node
    QMutexLocker l(&s.cacheMutex);
    for (const auto& c : s.cache)
        bytes += c.second->capacity();
    return bytes;
}

void Journal::setLimits(const JournalLimits& limits)
{
    {
        QWriteLocker lock(&m_lock);
        m_store->limits = limits;
        m_store->limits.segmentBytes = std::max<std::size_t>(limits.segmentBytes, 4096);
        m_store->spare.clear(); // sized for the old limits
        m_store->spareIndexes.clear();
        m_store->spareIndexBytes = 0;
        m_store->lastIndexSize = 0;
        m_store->lastHeldCount = 0;
        m_store->spillFailed = false; // a new directory or limit deserves a new try
    }
    enforceLimits();
}

JournalLimits Journal::limits() const
{
    QReadLocker lock(&m_lock);
    return m_store->limits;
}

JournalStatus Journal::status() const
{
    JournalStatus st;
    st.count = count(); // before the lock: it may write out queued repeats
    st.memoryBytes = memoryBytes();
    QReadLocker lock(&m_lock);
    const Store& s = *m_store;
    st.firstAvailable = firstAvailable();
    st.discarded = s.discarded;
    st.spilledEvents = s.spilledEvents;
    st.spillFileBytes = s.spill ? s.spill->size.load() : 0;
    st.spillPath = s.spill ? s.spill->file.fileName() : QString();
    st.lastError = s.lastError;
    return st;
}

} // namespace ladder::trace
