// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "event.h"

#include <QReadWriteLock>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace ladder::trace {

// The append-only record of everything the stack did: the single source of truth for the views,
// the timeline and the exporters. Appends come from the stack thread; readers on any thread get
// consistent ranges. Records are compact: strings are interned, text and raw bytes live in arenas.
class Journal {
public:
    Journal();
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Appends and returns the event's sequence number. Thread-safe.
    quint64 append(Event e);
    // Number of events appended so far. Lock-free; a reader may poll it.
    quint64 count() const { return m_count.load(std::memory_order_acquire); }
    Event at(quint64 seq) const;
    // Events [first, first+n) clipped to what exists.
    QVector<Event> range(quint64 first, quint64 n) const;
    // Visits [first, first+n) under one read lock; the Event reference is valid during the call.
    void forEach(quint64 first, quint64 n, const std::function<void(const Event&)>& fn) const;
    // Removes everything (a new session). Sequence numbers restart at 0.
    void clear();
    // Bytes used by records, arenas and the string table.
    std::size_t memoryBytes() const;

    // Wall-clock time (ns since 1970, UTC) of journal time 0: exporters add it to Event::timeNs.
    // Set to "now" by the constructor and by clear(); a deterministic run (virtual time) sets a
    // fixed value so that its exports are byte-identical.
    qint64 epochNs() const { return m_epochNs.load(std::memory_order_relaxed); }
    void setEpochNs(qint64 ns) { m_epochNs.store(ns, std::memory_order_relaxed); }

    // Optional observer, called on the appending thread after each append (keep it cheap: it is
    // meant for counters and wake-ups, not for work).
    void setAppendHook(std::function<void(const Event&)> hook);

private:
    struct Record;
    struct Store;
    Event materialize(const Record& r) const;

    mutable QReadWriteLock m_lock;
    std::unique_ptr<Store> m_store;
    std::atomic<quint64> m_count { 0 };
    std::atomic<qint64> m_epochNs { 0 };
    std::function<void(const Event&)> m_hook;
};

} // namespace ladder::trace
