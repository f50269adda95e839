// SPDX-License-Identifier: GPL-3.0-or-later
#include "forktreemodel.h"

#include "livemodels.h"

#include <QHash>

namespace ladder::ui {

ForkTreeModel::ForkTreeModel(DialogModel* source, QObject* parent)
    : TwoLevelTreeModel(source, parent)
    , m_source(source)
{
    follow();
}

namespace {
    // Dialogs one request created: a UAC's with the same Call-ID and local tag.
    QByteArray groupingKey(const sip::DialogSnapshot& d)
    {
        return d.role == QLatin1String("UAC") ? d.callId + '\n' + d.localTag : QByteArray();
    }
}

bool ForkTreeModel::prepareLayout()
{
    // Groups in order of their first dialog; a group of one is a plain dialog.
    m_next.clear();
    m_nextWhere.clear();
    m_nextGroupOf.clear();
    const auto& rows = m_source->rows();
    m_nextWhere.reserve(rows.size());
    for (int i = 0; i < rows.size(); ++i) {
        const QByteArray key = groupingKey(rows[i]);
        if (!key.isEmpty()) {
            if (const int* at = m_nextGroupOf.find(key)) {
                m_nextWhere.append(Place { *at, int(m_next[*at].sourceRows.size()) });
                m_next[*at].sourceRows.append(i);
                continue;
            }
            m_nextGroupOf.insert(key, int(m_next.size()));
        }
        m_nextWhere.append(Place { int(m_next.size()), 0 });
        m_next.append(Entry { { i }, key });
    }
    for (Entry& e : m_next)
        if (e.sourceRows.size() < 2)
            e.groupKey.clear();
    return m_next != m_entries;
}

void ForkTreeModel::commitLayout()
{
    m_entries = m_next;
    m_where = m_nextWhere;
    m_groupOf = m_nextGroupOf;
    m_visibleTops = int(m_entries.size());
}

bool ForkTreeModel::sourceAppended(int first, int last)
{
    const auto& rows = m_source->rows();
    if (first != m_where.size() || last >= rows.size() || m_visibleTops != m_entries.size())
        return false; // not in step with the source: lay out again
    const int lastColumn = columnCount() - 1;
    for (int i = first; i <= last; ++i) {
        const QByteArray key = groupingKey(rows[i]);
        const int* at = key.isEmpty() ? nullptr : m_groupOf.find(key);
        if (!at) { // a row of its own, announced with the others below
            if (!key.isEmpty())
                m_groupOf.insert(key, int(m_entries.size()));
            m_where.append(Place { int(m_entries.size()), 0 });
            m_entries.append(Entry { { i }, {} });
            continue;
        }
        const int e = *at;
        Entry& entry = m_entries[e];
        const int n = int(entry.sourceRows.size());
        if (e >= m_visibleTops) { // not announced yet: it is announced as it ends up
            m_where.append(Place { e, n });
            entry.sourceRows.append(i);
            entry.groupKey = key;
            continue;
        }
        // Another fork of a request on show: a plain row becomes a group of two children, or a
        // group gets one more.
        beginInsertRows(index(e, 0), n == 1 ? 0 : n, n);
        m_where.append(Place { e, n });
        entry.sourceRows.append(i);
        entry.groupKey = key;
        endInsertRows();
        emit dataChanged(index(e, 0), index(e, lastColumn));
    }
    if (m_visibleTops < m_entries.size()) {
        beginInsertRows({}, m_visibleTops, int(m_entries.size()) - 1);
        m_visibleTops = int(m_entries.size());
        endInsertRows();
    }
    return true;
}

bool ForkTreeModel::sourceChanged(int first, int last, int firstColumn, int lastColumn)
{
    if (last >= m_where.size() || m_visibleTops != m_entries.size())
        return false;
    QList<int> tops;
    QHash<int, QList<int>> children; // group entry → its changed children
    for (int i = first; i <= last; ++i) {
        const Place p = m_where[i];
        tops.append(p.entry); // a group's row sums its children up: it changes with them
        if (!m_entries[p.entry].groupKey.isEmpty())
            children[p.entry].append(p.child);
    }
    // A group's row sums its children up in the same columns as theirs.
    emitRowsChanged(tops, {}, firstColumn, lastColumn);
    for (auto it = children.begin(); it != children.end(); ++it)
        emitRowsChanged(it.value(), index(it.key(), 0), firstColumn, lastColumn);
    return true;
}

int ForkTreeModel::childCount(int top) const
{
    const Entry& e = m_entries.at(top);
    return e.groupKey.isEmpty() ? 0 : int(e.sourceRows.size());
}

int ForkTreeModel::groupCount() const
{
    int n = 0;
    for (const Entry& e : m_entries)
        n += !e.groupKey.isEmpty();
    return n;
}

QVariant ForkTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (isTop(index)) {
        if (index.row() >= m_entries.size())
            return {};
        const Entry& e = m_entries[index.row()];
        if (e.groupKey.isEmpty())
            return m_source->index(e.sourceRows.first(), index.column()).data(role);
        return groupData(e, index.column(), role);
    }
    const qsizetype group = topOf(index);
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
