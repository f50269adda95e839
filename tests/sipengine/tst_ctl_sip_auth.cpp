// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sip --auth: digest authentication as a UAC, run as a user runs it.
//  * against a UAS in this process (a UDP socket) that challenges with 401 or 407 and checks the
//    credentials with its own hashing (QCryptographicHash, not stack/sip/auth): MD5 and SHA-256,
//    the strongest of several challenges, stale=true, a wrong password (one resend, no loop), a
//    malformed challenge, the password from the environment, control characters from the peer;
//  * against kamailio (Debian's, its auth module with a fixed password in a generated config, no
//    database): REGISTER challenged with 401 and OPTIONS with 407, MD5 and SHA-256.
#include "kamailiopeer.h"
#include "testskip.h"

#include "sip/message/parser.h"

#include <QCryptographicHash>
#include <QNetworkDatagram>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <functional>

using namespace ladder;

namespace {

const QByteArray kRegister = "REGISTER sip:127.0.0.1 SIP/2.0\n"
                             "Max-Forwards: 70\n"
                             "From: <sip:alice@127.0.0.1>;tag=fromtag1\n"
                             "To: <sip:alice@127.0.0.1>\n"
                             "Call-ID: ctl-auth-test@127.0.0.1\n"
                             "CSeq: 7 REGISTER\n"
                             "Contact: <sip:alice@127.0.0.1:5999>\n"
                             "Expires: 60\n"
                             "Content-Length: 0\n\n";

QByteArray unquote(QByteArray v)
{
    if (!v.startsWith('"'))
        return v;
    QByteArray out;
    for (qsizetype i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size())
            ++i;
        out += v[i];
    }
    return out;
}

// The parameters of an Authorization value, read here with a regular expression (not the module's
// decoder).
QHash<QByteArray, QByteArray> credentialParams(const QByteArray& value)
{
    QHash<QByteArray, QByteArray> p;
    static const QRegularExpression re(QStringLiteral("([A-Za-z-]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^,\\s]+)"));
    auto it = re.globalMatch(QString::fromLatin1(value.mid(value.indexOf(' ') + 1)));
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        p.insert(m.captured(1).toLatin1().toLower(), unquote(m.captured(2).toLatin1()));
    }
    return p;
}

QByteArray h(const QByteArray& algorithm, const QByteArray& data)
{
    const bool sha = algorithm.toUpper().startsWith("SHA-256");
    return QCryptographicHash::hash(data, sha ? QCryptographicHash::Sha256 : QCryptographicHash::Md5).toHex();
}

// RFC 7616 §3.4.1, computed here: whether `cred` is right for `password`.
bool credentialsValid(const QHash<QByteArray, QByteArray>& cred, const QByteArray& method, const QByteArray& password)
{
    const QByteArray alg = cred.value("algorithm", "MD5");
    QByteArray ha1 = h(alg, cred.value("username") + ':' + cred.value("realm") + ':' + password);
    if (alg.toLower().endsWith("-sess"))
        ha1 = h(alg, ha1 + ':' + cred.value("nonce") + ':' + cred.value("cnonce"));
    const QByteArray ha2 = h(alg, method + ':' + cred.value("uri"));
    const QByteArray expected = cred.contains("qop")
        ? h(alg, ha1 + ':' + cred.value("nonce") + ':' + cred.value("nc") + ':' + cred.value("cnonce") + ':' + cred.value("qop") + ':' + ha2)
        : h(alg, ha1 + ':' + cred.value("nonce") + ':' + ha2);
    return expected == cred.value("response");
}

// A UAS on 127.0.0.1 (UDP) that answers every request with what `answer` returns for it (status,
// extra header lines); it keeps every request it received.
class ChallengingUas : public QObject {
public:
    struct Answer {
        int status = 200;
        QByteArray reason = "OK";
        QByteArray extra; // header lines, each ending in CRLF
    };
    std::function<Answer(const sip::Message& request, int index)> answer;
    QList<sip::Message> requests;

