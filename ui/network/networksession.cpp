// SPDX-License-Identifier: GPL-3.0-or-later
#include "networksession.h"

#include "authbox.h"
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "liveview.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "networkengine.h"
#include "networkpanel.h"
#include "networksctp.h"
#include "sessionfiles.h"
#include "sipresolver.h"

#include <QAbstractItemView>
#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QPointer>
#include <QScrollArea>
#include <QTreeView>
#include <QStatusBar>

namespace ladder::ui {

NetworkSession::NetworkSession(StackThread& stack, MainWindow& window, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
    , m_window(window)
{
    m_panel = new NetworkPanel(&window);
    m_dock = new QDockWidget(tr("Network"), &window);
    m_dock->setObjectName(QStringLiteral("networkDock"));
    // Scrolls rather than forcing its height on the window's right column.
    auto* scroll = new QScrollArea(m_dock);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_panel);
    m_dock->setWidget(scroll);
    window.addDockWidget(Qt::RightDockWidgetArea, m_dock);
    if (QDockWidget* lab = window.dock(QStringLiteral("labDock")))
        window.tabifyDockWidget(lab, m_dock);
    if (QDockWidget* lab = window.dock(QStringLiteral("labDock")))
        lab->raise();

    m_stack.invokeBlocking([this](Stack& s) {
        m_engine = new NetworkEngine(s);
        m_sctp = new NetworkSctp(s);
    });
    NetworkEngine* e = m_engine;
    {
        const AnswerRules rules = m_panel->rules();
        const bool trust = m_panel->trustAnyCertificate();
        const QHash<QString, QByteArray> peers = m_panel->trustedPeers();
        m_stack.invokeBlocking([e, rules, trust, peers](Stack&) {
            e->setRules(rules);
            e->setTrustAnyCertificate(trust);
            e->setTrustedPeers(peers);
        });
    }
    MainWindow* w = &m_window;
    connect(e, &NetworkEngine::snapshotReady, w, [this, w](const sip::StackSnapshot& snapshot) {
        if (m_running)
            w->setSipSnapshot(snapshot);
    }, Qt::QueuedConnection);
    connect(e, &NetworkEngine::waiting, m_panel, &NetworkPanel::addWaiting, Qt::QueuedConnection);
    connect(e, &NetworkEngine::answered, m_panel, &NetworkPanel::removeWaiting, Qt::QueuedConnection);
    connect(e, &NetworkEngine::credentialsChecked, m_panel, &NetworkPanel::showCredentialsCheck, Qt::QueuedConnection);

    // Digest as a UAC: a challenge to a request of ours waits in the panel's credentials box.
    AuthBox* auth = m_panel->authBox();
    connect(e, &NetworkEngine::challenged, auth, &AuthBox::showChallenge, Qt::QueuedConnection);
    connect(e, &NetworkEngine::authenticated, auth, [auth](quint64, int status, const QString& text) {
        auth->showOutcome(status < 300, text);
    }, Qt::QueuedConnection);
    connect(auth, &AuthBox::resendRequested, this, [this, auth](quint64 tx, const QString& user, const QString& password) {
        QPointer<AuthBox> guard(auth);
        m_stack.invoke([e = m_engine, tx, user, password, guard](Stack&) {
            const NetworkResult r = e->resendWithCredentials(tx, user, password);
            QMetaObject::invokeMethod(guard, [guard, r] {
                if (guard)
                    guard->showOutcome(r.ok, r.ok ? QObject::tr("resent (transaction %1): %2").arg(r.transaction).arg(r.text)
                                                  : QStringLiteral("%1: %2").arg(r.errnoName, r.text));
            }, Qt::QueuedConnection);
        });
    });
    connect(auth, &AuthBox::dismissRequested, this, [this](quint64 tx) {
        m_stack.invoke([e = m_engine, tx](Stack&) { e->dismissChallenge(tx); });
    });
    connect(auth, &AuthBox::autoAccountsChanged, this, [this](const QHash<QString, QPair<QString, QString>>& accounts) {
        m_stack.invoke([e = m_engine, accounts](Stack&) { e->setAutoAccounts(accounts); });
    });

    connect(m_panel, &NetworkPanel::startRequested, this, [this](const QList<ListenerSpec>& listeners) {
        QString error;
        start(listeners, &error);
    });
    connect(m_panel, &NetworkPanel::stopRequested, this, &NetworkSession::stop);
    connect(m_panel, &NetworkPanel::rulesChanged, this, [this](const AnswerRules& rules) {
        m_stack.invoke([e = m_engine, rules](Stack&) { e->setRules(rules); });
    });
    connect(m_panel, &NetworkPanel::trustChanged, this, [this](bool on) {
        m_stack.invoke([e = m_engine, on](Stack&) { e->setTrustAnyCertificate(on); });
    });
    connect(e, &NetworkEngine::tlsRefused, m_panel, &NetworkPanel::showTlsRefusal, Qt::QueuedConnection);
    connect(m_panel, &NetworkPanel::trustedPeersChanged, this, [this](const QHash<QString, QByteArray>& peers) {
        m_stack.invoke([e = m_engine, peers](Stack&) { e->setTrustedPeers(peers); });
    });
    connect(m_panel, &NetworkPanel::answerRequested, this, [this](const ManualAnswer& a) {
        QPointer<NetworkPanel> guard(m_panel);
        m_stack.invoke([e = m_engine, a, guard](Stack&) {
            const NetworkResult r = e->answer(a);
            QMetaObject::invokeMethod(guard, [guard, r, a] {
                if (guard)
                    guard->showResult(r.ok, r.errnoName,
                        r.ok ? QObject::tr("answered %1 (transaction %2): %3").arg(a.status).arg(a.transaction).arg(r.text)
                             : r.text);
            }, Qt::QueuedConnection);
        });
    });

    SipComposer* composer = w->sipComposer();
    // A later failover (RFC 3263 §4.3: the target failed after the send returned) updates the
    // composer's result line: which target failed, why, and where the request went next.
    connect(e, &NetworkEngine::failedOver, composer, [composer](bool ok, const QString& errnoName, const QString& text, quint64 tx) {
        composer->showResult(ok, errnoName, text, tx);
    }, Qt::QueuedConnection);
    connect(composer, &SipComposer::networkSendRequested, this,
        [this, composer](const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork) {
            QPointer<SipComposer> guard(composer);
            auto send = [this, bytes, dialog, stateful, onFork, guard](const TargetCursor& targets, const QString& note) {
                m_stack.invoke([e = m_engine, bytes, targets, dialog, stateful, onFork, guard, note](Stack&) {
                    NetworkResult r = e->sendSipTo(bytes, targets, dialog, stateful, onFork);
                    if (r.ok && !note.isEmpty())
                        r.text += QStringLiteral(" — ") + note;
                    QMetaObject::invokeMethod(guard, [guard, r] {
                        if (guard)
                            guard->showResult(r.ok, r.errnoName, r.text, r.transaction);
                    }, Qt::QueuedConnection);
                });
            };
            if (!SipResolver::isSipUri(target)) {
                // PROTO:HOST:PORT, or the user's own list "tcp:…:5060, udp:…:5060", tried in order.
                QStringList targets;
                for (const QString& t : target.split(QLatin1Char(','), Qt::SkipEmptyParts))
                    targets << t.trimmed();
                send(TargetCursor(QString(), targets.isEmpty() ? QStringList { target } : targets), QString());
                return;
            }
            // A SIP URI: RFC 3263 first (on this thread: QDnsLookup needs an event loop), then the
            // targets in order; the steps go to the log.
            auto* resolver = new SipResolver(this);
            resolver->setNameserver(m_dnsServer);
            connect(resolver, &SipResolver::finished, this, [this, resolver, send, guard](const SipResolver::Result& r) {
                resolver->deleteLater();
                const QStringList steps = r.steps;
                m_stack.invoke([steps, uri = r.uri](Stack& s) {
                    for (const QString& step : steps)
                        s.log(1, QObject::tr("RFC 3263 %1: %2").arg(uri, step));
                });
                if (r.targets.isEmpty()) {
                    if (guard)
                        guard->showResult(false, QStringLiteral("EHOSTUNREACH"), tr("RFC 3263: %1").arg(r.error), 0);
                    return;
                }
                QStringList targets;
                for (const SipResolver::Target& t : r.targets)
                    targets << t.toString();
                const QStringList rest = targets.mid(1);
                send(TargetCursor(r.uri, targets),
                    tr("%1 resolved to %2 (RFC 3263)%3")
                        .arg(r.uri, targets.first(),
                            rest.isEmpty() ? QString() : tr("; next if it fails: %1").arg(rest.join(QStringLiteral(", ")))));
            });
            resolver->resolve(target);
        });
    // The SCTP endpoint: its associations feed the associations and streams views (the timeline
    // and ladder read its packets from the journal), the SCTP composer sends through it.
    connect(m_sctp, &NetworkSctp::associationsReady, w, [this, w](const QList<sctp::AssociationInfo>& associations) {
        if (m_sctpRunning)
            w->setAssociations(associations);
    }, Qt::QueuedConnection);
    connect(m_sctp, &NetworkSctp::event, m_panel, &NetworkPanel::showSctpEvent, Qt::QueuedConnection);
    connect(m_panel, &NetworkPanel::sctpConnectRequested, this, [this](const QString& peer) {
        QPointer<NetworkPanel> guard(m_panel);
        m_stack.invoke([s = m_sctp, peer, guard](Stack&) {
            const NetworkResult r = s->connectTo(peer);
            if (!r.ok)
                QMetaObject::invokeMethod(guard, [guard, r] {
                    if (guard)
                        guard->showSctpEvent(QStringLiteral("%1: %2").arg(r.errnoName, r.text));
                }, Qt::QueuedConnection);
        });
    });
    SctpComposer* sctpComposer = w->sctpComposer();
    connect(sctpComposer, &SctpComposer::networkSendRequested, this, [this, sctpComposer](const lab::SctpComposerRequest& request) {
        QPointer<SctpComposer> guard(sctpComposer);
        sctpComposer->setBusy(true);
        m_stack.invoke([s = m_sctp, request, guard](Stack&) {
            s->send(request, [guard](const NetworkResult& r) {
                QMetaObject::invokeMethod(guard, [guard, r] {
                    if (!guard)
                        return;
                    guard->setBusy(false);
                    guard->showResult(r.ok, r.errnoName, r.text);
                }, Qt::QueuedConnection);
            });
        });
    });
    connect(sctpComposer, &SctpComposer::stopRequested, this, [this] {
        if (m_sctpRunning)
            m_stack.invoke([s = m_sctp](Stack&) { s->cancelBurst(); });
    });
    // A file replaces the journal: network mode ends first, so nothing appends meanwhile.
    connect(w, &MainWindow::aboutToOpenFile, this, [this] {
        if (m_running)
            stop();
    });
    addDialogActions();
    // A session file records the listeners and rules (no password). The panel lives as long as
    // the window (its dock's child); this session may go first.
    if (SessionFiles* files = window.files()) {
        QPointer<NetworkPanel> panel(m_panel);
        files->addPart(QStringLiteral("network"), [panel] { return panel ? panel->state() : QJsonObject(); },
            [panel](const QJsonObject& o) {
                if (panel)
                    panel->restoreState(o);
            });
    }
}

NetworkSession::~NetworkSession()
{
    m_stack.invokeBlocking([this](Stack&) {
        delete m_sctp;
        m_sctp = nullptr;
        delete m_engine;
        m_engine = nullptr;
    });
}

bool NetworkSession::start(const QList<ListenerSpec>& listeners, QString* error)
{
    const SctpEndpointSpec sctpSpec = m_panel->sctpSpec();
    if (listeners.isEmpty() && !sctpSpec.enabled) {
        *error = tr("no listener to start on: add one (udp:127.0.0.1:5060) or tick SCTP over UDP");
        m_panel->setRunning(false, {}, *error);
        return false;
    }
    m_window.stopLab();
    m_window.clearLiveState();
    m_window.setOffline({});
    bool ok = false;
    QStringList bound;
    const bool trust = m_panel->trustAnyCertificate();
    const AnswerRules rules = m_panel->rules();
    m_stack.invokeBlocking([&, e = m_engine](Stack& s) {
        // Network mode starts on a clean record, as a lesson does.
        s.journal().clear();
        e->setTrustAnyCertificate(trust);
        e->setRules(rules);
        ok = e->start(listeners, &bound, error);
        if (ok && sctpSpec.enabled) {
            QString sctpBound;
            ok = m_sctp->start(sctpSpec, &sctpBound, error);
            if (ok)
                bound << sctpBound;
            else
                e->stop(); // all or none
        }
        if (!ok)
            s.log(3, tr("network mode: cannot listen: %1").arg(*error));
    });
    m_running = ok;
    m_sctpRunning = ok && sctpSpec.enabled;
    m_bound = bound;
    if (ok)
        m_panel->setListeners(listeners); // what runs (from --listen: shown, not saved)
    m_panel->setRunning(ok, bound, ok ? QString() : *error);
    m_window.sipComposer()->setNetworkMode(ok);
    m_window.sctpComposer()->setNetworkMode(m_sctpRunning);
    if (ok) {
        m_window.setModeText(tr("Network"), tr("Network mode: a SIP endpoint on this host's sockets, listening on %1")
                                                .arg(bound.join(QStringLiteral(", "))));
        m_dock->show();
        m_dock->raise();
    } else {
        m_window.statusBar()->showMessage(tr("Network mode: %1").arg(*error), 15000);
    }
    emit runningChanged(ok);
    return ok;
}

void NetworkSession::stop()
{
    if (!m_running)
        return;
    m_stack.invokeBlocking([e = m_engine, s = m_sctp](Stack&) {
        s->stop();
        e->stop();
    });
    m_running = false;
    m_sctpRunning = false;
    m_window.setAssociations({});
    m_window.sctpComposer()->setNetworkMode(false);
    m_bound.clear();
    m_panel->setRunning(false, {}, {});
    m_window.sipComposer()->setNetworkMode(false);
    m_window.setModeText(tr("Lab"), tr("Lab: the built-in emulated network (network mode stopped; start a lesson from the Lab panel)"));
    emit runningChanged(false);
}

void NetworkSession::setSipTimers(const sip::TimerConfig& timers)
{
    m_stack.invokeBlocking([e = m_engine, timers](Stack&) { e->setTimers(timers); });
}

void NetworkSession::sendInDialog(quint64 dialog, const QString& method)
{
    QPointer<NetworkSession> self(this);
    m_stack.invoke([e = m_engine, dialog, method, self](Stack&) {
        const NetworkResult r = e->sendInDialog(dialog, method);
        QMetaObject::invokeMethod(self, [self, r, method] {
            if (!self)
                return;
            const QString text = r.ok ? tr("%1 sent (transaction %2)").arg(method).arg(r.transaction)
                                      : tr("%1: %2: %3").arg(method, r.errnoName, r.text);
            self->m_window.statusBar()->showMessage(text, 10000);
            emit self->inDialogResult(method, r.ok, text);
        }, Qt::QueuedConnection);
    });
}

void NetworkSession::cancelInvite(quint64 transaction)
{
    QPointer<NetworkSession> self(this);
    m_stack.invoke([e = m_engine, transaction, self](Stack&) {
        const NetworkResult r = e->cancelInvite(transaction);
        QMetaObject::invokeMethod(self, [self, r] {
            if (!self)
                return;
            const QString text = r.ok ? tr("CANCEL sent") : tr("CANCEL: %1: %2").arg(r.errnoName, r.text);
            self->m_window.statusBar()->showMessage(text, 10000);
            emit self->inDialogResult(QStringLiteral("CANCEL"), r.ok, text);
        }, Qt::QueuedConnection);
    });
}

void NetworkSession::addDialogActions()
{
    // The dialogs view's context menu: in-dialog requests through network mode's stack.
    // LiveView "dialogsView" (the fork tree, a table while nothing forked): its current key is the
    // dialog id.
    auto* live = m_window.findChild<LiveView*>(QStringLiteral("dialogsView"));
    if (!live)
        return;
    for (QAbstractItemView* view : live->views()) {
        view->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(view, &QWidget::customContextMenuRequested, this, [this, view, live](const QPoint& at) {
            if (!m_running)
                return;
            const QModelIndex index = view->indexAt(at);
            if (!index.isValid())
                return;
            view->setCurrentIndex(index);
            const quint64 id = live->currentKey();
            quint64 creating = 0;
            QString state;
            bool found = false;
            const DialogModel* model = m_window.dialogModel();
            for (int r = 0; r < model->rowCount() && !found; ++r) {
                const sip::DialogSnapshot& d = model->at(r);
                if (d.id == id) {
                    creating = d.creatingTransaction;
                    state = d.state;
                    found = true;
                }
            }
            if (!found)
                return; // a fork group's row, not a dialog
            QMenu menu(view);
            auto send = [this, id](const QString& method) { sendInDialog(id, method); };
            for (const QString& m : { QStringLiteral("BYE"), QStringLiteral("INVITE"), QStringLiteral("UPDATE"), QStringLiteral("INFO") }) {
                QAction* a = menu.addAction(m == QLatin1String("INVITE") ? tr("Send re-INVITE") : tr("Send %1").arg(m));
                a->setEnabled(state != QLatin1String("terminated"));
                connect(a, &QAction::triggered, this, [send, m] { send(m); });
            }
            QAction* cancel = menu.addAction(tr("CANCEL the INVITE"));
            cancel->setEnabled(state == QLatin1String("early") && creating);
            connect(cancel, &QAction::triggered, this, [this, creating] { cancelInvite(creating); });
            menu.exec(view->viewport()->mapToGlobal(at));
        });
    }
}

} // namespace ladder::ui
