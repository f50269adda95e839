// SPDX-License-Identifier: GPL-3.0-or-later
#include "autosaver.h"

#include "journal/journal.h"
#include "session.h"

#include <QElapsedTimer>
#include <QThread>

namespace ladder::trace {

SessionAutosaver::SessionAutosaver(Session* session, QString path, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_path(std::move(path))
    , m_writer(std::make_unique<SessionFileWriter>(*session, m_path))
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &SessionAutosaver::tick);
}

SessionAutosaver::~SessionAutosaver()
{
    m_timer.stop();
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
    }
}

void SessionAutosaver::start()
{
    m_timer.start();
}

void SessionAutosaver::stop()
{
    m_timer.stop();
}

bool SessionAutosaver::dirty(quint64* count, quint64* revision) const
{
    *count = m_session->journal().count();
    *revision = m_session->revision();
    return *count != m_savedCount || *revision != m_savedRevision;
}

void SessionAutosaver::tick()
{
    quint64 count = 0, revision = 0;
    if (m_busy || !dirty(&count, &revision))
        return;
    // A big journal takes a while to write: wait at least as long as the last save took, so the
    // disk is busy at most half the time however large the session grows.
    if (m_sinceSave.isValid() && m_sinceSave.elapsed() < m_lastSaveMs)
        return;
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
    }
    m_busy = true;
    m_worker = QThread::create([this, count, revision] {
        QElapsedTimer took;
        took.start();
        QString error;
        const bool ok = m_writer->update(&error);
        const qint64 ms = took.elapsed();
        // Back on the owner's thread: record what was saved and tell.
        QMetaObject::invokeMethod(
            this,
            [this, ok, error, count, revision, ms] {
                m_busy = false;
                m_lastSaveMs = ms;
                m_sinceSave.start();
                if (ok) {
                    m_savedCount = count;
                    m_savedRevision = revision;
                    emit saved(m_path, count);
                } else {
                    emit failed(error);
                }
            },
            Qt::QueuedConnection);
    });
    m_worker->start();
}

bool SessionAutosaver::saveNow()
{
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
        m_busy = false;
    }
    quint64 count = 0, revision = 0;
    if (!dirty(&count, &revision))
        return true;
    QString error;
    if (!m_writer->update(&error)) {
        emit failed(error);
        return false;
    }
    m_savedCount = count;
    m_savedRevision = revision;
    emit saved(m_path, count);
    return true;
}

} // namespace ladder::trace
