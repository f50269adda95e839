// SPDX-License-Identifier: GPL-3.0-or-later
// Builder: requests from templates, responses, ACK (2xx and non-2xx), CANCEL, in-dialog requests
// with loose and strict routing, header editing, ids, Content-Length fixing, validation helpers.
#include "sip/message/builder.h"
#include "sip/message/ids.h"
#include "sip/message/parser.h"
#include "sip/message/validation.h"

#include <QSet>
#include <QTest>

using namespace ladder::sip;

namespace {

Message reparse(const Message& m)
{
    const ParseResult r = parse(m.serialize(), Strictness::Strict);
    if (!r.ok)
        qWarning("%s\n%s", qPrintable(r.error), m.serialize().constData());
    return r.message;
}

RequestTemplate inviteTemplate()
{
    RequestTemplate t;
    t.method = "INVITE";
    t.requestUri = "sip:bob@biloxi.example.com";
    t.from = "Alice <sip:alice@atlanta.example.com>";
    t.fromTag = "1928301774";
    t.to = "Bob <sip:bob@biloxi.example.com>";
    t.callId = "a84b4c76e66710@pc33.atlanta.example.com";
    t.cseq = 314159;
    t.via.sentBy = "pc33.atlanta.example.com:5060";
    t.branch = "z9hG4bK776asdhds";
    t.contact = "<sip:alice@pc33.atlanta.example.com>";
    t.body = "v=0\r\n";
    t.contentType = "application/sdp";
    return t;
}

} // namespace

class TestBuilder : public QObject {
    Q_OBJECT
private slots:
    void requestFromTemplate()
    {
        const Message m = buildRequest(inviteTemplate());
        const QByteArray bytes = m.serialize();
        QVERIFY(bytes.startsWith("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
                                 "Max-Forwards: 70\r\n"));
        const Message p = reparse(m);
        QVERIFY(p.isRequest());
        QCOMPARE(p.fromTag(), "1928301774");
        QCOMPARE(p.cseq()->number, 314159u);
        QCOMPARE(p.cseq()->method, QByteArray("INVITE"));
        QCOMPARE(p.contentLength(), 5);
        QCOMPARE(p.body(), "v=0\r\n");
        QCOMPARE(p.contentType(), "application/sdp");
        QVERIFY(p.topVia()->hasRport());
    }

    void generatedIds()
    {
        RequestTemplate t = inviteTemplate();
        t.fromTag.clear();
        t.callId.clear();
        t.branch.clear();
        const Message a = reparse(buildRequest(t));
        const Message b = reparse(buildRequest(t));
        QVERIFY(isRfc3261Branch(a.topVia()->branch()));
        QVERIFY(a.topVia()->branch() != b.topVia()->branch());
        QVERIFY(a.fromTag() != b.fromTag());
        QVERIFY(a.callId() != b.callId());
        QVERIFY(a.fromTag().size() >= 8);

        QSet<QByteArray> seen;
        for (int i = 0; i < 2000; ++i)
            seen.insert(newBranch());
        QCOMPARE(seen.size(), 2000);
        QVERIFY(newCallId("host.example").endsWith("@host.example"));

        IdGenerator g1(42), g2(42);
        QCOMPARE(g1.branch(), g2.branch());
        QCOMPARE(g1.tag(), g2.tag());
        QVERIFY(g1.branch().startsWith("z9hG4bK"));
        g2.reseed(42);
        IdGenerator g3(42);
        QCOMPARE(g2.tag(), g3.tag());

        // The process-wide generator behind the free functions can be seeded (lab runs).
        seedIds(9);
        const QByteArray b9 = newBranch(), t9 = newTag(), c9 = newCallId();
        seedIds(9);
        QCOMPARE(newBranch(), b9);
        QCOMPARE(newTag(), t9);
        QCOMPARE(newCallId(), c9);
        seedIds(10);
        QVERIFY(newBranch() != b9);
    }

