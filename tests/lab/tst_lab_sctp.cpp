// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in SCTP scenarios, run headless as the runner runs them (virtual time, usrsctp on the
// lab's clock; addr-over in real time, its association being in the helper process): each
// lesson's point read back from the journal as well as from the verdict.
#include "host/stack.h"
#include "lab/runner.h"
#include "lab/sctpcomposersend.h"
#include "journal/journal.h"
#include "testskip.h"

#include <QSet>
#include <QTest>
#include <QtEndian>

using namespace ladder;

namespace {

struct Run {
    std::unique_ptr<Stack> stack;
    lab::RunOutcome outcome;
    QList<trace::Event> events;

    QList<trace::Event> of(trace::Kind kind) const
    {
        QList<trace::Event> out;
        for (const trace::Event& e : events)
            if (e.kind == kind)
                out << e;
        return out;
    }
    int chunks(trace::Dir dir, const QString& prefix) const
    {
        int n = 0;
        for (const trace::Event& e : of(trace::Kind::SctpChunk))
            n += e.dir == dir && e.text.startsWith(prefix);
        return n;
    }
    QString why() const
    {
        return outcome.result.findings.join(QStringLiteral(" | ")) + QStringLiteral(" | ") + outcome.result.failure;
    }
};

Run run(const QString& name, quint64 seed = 1)
{
    Run r;
    auto scenario = lab::createScenario(name);
    if (!scenario)
        return r;
    r.stack = std::make_unique<Stack>(scenario->needsRealTime() ? Scheduler::Mode::Real : Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = seed;
    r.outcome = lab::runToEnd(*scenario, *r.stack, params);
    r.events = r.stack->journal().range(0, r.stack->journal().count()).toList();
    return r;
}

} // namespace

class TstLabSctp : public QObject {
    Q_OBJECT
private slots:
    // The composer's request becomes sctp_sendmsg(3)'s arguments the same way in the lab and in
    // network mode (network mode used to let unknown flag bits through).
    void composerRequestsAreCheckedOnce()
    {
        lab::SctpComposerRequest r;
        r.to = QStringLiteral("127.0.0.1:5000");
        r.ppid = 0x01020304;
        r.stream = 3;
        r.flags = sctp::flag::Unordered;
        lab::SctpComposerSend s = lab::sctpComposerSend(r);
        QVERIFY2(s.ok(), qPrintable(s.why));
        QCOMPARE(s.info.ppid, qToBigEndian(quint32(0x01020304))); // the number on the wire
        QCOMPARE(s.info.stream, quint16(3));
        QVERIFY(s.info.to && s.info.addresses.isEmpty());
        r.to = QStringLiteral("127.0.0.1:5000, [::1]:5000");
        s = lab::sctpComposerSend(r);
        QVERIFY(s.ok());
        QCOMPARE(s.info.addresses.size(), 2); // sctp_sendmsgx's list
        r.to = QStringLiteral("127.0.0.1:5000,nowhere");
        s = lab::sctpComposerSend(r);
        QCOMPARE(s.errnoName, QStringLiteral("EINVAL"));
        QCOMPARE(s.why, QStringLiteral("The address 'nowhere' in the list is not HOST:PORT."));
        r.to = QStringLiteral("127.0.0.1:5000");
        r.flags = sctp::flag::Unordered | 0x2;
        s = lab::sctpComposerSend(r);
        QCOMPARE(s.errnoName, QStringLiteral("EINVAL"));
        QCOMPARE(s.why, QStringLiteral("Unknown flag bits 0x2."));
        r.flags = sctp::flag::AddrOver;
        r.addrOver = QStringLiteral(" [::1]:5000 ");
        s = lab::sctpComposerSend(r);
        QVERIFY2(s.ok(), qPrintable(s.why));
        QVERIFY(s.info.to);
        r.flags = 0;
        r.prPolicy = 9;
        QCOMPARE(lab::sctpComposerSend(r).why, QStringLiteral("Unknown PR-SCTP policy 9: use none, TTL, BUF, RTX or PRIO."));
        // What the journal says, placeholders in a typed address left as typed.
        r.prPolicy = 0;
        r.to = QStringLiteral("%3:%1");
        r.repeat = 3;
        r.intervalMs = 20;
        r.payload = "abc";
        QCOMPARE(lab::sctpComposerActionText(QStringLiteral("composer"), r, lab::sctpComposerSend(r).info),
            QStringLiteral("composer: sctp_sendmsg 3 bytes to %3:%1, stream 3, ppid 16909060, context 0, no flags, 3 times every 20 ms"));
        QCOMPARE(lab::sctpBurstSentText(1, 14, 1), QStringLiteral("sent 14 bytes"));
        QCOMPARE(lab::sctpBurstSentText(3, 42, 3), QStringLiteral("sent 3 messages, 42 bytes"));
        QCOMPARE(lab::sctpBurstFailedText(QStringLiteral("EAGAIN"), 2, 5), QStringLiteral("EAGAIN (after 2 of 5 messages were sent)"));
    }

    void scenariosRunInVirtualTimeButTheMultiHomedOne()
    {
        // The in-process ones run in virtual time headless (usrsctp on the lab's clock and seed,
        // tst_lab_reproducible); addr-over's association lives in a helper process, in real time.
        for (const char* name : { "prsctp-ttl-rtx-buf", "unordered-vs-ordered", "eof-vs-abort", "sendall", "addr-over" }) {
            auto s = lab::createScenario(QLatin1String(name));
            QVERIFY2(s, name);
            QCOMPARE(s->needsRealTime(), QByteArray(name) == "addr-over");
            QVERIFY(s->lesson().size() > 200);
        }
    }

