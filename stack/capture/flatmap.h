// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QHashFunctions>
#include <QList>
#include <QString>

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <utility>
#include <vector>

namespace ladder::trace {

// Open-addressing hash tables for the capture path (reading and reconstructing a capture touches
// a table per message, 10⁵–10⁶ times per file). Linear probing over one flat array of slots, no
// allocation per entry, no erase (the capture tables only grow and are capped by their owners).

// Zeroed memory for a table's slots. Large tables are mapped at a 2 MiB boundary with
// transparent huge pages asked for: a table of 10⁵ entries is touched all over as it fills, and
// in 4 KiB pages every one of them was a page fault (a fifth of a capture's faults). Small ones
// come from calloc.
namespace flatmapdetail {
    constexpr std::size_t kHuge = std::size_t(2) << 20;
    inline void* allocZeroed(std::size_t bytes)
    {
        if (bytes < kHuge) {
            void* p = std::calloc(1, bytes);
            if (!p)
                throw std::bad_alloc();
            return p;
        }
        const std::size_t size = (bytes + kHuge - 1) & ~(kHuge - 1);
        void* raw = mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            throw std::bad_alloc();
        const auto start = reinterpret_cast<std::uintptr_t>(raw);
        const std::uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
        if (aligned > start)
            munmap(raw, aligned - start);
        if (const std::size_t tail = (start + size + kHuge) - (aligned + size))
            munmap(reinterpret_cast<void*>(aligned + size), tail);
        madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
        return reinterpret_cast<void*>(aligned);
    }
    // Asks for huge pages over the 2 MiB-aligned interior of a large buffer about to be filled
    // front to back (a list the reconstruction's tables are moved into at its end: in 4 KiB
    // pages each of its pages was a fault). A hint: nothing changes where it cannot be had.
    inline void adviseHuge(const void* p, std::size_t bytes)
    {
        const auto start = reinterpret_cast<std::uintptr_t>(p);
        const std::uintptr_t begin = (start + kHuge - 1) & ~(kHuge - 1);
        const std::uintptr_t end = (start + bytes) & ~(kHuge - 1);
        if (end > begin)
            madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
    inline void freeZeroed(void* p, std::size_t bytes)
    {
        if (!p)
            return;
        if (bytes < kHuge)
            std::free(p);
        else
            munmap(p, (bytes + kHuge - 1) & ~(kHuge - 1));
    }

    // An array of n value-initialised T.
    template<typename T>
    class Slots {
    public:
        Slots() = default;
        explicit Slots(std::size_t n)
            : m_p(static_cast<T*>(allocZeroed(n * sizeof(T))))
            , m_n(n)
        {
            for (std::size_t i = 0; i < n; ++i)
                new (m_p + i) T();
        }
        Slots(Slots&& o) noexcept
            : m_p(std::exchange(o.m_p, nullptr))
            , m_n(std::exchange(o.m_n, 0))
        {
        }
        Slots& operator=(Slots&& o) noexcept
        {
            if (this != &o) {
                reset();
                m_p = std::exchange(o.m_p, nullptr);
                m_n = std::exchange(o.m_n, 0);
            }
            return *this;
        }
        ~Slots() { reset(); }
        std::size_t size() const { return m_n; }
        bool empty() const { return m_n == 0; }
        T& operator[](std::size_t i) { return m_p[i]; }
        const T& operator[](std::size_t i) const { return m_p[i]; }
        T* begin() { return m_p; }
        T* end() { return m_p + m_n; }
        const T* begin() const { return m_p; }
        const T* end() const { return m_p + m_n; }
        void reset()
        {
            for (std::size_t i = 0; i < m_n; ++i)
                m_p[i].~T();
            freeZeroed(m_p, m_n * sizeof(T));
            m_p = nullptr;
            m_n = 0;
        }

    private:
        T* m_p = nullptr;
        std::size_t m_n = 0;
    };
} // namespace flatmapdetail

// A growing sequence of T at stable addresses, indexable, for the trackers' transactions and
// dialogs (10⁴–10⁵ objects of a few hundred bytes: a node each in a std::deque, every page of
// which was a 4 KiB fault). The first kFirst objects live in a small allocation, so a short
// capture costs little; after that, chunks of one 2 MiB huge page each.
template<typename T>
class Pool {
public:
    Pool() = default;
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() { clear(); }

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    T& operator[](std::size_t i) { return *slot(i); }
    const T& operator[](std::size_t i) const { return *const_cast<Pool*>(this)->slot(i); }
    T& back() { return (*this)[m_size - 1]; }

