// SPDX-License-Identifier: GPL-3.0-or-later
#include "inbox.h"

#include <algorithm>
#include <cstring>

namespace ladder::sctp {

char* Inbox::arenaSpace(qsizetype n)
{
    if (m_arenaUsed + n > m_arenaSize) {
        const qsizetype size = std::max<qsizetype>({ 64 * 1024, m_arenaSize * 2, m_arenaUsed + n });
        auto grown = std::make_unique<char[]>(std::size_t(size));
        if (m_arenaUsed > 0)
            std::memcpy(grown.get(), m_arena.get(), std::size_t(m_arenaUsed));
        m_arena = std::move(grown);
        m_arenaSize = size;
    }
    return m_arena.get() + m_arenaUsed;
}

void Inbox::pushArena(ReceivedMessage&& meta, qsizetype n)
{
    m_entries.push_back(Entry { std::move(meta), m_arenaUsed, n });
    m_arenaUsed += n;
}

void Inbox::push(ReceivedMessage&& m)
{
    const qsizetype n = m.data.size();
    m_entries.push_back(Entry { std::move(m), -1, n });
}

ReceivedMessage Inbox::take()
{
    Entry& e = front();
    ReceivedMessage m = std::move(e.message);
    if (e.offset >= 0)
        m.data = QByteArray(m_arena.get() + e.offset, e.length);
    popped();
    return m;
}

void Inbox::takeInto(ReceivedMessage& out)
{
    Entry& e = front();
    QByteArray data = std::move(out.data);
    if (e.offset >= 0) {
        // resize() keeps the buffer when it is ours alone and has the capacity: no allocation.
        data.resize(e.length);
        std::memcpy(data.data(), m_arena.get() + e.offset, std::size_t(e.length));
    } else {
        data = std::move(e.message.data);
    }
    out = std::move(e.message);
    out.data = std::move(data);
    popped();
}

void Inbox::popped()
{
    ++m_head;
    if (m_head == m_entries.size()) { // drained: start again at the beginning, keeping the memory
        m_entries.clear();
        m_head = 0;
        m_arenaUsed = 0;
    } else if (m_head >= 1024 && m_head * 2 >= m_entries.size()) {
        // A reader that stays behind never drains the inbox: drop what it took, so neither the
        // entries nor the arena grow without bound.
        qsizetype firstOffset = -1;
        for (std::size_t i = m_head; i < m_entries.size() && firstOffset < 0; ++i)
            firstOffset = m_entries[i].offset;
        m_entries.erase(m_entries.begin(), m_entries.begin() + std::ptrdiff_t(m_head));
        m_head = 0;
        if (firstOffset > 0) {
            std::memmove(m_arena.get(), m_arena.get() + firstOffset, std::size_t(m_arenaUsed - firstOffset));
            m_arenaUsed -= firstOffset;
            for (Entry& e : m_entries)
                if (e.offset >= 0)
                    e.offset -= firstOffset;
        } else if (firstOffset < 0) {
            m_arenaUsed = 0;
        }
    }
}

void Inbox::clear()
{
    m_entries.clear();
    m_head = 0;
    m_arenaUsed = 0;
}

} // namespace ladder::sctp
