// SPDX-License-Identifier: GPL-3.0-or-later
// UDP and TCP transports on loopback sockets, TCP framing, and robustness against garbage.
#include "core/scheduler.h"
#include "sip/message/builder.h"
#include "sip/message/parser.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include <QRandomGenerator>
#include <QTcpSocket>
#include <QRegularExpression>
#include <QTest>
#include <QUdpSocket>

using namespace ladder;
using namespace ladder::sip;

namespace {
struct Peer {
    std::unique_ptr<SipStack> stack;
    QList<Incoming> requests, responses;
    int autoAnswer = 200;
    HostPort udp, tcp;

    Peer(Scheduler& s, trace::Journal& j, const QString& label)
    {
        stack = std::make_unique<SipStack>(s, &j);
        stack->setLabel(label);
        auto u = std::make_unique<UdpTransport>(label);
        QString error;
        if (!u->bind({ QStringLiteral("127.0.0.1"), 0 }, &error))
            qFatal("%s", qPrintable(error));
        udp = u->local();
        stack->addTransport(std::move(u));
        auto t = std::make_unique<TcpTransport>(label);
        if (!t->listen({ QStringLiteral("127.0.0.1"), 0 }, &error))
            qFatal("%s", qPrintable(error));
        tcp = t->local();
        stack->addTransport(std::move(t));
        QObject::connect(stack.get(), &SipStack::requestReceived, stack.get(), [this](const Incoming& in) {
            requests.append(in);
            if (autoAnswer && in.transaction && in.message.method() != "ACK")
                stack->reply(in.transaction, autoAnswer);
        });
        QObject::connect(stack.get(), &SipStack::responseReceived, stack.get(),
            [this](const Incoming& in) { responses.append(in); });
    }
};

Message request(const QByteArray& method, const std::shared_ptr<Connection>& c, quint32 cseq = 1,
    const QByteArray& callId = {})
{
    RequestTemplate t;
    t.method = method;
    t.requestUri = "sip:bob@" + c->remote().toSentBy();
    t.from = "<sip:alice@127.0.0.1>";
    t.to = "<sip:bob@127.0.0.1>";
    t.callId = callId;
    t.cseq = cseq;
    t.via.transport = c->viaToken();
    t.via.sentBy = c->local().toSentBy();
    t.contact = "<sip:alice@" + c->local().toSentBy() + '>';
    return buildRequest(t);
}

QString state(SipStack& s, quint64 tx)
{
    for (const TransactionSnapshot& t : s.transactionSnapshots())
        if (t.id == tx)
            return t.state;
    return {};
}
}

class TestTransports : public QObject {
    Q_OBJECT
private slots:
    void udpOptions();
    void tcpInviteAckBye();
    void garbageOverUdpIsDropped();
    void unframeableTcpStreamIsClosed();
    void udpBurstIsAnsweredInOrder();
};

