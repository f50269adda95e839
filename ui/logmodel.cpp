// SPDX-License-Identifier: GPL-3.0-or-later
#include "logmodel.h"

#include <QColor>
#include <QElapsedTimer>

namespace ladder::ui {

JournalFollower::JournalFollower(std::shared_ptr<trace::Journal> journal, QObject* parent)
    : QObject(parent)
    , m_journal(std::move(journal))
    , m_generation(m_journal ? m_journal->generation() : 0)
{
    m_timer.setInterval(50); // ≤ 20 Hz
    connect(&m_timer, &QTimer::timeout, this, &JournalFollower::pollSliced);
    m_timer.start();
}

void JournalFollower::setJournal(std::shared_ptr<trace::Journal> journal)
{
    m_journal = std::move(journal);
    m_seen = 0;
    m_generation = m_journal ? m_journal->generation() : 0;
    emit reset();
    poll();
}

void JournalFollower::poll()
{
    read(50000);
}

void JournalFollower::pollSliced()
{
    m_moreQueued = false;
    QElapsedTimer spent;
    spent.start();
    while (read(4096)) {
        if (spent.elapsed() >= 20) {
            m_moreQueued = true;
            QTimer::singleShot(0, this, [this] {
                if (m_moreQueued)
                    pollSliced();
            });
            return;
        }
    }
}

// One batch of at most `limit` new events; true if more are waiting.
bool JournalFollower::read(quint64 limit)
{
    if (!m_journal)
        return false;
    const quint64 generation = m_journal->generation();
    const quint64 count = m_journal->count();
    if (count < m_seen || generation != m_generation) { // the journal was cleared (and maybe refilled)
        m_seen = 0;
        m_generation = generation;
        emit reset();
    }
    if (count == m_seen)
        return false;
    // Bound one batch so a million-event backlog cannot stall a frame.
    const quint64 n = std::min<quint64>(count - m_seen, limit);
    QVector<trace::Event> batch = m_journal->range(m_seen, n);
    m_seen += quint64(batch.size());
    emit eventsAppended(batch);
    return m_seen < count;
}

LogModel::LogModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void LogModel::append(const QVector<trace::Event>& events)
{
    QVector<Row> rows;
    for (const trace::Event& e : events) {
        switch (e.kind) {
        case trace::Kind::Log: rows.append({ e.timeNs, int(e.a), e.text, e.seq }); break;
        case trace::Kind::Error: rows.append({ e.timeNs, 3, e.text, e.seq }); break;
        case trace::Kind::UserAction: rows.append({ e.timeNs, 1, e.text, e.seq }); break;
        default: break;
        }
    }
    if (rows.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - 1));
    m_rows += rows;
    endInsertRows();
}

void LogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int LogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LogModel::levelName(int level)
{
    switch (level) {
    case 0: return tr("debug");
    case 1: return tr("info");
    case 2: return tr("warning");
    default: return tr("error");
    }
}

QVariant LogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row& r = m_rows.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn: return QString::number(double(r.timeNs) / 1e9, 'f', 6);
        case LevelColumn: return levelName(r.level);
        case TextColumn: return r.text;
        default: return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == LevelColumn) {
        if (r.level >= 3)
            return QColor(0xd3, 0x2f, 0x2f);
        if (r.level == 2)
            return QColor(0xef, 0x6c, 0x00);
    }
    if (role == Qt::TextAlignmentRole && index.column() == TimeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == LevelRole)
        return r.level;
    if (role == EventRole)
        return r.seq;
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time (s)");
    case LevelColumn: return tr("Level");
    case TextColumn: return tr("Message");
    default: return {};
    }
}

} // namespace ladder::ui
