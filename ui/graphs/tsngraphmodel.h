// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QRectF>
#include <QString>
#include <QVector>

#include <deque>
#include <map>
#include <vector>

namespace ladder::sctp {
struct DecodedChunk;
}

namespace ladder::ui::graphs {

// What a point of the TSN graph is. The order is the drawing order (later on top).
enum class MarkKind : quint8 {
    GapAck, // a SACK's gap-ack block: tsn..tsnEnd acknowledged out of order, at the SACK's time
    CumAck, // the SACK cumulative TSN moved forward to tsn (the step line)
    Data, // first transmission (Tx graph) or first arrival (Rx graph) of a DATA / I-DATA TSN
    Retransmission, // sent again, how usrsctp decided not known
    FastRetransmission, // sent again after gap reports (RFC 9260 7.2.4)
    TimeoutRetransmission, // sent again when T3-rtx expired
    Duplicate, // a TSN that arrived again (Rx graph) or that the peer reported as duplicate (Tx graph)
    ForwardTsn, // FORWARD-TSN moved the cumulative point from tsnEnd to tsn (PR-SCTP skip)
    Abandon, // a PR-SCTP message given up: context, stream, detail = policy | kAbandon* flags; tsn its TSN
    Count
};
constexpr int kMarkKinds = int(MarkKind::Count);
QString markKindName(MarkKind kind); // "DATA", "fast retransmission"… (legend, CSV)
QString policyName(quint8 policy); // "TTL", "BUF", "RTX", "PRIO"

// Point::detail of an Abandon: the policy in the low bits and how its TSN was found. The journal's
// abandon record (SEND_FAILED) names context, stream and policy and carries the message's data,
// but not its TSN: the TSN is that of the DATA chunk this association sent on that stream with
// that data (kAbandonMatched), or, for a message that never went out, one of the TSNs a
// FORWARD-TSN (or the next DATA) skipped without it ever being on the wire (kAbandonUnsent).
// Neither: the message had no TSN (drawn just above the highest TSN sent).
constexpr quint8 kAbandonPolicyMask = 0x0f;
constexpr quint8 kAbandonUnsent = 0x40;
constexpr quint8 kAbandonMatched = 0x80;

struct Point {
    qint64 timeNs = 0;
    qint64 tsn = 0; // relative: the direction's first DATA TSN is 1 (serial arithmetic across wrap)
    qint64 tsnEnd = 0; // GapAck: last TSN of the block; ForwardTsn: cumulative point before the jump
    quint64 seq = 0; // the journal event to inspect
    quint64 context = 0; // Abandon: the message's context
    quint32 wire = 0; // tsn as on the wire
    quint16 stream = 0;
    MarkKind kind = MarkKind::Data;
    quint8 detail = 0; // Abandon: policy (1 TTL, 2 BUF, 3 RTX, 4 PRIO) | kAbandonMatched / kAbandonUnsent
    bool tsnKnown() const { return detail & (kAbandonMatched | kAbandonUnsent); } // of an Abandon
};

// One association seen in one direction: the DATA one side sends and the SACKs that acknowledge
// it. Tx: what association `association` sends (its SACKs are the ones it receives); Rx: what it
// receives (the SACKs are its own).
struct Flow {
    quint64 association = 0;
    trace::Dir dir = trace::Dir::Tx;
    QString from, to; // of its first DATA
    std::vector<Point> points; // in time order
    quint64 dataCount = 0; // first transmissions
    quint64 retransmissions = 0, abandons = 0, forwardTsns = 0, duplicates = 0;
    qint64 firstNs = 0, lastNs = 0;
    qint64 minTsn = 0, maxTsn = 0;
    bool baseKnown = false;
    quint32 base = 0; // wire TSN of relative TSN 1
    bool haveCum = false;
    qint64 cum = 0; // the cumulative point reached so far (monotone)

    QString title() const;

