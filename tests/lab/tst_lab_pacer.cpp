// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 22's transport controls and breakpoints: the breakpoint language and its errors; headless
// breaks (runToEnd, `ladderctl lab run --break`) landing on the exact event in virtual time; the
// window's paced run (LabController on a stack that runs in real time otherwise) journalling the
// same run as the headless one whatever the stepping, pausing and speed; Step landing on each next
// event in turn; Step over following one transaction; a breakpoint pausing the paced run.
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/controller.h"
#include "lab/pacer.h"
#include "lab/runner.h"
#include "sctp/chunkdecoder.h"

#include <QProcess>
#include <QSignalSpy>

#include "labwindow.h"
#include <QTest>

using namespace ladder;

namespace {

struct Run {
    lab::RunOutcome outcome;
    QList<trace::Event> events;
};

Run headless(const QString& name, quint64 seed, const QStringList& breaks = {})
{
    Run r;
    auto scenario = lab::createScenario(name);
    Stack stack(Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = seed;
    QString error;
    const auto bps = lab::Breakpoint::parseAll(breaks, &error);
    if (!bps)
        qFatal("bad breakpoint in the test: %s", qPrintable(error));
    r.outcome = lab::runToEnd(*scenario, stack, params, *bps);
    r.events = stack.journal().range(0, stack.journal().count()).toList();
    return r;
}

// What a run did, in a form two runs in one process can compare: object ids (transactions,
// associations, connections) are process-wide counters, so they are left out; log lines too (the
// window's controller says more than the runner).
QStringList traffic(const QList<trace::Event>& events, qint64 untilNs = std::numeric_limits<qint64>::max())
{
    QStringList out;
    for (const trace::Event& e : events) {
        if (e.kind == trace::Kind::Log || e.timeNs > untilNs)
            continue;
        out << QStringLiteral("%1 %2 %3 %4>%5 %6 %7")
                   .arg(e.timeNs)
                   .arg(QLatin1String(trace::kindName(e.kind)), QLatin1String(trace::dirName(e.dir)), e.from, e.to,
                       e.text, QString::fromLatin1(e.raw.toHex()));
    }
    return out;
}

// The window's lab: a stack in real time (as the GUI's), a controller that runs lessons paced.
using Window = labtest::LabWindow;

} // namespace

class TstLabPacer : public QObject {
    Q_OBJECT
private slots:
    // ---- the language ----
    void parsesToCanonicalText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("sip timer") << "timer sip:a" << "timer sip:A";
        QTest::newRow("sctp timer") << "TIMER sctp:t3-RTX nth 2" << "timer sctp:T3-rtx nth 2";
        QTest::newRow("state") << "state sip:Completed" << "state sip:Completed";
        QTest::newRow("dialog") << "state dialog:confirmed" << "state dialog:confirmed";
        QTest::newRow("send") << "send sip:invite from uac nth 3" << "send sip:INVITE from uac nth 3";
        QTest::newRow("status class") << "receive sip:1xx" << "receive sip:1xx";
        QTest::newRow("chunk") << "receive sctp:sack to 10.0.0.1" << "receive sctp:SACK to 10.0.0.1";
        QTest::newRow("abandon") << "abandon BUF" << "abandon buf";
        QTest::newRow("forward-tsn") << "forward-tsn nth 1" << "forward-tsn";
        QTest::newRow("quoted") << "send sip:INVITE containing \"Max-Forwards: 70\""
                                << "send sip:INVITE containing \"Max-Forwards: 70\"";
        QTest::newRow("text") << "text \"Call-ID: x\"" << "text \"Call-ID: x\"";
        // Found by fuzz_lesson: white space inside a quoted word is quoted again in the canonical
        // text, whatever the word (a state, a name) and whatever the white space (a tab too).
        QTest::newRow("spaced state") << "state dialog:\"early one\"" << "state \"dialog:early one\"";
        QTest::newRow("spaced name") << "timer sip:A from \"a b\" to \"c d\"" << "timer sip:A from \"a b\" to \"c d\"";
        QTest::newRow("tab") << "text \"a\tb\"" << "text \"a\tb\"";
    }
    void parsesToCanonicalText()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QString error;
        const auto b = lab::Breakpoint::parse(text, &error);
        QVERIFY2(b, qPrintable(error));
        QCOMPARE(b->text(), canonical);
        // The canonical text reads back as the same breakpoint.
        const auto again = lab::Breakpoint::parse(b->text(), &error);
        QVERIFY2(again, qPrintable(b->text() + QStringLiteral(": ") + error));
        QCOMPARE(again->text(), canonical);
    }

    void badBreakpointsSayWhy_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << "" << "an empty breakpoint";
        QTest::newRow("trigger") << "stop sip:A" << "'stop' is not a breakpoint";
        QTest::newRow("timer letter") << "timer sip:Z" << "'sip:Z' is not an RFC 3261 timer";
        QTest::newRow("sctp timer") << "timer sctp:T5" << "is not an SCTP timer the lab can see";
        QTest::newRow("no state") << "state" << "'state' needs a state";
        QTest::newRow("state proto") << "state tcp:OPEN" << "'tcp:OPEN' is not a state";
        QTest::newRow("chunk") << "send sctp:DATUM" << "names no chunk type";
        QTest::newRow("nth") << "timer sip:A nth 0" << "nth needs a number from 1";
        QTest::newRow("filter") << "timer sip:A every 2" << "'every' is not a filter or a count";
        QTest::newRow("quote") << "text \"open" << "a quote is not closed";
        QTest::newRow("twice") << "send sip:INVITE from a from b" << "from given twice";
        QTest::newRow("spaced matcher") << "send \"sip:INVITE nth 3\"" << "is not a matcher: expected one word";
    }
    void badBreakpointsSayWhy()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        QString why;
        QVERIFY(!lab::Breakpoint::parse(text, &why));
        QVERIFY2(why.contains(error), qPrintable(why));
    }

    // ---- headless: the exact event ----
    void headlessBreakLandsOnTheExactEvent_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("timeNs"); // -1: not fixed by the lesson
        QTest::addColumn<QString>("text"); // in the event's text
        // RFC 3261 §17.1.1.2: Timer A fires at T1, then 2·T1 later, …: 0.5 s and 1.5 s.
        QTest::newRow("timer A") << "invite-lossy-udp"
                                 << "timer sip:A" << int(trace::Kind::TimerFired) << qint64(500'000'000) << "A";
        QTest::newRow("timer A 2nd") << "invite-lossy-udp"
                                     << "timer sip:A nth 2" << int(trace::Kind::TimerFired) << qint64(1'500'000'000)
                                     << "A";
        QTest::newRow("3rd INVITE") << "invite-lossy-udp"
                                    << "send sip:INVITE nth 3" << int(trace::Kind::SipRetransmission)
                                    << qint64(1'500'000'000) << "INVITE";
        QTest::newRow("proceeding") << "invite-lossy-udp"
                                    << "state sip:Proceeding" << int(trace::Kind::TransactionState) << qint64(-1)
                                    << "-> Proceeding";
        QTest::newRow("T3-rtx") << "prsctp-ttl-rtx-buf"
                                << "timer sctp:T3-rtx" << int(trace::Kind::SctpRetransmission) << qint64(-1) << "";
        QTest::newRow("abandon") << "prsctp-ttl-rtx-buf"
                                 << "abandon buf" << int(trace::Kind::SctpAbandon) << qint64(-1) << "";
        QTest::newRow("forward-tsn") << "prsctp-ttl-rtx-buf"
                                     << "forward-tsn" << int(trace::Kind::SctpForwardTsn) << qint64(-1) << "";
        QTest::newRow("sack") << "unordered-vs-ordered"
                              << "receive sctp:SACK nth 2" << int(trace::Kind::SctpChunk) << qint64(-1) << "";
    }
    void headlessBreakLandsOnTheExactEvent()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, rule);
        QFETCH(int, kind);
        QFETCH(qint64, timeNs);
        QFETCH(QString, text);
        const Run r = headless(scenario, 1, { rule });
        QVERIFY2(r.outcome.breakSeq >= 0, qPrintable(rule));
        QCOMPARE(r.outcome.breakIndex, 0);
        QVERIFY(r.outcome.breakSeq < r.events.size());
        const trace::Event& e = r.events.at(r.outcome.breakSeq);
        QCOMPARE(int(e.kind), kind);
        if (timeNs >= 0)
            QCOMPARE(e.timeNs, timeNs);
        QVERIFY2(e.text.contains(text), qPrintable(e.text));
        if (rule == QLatin1String("abandon buf"))
            QCOMPARE(e.a, quint64(2));
        if (rule.startsWith(QLatin1String("timer sctp:T3-rtx")))
            QCOMPARE(e.a, quint64(2));
        // Up to the break the run is the plain run, event for event; the first event that matches
        // is the one it stopped at (nth counts).
        const Run plain = headless(scenario, 1);
        const QStringList before = traffic(r.events.mid(0, r.outcome.breakSeq + 1));
        QCOMPARE(before, traffic(plain.events).mid(0, before.size()));
        // The run stopped there: what follows is only the scenario's own stop, at that instant.
        QVERIFY(r.events.last().timeNs == e.timeNs);
        QVERIFY(!r.outcome.breakState.isEmpty());
    }

    void headlessBreakIsOnTheCommandLine()
    {
        QProcess p;
        p.start(QStringLiteral(LADDERCTL),
            { QStringLiteral("lab"), QStringLiteral("run"), QStringLiteral("invite-lossy-udp"), QStringLiteral("--seed"),
                QStringLiteral("1"), QStringLiteral("--break"), QStringLiteral("timer sip:A nth 2") });
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains(QStringLiteral("break 1 'timer sip:A nth 2' at 1.500000 s: event ")), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("state: transaction \\d+ INVITE client INVITE: Calling, "
                                                                "2 retransmissions, timers .*A at 3\\.500 s"))),
            qPrintable(out));
        QVERIFY(!out.contains(QStringLiteral("finding:")));

        QProcess bad;
        bad.start(QStringLiteral(LADDERCTL),
            { QStringLiteral("lab"), QStringLiteral("run"), QStringLiteral("invite-lossy-udp"), QStringLiteral("--break"),
                QStringLiteral("timer sip:Q") });
        QVERIFY(bad.waitForFinished(30000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(QString::fromUtf8(bad.readAllStandardError()).contains(QStringLiteral("is not an RFC 3261 timer")));
    }

    // ---- the window's paced run ----
    void pacedRunIsTheHeadlessRun_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("sip") << "invite-lossy-udp";
        QTest::newRow("sctp") << "prsctp-ttl-rtx-buf";
    }
    void pacedRunIsTheHeadlessRun()
    {
        QFETCH(QString, scenario);
        const Run plain = headless(scenario, 3);
        Window w;
        QCOMPARE(w.stack.scheduler().mode(), Scheduler::Mode::Real);
        QVERIFY(w.start(scenario, 3, true));
        QCOMPARE(w.stack.scheduler().mode(), Scheduler::Mode::Virtual);
        QCOMPARE(w.stack.scheduler().nowNs(), qint64(0));
        // A few steps, then as fast as possible to the end.
        for (int i = 0; i < 5; ++i)
            w.controller.step();
        w.controller.setSpeed(lab::Pacer::kAsFastAsPossible);
        w.controller.play();
        QTRY_VERIFY_WITH_TIMEOUT(w.controller.pacer()->speed() == 1.0, 60000); // finished: slowed to 1×
        // The headless run stops the scenario at its last instant (what stopping sends is
        // journalled then); the paced one goes on at 1×: compare what came before.
        const qint64 end = plain.events.last().timeNs - 1;
        QVERIFY(w.stack.scheduler().nowNs() >= end);
        QCOMPARE(traffic(w.events(), end), traffic(plain.events, end));
        w.controller.stop();
        QCOMPARE(w.stack.scheduler().mode(), Scheduler::Mode::Real);
    }

    void stepLandsOnEachNextEvent()
    {
        const Run plain = headless(QStringLiteral("invite-lossy-udp"), 1);
        const QStringList want = traffic(plain.events);
        Window w;
        QVERIFY(w.start(QStringLiteral("invite-lossy-udp"), 1, true));
        // Each step pauses at the next event (log lines aside), in the headless run's order.
        QStringList seen;
        for (int i = 0; i < 30; ++i) {
            w.controller.step();
            QCOMPARE(w.paused.size(), i + 1);
            QCOMPARE(w.paused.last().at(1).toInt(), -1); // a step, not a breakpoint
            const trace::Event e = w.lastPauseEvent();
            QCOMPARE(e.timeNs, w.stack.scheduler().nowNs());
            seen << traffic({ e });
        }
        QCOMPARE(seen, want.mid(0, 30));
    }

    void stepOverFollowsOneObject()
    {
        Window w;
        QVERIFY(w.start(QStringLiteral("invite-lossy-udp"), 1, true));
        // The INVITE client transaction: step to its first event, then over its own events only.
        w.controller.step();
        quint64 tx = 0;
        for (int i = 0; i < 10 && !tx; ++i) {
            const trace::Event e = w.lastPauseEvent();
            if (e.kind == trace::Kind::SipMessage && e.text.startsWith(QLatin1String("INVITE")) && e.object)
                tx = e.object;
            else
                w.controller.step();
        }
        QVERIFY(tx);
        QList<qint64> times;
        for (int i = 0; i < 12; ++i) {
            w.controller.stepOver(tx);
            const trace::Event e = w.lastPauseEvent();
            QCOMPARE(e.object, tx);
            if (e.kind == trace::Kind::TimerFired && e.text == QLatin1String("A"))
                times << e.timeNs;
        }
        // Timer A of that transaction: 0.5, 1.5, 3.5 s (RFC 3261 §17.1.1.2), nothing else between.
        QVERIFY(times.size() >= 2);
        QCOMPARE(times.mid(0, 2), (QList<qint64> { 500'000'000, 1'500'000'000 }));
    }

    void breakpointPausesThePacedRun()
    {
        Window w;
        QString error;
        QVERIFY(w.controller.setBreakpoints({ QStringLiteral("timer sip:A nth 2") }, &error));
        QVERIFY(!w.controller.setBreakpoints({ QStringLiteral("timer sip:A nth x") }, &error));
        QVERIFY(error.contains(QStringLiteral("nth needs a number")));
        w.controller.setSpeed(100);
        QVERIFY(w.start(QStringLiteral("invite-lossy-udp"), 1, false));
        QTRY_COMPARE_WITH_TIMEOUT(w.paused.size(), 1, 20000);
        QCOMPARE(w.paused.last().at(1).toInt(), 0);
        const trace::Event e = w.lastPauseEvent();
        QCOMPARE(e.kind, trace::Kind::TimerFired);
        QCOMPARE(e.timeNs, qint64(1'500'000'000));
        QCOMPARE(w.stack.scheduler().nowNs(), qint64(1'500'000'000));
        QVERIFY(!w.controller.pacer()->isPlaying());
        QVERIFY(w.paused.last().at(2).toString().startsWith(QStringLiteral("Break 1 'timer sip:A nth 2' at 1.500 s")));
        // Paused means paused: real time passes, the virtual clock does not.
        QTest::qWait(200);
        QCOMPARE(w.stack.scheduler().nowNs(), qint64(1'500'000'000));
        // Play goes on from there at the speed chosen.
        w.controller.play();
        QTRY_VERIFY_WITH_TIMEOUT(w.stack.scheduler().nowNs() > qint64(2'000'000'000), 5000);
        w.controller.stop();
    }

    void speedPacesTheClock()
    {
        Window w;
        w.controller.setSpeed(10);
        QVERIFY(w.start(QStringLiteral("invite-lossy-udp"), 1, false));
        QElapsedTimer wall;
        wall.start();
        QTest::qWait(300);
        const double ratio = double(w.stack.scheduler().nowNs()) / double(wall.nsecsElapsed());
        // 10× real time, never more; less when the event loop wakes late (a loaded CI machine).
        QVERIFY2(ratio > 2 && ratio < 10.5, qPrintable(QString::number(ratio)));
        w.controller.pause();
        const qint64 at = w.stack.scheduler().nowNs();
        QTest::qWait(100);
        QCOMPARE(w.stack.scheduler().nowNs(), at);
        w.controller.stop();
    }
};

QTEST_GUILESS_MAIN(TstLabPacer)
#include "tst_lab_pacer.moc"
