// SPDX-License-Identifier: GPL-3.0-or-later
#include "livemodels.h"

#include <QColor>
#include <QCoreApplication>

namespace ladder::ui {

namespace {
    QString bytes(quint64 n)
    {
        if (n >= 10ull * 1024 * 1024)
            return QStringLiteral("%1 MiB").arg(double(n) / 1048576.0, 0, 'f', 1);
        if (n >= 10ull * 1024)
            return QStringLiteral("%1 KiB").arg(double(n) / 1024.0, 0, 'f', 1);
        return QStringLiteral("%1 B").arg(n);
    }

    QString countAndBytes(quint64 messages, quint64 b) { return QStringLiteral("%1 (%2)").arg(messages).arg(bytes(b)); }

    QVariant header(const QStringList& names, int section, Qt::Orientation orientation, int role)
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= names.size())
            return {};
        return names[section];
    }

    QVariant numeric(int role, qint64 value, const QString& text)
    {
        if (role == SnapshotTableModelBase::SortRole)
            return value;
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::DisplayRole)
            return text;
        return {};
    }
} // namespace

QColor stateColour(const QString& state)
{
    const QString s = state.toLower();
    if (s.startsWith(QLatin1String("terminated")) || s == QLatin1String("closed"))
        return QColor(0x90, 0xa4, 0xae);
    if (s.contains(QLatin1String("abort")))
        return QColor(0xe5, 0x39, 0x35);
    if (s == QLatin1String("calling") || s == QLatin1String("trying") || s.contains(QLatin1String("wait")))
        return QColor(0x1e, 0x88, 0xe5);
    if (s == QLatin1String("proceeding") || s == QLatin1String("early"))
        return QColor(0xf9, 0xa8, 0x25);
    if (s == QLatin1String("completed") || s.contains(QLatin1String("shutdown")))
        return QColor(0xfb, 0x8c, 0x00);
    if (s == QLatin1String("confirmed") || s == QLatin1String("accepted") || s == QLatin1String("established"))
        return QColor(0x43, 0xa0, 0x47);
    return QColor(0x78, 0x90, 0x9c);
}

QVariant TransactionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const QStringList names { tr("Id"), tr("Role"), tr("Method"), tr("Branch"), tr("State"), tr("Age"),
        tr("Timers"), tr("Retx"), tr("Connection"), tr("Last message") };
    return header(names, section, orientation, role);
}

QVariant TransactionModel::cell(const sip::TransactionSnapshot& t, int column, int role) const
{
    if (role == Qt::ForegroundRole && column == StateColumn)
        return stateColour(t.state);
    if (role == Qt::ToolTipRole && column == StateColumn) {
        QStringList lines;
        for (const auto& h : t.history)
            lines << QStringLiteral("%1 s  %2").arg(double(h.timeNs) / 1e9, 0, 'f', 3).arg(h.state);
        return lines.join(QLatin1Char('\n'));
    }
    switch (column) {
    case IdColumn: return numeric(role, qint64(t.id), QString::number(t.id));
    case AgeColumn: {
        const qint64 age = std::max<qint64>(0, m_nowNs - t.createdNs);
        return numeric(role, age, QStringLiteral("%1 s").arg(double(age) / 1e9, 0, 'f', 1));
    }
    case RetransmissionsColumn: return numeric(role, t.retransmissions, QString::number(t.retransmissions));
    default: break;
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case RoleColumn: return t.kind.isEmpty() ? t.role : t.kind;
    case MethodColumn: return t.method;
    case BranchColumn: return QString::fromUtf8(t.branch);
    case StateColumn: return t.state;
    case TimersColumn: {
        QStringList timers;
        for (const auto& tm : t.timers)
            timers << QStringLiteral("%1 %2 s").arg(tm.name).arg(double(std::max<qint64>(0, tm.dueNs - m_nowNs)) / 1e9, 0, 'f', 1);
        return timers.join(QStringLiteral(", "));
    }
    case ConnectionColumn: return t.connection;
    case LastMessageColumn: {
        if (t.messages.isEmpty())
            return QString();
        const QByteArray& m = t.messages.last();
        const qsizetype eol = m.indexOf("\r\n");
        return QString::fromUtf8(eol < 0 ? m.left(80) : m.left(eol));
    }
    default: return {};
    }
}

QVariant DialogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const QStringList names { tr("Call-ID"), tr("Local tag"), tr("Remote tag"), tr("Role"), tr("State"),
        tr("Local CSeq"), tr("Remote CSeq"), tr("Route set"), tr("Remote target"), tr("Forks") };
    return header(names, section, orientation, role);
}

int DialogModel::siblings(const sip::DialogSnapshot& d) const
{
    int n = 0;
    for (const auto& other : rows())
        if (other.callId == d.callId && other.localTag == d.localTag)
            ++n;
    return n;
}

