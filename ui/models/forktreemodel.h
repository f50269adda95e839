// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractItemModel>
#include <QList>

namespace ladder::ui {

class DialogModel;

// The Dialogs view's tree: dialogs that one request created — a forked INVITE answered with
// several To tags (SIP_DIALOG_ON_FORK), same Call-ID and local tag — are grouped as children of a
// row for that request; a dialog with no siblings is a top-level row of its own. Cells of dialog
// rows are the flat DialogModel's (which stays the source of truth for the composer and the other
// views); a group row sums its children up.
//
// Snapshots update the flat model at 10 Hz: when only values change the tree says dataChanged;
// when dialogs appear or vanish (a few times per call) it is reset — begun before the source
// changes, ended after — and LiveView puts the selection back by key.
class ForkTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    explicit ForkTreeModel(DialogModel* source, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    DialogModel* source() const { return m_source; }
    // Number of fork groups (requests that created more than one dialog).
    int groupCount() const;

private:
    struct Entry {
        QList<int> sourceRows; // one: a plain dialog; several: the forks of one request
        QByteArray groupKey; // Call-ID + local tag for groups, empty for plain dialogs
    };
    QList<Entry> layout() const;
    void sync();
    QVariant groupData(const Entry& e, int column, int role) const;

    DialogModel* m_source;
    QList<Entry> m_entries;
    bool m_resetting = false;
};

} // namespace ladder::ui
