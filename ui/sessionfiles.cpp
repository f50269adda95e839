// SPDX-License-Identifier: GPL-3.0-or-later
#include "sessionfiles.h"

#include "capture/autosaver.h"
#include "capture/capturereader.h"
#include "journal/journal.h"
#include "capture/jsonl.h"
#include "capture/pcapng.h"
#include "capture/reconstruct.h"
#include "capture/session.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QMutex>
#include <QThread>

#include <atomic>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ladder::ui {

namespace {
    constexpr auto kDraftPrefix = "drafts/";
}

SessionFiles::SessionFiles(std::shared_ptr<trace::Journal> journal, QObject* parent)
    : QObject(parent)
    , m_journal(std::move(journal))
    , m_session(std::make_unique<trace::Session>(m_journal))
{
    m_draftWriter.setMaxThreadCount(1);
    m_draftTimer.setInterval(2000);
    connect(&m_draftTimer, &QTimer::timeout, this, &SessionFiles::collectDrafts);
    m_draftTimer.start();
}

// A capture being read by startOpen(): the worker thread's events wait in `pending` until the
// window commits to the file (commitLoad), then go straight to the journal.
struct SessionFiles::Load {
    quint64 id = 0;
    QString path;
    qint64 total = 0;
    std::atomic<bool> cancel { false };
    QMutex mutex; // guards what follows, between the worker and the UI thread
    QList<trace::Event> pending;
    trace::Journal* target = nullptr;
    qint64 epochNs = 0;
    quint64 events = 0;
    bool commitAsked = false;
    // UI thread only
    QThread* thread = nullptr;
    bool committed = false;
};

SessionFiles::~SessionFiles()
{
    if (m_load) { // closing while a file loads: stop it; its posted results die with this object
        m_load->cancel = true;
        m_load->thread->wait();
        delete m_load->thread;
        delete m_load;
        m_load = nullptr;
    }
    // The last drafts, and a final autosave so that a clean exit loses nothing either.
    collectDrafts();
    flushDrafts();
    if (m_autosaver) {
        m_autosaver->stop();
        m_autosaver->saveNow();
    }
}

void SessionFiles::addPart(
    const QString& name, std::function<QJsonObject()> save, std::function<void(const QJsonObject&)> restore)
{
    m_parts.append({ name, std::move(save), std::move(restore) });
}

SessionFiles::FileKind SessionFiles::detect(const QString& path, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
        return FileKind::Unknown;
    }
    const QByteArray head = f.read(64);
    if (trace::Session::looksLikeSession(head))
        return FileKind::Session;
    if (trace::looksLikeCapture(head))
        return FileKind::Capture;
    if (head.trimmed().startsWith('{'))
        return FileKind::Jsonl;
    if (error)
        *error = tr("%1 is neither a LadderLab session, a pcap/pcapng capture nor a JSON Lines journal.")
                     .arg(QDir::toNativeSeparators(path));
    return FileKind::Unknown;
}

SessionFiles::Result SessionFiles::open(const QString& path)
{
    Result r;
    const QString name = QFileInfo(path).fileName();
    r.kind = detect(path, &r.error);
    if (r.kind == FileKind::Unknown)
        return r;
    const QLocale locale;

    // Read into a side list first: a bad file must not wipe what the user has.
    QList<trace::Event> events;
    auto sink = [&events](trace::Event&& e) { events.append(std::move(e)); };
    qint64 epochNs = 0;
    switch (r.kind) {
    case FileKind::Session: {
        if (m_beforeLoad)
            m_beforeLoad();
        QString torn;
        if (!m_session->load(path, &r.error, &torn))
            return r;
        if (!torn.isEmpty())
            r.warnings << tr("%1: %2").arg(name, torn);
        restoreParts();
        r.summary = tr("%1 events and the drafts from %2").arg(locale.toString(m_journal->count()), name);
        rebuildTables(&r);
        r.ok = true;
        m_currentFile = path;
        emit opened(path, r.kind);
        return r;
    }
    case FileKind::Capture: {
        // The capture's packets plus what they imply: transaction and dialog states, inferred timer
        // expiries, association states — like sngrep, from the wire alone.
        trace::CaptureReconstruction c = trace::reconstructCaptureFile(path);
        events = std::move(c.events);
        if (!c.read.ok && events.isEmpty()) {
            r.warnings = c.read.warnings;
            r.error = tr("%1: %2").arg(name, c.read.error);
            return r;
        }
        epochNs = c.read.epochNs;
        r.transactions = std::move(c.transactions);
        r.dialogs = std::move(c.dialogs);
        finishCapture(&r, name, c.read, c.stats, events.size(), c.associations);
        break;
    }
    case FileKind::Jsonl: {
        const trace::JsonlReadResult j = trace::readJsonlFile(path, sink);
        r.warnings = j.errors;
        if (!j.ok && events.isEmpty()) {
            r.error = tr("%1: %2").arg(name, j.error);
            return r;
        }
        epochNs = j.epochNs;
        r.summary = tr("%1 events from %2").arg(locale.toString(qulonglong(events.size())), name);
        if (j.badLines)
            r.summary += tr(" (%1 bad lines skipped)").arg(j.badLines);
        break;
    }
    case FileKind::Unknown: return r;
    }
    if (m_beforeLoad)
        m_beforeLoad();
    m_journal->clear();
    if (epochNs)
        m_journal->setEpochNs(epochNs);
    for (trace::Event& e : events)
        m_journal->append(std::move(e));
    if (r.kind == FileKind::Jsonl)
        rebuildTables(&r);
    r.ok = true;
    m_currentFile = path;
    emit opened(path, r.kind);
    return r;
}

