// SPDX-License-Identifier: GPL-3.0-or-later
// The send call's errors, after sip_sendmsg(3SIP): EINVAL, ENOENT, EPROTO, ENOMEM — each with a
// sentence naming the cause and an Error event in the journal.
#include "labpair.h"

#include "sip/transaction/transactionmessages.h"
#include "sip/transport/udptransport.h"

#include <QTest>

#include <cerrno>

using namespace ladder;
using namespace ladder::sip;
using namespace ladder::sip::test;

class TestSend : public QObject {
    Q_OBJECT
private slots:
    void errors_data();
    void errors();
    void statelessIgnoresBranchRules();
    void viaAddedWhenMissing();
    void seededIds();
    void enomemAtTransactionCap();
    void enomemAtDialogCap();
    void responseErrors();
    void responseThroughTransaction();
    void errnoIsLeftAsItWas();
    void statefulAckIsSentStatelessly();
};

void TestSend::errors_data()
{
    QTest::addColumn<QByteArray>("cseq"); // empty = remove the header
    QTest::addColumn<QByteArray>("via"); // empty = keep the builder's
    QTest::addColumn<QByteArray>("errnoName");
    QTest::addColumn<int>("error");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("no CSeq") << QByteArray() << QByteArray() << QByteArray("ENOENT") << ENOENT << "CSeq";
    QTest::newRow("CSeq too big") << QByteArray("4294967296 OPTIONS") << QByteArray() << QByteArray("EPROTO") << EPROTO
                                  << "4294967296";
    QTest::newRow("CSeq not a number") << QByteArray("abc OPTIONS") << QByteArray() << QByteArray("EPROTO") << EPROTO
                                       << "CSeq";
    QTest::newRow("CSeq other method") << QByteArray("1 INVITE") << QByteArray() << QByteArray("EINVAL") << EINVAL
                                       << "does not match";
    QTest::newRow("RFC 2543 branch") << QByteArray("1 OPTIONS") << QByteArray("SIP/2.0/UDP 10.0.0.1:5060;branch=1234")
                                     << QByteArray("EINVAL") << EINVAL << "z9hG4bK";
    QTest::newRow("no branch") << QByteArray("1 OPTIONS") << QByteArray("SIP/2.0/UDP 10.0.0.1:5060")
                               << QByteArray("EINVAL") << EINVAL << "branch";
    QTest::newRow("bare cookie") << QByteArray("1 OPTIONS") << QByteArray("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK")
                                 << QByteArray("EINVAL") << EINVAL << "RFC 3261";
}

void TestSend::errors()
{
    QFETCH(QByteArray, cseq);
    QFETCH(QByteArray, via);
    QFETCH(QByteArray, errnoName);
    QFETCH(int, error);
    QFETCH(QString, mentions);
    LabPair p;
    Message m = p.request("OPTIONS");
    if (cseq.isEmpty())
        m.removeHeaders(HeaderId::CSeq);
    else
        m.setHeader(HeaderId::CSeq, cseq);
    if (!via.isEmpty())
        m.setTopVia(via);
    const SendResult r = p.uac.stack->send(p.toUas, m, 0, SendFlag::Stateful);
    QVERIFY(!r.ok());
    QCOMPARE(r.errnoName, errnoName);
    QCOMPARE(r.error, error);
    QVERIFY2(r.reason.contains(mentions), qPrintable(r.reason));
    QCOMPARE(r.transaction, quint64(0));
    QCOMPARE(p.uac.stack->liveTransactions(), std::size_t(0));
    // The failure is in the journal with the errno name and the cause.
    const QList<trace::Event> errors = p.events(trace::Kind::Error);
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.first().text.startsWith(QString::fromLatin1(errnoName) + QStringLiteral(": ")));
    QVERIFY(errors.first().text.contains(mentions));
    // Nothing went on the wire.
    QVERIFY(p.events(trace::Kind::SipMessage).isEmpty());
}

void TestSend::statelessIgnoresBranchRules()
{
    LabPair p;
    Message m = p.request("OPTIONS");
    m.setTopVia("SIP/2.0/UDP 10.0.0.1:5060;branch=1234");
    const SendResult r = p.uac.stack->send(p.toUas, m, 0, SendFlag::None);
    QVERIFY2(r.ok(), qPrintable(r.toString()));
    QCOMPARE(r.transaction, quint64(0));
    p.run(1 * kMs);
    QCOMPARE(p.uas.requests.size(), 1);
}

