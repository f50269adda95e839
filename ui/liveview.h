// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QWidget>

#include <functional>
#include <utility>
#include <vector>

class QAbstractItemModel;
class QAbstractItemView;
class QHeaderView;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QTreeView;

namespace ladder::ui {

// A live table with what a user of Wireshark expects around it: a filter box (debounced), sorting
// by any column, copy as text, and a context menu that jumps to the timeline and the inspector.
// A flat model is shown in a QTableView; a tree (TwoLevelTreeModel: fork groups, paths) in a
// QTableView too while no row has children, and in a QTreeView from the first group on: a tree
// view lays out every row again whenever rows are added at the top level, which a live capture
// does four times a second into a hundred thousand dialogs.
class LiveView : public QWidget {
    Q_OBJECT
public:
    // model: a flat SnapshotTableModel or a tree over one (ForkTreeModel); rows carry
    // SnapshotTableModelBase::KeyRole and SortRole.
    LiveView(QAbstractItemModel* model, const QString& filterHint, QWidget* parent = nullptr);

    // The view on show: the table, or for a tree model while some row has children the tree.
    QAbstractItemView* view() const { return m_view; }
    QList<QAbstractItemView*> views() const; // the table, and the tree for a tree model
    QTreeView* treeView() const { return m_tree; } // null for a flat model
    QHeaderView* header() const;
    int columnWidth(int column) const;
    void setColumnWidth(int column, int width);
    void sortByColumn(int column, Qt::SortOrder order);
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QLineEdit* filterEdit() const { return m_filter; }
    // Key of the object in the current row, or 0.
    quint64 currentKey() const;
    // Selects the row of the object with this key (highlighting from another view).
    bool selectKey(quint64 key);
    // The selected rows as tab-separated text with a header line.
    QString selectionAsText() const;
    // An extra context-menu entry for a row's object ("Show TSN graph" on associations).
    void addRowAction(const QString& text, std::function<void(quint64 key)> fn) { m_rowActions.emplace_back(text, std::move(fn)); }

signals:
    void showOnTimeline(quint64 key);
    void currentKeyChanged(quint64 key);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void showMenu(const QPoint& pos);
    void showTree(bool tree); // the tree in the table's place, or back
    QHeaderView* headerOf(QAbstractItemView* v) const;
    // Fits the columns to the rows on screen (widenOnly: never narrower, and not once the user
    // sized a column), or when the view is next shown if it is hidden.
    void fitColumns(bool widenOnly);

    QAbstractItemModel* m_model;
    std::vector<std::pair<QString, std::function<void(quint64)>>> m_rowActions;
    quint64 m_keyBeforeReset = 0;
    QSortFilterProxyModel* m_proxy;
    QTreeView* m_tree = nullptr;
    QTableView* m_table = nullptr;
    QAbstractItemView* m_view;
    QLineEdit* m_filter;
    QTimer* m_debounce;
    bool m_sized = false;
    bool m_userSized = false; // the user resized a column: resets no longer widen them
    bool m_fitting = false; // our own resizes in progress
    bool m_fitWhenShown = false; // a fit asked for while the view was hidden
};

} // namespace ladder::ui
