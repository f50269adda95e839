// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal.h"

#include "eventcodec.h"

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

namespace {
    constexpr int kReadBatch = 256;
    constexpr std::size_t kCacheSegments = 8;

    qint64 nowEpochNs() { return QDateTime::currentMSecsSinceEpoch() * 1000000; }

    // The stored form of an event is eventcodec's, with two flags in the dir byte: the text or the
    // raw bytes are a back reference (varint distance from the event's start, varint length) to
    // an identical copy stored earlier in the same segment. The flags never leave the journal:
    // readers get whole events, and session files are written from those.
    constexpr uchar kTextRef = 0x40;
    constexpr uchar kRawRef = 0x80;
    // A repeat: the event is the one stored `back` bytes earlier in the segment (never itself a
    // repeat) with another time — kind, dir|kRepeat|kRelativeTime, zigzag time minus the
    // original's, varint back. A bulk sender's UserAction events differ only in their time.
    // (Without kRelativeTime the time is absolute; the reference flags mean nothing in a repeat.)
    constexpr uchar kRepeat = 0x20;
    constexpr uchar kRelativeTime = kTextRef;
    constexpr std::size_t kMaxVarint = 10;
    constexpr std::size_t kMaxPending = 4096; // repeats queued before the lane writes them out itself
    constexpr qsizetype kMinShared = 8; // shorter texts and raw bytes are stored as they are
    constexpr std::size_t kSpareBytes = std::size_t(64) << 20; // segment memory kept for reuse (see Store::spare)

    // A string whose buffer we can hold: a shared heap string detaches before anyone can change
    // it, so while we hold a copy the same data pointer and size prove equal contents. (Literals
    // and fromRawData strings have no such guarantee: they are never remembered.)
    bool holdable(const QString& s) { return const_cast<QString&>(s).data_ptr().d_ptr() != nullptr; }
    bool sameString(const QString& held, const QString& s)
    {
        return held.constData() == s.constData() && held.size() == s.size() && holdable(held);
    }

    char* putVarint(char* p, quint64 v)
    {
        while (v >= 0x80) {
            *p++ = char(v | 0x80);
            v >>= 7;
        }
        *p++ = char(v);
        return p;
    }

    // A repeat (kRepeat) of the event stored `back` bytes before p, `delta` ns after it; at most
    // 2 + 2 * kMaxVarint bytes.
    char* putRepeat(char* p, Kind kind, Dir dir, qint64 delta, quint64 back)
    {
        *p++ = char(kind);
        *p++ = char(uchar(dir) | kRepeat | kRelativeTime);
        p = putVarint(p, (quint64(delta) << 1) ^ quint64(delta >> 63)); // zigzag
        return putVarint(p, back);
    }

    // How many of s's first UTF-16 units are ASCII (usually all: summaries, chunk descriptions),
    // tested four at a time.
    qsizetype asciiPrefix(QStringView s)
    {
        const char16_t* u = s.utf16();
        const qsizetype n = s.size();
        qsizetype i = 0;
        for (; i + 4 <= n; i += 4) {
            quint64 w;
            std::memcpy(&w, u + i, sizeof w);
            if (w & 0xff80ff80ff80ff80ull)
                break;
        }
        while (i < n && u[i] < 0x80)
            ++i;
        return i;
    }

    // UTF-8 length of s, or -1 if it holds surrogates (those take QString::toUtf8's path, which
    // also decides what a lone surrogate becomes).
    qsizetype utf8Length(QStringView s)
    {
        const qsizetype ascii = asciiPrefix(s);
        qsizetype n = ascii;
        for (const QChar qc : s.mid(ascii)) {
            const char16_t c = qc.unicode();
            if (c < 0x80)
                n += 1;
            else if (c < 0x800)
                n += 2;
            else if (c >= 0xd800 && c < 0xe000)
                return -1;
            else
                n += 3;
        }
        return n;
    }

    // s as UTF-8 (no surrogates: see utf8Length); `ascii` = asciiPrefix(s).
    char* putUtf8(char* p, QStringView s, qsizetype ascii)
    {
        const char16_t* u = s.utf16();
        for (qsizetype i = 0; i < ascii; ++i) // a narrowing copy the compiler vectorises
            p[i] = char(u[i]);
        p += ascii;
        for (const QChar qc : s.mid(ascii)) {
            const char16_t c = qc.unicode();
            if (c < 0x80) {
                *p++ = char(c);
            } else if (c < 0x800) {
                *p++ = char(0xc0 | (c >> 6));
                *p++ = char(0x80 | (c & 0x3f));
            } else {
                *p++ = char(0xe0 | (c >> 12));
                *p++ = char(0x80 | ((c >> 6) & 0x3f));
                *p++ = char(0x80 | (c & 0x3f));
            }
        }
        return p;
    }

