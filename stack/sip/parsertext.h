// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Character classes and small scanners of the RFC 3261 grammar (§25.1). Everything works on
// QByteArrayView and never allocates: the parser's hot path runs through here.

#include <QByteArrayView>

#include <cstdint>
#include <cstring>

namespace ladder::sip::text {

enum CharClass : std::uint16_t {
    Alpha = 1,
    Digit = 2,
    Token = 4, // RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    Unreserved = 8, // alphanum / mark
    HostChar = 16, // alphanum / "-" / "."
    Hex = 32,
    Word = 64, // word (Call-ID): token chars plus ( ) < > : \ " / [ ] ? { }
    Ws = 128, // SP / HTAB
    UserChar = 256, // URI user: unreserved / escaped / "&" "=" "+" "$" "," ";" "?" "/"
    PasswordChar = 512, // unreserved / escaped / "&" "=" "+" "$" ","
    ParamChar = 1024, // URI/header parameter characters (token, unreserved, "[" "]" "/" ":" "&" "+" "$" "%")
    UriHeaderChar = 2048, // hname/hvalue: unreserved / escaped / "[" "]" "/" "?" ":" "+" "$" "&" "="
    SchemeChar = 4096, // ALPHA / DIGIT / "+" / "-" / "."
};

struct CharTable {
    std::uint16_t c[256] {};
    constexpr CharTable()
    {
        for (int i = 'a'; i <= 'z'; ++i)
            c[i] |= Alpha | Token | Unreserved | HostChar | Word;
        for (int i = 'A'; i <= 'Z'; ++i)
            c[i] |= Alpha | Token | Unreserved | HostChar | Word;
        for (int i = '0'; i <= '9'; ++i)
            c[i] |= Digit | Token | Unreserved | HostChar | Hex | Word;
        for (int i = 'a'; i <= 'f'; ++i)
            c[i] |= Hex;
        for (int i = 'A'; i <= 'F'; ++i)
            c[i] |= Hex;
        for (char ch : { '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~' })
            c[std::uint8_t(ch)] |= Token | Word;
        for (char ch : { '-', '_', '.', '!', '~', '*', '\'', '(', ')' })
            c[std::uint8_t(ch)] |= Unreserved;
        for (char ch : { '(', ')', '<', '>', ':', '\\', '"', '/', '[', ']', '?', '{', '}' })
            c[std::uint8_t(ch)] |= Word;
        c[std::uint8_t('-')] |= HostChar;
        c[std::uint8_t('.')] |= HostChar;
        for (int i = 0; i < 256; ++i) {
            if (c[i] & Unreserved)
                c[i] |= UserChar | PasswordChar | ParamChar | UriHeaderChar;
            if (c[i] & Token)
                c[i] |= ParamChar;
            if (c[i] & (Alpha | Digit))
                c[i] |= SchemeChar;
        }
        for (char ch : { '%', '&', '=', '+', '$', ',', ';', '?', '/' })
            c[std::uint8_t(ch)] |= UserChar;
        for (char ch : { '%', '&', '=', '+', '$', ',' })
            c[std::uint8_t(ch)] |= PasswordChar;
        for (char ch : { '[', ']', '/', ':', '&', '+', '$', '%' })
            c[std::uint8_t(ch)] |= ParamChar;
        for (char ch : { '%', '[', ']', '/', '?', ':', '+', '$', '&', '=' })
            c[std::uint8_t(ch)] |= UriHeaderChar;
        for (char ch : { '+', '-', '.' })
            c[std::uint8_t(ch)] |= SchemeChar;
        c[std::uint8_t(' ')] |= Ws;
        c[std::uint8_t('\t')] |= Ws;
    }
};
inline constexpr CharTable kChars {};

inline bool is(char ch, std::uint16_t cls) { return kChars.c[std::uint8_t(ch)] & cls; }
inline bool isWs(char ch) { return ch == ' ' || ch == '\t'; }
inline bool isLwsChar(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

inline bool allOf(QByteArrayView v, std::uint16_t cls)
{
    if (v.isEmpty())
        return false;
    for (char ch : v)
        if (!is(ch, cls))
            return false;
    return true;
}
inline bool isToken(QByteArrayView v) { return allOf(v, Token); }

// Trims SP, HTAB, CR and LF (LWS, including the folding left inside a raw header value).
inline QByteArrayView trimmed(QByteArrayView v)
{
    qsizetype b = 0, e = v.size();
    while (b < e && isLwsChar(v[b]))
        ++b;
    while (e > b && isLwsChar(v[e - 1]))
        --e;
    return v.sliced(b, e - b);
}

inline qsizetype skipLws(QByteArrayView v, qsizetype i)
{
    while (i < v.size() && isLwsChar(v[i]))
        ++i;
    return i;
}

constexpr char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? char(ch + 32) : ch; }

inline bool ieq(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

// Index one past the closing quote of the quoted-string that starts at v[i] == '"'; -1 if it is
// not terminated. quoted-pair (backslash + any char but CR/LF) is skipped as a unit.
inline qsizetype skipQuoted(QByteArrayView v, qsizetype i)
{
    for (++i; i < v.size(); ++i) {
        if (v[i] == '\\') {
            if (++i >= v.size())
                return -1;
        } else if (v[i] == '"') {
            return i + 1;
        }
    }
    return -1;
}

// Parses an unsigned decimal of up to 19 digits (no sign, no spaces). ok=false on anything else;
// overflow of 64 bits is reported as not ok.
inline quint64 parseUInt(QByteArrayView v, bool* ok)
{
    *ok = false;
    if (v.isEmpty() || v.size() > 19)
        return 0;
    quint64 n = 0;
    for (char ch : v) {
        if (ch < '0' || ch > '9')
            return 0;
        n = n * 10 + quint64(ch - '0');
    }
    *ok = true;
    return n;
}

// Index of `ch` in v at or after `from`, or -1. memchr-based: QByteArrayView::indexOf(char) goes
// through Qt's general substring search, which costs several times more on short header values.
inline qsizetype find(QByteArrayView v, char ch, qsizetype from = 0)
{
    if (from >= v.size())
        return -1;
    const void* p = std::memchr(v.data() + from, ch, size_t(v.size() - from));
    return p ? static_cast<const char*>(p) - v.data() : -1;
}
inline bool has(QByteArrayView v, char ch) { return find(v, ch) >= 0; }

inline bool allDigits(QByteArrayView v) { return allOf(v, Digit); }

// A printable rendering of bytes for error messages: non-printable bytes become \xNN, long
// values are cut with "…".
QByteArray printable(QByteArrayView v, qsizetype max = 40);

} // namespace ladder::sip::text
