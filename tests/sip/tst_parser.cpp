// SPDX-License-Identifier: GPL-3.0-or-later
// Parser: RFC 4475 torture messages (lenient and strict), grammar features, malformed input with
// the exact finding, byte-exact round trips, and robustness against truncation and corruption.
#include "sip/message/parser.h"
#include "sip/message/validation.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace ladder::sip;

namespace {

QByteArray crlf(const char* text)
{
    // Test messages are written with "\n"; the wire uses CRLF.
    QByteArray b(text);
    b.replace("\n", "\r\n");
    return b;
}

const char* kBase = "OPTIONS sip:bob@example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP host.example.com:5060;branch=z9hG4bKabc123\n"
                    "Max-Forwards: 70\n"
                    "To: <sip:bob@example.com>\n"
                    "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
                    "Call-ID: base-1@host.example.com\n"
                    "CSeq: 1 OPTIONS\n"
                    "Content-Length: 0\n"
                    "\n";

// kBase with the header line starting with `name:` replaced by `line` (or removed when empty).
QByteArray withLine(const QByteArray& name, const QByteArray& line)
{
    QList<QByteArray> lines = QByteArray(kBase).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].startsWith(name + ':')) {
            if (line.isEmpty())
                lines.removeAt(i);
            else
                lines[i] = line;
            break;
        }
    }
    return crlf(lines.join('\n').constData());
}

QByteArray withExtra(const QByteArray& line)
{
    QByteArray b = crlf(kBase);
    b.insert(b.indexOf("Content-Length"), line + "\r\n");
    return b;
}

QString tortureDir() { return QFileInfo(QFINDTESTDATA("data/torture/expected.txt")).absolutePath(); }

QByteArray loadBytes(const char* name)
{
    QFile f(tortureDir() + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".sip"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read the torture message %s", name);
    return f.readAll();
}

} // namespace

