// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>

namespace ladder::trace {

class Session;
class SessionFileWriter;

// Saves a session every few seconds when the journal grew or a blob changed, so that a crash loses
// at most one interval. The first save writes the whole file atomically (QSaveFile); later ones
// append what is new and a commit (SessionFileWriter, session.h), so a long capture is not written
// again on every tick, and a crash mid-append loses only that append. Saves run on a worker thread,
// so the owner's event loop never waits for the disk;
// a tick that finds the previous save still running is skipped, and so is one that comes sooner
// after the last save than that save took (the disk is busy at most half the time).
class SessionAutosaver : public QObject {
    Q_OBJECT
public:
    SessionAutosaver(Session* session, QString path, int intervalMs = 3000, QObject* parent = nullptr);
    ~SessionAutosaver() override;

    void start();
    void stop();
    QString path() const { return m_path; }
    // Saves now on the calling thread (e.g. on quit) if anything changed; true if the file is current.
    bool saveNow();

signals:
    void saved(const QString& path, quint64 events);
    void failed(const QString& error);

private:
    void tick();
    bool dirty(quint64* count, quint64* revision) const;

    Session* m_session;
    QString m_path;
    std::unique_ptr<SessionFileWriter> m_writer; // used by one save at a time
    QTimer m_timer;
    QThread* m_worker = nullptr;
    std::atomic<bool> m_busy { false };
    quint64 m_savedCount = ~quint64(0);
    quint64 m_savedRevision = ~quint64(0);
    qint64 m_lastSaveMs = 0; // how long the last background save took
    QElapsedTimer m_sinceSave; // since it finished
};

} // namespace ladder::trace
