// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "event.h"

#include <QMutex>
#include <QReadWriteLock>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace ladder::trace {

// How much of the journal stays in memory, and what happens beyond that.
struct JournalLimits {
    // Bytes of encoded events (text and raw bytes included) kept in memory. Beyond it the oldest
    // whole segments move to a spill file and are read back on demand.
    std::size_t memoryBytes = std::size_t(512) << 20;
    bool spill = true;
    // The spill file's cap. When it is reached, when spilling is off, or when the file cannot be
    // written, the oldest segments are discarded instead (ring behaviour) — never silently: the
    // journal appends an Error event saying how many, and status() counts them.
    quint64 diskBytes = quint64(4) << 30;
    QString spillDirectory; // empty: QDir::tempPath()
    // Unit of spilling and discarding. 2 MiB: segments this large get transparent huge pages.
    std::size_t segmentBytes = std::size_t(2) << 20;
};

// What a view can show about the journal's bounds.
struct JournalStatus {
    quint64 count = 0; // events appended (sequence numbers 0..count-1)
    quint64 firstAvailable = 0; // events before it were discarded
    quint64 discarded = 0;
    quint64 spilledEvents = 0; // events now held in the spill file (still readable)
    std::size_t memoryBytes = 0;
    quint64 spillFileBytes = 0;
    QString spillPath;
    QString lastError; // why spilling failed, if it did
};

// The append-only record of everything the stack did: the single source of truth for the views,
// the timeline and the exporters. Appends come from the stack thread; readers on any thread get
// consistent ranges. Records are compact: events are varint-encoded (eventcodec.h) into segments,
// endpoint strings are interned, and old segments spill to disk past a memory limit.
//
// Locking: an append holds the lock for the encoding and a memcpy (well under a microsecond);
// readers hold it for batches of at most 256 events and call back outside it, so a slow reader
// never stalls the stack thread for long. It is a read-write lock, which lets a waiting writer in
// ahead of the next reader: with a plain mutex a reader in a loop starved the appender (bench_journal
// "with a concurrent reader": 1.1 M appends/s against 60–90 k). Spill-file I/O happens outside the lock.
class Journal {
public:
    Journal();
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Appends and returns the event's sequence number. Thread-safe.
    quint64 append(Event&& e);
    // The same for an event the caller keeps (a producer reusing one Event for a stream of similar
    // ones saves the reference counting of its strings and bytes), and `implied` events that
    // follow from it, numbered seq+1..seq+implied and stored as nothing but an index entry each:
    // they are derived from e when read, by the expander registered for e's kind (see
    // setExpander). An SCTP packet journalled at the chunk level implies its SctpChunk events this
    // way — every field and description follows from the packet's bytes, and a bulk transfer has
    // millions of them. Readers (forEach, at, range, the append hook) see ordinary events.
    // An event that repeats the last one stored without raw bytes in everything but its time (a
    // bulk sender's UserAction per call) takes a short lane: its time is queued under a small
    // mutex of its own, and the queue is written out (4 bytes an event) by the next append that
    // is not such a repeat, or by the next count() — so every reader sees it, in order, at once.
    quint64 append(const Event& e, quint32 implied = 0);
    // For a producer that journals runs of identical events (a bulk sender's UserAction per call):
    // append(e, 0, &token) also says which stored event e now stands for (itself, or the one it
    // repeats: see the repeat lane), and appendRepeat(token, timeNs) then journals the same event
    // again at timeNs without handing it over or comparing it — as long as that stored event is
    // still the one the lane repeats (nothing else without raw bytes was stored whole since, no
    // clear). Otherwise appendRepeat returns kNotRepeated and the producer appends the event.
    struct RepeatToken {
        quint64 seq = ~quint64(0);
        quint64 generation = 0;
    };
    static constexpr quint64 kNotRepeated = ~quint64(0);
    quint64 append(const Event& e, quint32 implied, RepeatToken* token);
    quint64 appendRepeat(const RepeatToken& token, qint64 timeNs);
    // Derives the `count` events a stored event of a kind implies, in order; deterministic (the
    // same parent and count always give the same events), callable from any thread. Registered by
    // the layer that knows the format; a reader that finds no expander for an implied event gets
    // a Log event saying so.
    using Expander = void (*)(const Event& parent, quint32 count, std::vector<Event>& implied);
    static void setExpander(Kind parentKind, Expander fn);
    // Number of events appended so far; a reader may poll it. Lock-free unless repeats are queued
    // (see append), which it writes out first.
    quint64 count() const
    {
        if (m_pending.load(std::memory_order_acquire))
            flushPending();
        return m_count.load(std::memory_order_acquire);
    }
    // The event with this sequence number; a default Event (seq 0, kind Log, empty) if it does not
    // exist or was discarded (see available()).
    Event at(quint64 seq) const;
    // Events [first, first+n) clipped to what exists; discarded events are left out.
    QVector<Event> range(quint64 first, quint64 n) const;
    // Visits [first, first+n) (clipped, discarded events left out) in order; the range is fixed
    // when the call starts. The Event reference is valid during the call. The callback runs
    // without the journal's lock held, so it may take its time and may even append.
    void forEach(quint64 first, quint64 n, const std::function<void(const Event&)>& fn) const;
    // Removes everything (a new session), spill file included. Sequence numbers restart at 0.
    void clear();
    // Grows with every clear(): a reader that remembers it can tell a cleared-and-refilled journal
    // (a loaded session, an opened capture) from one that merely grew.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }
    // Bytes used in memory by segments, their indexes, the read-back cache and the string table.
    std::size_t memoryBytes() const;

