// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the central tabs (timeline, ladder) and the docks around them (live tables, state
// machine, composers, lab, inspector, log), and the saved layout.
#include "mainwindow.h"

#include "core/version.h"
#include "emptystate.h"
#include "calllist.h"
#include "graphs/pathgraphview.h"
#include "graphs/tsngraphview.h"
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

#include <QAction>
#include <QDockWidget>
#include <QHeaderView>
#include <QLineEdit>
#include <QLabel>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace ladder::ui {

// The centre: the timeline and the ladder, each with its toolbar, as tabs behind an empty-state
// page until there are events.
void MainWindow::createCentral()
{
    // The timeline with its own small toolbar (fit, follow, zoom).
    auto* timelinePane = new QWidget(this);
    auto* timelineBox = new QVBoxLayout(timelinePane);
    timelineBox->setContentsMargins(0, 0, 0, 0);
    timelineBox->setSpacing(0);
    auto* timelineBar = new QToolBar(timelinePane);
    timelineBar->setObjectName(QStringLiteral("timelineBar"));
    m_timeline = new TimelineView(timelinePane);
    m_timeline->setJournal(m_journal);
    timelineBar->addAction(tr("Fit All"), m_timeline, [this] {
        m_timeline->setFollow(false);
        m_timeline->fitAll();
    })->setToolTip(tr("Show every event (Home)"));
    m_followAction = timelineBar->addAction(tr("Follow"), m_timeline, [this](bool on) { m_timeline->setFollow(on); });
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setToolTip(tr("Keep the newest events in view (End)"));
    connect(m_timeline, &TimelineView::rangeChanged, this, [this] { m_followAction->setChecked(m_timeline->follows()); });
    timelineBar->addAction(tr("Zoom In"), m_timeline, [this] {
        m_timeline->setRange(m_timeline->startNs() + qint64(m_timeline->nsPerPixel() * m_timeline->width() / 4),
            m_timeline->nsPerPixel() / 2);
    })->setToolTip(tr("Zoom in (+, or the mouse wheel)"));
    timelineBar->addAction(tr("Zoom Out"), m_timeline, [this] {
        m_timeline->setRange(m_timeline->startNs() - qint64(m_timeline->nsPerPixel() * m_timeline->width() / 2),
            m_timeline->nsPerPixel() * 2);
    })->setToolTip(tr("Zoom out (-)"));
    timelineBox->addWidget(timelineBar);
    timelineBox->addWidget(m_timeline, 1);

    // The ladder: a sequence diagram of one call (Call-ID) or association, or of everything.
    auto* ladderPane = new QWidget(this);
    auto* ladderBox = new QVBoxLayout(ladderPane);
    ladderBox->setContentsMargins(0, 0, 0, 0);
    ladderBox->setSpacing(0);
    auto* ladderBar = new QToolBar(ladderPane);
    m_ladder = new LadderView(ladderPane);
    m_ladderScope = new QLabel(tr("All messages"), ladderBar);
    ladderBar->addWidget(m_ladderScope);
    ladderBar->addSeparator();
    ladderBar->addAction(tr("Show All"), this, [this] { setLadderScope({}, {}); })
        ->setToolTip(tr("Show every message instead of one call or association"));
    ladderBar->addAction(tr("Export PNG…"), this, [this] { exportLadder(QStringLiteral("png")); });
    ladderBar->addAction(tr("Export SVG…"), this, [this] { exportLadder(QStringLiteral("svg")); });
    ladderBar->addAction(tr("Export Text…"), this, [this] { exportLadder(QStringLiteral("txt")); });
    ladderBox->addWidget(ladderBar);
    ladderBox->addWidget(m_ladder, 1);
    connect(m_ladder, &LadderView::eventActivated, this, &MainWindow::inspect);

    m_centralTabs = new QTabWidget(this);
    m_centralTabs->setObjectName(QStringLiteral("centralTabs"));
    m_centralTabs->setDocumentMode(true);
    m_centralTabs->addTab(timelinePane, tr("Timeline"));
    m_centralTabs->addTab(ladderPane, tr("Ladder"));
    m_graphs = new GraphsPane(this);
    m_graphs->setObjectName(QStringLiteral("graphsPane"));
    m_centralTabs->addTab(m_graphs, tr("Graphs"));
    // A point clicked on the graph opens its event in the inspector and on the timeline; an event
    // selected anywhere is ringed on the graph (MainWindow::inspect). With "Timeline's Range" the
    // two share zoom and pan.
    connect(m_graphs, &GraphsPane::eventActivated, this, [this](quint64 seq) {
        inspect(seq);
        if (m_journal && seq < m_journal->count())
            m_timeline->centerOn(m_journal->at(seq).timeNs);
    });
    connect(m_timeline, &TimelineView::rangeChanged, m_graphs, [this] {
        if (!m_graphs->linkedToTimeline())
            return;
        const qint64 endNs = m_timeline->startNs() + qint64(m_timeline->width() * m_timeline->nsPerPixel());
        m_graphs->view()->setTimeRange(m_timeline->startNs(), endNs);
        m_graphs->pathView()->setTimeRange(m_timeline->startNs(), endNs);
    });
    const auto graphMovesTimeline = [this](qint64 startNs, qint64 endNs) {
        if (m_graphs->linkedToTimeline())
            m_timeline->setRange(startNs, double(endNs - startNs) / std::max(1, m_timeline->width()));
    };
    connect(m_graphs->view(), &TsnGraphView::userRangeChanged, m_timeline, graphMovesTimeline);
    connect(m_graphs->pathView(), &PathGraphView::userRangeChanged, m_timeline, graphMovesTimeline);
    // Calls: a row per Call-ID, as sngrep's first screen; double-click opens its ladder.
    m_calls = new CallListPane(this);
    m_calls->setObjectName(QStringLiteral("callList"));
    m_calls->setJournal(m_journal.get());
    m_centralTabs->addTab(m_calls, tr("Calls"));
    connect(m_calls, &CallListPane::callActivated, this, [this](const QByteArray& callId) {
        setLadderScope(tr("Call-ID %1").arg(QString::fromUtf8(callId)), LadderBuilder::sipCallId(callId));
        m_centralTabs->setCurrentIndex(1);
    });
    auto* timeline = new EmptyState(m_centralTabs, tr("The timeline is empty"),
        tr("Every message, retransmission, timer and abandoned PR-SCTP message appears here on a lane per "
           "endpoint.\nStart a lab scenario from the Lab menu, or open a capture with File ▸ Open Capture."),
        this);
    timeline->setObjectName(QStringLiteral("timeline"));
    setCentralWidget(timeline);
    connect(m_follower, &JournalFollower::eventsAppended, this, [this, timeline](const QVector<trace::Event>& events) {
        m_timeline->append(events);
        m_graphs->append(events);
        m_calls->append(events);
        const qsizetype ladderRows = m_ladderBuilder->diagram().rows.size();
        for (const trace::Event& e : events)
            m_ladderBuilder->add(e);
        if (m_ladderBuilder->diagram().rows.size() != ladderRows)
            m_ladder->diagramGrew(); // the view shows the builder's own diagram: nothing copied
        timeline->setEmpty(m_timeline->index().items().empty());
    });
    connect(m_follower, &JournalFollower::reset, this, [this, timeline] {
        m_timeline->clear();
        m_graphs->clear();
        m_calls->clear();
        m_inspector->clear();
        setLadderScope({}, {});
        timeline->setEmpty(true);
    });
    m_ladderBuilder = std::make_unique<LadderBuilder>();
    m_ladder->setLiveDiagram(m_ladderBuilder->shared());
}

