// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to stack/journal: the journal's storage — segments of stored events in anonymous
// mappings, the spill file sealed segments go to, the cache of spilled segments read back, and
// the memory kept for reuse. journal.cpp appends, journalread.cpp reads, journallimits.cpp
// enforces the limits (spill, discard, clear).

#include "journal.h"
#include "storedform.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QMutex>
#include <QTemporaryFile>

#include <array>
#include <list>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace ladder::trace {

namespace journalstore {
    constexpr std::size_t kCacheSegments = 8;
    constexpr std::size_t kSpareBytes = std::size_t(64) << 20; // segment memory kept for reuse (see Store::spare)

    inline qint64 nowEpochNs() { return QDateTime::currentMSecsSinceEpoch() * 1000000; }

    // The events `parent` implies (through the expander set for its kind); an explanation in
    // their place if nobody can derive them. Defined in journal.cpp.
    std::vector<Event> expand(const Event& parent, quint32 count);
    Event underivable(const Event& parent);
} // namespace journalstore

// The spill file: whole sealed segments appended one after another. Written only by the thread
// holding the spill mutex; read with pread from any thread (offsets of written data never change).
struct Journal::SpillFile {
    QTemporaryFile file;
    std::atomic<quint64> size { 0 };

    bool open(const QString& dir, QString* error)
    {
        file.setFileTemplate(QDir(dir.isEmpty() ? QDir::tempPath() : dir)
                                 .filePath(QStringLiteral("ladderlab-journal-XXXXXX.spill")));
        if (!file.open()) {
            *error = QStringLiteral("cannot create a spill file in %1: %2").arg(dir.isEmpty() ? QDir::tempPath() : dir, file.errorString());
            return false;
        }
        return true;
    }
    bool append(const char* bytes, std::size_t length, qint64* offset, QString* error)
    {
        const quint64 at = size.load();
        std::size_t done = 0;
        while (done < length) {
            const ssize_t n = ::pwrite(file.handle(), bytes + done, length - done, off_t(at + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                *error = QStringLiteral("writing the spill file %1 failed: %2").arg(file.fileName(), QString::fromLocal8Bit(strerror(errno)));
                return false;
            }
            done += std::size_t(n);
        }
        *offset = qint64(at);
        size.store(at + length);
        return true;
    }
    bool read(qint64 offset, std::size_t n, std::vector<char>* out) const
    {
        out->resize(n);
        std::size_t done = 0;
        while (done < n) {
            const ssize_t r = ::pread(const_cast<QTemporaryFile&>(file).handle(), out->data() + done, n - done, off_t(offset + qint64(done)));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return false;
            done += std::size_t(r);
        }
        return true;
    }
};

// A segment's bytes in memory: one anonymous mapping, written in place by append (no staging
// copy). Large segments ask for transparent huge pages: an append-only log touches every page
// once, and a 2 MiB page costs one fault instead of 512.
struct Journal::Block {
    char* data = nullptr;
    std::size_t size = 0; // bytes written
    std::size_t capacity = 0;
    std::size_t warmed = 0; // asked into the cache for writing up to here (see warmAhead)

    // Asks for the cache lines the next few KiB of events will be written to, ahead of time: a
    // kept segment was written long ago and has left the cache, and a store into lines that are
    // not there stalls the lock release that follows it until each line has been fetched.
    void warmAhead()
    {
        constexpr std::size_t kAhead = 4096;
        const std::size_t until = std::min(capacity, size + kAhead);
        std::size_t at = std::max(warmed, size & ~std::size_t(63));
        for (; at < until; at += 64)
            __builtin_prefetch(data + at, 1, 3);
        warmed = at;
    }

