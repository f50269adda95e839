// SPDX-License-Identifier: GPL-3.0-or-later
// One reader for files and live (issue 19): capture files are read through libpcap where it does
// all the project's own reader does, else through the own reader, with one PacketDecoder after
// either (CaptureContainerReader, capturereader.h). This suite holds the reasons:
// * the same events, counts, progress offsets, stops and cut-file results from both readers on
//   crafted pcap (µs and ns, either byte order) and plain pcapng captures, from memory and from a
//   file — so classic pcap goes through libpcap (measured faster: docs/PERFORMANCE.md);
// * what libpcap 1.10 cannot do and the own reader does — pcapng packet comments and direction
//   flags, interfaces of different link types in one file, sections of both byte orders, records
//   longer than the file's snapshot length or than 256 KiB — so pcapng stays with the own reader.
#include "capture/capturereader.h"
#include "capture/netpacket.h"
#include "pcapwriter.h"
#include "sipcall.h"

#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace ladder;
using namespace ladder::trace;

namespace {

// Integers in a chosen byte order.
struct Bytes {
    explicit Bytes(bool bigEndian) : big(bigEndian) { }
    bool big = false;
    QByteArray b;
    void u16(quint16 v)
    {
        const char x[2] = { char(big ? v >> 8 : v), char(big ? v : v >> 8) };
        b.append(x, 2);
    }
    void u32(quint32 v)
    {
        for (int i = 0; i < 4; ++i)
            b.append(char(v >> (big ? 24 - 8 * i : 8 * i)));
    }
    void pad() { b.append(QByteArray((4 - b.size() % 4) % 4, '\0')); }
};

struct Frame {
    QByteArray bytes;
    qint64 ns = 0; // wall-clock
    quint32 iface = 0; // pcapng interface index
    QByteArray comment; // pcapng opt_comment
    quint32 flags = 0; // pcapng epb_flags (0: none written)
};

Frame frame(const QByteArray& bytes, qint64 ns)
{
    Frame f;
    f.bytes = bytes;
    f.ns = ns;
    return f;
}

QByteArray ethernet(const QByteArray& ip)
{
    QByteArray f("\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
    f.append((ip[0] >> 4) == 6 ? QByteArray("\x86\xdd", 2) : QByteArray("\x08\x00", 2));
    return f + ip;
}

NetEndpoint ep(const char* text)
{
    return parseEndpoint(QString::fromLatin1(text), 5060);
}

// Traffic of every kind the decoder turns into events: a SIP call over UDP, one over TCP (a message
// split over two segments, two coalesced in one), SIP in SCTP over UDP 9899, and a UDP datagram that
// is nothing LadderLab decodes. Ethernet frames, 1.5 ms apart, from an odd nanosecond.
constexpr qint64 kStart = 1'700'000'000'123'456'789;

QList<Frame> traffic(int calls = 1, qint64 start = kStart)
{
    QList<Frame> out;
    qint64 t = start;
    auto add = [&](const QByteArray& ip) {
        out.append(frame(ethernet(ip), t));
        t += 1'500'000;
    };
    quint16 id = 1;
    for (int c = 0; c < calls; ++c) {
        const QByteArray callId = "readers-" + QByteArray::number(c);
        for (const test::SipPacket& m : test::sipCall(callId))
            add(m.fromCaller ? net::udpPacket(ep("127.0.0.1:5062"), ep("127.0.0.1:5060"), m.bytes, id++)
                             : net::udpPacket(ep("127.0.0.1:5060"), ep("127.0.0.1:5062"), m.bytes, id++));
        // A connection of its own per call.
        const NetEndpoint caller = ep(qPrintable(QStringLiteral("127.0.0.1:%1").arg(5070 + 2 * c)));
        const NetEndpoint callee = ep(qPrintable(QStringLiteral("127.0.0.1:%1").arg(5071 + 2 * c)));
        const QList<test::SipPacket> tcpCall = test::sipCall(callId + "-tcp", 5070 + 2 * c, 5071 + 2 * c);
        const QByteArray a = tcpCall[0].bytes, b = tcpCall[1].bytes + tcpCall[2].bytes;
        const quint32 seq = 1000;
        add(net::tcpPacket(caller, callee, seq, 1, net::TcpAck | net::TcpPsh, a.left(40), id++));
        add(net::tcpPacket(caller, callee, seq + 40, 1, net::TcpAck | net::TcpPsh, a.mid(40), id++));
        add(net::tcpPacket(callee, caller, 1, seq + quint32(a.size()), net::TcpAck | net::TcpPsh, b, id++));
        const QByteArray sctp = net::sctpPacket(5080, 5081, 7, net::sctpDataChunk(10 + c, 0, quint16(c), 0, tcpCall[5].bytes));
        add(net::udpPacket(ep("127.0.0.1:9899"), ep("127.0.0.1:9899"), sctp, id++));
        add(net::udpPacket(ep("127.0.0.1:7777"), ep("127.0.0.1:7778"), "not sip", id++));
    }
    return out;
}

QByteArray pcap(const QList<Frame>& frames, bool nano = false, bool big = false, quint32 linktype = 1,
    quint32 snaplen = 262144)
{
    test::PcapWriter w(linktype, test::PcapFormat { snaplen, nano, big });
    for (const Frame& f : frames)
        w.add(f.bytes, f.ns);
    return w.bytes();
}

struct Interface {
    quint16 linktype = 1;
    int tsresol = 6; // 10^-tsresol s
};

// A pcapng section: header, interfaces, enhanced packet blocks (with a comment and flags when the
// frame has them).
QByteArray pcapngSection(const QList<Interface>& ifaces, const QList<Frame>& frames, bool big = false)
{
    Bytes w(big);
    auto block = [&](quint32 type, const QByteArray& body) {
        w.u32(type);
        w.u32(quint32(12 + body.size()));
        w.b.append(body);
        w.u32(quint32(12 + body.size()));
    };
    Bytes shb(big);
    shb.u32(0x1A2B3C4D);
    shb.u16(1);
    shb.u16(0);
    shb.u32(0xffffffff);
    shb.u32(0xffffffff);
    block(0x0A0D0D0A, shb.b);
    for (const Interface& i : ifaces) {
        Bytes idb(big);
        idb.u16(i.linktype);
        idb.u16(0);
        idb.u32(0);
        idb.u16(9); // if_tsresol
        idb.u16(1);
        idb.b.append(char(i.tsresol));
        idb.pad();
        idb.u32(0);
        block(1, idb.b);
    }
    for (const Frame& f : frames) {
        qint64 div = 1;
        for (int k = ifaces.value(qsizetype(f.iface)).tsresol; k < 9; ++k)
            div *= 10;
        const quint64 ticks = quint64(f.ns / div);
        Bytes epb(big);
        epb.u32(f.iface);
        epb.u32(quint32(ticks >> 32));
        epb.u32(quint32(ticks));
        epb.u32(quint32(f.bytes.size()));
        epb.u32(quint32(f.bytes.size()));
        epb.b.append(f.bytes);
        epb.pad();
        if (!f.comment.isEmpty() || f.flags) {
            if (!f.comment.isEmpty()) {
                epb.u16(1);
                epb.u16(quint16(f.comment.size()));
                epb.b.append(f.comment);
                epb.pad();
            }
            if (f.flags) {
                epb.u16(2);
                epb.u16(4);
                epb.u32(f.flags);
            }
            epb.u32(0);
        }
        block(6, epb.b);
    }
    return w.b;
}

struct Read {
    CaptureReadResult result;
    QList<Event> events;
    QList<qint64> progress; // offsets options.progress was called with
};

Read readBytes(const QByteArray& bytes, CaptureContainerReader reader, CaptureReadOptions options = {})
{
    Read r;
    options.reader = reader;
    if (options.progress) {
        auto inner = options.progress;
        options.progress = [&r, inner](qint64 done, qint64 total, const CaptureReadResult& soFar) {
            r.progress.append(done);
            return inner(done, total, soFar);
        };
    }
    r.result = readCapture(reinterpret_cast<const uchar*>(bytes.constData()), bytes.size(),
        [&r](Event&& e) { r.events.append(std::move(e)); }, options);
    return r;
}

Read readFile(const QString& path, CaptureContainerReader reader)
{
    Read r;
    CaptureReadOptions options;
    options.reader = reader;
    r.result = readCaptureFile(path, [&r](Event&& e) { r.events.append(std::move(e)); }, options);
    return r;
}

// Everything an event says, one line each, for comparisons that show the first difference.
QStringList lines(const Read& r)
{
    QStringList out;
    for (const Event& e : r.events)
        out.append(QStringLiteral("%1 t=%2 %3 dir=%4 obj=%5 a=%6 b=%7 c=%8 %9 -> %10 '%11' raw=%12")
                       .arg(e.seq)
                       .arg(e.timeNs)
                       .arg(QLatin1String(kindName(e.kind)))
                       .arg(int(e.dir))
                       .arg(e.object)
                       .arg(e.a)
                       .arg(e.b)
                       .arg(e.c)
                       .arg(e.from, e.to, e.text, QString::fromLatin1(e.raw.toHex())));
    return out;
}

QString brief(const Read& r)
{
    QStringList out;
    for (const Event& e : r.events)
        out.append(QStringLiteral("%1 %2->%3 b=%4 %5").arg(QLatin1String(kindName(e.kind)), e.from, e.to).arg(e.b).arg(e.text));
    return out.join(QLatin1Char('\n'));
}

QString counts(const CaptureReadResult& r)
{
    return QStringLiteral("ok=%1 error='%2' format=%3 epoch=%4 packets=%5 events=%6 ignored=%7 fragments=%8 "
                          "reassembled=%9 duplicates=%10 gaps=%11 stopped=%12 bytesRead=%13 warnings=%14")
        .arg(r.ok)
        .arg(r.error, r.format)
        .arg(r.epochNs)
        .arg(r.packets)
        .arg(r.events)
        .arg(r.ignored)
        .arg(r.fragments)
        .arg(r.reassembled)
        .arg(r.duplicates)
        .arg(r.tcpGaps)
        .arg(r.stopped)
        .arg(r.bytesRead)
        .arg(r.warnings.join(QLatin1Char('|')));
}

int kinds(const Read& r, Kind k)
{
    return int(std::count_if(r.events.begin(), r.events.end(), [k](const Event& e) { return e.kind == k; }));
}

} // namespace

class TestCaptureReaders : public QObject {
    Q_OBJECT

private slots:
    void autoTakesLibpcapForPcapAndTheOwnReaderForPcapng()
    {
        const QList<Frame> frames = traffic();
        const Read p = readBytes(pcap(frames), CaptureContainerReader::Auto);
        QVERIFY2(p.result.ok, qPrintable(p.result.error));
        QCOMPARE(p.result.reader, QStringLiteral("libpcap"));
        QCOMPARE(p.result.format, QStringLiteral("pcap"));
        const Read n = readBytes(pcapngSection({ {} }, frames), CaptureContainerReader::Auto);
        QVERIFY2(n.result.ok, qPrintable(n.result.error));
        QCOMPARE(n.result.reader, QStringLiteral("own"));
        QCOMPARE(n.result.format, QStringLiteral("pcapng"));
        // Forced either way.
        QCOMPARE(readBytes(pcap(frames), CaptureContainerReader::Own).result.reader, QStringLiteral("own"));
        QCOMPARE(readBytes(pcapngSection({ {} }, frames), CaptureContainerReader::Libpcap).result.reader, QStringLiteral("libpcap"));
    }

