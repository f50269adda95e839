// SPDX-License-Identifier: GPL-3.0-or-later
// trace::explain over real lab journals (virtual time, seeded): every event gets a reason, and the key
// ones name the right rule and section; the parsed view's per-field references.
#include "host/stack.h"
#include "journal/explain.h"
#include "journal/journal.h"
#include "lab/runner.h"

#include <QTest>

using namespace ladder;
using trace::Kind;

namespace {

struct Run {
    std::unique_ptr<Stack> stack;
    QList<trace::Event> events;
};

Run run(const QString& name, quint64 seed = 1)
{
    Run r;
    auto scenario = lab::createScenario(name);
    if (!scenario)
        return r;
    r.stack = std::make_unique<Stack>(Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = seed;
    lab::runToEnd(*scenario, *r.stack, params);
    r.events = r.stack->journal().range(0, r.stack->journal().count()).toList();
    return r;
}

bool cites(const trace::Explanation& x, const QString& label)
{
    for (const trace::Reference& r : x.refs)
        if (r.label() == label)
            return true;
    return false;
}

QString labels(const trace::Explanation& x)
{
    QStringList out;
    for (const trace::Reference& r : x.refs)
        out << r.label();
    return out.join(QStringLiteral(", "));
}

} // namespace

class TstExplain : public QObject {
    Q_OBJECT
private slots:
    void everyEventIsExplained_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("invite-lossy-udp") << QStringLiteral("invite-lossy-udp");
        QTest::newRow("prsctp-ttl-rtx-buf") << QStringLiteral("prsctp-ttl-rtx-buf");
        QTest::newRow("eof-vs-abort") << QStringLiteral("eof-vs-abort");
    }
    void everyEventIsExplained()
    {
        QFETCH(QString, scenario);
        const Run r = run(scenario);
        QVERIFY(r.events.size() > 20);
        const trace::Context context = trace::Context::ofJournal(r.stack->journal());
        for (const trace::Event& e : r.events) {
            const trace::Explanation x = trace::explain(e, context);
            QVERIFY2(!x.why.isEmpty(), qPrintable(QStringLiteral("#%1 %2 %3").arg(e.seq).arg(QLatin1String(trace::kindName(e.kind)), e.text)));
            for (const trace::Reference& ref : x.refs)
                QVERIFY2(ref.url.isEmpty() || ref.url.startsWith(QLatin1String("https://")), qPrintable(ref.url));
        }
    }

    void inviteOverLossyUdp()
    {
        const Run r = run(QStringLiteral("invite-lossy-udp"));
        const trace::Context context = trace::Context::ofEvents(r.events);
        int timerA = 0, states = 0, retransmissions = 0;
        for (const trace::Event& e : r.events) {
            const trace::Explanation x = trace::explain(e, context);
            if (e.kind == Kind::TimerFired && e.text == QLatin1String("A")) {
                ++timerA;
                QVERIFY2(cites(x, QStringLiteral("RFC 3261 §17.1.1.2")), qPrintable(labels(x)));
                QCOMPARE(x.refs.front().url, QStringLiteral("https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2"));
                // The state it fired in, from the history: INVITE client, in Calling.
                QCOMPARE(x.transition, QStringLiteral("INVITE client: in Calling (stays)"));
                QVERIFY2(x.why.contains(QStringLiteral("%1 retransmission").arg(timerA == 1 ? QStringLiteral("1st")
                                                                       : timerA == 2 ? QStringLiteral("2nd")
                                                                       : timerA == 3 ? QStringLiteral("3rd")
                                                                                     : QStringLiteral("%1th").arg(timerA))),
                    qPrintable(x.why));
            }
            if (e.kind == Kind::SipRetransmission && e.text.startsWith(QLatin1String("INVITE "))) {
                ++retransmissions;
                QVERIFY2(x.why.contains(QLatin1String("Timer A")), qPrintable(x.why));
                QVERIFY(cites(x, QStringLiteral("RFC 3261 §17.1.1.2")));
            }
            if (e.kind == Kind::TransactionState) {
                ++states;
                QCOMPARE(x.transition, e.text); // the transition is named
                if (e.text == QLatin1String("INVITE client: Calling -> Proceeding"))
                    QVERIFY2(x.why.contains(QLatin1String("provisional")), qPrintable(x.why));
            }
            if (e.kind == Kind::SipMessage && e.text.startsWith(QLatin1String("SIP/2.0 100")))
                QVERIFY(cites(x, QStringLiteral("RFC 3261 §17.2.1")));
        }
        QVERIFY(timerA >= 1);
        QVERIFY(retransmissions >= 1);
        QVERIFY(states >= 2);
    }