class TestParser : public QObject {
    Q_OBJECT
private slots:
    void torture_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("strict");
        QTest::addColumn<bool>("expectOk");
        QTest::addColumn<QString>("finding");
        QFile manifest(tortureDir() + QStringLiteral("/expected.txt"));
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        int rows = 0;
        while (!manifest.atEnd()) {
            const QByteArray line = manifest.readLine().trimmed();
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QList<QByteArray> parts = line.split(' ');
            QFile f(tortureDir() + QLatin1Char('/') + QString::fromUtf8(parts[0]) + QStringLiteral(".sip"));
            QVERIFY2(f.open(QIODevice::ReadOnly), parts[0].constData());
            const QByteArray bytes = f.readAll();
            const QString finding = QString::fromUtf8(parts.mid(3).join(' '));
            QTest::addRow("%s/lenient", parts[0].constData()) << bytes << false << (parts[1] == "ok") << finding;
            QTest::addRow("%s/strict", parts[0].constData()) << bytes << true << (parts[2] == "ok") << finding;
            ++rows;
        }
        QVERIFY(rows >= 40);
    }

    void torture()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, strict);
        QFETCH(bool, expectOk);
        QFETCH(QString, finding);
        const ParseResult r = parse(bytes, strict ? Strictness::Strict : Strictness::Lenient);
        QVERIFY2(r.ok == expectOk, qPrintable(QStringLiteral("error: ") + r.error + QStringLiteral(" warnings: ") + r.warnings.join(QStringLiteral(" | "))));
        // Keeping what the checks decoded changes none of the findings.
        ParseOptions options;
        options.strictness = strict ? Strictness::Strict : Strictness::Lenient;
        ParsedHeaders kept;
        const ParseResult k = parse(bytes, options, &kept);
        QCOMPARE(k.ok, r.ok);
        QCOMPARE(k.error, r.error);
        QCOMPARE(k.warnings, r.warnings);
        if (!expectOk) {
            QVERIFY2(r.error.contains(finding), qPrintable(r.error));
            return;
        }
        if (!finding.isEmpty()) {
            // Accepted, but it says what it tolerated (in strict mode too, where RFC 4475 says to
            // handle the message: longreq, dblreq, inv2543).
            QVERIFY2(r.warnings.join(QLatin1Char('|')).contains(finding), qPrintable(r.warnings.join(QLatin1Char('|'))));
        }
        // Byte-exact: the message's own bytes come back unchanged (extra datagram bytes excluded).
        QCOMPARE(r.message.serialize(), bytes.first(r.consumed));
        QVERIFY(r.message.isPristine());
        // Editing one header keeps every other byte.
        Message edited = r.message;
        edited.appendHeader("X-Test", "1");
        const ParseResult again = parse(edited.serialize(), Strictness::Lenient);
        QVERIFY2(again.ok, qPrintable(again.error));
        QCOMPARE(again.message.headerCount(), r.message.headerCount() + 1);
        QCOMPARE(again.message.body(), r.message.body());
    }

    void tortureDetails()
    {
        auto load = [](const char* name) {
            QFile f(tortureDir() + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".sip"));
            f.open(QIODevice::ReadOnly);
            return parse(f.readAll());
        };
        const ParseResult ws = load("wsinv");
        QVERIFY(ws.ok);
        const Message& m = ws.message;
        QCOMPARE(m.to()->tag(), "1918181833n");
        QCOMPARE(m.from()->tag(), "98asjd8");
        QCOMPARE(m.from()->displayName(), QByteArray("J Rosenberg \\\""));
        QCOMPARE(m.maxForwards(), 68);
        QCOMPARE(m.cseq()->number, 9u);
        QCOMPARE(m.cseq()->method, QByteArray("INVITE"));
        const QList<Via> vias = m.vias();
        QCOMPARE(vias.size(), 3);
        QCOMPARE(vias[0].transport(), "UDP");
        QCOMPARE(vias[0].host(), "192.0.2.2");
        QCOMPARE(vias[1].host(), "spindle.example.com");
        QCOMPARE(vias[1].branch(), "z9hG4bK9ikj8");
        QCOMPARE(vias[2].branch(), "z9hG4bK30239");
        QCOMPARE(m.value("NewFangledHeader"), "newfangled value continued newfangled value");
        QCOMPARE(m.value(HeaderId::Subject), "");
        QCOMPARE(m.contacts().first().param("q"), "0.33");
        QCOMPARE(m.contacts().first().displayName(), QByteArray("Quoted string \"\""));
        QCOMPARE(m.routes().first().uri().host(), "services.example.com");

        const ParseResult esc = load("esc01");
        QVERIFY(esc.ok);
        QCOMPARE(Uri::unescape(esc.message.requestUri()->user()), QByteArray("sips:user@example.com"));
        QCOMPARE(Uri::unescape(esc.message.to()->uri().user()), QByteArray("user"));
        QCOMPARE(esc.message.from()->uri().user(), "I%20have%20spaces");

        const ParseResult nul = load("escnull");
        QVERIFY(nul.ok);
        QCOMPARE(Uri::unescape(nul.message.to()->uri().user()), QByteArray("null-\0-null", 11));
        QCOMPARE(nul.message.contacts().size(), 2);

        const ParseResult mp = load("mpart01");
        QVERIFY(mp.ok);
        QVERIFY(mp.message.body().contains(QByteArrayView("\0\0\r\n--boundary42 looks", 21)));
        QCOMPARE(mp.message.body().size(), *mp.message.contentLength());

        const ParseResult dbl = load("dblreq");
        QVERIFY(dbl.ok);
        QCOMPARE(dbl.message.method(), "REGISTER");
        QVERIFY(dbl.message.serialize().endsWith("Content-Length: 0\r\n\r\n"));

        const ParseResult semi = load("semiuri");
        QVERIFY(semi.ok);
        QCOMPARE(semi.message.requestUri()->user(), "user;par=u%40example.net");
        QCOMPARE(semi.message.requestUri()->host(), "example.com");
        QCOMPARE(semi.message.values(HeaderId::Accept).size(), 6);

        const ParseResult noreason = load("noreason");
        QVERIFY(noreason.ok);
        QCOMPARE(noreason.message.statusCode(), 100);
        QCOMPARE(noreason.message.reasonPhrase(), "");

        const ParseResult unk = load("unkscm");
        QVERIFY(unk.ok);
        QCOMPARE(unk.message.requestUri()->scheme(), Uri::Scheme::Other);

        const ParseResult im = load("intmeth");
        QVERIFY2(im.ok, qPrintable(im.error));
        QCOMPARE(im.message.method(), "!interesting-Method0123456789_*+`.%indeed'~");
        QCOMPARE(im.message.from()->tag(), "_token~1'+`*%!-.");

        const ParseResult bb = load("badbranch");
        QVERIFY(bb.ok);
        QVERIFY(!isRfc3261Branch(bb.message.topVia()->branch()));
        QCOMPARE(parse(crlf(kBase)).message.topVia()->branch(), "z9hG4bKabc123");
    }

    void grammar_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("expected");

        // Compact forms, both cases: the compact name maps to the full header.
        const struct {
            const char* compact;
            const char* full;
            const char* value;
        } compact[] = {
            { "i", "Call-ID", "abc@h" }, { "m", "Contact", "<sip:a@b>" }, { "e", "Content-Encoding", "gzip" },
            { "c", "Content-Type", "text/plain" }, { "f", "From", "<sip:x@y>;tag=9" }, { "s", "Subject", "hi" },
            { "k", "Supported", "100rel" }, { "t", "To", "<sip:bob@example.com>" }, { "v", "Via", "SIP/2.0/UDP h;branch=z9hG4bKq" },
            { "o", "Event", "presence" }, { "u", "Allow-Events", "dialog" }, { "r", "Refer-To", "<sip:c@d>" },
            { "b", "Referred-By", "<sip:e@f>" }, { "x", "Session-Expires", "1800" }, { "a", "Accept-Contact", "*;audio" },
            { "j", "Reject-Contact", "*;video" }, { "y", "Identity", "\"abc\"" },
        };
        for (const auto& c : compact) {
            for (const bool upper : { false, true }) {
                const QByteArray name = upper ? QByteArray(c.compact).toUpper() : QByteArray(c.compact);
                QByteArray msg = crlf(kBase);
                const QByteArray full(c.full);
                // Replace the full-form line if the base has it, else add one.
                const qsizetype at = msg.indexOf("\r\n" + full + ":");
                if (at >= 0) {
                    const qsizetype end = msg.indexOf("\r\n", at + 2);
                    msg.replace(at + 2, end - at - 2, name + ": " + c.value);
                } else {
                    msg.insert(msg.indexOf("Content-Length"), name + ": " + c.value + "\r\n");
                }
                QTest::addRow("compact %s", name.constData()) << msg << full << QByteArray(c.value);
            }
        }
        // LWS and folding.
        QTest::newRow("folded value") << withExtra("Subject: first\r\n second\r\n\tthird") << QByteArray("Subject")
                                      << QByteArray("first second third");
        QTest::newRow("space before colon") << withExtra("Subject   :   x") << QByteArray("Subject") << QByteArray("x");
        QTest::newRow("tab after colon") << withExtra("Subject:\tx y\t") << QByteArray("Subject") << QByteArray("x y");
        QTest::newRow("empty value") << withExtra("Subject:") << QByteArray("Subject") << QByteArray("");
        QTest::newRow("value only on continuation") << withExtra("Subject:\r\n  later") << QByteArray("Subject")
                                                    << QByteArray("later");
        QTest::newRow("name case") << withExtra("sUbJeCt: m") << QByteArray("Subject") << QByteArray("m");
        QTest::newRow("unknown header verbatim") << withExtra("X-Odd-Header: a ,; \"b\" <c>") << QByteArray("x-odd-header")
                                                 << QByteArray("a ,; \"b\" <c>");
        QTest::newRow("utf8 value") << withExtra("Subject: \xc3\xa9t\xc3\xa9") << QByteArray("Subject") << QByteArray("\xc3\xa9t\xc3\xa9");
        QTest::newRow("date with commas") << withExtra("Date: Sat, 13 Nov 2010 23:29:00 GMT") << QByteArray("Date")
                                          << QByteArray("Sat, 13 Nov 2010 23:29:00 GMT");
        QTest::newRow("auth with commas") << withExtra("Authorization: Digest username=\"a\", realm=\"b, c\", nonce=\"n\"")
                                          << QByteArray("Authorization") << QByteArray("Digest username=\"a\", realm=\"b, c\", nonce=\"n\"");
    }

    void grammar()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, expected);
        const ParseResult r = parse(bytes);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.message.value(header), QByteArrayView(expected));
        QCOMPARE(r.message.serialize(), bytes);
    }

    void listValues_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("header");
        QTest::addColumn<QList<QByteArray>>("expected");
        using L = QList<QByteArray>;
        const int via = int(HeaderId::Via), contact = int(HeaderId::Contact), route = int(HeaderId::Route);
        QTest::newRow("via comma") << withLine("Via", "Via: SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/TCP b;branch=z9hG4bK2") << via
                                   << L { "SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/TCP b;branch=z9hG4bK2" };
        QTest::newRow("via repeated") << withLine("Via", "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nv: SIP/2.0/UDP b;branch=z9hG4bK2") << via
                                      << L { "SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2" };
        QTest::newRow("contact quoted comma") << withExtra("Contact: \"a, b\" <sip:a@b>, <sip:c,x@d;x=1>") << contact
                                              << L { "\"a, b\" <sip:a@b>", "<sip:c,x@d;x=1>" };
        QTest::newRow("contact escaped quote") << withExtra("Contact: \"a\\\", b\" <sip:a@b>;q=0.5") << contact
                                               << L { "\"a\\\", b\" <sip:a@b>;q=0.5" };
        QTest::newRow("route folded list") << withExtra("Route: <sip:p1;lr>,\r\n <sip:p2;lr>") << route
                                           << L { "<sip:p1;lr>", "<sip:p2;lr>" };
        QTest::newRow("contact star") << withExtra("Contact: *") << contact << L { "*" };
    }

    void listValues()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, header);
        QFETCH(QList<QByteArray>, expected);
        const ParseResult r = parse(bytes);
        QVERIFY2(r.ok, qPrintable(r.error));
        const QList<QByteArrayView> got = r.message.values(HeaderId(header));
        QCOMPARE(got.size(), expected.size());
        for (qsizetype i = 0; i < got.size(); ++i)
            QCOMPARE(got[i], QByteArrayView(expected[i]));
    }

    // Strict mode gives RFC 4475's verdicts: a Via without a branch is an RFC 2543 peer, not a
    // syntax error (§3.1.1.7), and octets after the Content-Length in a datagram are ignored and
    // reported while the message is handled (§3.1.1.8). Both are warnings in both modes.
    void strictFollowsRfc4475()
    {
        const ParseResult longreq = parse(loadBytes("longreq"), Strictness::Strict);
        QVERIFY2(longreq.ok, qPrintable(longreq.error));
        QVERIFY(longreq.warnings.contains(QStringLiteral("Via: missing branch parameter")));
        const ParseResult dblreq = parse(loadBytes("dblreq"), Strictness::Strict);
        QVERIFY2(dblreq.ok, qPrintable(dblreq.error));
        QCOMPARE(dblreq.message.method(), "REGISTER");
        QVERIFY(dblreq.warnings.contains(QStringLiteral("body: 443 bytes after the Content-Length ignored")));

        const ParseResult noBranch = parse(withLine("Via", "Via: SIP/2.0/UDP host.example.com"), Strictness::Strict);
        QVERIFY2(noBranch.ok, qPrintable(noBranch.error));
        QCOMPARE(noBranch.warnings, QStringList { QStringLiteral("Via: missing branch parameter") });
        const ParseResult extra = parse(crlf(kBase) + "garbage", Strictness::Strict);
        QVERIFY2(extra.ok, qPrintable(extra.error));
        QCOMPARE(extra.warnings, QStringList { QStringLiteral("body: 7 bytes after the Content-Length ignored") });
        QCOMPARE(extra.consumed, crlf(kBase).size());
        // What RFC 3261 itself requires still fails in strict mode: the RFC 2543 INVITE of §3.4.1
        // has no From tag.
        const ParseResult inv2543 = parse(loadBytes("inv2543"), Strictness::Strict);
        QVERIFY(!inv2543.ok);
        QCOMPARE(inv2543.error, QStringLiteral("From: missing tag parameter"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("strict");
        QTest::addColumn<QString>("error");
        auto both = [](const char* name, const QByteArray& b, const char* err) {
            QTest::addRow("%s/lenient", name) << b << false << QString::fromUtf8(err);
            QTest::addRow("%s/strict", name) << b << true << QString::fromUtf8(err);
        };
        auto strictOnly = [](const char* name, const QByteArray& b, const char* err) {
            QTest::addRow("%s", name) << b << true << QString::fromUtf8(err);
        };
        // CSeq
        both("cseq 2^32", withLine("CSeq", "CSeq: 4294967296 OPTIONS"), "CSeq: value 4294967296 exceeds 2^32-1");
        both("cseq huge", withLine("CSeq", "CSeq: 99999999999999999999999 OPTIONS"), "CSeq: value 99999999999999999999999 exceeds 2^32-1");
        both("cseq negative", withLine("CSeq", "CSeq: -1 OPTIONS"), "CSeq: sequence number '-1' is not a decimal number");
        both("cseq no number", withLine("CSeq", "CSeq: OPTIONS"), "CSeq: missing sequence number");
        both("cseq no method", withLine("CSeq", "CSeq: 12"), "CSeq: missing method after 12");
        both("cseq bad method", withLine("CSeq", "CSeq: 12 OPT<IONS"), "CSeq: method 'OPT<IONS' is not a token");
        both("cseq empty", withLine("CSeq", "CSeq:"), "CSeq: empty value");
        both("cseq hex", withLine("CSeq", "CSeq: 0x10 OPTIONS"), "is not a decimal number");
        both("cseq eleven digits", withLine("CSeq", "CSeq: 42949672950 OPTIONS"), "CSeq: value 42949672950 exceeds 2^32-1");
        both("cseq 2^32-1 bad method", withLine("CSeq", "CSeq: 4294967295 OPT<IONS"), "CSeq: method 'OPT<IONS' is not a token");
        both("cseq digits then letters", withLine("CSeq", "CSeq: 12a OPTIONS"), "CSeq: sequence number '12a' is not a decimal number");
        strictOnly("cseq two spaces mismatch", withLine("CSeq", "CSeq: 1  INVITE"), "CSeq: method INVITE does not match the request method OPTIONS");
        both("cseq twice", withExtra("CSeq: 2 OPTIONS"), "CSeq: appears 2 times");
        strictOnly("cseq missing", withLine("CSeq", ""), "CSeq: missing");
        strictOnly("cseq method mismatch", withLine("CSeq", "CSeq: 1 INVITE"), "CSeq: method INVITE does not match the request method OPTIONS");
        // Via
        strictOnly("via empty branch", withLine("Via", "Via: SIP/2.0/UDP h;branch"), "Via: empty branch parameter");
        strictOnly("via missing", withLine("Via", ""), "Via: missing");
        strictOnly("via protocol", withLine("Via", "Via: SIP/3.0/UDP h;branch=z9hG4bK1"), "Via: unexpected protocol SIP/3.0");
        both("via no sent-by", withLine("Via", "Via: SIP/2.0/UDP"), "Via: missing sent-by");
        both("via no transport", withLine("Via", "Via: SIP/2.0 host;branch=z9hG4bK1"), "Via: malformed sent-protocol");
        both("via bad port", withLine("Via", "Via: SIP/2.0/UDP host:99999;branch=z9hG4bK1"), "port 99999 out of range");
        both("via port letters", withLine("Via", "Via: SIP/2.0/UDP host:50a;branch=z9hG4bK1"), "Via: sent-by 'host:50a'");
        both("via bad ipv6", withLine("Via", "Via: SIP/2.0/UDP [2001:db8::1;branch=z9hG4bK1"), "lacks ']'");
        both("via garbage param", withLine("Via", "Via: SIP/2.0/UDP h;branch=z9hG4bK1;=x"), "Via: empty parameter name");
        both("via empty element", withLine("Via", "Via: SIP/2.0/UDP h;branch=z9hG4bK1,,SIP/2.0/UDP g;branch=z9hG4bK2"), "Via: empty value");
        both("via bad rport", withLine("Via", "Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport=abc"), "Via: rport value 'abc' is not a port");
        both("via double semicolon", withLine("Via", "Via: SIP/2.0/UDP h;;branch=z9hG4bK1"), "Via: empty parameter name");
        // From / To
        both("from unterminated quote", withLine("From", "From: \"Alice <sip:a@b>;tag=1"), "From: unterminated quoted display name");
        both("from no gt", withLine("From", "From: Alice <sip:a@b;tag=1"), "From: '<' without matching '>'");
        both("from bad display", withLine("From", "From: Alice, Bob <sip:a@b>;tag=1"), "From: display name 'Alice, Bob' must be quoted");
        both("from star", withLine("From", "From: *"), "From: '*' is only allowed in Contact");
        both("from empty tag", withLine("From", "From: <sip:a@b>;tag="), "From: parameter tag has '=' but no value");
        both("from twice", withExtra("From: <sip:c@d>;tag=2"), "From: appears 2 times");
        both("from empty", withLine("From", "From:"), "From: empty value");
        both("from uri no scheme", withLine("From", "From: <alice.example.com>;tag=1"), "From: URI 'alice.example.com' has no scheme");
        both("to spaces in uri", withLine("To", "To: < sip:bob@example.com >"), "To: URI ' sip:bob@example.com ' contains ' '");
        both("to bad escape", withLine("To", "To: <sip:b%ZZob@example.com>"), "To: URI user part has an invalid %-escape '%ZZ'");
        both("to truncated escape", withLine("To", "To: <sip:bob%4@example.com>"), "To: URI user part has a truncated %-escape");
        both("to bad host", withLine("To", "To: <sip:bob@exa_mple.com>"), "To: URI 'sip:bob@exa_mple.com': unexpected '_' after host");
        both("to empty user", withLine("To", "To: <sip:@example.com>"), "To: URI 'sip:@example.com' has an empty user part");
        both("to headers without brackets", withLine("To", "To: sip:bob@example.com?Subject=x"), "To: URI with headers must be enclosed in <>");
        both("to empty host", withLine("To", "To: <sip:bob@>"), "To: URI 'sip:bob@': empty host");
        both("to port range", withLine("To", "To: <sip:bob@example.com:65536>"), "port 65536 out of range");
        strictOnly("to missing", withLine("To", ""), "To: missing");
        strictOnly("from missing", withLine("From", ""), "From: missing");
        strictOnly("from no tag", withLine("From", "From: <sip:a@b>"), "From: missing tag parameter");
        // Call-ID
        both("callid empty", withLine("Call-ID", "Call-ID:"), "Call-ID: empty value");
        both("callid twice", withExtra("i: other"), "Call-ID: appears 2 times");
        strictOnly("callid missing", withLine("Call-ID", ""), "Call-ID: missing");
        strictOnly("callid spaces", withLine("Call-ID", "Call-ID: a b"), "Call-ID: value 'a b' is not word[@word]");
        // Long values (16 bytes and more are checked 16 at a time): a bad byte anywhere, '@' rules.
        strictOnly("callid two at", withLine("Call-ID", "Call-ID: a84b4c76e66710@pc33@atlanta.example.com"),
            "Call-ID: value 'a84b4c76e66710@pc33@atlanta.example.com' is not word[@word]");
        strictOnly("callid ends with at", withLine("Call-ID", "Call-ID: a84b4c76e66710abcdef@"),
            "Call-ID: value 'a84b4c76e66710abcdef@' is not word[@word]");
        strictOnly("callid starts with at", withLine("Call-ID", "Call-ID: @a84b4c76e66710abcdefgh"),
            "Call-ID: value '@a84b4c76e66710abcdefgh' is not word[@word]");
        strictOnly("callid semicolon late", withLine("Call-ID", "Call-ID: a84b4c76e66710@pc33.atlanta.example;com"),
            "Call-ID: value 'a84b4c76e66710@pc33.atlanta.example;com' is not word[@word]");
        strictOnly("callid hash first", withLine("Call-ID", "Call-ID: #84b4c76e66710@pc33.atlanta.example.com"),
            "Call-ID: value '#84b4c76e66710@pc33.atlanta.example.com' is not word[@word]");
        strictOnly("callid del", withLine("Call-ID", "Call-ID: a84b4c76e66710@pc33.atlanta.exam\x7fple.com"),
            "is not word[@word]");
        strictOnly("callid high byte at 16", withLine("Call-ID", "Call-ID: 0123456789abcdef\xc3\xa9"),
            "Call-ID: value '0123456789abcdef\\xc3\\xa9' is not word[@word]");
        strictOnly("callid pipe in 16", withLine("Call-ID", "Call-ID: 0123456789abcde|"),
            "Call-ID: value '0123456789abcde|' is not word[@word]");
        // Max-Forwards
        both("max-forwards 256", withLine("Max-Forwards", "Max-Forwards: 256"), "Max-Forwards: value 256 exceeds 255");
        both("max-forwards text", withLine("Max-Forwards", "Max-Forwards: seventy"), "Max-Forwards: value 'seventy' is not a number");
        both("max-forwards huge", withLine("Max-Forwards", "Max-Forwards: 123456789012345678901234"), "Max-Forwards: value 123456789012345678901234 exceeds 255");
        strictOnly("max-forwards missing", withLine("Max-Forwards", ""), "Max-Forwards: missing");
        // Content-Length and framing
        both("content-length text", withLine("Content-Length", "Content-Length: ten"), "Content-Length: value 'ten' is not a number");
        both("content-length too big", withLine("Content-Length", "Content-Length: 10"), "Content-Length: value 10 exceeds the 0 bytes available");
        both("content-length negative", withLine("Content-Length", "Content-Length: -1"), "Content-Length: value '-1' is not a number");
        both("content-length overflow", withLine("Content-Length", "Content-Length: 99999999999999999999999"), "Content-Length: value 99999999999999999999999 is too large");
        both("content-length conflict", withExtra("l: 5"), "Content-Length: conflicting values 5 and 0");
        strictOnly("content-length repeated", withExtra("l: 0"), "Content-Length: repeated");
        strictOnly("body without type", withLine("Content-Length", "Content-Length: 4") + "abcd", "Content-Type: missing for a body of 4 bytes");
        // Header lines
        both("no colon", withExtra("This line has no colon"), "line 8: header line without ':' ('This line has no colon')");
        both("bad header name", withExtra("Bad Name: x"), "line 8: invalid header name 'Bad Name'");
        both("empty header name", withExtra(": x"), "line 8: invalid header name ''");
        both("header name with nul", withExtra(QByteArray("X\0Y: z", 6)), "invalid header name 'X\\x00Y'");
        both("continuation first", crlf("OPTIONS sip:a@b SIP/2.0\n continued: x\n\n"), "line 2: continuation line before the first header");
        strictOnly("bare LF", QByteArray(kBase), "line 1: ends with LF instead of CRLF");
        strictOnly("no empty line", crlf(kBase).chopped(2), "headers: not terminated by an empty line");
        // Start line
        both("empty", QByteArray(), "message: empty");
        both("only CRLF", QByteArray("\r\n\r\n"), "message: empty");
        both("no CRLF at all", QByteArray("OPTIONS sip:a@b SIP/2.0"), "start line: not terminated by CRLF");
        both("one word", crlf("HELLO\n\n"), "start line: 'HELLO' is neither a request nor a status line");
        both("method not token", crlf("OPT(IONS sip:a@b SIP/2.0\n\n"), "request line: method 'OPT(IONS' is not a token");
        both("missing version", crlf("OPTIONS sip:a@b\n\n"), "request line: 'OPTIONS sip:a@b' needs Method SP Request-URI SP SIP-Version");
        both("http version", crlf("GET /index.html HTTP/1.1\n\n"), "request line: version 'HTTP/1.1' is not SIP/x.y");
        both("uri no scheme", crlf("OPTIONS example.com SIP/2.0\n\n"), "request line: URI 'example.com' has no scheme");
        both("uri bad port", crlf("OPTIONS sip:a@b:x SIP/2.0\n\n"), "request line: URI 'sip:a@b:x': port 'x' is not a number");
        both("uri bad ipv6", crlf("OPTIONS sip:[zz::1] SIP/2.0\n\n"), "is malformed");
        both("status two digits", crlf("SIP/2.0 20 OK\n\n"), "status line: status code '20' is not three digits");
        both("status letters", crlf("SIP/2.0 2x0 OK\n\n"), "is not three digits");
        both("status 099", crlf("SIP/2.0 099 Low\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n"), "status line: code 99 is outside 100..699");
        both("status 700", crlf("SIP/2.0 700 High\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n"), "status line: code 700 is outside 100..699");
        strictOnly("lower-case version", crlf("OPTIONS sip:bob@example.com sip/2.0\n\n"), "should be upper-case SIP/2.0");
        strictOnly("status no reason sp", crlf("SIP/2.0 200\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n"), "status line: missing SP after the status code");
        // Route / Contact
        both("route unterminated", withExtra("Route: <sip:p1;lr"), "Route: '<' without matching '>'");
        both("record-route bad uri", withExtra("Record-Route: <sip:>"), "Record-Route: URI 'sip:': empty host");
        strictOnly("route no brackets", withExtra("Route: sip:p1.example.com"), "Route: value 'sip:p1.example.com' must be enclosed in <>");
        both("contact bad param", withExtra("Contact: <sip:a@b>;q=\"0.5"), "Contact: unterminated quoted string in parameter q");
        both("contact empty element", withExtra("Contact: <sip:a@b>, ,<sip:c@d>"), "Contact: empty value");
        both("route star", withExtra("Route: *"), "Route: '*' is only allowed in Contact");
        strictOnly("expires text", withExtra("Expires: soon"), "Expires: value 'soon' is not delta-seconds");
        strictOnly("date not gmt", withExtra("Date: Fri, 01 Jan 2010 16:00:00 EST"), "Date: value 'Fri, 01 Jan 2010 16:00:00 EST' is not an RFC 1123 date in GMT");
    }

    // parse() given a ParsedHeaders keeps what its checks decoded: the values the typed accessors
    // decode again, every one of a list, folded lines included.
    void parsedHeadersAreKept()
    {
        const QByteArray bytes = crlf("INVITE sip:bob@example.com;transport=tcp SIP/2.0\n"
                                      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2\n"
                                      "Via: SIP/2.0/SCTP c.example.com\n"
                                      " ;branch=z9hG4bK3\n"
                                      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n"
                                      "Route: <sip:r1.example.com;lr>\n"
                                      "Max-Forwards: 69\n"
                                      "To: Bob <sip:bob@example.com>\n"
                                      "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
                                      "Call-ID: kept-1@host.example.com\n"
                                      "CSeq: 4711 INVITE\n"
                                      "Contact: <sip:alice@192.0.2.1>;expires=60, sip:alice@192.0.2.2\n"
                                      "Content-Type: text/plain\n"
                                      "Content-Length: 4\n"
                                      "\n"
                                      "body");
        ParsedHeaders p;
        const ParseResult r = parse(bytes, {}, &p);
        QVERIFY2(r.ok, qPrintable(r.error));
        const Message& m = r.message;
        QCOMPARE(r.warnings, parse(bytes).warnings);
        QCOMPARE(p.requestUri.text(), m.requestUriText());
        QCOMPARE(p.requestUri.param("transport"), "tcp");
        const QList<Via> vias = m.vias();
        QCOMPARE(vias.size(), 3);
        QCOMPARE(p.vias.size(), 3);
        for (qsizetype i = 0; i < vias.size(); ++i) {
            QCOMPARE(p.vias[i].text(), vias[i].text());
            QCOMPARE(p.vias[i].transport(), vias[i].transport());
            QCOMPARE(p.vias[i].host(), vias[i].host());
            QCOMPARE(p.vias[i].port(), vias[i].port());
            QCOMPARE(p.vias[i].branch(), vias[i].branch());
        }
        QCOMPARE(p.vias[2].branch(), "z9hG4bK3"); // from the folded line
        QCOMPARE(p.from.displayName(), "Alice");
        QCOMPARE(p.from.tag(), "a1");
        QCOMPARE(p.from.uri().user(), "alice");
        QCOMPARE(p.to.text(), m.to()->text());
        QVERIFY(!p.to.hasTag());
        QCOMPARE(p.cseqNumber, 4711u);
        QCOMPARE(p.cseqMethod, "INVITE");
        QCOMPARE(p.maxForwards, 69);
        QCOMPARE(p.contentLength, 4);
        const auto sameList = [](const QVarLengthArray<NameAddr, 2>& kept, const QList<NameAddr>& again) {
            if (kept.size() != again.size())
                return false;
            for (qsizetype i = 0; i < kept.size(); ++i)
                if (kept[i].text() != again[i].text() || kept[i].uri().host() != again[i].uri().host()
                    || kept[i].params().size() != again[i].params().size())
                    return false;
            return true;
        };
        QCOMPARE(p.contacts.size(), 2);
        QCOMPARE(p.contacts[0].param("expires"), "60");
        QVERIFY(!p.contacts[1].hasAngleBrackets());
        QVERIFY(sameList(p.contacts, m.contacts()));
        QCOMPARE(p.routes.size(), 1);
        QVERIFY(sameList(p.routes, m.routes()));
        QCOMPARE(p.recordRoutes.size(), 2);
        QCOMPARE(p.recordRoutes[1].uri().host(), "p2.example.com");
        QVERIFY(sameList(p.recordRoutes, m.recordRoutes()));

        // A response without Max-Forwards or Content-Length: nothing kept for them or the
        // Request-URI.
        ParsedHeaders q;
        const ParseResult resp = parse(crlf("SIP/2.0 200 OK\n"
                                            "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\n"
                                            "To: <sip:bob@example.com>;tag=b2\n"
                                            "From: <sip:alice@example.com>;tag=a1\n"
                                            "Call-ID: kept-2\n"
                                            "CSeq: 1 OPTIONS\n"
                                            "\n"),
            {}, &q);
        QVERIFY2(resp.ok, qPrintable(resp.error));
        QVERIFY(q.requestUri.text().isEmpty());
        QCOMPARE(q.vias.size(), 1);
        QCOMPARE(q.to.tag(), "b2");
        QCOMPARE(q.maxForwards, -1);
        QCOMPARE(q.contentLength, -1);
        QVERIFY(q.contacts.isEmpty());
    }

    // Values the fast paths (CSeq, the SIP/2.0/ sent-protocol, Call-ID) accept, and the
    // variants they hand to the general path, all accepted without a warning in strict mode.
    void fastPathsAccept_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<quint32>("cseq");
        QTest::addColumn<QByteArray>("transport");
        QTest::newRow("base") << crlf(kBase) << 1u << QByteArray("UDP");
        QTest::newRow("cseq 2^32-1") << withLine("CSeq", "CSeq: 4294967295 OPTIONS") << 4294967295u << QByteArray("UDP");
        QTest::newRow("cseq leading zeros") << withLine("CSeq", "CSeq: 00000000000000000007 OPTIONS") << 7u << QByteArray("UDP");
        QTest::newRow("cseq tab") << withLine("CSeq", "CSeq: 12\tOPTIONS") << 12u << QByteArray("UDP");
        QTest::newRow("cseq spaces") << withLine("CSeq", "CSeq:   12   OPTIONS  ") << 12u << QByteArray("UDP");
        QTest::newRow("via lws after slash")
            << withLine("Via", "Via: SIP/2.0/ TCP host.example.com;branch=z9hG4bK1") << 1u << QByteArray("TCP");
        QTest::newRow("via lws around slashes")
            << withLine("Via", "Via: SIP / 2.0 / SCTP host.example.com;branch=z9hG4bK1") << 1u << QByteArray("SCTP");
        QTest::newRow("via lower case") << withLine("Via", "Via: sip/2.0/tls host.example.com;branch=z9hG4bK1") << 1u
                                        << QByteArray("tls");
        QTest::newRow("callid all word punctuation")
            << withLine("Call-ID", "Call-ID: a-.!%*_+`'~()<>:\\\"/[]?{}0123456789@Z.z") << 1u << QByteArray("UDP");
        QTest::newRow("callid exactly 16") << withLine("Call-ID", "Call-ID: 0123456789abcdef") << 1u << QByteArray("UDP");
        QTest::newRow("callid 17 with at") << withLine("Call-ID", "Call-ID: 0123456789abcde@f") << 1u << QByteArray("UDP");
    }

    void fastPathsAccept()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(quint32, cseq);
        QFETCH(QByteArray, transport);
        const ParseResult r = parse(bytes, Strictness::Strict);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.warnings.isEmpty());
        QCOMPARE(r.message.cseq()->number, cseq);
        QCOMPARE(r.message.cseq()->method, "OPTIONS");
        QCOMPARE(r.message.topVia()->transport(), QByteArrayView(transport));
        QCOMPARE(r.message.topVia()->protocolVersion(), "2.0");
        QCOMPARE(r.message.topVia()->host(), "host.example.com");
    }

    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, strict);
        QFETCH(QString, error);
        const ParseResult r = parse(bytes, strict ? Strictness::Strict : Strictness::Lenient);
        QVERIFY2(!r.ok, "accepted");
        QVERIFY2(r.error.contains(error), qPrintable(QStringLiteral("got: ") + r.error));
        if (strict) {
            // What strict rejects only as a warning, lenient accepts and reports.
            const ParseResult lenient = parse(bytes, Strictness::Lenient);
            if (lenient.ok)
                QVERIFY2(lenient.warnings.join(QLatin1Char('|')).contains(error), qPrintable(lenient.warnings.join(QLatin1Char('|'))));
        }
    }

    void streamMode()
    {
        ParseOptions o;
        o.stream = true;
        const ParseResult r = parse(withLine("Content-Length", ""), o);
        QVERIFY(!r.ok);
        QCOMPARE(r.error, QStringLiteral("Content-Length: missing (required on stream transports)"));
        const ParseResult d = parse(withLine("Content-Length", ""));
        QVERIFY(d.ok); // optional on datagrams
        QVERIFY(d.warnings.isEmpty());
    }

    void leadingCrlfAndBody()
    {
        const QByteArray msg = crlf(kBase);
        const QByteArray withKeepAlive = "\r\n\r\n" + msg;
        const ParseResult r = parse(withKeepAlive);
        QVERIFY(r.ok);
        QCOMPARE(r.message.serialize(), msg);
        QCOMPARE(r.consumed, withKeepAlive.size());

        const QByteArray bodyMsg = withLine("Content-Length", "Content-Length: 5\nContent-Type: application/octet-stream")
            + QByteArray("\0\1\2\r\n", 5);
        const ParseResult b = parse(bodyMsg);
        QVERIFY2(b.ok, qPrintable(b.error));
        QCOMPARE(b.message.body(), QByteArrayView("\0\1\2\r\n", 5));
    }

    // Every prefix and a set of byte corruptions of every torture message: the parser returns
    // (ok or a non-empty error), never crashes, never reads out of bounds (run under ASan).
    void robustness()
    {
        const QStringList files = QDir(tortureDir()).entryList({ QStringLiteral("*.sip") });
        QVERIFY(files.size() >= 40);
        quint32 seed = 12345;
        int parsed = 0;
        for (const QString& name : files) {
            QFile f(tortureDir() + QLatin1Char('/') + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            for (qsizetype n = 0; n <= bytes.size(); n += (n < 200 ? 1 : 7)) {
                const ParseResult r = parse(bytes.first(n));
                QVERIFY(r.ok || !r.error.isEmpty());
                if (r.ok) {
                    // The message is the consumed bytes after any keep-alive CRLFs before it, byte
                    // for byte (expected bytes from the input alone, not from serialize()'s size).
                    QByteArrayView expected = QByteArrayView(bytes).first(r.consumed);
                    while (expected.startsWith("\r\n"))
                        expected = expected.sliced(2);
                    QCOMPARE(r.message.serialize(), expected.toByteArray());
                    ++parsed;
                }
            }
            for (int i = 0; i < 200; ++i) {
                QByteArray m = bytes;
                seed = seed * 1103515245u + 12345u;
                const qsizetype pos = qsizetype(seed >> 8) % m.size();
                static const char kBytes[] = { '\0', '\r', '\n', ' ', ':', ';', ',', '"', '<', '>', '\\', '%', '@', '[', ']', '=' };
                m[pos] = kBytes[(seed >> 3) % sizeof(kBytes)];
                const ParseResult r = parse(m, (i & 1) ? Strictness::Strict : Strictness::Lenient);
                QVERIFY(r.ok || !r.error.isEmpty());
                ParseOptions options;
                options.strictness = (i & 1) ? Strictness::Strict : Strictness::Lenient;
                ParsedHeaders kept;
                const ParseResult k = parse(m, options, &kept); // the same findings when keeping
                QCOMPARE(k.error, r.error);
                QCOMPARE(k.warnings, r.warnings);
                if (r.ok) {
                    // Accessors on whatever was accepted must not crash either.
                    (void)r.message.vias();
                    (void)r.message.contacts();
                    (void)r.message.routes();
                    (void)r.message.requestUri();
                    (void)validate(r.message, Strictness::Strict);
                }
            }
        }
        QVERIFY(parsed > 0);
    }
};

QTEST_GUILESS_MAIN(TestParser)
#include "tst_parser.moc"
