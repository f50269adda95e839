// SPDX-License-Identifier: GPL-3.0-or-later
#include "timelinelayout.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <numeric>

namespace ladder::ui::timeline {

using trace::Dir;
using trace::Kind;
using Item = TimelineIndex::Item;

qint32 LaneGeometry::laneAt(int yPos) const
{
    if (laneHeight <= 0 || yPos < top)
        return -1;
    const int lane = (yPos - top) / laneHeight;
    return lane < count ? lane : -1;
}

LaneGeometry laneGeometry(int plotTop, int plotHeight, int lanes)
{
    LaneGeometry g;
    g.top = plotTop;
    g.count = lanes;
    g.laneHeight = lanes > 0 ? std::clamp(plotHeight / lanes, kMinLane, kMaxLane) : kMinLane;
    if (lanes > 0 && g.laneHeight * lanes < plotHeight)
        g.top += (plotHeight - g.laneHeight * lanes) / 2;
    return g;
}

int streamBandHeight(const StreamFates& streams, int plotHeight, bool on)
{
    const int rows = int(streams.order().size());
    if (!on || rows == 0)
        return 0;
    const int fit = std::min(rows, int((plotHeight * kMaxStreamBand - kStreamBandGap) / kStreamRow));
    return fit > 0 ? kStreamBandGap + fit * kStreamRow : 0;
}

double minimumArrowWidth(double dy)
{
    // At most 3:1 steep, and never more than 36 px wide.
    return std::min(36.0, std::abs(dy) / 3.0);
}

namespace {

    // Placed rectangles, bucketed by x so a test looks at a few neighbours, not at all of them.
    class Placer {
    public:
        explicit Placer(const QRectF& bounds)
            : m_bounds(bounds)
            , m_columns(std::max(1, int(std::ceil(bounds.width() / kBucket)) + 1))
        {
        }

        bool isFree(const QRectF& r) const
        {
            if (r.left() < m_bounds.left() || r.top() < m_bounds.top() || r.right() > m_bounds.right()
                || r.bottom() > m_bounds.bottom())
                return false;
            const int c0 = column(r.left()), c1 = column(r.right());
            for (int c = c0; c <= c1; ++c)
                for (int idx : m_columns[std::size_t(c)])
                    if (m_rects[std::size_t(idx)].intersects(r))
                        return false;
            return true;
        }

        void add(const QRectF& r)
        {
            const int idx = int(m_rects.size());
            m_rects.push_back(r);
            const int c0 = column(r.left()), c1 = column(r.right());
            for (int c = c0; c <= c1; ++c)
                m_columns[std::size_t(c)].push_back(idx);
        }

        // The places tried around an anchor, nearest first.
        static std::array<QRectF, 6> candidates(QPointF a, QSizeF s)
        {
            const double w = s.width(), h = s.height();
            return { QRectF(a.x() + 3, a.y() - h - 1, w, h), QRectF(a.x() + 3, a.y() + 1, w, h),
                QRectF(a.x() - w - 3, a.y() - h - 1, w, h), QRectF(a.x() - w - 3, a.y() + 1, w, h),
                QRectF(a.x() - w / 2, a.y() - 2 * h - 2, w, h), QRectF(a.x() - w / 2, a.y() + h + 2, w, h) };
        }

        // The first free place for a label of this size at this anchor, or a null rectangle.
        QRectF place(QPointF anchor, QSizeF size)
        {
            for (const QRectF& r : candidates(anchor, size))
                if (isFree(r)) {
                    add(r);
                    return r;
                }
            return {};
        }

        // Whether even a label of this (smallest) size would find a place: lets the caller skip
        // building a text that cannot be shown.
        bool mightFit(QPointF anchor, QSizeF size) const
        {
            for (const QRectF& r : candidates(anchor, size))
                if (isFree(r))
                    return true;
            return false;
        }

    private:
        static constexpr double kBucket = 48;
        int column(double x) const
        {
            return std::clamp(int((x - m_bounds.left()) / kBucket), 0, int(m_columns.size()) - 1);
        }
        QRectF m_bounds;
        std::vector<QRectF> m_rects;
        std::vector<std::vector<int>> m_columns;
    };

    std::vector<std::size_t> placementOrder(const std::vector<LabelRequest>& requests)
    {
        std::vector<std::size_t> order(requests.size());
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (requests[a].priority != requests[b].priority)
                return requests[a].priority > requests[b].priority;
            return requests[a].anchor.x() < requests[b].anchor.x();
        });
        return order;
    }

} // namespace

