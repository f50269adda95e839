// SPDX-License-Identifier: GPL-3.0-or-later
#include "capturereader.h"

#include "journal/journal.h"
#include "netpacket.h"
#include "packetdecoder.h"

#include <QFile>

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace ladder::trace {

namespace {
    constexpr qsizetype kMaxPacket = 256 * 1024 * 1024;

    // Reads integers of the capture's byte order, never past the end.
    struct Reader {
        const uchar* d;
        qsizetype n;
        bool big = false;
        quint16 u16(qsizetype off) const
        {
            if (off < 0 || off + 2 > n)
                return 0;
            return big ? quint16((d[off] << 8) | d[off + 1]) : quint16(d[off] | (d[off + 1] << 8));
        }
        quint32 u32(qsizetype off) const
        {
            if (off < 0 || off + 4 > n)
                return 0;
            const quint32 a = d[off], b = d[off + 1], c = d[off + 2], e = d[off + 3];
            return big ? (a << 24) | (b << 16) | (c << 8) | e : a | (b << 8) | (c << 16) | (e << 24);
        }
    };

    // A mapped capture file read front to back: the pages behind the record being read are handed
    // back to the kernel now and then (MADV_DONTNEED), so that a large file does not stay resident
    // in the reader's memory beside the journal it fills. Nothing refers to them any more: every
    // event copies what it keeps out of the packet before the next record is read.
    struct Releaser {
        const uchar* base = nullptr; // page-aligned start of the mapping, or null (not a mapping)
        qsizetype released = 0;
        static constexpr qsizetype kStep = 4 * 1024 * 1024;
        // options.progress, called every progressStep bytes (readFrom sets these).
        const std::function<bool(qint64, qint64, const CaptureReadResult&)>* progress = nullptr;
        const CaptureReadResult* soFar = nullptr;
        qint64 progressStep = 0, nextProgress = 0, total = 0;
        // False when options.progress asks to stop.
        bool at(qsizetype off)
        {
            release(off);
            if (!progress || off < nextProgress || off >= total)
                return true;
            nextProgress = off + progressStep;
            return (*progress)(off, total, *soFar);
        }
        void release(qsizetype off)
        {
            if (!base || off - released < kStep)
                return;
            static const qsizetype page = qsizetype(sysconf(_SC_PAGESIZE));
            const qsizetype upTo = off / page * page;
            if (upTo > released) {
                madvise(const_cast<uchar*>(base) + released, size_t(upTo - released), MADV_DONTNEED);
                released = upTo;
            }
        }
    };

    struct Interface {
        quint32 linktype = 0;
        bool decimal = true; // resolution is 10^-exp, else 2^-exp
        int exp = 6;
        qint64 offsetSec = 0;
    };

    qint64 ticksToNs(const Interface& i, quint64 ticks)
    {
        using net::satAdd;
        using net::satMul;
        const qint64 offset = satMul(i.offsetSec, 1000000000);
        const qint64 t = qint64(std::min<quint64>(ticks, quint64(std::numeric_limits<qint64>::max())));
        if (i.decimal) {
            if (i.exp <= 9) {
                qint64 mul = 1;
                for (int k = i.exp; k < 9; ++k)
                    mul *= 10;
                return satAdd(satMul(t, mul), offset);
            }
            quint64 div = 1;
            for (int k = 9; k < i.exp && k < 28; ++k)
                div *= 10;
            return satAdd(qint64(ticks / div), offset);
        }
        const long double ns = std::ldexp((long double)ticks, -i.exp) * 1e9L;
        const qint64 v = ns >= 9.2e18L ? std::numeric_limits<qint64>::max() : qint64(ns);
        return satAdd(v, offset);
    }

    CaptureReadResult& stopped(CaptureReadResult& res, qsizetype off)
    {
        res.ok = true;
        res.stopped = true;
        res.bytesRead = off;
        return res;
    }

    CaptureReadResult readPcap(const uchar* data, qsizetype size, PacketDecoder& dec, CaptureReadResult& res,
        Releaser& rel)
    {
        res.format = QStringLiteral("pcap");
        res.reader = QStringLiteral("own");
        Reader r { data, size };
        const quint32 magic = quint32(data[0]) | (quint32(data[1]) << 8) | (quint32(data[2]) << 16) | (quint32(data[3]) << 24);
        bool nano = false;
        if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) {
            r.big = false;
            nano = magic == 0xa1b23c4du;
        } else {
            r.big = true;
            nano = magic == 0x4d3cb2a1u;
        }
        Interface iface;
        iface.linktype = r.u32(20) & 0xffff;
        iface.exp = nano ? 9 : 6;
        qsizetype off = 24;
        while (off < size) {
            if (size - off < 16) {
                res.error = QStringLiteral("truncated record header at offset %1").arg(off);
                return res;
            }
            const quint32 sec = r.u32(off), frac = r.u32(off + 4), incl = r.u32(off + 8);
            if (qsizetype(incl) > kMaxPacket || qsizetype(incl) > size - off - 16) {
                res.error = QStringLiteral("record at offset %1 claims %2 bytes, beyond the file").arg(off).arg(incl);
                return res;
            }
            CapturedPacket p;
            p.linktype = iface.linktype;
            p.timeNs = qint64(sec) * 1000000000 + qint64(frac) * (nano ? 1 : 1000);
            p.data = data + off + 16;
            p.size = qsizetype(incl);
            ++res.packets;
            dec.decode(p);
            off += 16 + qsizetype(incl);
            if (!rel.at(off))
                return stopped(res, off);
        }
        res.ok = true;
        res.bytesRead = size;
        return res;
    }

    // Walks pcapng options; fn(code, value pointer, length). False if they run past the block.
    template<typename Fn> bool forOptions(const Reader& r, qsizetype off, qsizetype end, Fn fn)
    {
        while (off + 4 <= end) {
            const quint16 code = r.u16(off), len = r.u16(off + 2);
            if (code == 0)
                return true;
            if (off + 4 + len > end)
                return false;
            fn(code, r.d + off + 4, qsizetype(len));
            off += 4 + ((qsizetype(len) + 3) & ~qsizetype(3));
        }
        return true;
    }

    CaptureReadResult readPcapng(const uchar* data, qsizetype size, PacketDecoder& dec, CaptureReadResult& res,
        Releaser& rel)
    {
        res.format = QStringLiteral("pcapng");
        res.reader = QStringLiteral("own");
        Reader r { data, size };
        QList<Interface> ifaces;
        qsizetype off = 0;
        bool sawShb = false;
        while (off < size) {
            if (size - off < 12) {
                res.error = QStringLiteral("truncated block at offset %1").arg(off);
                return res;
            }
            const quint32 type0 = quint32(data[off]) | (quint32(data[off + 1]) << 8) | (quint32(data[off + 2]) << 16)
                | (quint32(data[off + 3]) << 24);
            if (type0 == 0x0A0D0D0Au) {
                // A section header fixes the byte order of everything up to the next one.
                if (size - off < 28) {
                    res.error = QStringLiteral("truncated section header at offset %1").arg(off);
                    return res;
                }
                const quint32 bom = quint32(data[off + 8]) | (quint32(data[off + 9]) << 8)
                    | (quint32(data[off + 10]) << 16) | (quint32(data[off + 11]) << 24);
                if (bom == 0x1A2B3C4Du)
                    r.big = false;
                else if (bom == 0x4D3C2B1Au)
                    r.big = true;
                else {
                    res.error = QStringLiteral("bad byte-order magic at offset %1").arg(off);
                    return res;
                }
                ifaces.clear();
                sawShb = true;
            } else if (!sawShb) {
                res.error = QStringLiteral("no section header");
                return res;
            }
            const quint32 type = r.u32(off);
            const quint32 len = r.u32(off + 4);
            if (len >= 12 && qsizetype(len) > size - off) {
                res.error = QStringLiteral("truncated: the block at offset %1 needs %2 bytes, %3 remain").arg(off).arg(len).arg(size - off);
                return res;
            }
            if (len < 12 || len % 4 || r.u32(off + qsizetype(len) - 4) != len) {
                res.error = QStringLiteral("bad block length %1 at offset %2").arg(len).arg(off);
                return res;
            }
            const qsizetype body = off + 8, end = off + qsizetype(len) - 4;
            if (type == 1) { // interface description
                Interface i;
                i.linktype = r.u16(body);
                if (!forOptions(r, body + 8, end, [&](quint16 code, const uchar* v, qsizetype n) {
                        if (code == 9 && n >= 1) {
                            i.decimal = !(v[0] & 0x80);
                            i.exp = std::min(v[0] & 0x7f, 63);
                        } else if (code == 14 && n >= 8) {
                            const Reader o { v, n, r.big };
                            i.offsetSec = qint64(quint64(o.u32(r.big ? 0 : 4)) << 32 | o.u32(r.big ? 4 : 0));
                            i.offsetSec = std::clamp<qint64>(i.offsetSec, -(qint64(1) << 33), qint64(1) << 33);
                        }
                    })) {
                    res.error = QStringLiteral("bad interface options at offset %1").arg(off);
                    return res;
                }
                if (ifaces.size() < 4096)
                    ifaces.append(i);
            } else if (type == 6 || type == 2 || type == 3) { // enhanced, obsolete, simple packet
                CapturedPacket p;
                qsizetype dataOff = 0;
                quint32 ifIndex = 0;
                quint64 ticks = 0;
                quint32 caplen = 0;
                if (type == 3) {
                    dataOff = body + 4;
                    caplen = std::min<quint32>(r.u32(body), quint32(end - dataOff));
                } else {
                    const bool epb = type == 6;
                    ifIndex = epb ? r.u32(body) : r.u16(body);
                    ticks = (quint64(r.u32(body + 4)) << 32) | r.u32(body + 8);
                    caplen = r.u32(body + 12);
                    dataOff = body + 20;
                }
                if (dataOff > end || qsizetype(caplen) > end - dataOff) {
                    res.error = QStringLiteral("packet block at offset %1 claims %2 bytes, beyond the block").arg(off).arg(caplen);
                    return res;
                }
                if (ifIndex >= quint32(ifaces.size())) {
                    res.error = QStringLiteral("packet block at offset %1 names interface %2, not described").arg(off).arg(ifIndex);
                    return res;
                }
                const Interface& i = ifaces.at(qsizetype(ifIndex));
                p.linktype = i.linktype;
                p.timeNs = type == 3 ? 0 : ticksToNs(i, ticks);
                p.data = data + dataOff;
                p.size = qsizetype(caplen);
                if (type != 3) {
                    const qsizetype optOff = dataOff + ((qsizetype(caplen) + 3) & ~qsizetype(3));
                    forOptions(r, optOff, end, [&](quint16 code, const uchar* v, qsizetype n) {
                        if (code == 1 && p.comment.isEmpty())
                            p.comment = QString::fromUtf8(reinterpret_cast<const char*>(v), n);
                        else if (code == 2 && n >= 4) {
                            const quint32 flags = Reader { v, n, r.big }.u32(0);
                            p.dir = (flags & 3) == 1 ? Dir::Rx : (flags & 3) == 2 ? Dir::Tx : Dir::None;
                        }
                    });
                }
                ++res.packets;
                dec.decode(p);
            }
            off += qsizetype(len);
            if (!rel.at(off))
                return stopped(res, off);
        }
        res.ok = true;
        res.bytesRead = size;
        return res;
    }
} // namespace

