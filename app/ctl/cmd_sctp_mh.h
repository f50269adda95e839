// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sctp/sendinfo.h"

#include <QList>
#include <QString>

#include <optional>

namespace ladder::ctl {

// "HOST:PORT,[V6]:PORT,…" → the addresses, or nullopt with why: an empty item, one that is not
// HOST:PORT, one listed twice, or ports that differ (one association has one port).
std::optional<QList<sctp::Address>> parseAddressList(const QString& text, QString* why);

// sctp_sendmsgx(3) to several addresses of one peer over RFC 6951 UDP encapsulation (the peer's
// UDP port peerUdp), through the ladderlab-sctp-mh helper: one association, each address a path.
// Prints what happens; the exit code (0, or 1 when the send or the set-up failed).
int sendSctpMultiHomed(const QList<sctp::Address>& to, const sctp::SendInfo& info, const QByteArray& data,
    quint16 peerUdp, int waitMs);

// A one-to-many listener bound to every address in `on` (one port), UDP encapsulation on udpPort.
int listenSctpMultiHomed(const QList<sctp::Address>& on, quint16 udpPort, bool echo, quint64 count, quint64 durationS);

} // namespace ladder::ctl