std::vector<QRectF> placeLabels(const std::vector<LabelRequest>& requests, const QRectF& bounds)
{
    std::vector<QRectF> out(requests.size());
    Placer placer(bounds);
    for (std::size_t i : placementOrder(requests))
        out[i] = placer.place(requests[i].anchor, requests[i].size);
    return out;
}

std::vector<QRectF> placeLabelsLegacy(const std::vector<LabelRequest>& requests, const QRectF&)
{
    // As the timeline drew them until the layout above: in time order, a label whenever its
    // anchor is more than 70 px from the last one drawn, above right of the anchor.
    std::vector<QRectF> out(requests.size());
    std::vector<std::size_t> order(requests.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
        [&](std::size_t a, std::size_t b) { return requests[a].anchor.x() < requests[b].anchor.x(); });
    double last = -1e9;
    for (std::size_t i : order) {
        const LabelRequest& r = requests[i];
        if (std::abs(r.anchor.x() - last) <= 70)
            continue;
        out[i] = QRectF(r.anchor.x() + 4, r.anchor.y() - 3 - r.size.height(), std::min(r.size.width(), 120.0), r.size.height());
        last = r.anchor.x();
    }
    return out;
}

bool anyOverlap(const std::vector<QRectF>& rects)
{
    for (std::size_t i = 0; i < rects.size(); ++i) {
        if (rects[i].isNull())
            continue;
        for (std::size_t j = i + 1; j < rects.size(); ++j)
            if (!rects[j].isNull() && rects[i].intersects(rects[j]))
                return true;
    }
    return false;
}

namespace {

    bool isMessage(Kind k) { return k == Kind::SipMessage || k == Kind::SipRetransmission || k == Kind::SctpPacket; }

    // Rare marks that matter: always drawn one by one, never folded into a density strip.
    bool isImportant(const Item& it) { return TimelineIndex::isImportant(it); }

    bool isDrawnKind(Kind k)
    {
        switch (k) {
        case Kind::SipMessage:
        case Kind::SipRetransmission:
        case Kind::SctpPacket:
        case Kind::LinkDrop:
        case Kind::SctpAbandon:
        case Kind::SctpForwardTsn:
        case Kind::SctpRetransmission:
        case Kind::TimerFired:
        case Kind::TransactionState:
        case Kind::DialogState:
        case Kind::AssociationState:
        case Kind::Error: return true;
        default: return false;
        }
    }

    // Where an arrow is drawn: a receive, or a send whose receiver the journal never sees.
    bool isArrowEnd(const Item& it, const TimelineIndex& index)
    {
        if (!isMessage(it.kind) || it.pairLane < 0)
            return false;
        return it.dir == Dir::Rx || !index.laneReceives(it.pairLane);
    }

    Mark::Colour messageColour(const Item& it)
    {
        if (it.flags & TimelineIndex::Retransmission)
            return Mark::Retransmit;
        if (it.kind == Kind::SctpPacket) {
            if (it.flags & TimelineIndex::SctpData)
                return Mark::Request;
            if (it.flags & TimelineIndex::SctpSack)
                return Mark::Response;
            return Mark::Control;
        }
        if (it.flags & TimelineIndex::KeepAlive)
            return Mark::Control;
        return (it.flags & TimelineIndex::Response) ? Mark::Response : Mark::Request;
    }

    Priority messagePriority(const Item& it)
    {
        if (it.flags & TimelineIndex::Retransmission)
            return Priority::Retransmission;
        if (it.flags & TimelineIndex::KeepAlive)
            return Priority::KeepAlive;
        if (it.kind == Kind::SctpPacket && (it.flags & TimelineIndex::SctpData))
            return Priority::Data;
        return Priority::Message;
    }

    struct Candidate {
        QPointF anchor;
        Priority priority;
        Mark::Colour colour;
        std::size_t item; // index into the index's items, or SIZE_MAX for a density run
        int run = -1;
    };

} // namespace

