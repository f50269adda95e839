// SPDX-License-Identifier: GPL-3.0-or-later
// The four RFC 3261 §17 state machines, their timers in exact virtual time, and matching.
#include "labpair.h"

#include "sip/message/builder.h"
#include "sip/message/parser.h"
#include "sip/transaction/transactionmap.h"
#include "sip/transaction/transactionmessages.h"

#include <QRandomGenerator>
#include <QTest>

#include <unordered_map>

using namespace ladder;
using namespace ladder::sip;
using namespace ladder::sip::test;

namespace {
TransactionSnapshot snap(const SipStack& s, quint64 id)
{
    for (const TransactionSnapshot& t : s.transactionSnapshots())
        if (t.id == id)
            return t;
    return {};
}

QList<qint64> seconds(std::initializer_list<double> s)
{
    QList<qint64> out;
    for (double v : s)
        out.append(qint64(v * 1e9));
    return out;
}

QStringList states(const TransactionSnapshot& s)
{
    QStringList out;
    for (const StateStamp& st : s.history)
        out.append(st.state);
    return out;
}

QList<int> statuses(const QList<Incoming>& in)
{
    QList<int> out;
    for (const Incoming& i : in)
        out.append(i.message.statusCode());
    return out;
}
}

class TestTransactions : public QObject {
    Q_OBJECT
private slots:
    void inviteOverDeadLinkTimerADoublesAndTimerBFires();
    void inviteOverLossyLinkCompletes();
    void nonInviteUdpTimerECappedAtT2();
    void nonInviteProceedingRetransmitsEveryT2();
    void nonInviteTcpNeverRetransmits();
    void nonInviteCompletedTimersKAndJ();
    void nonInviteReliableTerminatesAtOnce();
    void inviteServerSends100After200ms();
    void inviteNon2xxAckFromTransaction();
    void inviteServerTimerGCappedAndTimerH();
    void acceptedStateAbsorbs2xxRetransmissions();
    void ackStops2xxRetransmission();
    void cancelRingingCall();
    void cancelWaitsForProvisional();
    void configurableT1();
    void serverMatchingBranchSentByMethod();
    void rfc2543FallbackMatching();
    void clientMatchingNeedsBranchAndMethod();
    void snapshotShowsTimersAndMessages();
    void responseBytesAreTheBuiltResponse_data();
    void responseBytesAreTheBuiltResponse();
    void nonInviteAnswerKeepsItsToTag();
    void transactionMapAgreesWithAReferenceMap();
};

void TestTransactions::inviteOverDeadLinkTimerADoublesAndTimerBFires()
{
    ladder::LinkParams dead;
    dead.lossPct = 100;
    LabPair p(TransportType::Udp, dead);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    QVERIFY2(r.ok(), qPrintable(r.toString()));
    p.run(40 * kSec);
    QCOMPARE(p.times(trace::Kind::SipRetransmission, r.transaction), seconds({ 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 }));
    QCOMPARE(p.times(trace::Kind::TimerFired, r.transaction, QStringLiteral("B")), seconds({ 32 }));
    QCOMPARE(p.uac.timeouts, QList<QString> { QStringLiteral("B") });
    const TransactionSnapshot s = snap(*p.uac.stack, r.transaction);
    QCOMPARE(states(s), (QStringList { "Calling", "Terminated" }));
    QCOMPARE(s.retransmissions, 6u);
    QCOMPARE(s.history.last().timeNs, 32 * kSec);
    QCOMPARE(p.uac.stack->liveTransactions(), std::size_t(0));
    QCOMPARE(p.ab.dropped(), quint64(7));
}

void TestTransactions::inviteOverLossyLinkCompletes()
{
    ladder::LinkParams lossy;
    lossy.lossPct = 60;
    LabPair p(TransportType::Udp, lossy);
    p.uas.autoAnswer = 486;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    p.run(64 * kSec);
    // Whatever was lost, retransmissions happen only at the Timer A instants.
    const QList<qint64> series = seconds({ 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 });
    const QList<qint64> got = p.times(trace::Kind::SipRetransmission, r.transaction);
    QVERIFY(!got.isEmpty());
    QCOMPARE(got, series.first(got.size()));
    QVERIFY(p.ab.dropped() > 0);
    QCOMPARE(statuses(p.uac.responses).count(486), 1);
    QCOMPARE(snap(*p.uac.stack, r.transaction).state, QStringLiteral("Terminated"));
}

