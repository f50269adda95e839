// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl listen hep on loopback: fed by our own HEPv3 encoder over UDP and TCP, and by a real
// kamailio (siptrace in HEPv3 mode, trace_mode 1) proxying a sipp call; stopped by SIGTERM or
// --duration, it prints the reconstruction as `trace show` does and writes the JSONL journal; and
// `ladderctl send sip --hep-to` mirroring a stateful OPTIONS and its 200 (from `ladderctl listen
// sip`) into it, with the real addresses and the agent id given.
#include "sipcall.h"
#include "testprocess.h"
#include "testskip.h"

#include "capture/hep/hep.h"
#include "capture/jsonl.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace ladder;

namespace {

// `ladderctl listen hep`, with the ports it says it listens on.
struct Ctl : test::TestProcess {
    quint16 udpPort = 0, tcpPort = 0;

    bool start(const QStringList& args)
    {
        if (!TestProcess::start(QStringLiteral(LADDERCTL_EXE), QStringList { QStringLiteral("listen"), QStringLiteral("hep") } + args))
            return false;
        const QRegularExpression line(QStringLiteral("listening for HEP on (.*)\n"));
        QDeadlineTimer deadline(10000);
        QRegularExpressionMatch m;
        while (!(m = line.match(QString::fromUtf8(out))).hasMatch()) {
            if (deadline.hasExpired() || p.state() != QProcess::Running)
                return false;
            p.waitForReadyRead(50);
            pump();
        }
        const QRegularExpression port(QStringLiteral("(udp|tcp):127\\.0\\.0\\.1:(\\d+)"));
        for (auto it = port.globalMatch(m.captured(1)); it.hasNext();) {
            const auto pm = it.next();
            (pm.captured(1) == QLatin1String("udp") ? udpPort : tcpPort) = quint16(pm.captured(2).toUInt());
        }
        return true;
    }
};

QList<QByteArray> callFrames(quint8 proto, const QByteArray& callId)
{
    QList<QByteArray> frames;
    quint32 usec = 500000;
    for (const test::SipPacket& s : test::sipCall(callId)) {
        trace::hep::Packet p;
        p.ipProto = proto;
        p.srcAddr = p.dstAddr = QByteArray("\x7f\x00\x00\x01", 4);
        p.srcPort = s.fromCaller ? 5062 : 5060;
        p.dstPort = s.fromCaller ? 5060 : 5062;
        p.tsSec = 1700000000;
        p.tsUsec = usec;
        usec += 10000;
        p.hasAgentId = true;
        p.agentId = 2001;
        p.payload = s.bytes;
        QByteArray f;
        trace::hep::encode(p, &f);
        frames.append(f);
    }
    return frames;
}

quint16 freeUdpPort()
{
    QUdpSocket s;
    s.bind(QHostAddress::LocalHost, 0);
    return s.localPort();
}

} // namespace

class TestCtlHep : public QObject {
    Q_OBJECT
private slots:
    void ourEncoderUdpAndTcp();
    void durationAndAuthKey();
    void usage();
    void kamailioSiptrace();
    void sendSipMirrorsToHep();
};

void TestCtlHep::ourEncoderUdpAndTcp()
{
    QTemporaryDir dir;
    const QString trace = dir.filePath(QStringLiteral("hep.jsonl"));
    Ctl ctl;
    QVERIFY2(ctl.start({ QStringLiteral("--on"), QStringLiteral("udp:127.0.0.1:0"), QStringLiteral("--on"),
                 QStringLiteral("tcp:127.0.0.1:0"), QStringLiteral("--trace"), trace }),
        ctl.out.constData());
    QVERIFY(ctl.udpPort && ctl.tcpPort);
    QUdpSocket udp;
    for (const QByteArray& f : callFrames(17, "ctl-udp"))
        udp.writeDatagram(f, QHostAddress::LocalHost, ctl.udpPort);
    QTcpSocket tcp;
    tcp.connectToHost(QHostAddress::LocalHost, ctl.tcpPort);
    QVERIFY(tcp.waitForConnected(5000));
    const QByteArray stream = callFrames(6, "ctl-tcp").join();
    tcp.write(stream.left(100)); // a frame split across segments…
    tcp.flush();
    QTest::qWait(50);
    tcp.write(stream.mid(100)); // …and several in one
    tcp.flush();
    // Every message printed as it arrives: 14 SIP messages (the BYE's 200 of each call last).
    QTRY_VERIFY2_WITH_TIMEOUT(ctl.waitFor("SIP/2.0 200 OK [HEPv3 agent 2001]", false, 100) && ctl.out.count("sip.message") >= 14,
        (ctl.out.right(600) + ctl.err).constData(), 10000);
    tcp.disconnectFromHost();
    QCOMPARE(ctl.stop(), 0);
    const QString o = QString::fromUtf8(ctl.out);
    QVERIFY2(o.contains(QLatin1String("transactions (reconstructed): 4")), qPrintable(o));
    QVERIFY2(o.contains(QLatin1String("dialogs (reconstructed): 2")), qPrintable(o));
    QVERIFY2(o.contains(QLatin1String("hep: 14 packet(s) decoded, 14 fed")), qPrintable(o));
    QVERIFY2(o.contains(QString::fromUtf8("127.0.0.1:5062 \u2192 127.0.0.1:5060")), qPrintable(o));
    QVERIFY2(o.contains(QLatin1String("journal written to")), qPrintable(o));
    // The journal: every event, the capture's own epoch.
    qint64 epoch = 0;
    int sip = 0;
    const trace::JsonlReadResult r = trace::readJsonlFile(trace, [&](trace::Event&& e) {
        if (e.kind == trace::Kind::SipMessage)
            ++sip;
    });
    epoch = r.epochNs;
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(sip, 14);
    QCOMPARE(epoch, qint64(1700000000500000000));
}

