// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sctp/snapshot.h"
#include "sip/snapshot.h"

#include <QJsonObject>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

class QIODevice;

namespace ladder::trace {
struct CaptureReadResult;
struct CaptureReconstruction;
struct CapturedAssociation;
struct ReconstructStats;
class Journal;
class Session;
class SessionAutosaver;
}

namespace ladder::ui {

// Everything the File menu does with files, apart from the window: open a session, a capture
// (pcap/pcapng from anywhere) or a JSON Lines journal; save the session; export pcapng and JSONL;
// keep drafts safe. A session file holds the journal plus each registered part's state (composer
// drafts, lab configuration) as JSON blobs.
//
// Drafts survive restarts and crashes twice over: every two seconds the parts' state is gathered,
// and a change is written to the user's settings at once (restored on the next start) and into the
// session, which the autosaver writes atomically every few seconds. At start the previous run's
// autosave is kept aside so that File → Recover can bring back its whole journal.
class SessionFiles : public QObject {
    Q_OBJECT
public:
    enum class FileKind { Unknown, Session, Capture, Jsonl };

    explicit SessionFiles(std::shared_ptr<trace::Journal> journal, QObject* parent = nullptr);
    ~SessionFiles() override;

    // A part of the session with its own state ("composer/sip", "lab"…).
    void addPart(const QString& name, std::function<QJsonObject()> save, std::function<void(const QJsonObject&)> restore);
    // Called before the journal is replaced by a file's content: stops whatever appends to it.
    void setBeforeLoad(std::function<void()> fn) { m_beforeLoad = std::move(fn); }

    static FileKind detect(const QString& path, QString* error = nullptr);

    struct Result {
        bool ok = false;
        FileKind kind = FileKind::Unknown;
        QString error; // what went wrong, naming the file
        QString summary; // "1 234 events from capture.pcapng (pcapng, 17 packets ignored)"
        QStringList warnings;
        // Rebuilt from the file's wire events (trace::Reconstructor): what the views show offline.
        QList<sip::TransactionSnapshot> transactions;
        QList<sip::DialogSnapshot> dialogs;
        QList<sctp::AssociationInfo> associations;
        bool streamed = false; // a capture read in the background (startOpen): the views followed it
        bool stopped = false; // cancelled part-way (startOpen): what was read is kept
        qint64 bytesRead = 0, bytesTotal = 0;
    };
    // Replaces the journal with the file's content (a bad file leaves the journal as it was).
    Result open(const QString& path);

    // Opens a file without blocking the window. A pcap/pcapng capture is read and reconstructed on
    // a thread of its own (the reader and trace::Reconstructor of reconstructCaptureFile, so the
    // same events, transactions, dialogs and associations), its events going to the journal as
    // they come: loadProgress while it reads, loadTables now and then, loadFinished at the end.
    // The journal is only replaced once the file has given events (loadCommitted, after the
    // before-load hook): a file that fails or is cancelled before that leaves it untouched.
    // Sessions, JSON Lines and files that cannot be opened at all end at once (loadFinished before
    // this returns). A load under way is cancelled first.
    void startOpen(const QString& path);
    bool loading() const { return m_load != nullptr; }
    // Stops reading; what was read is kept (loadFinished follows, with stopped set).
    void cancelLoad();
    // Waits for the load under way to end (events processed meanwhile).
    void waitForLoad();
    Result save(const QString& path);
    Result exportPcapng(const QString& path);
    Result exportJsonl(const QString& path);

    // Gathers the parts' state now; true if it changed since the last time. What changed is
    // written to the settings and synced to disk by a writer thread (a sync waits for the disk,
    // which must not stall the window); flushDrafts() waits until it is written.
    bool collectDrafts();
    void flushDrafts();
    // Restores the parts from the user's settings (the drafts of the last run, crash or not).
    void restoreDrafts();
    // Autosaves the session to path every intervalMs; an existing file is first moved aside to
    // previousAutosave().
    void startAutosave(const QString& path, int intervalMs = 3000);
    QString previousAutosave() const { return m_previous; }
    static QString defaultAutosavePath();
    bool saveNow();

    trace::Session& session() const { return *m_session; }
    QString currentFile() const { return m_currentFile; }

signals:
    // The journal now holds a file's content.
    void opened(const QString& path, ladder::ui::SessionFiles::FileKind kind);
    void autosaveFailed(const QString& error);
    // startOpen()'s load: bytes read of the file's size.
    void loadProgress(qint64 done, qint64 total);
    // The journal was cleared for the file (the before-load hook ran); its events follow.
    void loadCommitted(const QString& path);
    // The reconstruction so far (a few times a second while reading).
    void loadTables(const ladder::sip::StackSnapshot& snapshot, const QList<ladder::sctp::AssociationInfo>& associations);
    // The load ended: r.ok with the summary (r.stopped if cancelled), or r.error.
    void loadFinished(const ladder::ui::SessionFiles::Result& r);

private:
    struct Part {
        QString name;
        std::function<QJsonObject()> save;
        std::function<void(const QJsonObject&)> restore;
    };
    void restoreParts();
    Result writeExport(const QString& path, FileKind kind, const std::function<bool(QIODevice*, QString*)>& write) const;
    // Runs the reconstruction over the journal's wire events for the tables (sessions, JSONL).
    void rebuildTables(Result* r) const;
    struct Load;
    void commitLoad(Load* load);
    void endLoad(Load* load, trace::CaptureReconstruction& c);
    void finishCapture(Result* r, const QString& name, const trace::CaptureReadResult& read,
        const trace::ReconstructStats& stats, qsizetype events, const QList<trace::CapturedAssociation>& associations) const;
    Load* m_load = nullptr;

    std::shared_ptr<trace::Journal> m_journal;
    std::unique_ptr<trace::Session> m_session;
    trace::SessionAutosaver* m_autosaver = nullptr;
    QList<Part> m_parts;
    QHash<QString, QByteArray> m_lastDrafts;
    std::function<void()> m_beforeLoad;
    QTimer m_draftTimer;
    QThreadPool m_draftWriter; // one thread: drafts are written in the order collected
    QString m_previous;
    QString m_currentFile;
};

} // namespace ladder::ui
