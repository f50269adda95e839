// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QHash>
#include <QRectF>
#include <QString>
#include <QVector>

#include <map>
#include <vector>

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
    Abandon, // a PR-SCTP message given up: detail = policy, context, stream; tsn its first outstanding TSN
    Count
};
constexpr int kMarkKinds = int(MarkKind::Count);
QString markKindName(MarkKind kind); // "DATA", "fast retransmission"… (legend, CSV)
QString policyName(quint8 policy); // "TTL", "BUF", "RTX", "PRIO"

struct Point {
    qint64 timeNs = 0;
    qint64 tsn = 0; // relative: the direction's first DATA TSN is 1 (serial arithmetic across wrap)
    qint64 tsnEnd = 0; // GapAck: last TSN of the block; ForwardTsn: cumulative point before the jump
    quint64 seq = 0; // the journal event to inspect
    quint64 context = 0; // Abandon: the message's context
    quint32 wire = 0; // tsn as on the wire
    quint16 stream = 0;
    MarkKind kind = MarkKind::Data;
    quint8 detail = 0; // Abandon: policy (1 TTL, 2 BUF, 3 RTX, 4 PRIO); Abandon: 1 if its TSN is known
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
    // Relative TSN of a wire TSN, by serial arithmetic from the highest TSN seen (valid once baseKnown).
    qint64 relative(quint32 wire) const { return m_refRel + qint32(wire - m_refWire); }

private:
    friend class TsnGraphModel;
    qint64 m_refRel = 1;
    quint32 m_refWire = 0;
    std::vector<quint8> m_sent; // by relative TSN: 1 sent once
    std::map<qint64, quint16> m_outstanding; // sent, above the cumulative point: TSN -> stream
    QHash<qint64, std::size_t> m_unclassified; // a repeat sent, its SctpRetransmission not yet read
    QHash<qint64, qint64> m_classifiedAt; // TSN -> time an SctpRetransmission came before its DATA
    QHash<qint64, bool> m_abandonedTsn;
    QHash<qint64, bool> m_reportedDup;
    void add(const Point& p);
    bool markSent(qint64 rel); // false if it was sent before
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
    static bool tsnRange(const Flow& flow, qint64 startNs, qint64 endNs, qint64* low, qint64* high);
    // Level of detail: per pixel column and kind, at most kPerColumn points are drawn one by one;
    // beyond that the column draws one bar from the lowest to the highest TSN. The cumulative
    // line gets one step per column.
    static constexpr int kPerColumn = 6;
    static GraphFrame frame(const Flow& flow, const Viewport& vp);
    // CSV of a flow's points: time_s,kind,tsn_rel,tsn,stream,detail.
    static QString csv(const Flow& flow);
    static QString describe(const Flow& flow, const Point& p); // the tooltip

private:
    Flow& flowFor(quint64 association, trace::Dir dir);
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
