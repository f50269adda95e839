// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "reconstruct.h"

#include <QStringList>

namespace ladder::trace {

// Plain-text tables of a reconstruction, for `ladderctl trace show|stats` and logs: one header
// line per table, then one row per transaction / dialog / association (and one per stream).
// Times are seconds since the capture's first packet.
QStringList transactionTable(const QList<sip::TransactionSnapshot>& transactions);
QStringList dialogTable(const QList<sip::DialogSnapshot>& dialogs);
QStringList associationTable(const QList<CapturedAssociation>& associations);
// All three, each preceded by a title line with its count ("transactions (reconstructed): 3"), and a line of
// reconstruction counts.
QStringList reconstructionText(const QList<sip::TransactionSnapshot>& transactions,
    const QList<sip::DialogSnapshot>& dialogs, const QList<CapturedAssociation>& associations,
    const ReconstructStats& stats);

} // namespace ladder::trace
