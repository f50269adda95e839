// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Character classes and small scanners of the RFC 3261 grammar (§25.1). Everything works on
// QByteArrayView and never allocates: the parser's hot path runs through here.

#include <QByteArrayView>

#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
    DisplayChar = 8192, // unquoted display-name: token characters and LWS (SP, HTAB, CR, LF)
    UserPlainChar = 16384, // UserChar without '%' (a user part without escapes in one pass)
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
        for (int i = 0; i < 256; ++i)
            if ((c[i] & UserChar) && i != '%')
                c[i] |= UserPlainChar;
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
        for (int i = 0; i < 256; ++i)
            if (c[i] & Token)
                c[i] |= DisplayChar;
        for (char ch : { ' ', '\t', '\r', '\n' })
            c[std::uint8_t(ch)] |= DisplayChar;
    }
};
inline constexpr CharTable kChars {};

inline bool is(char ch, std::uint16_t cls) { return kChars.c[std::uint8_t(ch)] & cls; }
inline bool isWs(char ch) { return std::uint8_t(ch) <= 0x20 && (ch == ' ' || ch == '\t'); }
// The usual byte is above 0x20 and is decided by the first comparison.
inline bool isLwsChar(char ch)
{
    return std::uint8_t(ch) <= 0x20 && (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n');
}

inline bool allOf(QByteArrayView v, std::uint16_t cls)
{
    if (v.isEmpty())
        return false;
    // Branch-free: AND the classes of all bytes and test once. Values are valid far more often
    // than not, so an early exit would save nothing and costs a branch per byte.
    std::uint16_t all = 0xffff;
    for (char ch : v)
        all &= kChars.c[std::uint8_t(ch)];
    return (all & cls) != 0; // cls is one class (a single bit)
}
inline bool isToken(QByteArrayView v) { return allOf(v, Token); }

// Trims SP, HTAB, CR and LF (LWS, including the folding left inside a raw header value).
Q_ALWAYS_INLINE QByteArrayView trimmed(QByteArrayView v)
{
    // Most values come trimmed already (the parser trims header values): two comparisons then.
    if (v.isEmpty() || (!isLwsChar(v.front()) && !isLwsChar(v.back())))
        return v;
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
        if (a[i] != b[i] && lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

// Byte equality with / prefix test against a string literal. The length is a constant, so the
// compiler compares inline instead of calling memcmp (QByteArrayView's == and startsWith call out).
template <std::size_t N>
inline bool eq(QByteArrayView v, const char (&lit)[N])
{
    return v.size() == qsizetype(N - 1) && std::memcmp(v.data(), lit, N - 1) == 0;
}
template <std::size_t N>
inline bool startsWith(QByteArrayView v, const char (&lit)[N])
{
    return v.size() >= qsizetype(N - 1) && std::memcmp(v.data(), lit, N - 1) == 0;
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

// First `ch` in [p, end), or null. SIP lines and header values are short (mostly < 64 bytes):
// an inlined 16-byte SSE2 compare beats a call into memchr (whose setup dominates at these
// lengths), and QByteArrayView::indexOf(char), which goes through Qt's general search. Never
// reads outside [p, end).
inline const char* findChar(const char* p, const char* end, char ch)
{
#ifdef __SSE2__
    const __m128i needle = _mm_set1_epi8(ch);
    while (end - p >= 16) {
        const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), needle));
        if (mask)
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN
    if (end - p >= 8) {
        // SWAR on the last 8..15 bytes: a zero byte in w marks a match (the usual has-zero test).
        quint64 w;
        std::memcpy(&w, p, 8);
        w ^= 0x0101010101010101ULL * std::uint8_t(ch);
        const quint64 hit = (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
        if (hit)
            return p + (__builtin_ctzll(hit) >> 3);
        p += 8;
    }
#endif
    for (; p < end; ++p)
        if (*p == ch)
            return p;
    return nullptr;
}

#ifdef __SSE2__
// 0xff in each byte of v that lies in [lo, hi] (unsigned), 0 elsewhere.
inline __m128i inRange(__m128i v, char lo, char hi)
{
    const __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8(char(0x80 - std::uint8_t(lo))));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(char(-128 + (std::uint8_t(hi) - std::uint8_t(lo) + 1))));
}
#endif

#ifdef __SSE2__
// Bit i set when q[i] is a letter, digit or '-', for the 16 bytes at q (all readable).
inline unsigned alnumDashMask16(const char* q)
{
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i ok = _mm_or_si128(inRange(folded, 'a', 'z'), inRange(v, '0', '9'));
    ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
    return unsigned(_mm_movemask_epi8(ok));
}
#endif

// The first byte in [p, end) that is not a letter, digit or '-' (nor '.' when withDot): header
// names and host names are made of these, 16 bytes at a time. When doubleDot is given, it tells
// whether the run holds "..". Callers continue with the full character class after it (a token
// may also hold . ! % * _ + ` ' ~). `begin` (<= p), when given, is where the text starts: when
// [begin, end) holds 16 bytes or more, a run shorter than 16 bytes is classified with one load of
// the range's final 16 bytes instead of byte by byte. Never reads outside [begin, end).
Q_ALWAYS_INLINE const char* skipAlnumDash(
    const char* p, const char* end, bool withDot, bool* doubleDot = nullptr, const char* begin = nullptr)
{
    bool dd = false;
    bool prevDot = false;
#ifdef __SSE2__
    // Classifies the 16 bytes at q: bit i of *okMask / *dotMask for q[i].
    auto classify = [withDot](const char* q, unsigned* okMask, unsigned* dotMask) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        __m128i ok = _mm_or_si128(inRange(folded, 'a', 'z'), inRange(v, '0', '9'));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
        const __m128i dots = _mm_cmpeq_epi8(v, _mm_set1_epi8('.'));
        if (withDot)
            ok = _mm_or_si128(ok, dots);
        *okMask = unsigned(_mm_movemask_epi8(ok));
        *dotMask = unsigned(_mm_movemask_epi8(dots));
    };
    const bool longRange = end - (begin ? begin : p) >= 16;
    while (end - p >= 16) {
        unsigned okMask, dotMask;
        classify(p, &okMask, &dotMask);
        const unsigned run = okMask == 0xffff ? 16 : unsigned(__builtin_ctz(~okMask));
        if (withDot) {
            const unsigned dm = dotMask & ((1u << run) - 1);
            dd = dd || (dm & (dm >> 1)) != 0 || (prevDot && (dm & 1));
            prevDot = (dm >> 15) & 1;
        }
        p += run;
        if (run < 16) {
            if (doubleDot)
                *doubleDot = dd;
            return p;
        }
    }
    if (longRange && p < end) {
        // The last 1..15 bytes: one load of the final 16 bytes of the range (overlapping bytes
        // already accepted, which are shifted out) instead of the byte loop below.
        const unsigned skip = unsigned(16 - (end - p));
        unsigned okMask, dotMask;
        classify(end - 16, &okMask, &dotMask);
        okMask >>= skip;
        dotMask >>= skip;
        const unsigned rest = unsigned(end - p);
        const unsigned full = (1u << rest) - 1;
        const unsigned run = (okMask & full) == full ? rest : unsigned(__builtin_ctz(~okMask));
        if (withDot) {
            const unsigned dm = dotMask & ((1u << run) - 1);
            dd = dd || (dm & (dm >> 1)) != 0 || (prevDot && (dm & 1));
        }
        if (doubleDot)
            *doubleDot = dd;
        return p + run;
    }
#endif
    for (; p < end; ++p) {
        const char c = *p;
        const char l = char(c | 0x20);
        const bool dot = c == '.';
        if (!((l >= 'a' && l <= 'z') || (c >= '0' && c <= '9') || c == '-' || (withDot && dot)))
            break;
        dd = dd || (dot && prevDot);
        prevDot = dot;
    }
    if (doubleDot)
        *doubleDot = dd;
    return p;
}