    // Level of detail: a summary per block of kBlock consecutive points (complete blocks only), so
    // that a frame zoomed far out takes a block whole where it falls into one pixel column instead
    // of visiting its points. Brought up to date after each batch of events and when a frame asks
    // (blocks()); a point changed or inserted in
    // place (a retransmission classified late, an abandon given its TSN, an event out of time
    // order) marks its block and those after it for rebuilding.
    static constexpr std::size_t kBlock = 64;
    struct BlockKind {
        quint32 count = 0; // points of the kind in the block
        qint64 lo = 0, hi = 0; // their lowest and highest TSN (tsnEnd included, as in tsnRange)
    };
    struct Block {
        BlockKind kinds[kMarkKinds];
        bool hasCum = false; // a CumAck or ForwardTsn point: the highest such TSN
        qint64 cumMax = 0;
    };
    const std::vector<Block>& blocks() const; // every complete block, up to date
    // Relative TSN of a wire TSN, by serial arithmetic from the highest TSN seen (valid once baseKnown).
    qint64 relative(quint32 wire) const { return m_refRel + qint32(wire - m_refWire); }

private:
    friend class TsnGraphModel;
    qint64 m_refRel = 1;
    quint32 m_refWire = 0;
    // A DATA chunk sent (Tx flows), kept while an abandon may still name it: what it carried.
    struct Sent {
        quint64 key = 0; // payloadKey(stream, first bytes of its data)
        int length = 0; // of its user data
        quint16 stream = 0;
        quint32 ssn = 0;
        quint8 flags = 0; // the chunk's B/E/U flags
        bool claimed = false; // an abandon was placed at it
        bool acked = false; // a SACK's cumulative TSN covered it (FORWARD-TSN skips do not count)
    };
    static quint64 payloadKey(quint16 stream, const char* data, int length);
    std::vector<quint8> m_sent; // by relative TSN: 1 sent once
    std::map<qint64, Sent> m_chunks; // sent DATA, from a little below the cumulative point up
    QHash<quint64, std::vector<qint64>> m_byPayload; // payloadKey -> TSNs in m_chunks, ascending
    qint64 m_highestSent = 0; // highest relative TSN a first transmission carried
    std::vector<std::size_t> m_pendingAbandons; // points of abandons whose TSN is not known yet
    struct Unsent {
        qint64 tsn = 0;
        qint64 timeNs = 0; // when a FORWARD-TSN or a DATA showed it skipped
    };
    std::deque<Unsent> m_unsent; // skipped TSNs never sent that no abandon took yet
    QHash<qint64, std::size_t> m_unclassified; // a repeat sent, its SctpRetransmission not yet read
    QHash<qint64, qint64> m_classifiedAt; // TSN -> time an SctpRetransmission came before its DATA
    void add(const Point& p);
    Point& changePoint(std::size_t index); // the point, its block marked for rebuilding
    mutable std::vector<Block> m_blocks;
    mutable std::size_t m_blocksValid = 0; // leading blocks whose summary is up to date
    bool markSent(qint64 rel); // false if it was sent before
    void remember(qint64 rel, const Sent& chunk);
    void forget(std::map<qint64, Sent>::iterator it);
    void forgetBelow(qint64 rel); // drops what no abandon can name any more
    // The TSN of an abandoned message from its stream and data (-1: none sent with that data).
    qint64 claim(quint16 stream, const QByteArray& data);
    void placeUnsent(qint64 from, qint64 to, qint64 timeNs); // TSNs from..to never went out
    void placeAbandon(Point& p, qint64 rel, quint8 how);
};

// What a frame of the graph draws, computed without painting (tests and the benchmark use it).
struct Viewport {
    QRectF plot; // where the points go, in pixels
    qint64 startNs = 0;
    double nsPerPx = 1e6;
    double tsnLow = 0; // relative TSN at the plot's bottom edge
    double tsnPerPx = 1;
    double x(qint64 ns) const { return plot.left() + double(ns - startNs) / nsPerPx; }
    double y(double tsn) const { return plot.bottom() - (tsn - tsnLow) / tsnPerPx; }
    qint64 ns(double x) const { return startNs + qint64((x - plot.left()) * nsPerPx); }
    double tsn(double y) const { return tsnLow + (plot.bottom() - y) * tsnPerPx; }
};

struct DrawnMark {
    MarkKind kind;
    QPointF pos; // the mark's centre (GapAck, ForwardTsn, aggregates: the top end is yEnd)
    double yEnd; // the other end of a bar: GapAck block, ForwardTsn jump, a column's aggregate
    quint32 count; // points it stands for (>1: aggregated per pixel column)
    std::size_t point; // index into Flow::points of one of them
};

struct GraphFrame {
    std::vector<DrawnMark> marks; // in drawing order (MarkKind order)
    QVector<QPointF> cumLine; // the cumulative-ack step line, in pixels
    std::size_t visiblePoints = 0;
    int aggregatedColumns = 0; // columns where one kind had more points than it draws one by one
};

// Turns journal events into TSN graph points, one Flow per association and direction. Fed
// incrementally with the events the journal hands out (SctpPacket events are decoded for DATA,
// SACK and FORWARD-TSN chunks; SctpRetransmission, SctpAbandon and SctpForwardTsn events classify
// and add to them). Pure computation: no painting, no widgets.
class TsnGraphModel {
public:
    void clear();
    void append(const QVector<trace::Event>& events);
    void append(const trace::Event& e);

