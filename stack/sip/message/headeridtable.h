// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The header name table and the name -> id lookup, inline: the parser calls it for every header
// line (headerIdFromName() is the same lookup out of line). Internal to stack/sip/message.

#include "headerid.h"
#include "parsertext.h"

#include <array>
#include <cstring>

namespace ladder::sip::headerids {

struct Entry {
    QByteArrayView name;
    char compact;
    bool list;
};

// Indexed by HeaderId.
inline constexpr std::array<Entry, std::size_t(HeaderId::Count)> kHeaders { {
    { "", 0, false },
    { "Accept", 0, true },
    { "Accept-Contact", 'a', true },
    { "Accept-Encoding", 0, true },
    { "Accept-Language", 0, true },
    { "Alert-Info", 0, true },
    { "Allow", 0, true },
    { "Allow-Events", 'u', true },
    { "Authentication-Info", 0, false },
    { "Authorization", 0, false },
    { "Call-ID", 'i', false },
    { "Call-Info", 0, true },
    { "Contact", 'm', true },
    { "Content-Disposition", 0, false },
    { "Content-Encoding", 'e', true },
    { "Content-Language", 0, true },
    { "Content-Length", 'l', false },
    { "Content-Type", 'c', false },
    { "CSeq", 0, false },
    { "Date", 0, false },
    { "Error-Info", 0, true },
    { "Event", 'o', false },
    { "Expires", 0, false },
    { "From", 'f', false },
    { "Identity", 'y', false },
    { "In-Reply-To", 0, true },
    { "Max-Forwards", 0, false },
    { "MIME-Version", 0, false },
    { "Min-Expires", 0, false },
    { "Min-SE", 0, false },
    { "Organization", 0, false },
    { "P-Asserted-Identity", 0, true },
    { "Path", 0, true },
    { "Priority", 0, false },
    { "Privacy", 0, false },
    { "Proxy-Authenticate", 0, false },
    { "Proxy-Authorization", 0, false },
    { "Proxy-Require", 0, true },
    { "RAck", 0, false },
    { "RSeq", 0, false },
    { "Reason", 0, true },
    { "Record-Route", 0, true },
    { "Refer-To", 'r', false },
    { "Referred-By", 'b', false },
    { "Reject-Contact", 'j', true },
    { "Reply-To", 0, false },
    { "Require", 0, true },
    { "Retry-After", 0, false },
    { "Route", 0, true },
    { "Server", 0, false },
    { "Service-Route", 0, true },
    { "Session-Expires", 'x', false },
    { "Subject", 's', false },
    { "Subscription-State", 0, false },
    { "Supported", 'k', true },
    { "Timestamp", 0, false },
    { "To", 't', false },
    { "Unsupported", 0, true },
    { "User-Agent", 0, false },
    { "Via", 'v', true },
    { "Warning", 0, true },
    { "WWW-Authenticate", 0, false },
} };

// Case-insensitive equality of two names of `len` (≥ 2) bytes, in word-sized loads (the last
// one overlapping the previous) instead of a byte loop.
template <typename Word>
Word load(const char* p)
{
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w | Word(0x2020202020202020ULL);
}
inline bool foldedEqual(const char* k, const char* c, qsizetype len)
{
    if (len >= 8) {
        qsizetype j = 0;
        for (; j + 8 <= len; j += 8)
            if (load<quint64>(k + j) != load<quint64>(c + j))
                return false;
        return j == len || load<quint64>(k + len - 8) == load<quint64>(c + len - 8);
    }
    if (len >= 4)
        return load<quint32>(k) == load<quint32>(c) && load<quint32>(k + len - 4) == load<quint32>(c + len - 4);
    return load<quint16>(k) == load<quint16>(c) && load<quint16>(k + len - 2) == load<quint16>(c + len - 2);
}

// An open-addressed table keyed by (length, first letter, last letter), the names stored inline
// in lower case: a lookup is one hash, one slot and one folded compare, with no chain of
// dependent loads through an index and a name pointer. The multipliers were chosen so that no
// two of the usual headers share a slot (only rare ones probe a second slot; Reply-To and
// Refer-To cannot be told apart by the key).
inline constexpr unsigned kSlots = 128;
constexpr unsigned slotOf(qsizetype len, char first, char last)
{
    // OR 0x20 folds the case of letters; other bytes hash somewhere and fail the compare.
    return unsigned(len * 17 + (std::uint8_t(first) | 0x20) * 45 + (std::uint8_t(last) | 0x20) * 33) & (kSlots - 1);
}
struct Slot {
    char name[24] {}; // lower case, zero padded
    std::uint8_t len = 0; // 0: empty
    HeaderId id = HeaderId::Unknown;
};
struct Table {
    Slot table[kSlots] {};
    HeaderId compact[256] {}; // by byte, both cases
    constexpr Table()
    {
        for (std::size_t i = 1; i < kHeaders.size(); ++i) {
            const QByteArrayView n = kHeaders[i].name;
            unsigned s = slotOf(n.size(), n[0], n[n.size() - 1]);
            while (table[s].len)
                s = (s + 1) & (kSlots - 1);
            for (qsizetype j = 0; j < n.size(); ++j)
                table[s].name[j] = text::lower(n[j]);
            table[s].len = std::uint8_t(n.size());
            table[s].id = HeaderId(i);
            if (const char c = kHeaders[i].compact) {
                compact[std::uint8_t(c)] = HeaderId(i);
                compact[std::uint8_t(c - 'a' + 'A')] = HeaderId(i);
            }
        }
    }
};
inline constexpr Table kTable {};
static_assert([] {
    for (const Entry& e : kHeaders)
        if (e.name.size() >= qsizetype(sizeof(Slot::name)))
            return false;
    return true;
}(), "a header name does not fit in a slot");

Q_ALWAYS_INLINE HeaderId lookup(QByteArrayView name)
{
    const qsizetype len = name.size();
    const char* c = name.data();
    if (len <= 1)
        return len == 1 ? kTable.compact[std::uint8_t(c[0])] : HeaderId::Unknown;
    if (len >= qsizetype(sizeof(Slot::name)))
        return HeaderId::Unknown;
    // Known names are letters and '-', so OR-ing 0x20 folds case without a table; for the other
    // token characters it cannot produce a letter or '-' (CR is not in a token).
    for (unsigned s = slotOf(len, c[0], c[len - 1]);; s = (s + 1) & (kSlots - 1)) {
        const Slot& slot = kTable.table[s];
        if (slot.len == len && foldedEqual(slot.name, c, len))
            return slot.id;
        if (slot.len == 0)
            return HeaderId::Unknown;
    }
}

} // namespace ladder::sip::headerids