    void sameEventsFromBothReaders_data()
    {
        QTest::addColumn<QByteArray>("capture");
        QTest::addColumn<bool>("nano");
        QTest::addColumn<qint64>("start");
        const QList<Frame> frames = traffic(3);
        QTest::newRow("pcap µs") << pcap(frames) << false << kStart;
        QTest::newRow("pcap ns") << pcap(frames, true) << true << kStart;
        QTest::newRow("pcap big-endian ns") << pcap(frames, true, true) << true << kStart;
        QTest::newRow("pcapng 10^-6") << pcapngSection({ {} }, frames) << false << kStart;
        QTest::newRow("pcapng 10^-9") << pcapngSection({ { 1, 9 } }, frames) << true << kStart;
        QTest::newRow("pcapng big-endian") << pcapngSection({ { 1, 9 } }, frames, true) << true << kStart;
        QList<Frame> raw = frames;
        for (Frame& f : raw)
            f.bytes = f.bytes.mid(14);
        // Past 2038: pcap's seconds are unsigned 32 bits (libpcap reads them signed).
        const qint64 late = 4'000'000'000'123'456'789;
        QTest::newRow("pcap ns, 2096") << pcap(traffic(3, late), true) << true << late;
        QTest::newRow("pcap raw IP (LINKTYPE 101, libpcap's DLT 12)") << pcap(raw, false, false, 101) << false << kStart;
    }

