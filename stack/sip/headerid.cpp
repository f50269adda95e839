// SPDX-License-Identifier: GPL-3.0-or-later
#include "headerid.h"

#include "parsertext.h"

#include <array>
#include <cstring>

namespace ladder::sip {

namespace {

    struct Entry {
        QByteArrayView name;
        char compact;
        bool list;
    };

    // Indexed by HeaderId.
    constexpr std::array<Entry, std::size_t(HeaderId::Count)> kHeaders { {
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

    // Compact letter -> id, and a bucket of ids per (name length, lower-case first letter) so a
    // lookup compares against one or two candidates.
    struct Index {
        HeaderId compact[26] {};
        std::uint8_t bucketStart[32][26] {};
        std::uint8_t bucketLen[32][26] {};
        HeaderId ids[std::size_t(HeaderId::Count)] {};
        constexpr Index()
        {
            int n = 0;
            for (int len = 0; len < 32; ++len) {
                for (int letter = 0; letter < 26; ++letter) {
                    bucketStart[len][letter] = std::uint8_t(n);
                    for (std::size_t i = 1; i < kHeaders.size(); ++i) {
                        const Entry& e = kHeaders[i];
                        if (e.name.size() == len && text::lower(e.name[0]) - 'a' == letter)
                            ids[n++] = HeaderId(i);
                    }
                    bucketLen[len][letter] = std::uint8_t(n - bucketStart[len][letter]);
                }
            }
            for (std::size_t i = 1; i < kHeaders.size(); ++i)
                if (kHeaders[i].compact)
                    compact[kHeaders[i].compact - 'a'] = HeaderId(i);
        }
    };
    constexpr Index kIndex {};

    // Case-insensitive equality of two names of `len` (≥ 2) bytes, in word-sized loads (the last
    // one overlapping the previous) instead of a byte loop.
    template <typename Word>
    Word load(const char* p)
    {
        Word w;
        std::memcpy(&w, p, sizeof w);
        return w | Word(0x2020202020202020ULL);
    }
    bool foldedEqual(const char* k, const char* c, qsizetype len)
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
} // namespace

HeaderId headerIdFromName(QByteArrayView name)
{
    const qsizetype len = name.size();
    if (len == 0 || len >= 32)
        return HeaderId::Unknown;
    const char first = text::lower(name[0]);
    if (first < 'a' || first > 'z')
        return HeaderId::Unknown;
    if (len == 1)
        return kIndex.compact[first - 'a'];
    const int start = kIndex.bucketStart[len][first - 'a'];
    const int count = kIndex.bucketLen[len][first - 'a'];
    for (int i = start; i < start + count; ++i) {
        const HeaderId id = kIndex.ids[i];
        // Known names are letters and '-', so OR-ing 0x20 folds case without a table; for the
        // other token characters it cannot produce a letter or '-' (CR is not in a token).
        const char* k = kHeaders[std::size_t(id)].name.data();
        const char* c = name.data();
        if (foldedEqual(k, c, len))
            return id;
    }
    return HeaderId::Unknown;
}

QByteArrayView headerName(HeaderId id) { return kHeaders[std::size_t(id)].name; }
char headerCompactForm(HeaderId id) { return kHeaders[std::size_t(id)].compact; }
bool headerIsList(HeaderId id) { return kHeaders[std::size_t(id)].list; }

} // namespace ladder::sip
