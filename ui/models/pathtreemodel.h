// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractItemModel>
#include <QList>

namespace ladder::ui {

class AssociationModel;

// The Associations view's tree: each association is a row with one child row per path (peer
// address) — its state, whether it is the primary, and usrsctp's RTO, SRTT, cwnd and MTU for it —
// so a multi-homed association's failover reads like the table of any other figure. Association
// cells come from the flat AssociationModel (the source of truth for the Streams view and the
// composer).
//
// Snapshots arrive at 10 Hz: when only values change the tree says dataChanged; when associations
// or paths appear or vanish it is reset (begun before the source changes, ended after) and
// LiveView puts the selection back by key. A path row's key is its association's.
class PathTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    explicit PathTreeModel(AssociationModel* source, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    AssociationModel* source() const { return m_source; }

private:
    QList<int> layout() const; // paths per association row
    void sync();
    QVariant pathData(int association, int path, int column, int role) const;

    AssociationModel* m_source;
    QList<int> m_pathCounts;
    bool m_resetting = false;
};

} // namespace ladder::ui