    // From memory and from a file, libpcap and the own reader give the very same events and counts.
    void sameEventsFromBothReaders()
    {
        QFETCH(QByteArray, capture);
        const Read own = readBytes(capture, CaptureContainerReader::Own);
        const Read lib = readBytes(capture, CaptureContainerReader::Libpcap);
        QVERIFY2(own.result.ok, qPrintable(own.result.error));
        QCOMPARE(own.result.reader, QStringLiteral("own"));
        QCOMPARE(lib.result.reader, QStringLiteral("libpcap"));
        QVERIFY2(kinds(own, Kind::SipMessage) == 3 * (7 + 3 + 1), qPrintable(brief(own).right(3000)));
        QCOMPARE(int(own.result.ignored), 3);
        QFETCH(bool, nano);
        QFETCH(qint64, start);
        QCOMPARE(own.result.epochNs, nano ? start : start / 1000 * 1000);
        QCOMPARE(lines(lib), lines(own));
        QCOMPARE(counts(lib.result), counts(own.result));

        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("c.cap"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(capture) == capture.size());
        f.close();
        const Read ownFile = readFile(file, CaptureContainerReader::Own);
        const Read libFile = readFile(file, CaptureContainerReader::Libpcap);
        QCOMPARE(libFile.result.reader, QStringLiteral("libpcap"));
        QCOMPARE(lines(ownFile), lines(own));
        QCOMPARE(lines(libFile), lines(own));
        QCOMPARE(counts(libFile.result), counts(own.result));
    }