bool looksLikeCapture(const QByteArray& head)
{
    if (head.size() < 4)
        return false;
    const auto* d = reinterpret_cast<const uchar*>(head.constData());
    const quint32 m = quint32(d[0]) | (quint32(d[1]) << 8) | (quint32(d[2]) << 16) | (quint32(d[3]) << 24);
    return m == 0x0A0D0D0Au || m == 0xa1b2c3d4u || m == 0xd4c3b2a1u || m == 0xa1b23c4du || m == 0x4d3cb2a1u;
}

namespace {
    quint32 magicOf(const uchar* d)
    {
        return quint32(d[0]) | (quint32(d[1]) << 8) | (quint32(d[2]) << 16) | (quint32(d[3]) << 24);
    }

    // Whether libpcap reads this container (CaptureContainerReader).
    bool viaLibpcap(quint32 magic, const CaptureReadOptions& options)
    {
        switch (options.reader) {
        case CaptureContainerReader::Own:
            return false;
        case CaptureContainerReader::Libpcap:
            return true;
        case CaptureContainerReader::Auto:
            break;
        }
        return magic != 0x0A0D0D0Au;
    }

    void wireProgress(Releaser& rel, const CaptureReadOptions& options, const CaptureReadResult& res, qint64 size)
    {
        if (!options.progress)
            return;
        rel.progress = &options.progress;
        rel.soFar = &res;
        rel.progressStep = std::max<qint64>(options.progressStep, 1);
        rel.nextProgress = rel.progressStep;
        rel.total = size;
    }

