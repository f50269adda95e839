// SPDX-License-Identifier: GPL-3.0-or-later
#include "capture/capturereader.h"
#include "journal/journal.h"
#include "capture/pcapng.h"
#include "tracetestdata.h"
#include "pcapwriter.h"
#include "testskip.h"

#include <QBuffer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder::trace;
using namespace tracetest;

namespace {

QList<Event> readAll(const QByteArray& bytes, CaptureReadResult* res, CaptureReadOptions o = {})
{
    QList<Event> out;
    *res = readCapture(reinterpret_cast<const uchar*>(bytes.constData()), bytes.size(),
        [&out](Event&& e) { out.append(std::move(e)); }, o);
    return out;
}

QByteArray exportJournal(const QList<Event>& events, PcapngOptions o, PcapngStats* stats = nullptr)
{
    Journal j;
    for (const Event& e : events)
        j.append(e);
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    QString error;
    if (!writePcapng(j, &buf, o, &error, stats))
        qWarning("export failed: %s", qPrintable(error));
    return buf.data();
}

QString addressPart(const QString& endpoint)
{
    return endpoint.mid(endpoint.lastIndexOf(QLatin1Char(' ')) + 1);
}

// A classic pcap file around one packet of the given link type.
QByteArray classicPcap(quint32 linktype, const QByteArray& frame, bool bigEndian = false)
{
    ladder::test::PcapWriter w(linktype, ladder::test::PcapFormat { 65535, false, bigEndian });
    w.add(frame, 1'700'000'000'250'000'000); // 1700000000.25 s
    return w.bytes();
}

} // namespace

class TestPcapng : public QObject {
    Q_OBJECT
private slots:
    void writeAndReadBack()
    {
        const QList<Event> in = wireEvents();
        PcapngOptions o;
        o.epochNs = 1700000000LL * 1000000000;
        PcapngStats stats;
        const QByteArray file = exportJournal(in, o, &stats);
        QCOMPARE(stats.fixedChecksums, quint64(1));
        QCOMPARE(stats.skipped, quint64(0));
        // 10 wire events, plus the three packets of the synthetic TCP handshake.
        QCOMPARE(stats.packets, quint64(13));

        CaptureReadResult res;
        CaptureReadOptions ro;
        ro.sctpChunks = false;
        const QList<Event> out = readAll(file, &res, ro);
        QVERIFY2(res.ok, qPrintable(res.error));
        QCOMPARE(res.format, QStringLiteral("pcapng"));
        QCOMPARE(res.packets, quint64(13));
        QCOMPARE(res.epochNs, o.epochNs + 1000000);

        QList<Event> wire;
        for (const Event& e : in)
            if (e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission || e.kind == Kind::SctpPacket)
                wire.append(e);
        QCOMPARE(out.size(), wire.size());
        for (int i = 0; i < wire.size(); ++i) {
            const Event& w = wire.at(i);
            const Event& r = out.at(i);
            QCOMPARE(r.kind, w.kind);
            QCOMPARE(r.dir, w.dir);
            QCOMPARE(r.text, w.text);
            QCOMPARE(r.timeNs, w.timeNs - 1000000);
            QCOMPARE(r.b, w.b);
            if (w.kind == Kind::SctpPacket)
                QCOMPARE(r.raw, net::withSctpChecksum(w.raw));
            else
                QCOMPARE(r.raw, w.raw);
            if (w.from.contains(QLatin1Char(':'))) {
                QCOMPARE(r.from, addressPart(w.from));
                QCOMPARE(r.to, addressPart(w.to));
            } else {
                // Labels only: stable synthetic addresses in 10/8 on the SIP port.
                QVERIFY2(r.from.startsWith(QLatin1String("10.")) && r.from.endsWith(QLatin1String(":5060")),
                    qPrintable(r.from));
                QVERIFY(r.from != r.to);
                const NetEndpoint ep = parseEndpoint(w.from, 5060);
                QCOMPARE(r.from, formatEndpoint(ep.addr, ep.port));
            }
        }
        // All three TCP messages share one connection; the retransmission is numbered.
        QCOMPARE(out.at(3).a, out.at(4).a);
        QCOMPARE(out.at(4).a, out.at(5).a);
        QVERIFY(out.at(3).a != 0);
        QCOMPARE(out.at(1).c, quint64(1));
        // The INVITE and its retransmission belong to one transaction, REGISTER to another.
        QCOMPARE(out.at(0).object, out.at(1).object);
        QVERIFY(out.at(0).object != out.at(3).object);
    }