void TestTransactions::nonInviteUdpTimerECappedAtT2()
{
    LabPair p;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    p.run(40 * kSec);
    QCOMPARE(p.times(trace::Kind::SipRetransmission, r.transaction),
        seconds({ 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 }));
    QCOMPARE(p.times(trace::Kind::TimerFired, r.transaction, QStringLiteral("F")), seconds({ 32 }));
    QCOMPARE(p.uac.timeouts, QList<QString> { QStringLiteral("F") });
    // The server transaction absorbed every retransmission while Trying: the TU saw one request.
    QCOMPARE(p.uas.requests.size(), 1);
}

void TestTransactions::nonInviteProceedingRetransmitsEveryT2()
{
    LabPair p;
    QObject::connect(p.uas.stack.get(), &SipStack::requestReceived, p.uas.stack.get(),
        [&](const Incoming& in) { p.uas.stack->reply(in.transaction, 100); });
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    QCOMPARE(p.times(trace::Kind::SipRetransmission, r.transaction),
        seconds({ 0.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5 }));
    QCOMPARE(states(snap(*p.uac.stack, r.transaction)), (QStringList { "Trying", "Proceeding", "Terminated" }));
    // The server answered every retransmission with its provisional response, and in Proceeding
    // the client passes each provisional up (§17.1.2.2).
    QCOMPARE(statuses(p.uac.responses), QList<int>(9, 100));
    QCOMPARE(p.uas.requests.size(), 1);
}

void TestTransactions::nonInviteTcpNeverRetransmits()
{
    LabPair p(TransportType::Tcp);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    p.run(40 * kSec);
    QVERIFY(p.times(trace::Kind::SipRetransmission).isEmpty());
    QVERIFY(p.times(trace::Kind::TimerArmed, r.transaction, QStringLiteral("E")).isEmpty());
    QCOMPARE(p.times(trace::Kind::TimerFired, r.transaction, QStringLiteral("F")), seconds({ 32 }));
}

void TestTransactions::nonInviteCompletedTimersKAndJ()
{
    LabPair p;
    p.uas.autoAnswer = 200;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 200 });
    const TransactionSnapshot c = snap(*p.uac.stack, r.transaction);
    QCOMPARE(states(c), (QStringList { "Trying", "Completed", "Terminated" }));
    QCOMPARE(c.history[2].timeNs, 5 * kSec); // Timer K = T4
    const TransactionSnapshot s = snap(*p.uas.stack, p.uas.requests.first().transaction);
    QCOMPARE(states(s), (QStringList { "Trying", "Completed", "Terminated" }));
    QCOMPARE(s.history[2].timeNs, 32 * kSec); // Timer J = 64*T1
    QVERIFY(p.times(trace::Kind::TimerCancelled, r.transaction, QStringLiteral("E")).size() == 1);
}

void TestTransactions::nonInviteReliableTerminatesAtOnce()
{
    LabPair p(TransportType::Tcp);
    p.uas.autoAnswer = 200;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("REGISTER"), 0, SendFlag::Stateful);
    p.run(1);
    const TransactionSnapshot c = snap(*p.uac.stack, r.transaction);
    QCOMPARE(states(c), (QStringList { "Trying", "Completed", "Terminated" }));
    QCOMPARE(c.history.last().timeNs, 0); // K = 0 on reliable transports
    const TransactionSnapshot s = snap(*p.uas.stack, p.uas.requests.first().transaction);
    QCOMPARE(s.history.last().timeNs, 0); // J = 0
}

void TestTransactions::inviteServerSends100After200ms()
{
    LabPair p;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(1 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 100 });
    QCOMPARE(p.times(trace::Kind::TimerFired, 0, QStringLiteral("100")), seconds({ 0.2 }));
    const TransactionSnapshot c = snap(*p.uac.stack, r.transaction);
    QCOMPARE(c.state, QStringLiteral("Proceeding"));
    QCOMPARE(c.history.last().timeNs, 200 * kMs);
    // Proceeding: no more INVITE retransmissions (Timer A cancelled before its first firing).
    QVERIFY(p.times(trace::Kind::SipRetransmission, r.transaction).isEmpty());
    QVERIFY(c.timers.isEmpty());
}