    explicit Block(std::size_t cap)
    {
        const std::size_t page = std::size_t(::sysconf(_SC_PAGESIZE));
        capacity = (cap + page - 1) / page * page;
        constexpr std::size_t kHuge = std::size_t(2) << 20;
        if (capacity >= kHuge) {
            // Whole 2 MiB pages at a 2 MiB boundary, so that the kernel can back the segment with
            // huge pages (MADV_HUGEPAGE): a bulk capture faults in a segment at a time instead of
            // 4 KiB at a time. (An mmap of 2 MiB is rarely aligned, and then has no huge page.)
            capacity = (capacity + kHuge - 1) / kHuge * kHuge;
            void* m = ::mmap(nullptr, capacity + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED)
                throw std::bad_alloc();
            const auto begin = reinterpret_cast<std::uintptr_t>(m);
            const std::uintptr_t aligned = (begin + kHuge - 1) & ~std::uintptr_t(kHuge - 1);
            if (aligned > begin)
                ::munmap(m, aligned - begin);
            if (const std::size_t tail = begin + capacity + kHuge - (aligned + capacity); tail > 0)
                ::munmap(reinterpret_cast<void*>(aligned + capacity), tail);
            data = reinterpret_cast<char*>(aligned);
#ifdef MADV_HUGEPAGE
            ::madvise(data, capacity, MADV_HUGEPAGE);
#endif
            return;
        }
        void* m = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            throw std::bad_alloc();
        data = static_cast<char*>(m);
    }
    ~Block() { ::munmap(data, capacity); }

    // Raw bytes held instead of copied into data (a held raw field names its index here): a
    // capture's payloads are already kept, in shared blocks, by the reconstruction that
    // replays them (PayloadArena), so the journal keeps a reference on them rather than a
    // second copy. Written under the journal's write lock; cleared when the block is reused.
    std::vector<QByteArray> held;
    std::size_t heldBytes = 0;
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
};

struct Journal::Segment {
    quint64 firstSeq = 0;
    std::vector<quint32> offsets; // of each event in the segment's bytes
    std::shared_ptr<Block> bytes; // null once spilled or discarded
    qint64 fileOffset = -1; // where a spilled segment lives in the spill file
    std::size_t byteSize = 0; // encoded bytes, known once spilled
    std::size_t capacity = 0; // memory it held (the held raw bytes included)
    // Once spilled: where each held raw array's bytes were written, after the segment's own.
    std::vector<quint32> heldOffsets;
    bool discarded = false;
};

struct Journal::Store {
    std::vector<Segment> segments;
    QStringList strings { QString() };
    QHash<QString, quint32> stringIds { { QString(), 0 } };
    // Recently stored texts and raw bytes, so that an event repeating them (a packet journalled
    // when it is sent and again when the lab link delivers it, a bulk sender's identical summary
    // lines) refers back to the stored copy in the same segment instead of storing it again.
    struct TextSeen {
        QString text; // held: a shared string cannot change while we hold it
        std::size_t segment = 0;
        quint32 offset = 0, length = 0; // of its UTF-8 bytes in the segment
    };
    struct RawSeen {
        const char* source = nullptr; // not held: a hit is confirmed against the stored copy
        qsizetype size = 0;
        std::size_t segment = 0;
        quint32 offset = 0;
    };
    struct NameSeen {
        QString name;
        quint32 id = 0;
    };
    // The last event stored whole without raw bytes, which a following event that differs only
    // in its time repeats (stored::kRepeat). Written only with both m_lock and the repeat lane's mutex
    // held, so the lane (append) may read it holding its mutex alone.
    struct LastWhole {
        bool valid = false;
        quint64 seq = 0; // its number (a RepeatToken names it with the generation)
        std::size_t segment = 0;
        qint64 timeNs = 0;
        quint32 offset = 0;
        Kind kind = Kind::Log;
        Dir dir = Dir::None;
        quint64 object = 0, a = 0, b = 0, c = 0;
        quint32 from = 0, to = 0; // interned
        // Held, so the same data pointer proves the same characters: the lane compares by address.
        QString text, fromName, toName;
        bool namesHeld = false; // fromName and toName are empty or held (else the lane stays shut)

