// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sctp --to A,B and listen sctp --on A,B (issue 18.5): sctp_sendmsgx(3) with
// several addresses sets up one association with each address a path, against a multi-homed
// ladderctl listener on 127.0.0.1 and ::1 over real UDP encapsulation; bad lists are usage errors.
#include "testskip.h"

#include <QHostAddress>
#include <QProcess>
#include <QTest>
#include <QUdpSocket>

namespace {

// A UDP port free on both loopbacks for the listener's encapsulation socket.
quint16 freeUdpPort(QString* why)
{
    for (int attempt = 0; attempt < 20; ++attempt) {
        QUdpSocket v4, v6;
        if (!v4.bind(QHostAddress::LocalHost, 0)) {
            *why = v4.errorString();
            return 0;
        }
        if (v6.bind(QHostAddress::LocalHostIPv6, v4.localPort()))
            return v4.localPort();
        if (v6.error() == QAbstractSocket::UnsupportedSocketOperationError
            || v6.error() == QAbstractSocket::SocketAddressNotAvailableError) {
            *why = QStringLiteral("the IPv6 loopback ::1 is not available: %1").arg(v6.errorString());
            return 0;
        }
    }
    *why = QStringLiteral("no UDP port free on both loopbacks");
    return 0;
}

struct Run {
    int code = -1;
    QString out, err;
};

Run ladderctl(const QStringList& args, int timeoutMs = 20000)
{
    QProcess p;
    p.start(QStringLiteral(LADDERCTL_EXE), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TstCtlSctpMultiHome : public QObject {
    Q_OBJECT
private slots:
    void toWithTwoAddressesSetsUpOneTwoPathAssociation()
    {
        QString why;
        const quint16 udp = freeUdpPort(&why);
        if (!udp)
            LADDERLAB_SKIP(why);
        const QString port = QString::number(udp);
        const QString list = QStringLiteral("127.0.0.1:5000,[::1]:5000");
        QProcess listener;
        listener.start(QStringLiteral(LADDERCTL_EXE),
            { QStringLiteral("listen"), QStringLiteral("sctp"), QStringLiteral("--on"), list, QStringLiteral("--udp-port"), port,
                QStringLiteral("--duration"), QStringLiteral("8"), QStringLiteral("--count"), QStringLiteral("1"),
                QStringLiteral("--echo") });
        QByteArray heard;
        QVERIFY(QTest::qWaitFor(
            [&] {
                heard += listener.readAllStandardOutput();
                return heard.contains("listening") || listener.state() == QProcess::NotRunning;
            },
            10000));
        QVERIFY2(heard.contains("listening on SCTP port 5000 at 127.0.0.1, ::1"),
            qPrintable(heard + listener.readAllStandardError()));

        const Run sender = ladderctl({ QStringLiteral("send"), QStringLiteral("sctp"), QStringLiteral("--to"), list,
            QStringLiteral("--udp-port"), port, QStringLiteral("--ppid"), QStringLiteral("51"), QStringLiteral("--wait"),
            QStringLiteral("1500"), QStringLiteral("two paths") });
        QVERIFY2(sender.code == 0, qPrintable(sender.out + sender.err));
        QVERIFY2(sender.out.contains(QLatin1String("sent 9 bytes")), qPrintable(sender.out));
        // One association, both addresses paths of it, the first the primary.
        QCOMPARE(sender.out.count(QLatin1String("ASSOC_CHANGE COMM_UP")), 1);
        QVERIFY2(sender.out.contains(QLatin1String("path 127.0.0.1:5000: active (primary)")), qPrintable(sender.out));
        QVERIFY2(sender.out.contains(QLatin1String("path [::1]:5000: active")), qPrintable(sender.out));
        // The echo came back, PPID as sent.
        QVERIFY2(sender.out.contains(QLatin1String("received 9 bytes from 127.0.0.1:5000")), qPrintable(sender.out));
        QVERIFY2(sender.out.contains(QLatin1String("PPID 51: two paths")), qPrintable(sender.out));

        QVERIFY(listener.waitForFinished(15000));
        heard += listener.readAllStandardOutput();
        QVERIFY2(heard.contains("received 9 bytes from 127.0.0.1:"), heard.constData());
        // The listener learnt both of the sender's addresses from its INIT.
        QVERIFY2(heard.contains("PEER_ADDR_CHANGE [::1]:"), heard.constData());
        QVERIFY2(heard.contains("1 messages received"), heard.constData());
    }

    void badListsAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QStringList send { QStringLiteral("send"), QStringLiteral("sctp"), QStringLiteral("--to") };
        QTest::newRow("empty item") << send + QStringList { QStringLiteral("127.0.0.1:5000,"), QStringLiteral("x") }
                                    << QStringLiteral("an empty address");
        QTest::newRow("twice") << send + QStringList { QStringLiteral("127.0.0.1:5000,127.0.0.1:5000"), QStringLiteral("x") }
                               << QStringLiteral("listed twice");
        QTest::newRow("ports differ") << send + QStringList { QStringLiteral("127.0.0.1:5000,[::1]:5001"), QStringLiteral("x") }
                                      << QStringLiteral("share one port");
        QTest::newRow("not an address") << send + QStringList { QStringLiteral("127.0.0.1:5000,peer"), QStringLiteral("x") }
                                        << QStringLiteral("is not HOST:PORT");
        QTest::newRow("abort") << send + QStringList { QStringLiteral("127.0.0.1:5000,[::1]:5000"), QStringLiteral("--abort") }
                               << QStringLiteral("act on an association that exists");
        QTest::newRow("buf") << send
                + QStringList { QStringLiteral("127.0.0.1:5000,[::1]:5000"), QStringLiteral("--pr"), QStringLiteral("buf:100"),
                      QStringLiteral("x") }
                             << QStringLiteral("one path");
        QTest::newRow("listen twice") << QStringList { QStringLiteral("listen"), QStringLiteral("sctp"), QStringLiteral("--on"),
            QStringLiteral("[::1]:5000,[::1]:5000"), QStringLiteral("--duration"), QStringLiteral("1") }
                                      << QStringLiteral("listed twice");
    }

    void badListsAreUsageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = ladderctl(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.out.contains(QLatin1String("sent")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TstCtlSctpMultiHome)
#include "tst_ctl_sctp_multihome.moc"
