// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <functional>

namespace ladder::ui {

// A table of live objects that arrive as value snapshots from the stack thread. setSnapshots()
// diffs by key: rows whose object is still there are updated in place (dataChanged), new objects
// are appended in one insert, vanished ones are removed range by range — so views keep their
// selection and scroll position while the stack changes underneath at 20 Hz.
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
            m_rows += added;
            reindex();
            endInsertRows();
        }
    }

    void clear()
    {
        beginResetModel();
        m_rows.clear();
        m_index.clear();
        endResetModel();
    }

    const T& at(int row) const { return m_rows.at(row); }
    const QList<T>& rows() const { return m_rows; }
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

    QList<T> m_rows;
    QHash<quint64, int> m_index;
};

} // namespace ladder::ui