    // Up to n bytes of the capture at an offset: for saying why libpcap refused a record.
    using Peek = std::function<QByteArray(qint64 off, qint64 n)>;

    // Reads the capture open as file through libpcap (which closes it) into the same PacketDecoder
    // the own reader feeds. The offsets handed to options.progress are the records' ends, as the own
    // reader's: counted for pcap (16 + caplen a record; ftell where libpcap cut a record to the
    // file's snapshot length), ftell for pcapng (blocks have options and padding).
    CaptureReadResult readLibpcap(FILE* file, qint64 total, const Peek& peek, bool pcapng, const EventSink& sink,
        const CaptureReadOptions& options)
    {
        CaptureReadResult res;
        res.format = pcapng ? QStringLiteral("pcapng") : QStringLiteral("pcap");
        res.reader = QStringLiteral("libpcap");
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        pcap_t* p = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
        if (!p) {
            std::fclose(file);
            res.error = QString::fromLocal8Bit(errbuf);
            return res;
        }
        struct Closer {
            pcap_t* p;
            ~Closer() { pcap_close(p); }
        } closer { p };
        PacketDecoder dec(sink, options, res);
        Releaser rel;
        wireProgress(rel, options, res, total);
        const quint32 linktype = quint32(pcap_datalink(p));
        const quint32 snapshot = quint32(std::max(pcap_snapshot(p), 0));
        qint64 off = pcapng ? qint64(std::ftell(file)) : 24;
        pcap_pkthdr* h = nullptr;
        const u_char* bytes = nullptr;
        int rc = 0;
        while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
            CapturedPacket cp;
            cp.linktype = linktype;
            // libpcap reads a pcap record's seconds as signed 32 bits; the own reader (and the
            // format's writers) take them as unsigned: the same instants past 2038.
            const qint64 sec = pcapng ? qint64(h->ts.tv_sec) : qint64(quint32(h->ts.tv_sec));
            cp.timeNs = net::satAdd(net::satMul(sec, 1000000000), qint64(h->ts.tv_usec));
            cp.data = bytes;
            cp.size = qsizetype(h->caplen);
            ++res.packets;
            dec.decode(cp);
            const qint64 start = off;
            if (pcapng || (h->caplen >= snapshot && h->len > h->caplen)) {
                off = qint64(std::ftell(file));
                if (!pcapng && off - start - 16 > qint64(h->caplen) && res.warnings.size() < 32)
                    res.warnings.append(QStringLiteral("record at offset %1: libpcap kept %2 of its %3 bytes (the file's snapshot length)")
                                            .arg(start)
                                            .arg(h->caplen)
                                            .arg(off - start - 16));
            } else {
                off += 16 + qint64(h->caplen);
            }
            if (!rel.at(off))
                return stopped(res, off);
        }
        if (rc != PCAP_ERROR_BREAK) { // -1: an error, the events before it kept
            const QString why = QString::fromLocal8Bit(pcap_geterr(p));
            if (pcapng) {
                res.error = QStringLiteral("block after offset %1: %2").arg(off).arg(why);
                return res;
            }
            const QByteArray head = peek(off, 16);
            if (head.size() < 16) {
                res.error = QStringLiteral("truncated record header at offset %1 (libpcap: %2)").arg(off).arg(why);
                return res;
            }
            // pcap_is_swapped: the file's byte order is not this host's.
            const bool big = (Q_BYTE_ORDER == Q_BIG_ENDIAN) != bool(pcap_is_swapped(p));
            const quint32 incl = Reader { reinterpret_cast<const uchar*>(head.constData()), 16, big }.u32(8);
            if (qint64(incl) > total - off - 16 || qsizetype(incl) > kMaxPacket)
                res.error = QStringLiteral("record at offset %1 claims %2 bytes, beyond the file (libpcap: %3)").arg(off).arg(incl).arg(why);
            else
                res.error = QStringLiteral("record at offset %1: %2").arg(off).arg(why);
            return res;
        }
        res.ok = true;
        res.bytesRead = total;
        return res;
    }

    CaptureReadResult readFrom(const uchar* data, qsizetype size, const EventSink& sink, const CaptureReadOptions& options,
        Releaser& rel)
    {
        CaptureReadResult res;
        if (!data || size < 24
            || !looksLikeCapture(QByteArray::fromRawData(reinterpret_cast<const char*>(data), 4))) {
            res.error = QStringLiteral("not a pcap or pcapng file");
            return res;
        }
        PacketDecoder dec(sink, options, res);
        wireProgress(rel, options, res, size);
        return magicOf(data) == 0x0A0D0D0Au ? readPcapng(data, size, dec, res, rel) : readPcap(data, size, dec, res, rel);
    }

    bool isCapture(const uchar* data, qsizetype size)
    {
        return data && size >= 24 && looksLikeCapture(QByteArray::fromRawData(reinterpret_cast<const char*>(data), 4));
    }
} // namespace

