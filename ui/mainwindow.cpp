// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the frame of the product — construction, live state from the stack thread, and
// navigation between views (inspect, showView, showObject). Central view and docks:
// mainwindow_views.cpp; menus, actions and status bar: mainwindow_actions.cpp; files:
// mainwindow_files.cpp.
#include "mainwindow.h"

#include "graphs/tsngraphview.h"

#include "core/version.h"
#include "emptystate.h"
#include "logmodel.h"
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "decoders.h"
#include "inspectorwidget.h"
#include "labpanel.h"
#include "ladder/ladderview.h"
#include "liveview.h"
#include "models/forktreemodel.h"
#include "models/pathtreemodel.h"
#include "models/livemodels.h"
#include "sessionfiles.h"
#include "statemachineview.h"
#include "timeline/timelineview.h"
#include "journal/journal.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>
#include <QTreeView>

namespace ladder::ui {

QStringList MainWindow::dockNames()
{
    return { QStringLiteral("transactionsDock"), QStringLiteral("dialogsDock"), QStringLiteral("associationsDock"),
        QStringLiteral("streamsDock"), QStringLiteral("composerDock"), QStringLiteral("inspectorDock"),
        QStringLiteral("logDock"), QStringLiteral("labDock") };
}

MainWindow::MainWindow(std::shared_ptr<trace::Journal> journal, QWidget* parent)
    : QMainWindow(parent)
    , m_journal(std::move(journal))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("LadderLab"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/ladderlab.svg")));
    setDockNestingEnabled(true);
    registerInspectorDecoders();
    resize(1400, 860);

    m_follower = new JournalFollower(m_journal, this);
    m_logModel = new LogModel(this);
    connect(m_follower, &JournalFollower::eventsAppended, m_logModel, &LogModel::append);
    connect(m_follower, &JournalFollower::reset, m_logModel, &LogModel::clear);

    createCentral();
    createDocks();
    m_files = new SessionFiles(m_journal, this);
    m_files->addPart(QStringLiteral("composer/sip"), [this] { return m_sipComposer->state(); },
        [this](const QJsonObject& o) { m_sipComposer->restoreState(o); });
    m_files->addPart(QStringLiteral("composer/sctp"), [this] { return m_sctpComposer->state(); },
        [this](const QJsonObject& o) { m_sctpComposer->restoreState(o); });
    m_files->addPart(QStringLiteral("lab"), [this] { return m_labPanel->state(); },
        [this](const QJsonObject& o) { m_labPanel->restoreState(o); });
    connect(m_files, &SessionFiles::autosaveFailed, this,
        [this](const QString& error) { statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 10000); });
    createActions();
    createStatusBar();
    connectFileLoading();
    m_defaultState = saveState();
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // The last drafts and the final autosave read the composers: before the children go.
    delete m_files;
    m_files = nullptr;
}

void MainWindow::clearLiveState()
{
    m_transactionModel->clear();
    m_dialogModel->clear();
    m_associationModel->clear();
    m_streamModel->clear();
}

void MainWindow::setSipSnapshot(const sip::StackSnapshot& snapshot)
{
    // Live state only while live: a stopping scenario's last (empty) snapshot must not wipe the
    // tables rebuilt from an opened file.
    if (!m_offline)
        applySipSnapshot(snapshot);
}

void MainWindow::setAssociations(const QList<sctp::AssociationInfo>& associations)
{
    if (!m_offline)
        applyAssociations(associations);
}

void MainWindow::applySipSnapshot(const sip::StackSnapshot& snapshot)
{
    m_transactionModel->setNow(snapshot.timeNs);
    m_transactionModel->setSnapshots(snapshot.transactions);
    m_dialogModel->setSnapshots(snapshot.dialogs);
}

void MainWindow::updateSipTables(const sip::StackSnapshot& changes)
{
    if (m_offline)
        return;
    m_transactionModel->setNow(changes.timeNs);
    m_transactionModel->upsert(changes.transactions);
    m_dialogModel->upsert(changes.dialogs);
    // Ages and timer countdowns count from the new time in every row, changed or not: the rows
    // on screen are painted again (data() reads the time), without a dataChanged for all of them.
    if (QDockWidget* d = dock(QStringLiteral("transactionsDock")))
        if (auto* v = d->findChild<LiveView*>())
            v->view()->viewport()->update();
}

void MainWindow::applyAssociations(const QList<sctp::AssociationInfo>& associations)
{
    m_associationModel->setSnapshots(associations);
    m_streamModel->setAssociations(associations);
}