    // options.progress sees the same offsets (the records' ends) from both, and a stop keeps the
    // same events and bytesRead.
    void progressAndStopAreTheSame()
    {
        const QByteArray capture = pcap(traffic(20));
        for (const bool stop : { false, true }) {
            CaptureReadOptions options;
            options.progressStep = 3000;
            options.progress = [stop](qint64 done, qint64, const CaptureReadResult&) { return !stop || done < 20000; };
            const Read own = readBytes(capture, CaptureContainerReader::Own, options);
            const Read lib = readBytes(capture, CaptureContainerReader::Libpcap, options);
            QVERIFY(own.progress.size() > 5);
            QCOMPARE(lib.progress, own.progress);
            QCOMPARE(own.result.stopped, stop);
            QCOMPARE(counts(lib.result), counts(own.result));
            QCOMPARE(lines(lib), lines(own));
        }
    }

    // A cut file (a capture still being written, a copy cut short): the events before the cut are
    // kept, the result says why it ended, in the own reader's words.
    void cutFilesKeepWhatWasRead()
    {
        const QByteArray whole = pcap(traffic(3));
        const Read all = readBytes(whole, CaptureContainerReader::Own);
        for (const int cut : { 5, 40, 200 }) {
            const QByteArray bytes = whole.left(whole.size() - cut);
            const Read own = readBytes(bytes, CaptureContainerReader::Own);
            const Read lib = readBytes(bytes, CaptureContainerReader::Libpcap);
            QVERIFY(!own.result.ok && !lib.result.ok);
            QVERIFY(!own.events.isEmpty() && own.result.packets < all.result.packets);
            QCOMPARE(lines(lib), lines(own));
            QCOMPARE(lib.result.packets, own.result.packets);
            QVERIFY2(lib.result.error.startsWith(own.result.error), qPrintable(lib.result.error + " / " + own.result.error));
            QVERIFY2(lib.result.error.contains(QLatin1String("libpcap: truncated dump file")), qPrintable(lib.result.error));
        }
        // A record claiming more than the file holds (tst_sessionfiles' broken.pcap).
        QByteArray broken = whole;
        qToLittleEndian<quint32>(1u << 20, broken.data() + 24 + 8);
        const Read lib = readBytes(broken, CaptureContainerReader::Auto);
        QVERIFY(!lib.result.ok && lib.events.isEmpty());
        QVERIFY2(lib.result.error.startsWith(QLatin1String("record at offset 24 claims 1048576 bytes, beyond the file")),
            qPrintable(lib.result.error));
        // pcapng through libpcap: the packets before the cut too.
        const QByteArray ng = pcapngSection({ {} }, traffic(3));
        const Read ngLib = readBytes(ng.left(ng.size() - 40), CaptureContainerReader::Libpcap);
        const Read ngOwn = readBytes(ng.left(ng.size() - 40), CaptureContainerReader::Own);
        QVERIFY(!ngLib.result.ok && !ngOwn.result.ok);
        QCOMPARE(lines(ngLib), lines(ngOwn));
        QVERIFY2(ngLib.result.error.contains(QLatin1String("truncated pcapng dump file")), qPrintable(ngLib.result.error));
    }