void TestTransactions::inviteNon2xxAckFromTransaction()
{
    LabPair p;
    p.uas.autoAnswer = 486;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 486 });
    const TransactionSnapshot c = snap(*p.uac.stack, r.transaction);
    QCOMPARE(states(c), (QStringList { "Calling", "Completed", "Terminated" }));
    QCOMPARE(c.history.last().timeNs, 32 * kSec); // Timer D
    QCOMPARE(c.messages.size(), 3);
    QVERIFY(c.messages[2].startsWith("ACK sip:bob@10.0.0.2:5060 SIP/2.0"));
    const ParseResult ack = parse(c.messages[2]);
    QVERIFY(ack.ok);
    QCOMPARE(ack.message.cseq()->method, QByteArray("ACK"));
    QVERIFY(!ack.message.toTag().isEmpty()); // To from the response
    const TransactionSnapshot s = snap(*p.uas.stack, p.uas.requests.first().transaction);
    QCOMPARE(states(s), (QStringList { "Proceeding", "Completed", "Confirmed", "Terminated" }));
    QCOMPARE(s.history.last().timeNs, 5 * kSec); // Timer I = T4
    // The ACK was absorbed by the server transaction: the TU saw only the INVITE.
    QCOMPARE(p.uas.requests.size(), 1);
}

void TestTransactions::inviteServerTimerGCappedAndTimerH()
{
    LabPair p;
    p.uas.autoAnswer = 486;
    QObject::connect(p.uas.stack.get(), &SipStack::requestReceived, p.uas.stack.get(), [&](const Incoming&) {
        ladder::LinkParams down;
        down.up = false;
        p.ab.setParams(down); // the ACK will be lost
    });
    p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    const quint64 server = p.uas.requests.first().transaction;
    QCOMPARE(p.times(trace::Kind::SipRetransmission, server),
        seconds({ 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 }));
    QCOMPARE(p.times(trace::Kind::TimerFired, server, QStringLiteral("H")), seconds({ 32 }));
    QCOMPARE(p.uas.timeouts, QList<QString> { QStringLiteral("H") });
    // The client re-sent its ACK for each retransmitted 486 (§17.1.1.2) while Completed.
    QVERIFY(p.times(trace::Kind::SipRetransmission, p.uac.responses.first().transaction).size() >= 9);
}

void TestTransactions::acceptedStateAbsorbs2xxRetransmissions()
{
    LabPair p;
    p.uas.autoAnswer = 200;
    QObject::connect(p.uac.stack.get(), &SipStack::responseReceived, p.uac.stack.get(), [&](const Incoming& in) {
        if (in.message.statusCode() == 200 && in.dialog) {
            ladder::LinkParams down;
            down.up = false;
            p.ab.setParams(down); // our ACK never arrives: the UAS keeps retransmitting its 2xx
            p.uac.stack->ackTwoHundred(in.dialog, 1);
        }
    });
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    const quint64 server = p.uas.requests.first().transaction;
    QCOMPARE(p.times(trace::Kind::SipRetransmission, server),
        seconds({ 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 }));
    // The user saw one 200; the nine retransmissions were absorbed by the Accepted state and
    // answered with the same ACK.
    QCOMPARE(statuses(p.uac.responses), QList<int> { 200 });
    QCOMPARE(p.times(trace::Kind::SipRetransmission, r.transaction).size(), 10);
    const TransactionSnapshot c = snap(*p.uac.stack, r.transaction);
    QCOMPARE(states(c), (QStringList { "Calling", "Accepted", "Terminated" }));
    QCOMPARE(c.history.last().timeNs, 32 * kSec); // Timer M
    const TransactionSnapshot s = snap(*p.uas.stack, server);
    QCOMPARE(states(s), (QStringList { "Proceeding", "Accepted", "Terminated" }));
    QCOMPARE(s.history.last().timeNs, 32 * kSec); // Timer L
}

void TestTransactions::ackStops2xxRetransmission()
{
    LabPair p;
    p.uas.autoAnswer = 200;
    QObject::connect(p.uac.stack.get(), &SipStack::responseReceived, p.uac.stack.get(), [&](const Incoming& in) {
        if (in.message.statusCode() == 200 && in.dialog)
            p.uac.stack->ackTwoHundred(in.dialog, 1);
    });
    p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(40 * kSec);
    const quint64 server = p.uas.requests.first().transaction;
    QVERIFY(p.times(trace::Kind::SipRetransmission, server).isEmpty());
    QCOMPARE(p.uas.requests.size(), 2); // INVITE, then the ACK (its own transaction, §17.1.1.3)
    QCOMPARE(p.uas.requests[1].message.method(), QByteArrayView("ACK"));
    QVERIFY(p.uas.requests[1].dialog != 0);
    QCOMPARE(p.times(trace::Kind::TimerCancelled, server, QStringLiteral("2xx")).size(), 1);
}

