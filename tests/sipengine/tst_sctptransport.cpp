// SPDX-License-Identifier: GPL-3.0-or-later
// SIP over SCTP (RFC 4168): two SIP stacks on the SCTP engine over a lab link pair, OPTIONS and a
// whole INVITE/200/ACK/BYE, with no SIP-level retransmission (SCTP is reliable).
#include "host/stack.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "sip/message/builder.h"
#include "sip/sipstack.h"
#include "sip/transport/transportsctp.h"

#include <QTest>

using namespace ladder;
using namespace ladder::sip;

namespace {
QString stateOf(SipStack& s, quint64 tx)
{
    for (const TransactionSnapshot& t : s.transactionSnapshots())
        if (t.id == tx)
            return t.state;
    return {};
}
}

class TestSctpTransport : public QObject {
    Q_OBJECT
private slots:
    void optionsAndCall();
};

void TestSctpTransport::optionsAndCall()
{
    auto stack = std::make_unique<Stack>(Scheduler::Mode::Real);
    auto engine = std::make_unique<sctp::Engine>(*stack);
    auto link = std::make_unique<sctp::LabLinkPair>(*engine, 1);
    {
        SipStack uac(stack->scheduler(), &stack->journal()), uas(stack->scheduler(), &stack->journal());
        uac.setLabel(QStringLiteral("uac"));
        uas.setLabel(QStringLiteral("uas"));
        auto a = std::make_unique<SctpTransport>(*engine, link->a(), QStringLiteral("uac"));
        auto b = std::make_unique<SctpTransport>(*engine, link->b(), QStringLiteral("uas"));
        QString error;
        // Both sides of a lab link pair share one AF_CONN address, told apart by port.
        QVERIFY2(a->listen(5070, &error), qPrintable(error));
        QVERIFY2(b->listen(5060, &error), qPrintable(error));
        const HostPort uasAt = b->local();
        QCOMPARE(uasAt.toString(), QStringLiteral("10.0.0.2:5060"));
        uac.addTransport(std::move(a));
        uas.addTransport(std::move(b));
        QList<Incoming> responses, requests;
        connect(&uas, &SipStack::requestReceived, this, [&](const Incoming& in) {
            requests.append(in);
            if (in.transaction && in.message.method() != "ACK")
                uas.reply(in, 200);
        });
        connect(&uac, &SipStack::responseReceived, this, [&](const Incoming& in) { responses.append(in); });
        const auto c = uac.connect(TransportType::Sctp, uasAt, &error);
        QVERIFY2(c, qPrintable(error));
        QVERIFY(c->reliable() && !c->stream());

        RequestTemplate t;
        t.method = "OPTIONS";
        t.requestUri = "sip:bob@10.0.0.2:5060;transport=sctp";
        t.from = "<sip:alice@10.0.0.1>";
        t.to = "<sip:bob@10.0.0.2>";
        t.via.transport = "SCTP";
        t.via.sentBy = c->local().toSentBy();
        t.contact = "<sip:alice@10.0.0.1:5070;transport=sctp>";
        const SendResult options = uac.send(c, buildRequest(t), 0, SendFlag::Stateful);
        QVERIFY(options.ok());
        QTRY_COMPARE_WITH_TIMEOUT(responses.size(), 1, 10000);
        QCOMPARE(responses.first().message.statusCode(), 200);
        QCOMPARE(stateOf(uac, options.transaction), QStringLiteral("Terminated")); // K = 0: reliable
        QCOMPARE(requests.first().message.topVia()->transport(), QByteArrayView("SCTP"));

        t.method = "INVITE";
        t.cseq = 2;
        const SendResult invite = uac.send(c, buildRequest(t), 0, SendFlag::Stateful);
        QVERIFY(invite.ok());
        QTRY_COMPARE_WITH_TIMEOUT(responses.size(), 2, 10000);
        const Incoming ok = responses.last();
        QCOMPARE(ok.message.statusCode(), 200);
        QVERIFY(ok.dialog);
        QVERIFY(uac.ackTwoHundred(ok.dialog, 2).ok());
        QTRY_COMPARE_WITH_TIMEOUT(requests.size(), 3, 10000);
        QCOMPARE(requests.last().message.method(), QByteArrayView("ACK"));
        const SendResult bye = uac.send({}, *uac.createInDialog(ok.dialog, "BYE"), ok.dialog, SendFlag::Stateful);
        QVERIFY(bye.ok());
        QTRY_COMPARE_WITH_TIMEOUT(responses.size(), 3, 10000);
        QCOMPARE(responses.last().message.statusCode(), 200);
        QVERIFY(uac.dialog(ok.dialog) == nullptr);
        int retransmissions = 0;
        stack->journal().forEach(0, stack->journal().count(),
            [&](const trace::Event& e) { retransmissions += e.kind == trace::Kind::SipRetransmission; });
        QCOMPARE(retransmissions, 0);
    }
    engine.reset();
    link.reset();
    stack.reset();
}

QTEST_GUILESS_MAIN(TestSctpTransport)
#include "tst_sctptransport.moc"