void SessionFiles::finishCapture(Result* r, const QString& name, const trace::CaptureReadResult& read,
    const trace::ReconstructStats& stats, qsizetype events, const QList<trace::CapturedAssociation>& associations) const
{
    const QLocale locale;
    r->warnings = read.warnings;
    if (!read.ok)
        r->warnings.prepend(tr("The capture ends early: %1 (the %2 events before it were kept)").arg(read.error).arg(events));
    if (stats.sipUnparsed)
        r->warnings << tr("%1 SIP messages did not parse (kept as they are)").arg(stats.sipUnparsed);
    for (const trace::CapturedAssociation& a : associations)
        r->associations.append(a.info);
    r->summary = tr("%1 events from %2 (%3, %4 packets, %5 not SIP or SCTP): %6 transactions, %7 dialogs, %8 associations")
                     .arg(locale.toString(qulonglong(events)), name, read.format, locale.toString(read.packets),
                         locale.toString(read.ignored))
                     .arg(r->transactions.size())
                     .arg(r->dialogs.size())
                     .arg(r->associations.size());
}

void SessionFiles::startOpen(const QString& path)
{
    if (m_load) { // one load at a time: the one under way stops (keeping what it read) first
        cancelLoad();
        waitForLoad();
    }
    Result r;
    r.kind = detect(path, &r.error);
    if (r.kind != FileKind::Capture) {
        if (r.kind != FileKind::Unknown)
            r = open(path);
        emit loadFinished(r);
        return;
    }
    static std::atomic<quint64> ids { 0 };
    auto* load = new Load;
    load->id = ++ids;
    load->path = path;
    load->total = QFileInfo(path).size();
    m_load = load;
    const quint64 id = load->id;
    // Runs fn on this object's (the UI) thread, if this load is still the one under way.
    auto post = [this, id](std::function<void(SessionFiles*, Load*)> fn) {
        QMetaObject::invokeMethod(this, [this, id, fn = std::move(fn)] {
            if (m_load && m_load->id == id)
                fn(this, m_load);
        }, Qt::QueuedConnection);
    };
    load->thread = QThread::create([load, post] {
        // Background work: where it shares a core with the window, the window goes first (a
        // per-thread nice value on Linux; the read still has every idle cycle).
        setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 10);
        // What reconstructCaptureFile does, with the events handed over as they come.
        trace::Reconstructor rec;
        qint64 lastNs = 0;
        const trace::EventSink sink = [load, &lastNs](trace::Event&& e) {
            lastNs = std::max(lastNs, e.timeNs);
            QMutexLocker lock(&load->mutex);
            ++load->events;
            if (load->target)
                load->target->append(std::move(e));
            else
                load->pending.append(std::move(e));
        };
        auto tables = [&rec, &lastNs](sip::StackSnapshot* snapshot, QList<sctp::AssociationInfo>* associations) {
            snapshot->transactions = rec.transactions();
            snapshot->dialogs = rec.dialogs();
            snapshot->timeNs = lastNs;
            for (const trace::CapturedAssociation& a : rec.associations())
                associations->append(a.info);
        };
        QElapsedTimer clock;
        clock.start();
        qint64 lastProgress = -1000, lastTables = -1000;
        trace::CaptureReadOptions options;
        options.tlsKeyLogFile = QSettings().value(QStringLiteral("capture/tlsKeyLog")).toString(); // File ▸ Capture…'s TLS key log
        options.progress = [&](qint64 done, qint64 total, const trace::CaptureReadResult& soFar) {
            if (load->cancel)
                return false;
            bool commit = false;
            {
                QMutexLocker lock(&load->mutex);
                if (!load->target && !load->pending.isEmpty() && !load->commitAsked) {
                    load->commitAsked = true;
                    load->epochNs = soFar.epochNs;
                    commit = true;
                }
            }
            if (commit)
                post([](SessionFiles* f, Load* l) { f->commitLoad(l); });
            const qint64 now = clock.elapsed();
            if (now - lastProgress >= 50) {
                lastProgress = now;
                post([done, total](SessionFiles* f, Load*) { emit f->loadProgress(done, total); });
            }
            if (now - lastTables >= 250) { // as a live capture's
                lastTables = now;
                sip::StackSnapshot snapshot;
                QList<sctp::AssociationInfo> associations;
                tables(&snapshot, &associations);
                post([snapshot = std::move(snapshot), associations = std::move(associations)](SessionFiles* f, Load* l) {
                    if (l->committed)
                        emit f->loadTables(snapshot, associations);
                });
            }
            return !load->cancel.load();
        };
        auto c = std::make_shared<trace::CaptureReconstruction>();
        c->read = trace::readCaptureFile(load->path, [&](trace::Event&& e) { rec.consume(std::move(e), sink); }, options);
        rec.finish(sink); // stopped or not: the timers due by the last packet read fire
        c->stats = rec.stats();
        rec.takeSnapshots(&c->transactions, &c->dialogs);
        c->associations = rec.associations();
        post([c](SessionFiles* f, Load* l) { f->endLoad(l, *c); });
    });
    emit loadProgress(0, load->total);
    load->thread->start();
}