void TestTransactions::cancelRingingCall()
{
    LabPair p;
    p.uas.autoAnswer = 180;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(1 * kSec);
    QCOMPARE(statuses(p.uac.responses), QList<int> { 180 });
    QVERIFY(p.uac.responses.first().dialog != 0); // an early dialog
    const SendResult c = p.uac.stack->cancel(r.transaction);
    QVERIFY2(c.ok(), qPrintable(c.toString()));
    QVERIFY(c.transaction != 0);
    p.run(40 * kSec);
    QList<int> got = statuses(p.uac.responses);
    std::sort(got.begin(), got.end());
    QCOMPARE(got, (QList<int> { 180, 200, 487 }));
    QCOMPARE(states(snap(*p.uac.stack, r.transaction)), (QStringList { "Calling", "Proceeding", "Completed", "Terminated" }));
    QCOMPARE(snap(*p.uac.stack, c.transaction).lastStatus, 200);
    const quint64 inviteServer = p.uas.requests.first().transaction;
    QCOMPARE(states(snap(*p.uas.stack, inviteServer)),
        (QStringList { "Proceeding", "Completed", "Confirmed", "Terminated" }));
    QCOMPARE(snap(*p.uas.stack, inviteServer).lastStatus, 487);
    QCOMPARE(p.uas.requests[1].message.method(), QByteArrayView("CANCEL"));
    // Both early dialogs ended with the 487.
    for (const DialogSnapshot& d : p.uac.stack->dialogSnapshots())
        QCOMPARE(d.state, QStringLiteral("terminated"));
    for (const DialogSnapshot& d : p.uas.stack->dialogSnapshots())
        QCOMPARE(d.state, QStringLiteral("terminated"));
}

void TestTransactions::cancelWaitsForProvisional()
{
    LabPair p;
    TimerConfig t;
    t.trying100Ns = -1; // the UAS sends no 100 on its own
    p.uas.stack->setTimers(t);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(100 * kMs);
    QVERIFY(p.uac.stack->cancel(r.transaction).ok());
    p.run(1 * kSec);
    QCOMPARE(p.uas.requests.size(), 1); // no CANCEL before a provisional response (§9.1)
    p.uas.stack->reply(p.uas.requests.first().transaction, 183);
    p.run(1 * kSec);
    QCOMPARE(p.uas.requests.size(), 2);
    QCOMPARE(p.uas.requests[1].message.method(), QByteArrayView("CANCEL"));
}

void TestTransactions::configurableT1()
{
    LabPair p;
    p.uac.stack->setTimers(TimerConfig::fromMs(100, 400, 1000));
    ladder::LinkParams dead;
    dead.up = false;
    p.ab.setParams(dead);
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS"), 0, SendFlag::Stateful);
    p.run(10 * kSec);
    QCOMPARE(p.times(trace::Kind::SipRetransmission, r.transaction),
        seconds({ 0.1, 0.3, 0.7, 1.1, 1.5, 1.9, 2.3, 2.7, 3.1, 3.5, 3.9, 4.3, 4.7, 5.1, 5.5, 5.9, 6.3 }));
    QCOMPARE(p.times(trace::Kind::TimerFired, r.transaction, QStringLiteral("F")), seconds({ 6.4 }));
}

