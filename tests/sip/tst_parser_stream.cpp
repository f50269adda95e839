// SPDX-License-Identifier: GPL-3.0-or-later
// The TCP stream framer: messages found by Content-Length however the bytes are split,
// keep-alives, and the errors that end a stream.
#include "sip/message/parser.h"
#include "sip/message/parserstream.h"

#include <QTest>

using namespace ladder::sip;

namespace {

QByteArray message(const QByteArray& method, const QByteArray& body, const char* clName = "Content-Length")
{
    QByteArray m = method + " sip:bob@example.com SIP/2.0\r\n"
                            "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK"
        + method.toLower() + "\r\n"
                             "Max-Forwards: 70\r\n"
                             "To: <sip:bob@example.com>\r\n"
                             "From: <sip:alice@example.com>;tag=1\r\n"
                             "Call-ID: stream-1\r\n"
                             "CSeq: 1 "
        + method + "\r\n";
    if (!body.isEmpty())
        m += "Content-Type: application/octet-stream\r\n";
    m += QByteArray(clName) + " : " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return m;
}

struct Drained {
    QList<QByteArray> messages;
    int pings = 0;
    int pongs = 0;
    bool error = false;
};

void drain(StreamFramer& f, Drained& d)
{
    for (;;) {
        QByteArray m;
        switch (f.next(&m)) {
        case StreamFramer::Status::Message:
            d.messages << m;
            break;
        case StreamFramer::Status::Ping:
            ++d.pings;
            break;
        case StreamFramer::Status::Pong:
            ++d.pongs;
            break;
        case StreamFramer::Status::Error:
            d.error = true;
            return;
        case StreamFramer::Status::NeedMore:
            return;
        }
    }
}

} // namespace

class TestParserStream : public QObject {
    Q_OBJECT
private slots:
    // Three messages (one with a binary body that contains CRLFCRLF and NULs) and keep-alives,
    // delivered in chunks of every size from 1 byte to the whole stream.
    void splitReads_data()
    {
        QTest::addColumn<int>("chunk");
        for (int c = 1; c <= 64; ++c)
            QTest::addRow("chunk %d", c) << c;
        for (int c : { 97, 128, 333, 500, 1000, 4096 })
            QTest::addRow("chunk %d", c) << c;
    }

    void splitReads()
    {
        QFETCH(int, chunk);
        const QByteArray body("\0\r\n\r\nINVITE sip:x SIP/2.0\r\n\r\n\0", 31);
        const QList<QByteArray> sent { message("INVITE", body), message("OPTIONS", {}, "l"), message("BYE", "xyz") };
        const QByteArray stream = "\r\n\r\n" + sent[0] + "\r\n" + sent[1] + "\r\n\r\n" + sent[2];
        StreamFramer f;
        Drained d;
        for (qsizetype at = 0; at < stream.size(); at += chunk) {
            f.feed(stream.mid(at, chunk));
            drain(f, d);
        }
        QVERIFY(!d.error);
        QCOMPARE(d.messages, sent);
        if (chunk >= 3) {
            QCOMPARE(d.pings, 2);
            QCOMPARE(d.pongs, 1);
        } else {
            // A lone CRLF is reported as a pong at once (a client must not wait for more), so a
            // ping that arrives in 2-byte pieces shows up as two pongs; no byte is lost either way.
            QCOMPARE(d.pings * 4 + d.pongs * 2, 10);
        }
        QCOMPARE(f.buffered(), 0);
        QCOMPARE(f.consumed(), quint64(stream.size()));
        for (const QByteArray& m : std::as_const(d.messages)) {
            ParseOptions o;
            o.stream = true;
            const ParseResult r = parse(m, o);
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(r.message.serialize(), m);
        }
        QCOMPARE(parse(d.messages[0]).message.body(), QByteArrayView(body));
    }

    void manyMessagesOneRead()
    {
        QByteArray stream;
        QList<QByteArray> sent;
        for (int i = 0; i < 200; ++i) {
            sent << message("MESSAGE", QByteArray(i % 17, char('a' + i % 26)));
            stream += sent.last();
        }
        StreamFramer f;
        f.feed(stream);
        Drained d;
        drain(f, d);
        QCOMPARE(d.messages, sent);
        QCOMPARE(f.messages(), 200u);
    }

    void waitsForBody()
    {
        const QByteArray m = message("INVITE", QByteArray(100, 'b'));
        StreamFramer f;
        f.feed(m.chopped(1));
        QByteArray out;
        QCOMPARE(f.next(&out), StreamFramer::Status::NeedMore);
        f.feed(m.right(1));
        QCOMPARE(f.next(&out), StreamFramer::Status::Message);
        QCOMPARE(out, m);
    }

    void foldedContentLength()
    {
        QByteArray m = message("OPTIONS", "hello");
        m.replace("Content-Length : 5", "Content-Length :\r\n 5");
        StreamFramer f;
        f.feed(m);
        QByteArray out;
        QCOMPARE(f.next(&out), StreamFramer::Status::Message);
        QCOMPARE(out, m);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QByteArray>("error");
        QByteArray noCl = message("OPTIONS", {});
        noCl.replace("Content-Length : 0\r\n", "");
        QTest::newRow("missing content-length") << noCl << QByteArray("Content-Length: missing (required on stream transports)");
        QByteArray bad = message("OPTIONS", {});
        bad.replace("Content-Length : 0", "Content-Length : zero");
        QTest::newRow("bad content-length") << bad << QByteArray("Content-Length: value 'zero' is not a number");
        QByteArray neg = message("OPTIONS", {});
        neg.replace("Content-Length : 0", "Content-Length : -5");
        QTest::newRow("negative content-length") << neg << QByteArray("Content-Length: value '-5' is not a number");
        QByteArray huge = message("OPTIONS", {});
        huge.replace("Content-Length : 0", "Content-Length : 999999999999");
        QTest::newRow("huge content-length") << huge << QByteArray("exceeds the limit of 16777216 bytes");
        QByteArray twice = message("OPTIONS", {});
        twice.replace("Content-Length : 0", "Content-Length : 0\r\nl: 3");
        QTest::newRow("conflicting content-length") << twice << QByteArray("Content-Length: conflicting values");
        QTest::newRow("endless headers") << ("OPTIONS sip:a SIP/2.0\r\n" + QByteArray(70000, 'x'))
                                         << QByteArray("stream: header section exceeds 65536 bytes");
        QTest::newRow("stray CR") << QByteArray("\rOPTIONS sip:a SIP/2.0\r\n") << QByteArray("stream: stray CR before a message");
    }

    void errors()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QByteArray, error);
        StreamFramer f;
        f.feed(stream);
        Drained d;
        drain(f, d);
        QVERIFY(d.error);
        QVERIFY2(f.errorString().contains(error), f.errorString().constData());
        // An error is final: the stream has lost its framing.
        f.feed(message("OPTIONS", {}));
        QByteArray out;
        QCOMPARE(f.next(&out), StreamFramer::Status::Error);
    }

    void lfOnlyHeaders()
    {
        // Lenient peers that end lines with LF only still frame correctly.
        const QByteArray m = "OPTIONS sip:a@b SIP/2.0\nContent-Length: 2\n\nok";
        StreamFramer f;
        f.feed(m + m);
        Drained d;
        drain(f, d);
        QCOMPARE(d.messages, (QList<QByteArray> { m, m }));
    }
};

QTEST_GUILESS_MAIN(TestParserStream)
#include "tst_parser_stream.moc"
