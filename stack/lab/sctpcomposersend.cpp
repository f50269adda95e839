// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctpcomposersend.h"

#include <QCoreApplication>
#include <QStringList>
#include <QtEndian>

#include <algorithm>

namespace ladder::lab {

namespace {
    QString tr(const char* text) { return QCoreApplication::translate("ladder::lab::SctpComposer", text); }
} // namespace

SctpComposerSend sctpComposerSend(const SctpComposerRequest& request)
{
    SctpComposerSend out;
    auto refuse = [&out](const QString& why) {
        out.errnoName = QStringLiteral("EINVAL");
        out.why = why;
        return out;
    };
    if (request.prPolicy < 0 || request.prPolicy > int(sctp::PrPolicy::Prio))
        return refuse(tr("Unknown PR-SCTP policy %1: use none, TTL, BUF, RTX or PRIO.").arg(request.prPolicy));
    const quint32 known = sctp::flag::Eof | sctp::flag::Abort | sctp::flag::Unordered | sctp::flag::AddrOver
        | sctp::flag::SendAll | sctp::flag::SackImmediately;
    if (request.flags & ~known)
        return refuse(tr("Unknown flag bits 0x%1.").arg(request.flags & ~known, 0, 16));
    sctp::SendInfo& info = out.info;
    info.ppid = qToBigEndian(request.ppid);
    info.stream = request.stream;
    info.context = request.context;
    info.flags = request.flags;
    if (request.prPolicy)
        info.setPolicy(sctp::PrPolicy(request.prPolicy), request.prValue);
    info.association = request.association;
    if (request.flags & sctp::flag::AddrOver) {
        const auto path = sctp::Address::parse(request.addrOver.trimmed());
        if (!path)
            return refuse(tr("The SCTP_ADDR_OVER path '%1' is not HOST:PORT.").arg(request.addrOver));
        info.to = path;
    } else if (!request.association) {
        const QStringList items = request.to.split(QLatin1Char(','));
        for (const QString& item : items) {
            const auto to = sctp::Address::parse(item.trimmed());
            if (!to)
                return refuse(items.size() > 1 ? tr("The address '%1' in the list is not HOST:PORT.").arg(item.trimmed())
                                               : tr("The address '%1' is not HOST:PORT.").arg(request.to));
            if (items.size() > 1)
                info.addresses.append(*to);
            else
                info.to = to;
        }
    }
    return out;
}

QString sctpComposerActionText(const QString& who, const SctpComposerRequest& request, const sctp::SendInfo& info)
{
    const int repeat = std::max(1, request.repeat);
    const QString flags = info.describeFlags();
    // One pass over the placeholders: a typed address or flag text holding "%3" stays as typed.
    return tr("%1: sctp_sendmsg %2 bytes to %3, stream %4, ppid %5, context %6, %7%8")
        .arg(who, QString::number(request.payload.size()),
            request.association ? tr("association #%1").arg(request.association) : request.to,
            QString::number(request.stream), QString::number(request.ppid), QString::number(request.context),
            flags.isEmpty() ? tr("no flags") : flags,
            repeat > 1 ? tr(", %1 times every %2 ms").arg(repeat).arg(request.intervalMs) : QString());
}

QString sctpBurstSentText(int sent, qint64 bytes, int repeat)
{
    return repeat == 1 ? tr("sent %1 bytes").arg(bytes) : tr("sent %1 messages, %2 bytes").arg(sent).arg(bytes);
}

QString sctpBurstFailedText(const QString& sentence, int sent, int repeat)
{
    return sent ? tr("%1 (after %2 of %3 messages were sent)").arg(sentence).arg(sent).arg(repeat) : sentence;
}

QString sctpBurstStoppedText(int sent, int repeat)
{
    return tr("Burst stopped after %1 of %2 messages.").arg(sent).arg(repeat);
}

} // namespace ladder::lab
