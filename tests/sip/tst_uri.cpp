// SPDX-License-Identifier: GPL-3.0-or-later
// URIs (sip, sips, tel, others), name-addr values, Via values and CSeq: data-driven.
#include "sip/message/headercseq.h"
#include "sip/message/headernameaddr.h"
#include "sip/message/headervia.h"
#include "sip/message/uri.h"

#include <QTest>

using namespace ladder::sip;

class TestUri : public QObject {
    Q_OBJECT
private slots:
    void valid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("scheme");
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("params"); // "name=value|name" in order
        QTest::addColumn<QByteArray>("headers");
        const int sip = int(Uri::Scheme::Sip), sips = int(Uri::Scheme::Sips), tel = int(Uri::Scheme::Tel),
                  other = int(Uri::Scheme::Other);
        auto row = [](const char* t, int s, const char* u, const char* pw, const char* h, int p, const char* pr, const char* hd) {
            QTest::newRow(t) << QByteArray(t) << s << QByteArray(u) << QByteArray(pw) << QByteArray(h) << p << QByteArray(pr)
                             << QByteArray(hd);
        };
        row("sip:example.com", sip, "", "", "example.com", -1, "", "");
        row("sip:alice@atlanta.com", sip, "alice", "", "atlanta.com", -1, "", "");
        row("sip:alice:secretword@atlanta.com;transport=tcp", sip, "alice", "secretword", "atlanta.com", -1, "transport=tcp", "");
        row("sips:alice@atlanta.com?subject=project%20x&priority=urgent", sips, "alice", "", "atlanta.com", -1, "",
            "subject=project%20x&priority=urgent");
        row("sip:+1-212-555-1212:1234@gateway.com;user=phone", sip, "+1-212-555-1212", "1234", "gateway.com", -1, "user=phone", "");
        row("sips:1212@gateway.com", sips, "1212", "", "gateway.com", -1, "", "");
        row("sip:alice@192.0.2.4", sip, "alice", "", "192.0.2.4", -1, "", "");
        row("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", sip, "", "", "atlanta.com", -1, "method=REGISTER",
            "to=alice%40atlanta.com");
        row("sip:alice;day=tuesday@atlanta.com", sip, "alice;day=tuesday", "", "atlanta.com", -1, "", "");
        row("sip:bob@[2001:db8::10]:5070;transport=udp", sip, "bob", "", "[2001:db8::10]", 5070, "transport=udp", "");
        row("sip:[::1]", sip, "", "", "[::1]", -1, "", "");
        row("sip:[2001:db8:0:0:0:0:0:1]:5061", sip, "", "", "[2001:db8:0:0:0:0:0:1]", 5061, "", "");
        row("sip:[::ffff:192.0.2.1]", sip, "", "", "[::ffff:192.0.2.1]", -1, "", "");
        row("sip:host:0", sip, "", "", "host", 0, "", "");
        row("sip:host:65535", sip, "", "", "host", 65535, "", "");
        row("SIP:Alice@AtLanTa.CoM;Transport=UDP", sip, "Alice", "", "AtLanTa.CoM", -1, "Transport=UDP", "");
        row("sip:p1.example.com;lr", sip, "", "", "p1.example.com", -1, "lr", "");
        row("sip:p1.example.com;lr;ftag=abc;maddr=239.255.255.1;ttl=15", sip, "", "", "p1.example.com", -1,
            "lr|ftag=abc|maddr=239.255.255.1|ttl=15", "");
        row("sip:%61lice@atlanta.com", sip, "%61lice", "", "atlanta.com", -1, "", "");
        row("sip:null-%00-null@example.com", sip, "null-%00-null", "", "example.com", -1, "", "");
        row("sip:user@example.com;%6C%72", sip, "user", "", "example.com", -1, "%6C%72", "");
        row("sip:user@host;n%61me=v%61lue%25%34%31", sip, "user", "", "host", -1, "n%61me=v%61lue%25%34%31", "");
        row("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com", sip, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
            "", "example.com", -1, "", "");
        row("sip:user@host-with-dash.example", sip, "user", "", "host-with-dash.example", -1, "", "");
        row("sip:user@example.com.", sip, "user", "", "example.com.", -1, "", "");
        row("sip:user@host?Route=%3Csip:sip.example.com%3E", sip, "user", "", "host", -1, "", "Route=%3Csip:sip.example.com%3E");
        row("sip:user@host;a=[2001:db8::1]", sip, "user", "", "host", -1, "a=[2001:db8::1]", "");
        row("tel:+358-555-1234567;postd=pp22", tel, "+358-555-1234567", "", "", -1, "postd=pp22", "");
        row("tel:+1-201-555-0123", tel, "+1-201-555-0123", "", "", -1, "", "");
        row("tel:7042;phone-context=example.com", tel, "7042", "", "", -1, "phone-context=example.com", "");
        row("tel:863-1234;phone-context=+1-914-555", tel, "863-1234", "", "", -1, "phone-context=+1-914-555", "");
        row("nobodyKnowsThisScheme:totallyopaquecontent", other, "", "", "", -1, "", "");
        row("soap.beep://192.0.2.103:3002", other, "", "", "", -1, "", "");
        row("mailto:alice@example.com", other, "", "", "", -1, "", "");
        row("http://www.example.com/a?b=c", other, "", "", "", -1, "", "");
        row("urn:service:sos", other, "", "", "", -1, "", "");
        row("isbn:2983792873", other, "", "", "", -1, "", "");
    }

    void valid()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, scheme);
        QFETCH(QByteArray, user);
        QFETCH(QByteArray, password);
        QFETCH(QByteArray, host);
        QFETCH(int, port);
        QFETCH(QByteArray, params);
        QFETCH(QByteArray, headers);
        QByteArray err;
        const auto u = Uri::parse(text, &err);
        QVERIFY2(u, err.constData());
        QCOMPARE(int(u->scheme()), scheme);
        QCOMPARE(u->user(), QByteArrayView(user));
        QCOMPARE(u->password(), QByteArrayView(password));
        QCOMPARE(u->host(), QByteArrayView(host));
        QCOMPARE(u->port(), port);
        QByteArrayList got;
        for (const Param& p : u->params())
            got << (p.hasValue ? p.name.toByteArray() + '=' + p.value.toByteArray() : p.name.toByteArray());
        QCOMPARE(got.join('|'), params);
        QCOMPARE(u->headers(), QByteArrayView(headers));
        QCOMPARE(u->text(), QByteArrayView(text));
    }

    void invalid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("error");
        auto row = [](const char* t, const char* e) { QTest::newRow(t) << QByteArray(t) << QByteArray(e); };
        row("", "has no scheme");
        row("example.com", "URI 'example.com' has no scheme");
        row(":user@host", "has no scheme");
        row("1sip:host", "URI scheme '1sip' is malformed");
        row("sip:", "empty host");
        row("sip:@host", "has an empty user part before '@'");
        row("sip:user@", "empty host");
        row("sip:user@host:", "port '' is not a number");
        row("sip:user@host:5x", "port '5x' is not a number");
        row("sip:user@host:70000", "port 70000 out of range");
        row("sip:user@host:1234567", "is not a number");
        row("sip:user@[2001:db8::1", "lacks ']'");
        row("sip:user@[xyz::1]", "is malformed");
        row("sip:user@[1]", "is malformed");
        row("sip:user@[2001:db8::1]x", "unexpected 'x' after host");
        row("sip:user@-host", "host '-host' is malformed");
        row("sip:user@.host", "host '.host' is malformed");
        row("sip:user@ho..st", "host 'ho..st' is malformed");
        // A host shorter than 16 bytes in a URI of 16 or more is classified with one load that
        // starts inside the user part; a host of 16 or more ends in such a load after a full block.
        row("sip:someuser@ho..st", "host 'ho..st' is malformed");
        row("sip:u@abcdefghijklmnop..q", "host 'abcdefghijklmnop..q' is malformed");
        row("sip:u@abcdefghijklmno..pq", "host 'abcdefghijklmno..pq' is malformed");
        row("sip:u@abcdefghijklmnop_q", "unexpected '_' after host");
        row("sip:someuser@ho_st.example", "unexpected '_' after host");
        row("sip:user@ho_st", "unexpected '_' after host");
        row("sip:us er@host", "contains ' '");
        row("sip:user@host name", "contains ' '");
        row("sip:user@host;lr ", "contains ' '");
        row("sip:<user>@host", "contains '<'");
        row("sip:\"user\"@host", "contains '\"'");
        row("sip:us%zzer@host", "URI user part has an invalid %-escape '%zz'");
        row("sip:user%4@host", "URI user part has a truncated %-escape");
        row("sip:user%@host", "URI user part has a truncated %-escape");
        row("sip:user:pa@ss@host", "unexpected '@' after host");
        row("sip:user:p[w@host", "URI password contains '['");
        row("sip:user@host;=x", "empty parameter name");
        row("sip:user@host;a=", "parameter a has '=' but no value");
        row("sip:user@host;a=%4", "URI parameter has a truncated %-escape");
        row("sip:user@host?a=b c", "contains ' '");
        row("sip:user@host?a=<b>", "contains '<'");
        row("sip:user@host?a=%zz", "URI headers has an invalid %-escape '%zz'");
        row("sip:user@host;a=b\"", "contains '\"'");
        row("sip:user@host;a=b{", "unexpected '{' where ';' or the end was expected");
        row("tel:", "tel URI has no number");
        row("tel:;foo", "tel URI has no number");
        row("tel:+1-x-555", "tel URI number '+1-x-555' contains an invalid character");
        row("tel:+1;=", "tel URI: empty parameter name");
        row("mailto:", "is empty after the scheme");
        row("http://a b", "contains ' '");
    }

    void invalid()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, error);
        QByteArray err;
        QVERIFY(!Uri::parse(text, &err));
        QVERIFY2(err.contains(error), err.constData());
    }

    void nulInUser()
    {
        QByteArray err;
        QVERIFY(!Uri::parse(QByteArray("sip:a\0b@host", 12), &err));
        QVERIFY2(err.contains("contains '\\x00'"), err.constData());
    }

    void equivalence_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        // RFC 3261 §19.1.4 examples.
        QTest::newRow("escaped user") << QByteArray("sip:%61lice@atlanta.com;transport=TCP")
                                      << QByteArray("sip:alice@AtLanTa.CoM;Transport=tcp") << true;
        QTest::newRow("unescaped host case") << QByteArray("sip:carol@chicago.com") << QByteArray("sip:carol@chicago.com;newparam=5") << true;
        QTest::newRow("param in both") << QByteArray("sip:carol@chicago.com;security=on")
                                       << QByteArray("sip:carol@chicago.com;newparam=5") << true;
        QTest::newRow("headers") << QByteArray("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com")
                                 << QByteArray("sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com") << true;
        QTest::newRow("user case") << QByteArray("SIP:ALICE@AtLanTa.CoM;Transport=udp") << QByteArray("sip:alice@AtLanTa.CoM;Transport=UDP") << false;
        QTest::newRow("port") << QByteArray("sip:bob@biloxi.com") << QByteArray("sip:bob@biloxi.com:5060") << false;
        QTest::newRow("transport one side") << QByteArray("sip:bob@biloxi.com") << QByteArray("sip:bob@biloxi.com;transport=udp") << false;
        QTest::newRow("sip vs sips") << QByteArray("sip:bob@biloxi.com") << QByteArray("sips:bob@biloxi.com") << false;
        QTest::newRow("conflicting param") << QByteArray("sip:carol@chicago.com;newparam=6")
                                           << QByteArray("sip:carol@chicago.com;newparam=5") << false;
    }

    void equivalence()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        const auto ua = Uri::parse(a);
        const auto ub = Uri::parse(b);
        QVERIFY(ua && ub);
        QCOMPARE(ua->equivalent(*ub), equal);
        QCOMPARE(ub->equivalent(*ua), equal);
    }

    void nameAddr_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("display");
        QTest::addColumn<QByteArray>("uri");
        QTest::addColumn<QByteArray>("tag");
        QTest::addColumn<bool>("angle");
        auto row = [](const char* name, const char* t, const char* d, const char* u, const char* tag, bool angle) {
            QTest::newRow(name) << QByteArray(t) << QByteArray(d) << QByteArray(u) << QByteArray(tag) << angle;
        };
        row("plain", "<sip:a@b>", "", "sip:a@b", "", true);
        row("token display", "Bob <sip:bob@biloxi.com>;tag=a6c85cf", "Bob", "sip:bob@biloxi.com", "a6c85cf", true);
        row("multi-token display", "Alice  Q. Public <sip:a@b>", "Alice  Q. Public", "sip:a@b", "", true);
        row("quoted display", "\"Alice \\\"the\\\" Great\" <sip:a@b>;tag=1", "Alice \"the\" Great", "sip:a@b", "1", true);
        row("quoted empty", "\"\" <sip:a@b>", "", "sip:a@b", "", true);
        row("no space before <", "caller<sip:caller@example.com>;tag=323", "caller", "sip:caller@example.com", "323", true);
        row("quoted utf8", "\"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\" <sip:i@b>", "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd", "sip:i@b", "", true);
        row("addr-spec with params", "sip:bob@biloxi.com;tag=x;foo=bar", "", "sip:bob@biloxi.com", "x", false);
        row("addr-spec uri params go to header", "sip:bob@biloxi.com;transport=tcp", "", "sip:bob@biloxi.com", "", false);
        row("addr-spec user semicolon", "sip:user;par=u%40example.net@example.com;tag=1", "", "sip:user;par=u%40example.net@example.com", "1", false);
        row("lws before params", "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", "",
            "sip:vivekg@chair-dnrc.example.com", "1918181833n", false);
        row("uri params inside angle", "<sip:p1;lr;ftag=x>;tag=y", "", "sip:p1;lr;ftag=x", "y", true);
        row("uri headers inside angle", "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>", "",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E", "", true);
        row("tel", "<tel:+1-201-555-0123>;tag=9", "", "tel:+1-201-555-0123", "9", true);
        row("other scheme", "<http://www.example.com>;tag=3234233", "", "http://www.example.com", "3234233", true);
        row("quoted param", "<sip:a@b>;x=\"a;b,c\";tag=t", "", "sip:a@b", "t", true);
        row("star", "*", "", "", "", false);
    }

    void nameAddr()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, display);
        QFETCH(QByteArray, uri);
        QFETCH(QByteArray, tag);
        QFETCH(bool, angle);
        QByteArray err;
        const auto na = NameAddr::parse(text, &err);
        QVERIFY2(na, err.constData());
        QCOMPARE(na->displayName(), display);
        if (!na->isStar())
            QCOMPARE(na->uri().text(), QByteArrayView(uri));
        QCOMPARE(na->tag(), QByteArrayView(tag));
        QCOMPARE(na->hasAngleBrackets(), angle);
    }

    void via_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("transport");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("branch");
        QTest::addColumn<QByteArray>("received");
        QTest::addColumn<int>("rport"); // -2: no rport param, -1: valueless
        auto row = [](const char* t, const char* tr, const char* h, int p, const char* br, const char* rc, int rp) {
            QTest::newRow(t) << QByteArray(t) << QByteArray(tr) << QByteArray(h) << p << QByteArray(br) << QByteArray(rc) << rp;
        };
        row("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds", "UDP", "pc33.atlanta.com", -1, "z9hG4bK776asdhds", "", -2);
        row("SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101", "TCP",
            "client.atlanta.example.com", 5060, "z9hG4bK74bf9", "192.0.2.101", -2);
        row("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bKx", "UDP", "192.0.2.1", 5060, "z9hG4bKx", "", -1);
        row("SIP/2.0/UDP 192.0.2.1:5060;received=198.51.100.7;rport=44123;branch=z9hG4bKx", "UDP", "192.0.2.1", 5060,
            "z9hG4bKx", "198.51.100.7", 44123);
        row("SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKv6", "TLS", "[2001:db8::9]", 5061, "z9hG4bKv6", "", -2);
        row("SIP/2.0/SCTP [::1];branch=z9hG4bKs;received=[::2]", "SCTP", "[::1]", -1, "z9hG4bKs", "[::2]", -2);
        row("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw", "UDP", "192.0.2.2", -1, "390skdjuw", "", -2);
        row("SIP / 2.0 / TCP spindle.example.com ;\r\n  branch  =   z9hG4bK9ikj8", "TCP", "spindle.example.com", -1, "z9hG4bK9ikj8", "", -2);
        row("SIP/2.0/UDP host : 5062 ;branch=z9hG4bK1", "UDP", "host", 5062, "z9hG4bK1", "", -2);
        row("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en", "UNKNOWN", "t4.example.com", -1, "z9hG4bKasd0f3en", "", -2);
        row("SIP/2.0/UDP host;maddr=239.255.255.1;ttl=15;branch=z9hG4bK2", "UDP", "host", -1, "z9hG4bK2", "", -2);
        row("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws", "WS", "df7jal23ls0d.invalid", -1, "z9hG4bKws", "", -2);
    }

    void via()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, transport);
        QFETCH(QByteArray, host);
        QFETCH(int, port);
        QFETCH(QByteArray, branch);
        QFETCH(QByteArray, received);
        QFETCH(int, rport);
        QByteArray err;
        const auto v = Via::parse(text, &err);
        QVERIFY2(v, err.constData());
        QCOMPARE(v->protocolName(), "SIP");
        QCOMPARE(v->protocolVersion(), "2.0");
        QCOMPARE(v->transport(), QByteArrayView(transport));
        QCOMPARE(v->host(), QByteArrayView(host));
        QCOMPARE(v->port(), port);
        QCOMPARE(v->branch(), QByteArrayView(branch));
        QCOMPARE(v->received(), QByteArrayView(received));
        QCOMPARE(v->hasRport(), rport != -2);
        if (rport != -2)
            QCOMPARE(v->rport(), rport);
    }

    void cseq_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint32>("number");
        QTest::addColumn<QByteArray>("methodOrError");
        QTest::newRow("simple") << QByteArray("1 INVITE") << true << 1u << QByteArray("INVITE");
        QTest::newRow("max") << QByteArray("4294967295 BYE") << true << 4294967295u << QByteArray("BYE");
        QTest::newRow("leading zeros") << QByteArray("0009 INVITE") << true << 9u << QByteArray("INVITE");
        QTest::newRow("many leading zeros") << QByteArray("0000000000000000000000042 ACK") << true << 42u << QByteArray("ACK");
        QTest::newRow("folded") << QByteArray("0009\r\n  INVITE") << true << 9u << QByteArray("INVITE");
        QTest::newRow("lws") << QByteArray("  7 \t OPTIONS  ") << true << 7u << QByteArray("OPTIONS");
        QTest::newRow("extension method") << QByteArray("139122385 !interesting-Method0123456789_*+`.%indeed'~") << true
                                          << 139122385u << QByteArray("!interesting-Method0123456789_*+`.%indeed'~");
        QTest::newRow("2^32") << QByteArray("4294967296 INVITE") << false << 0u << QByteArray("value 4294967296 exceeds 2^32-1");
        QTest::newRow("2^64") << QByteArray("18446744073709551616 INVITE") << false << 0u << QByteArray("exceeds 2^32-1");
        QTest::newRow("negative") << QByteArray("-1 INVITE") << false << 0u << QByteArray("is not a decimal number");
        QTest::newRow("plus") << QByteArray("+1 INVITE") << false << 0u << QByteArray("is not a decimal number");
        QTest::newRow("fraction") << QByteArray("1.5 INVITE") << false << 0u << QByteArray("is not a decimal number");
        QTest::newRow("no method") << QByteArray("1") << false << 0u << QByteArray("missing method after 1");
        QTest::newRow("no number") << QByteArray("INVITE") << false << 0u << QByteArray("missing sequence number");
        QTest::newRow("two methods") << QByteArray("1 INVITE BYE") << false << 0u << QByteArray("is not a token");
        QTest::newRow("empty") << QByteArray("") << false << 0u << QByteArray("empty value");
    }

    void cseq()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, ok);
        QFETCH(quint32, number);
        QFETCH(QByteArray, methodOrError);
        QByteArray err;
        const auto c = CSeq::parse(text, &err);
        QCOMPARE(bool(c), ok);
        if (ok) {
            QCOMPARE(c->number, number);
            QCOMPARE(c->method, methodOrError);
        } else {
            QVERIFY2(err.contains(methodOrError), err.constData());
        }
    }

    void unescape()
    {
        QCOMPARE(Uri::unescape("%61lice%20b%2"), QByteArray("alice b%2"));
        QCOMPARE(Uri::unescape("%00"), QByteArray("\0", 1));
        QCOMPARE(Uri::unescape("plain"), QByteArray("plain"));
    }
};

QTEST_GUILESS_MAIN(TestUri)
#include "tst_uri.moc"
