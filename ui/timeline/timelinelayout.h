// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "timelineindex.h"

#include <QFontMetricsF>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <functional>
#include <vector>

namespace ladder::ui::timeline {

// What the timeline draws for one view range, worked out without a painter: lane geometry, the
// marks, density strips where events are too close to draw one by one, the folded keep-alive
// strip, and the labels with their rectangles. TimelineView paints a Frame as it is; the tests
// check its labels for overlap over the lab's lessons.

// Lanes share the plot's height, each between kMinLane and kMaxLane pixels tall (a block of a few
// lanes that cannot fill the height at kMaxLane sits in the middle of it).
constexpr int kMinLane = 48;
constexpr int kMaxLane = 380;
// The folded keep-alives' strip, just above each lane's line.
constexpr int kKeepAliveStrip = 7;
constexpr int kKeepAliveGap = 5; // between the strip and the lane line
// Density: the plot is cut into columns this wide; a lane's column where more than kDenseCount
// ordinary arrows end becomes one bar with a count.
constexpr int kDensityColumn = 8;
constexpr int kDenseCount = 4;
// A frame whose range holds more items than this counts the density from the index's buckets
// (FrameParams::itemsVisitedAtMost). When more client-transaction spans than this many per pixel
// reach into view (their deadlines included), only the retransmitted, timed-out and open ones are
// drawn whole; the others only if no more than that start in view, as bars without a deadline.
constexpr std::size_t kItemsVisitedAtMost = 100000;
constexpr std::size_t kSpansPerPixelAtMost = 2;

struct LaneGeometry {
    int top = 0;
    int laneHeight = kMinLane;
    int count = 0;
    int y(qint32 lane) const { return top + lane * laneHeight + laneHeight / 2; }
    int bandTop(qint32 lane) const { return top + lane * laneHeight; }
    int keepAliveStripTop(qint32 lane) const { return y(lane) - kKeepAliveGap - kKeepAliveStrip; }
    // The lane whose band holds y, or -1.
    qint32 laneAt(int y) const;
};
LaneGeometry laneGeometry(int plotTop, int plotHeight, int lanes);

// An arrow between lanes dy pixels apart is at least this wide, so order and direction stay
// visible where the link is fast: the receive end moves right, the send end stays at its time.
double minimumArrowWidth(double dy);

// Label priorities: a higher one is placed first and never gives way to a lower one.
enum class Priority : quint8 { SpanGap, KeepAlive, Density, Message, Data, Retransmission, ForwardTsn, Abandon };

struct LabelRequest {
    QPointF anchor; // the point the label belongs to (an arrow's middle, a mark's centre)
    QSizeF size; // the text's size
    Priority priority = Priority::Message;
    quint64 seq = ~0ull; // the event (for hover), or ~0 for a density count
};

// Places labels so that no two rectangles intersect and every rectangle lies inside bounds:
// highest priority first, then left to right; each tries a few places around its anchor (above
// right, below right, above left, below left, a line further out) and is hidden when none is free.
// Returns one rectangle per request, null (QRectF()) for a hidden one.
std::vector<QRectF> placeLabels(const std::vector<LabelRequest>& requests, const QRectF& bounds);
// The rule the timeline used before placeLabels (a label whenever its anchor is more than 70 px
// from the previous one drawn, whatever its size or lane): kept to show the overlap test fails on it.
std::vector<QRectF> placeLabelsLegacy(const std::vector<LabelRequest>& requests, const QRectF& bounds);
// True when some two of the non-null rectangles intersect.
bool anyOverlap(const std::vector<QRectF>& rects);

struct Mark {
    enum Shape : quint8 {
        Arrow, // a message from sender to receiver lane (a → b)
        Sent, // a dot: a transmission whose arrow is drawn at its receive end
        Drop, // dashed arrow ending in a cross
        Abandon, // a circle with a bar (PR-SCTP abandon)
        ForwardTsn, // a bracket
        FastRetransmit, // a triangle
        TimeoutRetransmit, // a square
        Timer, // a small clock
        State, // a diamond
        Error, // a triangle with a bar
    };
    enum Colour : quint8 { Request, Response, Control, Retransmit, DropColour, AbandonColour, ForwardTsnColour, TimerColour, StateColour };
    Shape shape = Arrow;
    Colour colour = Request;
    bool retransmission = false;
    bool selected = false;
    QPointF a, b;
    quint64 seq = 0;
};

struct DensityRun {
    qint32 lane = 0;
    double x0 = 0, x1 = 0; // plot pixels
    int count = 0; // events in the run
    int peak = 0; // the densest column's count
};

// A client transaction's span as drawn: a bar under its lane's line from the first send to the
// end (or the view's edge while open), a tick per send, and the Timer B/F deadline.
struct SpanBar {
    qint32 lane = 0;
    double x0 = 0, x1 = 0; // the attempt
    double deadlineX = 0;
    bool open = false, timedOut = false, invite = false;
    bool deadline = true; // false: one of many answered at once, drawn without its deadline
    std::vector<double> sends; // every send, the first included
    quint64 transaction = 0;
};
constexpr int kSpanOffset = 9; // below the lane line

// The stream sub-lanes, in a band under the lanes: a row per sending lane's SCTP stream, each
// message a bar from its first transmission to its fate (acknowledged, abandoned, or still in
// flight), its retransmissions ticked. The band takes at most kMaxStreamBand of the plot's height;
// rows that do not fit are counted in Frame::hiddenStreamRows.
constexpr int kStreamRow = 14;
constexpr int kStreamBandGap = 12; // between the lanes and the first row
constexpr double kMaxStreamBand = 0.4;
// The band's height for these rows in a plot this tall (0: no rows, or sub-lanes off).
int streamBandHeight(const StreamFates& streams, int plotHeight, bool on);

struct StreamRowGeometry {
    int row = 0; // index into StreamFates::rows()
    qint32 lane = 0;
    quint16 stream = 0;
    double y = 0; // the row's centre line
};

struct StreamBar {
    int row = 0; // index into Frame::streamRows
    double x0 = 0, x1 = 0;
    StreamFates::Fate fate = StreamFates::Fate::InFlight;
    quint8 policy = 0;
    bool unsent = false;
    quint32 retransmissions = 0;
    quint32 count = 1; // messages drawn as this one bar (too close to tell apart at this zoom)
    std::vector<double> retransmitX; // ticks: the first retransmissions' times
    quint32 message = 0; // index into StreamFates::messages() (the first one of a merged bar)
    quint64 seq = 0;
};

struct KeepAliveTick {
    qint32 lane = 0;
    double x = 0;
    int count = 0;
};

struct Label {
    QRectF rect;
    QString text;
    Mark::Colour colour = Mark::Request;
    Priority priority = Priority::Message;
    quint64 seq = ~0ull;
};

struct FrameParams {
    QRect plot; // where items are drawn (the lanes' area)
    qint64 startNs = 0;
    double nsPerPx = 1e6;
    bool foldKeepAlives = true;
    quint64 selected = ~0ull;
    bool legacyLabels = false; // placeLabelsLegacy instead of placeLabels (tests only)
    bool streams = true; // the stream sub-lanes
    std::size_t itemsVisitedAtMost = kItemsVisitedAtMost; // see kItemsVisitedAtMost (tests lower it)
};

struct Frame {
    LaneGeometry lanes;
    std::vector<Mark> marks;
    std::vector<DensityRun> density;
    std::vector<KeepAliveTick> keepAlives;
    std::vector<SpanBar> spans;
    std::vector<Label> labels; // placed: no two intersect
    std::vector<Label> hidden; // wanted, but no room (shown on hover)
    std::vector<quint64> keepAlivesPerLane; // folded keep-alives in the visible range
    std::vector<StreamRowGeometry> streamRows;
    std::vector<StreamBar> streamBars;
    int hiddenStreamRows = 0;
    QRectF streamBand; // empty: none
    int items = 0; // marks and strips drawn
    bool fromBuckets = false; // the density was counted from the index's buckets
};

// The text of an item's label ("INVITE", "DATA TSN 12 s0, SACK cum 11"…); empty for none.
using LabelText = std::function<QString(const TimelineIndex::Item&)>;

Frame buildFrame(const TimelineIndex& index, const FrameParams& params, const LabelText& labelText, const QFontMetricsF& fm);

} // namespace ladder::ui::timeline
