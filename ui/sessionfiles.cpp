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
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

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

SessionFiles::~SessionFiles()
{
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
        if (!m_session->load(path, &r.error))
            return r;
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
        r.warnings = c.read.warnings;
        events = std::move(c.events);
        if (!c.read.ok && events.isEmpty()) {
            r.error = tr("%1: %2").arg(name, c.read.error);
            return r;
        }
        if (!c.read.ok)
            r.warnings.prepend(tr("The capture ends early: %1 (the %2 events before it were kept)").arg(c.read.error).arg(events.size()));
        if (c.stats.sipUnparsed)
            r.warnings << tr("%1 SIP messages did not parse (kept as they are)").arg(c.stats.sipUnparsed);
        epochNs = c.read.epochNs;
        r.transactions = std::move(c.transactions);
        r.dialogs = std::move(c.dialogs);
        for (const trace::CapturedAssociation& a : std::as_const(c.associations))
            r.associations.append(a.info);
        r.summary = tr("%1 events from %2 (%3, %4 packets, %5 not SIP or SCTP): %6 transactions, %7 dialogs, %8 associations")
                        .arg(locale.toString(qulonglong(events.size())), name, c.read.format, locale.toString(c.read.packets),
                            locale.toString(c.read.ignored))
                        .arg(r.transactions.size())
                        .arg(r.dialogs.size())
                        .arg(r.associations.size());
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
