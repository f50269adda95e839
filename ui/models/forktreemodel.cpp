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

bool ForkTreeModel::prepareLayout()
{
    // Groups in order of their first dialog; a group of one is a plain dialog.
    m_next.clear();
    QHash<QByteArray, int> groupOf;
    const auto& rows = m_source->rows();
    for (int i = 0; i < rows.size(); ++i) {
        const auto& d = rows[i];
        const QByteArray key = d.role == QLatin1String("UAC") ? d.callId + '\n' + d.localTag : QByteArray();
        if (!key.isEmpty() && groupOf.contains(key)) {
            m_next[groupOf.value(key)].sourceRows.append(i);
            continue;
        }
        if (!key.isEmpty())
            groupOf.insert(key, int(m_next.size()));
        m_next.append({ { i }, key });
    }
    for (Entry& e : m_next)
        if (e.sourceRows.size() < 2)
            e.groupKey.clear();
    return m_next != m_entries;
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
