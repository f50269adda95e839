// SPDX-License-Identifier: GPL-3.0-or-later
#include "twoleveltreemodel.h"

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
    connect(m_flat, &QAbstractItemModel::rowsAboutToBeInserted, this, begin);
    connect(m_flat, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(m_flat, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(m_flat, &QAbstractItemModel::rowsInserted, this, end);
    connect(m_flat, &QAbstractItemModel::rowsRemoved, this, end);
    connect(m_flat, &QAbstractItemModel::modelReset, this, end);
    connect(m_flat, &QAbstractItemModel::dataChanged, this, &TwoLevelTreeModel::sync);
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