// The parameter characters are the visible ASCII characters but " # , ; < = > ? @ \ ^ { | }
// (0x22-0x23, 0x2c, 0x3b-0x40, 0x5c, 0x5e, 0x7b-0x7d); skipParamChars relies on it, checked here.
static_assert([] {
    for (int i = 0; i < 256; ++i) {
        const bool param = i >= 0x21 && i <= 0x7e && !(i >= 0x22 && i <= 0x23) && i != 0x2c && !(i >= 0x3b && i <= 0x40)
            && i != 0x5c && i != 0x5e && !(i >= 0x7b && i <= 0x7d);
        if (param != ((kChars.c[i] & ParamChar) != 0))
            return false;
    }
    return true;
}());

// The first byte in [p, end) that is not a parameter character. `begin` (<= p) is where the
// text starts: when it holds 16 bytes or more, the last partial block is classified with one load
// of its final 16 bytes (bytes before p already accepted are shifted out). Never reads outside
// [begin, end).
inline const char* skipParamChars(const char* begin, const char* p, const char* end)
{
#ifdef __SSE2__
    if (end - begin >= 16) {
        auto good = [](const char* q) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
            __m128i bad = _mm_or_si128(inRange(x, 0x22, 0x23), inRange(x, 0x3b, 0x40));
            bad = _mm_or_si128(bad, inRange(x, 0x7b, 0x7d));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
            bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8('^')));
            return unsigned(_mm_movemask_epi8(_mm_andnot_si128(bad, inRange(x, 0x21, 0x7e))));
        };
        for (; end - p >= 16; p += 16) {
            const unsigned ok = good(p);
            if (ok != 0xffff)
                return p + __builtin_ctz(~ok);
        }
        if (p == end)
            return p;
        const unsigned rest = unsigned(end - p);
        const unsigned ok = good(end - 16) >> (16 - rest);
        const unsigned full = (1u << rest) - 1;
        return (ok & full) == full ? end : p + __builtin_ctz(~ok);
    }
