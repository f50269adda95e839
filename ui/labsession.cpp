// SPDX-License-Identifier: GPL-3.0-or-later
#include "labsession.h"

#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "lab/controller.h"
#include "labpanel.h"
#include "mainwindow.h"

#include <QPointer>

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
    connect(c, &lab::LabController::clockChanged, w->labPanel(), &LabPanel::setClock, Qt::QueuedConnection);
    connect(c, &lab::LabController::pausedAt, w, [w](qint64 seq, int breakpoint, const QString& why) {
        w->labPanel()->setPausedAt(seq, breakpoint, why);
        // The event the run stopped at, highlighted in every view.
        if (seq >= 0)
            w->inspect(quint64(seq));
    }, Qt::QueuedConnection);

    LabPanel* panel = w->labPanel();
    connect(panel, &LabPanel::startRequested, this, [this](const QString& name, const lab::ScenarioParams& p) {
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

void LabSession::start(const QString& scenario)
{
    m_window.labPanel()->selectScenario(scenario);
    emit m_window.labPanel()->startRequested(scenario, m_window.labPanel()->params());
}

} // namespace ladder::ui
