// SPDX-License-Identifier: GPL-3.0-or-later
// Interoperability with a SIP stack nobody here wrote: Net::SIP (libnet-sip-perl), started by the
// test on a free loopback port, answering OPTIONS, REGISTER and a full INVITE/200/ACK/BYE from our
// stack over UDP and over TCP.
#include "core/scheduler.h"
#include "sip/message/builder.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"
#include "testskip.h"

#include <QProcess>
#include <QTest>

using namespace ladder;
using namespace ladder::sip;

namespace {
QString script() { return qEnvironmentVariable("LADDERLAB_SOURCE_DIR") + QStringLiteral("/tests/sipengine/netsip_uas.pl"); }

bool haveNetSip(QString* why)
{
    QProcess p;
    p.start(QStringLiteral("perl"), { QStringLiteral("-MNet::SIP"), QStringLiteral("-e1") });
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *why = QStringLiteral("perl with Net::SIP is not available (Debian package libnet-sip-perl): ")
            + QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
        return false;
    }
    return true;
}

QString stateOf(SipStack& s, quint64 tx)
{
    for (const TransactionSnapshot& t : s.transactionSnapshots())
        if (t.id == tx)
            return t.state;
    return {};
}
}

class TestInterop : public QObject {
    Q_OBJECT
private slots:
    void netSip_data();
    void netSip();
};

void TestInterop::netSip_data()
{
    QTest::addColumn<QString>("proto");
    QTest::newRow("udp") << QStringLiteral("udp");
    QTest::newRow("tcp") << QStringLiteral("tcp");
}

void TestInterop::netSip()
{
    QFETCH(QString, proto);
    QString why;
    if (!haveNetSip(&why))
        LADDERLAB_SKIP(why);
    QProcess peer;
    peer.setProcessChannelMode(QProcess::SeparateChannels);
    peer.start(QStringLiteral("perl"), { script(), proto, QStringLiteral("127.0.0.1") });
    QVERIFY2(peer.waitForStarted(10000), qPrintable(peer.errorString()));
    auto stop = qScopeGuard([&] {
        peer.kill();
        peer.waitForFinished(5000);
    });
    QByteArray out;
    while (!out.contains('\n') && peer.waitForReadyRead(15000))
        out += peer.readAllStandardOutput();
    QVERIFY2(out.startsWith("READY "), (out + peer.readAllStandardError()).constData());
    const quint16 port = quint16(out.mid(6, out.indexOf('\n') - 6).trimmed().toUInt());
    QVERIFY(port);

    Scheduler scheduler;
    trace::Journal journal;
    SipStack stack(scheduler, &journal);
    stack.setLabel(QStringLiteral("ladderlab"));
    const bool tcp = proto == QLatin1String("tcp");
    QString error;
    if (tcp) {
        auto t = std::make_unique<TcpTransport>();
        QVERIFY2(t->listen({ QStringLiteral("127.0.0.1"), 0 }, &error), qPrintable(error));
        stack.addTransport(std::move(t));
    } else {
        auto u = std::make_unique<UdpTransport>();
        QVERIFY2(u->bind({ QStringLiteral("127.0.0.1"), 0 }, &error), qPrintable(error));
        stack.addTransport(std::move(u));
    }
    const auto c = stack.connect(tcp ? TransportType::Tcp : TransportType::Udp, { QStringLiteral("127.0.0.1"), port },
        &error);
    QVERIFY2(c, qPrintable(error));
    QList<Incoming> responses;
    connect(&stack, &SipStack::responseReceived, this, [&](const Incoming& in) { responses.append(in); });
    auto finalFor = [&](quint64 tx) {
        for (const Incoming& in : responses)
            if (in.transaction == tx && in.message.statusCode() >= 200)
                return in.message.statusCode();
        return 0;
    };

    RequestTemplate t;
    t.requestUri = "sip:bob@127.0.0.1:" + QByteArray::number(port);
    t.from = "Alice <sip:alice@127.0.0.1>";
    t.to = "Bob <sip:bob@127.0.0.1>";
    t.via.transport = c->viaToken();
    t.via.sentBy = c->local().toSentBy();
    t.contact = "<sip:alice@" + c->local().toSentBy() + (tcp ? ";transport=tcp>" : ">");

    // OPTIONS
    t.method = "OPTIONS";
    const SendResult options = stack.send(c, buildRequest(t), 0, SendFlag::Stateful);
    QVERIFY2(options.ok(), qPrintable(options.toString()));
    QTRY_COMPARE_WITH_TIMEOUT(finalFor(options.transaction), 200, 10000);
    QCOMPARE(stateOf(stack, options.transaction), tcp ? QStringLiteral("Terminated") : QStringLiteral("Completed"));

    // REGISTER
    RequestTemplate r = t;
    r.method = "REGISTER";
    r.requestUri = "sip:127.0.0.1:" + QByteArray::number(port);
    r.to = "<sip:alice@127.0.0.1>";
    r.extraHeaders.append(qMakePair(QByteArray("Expires"), QByteArray("60")));
    const SendResult reg = stack.send(c, buildRequest(r), 0, SendFlag::Stateful);
    QVERIFY(reg.ok());
    QTRY_COMPARE_WITH_TIMEOUT(finalFor(reg.transaction), 200, 10000);
    const Incoming regOk = *std::find_if(responses.begin(), responses.end(),
        [&](const Incoming& in) { return in.transaction == reg.transaction && in.message.statusCode() == 200; });
    QVERIFY(!regOk.message.contacts().isEmpty()); // the registrar lists our binding

    // INVITE / 200 / ACK / BYE
    RequestTemplate i = t;
    i.method = "INVITE";
    i.contentType = "application/sdp";
    i.body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
             "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    const SendResult invite = stack.send(c, buildRequest(i), 0, SendFlag::Stateful);
    QVERIFY(invite.ok());
    QTRY_COMPARE_WITH_TIMEOUT(finalFor(invite.transaction), 200, 10000);
    QCOMPARE(stateOf(stack, invite.transaction), QStringLiteral("Accepted")); // RFC 6026, Timer M runs
    const Incoming ok = *std::find_if(responses.begin(), responses.end(),
        [&](const Incoming& in) { return in.transaction == invite.transaction && in.message.statusCode() == 200; });
    QVERIFY(ok.dialog);
    QCOMPARE(stack.dialog(ok.dialog)->state(), Dialog::State::Confirmed);
    QVERIFY(stack.ackTwoHundred(ok.dialog, ok.message.cseq()->number).ok());
    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT((log += peer.readAllStandardOutput()).contains("ESTABLISHED"), 10000);
    const SendResult bye = stack.send({}, *stack.createInDialog(ok.dialog, "BYE"), ok.dialog, SendFlag::Stateful);
    QVERIFY(bye.ok());
    QTRY_COMPARE_WITH_TIMEOUT(finalFor(bye.transaction), 200, 10000);
    QVERIFY(stack.dialog(ok.dialog) == nullptr); // terminated and retired
    QCOMPARE(stateOf(stack, bye.transaction), tcp ? QStringLiteral("Terminated") : QStringLiteral("Completed"));
}

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