void TestTransports::udpOptions()
{
    Scheduler s;
    trace::Journal j;
    Peer a(s, j, QStringLiteral("a")), b(s, j, QStringLiteral("b"));
    QString error;
    const auto c = a.stack->connect(TransportType::Udp, b.udp, &error);
    QVERIFY2(c, qPrintable(error));
    const SendResult r = a.stack->send(c, request("OPTIONS", c), 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    QTRY_COMPARE(a.responses.size(), 1);
    QCOMPARE(a.responses.first().message.statusCode(), 200);
    QCOMPARE(a.responses.first().transaction, r.transaction);
    QCOMPARE(state(*a.stack, r.transaction), QStringLiteral("Completed")); // Timer K (5 s) runs
    // RFC 3581: the UAS filled in rport with the source port it saw.
    QCOMPARE(a.responses.first().message.topVia()->rport(), int(a.udp.port));
    QCOMPARE(b.requests.first().connection->remote(), a.udp);
}

void TestTransports::tcpInviteAckBye()
{
    Scheduler s;
    trace::Journal j;
    Peer a(s, j, QStringLiteral("a")), b(s, j, QStringLiteral("b"));
    QString error;
    const auto c = a.stack->connect(TransportType::Tcp, b.tcp, &error);
    QVERIFY2(c, qPrintable(error));
    QVERIFY(c->reliable() && c->stream());
    const SendResult inv = a.stack->send(c, request("INVITE", c), 0, SendFlag::Stateful);
    QVERIFY(inv.ok());
    QTRY_VERIFY(!a.responses.isEmpty() && a.responses.last().message.statusCode() == 200);
    const quint64 dialog = a.responses.last().dialog;
    QVERIFY(dialog);
    QCOMPARE(state(*a.stack, inv.transaction), QStringLiteral("Accepted"));
    QVERIFY(a.stack->ackTwoHundred(dialog, 1).ok());
    QTRY_COMPARE(b.requests.size(), 2);
    QCOMPARE(b.requests[1].message.method(), QByteArrayView("ACK"));
    const SendResult bye = a.stack->send({}, *a.stack->createInDialog(dialog, "BYE"), dialog, SendFlag::Stateful);
    QVERIFY(bye.ok());
    QTRY_COMPARE(a.responses.size(), 2);
    QCOMPARE(a.responses.last().message.statusCode(), 200);
    QCOMPARE(state(*a.stack, bye.transaction), QStringLiteral("Terminated")); // K = 0 on TCP
    QVERIFY(a.stack->dialog(dialog) == nullptr);
    // No SIP retransmissions on a reliable transport.
    j.forEach(0, j.count(), [](const trace::Event& e) { QVERIFY(e.kind != trace::Kind::SipRetransmission); });
}

void TestTransports::garbageOverUdpIsDropped()
{
    Scheduler s;
    trace::Journal j;
    Peer b(s, j, QStringLiteral("b"));
    QUdpSocket raw;
    QVERIFY(raw.bind(QHostAddress::LocalHost, 0));
    QRandomGenerator rng(42);
    QList<QByteArray> garbage = {
        QByteArray(),
        QByteArray("\r\n\r\n"),
        QByteArray("INVITE"),
        QByteArray("INVITE sip:a SIP/2.0\r\n\r\n"), // no Via, CSeq…
        QByteArray("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nCSeq: 1 OPTIONS\r\n"
                   "Call-ID: a\r\nFrom: <sip:a>;tag=1\r\nTo: <sip:b>\r\nContent-Length: 900\r\n\r\n"),
        QByteArray("OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nCSeq: 99999999999 OPTIONS\r\n"
                   "Call-ID: a\r\nFrom: <sip:a>;tag=1\r\nTo: <sip:b>\r\n\r\n"),
    };
    for (int i = 0; i < 200; ++i) {
        QByteArray b(int(rng.bounded(1, 1500)), Qt::Uninitialized);
        for (char& ch : b)
            ch = char(rng.bounded(256));
        if (i % 2)
            b.prepend("INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n");
        garbage.append(b);
    }
    for (const QByteArray& g : garbage)
        raw.writeDatagram(g, QHostAddress::LocalHost, b.udp.port);
    // Then one good request: the transport is still alive and answers it.
    Peer a(s, j, QStringLiteral("a"));
    QString error;
    const auto c = a.stack->connect(TransportType::Udp, b.udp, &error);
    a.stack->send(c, request("OPTIONS", c), 0, SendFlag::Stateful);
    QTRY_COMPARE(a.responses.size(), 1);
    QCOMPARE(b.requests.size(), 1);
    // Sampled: the first 8 from the source journalled whole (with an Error each), the rest counted
    // in one Error when the 10 s window ends.
    auto errors = [&] {
        QStringList texts;
        j.forEach(0, j.count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::Error)
                texts << e.text;
        });
        return texts;
    };
    QCOMPARE(errors().size(), 8);
    QTRY_VERIFY_WITH_TIMEOUT(errors().size() == 9, 15000);
    static const QRegularExpression summary(QStringLiteral("^EPROTO: dropped (\\d+) more malformed message\\(s\\) \\(\\d+ bytes\\) from "
                                                           "127\\.0\\.0\\.1:%1 within 10 s; only the first 8 are journalled whole$")
                                                .arg(raw.localPort()));
    const QRegularExpressionMatch m = summary.match(errors().last());
    QVERIFY2(m.hasMatch(), qPrintable(errors().last()));
    // Every datagram but the empty one and the bare CRLFs (keep-alives) is malformed: 8 + the rest.
    QCOMPARE(8 + m.captured(1).toInt(), int(garbage.size()) - 2);
}