    void sipOverSctpIsSynthesisedUnlessPacketsExist()
    {
        const QByteArray msg = sipRequest("OPTIONS", "z9hG4bK-s");
        QList<Event> in { sip(10, Dir::Tx, "a 192.0.2.1:5060", "b 192.0.2.2:5060", msg, 2),
            sip(20, Dir::Tx, "a 192.0.2.1:5060", "b 192.0.2.2:5060", msg, 2, Kind::SipRetransmission) };
        PcapngStats stats;
        const QByteArray file = exportJournal(in, {}, &stats);
        QCOMPARE(stats.packets, quint64(2));
        CaptureReadResult res;
        const QList<Event> out = readAll(file, &res);
        QVERIFY(res.ok);
        QList<Event> sipOut, chunks;
        for (const Event& e : out) {
            if (e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission)
                sipOut.append(e);
            if (e.kind == Kind::SctpChunk)
                chunks.append(e);
        }
        QCOMPARE(sipOut.size(), 2);
        QCOMPARE(sipOut.at(0).raw, msg);
        QCOMPARE(sipOut.at(0).b, quint64(2));
        QCOMPARE(sipOut.at(1).kind, Kind::SipRetransmission);
        QCOMPARE(chunks.size(), 2);
        QCOMPARE(chunks.at(0).c + 1, chunks.at(1).c); // consecutive TSNs
        QCOMPARE(out.at(0).kind, Kind::SctpPacket);
        QCOMPARE(out.at(0).b, quint64(1)); // native SCTP

        // With real SctpPacket events in the journal, the synthetic copy would duplicate them.
        in.append(sctp(30, Dir::Tx, "c 127.0.0.1:9899", "d 127.0.0.2:9899", sctpInit(1, 2), QStringLiteral("INIT")));
        exportJournal(in, {}, &stats);
        QCOMPARE(stats.packets, quint64(1));
    }

    void readsOtherLinkTypes_data()
    {
        QTest::addColumn<quint32>("linktype");
        QTest::addColumn<QByteArray>("prefix");
        QTest::addColumn<bool>("bigEndian");
        QTest::newRow("ethernet") << 1u << QByteArray::fromHex("0000000000010000000000020800") << false;
        QTest::newRow("ethernet-vlan") << 1u << QByteArray::fromHex("00000000000100000000000281000064" "0800")
                                       << true;
        QTest::newRow("sll") << 113u << QByteArray::fromHex("00000001000600000000000200000800") << false;
        QTest::newRow("sll2") << 276u << QByteArray::fromHex("0800000000000001000100060000000000020000") << false;
        QTest::newRow("null") << 0u << QByteArray::fromHex("02000000") << false;
        QTest::newRow("loop") << 108u << QByteArray::fromHex("00000002") << true;
        QTest::newRow("raw") << 101u << QByteArray() << false;
        QTest::newRow("ipv4") << 228u << QByteArray() << true;
    }

