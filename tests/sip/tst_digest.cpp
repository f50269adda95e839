// SPDX-License-Identifier: GPL-3.0-or-later
// Digest authentication as a UAC (stack/sip/auth): the challenge decoder (good and malformed
// values, several challenges, the strongest picked), the response against published vectors
// (RFC 7616 §3.9.1 MD5 and SHA-256, RFC 2617 §3.5), the RFC 2069 form and the -sess algorithms
// (values computed independently with Python's hashlib), nc counting and the Authorization value;
// and the UAS side (DigestServer): what a client answers verifies, and every wrong thing — no
// credentials, another realm, a forged or stale nonce, a replayed nc, another URI, an unknown user,
// a wrong password — is refused with its own reason.
#include "sip/auth/digest.h"
#include "sip/auth/verify.h"

#include <QCryptographicHash>
#include <QTest>

using namespace ladder::sip::auth;

namespace {

const QByteArray kRfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
const QByteArray kRfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const QByteArray kRfc7616Opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

Challenge decodeOne(const QByteArray& value)
{
    const DecodeResult r = decodeChallenges(value);
    if (!r.ok || r.challenges.size() != 1)
        qWarning("decode of %s: %s", value.constData(), qPrintable(r.error));
    return r.ok && !r.challenges.isEmpty() ? r.challenges.first() : Challenge {};
}

// The parameters of an Authorization value, decoded with the challenge decoder (same grammar).
Challenge decodeCredentials(const QByteArray& value) { return decodeOne(value); }

} // namespace

class TestDigest : public QObject {
    Q_OBJECT
private slots:
    void decodesRfc7616Challenge();
    void decodesTokensEscapesAndCase();
    void severalChallengesInOneValue();
    void malformed_data();
    void malformed();
    void boundedSizes();
    void unsupported_data();
    void unsupported();
    void selectsStrongest();
    void encodeRoundTrip();
    void vectors_data();
    void vectors();
    void rfc7616Authorization_data();
    void rfc7616Authorization();
    void rfc2069FormWithoutQop();
    void nonceCountPerNonce();
    void randomCnonce();
    void quotesUsernameAndRealm();
    void staleFlag();
    void serverVerifiesWhatAClientAnswers_data();
    void serverVerifiesWhatAClientAnswers();
    void serverRefuses_data();
    void serverRefuses();
    void serverChallengesWithSha256AndMd5();
};

void TestDigest::decodesRfc7616Challenge()
{
    const QByteArray v = "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n"
                         "    algorithm=SHA-256,\r\n    nonce=\"" + kRfc7616Nonce + "\",\r\n    opaque=\"" + kRfc7616Opaque + "\"";
    const DecodeResult r = decodeChallenges(v);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.challenges.size(), 1);
    const Challenge& c = r.challenges.first();
    QVERIFY(c.isDigest());
    QCOMPARE(c.realm(), QByteArray("http-auth@example.org"));
    QCOMPARE(c.nonce(), kRfc7616Nonce);
    QCOMPARE(c.opaque().value_or(QByteArray()), kRfc7616Opaque);
    QCOMPARE(c.algorithmText().value_or(QByteArray()), QByteArray("SHA-256"));
    QCOMPARE(c.qopOptions(), (QList<QByteArray> { "auth", "auth-int" }));
    QVERIFY(!c.stale());
    QVERIFY(unsupportedReason(c).isEmpty());
}

void TestDigest::decodesTokensEscapesAndCase()
{
    const Challenge c = decodeOne("digest REALM=\"a \\\"quoted\\\" \\\\ realm\" , Nonce=abc.123 ,STALE=TRUE, x-unknown=\"kept\",,");
    QCOMPARE(c.scheme, QByteArray("digest"));
    QVERIFY(c.isDigest());
    QCOMPARE(c.realm(), QByteArray("a \"quoted\" \\ realm"));
    QCOMPARE(c.nonce(), QByteArray("abc.123"));
    QVERIFY(c.stale());
    QCOMPARE(c.param("x-unknown").value_or(QByteArray()), QByteArray("kept"));
    QVERIFY(!c.opaque());
    QVERIFY(!c.algorithmText());
    QVERIFY(c.qopOptions().isEmpty());
    QCOMPARE(c.params.size(), 4);
}

