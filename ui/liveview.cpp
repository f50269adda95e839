// SPDX-License-Identifier: GPL-3.0-or-later
#include "liveview.h"

#include "models/snapshottablemodel.h"
#include "models/twoleveltreemodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QKeySequence>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace ladder::ui {

LiveView::LiveView(QAbstractItemModel* model, const QString& filterHint, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
{
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(2);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(filterHint);
    m_filter->setClearButtonEnabled(true);
    box->addWidget(m_filter);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(SnapshotTableModelBase::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->setRecursiveFilteringEnabled(true); // a matching fork keeps its group row

    if (qobject_cast<TwoLevelTreeModel*>(model)) {
        m_tree = new QTreeView(this);
        m_view = m_tree;
        m_tree->setModel(m_proxy);
        m_tree->setRootIsDecorated(false);
        m_tree->setUniformRowHeights(true);
        // A tree model (the Dialogs view's fork groups) shows its branches, open; a reset (the
        // structure changed) puts the selection back by key.
        auto hasChildren = [this] {
            for (int r = 0; r < m_proxy->rowCount(); ++r)
                if (m_proxy->hasChildren(m_proxy->index(r, 0)))
                    return true;
            return false;
        };
        connect(m_proxy, &QAbstractItemModel::modelReset, this, [this, hasChildren] {
            const bool tree = hasChildren();
            m_tree->setRootIsDecorated(tree);
            if (tree)
                m_tree->expandAll();
        });
        // Rows inserted without a reset (a live capture's new dialogs): a fork group that appears,
        // or gets its first children, is shown open like the others.
        connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
            if (parent.isValid()) {
                m_tree->setRootIsDecorated(true);
                m_tree->expand(parent);
                return;
            }
            for (int r = first; r <= last; ++r)
                if (const QModelIndex i = m_proxy->index(r, 0); m_proxy->hasChildren(i)) {
                    m_tree->setRootIsDecorated(true);
                    m_tree->expand(i);
                }
        });
    } else {
        // Looks like the tree views beside it: no grid, no row numbers, rows of one height.
        m_table = new QTableView(this);
        m_view = m_table;
        m_table->setModel(m_proxy);
        m_table->setShowGrid(false);
        m_table->setWordWrap(false);
        m_table->setCornerButtonEnabled(false);
        m_table->verticalHeader()->hide();
        m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
        m_table->verticalHeader()->setResizeContentsPrecision(0);
        m_table->horizontalHeader()->setHighlightSections(false);
        m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    }
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_keyBeforeReset = currentKey(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        if (m_keyBeforeReset)
            selectKey(m_keyBeforeReset);
    });
    m_view->setAlternatingRowColors(true);
    if (m_tree)
        m_tree->setSortingEnabled(true);
    else
        m_table->setSortingEnabled(true);
    // Rows in the order their objects appeared (newest last, as sngrep lists calls) until the
    // user sorts by a column: a live capture appends thousands a second, which then stay at the
    // end instead of each being placed among all the others.
    sortByColumn(-1, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    header()->setSectionResizeMode(QHeaderView::Interactive);
    // Fitting a column to its contents lays out the text of the rows on screen only, not of a
    // thousand more (Qt's default): a live capture's tables hold hundreds of thousands of rows,
    // and the refit below runs once a second.
    header()->setResizeContentsPrecision(0);
    header()->setStretchLastSection(true);
    box->addWidget(m_view, 1);
    // Columns fit their content when the first rows arrive (after a clear too), capped so one long
    // route set cannot push the rest out of sight. Tree models change structure by resets (a path
    // or a fork appears), so each reset may widen the columns to fit what became visible — until
    // the user sizes a column by hand; from then on the user's widths stay.
    auto fit = [this](bool widenOnly) {
        if (m_proxy->rowCount() == 0 || (widenOnly && m_userSized))
            return;
        m_sized = true;
        m_fitting = true;
        for (int c = 0; c < m_proxy->columnCount() - 1; ++c) {
            const int before = columnWidth(c);
            if (m_tree)
                m_tree->resizeColumnToContents(c);
            else
                m_table->resizeColumnToContents(c);
            const int fitted = std::min(columnWidth(c), 320);
            setColumnWidth(c, widenOnly ? std::max(before, fitted) : fitted);
        }
        m_fitting = false;
    };
    connect(header(), &QHeaderView::sectionResized, this, [this](int section) {
        // The last section stretches with the view: only the others are the user's doing.
        if (!m_fitting && section < header()->count() - 1)
            m_userSized = true;
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this, fit] {
        if (!m_sized)
            fit(false);
    });
    // Counters grow in place ("0 (0 B)" becomes "41 (16.0 KiB)"): widen the columns to fit, at
    // most once a second (fitting reads every visible row), until the user sizes a column.
    auto* refit = new QTimer(this);
    refit->setObjectName(QStringLiteral("columnRefit")); // tests check it is (not) scheduled
    refit->setSingleShot(true);
    refit->setInterval(1000);
    connect(refit, &QTimer::timeout, this, [fit] { fit(true); });
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, [this, refit] {
        if (m_sized && !m_userSized && !refit->isActive())
            refit->start();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this, fit] {
        if (m_proxy->rowCount() == 0) {
            m_sized = false;
            m_userSized = false;
            return;
        }
        fit(m_sized);
    });

    // Filter as the user types, but only once they pause: re-filtering a large table per key
    // press would stutter.
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { m_proxy->setFilterFixedString(m_filter->text()); });

    connect(m_view, &QWidget::customContextMenuRequested, this, &LiveView::showMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex&) { emit currentKeyChanged(currentKey()); });
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        emit showOnTimeline(index.data(SnapshotTableModelBase::KeyRole).toULongLong());
    });

    auto* copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, [this] { QApplication::clipboard()->setText(selectionAsText()); });
    m_view->addAction(copy);
}

