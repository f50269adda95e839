// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconstructtext.h"

namespace ladder::trace {

namespace {
    QString secs(qint64 ns)
    {
        return QString::number(double(ns) / 1e9, 'f', 3);
    }

    QString history(const QList<sip::StateStamp>& h)
    {
        QStringList parts;
        for (const sip::StateStamp& s : h)
            parts.append(QStringLiteral("%1@%2").arg(s.state, secs(s.timeNs)));
        return parts.join(QLatin1Char(' '));
    }

    QString clip(QString s, int n)
    {
        if (s.size() > n)
            s = s.left(n - 1) + QChar(0x2026);
        return s;
    }

    QString hex(quint32 v) { return QStringLiteral("0x%1").arg(v, 8, 16, QLatin1Char('0')); }
    // One line of a text table: two spaces, then each cell padded to its column's width (negative
    // widths are left-aligned and clip what does not fit), then the free-width cells after them.
    QString tableLine(const QList<int>& widths, const QStringList& cells)
    {
        QString line = QStringLiteral(" ");
        for (int i = 0; i < cells.size(); ++i) {
            line += QLatin1Char(' ');
            if (i < widths.size())
                line += QStringLiteral("%1").arg(widths[i] < 0 ? clip(cells[i], -widths[i]) : cells[i], widths[i]);
            else
                line += cells[i];
        }
        return line;
    }
} // namespace

QStringList transactionTable(const QList<sip::TransactionSnapshot>& transactions)
{
    static const QList<int> widths { 6, -24, -8, -11, 6, 4, -44 };
    QStringList out { tableLine(widths,
        { QStringLiteral("id"), QStringLiteral("kind"), QStringLiteral("role"), QStringLiteral("state"),
            QStringLiteral("status"), QStringLiteral("rtx"), QStringLiteral("connection"), QStringLiteral("history (state@s)") }) };
    for (const sip::TransactionSnapshot& t : transactions) {
        const QString kind
            = t.kind + (t.method.isEmpty() || t.kind.startsWith(t.method) ? QString() : QStringLiteral(" ") + t.method);
        out.append(tableLine(widths,
            { QString::number(t.id), kind, t.role, t.state, t.lastStatus ? QString::number(t.lastStatus) : QStringLiteral("-"),
                QString::number(t.retransmissions), t.connection, history(t.history) }));
    }
    return out;
}

QStringList dialogTable(const QList<sip::DialogSnapshot>& dialogs)
{
    static const QList<int> widths { 6, -8, -10, -24, -14, -14, -9, 5 };
    QStringList out { tableLine(widths,
        { QStringLiteral("id"), QStringLiteral("role"), QStringLiteral("state"), QStringLiteral("call-id"),
            QStringLiteral("local tag"), QStringLiteral("remote tag"), QStringLiteral("cseq l/r"), QStringLiteral("tx"),
            QStringLiteral("remote target; routes; history") }) };
    for (const sip::DialogSnapshot& d : dialogs) {
        QStringList routes;
        for (const QByteArray& r : d.routeSet)
            routes.append(QString::fromUtf8(r));
        out.append(tableLine(widths,
            { QString::number(d.id), d.role, d.state, QString::fromUtf8(d.callId), QString::fromUtf8(d.localTag),
                QString::fromUtf8(d.remoteTag), QStringLiteral("%1/%2").arg(d.localCSeq).arg(d.remoteCSeq),
                QString::number(d.creatingTransaction),
                QStringLiteral("%1; %2; %3")
                    .arg(d.remoteTarget.isEmpty() ? QStringLiteral("-") : QString::fromUtf8(d.remoteTarget),
                        routes.isEmpty() ? QStringLiteral("no routes") : routes.join(QLatin1Char(',')), history(d.history)) }));
    }
    return out;
}

QStringList associationTable(const QList<CapturedAssociation>& associations)
{
    static const QList<int> widths { 6, -10, -18, -12, -22, -11, -3, -16 };
    QStringList out { tableLine(widths,
        { QStringLiteral("id"), QStringLiteral("role"), QStringLiteral("state"), QStringLiteral("ports"),
            QStringLiteral("tags local/peer"), QStringLiteral("streams o/i"), QStringLiteral("PR"),
            QStringLiteral("DATA tx/rx rtx"), QStringLiteral("FWD-TSN skipped; history") }) };
    for (const CapturedAssociation& a : associations) {
        const sctp::AssociationInfo& i = a.info;
        out.append(tableLine(widths,
            { QString::number(i.id), a.role, i.state, QStringLiteral("%1>%2").arg(a.localPort).arg(a.peerPort),
                hex(a.localTag) + QLatin1Char('/') + hex(a.peerTag),
                QStringLiteral("%1/%2").arg(i.outboundStreams).arg(i.inboundStreams),
                i.prSupported ? QStringLiteral("yes") : QStringLiteral("no"),
                QStringLiteral("%1/%2 %3").arg(a.dataSent).arg(a.dataReceived).arg(i.retransmissions + a.retransmissionsReceived),
                QStringLiteral("%1 (%2 TSNs); %3")
                    .arg(i.forwardTsnsSent + a.forwardTsnsReceived)
                    .arg(a.skippedTsnsSent + a.skippedTsnsReceived)
                    .arg(history(a.history)) }));
        out.append(QStringLiteral("         %1 \u2192 %2").arg(i.localAddress, i.peerAddress));
        for (const sctp::StreamInfo& s : i.streams)
            out.append(QStringLiteral("         stream %1: sent %2 msg / %3 B (ordered %4, unordered %5), received %6 msg / %7 B, abandoned %8")
                           .arg(s.sid)
                           .arg(s.messagesSent)
                           .arg(s.bytesSent)
                           .arg(s.orderedSent)
                           .arg(s.unorderedSent)
                           .arg(s.messagesReceived)
                           .arg(s.bytesReceived)
                           .arg(s.messagesAbandoned));
    }
    return out;
}

QStringList reconstructionText(const QList<sip::TransactionSnapshot>& transactions,
    const QList<sip::DialogSnapshot>& dialogs, const QList<CapturedAssociation>& associations,
    const ReconstructStats& stats)
{
    QStringList out;
    out.append(QStringLiteral("reconstructed: %1 transaction(s), %2 dialog(s), %3 association(s); %4 state change(s) "
                              "and inferred timer(s) added, %5 unparsable SIP message(s)")
                   .arg(stats.transactions)
                   .arg(stats.dialogs)
                   .arg(stats.associations)
                   .arg(stats.derivedEvents)
                   .arg(stats.sipUnparsed));
    out.append(QStringLiteral("transactions (reconstructed): %1").arg(transactions.size()));
    if (!transactions.isEmpty())
        out += transactionTable(transactions);
    out.append(QStringLiteral("dialogs (reconstructed): %1").arg(dialogs.size()));
    if (!dialogs.isEmpty())
        out += dialogTable(dialogs);
    out.append(QStringLiteral("associations (reconstructed): %1").arg(associations.size()));
    if (!associations.isEmpty())
        out += associationTable(associations);
    return out;
}

} // namespace ladder::trace