    ChallengingUas()
    {
        if (!m_socket.bind(QHostAddress::LocalHost, 0))
            qFatal("cannot bind a UDP socket on 127.0.0.1");
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
            while (m_socket.hasPendingDatagrams()) {
                const QNetworkDatagram d = m_socket.receiveDatagram();
                sip::ParseResult r = sip::parse(d.data());
                if (!r.ok || !r.message.isRequest() || r.message.method() == "ACK")
                    continue;
                // A retransmission of a request already answered gets the same answer.
                const qsizetype seen = m_bytes.indexOf(d.data());
                const Answer a = seen >= 0 ? m_answers[seen] : answer(r.message, int(requests.size()));
                if (seen < 0) {
                    requests.append(r.message);
                    m_bytes.append(d.data());
                    m_answers.append(a);
                }
                QByteArray resp = "SIP/2.0 " + QByteArray::number(a.status) + ' ' + a.reason + "\r\n";
                for (const QByteArrayView via : r.message.values(sip::HeaderId::Via))
                    resp += "Via: " + via.toByteArray() + "\r\n";
                resp += "From: " + r.message.value(sip::HeaderId::From).toByteArray() + "\r\n";
                resp += "To: " + r.message.value(sip::HeaderId::To).toByteArray() + ";tag=uas1\r\n";
                resp += "Call-ID: " + r.message.callId().toByteArray() + "\r\n";
                resp += "CSeq: " + r.message.value(sip::HeaderId::CSeq).toByteArray() + "\r\n";
                resp += a.extra + "Content-Length: 0\r\n\r\n";
                m_socket.writeDatagram(resp, d.senderAddress(), d.senderPort());
            }
        });
    }
    quint16 port() const { return m_socket.localPort(); }

private:
    QUdpSocket m_socket;
    QList<QByteArray> m_bytes;
    QList<Answer> m_answers;
};

// How many requests ladderctl printed as sent (retransmissions not counted).
qsizetype sentRequests(const QByteArray& out, const QByteArray& method)
{
    qsizetype n = 0;
    for (const QByteArray& line : out.split('\n'))
        if (line.contains("-> " + method + ' ') && !line.contains("retransmission"))
            ++n;
    return n;
}

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

} // namespace

