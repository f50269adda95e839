// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QString>

namespace ladder::trace {
class Journal;
}

namespace ladder::lab {

// Counts read back from a journal: what `ladderctl lab run` prints and what scenarios judge by.
struct JournalSummary {
    quint64 events = 0;
    quint64 sipMessages = 0; // SipMessage events (tx and rx)
    quint64 sipRetransmissions = 0;
    quint64 transactions = 0; // distinct transaction ids with a state change
    quint64 dialogs = 0; // distinct dialog ids with a state change
    quint64 associations = 0; // distinct association ids with a state change
    quint64 sctpPackets = 0;
    quint64 sctpRetransmissions = 0;
    quint64 abandoned = 0; // PR-SCTP messages abandoned
    quint64 forwardTsns = 0;
    quint64 linkDrops = 0;
    quint64 errors = 0;
    qint64 spanNs = 0; // time from the first to the last event

    static JournalSummary of(const trace::Journal& journal);
    QString toText() const; // one "name: value" per line
};

} // namespace ladder::lab
