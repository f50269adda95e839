// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to stack/journal: how an event is stored in a journal segment (the write path in
// journal.cpp encodes it, the read path in journalread.cpp decodes it).

#include "event.h"
#include "eventcodec.h"

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <cstddef>
#include <cstring>
#include <vector>

namespace ladder::trace::stored {

// The stored form of an event is eventcodec's, with two flags in the dir byte: the text or the
// raw bytes are a back reference (varint distance from the event's start, varint length) to
// an identical copy stored earlier in the same segment. The flags never leave the journal:
// readers get whole events, and session files are written from those.
constexpr uchar kTextRef = 0x40;
constexpr uchar kRawRef = 0x80;
// A repeat: the event is the one stored `back` bytes earlier in the segment (never itself a
// repeat) with another time — kind, dir|kRepeat|kRelativeTime, zigzag time minus the
// original's, varint back. A bulk sender's UserAction events differ only in their time.
// (Without kRelativeTime the time is absolute; the reference flags mean nothing in a repeat.)
constexpr uchar kRepeat = 0x20;
constexpr uchar kRelativeTime = kTextRef;
constexpr std::size_t kMaxVarint = 10;

// A string whose buffer we can hold: a shared heap string detaches before anyone can change
// it, so while we hold a copy the same data pointer and size prove equal contents. (Literals
// and fromRawData strings have no such guarantee: they are never remembered.)
inline bool holdable(const QString& s) { return const_cast<QString&>(s).data_ptr().d_ptr() != nullptr; }
inline bool sameString(const QString& held, const QString& s)
{
    return held.constData() == s.constData() && held.size() == s.size() && holdable(held);
}

inline char* putVarint(char* p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(v | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

// A repeat (kRepeat) of the event stored `back` bytes before p, `delta` ns after it; at most
// 2 + 2 * kMaxVarint bytes.
inline char* putRepeat(char* p, Kind kind, Dir dir, qint64 delta, quint64 back)
{
    *p++ = char(kind);
    *p++ = char(uchar(dir) | kRepeat | kRelativeTime);
    p = putVarint(p, (quint64(delta) << 1) ^ quint64(delta >> 63)); // zigzag
    return putVarint(p, back);
}

// How many of s's first UTF-16 units are ASCII (usually all: summaries, chunk descriptions),
// tested four at a time.
inline qsizetype asciiPrefix(QStringView s)
{
    const char16_t* u = s.utf16();
    const qsizetype n = s.size();
    qsizetype i = 0;
    for (; i + 4 <= n; i += 4) {
        quint64 w;
        std::memcpy(&w, u + i, sizeof w);
        if (w & 0xff80ff80ff80ff80ull)
            break;
    }
    while (i < n && u[i] < 0x80)
        ++i;
    return i;
}

// UTF-8 length of s, or -1 if it holds surrogates (those take QString::toUtf8's path, which
// also decides what a lone surrogate becomes).
inline qsizetype utf8Length(QStringView s)
{
    const qsizetype ascii = asciiPrefix(s);
    qsizetype n = ascii;
    for (const QChar qc : s.mid(ascii)) {
        const char16_t c = qc.unicode();
        if (c < 0x80)
            n += 1;
        else if (c < 0x800)
            n += 2;
        else if (c >= 0xd800 && c < 0xe000)
            return -1;
        else
            n += 3;
    }
    return n;
}

// s as UTF-8 (no surrogates: see utf8Length); `ascii` = asciiPrefix(s).
inline char* putUtf8(char* p, QStringView s, qsizetype ascii)
{
    const char16_t* u = s.utf16();
    for (qsizetype i = 0; i < ascii; ++i) // a narrowing copy the compiler vectorises
        p[i] = char(u[i]);
    p += ascii;
    for (const QChar qc : s.mid(ascii)) {
        const char16_t c = qc.unicode();
        if (c < 0x80) {
            *p++ = char(c);
        } else if (c < 0x800) {
            *p++ = char(0xc0 | (c >> 6));
            *p++ = char(0x80 | (c & 0x3f));
        } else {
            *p++ = char(0xe0 | (c >> 12));
            *p++ = char(0x80 | ((c >> 6) & 0x3f));
            *p++ = char(0x80 | (c & 0x3f));
        }
    }
    return p;
}

// Raw bytes the journal holds instead of copying (see Journal::Block::held): a raw field whose
// back reference is 0 is followed by the varint index of the held array and its length. In
// memory the array itself is handed out (shared, no copy); a spilled segment has the held bytes
// written after its own, at the offsets the segment recorded when it was spilled.
struct HeldRaws {
    const std::vector<QByteArray>* arrays = nullptr; // in memory
    const std::vector<quint32>* offsets = nullptr; // spilled: where each starts in the blob
};

// A text or raw field: inline (varint length + bytes) or a back reference; bounds-checked
// against the segment, whose bytes start at base (and end at c.end). *heldIndex is set to the
// held array's index for a held raw field (else left alone).
inline QByteArrayView storedBytes(codec::Cursor& c, bool ref, const uchar* base, const uchar* eventStart,
    const HeldRaws* held = nullptr, qsizetype* heldIndex = nullptr)
{
    if (!ref)
        return c.bytes(c.varint());
    const quint64 back = c.varint();
    if (c.ok && back == 0 && held && heldIndex) {
        const quint64 k = c.varint();
        const quint64 n = c.varint();
        if (!c.ok)
            return {};
        if (held->arrays && k < held->arrays->size() && quint64((*held->arrays)[k].size()) == n) {
            *heldIndex = qsizetype(k);
            return QByteArrayView((*held->arrays)[k]);
        }
        if (held->offsets && k < held->offsets->size() && (*held->offsets)[k] <= quint64(c.end - base)
            && n <= quint64(c.end - base) - (*held->offsets)[k])
            return QByteArrayView(reinterpret_cast<const char*>(base + (*held->offsets)[k]), qsizetype(n));
        c.ok = false;
        return {};
    }
    const quint64 n = c.varint();
    if (!c.ok || back == 0 || back > quint64(eventStart - base) || n > back) {
        c.ok = false;
        return {};
    }
    return QByteArrayView(reinterpret_cast<const char*>(eventStart - back), qsizetype(n));
}

inline bool decodeStored(codec::Cursor& c, const uchar* base, Event* e, quint32* fromId, quint32* toId,
    const HeldRaws* held = nullptr)
{
    const uchar* start = c.p;
    if (c.end - c.p >= 2 && (c.p[1] & kRepeat)) {
        c.p += 2;
        const quint64 zz = c.varint();
        const quint64 back = c.varint();
        if (!c.ok || back == 0 || back > quint64(start - base))
            return false;
        const uchar* original = start - back;
        if (original[0] != start[0] || (original[1] & kRepeat) || (original[1] & 0x1f) != (start[1] & 0x1f))
            return false;
        codec::Cursor o { original, c.end };
        if (!decodeStored(o, base, e, fromId, toId, held))
            return false;
        const qint64 t = qint64(zz >> 1) ^ -qint64(zz & 1);
        e->timeNs = (start[1] & kRelativeTime) ? qint64(quint64(e->timeNs) + quint64(t)) : t;
        return true;
    }
    uchar flags = 0;
    if (!codec::decodeHeader(c, e, fromId, toId, kTextRef | kRawRef, &flags))
        return false;
    // A text that is the first n bytes of the raw field: back reference 0, then n (journal.cpp).
    quint64 textInRaw = ~quint64(0);
    if (flags & kTextRef) {
        codec::Cursor peek = c;
        if (peek.varint() == 0 && peek.ok) {
            textInRaw = peek.varint();
            c = peek;
        }
    }
    const QByteArrayView text = textInRaw != ~quint64(0) ? QByteArrayView() : storedBytes(c, flags & kTextRef, base, start);
    qsizetype heldIndex = -1;
    const QByteArrayView raw = storedBytes(c, flags & kRawRef, base, start, held, &heldIndex);
    if (!c.ok || (textInRaw != ~quint64(0) && textInRaw > quint64(raw.size())))
        return false;
    const QByteArrayView shownText = textInRaw != ~quint64(0) ? raw.first(qsizetype(textInRaw)) : text;
    if (heldIndex >= 0) { // the held array itself: the bytes stay where they are, shared
        codec::setPayload(e, shownText, {});
        e->raw = (*held->arrays)[std::size_t(heldIndex)];
    } else {
        codec::setPayload(e, shownText, raw);
    }
    return true;
}

} // namespace ladder::trace::stored
