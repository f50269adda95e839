// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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
// A flat model is shown in a QTableView, a tree (TwoLevelTreeModel: fork groups, paths) in a
// QTreeView: a tree view lays out every row again whenever rows are added at the top level, which
// a live capture does four times a second into hundreds of thousands of transactions.
class LiveView : public QWidget {
    Q_OBJECT
public:
    // model: a flat SnapshotTableModel or a tree over one (ForkTreeModel); rows carry
    // SnapshotTableModelBase::KeyRole and SortRole.
    LiveView(QAbstractItemModel* model, const QString& filterHint, QWidget* parent = nullptr);

    QAbstractItemView* view() const { return m_view; }
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

private:
    void showMenu(const QPoint& pos);

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
};

} // namespace ladder::ui
