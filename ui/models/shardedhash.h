// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>

#include <array>

namespace ladder::ui {

// A hash table in 64 parts, the part chosen by the key's hash: growing past a power of two
// rehashes one part (a 64th of the entries), never all of them at once. The views' indexes grow
// with a live capture on the UI thread, and QHash's rehash of 131 072 Call-IDs takes 34 ms, of
// 262 144 integers 19 ms (on this project's 2-vCPU machine): a stall each time one doubles.
template <typename K, typename V>
class ShardedHash {
public:
    static constexpr std::size_t kShards = 64;

    const V* find(const K& key) const
    {
        const QHash<K, V>& s = shard(key);
        const auto it = s.constFind(key);
        return it == s.cend() ? nullptr : &it.value();
    }
    V* find(const K& key)
    {
        QHash<K, V>& s = shard(key);
        const auto it = s.find(key);
        return it == s.end() ? nullptr : &it.value();
    }
    V value(const K& key, const V& fallback) const
    {
        const V* v = find(key);
        return v ? *v : fallback;
    }
    bool contains(const K& key) const { return find(key) != nullptr; }
    void insert(const K& key, const V& value) { shard(key).insert(key, value); }
    void clear()
    {
        for (QHash<K, V>& s : m_shards)
            s.clear();
    }
    qsizetype size() const
    {
        qsizetype n = 0;
        for (const QHash<K, V>& s : m_shards)
            n += s.size();
        return n;
    }

private:
    // The part from qHash without QHash's per-process seed, which then spreads the keys of one
    // part over its buckets independently.
    static std::size_t shardOf(const K& key) { return qHash(key, 0) % kShards; }
    QHash<K, V>& shard(const K& key) { return m_shards[shardOf(key)]; }
    const QHash<K, V>& shard(const K& key) const { return m_shards[shardOf(key)]; }

    std::array<QHash<K, V>, kShards> m_shards;
};

} // namespace ladder::ui
