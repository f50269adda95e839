// SPDX-License-Identifier: GPL-3.0-or-later
// The journal's write path: appends (the general lane and the repeat lane), the append hook and
// the expanders. Storage: journalstore.h; reads: journalread.cpp; limits: journallimits.cpp.
#include "journal.h"

#include "journalstore.h"

namespace ladder::trace {

using namespace stored;
using namespace journalstore;

namespace {
    constexpr std::size_t kMaxPending = 4096; // repeats queued before the lane writes them out itself
    constexpr qsizetype kMinShared = 8; // shorter texts and raw bytes are stored as they are
    constexpr qsizetype kMinHeld = 64; // shorter raw bytes are copied even when they could be held

    // Raw bytes the journal holds by reference instead of copying: a slice of a block that others
    // share too (a capture's PayloadArena, whose copies the reconstruction keeps in its
    // transactions), so that holding them costs no memory the block does not cost already. A
    // buffer of the producer's own (which may be much larger than the bytes, or reused) is copied.
    bool holdRaw(const QByteArray& raw)
    {
        if (raw.size() < kMinHeld)
            return false;
        auto& d = const_cast<QByteArray&>(raw).data_ptr();
        return d.d_ptr() && d.d_ptr()->isShared() && d.freeSpaceAtBegin() > 0;
    }
} // namespace

Journal::Journal()
    : m_store(std::make_unique<Store>())
    , m_epochNs(nowEpochNs())
{
}

Journal::~Journal() = default;

namespace {
    std::array<std::atomic<Journal::Expander>, 256> g_expanders {};
} // namespace

std::vector<Event> journalstore::expand(const Event& parent, quint32 count)
{
    std::vector<Event> out;
    if (const Journal::Expander fn = g_expanders[std::size_t(parent.kind)].load(std::memory_order_acquire))
        fn(parent, count, out);
    return out;
}

Event journalstore::underivable(const Event& parent)
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
    const bool hold = holdRaw(e.raw);
    const std::size_t bound = 2 + 9 * kMaxVarint + 3 * std::size_t(e.text.size())
        + (hold ? 2 * kMaxVarint : std::size_t(e.raw.size()));

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
            s.lastHeldCount = s.segments.back().bytes->held.size();
            if (index.capacity() - index.size() > index.size() / 4)
                index.shrink_to_fit();
        }
        Segment seg;
        seg.firstSeq = seq;
        seg.offsets = s.newIndex();
        seg.bytes = s.newBlock(bound);
        // About as many held arrays as the last segment had, made room for at once (grown by
        // doubling, 15 000 of them were moved fourteen times a segment).
        seg.bytes->held.reserve(s.lastHeldCount + s.lastHeldCount / 8);
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
        if (const Store::TextSeen& t = s.texts[Store::textSlot(e.text)];
            t.text.constData() == e.text.constData() && t.segment == segIdx && t.length > 0 && sameString(t.text, e.text))
            textHit = &t;
    // A held message's text that is its own first line (a SIP event's summary is its start
    // line) is stored as "the first n bytes of the raw field": back reference 0, then n.
    bool textInRaw = false;
    if (hold && !textHit && e.text.size() >= kMinShared && e.text.size() <= e.raw.size()) {
        const char16_t* u = QStringView(e.text).utf16();
        const char* r = e.raw.constData();
        qsizetype i = 0;
        while (i < e.text.size() && u[i] < 0x80 && u[i] == char16_t(uchar(r[i])))
            ++i;
        textInRaw = i == e.text.size();
    }
    const Store::RawSeen* rawHit = nullptr;
    if (e.raw.size() >= kMinShared && !hold)
        for (const Store::RawSeen& r : s.raws)
            if (r.source == e.raw.constData() && r.size == e.raw.size() && r.segment == segIdx
                && std::memcmp(blk.data + r.offset, e.raw.constData(), std::size_t(r.size)) == 0) {
                rawHit = &r;
                break;
            }

    char* p = blk.data + start;
    *p++ = char(e.kind);
    *p++ = char(uchar(e.dir) | (textHit || textInRaw ? kTextRef : 0) | (rawHit || hold ? kRawRef : 0));
    p = putVarint(p, (quint64(e.timeNs) << 1) ^ quint64(e.timeNs >> 63)); // zigzag
    p = putVarint(p, e.object);
    p = putVarint(p, e.a);
    p = putVarint(p, e.b);
    p = putVarint(p, e.c);
    p = putVarint(p, from);
    p = putVarint(p, to);
    // Text as UTF-8 straight into the segment when it is plain (no surrogates), else converted.
    const bool textDone = textHit || textInRaw;
    const qsizetype textAscii = textDone ? 0 : asciiPrefix(e.text);
    const qsizetype textUtf8 = textDone ? 0 : textAscii == e.text.size() ? textAscii : utf8Length(e.text);
    if (textInRaw) {
        p = putVarint(p, 0);
        p = putVarint(p, quint64(e.text.size()));
    } else if (textHit) {
        p = putVarint(p, start - textHit->offset);
        p = putVarint(p, textHit->length);
    } else if (textUtf8 >= 0) {
        p = putVarint(p, quint64(textUtf8));
        const quint32 at = quint32(p - blk.data);
        p = putUtf8(p, e.text, textAscii);
        if (textUtf8 >= kMinShared && holdable(e.text)) {
            s.texts[Store::textSlot(e.text)] = { e.text, segIdx, at, quint32(textUtf8) };
        }
    } else {
        const QByteArray textBytes = e.text.toUtf8();
        p = putVarint(p, quint64(textBytes.size()));
        std::memcpy(p, textBytes.constData(), std::size_t(textBytes.size()));
        p += textBytes.size();
    }
    if (hold) {
        // Back reference 0: the index of the held array (the same one again if the last held is
        // these very bytes), and the length.
        std::size_t k = blk.held.size();
        if (k > 0 && blk.held.back().constData() == e.raw.constData() && blk.held.back().size() == e.raw.size()) {
            --k;
        } else {
            blk.held.push_back(e.raw);
            blk.heldBytes += std::size_t(e.raw.size());
            seg.capacity += std::size_t(e.raw.size());
            s.inMemoryBytes += std::size_t(e.raw.size());
        }
        p = putVarint(p, 0);
        p = putVarint(p, k);
        p = putVarint(p, quint64(e.raw.size()));
    } else if (rawHit) {
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

void Journal::setAppendHook(std::function<void(const Event&)> hook)
{
    QWriteLocker lock(&m_lock);
    QMutexLocker pending(&m_pendingMutex);
    writePending(); // the hook sees every append from now on, none of the queued ones twice
    m_hook = std::move(hook);
}

} // namespace ladder::trace
