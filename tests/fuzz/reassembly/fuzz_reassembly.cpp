// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for capture/reassembly. The input is a script of segments (or fragments) cut
// from a known stream (or datagram), delivered in any order, repeated, overlapping, sometimes with
// bytes changed, with capture time moving on. Checked against the model after every step:
// * TCP: the bytes handed on are exactly the stream's next bytes (after a gap given up, the bytes
//   after the gap), never more than was sent, and the bytes kept waiting stay within the limit.
// * IP: a datagram completed from unaltered fragments is the datagram itself; nothing completes
//   past 64 KiB; what is held stays within the limits.
#include "../common/check.h"

#include "capture/reassembly.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace ladder::trace;
using ladder::fuzz::check;

namespace {

QByteArray pattern(qsizetype n, std::uint8_t salt)
{
    QByteArray b(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        b[i] = char((i * 131 + (i >> 8) * 7 + salt) & 0xff);
    return b;
}

void fuzzTcp(const std::uint8_t* d, size_t n)
{
    if (n < 5)
        return;
    const quint32 isn = quint32(d[1]) << 24 | quint32(d[2]) << 16 | quint32(d[3]) << 8 | d[4];
    const QByteArray stream = pattern(4096, d[0]);
    TcpReorder t;
    t.start(isn);
    qint64 pos = 0; // the model: offset of the next byte the reorderer must hand on
    qint64 now = 0;
    for (size_t i = 5; i + 4 <= n; i += 4) {
        const qsizetype off = (qsizetype(d[i]) << 4 | d[i + 1] >> 4) & 0xfff;
        const qsizetype len = std::min<qsizetype>(qsizetype(d[i + 2]) * 4 + (d[i + 1] & 0x3), stream.size() - off);
        now += qint64(d[i + 3]) * 50'000'000; // up to 12.75 s per step
        if (len <= 0)
            continue;
        QByteArray ready;
        qsizetype lost = 0;
        const auto o = t.add(isn + quint32(off), stream.constData() + off, len, now, &ready, &lost);
        if (o == TcpReorder::Outcome::GapGivenUp) {
            check(lost > 0, "a gap given up without bytes lost");
            pos += lost;
        } else {
            check(lost == 0, "bytes lost without a gap given up");
        }
        if (o == TcpReorder::Outcome::Waiting)
            check(ready.isEmpty(), "bytes handed on while waiting");
        check(pos + ready.size() <= stream.size(), "more bytes handed on than the stream has");
        check(std::memcmp(ready.constData(), stream.constData() + pos, size_t(ready.size())) == 0,
            "bytes handed on out of order or altered");
        pos += ready.size();
        check(t.waitingBytes() <= 256 * 1024 + 1024, "too many bytes waiting");
    }
}

void fuzzIp(const std::uint8_t* d, size_t n)
{
    if (n < 3)
        return;
    const qsizetype size = 8 + (qsizetype(d[1]) << 8 | d[2]) % 8192;
    const QByteArray datagram = pattern(size, d[0]);
    IpDefragmenter f;
    qint64 now = 0;
    bool altered = false; // an altered fragment went in since the last completion
    for (size_t i = 3; i + 4 <= n; i += 4) {
        const QByteArray key = (d[i] & 0x80) ? QByteArray("other") : QByteArray("one");
        const qsizetype off = ((qsizetype(d[i] & 0x7f) << 8 | d[i + 1]) % (size / 8 + 1)) * 8;
        qsizetype len = qsizetype(d[i + 2] & 0x7f) * 8 + 8;
        const bool last = off + len >= size;
        if (last)
            len = size - off;
        now += qint64(d[i + 3] & 0x3f) * 1'000'000'000;
        if (len <= 0)
            continue;
        QByteArray piece = datagram.mid(off, len);
        const bool alter = d[i + 2] & 0x80;
        if (alter) {
            piece[0] = char(piece[0] ^ 0x01);
            altered = altered || key == "one";
        }
        QByteArray out;
        QString why;
        const auto o = f.add(key, now, off, !last, piece.constData(), piece.size(), &out, &why);
        if (o == IpDefragmenter::Outcome::Complete) {
            check(out.size() <= 65535, "a datagram past 64 KiB");
            if (key == "one") {
                if (!altered)
                    check(out == datagram, "a datagram completed with other bytes");
                altered = false;
            }
        } else if (o == IpDefragmenter::Outcome::Dropped) {
            check(!why.isEmpty(), "a drop without a reason");
            if (key == "one")
                altered = false;
        }
        check(f.bytesHeld() <= 8 * 1024 * 1024, "too many bytes held");
        check(f.waiting() <= 1024, "too many datagrams waiting");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        fuzzIp(data + 1, size - 1);
    else
        fuzzTcp(data + 1, size - 1);
    return 0;
}
