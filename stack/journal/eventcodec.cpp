// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventcodec.h"

namespace ladder::trace::codec {

void putVarint(std::vector<char>& out, quint64 v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

namespace {
    void putBytes(std::vector<char>& out, const char* d, qsizetype n)
    {
        putVarint(out, quint64(n));
        out.insert(out.end(), d, d + n);
    }
} // namespace

void encode(std::vector<char>& out, const Event& e, quint32 fromId, quint32 toId)
{
    out.push_back(char(e.kind));
    out.push_back(char(e.dir));
    putVarint(out, (quint64(e.timeNs) << 1) ^ quint64(e.timeNs >> 63)); // zigzag
    putVarint(out, e.object);
    putVarint(out, e.a);
    putVarint(out, e.b);
    putVarint(out, e.c);
    putVarint(out, fromId);
    putVarint(out, toId);
    const QByteArray text = e.text.toUtf8();
    putBytes(out, text.constData(), text.size());
    putBytes(out, e.raw.constData(), e.raw.size());
}

quint64 Cursor::varint()
{
    quint64 v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end) {
            ok = false;
            return 0;
        }
        const uchar b = *p++;
        v |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    ok = false;
    return 0;
}

QByteArrayView Cursor::bytes(quint64 n)
{
    if (!ok || n > quint64(end - p)) {
        ok = false;
        return {};
    }
    const QByteArrayView v(reinterpret_cast<const char*>(p), qsizetype(n));
    p += n;
    return v;
}

bool decodeHeader(Cursor& c, Event* e, quint32* fromId, quint32* toId, uchar flagMask, uchar* flags)
{
    if (c.end - c.p < 2) {
        c.ok = false;
        return false;
    }
    e->kind = Kind(*c.p++);
    const uchar dirByte = *c.p++;
    const uchar dir = dirByte & uchar(~flagMask);
    if (dir > uchar(Dir::Rx)) {
        c.ok = false;
        return false;
    }
    e->dir = Dir(dir);
    if (flags)
        *flags = dirByte & flagMask;
    const quint64 zz = c.varint();
    e->timeNs = qint64(zz >> 1) ^ -qint64(zz & 1);
    e->object = c.varint();
    e->a = c.varint();
    e->b = c.varint();
    e->c = c.varint();
    const quint64 from = c.varint();
    const quint64 to = c.varint();
    if (from > 0xffffffffu || to > 0xffffffffu)
        c.ok = false;
    *fromId = quint32(from);
    *toId = quint32(to);
    return c.ok;
}

void setPayload(Event* e, QByteArrayView text, QByteArrayView raw)
{
    e->text = text.isEmpty() ? QString() : QString::fromUtf8(text);
    e->raw = raw.isEmpty() ? QByteArray() : raw.toByteArray();
}

bool decode(Cursor& c, Event* e, quint32* fromId, quint32* toId)
{
    if (!decodeHeader(c, e, fromId, toId))
        return false;
    const QByteArrayView text = c.bytes(c.varint());
    const QByteArrayView raw = c.bytes(c.varint());
    if (!c.ok)
        return false;
    setPayload(e, text, raw);
    return true;
}

} // namespace ladder::trace::codec
