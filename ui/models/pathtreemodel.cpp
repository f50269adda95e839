// SPDX-License-Identifier: GPL-3.0-or-later
#include "pathtreemodel.h"

#include "livemodels.h"

#include <QColor>

namespace ladder::ui {

namespace {
    // internalId: 0 for association rows; association row + 1 for its path rows.
    constexpr quintptr kTop = 0;
}

PathTreeModel::PathTreeModel(AssociationModel* source, QObject* parent)
    : QAbstractItemModel(parent)
    , m_source(source)
{
    m_pathCounts = layout();
    auto begin = [this] {
        if (!m_resetting) {
            m_resetting = true;
            beginResetModel();
        }
    };
    auto end = [this] {
        if (!m_resetting)
            return;
        m_pathCounts = layout();
        m_resetting = false;
        endResetModel();
    };
    connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, begin);
    connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(source, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(source, &QAbstractItemModel::rowsInserted, this, end);
    connect(source, &QAbstractItemModel::rowsRemoved, this, end);
    connect(source, &QAbstractItemModel::modelReset, this, end);
    connect(source, &QAbstractItemModel::dataChanged, this, &PathTreeModel::sync);
}

QList<int> PathTreeModel::layout() const
{
    QList<int> counts;
    for (const auto& a : m_source->rows())
        counts.append(int(a.paths.size()));
    return counts;
}

void PathTreeModel::sync()
{
    const QList<int> next = layout();
    if (next != m_pathCounts) {
        beginResetModel();
        m_pathCounts = next;
        endResetModel();
        return;
    }
    if (m_pathCounts.isEmpty())
        return;
    const int last = columnCount() - 1;
    emit dataChanged(index(0, 0), index(int(m_pathCounts.size()) - 1, last));
    for (int i = 0; i < m_pathCounts.size(); ++i)
        if (m_pathCounts[i] > 0) {
            const QModelIndex parent = index(i, 0);
            emit dataChanged(index(0, 0, parent), index(m_pathCounts[i] - 1, last, parent));
        }
}

QModelIndex PathTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= columnCount() || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_pathCounts.size() ? createIndex(row, column, kTop) : QModelIndex();
    if (parent.internalId() != kTop || parent.row() >= m_pathCounts.size() || row >= m_pathCounts[parent.row()])
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex PathTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kTop)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTop);
}

int PathTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_pathCounts.size());
    if (parent.internalId() != kTop || parent.column() != 0 || parent.row() >= m_pathCounts.size())
        return 0;
    return m_pathCounts[parent.row()];
}

int PathTreeModel::columnCount(const QModelIndex&) const { return AssociationModel::ColumnCount; }

QVariant PathTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source->headerData(section, orientation, role);
}

QVariant PathTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == kTop) {
        if (index.row() >= m_pathCounts.size())
            return {};
        // With the paths as children, the association's own Paths cell sums them up.
        if (index.column() == AssociationModel::PathsColumn && m_pathCounts[index.row()] > 0
            && (role == Qt::DisplayRole || role == SnapshotTableModelBase::SortRole)) {
            const auto& a = m_source->at(index.row());
            int active = 0;
            for (const auto& p : a.paths)
                active += p.stateName == QLatin1String("active");
            const QString paths = a.paths.size() == 1 ? tr("1 path") : tr("%1 paths").arg(a.paths.size());
            return tr("%1, %2 active, primary %3").arg(paths).arg(active).arg(a.primaryPath);
        }
        return m_source->index(index.row(), index.column()).data(role);
    }
    const int association = int(index.internalId() - 1);
    if (association >= m_pathCounts.size() || index.row() >= m_pathCounts[association])
        return {};
    return pathData(association, index.row(), index.column(), role);
}

QVariant PathTreeModel::pathData(int association, int path, int column, int role) const
{
    const auto& a = m_source->at(association);
    const auto& p = a.paths.at(path);
    if (role == SnapshotTableModelBase::KeyRole)
        return a.id;
    if (role == Qt::ForegroundRole && column == AssociationModel::StateColumn) {
        if (p.stateName == QLatin1String("active"))
            return QColor(0x43, 0xa0, 0x47);
        if (p.stateName == QLatin1String("inactive"))
            return QColor(0xe5, 0x39, 0x35);
        return QColor(0x75, 0x75, 0x75);
    }
    if (role == Qt::ToolTipRole)
        return tr("Path to %1 of association %2: %3%4. RTO %5 ms, smoothed RTT %6 ms, congestion window %7 bytes, MTU %8.")
            .arg(p.address)
            .arg(a.id)
            .arg(p.stateName, p.primary ? tr(", the primary path") : QString())
            .arg(p.rto)
            .arg(p.srtt)
            .arg(p.cwnd)
            .arg(p.mtu);
    if (role != Qt::DisplayRole && role != SnapshotTableModelBase::SortRole)
        return {};
    switch (column) {
    case AssociationModel::IdColumn: return p.primary ? tr("path (primary)") : tr("path");
    case AssociationModel::PeerColumn: return p.address;
    case AssociationModel::StateColumn: return p.stateName;
    case AssociationModel::PathsColumn:
        return tr("rto %1 ms · srtt %2 ms · cwnd %3 · mtu %4").arg(p.rto).arg(p.srtt).arg(p.cwnd).arg(p.mtu);
    default: return {};
    }
}

} // namespace ladder::ui