void SessionFiles::commitLoad(Load* load)
{
    if (load->committed)
        return;
    load->committed = true;
    if (m_beforeLoad)
        m_beforeLoad();
    {
        QMutexLocker lock(&load->mutex);
        m_journal->clear();
        if (load->epochNs)
            m_journal->setEpochNs(load->epochNs);
        for (trace::Event& e : load->pending)
            m_journal->append(std::move(e));
        load->pending.clear();
        load->pending.squeeze();
        load->target = m_journal.get();
    }
    m_currentFile = load->path;
    emit loadCommitted(load->path);
}

void SessionFiles::endLoad(Load* load, trace::CaptureReconstruction& c)
{
    load->thread->wait();
    Result r;
    r.kind = FileKind::Capture;
    r.stopped = c.read.stopped;
    r.bytesRead = c.read.stopped ? c.read.bytesRead : load->total;
    r.bytesTotal = load->total;
    const QString name = QFileInfo(load->path).fileName();
    quint64 events = 0;
    bool any = false;
    {
        QMutexLocker lock(&load->mutex);
        events = load->events;
        any = load->target || !load->pending.isEmpty();
        if (!load->target)
            load->epochNs = c.read.epochNs;
    }
    if (!any && (c.read.stopped || !c.read.ok)) { // nothing read: the journal was never touched
        r.error = c.read.stopped ? tr("Opening %1 was cancelled before any event was read: nothing changed").arg(name)
                                 : tr("%1: %2").arg(name, c.read.error);
        r.warnings = c.read.warnings;
        delete load->thread;
        delete load;
        m_load = nullptr;
        emit loadFinished(r);
        return;
    }
    // (A capture with nothing SIP or SCTP in it opens, empty, as before.)
    commitLoad(load);
    r.transactions = std::move(c.transactions);
    r.dialogs = std::move(c.dialogs);
    finishCapture(&r, name, c.read, c.stats, qsizetype(events), c.associations);
    if (r.stopped)
        r.warnings.prepend(tr("stopped after %1 of %2 bytes (cancelled); what was read is kept")
                               .arg(QLocale().toString(r.bytesRead), QLocale().toString(r.bytesTotal)));
    r.ok = true;
    r.streamed = true;
    delete load->thread;
    delete load;
    m_load = nullptr;
    emit opened(m_currentFile, r.kind);
    emit loadFinished(r);
}

void SessionFiles::cancelLoad()
{
    if (m_load)
        m_load->cancel = true;
}

void SessionFiles::waitForLoad()
{
    if (!m_load)
        return;
    QEventLoop loop;
    connect(this, &SessionFiles::loadFinished, &loop, &QEventLoop::quit);
    loop.exec();
}

SessionFiles::Result SessionFiles::save(const QString& path)
{
    Result r;
    r.kind = FileKind::Session;
    collectDrafts();
    r.ok = m_session->save(path, &r.error);
    if (r.ok) {
        r.summary = tr("Saved %1 events and the drafts to %2").arg(QLocale().toString(m_journal->count()), QFileInfo(path).fileName());
        m_currentFile = path;
    }
    return r;
}

SessionFiles::Result SessionFiles::writeExport(
    const QString& path, FileKind kind, const std::function<bool(QIODevice*, QString*)>& write) const
{
    // Written atomically: a failed export leaves whatever file was there before.
    Result r;
    r.kind = kind;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        r.error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), f.errorString());
        return r;
    }
    if (!write(&f, &r.error) || !f.commit()) {
        if (r.error.isEmpty())
            r.error = f.errorString();
        r.error = tr("Export to %1 failed: %2").arg(QFileInfo(path).fileName(), r.error);
        return r;
    }
    r.ok = true;
    return r;
}

