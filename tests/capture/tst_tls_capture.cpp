// SPDX-License-Identifier: GPL-3.0-or-later
// SIP over TLS in a capture, decrypted with an SSLKEYLOGFILE (issue 19): real peers on loopback —
// openssl s_server and s_client with -keylogfile, a self-signed certificate made here — exchange
// SIP (two messages in one record, one message split over two records, a response back) while
// ladderctl capture records lo to a pcapng and decodes it live with the key log. Then the pcapng is
// read with the key log (exactly the messages sent come out, as TLS), without one (none, and a
// warning says why) and with the secrets damaged (none, and a warning names the failed tag).
// TLS 1.3 with AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305; TLS 1.2 (ECDHE-ECDSA) with the same.
#include "testprocess.h"
#include "testskip.h"

#include "capture/capturereader.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace ladder;

namespace {

using test::TestProcess;

QByteArray sipRequest(const char* method, int cseq, const QByteArray& body = {})
{
    QByteArray m = QByteArray(method) + " sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls-" + QByteArray::number(cseq) + "\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n"
        + "Call-ID: tls-capture-1@example.com\r\nCSeq: " + QByteArray::number(cseq) + " " + method + "\r\n"
        + "Max-Forwards: 70\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return m;
}

QByteArray sipResponse(int cseq, const char* method)
{
    return QByteArray("SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls-") + QByteArray::number(cseq)
        + "\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b2\r\n"
        + "Call-ID: tls-capture-1@example.com\r\nCSeq: " + QByteArray::number(cseq) + " " + method
        + "\r\nContent-Length: 0\r\n\r\n";
}

struct Read {
    trace::CaptureReadResult result;
    QList<trace::Event> sip;
};

Read readWith(const QString& pcapng, const QString& keyLog)
{
    Read r;
    trace::CaptureReadOptions options;
    options.tlsKeyLogFile = keyLog;
    r.result = trace::readCaptureFile(
        pcapng,
        [&](trace::Event&& e) {
            if (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission)
                r.sip.append(e);
        },
        options);
    return r;
}

} // namespace

class TestTlsCapture : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void decryptsSipOverTls_data();
    void decryptsSipOverTls();

private:
    QTemporaryDir m_dir;
    QString m_openssl, m_cert, m_key;
};

void TestTlsCapture::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (m_openssl.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("the openssl command is not installed (Debian: openssl)"));
    // A self-signed P-256 certificate, as a SIP peer's test certificate would be.
    m_cert = m_dir.filePath(QStringLiteral("cert.pem"));
    m_key = m_dir.filePath(QStringLiteral("key.pem"));
    QProcess req;
    req.start(m_openssl, { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                             QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                             QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-days"), QStringLiteral("2"),
                             QStringLiteral("-keyout"), m_key, QStringLiteral("-out"), m_cert });
    QVERIFY(req.waitForFinished(20000));
    QVERIFY2(req.exitCode() == 0, req.readAllStandardError().constData());
}