void TestDigest::severalChallengesInOneValue()
{
    const DecodeResult r = decodeChallenges(
        "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, Basic realm=\"r\"");
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.challenges.size(), 3);
    QCOMPARE(r.challenges[0].nonce(), QByteArray("n1"));
    QCOMPARE(r.challenges[1].nonce(), QByteArray("n2"));
    QCOMPARE(r.challenges[2].scheme, QByteArray("Basic"));
    QCOMPARE(unsupportedReason(r.challenges[2]), QStringLiteral("scheme 'Basic' is not Digest"));
    // A challenge without parameters before another one.
    const DecodeResult bare = decodeChallenges("Negotiate, Digest realm=\"r\", nonce=\"n3\"");
    QVERIFY2(bare.ok, qPrintable(bare.error));
    QCOMPARE(bare.challenges.size(), 2);
    QCOMPARE(bare.challenges[0].scheme, QByteArray("Negotiate"));
    QVERIFY(bare.challenges[0].params.isEmpty());
    QCOMPARE(bare.challenges[1].nonce(), QByteArray("n3"));
    QCOMPARE(selectChallenge({ "Negotiate, Digest realm=\"r\", nonce=\"n3\"" }).challenge->nonce(), QByteArray("n3"));
}

void TestDigest::malformed_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray("  ") << "empty header value: no challenge";
    QTest::newRow("no scheme") << QByteArray("=x") << "expected an authentication scheme (a token) at offset 0, found '='";
    QTest::newRow("unterminated") << QByteArray("Digest realm=\"abc")
                                  << "parameter 'realm': unterminated quoted string (opened at offset 13)";
    QTest::newRow("escape at end") << QByteArray("Digest realm=\"abc\\") << "parameter 'realm': unterminated quoted string (opened at offset 13)";
    QTest::newRow("no value") << QByteArray("Digest realm=") << "parameter 'realm' has no value";
    QTest::newRow("no equals") << QByteArray("Digest realm") << "parameter 'realm' at offset 7 has no '=' and value";
    QTest::newRow("duplicate") << QByteArray("Digest nonce=\"a\", NONCE=\"b\"") << "parameter 'nonce' appears twice in one challenge";
    QTest::newRow("junk after value") << QByteArray("Digest realm=\"a\" nonce=\"b\"")
                                      << "expected ',' or the end after parameter 'realm' at offset 17, found 'n'";
    QTest::newRow("control char") << QByteArray("Digest realm=\"a\x01\"", 17)
                                  << "parameter 'realm': control character byte 0x01 at offset 15 in a quoted string";
    QTest::newRow("NUL") << QByteArray("Digest realm=\"a\0b\"", 18) << "parameter 'realm': control character byte 0x00 at offset 15 in a quoted string";
    QTest::newRow("escaped LF") << QByteArray("Digest realm=\"a\\\nb\"")
                                << "parameter 'realm': an escaped CR or LF at offset 16 (a quoted-pair may not carry them)";
    QTest::newRow("bad token value") << QByteArray("Digest algorithm=/x") << "parameter 'algorithm' at offset 17: expected a token or a quoted string, found '/'";
    QTest::newRow("bad name") << QByteArray("Digest realm=\"a\", @=b") << "expected a parameter name at offset 18, found '@'";
    QTest::newRow("scheme glued") << QByteArray("Digest\"x\"") << "expected a space after the scheme 'Digest' at offset 6, found '\"'";
}

void TestDigest::malformed()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, error);
    const DecodeResult r = decodeChallenges(value);
    QVERIFY(!r.ok);
    QVERIFY(r.challenges.isEmpty());
    QCOMPARE(r.error, error);
    const Selection s = selectChallenge({ value });
    QVERIFY(!s.challenge);
    QCOMPARE(s.error, QStringLiteral("challenge 1: ") + error);
}