    void readsOtherLinkTypes()
    {
        QFETCH(quint32, linktype);
        QFETCH(QByteArray, prefix);
        QFETCH(bool, bigEndian);
        NetEndpoint a = parseEndpoint(QStringLiteral("192.0.2.1:5060"), 0);
        NetEndpoint b = parseEndpoint(QStringLiteral("192.0.2.2:5080"), 0);
        const QByteArray msg = sipRequest("BYE", "z9hG4bK-9");
        const QByteArray file = classicPcap(linktype, prefix + net::udpPacket(a, b, msg, 1) + QByteArray(6, '\0'),
            bigEndian);
        CaptureReadResult res;
        const QList<Event> out = readAll(file, &res);
        QVERIFY2(res.ok, qPrintable(res.error));
        QCOMPARE(res.format, QStringLiteral("pcap"));
        QCOMPARE(out.size(), 1);
        QCOMPARE(out.at(0).raw, msg); // Ethernet padding after the IP packet is not payload
        QCOMPARE(out.at(0).from, QStringLiteral("192.0.2.1:5060"));
        QCOMPARE(out.at(0).to, QStringLiteral("192.0.2.2:5080"));
        // Linux cooked v2 names the interface the packet came in on (index 1 here; a file has no names).
        QCOMPARE(out.at(0).text, linktype == 276u ? QStringLiteral("BYE sip:bob@example.com SIP/2.0 [if 1]")
                                                  : QStringLiteral("BYE sip:bob@example.com SIP/2.0"));
        QCOMPARE(res.epochNs, 1700000000250000000LL);
    }

    void tcpReassemblyByContentLength()
    {
        // One INVITE split over three segments, a retransmitted segment and two messages in one.
        NetEndpoint a = parseEndpoint(QStringLiteral("192.0.2.1:40000"), 0);
        NetEndpoint b = parseEndpoint(QStringLiteral("192.0.2.2:5060"), 0);
        const QByteArray invite = sipRequest("INVITE", "z9hG4bK-t", QByteArray(300, 'x'));
        const QByteArray bye = sipRequest("BYE", "z9hG4bK-u");
        const quint32 isn = 1000;
        QByteArray frames;
        QList<QByteArray> segs { invite.left(50), invite.mid(50, 200), invite.mid(50, 200), invite.mid(250) + "\r\n\r\n" + bye + bye.left(10),
            bye.mid(10) };
        quint32 seq = isn;
        QList<QByteArray> pkts;
        for (int i = 0; i < segs.size(); ++i) {
            if (i == 2)
                seq -= quint32(segs.at(1).size()); // the retransmission repeats bytes already seen
            pkts.append(net::tcpPacket(a, b, seq, 1, net::TcpAck | net::TcpPsh, segs.at(i), quint16(i)));
            seq += quint32(segs.at(i).size());
        }
        QByteArray file = classicPcap(101, pkts.at(0));
        for (int i = 1; i < pkts.size(); ++i) {
            QByteArray rec(8, '\0');
            QByteArray lens;
            for (int k = 0; k < 2; ++k)
                for (int s = 0; s < 4; ++s)
                    lens.append(char(quint32(pkts.at(i).size()) >> (8 * s)));
            file += rec + lens + pkts.at(i);
        }
        CaptureReadResult res;
        const QList<Event> out = readAll(file, &res);
        QVERIFY2(res.ok, qPrintable(res.error));
        QCOMPARE(out.size(), 3);
        QCOMPARE(out.at(0).raw, invite);
        QCOMPARE(out.at(1).raw, bye);
        QCOMPARE(out.at(2).raw, bye);
        QCOMPARE(out.at(2).kind, Kind::SipRetransmission);
        QCOMPARE(out.at(0).b, quint64(1));
    }