void TestTlsCapture::decryptsSipOverTls_data()
{
    QTest::addColumn<QStringList>("tlsArgs");
    QTest::addColumn<QString>("protocol");
    QTest::addColumn<QString>("suite");
    const QString tls13 = QStringLiteral("TLSv1.3"), tls12 = QStringLiteral("TLSv1.2");
    QTest::newRow("1.3 AES-128-GCM") << QStringList { QStringLiteral("-tls1_3"), QStringLiteral("-ciphersuites"), QStringLiteral("TLS_AES_128_GCM_SHA256") }
                                     << tls13 << QStringLiteral("TLS_AES_128_GCM_SHA256");
    QTest::newRow("1.3 AES-256-GCM") << QStringList { QStringLiteral("-tls1_3"), QStringLiteral("-ciphersuites"), QStringLiteral("TLS_AES_256_GCM_SHA384") }
                                     << tls13 << QStringLiteral("TLS_AES_256_GCM_SHA384");
    QTest::newRow("1.3 ChaCha20-Poly1305") << QStringList { QStringLiteral("-tls1_3"), QStringLiteral("-ciphersuites"), QStringLiteral("TLS_CHACHA20_POLY1305_SHA256") }
                                           << tls13 << QStringLiteral("TLS_CHACHA20_POLY1305_SHA256");
    QTest::newRow("1.2 AES-128-GCM") << QStringList { QStringLiteral("-tls1_2"), QStringLiteral("-cipher"), QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256") }
                                     << tls12 << QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256");
    QTest::newRow("1.2 AES-256-GCM") << QStringList { QStringLiteral("-tls1_2"), QStringLiteral("-cipher"), QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384") }
                                     << tls12 << QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384");
    QTest::newRow("1.2 ChaCha20-Poly1305") << QStringList { QStringLiteral("-tls1_2"), QStringLiteral("-cipher"), QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305") }
                                           << tls12 << QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305");
}

void TestTlsCapture::decryptsSipOverTls()
{
    QFETCH(QStringList, tlsArgs);
    QFETCH(QString, protocol);
    QFETCH(QString, suite);
    if (geteuid() != 0)
        LADDERLAB_SKIP(QStringLiteral("capturing on lo needs root (or cap_net_raw,cap_net_admin on ladderctl)"));
    quint16 port = 0;
    {
        QTcpServer probe; // a free port of its own (other suites use 5060/5061 on lo)
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QString pcapng = m_dir.filePath(tag + QStringLiteral(".pcapng"));
    const QString keyLog = m_dir.filePath(tag + QStringLiteral(".keys"));

    // The capture, decoding live with the key log the client is about to write.
    TestProcess ctl;
    QVERIFY(ctl.start(QStringLiteral(LADDERCTL_EXE),
        { QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"), QStringLiteral("tcp port %1").arg(port),
            QStringLiteral("--duration"), QStringLiteral("60"), QStringLiteral("--pcap"), pcapng, QStringLiteral("--tls-keylog"), keyLog }));
    QVERIFY2(ctl.waitFor("capturing on "), ctl.out.constData());

    TestProcess server;
    QVERIFY(server.start(m_openssl, QStringList { QStringLiteral("s_server"), QStringLiteral("-accept"), QStringLiteral("127.0.0.1:%1").arg(port),
                                  QStringLiteral("-cert"), m_cert, QStringLiteral("-key"), m_key, QStringLiteral("-naccept"),
                                  QStringLiteral("1"), QStringLiteral("-brief") }
            + tlsArgs));
    // The client: -brief names the protocol and suite agreed; -nocommands -ign_eof: stdin is data.
    TestProcess client;
    const QStringList clientArgs = QStringList { QStringLiteral("s_client"), QStringLiteral("-connect"), QStringLiteral("127.0.0.1:%1").arg(port),
                                       QStringLiteral("-keylogfile"), keyLog, QStringLiteral("-brief"), QStringLiteral("-nocommands"),
                                       QStringLiteral("-ign_eof") }
        + tlsArgs;
    for (int attempt = 0; attempt < 50; ++attempt) { // until the server listens
        client.out.clear();
        client.err.clear();
        QVERIFY(client.start(m_openssl, clientArgs));
        if (client.waitFor("CONNECTION ESTABLISHED", true, 5000))
            break;
        client.p.waitForFinished(5000);
        QTest::qWait(100);
    }
    QVERIFY2(client.waitFor("Ciphersuite", true), client.err.constData());
    QVERIFY2(client.err.contains(("Protocol version: " + protocol).toLatin1()), client.err.constData());
    QVERIFY2(client.err.contains(("Ciphersuite: " + suite).toLatin1()), client.err.constData());

    const QByteArray options = sipRequest("OPTIONS", 1);
    const QByteArray subscribe = sipRequest("SUBSCRIBE", 2);
    const QByteArray message = sipRequest("MESSAGE", 3, QByteArray("one message over two TLS records, ").repeated(4));
    const QByteArray ok = sipResponse(1, "OPTIONS");
    // Two messages in one write: one record.
    client.send(options + subscribe);
    QVERIFY2(server.waitFor(subscribe), (server.out + "\n--\n" + server.err).constData());
    // One message in two writes, each sent before the next is read: two records.
    const qsizetype half = message.size() / 2;
    client.send(message.left(half));
    QVERIFY2(server.waitFor(message.left(half)), server.out.constData());
    client.send(message.mid(half));
    QVERIFY2(server.waitFor(message), server.out.constData());
    // And a response the other way.
    server.send(ok);
    QVERIFY2(client.waitFor(ok), client.out.constData());
    QTest::qWait(300); // the last segments reach the capture
    client.stop();
    server.stop();
    QTest::qWait(200);
    QCOMPARE(ctl.stop(), 0);

    const QList<QByteArray> sent { options, subscribe, message };
    // Decrypted live: every message printed as it was captured.
    for (const QByteArray& m : sent + QList<QByteArray> { ok })
        QVERIFY2(ctl.out.contains(m.left(m.indexOf("\r\n"))), ctl.out.constData());
    QVERIFY2(!ctl.err.contains("not decrypted"), ctl.err.constData());

    // The pcapng read back with the key log: exactly the messages sent, each way, as TLS.
    const Read with = readWith(pcapng, keyLog);
    QVERIFY2(with.result.ok, qPrintable(with.result.error));
    QVERIFY2(!with.result.warnings.join(QLatin1Char('\n')).contains(QLatin1String("TLS")), qPrintable(with.result.warnings.join(QLatin1Char('\n'))));
    QList<QByteArray> up, down;
    QString clientEnd;
    for (const trace::Event& e : with.sip) {
        QCOMPARE(e.kind, trace::Kind::SipMessage);
        QCOMPARE(e.b, quint64(3)); // TLS
        QVERIFY(e.a != 0);
        QCOMPARE(e.a, with.sip.first().a); // one connection
        if (e.to.endsWith(QStringLiteral(":%1").arg(port))) {
            up.append(e.raw);
            clientEnd = e.from;
        } else {
            QVERIFY2(e.from.endsWith(QStringLiteral(":%1").arg(port)), qPrintable(e.from));
            down.append(e.raw);
        }
    }
    QCOMPARE(up, sent);
    QCOMPARE(down, QList<QByteArray> { ok });

    // Without the key log: no SIP, and a warning saying why.
    const Read without = readWith(pcapng, QString());
    QVERIFY(without.result.ok);
    QCOMPARE(without.sip.size(), 0);
    const QString w = without.result.warnings.join(QLatin1Char('\n'));
    QVERIFY2(w.contains(QLatin1String("1 TLS connection(s) not decrypted")) && w.contains(QLatin1String("no TLS key log was given")), qPrintable(w));

    // A key log that does not hold this connection: none either, and it says so.
    const QString otherLog = m_dir.filePath(tag + QStringLiteral(".other"));
    QFile other(otherLog);
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write("# no secrets of this connection\nCLIENT_RANDOM " + QByteArray(64, 'a') + ' ' + QByteArray(96, 'b') + '\n');
    other.close();
    const Read otherRead = readWith(pcapng, otherLog);
    QCOMPARE(otherRead.sip.size(), 0);
    const QString ow = otherRead.result.warnings.join(QLatin1Char('\n'));
    QVERIFY2(ow.contains(QLatin1String("is not in the key log")), qPrintable(ow));

    // The secrets damaged (one bit of each): every record fails its tag, reported, nothing made up.
    QFile f(keyLog);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = f.readAll().split('\n');
    f.close();
    for (QByteArray& line : lines) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        char& last = line[line.size() - 1];
        last = last == '0' ? '1' : '0';
    }
    const QString damagedLog = m_dir.filePath(tag + QStringLiteral(".damaged"));
    QFile d(damagedLog);
    QVERIFY(d.open(QIODevice::WriteOnly));
    d.write(lines.join('\n'));
    d.close();
    const Read damaged = readWith(pcapng, damagedLog);
    QVERIFY(damaged.result.ok);
    QCOMPARE(damaged.sip.size(), 0);
    const QString dw = damaged.result.warnings.join(QLatin1Char('\n'));
    QVERIFY2(dw.contains(QLatin1String("failed its authentication tag")), qPrintable(dw));
}

QTEST_GUILESS_MAIN(TestTlsCapture)
#include "tst_tls_capture.moc"
