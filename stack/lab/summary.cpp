// SPDX-License-Identifier: GPL-3.0-or-later
#include "summary.h"

#include "journal/journal.h"

#include <QSet>

namespace ladder::lab {

JournalSummary JournalSummary::of(const trace::Journal& journal)
{
    using trace::Kind;
    JournalSummary s;
    QSet<quint64> transactions, dialogs, associations;
    qint64 first = 0, last = 0;
    journal.forEach(0, journal.count(), [&](const trace::Event& e) {
        if (s.events == 0)
            first = e.timeNs;
        last = std::max(last, e.timeNs);
        ++s.events;
        switch (e.kind) {
        case Kind::SipMessage: ++s.sipMessages; break;
        case Kind::SipRetransmission: ++s.sipRetransmissions; break;
        case Kind::TransactionState: transactions.insert(e.object); break;
        case Kind::DialogState: dialogs.insert(e.object); break;
        case Kind::AssociationState: associations.insert(e.object); break;
        case Kind::SctpPacket: ++s.sctpPackets; break;
        case Kind::SctpRetransmission: ++s.sctpRetransmissions; break;
        case Kind::SctpAbandon: ++s.abandoned; break;
        case Kind::SctpForwardTsn: ++s.forwardTsns; break;
        case Kind::LinkDrop: ++s.linkDrops; break;
        case Kind::Error: ++s.errors; break;
        default: break;
        }
    });
    s.transactions = quint64(transactions.size());
    s.dialogs = quint64(dialogs.size());
    s.associations = quint64(associations.size());
    s.spanNs = last - first;
    return s;
}

QString JournalSummary::toText() const
{
    QString out;
    auto line = [&out](const char* name, quint64 v) { out += QStringLiteral("%1: %2\n").arg(QLatin1String(name)).arg(v); };
    line("events", events);
    line("transactions", transactions);
    line("dialogs", dialogs);
    line("associations", associations);
    line("sip messages", sipMessages);
    line("sip retransmissions", sipRetransmissions);
    line("sctp packets", sctpPackets);
    line("sctp retransmissions", sctpRetransmissions);
    line("abandoned messages", abandoned);
    line("forward-tsn", forwardTsns);
    line("lost on links", linkDrops);
    line("errors", errors);
    out += QStringLiteral("span: %1 s\n").arg(double(spanNs) / 1e9, 0, 'f', 3);
    return out;
}

} // namespace ladder::lab