void TestTransactions::serverMatchingBranchSentByMethod()
{
    LabPair p;
    Message a = p.request("OPTIONS");
    a.setTopVia("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsame");
    Message b = a;
    b.setTopVia("SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKsame"); // other sent-by: another transaction
    Message a2 = a; // a retransmission of a
    p.uas.stack->receive(p.toUac, a.serialize());
    p.uas.stack->receive(p.toUac, b.serialize());
    p.uas.stack->receive(p.toUac, a2.serialize());
    QCOMPARE(p.uas.requests.size(), 2);
    QVERIFY(p.uas.requests[0].transaction != p.uas.requests[1].transaction);
    QCOMPARE(p.uas.stack->liveTransactions(), std::size_t(2));
    // CANCEL with the INVITE's branch is its own transaction, matched to the INVITE.
    Message inv = p.request("INVITE");
    inv.setTopVia("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKinv");
    p.uas.stack->receive(p.toUac, inv.serialize());
    const Message cancel = transactionmsg::cancelFor(inv);
    p.uas.stack->receive(p.toUac, cancel.serialize());
    QCOMPARE(p.uas.requests.size(), 4);
    QCOMPARE(p.uas.requests[3].message.method(), QByteArrayView("CANCEL"));
    QCOMPARE(snap(*p.uas.stack, p.uas.requests[2].transaction).lastStatus, 487);
    QCOMPARE(snap(*p.uas.stack, p.uas.requests[3].transaction).lastStatus, 200);
}

void TestTransactions::rfc2543FallbackMatching()
{
    LabPair p;
    p.uas.autoAnswer = 486;
    Message inv = p.request("INVITE", 7, "legacy-call@10.0.0.1");
    inv.setTopVia("SIP/2.0/UDP 10.0.0.1:5060"); // RFC 2543: no branch at all
    p.uas.stack->receive(p.toUac, inv.serialize());
    p.uas.stack->receive(p.toUac, inv.serialize()); // retransmission, matched without a branch
    QCOMPARE(p.uas.requests.size(), 1);
    const quint64 server = p.uas.requests.first().transaction;
    QCOMPARE(snap(*p.uas.stack, server).retransmissions, 1u); // the 486 re-sent
    // The ACK matches by Request-URI, From tag, Call-ID, CSeq number, top Via and the To tag of
    // the 486 we sent.
    const ParseResult resp = parse(snap(*p.uas.stack, server).messages[1]);
    QVERIFY(resp.ok);
    const Message ack = transactionmsg::ackForNonSuccess(inv, resp.message);
    p.uas.stack->receive(p.toUac, ack.serialize());
    QCOMPARE(snap(*p.uas.stack, server).state, QStringLiteral("Confirmed"));
    // An ACK with another To tag does not match it.
    Message other = p.request("INVITE", 8, "legacy-call-2@10.0.0.1");
    other.setTopVia("SIP/2.0/UDP 10.0.0.1:5060;branch=1234"); // a branch without the cookie
    p.uas.stack->receive(p.toUac, other.serialize());
    QCOMPARE(p.uas.requests.size(), 2);
    const quint64 second = p.uas.requests[1].transaction;
    Message wrongAck = transactionmsg::ackForNonSuccess(other, resp.message); // To tag of the first 486
    p.uas.stack->receive(p.toUac, wrongAck.serialize());
    QCOMPARE(snap(*p.uas.stack, second).state, QStringLiteral("Completed"));
}

void TestTransactions::clientMatchingNeedsBranchAndMethod()
{
    LabPair p;
    const Message req = p.request("OPTIONS");
    const SendResult r = p.uac.stack->send(p.toUas, req, 0, SendFlag::Stateful);
    p.run(1);
    QCOMPARE(p.uas.requests.size(), 1);
    // A response with the right branch but another CSeq method matches nothing.
    Message wrong = transactionmsg::responseTo(p.uas.requests.first().message, 200, "x");
    wrong.setHeader(HeaderId::CSeq, "1 INFO");
    p.uac.stack->receive(p.toUas, wrong.serialize());
    QCOMPARE(p.uac.responses.size(), 1);
    QCOMPARE(p.uac.responses.first().transaction, quint64(0)); // stray
    QCOMPARE(snap(*p.uac.stack, r.transaction).state, QStringLiteral("Trying"));
    const Message right = transactionmsg::responseTo(p.uas.requests.first().message, 200, "x");
    p.uac.stack->receive(p.toUas, right.serialize());
    QCOMPARE(p.uac.responses.size(), 2);
    QCOMPARE(p.uac.responses[1].transaction, r.transaction);
    // A response whose top Via is not ours is dropped (§18.1.2).
    Message foreign = right;
    foreign.setTopVia("SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKforeign");
    p.uac.stack->receive(p.toUas, foreign.serialize());
    QCOMPARE(p.uac.responses.size(), 2);
}

