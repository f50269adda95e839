// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>
#include <vector>

namespace ladder::ui {

// Turns journal events into the rows of a ladder (sequence) diagram: one row per message, an
// arrow from the sender's column to the receiver's. A message we sent is one row at its send time
// (its arrival, if the lab delivered it, is the same message); a message from a peer we only
// receive from is one row at its arrival. Retransmissions are marked and numbered, messages the
// lab link lost are marked lost.
struct LadderRow {
    qint64 timeNs = 0;
    int fromColumn = 0;
    int toColumn = 0;
    QString label; // "INVITE sip:bob@b", "SIP/2.0 180 Ringing", "DATA TSN=…"
    quint64 seq = 0; // the journal event
    quint64 retransmission = 0; // 0 = original, n = n-th retransmission
    bool lost = false;
    bool sctp = false;
    bool response = false;
};

} // namespace ladder::ui
// Relocatable (a QString and plain fields): a growing row list is moved with realloc, not one row
// at a time — the per-row move of 400 000 rows stalled a live run's UI thread.
Q_DECLARE_TYPEINFO(ladder::ui::LadderRow, Q_RELOCATABLE_TYPE);
namespace ladder::ui {

struct LadderDiagram {
    QStringList columns; // endpoints, in order of first appearance
    QVector<LadderRow> rows;

    // A plain-text rendering: a header of columns and one line per row, for pasting into a
    // ticket or a slide.
    QString toText() const;
};

class LadderBuilder {
public:
    using Filter = std::function<bool(const trace::Event&)>;

    // Keeps the events filter accepts (all message-like events when no filter is given).
    explicit LadderBuilder(Filter filter = {});
    void add(const trace::Event& e);
    const LadderDiagram& diagram() const { return *m_diagram; }
    // The same diagram, shared with a view that follows it as it grows.
    std::shared_ptr<const LadderDiagram> shared() const { return m_diagram; }

    // Filters for the common selections.
    static Filter sipCallId(const QByteArray& callId);
    static Filter association(quint64 associationId);
    // The Call-ID of a raw SIP message (long or compact form), or empty.
    static QByteArray callIdOf(const QByteArray& raw);

private:
    int columnOf(const QString& endpoint);
    Filter m_filter;
    std::shared_ptr<LadderDiagram> m_diagram = std::make_shared<LadderDiagram>();
    QStringList m_senders; // endpoints seen transmitting
    std::vector<std::pair<quint64, int>> m_pending; // (hash of raw, row) of transmissions not yet known delivered
    QHash<quint32, quint32> m_initialTsns; // by (src port << 16 | dst port), from INIT / INIT-ACK
};

} // namespace ladder::ui
