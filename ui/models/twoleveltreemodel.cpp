// SPDX-License-Identifier: GPL-3.0-or-later
#include "twoleveltreemodel.h"

#include <algorithm>

namespace ladder::ui {

// internalId: 0 for top rows; top row + 1 for their children.

TwoLevelTreeModel::TwoLevelTreeModel(QAbstractItemModel* source, QObject* parent)
    : QAbstractItemModel(parent)
    , m_flat(source)
{
}

void TwoLevelTreeModel::follow()
{
    prepareLayout();
    commitLayout();
    auto begin = [this] {
        if (!m_resetting) {
            m_resetting = true;
            beginResetModel();
        }
    };
    auto end = [this] {
        if (!m_resetting)
            return;
        prepareLayout();
        commitLayout();
        m_resetting = false;
        endResetModel();
    };
    connect(m_flat, &QAbstractItemModel::rowsAboutToBeInserted, this,
        [this, begin](const QModelIndex& parent, int first, int) {
            // Appended source rows leave the mapping of the others as it is: nothing to begin.
            if (!parent.isValid() && first == m_flat->rowCount() && followsAppends() && !m_resetting) {
                m_appending = true;
                return;
            }
            begin();
        });
    connect(m_flat, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(m_flat, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(m_flat, &QAbstractItemModel::rowsInserted, this, [this, end](const QModelIndex&, int first, int last) {
        if (!m_appending) {
            end();
            return;
        }
        m_appending = false;
        if (!sourceAppended(first, last)) {
            beginResetModel();
            prepareLayout();
            commitLayout();
            endResetModel();
        }
    });
    connect(m_flat, &QAbstractItemModel::rowsRemoved, this, end);
    connect(m_flat, &QAbstractItemModel::modelReset, this, end);
    connect(m_flat, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
            if (m_resetting || !topLeft.isValid()
                || !sourceChanged(topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column()))
                sync();
        });
}

void TwoLevelTreeModel::emitRowsChanged(QList<int>& rows, const QModelIndex& parent, int firstColumn, int lastColumn)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    constexpr int kJoinGap = 8;
    for (qsizetype i = 0; i < rows.size();) {
        qsizetype j = i;
        while (j + 1 < rows.size() && rows[j + 1] - rows[j] <= kJoinGap)
            ++j;
        emit dataChanged(index(rows[i], firstColumn, parent), index(rows[j], lastColumn, parent));
        i = j + 1;
    }
}

void TwoLevelTreeModel::sync()
{
    if (prepareLayout()) {
        beginResetModel();
        commitLayout();
        endResetModel();
        return;
    }
    const int tops = topCount();
    if (tops == 0)
        return;
    const int last = columnCount() - 1;
    emit dataChanged(index(0, 0), index(tops - 1, last));
    for (int i = 0; i < tops; ++i)
        if (const int n = childCount(i); n > 0) {
            const QModelIndex parent = index(i, 0);
            emit dataChanged(index(0, 0, parent), index(n - 1, last, parent));
        }
}

QModelIndex TwoLevelTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= columnCount() || row < 0)
        return {};
    if (!parent.isValid())
        return row < topCount() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (!isTop(parent) || parent.row() >= topCount() || row >= childCount(parent.row()))
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex TwoLevelTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || isTop(child))
        return {};
    return createIndex(topOf(child), 0, quintptr(0));
}

int TwoLevelTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return topCount();
    if (!isTop(parent) || parent.column() != 0 || parent.row() >= topCount())
        return 0;
    return childCount(parent.row());
}

int TwoLevelTreeModel::columnCount(const QModelIndex&) const { return m_flat->columnCount(); }

QVariant TwoLevelTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_flat->headerData(section, orientation, role);
}

} // namespace ladder::ui
