// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hex text to bytes, for what arrives as text from outside (a TLS key log's secrets, the
// multi-homing helper's message payloads). Header only and without Qt: ladderlab-sctp-mh includes
// it and links none of the library.

#include <string_view>

namespace ladder::hex {

// The value of one hex digit (0-9, a-f, A-F), -1 for any other character.
constexpr int digitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The bytes `text` spells, two digits a byte (either case, nothing between them), into *out
// (a std::string, a QByteArray: default-constructible with push_back(char)). False, and *out
// untouched, for an odd length or a character that is not a hex digit; "" decodes to no bytes.
template <class Bytes>
bool decode(std::string_view text, Bytes* out)
{
    if (text.size() % 2 != 0)
        return false;
    Bytes bytes;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = digitValue(text[i]), lo = digitValue(text[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        bytes.push_back(char(hi << 4 | lo));
    }
    *out = std::move(bytes);
    return true;
}

} // namespace ladder::hex
