// SPDX-License-Identifier: GPL-3.0-or-later
#include "forktreemodel.h"

#include "livemodels.h"

#include <QHash>

namespace ladder::ui {

namespace {
    // internalId: 0 for top-level rows; entry index + 1 for the children of a group.
    constexpr quintptr kTop = 0;
}

ForkTreeModel::ForkTreeModel(DialogModel* source, QObject* parent)
    : QAbstractItemModel(parent)
    , m_source(source)
{
    m_entries = layout();
    // Rows coming or going change the structure: the reset begins while the old mapping still
    // holds (views read the current row's key then) and ends once the source is consistent.
    auto begin = [this] {
        if (!m_resetting) {
            m_resetting = true;
            beginResetModel();
        }
    };
    auto end = [this] {
        if (!m_resetting)
            return;
        m_entries = layout();
        m_resetting = false;
        endResetModel();
    };
    connect(source, &QAbstractItemModel::rowsAboutToBeInserted, this, begin);
    connect(source, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(source, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(source, &QAbstractItemModel::rowsInserted, this, end);
    connect(source, &QAbstractItemModel::rowsRemoved, this, end);
    connect(source, &QAbstractItemModel::modelReset, this, end);
    connect(source, &QAbstractItemModel::dataChanged, this, &ForkTreeModel::sync);
}

QList<ForkTreeModel::Entry> ForkTreeModel::layout() const
{
    // Groups in order of their first dialog; a group of one is a plain dialog.
    QList<Entry> entries;
    QHash<QByteArray, int> groupOf;
    const auto& rows = m_source->rows();
    for (int i = 0; i < rows.size(); ++i) {
        const auto& d = rows[i];
        const QByteArray key = d.role == QLatin1String("UAC") ? d.callId + '\n' + d.localTag : QByteArray();
        if (!key.isEmpty() && groupOf.contains(key)) {
            entries[groupOf.value(key)].sourceRows.append(i);
            continue;
        }
        if (!key.isEmpty())
            groupOf.insert(key, int(entries.size()));
        entries.append({ { i }, key });
    }
    for (Entry& e : entries)
        if (e.sourceRows.size() < 2)
            e.groupKey.clear();
    return entries;
}

void ForkTreeModel::sync()
{
    QList<Entry> next = layout();
    bool same = next.size() == m_entries.size();
    for (qsizetype i = 0; same && i < next.size(); ++i)
        same = next[i].sourceRows == m_entries[i].sourceRows && next[i].groupKey == m_entries[i].groupKey;
    if (!same) {
        beginResetModel();
        m_entries = std::move(next);
        endResetModel();
        return;
    }
    if (m_entries.isEmpty())
        return;
    const int last = columnCount() - 1;
    emit dataChanged(index(0, 0), index(int(m_entries.size()) - 1, last));
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        if (!m_entries[i].groupKey.isEmpty()) {
            const QModelIndex parent = index(int(i), 0);
            emit dataChanged(index(0, 0, parent), index(int(m_entries[i].sourceRows.size()) - 1, last, parent));
        }
}

int ForkTreeModel::groupCount() const
{
    int n = 0;
    for (const Entry& e : m_entries)
        n += !e.groupKey.isEmpty();
    return n;
}

QModelIndex ForkTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= columnCount() || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_entries.size() ? createIndex(row, column, kTop) : QModelIndex();
    if (parent.internalId() != kTop || parent.row() >= m_entries.size())
        return {};
    const Entry& e = m_entries[parent.row()];
    if (e.groupKey.isEmpty() || row >= e.sourceRows.size())
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ForkTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kTop)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTop);
}

int ForkTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_entries.size());
    if (parent.internalId() != kTop || parent.column() != 0 || parent.row() >= m_entries.size())
        return 0;
    const Entry& e = m_entries[parent.row()];
    return e.groupKey.isEmpty() ? 0 : int(e.sourceRows.size());
}

int ForkTreeModel::columnCount(const QModelIndex&) const
{
    return DialogModel::ColumnCount;
}

QVariant ForkTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source->headerData(section, orientation, role);
}

QVariant ForkTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == kTop) {
        if (index.row() >= m_entries.size())
            return {};
        const Entry& e = m_entries[index.row()];
        if (e.groupKey.isEmpty())
            return m_source->index(e.sourceRows.first(), index.column()).data(role);
        return groupData(e, index.column(), role);
    }
    const qsizetype group = qsizetype(index.internalId() - 1);
    if (group >= m_entries.size() || index.row() >= m_entries[group].sourceRows.size())
        return {};
    return m_source->index(m_entries[group].sourceRows[index.row()], index.column()).data(role);
}

QVariant ForkTreeModel::groupData(const Entry& e, int column, int role) const
{
    const auto& first = m_source->at(e.sourceRows.first());
    if (role == SnapshotTableModelBase::KeyRole)
        return quint64(0); // a request, not a dialog: nothing to select elsewhere
    if (role == Qt::TextAlignmentRole)
        return m_source->index(e.sourceRows.first(), column).data(role);
    if (role == Qt::ToolTipRole)
        return tr("One %1 created %2 dialogs: the forks answered with different To tags "
                  "(SIP_DIALOG_ON_FORK). Each child is one dialog.")
            .arg(first.method)
            .arg(e.sourceRows.size());
    if (role != Qt::DisplayRole && role != SnapshotTableModelBase::SortRole)
        return {};
    switch (column) {
    case DialogModel::CallIdColumn:
    case DialogModel::LocalTagColumn:
    case DialogModel::LocalCSeqColumn:
        return m_source->index(e.sourceRows.first(), column).data(role);
    case DialogModel::RoleColumn: return tr("%1 request, forked").arg(first.method);
    case DialogModel::StateColumn: {
        QMap<QString, int> states;
        for (int r : e.sourceRows)
            ++states[m_source->at(r).state];
        QStringList parts;
        for (auto it = states.cbegin(); it != states.cend(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        return parts.join(QStringLiteral(", "));
    }
    case DialogModel::ForkColumn:
        return role == SnapshotTableModelBase::SortRole ? QVariant(int(e.sourceRows.size()))
                                                       : QVariant(tr("%1 dialogs").arg(e.sourceRows.size()));
    default: return {};
    }
}

} // namespace ladder::ui