void TestDigest::boundedSizes()
{
    QByteArray big = "Digest realm=\"" + QByteArray(kMaxHeaderValue, 'a') + "\"";
    DecodeResult r = decodeChallenges(big);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QLatin1String("over the 8192 accepted")), qPrintable(r.error));

    QByteArray many = "Digest ";
    for (int i = 0; i <= kMaxParams; ++i)
        many += "p" + QByteArray::number(i) + "=1, ";
    r = decodeChallenges(many);
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("more than 32 parameters in one challenge"));

    QByteArray challenges;
    for (int i = 0; i <= kMaxChallenges; ++i)
        challenges += (i ? ", " : "") + QByteArray("Digest nonce=x");
    r = decodeChallenges(challenges);
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("more than 8 challenges in one header value"));
}

void TestDigest::unsupported_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no nonce") << QByteArray("Digest realm=\"r\"") << "the Digest challenge has no nonce";
    QTest::newRow("no realm") << QByteArray("Digest nonce=\"n\"") << "the Digest challenge has no realm";
    QTest::newRow("sha-512-256") << QByteArray("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256")
                                 << "algorithm 'SHA-512-256' is not implemented (MD5, MD5-sess, SHA-256 and SHA-256-sess are)";
    QTest::newRow("auth-int only") << QByteArray("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"")
                                   << "the challenge offers only qop=auth-int (a hash of the body), which is not implemented";
    QTest::newRow("odd qop") << QByteArray("Digest realm=\"r\", nonce=\"n\", qop=\"foo\"") << "the challenge's qop 'foo' does not offer auth";
    QTest::newRow("fine") << QByteArray("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int,auth\", algorithm=md5-SESS") << QString();
}

void TestDigest::unsupported()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, reason);
    QCOMPARE(unsupportedReason(decodeOne(value)), reason);
    DigestClient client("u", "p");
    const AuthorizationResult r = client.authorize(decodeOne(value), "REGISTER", "sip:r");
    QCOMPARE(r.ok, reason.isEmpty());
    QCOMPARE(r.error, reason);
}

