// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QIODevice>
#include <QMutex>
#include <QStringList>

#include <atomic>
#include <memory>

namespace ladder::trace {

class Journal;

// A whole session in one file: the journal plus named opaque blobs that other parts own (composer
// drafts, lab configuration — each owner puts its own JSON in and takes it back out).
//
// File format, version 2 (written since 2026-12; version 1 below is still read). Everything after
// the magic is written with QDataStream (Qt 6.4, big-endian):
//   "LADDERLAB-SESSION\n"           18 bytes of magic
//   quint32 version                 2
//   qint64  epochNs                 Journal::epochNs
//   records, each a quint8 kind and its fields:
//     'S'  quint32 n, n × QString   endpoint strings, appended to the table events refer to by index
//     'E'  QByteArray               a chunk of up to 4096 events in the eventcodec.h encoding
//     'B'  QString name, QByteArray a blob's value (empty: removed); a later one replaces an earlier
//     'C'  quint64 events so far    commit: the file's content is everything up to its last commit
// A whole save is one run of records ending in a commit; the autosaver appends the strings, events
// and blobs that are new since its last save and another commit, so a save costs what changed, not
// the whole journal again. Bytes after the last commit (an append cut short) are left out and
// reported (FileContent::tornBytes); a file without a commit loads nothing.
//
// Version 1: magic, quint32 1, qint64 epochNs, quint32 blob count and the blobs (QString name,
// QByteArray data), quint32 string count and the strings, quint64 event count, QByteArray chunks
// until the count is reached, "END\n".
// Loading checks every length and index; a malformed file loads nothing into the journal.
class Session {
public:
    explicit Session(std::shared_ptr<Journal> journal);

    Journal& journal() const { return *m_journal; }
    std::shared_ptr<Journal> sharedJournal() const { return m_journal; }

    // Thread-safe. An empty QByteArray removes the blob.
    void setBlob(const QString& name, const QByteArray& data);
    QByteArray blob(const QString& name) const;
    QStringList blobNames() const;
    // Grows with every setBlob, so that the autosaver knows when blobs changed.
    quint64 revision() const { return m_revision.load(); }

    // Writes atomically (QSaveFile): the old file stays until the new one is complete. The journal
    // is written as it was when the call started; appends may go on meanwhile.
    bool save(const QString& path, QString* error = nullptr) const;
    // Replaces the journal's content, its epoch and the blobs with the file's. *warning (if given)
    // says when bytes after the file's last commit were left out.
    bool load(const QString& path, QString* error = nullptr, QString* warning = nullptr);

    struct FileContent {
        qint64 epochNs = 0;
        QHash<QString, QByteArray> blobs;
        quint64 events = 0;
        qint64 tornBytes = 0; // after the last commit, left out (an append cut short, or damage)
        QString tornWarning() const; // "the last N bytes … were left out", or empty
    };
    // Reads a session file without a Session: events go to sink (ladderctl, tests).
    static bool read(const QString& path, const EventSink& sink, FileContent* content, QString* error);
    static bool looksLikeSession(const QByteArray& head);

private:
    friend class SessionFileWriter;
    static bool readV1(QIODevice& f, const QString& path, const EventSink& sink, FileContent* content, QString* error);
    static bool readV2(QIODevice& f, const QString& path, const EventSink& sink, FileContent* content, QString* error);
    QHash<QString, QByteArray> blobs() const;

    std::shared_ptr<Journal> m_journal;
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_blobs;
    std::atomic<quint64> m_revision { 0 };
};

// Keeps a session file up to date: the first update() writes the whole file atomically, later ones
// append what is new since the last (strings, events, changed blobs) and a commit — what the
// autosaver runs, so that a long live capture is not written again every few seconds. A journal
// cleared or with a new epoch since, or an append that failed, makes the next update write the
// whole file again. One thread at a time.
class SessionFileWriter {
public:
    SessionFileWriter(const Session& session, QString path);
    bool update(QString* error);
    QString path() const { return m_path; }

private:
    // Writes what is new (the header too when m_whole), ending in a commit; advances the state
    // below. False when the device refused a write.
    bool writeRecords(QIODevice& out);
    void reset();

    const Session& m_session;
    QString m_path;
    bool m_whole = true; // the next update writes the whole file
    quint64 m_generation = 0;
    qint64 m_epochNs = 0;
    quint64 m_next = 0; // the journal's sequence number the next append starts at
    quint64 m_written = 0; // events in the file (discarded ones are not)
    QHash<QString, quint32> m_ids; // the file's string table
    QHash<QString, QByteArray> m_blobs; // as the file has them
    quint64 m_blobRevision = ~quint64(0);
    qint64 m_size = 0; // bytes up to the last commit
};

} // namespace ladder::trace