    void prSctpPolicies()
    {
        const Run r = run(QStringLiteral("prsctp-ttl-rtx-buf"));
        const trace::Context context = trace::Context::ofEvents(r.events);
        QSet<quint64> policies;
        int timeouts = 0, forwards = 0;
        for (const trace::Event& e : r.events) {
            const trace::Explanation x = trace::explain(e, context);
            if (e.kind == Kind::SctpRetransmission && e.a == 2) {
                ++timeouts;
                QCOMPARE(x.refs.front().label(), QStringLiteral("RFC 4960 §6.3.3"));
                QVERIFY(x.why.contains(QLatin1String("T3-rtx")));
            }
            if (e.kind == Kind::SctpRetransmission && e.a == 1)
                QCOMPARE(x.refs.front().label(), QStringLiteral("RFC 4960 §7.2.4"));
            if (e.kind == Kind::SctpForwardTsn) {
                ++forwards;
                QVERIFY2(cites(x, QStringLiteral("RFC 3758 §3.5")) || cites(x, QStringLiteral("RFC 3758 §3.6")), qPrintable(labels(x)));
                if (e.dir == trace::Dir::Tx)
                    QCOMPARE(x.refs.front().url, QStringLiteral("https://www.rfc-editor.org/rfc/rfc3758#section-3.5"));
            }
            if (e.kind == Kind::SctpAbandon) {
                policies.insert(e.a);
                QVERIFY(x.why.contains(QStringLiteral("context %1").arg(e.c)));
                if (e.a == 1)
                    QVERIFY2(x.why.contains(QLatin1String("TTL")) && cites(x, QStringLiteral("RFC 3758 §3.4")), qPrintable(labels(x)));
                if (e.a == 2) {
                    QCOMPARE(x.refs.front().spec, QStringLiteral("sctp_sendmsg(3)"));
                    QVERIFY(x.why.contains(QLatin1String("byte threshold")));
                }
                if (e.a == 3)
                    QCOMPARE(x.refs.front().label(), QStringLiteral("RFC 7496 §3.1"));
            }
            if (e.kind == Kind::AssociationState)
                QCOMPARE(x.transition, e.text);
        }
        QVERIFY(timeouts + forwards > 0);
        QVERIFY(forwards > 0);
        QVERIFY2(policies.contains(1) && policies.contains(2) && policies.contains(3), "TTL, BUF and RTX abandons");
    }

    void associationShutdownAndAbort()
    {
        const Run r = run(QStringLiteral("eof-vs-abort"));
        const trace::Context context = trace::Context::ofEvents(r.events);
        bool established = false, shutdown = false;
        for (const trace::Event& e : r.events) {
            if (e.kind != Kind::AssociationState && e.kind != Kind::SctpChunk)
                continue;
            const trace::Explanation x = trace::explain(e, context);
            if (e.kind == Kind::AssociationState && e.text.endsWith(QLatin1String("ESTABLISHED"))) {
                established = true;
                QVERIFY(cites(x, QStringLiteral("RFC 4960 §5.1")));
            }
            if (e.kind == Kind::SctpChunk && e.a == 0x07) {
                shutdown = true;
                QCOMPARE(x.refs.front().label(), QStringLiteral("RFC 4960 §3.3.8"));
                QVERIFY(cites(x, QStringLiteral("RFC 4960 §9.2")));
            }
            if (e.kind == Kind::SctpChunk && e.a == 0x06)
                QVERIFY(cites(x, QStringLiteral("RFC 4960 §9.1")));
        }
        QVERIFY(established);
        QVERIFY(shutdown);
    }