SessionFiles::Result SessionFiles::exportPcapng(const QString& path)
{
    trace::PcapngOptions options;
    options.epochNs = m_journal->epochNs();
    trace::PcapngStats stats;
    Result r = writeExport(path, FileKind::Capture, [&](QIODevice* device, QString* error) {
        return trace::writePcapng(*m_journal, device, options, error, &stats);
    });
    if (!r.ok)
        return r;
    r.summary = tr("Wrote %1 packets to %2").arg(QLocale().toString(stats.packets), QFileInfo(path).fileName());
    if (stats.skipped)
        r.warnings << tr("%1 events had no usable wire bytes and were left out").arg(stats.skipped);
    if (stats.fixedChecksums)
        r.warnings << tr("%1 SCTP checksums were recomputed").arg(stats.fixedChecksums);
    return r;
}

SessionFiles::Result SessionFiles::exportJsonl(const QString& path)
{
    Result r = writeExport(path, FileKind::Jsonl, [this](QIODevice* device, QString* error) {
        return trace::writeJsonl(*m_journal, device, m_journal->epochNs(), error);
    });
    if (r.ok)
        r.summary = tr("Wrote %1 events to %2").arg(QLocale().toString(m_journal->count()), QFileInfo(path).fileName());
    return r;
}

void SessionFiles::rebuildTables(Result* r) const
{
    // A saved journal holds the wire events of both ends; the reconstruction tells a far-end copy
    // from a retransmission, so each transaction appears once, as the capture of the wire shows it.
    trace::Reconstructor rebuild;
    const trace::EventSink discard = [](trace::Event&&) { };
    m_journal->forEach(0, m_journal->count(), [&](const trace::Event& e) {
        switch (e.kind) {
        case trace::Kind::SipMessage:
        case trace::Kind::SipRetransmission:
        case trace::Kind::SctpPacket:
        case trace::Kind::SctpChunk: {
            trace::Event copy = e;
            rebuild.consume(std::move(copy), discard);
            break;
        }
        default: break;
        }
    });
    rebuild.finish(discard);
    r->transactions = rebuild.transactions();
    r->dialogs = rebuild.dialogs();
    for (const trace::CapturedAssociation& a : rebuild.associations())
        r->associations.append(a.info);
}

bool SessionFiles::collectDrafts()
{
    QList<QPair<QString, QByteArray>> changed;
    for (const Part& p : std::as_const(m_parts)) {
        const QByteArray json = QJsonDocument(p.save()).toJson(QJsonDocument::Compact);
        if (m_lastDrafts.value(p.name) == json)
            continue;
        m_lastDrafts.insert(p.name, json);
        m_session->setBlob(p.name, json);
        changed.append({ QLatin1String(kDraftPrefix) + p.name, json });
    }
    if (changed.isEmpty())
        return false;
    // QSettings is reentrant and safe across threads with one object per thread.
    m_draftWriter.start([changed] {
        QSettings settings;
        for (const auto& [key, json] : changed)
            settings.setValue(key, json);
        settings.sync(); // on disk within moments: a crash a second later keeps this draft
    });
    return true;
}

void SessionFiles::flushDrafts()
{
    m_draftWriter.waitForDone();
}

void SessionFiles::restoreDrafts()
{
    flushDrafts();
    QSettings settings;
    for (const Part& p : std::as_const(m_parts)) {
        const QByteArray json = settings.value(QLatin1String(kDraftPrefix) + p.name).toByteArray();
        if (!json.isEmpty())
            p.restore(QJsonDocument::fromJson(json).object());
    }
    collectDrafts();
}

void SessionFiles::restoreParts()
{
    for (const Part& p : std::as_const(m_parts)) {
        const QByteArray json = m_session->blob(p.name);
        if (!json.isEmpty())
            p.restore(QJsonDocument::fromJson(json).object());
    }
    m_lastDrafts.clear();
    collectDrafts();
}

QString SessionFiles::defaultAutosavePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/autosave.ladderlab");
}

void SessionFiles::startAutosave(const QString& path, int intervalMs)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (QFile::exists(path)) {
        m_previous = QFileInfo(path).absolutePath() + QStringLiteral("/previous.ladderlab");
        QFile::remove(m_previous);
        if (!QFile::rename(path, m_previous))
            m_previous.clear();
    }
    delete m_autosaver;
    m_autosaver = new trace::SessionAutosaver(m_session.get(), path, intervalMs, this);
    connect(m_autosaver, &trace::SessionAutosaver::failed, this, &SessionFiles::autosaveFailed);
    m_autosaver->start();
}

bool SessionFiles::saveNow()
{
    collectDrafts();
    return m_autosaver && m_autosaver->saveNow();
}

} // namespace ladder::ui