    // Optional observer, called on the appending thread after each append (keep it cheap: it is
    // meant for counters and wake-ups, not for work). It may keep the events: raw bytes a
    // producer only lent for the call (QByteArray::fromRawData) reach it as bytes of their own.
    void setAppendHook(std::function<void(const Event&)> hook);

    // Wall-clock time (ns since 1970, UTC) of journal time 0: exporters add it to Event::timeNs.
    // Set to "now" by the constructor and by clear(); a deterministic run (virtual time) sets a
    // fixed value so that its exports are byte-identical.
    qint64 epochNs() const { return m_epochNs.load(std::memory_order_relaxed); }
    void setEpochNs(qint64 ns) { m_epochNs.store(ns, std::memory_order_relaxed); }

    void setLimits(const JournalLimits& limits);
    JournalLimits limits() const;
    JournalStatus status() const;
    quint64 firstAvailable() const { return m_firstAvailable.load(std::memory_order_acquire); }
    bool available(quint64 seq) const { return seq >= firstAvailable() && seq < count(); }

private:
    struct Store;
    struct Block;
    struct Segment;
    struct SpillFile;
    quint64 store(const Event& e, quint32 implied = 0, RepeatToken* token = nullptr);
    quint64 storeLocked(const Event& e, quint32 implied);
    quint64 queueRepeat(QMutexLocker<QMutex>& pending, qint64 timeNs);
    void writePending();
    void flushPending() const;
    void callHook(const Event& e, quint64 seq, quint32 implied);
    void enforceLimits();
    bool spillOne();
    bool discardOne(quint64* first, quint64* last);
    std::shared_ptr<const std::vector<char>> loadSpilled(std::size_t segment) const;

    mutable QReadWriteLock m_lock;
    std::unique_ptr<Store> m_store;
    std::atomic<quint64> m_count { 0 };
    std::atomic<quint64> m_firstAvailable { 0 };
    std::atomic<qint64> m_epochNs { 0 };
    std::atomic<quint64> m_generation { 0 };
    std::function<void(const Event&)> m_hook;
    // The repeat lane (see append): taken after m_lock when both are needed; guards the queued
    // times (and, with m_lock, the last event stored whole, which the lane compares against).
    mutable QMutex m_pendingMutex;
    std::vector<qint64> m_pendingTimes;
    mutable std::atomic<bool> m_pending { false }; // repeats are queued
};

} // namespace ladder::trace