void TestDigest::selectsStrongest()
{
    // As separate header fields (SIP: one challenge per header), the SHA-256 one second.
    Selection s = selectChallenge({ "Digest realm=\"r\", nonce=\"md5\", algorithm=MD5, qop=\"auth\"", "Basic realm=\"r\"",
        "Digest realm=\"r\", nonce=\"sha\", algorithm=SHA-256, qop=\"auth\"", "Digest realm=\"r\", nonce=\"md5b\"" });
    QVERIFY(s.challenge);
    QCOMPARE(s.challenge->nonce(), QByteArray("sha"));
    // One field, several challenges; a broken field beside a good one does not hide the good one.
    s = selectChallenge({ "Digest realm=\"r", "Digest realm=\"r\", nonce=\"a\", Digest realm=\"r\", nonce=\"b\", algorithm=SHA-256-sess" });
    QVERIFY(s.challenge);
    QCOMPARE(s.challenge->nonce(), QByteArray("b"));
    // Nothing usable: every reason.
    s = selectChallenge({ "Basic realm=\"r\"", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256" });
    QVERIFY(!s.challenge);
    QCOMPARE(s.error, QStringLiteral("challenge 1: scheme 'Basic' is not Digest; challenge 2: algorithm 'SHA-512-256' is not "
                                     "implemented (MD5, MD5-sess, SHA-256 and SHA-256-sess are)"));
    QCOMPARE(selectChallenge({}).error, QStringLiteral("no challenge in the response"));
}

void TestDigest::encodeRoundTrip()
{
    const Challenge c = decodeOne(QByteArray("Digest realm=\"a\\\"b\\\\c\\\x01\td\", nonce=tok, qop=\"auth\""));
    QCOMPARE(c.realm(), QByteArray("a\"b\\c\x01\td"));
    const QByteArray encoded = encodeChallenge(c);
    QCOMPARE(encoded, QByteArray("Digest realm=\"a\\\"b\\\\c\\\x01\\\td\", nonce=\"tok\", qop=\"auth\""));
    const Challenge again = decodeOne(encoded);
    QCOMPARE(again.scheme, c.scheme);
    QCOMPARE(again.params, c.params);
}

void TestDigest::vectors_data()
{
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("realm");
    QTest::addColumn<QByteArray>("nonce");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<QByteArray>("qop");
    QTest::addColumn<QByteArray>("cnonce");
    QTest::addColumn<QByteArray>("response");
    QTest::newRow("RFC 7616 3.9.1 MD5") << int(Algorithm::Md5) << QByteArray("Mufasa") << QByteArray("Circle of Life")
                                        << QByteArray("http-auth@example.org") << kRfc7616Nonce << QByteArray("GET")
                                        << QByteArray("/dir/index.html") << QByteArray("auth") << kRfc7616Cnonce
                                        << QByteArray("8ca523f5e9506fed4657c9700eebdbec");
    QTest::newRow("RFC 7616 3.9.1 SHA-256") << int(Algorithm::Sha256) << QByteArray("Mufasa") << QByteArray("Circle of Life")
                                            << QByteArray("http-auth@example.org") << kRfc7616Nonce << QByteArray("GET")
                                            << QByteArray("/dir/index.html") << QByteArray("auth") << kRfc7616Cnonce
                                            << QByteArray("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    QTest::newRow("RFC 2617 3.5 MD5") << int(Algorithm::Md5) << QByteArray("Mufasa") << QByteArray("Circle Of Life")
                                      << QByteArray("testrealm@host.com") << QByteArray("dcd98b7102dd2f0e8b11d0f600bfb0c093")
                                      << QByteArray("GET") << QByteArray("/dir/index.html") << QByteArray("auth")
                                      << QByteArray("0a4f113b") << QByteArray("6629fae49393a05397450978507c4ef1");
    // No qop (RFC 2069 form), and the -sess algorithms: Python hashlib.
    QTest::newRow("SIP REGISTER no qop") << int(Algorithm::Md5) << QByteArray("alice") << QByteArray("secret")
                                         << QByteArray("example.com") << QByteArray("abc123") << QByteArray("REGISTER")
                                         << QByteArray("sip:example.com") << QByteArray() << QByteArray()
                                         << QByteArray("d1d211daa2e0d7f43de25792410f5057");
    QTest::newRow("MD5-sess") << int(Algorithm::Md5Sess) << QByteArray("alice") << QByteArray("secret") << QByteArray("example.com")
                              << QByteArray("abc123") << QByteArray("REGISTER") << QByteArray("sip:example.com")
                              << QByteArray("auth") << QByteArray("0a4f113b") << QByteArray("a1e3d79684932c7d62f1ce20bfc13594");
    QTest::newRow("SHA-256-sess") << int(Algorithm::Sha256Sess) << QByteArray("alice") << QByteArray("secret")
                                  << QByteArray("example.com") << QByteArray("abc123") << QByteArray("REGISTER")
                                  << QByteArray("sip:example.com") << QByteArray("auth") << QByteArray("0a4f113b")
                                  << QByteArray("bb706039956d84996beb026fc8240ff901507cc2fe114befd15c8c4eb3492a2c");
}

void TestDigest::vectors()
{
    QFETCH(int, algorithm);
    QFETCH(QByteArray, username);
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, realm);
    QFETCH(QByteArray, nonce);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, uri);
    QFETCH(QByteArray, qop);
    QFETCH(QByteArray, cnonce);
    QFETCH(QByteArray, response);
    DigestInput in;
    in.algorithm = Algorithm(algorithm);
    in.username = username;
    in.password = password;
    in.realm = realm;
    in.nonce = nonce;
    in.method = method;
    in.uri = uri;
    in.qop = qop;
    in.nc = qop.isEmpty() ? QByteArray() : QByteArray("00000001");
    in.cnonce = cnonce;
    QCOMPARE(computeResponse(in), response);
}

void TestDigest::rfc7616Authorization_data()
{
    QTest::addColumn<QByteArray>("algorithm");
    QTest::addColumn<QByteArray>("response");
    QTest::newRow("MD5") << QByteArray("MD5") << QByteArray("8ca523f5e9506fed4657c9700eebdbec");
    QTest::newRow("SHA-256") << QByteArray("SHA-256") << QByteArray("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// The whole path: RFC 7616's challenge decoded, answered with its fixed cnonce, the header's fields.
void TestDigest::rfc7616Authorization()
{
    QFETCH(QByteArray, algorithm);
    QFETCH(QByteArray, response);
    const Challenge c = decodeOne("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" + algorithm
        + ", nonce=\"" + kRfc7616Nonce + "\", opaque=\"" + kRfc7616Opaque + "\"");
    DigestClient client("Mufasa", "Circle of Life");
    client.setCnonceSource([] { return kRfc7616Cnonce; });
    const AuthorizationResult r = client.authorize(c, "GET", "/dir/index.html");
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.headerValue,
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"" + kRfc7616Nonce
            + "\", uri=\"/dir/index.html\", response=\"" + response + "\", algorithm=" + algorithm + ", cnonce=\""
            + kRfc7616Cnonce + "\", opaque=\"" + kRfc7616Opaque + "\", qop=auth, nc=00000001");
}

void TestDigest::rfc2069FormWithoutQop()
{
    DigestClient client("alice", "secret");
    client.setCnonceSource([] { return QByteArray("never used"); });
    const AuthorizationResult r = client.authorize(decodeOne("Digest realm=\"example.com\", nonce=\"abc123\""), "REGISTER", "sip:example.com");
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.headerValue, QByteArray("Digest username=\"alice\", realm=\"example.com\", nonce=\"abc123\", uri=\"sip:example.com\", "
                                       "response=\"d1d211daa2e0d7f43de25792410f5057\""));
}

void TestDigest::nonceCountPerNonce()
{
    DigestClient client("alice", "secret");
    const Challenge a = decodeOne("Digest realm=\"r\", nonce=\"A\", qop=auth");
    const Challenge b = decodeOne("Digest realm=\"r\", nonce=\"B\", qop=auth");
    auto nc = [&](const Challenge& c) {
        const AuthorizationResult r = client.authorize(c, "REGISTER", "sip:r");
        return decodeCredentials(r.headerValue).param("nc").value_or(QByteArray());
    };
    QCOMPARE(nc(a), QByteArray("00000001"));
    QCOMPARE(nc(a), QByteArray("00000002"));
    QCOMPARE(nc(b), QByteArray("00000001"));
    QCOMPARE(nc(a), QByteArray("00000003"));
    // A username that would break the header is refused, never sent.
    DigestClient bad("alice\r\nX-Injected: 1", "p");
    const AuthorizationResult r = bad.authorize(a, "REGISTER", "sip:r");
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("the username contains a control character"));
    DigestClient nul(QByteArray("alice\0x", 7), "p");
    QCOMPARE(nul.authorize(a, "REGISTER", "sip:r").error, QStringLiteral("the username contains a control character"));
    QCOMPARE(client.authorize(a, "REGISTER", "sip:r\x1b[2J").error, QStringLiteral("the method or Request-URI contains a control character"));
}

