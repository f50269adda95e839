// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: files — opening sessions, captures and JSON Lines, saving and exporting, ladder
// exports, autosave and recovery of the previous run.
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
#include "journal/journal.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QMessageBox>
#include <QStatusBar>

namespace ladder::ui {

void MainWindow::setBeforeLoad(std::function<void()> fn)
{
    m_stopLab = fn;
    m_files->setBeforeLoad(std::move(fn));
}

void MainWindow::stopLab()
{
    if (m_stopLab)
        m_stopLab();
}

void MainWindow::setModeText(const QString& text, const QString& toolTip)
{
    m_modeLabel->setText(text);
    m_modeLabel->setToolTip(toolTip);
}

bool MainWindow::openFile(const QString& path, QString* error)
{
    if (m_files->loading()) { // the file being read stops first (keeping what it read)
        m_files->cancelLoad();
        m_files->waitForLoad();
    }
    m_openError = error;
    m_openOk = false;
    openFileInBackground(path);
    m_files->waitForLoad(); // the views fill meanwhile
    m_openError = nullptr;
    return m_openOk;
}

void MainWindow::openFileInBackground(const QString& path)
{
    emit aboutToOpenFile();
    if (m_files->loading()) {
        m_files->cancelLoad();
        m_files->waitForLoad();
    }
    m_loadingPath = path;
    m_files->startOpen(path);
}

void MainWindow::cancelOpen()
{
    m_files->cancelLoad();
}

void MainWindow::connectFileLoading()
{
    m_loadBar = new QProgressBar(this);
    m_loadBar->setRange(0, 1000);
    m_loadBar->setMaximumWidth(220);
    m_loadBar->setFormat(tr("Reading %p%"));
    m_loadBar->hide();
    m_loadCancel = new QPushButton(tr("Cancel"), this);
    m_loadCancel->setToolTip(tr("Stop reading the file (what was read stays)"));
    m_loadCancel->hide();
    statusBar()->addPermanentWidget(m_loadBar);
    statusBar()->addPermanentWidget(m_loadCancel);
    connect(m_loadCancel, &QPushButton::clicked, this, &MainWindow::cancelOpen);

    connect(m_files, &SessionFiles::loadProgress, this, [this](qint64 done, qint64 total) {
        m_loadBar->setValue(total > 0 ? int(std::min<qint64>(1000, done * 1000 / total)) : 0);
        m_loadBar->setToolTip(tr("%1 of %2 bytes of %3 read")
                                  .arg(QLocale().toString(done), QLocale().toString(total),
                                      QDir::toNativeSeparators(m_loadingPath)));
        m_loadBar->show();
        m_loadCancel->show();
    });
    // The file has given events: the journal now holds it, and the views follow it as it grows.
    connect(m_files, &SessionFiles::loadCommitted, this, [this](const QString& path) {
        m_tablesClock.invalidate();
        setOffline(path);
        clearLiveState();
        m_follower->poll();
    });
    connect(m_files, &SessionFiles::loadTables, this,
        [this](const sip::StackSnapshot& snapshot, const QList<sctp::AssociationInfo>& associations) {
            // The tables cost the window time in proportion to their rows: an update is skipped
            // while the last one's cost is not yet four times over, so reading never starves it.
            if (!m_offline || (m_tablesClock.isValid() && m_tablesClock.elapsed() < 4 * m_tablesCostMs))
                return;
            m_tablesClock.start();
            applySipSnapshot(snapshot);
            applyAssociations(associations);
            m_tablesCostMs = m_tablesClock.elapsed();
            m_tablesClock.start();
        });
    connect(m_files, &SessionFiles::loadFinished, this, [this](const SessionFiles::Result& r) {
        m_loadBar->hide();
        m_loadCancel->hide();
        const QString path = m_loadingPath;
        m_openOk = r.ok;
        if (!r.ok) {
            if (m_openError)
                *m_openError = r.error;
            else if (!r.stopped)
                QMessageBox::warning(this, tr("Open"), r.error);
            statusBar()->showMessage(r.error, 10000);
            return;
        }
        m_follower->poll();
        setOffline(path);
        // A file has no live stack behind it: the tables show what was rebuilt from its wire events
        // (a capture read in the background has them already, updated in place).
        if (!r.streamed)
            clearLiveState();
        m_tablesClock.invalidate();
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
    });
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
        openFileInBackground(path);
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

} // namespace ladder::ui
