// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractItemModel>

namespace ladder::ui {

// A two-level tree over a flat snapshot model: top rows, each with zero or more child rows; the
// columns and headers are the source's. Subclasses say how the source's rows map onto the tree
// (ForkTreeModel: forks under their request; PathTreeModel: paths under their association) and
// what the cells show; this class keeps the indexes and follows the source.
//
// The source changes at 10 Hz: when only values change the tree says dataChanged for every row;
// when the structure changes it is reset — begun before the source changes (so views still read
// the old mapping, e.g. the current row's key) and ended once the source is consistent.
class TwoLevelTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    explicit TwoLevelTreeModel(QAbstractItemModel* source, QObject* parent = nullptr);
    // Call at the end of the subclass's constructor (it lays out from the source).
    void follow();

    // Computes the layout for the source's current rows and keeps it pending; true if it differs
    // from the one in use. commitLayout() puts the pending one in use.
    virtual bool prepareLayout() = 0;
    virtual void commitLayout() = 0;
    virtual int topCount() const = 0;
    virtual int childCount(int top) const = 0;

    static bool isTop(const QModelIndex& index) { return index.internalId() == 0; }
    // The top row a child row belongs to.
    static int topOf(const QModelIndex& child) { return int(child.internalId() - 1); }

private:
    void sync();

    QAbstractItemModel* m_flat;
    bool m_resetting = false;
};

} // namespace ladder::ui
