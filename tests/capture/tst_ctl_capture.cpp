// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl capture on lo: SIP sent over loopback while it captures is reconstructed; the frames
// go to a pcapng the file reader reads back; a bad filter is refused with libpcap's words; without
// privileges the message names setcap (run as nobody with every capability dropped).
#include "sipcall.h"
#include "testprocess.h"
#include "testskip.h"

#include "capture/capturereader.h"
#include "capture/hep/hep.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <unistd.h>

using namespace ladder;

namespace {

// ladderctl capture ARGS, until it says it captures.
struct Ctl : test::TestProcess {
    bool start(const QStringList& args)
    {
        return TestProcess::start(QStringLiteral(LADDERCTL_EXE), QStringList { QStringLiteral("capture") } + args)
            && waitFor("capturing on ");
    }
};

} // namespace

class TestCtlCapture : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void loopbackCall();
    void mirrorsToHep();
    void badFilter();
    void noSuchDevice();
    void permission();

private:
    bool m_canCapture = false;
};

void TestCtlCapture::initTestCase()
{
    m_canCapture = geteuid() == 0;
}

// A SIP call between two loopback sockets, on ports of its own (other suites use 5060 on lo).
void TestCtlCapture::loopbackCall()
{
    if (!m_canCapture)
        LADDERLAB_SKIP(QStringLiteral("capturing on lo needs root (or cap_net_raw,cap_net_admin on ladderctl)"));
    QUdpSocket caller, callee;
    QVERIFY(caller.bind(QHostAddress::LocalHost, 0));
    QVERIFY(callee.bind(QHostAddress::LocalHost, 0));
    const quint16 a = caller.localPort(), b = callee.localPort();
    QTemporaryDir dir;
    const QString pcapng = dir.filePath(QStringLiteral("lo.pcapng"));
    const QString trace = dir.filePath(QStringLiteral("lo.jsonl"));
    Ctl ctl;
    QVERIFY2(ctl.start({ QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"), QStringLiteral("udp port %1").arg(b),
                 QStringLiteral("--count"), QStringLiteral("7"), QStringLiteral("--duration"), QStringLiteral("20"),
                 QStringLiteral("--pcap"), pcapng, QStringLiteral("--trace"), trace }),
        (ctl.out + ctl.err).constData());
    QVERIFY2(ctl.out.contains("capturing on lo (Ethernet"), ctl.out.constData());
    for (const test::SipPacket& s : test::sipCall("lo-call", a, b)) {
        QUdpSocket& from = s.fromCaller ? caller : callee;
        QCOMPARE(from.writeDatagram(s.bytes, QHostAddress::LocalHost, s.fromCaller ? b : a), qint64(s.bytes.size()));
        QTest::qWait(20);
    }
    // --count 7 ends it.
    QVERIFY2(ctl.waitForEnd(15000), ctl.out.constData());
    const QString errs = QString::fromUtf8(ctl.err);
    QCOMPARE(ctl.p.exitCode(), 0);
    const QString o = QString::fromUtf8(ctl.out);
    QVERIFY2(o.contains(QLatin1String("transactions (reconstructed): 2")), qPrintable(o + errs));
    QVERIFY2(o.contains(QLatin1String("dialogs (reconstructed): 1")), qPrintable(o));
    QVERIFY2(o.contains(QStringLiteral("127.0.0.1:%1 \u2192 127.0.0.1:%2").arg(a).arg(b)), qPrintable(o));
    QVERIFY2(o.contains(QLatin1String("capture: 7 frame(s) on lo")), qPrintable(o));
    QVERIFY2(QRegularExpression(QStringLiteral("libpcap: \\d+ received, 0 dropped by the kernel")).match(o).hasMatch(), qPrintable(o));
    // The pcapng holds the frames as captured: read back, the same seven SIP messages.
    int sip = 0;
    const trace::CaptureReadResult r = trace::readCaptureFile(pcapng, [&sip](trace::Event&& e) {
        if (e.kind == trace::Kind::SipMessage)
            ++sip;
    });
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QStringLiteral("pcapng"));
    QCOMPARE(r.packets, quint64(7));
    QCOMPARE(sip, 7);
    QVERIFY(QFile::exists(trace));
}