QVariant DialogModel::cell(const sip::DialogSnapshot& d, int column, int role) const
{
    if (role == Qt::ForegroundRole && column == StateColumn)
        return stateColour(d.state);
    switch (column) {
    case LocalCSeqColumn: return numeric(role, d.localCSeq, QString::number(d.localCSeq));
    case RemoteCSeqColumn: return numeric(role, d.remoteCSeq, d.remoteCSeq ? QString::number(d.remoteCSeq) : tr("empty"));
    case ForkColumn: {
        const int n = siblings(d);
        return numeric(role, n, n > 1 ? tr("%1 of one request").arg(n) : QString());
    }
    default: break;
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    // Sorting by Call-ID then local tag groups the forks of one request together.
    case CallIdColumn: return role == SortRole ? QString::fromUtf8(d.callId + ' ' + d.localTag) : QString::fromUtf8(d.callId);
    case LocalTagColumn: return QString::fromUtf8(d.localTag);
    case RemoteTagColumn: return QString::fromUtf8(d.remoteTag);
    case RoleColumn: return QStringLiteral("%1 %2").arg(d.role, d.method);
    case StateColumn: return d.state;
    case RouteSetColumn: {
        QStringList r;
        for (const QByteArray& x : d.routeSet)
            r << QString::fromUtf8(x);
        return r.join(QStringLiteral(", "));
    }
    case RemoteTargetColumn: return QString::fromUtf8(d.remoteTarget);
    default: return {};
    }
}

QVariant AssociationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const QStringList names { tr("Association"), tr("Local"), tr("Peer"), tr("State"), tr("Paths"),
        tr("In/Out streams"), tr("PR-SCTP"), tr("Retx"), tr("Abandoned") };
    return header(names, section, orientation, role);
}

QString AssociationModel::pathsText(const sctp::AssociationInfo& a)
{
    QStringList paths;
    for (const auto& p : a.paths)
        paths << QStringLiteral("%1%2 %3 rto %4 ms srtt %5 ms cwnd %6")
                     .arg(p.address, p.primary ? QStringLiteral("*") : QString(), p.stateName)
                     .arg(p.rto)
                     .arg(p.srtt)
                     .arg(p.cwnd);
    return paths.join(QStringLiteral("; "));
}

QVariant AssociationModel::cell(const sctp::AssociationInfo& a, int column, int role) const
{
    if (role == Qt::ForegroundRole && column == StateColumn)
        return stateColour(a.state);
    if (role == Qt::ForegroundRole && column == PrSctpColumn && !a.prSupported)
        return QColor(0xe5, 0x39, 0x35);
    if (role == Qt::ToolTipRole && column == PrSctpColumn && !a.prSupported)
        return tr("The peer did not negotiate PR-SCTP: messages sent with a PR policy are delivered reliably.");
    if (role == Qt::ToolTipRole && column == PathsColumn)
        return pathsText(a).replace(QStringLiteral("; "), QStringLiteral("\n"));
    switch (column) {
    case IdColumn: return numeric(role, qint64(a.id), QString::number(a.id));
    case RetransmissionsColumn:
        return numeric(role, qint64(a.retransmissions),
            QStringLiteral("%1 (fast %2, timeout %3)").arg(a.retransmissions).arg(a.fastRetransmissions).arg(a.timeoutRetransmissions));
    case AbandonedColumn: return numeric(role, qint64(a.abandoned), QString::number(a.abandoned));
    default: break;
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case LocalColumn: return a.localAddress;
    case PeerColumn: return a.peerAddress;
    case StateColumn: return a.state;
    case PathsColumn: return pathsText(a);
    case StreamsColumn: return QStringLiteral("%1 / %2").arg(a.inboundStreams).arg(a.outboundStreams);
    case PrSctpColumn: return a.prSupported ? tr("yes") : tr("no");
    default: return {};
    }
}

void StreamModel::setAssociations(const QList<sctp::AssociationInfo>& associations)
{
    QList<StreamRow> rows;
    for (const auto& a : associations)
        for (const auto& s : a.streams)
            rows.append({ a.id, s });
    setSnapshots(rows);
}

QVariant StreamModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    static const QStringList names { tr("Association"), tr("Stream"), tr("Queued"), tr("Sent"), tr("Received"),
        tr("Abandoned"), tr("Next SSN"), tr("Ordered/Unordered") };
    return header(names, section, orientation, role);
}

QVariant StreamModel::cell(const StreamRow& r, int column, int role) const
{
    const sctp::StreamInfo& s = r.stream;
    if (role == Qt::ForegroundRole && column == AbandonedColumn && s.messagesAbandoned)
        return QColor(0xd8, 0x1b, 0x60);
    switch (column) {
    case AssociationColumn: return numeric(role, qint64(r.association), QString::number(r.association));
    case StreamColumn: return numeric(role, s.sid, QString::number(s.sid));
    case QueuedColumn: return numeric(role, qint64(s.messagesQueued), countAndBytes(s.messagesQueued, s.bytesQueued));
    case SentColumn: return numeric(role, qint64(s.messagesSent), countAndBytes(s.messagesSent, s.bytesSent));
    case ReceivedColumn: return numeric(role, qint64(s.messagesReceived), countAndBytes(s.messagesReceived, s.bytesReceived));
    case AbandonedColumn: return numeric(role, qint64(s.messagesAbandoned), countAndBytes(s.messagesAbandoned, s.bytesAbandoned));
    case NextSsnColumn: return numeric(role, s.nextSsn, QString::number(s.nextSsn));
    case OrderingColumn:
        if (role == Qt::TextAlignmentRole) // a sentence, not a number: it reads from the left
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return numeric(role, qint64(s.orderedSent + s.orderedReceived),
            tr("sent %1/%2, received %3/%4").arg(s.orderedSent).arg(s.unorderedSent).arg(s.orderedReceived).arg(s.unorderedReceived));
    default: return {};
    }
}

} // namespace ladder::ui
