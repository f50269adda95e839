// SPDX-License-Identifier: GPL-3.0-or-later
#include "inbox.h"

#include <algorithm>
#include <cstring>

namespace ladder::sctp {

char* Inbox::growArena(qsizetype n)
{
    const qsizetype size = std::max<qsizetype>({ 64 * 1024, m_arenaSize * 2, m_arenaUsed + n });
    auto grown = std::make_unique<char[]>(std::size_t(size));
    if (m_arenaUsed > 0)
        std::memcpy(grown.get(), m_arena.get(), std::size_t(m_arenaUsed));
    m_arena = std::move(grown);
    m_arenaSize = size;
    return m_arena.get() + m_arenaUsed;
}

void Inbox::push(ReceivedMessage&& m)
{
    Entry& e = append(m);
    e.length = m.data.size();
    e.large = quint32(m_large.size());
    m_large.push_back(std::move(m.data));
}

void Inbox::fill(ReceivedMessage& out, const Entry& e) const
{
    out.association = e.association;
    out.ppid = e.ppid;
    out.tsn = e.tsn;
    out.stream = e.stream;
    out.ssn = e.ssn;
    out.unordered = e.unordered;
    const Address& from = m_froms[e.from];
    // Shared strings: assigning the same one again would only count references.
    if (out.from.port != from.port || out.from.host.constData() != from.host.constData()
        || out.from.host.size() != from.host.size())
        out.from = from;
}

ReceivedMessage Inbox::take()
{
    Entry& e = front();
    ReceivedMessage m;
    fill(m, e);
    m.data = e.offset >= 0 ? QByteArray(m_arena.get() + e.offset, e.length) : std::move(m_large[e.large]);
    popped();
    return m;
}

void Inbox::takeInto(ReceivedMessage& out)
{
    Entry& e = front();
    fill(out, e);
    if (e.offset >= 0) {
        // resize() keeps the buffer when it is ours alone and has the capacity: no allocation
        // (and a bulk reader's buffer usually has the size already).
        if (out.data.size() != e.length || !out.data.isDetached())
            out.data.resize(e.length);
        std::memcpy(out.data.data(), m_arena.get() + e.offset, std::size_t(e.length));
    } else {
        out.data = std::move(m_large[e.large]);
    }
    popped();
}

void Inbox::popped()
{
    ++m_head;
    if (m_head == m_entries.size()) { // drained: start again at the beginning, keeping the memory
        m_entries.clear();
        m_large.clear();
        m_froms.clear();
        m_head = 0;
        m_arenaUsed = 0;
    } else if (m_head >= 1024 && m_head * 2 >= m_entries.size()) {
        // A reader that stays behind never drains the inbox: drop what it took, so neither the
        // entries nor the arena grow without bound.
        qsizetype firstOffset = -1;
        for (std::size_t i = m_head; i < m_entries.size() && firstOffset < 0; ++i)
            firstOffset = m_entries[i].offset;
        // The large messages taken go too (entries name them in order).
        quint32 firstLarge = quint32(m_large.size());
        for (std::size_t i = m_head; i < m_entries.size(); ++i)
            if (m_entries[i].offset < 0) {
                firstLarge = m_entries[i].large;
                break;
            }
        m_entries.erase(m_entries.begin(), m_entries.begin() + std::ptrdiff_t(m_head));
        if (firstLarge > 0) {
            m_large.erase(m_large.begin(), m_large.begin() + std::ptrdiff_t(firstLarge));
            for (Entry& e : m_entries)
                if (e.offset < 0)
                    e.large -= firstLarge;
        }
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
        // The senders of the taken messages go too.
        const quint32 firstFrom = m_entries.front().from; // entries name senders in order
        if (firstFrom > 0) {
            m_froms.erase(m_froms.begin(), m_froms.begin() + std::ptrdiff_t(firstFrom));
            for (Entry& e : m_entries)
                e.from -= firstFrom;
        }
    }
}

void Inbox::clear()
{
    m_entries.clear();
    m_large.clear();
    m_froms.clear();
    m_head = 0;
    m_arenaUsed = 0;
}

} // namespace ladder::sctp
