// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sip / listen sip over tls:, ws: and wss:, run as a user runs them:
//  * send ↔ listen on loopback: trusted with --ca (the listener's --save-cert), trusted anyway with
//    --insecure, refused without either (unknown CA, with the reason); a certificate for another
//    name (name mismatch) and an expired one (expired);
//  * hostile peers against listen: a header section that never ends (TLS and WS), an idle
//    connection, one connection over --max-connections — each closed with an error and its reason;
//  * against kamailio (Debian's, with its tls, xhttp and websocket modules in a generated config):
//    OPTIONS over TLS, WS and WSS answered by kamailio, and REGISTER with --auth over TLS and WS.
// Certificates are made at test time (TlsContext::selfSign); no private key is in the tree.
#include "testskip.h"

#include "sip/transport/tlscontext.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

using namespace ladder;

namespace {

const QByteArray kOptions = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\n"
                            "Max-Forwards: 70\n"
                            "From: <sip:alice@127.0.0.1>;tag=tlsfrom1\n"
                            "To: <sip:bob@127.0.0.1>\n"
                            "Call-ID: ctl-tls-test@127.0.0.1\n"
                            "CSeq: 1 OPTIONS\n"
                            "Content-Length: 0\n\n";

const QByteArray kRegister = "REGISTER sip:127.0.0.1 SIP/2.0\n"
                             "Max-Forwards: 70\n"
                             "From: <sip:alice@127.0.0.1>;tag=tlsfrom2\n"
                             "To: <sip:alice@127.0.0.1>\n"
                             "Call-ID: ctl-tls-register@127.0.0.1\n"
                             "CSeq: 7 REGISTER\n"
                             "Contact: <sip:alice@127.0.0.1:5999>\n"
                             "Expires: 60\n"
                             "Content-Length: 0\n\n";

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

QString ctl() { return QStringLiteral(LADDERCTL_EXE); }

Run runSend(const QTemporaryDir& dir, const QStringList& args, const QByteArray& message = kOptions)
{
    const QString path = dir.filePath(QStringLiteral("m.sip"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(message);
    f.close();
    QProcess p;
    p.start(ctl(), QStringList { QStringLiteral("send"), QStringLiteral("sip") } + args + QStringList { path });
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    QElapsedTimer clock;
    clock.start();
    while (p.state() != QProcess::NotRunning && clock.elapsed() < 30000)
        QTest::qWait(20);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
        r.err = "ladderctl did not finish within 30 s";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err += p.readAllStandardError();
    return r;
}

// `ladderctl listen sip …` in the background; stopped (killed) when it goes out of scope.
class Listener {
public:
    explicit Listener(const QStringList& args)
    {
        m_p.start(ctl(), QStringList { QStringLiteral("listen"), QStringLiteral("sip") } + args);
    }
    ~Listener()
    {
        if (m_p.state() != QProcess::NotRunning) {
            m_p.kill();
            m_p.waitForFinished(5000);
        }
    }
    // The port of "listening on PROTO:127.0.0.1:PORT", 0 when it did not come within 10 s.
    quint16 waitListening()
    {
        static const QRegularExpression re(QStringLiteral("listening on \\w+:127\\.0\\.0\\.1:(\\d+)"));
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10000 && m_p.state() != QProcess::NotRunning) {
            m_out += m_p.readAllStandardOutput();
            const QRegularExpressionMatch m = re.match(QString::fromUtf8(m_out));
            if (m.hasMatch())
                return quint16(m.captured(1).toUInt());
            QTest::qWait(20);
        }
        return 0;
    }
    // Waits (up to 10 s) until the output holds `text`.
    bool waitFor(const QByteArray& text)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10000) {
            m_out += m_p.readAllStandardOutput();
            if (m_out.contains(text))
                return true;
            QTest::qWait(20);
        }
        return false;
    }
    QByteArray output()
    {
        m_out += m_p.readAllStandardOutput();
        return m_out + m_p.readAllStandardError();
    }

private:
    QProcess m_p;
    QByteArray m_out;
};

