// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sendinfo.h"

#include <memory>
#include <vector>

namespace ladder::sctp {

// An endpoint's received messages, oldest first. Small messages keep their bytes in one arena
// that is reused once the inbox has drained, so a bulk receiver that takes them with takeInto()
// allocates nothing per message (what usrsctp_recvv into the caller's buffer costs, no more);
// larger ones keep the buffer usrsctp filled (no second copy). take() hands out a message of its
// own, as before.
class Inbox
{
public:
    static constexpr qsizetype kSmall = 2048; // messages up to this size go into the arena

    bool empty() const { return m_head == m_entries.size(); }
    int size() const { return int(m_entries.size() - m_head); }

    // Room for a message of n bytes (n <= kSmall) at the arena's end, to be received in place
    // and then committed with pushArena(meta, n); valid until the next call on the inbox.
    char* arenaSpace(qsizetype n)
    {
        return m_arenaUsed + n <= m_arenaSize ? m_arena.get() + m_arenaUsed : growArena(n);
    }
    // Commits the n bytes written at arenaSpace() as the data of a message described by `meta`
    // (whose data is not looked at).
    void pushArena(const ReceivedMessage& meta, qsizetype n)
    {
        Entry& e = append(meta);
        e.offset = m_arenaUsed;
        e.length = n;
        m_arenaUsed += n;
    }
    // A message that owns its data; only m.data is moved from (the rest is copied).
    void push(ReceivedMessage&& m);

    // Oldest message; the inbox must not be empty.
    ReceivedMessage take();
    // Oldest message into `out`, reusing out.data's buffer when it is not shared and big enough.
    void takeInto(ReceivedMessage& out);
    void clear();

private:
    // A message's metadata; its sender is an index into m_froms (a bulk receiver's messages all
    // come from one or a few peers: no string is copied per message).
    // Plain data, so that appending and dropping entries costs no reference counting.
    struct Entry {
        qsizetype offset = -1; // in the arena; -1 when m_large[large] holds the bytes
        quint32 large = 0;
        qsizetype length = 0;
        quint64 association = 0;
        quint32 ppid = 0;
        quint32 tsn = 0;
        quint16 stream = 0;
        quint16 ssn = 0;
        bool unordered = false;
        quint32 from = 0;
    };
    Entry& append(const ReceivedMessage& meta)
    {
        // Usually the very string of the last message's sender (shared): compared by address first.
        if (m_froms.empty() || m_froms.back().port != meta.from.port
            || ((m_froms.back().host.constData() != meta.from.host.constData()
                    || m_froms.back().host.size() != meta.from.host.size())
                && m_froms.back().host != meta.from.host))
            m_froms.push_back(meta.from);
        Entry& e = m_entries.emplace_back();
        e.association = meta.association;
        e.ppid = meta.ppid;
        e.tsn = meta.tsn;
        e.stream = meta.stream;
        e.ssn = meta.ssn;
        e.unordered = meta.unordered;
        e.from = quint32(m_froms.size() - 1);
        return e;
    }
    char* growArena(qsizetype n);
    void fill(ReceivedMessage& out, const Entry& e) const;
    Entry& front() { return m_entries[m_head]; }
    void popped();

    std::vector<Entry> m_entries;
    std::vector<QByteArray> m_large; // the data of messages not in the arena, in order
    std::vector<Address> m_froms;
    std::size_t m_head = 0; // first entry not yet taken
    std::unique_ptr<char[]> m_arena;
    qsizetype m_arenaSize = 0;
    qsizetype m_arenaUsed = 0;
};

} // namespace ladder::sctp
