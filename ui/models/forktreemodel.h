// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "shardedhash.h"
#include "twoleveltreemodel.h"

#include <QByteArray>
#include <QHash>
#include <QList>

namespace ladder::ui {

class DialogModel;

// The Dialogs view's tree: dialogs that one request created — a forked INVITE answered with
// several To tags (SIP_DIALOG_ON_FORK), same Call-ID and local tag — are grouped as children of a
// row for that request; a dialog with no siblings is a top-level row of its own. Cells of dialog
// rows are the flat DialogModel's (which stays the source of truth for the composer and the other
// views); a group row sums its children up.
//
// The structure changes when dialogs appear or vanish (a few times per call): dialogs appended to
// the source (a live capture's new ones) become rows of their own or children of their request,
// announced as inserted rows; a dialog vanishing resets the tree, and LiveView puts the selection
// back by key. A dialog's grouping key never changes, so a changed dialog is just its rows'
// dataChanged.
class ForkTreeModel : public TwoLevelTreeModel {
    Q_OBJECT
public:
    explicit ForkTreeModel(DialogModel* source, QObject* parent = nullptr);

    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    DialogModel* source() const { return m_source; }
    // Number of fork groups (requests that created more than one dialog).
    int groupCount() const;

protected:
    bool prepareLayout() override;
    void commitLayout() override;
    int topCount() const override { return m_visibleTops; }
    int childCount(int top) const override;
    bool followsAppends() const override { return true; }
    bool sourceAppended(int first, int last) override;
    bool sourceChanged(int first, int last, int firstColumn, int lastColumn) override;

private:
    struct Entry {
        QList<int> sourceRows; // one: a plain dialog; several: the forks of one request
        QByteArray groupKey; // Call-ID + local tag for groups, empty for plain dialogs
        bool operator==(const Entry&) const = default;
    };
    QVariant groupData(const Entry& e, int column, int role) const;

    struct Place {
        int entry = 0; // in m_entries
        int child = 0; // place in the entry's sourceRows
    };

    DialogModel* m_source;
    QList<Entry> m_entries, m_next; // in use, pending
    QList<Place> m_where, m_nextWhere; // by source row
    ShardedHash<QByteArray, int> m_groupOf, m_nextGroupOf; // grouping key → entry (shardedhash.h)
    int m_visibleTops = 0; // entries announced to the views (sourceAppended adds, then announces)
};

} // namespace ladder::ui
