// SPDX-License-Identifier: GPL-3.0-or-later
// Live capture in the window (File ▸ Capture…): a capture on lo while SIP goes over UDP and TCP on
// loopback fills the journal, the transactions and dialogs views and the status bar as the packets
// arrive; Stop keeps what was captured; a bad filter is refused with libpcap's words and leaves
// the window as it was; opening a file stops the capture.
#include "capturesession.h"
#include "capture/hep/hepingest.h"
#include "capture/hep/heplistener.h"
#include "capture/live/pipeline.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "labsession.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "testskip.h"
#include "../capture/sipcall.h"

#include <QLabel>
#include <QMenu>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <unistd.h>

using namespace ladder;

class TstCaptureGui : public QObject {
    Q_OBJECT

    static int freePort()
    {
        QUdpSocket s;
        s.bind(QHostAddress::LocalHost, 0);
        return s.localPort();
    }

private slots:
    void init()
    {
        if (geteuid() != 0 && QByteArray(QTest::currentTestFunction()) != "labIsMirroredToHep")
            LADDERLAB_SKIP(QStringLiteral("capturing on lo needs root (or cap_net_raw,cap_net_admin)"));
    }

    // File ▸ Mirror to HEP Collector: a lab lesson's SIP goes to a HEP listener as it happens, each
    // message once (the lab holds both ends' copies of it), with the lab ends' addresses.
    void labIsMirroredToHep()
    {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::LabSession lab { stack, window };
        ui::CaptureSession capture { stack, window };
        QList<trace::Event> received;
        trace::CapturePipeline pipeline([&](trace::Event&& e) { received.append(std::move(e)); });
        trace::hep::Ingest ingest(pipeline);
        trace::hep::Listener listener(ingest);
        QString error;
        QVERIFY2(listener.listenUdp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        QVERIFY(!capture.startMirror(QStringLiteral("udp:nowhere:1"), &error));
        QVERIFY2(error.contains(QLatin1String("HOST:PORT")), qPrintable(error));
        QVERIFY2(capture.startMirror(QStringLiteral("udp:127.0.0.1:%1").arg(listener.udpPort()), &error), qPrintable(error));
        QVERIFY(capture.mirroring());
        lab.start(QStringLiteral("register"));
        auto sentSip = [&] {
            quint64 n = 0;
            stack.journal()->forEach(0, stack.journal()->count(), [&](const trace::Event& e) {
                if ((e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission) && e.dir == trace::Dir::Tx)
                    ++n;
            });
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sentSip() >= 4, 10000);
        QTest::qWait(500);
        QTRY_COMPARE_WITH_TIMEOUT(ingest.stats().fed, sentSip(), 5000);
        const QString summary = capture.mirrorSummary();
        QVERIFY2(summary.contains(QStringLiteral("%1 SIP message(s) sent").arg(sentSip())), qPrintable(summary));
        capture.stopMirror();
        QVERIFY(!capture.mirroring());
        QVERIFY(!received.isEmpty());
    }

    void callOnLoopbackFillsTheViewsLive()
    {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::LabSession lab { stack, window };
        ui::CaptureSession capture { stack, window };
        window.show();

        // The File menu offers it.
        QStringList items;
        for (QAction* a : window.fileMenu()->actions())
            items << a->text();
        QVERIFY2(items.contains(QStringLiteral("&Capture…")) && items.contains(QStringLiteral("S&top Capture")),
            qPrintable(items.join(QLatin1Char('|'))));

        const int udpPort = freePort();
        trace::LiveCaptureOptions o;
        o.device = QStringLiteral("lo");
        o.filter = QStringLiteral("port %1").arg(udpPort);
        QString error;
        QVERIFY2(capture.start(o, &error), qPrintable(error));
        QVERIFY(capture.running());
        QVERIFY(window.statusBar()->findChildren<QLabel*>().size() > 0);

        // A call's messages over UDP, caller and callee both on loopback: nobody listens, the
        // capture sees them all the same.
        QUdpSocket caller, callee;
        QVERIFY(caller.bind(QHostAddress::LocalHost, 0));
        QVERIFY(callee.bind(QHostAddress::LocalHost, quint16(udpPort)));
        const auto call = test::sipCall("gui-capture-1", caller.localPort(), udpPort);
        for (const test::SipPacket& p : call) {
            if (p.fromCaller)
                caller.writeDatagram(p.bytes, QHostAddress::LocalHost, quint16(udpPort));
            else
                callee.writeDatagram(p.bytes, QHostAddress::LocalHost, caller.localPort());
            QTest::qWait(20);
        }
        // The views fill while the capture runs (refreshed four times a second).
        // Two transactions: the INVITE's and the BYE's (the ACK of a 2xx has none, RFC 3261 §17).
        QTRY_COMPARE_WITH_TIMEOUT(window.transactionModel()->rowCount(), 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(window.dialogModel()->rowCount() >= 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(capture.figures().frames, quint64(call.size()), 5000);
        QCOMPARE(capture.figures().ignored, quint64(0));
        quint64 sip = 0;
        stack.journal()->forEach(0, stack.journal()->count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::SipMessage)
                ++sip;
        });
        QCOMPARE(sip, quint64(call.size()));
        bool statusNamesIt = false;
        for (QLabel* l : window.statusBar()->findChildren<QLabel*>())
            statusNamesIt |= l->text().startsWith(QLatin1String("lo: 7 frames"));
        QVERIFY(statusNamesIt);

        // Stop: the capture's events and tables stay.
        const quint64 count = stack.journal()->count();
        capture.stop();
        QVERIFY(!capture.running());
        caller.writeDatagram(call[0].bytes, QHostAddress::LocalHost, quint16(udpPort));
        QTest::qWait(300);
        QCOMPARE(stack.journal()->count(), count);
        QCOMPARE(window.transactionModel()->rowCount(), 2);
    }

    void tcpSegmentsAreReassembledLive()
    {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::CaptureSession capture { stack, window };
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        trace::LiveCaptureOptions o;
        o.device = QStringLiteral("lo");
        o.filter = QStringLiteral("tcp port %1").arg(server.serverPort());
        QString error;
        QVERIFY2(capture.start(o, &error), qPrintable(error));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(3000));
        // One message in three writes, flushed apart, then two in one write.
        const auto call = test::sipCall("gui-capture-tcp", client.localPort(), server.serverPort());
        const QByteArray first = call[0].bytes;
        for (int cut : { 0, 40, 200 }) {
            const int next = cut == 200 ? int(first.size()) : cut == 0 ? 40 : 200;
            client.write(first.mid(cut, next - cut));
            QVERIFY(client.waitForBytesWritten(1000));
            QTest::qWait(30);
        }
        client.write(call[4].bytes + call[5].bytes);
        QVERIFY(client.waitForBytesWritten(1000));
        QTRY_COMPARE_WITH_TIMEOUT(window.transactionModel()->rowCount(), 2, 5000);
        QList<QByteArray> seen;
        stack.journal()->forEach(0, stack.journal()->count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::SipMessage)
                seen << e.raw;
        });
        QCOMPARE(seen, (QList<QByteArray> { call[0].bytes, call[4].bytes, call[5].bytes }));
        capture.stop();
    }

    void badFilterIsRefusedWithLibpcapsWords()
    {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::CaptureSession capture { stack, window };
        trace::LiveCaptureOptions o;
        o.device = QStringLiteral("lo");
        o.filter = QStringLiteral("port port port");
        QString error;
        QVERIFY(!capture.start(o, &error));
        QVERIFY2(error.contains(QLatin1String("syntax error")), qPrintable(error));
        QVERIFY(!capture.running());
        o.device = QStringLiteral("nosuchif9");
        o.filter.clear();
        QVERIFY(!capture.start(o, &error));
        QVERIFY2(error.contains(QLatin1String("nosuchif9")), qPrintable(error));
    }

    void openingAFileStopsTheCapture()
    {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::CaptureSession capture { stack, window };
        trace::LiveCaptureOptions o;
        o.device = QStringLiteral("lo");
        o.filter = QStringLiteral("port %1").arg(freePort());
        QString error;
        QVERIFY2(capture.start(o, &error), qPrintable(error));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"kind\":\"log\",\"text\":\"hello\"}\n");
        f.close();
        window.openFile(path, &error);
        QVERIFY(!capture.running());
    }
};

QTEST_MAIN(TstCaptureGui)
#include "tst_capture_gui.moc"
