// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/journal.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <memory>

namespace ladder::ui {

// Follows a journal from the UI thread: polls its lock-free count at most 20 times a second and
// hands the new events over in one batch, so a burst of appends costs the UI one update.
class JournalFollower : public QObject {
    Q_OBJECT
public:
    explicit JournalFollower(std::shared_ptr<trace::Journal> journal, QObject* parent = nullptr);
    void setJournal(std::shared_ptr<trace::Journal> journal);
    trace::Journal* journal() const { return m_journal.get(); }
    quint64 seen() const { return m_seen; }
    // Reads whatever is new now, up to 50 000 events (tests call it instead of waiting for the timer).
    void poll();

signals:
    void eventsAppended(const QVector<ladder::trace::Event>& events);
    void reset();

private:
    // The timer's read: batches of a few thousand events for at most ~20 ms, then the rest on
    // the next turn of the event loop — a backlog (a live capture's burst, the window busy a
    // moment) never becomes one long stall.
    void pollSliced();
    bool read(quint64 limit);

    std::shared_ptr<trace::Journal> m_journal;
    QTimer m_timer;
    bool m_moreQueued = false;
    quint64 m_seen = 0;
    quint64 m_generation = 0;
};

// The Log dock: log lines, errors and user actions from the journal.
class LogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, LevelColumn, TextColumn, ColumnCount };
    enum Role { EventRole = Qt::UserRole, LevelRole };

    explicit LogModel(QObject* parent = nullptr);

    void append(const QVector<trace::Event>& events);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString levelName(int level);

private:
    struct Row {
        qint64 timeNs;
        int level;
        QString text;
        quint64 seq;
    };
    QVector<Row> m_rows;
};

} // namespace ladder::ui
