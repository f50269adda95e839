// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <cstddef>
#include <vector>

namespace ladder::sip {

class Transaction;

// A flat open-addressing map from a non-zero 64-bit key (a transaction id, or the hash of a
// matching key) to a Transaction*: one array of 16-byte slots, linear probing, at most half full.
// With 10^5 live transactions every probe of a node-based hash (QHash: span offsets, then the
// entry array) is two cache misses; here a lookup or an insertion is usually one. Erasing shifts
// the following slots back (no tombstones), so lookups never slow down with churn.
class TransactionMap {
public:
    struct Slot {
        quint64 key = 0; // 0 = empty
        Transaction* value = nullptr;
    };

    std::size_t size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    Transaction* value(quint64 key) const
    {
        const Slot* s = find(key);
        return s ? s->value : nullptr;
    }
    // The slot for key, created (value null) when absent. Valid until the next insertion or erase.
    Transaction*& operator[](quint64 key);
    // Removes key; returns its value, or null when absent.
    Transaction* take(quint64 key);
    void clear()
    {
        m_slots.clear();
        m_size = 0;
    }

    // Iteration over the values (any order).
    template <typename Fn> void forEach(Fn fn) const
    {
        for (const Slot& s : m_slots)
            if (s.key)
                fn(s.value);
    }

private:
    static std::size_t mix(quint64 k)
    {
        // Ids are sequential and hashes already spread: a multiplicative mix is enough.
        k ^= k >> 31;
        k *= 0x9e3779b97f4a7c15ULL;
        return std::size_t(k ^ (k >> 29));
    }
    const Slot* find(quint64 key) const;
    void grow();

    std::vector<Slot> m_slots; // size 0 or a power of two
    std::size_t m_size = 0;
};

} // namespace ladder::sip
