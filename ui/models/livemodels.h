// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sctp/snapshot.h"
#include "sip/snapshot.h"
#include "snapshottablemodel.h"

namespace ladder::ui {

// Colour for a transaction, dialog or association state (the same hue family in every view).
QColor stateColour(const QString& state);

class TransactionModel : public SnapshotTableModel<sip::TransactionSnapshot> {
public:
    enum Column { IdColumn, RoleColumn, MethodColumn, BranchColumn, StateColumn, AgeColumn, TimersColumn,
        RetransmissionsColumn, ConnectionColumn, LastMessageColumn, ColumnCount };
    using SnapshotTableModel::SnapshotTableModel;
    // Scheduler time of the snapshot: ages and timer countdowns are relative to it.
    void setNow(qint64 nowNs) { m_nowNs = nowNs; }
    qint64 now() const { return m_nowNs; }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    quint64 keyOf(const sip::TransactionSnapshot& t) const override { return t.id; }
    QVariant cell(const sip::TransactionSnapshot& t, int column, int role) const override;

private:
    qint64 m_nowNs = 0;
};

class DialogModel : public SnapshotTableModel<sip::DialogSnapshot> {
public:
    enum Column { CallIdColumn, LocalTagColumn, RemoteTagColumn, RoleColumn, StateColumn, LocalCSeqColumn,
        RemoteCSeqColumn, RouteSetColumn, RemoteTargetColumn, ForkColumn, ColumnCount };
    using SnapshotTableModel::SnapshotTableModel;
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    // Dialogs that share a Call-ID and local tag are forks of one request.
    int siblings(const sip::DialogSnapshot& d) const;

protected:
    quint64 keyOf(const sip::DialogSnapshot& d) const override { return d.id; }
    QVariant cell(const sip::DialogSnapshot& d, int column, int role) const override;
};

class AssociationModel : public SnapshotTableModel<sctp::AssociationInfo> {
public:
    enum Column { IdColumn, LocalColumn, PeerColumn, StateColumn, PathsColumn, StreamsColumn, PrSctpColumn,
        RetransmissionsColumn, AbandonedColumn, ColumnCount };
    using SnapshotTableModel::SnapshotTableModel;
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    static QString pathsText(const sctp::AssociationInfo& a);

protected:
    quint64 keyOf(const sctp::AssociationInfo& a) const override { return a.id; }
    QVariant cell(const sctp::AssociationInfo& a, int column, int role) const override;
};

struct StreamRow {
    quint64 association = 0;
    sctp::StreamInfo stream;
};

class StreamModel : public SnapshotTableModel<StreamRow> {
public:
    enum Column { AssociationColumn, StreamColumn, QueuedColumn, SentColumn, ReceivedColumn, AbandonedColumn,
        NextSsnColumn, OrderingColumn, ColumnCount };
    using SnapshotTableModel::SnapshotTableModel;
    void setAssociations(const QList<sctp::AssociationInfo>& associations);
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    quint64 keyOf(const StreamRow& r) const override { return (r.association << 16) | r.stream.sid; }
    QVariant cell(const StreamRow& r, int column, int role) const override;
};

} // namespace ladder::ui