QHeaderView* LiveView::header() const
{
    return m_tree ? m_tree->header() : m_table->horizontalHeader();
}

int LiveView::columnWidth(int column) const
{
    return m_tree ? m_tree->columnWidth(column) : m_table->columnWidth(column);
}

void LiveView::setColumnWidth(int column, int width)
{
    if (m_tree)
        m_tree->setColumnWidth(column, width);
    else
        m_table->setColumnWidth(column, width);
}

void LiveView::sortByColumn(int column, Qt::SortOrder order)
{
    if (m_tree)
        m_tree->sortByColumn(column, order);
    else
        m_table->sortByColumn(column, order);
}

quint64 LiveView::currentKey() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? i.siblingAtColumn(0).data(SnapshotTableModelBase::KeyRole).toULongLong() : 0;
}

bool LiveView::selectKey(quint64 key)
{
    if (!key)
        return false;
    const QModelIndexList hits = m_proxy->match(m_proxy->index(0, 0), SnapshotTableModelBase::KeyRole,
        QVariant::fromValue(key), 1, Qt::MatchExactly | Qt::MatchRecursive);
    if (hits.isEmpty())
        return false;
    const QModelIndex proxyIndex = hits.first();
    m_view->selectionModel()->setCurrentIndex(
        proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(proxyIndex);
    return true;
}

QString LiveView::selectionAsText() const
{
    QStringList lines;
    QStringList head;
    for (int c = 0; c < m_proxy->columnCount(); ++c)
        head << m_proxy->headerData(c, Qt::Horizontal).toString();
    lines << head.join(QLatin1Char('\t'));
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const QModelIndex& r : std::as_const(rows)) {
        QStringList cells;
        for (int c = 0; c < m_proxy->columnCount(); ++c)
            cells << r.siblingAtColumn(c).data().toString();
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void LiveView::showMenu(const QPoint& pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    QMenu menu(this);
    const quint64 key = index.isValid() ? index.siblingAtColumn(0).data(SnapshotTableModelBase::KeyRole).toULongLong() : 0;
    QAction* show = menu.addAction(tr("Show on Timeline and in Inspector"));
    show->setEnabled(key != 0);
    connect(show, &QAction::triggered, this, [this, key] { emit showOnTimeline(key); });
    for (const auto& [text, fn] : m_rowActions)
        menu.addAction(text, this, [fn = fn, key] { fn(key); })->setEnabled(key != 0);
    menu.addAction(tr("Copy as Text"), this, [this] { QApplication::clipboard()->setText(selectionAsText()); });
    menu.addSeparator();
    menu.addAction(tr("Clear Filter"), m_filter, &QLineEdit::clear);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace ladder::ui