void MainWindow::showObject(const QList<trace::Kind>& kinds, quint64 id)
{
    if (!m_journal || !id)
        return;
    // The newest event about the object: what the user most likely wants to look at.
    const quint64 n = m_follower->seen();
    const quint64 chunk = 4096;
    for (quint64 end = n; end > 0;) {
        const quint64 begin = end > chunk ? end - chunk : 0;
        qint64 found = -1;
        m_journal->forEach(begin, end - begin, [&](const trace::Event& e) {
            if (e.object == id && kinds.contains(e.kind))
                found = qint64(e.seq);
        });
        if (found >= 0) {
            inspect(quint64(found));
            m_timeline->centerOn(m_journal->at(quint64(found)).timeNs);
            return;
        }
        end = begin;
    }
    statusBar()->showMessage(tr("No event about object %1 in the journal").arg(id), 4000);
}

void MainWindow::setLadderScope(const QString& title, LadderBuilder::Filter filter)
{
    m_ladderBuilder = std::make_unique<LadderBuilder>(filter);
    m_ladderScope->setText(title.isEmpty() ? tr("All messages") : title);
    m_ladder->setTitle(title);
    if (m_journal)
        m_journal->forEach(0, m_follower->seen(), [this](const trace::Event& e) { m_ladderBuilder->add(e); });
    m_ladder->setLiveDiagram(m_ladderBuilder->shared());
}

void MainWindow::inspect(quint64 seq)
{
    if (!m_journal || seq >= m_journal->count())
        return;
    const trace::Event e = m_journal->at(seq);
    m_inspector->showEvent(e);
    m_inspectedObject = e.kind == trace::Kind::SctpPacket ? e.a : e.object;
    // Selecting a SIP message scopes the ladder to its call, an SCTP packet to its association.
    if (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission) {
        const QByteArray callId = LadderBuilder::callIdOf(e.raw);
        if (!callId.isEmpty() && m_ladderScope->text() != tr("Call-ID %1").arg(QString::fromUtf8(callId)))
            setLadderScope(tr("Call-ID %1").arg(QString::fromUtf8(callId)), LadderBuilder::sipCallId(callId));
    } else if (e.kind == trace::Kind::SctpPacket && e.a) {
        const QString title = tr("Association %1").arg(e.a);
        if (m_ladderScope->text() != title)
            setLadderScope(title, LadderBuilder::association(e.a));
    }
    qobject_cast<EmptyState*>(dock(QStringLiteral("inspectorDock"))->widget())->setEmpty(false);
    m_timeline->selectSeq(seq);
    if (m_graphs)
        m_graphs->view()->selectSeq(seq);
}

QWidget* MainWindow::showView(const QString& name)
{
    if (name == QLatin1String("timeline") || name == QLatin1String("ladder") || name == QLatin1String("graphs")
        || name == QLatin1String("calls")) {
        m_centralTabs->setCurrentIndex(name == QLatin1String("ladder") ? 1
                : name == QLatin1String("graphs")                       ? 2
                : name == QLatin1String("calls")                        ? 3
                                                                        : 0);
        return m_centralTabs;
    }
    static const QHash<QString, QString> docks {
        { QStringLiteral("transactions"), QStringLiteral("transactionsDock") },
        { QStringLiteral("dialogs"), QStringLiteral("dialogsDock") },
        { QStringLiteral("associations"), QStringLiteral("associationsDock") },
        { QStringLiteral("streams"), QStringLiteral("streamsDock") },
        { QStringLiteral("composer-sip"), QStringLiteral("composerDock") },
        { QStringLiteral("composer-sctp"), QStringLiteral("composerDock") },
        { QStringLiteral("inspector"), QStringLiteral("inspectorDock") },
        { QStringLiteral("log"), QStringLiteral("logDock") },
        { QStringLiteral("lab"), QStringLiteral("labDock") },
        { QStringLiteral("network"), QStringLiteral("networkDock") }, // added by NetworkSession
    };
    QDockWidget* d = dock(docks.value(name));
    if (!d)
        return nullptr;
    if (name.startsWith(QLatin1String("composer-")))
        m_composerTabs->setCurrentIndex(name == QLatin1String("composer-sctp") ? 1 : 0);
    d->show();
    d->raise();
    return d;
}

QDockWidget* MainWindow::dock(const QString& objectName) const
{
    return findChild<QDockWidget*>(objectName);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    event->accept();
}

} // namespace ladder::ui
