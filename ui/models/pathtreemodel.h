// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "twoleveltreemodel.h"

#include <QList>

namespace ladder::ui {

class AssociationModel;

// The Associations view's tree: each association is a row with one child row per path (peer
// address) — its state, whether it is the primary, and usrsctp's RTO, SRTT, cwnd and MTU for it —
// so a multi-homed association's failover reads like the table of any other figure. Association
// cells come from the flat AssociationModel (the source of truth for the Streams view and the
// composer).
//
// The structure changes when associations or paths appear or vanish (LiveView puts the selection
// back by key). A path row's key is its association's.
class PathTreeModel : public TwoLevelTreeModel {
    Q_OBJECT
public:
    explicit PathTreeModel(AssociationModel* source, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    AssociationModel* source() const { return m_source; }

protected:
    bool prepareLayout() override;
    void commitLayout() override { m_pathCounts = m_next; }
    int topCount() const override { return int(m_pathCounts.size()); }
    int childCount(int top) const override { return m_pathCounts.value(top); }

private:
    QVariant pathData(int association, int path, int column, int role) const;

    AssociationModel* m_source;
    QList<int> m_pathCounts, m_next; // paths per association row: in use, pending
};

} // namespace ladder::ui