    void response_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("toTag");
        QTest::addColumn<bool>("recordRoute");
        QTest::newRow("100") << 100 << false << false;
        QTest::newRow("180") << 180 << true << true;
        QTest::newRow("200") << 200 << true << true;
        QTest::newRow("302") << 302 << true << false;
        QTest::newRow("486") << 486 << true << false;
        QTest::newRow("603") << 603 << true << false;
    }

    void response()
    {
        QFETCH(int, status);
        QFETCH(bool, toTag);
        QFETCH(bool, recordRoute);
        Message req = buildRequest(inviteTemplate());
        req.insertHeader(1, HeaderId::Via, "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1;received=192.0.2.9");
        req.appendHeader(HeaderId::RecordRoute, "<sip:proxy.example.com;lr>");
        req.appendHeader(HeaderId::Timestamp, "54");
        const Message request = reparse(req);
        const Message r = reparse(buildResponse(request, status, {}, "resp-tag"));
        QVERIFY(r.isResponse());
        QCOMPARE(r.statusCode(), status);
        QCOMPARE(r.reasonPhrase(), QByteArrayView(Message::defaultReason(status)));
        QCOMPARE(r.vias().size(), 2);
        QCOMPARE(r.vias()[1].received(), "192.0.2.9");
        QCOMPARE(r.fromTag(), "1928301774");
        QCOMPARE(r.toTag(), toTag ? QByteArrayView("resp-tag") : QByteArrayView());
        QCOMPARE(r.callId(), request.callId());
        QCOMPARE(r.cseq()->number, 314159u);
        QCOMPARE(r.recordRoutes().size(), recordRoute ? 1 : 0);
        QCOMPARE(r.hasHeader(HeaderId::Timestamp), status == 100);
        QCOMPARE(r.contentLength(), 0);
    }

    void responseKeepsExistingToTag()
    {
        RequestTemplate t = inviteTemplate();
        t.to = "<sip:bob@biloxi.example.com>;tag=existing";
        const Message r = reparse(buildResponse(reparse(buildRequest(t)), 200, "Fine"));
        QCOMPARE(r.toTag(), "existing");
        QCOMPARE(r.reasonPhrase(), "Fine");
    }

    void ackFor2xx()
    {
        const Message invite = reparse(buildRequest(inviteTemplate()));
        const Message ok = reparse(buildResponse(invite, 200, {}, "bobtag"));
        LocalVia via;
        via.sentBy = "pc33.atlanta.example.com";
        const Message ack = reparse(buildAckFor2xx(ok, "sip:bob@192.0.2.4",
            { "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>" }, via));
        QCOMPARE(ack.method(), "ACK");
        QCOMPARE(ack.requestUriText(), "sip:bob@192.0.2.4");
        QCOMPARE(ack.routes().size(), 2);
        QCOMPARE(ack.routes()[0].uri().host(), "p1.example.com");
        QCOMPARE(ack.cseq()->number, 314159u);
        QCOMPARE(ack.cseq()->method, QByteArray("ACK"));
        QCOMPARE(ack.toTag(), "bobtag");
        QCOMPARE(ack.fromTag(), "1928301774");
        QVERIFY(isRfc3261Branch(ack.topVia()->branch()));
        QVERIFY(ack.topVia()->branch() != invite.topVia()->branch());
        QCOMPARE(ack.headerAt(0).id, HeaderId::Via);
    }

    void ackForNon2xxAndCancel()
    {
        Message inv = buildRequest(inviteTemplate());
        inv.insertHeader(2, HeaderId::Route, "<sip:p1.example.com;lr>");
        const Message invite = reparse(inv);
        const Message busy = reparse(buildResponse(invite, 486, {}, "busytag"));
        const Message ack = reparse(buildAckForNon2xx(invite, busy));
        QCOMPARE(ack.method(), "ACK");
        QCOMPARE(ack.requestUriText(), invite.requestUriText());
        QCOMPARE(ack.topVia()->branch(), invite.topVia()->branch());
        QCOMPARE(ack.vias().size(), 1);
        QCOMPARE(ack.toTag(), "busytag");
        QCOMPARE(ack.cseq()->number, 314159u);
        QCOMPARE(ack.routes().size(), 1);

        const Message cancel = reparse(buildCancel(invite));
        QCOMPARE(cancel.method(), "CANCEL");
        QCOMPARE(cancel.requestUriText(), invite.requestUriText());
        QCOMPARE(cancel.topVia()->branch(), invite.topVia()->branch());
        QCOMPARE(cancel.cseq()->method, QByteArray("CANCEL"));
        QCOMPARE(cancel.cseq()->number, 314159u);
        QVERIFY(!cancel.to()->hasTag());
        QCOMPARE(cancel.routes().size(), 1);
    }

    void inDialog_data()
    {
        QTest::addColumn<QList<QByteArray>>("routeSet");
        QTest::addColumn<QByteArray>("requestUri");
        QTest::addColumn<QList<QByteArray>>("routes");
        using L = QList<QByteArray>;
        QTest::newRow("no route set") << L {} << QByteArray("sip:bob@192.0.2.4") << L {};
        QTest::newRow("loose") << L { "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>" } << QByteArray("sip:bob@192.0.2.4")
                               << L { "sip:p1.example.com;lr", "sip:p2.example.com;lr" };
        QTest::newRow("strict") << L { "<sip:p1.example.com>", "<sip:p2.example.com;lr>" } << QByteArray("sip:p1.example.com")
                                << L { "sip:p2.example.com;lr", "sip:bob@192.0.2.4" };
        QTest::newRow("strict with headers") << L { "<sip:p1.example.com?X=y>" } << QByteArray("sip:p1.example.com")
                                             << L { "sip:bob@192.0.2.4" };
    }

    void inDialog()
    {
        QFETCH(QList<QByteArray>, routeSet);
        QFETCH(QByteArray, requestUri);
        QFETCH(QList<QByteArray>, routes);
        DialogRequestParams p;
        p.method = "BYE";
        p.callId = "dlg-1";
        p.localUri = "<sip:alice@atlanta.example.com>";
        p.localTag = "a1";
        p.remoteUri = "<sip:bob@biloxi.example.com>";
        p.remoteTag = "b1";
        p.lastLocalCSeq = 41;
        p.remoteTarget = "sip:bob@192.0.2.4";
        p.routeSet = routeSet;
        p.via.sentBy = "192.0.2.1:5060";
        p.via.transport = "tcp";
        const Message m = reparse(buildInDialogRequest(p));
        QCOMPARE(m.method(), "BYE");
        QCOMPARE(m.requestUriText(), QByteArrayView(requestUri));
        QCOMPARE(m.cseq()->number, 42u);
        QCOMPARE(m.fromTag(), "a1");
        QCOMPARE(m.toTag(), "b1");
        QCOMPARE(m.callId(), "dlg-1");
        QCOMPARE(m.topVia()->transport(), "TCP");
        const QList<NameAddr> got = m.routes();
        QCOMPARE(got.size(), routes.size());
        for (qsizetype i = 0; i < got.size(); ++i)
            QCOMPARE(got[i].uri().text(), QByteArrayView(routes[i]));
    }

    void editing()
    {
        Message m = buildRequest(inviteTemplate());
        m.appendHeader("X-One", "1");
        m.appendHeader("X-Two", "2");
        m.appendHeader("x-one", "3");
        QCOMPARE(m.removeHeaders("X-ONE"), 2);
        QCOMPARE(m.value("X-Two"), "2");
        m.setHeader(HeaderId::Subject, "first");
        m.appendHeader(HeaderId::Subject, "second");
        m.setHeader(HeaderId::Subject, "only");
        QCOMPARE(m.countOf(HeaderId::Subject), 1);
        QCOMPARE(m.value(HeaderId::Subject), "only");
        m.replaceHeaderAt(m.indexOf(HeaderId::MaxForwards), "69");
        QCOMPARE(m.maxForwards(), 69);
        m.setBody("a much longer body\r\n");
        QCOMPARE(m.contentLength(), 20);
        m.setBody({}, "");
        QCOMPARE(m.contentLength(), 0);
        QVERIFY(!m.hasHeader(HeaderId::ContentType));
        m.setStatusLine(404);
        QVERIFY(m.isResponse());
        QCOMPARE(m.reasonPhrase(), "Not Found");
        m.setRequestLine("OPTIONS", "sip:x@y");
        QVERIFY(m.isRequest());
        QCOMPARE(m.method(), "OPTIONS");
        const ParseResult r = parse(m.serialize());
        QVERIFY(r.ok);
        QVERIFY(r.warnings.contains(QStringLiteral("CSeq: method INVITE does not match the request method OPTIONS")));
    }

    void editParsedViaStack()
    {
        const QByteArray raw = "SIP/2.0 200 OK\r\n"
                               "v: SIP/2.0/UDP p1;branch=z9hG4bK1, SIP/2.0/UDP p2;branch=z9hG4bK2\r\n"
                               "Via: SIP/2.0/UDP uac;branch=z9hG4bK3\r\n"
                               "To: <sip:b@x>;tag=t\r\nFrom: <sip:a@x>;tag=f\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n";
        Message m = parse(raw).message;
        m.removeTopVia();
        QCOMPARE(m.vias().size(), 2);
        QCOMPARE(m.topVia()->host(), "p2");
        QVERIFY(m.serialize().contains("v: SIP/2.0/UDP p2;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP uac;branch=z9hG4bK3\r\n"));
        m.removeTopVia();
        m.removeTopVia();
        QVERIFY(!m.topVia());
        QVERIFY(m.serialize().contains("To: <sip:b@x>;tag=t\r\nFrom"));
    }

    void contentLengthFix()
    {
        QByteArray raw = "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                         "To: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
                         "Content-Type: text/plain\r\n\r\nhello";
        Message m = parse(raw).message;
        QVERIFY(!m.hasHeader(HeaderId::ContentLength));
        QCOMPARE(m.body(), "hello");
        m.fixContentLength();
        QCOMPARE(m.contentLength(), 5);
        const ValidationResult v = validate(reparse(m), Strictness::Strict);
        QVERIFY2(v.ok, qPrintable(v.error));
        // validate() also catches a Content-Length that disagrees with the body of an edited message.
        m.replaceHeaderAt(m.indexOf(HeaderId::ContentLength), "9");
        const ValidationResult bad = validate(m);
        QVERIFY(!bad.ok);
        QCOMPARE(bad.error, QStringLiteral("Content-Length: value 9 does not match the body of 5 bytes"));
    }

    void cseqCheckForSend_data()
    {
        QTest::addColumn<QByteArray>("cseq"); // empty: header absent
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("reason");
        QTest::newRow("ok") << QByteArray("7 OPTIONS") << int(CSeqCheck::Ok) << QString();
        QTest::newRow("missing") << QByteArray() << int(CSeqCheck::Missing) << QStringLiteral("CSeq: missing");
        QTest::newRow("too big") << QByteArray("4294967296 OPTIONS") << int(CSeqCheck::BadValue)
                                 << QStringLiteral("CSeq: value 4294967296 exceeds 2^32-1");
        QTest::newRow("garbage") << QByteArray("x OPTIONS") << int(CSeqCheck::BadValue)
                                 << QStringLiteral("CSeq: sequence number 'x' is not a decimal number");
        QTest::newRow("method") << QByteArray("7 INVITE") << int(CSeqCheck::BadValue)
                                << QStringLiteral("CSeq: method INVITE does not match the request method OPTIONS");
    }

    void cseqCheckForSend()
    {
        QFETCH(QByteArray, cseq);
        QFETCH(int, status);
        QFETCH(QString, reason);
        Message m = Message::request("OPTIONS", "sip:a@b");
        if (!cseq.isEmpty())
            m.appendHeader(HeaderId::CSeq, cseq);
        const CSeqCheck c = checkCSeq(m);
        QCOMPARE(int(c.status), status);
        QCOMPARE(c.reason, reason);
        if (status == CSeqCheck::Ok)
            QCOMPARE(c.cseq.number, 7u);
    }

    void branchHelper_data()
    {
        QTest::addColumn<QByteArray>("branch");
        QTest::addColumn<bool>("rfc3261");
        QTest::newRow("good") << QByteArray("z9hG4bK776asdhds") << true;
        QTest::newRow("one char") << QByteArray("z9hG4bKx") << true;
        QTest::newRow("cookie only") << QByteArray("z9hG4bK") << false;
        QTest::newRow("2543") << QByteArray("390skdjuw") << false;
        QTest::newRow("case") << QByteArray("Z9HG4BK776") << false;
        QTest::newRow("empty") << QByteArray() << false;
    }

    void branchHelper()
    {
        QFETCH(QByteArray, branch);
        QFETCH(bool, rfc3261);
        QCOMPARE(isRfc3261Branch(branch), rfc3261);
    }
};

QTEST_GUILESS_MAIN(TestBuilder)
#include "tst_builder.moc"
