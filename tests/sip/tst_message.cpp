// SPDX-License-Identifier: GPL-3.0-or-later
// Message API: typed accessors, editing, byte-exact serialisation.
#include "sip/message/builder.h"
#include "sip/message/parser.h"

#include <QTest>

using namespace ladder::sip;

namespace {
const QByteArray kInvite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, "
                           "SIP/2.0/TCP [2001:db8::9]:5061;received=192.0.2.4;rport=5070\r\n"
                           "Max-Forwards: 70\r\n"
                           "To: Bob <sip:bob@biloxi.example.com>\r\n"
                           "f: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                           "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                           "CSeq: 314159 INVITE\r\n"
                           "Subject: hello\r\n  world\r\n"
                           "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                           "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
                           "X-Unknown :  kept as is \r\n"
                           "Expires: 300\r\n"
                           "Content-Type: application/sdp\r\n"
                           "l: 4\r\n"
                           "\r\n"
                           "v=0\n";
}

class TestMessage : public QObject {
    Q_OBJECT
private slots:
    void typedAccessors()
    {
        const ParseResult r = parse(kInvite);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.warnings.isEmpty());
        const Message& m = r.message;
        QVERIFY(m.isRequest());
        QCOMPARE(m.method(), "INVITE");
        QCOMPARE(m.requestUri()->host(), "biloxi.example.com");
        const QList<Via> vias = m.vias();
        QCOMPARE(vias.size(), 2);
        QCOMPARE(vias[0].branch(), "z9hG4bK776asdhds");
        QCOMPARE(vias[0].transport(), "UDP");
        QCOMPARE(vias[0].port(), -1);
        QCOMPARE(vias[1].host(), "[2001:db8::9]");
        QCOMPARE(vias[1].port(), 5061);
        QCOMPARE(vias[1].received(), "192.0.2.4");
        QCOMPARE(vias[1].rport(), 5070);
        QCOMPARE(m.topVia()->sentBy(), QByteArray("pc33.atlanta.example.com"));
        QCOMPARE(m.from()->displayName(), QByteArray("Alice \"A\""));
        QCOMPARE(m.fromTag(), "1928301774");
        QVERIFY(!m.to()->hasTag());
        QCOMPARE(m.callId(), "a84b4c76e66710@pc33.atlanta.example.com");
        QCOMPARE(m.cseq()->number, 314159u);
        QCOMPARE(m.cseq()->method, QByteArray("INVITE"));
        QCOMPARE(m.value(HeaderId::Subject), "hello world");
        QCOMPARE(m.value("x-unknown"), "kept as is");
        QCOMPARE(m.contacts().size(), 1);
        QCOMPARE(m.recordRoutes().size(), 2);
        QCOMPARE(m.recordRoutes()[1].uri().host(), "p1.example.com");
        QCOMPARE(m.maxForwards(), 70);
        QCOMPARE(m.expires(), 300u);
        QCOMPARE(m.contentLength(), 4);
        QCOMPARE(m.body(), "v=0\n");
        QCOMPARE(m.serialize(), kInvite);
    }

    void editKeepsUntouchedLines()
    {
        ParseResult r = parse(kInvite);
        QVERIFY(r.ok);
        Message m = r.message;
        m.setTopVia("SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew");
        const QByteArray out = m.serialize();
        QVERIFY(out.contains("Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew\r\n"
                             "Via: SIP/2.0/TCP [2001:db8::9]:5061;received=192.0.2.4;rport=5070\r\n"));
        QVERIFY(out.contains("Subject: hello\r\n  world\r\n"));
        QVERIFY(out.contains("X-Unknown :  kept as is \r\n"));
        // The original message is untouched (implicit sharing, no write-through).
        QCOMPARE(r.message.serialize(), kInvite);
        const ParseResult again = parse(out);
        QVERIFY2(again.ok, qPrintable(again.error));
        QCOMPARE(again.message.vias().size(), 2);
    }

    void responseFromRequest()
    {
        const Message req = parse(kInvite).message;
        const Message resp = buildResponse(req, 180, {}, "totag1");
        QCOMPARE(resp.statusCode(), 180);
        QCOMPARE(resp.reasonPhrase(), "Ringing");
        QCOMPARE(resp.vias().size(), 2);
        QCOMPARE(resp.toTag(), "totag1");
        QCOMPARE(resp.fromTag(), "1928301774");
        QCOMPARE(resp.callId(), req.callId());
        QCOMPARE(resp.cseq()->number, 314159u);
        QCOMPARE(resp.recordRoutes().size(), 2);
        const ParseResult back = parse(resp.serialize());
        QVERIFY2(back.ok, qPrintable(back.error));
        QCOMPARE(back.message.serialize(), resp.serialize());
    }

    // The name -> id table (hashed on length, first and last letter): every known name in any
    // case, every compact form, and names that share a slot or differ by one byte.
    void headerIdsFromNames()
    {
        for (int i = 1; i < int(HeaderId::Count); ++i) {
            const HeaderId id = HeaderId(i);
            const QByteArray name = headerName(id).toByteArray();
            QCOMPARE(headerIdFromName(name), id);
            QCOMPARE(headerIdFromName(name.toLower()), id);
            QCOMPARE(headerIdFromName(name.toUpper()), id);
            if (const char c = headerCompactForm(id)) {
                QCOMPARE(headerIdFromName(QByteArray(1, c)), id);
                QCOMPARE(headerIdFromName(QByteArray(1, char(c - 'a' + 'A'))), id);
            }
            // One byte changed, added or removed: not this header (and no other known one).
            QByteArray changed = name;
            changed[changed.size() / 2] = '_';
            QCOMPARE(headerIdFromName(changed), HeaderId::Unknown);
            QCOMPARE(headerIdFromName(name + 'x'), HeaderId::Unknown);
            if (name.size() > 2) // "To" minus a byte is the compact "t"
                QCOMPARE(headerIdFromName(name.chopped(1)), HeaderId::Unknown);
        }
        QCOMPARE(headerIdFromName("Reply-To"), HeaderId::ReplyTo);
        QCOMPARE(headerIdFromName("refer-to"), HeaderId::ReferTo);
        QCOMPARE(headerIdFromName("Refer-Tx"), HeaderId::Unknown);
        QCOMPARE(headerIdFromName(""), HeaderId::Unknown);
        QCOMPARE(headerIdFromName("g"), HeaderId::Unknown);
        QCOMPARE(headerIdFromName("-"), HeaderId::Unknown);
        QCOMPARE(headerIdFromName("X-Very-Long-Unknown-Header-Name-Beyond-The-Table"), HeaderId::Unknown);
        QCOMPARE(headerIdFromName(QByteArrayView("Via\0", 4)), HeaderId::Unknown);
    }
};

QTEST_GUILESS_MAIN(TestMessage)
#include "tst_message.moc"