#endif
    while (p < end && is(*p, ParamChar))
        ++p;
    return p;
}

// Index of `ch` in v at or after `from`, or -1.
inline qsizetype find(QByteArrayView v, char ch, qsizetype from = 0)
{
    if (from >= v.size())
        return -1;
    const char* p = findChar(v.data() + from, v.data() + v.size(), ch);
    return p ? p - v.data() : -1;
}
inline bool has(QByteArrayView v, char ch) { return find(v, ch) >= 0; }

inline bool allDigits(QByteArrayView v) { return allOf(v, Digit); }

// The word characters (Call-ID) are the visible ASCII characters but these nine; the SSE test
// below relies on it, checked here against the table.
inline constexpr char kNonWordVisible[] = "#$&,;=@^|";
static_assert([] {
    for (int i = 0; i < 256; ++i) {
        bool word = i >= 0x21 && i <= 0x7e;
        for (char ch : kNonWordVisible)
            word = word && i != std::uint8_t(ch);
        if (word != ((kChars.c[i] & Word) != 0))
            return false;
    }
    return true;
}());

// Whether every byte of v is a word character or '@' (a Call-ID has 16 to 60 of them), 16 bytes
// at a time; shorter values go through the table. Never reads outside v.
inline bool allWordOrAt(QByteArrayView v)
{
#ifdef __SSE2__
    if (v.size() >= 16) {
        auto good = [](const char* q) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
            __m128i bad = _mm_setzero_si128();
            for (char ch : { '#', '$', '&', ',', ';', '=', '^', '|' }) // kNonWordVisible but '@'
                bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(ch)));
            return _mm_movemask_epi8(_mm_andnot_si128(bad, inRange(x, 0x21, 0x7e))) == 0xffff;
        };
        const char* p = v.data();
        const char* end = p + v.size();
        for (; end - p > 16; p += 16)
            if (!good(p))
                return false;
        return good(end - 16); // the last 1..16 bytes, overlapping bytes already checked
    }
#endif
    std::uint16_t all = v.isEmpty() ? 0 : 0xffff;
    for (char ch : v)
        all &= ch == '@' ? std::uint16_t(0xffff) : kChars.c[std::uint8_t(ch)];
    return (all & Word) != 0;
}

// A printable rendering of bytes for error messages: non-printable bytes become \xNN, long
// values are cut with "…".
QByteArray printable(QByteArrayView v, qsizetype max = 40);

} // namespace ladder::sip::text
