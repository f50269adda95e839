// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

#include <cstring>

namespace ladder::sip {

// Writes pieces one after another into a buffer its caller sized beforehand: the serialisers
// (Message::serialize, buildResponseBytes) count the bytes first, then copy them with one
// allocation.
struct ByteWriter {
    char* p;

    void put(QByteArrayView v)
    {
        if (!v.isEmpty()) {
            std::memcpy(p, v.data(), std::size_t(v.size()));
            p += v.size();
        }
    }
    void put(char c) { *p++ = c; }
    void crlf()
    {
        *p++ = '\r';
        *p++ = '\n';
    }
};

} // namespace ladder::sip