// A username and a realm with '"' and '\\' go out as quoted-pairs; the hash is over the values
// themselves (RFC 7616 §3.4: unquoted), so a peer that unescapes computes the same response.
void TestDigest::quotesUsernameAndRealm()
{
    const Challenge c = decodeOne("Digest realm=\"a \\\"b\\\\\", nonce=\"n\", qop=auth, opaque=\"o\\\"p\"");
    QCOMPARE(c.realm(), QByteArray("a \"b\\"));
    DigestClient client("al\"i\\ce", "pw");
    client.setCnonceSource([] { return QByteArray("cn"); });
    const AuthorizationResult r = client.authorize(c, "OPTIONS", "sip:bob@example.com");
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY2(r.headerValue.startsWith("Digest username=\"al\\\"i\\\\ce\", realm=\"a \\\"b\\\\\", nonce=\"n\""), r.headerValue.constData());
    QVERIFY2(r.headerValue.contains(", opaque=\"o\\\"p\""), r.headerValue.constData());
    const Challenge back = decodeCredentials(r.headerValue);
    QCOMPARE(back.param("username").value_or(QByteArray()), QByteArray("al\"i\\ce"));
    QCOMPARE(back.realm(), c.realm());
    // Computed here from the raw values, independently of the module: MD5(HA1:n:nc:cnonce:auth:HA2).
    const auto md5 = [](const QByteArray& v) { return QCryptographicHash::hash(v, QCryptographicHash::Md5).toHex(); };
    const QByteArray expected = md5(md5("al\"i\\ce:a \"b\\:pw") + ":n:00000001:cn:auth:" + md5("OPTIONS:sip:bob@example.com"));
    QCOMPARE(back.param("response").value_or(QByteArray()), expected);
}

