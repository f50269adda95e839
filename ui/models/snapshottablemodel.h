// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "shardedhash.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <algorithm>
#include <deque>
#include <functional>

namespace ladder::ui {

// A model's rows, which stay where they are as more are appended (a std::deque underneath): a
// QList regrowing past hundreds of thousands of snapshots moved every one of them into fresh
// memory in one go, a stall of a tenth of a second in a live capture. The few QList calls the
// models and their readers use.
template<typename T>
class StableRows {
public:
    qsizetype size() const { return qsizetype(m_items.size()); }
    bool isEmpty() const { return m_items.empty(); }
    const T& at(qsizetype i) const { return m_items[std::size_t(i)]; }
    const T& operator[](qsizetype i) const { return m_items[std::size_t(i)]; }
    T& operator[](qsizetype i) { return m_items[std::size_t(i)]; }
    const T& first() const { return m_items.front(); }
    const T& last() const { return m_items.back(); }
    auto begin() const { return m_items.begin(); }
    auto end() const { return m_items.end(); }
    void append(T item) { m_items.push_back(std::move(item)); }
    void remove(qsizetype first, qsizetype count)
    {
        m_items.erase(m_items.begin() + first, m_items.begin() + first + count);
    }
    void clear() { m_items.clear(); }
    QList<T> toList() const { return QList<T>(m_items.begin(), m_items.end()); }

private:
    std::deque<T> m_items;
};

// A table of live objects that arrive as value snapshots from the stack thread. setSnapshots()
// diffs by key: rows whose object is still there are updated in place (dataChanged), new objects
// are appended in one insert, vanished ones are removed range by range — so views keep their
// selection and scroll position while the stack changes underneath at 20 Hz.
//
// upsert() takes only what changed (a live capture's reconstruction, where nothing ever vanishes
// and a whole table would cost in proportion to every call so far): the rows of the objects it
// names are replaced, new objects appended. Its dataChanged leaves out column 0 — the object's
// key, which never changes — so a view sorted by it (the default) is not re-sorted.
class SnapshotTableModelBase : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { KeyRole = Qt::UserRole + 100, SortRole };
    using QAbstractTableModel::QAbstractTableModel;
    // Row of the object with this key, or -1.
    virtual int rowOfKey(quint64 key) const = 0;
};

template<typename T>
class SnapshotTableModel : public SnapshotTableModelBase {
public:
    explicit SnapshotTableModel(QObject* parent = nullptr)
        : SnapshotTableModelBase(parent)
    {
    }

    void setSnapshots(const QList<T>& items)
    {
        QHash<quint64, int> incoming;
        incoming.reserve(items.size());
        for (int i = 0; i < items.size(); ++i)
            incoming.insert(keyOf(items[i]), i);
        // Remove vanished rows, from the bottom so indexes stay valid.
        for (int row = int(m_rows.size()) - 1; row >= 0;) {
            if (incoming.contains(keyOf(m_rows[row]))) {
                --row;
                continue;
            }
            int first = row;
            while (first > 0 && !incoming.contains(keyOf(m_rows[first - 1])))
                --first;
            beginRemoveRows({}, first, row);
            m_rows.remove(first, row - first + 1);
            endRemoveRows();
            row = first - 1;
        }
        reindex();
        // Update in place.
        for (int row = 0; row < m_rows.size(); ++row) {
            const T& next = items[incoming.value(keyOf(m_rows[row]))];
            m_rows[row] = next;
        }
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));
        // Append new ones in one batch.
        QList<T> added;
        for (const T& item : items)
            if (!m_index.contains(keyOf(item)))
                added.append(item);
        if (!added.isEmpty()) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size() - 1));
            for (T& item : added)
                m_rows.append(std::move(item));
            reindex();
            endInsertRows();
        }
    }

    void upsert(const QList<T>& items)
    {
        if (items.isEmpty())
            return;
        QList<int> changed;
        QList<T> added;
        QHash<quint64, qsizetype> addedAt; // an object named twice: its last state, one row
        for (const T& item : items) {
            const quint64 key = keyOf(item);
            const int row = m_index.value(key, -1);
            if (row >= 0) {
                m_rows[row] = item;
                changed.append(row);
            } else if (const auto it = addedAt.constFind(key); it != addedAt.cend()) {
                added[*it] = item;
            } else {
                addedAt.insert(key, added.size());
                added.append(item);
            }
        }
        // One dataChanged per run of changed rows (runs a few rows apart joined): a view works
        // through every row of a range it is told of, on screen or not, so one range over
        // scattered rows would cost in proportion to the whole table.
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        const int last = columnCount() - 1;
        if (last >= 1) {
            for (qsizetype i = 0; i < changed.size();) {
                qsizetype j = i;
                while (j + 1 < changed.size() && changed[j + 1] - changed[j] <= kJoinGap)
                    ++j;
                emit dataChanged(index(changed[i], 1), index(changed[j], last));
                i = j + 1;
            }
        }
        if (!added.isEmpty()) {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(added.size()) - 1);
            for (T& item : added)
                m_rows.append(std::move(item));
            for (int i = first; i < m_rows.size(); ++i)
                m_index.insert(keyOf(m_rows[i]), i);
            endInsertRows();
        }
    }

    static constexpr int kJoinGap = 8; // upsert: changed rows this close share a dataChanged

    void clear()
    {
        beginResetModel();
        m_rows.clear();
        m_index.clear();
        endResetModel();
    }

    const T& at(int row) const { return m_rows.at(row); }
    const StableRows<T>& rows() const { return m_rows; }
    int rowOfKey(quint64 key) const override { return m_index.value(key, -1); }

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }

    QVariant data(const QModelIndex& index, int role) const override
    {
        if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= columnCount())
            return {};
        const T& item = m_rows.at(index.row());
        if (role == KeyRole)
            return keyOf(item);
        return cell(item, index.column(), role);
    }

protected:
    virtual quint64 keyOf(const T& item) const = 0;
    virtual QVariant cell(const T& item, int column, int role) const = 0;

private:
    void reindex()
    {
        m_index.clear();
        for (int i = 0; i < m_rows.size(); ++i)
            m_index.insert(keyOf(m_rows[i]), i);
    }

    StableRows<T> m_rows;
    ShardedHash<quint64, int> m_index; // grows without a whole rehash (shardedhash.h)
};

} // namespace ladder::ui