    // A text or raw field: inline (varint length + bytes) or a back reference; bounds-checked
    // against the segment, whose bytes start at base.
    QByteArrayView storedBytes(codec::Cursor& c, bool ref, const uchar* base, const uchar* eventStart)
    {
        if (!ref)
            return c.bytes(c.varint());
        const quint64 back = c.varint();
        const quint64 n = c.varint();
        if (!c.ok || back == 0 || back > quint64(eventStart - base) || n > back) {
            c.ok = false;
            return {};
        }
        return QByteArrayView(reinterpret_cast<const char*>(eventStart - back), qsizetype(n));
    }

    bool decodeStored(codec::Cursor& c, const uchar* base, Event* e, quint32* fromId, quint32* toId)
    {
        const uchar* start = c.p;
        if (c.end - c.p >= 2 && (c.p[1] & kRepeat)) {
            c.p += 2;
            const quint64 zz = c.varint();
            const quint64 back = c.varint();
            if (!c.ok || back == 0 || back > quint64(start - base))
                return false;
            const uchar* original = start - back;
            if (original[0] != start[0] || (original[1] & kRepeat) || (original[1] & 0x1f) != (start[1] & 0x1f))
                return false;
            codec::Cursor o { original, c.end };
            if (!decodeStored(o, base, e, fromId, toId))
                return false;
            const qint64 t = qint64(zz >> 1) ^ -qint64(zz & 1);
            e->timeNs = (start[1] & kRelativeTime) ? qint64(quint64(e->timeNs) + quint64(t)) : t;
            return true;
        }
        uchar flags = 0;
        if (!codec::decodeHeader(c, e, fromId, toId, kTextRef | kRawRef, &flags))
            return false;
        const QByteArrayView text = storedBytes(c, flags & kTextRef, base, start);
        const QByteArrayView raw = storedBytes(c, flags & kRawRef, base, start);
        if (!c.ok)
            return false;
        codec::setPayload(e, text, raw);
        return true;
    }
} // namespace

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
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
};