void TestSend::viaAddedWhenMissing()
{
    LabPair p;
    Message m = p.request("OPTIONS");
    m.removeHeaders(HeaderId::Via);
    const SendResult r = p.uac.stack->send(p.toUas, m, 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    p.run(1 * kMs);
    QCOMPARE(p.uas.requests.size(), 1);
    const auto via = p.uas.requests.first().message.topVia();
    QVERIFY(via);
    QCOMPARE(via->sentBy(), QByteArray("10.0.0.1:5060"));
    QVERIFY(via->branch().startsWith("z9hG4bK"));
    QVERIFY(via->hasRport());
}

namespace {
    // The branch of the Via the stack adds, and the To tag of the 200 the other stack answers with.
    QPair<QByteArray, QByteArray> idsOfOneExchange()
    {
        LabPair p;
        p.uas.autoAnswer = 200;
        Message m = p.request("OPTIONS");
        m.removeHeaders(HeaderId::Via);
        if (!p.uac.stack->send(p.toUas, m, 0, SendFlag::Stateful).ok())
            return {};
        p.run(1 * kMs);
        if (p.uas.requests.size() != 1 || p.uac.responses.size() != 1)
            return {};
        return { p.uas.requests.first().message.topVia()->branch().toByteArray(),
            p.uac.responses.first().message.toTag().toByteArray() };
    }
}

void TestSend::seededIds()
{
    // Each SipStack draws its generator's seed from the process-wide one: after seedIds(), the
    // branches and To tags the stacks make themselves are the same in every run.
    seedIds(77);
    const auto a = idsOfOneExchange();
    seedIds(77);
    const auto b = idsOfOneExchange();
    seedIds(78);
    const auto c = idsOfOneExchange();
    QVERIFY(a.first.startsWith("z9hG4bK"));
    QVERIFY(a.second.size() >= 8);
    QCOMPARE(a, b);
    QVERIFY(a.first != c.first);
    QVERIFY(a.second != c.second);
    // setIdSeed() reseeds one stack's generator.
    LabPair p;
    p.uac.stack->setIdSeed(5);
    p.uas.stack->setIdSeed(5);
    QCOMPARE(p.uac.stack->ids().branch(), p.uas.stack->ids().branch());
}

void TestSend::enomemAtTransactionCap()
{
    LabPair p;
    p.uac.stack->setMaxTransactions(2);
    QVERIFY(p.uac.stack->send(p.toUas, p.request("OPTIONS", 1), 0, SendFlag::Stateful).ok());
    QVERIFY(p.uac.stack->send(p.toUas, p.request("OPTIONS", 2), 0, SendFlag::Stateful).ok());
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS", 3), 0, SendFlag::Stateful);
    QCOMPARE(r.errnoName, QByteArray("ENOMEM"));
    QCOMPARE(r.error, ENOMEM);
    QVERIFY(r.reason.contains(QLatin1String("limit")));
    // Stateless sends need no transaction.
    QVERIFY(p.uac.stack->send(p.toUas, p.request("OPTIONS", 4), 0, SendFlag::None).ok());
    // When the transactions end (Timer F), there is room again.
    p.run(40 * kSec);
    QVERIFY(p.uac.stack->send(p.toUas, p.request("OPTIONS", 5), 0, SendFlag::Stateful).ok());
    // A server at its cap answers 503 instead of creating a transaction.
    LabPair q;
    q.uas.stack->setMaxTransactions(0);
    q.uac.stack->send(q.toUas, q.request("OPTIONS"), 0, SendFlag::Stateful);
    q.run(1 * kSec);
    QCOMPARE(q.uac.responses.size(), 1);
    QCOMPARE(q.uac.responses.first().message.statusCode(), 503);
    QCOMPARE(q.uas.requests.size(), 0);
}

void TestSend::enomemAtDialogCap()
{
    LabPair p;
    p.uac.stack->setMaxDialogs(0);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    QCOMPARE(r.errnoName, QByteArray("ENOMEM"));
    QVERIFY(r.reason.contains(QLatin1String("dialog")));
    // OPTIONS creates no dialog: still fine.
    QVERIFY(p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful).ok());
}

