// SPDX-License-Identifier: GPL-3.0-or-later
#include "capturesession.h"

#include "capture/hep/hepexporter.h"
#include "capture/live/pipeline.h"
#include "capture/reconstruct.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "mainwindow.h"

#include <QAction>
#include <QCheckBox>
#include <QCoreApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMutex>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>


namespace ladder::ui {

// ---- the dialog ----

CaptureDialog::CaptureDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Capture"));
    auto* form = new QFormLayout;
    m_device = new QComboBox(this);
    m_device->setEditable(true);
    QString error;
    for (const QString& d : trace::captureDevices(&error))
        m_device->addItem(d, d.section(QLatin1Char(' '), 0, 0));
    m_device->setToolTip(tr("\"any\" captures on every interface (each packet is named by the interface it came in "
                            "on); \"lo\" sees what this host's peers say to each other."));
    form->addRow(tr("&Interface:"), m_device);
    m_devicesError = new QLabel(this);
    m_devicesError->setWordWrap(true);
    m_devicesError->setVisible(!error.isEmpty());
    m_devicesError->setText(tr("libpcap lists no interfaces: %1").arg(error));
    form->addRow(QString(), m_devicesError);
    m_filter = new QLineEdit(QString::fromLatin1(trace::LiveCaptureOptions::kDefaultFilter), this);
    m_filter->setToolTip(tr("A BPF filter, as tcpdump takes it (empty: every packet). A bad one is refused with "
                            "libpcap's own message."));
    form->addRow(tr("&Filter:"), m_filter);
    m_promiscuous = new QCheckBox(tr("&Promiscuous (also what is not addressed to this host)"), this);
    form->addRow(QString(), m_promiscuous);
    auto* fileRow = new QHBoxLayout;
    m_pcapng = new QLineEdit(this);
    m_pcapng->setPlaceholderText(tr("not saved (the journal keeps what was decoded)"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save frames to"), m_pcapng->text(),
            tr("pcapng captures (*.pcapng)"));
        if (!path.isEmpty())
            m_pcapng->setText(path);
    });
    fileRow->addWidget(m_pcapng);
    fileRow->addWidget(browse);
    form->addRow(tr("Save &frames to:"), fileRow);
    auto* keyLogRow = new QHBoxLayout;
    m_tlsKeyLog = new QLineEdit(this);
    m_tlsKeyLog->setPlaceholderText(tr("none (SIP over TLS stays encrypted)"));
    m_tlsKeyLog->setToolTip(tr("An SSLKEYLOGFILE (the NSS key log format Wireshark reads; what SSLKEYLOGFILE= and "
                               "openssl -keylogfile write): SIP over TLS 1.2 and 1.3 whose secrets it holds is "
                               "decrypted, live and when a capture file is opened. Read again as the peers add to it."));
    auto* browseKeyLog = new QPushButton(tr("Browse…"), this);
    connect(browseKeyLog, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("TLS key log"), m_tlsKeyLog->text());
        if (!path.isEmpty())
            m_tlsKeyLog->setText(path);
    });
    keyLogRow->addWidget(m_tlsKeyLog);
    keyLogRow->addWidget(browseKeyLog);
    form->addRow(tr("TLS &key log:"), keyLogRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

void CaptureDialog::setOptions(const trace::LiveCaptureOptions& o)
{
    const int i = m_device->findData(o.device);
    if (i >= 0)
        m_device->setCurrentIndex(i);
    else if (!o.device.isEmpty())
        m_device->setEditText(o.device);
    m_filter->setText(o.filter);
    m_promiscuous->setChecked(o.promiscuous);
    m_pcapng->setText(o.pcapngPath);
}

trace::LiveCaptureOptions CaptureDialog::options() const
{
    trace::LiveCaptureOptions o;
    const int i = m_device->currentIndex();
    o.device = i >= 0 && m_device->itemText(i) == m_device->currentText() ? m_device->itemData(i).toString()
                                                                           : m_device->currentText().trimmed();
    o.filter = m_filter->text().trimmed();
    o.promiscuous = m_promiscuous->isChecked();
    o.pcapngPath = m_pcapng->text().trimmed();
    return o;
}

QString CaptureDialog::tlsKeyLogFile() const
{
    return m_tlsKeyLog->text().trimmed();
}

void CaptureDialog::setTlsKeyLogFile(const QString& path)
{
    m_tlsKeyLog->setText(path);
}

// ---- the session ----

// What a capture keeps on the stack thread: the pipeline (decoder, reassembly, reconstruction)
// feeding the journal, and libpcap's reader under the thread's event loop.
struct CaptureSession::Live {
    Live(std::shared_ptr<trace::Journal> j, const QString& tlsKeyLog)
        : journal(std::move(j))
        , pipeline([this](trace::Event&& e) { append(std::move(e)); }, readOptions(tlsKeyLog), reconstructOptions())
        , capture(pipeline)
    {
    }
    static trace::CaptureReadOptions readOptions(const QString& tlsKeyLog)
    {
        trace::CaptureReadOptions o;
        o.interfaceName = trace::hostInterfaceName; // the "any" device names each packet's interface
        o.tlsKeyLogFile = tlsKeyLog;
        return o;
    }
    static trace::ReconstructOptions reconstructOptions()
    {
        trace::ReconstructOptions o;
        o.trackChanges = true; // each refresh publishes what changed, not every table (collect)
        return o;
    }
    void append(trace::Event&& e)
    {
        if (!epochSet) { // the journal's times count from the first packet, as the events do
            epochSet = true;
            journal->setEpochNs(pipeline.counts().epochNs);
        }
        journal->append(std::move(e));
    }
    void log(int level, const QString& text)
    {
        trace::Event e;
        e.kind = trace::Kind::Log;
        e.a = quint64(level);
        e.text = text;
        if (journal->count() > 0)
            e.timeNs = journal->at(journal->count() - 1).timeNs;
        journal->append(std::move(e));
    }

    std::shared_ptr<trace::Journal> journal;
    trace::CapturePipeline pipeline;
    trace::LiveCapture capture;
    bool epochSet = false;
    qsizetype warningsLogged = 0;
    quint64 dropsLogged = 0;
};

CaptureSession::CaptureSession(StackThread& stack, MainWindow& window, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
    , m_window(window)
{
    m_refresh.setInterval(250);
    connect(&m_refresh, &QTimer::timeout, this, &CaptureSession::refresh);

    QSettings settings;
    m_last.device = settings.value(QStringLiteral("capture/device"), QStringLiteral("lo")).toString();
    m_last.filter = settings.value(QStringLiteral("capture/filter"), m_last.filter).toString();
    m_last.promiscuous = settings.value(QStringLiteral("capture/promiscuous"), false).toBool();
    m_tlsKeyLog = settings.value(QStringLiteral("capture/tlsKeyLog")).toString();

    QMenu* file = window.fileMenu();
    QAction* before = file->actions().value(1); // after Open…
    m_startAction = new QAction(tr("&Capture…"), this);
    m_startAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_startAction->setStatusTip(tr("Capture live on an interface and watch the calls and associations as they happen"));
    connect(m_startAction, &QAction::triggered, this, &CaptureSession::showDialog);
    m_stopAction = new QAction(tr("S&top Capture"), this);
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_stopAction->setEnabled(false);
    connect(m_stopAction, &QAction::triggered, this, &CaptureSession::stop);
    m_mirrorAction = new QAction(tr("&Mirror to HEP Collector…"), this);
    m_mirrorAction->setCheckable(true);
    m_mirrorAction->setStatusTip(tr("Send every SIP message LadderLab sees to Homer, sngrep -L or another HEP collector"));
    connect(m_mirrorAction, &QAction::triggered, this, [this](bool on) {
        if (!on) {
            const QString summary = mirrorSummary();
            stopMirror();
            m_window.statusBar()->showMessage(tr("HEP mirror stopped: %1").arg(summary), 10000);
            return;
        }
        QSettings settings;
        bool ok = false;
        const QString target = QInputDialog::getText(&m_window, tr("Mirror to HEP Collector"),
            tr("Collector (udp:HOST:PORT or tcp:HOST:PORT). Every SIP message from now on is sent as HEPv3,\n"
               "with its time and addresses (lab ends get the addresses the pcapng export gives them):"),
            QLineEdit::Normal, settings.value(QStringLiteral("capture/hepTarget"), QStringLiteral("udp:127.0.0.1:9060")).toString(),
            &ok);
        QString error;
        if (!ok || !startMirror(target, &error)) {
            m_mirrorAction->setChecked(false);
            if (ok)
                QMessageBox::warning(&m_window, tr("Mirror to HEP Collector"), error);
            return;
        }
        settings.setValue(QStringLiteral("capture/hepTarget"), target);
    });
    file->insertAction(before, m_startAction);
    file->insertAction(before, m_stopAction);
    file->insertAction(before, m_mirrorAction);
    file->insertSeparator(before);

    m_status = new QLabel(&window);
    m_status->hide();
    m_stopButton = new QPushButton(tr("Stop"), &window);
    m_stopButton->setToolTip(tr("Stop the capture (what was captured stays)"));
    m_stopButton->hide();
    connect(m_stopButton, &QPushButton::clicked, this, &CaptureSession::stop);
    window.statusBar()->addPermanentWidget(m_status);
    window.statusBar()->addPermanentWidget(m_stopButton);
    // Opening a file replaces the journal: the capture stops first.
    connect(&window, &MainWindow::aboutToOpenFile, this, &CaptureSession::stop);
}

CaptureSession::~CaptureSession()
{
    stopMirror();
    if (m_live) {
        Live* live = m_live;
        m_live = nullptr;
        m_stack.invokeBlocking([live](Stack&) {
            live->capture.stop();
            delete live;
        });
    }
}

bool CaptureSession::startMirror(const QString& target, QString* error)
{
    stopMirror();
    trace::hep::ExportOptions options;
    if (!trace::hep::parseTarget(target, &options, error))
        return false;
    bool ok = false;
    trace::hep::Exporter* mirror = nullptr;
    const std::shared_ptr<trace::Journal> journal = m_stack.journal();
    m_stack.invokeBlocking([&](Stack&) {
        mirror = new trace::hep::Exporter;
        ok = mirror->start(options, error);
        if (!ok) {
            delete mirror;
            mirror = nullptr;
            return;
        }
        // The hook runs on whichever thread appends; offer() only queues (thread-safe). The gate
        // closes before the exporter goes, so a hook already running elsewhere never reaches it.
        m_mirrorGate = std::make_shared<MirrorGate>();
        m_mirrorGate->exporter = mirror;
        trace::Journal* j = journal.get();
        journal->setAppendHook([gate = m_mirrorGate, j](const trace::Event& e) {
            QMutexLocker lock(&gate->mutex);
            if (gate->exporter)
                gate->exporter->offer(e, j->epochNs());
        });
    });
    if (!ok)
        return false;
    m_mirror = mirror;
    connect(mirror, &trace::hep::Exporter::failed, this, [this](const QString& why) {
        m_window.statusBar()->showMessage(why, 10000);
    }, Qt::QueuedConnection);
    m_mirrorAction->setChecked(true);
    m_window.statusBar()->showMessage(tr("Mirroring SIP to %1 as HEPv3").arg(mirror->description()), 10000);
    return true;
}

void CaptureSession::stopMirror()
{
    if (!m_mirror)
        return;
    trace::hep::Exporter* mirror = m_mirror;
    m_mirror = nullptr;
    const std::shared_ptr<trace::Journal> journal = m_stack.journal();
    const std::shared_ptr<MirrorGate> gate = std::move(m_mirrorGate);
    m_stack.invokeBlocking([mirror, journal, gate](Stack&) {
        journal->setAppendHook({});
        {
            QMutexLocker lock(&gate->mutex);
            gate->exporter = nullptr;
        }
        mirror->flush();
        delete mirror;
    });
    if (m_mirrorAction)
        m_mirrorAction->setChecked(false);
}

QString CaptureSession::mirrorSummary() const
{
    if (!m_mirror)
        return tr("not mirroring");
    trace::hep::Exporter::Stats s;
    QString where;
    m_stack.invokeBlocking([&](Stack&) {
        s = m_mirror->stats();
        where = m_mirror->description();
    });
    QString text = tr("%1 SIP message(s) sent to %2, %3 dropped").arg(s.sent).arg(where).arg(s.dropped);
    if (!s.lastError.isEmpty())
        text += QStringLiteral(" (%1)").arg(s.lastError);
    return text;
}

void CaptureSession::showDialog()
{
    CaptureDialog dialog(&m_window);
    dialog.setOptions(m_last);
    dialog.setTlsKeyLogFile(m_tlsKeyLog);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_tlsKeyLog = dialog.tlsKeyLogFile();
    QSettings().setValue(QStringLiteral("capture/tlsKeyLog"), m_tlsKeyLog);
    QString error;
    if (!start(dialog.options(), &error))
        QMessageBox::warning(&m_window, tr("Capture"), error);
}

bool CaptureSession::start(const trace::LiveCaptureOptions& options, QString* error)
{
    stop();
    if (options.device.isEmpty()) {
        *error = tr("No interface chosen.");
        return false;
    }
    m_window.stopLab();
    m_window.clearLiveState();
    m_window.setOffline({});
    bool ok = false;
    QString why;
    Live* live = nullptr;
    m_stack.invokeBlocking([&](Stack& s) {
        s.journal().clear();
        live = new Live(m_stack.journal(), m_tlsKeyLog);
        ok = live->capture.start(options, &why);
        if (!ok) {
            delete live;
            live = nullptr;
        } else if (!why.isEmpty()) { // started, with something to say (an option libpcap ignored)
            live->log(2, tr("Capture on %1: %2").arg(options.device, why));
        }
    });
    if (!ok) {
        *error = tr("Cannot capture on %1: %2").arg(options.device, why);
        m_window.statusBar()->showMessage(*error, 10000);
        return false;
    }
    m_live = live;
    connect(&live->capture, &trace::LiveCapture::ended, this, &CaptureSession::ended, Qt::QueuedConnection);
    m_last = options;
    QSettings settings;
    settings.setValue(QStringLiteral("capture/device"), options.device);
    settings.setValue(QStringLiteral("capture/filter"), options.filter);
    settings.setValue(QStringLiteral("capture/promiscuous"), options.promiscuous);
    m_running = true;
    m_figures = {};
    m_window.setModeText(tr("Capture: %1").arg(options.device),
        tr("Capturing on %1, filter: %2").arg(options.device, options.filter.isEmpty() ? tr("none") : options.filter));
    m_status->setText(tr("Capturing on %1…").arg(options.device));
    m_status->show();
    m_stopButton->show();
    m_startAction->setEnabled(true);
    m_stopAction->setEnabled(true);
    m_refresh.start();
    emit runningChanged(true);
    return true;
}

void CaptureSession::stop()
{
    if (!m_live)
        return;
    m_refresh.stop();
    Live* live = m_live;
    // Gone for everything from here on: the events delivered below (a refresh, an 'ended' already
    // posted) must find no capture to stop again.
    m_live = nullptr;
    disconnect(&live->capture, nullptr, this, nullptr);
    Collected last;
    m_stack.invokeBlocking([live, &last](Stack&) {
        live->capture.stop();
        live->pipeline.finish(); // timers inferred as due by the last packet fire now
        last = collect(live);
    });
    // A refresh collected before the last one (the stack thread runs them in order) has posted
    // its changes by now: they go to the views first, or they would be lost.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    ++m_generation; // from here on, what arrives is for the capture that was
    show(last, true);
    // Freed on the stack thread without the window waiting: a long capture's tables take tens of
    // milliseconds to free, and nothing here needs them gone (the stack thread runs what comes
    // next, a new capture's start or its own end, after it).
    m_stack.invoke([live](Stack&) { delete live; });
    m_running = false;
    m_stopAction->setEnabled(false);
    m_stopButton->hide();
    m_window.setModeText(tr("Capture: %1 (stopped)").arg(m_last.device),
        tr("The capture on %1 stopped; its events stay in the journal.").arg(m_last.device));
    emit runningChanged(false);
}

void CaptureSession::ended(const QString& reason)
{
    if (!m_live)
        return;
    Live* live = m_live;
    const QString device = m_last.device;
    m_stack.invokeBlocking([live, &reason, &device](Stack&) {
        live->log(3, tr("Capture on %1 ended: %2").arg(device, reason));
    });
    stop();
    m_window.statusBar()->showMessage(tr("The capture on %1 ended: %2").arg(device, reason), 15000);
}

// On the stack thread: the reconstruction's tables and the counters; what the decoder could not
// use and what the kernel dropped go to the log (never silent).
CaptureSession::Collected CaptureSession::collect(Live* live)
{
    Collected out;
    trace::Reconstructor& r = live->pipeline.reconstructor();
    // Only what changed since the last collect: a refresh costs in proportion to the traffic of
    // the last quarter second, not to every call so far. Each collect's result is shown, in
    // order (stop() delivers one still on its way before the last), so none is lost.
    out.snapshot.transactions = r.takeChangedTransactions();
    out.snapshot.dialogs = r.takeChangedDialogs();
    if (live->journal->count() > 0)
        out.snapshot.timeNs = live->journal->at(live->journal->count() - 1).timeNs;
    for (const trace::CapturedAssociation& a : r.associations())
        out.associations.append(a.info);
    const trace::CaptureReadResult& c = live->pipeline.counts();
    Figures& f = out.figures;
    f.frames = live->capture.packets();
    f.events = live->journal->count();
    f.ignored = c.ignored;
    const trace::LiveCapture::Stats s = live->capture.stats();
    f.dropsKnown = s.valid;
    f.kernelDrops = s.dropped;
    f.interfaceDrops = s.ifDropped;
    const trace::ReconstructStats stats = r.stats();
    f.transactions = stats.transactions;
    f.dialogs = stats.dialogs;
    f.associations = quint64(out.associations.size());
    for (; live->warningsLogged < c.warnings.size(); ++live->warningsLogged)
        live->log(2, tr("Capture: %1").arg(c.warnings[live->warningsLogged]));
    if (s.valid && s.dropped + s.ifDropped > live->dropsLogged) {
        live->log(2, tr("Capture: the kernel dropped %1 frame(s) so far, the interface %2 (the reader fell behind; a "
                        "narrower filter helps)")
                         .arg(s.dropped)
                         .arg(s.ifDropped));
        live->dropsLogged = s.dropped + s.ifDropped;
    }
    return out;
}

// Four times a second while capturing: gathered on the stack thread without blocking the window,
// shown when it comes back (unless the capture stopped meanwhile).
void CaptureSession::refresh()
{
    if (!m_live || m_refreshPending)
        return;
    m_refreshPending = true;
    QPointer<CaptureSession> self(this);
    const quint64 generation = m_generation;
    m_stack.invoke([live = m_live, self, generation](Stack&) {
        Collected c = collect(live);
        QMetaObject::invokeMethod(self, [self, generation, c = std::move(c)] {
            if (!self)
                return;
            self->m_refreshPending = false;
            if (self->m_generation == generation)
                self->show(c, false);
        }, Qt::QueuedConnection);
    });
}

void CaptureSession::show(const Collected& c, bool final)
{
    const Figures& f = c.figures;
    m_figures = f;
    m_window.updateSipTables(c.snapshot);
    m_window.setAssociations(c.associations);
    const QLocale locale;
    QString text = tr("%1: %2 frames, %3 events, %4 not decoded")
                       .arg(m_last.device, locale.toString(f.frames), locale.toString(f.events), locale.toString(f.ignored));
    if (f.dropsKnown)
        text += tr(", %1 dropped").arg(locale.toString(f.kernelDrops + f.interfaceDrops));
    if (final)
        text += tr(" (stopped)");
    m_status->setText(text);
    m_status->setToolTip(tr("%1 transactions, %2 dialogs, %3 associations reconstructed from the wire")
                             .arg(f.transactions)
                             .arg(f.dialogs)
                             .arg(f.associations));
    emit refreshed();
}

} // namespace ladder::ui