struct Journal::Segment {
    quint64 firstSeq = 0;
    std::vector<quint32> offsets; // of each event in the segment's bytes
    std::shared_ptr<Block> bytes; // null once spilled or discarded
    qint64 fileOffset = -1; // where a spilled segment lives in the spill file
    std::size_t byteSize = 0; // encoded bytes, known once spilled
    std::size_t capacity = 0; // memory it held
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
    // in its time repeats (kRepeat). Written only with both m_lock and the repeat lane's mutex
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
        static bool same(const QString& held, const QString& s) { return held.isEmpty() ? s.isEmpty() : sameString(held, s); }
        static void keep(QString& held, const QString& s)
        {
            if (held.constData() != s.constData() || held.size() != s.size())
                held = s;
        }
    };
    LastWhole last;
    std::array<TextSeen, 8> texts;
    std::array<RawSeen, 8> raws;
    std::array<NameSeen, 4> names;
    std::size_t nextText = 0, nextRaw = 0, nextName = 0;
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
    // next segments (up to kSpareBytes, and no more than the memory limit; memoryBytes() counts
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
    static constexpr std::size_t kSpareIndexes = 8;
    void recycleIndex(std::vector<quint32>&& index)
    {
        const std::size_t bytes = index.capacity() * sizeof(quint32);
        if (bytes > 0 && spareIndexes.size() < kSpareIndexes
            && spareIndexBytes + bytes <= std::min(kSpareBytes, limits.memoryBytes) / 8) {
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
        for (const NameSeen& n : names)
            if (sameString(n.name, s))
                return n.id;
        const quint32 id = internSlow(s);
        if (holdable(s)) {
            names[nextName] = { s, id };
            nextName = (nextName + 1) % names.size();
        }
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
            || (spare.size() + 1) * b->capacity > std::min(kSpareBytes, limits.memoryBytes)) {
            b.reset();
            return;
        }
        std::atomic_thread_fence(std::memory_order_acquire); // after the last reader let go
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

Journal::Journal()
    : m_store(std::make_unique<Store>())
    , m_epochNs(nowEpochNs())
{
}

Journal::~Journal() = default;

namespace {
    std::array<std::atomic<Journal::Expander>, 256> g_expanders {};

    // The events `parent` implies; an explanation in their place if nobody can derive them.
    std::vector<Event> expand(const Event& parent, quint32 count)
    {
        std::vector<Event> out;
        if (const Journal::Expander fn = g_expanders[std::size_t(parent.kind)].load(std::memory_order_acquire))
            fn(parent, count, out);
        return out;
    }
    Event underivable(const Event& parent)
    {
        Event e;
        e.timeNs = parent.timeNs;
        e.kind = Kind::Log;
        e.a = 3;
        e.object = parent.object;
        e.text = QStringLiteral("an event implied by the %1 event before it could not be derived from it")
                     .arg(QLatin1String(kindName(parent.kind)));
        return e;
    }
} // namespace

void Journal::setExpander(Kind parentKind, Expander fn)
{
    g_expanders[std::size_t(parentKind)].store(fn, std::memory_order_release);
}

namespace {
    // Raw bytes that only borrow the producer's buffer (QByteArray::fromRawData: a datagram the
    // SCTP tap journals straight from the socket's receive buffer) are copied for the append
    // hook, which may keep the event: the buffer is overwritten by the next datagram.
    void ownBytes(Event& e)
    {
        if (!e.raw.isEmpty() && !e.raw.data_ptr().d_ptr())
            e.raw = QByteArray(e.raw.constData(), e.raw.size());
    }
}

quint64 Journal::append(Event&& e)
{
    const quint64 seq = store(e);
    if (m_hook) {
        e.seq = seq;
        ownBytes(e);
        m_hook(e);
    }
    return seq;
}

// Inlined into both lanes (append's and appendRepeat's): a call per repeat is a sixth of its cost.
[[gnu::always_inline]] inline quint64 Journal::queueRepeat(QMutexLocker<QMutex>& pending, qint64 timeNs)
{
    const quint64 seq = m_count.load(std::memory_order_relaxed) + m_pendingTimes.size();
    m_pendingTimes.push_back(timeNs);
    if (m_pendingTimes.size() == 1)
        m_pending.store(true, std::memory_order_release);
    if (m_pendingTimes.size() >= kMaxPending) {
        pending.unlock();
        flushPending();
    }
    return seq;
}

quint64 Journal::append(const Event& e, quint32 implied) { return append(e, implied, nullptr); }

quint64 Journal::append(const Event& e, quint32 implied, RepeatToken* token)
{
    if (implied == 0 && e.raw.isEmpty() && !m_hook) {
        // The repeat lane: queue the time of an event that repeats the last one stored whole.
        QMutexLocker pending(&m_pendingMutex);
        if (m_store->last.repeatedBy(e)) {
            if (token)
                *token = { m_store->last.seq, m_store->generation };
            return queueRepeat(pending, e.timeNs);
        }
    }
    const quint64 seq = store(e, implied, token);
    if (m_hook)
        callHook(e, seq, implied);
    return seq;
}

quint64 Journal::appendRepeat(const RepeatToken& token, qint64 timeNs)
{
    if (m_hook)
        return kNotRepeated;
    QMutexLocker pending(&m_pendingMutex);
    const Store::LastWhole& last = m_store->last;
    if (!last.valid || !last.namesHeld || last.seq != token.seq || m_store->generation != token.generation)
        return kNotRepeated;
    return queueRepeat(pending, timeNs);
}

void Journal::callHook(const Event& e, quint64 seq, quint32 implied)
{
    Event copy = e;
    copy.seq = seq;
    ownBytes(copy);
    m_hook(copy);
    if (implied == 0)
        return;
    std::vector<Event> children = expand(copy, implied);
    for (quint32 i = 0; i < implied; ++i) {
        Event child = i < children.size() ? std::move(children[i]) : underivable(copy);
        child.seq = seq + 1 + i;
        m_hook(child);
    }
}

quint64 Journal::store(const Event& e, quint32 implied, RepeatToken* token)
{
    QWriteLocker lock(&m_lock);
    QMutexLocker pending(&m_pendingMutex);
    writePending(); // the queued repeats came first
    const quint64 seq = storeLocked(e, implied);
    const Store& s = *m_store;
    if (token) // e is now the last event stored whole, or was stored as a repeat of it
        *token = implied == 0 && e.raw.isEmpty() && s.last.repeatedBy(e) ? RepeatToken { s.last.seq, s.generation }
                                                                         : RepeatToken {};
    const bool over = s.inMemoryBytes > s.limits.memoryBytes && s.nextSpill + 1 < s.segments.size();
    pending.unlock();
    lock.unlock();
    if (over)
        enforceLimits();
    return seq;
}

void Journal::writePending()
{
    const std::vector<qint64>& times = m_pendingTimes;
    const std::size_t n = times.size();
    if (n == 0)
        return;
    Store& s = *m_store;
    std::size_t i = 0;
    // The short form while the original is in the current segment and there is room.
    if (!s.segments.empty() && s.last.valid && s.last.segment == s.segments.size() - 1) {
        Segment& seg = s.segments.back();
        Block& blk = *seg.bytes;
        constexpr std::size_t kRepeatMax = 2 + 2 * kMaxVarint;
        if (blk.capacity - blk.size >= kRepeatMax) {
            const std::size_t room = (blk.capacity - blk.size) / kRepeatMax; // repeats that surely fit
            const std::size_t fit = std::min(n, room);
            char* p = blk.data + blk.size;
            for (; i < fit; ++i) {
                const quint32 start = quint32(p - blk.data);
                seg.offsets.push_back(start);
                p = putRepeat(p, s.last.kind, s.last.dir, qint64(quint64(times[i]) - quint64(s.last.timeNs)), start - s.last.offset);
            }
            blk.size = std::size_t(p - blk.data);
            m_count.store(m_count.load(std::memory_order_relaxed) + fit, std::memory_order_release);
        }
    }
    if (i < n) { // the long form (storeLocked opens a new segment, and repeats within it again)
        Event whole = s.last.event();
        for (; i < n; ++i) {
            whole.timeNs = times[i];
            storeLocked(whole, 0);
        }
    }
    m_pendingTimes.clear();
    m_pending.store(false, std::memory_order_release);
}

void Journal::flushPending() const
{
    auto* self = const_cast<Journal*>(this); // count() is const; writing out what was appended is not a change
    bool over = false;
    {
        QWriteLocker lock(&m_lock);
        QMutexLocker pending(&m_pendingMutex);
        self->writePending();
        const Store& s = *m_store;
        over = s.inMemoryBytes > s.limits.memoryBytes && s.nextSpill + 1 < s.segments.size();
    }
    if (over)
        self->enforceLimits();
}

quint64 Journal::storeLocked(const Event& e, quint32 implied)
{
    // At most 3 UTF-8 bytes per UTF-16 unit (a surrogate pair takes 4 for 2).
    const std::size_t bound = 2 + 9 * kMaxVarint + 3 * std::size_t(e.text.size()) + std::size_t(e.raw.size());

    Store& s = *m_store;
    const quint32 from = s.intern(e.from);
    const quint32 to = s.intern(e.to);
    const quint64 seq = m_count.load(std::memory_order_relaxed);
    if (s.segments.empty() || s.segments.back().bytes->capacity - s.segments.back().bytes->size < bound) {
        if (!s.segments.empty()) {
            // Sealed: its index stays as long as it does, so it gives back what it will not use
            // — unless that is little (it was made for about as many events as it holds).
            std::vector<quint32>& index = s.segments.back().offsets;
            s.lastIndexSize = index.size();
            if (index.capacity() - index.size() > index.size() / 4)
                index.shrink_to_fit();
        }
        Segment seg;
        seg.firstSeq = seq;
        seg.offsets = s.newIndex();
        seg.bytes = s.newBlock(bound);
        seg.capacity = seg.bytes->capacity;
        s.inMemoryBytes += seg.capacity;
        s.segments.push_back(std::move(seg));
    }
    const std::size_t segIdx = s.segments.size() - 1;
    Segment& seg = s.segments.back();
    Block& blk = *seg.bytes;
    const quint32 start = quint32(blk.size);
    seg.offsets.push_back(start);
    // Implied events: index entries equal to their parent's, nothing stored (see forEach).
    if (implied > 0)
        seg.offsets.insert(seg.offsets.end(), implied, start);

    Store::LastWhole& last = s.last;
    // A repeat of the last event stored whole (the lanes by their interned numbers: held or not).
    if (e.raw.isEmpty() && last.segment == segIdx && last.sameButLanes(e) && last.from == from && last.to == to) {
        blk.size = std::size_t(
            putRepeat(blk.data + start, e.kind, e.dir, qint64(quint64(e.timeNs) - quint64(last.timeNs)), start - last.offset)
            - blk.data);
        m_count.store(seq + 1 + implied, std::memory_order_release);
        return seq;
    }

    // Back references: the same text (a string we hold) or the same raw bytes (confirmed against
    // the stored copy) already stored in this segment. Any copy will do, so the few remembered
    // ones are compared in storage order, by address first: usually nothing matches (a packet
    // journalled once, its arrival implied) and that is all that gets compared.
    const Store::TextSeen* textHit = nullptr;
    if (e.text.size() >= kMinShared)
        for (const Store::TextSeen& t : s.texts)
            if (t.text.constData() == e.text.constData() && t.segment == segIdx && t.length > 0 && sameString(t.text, e.text)) {
                textHit = &t;
                break;
            }
    const Store::RawSeen* rawHit = nullptr;
    if (e.raw.size() >= kMinShared)
        for (const Store::RawSeen& r : s.raws)
            if (r.source == e.raw.constData() && r.size == e.raw.size() && r.segment == segIdx
                && std::memcmp(blk.data + r.offset, e.raw.constData(), std::size_t(r.size)) == 0) {
                rawHit = &r;
                break;
            }

    char* p = blk.data + start;
    *p++ = char(e.kind);
    *p++ = char(uchar(e.dir) | (textHit ? kTextRef : 0) | (rawHit ? kRawRef : 0));
    p = putVarint(p, (quint64(e.timeNs) << 1) ^ quint64(e.timeNs >> 63)); // zigzag
    p = putVarint(p, e.object);
    p = putVarint(p, e.a);
    p = putVarint(p, e.b);
    p = putVarint(p, e.c);
    p = putVarint(p, from);
    p = putVarint(p, to);
    // Text as UTF-8 straight into the segment when it is plain (no surrogates), else converted.
    const qsizetype textAscii = textHit ? 0 : asciiPrefix(e.text);
    const qsizetype textUtf8 = textHit ? 0 : textAscii == e.text.size() ? textAscii : utf8Length(e.text);
    if (textHit) {
        p = putVarint(p, start - textHit->offset);
        p = putVarint(p, textHit->length);
    } else if (textUtf8 >= 0) {
        p = putVarint(p, quint64(textUtf8));
        const quint32 at = quint32(p - blk.data);
        p = putUtf8(p, e.text, textAscii);
        if (textUtf8 >= kMinShared && holdable(e.text)) {
            s.texts[s.nextText] = { e.text, segIdx, at, quint32(textUtf8) };
            s.nextText = (s.nextText + 1) % s.texts.size();
        }
    } else {
        const QByteArray textBytes = e.text.toUtf8();
        p = putVarint(p, quint64(textBytes.size()));
        std::memcpy(p, textBytes.constData(), std::size_t(textBytes.size()));
        p += textBytes.size();
    }
    if (rawHit) {
        p = putVarint(p, start - rawHit->offset);
        p = putVarint(p, quint64(rawHit->size));
    } else {
        p = putVarint(p, quint64(e.raw.size()));
        if (e.raw.size() >= kMinShared) {
            s.raws[s.nextRaw] = { e.raw.constData(), e.raw.size(), segIdx, quint32(p - blk.data) };
            s.nextRaw = (s.nextRaw + 1) % s.raws.size();
        }
        if (!e.raw.isEmpty())
            std::memcpy(p, e.raw.constData(), std::size_t(e.raw.size()));
        p += e.raw.size();
    }
    blk.size = std::size_t(p - blk.data);
    blk.warmAhead();
    m_count.store(seq + 1 + implied, std::memory_order_release);
    if (e.raw.isEmpty() && (e.text.isEmpty() || holdable(e.text))) {
        last.valid = true;
        last.seq = seq;
        last.segment = segIdx;
        last.offset = start;
        last.timeNs = e.timeNs;
        last.kind = e.kind;
        last.dir = e.dir;
        last.object = e.object;
        last.a = e.a;
        last.b = e.b;
        last.c = e.c;
        last.from = from;
        last.to = to;
        Store::LastWhole::keep(last.text, e.text);
        Store::LastWhole::keep(last.fromName, e.from);
        Store::LastWhole::keep(last.toName, e.to);
        last.namesHeld = (e.from.isEmpty() || holdable(e.from)) && (e.to.isEmpty() || holdable(e.to));
    }
    return seq;
}

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
                && spillSize + s.segments[s.nextSpill].bytes->size <= limits.diskBytes;
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
    // The segment is sealed: nobody writes its bytes any more, so it can be written unlocked.
    const bool ok = file && file->append(bytes->data, bytes->size, &offset, &error);
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
    seg.byteSize = bytes->size;
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
                if (seg.bytes) {
                    base = reinterpret_cast<const uchar*>(seg.bytes->data);
                    size = seg.bytes->size;
                } else {
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
                    if (off > size || !decodeStored(cur, base, e, &from, &to))
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

void Journal::setAppendHook(std::function<void(const Event&)> hook)
{
    QWriteLocker lock(&m_lock);
    QMutexLocker pending(&m_pendingMutex);
    writePending(); // the hook sees every append from now on, none of the queued ones twice
    m_hook = std::move(hook);
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