Frame buildFrame(const TimelineIndex& index, const FrameParams& params, const LabelText& labelText, const QFontMetricsF& fm)
{
    Frame f;
    const auto& items = index.items();
    const int laneCount = int(index.lanes().size());
    const QRect& plot = params.plot;
    const int band = streamBandHeight(index.streams(), plot.height(), params.streams);
    f.lanes = laneGeometry(plot.top(), plot.height() - band, laneCount);
    f.keepAlivesPerLane.assign(std::size_t(std::max(laneCount, 0)), 0);
    if (items.empty() || laneCount == 0 || plot.width() <= 0)
        return f;

    auto nsToX = [&](qint64 ns) { return plot.left() + double(ns - params.startNs) / params.nsPerPx; };
    const qint64 visibleStart = params.startNs;
    const qint64 visibleEnd = params.startNs + qint64(double(plot.width() + 1) * params.nsPerPx);

    // Labels that are not an item's: retransmission gaps of spans, stream bars' fates.
    struct ExtraLabel {
        QPointF anchor;
        QString text;
        Priority priority = Priority::SpanGap;
        Mark::Colour colour = Mark::Retransmit;
        quint64 seq = ~0ull;
    };
    std::vector<ExtraLabel> gaps;

    // The stream sub-lanes in view.
    if (band > 0) {
        const StreamFates& sf = index.streams();
        const auto& messages = sf.messages();
        // Right under the lanes (a short block of lanes sits in the middle of the plot).
        const int bandTop = std::min(plot.bottom() + 1 - band, f.lanes.top + laneCount * f.lanes.laneHeight);
        f.streamBand = QRectF(plot.left(), bandTop, plot.width(), band);
        const int fit = (band - kStreamBandGap) / kStreamRow;
        f.hiddenStreamRows = int(sf.order().size()) - fit;
        for (int i = 0; i < fit; ++i) {
            const int rowId = sf.order()[std::size_t(i)];
            const StreamFates::Row& row = sf.rows()[std::size_t(rowId)];
            StreamRowGeometry g;
            g.row = rowId;
            g.lane = row.lane;
            g.stream = row.stream;
            g.y = bandTop + kStreamBandGap + i * kStreamRow + kStreamRow / 2.0;
            f.streamRows.push_back(g);
            const int rowIndex = int(f.streamRows.size()) - 1;
            // Messages starting in view, or before it and still in flight or ending in it.
            const qint64 from = visibleStart - row.longestSettledNs;
            auto first = std::lower_bound(row.messages.begin(), row.messages.end(), from,
                [&](quint32 m, qint64 t) { return messages[m].startNs < t; });
            std::vector<quint32> shown;
            for (quint32 m : row.open)
                if (messages[m].startNs < from)
                    shown.push_back(m);
            // In start order, as the row's own (open is in no order), so that close bars merge alike.
            std::sort(shown.begin(), shown.end(), [&](quint32 a, quint32 b) {
                return messages[a].startNs != messages[b].startNs ? messages[a].startNs < messages[b].startNs : a < b;
            });
            std::size_t firstBar = f.streamBars.size();
            const auto add = [&](quint32 mi) {
                const StreamFates::Message& m = messages[mi];
                const qint64 end = m.endNs >= 0 ? m.endNs : index.lastNs();
                if (end < visibleStart || m.startNs > visibleEnd)
                    return;
                const double x0 = nsToX(m.startNs), x1 = std::max(x0 + 2, nsToX(end));
                // Too close to the previous bar to tell apart, and as plain: one bar for both.
                if (f.streamBars.size() > firstBar) {
                    StreamBar& last = f.streamBars.back();
                    const bool plain = m.retransmissions == 0 && last.retransmissions == 0 && !m.unsent && !last.unsent
                        && m.policy == last.policy;
                    if ((plain && last.fate == m.fate && x0 <= last.x1 + 1) || f.streamBars.size() - firstBar >= 4000) {
                        last.x1 = std::max(last.x1, x1);
                        ++last.count;
                        last.retransmissions += m.retransmissions;
                        return;
                    }
                }
                StreamBar b;
                b.row = rowIndex;
                b.x0 = x0;
                b.x1 = x1;
                b.fate = m.fate;
                b.policy = m.policy;
                b.unsent = m.unsent;
                b.retransmissions = m.retransmissions;
                b.message = mi;
                b.seq = m.seq;
                for (quint32 k = 0; k < std::min<quint32>(m.retransmissions, StreamFates::kRetransmitTimes); ++k)
                    b.retransmitX.push_back(nsToX(m.retransmittedNs[k]));
                f.streamBars.push_back(std::move(b));
            };
            for (quint32 m : shown)
                add(m);
            for (auto it = first; it != row.messages.end() && messages[*it].startNs <= visibleEnd; ++it)
                add(*it);
            // Labels: an abandon's policy and context at its end, a retransmitted message's count.
            for (std::size_t b = firstBar; b < f.streamBars.size(); ++b) {
                const StreamBar& bar = f.streamBars[b];
                const StreamFates::Message& m = messages[bar.message];
                if (bar.count > 1)
                    continue;
                if (bar.fate == StreamFates::Fate::Abandoned) {
                    const char* policy = m.policy == 1 ? "TTL" : m.policy == 2 ? "BUF" : m.policy == 3 ? "RTX" : nullptr;
                    QString text = m.policy == 0 ? QStringLiteral("skipped")
                        : policy                ? QStringLiteral("ctx %1 %2").arg(m.context).arg(QLatin1String(policy))
                                                : QStringLiteral("ctx %1").arg(m.context);
                    if (m.unsent)
                        text += QStringLiteral(", never sent");
                    gaps.push_back({ QPointF(bar.x1, g.y), text, Priority::Abandon, Mark::AbandonColour, m.endSeq });
                } else if (m.retransmissions > 0) {
                    gaps.push_back({ QPointF((bar.x0 + bar.x1) / 2, g.y), QStringLiteral("sent %1×").arg(m.retransmissions + 1),
                        Priority::Retransmission, Mark::Retransmit, m.seq });
                }
            }
        }
    }
    // Arrows are drawn at their receive time and reach back to their send time: look past the
    // right edge so an arrow that leaves inside the view is not lost.
    const qint64 scanEnd = visibleEnd + std::max<qint64>(qint64(params.nsPerPx * 200), 2000000000);
    const std::size_t begin = index.lowerBound(visibleStart);
    const std::size_t end = index.lowerBound(scanEnd);

    // Pass 1: per lane and density column, how many ordinary marks; folded keep-alives.
    const int cols = plot.width() / kDensityColumn + 1; // the last column also takes what lies beyond
    auto colOf = [&](qint64 ns) {
        return std::clamp(int((nsToX(ns) - plot.left()) / kDensityColumn), 0, cols - 1);
    };
    std::vector<int> ordinary(std::size_t(laneCount) * std::size_t(cols), 0);
    std::vector<int> keep(std::size_t(laneCount) * std::size_t(cols), 0);
    std::vector<std::size_t> colBegin(std::size_t(cols) + 1, end);
    std::vector<quint8> colImportant(std::size_t(cols), 0);
    auto isFolded = [&](const Item& it) {
        return params.foldKeepAlives && isMessage(it.kind) && (it.flags & TimelineIndex::KeepAlive)
            && !(it.flags & TimelineIndex::Retransmission);
    };
    // A frame over more items than it can visit one by one at this zoom (a live capture shown
    // whole) counts from the index's buckets when a column spans several of them; the rare
    // important items come from their own list. Small ranges, and every test scenario, are counted
    // item by item.
    const double columnNs = kDensityColumn * params.nsPerPx;
    const bool fromBuckets = end - begin > params.itemsVisitedAtMost && columnNs >= 8.0 * double(index.bucketNs());
    auto columnStartNs = [&](int c) { return visibleStart + qint64(std::ceil(double(c) * columnNs)); };
    std::size_t selectedItem = SIZE_MAX;
    f.fromBuckets = fromBuckets;
    if (!fromBuckets) {
        int lastCol = -1;
        for (std::size_t i = begin; i < end; ++i) {
            const Item& it = items[i];
            const int c = colOf(it.timeNs);
            while (lastCol < c)
                colBegin[std::size_t(++lastCol)] = i;
            if (it.lane < 0 || it.lane >= laneCount || !isDrawnKind(it.kind))
                continue;
            const std::size_t cell = std::size_t(it.lane) * std::size_t(cols) + std::size_t(c);
            if (isFolded(it)) {
                if (it.timeNs <= visibleEnd) {
                    ++keep[cell];
                    ++f.keepAlivesPerLane[std::size_t(it.lane)];
                }
            } else if (isImportant(it) || it.seq == params.selected) {
                colImportant[std::size_t(c)] = 1;
            } else if (c < cols - 1 && isArrowEnd(it, index)) {
                ++ordinary[cell];
            }
        }
    } else {
        const qint64 origin = index.bucketOriginNs(), width = index.bucketNs();
        auto bucketOf = [&](qint64 ns) { return ns <= origin ? std::size_t(0) : std::size_t((ns - origin) / width); };
        for (qint32 lane = 0; lane < laneCount; ++lane) {
            const auto& buckets = index.buckets(lane);
            for (int c = 0; c < cols && !buckets.empty(); ++c) {
                const qint64 from = columnStartNs(c);
                const qint64 to = c < cols - 1 ? columnStartNs(c + 1) : visibleEnd + 1;
                const std::size_t b1 = std::min(bucketOf(to), buckets.size());
                const std::size_t cell = std::size_t(lane) * std::size_t(cols) + std::size_t(c);
                for (std::size_t b = bucketOf(from); b < b1; ++b) {
                    const TimelineIndex::BucketCounts& n = buckets[b];
                    if (params.foldKeepAlives) {
                        keep[cell] += int(n.keepAlives);
                        f.keepAlivesPerLane[std::size_t(lane)] += n.keepAlives;
                    }
                    if (c < cols - 1)
                        ordinary[cell] += int(n.arrows + (params.foldKeepAlives ? 0 : n.keepAliveArrows));
                }
            }
        }
        const auto& important = index.important();
        auto first = std::lower_bound(important.begin(), important.end(), visibleStart,
            [](const TimelineIndex::Marked& m, qint64 t) { return m.timeNs < t; });
        for (auto m = first; m != important.end() && m->timeNs < scanEnd; ++m)
            colImportant[std::size_t(colOf(m->timeNs))] = 1;
        if (params.selected != ~0ull) {
            selectedItem = index.findItem(params.selected);
            if (selectedItem != SIZE_MAX && items[selectedItem].timeNs >= visibleStart && items[selectedItem].timeNs < scanEnd)
                colImportant[std::size_t(colOf(items[selectedItem].timeNs))] = 1;
            else
                selectedItem = SIZE_MAX;
        }
    }
    auto dense = [&](qint32 lane, int c) {
        return c < cols - 1 && ordinary[std::size_t(lane) * std::size_t(cols) + std::size_t(c)] > kDenseCount;
    };

    // Density runs and keep-alive ticks.
    std::vector<Candidate> candidates;
    for (qint32 lane = 0; lane < laneCount; ++lane) {
        const std::size_t row = std::size_t(lane) * std::size_t(cols);
        int c = 0;
        while (c < cols - 1) {
            if (!dense(lane, c)) {
                ++c;
                continue;
            }
            DensityRun run;
            run.lane = lane;
            run.x0 = plot.left() + c * kDensityColumn;
            while (c < cols - 1 && dense(lane, c)) {
                run.count += ordinary[row + std::size_t(c)];
                run.peak = std::max(run.peak, ordinary[row + std::size_t(c)]);
                ++c;
            }
            run.x1 = plot.left() + c * kDensityColumn;
            candidates.push_back({ QPointF((run.x0 + run.x1) / 2, f.lanes.y(lane) + 9), Priority::Density, Mark::Request,
                SIZE_MAX, int(f.density.size()) });
            f.density.push_back(run);
        }
        for (int k = 0; k < cols; ++k)
            if (keep[row + std::size_t(k)])
                f.keepAlives.push_back({ lane, plot.left() + (k + 0.5) * kDensityColumn, keep[row + std::size_t(k)] });
    }

    // Client transaction spans in view, with their retransmission gaps as low-priority labels.
    // Those that may reach into view: the open ones and, spans being in start order, the ones
    // started at most the longest reach before it (else all). Too many to tell apart (see
    // kSpansPerPixelAtMost): the retransmitted, timed-out and open ones whole, the others only
    // where few start in view, without their deadlines.
    const auto& allSpans = index.spans();
    std::vector<std::size_t> spanOrder;
    std::vector<std::size_t> bareSpans; // drawn without a deadline
    if (index.spansInStartOrder()) {
        auto byStart = [&](qint64 t) {
            return std::size_t(std::lower_bound(allSpans.begin(), allSpans.end(), t,
                                   [](const TimelineIndex::Span& x, qint64 v) { return x.startNs < v; })
                - allSpans.begin());
        };
        const std::size_t budget = std::size_t(std::max(plot.width(), 1)) * kSpansPerPixelAtMost;
        const std::size_t lo = byStart(visibleStart - index.longestSpanReachNs());
        const std::size_t inView = byStart(visibleStart);
        const std::size_t hi = byStart(visibleEnd + 1);
        const bool crowded = hi - lo > budget;
        for (std::size_t i : index.openSpans())
            if (i < lo || crowded)
                spanOrder.push_back(i);
        if (!crowded) {
            for (std::size_t i = lo; i < hi; ++i)
                spanOrder.push_back(i);
        } else {
            for (std::size_t i : index.notableSpans())
                if (allSpans[i].endNs >= 0)
                    spanOrder.push_back(i);
            if (hi - inView <= budget)
                for (std::size_t i = inView; i < hi; ++i)
                    if (!allSpans[i].notable && allSpans[i].endNs >= 0) {
                        spanOrder.push_back(i);
                        bareSpans.push_back(i);
                    }
        }
        std::sort(spanOrder.begin(), spanOrder.end());
        spanOrder.erase(std::unique(spanOrder.begin(), spanOrder.end()), spanOrder.end());
    } else {
        spanOrder.resize(allSpans.size());
        std::iota(spanOrder.begin(), spanOrder.end(), std::size_t(0));
    }
    for (std::size_t spanIndex : spanOrder) {
        const TimelineIndex::Span& s = allSpans[spanIndex];
        if (s.lane < 0 || s.lane >= laneCount)
            continue;
        const qint64 end = s.endNs >= 0 ? s.endNs : index.lastNs();
        const qint64 reach = std::max(end, s.deadlineNs);
        if (reach < visibleStart || s.startNs > visibleEnd)
            continue;
        SpanBar bar;
        bar.lane = s.lane;
        bar.transaction = s.transaction;
        bar.x0 = nsToX(s.startNs);
        bar.x1 = std::max(bar.x0 + 1, nsToX(end));
        bar.deadlineX = nsToX(s.deadlineNs);
        bar.open = s.endNs < 0;
        bar.timedOut = s.timedOut;
        bar.invite = s.invite;
        bar.deadline = !std::binary_search(bareSpans.begin(), bareSpans.end(), spanIndex);
        bar.sends.push_back(bar.x0);
        qint64 previous = s.startNs;
        const double y = f.lanes.y(s.lane) + kSpanOffset;
        for (qint64 t : s.sends) {
            const double x = nsToX(t);
            bar.sends.push_back(x);
            if (x - nsToX(previous) > 24)
                gaps.push_back({ QPointF((nsToX(previous) + x) / 2, y + 3), QStringLiteral("%1 s").arg(double(t - previous) / 1e9, 0, 'g', 3) });
            previous = t;
        }
        f.spans.push_back(std::move(bar));
    }

    // Pass 2: the marks, one by one, where they are not part of a density run.
    std::vector<int> lastX(std::size_t(laneCount + 1) * 16, INT_MIN);
    auto seen = [&](qint32 lane, int cls, int x) {
        int& slot = lastX[std::size_t(lane + 1) * 16 + std::size_t(cls)];
        if (slot == x)
            return true;
        slot = x;
        return false;
    };
    // One item's mark (and label candidate), in column c.
    auto visit = [&](std::size_t i, int c) {
        const Item& it = items[i];
        if (it.lane < 0 || it.lane >= laneCount || !isDrawnKind(it.kind) || isFolded(it))
            return;
        const bool selected = it.seq == params.selected;
        if (!selected && !isImportant(it) && dense(it.lane, c) && isArrowEnd(it, index))
            return;
        const double x = nsToX(it.timeNs);
        const int xi = int(x);
        const double y = f.lanes.y(it.lane);
        Mark m;
        m.seq = it.seq;
        m.selected = selected;
        Candidate cand { {}, Priority::Message, Mark::Request, i };
        bool wantLabel = false;
        switch (it.kind) {
        case Kind::SipMessage:
        case Kind::SipRetransmission:
        case Kind::SctpPacket: {
            m.retransmission = it.flags & TimelineIndex::Retransmission;
            m.colour = messageColour(it);
            if (it.pairLane >= laneCount)
                return;
            if (it.dir == Dir::Tx && (it.pairLane < 0 || index.laneReceives(it.pairLane))) {
                // Its arrow is drawn at the receive end; here only a dot.
                if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 0, xi)))
                    return;
                m.shape = Mark::Sent;
                m.a = m.b = QPointF(x, y);
                break;
            }
            if (it.pairLane < 0)
                return;
            const bool paired = it.dir == Dir::Tx || (it.flags & TimelineIndex::Paired);
            const double x0 = paired && it.dir == Dir::Rx ? nsToX(it.pairTimeNs) : x;
            const double y0 = f.lanes.y(it.pairLane);
            const double x1 = std::max(x, x0 + minimumArrowWidth(y - y0));
            if (x0 > plot.right() + 1)
                return;
            if (!selected && seen(it.pairLane, 1 + (m.retransmission ? 1 : 0) + (it.lane < it.pairLane ? 2 : 0), int(x0))
                && int(x0) == xi)
                return;
            m.shape = Mark::Arrow;
            m.a = QPointF(x0, y0);
            m.b = QPointF(x1, y);
            cand.anchor = (m.a + m.b) / 2;
            cand.priority = messagePriority(it);
            wantLabel = true;
            break;
        }
        case Kind::LinkDrop: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 5, xi)))
                return;
            const double y1 = it.pairLane >= 0 && it.pairLane < laneCount ? f.lanes.y(it.pairLane) : y + f.lanes.laneHeight / 2.0;
            m.shape = Mark::Drop;
            m.colour = Mark::DropColour;
            m.a = QPointF(x, y);
            m.b = QPointF(x + std::max(10.0, minimumArrowWidth(y1 - y) / 2), (y + y1) / 2.0);
            break;
        }
        case Kind::SctpAbandon:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 6, xi)))
                return;
            m.shape = Mark::Abandon;
            m.colour = Mark::AbandonColour;
            m.a = m.b = QPointF(x, y);
            cand.anchor = m.a;
            cand.priority = Priority::Abandon;
            wantLabel = true;
            break;
        case Kind::SctpForwardTsn:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 7, xi)))
                return;
            m.shape = Mark::ForwardTsn;
            m.colour = Mark::ForwardTsnColour;
            m.a = m.b = QPointF(x, y);
            cand.anchor = m.a;
            cand.priority = Priority::ForwardTsn;
            wantLabel = true;
            break;
        case Kind::SctpRetransmission:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 8, xi)))
                return;
            m.shape = it.detail == TimelineIndex::RetransmitFast ? Mark::FastRetransmit : Mark::TimeoutRetransmit;
            m.colour = Mark::Retransmit;
            m.retransmission = true;
            m.a = m.b = QPointF(x, y);
            cand.anchor = m.a;
            cand.priority = Priority::Retransmission;
            wantLabel = true;
            break;
        case Kind::TimerFired:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 9, xi)))
                return;
            m.shape = Mark::Timer;
            m.colour = Mark::TimerColour;
            m.a = m.b = QPointF(x, y + 12);
            break;
        case Kind::TransactionState:
        case Kind::DialogState:
        case Kind::AssociationState:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 10, xi)))
                return;
            m.shape = Mark::State;
            m.colour = Mark::StateColour;
            m.a = m.b = QPointF(x, y - 12);
            break;
        case Kind::Error:
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 11, xi)))
                return;
            m.shape = Mark::Error;
            m.colour = Mark::DropColour;
            m.a = m.b = QPointF(x, y);
            break;
        default: return;
        }
        f.marks.push_back(m);
        if (wantLabel) {
            cand.colour = m.colour;
            candidates.push_back(cand);
        }
    };
    for (int c = 0; c < cols; ++c) {
        bool skippable = !colImportant[std::size_t(c)] && c < cols - 1;
        if (skippable)
            for (qint32 lane = 0; lane < laneCount && skippable; ++lane)
                skippable = ordinary[std::size_t(lane) * std::size_t(cols) + std::size_t(c)] == 0 || dense(lane, c);
        if (skippable)
            continue;
        if (!fromBuckets) {
            for (std::size_t i = colBegin[std::size_t(c)]; i < colBegin[std::size_t(c) + 1]; ++i)
                visit(i, c);
            continue;
        }
        // From the buckets: a column with a lane neither empty nor dense is visited item by item;
        // one drawn only for its important items (every lane dense or empty) visits those alone —
        // the states, timers and sends under a density strip are folded into it.
        bool mixed = c == cols - 1;
        for (qint32 lane = 0; lane < laneCount && !mixed; ++lane)
            mixed = ordinary[std::size_t(lane) * std::size_t(cols) + std::size_t(c)] > 0 && !dense(lane, c);
        const qint64 from = c == 0 ? visibleStart : columnStartNs(c);
        const qint64 to = c < cols - 1 ? columnStartNs(c + 1) : scanEnd;
        if (mixed) {
            for (std::size_t i = index.lowerBound(from), last = index.lowerBound(to); i < last; ++i)
                visit(i, colOf(items[i].timeNs));
            continue;
        }
        const auto& important = index.important();
        for (auto m = std::lower_bound(important.begin(), important.end(), from,
                 [](const TimelineIndex::Marked& x, qint64 t) { return x.timeNs < t; });
             m != important.end() && m->timeNs < to; ++m)
            if (const std::size_t i = index.findItem(m->timeNs, m->seq); i != SIZE_MAX)
                visit(i, colOf(m->timeNs));
        if (selectedItem != SIZE_MAX && items[selectedItem].timeNs >= from && items[selectedItem].timeNs < to
            && !isImportant(items[selectedItem]))
            visit(selectedItem, c);
    }
    f.items = int(f.marks.size() + f.density.size() + f.keepAlives.size() + f.spans.size() + f.streamBars.size());
    for (std::size_t g = 0; g < gaps.size(); ++g)
        candidates.push_back({ gaps[g].anchor, gaps[g].priority, gaps[g].colour, SIZE_MAX, -2 - int(g) });

    // Labels: highest priority first, then in time order; each takes the first free place around
    // its anchor. A text is built only when a label of the smallest size could still be placed.
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        if (a.priority != b.priority)
            return a.priority > b.priority;
        return a.anchor.x() < b.anchor.x();
    });
    const QRectF bounds(plot);
    const double h = std::ceil(fm.height());
    const QSizeF smallest(fm.horizontalAdvance(QStringLiteral("INFO")), h);
    constexpr double kMaxWidth = 260;
    Placer placer(bounds);
    std::vector<LabelRequest> legacyRequests;
    std::vector<Label> legacyLabels;
    for (const Candidate& c : candidates) {
        Label label;
        label.colour = c.colour;
        label.priority = c.priority;
        if (!params.legacyLabels && !placer.mightFit(c.anchor, smallest)) {
            if (c.item != SIZE_MAX)
                label.seq = items[c.item].seq;
            else if (c.run <= -2)
                label.seq = gaps[std::size_t(-2 - c.run)].seq;
            label.rect = QRectF(c.anchor, QSizeF(1, 1));
            f.hidden.push_back(std::move(label));
            continue;
        }
        if (c.item == SIZE_MAX && c.run <= -2) {
            label.text = gaps[std::size_t(-2 - c.run)].text;
            label.seq = gaps[std::size_t(-2 - c.run)].seq;
        } else if (c.item == SIZE_MAX) {
            const DensityRun& run = f.density[std::size_t(c.run)];
            label.text = QStringLiteral("%1 msgs").arg(run.count);
        } else {
            const Item& it = items[c.item];
            label.seq = it.seq;
            label.text = labelText ? labelText(it) : QString();
        }
        if (label.text.isEmpty())
            continue;
        double w = std::ceil(fm.horizontalAdvance(label.text)) + 2;
        if (w > kMaxWidth) {
            label.text = fm.elidedText(label.text, Qt::ElideRight, kMaxWidth - 2);
            w = kMaxWidth;
        }
        if (params.legacyLabels) {
            legacyRequests.push_back({ c.anchor, QSizeF(w, h), c.priority, label.seq });
            legacyLabels.push_back(std::move(label));
            continue;
        }
        label.rect = placer.place(c.anchor, QSizeF(w, h));
        // A long text that finds no place may still fit shortened.
        if (label.rect.isNull() && w > 90) {
            const QString shortText = fm.elidedText(label.text, Qt::ElideRight, 88);
            label.rect = placer.place(c.anchor, QSizeF(std::ceil(fm.horizontalAdvance(shortText)) + 2, h));
            if (!label.rect.isNull())
                label.text = shortText;
        }
        if (label.rect.isNull()) {
            label.rect = QRectF(c.anchor, QSizeF(1, 1));
            f.hidden.push_back(std::move(label));
        } else {
            f.labels.push_back(std::move(label));
        }
    }
    if (params.legacyLabels) {
        const std::vector<QRectF> rects = placeLabelsLegacy(legacyRequests, bounds);
        for (std::size_t i = 0; i < rects.size(); ++i) {
            legacyLabels[i].rect = rects[i];
            if (!rects[i].isNull())
                f.labels.push_back(std::move(legacyLabels[i]));
        }
    }
    return f;
}

} // namespace ladder::ui::timeline
