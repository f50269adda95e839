// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionmap.h"

#include <utility>

namespace ladder::sip {

const TransactionMap::Slot* TransactionMap::find(quint64 key) const
{
    if (m_slots.empty() || key == 0)
        return nullptr;
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        const Slot& s = m_slots[i];
        if (s.key == key)
            return &s;
        if (s.key == 0)
            return nullptr;
    }
}

void TransactionMap::grow()
{
    const std::size_t capacity = m_slots.empty() ? 64 : m_slots.size() * 2;
    const std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(capacity));
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& s : old) {
        if (!s.key)
            continue;
        std::size_t i = mix(s.key) & mask;
        while (m_slots[i].key)
            i = (i + 1) & mask;
        m_slots[i] = s;
    }
}

Transaction*& TransactionMap::operator[](quint64 key)
{
    Q_ASSERT(key != 0);
    if ((m_size + 1) * 2 > m_slots.size())
        grow();
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = mix(key) & mask;
    while (m_slots[i].key && m_slots[i].key != key)
        i = (i + 1) & mask;
    if (!m_slots[i].key) {
        m_slots[i].key = key;
        m_slots[i].value = nullptr;
        ++m_size;
    }
    return m_slots[i].value;
}

Transaction* TransactionMap::take(quint64 key)
{
    if (m_slots.empty() || key == 0)
        return nullptr;
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = mix(key) & mask;
    while (m_slots[i].key != key) {
        if (!m_slots[i].key)
            return nullptr;
        i = (i + 1) & mask;
    }
    Transaction* const value = m_slots[i].value;
    // Backward-shift deletion: move later members of the probe run into the hole when the hole
    // lies on their path from their home slot.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask; m_slots[j].key; j = (j + 1) & mask) {
        const std::size_t home = mix(m_slots[j].key) & mask;
        // j may move to hole when home is not cyclically within (hole, j].
        const bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            m_slots[hole] = m_slots[j];
            hole = j;
        }
    }
    m_slots[hole] = {};
    --m_size;
    return value;
}

} // namespace ladder::sip