class TestCtlSipAuth : public QObject {
    Q_OBJECT
private slots:
    void answersChallenge_data();
    void answersChallenge();
    void strongestOfSeveral();
    void wrongPasswordEndsAfterOneResend();
    void staleNonceResendsOnce();
    void malformedChallenge();
    void passwordFromEnvironmentAndUsage();
    void controlCharactersFromThePeerAreEscaped();
    void kamailio_data();
    void kamailio();

private:
    static QString ctl() { return QStringLiteral(LADDERCTL_EXE); }
    // Runs ladderctl while this process's event loop serves the UAS.
    static Run runCtl(QTemporaryDir& dir, const QStringList& args, const QByteArray& message = kRegister,
        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        const QString path = dir.filePath(QStringLiteral("m.sip"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(message);
        f.close();
        QProcess p;
        p.setProcessEnvironment(env);
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
    static QString to(const ChallengingUas& uas) { return QStringLiteral("udp:127.0.0.1:%1").arg(uas.port()); }
};

// 401 → Authorization, 407 → Proxy-Authorization; MD5 and SHA-256, with and without qop; the resend
// is a new transaction of the same call: CSeq + 1, same Call-ID and From tag, new Via branch.
void TestCtlSipAuth::answersChallenge_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("challenge");
    QTest::addColumn<QByteArray>("algorithm");
    QTest::newRow("401 MD5 qop") << 401 << QByteArray("realm=\"lab\", nonce=\"n-1\", qop=\"auth\", algorithm=MD5") << QByteArray("MD5");
    QTest::newRow("401 SHA-256 qop") << 401 << QByteArray("realm=\"lab\", nonce=\"n-1\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"op\"")
                                     << QByteArray("SHA-256");
    QTest::newRow("401 MD5 no qop") << 401 << QByteArray("realm=\"lab\", nonce=\"n-1\"") << QByteArray("MD5");
    QTest::newRow("407 SHA-256-sess") << 407 << QByteArray("realm=\"proxy\", nonce=\"n-1\", qop=auth, algorithm=SHA-256-sess")
                                      << QByteArray("SHA-256-sess");
}

void TestCtlSipAuth::answersChallenge()
{
    QFETCH(int, status);
    QFETCH(QByteArray, challenge);
    QFETCH(QByteArray, algorithm);
    const bool proxy = status == 407;
    const QByteArray credHeader = proxy ? "Proxy-Authorization" : "Authorization";
    ChallengingUas uas;
    bool valid = false;
    uas.answer = [&](const sip::Message& req, int) -> ChallengingUas::Answer {
        const QByteArray cred = req.value(credHeader).toByteArray();
        if (cred.isEmpty())
            return { status, proxy ? "Proxy Authentication Required" : "Unauthorized",
                (proxy ? "Proxy-Authenticate: Digest " : "WWW-Authenticate: Digest ") + challenge + "\r\n" };
        valid = credentialsValid(credentialParams(cred), req.method().toByteArray(), "s3cret");
        return valid ? ChallengingUas::Answer {} : ChallengingUas::Answer { 403, "Forbidden", {} };
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:s3cret") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY(valid);
    QCOMPARE(uas.requests.size(), 2);
    const sip::Message &first = uas.requests[0], &second = uas.requests[1];
    QVERIFY(!first.hasHeader(proxy ? sip::HeaderId::ProxyAuthorization : sip::HeaderId::Authorization));
    QCOMPARE(second.cseq()->number, 8u);
    QCOMPARE(second.cseq()->method, QByteArray("REGISTER"));
    QCOMPARE(second.callId(), first.callId());
    QCOMPARE(second.fromTag(), QByteArrayView("fromtag1"));
    QVERIFY(second.topVia()->branch() != first.topVia()->branch());
    QVERIFY(!second.hasHeader(proxy ? sip::HeaderId::Authorization : sip::HeaderId::ProxyAuthorization));
    const QHash<QByteArray, QByteArray> cred = credentialParams(second.value(credHeader).toByteArray());
    QCOMPARE(cred.value("username"), QByteArray("alice"));
    QCOMPARE(cred.value("uri"), QByteArray("sip:127.0.0.1"));
    QCOMPARE(cred.value("algorithm", "MD5"), algorithm);
    if (challenge.contains("qop")) {
        QCOMPARE(cred.value("nc"), QByteArray("00000001"));
        QCOMPARE(cred.value("cnonce").size(), 32);
    } else {
        QVERIFY(!cred.contains("nc") && !cred.contains("cnonce"));
    }
    if (challenge.contains("opaque"))
        QCOMPARE(cred.value("opaque"), QByteArray("op"));
    // Both exchanges printed, the challenge and what was done about it.
    QVERIFY2(r.out.contains("challenge: " + QByteArray::number(status)), r.out.constData());
    QVERIFY2(r.out.contains("auth: " + QByteArray::number(status)), r.out.constData());
    QVERIFY2(r.out.contains("CSeq 8, with " + credHeader), r.out.constData());
    QVERIFY2(r.out.contains("final response: 200 OK"), r.out.constData());
    QCOMPARE(sentRequests(r.out, "REGISTER"), 2);
}

// RFC 8760: several challenges, one per header field; the SHA-256 one is answered though listed
// second, the Basic and the unsupported ones ignored.
void TestCtlSipAuth::strongestOfSeveral()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message& req, int) -> ChallengingUas::Answer {
        if (!req.hasHeader(sip::HeaderId::Authorization))
            return { 401, "Unauthorized",
                "WWW-Authenticate: Basic realm=\"lab\"\r\n"
                "WWW-Authenticate: Digest realm=\"lab\", nonce=\"md5-nonce\", qop=\"auth\", algorithm=MD5\r\n"
                "WWW-Authenticate: Digest realm=\"lab\", nonce=\"sha-nonce\", qop=\"auth\", algorithm=SHA-256\r\n"
                "WWW-Authenticate: Digest realm=\"lab\", nonce=\"x\", algorithm=SHA-512-256\r\n" };
        const auto cred = credentialParams(req.value(sip::HeaderId::Authorization).toByteArray());
        if (cred.value("algorithm") != "SHA-256" || cred.value("nonce") != "sha-nonce" || !credentialsValid(cred, "REGISTER", "pw"))
            return { 403, "Forbidden", {} };
        return {};
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY2(r.out.contains("answering the SHA-256 WWW-Authenticate challenge of realm \"lab\", qop=auth as 'alice'"), r.out.constData());
}

// A wrong password: kamailio and others challenge again with a new nonce, not stale. One resend,
// then an error; never a loop.
void TestCtlSipAuth::wrongPasswordEndsAfterOneResend()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message& req, int index) -> ChallengingUas::Answer {
        const auto cred = credentialParams(req.value(sip::HeaderId::Authorization).toByteArray());
        if (!cred.isEmpty() && credentialsValid(cred, "REGISTER", "right"))
            return {};
        return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"n" + QByteArray::number(index) + "\", qop=\"auth\"\r\n" };
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:wrong") });
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(uas.requests.size(), 2);
    QVERIFY2(r.err.contains("send sip: EACCES: 401 Unauthorized again after credentials for 'alice' in realm \"lab\" "
                            "(a new nonce, not stale): wrong user name or password?"),
        r.err.constData());
    QVERIFY(!r.out.contains("final response"));