        // e is this one but for its time and its lanes (the text by address).
        bool sameButLanes(const Event& e) const
        {
            return valid && kind == e.kind && dir == e.dir && object == e.object && a == e.a && b == e.b && c == e.c
                && same(text, e.text);
        }
        // The repeat lane's test: e repeats this one but for its time (the lanes by address too).
        bool repeatedBy(const Event& e) const
        {
            return namesHeld && sameButLanes(e) && same(fromName, e.from) && same(toName, e.to);
        }
        Event event() const // without its time
        {
            Event e;
            e.kind = kind;
            e.dir = dir;
            e.object = object;
            e.a = a;
            e.b = b;
            e.c = c;
            e.from = fromName;
            e.to = toName;
            e.text = text;
            return e;
        }
        static bool same(const QString& held, const QString& s) { return held.isEmpty() ? s.isEmpty() : stored::sameString(held, s); }
        static void keep(QString& held, const QString& s)
        {
            if (held.constData() != s.constData() || held.size() != s.size())
                held = s;
        }
    };
    LastWhole last;
    // By where the text's characters are (one slot to look at, as for names): a capture's
    // state-change texts are a few dozen shared strings interleaved over many calls, more than a
    // ring of the last few could keep.
    std::array<TextSeen, 64> texts;
    static std::size_t textSlot(const QString& s)
    {
        const auto p = quintptr(s.constData());
        return ((p >> 4) ^ (p >> 11)) % 64;
    }
    std::array<RawSeen, 8> raws;
    // Endpoint strings recently interned, by where their characters are (a string we hold keeps
    // its address, so the address and size name it): one slot to look at per event instead of
    // the string table's hash. A capture interleaves many endpoints (ten calls under way, each
    // its own pair of hosts); a ring of the last four missed for most of its events, and 256
    // slots for a capture of 20 000 calls each between hosts of its own (40 000 endpoints), where
    // the string table's hash was then 6 % of the ingest; 4096 slots (128 KiB).
    std::array<NameSeen, 4096> names;
    std::size_t nextRaw = 0;
    JournalLimits limits;
    std::size_t inMemoryBytes = 0;
    std::size_t nextSpill = 0; // oldest segment still in memory
    std::size_t firstLive = 0; // oldest segment not discarded
    quint64 spilledEvents = 0;
    quint64 discarded = 0;
    std::shared_ptr<SpillFile> spill;
    bool spillFailed = false;
    bool spillAnnounced = false;
    QString lastError;
    quint64 generation = 0;

    // Segment memory given back by clear(), spilling or discarding, kept mapped and reused by the
    // next segments (up to journalstore::kSpareBytes, and no more than the memory limit; memoryBytes() counts
    // it): a fresh mapping costs the kernel a fault and the zeroing of every page — for a bulk
    // capture, which writes each packet's bytes into the journal, 2–3 % of the transfer's CPU
    // time. (MADV_FREE on the spare pages, letting the kernel take them back, lost that gain:
    // the huge pages were split and faulted in again.)
    std::vector<std::shared_ptr<Block>> spare;
    // The same for segments' indexes (one entry per event; eight at most, an eighth of what the
    // segments may keep), with the size the last segment's came to: a new segment starts with
    // room for as many, so that a bulk capture neither grows its index by copying nor shrinks it
    // when the segment is sealed — each a fresh allocation the size of the index, faulted in and
    // copied into.
    std::vector<std::vector<quint32>> spareIndexes;
    std::size_t spareIndexBytes = 0;
    std::size_t lastIndexSize = 0;
    std::size_t lastHeldCount = 0; // held raw arrays of the last segment sealed
    static constexpr std::size_t kSpareIndexes = 8;
    void recycleIndex(std::vector<quint32>&& index)
    {
        const std::size_t bytes = index.capacity() * sizeof(quint32);
        if (bytes > 0 && spareIndexes.size() < kSpareIndexes
            && spareIndexBytes + bytes <= std::min(journalstore::kSpareBytes, limits.memoryBytes) / 8) {
            index.clear();
            spareIndexes.push_back(std::move(index));
            spareIndexBytes += bytes;
        }
        index = {};
    }
    std::vector<quint32> newIndex()
    {
        std::vector<quint32> index;
        if (!spareIndexes.empty()) {
            index = std::move(spareIndexes.back());
            spareIndexes.pop_back();
            spareIndexBytes -= index.capacity() * sizeof(quint32);
        }
        index.reserve(lastIndexSize + lastIndexSize / 8);
        return index;
    }

