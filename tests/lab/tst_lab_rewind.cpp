// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 22's rewind and re-runs: a rewound view equals the live view at that time (every lesson
// that runs in virtual time, at several instants: the window's controller rewound after the run vs a
// fresh run paused there by an `at` breakpoint); a re-run to an instant is the original up to it,
// and with a fault aimed at a later packet (the rule derived from the packet, as the timeline's
// context menu does) diverges exactly at that packet; the `at` breakpoint's language.
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/controller.h"
#include "lab/faultplan.h"
#include "lab/pacer.h"

#include <QSignalSpy>

#include "labwindow.h"
#include <QTest>

#include <memory>

using namespace ladder;

namespace {

// What a view shows of the SIP stacks, without the process-wide ids (transactions, dialogs and
// connections are numbered across runs in one process).
QStringList dump(const sip::StackSnapshot& s)
{
    QStringList out;
    for (const sip::TransactionSnapshot& t : s.transactions) {
        QStringList history, timers;
        for (const sip::StateStamp& h : t.history)
            history << QStringLiteral("%1@%2").arg(h.state).arg(h.timeNs);
        for (const sip::TimerSnapshot& tm : t.timers)
            timers << QStringLiteral("%1/%2@%3").arg(tm.name).arg(tm.intervalNs).arg(tm.dueNs);
        QStringList messages;
        for (const QByteArray& m : t.messages)
            messages << QString::fromLatin1(m.toHex());
        out << QStringLiteral("tx %1 %2 %3 %4 term=%5 rtx=%6 last=%7 created=%8 %9 [%10] [%11] %12 %13")
                   .arg(t.kind, t.method, QString::fromLatin1(t.branch), t.state)
                   .arg(t.terminated)
                   .arg(t.retransmissions)
                   .arg(t.lastStatus)
                   .arg(t.createdNs)
                   .arg(t.connection, history.join(QLatin1Char(',')), timers.join(QLatin1Char(',')),
                       t.localEndpoint + QStringLiteral(">") + t.remoteEndpoint, messages.join(QLatin1Char('|')));
    }
    for (const sip::DialogSnapshot& d : s.dialogs) {
        QStringList history;
        for (const sip::StateStamp& h : d.history)
            history << QStringLiteral("%1@%2").arg(h.state).arg(h.timeNs);
        out << QStringLiteral("dialog %1 %2 %3 %4 %5 %6 cseq %7/%8 [%9]")
                   .arg(d.role, d.method, d.state, QString::fromLatin1(d.callId), QString::fromLatin1(d.localTag),
                       QString::fromLatin1(d.remoteTag))
                   .arg(d.localCSeq)
                   .arg(d.remoteCSeq)
                   .arg(history.join(QLatin1Char(',')));
    }
    for (const sip::ConnectionSnapshot& c : s.connections)
        out << QStringLiteral("conn %1 %2>%3 open=%4 sent=%5 received=%6")
                   .arg(c.transport, c.local, c.remote)
                   .arg(c.open)
                   .arg(c.sent)
                   .arg(c.received);
    return out;
}

// What a view shows of the associations, without the process-wide ids.
QStringList withoutIds(const QList<sctp::AssociationInfo>& list)
{
    QStringList out;
    for (const sctp::AssociationInfo& a : list) {
        out << QStringLiteral("assoc %1 %2 %3>%4 primary %5 streams %6/%7 pr=%8 rwnd=%9 unacked=%10 pending=%11")
                   .arg(a.endpointStyle, a.state, a.localAddress, a.peerAddress, a.primaryPath)
                   .arg(a.inboundStreams)
                   .arg(a.outboundStreams)
                   .arg(a.prSupported)
                   .arg(a.peerRwnd)
                   .arg(a.unackedChunks)
                   .arg(a.pendingChunks)
            << QStringLiteral("  rtx %1 fast %2 timeout %3 abandoned %4 (%5 sent, %6 unsent) fwd %7")
                   .arg(a.retransmissions)
                   .arg(a.fastRetransmissions)
                   .arg(a.timeoutRetransmissions)
                   .arg(a.abandoned)
                   .arg(a.abandonedSent)
                   .arg(a.abandonedUnsent)
                   .arg(a.forwardTsnsSent);
        for (const sctp::PathInfo& p : a.paths)
            out << QStringLiteral("  path %1 %2 primary=%3 cwnd %4 srtt %5 rto %6 mtu %7")
                       .arg(p.address, p.stateName)
                       .arg(p.primary)
                       .arg(p.cwnd)
                       .arg(p.srtt)
                       .arg(p.rto)
                       .arg(p.mtu);
        for (const sctp::StreamInfo& st : a.streams)
            out << QStringLiteral("  stream %1 queued %2/%3 sent %4/%5 received %6/%7 abandoned %8/%9 ssn %10 ahead %11")
                       .arg(st.sid)
                       .arg(st.messagesQueued)
                       .arg(st.bytesQueued)
                       .arg(st.messagesSent)
                       .arg(st.bytesSent)
                       .arg(st.messagesReceived)
                       .arg(st.bytesReceived)
                       .arg(st.messagesAbandoned)
                       .arg(st.bytesAbandoned)
                       .arg(st.nextSsn)
                       .arg(st.messagesAhead);
    }
    return out;
}

// The window's lab, headless: a stack in real time, a controller that paces lessons in virtual time.
struct Window : labtest::LabWindow {
    QSignalSpy finished { &controller, &lab::LabController::scenarioFinished };
    QSignalSpy sip { &controller, &lab::LabController::sipSnapshotReady };
    QSignalSpy associations { &controller, &lab::LabController::associationsReady };
    QSignalSpy rewound { &controller, &lab::LabController::rewound };

