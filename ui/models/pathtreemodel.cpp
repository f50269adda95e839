// SPDX-License-Identifier: GPL-3.0-or-later
#include "pathtreemodel.h"

#include "livemodels.h"

#include <QColor>

namespace ladder::ui {

PathTreeModel::PathTreeModel(AssociationModel* source, QObject* parent)
    : TwoLevelTreeModel(source, parent)
    , m_source(source)
{
    follow();
}

bool PathTreeModel::prepareLayout()
{
    m_next.clear();
    for (const auto& a : m_source->rows())
        m_next.append(int(a.paths.size()));
    return m_next != m_pathCounts;
}

QVariant PathTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (isTop(index)) {
        if (index.row() >= m_pathCounts.size() || index.row() >= m_source->rowCount())
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
    const int association = topOf(index);
    if (association >= m_pathCounts.size() || index.row() >= m_pathCounts[association])
        return {};
    return pathData(association, index.row(), index.column(), role);
}

QVariant PathTreeModel::pathData(int association, int path, int column, int role) const
{
    if (association >= m_source->rowCount() || path >= m_source->at(association).paths.size())
        return {}; // the source moved on; the tree follows at its next signal
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