void TestCtlHep::durationAndAuthKey()
{
    Ctl ctl;
    QVERIFY(ctl.start({ QStringLiteral("--on"), QStringLiteral("udp:127.0.0.1:0"), QStringLiteral("--duration"),
        QStringLiteral("1.5"), QStringLiteral("--auth-key"), QStringLiteral("k1") }));
    QUdpSocket udp;
    const QList<QByteArray> frames = callFrames(17, "auth");
    udp.writeDatagram(frames[0], QHostAddress::LocalHost, ctl.udpPort); // no key: refused
    udp.writeDatagram("\x02\x10\x07", QHostAddress::LocalHost, ctl.udpPort); // malformed
    QVERIFY(ctl.waitForEnd(10000));
    const QString errs = QString::fromUtf8(ctl.err);
    QCOMPARE(ctl.p.exitCode(), 0);
    QVERIFY2(errs.contains(QLatin1String("HEP packet refused: no authentication key")), qPrintable(errs));
    QVERIFY2(errs.contains(QLatin1String("HEPv2 header truncated")), qPrintable(errs));
    QVERIFY2(ctl.out.contains("1 malformed, 1 refused"), ctl.out.constData());
    QVERIFY2(ctl.out.contains("transactions (reconstructed): 0"), ctl.out.constData());
}

void TestCtlHep::usage()
{
    QProcess p;
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("listen"), QStringLiteral("hep"), QStringLiteral("--on"), QStringLiteral("nowhere") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("is not [udp:|tcp:]HOST:PORT"));
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("listen"), QStringLiteral("hep"), QStringLiteral("--help") });
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardOutput().contains("--auth-key"));
    p.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("listen"), QStringLiteral("nothing") });
    QVERIFY(p.waitForFinished(10000));
    QVERIFY(p.readAllStandardError().contains("listen hep --on"));
}