    // Only the own reader: libpcap hands out neither a packet's comment nor its direction flag.
    void onlyTheOwnReaderGivesCommentsAndDirection()
    {
        QList<Frame> frames = traffic();
        frames[0].comment = "INVITE from the SBC's trunk side";
        frames[0].flags = 1; // inbound
        frames[1].flags = 2; // outbound
        const QByteArray capture = pcapngSection({ {} }, frames);
        const Read own = readBytes(capture, CaptureContainerReader::Auto);
        const Read lib = readBytes(capture, CaptureContainerReader::Libpcap);
        QVERIFY(own.result.ok && lib.result.ok);
        QCOMPARE(own.result.reader, QStringLiteral("own"));
        QCOMPARE(own.events.at(0).text, QStringLiteral("INVITE from the SBC's trunk side"));
        QCOMPARE(own.events.at(0).dir, Dir::Rx);
        QCOMPARE(own.events.at(1).dir, Dir::Tx);
        QCOMPARE(lib.events.at(0).text, QStringLiteral("INVITE sip:bob@127.0.0.1:5060 SIP/2.0"));
        QCOMPARE(lib.events.at(0).dir, Dir::None);
        QCOMPARE(lib.events.at(1).dir, Dir::None);
    }

    // Only the own reader: interfaces of different link types in one pcapng (Wireshark writes such
    // files when capturing on several interfaces at once); libpcap 1.10 refuses the file.
    void onlyTheOwnReaderTakesMixedLinkTypes()
    {
        QList<Frame> frames = traffic();
        for (qsizetype i = 1; i < frames.size(); i += 2) {
            frames[i].iface = 1;
            frames[i].bytes = frames[i].bytes.mid(14); // raw IP
        }
        const QByteArray capture = pcapngSection({ { 1, 9 }, { 101, 9 } }, frames);
        const Read own = readBytes(capture, CaptureContainerReader::Auto);
        const Read lib = readBytes(capture, CaptureContainerReader::Libpcap);
        QVERIFY2(own.result.ok, qPrintable(own.result.error));
        QCOMPARE(lines(own), lines(readBytes(pcapngSection({ { 1, 9 } }, traffic()), CaptureContainerReader::Own)));
        QVERIFY(!lib.result.ok);
        QVERIFY2(lib.result.error.contains(QLatin1String("different from the type of the first interface")), qPrintable(lib.result.error));
    }

    // Only the own reader: a pcapng of two sections, the second in the other byte order (files
    // concatenated from two machines); libpcap reads the second's lengths in the first's order.
    void onlyTheOwnReaderTakesSectionsOfBothByteOrders()
    {
        const QList<Frame> frames = traffic();
        const QByteArray capture = pcapngSection({ {} }, frames.mid(0, 5)) + pcapngSection({ {} }, frames.mid(5), true);
        const Read own = readBytes(capture, CaptureContainerReader::Auto);
        const Read lib = readBytes(capture, CaptureContainerReader::Libpcap);
        QVERIFY2(own.result.ok, qPrintable(own.result.error));
        QCOMPARE(lines(own), lines(readBytes(pcapngSection({ {} }, frames), CaptureContainerReader::Own)));
        QVERIFY(!lib.result.ok);
        QCOMPARE(int(lib.result.packets), 5);
    }

