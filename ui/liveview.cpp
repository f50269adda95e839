// SPDX-License-Identifier: GPL-3.0-or-later
#include "liveview.h"

#include "models/snapshottablemodel.h"
#include "models/twoleveltreemodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHeaderView>
#include <QKeySequence>
#include <QLineEdit>
#include <QMenu>
#include <QSignalBlocker>
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

    // Every model is shown in a table; a tree model (the Dialogs view's fork groups, the
    // associations' paths) in a tree as well, which takes the table's place while the model has
    // rows with children. A tree view lays out every row again whenever rows are added at the
    // top level (30 ms at 100 000 dialogs, four times a second in a live capture); a table does
    // not, and calls without forks need no branches.
    // Looks like the tree beside it: no grid, no row numbers, rows of one height.
    m_table = new QTableView(this);
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
    m_table->setSortingEnabled(true);
    m_view = m_table;
    if (qobject_cast<TwoLevelTreeModel*>(model)) {
        m_tree = new QTreeView(this);
        m_tree->setModel(m_proxy);
        // One selection for both: the current row stays when the tree takes over.
        QItemSelectionModel* own = m_tree->selectionModel();
        m_tree->setSelectionModel(m_table->selectionModel());
        delete own;
        m_tree->setUniformRowHeights(true);
        m_tree->setSortingEnabled(true);
        m_tree->hide(); // hidden, it lays nothing out
        // The tree shows its branches, open; a reset (the structure changed) puts the selection
        // back by key, and shows the table again once no row has children.
        auto hasChildren = [this] {
            for (int r = 0; r < m_proxy->rowCount(); ++r)
                if (m_proxy->hasChildren(m_proxy->index(r, 0)))
                    return true;
            return false;
        };
        connect(m_proxy, &QAbstractItemModel::modelReset, this, [this, hasChildren] {
            const bool tree = hasChildren();
            if (tree)
                m_tree->expandAll();
            showTree(tree);
        });
        // Rows inserted without a reset (a live capture's new dialogs): a fork group that appears,
        // or gets its first children, is shown open like the others.
        connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
            if (parent.isValid()) {
                m_tree->expand(parent);
                showTree(true);
                return;
            }
            for (int r = first; r <= last; ++r)
                if (const QModelIndex i = m_proxy->index(r, 0); m_proxy->hasChildren(i)) {
                    m_tree->expand(i);
                    showTree(true);
                }
        });
    }
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_keyBeforeReset = currentKey(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        if (m_keyBeforeReset)
            selectKey(m_keyBeforeReset);
    });
    for (QAbstractItemView* v : views()) {
        v->setAlternatingRowColors(true);
        v->setSelectionBehavior(QAbstractItemView::SelectRows);
        v->setSelectionMode(QAbstractItemView::ExtendedSelection);
        v->setContextMenuPolicy(Qt::CustomContextMenu);
        box->addWidget(v, 1);
    }
    // Rows in the order their objects appeared (newest last, as sngrep lists calls) until the
    // user sorts by a column: a live capture appends thousands a second, which then stay at the
    // end instead of each being placed among all the others.
    sortByColumn(-1, Qt::AscendingOrder);
    for (QAbstractItemView* v : views()) {
        QHeaderView* h = headerOf(v);
        h->setSectionResizeMode(QHeaderView::Interactive);
        // Fitting a column to its contents lays out the text of the rows on screen only, not of a
        // thousand more (Qt's default): a live capture's tables hold hundreds of thousands of rows,
        // and the refit below runs once a second.
        h->setResizeContentsPrecision(0);
        h->setStretchLastSection(true);
        connect(h, &QHeaderView::sectionResized, this, [this, h](int section) {
            // The last section stretches with the view: only the others are the user's doing.
            if (h == header() && !m_fitting && section < h->count() - 1)
                m_userSized = true;
        });
    }
    // Columns fit their content when the first rows arrive (after a clear too), capped so one long
    // route set cannot push the rest out of sight. Tree models change structure by resets (a path
    // or a fork appears), so each reset may widen the columns to fit what became visible — until
    // the user sizes a column by hand; from then on the user's widths stay (fitColumns).
    for (QAbstractItemView* v : views())
        v->installEventFilter(this);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_sized)
            fitColumns(false);
    });
    // Counters grow in place ("0 (0 B)" becomes "41 (16.0 KiB)"): widen the columns to fit, at
    // most once a second (fitting reads every visible row), until the user sizes a column.
    auto* refit = new QTimer(this);
    refit->setObjectName(QStringLiteral("columnRefit")); // tests check it is (not) scheduled
    refit->setSingleShot(true);
    refit->setInterval(1000);
    connect(refit, &QTimer::timeout, this, [this] { fitColumns(true); });
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, [this, refit] {
        if (m_sized && !m_userSized && !refit->isActive())
            refit->start();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        if (m_proxy->rowCount() == 0) {
            m_sized = false;
            m_userSized = false;
            return;
        }
        fitColumns(m_sized);
    });

    // Filter as the user types, but only once they pause: re-filtering a large table per key
    // press would stutter.
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] { m_proxy->setFilterFixedString(m_filter->text()); });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex&) { emit currentKeyChanged(currentKey()); });
    auto* copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, [this] { QApplication::clipboard()->setText(selectionAsText()); });
    for (QAbstractItemView* v : views()) {
        connect(v, &QWidget::customContextMenuRequested, this, &LiveView::showMenu);
        connect(v, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
            emit showOnTimeline(index.data(SnapshotTableModelBase::KeyRole).toULongLong());
        });
        v->addAction(copy);
    }
}