void TestDigest::staleFlag()
{
    QVERIFY(decodeOne("Digest realm=r, nonce=n, stale=TRUE").stale());
    QVERIFY(decodeOne("Digest realm=r, nonce=n, stale=\"true\"").stale());
    QVERIFY(!decodeOne("Digest realm=r, nonce=n, stale=false").stale());
    QVERIFY(!decodeOne("Digest realm=r, nonce=n").stale());
}

void TestDigest::randomCnonce()
{
    DigestClient client("alice", "secret");
    const Challenge c = decodeOne("Digest realm=\"r\", nonce=\"A\", qop=\"auth\", algorithm=SHA-256");
    const Challenge first = decodeCredentials(client.authorize(c, "REGISTER", "sip:r").headerValue);
    const Challenge second = decodeCredentials(client.authorize(c, "REGISTER", "sip:r").headerValue);
    const QByteArray c1 = first.param("cnonce").value_or(QByteArray()), c2 = second.param("cnonce").value_or(QByteArray());
    QCOMPARE(c1.size(), 32);
    QVERIFY(c1 != c2);
    // The response checks out against the same inputs computed here.
    DigestInput in;
    in.algorithm = Algorithm::Sha256;
    in.username = "alice";
    in.password = "secret";
    in.realm = "r";
    in.nonce = "A";
    in.method = "REGISTER";
    in.uri = "sip:r";
    in.qop = "auth";
    in.nc = "00000001";
    in.cnonce = c1;
    QCOMPARE(first.param("response").value_or(QByteArray()), computeResponse(in));
    QCOMPARE(first.param("algorithm").value_or(QByteArray()), QByteArray("SHA-256"));
}

void TestDigest::serverVerifiesWhatAClientAnswers_data()
{
    QTest::addColumn<int>("algorithm");
    QTest::newRow("MD5") << int(Algorithm::Md5);
    QTest::newRow("SHA-256") << int(Algorithm::Sha256);
}

void TestDigest::serverVerifiesWhatAClientAnswers()
{
    QFETCH(int, algorithm);
    DigestServer server("ladderlab", "0123456789abcdef", Algorithm(algorithm));
    const qint64 now = 1'800'000'000;
    const Challenge ch = decodeOne(server.challenge(now));
    QCOMPARE(ch.realm(), QByteArray("ladderlab"));
    QVERIFY(ch.qopOptions().contains("auth"));
    DigestClient client("alice", "s3cret");
    const auto passwords = [](const QByteArray& user) -> std::optional<QByteArray> {
        if (user == "alice")
            return QByteArray("s3cret");
        return std::nullopt;
    };
    for (int i = 1; i <= 3; ++i) { // nc 1, 2, 3 on the same nonce
        const AuthorizationResult a = client.authorize(ch, "REGISTER", "sip:127.0.0.1");
        QVERIFY(a.ok);
        const DigestServer::Verdict v = server.verify({ a.headerValue }, "REGISTER", "sip:127.0.0.1", passwords, now + 10);
        QVERIFY2(v.ok(), qPrintable(v.reason));
        QCOMPARE(v.user, QByteArray("alice"));
    }
    // A second client challenged in the same second: its own nonce, its own nc 1 verifies.
    const Challenge other = decodeOne(server.challenge(now));
    QVERIFY(other.nonce() != ch.nonce());
    DigestClient second("alice", "s3cret");
    const AuthorizationResult a2 = second.authorize(other, "OPTIONS", "sip:127.0.0.1");
    QVERIFY(a2.ok);
    const DigestServer::Verdict v2 = server.verify({ a2.headerValue }, "OPTIONS", "sip:127.0.0.1", passwords, now + 10);
    QVERIFY2(v2.ok(), qPrintable(v2.reason));
    // The response computed here, not by the module: HA1/HA2 per RFC 7616 §3.4.1 (MD5 only).
    if (Algorithm(algorithm) == Algorithm::Md5) {
        auto md5 = [](const QByteArray& d) { return QCryptographicHash::hash(d, QCryptographicHash::Md5).toHex(); };
        const QByteArray ha1 = md5("alice:ladderlab:s3cret"), ha2 = md5("INVITE:sip:bob@127.0.0.1");
        const QByteArray response = md5(ha1 + ':' + ch.nonce() + ":00000001:abc:auth:" + ha2);
        const QByteArray value = "Digest username=\"alice\", realm=\"ladderlab\", nonce=\"" + ch.nonce()
            + "\", uri=\"sip:bob@127.0.0.1\", response=\"" + response + "\", qop=auth, nc=00000001, cnonce=\"abc\"";
        DigestServer fresh("ladderlab", "0123456789abcdef");
        const DigestServer::Verdict v = fresh.verify({ value }, "INVITE", "sip:bob@127.0.0.1", passwords, now);
        QVERIFY2(v.ok(), qPrintable(v.reason));
    }
}