    // A transaction is named by the top Via and the CSeq of the headers: what follows the empty
    // line (a body that quotes a Via) is not read, a compact Via (v:) is, and a line ends at a CRLF.
    void transactionKeysComeFromTheHeadersOnly()
    {
        const QByteArray quoted = "Via: SIP/2.0/UDP q;branch=z9hG4bK-one\r\nCSeq: 1 OPTIONS\r\n";
        auto options = [&](const QByteArray& headers, const QByteArray& body) {
            return "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" + headers + "Content-Length: "
                + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        };
        const QList<QByteArray> msgs {
            options("Via: SIP/2.0/UDP h;branch=z9hG4bK-one\r\nCSeq: 1 OPTIONS\r\n", {}),
            options("CSeq: 1 OPTIONS\r\n", quoted), // no Via of its own
            options("v: SIP/2.0/UDP h2;branch=z9hG4bK-one\r\nCSeq: 1 OPTIONS\r\n", "x"),
            options("X-Note: a\nVia: SIP/2.0/UDP h;branch=z9hG4bK-one\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-lf\r\n"
                    "CSeq: 1 OPTIONS\r\n",
                {}), // a bare LF does not end a line: the top Via is the second
        };
        QList<Frame> frames;
        quint16 id = 1;
        for (const QByteArray& m : msgs) {
            frames.append(frame(ethernet(net::udpPacket(ep("127.0.0.1:5062"), ep("127.0.0.1:5060"), m, id)), kStart + id));
            ++id;
        }
        const Read r = readBytes(pcap(frames), CaptureContainerReader::Own);
        QVERIFY(r.result.ok);
        QList<quint64> tx;
        for (const Event& e : r.events)
            if (e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission)
                tx.append(e.object);
        QCOMPARE(tx.size(), 4);
        QVERIFY(tx[0] != 0);
        QCOMPARE(tx[2], tx[0]); // the compact form, the same branch and method
        QVERIFY(tx[1] != tx[0]); // not the body's Via
        QVERIFY(tx[3] != tx[0] && tx[3] != tx[1]); // z9hG4bK-lf
    }

    // What libpcap does with classic pcap where the own reader differs, kept visible: a record longer
    // than the header's snapshot length is cut to it (with a warning from us), and one longer than
    // 256 KiB is refused; the own reader takes both whole. No capture tool writes either.
    void libpcapBoundsOnPcapRecords()
    {
        QList<Frame> frames = traffic();
        const QByteArray shortSnap = pcap(frames, false, false, 1, 200);
        const Read own = readBytes(shortSnap, CaptureContainerReader::Own);
        const Read lib = readBytes(shortSnap, CaptureContainerReader::Auto);
        QVERIFY(own.result.ok && lib.result.ok);
        QCOMPARE(lib.result.reader, QStringLiteral("libpcap"));
        QVERIFY(own.result.warnings.isEmpty());
        QVERIFY(!lib.result.warnings.isEmpty());
        QVERIFY2(lib.result.warnings.at(0).contains(QLatin1String("libpcap kept 200 of its")), qPrintable(lib.result.warnings.at(0)));
        QVERIFY(kinds(lib, Kind::SipMessage) < kinds(own, Kind::SipMessage));
        // The offsets stay right after a cut record: the file is read to its end.
        QCOMPARE(lib.result.bytesRead, shortSnap.size());
        QCOMPARE(lib.result.packets, own.result.packets);

        frames.insert(1, frame(ethernet(QByteArray(300000, '\0')), frames[0].ns + 1));
        const QByteArray jumbo = pcap(frames);
        const Read ownJumbo = readBytes(jumbo, CaptureContainerReader::Own);
        const Read libJumbo = readBytes(jumbo, CaptureContainerReader::Libpcap);
        QVERIFY(ownJumbo.result.ok);
        QVERIFY(!libJumbo.result.ok);
        QVERIFY2(libJumbo.result.error.contains(QLatin1String("bigger than snaplen of 262144")), qPrintable(libJumbo.result.error));
        QCOMPARE(int(libJumbo.result.packets), 1);
    }
};

QTEST_GUILESS_MAIN(TestCaptureReaders)
#include "tst_capture_readers.moc"