void TestTransactions::snapshotShowsTimersAndMessages()
{
    LabPair p;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("INVITE"), 0, SendFlag::Stateful);
    p.run(100 * kMs);
    const TransactionSnapshot s = snap(*p.uac.stack, r.transaction);
    QCOMPARE(s.kind, QStringLiteral("INVITE client"));
    QCOMPARE(s.method, QStringLiteral("INVITE"));
    QVERIFY(s.branch.startsWith("z9hG4bK"));
    QCOMPARE(s.timers.size(), 2);
    QCOMPARE(s.timers[0].name, QStringLiteral("A"));
    QCOMPARE(s.timers[0].dueNs, 500 * kMs);
    QCOMPARE(s.timers[1].name, QStringLiteral("B"));
    QCOMPARE(s.timers[1].dueNs, 32 * kSec);
    QVERIFY(s.connection.startsWith(QStringLiteral("UDP 10.0.0.1:5060 -> 10.0.0.2:5060")));
    QCOMPARE(s.localEndpoint, QStringLiteral("uac 10.0.0.1:5060"));
    QCOMPARE(s.remoteEndpoint, QStringLiteral("uas 10.0.0.2:5060"));
    QVERIFY(s.messages.first().startsWith("INVITE sip:bob@10.0.0.2:5060 SIP/2.0"));
    // Every state change is a trace event with both lanes.
    bool seen = false;
    for (const trace::Event& e : p.events(trace::Kind::TransactionState))
        if (e.object == r.transaction) {
            seen = true;
            QCOMPARE(e.from, QStringLiteral("uac 10.0.0.1:5060"));
            QCOMPARE(e.to, QStringLiteral("uas 10.0.0.2:5060"));
        }
    QVERIFY(!seen); // Calling is the initial state; the first change is still to come
    p.run(1 * kSec);
    QCOMPARE(p.times(trace::Kind::TransactionState, r.transaction).size(), 1); // Calling -> Proceeding (100)
    const auto sm = p.events(trace::Kind::SipMessage);
    QVERIFY(!sm.isEmpty());
    QCOMPARE(sm.first().dir, trace::Dir::Tx);
    QCOMPARE(sm.first().object, r.transaction);
}

void TestTransactions::responseBytesAreTheBuiltResponse_data()
{
    QTest::addColumn<QByteArray>("request");
    const QByteArray tail = "Call-ID: abc@h\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    QTest::newRow("plain") << QByteArray("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa\r\n"
                                         "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nMax-Forwards: 70\r\n" + tail);
    QTest::newRow("tagged To, two Via fields, one with two values")
        << QByteArray("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bKp1, SIP/2.0/UDP p2;branch=z9hG4bKp2\r\n"
                      "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;rport=5060;received=10.0.0.9\r\n"
                      "From: \"A\" <sip:a@h>;tag=1\r\nTo: Bob <sip:b@h>;TAG=xyz\r\n" + tail);
    QTest::newRow("addr-spec To with URI params, Record-Route, compact names")
        << QByteArray("OPTIONS sip:b@h SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\nRecord-Route: <sip:p1;lr>\r\n"
                      "f: sip:a@h;tag=1\r\nt:  sip:b@h;transport=udp  \r\ni: abc@h\r\nCSeq: 7 OPTIONS\r\n"
                      "Timestamp: 54\r\nl: 0\r\n\r\n");
    QTest::newRow("To whose display name says tag")
        << QByteArray("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\n"
                      "From: <sip:a@h>;tag=1\r\nTo: \"Tagged\" <sip:tag@h>\r\n" + tail);
    QTest::newRow("no To, no Call-ID, no CSeq")
        << QByteArray("OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\nFrom: <sip:a@h>;tag=1\r\n\r\n");
}