// A certificate and key made here, written as PEM files into dir; the certificate's file name.
bool writePair(const QTemporaryDir& dir, const sip::SelfSignedSpec& spec, QString* certFile, QString* keyFile)
{
    QSslCertificate cert;
    QSslKey key;
    QString error;
    if (!sip::TlsContext::selfSign(spec, &cert, &key, &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    static int n = 0;
    ++n;
    *certFile = dir.filePath(QStringLiteral("cert%1.pem").arg(n));
    *keyFile = dir.filePath(QStringLiteral("key%1.pem").arg(n));
    QFile c(*certFile), k(*keyFile);
    return c.open(QIODevice::WriteOnly) && c.write(cert.toPem()) > 0 && k.open(QIODevice::WriteOnly)
        && k.write(key.toPem()) > 0;
}

quint16 freeTcpPort()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

} // namespace

class TestCtlSipTls : public QObject {
    Q_OBJECT
private slots:
    void sendToListen_data();
    void sendToListen();
    void verificationReasons_data();
    void verificationReasons();
    void headerThatNeverEnds_data();
    void headerThatNeverEnds();
    void idleConnectionClosed();
    void connectionsOverTheLimitRefused();
    void kamailio();
};

// send ↔ listen over each transport and each way of trusting the server.
void TestCtlSipTls::sendToListen_data()
{
    QTest::addColumn<QString>("proto");
    QTest::addColumn<QString>("trust"); // "ca", "insecure", "none"
    QTest::addColumn<bool>("answered");
    for (const char* proto : { "tls", "ws", "wss" }) {
        const bool secure = qstrcmp(proto, "ws") != 0;
        QTest::addRow("%s --ca", proto) << QString::fromLatin1(proto) << QStringLiteral("ca") << true;
        QTest::addRow("%s --insecure", proto) << QString::fromLatin1(proto) << QStringLiteral("insecure") << true;
        QTest::addRow("%s untrusted", proto) << QString::fromLatin1(proto) << QStringLiteral("none") << !secure;
    }
}

void TestCtlSipTls::sendToListen()
{
    QFETCH(QString, proto);
    QFETCH(QString, trust);
    QFETCH(bool, answered);
    QTemporaryDir dir;
    const QString saved = dir.filePath(QStringLiteral("server.pem"));
    QStringList listenArgs { QStringLiteral("--on"), proto + QStringLiteral(":127.0.0.1:0"), QStringLiteral("--answer"),
        QStringLiteral("202") };
    if (proto != QLatin1String("ws"))
        listenArgs << QStringLiteral("--self-signed") << QStringLiteral("--save-cert") << saved;
    Listener listener(listenArgs);
    const quint16 port = listener.waitListening();
    QVERIFY2(port, listener.output().constData());

    QStringList args { QStringLiteral("--to"), QStringLiteral("%1:127.0.0.1:%2").arg(proto).arg(port),
        QStringLiteral("--stateful") };
    if (trust == QLatin1String("ca") && proto != QLatin1String("ws"))
        args << QStringLiteral("--ca") << saved;
    else if (trust == QLatin1String("insecure"))
        args << QStringLiteral("--insecure");
    const Run r = runSend(dir, args);
    if (answered) {
        QVERIFY2(r.exitCode == 0, (r.out + r.err + listener.output()).constData());
        QVERIFY2(r.out.contains("final response: 202 Accepted"), r.out.constData());
        QVERIFY2(r.out.contains("connection 1 open: " + proto.toUpper().toLatin1() + " 127.0.0.1:"), r.out.constData());
        QVERIFY(listener.waitFor("<- OPTIONS sip:bob@127.0.0.1 SIP/2.0"));
        const bool insecureNote = r.out.contains("certificate not verified, trusted anyway (insecure): unknown CA");
        QCOMPARE(insecureNote, trust == QLatin1String("insecure") && proto != QLatin1String("ws"));
    } else {
        QCOMPARE(r.exitCode, 1);
        const QByteArray expected = proto.toUpper().toLatin1() + " 127.0.0.1:" + QByteArray::number(port)
            + ": certificate verification failed: unknown CA (";
        QVERIFY2(r.out.contains("error: " + expected), r.out.constData());
        QVERIFY2(r.err.contains("send sip: EIO: transport error on ")
                && r.err.contains("certificate verification failed: unknown CA"),
            r.err.constData());
        QVERIFY(!listener.output().contains("<- OPTIONS"));
    }
}

// The reasons a certificate is refused, end to end: each certificate trusted through --ca, so
// only the named fault remains.
void TestCtlSipTls::verificationReasons_data()
{
    QTest::addColumn<QString>("proto");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<qint64>("notAfter");
    QTest::addColumn<QByteArray>("reason");
    const QStringList local { QStringLiteral("127.0.0.1") };
    for (const char* proto : { "tls", "wss" }) {
        QTest::addRow("%s name mismatch", proto)
            << QString::fromLatin1(proto) << QStringList { QStringLiteral("sip.example.invalid") } << qint64(86400)
            << QByteArray("name mismatch (");
        QTest::addRow("%s expired", proto)
            << QString::fromLatin1(proto) << local << qint64(-60) << QByteArray("expired (");
    }
}

void TestCtlSipTls::verificationReasons()
{
    QFETCH(QString, proto);
    QFETCH(QStringList, names);
    QFETCH(qint64, notAfter);
    QFETCH(QByteArray, reason);
    QTemporaryDir dir;
    sip::SelfSignedSpec spec;
    spec.names = names;
    spec.notBeforeSeconds = -7200;
    spec.notAfterSeconds = notAfter;
    QString cert, key;
    QVERIFY(writePair(dir, spec, &cert, &key));
    Listener listener({ QStringLiteral("--on"), proto + QStringLiteral(":127.0.0.1:0"), QStringLiteral("--cert"), cert,
        QStringLiteral("--key"), key });
    const quint16 port = listener.waitListening();
    QVERIFY2(port, listener.output().constData());
    const QString to = QStringLiteral("%1:127.0.0.1:%2").arg(proto).arg(port);
    Run r = runSend(dir, { QStringLiteral("--to"), to, QStringLiteral("--stateful"), QStringLiteral("--ca"), cert });
    QCOMPARE(r.exitCode, 1);
    // The named fault first (an expired CA also makes the chain untrusted: "; unknown CA" follows).
    QVERIFY2(r.out.contains("certificate verification failed: " + reason), r.out.constData());
    QVERIFY2(r.err.contains("certificate verification failed: " + reason), r.err.constData());
    // Trusted anyway: answered, the reason still printed.
    r = runSend(dir, { QStringLiteral("--to"), to, QStringLiteral("--stateful"), QStringLiteral("--insecure") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY2(r.out.contains("trusted anyway (insecure): ") && r.out.contains(reason), r.out.constData());
}

// A peer that sends headers without ever ending them: closed at the header limit with the reason.
void TestCtlSipTls::headerThatNeverEnds_data()
{
    QTest::addColumn<QString>("proto");
    QTest::newRow("tls") << QStringLiteral("tls");
    QTest::newRow("ws") << QStringLiteral("ws");
}

void TestCtlSipTls::headerThatNeverEnds()
{
    QFETCH(QString, proto);
    QStringList args { QStringLiteral("--on"), proto + QStringLiteral(":127.0.0.1:0") };
    if (proto == QLatin1String("tls"))
        args << QStringLiteral("--self-signed");
    Listener listener(args);
    const quint16 port = listener.waitListening();
    QVERIFY2(port, listener.output().constData());

    QByteArray endless = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n";
    while (endless.size() < 70 * 1024)
        endless += "X-Filler: " + QByteArray(100, 'a') + "\r\n";
    bool closed = false;
    quint16 localPort = 0;
    QSslSocket tls;
    QWebSocket ws;
    if (proto == QLatin1String("tls")) {
        connect(&tls, &QSslSocket::sslErrors, &tls, [&tls] { tls.ignoreSslErrors(); });
        connect(&tls, &QSslSocket::disconnected, this, [&closed] { closed = true; });
        tls.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        QVERIFY2(tls.waitForEncrypted(10000), qPrintable(tls.errorString()));
        localPort = tls.localPort();
        // In pieces, as a slow sender would.
        for (qsizetype at = 0; at < endless.size() && !closed; at += 4096) {
            tls.write(endless.mid(at, 4096));
            QTest::qWait(5);
        }
    } else {
        connect(&ws, &QWebSocket::disconnected, this, [&closed] { closed = true; });
        QWebSocketHandshakeOptions o;
        o.setSubprotocols({ QStringLiteral("sip") });
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), o);
        QTRY_VERIFY_WITH_TIMEOUT(ws.state() == QAbstractSocket::ConnectedState, 10000);
        localPort = ws.localPort();
        // One message in 4 KiB frames: the limit bites on the frames, before the message ends.
        ws.setOutgoingFrameSize(4096);
        ws.sendTextMessage(QString::fromLatin1(endless));
    }
    QTRY_VERIFY_WITH_TIMEOUT(closed, 10000);
    const QByteArray expected = "error: " + proto.toUpper().toLatin1() + " 127.0.0.1:" + QByteArray::number(localPort)
        + ": " + (proto == QLatin1String("tls") ? "stream: " : "")
        + "header section exceeds 65536 bytes, connection closed";
    QVERIFY2(listener.waitFor(expected), (expected + "\n---\n" + listener.output()).constData());
    QVERIFY(!listener.output().contains("<- OPTIONS"));
}

void TestCtlSipTls::idleConnectionClosed()
{
    Listener listener({ QStringLiteral("--on"), QStringLiteral("tls:127.0.0.1:0"), QStringLiteral("--self-signed"),
        QStringLiteral("--idle"), QStringLiteral("1") });
    const quint16 port = listener.waitListening();
    QVERIFY2(port, listener.output().constData());
    QSslSocket tls;
    bool closed = false;
    connect(&tls, &QSslSocket::sslErrors, &tls, [&tls] { tls.ignoreSslErrors(); });
    connect(&tls, &QSslSocket::disconnected, this, [&closed] { closed = true; });
    QElapsedTimer clock;
    clock.start();
    tls.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    QVERIFY2(tls.waitForEncrypted(10000), qPrintable(tls.errorString()));
    const quint16 localPort = tls.localPort();
    QTRY_VERIFY_WITH_TIMEOUT(closed, 10000);
    QVERIFY2(clock.elapsed() >= 900, QByteArray::number(clock.elapsed()).constData());
    QVERIFY2(
        listener.waitFor("error: TLS 127.0.0.1:" + QByteArray::number(localPort) + ": idle for 1 s, connection closed"),
        listener.output().constData());
}

void TestCtlSipTls::connectionsOverTheLimitRefused()
{
    Listener listener({ QStringLiteral("--on"), QStringLiteral("ws:127.0.0.1:0"), QStringLiteral("--max-connections"),
        QStringLiteral("1") });
    const quint16 port = listener.waitListening();
    QVERIFY2(port, listener.output().constData());
    QWebSocketHandshakeOptions o;
    o.setSubprotocols({ QStringLiteral("sip") });
    QWebSocket first, second;
    first.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), o);
    QTRY_VERIFY_WITH_TIMEOUT(first.state() == QAbstractSocket::ConnectedState, 10000);
    bool secondClosed = false;
    quint16 secondPort = 0;
    connect(&second, &QWebSocket::connected, this, [&] { secondPort = second.localPort(); });
    connect(&second, &QWebSocket::disconnected, this, [&secondClosed] { secondClosed = true; });
    second.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)), o);
    QTRY_VERIFY_WITH_TIMEOUT(secondClosed, 10000);
    QVERIFY(secondPort);
    QVERIFY2(listener.waitFor(
                 "error: WS 127.0.0.1:" + QByteArray::number(secondPort) + ": over 1 connections, connection refused"),
        listener.output().constData());
    QCOMPARE(first.state(), QAbstractSocket::ConnectedState);
}