void TestDigest::serverRefuses_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("result");
    QTest::addColumn<QString>("reason");
    using R = DigestServer::Verdict::Result;
    QTest::newRow("no credentials") << "none" << int(R::NoCredentials) << "no credentials";
    QTest::newRow("another realm") << "realm" << int(R::OtherRealm) << "another realm";
    QTest::newRow("not digest") << "basic" << int(R::Malformed) << "unusable credentials";
    QTest::newRow("forged nonce") << "nonce" << int(R::BadNonce) << "did not issue";
    QTest::newRow("stale nonce") << "late" << int(R::StaleNonce) << "stale";
    QTest::newRow("replayed nc") << "replay" << int(R::Replay) << "replay";
    QTest::newRow("another uri") << "uri" << int(R::WrongUri) << "not the Request-URI";
    QTest::newRow("unknown user") << "user" << int(R::UnknownUser) << "no such user";
    QTest::newRow("wrong password") << "password" << int(R::WrongResponse) << "wrong password";
    QTest::newRow("another method") << "method" << int(R::WrongResponse) << "wrong response";
    QTest::newRow("another algorithm") << "algorithm" << int(R::Malformed) << "not the MD5";
}

void TestDigest::serverRefuses()
{
    QFETCH(QString, change);
    QFETCH(int, result);
    QFETCH(QString, reason);
    DigestServer server("ladderlab", "secret-of-the-run");
    const qint64 now = 1'800'000'000;
    QByteArray challenge = server.challenge(now);
    if (change == QLatin1String("realm"))
        challenge.replace("realm=\"ladderlab\"", "realm=\"elsewhere\"");
    if (change == QLatin1String("nonce"))
        challenge.replace("nonce=\"", "nonce=\"1");
    if (change == QLatin1String("algorithm"))
        challenge.replace("algorithm=MD5", "algorithm=SHA-256");
    DigestClient client(change == QLatin1String("user") ? "mallory" : "alice", change == QLatin1String("password") ? "guess" : "s3cret");
    const AuthorizationResult a = client.authorize(decodeOne(challenge), "REGISTER", change == QLatin1String("uri") ? "sip:other" : "sip:127.0.0.1");
    QVERIFY(a.ok);
    QList<QByteArrayView> values;
    QByteArray basic = "Basic YWxpY2U6czNjcmV0";
    if (change == QLatin1String("basic"))
        values << basic;
    else if (change != QLatin1String("none"))
        values << a.headerValue;
    const auto passwords = [](const QByteArray& user) -> std::optional<QByteArray> {
        return user == "alice" ? std::optional<QByteArray>("s3cret") : std::nullopt;
    };
    const QByteArrayView method = change == QLatin1String("method") ? QByteArrayView("INVITE") : QByteArrayView("REGISTER");
    if (change == QLatin1String("replay"))
        QVERIFY(server.verify(values, method, "sip:127.0.0.1", passwords, now).ok());
    const qint64 when = change == QLatin1String("late") ? now + 301 : now + 1;
    const DigestServer::Verdict v = server.verify(values, method, "sip:127.0.0.1", passwords, when);
    QCOMPARE(int(v.result), result);
    QVERIFY2(v.reason.contains(reason), qPrintable(v.reason));
    QVERIFY(!v.ok());
}