    QMutex spillMutex; // one thread at a time enforces the limits
    mutable QMutex cacheMutex; // spilled segments read back, most recent first
    mutable std::list<std::pair<std::size_t, std::shared_ptr<const std::vector<char>>>> cache;

    quint32 intern(const QString& s)
    {
        if (s.isEmpty())
            return 0;
        const auto p = quintptr(s.constData());
        NameSeen& slot = names[((p >> 4) ^ (p >> 12)) % names.size()];
        if (stored::sameString(slot.name, s))
            return slot.id;
        const quint32 id = internSlow(s);
        if (stored::holdable(s))
            slot = { s, id };
        return id;
    }
    quint32 internSlow(const QString& s)
    {
        auto it = stringIds.constFind(s);
        if (it != stringIds.constEnd())
            return *it;
        const quint32 id = quint32(strings.size());
        strings.append(s);
        stringIds.insert(s, id);
        return id;
    }
    std::size_t segmentOf(quint64 seq) const
    {
        auto it = std::upper_bound(segments.begin(), segments.end(), seq,
            [](quint64 s, const Segment& seg) { return s < seg.firstSeq; });
        return std::size_t(it - segments.begin()) - 1;
    }
    quint64 endOf(std::size_t idx, quint64 count) const
    {
        return idx + 1 < segments.size() ? segments[idx + 1].firstSeq : count;
    }
    std::shared_ptr<const std::vector<char>> cached(std::size_t idx) const
    {
        QMutexLocker l(&cacheMutex);
        for (auto it = cache.begin(); it != cache.end(); ++it) {
            if (it->first == idx) {
                cache.splice(cache.begin(), cache, it);
                return cache.front().second;
            }
        }
        return {};
    }
    // Keeps a segment's memory for reuse if nobody else holds it (spillOne holds a segment while
    // it writes it out unlocked; such a block is unmapped when spillOne lets go of it).
    void recycle(std::shared_ptr<Block>&& b)
    {
        if (!b || b.use_count() != 1 || b->capacity < limits.segmentBytes || b->capacity > 2 * limits.segmentBytes
            || (spare.size() + 1) * b->capacity > std::min(journalstore::kSpareBytes, limits.memoryBytes)) {
            b.reset();
            return;
        }
        std::atomic_thread_fence(std::memory_order_acquire); // after the last reader let go
        b->held.clear();
        b->heldBytes = 0;
        b->size = 0;
        b->warmed = 0;
        spare.push_back(std::move(b));
    }
    std::shared_ptr<Block> newBlock(std::size_t bound)
    {
        const std::size_t want = std::max(limits.segmentBytes, bound);
        while (!spare.empty()) {
            std::shared_ptr<Block> b = std::move(spare.back());
            spare.pop_back();
            if (b->capacity >= want && b->capacity <= 2 * want)
                return b;
        }
        return std::make_shared<Block>(want);
    }
    void forgetSeen()
    {
        last = {};
        texts = {};
        raws = {};
        names = {};
    }
    void reset()
    {
        forgetSeen();
        for (Segment& seg : segments) {
            recycle(std::move(seg.bytes));
            recycleIndex(std::move(seg.offsets));
        }
        segments.clear();
        strings = QStringList { QString() };
        stringIds = { { QString(), 0 } };
        inMemoryBytes = 0;
        nextSpill = firstLive = 0;
        spilledEvents = discarded = 0;
        spill.reset();
        spillFailed = spillAnnounced = false;
        lastError.clear();
        ++generation;
        QMutexLocker l(&cacheMutex);
        cache.clear();
    }
};

} // namespace ladder::trace