// --hep-to: what the capture sees goes on to a HEP collector (a UDP socket here) as HEPv3 with the
// agent id, the captured bytes and addresses; a bad target is a usage error.
void TestCtlCapture::mirrorsToHep()
{
    if (!m_canCapture)
        LADDERLAB_SKIP(QStringLiteral("capturing on lo needs root (or cap_net_raw,cap_net_admin on ladderctl)"));
    QUdpSocket caller, callee, collector;
    QVERIFY(caller.bind(QHostAddress::LocalHost, 0));
    QVERIFY(callee.bind(QHostAddress::LocalHost, 0));
    QVERIFY(collector.bind(QHostAddress::LocalHost, 0));
    const quint16 a = caller.localPort(), b = callee.localPort();
    Ctl ctl;
    QVERIFY2(ctl.start({ QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"), QStringLiteral("udp port %1").arg(b),
                 QStringLiteral("--count"), QStringLiteral("7"), QStringLiteral("--duration"), QStringLiteral("20"),
                 QStringLiteral("--quiet"), QStringLiteral("--hep-to"),
                 QStringLiteral("udp:127.0.0.1:%1").arg(collector.localPort()), QStringLiteral("--hep-id"),
                 QStringLiteral("77") }),
        (ctl.out + ctl.err).constData());
    const auto call = test::sipCall("hep-mirror", a, b);
    for (const test::SipPacket& s : call) {
        QUdpSocket& from = s.fromCaller ? caller : callee;
        QCOMPARE(from.writeDatagram(s.bytes, QHostAddress::LocalHost, s.fromCaller ? b : a), qint64(s.bytes.size()));
        QTest::qWait(20);
    }
    QVERIFY2(ctl.waitForEnd(15000), ctl.out.constData());
    QCOMPARE(ctl.p.exitCode(), 0);
    QVERIFY2(ctl.out.contains("hep: 7 SIP message(s) mirrored to udp:127.0.0.1:"), ctl.out.constData());
    QList<trace::hep::Packet> got;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            while (collector.hasPendingDatagrams()) {
                QByteArray d(int(collector.pendingDatagramSize()), '\0');
                collector.readDatagram(d.data(), d.size());
                const trace::hep::DecodeResult r = trace::hep::decode(d);
                if (r.ok)
                    got.append(r.packet);
            }
            return got.size() >= call.size();
        }(),
        5000);
    QCOMPARE(got.size(), call.size());
    for (qsizetype i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i].payload, call[i].bytes);
        QCOMPARE(got[i].agentId, quint32(77));
        QCOMPARE(got[i].ipProto, quint8(17));
        QCOMPARE(got[i].srcPort, call[i].fromCaller ? a : b);
        QVERIFY(got[i].tsSec > 1'600'000'000u); // the capture's wall-clock time
    }

    QProcess bad;
    bad.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"),
                                                 QStringLiteral("--hep-to"), QStringLiteral("udp:collector:9060") });
    QVERIFY(bad.waitForFinished(10000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("is not [udp:|tcp:]HOST:PORT"));
}

void TestCtlCapture::badFilter()
{
    if (!m_canCapture)
        LADDERLAB_SKIP(QStringLiteral("opening lo needs root"));
    QProcess p;
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"),
                                               QStringLiteral("port 5060 andd udp") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 1);
    const QString e = QString::fromUtf8(p.readAllStandardError());
    // libpcap's own message, after ours.
    QVERIFY2(e.contains(QLatin1String("bad capture filter 'port 5060 andd udp': ")) && e.contains(QLatin1String("syntax error")),
        qPrintable(e));
}

void TestCtlCapture::noSuchDevice()
{
    QProcess p;
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("nosuchif9"), QStringLiteral("--duration"), QStringLiteral("1") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 1);
    const QString e = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(e.contains(QLatin1String("nosuchif9")) && (e.contains(QLatin1String("no such device")) || e.contains(QLatin1String("permission"))),
        qPrintable(e));
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("capture") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
}

// Without CAP_NET_RAW: as nobody, every capability dropped (inheritable and ambient too).
void TestCtlCapture::permission()
{
    if (geteuid() != 0)
        LADDERLAB_SKIP(QStringLiteral("dropping to nobody needs root"));
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("setpriv (util-linux) is not installed"));
    QProcess p;
    p.start(setpriv, { QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"), QStringLiteral("--clear-groups"),
                         QStringLiteral("--inh-caps=-all"), QStringLiteral(LADDERCTL_EXE), QStringLiteral("capture"), QStringLiteral("-i"),
                         QStringLiteral("lo"), QStringLiteral("--duration"), QStringLiteral("1") });
    QVERIFY(p.waitForFinished(10000));
    const QString e = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(e.contains(QLatin1String("no permission to capture on lo")), qPrintable(e));
    QVERIFY2(e.contains(QStringLiteral("setcap cap_net_raw,cap_net_admin+eip %1").arg(QStringLiteral(LADDERCTL_EXE))), qPrintable(e));
    QVERIFY2(e.contains(QLatin1String("run as root")), qPrintable(e));
}

QTEST_GUILESS_MAIN(TestCtlCapture)
#include "tst_ctl_capture.moc"