    // The same nonce challenged again says so.
    ChallengingUas same;
    same.answer = [](const sip::Message&, int) -> ChallengingUas::Answer {
        return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"fixed\", stale=true\r\n" };
    };
    const Run s = runCtl(dir, { QStringLiteral("--to"), to(same), QStringLiteral("--auth"), QStringLiteral("alice:wrong") });
    QCOMPARE(s.exitCode, 1);
    QCOMPARE(same.requests.size(), 2);
    QVERIFY2(s.err.contains("(the same nonce challenged again)"), s.err.constData());
}

// stale=true with a new nonce: the credentials were right, the nonce old; resent once more with
// the new nonce (nc starts again at 1), and a second stale ends it.
void TestCtlSipAuth::staleNonceResendsOnce()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message& req, int index) -> ChallengingUas::Answer {
        const auto cred = credentialParams(req.value(sip::HeaderId::Authorization).toByteArray());
        if (index == 0)
            return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"old\", qop=\"auth\"\r\n" };
        if (!credentialsValid(cred, "REGISTER", "pw"))
            return { 403, "Forbidden", {} };
        if (cred.value("nonce") == "old")
            return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"new\", qop=\"auth\", stale=TRUE\r\n" };
        return {};
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QCOMPARE(uas.requests.size(), 3);
    QCOMPARE(uas.requests[2].cseq()->number, 9u);
    const auto cred = credentialParams(uas.requests[2].value(sip::HeaderId::Authorization).toByteArray());
    QCOMPARE(cred.value("nonce"), QByteArray("new"));
    QCOMPARE(cred.value("nc"), QByteArray("00000001"));

    ChallengingUas always;
    always.answer = [](const sip::Message&, int index) -> ChallengingUas::Answer {
        return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"n" + QByteArray::number(index) + "\", stale=true\r\n" };
    };
    const Run s = runCtl(dir, { QStringLiteral("--to"), to(always), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QCOMPARE(s.exitCode, 1);
    QCOMPARE(always.requests.size(), 3);
    QVERIFY2(s.err.contains("(stale again after a resend for a stale nonce)"), s.err.constData());
}

void TestCtlSipAuth::malformedChallenge()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message&, int) -> ChallengingUas::Answer {
        return { 407, "Proxy Authentication Required", "Proxy-Authenticate: Digest realm=\"lab, nonce=\"n\r\n" };
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(uas.requests.size(), 1);
    QVERIFY2(r.err.contains("send sip: 407 Proxy Authentication Required has no Proxy-Authenticate challenge that can be "
                            "answered: challenge 1: expected ',' or the end after parameter 'realm' at offset 26, found 'n'"),
        r.err.constData());

    // A 401 without any challenge.
    ChallengingUas bare;
    bare.answer = [](const sip::Message&, int) -> ChallengingUas::Answer { return { 401, "Unauthorized", {} }; };
    const Run b = runCtl(dir, { QStringLiteral("--to"), to(bare), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QCOMPARE(b.exitCode, 1);
    QVERIFY2(b.err.contains("has no WWW-Authenticate challenge that can be answered: no challenge in the response"), b.err.constData());
}

void TestCtlSipAuth::passwordFromEnvironmentAndUsage()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message& req, int) -> ChallengingUas::Answer {
        const auto cred = credentialParams(req.value(sip::HeaderId::Authorization).toByteArray());
        if (cred.isEmpty())
            return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"lab\", nonce=\"n\", qop=\"auth\"\r\n" };
        return credentialsValid(cred, "REGISTER", "from:env") ? ChallengingUas::Answer {} : ChallengingUas::Answer { 403, "Forbidden", {} };
    };
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LADDERLAB_AUTH_PASSWORD"), QStringLiteral("from:env"));
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice") }, kRegister, env);
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());

    env.remove(QStringLiteral("LADDERLAB_AUTH_PASSWORD"));
    const Run none = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice") }, kRegister, env);
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains("--auth alice has no password: give USER:PASSWORD or set LADDERLAB_AUTH_PASSWORD"), none.err.constData());

    QByteArray cancel = kRegister;
    cancel.replace("REGISTER sip:", "CANCEL sip:").replace("7 REGISTER", "7 CANCEL");
    const Run c = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("a:b") }, cancel);
    QCOMPARE(c.exitCode, 2);
    QVERIFY2(c.err.contains("an ACK or CANCEL cannot be challenged"), c.err.constData());

    QProcess help;
    help.start(ctl(), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--help") });
    QVERIFY(help.waitForFinished(10000));
    const QByteArray text = help.readAllStandardOutput();
    QVERIFY(text.contains("[--auth USER[:PASSWORD]]"));
    QVERIFY(text.contains("LADDERLAB_AUTH_PASSWORD"));
}

