// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QVector>

#include <deque>
#include <vector>

namespace ladder::ui {

// The timeline's stream sub-lanes: every SCTP user message a lane sent, per stream, with its fate —
// acknowledged (a SACK covered all its TSNs, by the cumulative TSN or gap-ack blocks), abandoned
// (PR-SCTP: the policy and context of its abandon record; skipped by a FORWARD-TSN before the record
// came; or given up before it was ever sent), or still in flight — and how often its chunks were
// sent again. Built incrementally from the journal's SCTP packets and abandon records. A flow's
// DATA counts in the direction it was first seen in: the lab journals every packet twice, as sent
// and as received, and a real peer's DATA only as received.
class StreamFates {
public:
    enum class Fate : quint8 { InFlight, Acknowledged, Abandoned };
    static constexpr int kRetransmitTimes = 4; // the first few retransmissions' times, kept for ticks

    struct Message {
        qint64 startNs = 0; // its first chunk's first transmission (an unsent abandon: the record)
        qint64 endNs = -1; // when it was acknowledged or abandoned; -1 in flight
        quint64 seq = 0; // the packet that first carried it (or the abandon record)
        quint64 endSeq = ~0ull; // the SACK, FORWARD-TSN or abandon record that settled it
        quint64 context = 0; // abandoned with a record: its context
        qint64 retransmittedNs[kRetransmitTimes] = {};
        quint32 firstTsn = 0, lastTsn = 0; // wire TSNs
        quint32 chunks = 0, ackedChunks = 0;
        quint32 retransmissions = 0; // chunk transmissions after the first of each chunk
        quint32 payloadHash = 0; // of its first bytes (up to kKeyBytes), to match an abandon record
        quint32 openAt = 0; // in flight: where its row's `open` holds it
        quint16 payloadBytes = 0; // how many were hashed
        quint16 stream = 0;
        qint32 lane = -1;
        Fate fate = Fate::InFlight;
        quint8 policy = 0; // abandoned: 1 TTL, 2 BUF, 3 RTX (0: skipped, its record not seen yet)
        bool complete = false; // its last fragment (E) seen
        bool unsent = false; // abandoned before any of it was sent
    };

    // One sub-lane: a sending lane's stream, its messages in start order.
    struct Row {
        qint32 lane = -1;
        quint16 stream = 0;
        std::vector<quint32> messages; // indices into messages(), by startNs
        qint64 longestSettledNs = 0; // the longest start-to-end of a settled message
        std::vector<quint32> open; // those still in flight, in no order (a settled one is swapped out)
    };

    void clear();
    // An SCTP packet event; lane: its sender's lane.
    void packet(const trace::Event& e, qint32 lane);
    // An SctpAbandon record (a: policy, b: stream, c: context, raw: the message's data); lane: the
    // association's lane, ports: its own packets' (src << 16 | dst), or -1 when not known yet.
    void abandon(const trace::Event& e, qint32 lane, qint64 ports);

    const std::deque<Message>& messages() const { return m_messages; }
    const std::vector<Row>& rows() const { return m_rows; }
    // Row indices in display order: by lane, then stream.
    const std::vector<int>& order() const { return m_order; }
    quint64 count(Fate fate) const { return m_counts[int(fate)]; }

    static constexpr int kKeyBytes = 64;

private:
    struct Flow {
        qint32 lane = -1;
        bool dirKnown = false;
        trace::Dir dir = trace::Dir::None;
        QHash<quint32, quint32> byTsn; // wire TSN -> message index, bit 31: this chunk acknowledged
        std::deque<quint32> unsettled; // messages in flight, in TSN order (settled ones skipped lazily)
        QHash<quint16, quint32> partial; // stream -> its message still being fragmented
        std::deque<quint32> skipped; // messages a FORWARD-TSN skipped whose record has not come
        bool cumKnown = false;
        quint32 cum = 0;
    };
    int rowFor(qint32 lane, quint16 stream);
    // Ends a message in flight (every caller checks that it is) with `fate` at timeNs.
    void settle(quint32 index, Fate fate, qint64 timeNs, quint64 seq);
    void acknowledge(Flow& f, quint32 tsn, qint64 timeNs, quint64 seq);
    void cumulative(Flow& f, quint32 cum, qint64 timeNs, quint64 seq, bool forward);

    std::deque<Message> m_messages;
    std::vector<Row> m_rows;
    std::vector<int> m_order;
    QHash<quint64, int> m_rowIds; // lane << 16 | stream
    QHash<quint32, Flow> m_flows; // by the DATA's ports, src << 16 | dst
    quint64 m_counts[3] = {};
};

} // namespace ladder::ui