// kamailio proxies a sipp call (uac → kamailio → uas) and mirrors every message it receives and
// sends to us with siptrace: HEPv3, trace_mode 1 (core events; tracing itself is off until
// trace_on), capture id 2001.
void TestCtlHep::kamailioSiptrace()
{
    const QString kamailio = QStandardPaths::findExecutable(QStringLiteral("kamailio"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
    const QString sipp = QStandardPaths::findExecutable(QStringLiteral("sipp"));
    if (kamailio.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("kamailio is not installed (bash packaging/install-deps.sh --test)"));
    if (sipp.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("sipp is not installed (Debian: sip-tester)"));
    QString modules = QStringLiteral("/usr/lib/x86_64-linux-gnu/kamailio/modules");
    for (const QString& m : { QStringLiteral("/usr/lib/x86_64-linux-gnu/kamailio/modules"), QStringLiteral("/usr/lib/aarch64-linux-gnu/kamailio/modules"),
             QStringLiteral("/usr/lib/kamailio/modules") })
        if (QFile::exists(m + QStringLiteral("/siptrace.so")))
            modules = m;
    if (!QFile::exists(modules + QStringLiteral("/siptrace.so")))
        LADDERLAB_SKIP(QStringLiteral("kamailio's siptrace module is not installed"));

    Ctl ctl;
    QVERIFY(ctl.start({ QStringLiteral("--on"), QStringLiteral("udp:127.0.0.1:0") }));
    const quint16 proxyPort = freeUdpPort(), uasPort = freeUdpPort(), uacPort = freeUdpPort();
    QTemporaryDir dir;
    const QString cfg = dir.filePath(QStringLiteral("kamailio.cfg"));
    QFile f(cfg);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("#!KAMAILIO\n"
                           "debug=2\nlog_stderror=yes\nchildren=1\nauto_aliases=no\ndisable_tcp=yes\n"
                           "listen=udp:127.0.0.1:%1\n"
                           "mpath=\"%2/\"\n"
                           "loadmodule \"sl.so\"\nloadmodule \"tm.so\"\nloadmodule \"siptrace.so\"\n"
                           "modparam(\"siptrace\", \"duplicate_uri\", \"sip:127.0.0.1:%3\")\n"
                           "modparam(\"siptrace\", \"hep_mode_on\", 1)\n"
                           "modparam(\"siptrace\", \"hep_version\", 3)\n"
                           "modparam(\"siptrace\", \"hep_capture_id\", 2001)\n"
                           "modparam(\"siptrace\", \"trace_to_database\", 0)\n"
                           "modparam(\"siptrace\", \"trace_mode\", 1)\n"
                           "modparam(\"siptrace\", \"trace_on\", 1)\n"
                           "request_route {\n"
                           "    t_relay_to_udp(\"127.0.0.1\", \"%4\");\n"
                           "    exit;\n"
                           "}\n")
                .arg(proxyPort)
                .arg(modules)
                .arg(ctl.udpPort)
                .arg(uasPort)
                .toUtf8());
    f.close();

    QProcess kam;
    kam.setProcessChannelMode(QProcess::MergedChannels);
    kam.start(kamailio, { QStringLiteral("-f"), cfg, QStringLiteral("-DD"), QStringLiteral("-E"), QStringLiteral("-Y"), dir.path(),
                            QStringLiteral("-w"), dir.path() });
    QVERIFY(kam.waitForStarted(5000));
    auto stopKamailio = qScopeGuard([&kam] {
        if (kam.state() != QProcess::NotRunning) {
            kam.terminate();
            if (!kam.waitForFinished(10000)) {
                kam.kill();
                kam.waitForFinished(5000);
            }
        }
    });
    // Ready once its UDP port answers: sipp retransmits the INVITE anyway, give it a moment.
    QTest::qWait(1000);
    QVERIFY2(kam.state() == QProcess::Running, kam.readAll().constData());

    const QStringList common { QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-m"), QStringLiteral("1"),
        QStringLiteral("-timeout"), QStringLiteral("20s"), QStringLiteral("-nostdin"), QStringLiteral("-trace_err") };
    QProcess uas, uac;
    uas.setWorkingDirectory(dir.path());
    uac.setWorkingDirectory(dir.path());
    uas.start(sipp, QStringList { QStringLiteral("-sn"), QStringLiteral("uas"), QStringLiteral("-p"), QString::number(uasPort) } + common);
    QVERIFY(uas.waitForStarted(5000));
    QTest::qWait(300);
    uac.start(sipp, QStringList { QStringLiteral("-sn"), QStringLiteral("uac"), QStringLiteral("127.0.0.1:%1").arg(proxyPort),
                        QStringLiteral("-p"), QString::number(uacPort), QStringLiteral("-d"), QStringLiteral("200") }
            + common);
    QVERIFY(uac.waitForStarted(5000));
    QVERIFY2(uac.waitForFinished(30000), "sipp uac did not finish");
    const bool uasDone = uas.waitForFinished(10000);
    if (!uasDone) {
        uas.kill();
        uas.waitForFinished(5000);
    }
    QVERIFY2(uac.exitCode() == 0, (uac.readAllStandardOutput().right(2000) + kam.readAll().right(3000)).constData());
    // The mirror of the last message (the BYE's 200 leaving kamailio) may trail the call a little.
    QTRY_VERIFY_WITH_TIMEOUT(ctl.waitFor("[HEPv3 agent 2001]", false, 100) && ctl.out.count("SIP/2.0 200 OK [HEPv3") >= 4, 10000);
    QCOMPARE(ctl.stop(), 0);
    const QString o = QString::fromUtf8(ctl.out);
    // Each message twice (into and out of the proxy): INVITE and BYE transactions on both legs.
    QVERIFY2(o.contains(QLatin1String("INVITE sip:service@127.0.0.1")), qPrintable(o));
    QVERIFY2(o.contains(QStringLiteral("127.0.0.1:%1 \u2192 127.0.0.1:%2").arg(uacPort).arg(proxyPort)), qPrintable(o));
    QVERIFY2(o.contains(QStringLiteral("127.0.0.1:%1 \u2192 127.0.0.1:%2").arg(proxyPort).arg(uasPort)), qPrintable(o));
    const QRegularExpressionMatch tx = QRegularExpression(QStringLiteral("transactions \\(reconstructed\\): (\\d+)")).match(o);
    QVERIFY2(tx.hasMatch() && tx.captured(1).toInt() >= 4, qPrintable(o));
    QVERIFY2(o.contains(QLatin1String("INVITE client")), qPrintable(o));
    const QRegularExpressionMatch dialogs = QRegularExpression(QStringLiteral("dialogs \\(reconstructed\\): (\\d+)")).match(o);
    QVERIFY2(dialogs.hasMatch() && dialogs.captured(1).toInt() >= 1, qPrintable(o));
    QVERIFY2(o.contains(QLatin1String(" 0 malformed, 0 refused")), qPrintable(o));
}

// ladderctl send sip --hep-to: the OPTIONS it sends and the 200 it receives, as HEPv3 with agent
// 4242, arrive at ladderctl listen hep, which reconstructs the transaction.
void TestCtlHep::sendSipMirrorsToHep()
{
    Ctl collector;
    QVERIFY(collector.start({ QStringLiteral("--on"), QStringLiteral("udp:127.0.0.1:0") }));
    const quint16 sipPort = freeUdpPort();
    QProcess uas;
    uas.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("listen"), QStringLiteral("sip"), QStringLiteral("--on"),
                                                 QStringLiteral("udp:127.0.0.1:%1").arg(sipPort), QStringLiteral("--count"), QStringLiteral("1") });
    QVERIFY(uas.waitForStarted(5000));
    auto stopUas = qScopeGuard([&uas] {
        if (uas.state() != QProcess::NotRunning) {
            uas.kill();
            uas.waitForFinished(5000);
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT((uas.waitForReadyRead(100), uas.peek(4096).contains("listening on")), 10000);
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("options.sip")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("OPTIONS sip:ping@127.0.0.1 SIP/2.0\nMax-Forwards: 70\nFrom: <sip:a@127.0.0.1>;tag=h1\nTo: <sip:ping@127.0.0.1>\n"
            "Call-ID: hep-mirror@127.0.0.1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
    f.close();
    QProcess send;
    send.start(QStringLiteral(LADDERCTL_EXE),
        { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"), QStringLiteral("udp:127.0.0.1:%1").arg(sipPort),
            QStringLiteral("--stateful"), QStringLiteral("--hep-to"), QStringLiteral("udp:127.0.0.1:%1").arg(collector.udpPort),
            QStringLiteral("--hep-id"), QStringLiteral("4242"), f.fileName() });
    QVERIFY(send.waitForFinished(20000));
    const QByteArray sent = send.readAllStandardOutput() + send.readAllStandardError();
    QVERIFY2(send.exitCode() == 0, sent.constData());
    QVERIFY2(sent.contains(QStringLiteral("hep: 2 SIP message(s) mirrored to udp:127.0.0.1:%1 as HEPv3 (agent 4242), 0 dropped")
                               .arg(collector.udpPort)
                               .toUtf8()),
        sent.constData());
    QVERIFY2(collector.waitFor("SIP/2.0 200 OK [HEPv3 agent 4242, name ladderlab]"), collector.out.constData());
    QVERIFY2(collector.out.contains("OPTIONS sip:ping@127.0.0.1 SIP/2.0 [HEPv3 agent 4242, name ladderlab]"), collector.out.constData());
    QCOMPARE(collector.stop(), 0);
    QVERIFY2(collector.out.contains("transactions (reconstructed): 1"), collector.out.constData()); // the client's side
    QVERIFY2(collector.out.contains(QStringLiteral("127.0.0.1:%1").arg(sipPort).toUtf8()), collector.out.constData());
    // A bad target is a usage error.
    send.start(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"),
                                                  QStringLiteral("udp:127.0.0.1:%1").arg(sipPort), QStringLiteral("--hep-to"),
                                                  QStringLiteral("nowhere"), f.fileName() });
    QVERIFY(send.waitForFinished(10000));
    QCOMPARE(send.exitCode(), 2);
    QVERIFY2(send.readAllStandardError().contains("send sip: --hep-to:"), "no reason given");
}

QTEST_GUILESS_MAIN(TestCtlHep)
#include "tst_ctl_hep.moc"