QList<QAbstractItemView*> LiveView::views() const
{
    QList<QAbstractItemView*> all { m_table };
    if (m_tree)
        all.append(m_tree);
    return all;
}

void LiveView::showTree(bool tree)
{
    QAbstractItemView* to = tree ? static_cast<QAbstractItemView*>(m_tree) : m_table;
    if (!m_tree || m_view == to)
        return;
    QAbstractItemView* fromView = m_view;
    QHeaderView* from = header();
    m_view = to;
    QHeaderView* h = header();
    // The columns as the user left them, and the same order (the proxy is sorted already).
    m_fitting = true;
    for (int c = 0; c < from->count() - 1; ++c)
        h->resizeSection(c, from->sectionSize(c));
    m_fitting = false;
    {
        const QSignalBlocker quiet(h);
        h->setSortIndicator(from->sortIndicatorSection(), from->sortIndicatorOrder());
    }
    const bool focused = fromView->hasFocus();
    fromView->hide();
    to->show();
    if (focused)
        to->setFocus();
    if (to->currentIndex().isValid())
        to->scrollTo(to->currentIndex());
}

bool LiveView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::Show && m_fitWhenShown)
        fitColumns(m_sized); // a first fit, or a widening that waited (as after a reset)
    return QWidget::eventFilter(watched, event);
}

QHeaderView* LiveView::headerOf(QAbstractItemView* v) const
{
    return m_tree && v == m_tree ? m_tree->header() : m_table->horizontalHeader();
}

QHeaderView* LiveView::header() const
{
    return headerOf(m_view);
}

void LiveView::fitColumns(bool widenOnly)
{
    if (m_proxy->rowCount() == 0 || (widenOnly && m_userSized))
        return;
    // A hidden table measures every row, not those on screen (QTableView::sizeHintForColumn has
    // no viewport to fill): a live capture's first rows arrive while the view is still behind its
    // empty state or in another tab, and fitting 600 transactions' text there cost a 40 ms stall.
    // Fit when the view is shown instead (eventFilter).
    if (!m_view->isVisible()) {
        m_fitWhenShown = true;
        return;
    }
    m_fitWhenShown = false;
    m_sized = true;
    m_fitting = true;
    for (int c = 0; c < m_proxy->columnCount() - 1; ++c) {
        const int before = columnWidth(c);
        if (m_view == m_tree)
            m_tree->resizeColumnToContents(c);
        else
            m_table->resizeColumnToContents(c);
        const int fitted = std::min(columnWidth(c), 320);
        setColumnWidth(c, widenOnly ? std::max(before, fitted) : fitted);
    }
    m_fitting = false;
}

int LiveView::columnWidth(int column) const
{
    return header()->sectionSize(column);
}

void LiveView::setColumnWidth(int column, int width)
{
    header()->resizeSection(column, width);
}

void LiveView::sortByColumn(int column, Qt::SortOrder order)
{
    // The proxy sorts once; the other view's header shows the same order.
    if (m_view == m_tree)
        m_tree->sortByColumn(column, order);
    else
        m_table->sortByColumn(column, order);
    for (QAbstractItemView* v : views())
        if (v != m_view) {
            QHeaderView* h = headerOf(v);
            const QSignalBlocker quiet(h);
            h->setSortIndicator(column, order);
        }
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
