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
} // namespace

QStringList transactionTable(const QList<sip::TransactionSnapshot>& transactions)
{
    QStringList out;
    out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8")
                   .arg(QStringLiteral("id"), 6)
                   .arg(QStringLiteral("kind"), -24)
                   .arg(QStringLiteral("role"), -8)
                   .arg(QStringLiteral("state"), -11)
                   .arg(QStringLiteral("status"), 6)
                   .arg(QStringLiteral("rtx"), 4)
                   .arg(QStringLiteral("connection"), -44)
                   .arg(QStringLiteral("history (state@s)")));
    for (const sip::TransactionSnapshot& t : transactions) {
        out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8")
                       .arg(t.id, 6)
                       .arg(clip(t.kind + (t.method.isEmpty() || t.kind.startsWith(t.method) ? QString() : QStringLiteral(" ") + t.method), 24), -24)
                       .arg(t.role, -8)
                       .arg(t.state, -11)
                       .arg(t.lastStatus ? QString::number(t.lastStatus) : QStringLiteral("-"), 6)
                       .arg(t.retransmissions, 4)
                       .arg(clip(t.connection, 44), -44)
                       .arg(history(t.history)));
    }
    return out;
}

QStringList dialogTable(const QList<sip::DialogSnapshot>& dialogs)
{
    QStringList out;
    out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                   .arg(QStringLiteral("id"), 6)
                   .arg(QStringLiteral("role"), -8)
                   .arg(QStringLiteral("state"), -10)
                   .arg(QStringLiteral("call-id"), -24)
                   .arg(QStringLiteral("local tag"), -14)
                   .arg(QStringLiteral("remote tag"), -14)
                   .arg(QStringLiteral("cseq l/r"), -9)
                   .arg(QStringLiteral("tx"), 5)
                   .arg(QStringLiteral("remote target; routes; history")));
    for (const sip::DialogSnapshot& d : dialogs) {
        QStringList routes;
        for (const QByteArray& r : d.routeSet)
            routes.append(QString::fromUtf8(r));
        out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9; %10; %11")
                       .arg(d.id, 6)
                       .arg(d.role, -8)
                       .arg(d.state, -10)
                       .arg(clip(QString::fromUtf8(d.callId), 24), -24)
                       .arg(clip(QString::fromUtf8(d.localTag), 14), -14)
                       .arg(clip(QString::fromUtf8(d.remoteTag), 14), -14)
                       .arg(QStringLiteral("%1/%2").arg(d.localCSeq).arg(d.remoteCSeq), -9)
                       .arg(d.creatingTransaction, 5)
                       .arg(d.remoteTarget.isEmpty() ? QStringLiteral("-") : QString::fromUtf8(d.remoteTarget),
                           routes.isEmpty() ? QStringLiteral("no routes") : routes.join(QLatin1Char(',')),
                           history(d.history)));
    }
    return out;
}

QStringList associationTable(const QList<CapturedAssociation>& associations)
{
    QStringList out;
    out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                   .arg(QStringLiteral("id"), 6)
                   .arg(QStringLiteral("role"), -10)
                   .arg(QStringLiteral("state"), -18)
                   .arg(QStringLiteral("ports"), -12)
                   .arg(QStringLiteral("tags local/peer"), -22)
                   .arg(QStringLiteral("streams o/i"), -11)
                   .arg(QStringLiteral("PR"), -3)
                   .arg(QStringLiteral("DATA tx/rx rtx"), -16)
                   .arg(QStringLiteral("FWD-TSN skipped; history")));
    for (const CapturedAssociation& a : associations) {
        const sctp::AssociationInfo& i = a.info;
        out.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                       .arg(i.id, 6)
                       .arg(a.role, -10)
                       .arg(i.state, -18)
                       .arg(QStringLiteral("%1>%2").arg(a.localPort).arg(a.peerPort), -12)
                       .arg(hex(a.localTag) + QLatin1Char('/') + hex(a.peerTag), -22)
                       .arg(QStringLiteral("%1/%2").arg(i.outboundStreams).arg(i.inboundStreams), -11)
                       .arg(i.prSupported ? QStringLiteral("yes") : QStringLiteral("no"), -3)
                       .arg(QStringLiteral("%1/%2 %3").arg(a.dataSent).arg(a.dataReceived).arg(i.retransmissions + a.retransmissionsReceived), -16)
                       .arg(QStringLiteral("%1 (%2 TSNs); %3").arg(i.forwardTsnsSent + a.forwardTsnsReceived).arg(a.skippedTsnsSent + a.skippedTsnsReceived).arg(history(a.history))));
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