    explicit Window(double speed = 0) { controller.setSpeed(speed); }
    // What the views were last sent.
    QStringList lastSip() const { return dump(sip.last().at(0).value<sip::StackSnapshot>()); }
    QStringList lastAssociations() const
    {
        return withoutIds(associations.last().at(0).value<QList<sctp::AssociationInfo>>());
    }
};

QStringList traffic(const QVector<trace::Event>& events, qint64 untilNs = std::numeric_limits<qint64>::max())
{
    QStringList out;
    for (const trace::Event& e : events)
        if (e.kind != trace::Kind::Log && e.timeNs <= untilNs)
            out << QStringLiteral("%1 %2 %3 %4>%5 %6 %7")
                       .arg(e.timeNs)
                       .arg(QLatin1String(trace::kindName(e.kind)), QLatin1String(trace::dirName(e.dir)), e.from,
                           e.to, e.text, QString::fromLatin1(e.raw.toHex()));
    return out;
}

} // namespace

class TstLabRewind : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<sip::StackSnapshot>();
        qRegisterMetaType<QList<sctp::AssociationInfo>>();
    }

    void atBreakpointLanguage_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<qint64>("atNs");
        QTest::newRow("seconds") << "at 3.5s" << "at 3500ms" << qint64(3'500'000'000);
        QTest::newRow("whole seconds") << "AT 2S" << "at 2s" << qint64(2'000'000'000);
        QTest::newRow("milliseconds") << "at 250ms nth 1" << "at 250ms" << qint64(250'000'000);
        QTest::newRow("fraction of a ms") << "at 0.0005s" << "at 0.500ms" << qint64(500'000);
    }
    void atBreakpointLanguage()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QFETCH(qint64, atNs);
        QString error;
        const auto b = lab::Breakpoint::parse(text, &error);
        QVERIFY2(b, qPrintable(error));
        QCOMPARE(b->text(), canonical);
        QCOMPARE(b->atNs, atNs);
        QCOMPARE(lab::Breakpoint::parse(b->text(), &error)->atNs, atNs);
    }
    void atBreakpointErrors()
    {
        QString error;
        QVERIFY(!lab::Breakpoint::parse(QStringLiteral("at"), &error));
        QCOMPARE(error, QStringLiteral("at needs a time next, as 3.5s or 3500ms"));
        QVERIFY(!lab::Breakpoint::parse(QStringLiteral("at soon"), &error));
        QCOMPARE(error, QStringLiteral("at needs a time next, as 3.5s or 3500ms, not 'soon'"));
        QVERIFY(!lab::Breakpoint::parse(QStringLiteral("at 3 s"), &error));
    }

    // Rewound = live: for each lesson, the state the views get when the finished run is rewound to
    // an instant equals what a fresh run paused at that instant shows.
    void rewoundViewEqualsLiveView_data()
    {
        QTest::addColumn<QString>("scenario");
        for (const QString& name : lab::scenarioNames())
            // The playground is the composer's sandbox: nothing happens in it by itself.
            if (!lab::createScenario(name)->needsRealTime() && name != QLatin1String("playground"))
                QTest::newRow(qPrintable(name)) << name;
    }
    void rewoundViewEqualsLiveView()
    {
        QFETCH(QString, scenario);
        lab::ScenarioParams params;
        params.seed = 3;
        struct Rewound {
            qint64 timeNs;
            QStringList sip;
            QStringList associations;
        };
        QList<Rewound> rewound;
        {
            auto original = std::make_unique<Window>();
            // The run until it is over, or 30 s of it (the playground never ends).
            QString bpError;
            QVERIFY(original->controller.setBreakpoints({ QStringLiteral("at 30s") }, &bpError));
            QVERIFY(original->start(scenario, params, false));
            QTRY_VERIFY_WITH_TIMEOUT(original->finished.size() == 1 || original->paused.size() == 1, 30000);
            original->controller.pause();
            QVERIFY(!original->controller.history().isEmpty());
            // Instants at a quarter, half and three quarters of the run's events (not log lines).
            QList<qint64> instants;
            const QVector<trace::Event> events = original->events();
            QList<qint64> times;
            for (const trace::Event& e : events)
                if (e.kind != trace::Kind::Log && (times.isEmpty() || times.last() != e.timeNs))
                    times << e.timeNs;
            QVERIFY(times.size() >= 4);
            for (int q : { 1, 2, 3 })
                instants << times.at(times.size() * q / 4);
            for (qint64 t : instants) {
                const qsizetype sipBefore = original->sip.size();
                QString error;
                QVERIFY2(original->controller.rewindTo(t, &error), qPrintable(error));
                QVERIFY(original->controller.isRewound());
                QCOMPARE(original->rewound.last().at(0).toLongLong(), t);
                QCOMPARE(original->sip.size(), sipBefore + 1);
                Rewound r { t, original->lastSip(), original->lastAssociations() };
                // The rewound state names the newest event of that instant.
                const qint64 lastSeq = original->rewound.last().at(1).toLongLong();
                QVERIFY(lastSeq >= 0);
                QCOMPARE(original->stack.journal().at(quint64(lastSeq)).timeNs, t);
                // Live views do not overwrite the rewound state while it is shown.
                QTest::qWait(250);
                QCOMPARE(original->lastSip(), r.sip);
                rewound << r;
            }
            // Back to live: the newest state again, and Play leaves the rewound view too.
            original->controller.backToLive();
            QVERIFY(!original->controller.isRewound());
            QCOMPARE(original->rewound.last().at(0).toLongLong(), qint64(-1));
            QString error;
            QVERIFY(original->controller.rewindTo(instants.first(), &error));
            original->controller.play();
            QVERIFY(!original->controller.isRewound());
            original->controller.stop();
        } // usrsctp follows one run's clock at a time: the original goes before the live runs come

        for (const Rewound& r : rewound) {
            Window live;
            QString bpError;
            QVERIFY(live.controller.setBreakpoints({ QStringLiteral("at %1ms").arg(double(r.timeNs) / 1e6, 0, 'f', 6) }, &bpError));
            QVERIFY(live.start(scenario, params, false));
            QTRY_VERIFY_WITH_TIMEOUT(live.paused.size() == 1, 30000);
            QCOMPARE(live.stack.scheduler().nowNs(), r.timeNs);
            QTest::qWait(250); // what the event loop delivers at that instant, then a publish
            QVERIFY(!live.sip.isEmpty());
            QCOMPARE(r.sip, live.lastSip());
            const QStringList liveAssociations = live.lastAssociations();
            for (qsizetype i = 0; i < std::min(r.associations.size(), liveAssociations.size()); ++i)
                QCOMPARE(r.associations.at(i), liveAssociations.at(i));
            QCOMPARE(r.associations.size(), liveAssociations.size());
            live.controller.stop();
        }
    }

    void nothingToRewindSaysWhy()
    {
        Window w;
        QString error;
        QVERIFY(!w.controller.rewindTo(0, &error));
        QCOMPARE(error, QStringLiteral("Nothing to rewind: start a lesson first."));
    }

    // The teacher's what-if: rewind to 1 s, pick the INVITE sent at 1.5 s (the second
    // retransmission) and re-run dropping it. Up to 1 s the re-run is the original; the first
    // difference is that very packet, lost.
    void rerunWithAFaultDivergesExactlyThere()
    {
        lab::ScenarioParams params;
        params.seed = 1;
        Window original;
        QVERIFY(original.start(QStringLiteral("invite-lossy-udp"), params, false));
        QTRY_VERIFY_WITH_TIMEOUT(original.finished.size() == 1, 60000);
        original.controller.pause();
        const QVector<trace::Event> before = original.events();
        qsizetype target = -1;
        int invites = 0;
        for (qsizetype i = 0; i < before.size(); ++i) {
            const trace::Event& e = before.at(i);
            if (e.dir == trace::Dir::Tx && (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission)
                && e.text.startsWith(QLatin1String("INVITE ")) && ++invites == 3) {
                target = i;
                break;
            }
        }
        QVERIFY(target >= 0);
        QCOMPARE(before.at(target).timeNs, qint64(1'500'000'000));
        QString error;
        const auto rule = lab::FaultPlan::ruleForEvent(before, target, lab::FaultRule::Action::Drop, 0, &error);
        QVERIFY2(rule, qPrintable(error));
        QCOMPARE(rule->text(), QStringLiteral("drop sip:INVITE nth 3"));
        const auto delay = lab::FaultPlan::ruleForEvent(before, target, lab::FaultRule::Action::Delay, 300, &error);
        QCOMPARE(delay->text(), QStringLiteral("delay sip:INVITE 300ms nth 3"));
        // Only transmissions can be aimed at.
        qsizetype timer = -1;
        for (qsizetype i = 0; i < before.size() && timer < 0; ++i)
            if (before.at(i).kind == trace::Kind::TimerFired)
                timer = i;
        QVERIFY(!lab::FaultPlan::ruleForEvent(before, timer, lab::FaultRule::Action::Drop, 0, &error));
        QVERIFY2(error.startsWith(QLatin1String("choose a SIP message or an SCTP packet as it was sent")), qPrintable(error));

        lab::ScenarioParams whatIf = params;
        whatIf.faults = { *rule };
        original.stack.journal().clear(); // as the window does for every start
        QVERIFY(original.controller.rerunTo(QStringLiteral("invite-lossy-udp"), whatIf, 1'000'000'000, &error));
        QTRY_VERIFY_WITH_TIMEOUT(original.paused.size() >= 1
                && original.paused.last().at(2).toString() == QStringLiteral("Reached 1.000 s."), 10000);
        QCOMPARE(original.stack.scheduler().nowNs(), qint64(1'000'000'000));
        QCOMPARE(traffic(original.events()), traffic(before, 1'000'000'000));
        original.controller.play();
        QTRY_VERIFY_WITH_TIMEOUT(original.finished.size() == 2, 60000);
        original.controller.pause();
        const QStringList a = traffic(before), b = traffic(original.events());
        qsizetype first = 0;
        while (first < a.size() && first < b.size() && a.at(first) == b.at(first))
            ++first;
        QVERIFY(first < b.size());
        // The re-run journals the same transmission, then its loss by the rule — where the original
        // had the INVITE arrive.
        QVERIFY2(b.at(first).startsWith(QLatin1String("1500000000 lab.link.drop")), qPrintable(b.at(first)));
        QVERIFY(b.at(first).contains(QLatin1String("'drop sip:INVITE nth 3'")));
        QCOMPARE(b.mid(0, first), a.mid(0, first));
        original.controller.stop();
    }
};

QTEST_GUILESS_MAIN(TstLabRewind)
#include "tst_lab_rewind.moc"