    void withoutHistoryStillSpecific()
    {
        trace::Event e;
        e.kind = Kind::TimerFired;
        e.text = QStringLiteral("B");
        const trace::Explanation x = trace::explain(e);
        QVERIFY(x.why.contains(QLatin1String("64·T1")));
        QCOMPARE(x.refs.front().label(), QStringLiteral("RFC 3261 §17.1.1.2"));
        e.text = QStringLiteral("M");
        QCOMPARE(trace::explain(e).refs.front().label(), QStringLiteral("RFC 6026 §7.2"));
        e.kind = Kind::SipMessage;
        e.dir = trace::Dir::Rx;
        e.raw = "SIP/2.0 487 Request Terminated\r\nCSeq: 1 INVITE\r\nt: <sip:b@x>;tag=9\r\n\r\n";
        e.text = QStringLiteral("SIP/2.0 487 Request Terminated");
        const trace::Explanation c = trace::explain(e);
        QVERIFY(cites(c, QStringLiteral("RFC 3261 §9.2")));
        QVERIFY(cites(c, QStringLiteral("RFC 3261 §21.4.25")));
    }

    void fieldReferences_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("label");
        QTest::newRow("Via") << QStringLiteral("Via") << QStringLiteral("RFC 3261 §20.42");
        QTest::newRow("compact v") << QStringLiteral("v") << QStringLiteral("RFC 3261 §20.42");
        QTest::newRow("compact i") << QStringLiteral("i") << QStringLiteral("RFC 3261 §20.8");
        QTest::newRow("CSeq any case") << QStringLiteral("cseq") << QStringLiteral("RFC 3261 §20.16");
        QTest::newRow("WWW-Authenticate") << QStringLiteral("WWW-Authenticate") << QStringLiteral("RFC 3261 §20.44");
        QTest::newRow("RAck") << QStringLiteral("RAck") << QStringLiteral("RFC 3262 §7.2");
        QTest::newRow("RSeq") << QStringLiteral("RSeq") << QStringLiteral("RFC 3262 §7.1");
        QTest::newRow("Event o") << QStringLiteral("o") << QStringLiteral("RFC 6665 §8.2.1");
        QTest::newRow("Refer-To") << QStringLiteral("Refer-To") << QStringLiteral("RFC 3515 §2.1");
        QTest::newRow("Reason") << QStringLiteral("Reason") << QStringLiteral("RFC 3326 §2");
        QTest::newRow("PAI") << QStringLiteral("P-Asserted-Identity") << QStringLiteral("RFC 3325 §9.1");
        QTest::newRow("Session-Expires x") << QStringLiteral("x") << QStringLiteral("RFC 4028 §4");
        QTest::newRow("Replaces") << QStringLiteral("Replaces") << QStringLiteral("RFC 3891 §6.1");
    }
    void fieldReferences()
    {
        QFETCH(QString, name);
        QFETCH(QString, label);
        const auto ref = trace::sipHeaderReference(name);
        QVERIFY(ref);
        QCOMPARE(ref->label(), label);
        QVERIFY(!trace::sipHeaderReference(QStringLiteral("X-Unknown")));
    }

    void chunkReferences()
    {
        QCOMPARE(trace::sctpChunkReference(0x00)->label(), QStringLiteral("RFC 4960 §3.3.1"));
        QCOMPARE(trace::sctpChunkReference(0x03)->label(), QStringLiteral("RFC 4960 §3.3.4"));
        QCOMPARE(trace::sctpChunkReference(0x0e)->label(), QStringLiteral("RFC 4960 §3.3.13"));
        QCOMPARE(trace::sctpChunkReference(0xc0)->label(), QStringLiteral("RFC 3758 §3.2"));
        QCOMPARE(trace::sctpChunkReference(0xc2)->label(), QStringLiteral("RFC 8260 §2.3.1"));
        QCOMPARE(trace::sctpChunkReference(0x0f)->spec, QStringLiteral("RFC 4895"));
        QVERIFY(!trace::sctpChunkReference(0x3f));
        QCOMPARE(trace::sctpFieldReference(0x03, u"Gap blocks")->label(), QStringLiteral("RFC 4960 §3.3.4"));
        QCOMPARE(trace::sctpFieldReference(0x01, u"PR-SCTP")->label(), QStringLiteral("RFC 3758 §3.1"));
        QCOMPARE(trace::sctpFieldReference(trace::kSctpCommonHeader, u"Verification tag")->label(), QStringLiteral("RFC 4960 §3.1"));
    }
};

QTEST_GUILESS_MAIN(TstExplain)
#include "tst_explain.moc"
