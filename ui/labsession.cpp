// SPDX-License-Identifier: GPL-3.0-or-later
#include "labsession.h"

#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "lab/controller.h"
#include "labpanel.h"
#include "journal/journal.h"
#include "lab/faultplan.h"
#include "logmodel.h"
#include "mainwindow.h"
#include "runcomparison.h"
#include "graphs/tsngraphview.h"
#include "timeline/timelineview.h"

#include <QFile>
#include <QFileDialog>
#include <QPointer>
#include <QStatusBar>

namespace ladder::ui {

LabSession::LabSession(StackThread& stack, MainWindow& window, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
    , m_window(window)
{
    m_stack.invokeBlocking([this](Stack& s) { m_controller = new lab::LabController(s); });
    lab::LabController* c = m_controller;
    MainWindow* w = &m_window;

    connect(c, &lab::LabController::sipSnapshotReady, w, &MainWindow::setSipSnapshot, Qt::QueuedConnection);
    connect(c, &lab::LabController::associationsReady, w, &MainWindow::setAssociations, Qt::QueuedConnection);
    connect(c, &lab::LabController::scenarioStarted, w->labPanel(), &LabPanel::setRunning, Qt::QueuedConnection);
    connect(c, &lab::LabController::scenarioFinished, w->labPanel(), &LabPanel::setFinished, Qt::QueuedConnection);
    // A lesson's whole run in view when it ends, even if the teacher zoomed in meanwhile: the
    // timeline follows again (it fits now and as the last queued events arrive).
    connect(c, &lab::LabController::scenarioFinished, w, [w] { w->timeline()->setFollow(true); }, Qt::QueuedConnection);
    connect(c, &lab::LabController::clockChanged, w->labPanel(), &LabPanel::setClock, Qt::QueuedConnection);
    // Rewind: a virtual-time run can be rewound from the timeline's context menu.
    connect(c, &lab::LabController::clockChanged, w, [w](bool virtualTime, bool, double, qint64) {
        w->timeline()->setRewindEnabled(virtualTime);
    }, Qt::QueuedConnection);
    connect(c, &lab::LabController::rewound, w, [w](qint64 timeNs, qint64 lastSeq) {
        w->timeline()->setCursorTime(timeNs);
        for (TsnGraphView* graph : w->findChildren<TsnGraphView*>())
            graph->setCursorTime(timeNs);
        w->labPanel()->setRewound(timeNs);
        if (lastSeq >= 0)
            w->inspect(quint64(lastSeq)); // the newest event as of then, in every view
    }, Qt::QueuedConnection);
    TimelineView* timeline = w->timeline();
    connect(timeline, &TimelineView::rewindRequested, this, [this](qint64 timeNs) {
        m_stack.invoke([c = m_controller, timeNs](Stack& s) {
            QString error;
            if (!c->rewindTo(timeNs, &error))
                s.log(2, error);
        });
    });
    connect(timeline, &TimelineView::backToLiveRequested, this, [this] {
        m_stack.invoke([c = m_controller](Stack&) { c->backToLive(); });
    });
    connect(timeline, &TimelineView::rerunFaultRequested, this, [this](quint64 seq, TimelineView::RerunFault fault) {
        const std::shared_ptr<trace::Journal> journal = m_stack.journal();
        const QVector<trace::Event> events = journal->range(0, journal->count());
        qsizetype index = -1;
        for (qsizetype i = 0; i < events.size() && index < 0; ++i)
            if (events.at(i).seq == seq)
                index = i;
        const lab::FaultRule::Action action = fault == TimelineView::RerunFault::Drop ? lab::FaultRule::Action::Drop
            : fault == TimelineView::RerunFault::Delay                              ? lab::FaultRule::Action::Delay
            : fault == TimelineView::RerunFault::Duplicate                          ? lab::FaultRule::Action::Duplicate
                                                                                    : lab::FaultRule::Action::Corrupt;
        QString error;
        const auto rule = lab::FaultPlan::ruleForEvent(events, index, action, 300, &error);
        if (!rule) {
            m_window.statusBar()->showMessage(tr("No fault can be aimed there: %1").arg(error), 10000);
            return;
        }
        LabPanel* panel = m_window.labPanel();
        panel->setFaultRules(panel->faultRules() << rule->text());
        // The re-run pauses just before that packet leaves (or at the rewound instant, if earlier):
        // Play shows the fault happen.
        const qint64 sentNs = events.at(index).timeNs;
        const qint64 rewound = panel->rewoundTime();
        rerunTo(rewound >= 0 && rewound < sentNs ? rewound : std::max<qint64>(0, sentNs - 1));
    });
    connect(c, &lab::LabController::sipSnapshotReady, this, [this](const sip::StackSnapshot& s) { m_lastSnapshot = s; },
        Qt::QueuedConnection);
    connect(c, &lab::LabController::associationsReady, this,
        [this](const QList<sctp::AssociationInfo>& a) { m_lastAssociations = a; }, Qt::QueuedConnection);
    connect(c, &lab::LabController::pausedAt, this, [this, w](qint64 seq, int breakpoint, const QString& why) {
        if (m_quizChosen < 0)
            w->labPanel()->setPausedAt(seq, breakpoint, why);
        // The event the run stopped at, highlighted in every view.
        if (seq >= 0)
            w->inspect(quint64(seq));
        paused(seq);
    }, Qt::QueuedConnection);

    LabPanel* panel = w->labPanel();
    connect(panel, &LabPanel::quizAnswered, this, [this](int choice) {
        if (choice < 0 || choice >= m_quizChoices.size())
            return;
        m_quizChosen = choice;
        m_quizWhen = m_window.labPanel()->quizWhen();
        m_quizSteps = 0;
        m_quizAskedNs = m_lastSnapshot.timeNs;
        m_quizAskedSeq = m_quizPausedSeq;
        m_stack.invoke([c = m_controller](Stack&) { c->step(); });
    });
    connect(panel, &LabPanel::quizExportRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(&m_window, tr("Export Quiz Scores"), QStringLiteral("quiz-scores.csv"),
            tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(lab::quizCsv(m_quizAnswers).toUtf8()) < 0)
            m_window.statusBar()->showMessage(tr("Cannot write %1: %2").arg(path, f.errorString()), 10000);
        else
            m_window.statusBar()->showMessage(tr("%1 answers written to %2").arg(m_quizAnswers.size()).arg(path), 8000);
    });
    connect(panel, &LabPanel::backToLiveRequested, this, [this] {
        m_stack.invoke([c = m_controller](Stack&) { c->backToLive(); });
    });
    connect(panel, &LabPanel::rerunRequested, this, &LabSession::rerunTo);
    connect(panel, &LabPanel::startRequested, this, [this](const QString& name, const lab::ScenarioParams& p) {
        remember(name, p);
        m_window.clearLiveState();
        m_window.setOffline({});
        m_stack.invoke([c = m_controller, name, p](Stack& s) {
            // A new lesson starts on a clean record.
            s.journal().clear();
            QString error;
            if (!c->start(name, p, &error))
                s.log(3, error);
        });
    });
    connect(panel, &LabPanel::startPausedRequested, this, [this](const QString& name, const lab::ScenarioParams& p) {
        remember(name, p);
        m_window.clearLiveState();
        m_window.setOffline({});
        m_stack.invoke([c = m_controller, name, p](Stack& s) {
            s.journal().clear();
            QString error;
            if (!c->start(name, p, &error, true))
                s.log(3, error);
            else
                c->step();
        });
    });
    connect(panel, &LabPanel::playRequested, this, [this] { m_stack.invoke([c = m_controller](Stack&) { c->play(); }); });
    connect(panel, &LabPanel::pauseRequested, this, [this] { m_stack.invoke([c = m_controller](Stack&) { c->pause(); }); });
    connect(panel, &LabPanel::stepRequested, this, [this] { m_stack.invoke([c = m_controller](Stack&) { c->step(); }); });
    connect(panel, &LabPanel::stepOverRequested, this, [this] {
        const quint64 object = m_window.inspectedObject();
        m_stack.invoke([c = m_controller, object](Stack&) { c->stepOver(object); });
    });
    connect(panel, &LabPanel::speedChanged, this, [this](double speed) {
        m_stack.invoke([c = m_controller, speed](Stack&) { c->setSpeed(speed); });
    });
    connect(panel, &LabPanel::breakpointsChanged, this, [this](const QStringList& rules) {
        m_stack.invoke([c = m_controller, rules](Stack& s) {
            QString error;
            if (!c->setBreakpoints(rules, &error))
                s.log(3, error);
        });
    });
    // The panel's speed and breakpoints as they are now (a restored session's).
    {
        const double speed = panel->speed();
        QString error;
        const QStringList rules = panel->breakpoints();
        m_stack.invokeBlocking([c = m_controller, speed, rules, &error](Stack&) {
            c->setSpeed(speed);
            c->setBreakpoints(rules, &error);
        });
    }
    connect(panel, &LabPanel::stopRequested, this, [this, panel] {
        m_stack.invoke([c = m_controller](Stack&) { c->stop(); });
        panel->setRunning({});
    });
    connect(panel, &LabPanel::linkConditionsChanged, this, [this](double loss, qint64 delay) {
        m_stack.invoke([c = m_controller, loss, delay](Stack&) { c->setLinkConditions(loss, delay); });
    });

    connect(panel, &LabPanel::pathUpChanged, this, [this](int path, bool up) {
        m_stack.invoke([c = m_controller, path, up](Stack&) { c->setPathUp(path, up); });
    });
    connect(panel, &LabPanel::sipT1Changed, this, [this](qint64 t1) {
        m_stack.invoke([c = m_controller, t1](Stack&) { c->setSipT1(t1); });
    });

    // A file replaces the journal: the running scenario stops first, so nothing appends meanwhile.
    w->setBeforeLoad([this] {
        m_stack.invokeBlocking([c = m_controller](Stack&) { c->stop(); });
        m_window.labPanel()->setRunning({});
    });

    SipComposer* composer = w->sipComposer();
    connect(composer, &SipComposer::sendRequested, this,
        [this, composer](const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork) {
            QPointer<SipComposer> guard(composer);
            m_stack.invoke([c = m_controller, bytes, target, dialog, stateful, onFork, guard](Stack&) {
                const lab::ComposerResult r = c->sendSip(bytes, target, dialog, stateful, onFork);
                QMetaObject::invokeMethod(guard, [guard, r] {
                    if (guard)
                        guard->showResult(r.ok, r.errnoName, r.text, r.transaction);
                }, Qt::QueuedConnection);
            });
        });

    SctpComposer* sctp = w->sctpComposer();
    connect(sctp, &SctpComposer::sendRequested, this, [this, sctp](const lab::SctpComposerRequest& request) {
        QPointer<SctpComposer> guard(sctp);
        sctp->setBusy(true);
        m_stack.invoke([c = m_controller, request, guard](Stack&) {
            c->sendSctp(request, [guard](const lab::ComposerResult& r) {
                QMetaObject::invokeMethod(guard, [guard, r] {
                    if (!guard)
                        return;
                    guard->setBusy(false);
                    guard->showResult(r.ok, r.errnoName, r.text);
                }, Qt::QueuedConnection);
            });
        });
    });
    connect(sctp, &SctpComposer::stopRequested, this, [this] {
        m_stack.invoke([c = m_controller](Stack&) { c->cancelBurst(); });
    });
}

LabSession::~LabSession()
{
    m_window.setBeforeLoad({});
    m_stack.invokeBlocking([this](Stack&) { delete m_controller; });
}

RunComparison* LabSession::comparison() const { return m_comparison; }

void LabSession::paused(qint64 seq)
{
    LabPanel* panel = m_window.labPanel();
    if (m_quizChosen >= 0) {
        // Checking: the next timer firing, SIP message or SCTP packet (sent or received), SCTP
        // retransmission, FORWARD-TSN or abandon is the answer — timers armed, state changes and
        // the like on the way are stepped over, up to a bound, and so is the rest of the SCTP
        // packet the question was asked at.
        const std::shared_ptr<trace::Journal> journal = m_stack.journal();
        const trace::Event e = seq >= 0 ? journal->at(quint64(seq)) : trace::Event();
        bool decides = seq >= 0 && lab::decidesQuiz(e);
        const bool packetPart = e.kind == trace::Kind::SctpChunk || e.kind == trace::Kind::SctpRetransmission
            || e.kind == trace::Kind::SctpForwardTsn;
        if (decides && packetPart && m_quizAskedSeq >= 0 && seq > m_quizAskedSeq
            && lab::samePacket(journal->range(quint64(m_quizAskedSeq), quint64(seq - m_quizAskedSeq) + 1).toList(), 0,
                seq - m_quizAskedSeq))
            decides = false;
        if (!decides && seq >= 0 && ++m_quizSteps < 2000) {
            m_stack.invoke([c = m_controller](Stack&) { c->step(); });
            return;
        }
        // The happening: the event, with the rest of its SCTP packet (journalled in the same instant).
        const QList<trace::Event> happening
            = decides ? lab::quizHappening(journal->range(quint64(seq), journal->count() - quint64(seq)).toList(), 0) : QList<trace::Event>();
        lab::QuizAnswer a;
        a.askedAtNs = m_quizAskedNs;
        for (const lab::Prediction& p : m_quizChoices)
            a.choices << p.text;
        a.chosen = m_quizChosen;
        a.actual = decides ? lab::describeHappening(happening) : tr("nothing more happened");
        a.correct = decides && m_quizChoices.at(m_quizChosen).holds(happening);
        a.when = m_quizWhen;
        a.actualAfterNs = decides ? std::max<qint64>(0, e.timeNs - m_quizAskedNs) : -1;
        m_quizAnswers << a;
        m_quizChosen = -1;
        int right = 0, whenAsked = 0, whenRight = 0;
        for (const lab::QuizAnswer& q : m_quizAnswers) {
            right += q.correct ? 1 : 0;
            whenAsked += q.when > 0 ? 1 : 0;
            whenRight += q.whenCorrect() ? 1 : 0;
        }
        QString verdict = (a.correct ? tr("Right: ") : tr("Not quite — it was: ")) + a.actual;
        if (a.when > 0) {
            const QStringList buckets = lab::whenChoices();
            const QString after = a.actualAfterNs >= 0 ? tr("%1 s later").arg(double(a.actualAfterNs) / 1e9, 0, 'f', 3) : tr("never");
            verdict += a.whenCorrect() ? tr(". When: right, %1 (%2).").arg(after, buckets.at(a.when))
                                       : tr(". When: not %1 but %2.").arg(buckets.at(a.when), after);
            verdict += tr(" When right %1 of %2.").arg(whenRight).arg(whenAsked);
        }
        // Escaped by the panel: the event's text comes from the network.
        panel->setQuizResult(verdict, right, int(m_quizAnswers.size()));
    }
    if (panel->quizMode()) {
        // The choices from the state as the views show it now, and what the journal says up to
        // the event paused at and the rest of its packet (what follows in the same instant is
        // still to come).
        lab::SctpQuizHistory history;
        const std::shared_ptr<trace::Journal> journal = m_stack.journal();
        const quint64 first = journal->firstAvailable();
        quint64 end = journal->count();
        if (seq >= 0 && quint64(seq) < end) // the event paused at, with the rest of its SCTP packet
            end = quint64(seq) + quint64(lab::packetLength(journal->range(quint64(seq), end - quint64(seq)).toList(), 0));
        if (!m_lastAssociations.isEmpty() && end > first)
            journal->forEach(first, end - first, [&history](const trace::Event& e) { history.feed(e); });
        m_quizPausedSeq = seq;
        m_quizChoices = lab::predictionsFrom(m_lastSnapshot, m_lastAssociations, history);
        QStringList texts;
        for (const lab::Prediction& p : m_quizChoices)
            texts << p.text;
        panel->setQuizChoices(texts);
    }
}

void LabSession::remember(const QString& name, const lab::ScenarioParams& params)
{
    m_lastName = name;
    m_lastParams = params;
}

void LabSession::rerunTo(qint64 timeNs)
{
    LabPanel* panel = m_window.labPanel();
    if (m_lastName.isEmpty()) {
        m_window.statusBar()->showMessage(tr("Start a lesson first: a re-run replays the last one."), 8000);
        return;
    }
    const lab::ScenarioParams now = panel->params();
    lab::ScenarioParams replay = m_lastParams; // the original's seed, loss and delay up to timeNs
    replay.faults = now.faults; // rules aim at packets: before their packet the run is the original
    const bool linkChanged = now.lossPct != m_lastParams.lossPct || now.delayMs != m_lastParams.delayMs;

    auto ruleTexts = [](const lab::ScenarioParams& p) {
        QStringList t;
        for (const lab::FaultRule& r : p.faults)
            t << QStringLiteral("'%1'").arg(r.text());
        return t.join(QStringLiteral(", "));
    };
    const QString seconds = QStringLiteral("%1 s").arg(double(timeNs) / 1e9, 0, 'f', 3);
    QString originalTitle = tr("Original: %1, seed %2").arg(m_lastName).arg(m_lastParams.seed);
    if (!m_lastParams.faults.isEmpty())
        originalTitle += tr(", faults %1").arg(ruleTexts(m_lastParams));
    QStringList changes;
    if (replay.faults.size() != m_lastParams.faults.size() || ruleTexts(replay) != ruleTexts(m_lastParams))
        changes << (replay.faults.isEmpty() ? tr("no fault rules") : tr("faults %1").arg(ruleTexts(replay)));
    if (linkChanged)
        changes << tr("loss %1 %, delay %2 ms from %3").arg(std::max(0.0, now.lossPct)).arg(std::max<qint64>(0, now.delayMs)).arg(seconds);
    const QString whatIfTitle = tr("What-if: re-run to %1%2")
                                    .arg(seconds, changes.isEmpty() ? tr(" (nothing changed yet)") : QStringLiteral(" with ") + changes.join(QStringLiteral("; ")));

    // The original as it is now, before the re-run clears the journal.
    const std::shared_ptr<trace::Journal> journal = m_stack.journal();
    const QVector<trace::Event> original = journal->range(0, journal->count());
    if (m_comparison)
        m_comparison->close();
    m_comparison = new RunComparison(original, originalTitle, whatIfTitle, m_window.follower(), &m_window);
    m_comparison->show();

    const QString name = m_lastName;
    m_lastParams = replay;
    m_window.clearLiveState();
    m_stack.invoke([c = m_controller, name, replay, timeNs, linkChanged, now](Stack& s) {
        s.journal().clear();
        QString error;
        if (!c->rerunTo(name, replay, timeNs, &error)) {
            s.log(3, error);
            return;
        }
        if (!error.isEmpty())
            s.log(2, error);
        if (linkChanged)
            c->setLinkConditions(std::max(0.0, now.lossPct), std::max<qint64>(0, now.delayMs));
    });
}

void LabSession::start(const QString& scenario)
{
    m_window.labPanel()->selectScenario(scenario);
    emit m_window.labPanel()->startRequested(scenario, m_window.labPanel()->params());
}

} // namespace ladder::ui
