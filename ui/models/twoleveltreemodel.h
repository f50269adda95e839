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
//
// A subclass may follow the source incrementally instead (a live capture's tables grow by
// thousands of rows a second, and a reset re-sorts and re-lays out every row in the views):
// rows appended at the end of the source go to sourceAppended(), values changed in place to
// sourceChanged(); either returning false falls back to the behaviour above.
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

    // Incremental following (see above). followsAppends(): rows appended to the source are
    // announced by sourceAppended() — with begin/endInsertRows of its own — not by a reset.
    virtual bool followsAppends() const { return false; }
    virtual bool sourceAppended(int /*first*/, int /*last*/) { return false; }
    // Source rows first..last changed in columns firstColumn..lastColumn, the structure not.
    virtual bool sourceChanged(int /*first*/, int /*last*/, int /*firstColumn*/, int /*lastColumn*/) { return false; }
    // dataChanged for these rows under parent (sorted in place): one signal per run of rows a
    // few apart, never one range over scattered rows (a view visits every row of a range).
    void emitRowsChanged(QList<int>& rows, const QModelIndex& parent, int firstColumn, int lastColumn);

    static bool isTop(const QModelIndex& index) { return index.internalId() == 0; }
    // The top row a child row belongs to.
    static int topOf(const QModelIndex& child) { return int(child.internalId() - 1); }

private:
    void sync();

    QAbstractItemModel* m_flat;
    bool m_resetting = false;
    bool m_appending = false; // the source is appending rows sourceAppended() will announce
};

} // namespace ladder::ui