void TestTransactions::responseBytesAreTheBuiltResponse()
{
    // buildResponseBytes is the fast path of every stateful non-INVITE answer: it must produce
    // byte for byte what buildResponse() serialises.
    QFETCH(QByteArray, request);
    const ParseOptions lenient;
    const ParseResult p = parse(request, lenient);
    QVERIFY2(p.ok, qPrintable(p.error));
    for (int status : { 100, 180, 200, 404, 503 }) {
        for (const QByteArray& reason : { QByteArray(), QByteArray("Not Here Today") }) {
            const QByteArray fast = buildResponseBytes(p.message, status, reason, "t42");
            QCOMPARE(fast, buildResponse(p.message, status, reason, "t42").serialize());
            if (!p.message.hasHeader(HeaderId::To) || !p.message.hasHeader(HeaderId::CSeq))
                continue; // then neither is a message the parser accepts
            const ParseResult again = parse(fast, lenient);
            QVERIFY2(again.ok, qPrintable(again.error));
            QCOMPARE(again.message.statusCode(), status);
        }
    }
    // Without a tag to use, one is generated (as buildResponse does) unless To has one.
    const QByteArray withGenerated = buildResponseBytes(p.message, 200);
    QVERIFY(withGenerated.contains(";tag=") || withGenerated.contains(";TAG="));
    if (!p.message.hasHeader(HeaderId::To) || !p.message.hasHeader(HeaderId::CSeq))
        return;
    const ParseResult generated = parse(withGenerated, lenient);
    QVERIFY(generated.ok);
    QVERIFY(!generated.message.toTag().isEmpty());
    if (!p.message.toTag().isEmpty())
        QCOMPARE(generated.message.toTag(), p.message.toTag());
}

void TestTransactions::nonInviteAnswerKeepsItsToTag()
{
    // reply() composes a non-INVITE answer without a Message: the transaction still re-sends the
    // same bytes for a retransmitted request, and an RFC 2543 transaction (no branch) is matched
    // by the request's fields as before.
    LabPair p;
    p.uas.autoAnswer = 200;
    int call = 0;
    for (const char* via : { "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfast1", "SIP/2.0/UDP 10.0.0.1:5060" }) {
        Message req = p.request("OPTIONS", 3, "fast-" + QByteArray::number(++call) + "@10.0.0.1");
        req.setTopVia(via);
        const qsizetype before = p.uas.requests.size();
        p.uas.stack->receive(p.toUac, req.serialize());
        p.uas.stack->receive(p.toUac, req.serialize()); // a retransmission: absorbed, the 200 re-sent
        QCOMPARE(p.uas.requests.size(), before + 1);
        const TransactionSnapshot s = snap(*p.uas.stack, p.uas.requests.last().transaction);
        QCOMPARE(s.retransmissions, 1u);
        QCOMPARE(s.state, QStringLiteral("Completed"));
        QCOMPARE(s.messages.size(), 2);
        const ParseResult resp = parse(s.messages[1]);
        QVERIFY(resp.ok);
        QCOMPARE(resp.message.statusCode(), 200);
        QVERIFY(!resp.message.toTag().isEmpty());
        const Message& received = p.uas.requests.last().message; // as the stack saw it (rport, received)
        QCOMPARE(s.messages[1], buildResponse(received, 200, {}, resp.message.toTag().toByteArray()).serialize());
    }
}

void TestTransactions::transactionMapAgreesWithAReferenceMap()
{
    // The live-transaction map and the matching index: open addressing with backward-shift
    // erasure. Random insertions and erasures over a small key space (long probe runs, runs that
    // wrap around the end of the table, growth), checked against std::unordered_map: every
    // erasure's result at once, every key every 500 steps. The values are never dereferenced.
    QRandomGenerator rng(20261124);
    TransactionMap map;
    std::unordered_map<quint64, Transaction*> ref;
    auto fake = [](quint64 k) { return reinterpret_cast<Transaction*>(quintptr(k * 16)); };
    for (int step = 0; step < 20000; ++step) {
        const quint64 key = 1 + rng.bounded(3000);
        if (rng.bounded(3) == 0) {
            const auto it = ref.find(key);
            QCOMPARE(map.take(key), it == ref.end() ? nullptr : it->second);
            if (it != ref.end())
                ref.erase(it);
        } else {
            map[key] = fake(key + quint64(step));
            ref[key] = fake(key + quint64(step));
        }
        if (step % 500 == 0 || step == 19999) {
            QCOMPARE(map.size(), ref.size());
            for (quint64 k = 1; k <= 3000; ++k) {
                const auto it = ref.find(k);
                QCOMPARE(map.value(k), it == ref.end() ? nullptr : it->second);
            }
            std::size_t seen = 0;
            map.forEach([&](Transaction*) { ++seen; });
            QCOMPARE(seen, ref.size());
        }
    }
    QVERIFY(!map.take(0));
    QVERIFY(!map.value(999999));
}

QTEST_GUILESS_MAIN(TestTransactions)
#include "tst_transactions.moc"