    template<typename... Args> T& emplace_back(Args&&... args)
    {
        const std::size_t i = m_size;
        if (i == capacity())
            m_chunks.push_back(static_cast<T*>(flatmapdetail::allocZeroed(chunkBytes(m_chunks.size()))));
        T* p = new (slot(i)) T(std::forward<Args>(args)...);
        ++m_size;
        return *p;
    }
    // Hands every element, in order, to fn as an rvalue, and gives each chunk back as soon as its
    // elements are done: whatever fn moves them into grows while the pool shrinks, so the two
    // are never both whole (a reconstruction's tables moved out at its end, its peak of memory).
    template<typename Fn> void drain(Fn fn)
    {
        std::size_t i = 0;
        for (std::size_t c = 0; c < m_chunks.size(); ++c) {
            const std::size_t end = std::min(m_size, kFirst + c * kPerChunk);
            for (; i < end; ++i) {
                T* p = slot(i);
                fn(std::move(*p));
                p->~T();
            }
            flatmapdetail::freeZeroed(m_chunks[c], chunkBytes(c));
            m_chunks[c] = nullptr;
        }
        m_chunks.clear();
        m_size = 0;
    }
    void clear()
    {
        for (std::size_t i = 0; i < m_size; ++i)
            slot(i)->~T();
        for (std::size_t c = 0; c < m_chunks.size(); ++c)
            flatmapdetail::freeZeroed(m_chunks[c], chunkBytes(c));
        m_chunks.clear();
        m_size = 0;
    }

private:
    static constexpr std::size_t kFirst = 32;
    static constexpr std::size_t kPerChunk = std::max<std::size_t>(1, flatmapdetail::kHuge / sizeof(T));
    static std::size_t chunkBytes(std::size_t c) { return c == 0 ? kFirst * sizeof(T) : std::max(flatmapdetail::kHuge, sizeof(T)); }
    std::size_t capacity() const { return m_chunks.empty() ? 0 : kFirst + (m_chunks.size() - 1) * kPerChunk; }
    T* slot(std::size_t i)
    {
        if (i < kFirst)
            return m_chunks[0] + i;
        return m_chunks[1 + (i - kFirst) / kPerChunk] + (i - kFirst) % kPerChunk;
    }

