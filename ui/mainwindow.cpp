// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"

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
#include "trace/journal.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QTabWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

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
    auto* legend = new QLabel(tr("  <span style='color:#1e88e5'>■</span> request  "
                                 "<span style='color:#43a047'>■</span> response  "
                                 "<span style='color:#00897b'>■</span> SCTP  "
                                 "<span style='color:#fb8c00'>■</span> retransmission  "
                                 "<span style='color:#e53935'>✕</span> lost on the link  "
                                 "<span style='color:#d81b60'>✕</span> abandoned (PR-SCTP)  "
                                 "<span style='color:#8e24aa'>[</span> FORWARD-TSN"),
        timelineBar);
    timelineBar->addWidget(legend);
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
    auto* timeline = new EmptyState(m_centralTabs, tr("The timeline is empty"),
        tr("Every message, retransmission, timer and abandoned PR-SCTP message appears here on a lane per "
           "endpoint.\nStart a lab scenario from the Lab menu, or open a capture with File ▸ Open Capture."),
        this);
    timeline->setObjectName(QStringLiteral("timeline"));
    setCentralWidget(timeline);
    connect(m_follower, &JournalFollower::eventsAppended, this, [this, timeline](const QVector<trace::Event>& events) {
        m_timeline->append(events);
        for (const trace::Event& e : events)
            m_ladderBuilder->add(e);
        if (m_centralTabs->currentIndex() == 1 || m_ladder->diagram().rows.size() < 2000)
            m_ladder->setDiagram(m_ladderBuilder->diagram());
        timeline->setEmpty(m_timeline->index().items().empty());
    });
    connect(m_follower, &JournalFollower::reset, this, [this, timeline] {
        m_timeline->clear();
        m_inspector->clear();
        setLadderScope({}, {});
        timeline->setEmpty(true);
    });
    connect(m_centralTabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tab == 1)
            m_ladder->setDiagram(m_ladderBuilder->diagram());
    });
    m_ladderBuilder = std::make_unique<LadderBuilder>();

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
    m_defaultState = saveState();
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // The last drafts and the final autosave read the composers: before the children go.
    delete m_files;
    m_files = nullptr;
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
    auto* labDock = addDockView(QStringLiteral("labDock"), tr("Lab"), m_labPanel, Qt::RightDockWidgetArea,
        QKeySequence(Qt::ALT | Qt::Key_8));
    tabifyDockWidget(dock(QStringLiteral("composerDock")), labDock);
    labDock->raise();
    m_inspector = new InspectorWidget(this);
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
    resizeDocks({ d, dock(QStringLiteral("composerDock")) }, { 430, 420 }, Qt::Horizontal);
    resizeDocks({ dock(QStringLiteral("logDock")) }, { 150 }, Qt::Vertical);
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a LadderLab session, a pcap/pcapng capture from anywhere, or a JSON Lines journal"));
    auto* save = file->addAction(tr("&Save Session…"), this, &MainWindow::saveDialog);
    save->setShortcut(QKeySequence::Save);
    m_recoverAction = file->addAction(tr("&Recover Previous Session"), this, &MainWindow::recoverPrevious);
    m_recoverAction->setEnabled(false);
    m_recoverAction->setToolTip(tr("Open what the previous run had autosaved (its journal and drafts)"));
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Capture (&pcapng)…"), this, [this] { exportDialog(QStringLiteral("pcapng")); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportMenu->addAction(tr("Journal (&JSON Lines)…"), this, [this] { exportDialog(QStringLiteral("jsonl")); });
    exportMenu->addSeparator();
    exportMenu->addAction(tr("Ladder as PNG…"), this, [this] { exportLadder(QStringLiteral("png")); });
    exportMenu->addAction(tr("Ladder as SVG…"), this, [this] { exportLadder(QStringLiteral("svg")); });
    exportMenu->addAction(tr("Ladder as Text…"), this, [this] { exportLadder(QStringLiteral("txt")); });
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* lab = menuBar()->addMenu(tr("&Lab"));
    auto* clear = lab->addAction(tr("&Clear Journal"), this, [this] {
        if (m_journal)
            m_journal->clear();
        m_follower->poll();
    });
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (const QString& name : dockNames())
        m_viewMenu->addAction(dock(name)->toggleViewAction());
    m_viewMenu->addSeparator();
    QMenu* themeMenu = m_viewMenu->addMenu(tr("&Theme"));
    auto* themes = new QActionGroup(this);
    const Theme current = themeFromString(QSettings().value(QStringLiteral("ui/theme")).toString());
    for (Theme t : { Theme::System, Theme::Light, Theme::Dark }) {
        const QString label = t == Theme::System ? tr("&System") : t == Theme::Light ? tr("&Light") : tr("&Dark");
        QAction* act = themeMenu->addAction(label, this, [this, t] { setTheme(t); });
        act->setCheckable(true);
        act->setChecked(t == current);
        themes->addAction(act);
    }
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);
    auto* fullScreen = m_viewMenu->addAction(tr("&Full Screen"), this,
        [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    fullScreen->setShortcut(QKeySequence::FullScreen);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    auto* about = help->addAction(tr("&About LadderLab"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    m_modeLabel = new QLabel(tr("Lab"), this);
    m_modeLabel->setToolTip(tr("Lab: the built-in emulated network. Real: sockets on this host."));
    m_eventsLabel = new QLabel(this);
    m_rateLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_modeLabel);
    statusBar()->addPermanentWidget(m_eventsLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
    connect(m_follower, &JournalFollower::eventsAppended, this, &MainWindow::updateStatus);
    connect(m_follower, &JournalFollower::reset, this, &MainWindow::updateStatus);
    updateStatus();
    statusBar()->showMessage(tr("Ready"), 3000);
}

void MainWindow::updateStatus()
{
    const quint64 count = m_journal ? m_journal->count() : 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_eventsLabel->setText(tr("%n event(s)", nullptr, int(std::min<quint64>(count, INT_MAX))));
    if (m_lastStatusMs > 0 && now - m_lastStatusMs >= 500) {
        const double rate = count >= m_lastCount ? double(count - m_lastCount) * 1000.0 / double(now - m_lastStatusMs) : 0;
        m_rateLabel->setText(tr("%1 events/s").arg(rate, 0, 'f', 0));
        m_lastCount = count;
        m_lastStatusMs = now;
    } else if (m_lastStatusMs == 0) {
        m_rateLabel->setText(tr("0 events/s"));
        m_lastCount = count;
        m_lastStatusMs = now;
    }
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
    m_ladder->setDiagram(m_ladderBuilder->diagram());
}

void MainWindow::exportLadder(const QString& format)
{
    const QString filter = format == QLatin1String("png") ? tr("PNG image (*.png)")
        : format == QLatin1String("svg")                  ? tr("SVG drawing (*.svg)")
                                                          : tr("Text (*.txt)");
    QString file = QFileDialog::getSaveFileName(this, tr("Export Ladder"), QStringLiteral("ladder.") + format, filter);
    if (file.isEmpty())
        return;
    const bool ok = format == QLatin1String("png") ? m_ladder->exportPng(file)
        : format == QLatin1String("svg")           ? m_ladder->exportSvg(file)
                                                   : m_ladder->exportText(file);
    if (ok)
        statusBar()->showMessage(tr("Ladder written to %1").arg(file), 5000);
    else
        QMessageBox::warning(this, tr("Export Ladder"), tr("Could not write %1.").arg(file));
}

void MainWindow::setBeforeLoad(std::function<void()> fn)
{
    m_files->setBeforeLoad(std::move(fn));
}

bool MainWindow::openFile(const QString& path, QString* error)
{
    const SessionFiles::Result r = m_files->open(path);
    if (!r.ok) {
        if (error)
            *error = r.error;
        else
            QMessageBox::warning(this, tr("Open"), r.error);
        statusBar()->showMessage(r.error, 10000);
        return false;
    }
    m_follower->poll();
    setOffline(path);
    // A file has no live stack behind it: the tables show what was rebuilt from its wire events.
    clearLiveState();
    sip::StackSnapshot snapshot;
    snapshot.transactions = r.transactions;
    snapshot.dialogs = r.dialogs;
    if (m_journal->count() > 0)
        snapshot.timeNs = m_journal->at(m_journal->count() - 1).timeNs;
    applySipSnapshot(snapshot);
    applyAssociations(r.associations);
    m_timeline->fitAll();
    statusBar()->showMessage(r.summary, 10000);
    if (!r.warnings.isEmpty()) {
        trace::Event e;
        e.kind = trace::Kind::Log;
        e.a = 2;
        e.text = tr("Opening %1: %2").arg(QFileInfo(path).fileName(), r.warnings.join(QStringLiteral("; ")));
        m_journal->append(std::move(e));
    }
    return true;
}

QWidget* MainWindow::showView(const QString& name)
{
    if (name == QLatin1String("timeline") || name == QLatin1String("ladder")) {
        m_centralTabs->setCurrentIndex(name == QLatin1String("ladder") ? 1 : 0);
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

void MainWindow::setOffline(const QString& file)
{
    m_offline = !file.isEmpty();
    setWindowTitle(m_offline ? tr("%1 — LadderLab").arg(QFileInfo(file).fileName()) : QStringLiteral("LadderLab"));
    m_modeLabel->setText(m_offline ? tr("File: %1").arg(QFileInfo(file).fileName()) : tr("Lab"));
    m_modeLabel->setToolTip(m_offline ? QDir::toNativeSeparators(file)
                                      : tr("Lab: the built-in emulated network. Real: sockets on this host."));
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open"), QString(),
        tr("Everything LadderLab opens (*.ladderlab *.pcapng *.pcap *.cap *.jsonl);;LadderLab sessions (*.ladderlab);;"
           "Captures (*.pcapng *.pcap *.cap);;JSON Lines journals (*.jsonl);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::saveDialog()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save Session"),
        m_files->currentFile().endsWith(QLatin1String(".ladderlab")) ? m_files->currentFile() : QStringLiteral("session.ladderlab"),
        tr("LadderLab sessions (*.ladderlab)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".ladderlab");
    const SessionFiles::Result r = m_files->save(path);
    if (r.ok)
        statusBar()->showMessage(r.summary, 8000);
    else
        QMessageBox::warning(this, tr("Save Session"), r.error);
}

void MainWindow::exportDialog(const QString& format)
{
    const bool pcap = format == QLatin1String("pcapng");
    const QString path = QFileDialog::getSaveFileName(this, pcap ? tr("Export Capture") : tr("Export Journal"),
        pcap ? QStringLiteral("ladderlab.pcapng") : QStringLiteral("ladderlab.jsonl"),
        pcap ? tr("pcapng captures (*.pcapng)") : tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty())
        return;
    const SessionFiles::Result r = pcap ? m_files->exportPcapng(path) : m_files->exportJsonl(path);
    if (!r.ok) {
        QMessageBox::warning(this, pcap ? tr("Export Capture") : tr("Export Journal"), r.error);
        return;
    }
    statusBar()->showMessage(r.warnings.isEmpty() ? r.summary : r.summary + QStringLiteral(" — ") + r.warnings.join(QStringLiteral("; ")), 8000);
}

void MainWindow::recoverPrevious()
{
    const QString previous = m_files->previousAutosave();
    if (!previous.isEmpty())
        openFile(previous);
}

void MainWindow::startAutosave(const QString& path)
{
    m_files->restoreDrafts();
    m_files->startAutosave(path);
    m_recoverAction->setEnabled(!m_files->previousAutosave().isEmpty());
}

void MainWindow::inspect(quint64 seq)
{
    if (!m_journal || seq >= m_journal->count())
        return;
    const trace::Event e = m_journal->at(seq);
    m_inspector->showEvent(e);
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
}

QDockWidget* MainWindow::dock(const QString& objectName) const
{
    return findChild<QDockWidget*>(objectName);
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

void MainWindow::setTheme(Theme theme)
{
    QSettings().setValue(QStringLiteral("ui/theme"), themeName(theme));
    applyTheme(theme);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveLayout();
    event->accept();
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About LadderLab"));
    box.setIconPixmap(windowIcon().pixmap(96, 96));
    box.setText(tr("<h3>LadderLab %1</h3>"
                   "<p>See SIP and SCTP work: transactions, dialogs, associations and streams, live.</p>")
                    .arg(appVersion()));
    box.setInformativeText(tr("Qt %1 (built against %2)<br>usrsctp %3<br><br>"
                              "Send semantics follow sip_sendmsg(3SIP) and sctp_sendmsg(3).")
                               .arg(qtVersion(), QStringLiteral(QT_VERSION_STR), usrsctpVersion()));
    box.exec();
}

} // namespace ladder::ui