void TestTransports::unframeableTcpStreamIsClosed()
{
    Scheduler s;
    trace::Journal j;
    Peer b(s, j, QStringLiteral("b"));
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, b.tcp.port);
    QVERIFY(raw.waitForConnected(5000));
    raw.write("OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n");
    QTRY_COMPARE(raw.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(b.requests.size(), 0);
    bool closed = false;
    j.forEach(0, j.count(), [&](const trace::Event& e) {
        closed |= e.kind == trace::Kind::ConnectionState && e.text.startsWith(QLatin1String("closed"));
    });
    QVERIFY(closed);
}

void TestTransports::udpBurstIsAnsweredInOrder()
{
    // A burst read in one batch: the responses the stack sends while delivering it are queued and
    // leave together (sendmmsg) when the batch is done — every one of them, in the order of the
    // requests, none refused.
    Scheduler s;
    trace::Journal j;
    Peer b(s, j, QStringLiteral("b"));
    QUdpSocket raw;
    QVERIFY(raw.bind(QHostAddress::LocalHost, 0));
    // Room for the whole burst of answers even if they all arrive before the test reads one.
    raw.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
    const QByteArray sentBy = "127.0.0.1:" + QByteArray::number(raw.localPort());
    constexpr int kBurst = 150; // more than one batch of the transport (64)
    for (int i = 1; i <= kBurst; ++i) {
        RequestTemplate t;
        t.method = "OPTIONS";
        t.requestUri = "sip:b@" + b.udp.toSentBy();
        t.from = "<sip:raw@127.0.0.1>";
        t.to = "<sip:b@127.0.0.1>";
        t.cseq = quint32(i);
        t.via.sentBy = sentBy;
        QCOMPARE(raw.writeDatagram(buildRequest(t).serialize(), QHostAddress::LocalHost, b.udp.port),
            qint64(buildRequest(t).serialize().size()));
    }
    QList<quint32> cseqs;
    QList<int> statuses;
    connect(&raw, &QUdpSocket::readyRead, &raw, [&] {
        while (raw.hasPendingDatagrams()) {
            QByteArray d(int(raw.pendingDatagramSize()), Qt::Uninitialized);
            raw.readDatagram(d.data(), d.size());
            const ParseResult p = parse(d);
            statuses << (p.ok ? p.message.statusCode() : -1);
            cseqs << (p.ok && p.message.cseq() ? p.message.cseq()->number : 0);
        }
    });
    QTRY_COMPARE_WITH_TIMEOUT(cseqs.size(), kBurst, 10000);
    QList<quint32> expected;
    for (int i = 1; i <= kBurst; ++i)
        expected << quint32(i);
    QCOMPARE(cseqs, expected);
    QCOMPARE(statuses, QList<int>(kBurst, 200));
    QCOMPARE(b.requests.size(), kBurst);
    auto* udp = static_cast<UdpTransport*>(b.stack->transport(TransportType::Udp));
    QCOMPARE(udp->sendErrors(), quint64(0));
    // Outside a batch (here: from the test, not from a delivery) a send still leaves at once.
    const auto back = b.stack->connect(TransportType::Udp, HostPort { QStringLiteral("127.0.0.1"), raw.localPort() }, nullptr);
    QVERIFY(back);
    QVERIFY(b.stack->send(back, request("OPTIONS", back, 1), 0, SendFlag::Stateful).ok());
    // Loopback delivers within the sendto: the datagram is waiting before the event loop runs.
    QVERIFY(raw.hasPendingDatagrams());
}

QTEST_GUILESS_MAIN(TestTransports)
#include "tst_transports.moc"