    const std::vector<Flow>& flows() const { return m_flows; }
    // The flow with the most first transmissions (Tx preferred on a tie), or -1.
    int busiestFlow() const;
    int flowIndex(quint64 association, trace::Dir dir) const;
    quint64 generation() const { return m_generation; } // grows when a flow is added

    // Points of kinds at or after startNs and before endNs (index range into flow.points).
    static std::pair<std::size_t, std::size_t> range(const Flow& flow, qint64 startNs, qint64 endNs);
    // The TSN range of the points in [startNs, endNs) (and the cumulative point entering it).
    static bool tsnRange(const Flow& flow, qint64 startNs, qint64 endNs, qint64* low, qint64* high, bool summaries = true);
    // Level of detail, per pixel column and kind: up to kPerColumn points are drawn one by one, and
    // up to kPerColumnMax when they lie at least kMinSpacingPx apart on the TSN axis (a burst sent
    // at one instant, zoomed in); beyond that the column draws one bar from the lowest to the
    // highest TSN. The rare marks that matter (retransmissions, duplicates, FORWARD-TSN, abandons)
    // are drawn one by one up to kPerColumnMax whatever their spacing. The cumulative line gets one
    // step per column.
    static constexpr int kPerColumn = 6;
    static constexpr int kPerColumnMax = 64;
    static constexpr double kMinSpacingPx = 3;
    static bool rare(MarkKind kind) { return kind != MarkKind::Data && kind != MarkKind::GapAck && kind != MarkKind::CumAck; }
    // With summaries false, every point in range is visited (what the block summaries must equal;
    // the tests compare the two).
    static GraphFrame frame(const Flow& flow, const Viewport& vp, bool summaries = true);
    // CSV of a flow's points: time_s,kind,tsn_rel,tsn,stream,detail.
    static QString csv(const Flow& flow);
    static QString describe(const Flow& flow, const Point& p); // the tooltip

private:
    Flow& flowFor(quint64 association, trace::Dir dir);
    void sent(Flow& f, const sctp::DecodedChunk& c, const QByteArray& raw, qint64 rel, qint64 timeNs);
    void addPacket(const trace::Event& e);
    void addRetransmission(const trace::Event& e);
    void addAbandon(const trace::Event& e);
    void addForwardTsnEvent(const trace::Event& e);
    void advanceCum(Flow& f, qint64 cum, qint64 timeNs, quint64 seq, quint32 wire, bool forward);

    std::vector<Flow> m_flows;
    QHash<quint64, int> m_flowIds; // association << 2 | dir
    quint64 m_generation = 0;
};

} // namespace ladder::ui::graphs
