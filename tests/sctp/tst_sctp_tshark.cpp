// SPDX-License-Identifier: GPL-3.0-or-later
// Wire check by a decoder nobody here wrote: a lossy PR-SCTP run is exported as pcapng (the
// trace layer's writer, SCTP UDP-encapsulated on port 9899, checksums NOT repaired) and decoded by
// tshark. No malformed frames, every CRC32c good, and tshark sees exactly the retransmitted TSNs
// and FORWARD-TSN chunks our tap reported.
#include "sctplab.h"
#include "tsharkcapture.h"
#include "testskip.h"

#include <QFile>
#include <QStandardPaths>
#include <QtEndian>
#include <QRegularExpression>
#include <QProcess>
#include <QTemporaryDir>

#include <map>

using namespace ladder;
using namespace ladder::sctp;
using ladder::sctp::testing::Lab;
using ladder::sctp::testing::SentCapture;
using ladder::sctp::testing::tsharkFields;
using ladder::sctp::testing::writeSentPackets;

class TestSctpTshark : public QObject {
    Q_OBJECT
private slots:
    void lossyPrSctpRunDecodesCleanly()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("tshark is not installed (packaging/install-deps.sh --test installs it)"));

        ladder::LinkParams lossy;
        lossy.lossPct = 25;
        lossy.delayMs = 5;
        Lab lab(77);
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) {
            e->setRto(100, 50, 200);
            e->setHeartbeat(0);
        });
        QVERIFY(client && server);
        lab.link->aToB().setParams(lossy);
        lab.link->bToA().setParams(lossy);
        for (quint32 i = 1; i <= 30; ++i) {
            SendInfo info;
            info.setPolicy(PrPolicy::Ttl, 80);
            info.context = i;
            QVERIFY(client->send(QByteArray(200, char('a' + i % 26)), info));
            Lab::spin(4);
        }
        ladder::LinkParams down; // a short outage so FORWARD-TSN surely appears
        down.up = false;
        lab.link->aToB().setParams(down);
        for (quint32 i = 31; i <= 34; ++i) {
            SendInfo info;
            info.setPolicy(PrPolicy::Ttl, 80);
            info.context = i;
            QVERIFY(client->send(QByteArray(100, 'z'), info));
        }
        Lab::spin(250);
        lab.link->aToB().setParams(lossy);
        QVERIFY(Lab::waitFor([&] { return !lab.events(trace::Kind::SctpForwardTsn).isEmpty(); }));
        Lab::spin(400);

        // Export what left each side (Tx): the wire as a capture at the senders sees it.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("lossy-prsctp.pcapng"));
        const QString keep = qEnvironmentVariable("LADDERLAB_KEEP_PCAPNG");
        QFile file(keep.isEmpty() ? path : keep);
        const SentCapture capture = writeSentPackets(lab.journal(), file);
        QVERIFY2(capture.ok, qPrintable(capture.error));
        QCOMPARE(capture.fixedChecksums, quint64(0));
        QVERIFY(capture.packets > 20);

        QList<QList<QByteArray>> frames;
        QString error;
        QVERIFY2(tsharkFields(tshark, file.fileName(), { QStringLiteral("sctp.relative_tsns:FALSE") },
                     { QStringLiteral("frame.number"), QStringLiteral("sctp.srcport"), QStringLiteral("sctp.checksum.status"),
                         QStringLiteral("sctp.data_tsn_raw"), QStringLiteral("sctp.forward_tsn_tsn"),
                         QStringLiteral("_ws.malformed"), QStringLiteral("_ws.expert.severity") },
                     &frames, &error),
            qPrintable(error));
        QCOMPARE(frames.size(), capture.packets);

        std::map<quint32, int> tsnCount;
        QSet<quint32> forwardTsns;
        for (const QList<QByteArray>& f : frames) {
            QCOMPARE(f.size(), 7);
            QVERIFY2(f[2] == "1", ("checksum not good in frame " + f[0]).constData()); // 1 = good
            QVERIFY2(f[5].isEmpty(), ("malformed frame " + f[0]).constData());
            if (f[1] != QByteArray::number(client->localPort()))
                continue;
            for (const QByteArray& t : f[3].split(','))
                if (!t.isEmpty())
                    ++tsnCount[t.toUInt()];
            for (const QByteArray& t : f[4].split(','))
                if (!t.isEmpty())
                    forwardTsns.insert(t.toUInt());
        }
        QSet<quint32> tsharkRetransmitted;
        for (const auto& [tsn, n] : tsnCount)
            if (n > 1)
                tsharkRetransmitted.insert(tsn);
        QSet<quint32> ourRetransmitted, ourForward;
        const QString clientLane = QStringLiteral("10.0.0.1:9899");
        for (const auto& e : lab.events(trace::Kind::SctpRetransmission))
            if (e.from == clientLane)
                ourRetransmitted.insert(quint32(e.c));
        for (const auto& e : lab.events(trace::Kind::SctpForwardTsn))
            if (e.from == clientLane)
                ourForward.insert(quint32(e.c));
        QVERIFY(!tsharkRetransmitted.isEmpty());
        QCOMPARE(tsharkRetransmitted, ourRetransmitted);
        QVERIFY(!forwardTsns.isEmpty());
        QCOMPARE(forwardTsns, ourForward);
    }

    // sctp_sendmsg(3): "the stack passes this value without regard to byte order". Through the
    // API the 32 bits go into the DATA chunk as they are in memory (tshark reads them in network
    // order) and come back to the receiver as they were; ladderctl takes the number as Wireshark
    // shows it and puts it in network order itself.
    void ppidIsPassedWithoutRegardToByteOrder()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("tshark is not installed (packaging/install-deps.sh --test installs it)"));
        Lab lab(3);
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        SendInfo raw;
        raw.ppid = 0x01020304u;
        QVERIFY(client->send("raw", raw));
        SendInfo wire51;
        wire51.ppid = qToBigEndian(quint32(51));
        QVERIFY(client->send("fifty-one", wire51));
        QVERIFY(Lab::waitFor([&] { return server->messageCount() == 2; }));
        QCOMPARE(server->receive()->ppid, 0x01020304u); // as given, both ways
        QCOMPARE(server->receive()->ppid, qToBigEndian(quint32(51)));

        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("ppid.pcapng")));
        const SentCapture capture = writeSentPackets(lab.journal(), file);
        QVERIFY2(capture.ok, qPrintable(capture.error));
        QList<QList<QByteArray>> frames;
        QString error;
        QVERIFY2(tsharkFields(tshark, file.fileName(), {}, { QStringLiteral("sctp.data_payload_proto_id") }, &frames, &error),
            qPrintable(error));
        QList<quint32> onTheWire;
        for (const QList<QByteArray>& f : frames)
            for (const QByteArray& v : f.value(0).split(','))
                if (!v.isEmpty())
                    onTheWire << v.toUInt();
        // The memory bytes 04 03 02 01 (little-endian 0x01020304) read in network order, then 51.
        QCOMPARE(onTheWire, (QList<quint32> { qFromBigEndian(quint32(0x01020304u)), 51u }));

        // ladderctl: --ppid 51 is 51 on the wire (its own decode of the DATA chunk it sent) and at
        // the listener.
        QProcess listener;
        listener.start(QStringLiteral(LADDERCTL_EXE),
            { QStringLiteral("listen"), QStringLiteral("sctp"), QStringLiteral("--on"), QStringLiteral("127.0.0.1:5000"),
                QStringLiteral("--udp-port"), QStringLiteral("0"), QStringLiteral("--count"), QStringLiteral("1"),
                QStringLiteral("--duration"), QStringLiteral("20") });
        QVERIFY(listener.waitForStarted(10000));
        QByteArray heard;
        while (!heard.contains("listening on") && listener.waitForReadyRead(10000))
            heard += listener.readAllStandardOutput();
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("over UDP 127\\.0\\.0\\.1:(\\d+)"))
                                              .match(QString::fromUtf8(heard));
        QVERIFY2(m.hasMatch(), heard.constData());
        QProcess sender;
        sender.start(QStringLiteral(LADDERCTL_EXE),
            { QStringLiteral("send"), QStringLiteral("sctp"), QStringLiteral("--to"), QStringLiteral("127.0.0.1:5000"),
                QStringLiteral("--udp-port"), m.captured(1), QStringLiteral("--ppid"), QStringLiteral("51"),
                QStringLiteral("hello") });
        QVERIFY(sender.waitForFinished(30000));
        const QByteArray said = sender.readAllStandardOutput();
        QCOMPARE(sender.exitCode(), 0);
        QVERIFY2(said.contains("PPID=51"), said.constData());
        QVERIFY(listener.waitForFinished(20000));
        heard += listener.readAllStandardOutput();
        QVERIFY2(heard.contains("PPID 51"), heard.constData());
    }
};

QTEST_GUILESS_MAIN(TestSctpTshark)
#include "tst_sctp_tshark.moc"
