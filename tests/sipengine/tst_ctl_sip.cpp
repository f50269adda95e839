// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sip / listen sip as a user runs them: two processes on loopback.
#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QProcess>
#include <QUdpSocket>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class TestCtlSip : public QObject {
    Q_OBJECT
private slots:
    void sendToListener_data();
    void sendToListener();
    void errorsAndUsage();
    void statefulAckReturnsOnceSent();

private:
    static QString ctl() { return QStringLiteral(LADDERCTL_EXE); }
    static QString writeMessage(QTemporaryDir& dir, const QByteArray& text)
    {
        const QString path = dir.filePath(QStringLiteral("m.sip"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(text);
        return path;
    }
};

namespace {
const QByteArray kOptions = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\n"
                            "Max-Forwards: 70\n"
                            "From: <sip:alice@127.0.0.1>;tag=a1\n"
                            "To: <sip:bob@127.0.0.1>\n"
                            "Call-ID: ctl-test@127.0.0.1\n"
                            "CSeq: 1 OPTIONS\n"
                            "Content-Length: 0\n\n";
}

void TestCtlSip::sendToListener_data()
{
    QTest::addColumn<QString>("proto");
    QTest::addColumn<int>("answer");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("udp 200") << QStringLiteral("udp") << 200 << 0;
    QTest::newRow("tcp 200") << QStringLiteral("tcp") << 200 << 0;
    QTest::newRow("udp 486") << QStringLiteral("udp") << 486 << 1;
    // SIP over SCTP (RFC 4168) in UDP encapsulation, both ends on ports the kernel picks.
    QTest::newRow("sctp 200") << QStringLiteral("sctp") << 200 << 0;
}

void TestCtlSip::sendToListener()
{
    QFETCH(QString, proto);
    QFETCH(int, answer);
    QFETCH(int, exitCode);
    QProcess listener;
    listener.start(ctl(),
        QStringList { QStringLiteral("listen"), QStringLiteral("sip"), QStringLiteral("--on"), proto + QStringLiteral(":127.0.0.1:0"),
            QStringLiteral("--answer"), QString::number(answer), QStringLiteral("--count"), QStringLiteral("1"),
            QStringLiteral("--duration"), QStringLiteral("30") }
            + (proto == QLatin1String("sctp") ? QStringList { QStringLiteral("--udp-port"), QStringLiteral("0") } : QStringList()));
    QVERIFY(listener.waitForStarted(10000));
    QByteArray out;
    while (!out.contains('\n') && listener.waitForReadyRead(10000))
        out += listener.readAllStandardOutput();
    const QRegularExpressionMatch m
        = QRegularExpression(QStringLiteral("listening on %1:127\\.0\\.0\\.1:(\\d+)").arg(proto)).match(QString::fromUtf8(out));
    QVERIFY2(m.hasMatch(), out.constData());
    QStringList extra;
    if (proto == QLatin1String("sctp")) {
        const QRegularExpressionMatch u
            = QRegularExpression(QStringLiteral("UDP encapsulation port (\\d+)")).match(QString::fromUtf8(out));
        QVERIFY2(u.hasMatch() && u.captured(1) != QLatin1String("0"), out.constData());
        extra = { QStringLiteral("--udp-port"), u.captured(1) };
    }
    QTemporaryDir dir;
    QProcess sender;
    sender.start(ctl(),
        QStringList { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"),
            proto + QStringLiteral(":127.0.0.1:") + m.captured(1), QStringLiteral("--stateful") }
            + extra + QStringList { writeMessage(dir, kOptions) });
    QVERIFY(sender.waitForFinished(30000));
    const QByteArray said = sender.readAllStandardOutput();
    QCOMPARE(sender.exitCode(), exitCode);
    QVERIFY2(said.contains("final response: " + QByteArray::number(answer)), said.constData());
    QVERIFY2(said.contains("non-INVITE client: Trying -> Completed"), said.constData());
    QVERIFY(listener.waitForFinished(10000));
    QCOMPARE(listener.exitCode(), 0);
    QVERIFY(listener.readAllStandardOutput().contains("non-INVITE server: Trying -> Completed"));
}

void TestCtlSip::errorsAndUsage()
{
    QTemporaryDir dir;
    QByteArray bad = kOptions;
    bad.replace("Max-Forwards", "Via: SIP/2.0/UDP 127.0.0.1:9;branch=1234\nMax-Forwards");
    QProcess p;
    p.start(ctl(), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"), QStringLiteral("udp:127.0.0.1:9"),
                       QStringLiteral("--stateful"), writeMessage(dir, bad) });
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("EINVAL: Via: branch '1234' is not an RFC 3261 branch"));
    QProcess usage;
    usage.start(ctl(), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"), QStringLiteral("udp:127.0.0.1") });
    QVERIFY(usage.waitForFinished(30000));
    QCOMPARE(usage.exitCode(), 2);
}

// An ACK has no transaction: `send sip --stateful` sends it statelessly, says so, and returns at
// once (it used to wait for a final response that never comes: an hour).
void TestCtlSip::statefulAckReturnsOnceSent()
{
    QUdpSocket peer;
    QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
    QByteArray ack = kOptions;
    ack.replace("OPTIONS sip:", "ACK sip:").replace("CSeq: 1 OPTIONS", "CSeq: 1 ACK");
    QTemporaryDir dir;
    QProcess p;
    QElapsedTimer clock;
    clock.start();
    p.start(ctl(), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"),
                       QStringLiteral("udp:127.0.0.1:%1").arg(peer.localPort()), QStringLiteral("--stateful"),
                       writeMessage(dir, ack) });
    QVERIFY(p.waitForFinished(30000));
    QVERIFY2(clock.elapsed() < 20000, "ladderctl waited for a response to an ACK");
    const QByteArray said = p.readAllStandardOutput();
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(said.contains("note: sent statelessly: an ACK has no transaction of its own"), said.constData());
    QTRY_VERIFY_WITH_TIMEOUT(peer.hasPendingDatagrams(), 5000);
    QVERIFY(peer.receiveDatagram().data().startsWith("ACK sip:bob@127.0.0.1 SIP/2.0"));
}

QTEST_GUILESS_MAIN(TestCtlSip)
#include "tst_ctl_sip.moc"