    void prSctpAbandonsWithContextsAndForwardTsn()
    {
        const Run r = run(QStringLiteral("prsctp-ttl-rtx-buf"));
        QVERIFY2(r.outcome.result.ok, qPrintable(r.why()));
        const auto abandons = r.of(trace::Kind::SctpAbandon);
        QVERIFY(!abandons.isEmpty());
        QSet<quint64> policies;
        for (const trace::Event& e : abandons) {
            policies.insert(e.a);
            // TTL (1) contexts 100…, RTX (3) contexts 200…, BUF (2) 300…; the reliable 400… never.
            const quint64 base = e.a == 1 ? 100 : e.a == 3 ? 200 : 300;
            QVERIFY2(e.c >= base && e.c < base + 10, qPrintable(e.text));
        }
        QVERIFY(policies.contains(1));
        QVERIFY(policies.contains(2)); // BUF: the byte threshold of sctp_sendmsg(3) was reached
        QVERIFY(policies.contains(3));
        QVERIFY(!r.of(trace::Kind::SctpForwardTsn).isEmpty());
        QVERIFY(r.chunks(trace::Dir::Rx, QStringLiteral("FORWARD_TSN")) > 0); // it reached the receiver
        QVERIFY(!r.of(trace::Kind::SctpRetransmission).isEmpty());
    }

    void orderedStaysInOrderUnorderedDoesNot()
    {
        const Run r = run(QStringLiteral("unordered-vs-ordered"));
        QVERIFY2(r.outcome.result.ok, qPrintable(r.why()));
        // The link really reordered: some DATA arrived with a lower TSN than one before it.
        qint64 last = -1;
        int backwards = 0;
        for (const trace::Event& e : r.of(trace::Kind::SctpChunk)) {
            if (e.dir != trace::Dir::Rx || !e.text.startsWith(QLatin1String("DATA")))
                continue;
            backwards += qint64(e.c) < last;
            last = qint64(e.c);
        }
        QVERIFY(backwards > 0);
    }

    void eofDeliversAbortDiscards()
    {
        const Run r = run(QStringLiteral("eof-vs-abort"));
        QVERIFY2(r.outcome.result.ok, qPrintable(r.why()));
        QVERIFY(r.chunks(trace::Dir::Tx, QStringLiteral("SHUTDOWN")) > 0);
        QVERIFY(r.chunks(trace::Dir::Tx, QStringLiteral("SHUTDOWN_COMPLETE")) > 0);
        QVERIFY(r.chunks(trace::Dir::Rx, QStringLiteral("ABORT")) > 0);
    }

    void sendAllReachesEveryAssociation()
    {
        const Run r = run(QStringLiteral("sendall"));
        QVERIFY2(r.outcome.result.ok, qPrintable(r.why()));
        QSet<quint64> associations;
        for (const trace::Event& e : r.of(trace::Kind::AssociationState))
            associations.insert(e.object);
        QCOMPARE(associations.size(), 6); // 3 client sides, 3 on the one-to-many server
        int broadcasts = 0;
        for (const trace::Event& e : r.of(trace::Kind::SctpPacket))
            broadcasts += e.dir == trace::Dir::Rx && e.raw.contains("hello, everyone");
        QCOMPARE(broadcasts, 3);
    }

    void addrOverPicksThePathAndFailsOver()
    {
        const Run r = run(QStringLiteral("addr-over"));
        if (r.outcome.result.failure.contains(QLatin1String("IPv6 loopback ::1 is not available")))
            LADDERLAB_SKIP(r.outcome.result.failure); // a host without ::1 has one loopback path only
        QVERIFY2(r.outcome.result.ok, qPrintable(r.why()));
        // Two paths, each with its own lanes: DATA went to the server on both addresses.
        QSet<QString> dataLanes;
        for (const trace::Event& e : r.of(trace::Kind::SctpChunk))
            if (e.dir == trace::Dir::Tx && e.text.startsWith(QLatin1String("DATA")))
                dataLanes.insert(e.to);
        QCOMPARE(dataLanes, (QSet<QString> { QStringLiteral("server 127.0.0.1:9899"), QStringLiteral("server [::1]:9899") }));
        // The failing path: its packets were lost on the lab link, DATA was retransmitted, the
        // client reported it unreachable and then available again.
        QVERIFY(!r.of(trace::Kind::SctpRetransmission).isEmpty());
        QVERIFY(!r.of(trace::Kind::LinkDrop).isEmpty());
        QStringList pathChanges;
        for (const trace::Event& e : r.of(trace::Kind::SctpNotification))
            if (e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE 127.0.0.1:5000")))
                pathChanges << e.text.section(QLatin1Char(' '), 2, 2);
        QVERIFY2(pathChanges.contains(QStringLiteral("unreachable")), qPrintable(pathChanges.join(QLatin1Char(','))));
        QVERIFY(pathChanges.indexOf(QStringLiteral("available")) > pathChanges.indexOf(QStringLiteral("unreachable")));
        bool sentWithAddrOver = false;
        for (const trace::Event& e : r.of(trace::Kind::UserAction))
            sentWithAddrOver = sentWithAddrOver || e.text.contains(QLatin1String("ADDR_OVER"));
        QVERIFY(sentWithAddrOver);
    }
};

QTEST_GUILESS_MAIN(TstLabSctp)
#include "tst_lab_sctp.moc"
