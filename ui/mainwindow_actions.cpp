// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the menus and their actions, the status bar, the theme and the About box.
#include "mainwindow.h"

#include "core/version.h"
#include "emptystate.h"
#include "logmodel.h"
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "decoders.h"
#include "inspectorwidget.h"
#include "labpanel.h"
#include "lab/scenario.h"
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
#include <QActionGroup>
#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace ladder::ui {

void MainWindow::createActions()
{
    QMenu* file = m_fileMenu = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a LadderLab session, a pcap/pcapng capture from anywhere, or a JSON Lines journal"));
    // Lessons as files (docs/LESSONS.md): a teacher's lesson joins the Lab panel's list, selected;
    // a bad file is refused with the line and field of what is wrong.
    auto* openLesson = file->addAction(tr("Open &Lesson…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Lesson"), QString(), tr("Lessons (*.json);;All files (*)"));
        if (path.isEmpty())
            return;
        QString error;
        // The reader's own message names the line and field; LabPanel::addLesson only says whether.
        if (!path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
            error = tr("%1: a lesson file's name ends in .json").arg(QFileInfo(path).fileName());
        else if (lab::createScenario(path, &error) && m_labPanel && m_labPanel->addLesson(path, &error)) {
            if (QDockWidget* d = dock(QStringLiteral("labDock"))) {
                d->show();
                d->raise();
            }
            statusBar()->showMessage(tr("Lesson %1 added to the Lab panel").arg(QFileInfo(path).fileName()), 5000);
            return;
        }
        QMessageBox::warning(this, tr("Open Lesson"), tr("The lesson cannot be opened.\n\n%1").arg(error));
    });
    openLesson->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openLesson->setToolTip(tr("Open a lesson file (.json, docs/LESSONS.md) and select it in the Lab panel"));
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

void MainWindow::setTheme(Theme theme)
{
    QSettings().setValue(QStringLiteral("ui/theme"), themeName(theme));
    applyTheme(theme);
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