    void malformedInputNeverCrashes()
    {
        const QByteArray good = exportJournal(wireEvents(), {});
        // Every truncation: the read stops with an error or succeeds, never reads past the end.
        for (qsizetype n = 0; n < good.size(); n += 7) {
            QByteArray cut(good.constData(), n); // a copy of exactly n bytes: ASan sees overruns
            CaptureReadResult res;
            readAll(cut, &res);
            if (n < good.size() && n > 0 && res.ok)
                QVERIFY(res.packets < 13);
        }
        // Deterministic byte flips.
        quint64 state = 42;
        for (int round = 0; round < 2000; ++round) {
            QByteArray bad = good;
            for (int k = 0; k < 4; ++k) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                bad[qsizetype((state >> 33) % quint64(bad.size()))] = char(state >> 24);
            }
            CaptureReadResult res;
            readAll(bad, &res);
        }
        CaptureReadResult res;
        readAll(QByteArray("not a capture at all, just text....."), &res);
        QVERIFY(!res.ok);
        QVERIFY(!res.error.isEmpty());
    }

    void tsharkDecodesEveryFrame()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("tshark is not installed"));
        QList<Event> in = wireEvents();
        // SIP over SCTP too (forced: the journal also holds SctpPacket events).
        in.append(sip(900000000, Dir::Tx, "a 192.0.2.1:5060", "b 192.0.2.2:5060", sipRequest("OPTIONS", "z9hG4bK-x"), 2));
        PcapngOptions o;
        o.epochNs = 1700000000LL * 1000000000;
        o.sipOverSctp = PcapngOptions::SipOverSctp::Synthesize;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.pcapng"));
        {
            Journal j;
            for (const Event& e : std::as_const(in))
                j.append(e);
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(writePcapng(j, &f, o));
        }
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(tshark,
            { QStringLiteral("-n"), QStringLiteral("-r"), path, QStringLiteral("-o"), QStringLiteral("sctp.checksum:CRC 32c"),
                QStringLiteral("-o"), QStringLiteral("ip.check_checksum:TRUE"), QStringLiteral("-o"),
                QStringLiteral("udp.check_checksum:TRUE"), QStringLiteral("-o"), QStringLiteral("tcp.check_checksum:TRUE"),
                QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-E"), QStringLiteral("separator=|"),
                QStringLiteral("-e"), QStringLiteral("frame.number"), QStringLiteral("-e"), QStringLiteral("frame.protocols"),
                QStringLiteral("-e"), QStringLiteral("_ws.malformed"), QStringLiteral("-e"), QStringLiteral("_ws.expert.severity"),
                QStringLiteral("-e"), QStringLiteral("ip.checksum.status"), QStringLiteral("-e"), QStringLiteral("udp.checksum.status"),
                QStringLiteral("-e"), QStringLiteral("tcp.checksum.status"), QStringLiteral("-e"), QStringLiteral("sctp.checksum.status"),
                QStringLiteral("-e"), QStringLiteral("tcp.len"), QStringLiteral("-e"), QStringLiteral("frame.comment") });
        QVERIFY(p.waitForFinished(60000));
        const QString output = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        const QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 14); // 10 wire events + 3 handshake packets + 1 SIP over SCTP
        int sipFrames = 0, sctpFrames = 0;
        for (const QString& line : lines) {
            const QStringList f = line.split(QLatin1Char('|'));
            QCOMPARE(f.size(), 10);
            const QString& protocols = f.at(1);
            QVERIFY2(f.at(2).isEmpty(), qPrintable(QStringLiteral("malformed: ") + line));
            // Expert info at error severity (PI_ERROR = 0x00800000) marks bad checksums and malformed data.
            for (const QString& sev : f.at(3).split(QLatin1Char(','), Qt::SkipEmptyParts))
                QVERIFY2(sev.toUInt() < 0x00800000u, qPrintable(QStringLiteral("expert error: ") + line));
            // Checksum status: Wireshark's 0 bad, 1 good, 2 unverified; every checked one must be good.
            for (int k = 4; k <= 7; ++k)
                QVERIFY2(f.at(k).isEmpty() || f.at(k) == QLatin1String("1"), qPrintable(QStringLiteral("checksum: ") + line));
            const bool handshake = protocols.endsWith(QLatin1String(":tcp")) && f.at(8) == QLatin1String("0");
            if (handshake)
                continue;
            if (protocols.contains(QLatin1String(":sip")))
                ++sipFrames;
            else if (protocols.contains(QLatin1String(":sctp")))
                ++sctpFrames;
            else
                QFAIL(qPrintable(QStringLiteral("not decoded as SIP or SCTP: ") + line));
            QVERIFY2(!f.at(9).isEmpty(), qPrintable(QStringLiteral("no comment: ") + line));
        }
        QCOMPARE(sipFrames, 8);
        QCOMPARE(sctpFrames, 3);
    }
};

QTEST_GUILESS_MAIN(TestPcapng)
#include "tst_pcapng.moc"