    std::vector<T*> m_chunks;
    std::size_t m_size = 0;
};

inline quint64 mix64(quint64 x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// Key → V for keys with operator== and a hash function object.
template<typename K, typename V, typename Hash>
class FlatMap {
public:
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    V* find(const K& k)
    {
        if (m_slots.empty())
            return nullptr;
        for (size_t i = Hash()(k) & m_mask;; i = (i + 1) & m_mask) {
            Slot& s = m_slots[i];
            if (!s.used)
                return nullptr;
            if (s.key == k)
                return &s.value;
        }
    }
    const V* find(const K& k) const { return const_cast<FlatMap*>(this)->find(k); }

    // The value of k, default-constructed when new (*inserted says which).
    V& operator[](const K& k) { return findOrInsert(k, nullptr); }
    V& findOrInsert(const K& k, bool* inserted)
    {
        if ((m_size + 1) * 4 > qsizetype(m_slots.size()) * 3)
            grow();
        size_t i = Hash()(k) & m_mask;
        for (;; i = (i + 1) & m_mask) {
            Slot& s = m_slots[i];
            if (!s.used)
                break;
            if (s.key == k) {
                if (inserted)
                    *inserted = false;
                return s.value;
            }
        }
        Slot& s = m_slots[i];
        s.used = true;
        s.key = k;
        ++m_size;
        if (inserted)
            *inserted = true;
        return s.value;
    }

    template<typename Fn> void forEach(Fn fn) const
    {
        for (const Slot& s : m_slots)
            if (s.used)
                fn(s.key, s.value);
    }

    void clear()
    {
        m_slots.reset();
        m_size = 0;
        m_mask = 0;
    }

private:
    struct Slot {
        K key;
        V value;
        bool used;
    };
    void grow()
    {
        flatmapdetail::Slots<Slot> old = std::move(m_slots);
        const size_t n = old.empty() ? 64 : old.size() * 2;
        m_slots = flatmapdetail::Slots<Slot>(n);
        m_mask = n - 1;
        for (Slot& s : old) {
            if (!s.used)
                continue;
            size_t i = Hash()(s.key) & m_mask;
            while (m_slots[i].used)
                i = (i + 1) & m_mask;
            m_slots[i] = std::move(s);
        }
    }

    flatmapdetail::Slots<Slot> m_slots;
    size_t m_mask = 0;
    qsizetype m_size = 0;
};

// How many times each 96-bit key was seen, in 16-byte slots (a FlatMap of 128-bit keys and
// 64-bit counts took 32: a capture's table of every SIP message it held was 8 MiB for 140 000
// messages, resident whole at the end of the read, the process's peak). The key is a hash of
// the thing counted (h1 also places it in the table); a count of 0 is an empty slot, and counts
// stop at 2³²−1.
class SeenCounts {
public:
    qsizetype size() const { return m_size; }
    // The times (h1, h2) was seen before this call, which counts it once more.
    quint32 see(quint64 h1, quint32 h2)
    {
        if ((m_size + 1) * 4 > qsizetype(m_slots.size()) * 3)
            grow();
        size_t i = size_t(h1) & m_mask;
        for (;; i = (i + 1) & m_mask) {
            Slot& s = m_slots[i];
            if (s.count == 0)
                break;
            if (s.h1 == h1 && s.h2 == h2) {
                const quint32 before = s.count;
                if (s.count != std::numeric_limits<quint32>::max())
                    ++s.count;
                return before;
            }
        }
        m_slots[i] = { h1, h2, 1 };
        ++m_size;
        return 0;
    }
    void clear()
    {
        m_slots.reset();
        m_size = 0;
        m_mask = 0;
    }

private:
    struct Slot {
        quint64 h1;
        quint32 h2;
        quint32 count; // 0: empty
    };
    static_assert(sizeof(Slot) == 16);
    void grow()
    {
        flatmapdetail::Slots<Slot> old = std::move(m_slots);
        const size_t n = old.empty() ? 64 : old.size() * 2;
        m_slots = flatmapdetail::Slots<Slot>(n);
        m_mask = n - 1;
        for (const Slot& s : old) {
            if (s.count == 0)
                continue;
            size_t i = size_t(s.h1) & m_mask;
            while (m_slots[i].count != 0)
                i = (i + 1) & m_mask;
            m_slots[i] = s;
        }
    }

    flatmapdetail::Slots<Slot> m_slots;
    size_t m_mask = 0;
    qsizetype m_size = 0;
};

struct U64Hash {
    size_t operator()(quint64 k) const { return size_t(mix64(k)); }
};

// Byte strings → V: the keys are copied into one growing arena (each a 4-byte length, its bytes,
// padding to 4), the slots hold the hash, where the key is (in 4-byte units, 32 bits: keys up to
// 16 GiB in all) and the value — 16 bytes with a 32-bit V, 24 with a 64-bit one (they were 32: a
// capture's 60 000 transaction keys filled a 4 MiB table). Lookups take views, so a caller
// builds no QByteArray to ask.
template<typename V>
class ByteKeyMap {
public:
    qsizetype size() const { return m_size; }

    V* find(QByteArrayView key)
    {
        if (m_slots.empty())
            return nullptr;
        const quint64 h = hashOf(key);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            Slot& s = m_slots[i];
            if (s.ref == 0)
                return nullptr;
            if (s.hash == h && equal(s, key))
                return &s.value;
        }
    }

    V& findOrInsert(QByteArrayView key, bool* inserted)
    {
        if ((m_size + 1) * 4 > qsizetype(m_slots.size()) * 3)
            grow();
        const quint64 h = hashOf(key);
        size_t i = h & m_mask;
        for (;; i = (i + 1) & m_mask) {
            Slot& s = m_slots[i];
            if (s.ref == 0)
                break;
            if (s.hash == h && equal(s, key)) {
                if (inserted)
                    *inserted = false;
                return s.value;
            }
        }
        const std::size_t off = m_arena.size();
        const std::size_t len = std::size_t(key.size());
        const std::size_t need = (4 + len + 3) & ~std::size_t(3);
        if (off / 4 + need / 4 >= std::numeric_limits<quint32>::max() || len > std::numeric_limits<quint32>::max())
            throw std::bad_alloc(); // 16 GiB of keys
        m_arena.resize(off + need);
        const quint32 len32 = quint32(len);
        std::memcpy(m_arena.data() + off, &len32, 4);
        if (len)
            std::memcpy(m_arena.data() + off + 4, key.data(), len);
        Slot& s = m_slots[i];
        s.hash = h;
        s.ref = quint32(off / 4) + 1;
        s.value = V();
        ++m_size;
        if (inserted)
            *inserted = true;
        return s.value;
    }
    V& operator[](QByteArrayView key) { return findOrInsert(key, nullptr); }

private:
    struct Slot {
        quint64 hash;
        quint32 ref; // where the key is in the arena, in 4-byte units, + 1; 0: empty
        V value;
    };
    static quint64 hashOf(QByteArrayView key) { return mix64(quint64(qHash(key, 0x9e3779b9u)) ^ quint64(key.size())); }
    bool equal(const Slot& s, QByteArrayView key) const
    {
        const char* at = m_arena.data() + std::size_t(s.ref - 1) * 4;
        quint32 len;
        std::memcpy(&len, at, 4);
        return qsizetype(len) == key.size() && (key.isEmpty() || std::memcmp(at + 4, key.data(), size_t(key.size())) == 0);
    }
    void grow()
    {
        flatmapdetail::Slots<Slot> old = std::move(m_slots);
        const size_t n = old.empty() ? 64 : old.size() * 2;
        m_slots = flatmapdetail::Slots<Slot>(n);
        m_mask = n - 1;
        for (Slot& s : old) {
            if (s.ref == 0)
                continue;
            size_t i = s.hash & m_mask;
            while (m_slots[i].ref != 0)
                i = (i + 1) & m_mask;
            m_slots[i] = std::move(s);
        }
    }

    flatmapdetail::Slots<Slot> m_slots;
    std::vector<char> m_arena;
    size_t m_mask = 0;
    qsizetype m_size = 0;
};

// An object's state history (a snapshot's QList<StateStamp>) as the trackers keep it: the first
// kInline changes in place, the state a byte naming one of the states the trackers use, so a
// transaction or dialog makes no list of its own while a capture is read (40 000 transactions and
// 20 000 dialogs made as many allocations, resident at the read's end, the process's peak); the
// list is made when a snapshot is. Changes past kInline, or to a state not named here, go to
// the overflow list the caller keeps (the snapshot's own history), after these.
class StateLog {
public:
    static constexpr int kInline = 4;
    int size() const { return m_n; }
    // Keeps (to, timeNs) in place when it can: false when it goes to the overflow instead.
    bool add(const QString& to, qint64 timeNs)
    {
        if (m_n == kInline)
            return false;
        const int i = indexOf(to);
        if (i < 0)
            return false;
        m_state[m_n] = quint8(i);
        m_ns[m_n] = timeNs;
        ++m_n;
        return true;
    }
    // These changes followed by the overflow's.
    template<typename Stamp>
    QList<Stamp> list(const QList<Stamp>& overflow) const
    {
        QList<Stamp> out;
        if (m_n == 0)
            return overflow;
        out.reserve(m_n + overflow.size());
        for (int i = 0; i < m_n; ++i)
            out.append(Stamp { names()[m_state[i]], m_ns[i] });
        out.append(overflow);
        return out;
    }

private:
    static constexpr int kNames = 10;
    static const QString* names()
    {
        static const QString n[kNames] = { QStringLiteral("Calling"), QStringLiteral("Trying"),
            QStringLiteral("Proceeding"), QStringLiteral("Completed"), QStringLiteral("Confirmed"),
            QStringLiteral("Accepted"), QStringLiteral("Terminated"), QStringLiteral("early"),
            QStringLiteral("confirmed"), QStringLiteral("terminated") };
        return n;
    }
    static int indexOf(const QString& s)
    {
        const QString* n = names();
        for (int i = 0; i < kNames; ++i)
            if (n[i] == s)
                return i;
        return -1;
    }
    qint64 m_ns[kInline];
    quint8 m_state[kInline];
    quint8 m_n = 0;
};

// The objects of a tracker changed since the last take(), each listed once by id (a live
// capture's refresh takes only those). An object carries a `changed` flag and its snapshot `s`;
// off (the default), touch() is a flag test.
class ChangeList {
public:
    void setOn(bool on) { m_on = on; }
    template<typename Obj>
    void touch(Obj& o, quint64 id)
    {
        if (m_on && !o.changed) {
            o.changed = true;
            m_ids.push_back(id);
        }
    }
    // The listed objects' snapshots, by id (find: id → the object, or null; snapshot: the
    // object → its snapshot); the list starts again.
    template<typename Snapshot, typename Find, typename Snap>
    QList<Snapshot> take(Find&& find, Snap&& snapshot)
    {
        QList<Snapshot> out;
        out.reserve(qsizetype(m_ids.size()));
        std::sort(m_ids.begin(), m_ids.end());
        for (quint64 id : m_ids) {
            if (auto* o = find(id)) {
                o->changed = false;
                out.append(snapshot(*o));
            }
        }
        m_ids.clear();
        return out;
    }

private:
    bool m_on = false;
    std::vector<quint64> m_ids;
};

} // namespace ladder::trace