void TestDigest::serverChallengesWithSha256AndMd5()
{
    // RFC 8760 §2.4: one WWW-Authenticate per algorithm, the preferred (SHA-256) first; a client
    // answers the strongest it knows, an MD5-only client the MD5 one, and both verify.
    DigestServer server("ladderlab", "0123456789abcdef");
    server.setAlgorithms({ Algorithm::Sha256, Algorithm::Md5 });
    const qint64 now = 1'800'000'000;
    const QList<QByteArray> values = server.challenges(now);
    QCOMPARE(values.size(), 2);
    const Challenge sha = decodeOne(values[0]), md5 = decodeOne(values[1]);
    QCOMPARE(sha.algorithmText().value_or(QByteArray()), QByteArray("SHA-256"));
    QCOMPARE(md5.algorithmText().value_or(QByteArray()), QByteArray("MD5"));
    QCOMPARE(sha.realm(), QByteArray("ladderlab"));
    QVERIFY(sha.qopOptions().contains("auth") && md5.qopOptions().contains("auth"));
    QVERIFY(sha.nonce() != md5.nonce()); // two clients may answer the two: their nc must not collide
    const auto passwords = [](const QByteArray& user) -> std::optional<QByteArray> {
        return user == "alice" ? std::optional<QByteArray>("s3cret") : std::nullopt;
    };
    // What a client that knows both picks from the two headers: SHA-256.
    const Selection picked = selectChallenge({ values[0], values[1] });
    QVERIFY(picked.challenge);
    QCOMPARE(picked.challenge->algorithmText().value_or(QByteArray()), QByteArray("SHA-256"));
    DigestClient client("alice", "s3cret");
    const AuthorizationResult a = client.authorize(*picked.challenge, "REGISTER", "sip:127.0.0.1");
    QVERIFY(a.ok);
    QVERIFY(a.headerValue.contains("algorithm=SHA-256"));
    DigestServer::Verdict v = server.verify({ a.headerValue }, "REGISTER", "sip:127.0.0.1", passwords, now + 1);
    QVERIFY2(v.ok(), qPrintable(v.reason));
    // An MD5-only client answers the second header: verified too.
    DigestClient old("alice", "s3cret");
    const AuthorizationResult b = old.authorize(md5, "REGISTER", "sip:127.0.0.1");
    QVERIFY(b.ok);
    v = server.verify({ b.headerValue }, "REGISTER", "sip:127.0.0.1", passwords, now + 1);
    QVERIFY2(v.ok(), qPrintable(v.reason));
    // A wrong password under SHA-256 is still refused.
    DigestClient wrong("alice", "guess");
    v = server.verify({ wrong.authorize(sha, "REGISTER", "sip:127.0.0.1").headerValue }, "REGISTER", "sip:127.0.0.1", passwords, now + 1);
    QCOMPARE(int(v.result), int(DigestServer::Verdict::Result::WrongResponse));
    // A server that asks for SHA-256 only: one header, and MD5 credentials are refused, naming it.
    DigestServer strict("ladderlab", "0123456789abcdef");
    strict.setAlgorithms({ Algorithm::Sha256 });
    const QList<QByteArray> only = strict.challenges(now);
    QCOMPARE(only.size(), 1);
    QVERIFY(only[0].contains("algorithm=SHA-256"));
    QCOMPARE(strict.challenge(now).contains("algorithm=SHA-256"), true);
    DigestClient md5Client("alice", "s3cret");
    Challenge forged = decodeOne(only[0]);
    const QByteArray md5Answer
        = md5Client.authorize(decodeOne(QByteArray(only[0]).replace("algorithm=SHA-256", "algorithm=MD5")), "REGISTER", "sip:127.0.0.1").headerValue;
    v = strict.verify({ md5Answer }, "REGISTER", "sip:127.0.0.1", passwords, now + 1);
    QCOMPARE(int(v.result), int(DigestServer::Verdict::Result::Malformed));
    QVERIFY2(v.reason.contains(QLatin1String("not the SHA-256 we asked for")), qPrintable(v.reason));
    DigestClient shaClient("alice", "s3cret");
    v = strict.verify({ shaClient.authorize(forged, "REGISTER", "sip:127.0.0.1").headerValue }, "REGISTER", "sip:127.0.0.1", passwords, now + 1);
    QVERIFY2(v.ok(), qPrintable(v.reason));
}

QTEST_APPLESS_MAIN(TestDigest)
#include "tst_digest.moc"
