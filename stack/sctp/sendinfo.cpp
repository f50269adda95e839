// SPDX-License-Identifier: GPL-3.0-or-later
#include "sendinfo.h"

#include <QStringList>

namespace ladder::sctp {

QString Address::toString() const
{
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

std::optional<Address> Address::parse(const QString& text)
{
    QString host;
    QString port;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0 || close + 1 >= text.size() || text[close + 1] != QLatin1Char(':'))
            return std::nullopt;
        host = text.mid(1, close - 1);
        port = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return std::nullopt;
        host = text.left(colon);
        port = text.mid(colon + 1);
    }
    bool ok = false;
    const uint p = port.toUInt(&ok);
    if (!ok || p > 65535 || host.isEmpty())
        return std::nullopt;
    return Address { host, quint16(p) };
}

QString policyName(PrPolicy policy)
{
    switch (policy) {
    case PrPolicy::None: return QStringLiteral("reliable");
    case PrPolicy::Ttl: return QStringLiteral("TTL");
    case PrPolicy::Buf: return QStringLiteral("BUF");
    case PrPolicy::Rtx: return QStringLiteral("RTX");
    case PrPolicy::Prio: return QStringLiteral("PRIO");
    }
    return QStringLiteral("policy %1").arg(int(policy));
}

QString SendInfo::describeFlags() const
{
    QStringList f;
    if (flags & flag::Eof)
        f << QStringLiteral("EOF");
    if (flags & flag::Abort)
        f << QStringLiteral("ABORT");
    if (flags & flag::Unordered)
        f << QStringLiteral("UNORDERED");
    if (flags & flag::AddrOver)
        f << QStringLiteral("ADDR_OVER");
    if (flags & flag::SendAll)
        f << QStringLiteral("SENDALL");
    if (flags & flag::SackImmediately)
        f << QStringLiteral("SACK_IMMEDIATELY");
    QString s = f.isEmpty() ? QStringLiteral("no flags") : f.join(QLatin1Char('|'));
    const PrPolicy p = policy();
    if (p == PrPolicy::Ttl || (p == PrPolicy::None && timetolive > 0))
        s += QStringLiteral(", PR TTL %1 ms").arg(timetolive);
    else if (p == PrPolicy::Buf)
        s += QStringLiteral(", PR BUF %1 bytes queued").arg(timetolive);
    else if (p == PrPolicy::Prio)
        s += QStringLiteral(", PR PRIO priority %1").arg(timetolive);
    else if (p == PrPolicy::Rtx)
        s += QStringLiteral(", PR RTX %1").arg(timetolive);
    return s;
}

QString SendInfo::flagsError() const
{
    constexpr quint32 known = flag::Eof | flag::Abort | flag::Unordered | flag::AddrOver | flag::SendAll
        | flag::SackImmediately | flag::PolicyMask;
    if (flags & ~known)
        return QStringLiteral("flags 0x%1 are not sctp_sendmsg flags: use SCTP_EOF, SCTP_ABORT, SCTP_UNORDERED, "
                              "SCTP_ADDR_OVER, SCTP_SENDALL, SCTP_SACK_IMMEDIATELY and a PR-SCTP policy.")
            .arg(flags & ~known, 0, 16);
    if (quint32(policy()) > quint32(PrPolicy::Prio))
        return QStringLiteral("PR-SCTP policy %1 is unknown: use TTL (1), BUF (2), RTX (3) or LadderLab's PRIO (4, "
                              "RFC 7496's priority).")
            .arg(int(policy()));
    if ((flags & flag::Eof) && (flags & flag::Abort))
        return QStringLiteral("SCTP_EOF and SCTP_ABORT exclude each other: choose one.");
    return {};
}

} // namespace ladder::sctp