void TestSend::responseErrors()
{
    LabPair p;
    p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    p.run(1 * kMs);
    const Message& req = p.uas.requests.first().message;
    Message noCSeq = transactionmsg::responseTo(req, 200, "t");
    noCSeq.removeHeaders(HeaderId::CSeq);
    QCOMPARE(p.uas.stack->send({}, noCSeq, 0, SendFlag::Stateful).errnoName, QByteArray("ENOENT"));
    Message badCSeq = transactionmsg::responseTo(req, 200, "t");
    badCSeq.setHeader(HeaderId::CSeq, "x OPTIONS");
    QCOMPARE(p.uas.stack->send({}, badCSeq, 0, SendFlag::Stateful).errnoName, QByteArray("EPROTO"));
    Message otherBranch = transactionmsg::responseTo(req, 200, "t");
    otherBranch.setTopVia("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnotours");
    const SendResult r = p.uas.stack->send({}, otherBranch, 0, SendFlag::Stateful);
    QCOMPARE(r.errnoName, QByteArray("EINVAL"));
    QVERIFY(r.reason.contains(QLatin1String("no server transaction")));
    // A second final response is refused by the state machine.
    QVERIFY(p.uas.stack->reply(p.uas.requests.first().transaction, 200).ok());
    const SendResult again = p.uas.stack->reply(p.uas.requests.first().transaction, 404);
    QCOMPARE(again.errnoName, QByteArray("EINVAL"));
    QVERIFY(again.reason.contains(QLatin1String("Completed")));
}

void TestSend::responseThroughTransaction()
{
    LabPair p;
    p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    p.run(1 * kMs);
    const Incoming in = p.uas.requests.first();
    const SendResult r = p.uas.stack->send({}, transactionmsg::responseTo(in.message, 200, "t"), 0, SendFlag::Stateful);
    QVERIFY2(r.ok(), qPrintable(r.toString()));
    QCOMPARE(r.transaction, in.transaction);
    p.run(1 * kMs);
    QCOMPARE(p.uac.responses.size(), 1);
    QCOMPARE(p.uac.responses.first().message.statusCode(), 200);
}

// sip_sendmsg(3SIP): "The value of errno is not changed by these calls in the event of an error."
void TestSend::errnoIsLeftAsItWas()
{
    {
        LabPair p;
        Message m = p.request("OPTIONS");
        m.removeHeaders(HeaderId::CSeq);
        errno = EDOM;
        QCOMPARE(p.uac.stack->send(p.toUas, m, 0, SendFlag::Stateful).errnoName, QByteArray("ENOENT"));
        QCOMPARE(errno, EDOM);
    }
    // A transport whose system call fails (a datagram larger than UDP can carry: sendto says
    // EMSGSIZE): the send fails with EIO, and the caller's errno is still its own.
    Scheduler scheduler(Scheduler::Mode::Real);
    trace::Journal journal;
    SipStack stack(scheduler, &journal);
    auto udp = std::make_unique<UdpTransport>(QStringLiteral("a"));
    QString error;
    QVERIFY2(udp->bind({ QStringLiteral("127.0.0.1"), 0 }, &error), qPrintable(error));
    stack.addTransport(std::move(udp));
    const auto c = stack.connect(TransportType::Udp, HostPort { QStringLiteral("127.0.0.1"), 9 }, &error);
    QVERIFY2(c, qPrintable(error));
    Message big = LabPair().request("MESSAGE");
    big.setBody(QByteArray(70000, 'x'), "text/plain");
    errno = EDOM;
    const SendResult r = stack.send(c, big, 0, SendFlag::None);
    QCOMPARE(r.errnoName, QByteArray("EIO"));
    QCOMPARE(errno, EDOM);
}

// RFC 3261: an ACK has no transaction of its own, so SIP_SEND_STATEFUL cannot apply; the ACK goes
// statelessly and the result says so instead of staying silent.
void TestSend::statefulAckIsSentStatelessly()
{
    LabPair p;
    Message ack = p.request("ACK");
    const SendResult r = p.uac.stack->send(p.toUas, ack, 0, SendFlag::Stateful);
    QVERIFY2(r.ok(), qPrintable(r.toString()));
    QCOMPARE(r.transaction, quint64(0));
    QVERIFY2(r.note.contains(QLatin1String("ACK")) && r.note.contains(QLatin1String("statelessly")), qPrintable(r.note));
    QCOMPARE(r.toString(), r.note);
    QCOMPARE(p.uac.stack->liveTransactions(), std::size_t(0));
    p.run(1 * kMs);
    QCOMPARE(p.uas.requests.size(), 1);
    QCOMPARE(p.uas.requests.first().message.method(), QByteArrayView("ACK"));
}

QTEST_GUILESS_MAIN(TestSend)
#include "tst_send.moc"
