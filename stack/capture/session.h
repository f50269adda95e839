// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QMutex>
#include <QStringList>

#include <atomic>
#include <memory>

namespace ladder::trace {

class Journal;

// A whole session in one file: the journal plus named opaque blobs that other parts own (composer
// drafts, lab configuration — each owner puts its own JSON in and takes it back out).
//
// File format (version 1), everything after the magic written with QDataStream (Qt 6.4, big-endian):
//   "LADDERLAB-SESSION\n"           18 bytes of magic
//   quint32 version                 1
//   qint64  epochNs                 Journal::epochNs
//   quint32 blob count, then per blob: QString name, QByteArray data
//   quint32 string count, then the endpoint strings (QString) the events refer to by index
//   quint64 event count
//   QByteArray chunks of up to 4096 events in the eventcodec.h encoding, until the count is reached
//   "END\n"                          so that truncation is detected
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
    // Replaces the journal's content, its epoch and the blobs with the file's.
    bool load(const QString& path, QString* error = nullptr);

    struct FileContent {
        qint64 epochNs = 0;
        QHash<QString, QByteArray> blobs;
        quint64 events = 0;
    };
    // Reads a session file without a Session: events go to sink (ladderctl, tests).
    static bool read(const QString& path, const EventSink& sink, FileContent* content, QString* error);
    static bool looksLikeSession(const QByteArray& head);

private:
    std::shared_ptr<Journal> m_journal;
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_blobs;
    std::atomic<quint64> m_revision { 0 };
};

} // namespace ladder::trace