CaptureReadResult readCapture(const uchar* data, qsizetype size, const EventSink& sink, const CaptureReadOptions& options)
{
    if (isCapture(data, size) && viaLibpcap(magicOf(data), options)) {
        // libpcap reads a FILE: a read-only stream over the caller's bytes.
        if (FILE* f = fmemopen(const_cast<uchar*>(data), size_t(size), "rb")) {
            const Peek peek = [data, size](qint64 off, qint64 n) {
                off = std::clamp<qint64>(off, 0, size);
                return QByteArray(reinterpret_cast<const char*>(data) + off, qsizetype(std::min<qint64>(n, size - off)));
            };
            return readLibpcap(f, size, peek, magicOf(data) == 0x0A0D0D0Au, sink, options);
        }
    }
    Releaser none;
    return readFrom(data, size, sink, options, none);
}

CaptureReadResult readCaptureFile(const QString& path, const EventSink& sink, const CaptureReadOptions& options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        CaptureReadResult res;
        res.error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return res;
    }
    if (f.size() == 0) {
        CaptureReadResult res;
        res.error = QStringLiteral("%1: empty file").arg(path);
        return res;
    }
    const QByteArray head = f.peek(24);
    if (isCapture(reinterpret_cast<const uchar*>(head.constData()), head.size())
        && viaLibpcap(magicOf(reinterpret_cast<const uchar*>(head.constData())), options)) {
        if (FILE* file = std::fopen(QFile::encodeName(path).constData(), "rb")) {
            const Peek peek = [&f](qint64 off, qint64 n) { return f.seek(off) ? f.read(n) : QByteArray(); };
            return readLibpcap(file, f.size(), peek, magicOf(reinterpret_cast<const uchar*>(head.constData())) == 0x0A0D0D0Au,
                sink, options);
        }
    }
    if (uchar* map = f.map(0, f.size())) {
        Releaser rel;
        rel.base = map;
        return readFrom(map, qsizetype(f.size()), sink, options, rel);
    }
    const QByteArray all = f.readAll();
    return readCapture(reinterpret_cast<const uchar*>(all.constData()), all.size(), sink, options);
}

CaptureReadResult readCaptureFile(const QString& path, Journal& journal, const CaptureReadOptions& options)
{
    return readCaptureFile(path, [&journal](Event&& e) { journal.append(std::move(e)); }, options);
}

} // namespace ladder::trace