QDockWidget* MainWindow::addDockView(const QString& objectName, const QString& title, QWidget* content,
    Qt::DockWidgetArea area, const QKeySequence& toggle)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    dock->toggleViewAction()->setShortcut(toggle);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks()
{
    m_transactionModel = new TransactionModel(this);
    m_dialogModel = new DialogModel(this);
    m_associationModel = new AssociationModel(this);
    // The path graph keeps the path readings that each association snapshot carries.
    const auto feedPathGraph = [this] { m_graphs->addSnapshots(m_associationModel->rows().toList()); };
    connect(m_associationModel, &QAbstractItemModel::dataChanged, m_graphs, feedPathGraph);
    connect(m_associationModel, &QAbstractItemModel::rowsInserted, m_graphs, feedPathGraph);
    connect(m_associationModel, &QAbstractItemModel::modelReset, m_graphs, [this] { m_graphs->pathView()->restartReadings(); });
    m_streamModel = new StreamModel(this);
    auto* transactions = new LiveView(m_transactionModel, tr("Filter transactions (method, branch, state…)"), this);
    m_forkTree = new ForkTreeModel(m_dialogModel, this);
    auto* dialogs = new LiveView(m_forkTree, tr("Filter dialogs (Call-ID, tag, state…)"), this);
    m_pathTree = new PathTreeModel(m_associationModel, this);
    auto* associations = new LiveView(m_pathTree, tr("Filter associations (address, state…)"), this);
    auto* streams = new LiveView(m_streamModel, tr("Filter streams"), this);
    transactions->setObjectName(QStringLiteral("transactionsView"));
    dialogs->setObjectName(QStringLiteral("dialogsView"));
    associations->setObjectName(QStringLiteral("associationsView"));
    streams->setObjectName(QStringLiteral("streamsView"));
    connect(transactions, &LiveView::showOnTimeline, this,
        [this](quint64 id) { showObject({ trace::Kind::TransactionState, trace::Kind::SipMessage }, id); });
    connect(dialogs, &LiveView::showOnTimeline, this, [this](quint64 id) { showObject({ trace::Kind::DialogState }, id); });
    connect(associations, &LiveView::showOnTimeline, this,
        [this](quint64 id) { showObject({ trace::Kind::AssociationState, trace::Kind::SctpPacket }, id); });
    connect(streams, &LiveView::showOnTimeline, this,
        [this](quint64 key) { showObject({ trace::Kind::AssociationState, trace::Kind::SctpPacket }, key >> 16); });
    // Selecting a dialog highlights the transaction that created it; an association its streams.
    connect(dialogs, &LiveView::currentKeyChanged, this, [this, transactions](quint64 id) {
        const int row = m_dialogModel->rowOfKey(id);
        if (row >= 0)
            transactions->selectKey(m_dialogModel->at(row).creatingTransaction);
    });
    associations->addRowAction(tr("Show TSN Graph"), [this](quint64 id) {
        m_graphs->showAssociation(id);
        m_graphs->showGraph(GraphsPane::Graph::Tsn);
        m_centralTabs->setCurrentWidget(m_graphs);
    });
    associations->addRowAction(tr("Show Path Graph"), [this](quint64 id) {
        m_graphs->showAssociation(id);
        m_graphs->showGraph(GraphsPane::Graph::Paths);
        m_centralTabs->setCurrentWidget(m_graphs);
    });
    connect(associations, &LiveView::currentKeyChanged, this, [streams](quint64 id) {
        streams->filterEdit()->clear();
        streams->selectKey(id << 16);
    });

    auto* logView = new QTableView(this);
    logView->setModel(m_logModel);
    logView->setObjectName(QStringLiteral("logView"));
    logView->horizontalHeader()->setStretchLastSection(true);
    logView->verticalHeader()->hide();
    logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    logView->setShowGrid(false);
    connect(m_logModel, &QAbstractItemModel::rowsInserted, logView, [logView] { logView->scrollToBottom(); });

    const auto emptyFor = [this](LiveView* view, const QString& title, const QString& hint) {
        return new EmptyState(view, view->proxy()->sourceModel(), title, hint, this);
    };

    // The selected transaction's state machine under the table, kept current as snapshots arrive.
    m_stateMachine = new StateMachineView(this);
    auto refreshMachine = [this, transactions] {
        // With nothing selected, the newest transaction: the diagram is never idle while the lab runs.
        int row = m_transactionModel->rowOfKey(transactions->currentKey());
        if (row < 0 && !transactions->currentKey())
            row = m_transactionModel->rowCount() - 1;
        if (row < 0)
            m_stateMachine->clear();
        else
            m_stateMachine->setTransaction(m_transactionModel->at(row), m_transactionModel->now());
    };
    connect(transactions, &LiveView::currentKeyChanged, this, refreshMachine);
    connect(m_transactionModel, &QAbstractItemModel::dataChanged, this, refreshMachine);
    connect(m_transactionModel, &QAbstractItemModel::modelReset, this, refreshMachine);
    auto* txSplit = new QSplitter(Qt::Vertical, this);
    txSplit->setObjectName(QStringLiteral("transactionsSplit"));
    txSplit->addWidget(emptyFor(transactions, tr("No SIP transactions"),
        tr("Client and server transactions appear here with their state, timers and retransmissions.")));
    txSplit->addWidget(m_stateMachine);
    txSplit->setStretchFactor(0, 3);
    txSplit->setStretchFactor(1, 1);
    txSplit->setChildrenCollapsible(true);

    // Left column: SIP views on top, SCTP views below, each pair tabbed.
    auto* d = addDockView(QStringLiteral("transactionsDock"), tr("Transactions"), txSplit, Qt::LeftDockWidgetArea,
        QKeySequence(Qt::ALT | Qt::Key_1));
    auto* a = addDockView(QStringLiteral("associationsDock"), tr("Associations"),
        emptyFor(associations, tr("No SCTP associations"),
            tr("Associations appear here with their paths, RTO/SRTT/cwnd and abandoned PR-SCTP messages.")),
        Qt::LeftDockWidgetArea, QKeySequence(Qt::ALT | Qt::Key_3));
    auto* dlg = addDockView(QStringLiteral("dialogsDock"), tr("Dialogs"),
        emptyFor(dialogs, tr("No SIP dialogs"),
            tr("INVITE and SUBSCRIBE dialogs appear here, forked siblings grouped under their request.")),
        Qt::LeftDockWidgetArea, QKeySequence(Qt::ALT | Qt::Key_2));
    auto* s = addDockView(QStringLiteral("streamsDock"), tr("Streams"),
        emptyFor(streams, tr("No SCTP streams"),
            tr("Per-stream counts of queued, sent, received and abandoned messages appear here.")),
        Qt::LeftDockWidgetArea, QKeySequence(Qt::ALT | Qt::Key_4));
    tabifyDockWidget(d, dlg);
    tabifyDockWidget(a, s);
    d->raise();
    a->raise();

    m_composerTabs = new QTabWidget(this);
    m_composerTabs->setObjectName(QStringLiteral("composerTabs"));
    m_sipComposer = new SipComposer(this);
    m_sipComposer->setDialogModel(m_dialogModel);
    m_composerTabs->addTab(m_sipComposer, tr("SIP"));
    m_sctpComposer = new SctpComposer(this);
    m_sctpComposer->setAssociationModel(m_associationModel);
    m_composerTabs->addTab(m_sctpComposer, tr("SCTP"));
    addDockView(QStringLiteral("composerDock"), tr("Composer"), m_composerTabs, Qt::RightDockWidgetArea,
        QKeySequence(Qt::ALT | Qt::Key_5));
    m_labPanel = new LabPanel(this);
    // Scrolls rather than forcing its height (the lesson, the controls, breakpoints, faults, the
    // quiz) on the window's right column.
    auto* labScroll = new QScrollArea(this);
    labScroll->setWidgetResizable(true);
    labScroll->setFrameShape(QFrame::NoFrame);
    labScroll->setWidget(m_labPanel);
    auto* labDock = addDockView(QStringLiteral("labDock"), tr("Lab"), labScroll, Qt::RightDockWidgetArea,
        QKeySequence(Qt::ALT | Qt::Key_8));
    tabifyDockWidget(dock(QStringLiteral("composerDock")), labDock);
    labDock->raise();
    m_inspector = new InspectorWidget(this);
    m_inspector->setJournal(m_journal); // the Why reads earlier events (which retransmission, which state)
    auto* inspectorEmpty = new EmptyState(m_inspector, tr("Nothing selected"),
        tr("Select a message on the timeline or in a view to see its bytes and its parsed fields."), this);
    addDockView(QStringLiteral("inspectorDock"), tr("Message inspector"), inspectorEmpty, Qt::RightDockWidgetArea,
        QKeySequence(Qt::ALT | Qt::Key_6));
    connect(m_timeline, &TimelineView::eventActivated, this, &MainWindow::inspect);
    connect(m_inspector, &InspectorWidget::cleared, inspectorEmpty, [inspectorEmpty] { inspectorEmpty->setEmpty(true); });
    connect(logView, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        inspect(index.data(LogModel::EventRole).toULongLong());
    });
    addDockView(QStringLiteral("logDock"), tr("Log"),
        new EmptyState(logView, m_logModel, tr("The log is empty"),
            tr("Stack messages, errors (with their errno names) and your actions are listed here."), this),
        Qt::BottomDockWidgetArea, QKeySequence(Qt::ALT | Qt::Key_7));
    // The centre (timeline, ladder) is what the window is for: the side columns take what they
    // need and no more, so the centre keeps more than half of a 1600 px window (the composer
    // column's minimum is its widest part).
    resizeDocks({ d, dock(QStringLiteral("composerDock")) }, { 270, 300 }, Qt::Horizontal);
    resizeDocks({ dock(QStringLiteral("logDock")) }, { 150 }, Qt::Vertical);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("ui/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("ui/state")).toByteArray());
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(QStringLiteral("ui/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("ui/state"), saveState());
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState);
    for (const QString& name : dockNames())
        dock(name)->show();
}

} // namespace ladder::ui