// A realm with an escaped ESC and CSI from the peer is printed escaped, never raw.
void TestCtlSipAuth::controlCharactersFromThePeerAreEscaped()
{
    ChallengingUas uas;
    uas.answer = [](const sip::Message& req, int) -> ChallengingUas::Answer {
        if (!req.hasHeader(sip::HeaderId::Authorization))
            return { 401, "Unauthorized", "WWW-Authenticate: Digest realm=\"la\\\x1b[2Jb\", nonce=\"n\", qop=\"auth\"\r\n" };
        const auto cred = credentialParams(req.value(sip::HeaderId::Authorization).toByteArray());
        return cred.value("realm") == "la\x1b[2Jb" && credentialsValid(cred, "REGISTER", "pw") ? ChallengingUas::Answer {}
                                                                                              : ChallengingUas::Answer { 403, "Forbidden", {} };
    };
    QTemporaryDir dir;
    const Run r = runCtl(dir, { QStringLiteral("--to"), to(uas), QStringLiteral("--auth"), QStringLiteral("alice:pw") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    QVERIFY2(r.out.contains("realm \"la\\x1b[2Jb\""), r.out.constData());
    QVERIFY(!r.out.contains('\x1b') && !r.err.contains('\x1b'));
}

// kamailio's auth module (no database: pv_*_authenticate with the password in the config),
// REGISTER challenged with 401 and OPTIONS with 407; the auth module's "algorithm" parameter
// (kamailio 5.6: "MD5" or "SHA-256") picks the hash.
void TestCtlSipAuth::kamailio_data()
{
    QTest::addColumn<QString>("algorithm");
    QTest::newRow("MD5") << QString();
    QTest::newRow("SHA-256") << QStringLiteral("SHA-256");
}

void TestCtlSipAuth::kamailio()
{
    QFETCH(QString, algorithm);
    if (const QString why = KamailioPeer::missing({ QStringLiteral("auth.so") }); !why.isEmpty())
        LADDERLAB_SKIP(why);
    QTemporaryDir dir;
    KamailioPeer kam;
    QString why;
    QVERIFY2(kam.start(QStringLiteral("loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\nloadmodule \"auth.so\"\n"
                                      "modparam(\"auth\", \"secret\", \"ladderlab-test-nonce-secret\")\n"
                                      "%1"
                                      "request_route {\n"
                                      "    if (is_method(\"REGISTER\")) {\n"
                                      "        if (!pv_www_authenticate(\"$td\", \"secret\", \"0\")) {\n"
                                      "            www_challenge(\"$td\", \"1\");\n"
                                      "            exit;\n"
                                      "        }\n"
                                      "    } else if (is_method(\"OPTIONS\")) {\n"
                                      "        if (!pv_proxy_authenticate(\"$fd\", \"secret\", \"0\")) {\n"
                                      "            proxy_challenge(\"$fd\", \"1\");\n"
                                      "            exit;\n"
                                      "        }\n"
                                      "    } else {\n"
                                      "        sl_send_reply(\"405\", \"Method Not Allowed\");\n"
                                      "        exit;\n"
                                      "    }\n"
                                      "    sl_send_reply(\"200\", \"Authenticated\");\n"
                                      "    exit;\n"
                                      "}\n")
                           .arg(algorithm.isEmpty() ? QString() : QStringLiteral("modparam(\"auth\", \"algorithm\", \"%1\")\n").arg(algorithm)),
                 &why),
        qPrintable(why));
    const quint16 port = kam.port();
    // Ready once it answers: an unauthenticated OPTIONS gets its 407 (retried for up to 10 s).
    const QString target = QStringLiteral("udp:127.0.0.1:%1").arg(port);
    QByteArray options = kRegister;
    options.replace("REGISTER sip:", "OPTIONS sip:").replace("7 REGISTER", "7 OPTIONS");
    bool ready = false;
    for (int i = 0; i < 20 && !ready && kam.running(); ++i) {
        const Run probe = runCtl(dir, { QStringLiteral("--to"), target, QStringLiteral("--stateful"), QStringLiteral("--wait"), QStringLiteral("0.5") }, options);
        ready = probe.out.contains("final response: 407");
    }
    QVERIFY2(ready, kam.log().constData());

    const QString alg = algorithm.isEmpty() ? QStringLiteral("MD5") : algorithm;
    // REGISTER: 401 and Authorization.
    Run r = runCtl(dir, { QStringLiteral("--to"), target, QStringLiteral("--auth"), QStringLiteral("alice:secret") });
    QVERIFY2(r.exitCode == 0, (r.out + r.err + kam.log()).constData());
    QVERIFY2(r.out.contains(QStringLiteral("answering the %1 WWW-Authenticate challenge of realm \"127.0.0.1\", qop=auth as 'alice'")
                                .arg(alg)
                                .toUtf8()),
        r.out.constData());
    QVERIFY2(r.out.contains("final response: 200 Authenticated"), r.out.constData());
    // OPTIONS: 407 and Proxy-Authorization.
    r = runCtl(dir, { QStringLiteral("--to"), target, QStringLiteral("--auth"), QStringLiteral("alice:secret") }, options);
    QVERIFY2(r.exitCode == 0, (r.out + r.err + kam.log()).constData());
    QVERIFY2(r.out.contains(QStringLiteral("answering the %1 Proxy-Authenticate challenge").arg(alg).toUtf8()), r.out.constData());
    QVERIFY2(r.out.contains("with Proxy-Authorization"), r.out.constData());
    QVERIFY2(r.out.contains("final response: 200 Authenticated"), r.out.constData());
    // A wrong password: challenged again (401), one resend, an error.
    r = runCtl(dir, { QStringLiteral("--to"), target, QStringLiteral("--auth"), QStringLiteral("alice:wrong") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("send sip: EACCES: 401 Unauthorized again after credentials for 'alice'"), (r.out + r.err).constData());
    QCOMPARE(sentRequests(r.out, "REGISTER"), 2);
}

QTEST_GUILESS_MAIN(TestCtlSipAuth)
#include "tst_ctl_sip_auth.moc"