// kamailio answers OPTIONS over TLS, WS and WSS, and challenges REGISTER (auth module, password
// in the config) over TLS and WS, answered with --auth.
void TestCtlSipTls::kamailio()
{
    const QString kamailio = QStandardPaths::findExecutable(
        QStringLiteral("kamailio"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
    if (kamailio.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("kamailio is not installed (bash packaging/install-deps.sh --test)"));
    QString modules;
    for (const QString& m : { QStringLiteral("/usr/lib/x86_64-linux-gnu/kamailio/modules"),
             QStringLiteral("/usr/lib/aarch64-linux-gnu/kamailio/modules"),
             QStringLiteral("/usr/lib/kamailio/modules") })
        if (QFile::exists(m + QStringLiteral("/sl.so")))
            modules = m;
    for (const char* needed : { "tls.so", "websocket.so", "xhttp.so", "auth.so" })
        if (modules.isEmpty() || !QFile::exists(modules + QLatin1Char('/') + QLatin1String(needed)))
            LADDERLAB_SKIP(QStringLiteral(
                "kamailio's %1 module is not installed (kamailio-tls-modules, kamailio-websocket-modules)")
                               .arg(QLatin1String(needed)));

    QTemporaryDir dir;
    QString cert, key;
    QVERIFY(writePair(dir, {}, &cert, &key));
    const quint16 tlsPort = freeTcpPort(), wsPort = freeTcpPort();
    QVERIFY(tlsPort && wsPort && tlsPort != wsPort);
    {
        QFile tlsCfg(dir.filePath(QStringLiteral("tls.cfg")));
        QVERIFY(tlsCfg.open(QIODevice::WriteOnly));
        tlsCfg.write(
            QStringLiteral("[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
                           "private_key = %1\ncertificate = %2\n"
                           "[client:default]\nverify_certificate = no\nrequire_certificate = no\n")
                .arg(key, cert)
                .toUtf8());
    }
    const QString cfg = dir.filePath(QStringLiteral("kamailio.cfg"));
    QFile f(cfg);
    QVERIFY(f.open(QIODevice::WriteOnly));
    // force_rport: kamailio answers on the connection the request came on, not to the Via's port.
    f.write(QStringLiteral(
        "#!KAMAILIO\n"
        "debug=2\nlog_stderror=yes\nchildren=1\ntcp_children=1\nauto_aliases=no\n"
        "enable_tls=yes\ntcp_accept_no_cl=yes\n"
        "listen=tls:127.0.0.1:%1\nlisten=tcp:127.0.0.1:%2\n"
        "mpath=\"%3/\"\n"
        "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\nloadmodule \"auth.so\"\n"
        "loadmodule \"tls.so\"\nloadmodule \"xhttp.so\"\nloadmodule \"websocket.so\"\n"
        "modparam(\"tls\", \"config\", \"%4\")\n"
        "modparam(\"auth\", \"secret\", \"ladderlab-test-nonce-secret\")\n"
        "request_route {\n"
        "    force_rport();\n"
        "    if (is_method(\"OPTIONS\")) {\n"
        "        sl_send_reply(\"200\", \"OK from kamailio over $pr\");\n"
        "        exit;\n"
        "    }\n"
        "    if (is_method(\"REGISTER\")) {\n"
        "        if (!pv_www_authenticate(\"$td\", \"secret\", \"0\")) {\n"
        "            www_challenge(\"$td\", \"1\");\n"
        "            exit;\n"
        "        }\n"
        "        sl_send_reply(\"200\", \"Registered over $pr\");\n"
        "        exit;\n"
        "    }\n"
        "    sl_send_reply(\"405\", \"Method Not Allowed\");\n"
        "}\n"
        "event_route[xhttp:request] {\n"
        "    if ($hdr(Upgrade) =~ \"websocket\" && $hdr(Connection) =~ \"Upgrade\" && $rm =~ \"GET\") {\n"
        "        if (ws_handle_handshake()) exit;\n"
        "    }\n"
        "    xhttp_reply(\"404\", \"Not Found\", \"\", \"\");\n"
        "}\n")
                .arg(tlsPort)
                .arg(wsPort)
                .arg(modules, dir.filePath(QStringLiteral("tls.cfg")))
                .toUtf8());
    f.close();

    QProcess kam;
    kam.setProcessChannelMode(QProcess::MergedChannels);
    kam.start(kamailio,
        { QStringLiteral("-f"), cfg, QStringLiteral("-DD"), QStringLiteral("-E"), QStringLiteral("-Y"), dir.path(),
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
    const QString overTls = QStringLiteral("tls:127.0.0.1:%1").arg(tlsPort);
    const QString overWs = QStringLiteral("ws:127.0.0.1:%1").arg(wsPort);
    const QString overWss = QStringLiteral("wss:127.0.0.1:%1/").arg(tlsPort);
    // Ready once it answers over TLS (retried for up to 10 s).
    bool ready = false;
    for (int i = 0; i < 20 && !ready && kam.state() == QProcess::Running; ++i) {
        const Run probe = runSend(dir,
            { QStringLiteral("--to"), overTls, QStringLiteral("--ca"), cert, QStringLiteral("--stateful"),
                QStringLiteral("--wait"), QStringLiteral("0.5") });
        ready = probe.out.contains("final response: 200");
        if (!ready)
            QTest::qWait(500);
    }
    QVERIFY2(ready, kam.readAll().right(3000).constData());

    struct Case {
        QString to;
        const char* token;
    };
    for (const Case& c : { Case { overTls, "tls" }, Case { overWs, "ws" }, Case { overWss, "wss" } }) {
        QStringList args { QStringLiteral("--to"), c.to, QStringLiteral("--stateful") };
        if (c.to != overWs)
            args << QStringLiteral("--ca") << cert;
        const Run r = runSend(dir, args);
        QVERIFY2(r.exitCode == 0, (c.to.toUtf8() + '\n' + r.out + r.err + kam.readAll().right(3000)).constData());
        QVERIFY2(r.out.contains("final response: 200 OK from kamailio over " + QByteArray(c.token)), r.out.constData());
    }
    for (const Case& c : { Case { overTls, "tls" }, Case { overWs, "ws" } }) {
        QStringList args { QStringLiteral("--to"), c.to, QStringLiteral("--auth"), QStringLiteral("alice:secret") };
        if (c.to == overTls)
            args << QStringLiteral("--ca") << cert;
        const Run r = runSend(dir, args, kRegister);
        QVERIFY2(r.exitCode == 0, (c.to.toUtf8() + '\n' + r.out + r.err + kam.readAll().right(3000)).constData());
        QVERIFY2(
            r.out.contains("answering the MD5 WWW-Authenticate challenge of realm \"127.0.0.1\", qop=auth as 'alice'"),
            r.out.constData());
        QVERIFY2(r.out.contains("final response: 200 Registered over " + QByteArray(c.token)), r.out.constData());
    }
}

QTEST_GUILESS_MAIN(TestCtlSipTls)
#include "tst_ctl_sip_tls.moc"
