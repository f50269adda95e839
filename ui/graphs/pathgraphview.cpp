// SPDX-License-Identifier: GPL-3.0-or-later
#include "pathgraphview.h"

#include "graphaxis.h"
#include "graphexport.h"
#include "theme.h"
#include "timeline/timelinelayout.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSet>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>
#include <span>

namespace ladder::ui {

using graphs::Marker;
using graphs::MarkerKind;
using graphs::Metric;
using graphs::PathGraph;
using graphs::PathGraphModel;
using graphs::PathSeries;
using graphs::Sample;
using graphs::StripViewport;

namespace {
    // The same margins as the TSN graph, so that the two share the timeline's time range exactly.
    constexpr int kLeft = 64, kRight = 16, kTop = 34, kAxis = 24, kLegend = 48, kGap = 22;

    struct Style {
        QColor colour;
        Qt::PenStyle line;
    };

    // Colour and line style per metric (Okabe–Ito; the line style tells them apart without colour).
    Style metricStyle(Metric m, const MarkPalette& p)
    {
        switch (m) {
        case Metric::Cwnd:
            return { p.request, Qt::SolidLine };
        case Metric::Flight:
            return { p.retransmit, Qt::DashLine };
        case Metric::Ssthresh:
            return { p.control, Qt::DotLine };
        case Metric::Rto:
            return { p.drop, Qt::SolidLine };
        case Metric::Srtt:
            return { p.response, Qt::DashDotLine };
        case Metric::Count:
            break;
        }
        return {};
    }

    Style markerStyle(MarkerKind k, const MarkPalette& p)
    {
        switch (k) {
        case MarkerKind::PathState:
            return { p.state, Qt::DashLine };
        case MarkerKind::Primary:
            return { p.timer, Qt::SolidLine };
        case MarkerKind::DataPath:
            return { p.abandon, Qt::DotLine };
        }
        return {};
    }

    QString markerName(MarkerKind k)
    {
        switch (k) {
        case MarkerKind::PathState:
            return PathGraphView::tr("path state (PEER_ADDR_CHANGE)");
        case MarkerKind::Primary:
            return PathGraphView::tr("primary path changed");
        case MarkerKind::DataPath:
            return PathGraphView::tr("DATA moved to another path");
        }
        return {};
    }

    QString stateText(int state)
    {
        switch (state) {
        case 0x0001:
            return PathGraphView::tr("active");
        case 0x0002:
            return PathGraphView::tr("inactive");
        case 0x0200:
            return PathGraphView::tr("unconfirmed");
        case -1:
            return PathGraphView::tr("no reading yet");
        default:
            return PathGraphView::tr("state %1").arg(state);
        }
    }

    QString valueText(double v, bool bytes)
    {
        if (!bytes)
            return QString::number(qint64(v)) + QStringLiteral(" ms");
        if (v >= 10000)
            return QString::number(v / 1000, 'f', v >= 100000 ? 0 : 1) + QStringLiteral(" kB");
        return QString::number(qint64(v)) + QStringLiteral(" B");
    }

    constexpr Metric kBytes[] = { Metric::Cwnd, Metric::Flight, Metric::Ssthresh };
    constexpr Metric kMs[] = { Metric::Rto, Metric::Srtt };
    // What a strip plots: bytes (cwnd, flight size, ssthresh) or milliseconds (RTO, SRTT).
    std::span<const Metric> metricsOf(bool bytes) { return bytes ? std::span<const Metric>(kBytes) : std::span<const Metric>(kMs); }
} // namespace

PathGraphView::PathGraphView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 200);
}

void PathGraphView::changed()
{
    emit graphsChanged();
    if (m_fitted)
        fitAll();
    else
        update();
}

void PathGraphView::append(const QVector<trace::Event>& events)
{
    const quint64 generation = m_model.generation();
    m_model.append(events);
    if (m_model.generation() != generation)
        changed();
    else if (m_fitted)
        fitAll();
    else
        update();
}

void PathGraphView::addSnapshots(const QList<sctp::AssociationInfo>& associations)
{
    const quint64 generation = m_model.generation();
    m_model.addSnapshots(associations);
    if (m_model.generation() != generation)
        changed();
    else if (m_fitted)
        fitAll();
    else
        update();
}

void PathGraphView::clear()
{
    m_model.clear();
    m_graph = -1;
    m_fitted = true;
    m_selected = {};
    changed();
}

void PathGraphView::setGraph(int graph)
{
    m_graph = graph >= 0 && graph < int(m_model.graphs().size()) ? graph : -1;
    m_selected = {};
    m_selectedSeq = ~0ull;
    fitAll();
}

void PathGraphView::fitAll()
{
    m_fitted = true;
    if (m_graph >= 0) {
        const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
        const double width = std::max(10, this->width() - kLeft - kRight);
        const qint64 span = std::max<qint64>(g.lastNs - g.firstNs, 1000000);
        m_nsPerPx = double(span) * 1.04 / width;
        m_startNs = g.firstNs - qint64(double(span) * 0.02);
    }
    update();
}

void PathGraphView::setRange(qint64 startNs, double nsPerPixel)
{
    m_startNs = startNs;
    m_nsPerPx = std::clamp(nsPerPixel, 10.0, 1e12);
    m_fitted = false;
    update();
}

void PathGraphView::setTimeRange(qint64 startNs, qint64 endNs)
{
    const double width = std::max(10, this->width() - kLeft - kRight);
    setRange(startNs, double(std::max<qint64>(endNs - startNs, 1)) / width);
}

void PathGraphView::userRange()
{
    const double width = std::max(10, this->width() - kLeft - kRight);
    emit userRangeChanged(m_startNs, m_startNs + qint64(width * m_nsPerPx));
}

void PathGraphView::selectSeq(quint64 seq)
{
    if (seq == m_selectedSeq)
        return; // the point clicked here (a reading selects an event that is not its own)
    m_selectedSeq = seq;
    m_selected = {};
    if (m_graph >= 0 && seq != ~0ull) {
        const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
        for (std::size_t p = 0; p < g.paths.size() && m_selected.path < 0; ++p) {
            const std::vector<Sample>& flight = g.paths[p].of(Metric::Flight);
            const auto it = std::find_if(flight.begin(), flight.end(), [seq](const Sample& s) { return s.seq == seq; });
            if (it != flight.end())
                m_selected = { int(p), Metric::Flight, std::size_t(it - flight.begin()) };
        }
    }
    update();
}

void PathGraphView::setCursorTime(qint64 timeNs)
{
    m_cursorNs = timeNs < 0 ? -1 : timeNs;
    update();
}

std::vector<PathGraphView::Strip> PathGraphView::strips(const QSize& size) const
{
    std::vector<Strip> out;
    if (m_graph < 0)
        return out;
    const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
    const int n = int(g.paths.size()) * 2;
    if (!n)
        return out;
    const double top = kTop, bottom = std::max<double>(top + 40, size.height() - kAxis - kLegend);
    const double h = std::max(12.0, (bottom - top - kGap * (n - 1)) / n);
    const double width = std::max(10, size.width() - kLeft - kRight);
    const qint64 endNs = m_startNs + qint64(width * m_nsPerPx) + 1;
    for (int i = 0; i < n; ++i) {
        Strip s;
        s.path = i / 2;
        s.bytes = i % 2 == 0;
        s.vp.plot = QRectF(kLeft, top + i * (h + kGap), width, h);
        s.vp.startNs = m_startNs;
        s.vp.nsPerPx = m_nsPerPx;
        // The value axis starts at 0 and fits the largest value in view (or, if none, overall).
        double high = 0, ssthresh = 0;
        const PathSeries& p = g.paths[std::size_t(s.path)];
        for (Metric m : metricsOf(s.bytes)) {
            const std::vector<Sample>& v = p.of(m);
            auto [from, to] = PathGraphModel::range(v, m_startNs, endNs);
            double& into = m == Metric::Ssthresh ? ssthresh : high;
            for (std::size_t k = from; k < to; ++k)
                into = std::max(into, double(v[k].value));
        }
        // The first ssthresh is the peer's whole receive window, often a hundred times cwnd: an
        // ssthresh far above the rest is drawn at the top edge, its value written in the strip's name.
        if (ssthresh <= 2 * high)
            high = std::max(high, ssthresh);
        high = std::max(high, s.bytes ? 1500.0 : 10.0);
        s.vp.low = 0;
        s.vp.perPx = high * 1.12 / h;
        out.push_back(s);
    }
    return out;
}

QPointF PathGraphView::samplePos(int path, Metric metric, std::size_t index) const
{
    if (m_graph < 0)
        return {};
    const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
    if (path < 0 || path >= int(g.paths.size()) || index >= g.paths[std::size_t(path)].of(metric).size())
        return {};
    const Sample& s = g.paths[std::size_t(path)].of(metric)[index];
    for (const Strip& st : strips(size()))
        if (st.path == path && st.bytes == graphs::inBytes(metric)) {
            const QPointF pos(st.vp.x(s.timeNs), st.vp.y(s.value));
            return st.vp.plot.adjusted(-1, -1, 1, 1).contains(pos) ? pos : QPointF();
        }
    return {};
}

void PathGraphView::render(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    p.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    p.setFont(small);
    const QFontMetricsF fm(small);
    if (m_graph < 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(QPointF(0, 0), QSizeF(size)), Qt::AlignCenter,
            tr("No SCTP path readings yet.\nStart a lab scenario with an association (addr-over has two paths and a "
               "failover; prsctp-ttl-rtx-buf retransmits):\neach path's cwnd, RTO and SRTT appear here as usrsctp "
               "reports them, with the flight size inferred from the packets."));
        return;
    }
    const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
    const std::vector<Strip> all = strips(size);
    for (const Strip& s : all)
        drawStrip(p, s, g);
    drawMarkers(p, all, size);

    // The time axis under the last strip.
    if (!all.empty()) {
        const StripViewport& vp = all.back().vp;
        const auto step = qint64(graphs::niceStep(vp.nsPerPx * 90));
        p.setPen(pal.color(QPalette::WindowText));
        for (qint64 t = (vp.startNs / step) * step; vp.x(t) <= vp.plot.right(); t += step) {
            const double x = vp.x(t);
            if (x < vp.plot.left())
                continue;
            p.drawLine(QPointF(x, vp.plot.bottom()), QPointF(x, vp.plot.bottom() + 4));
            const QString label = graphs::formatNs(t, step);
            if (x + 3 + fm.horizontalAdvance(label) <= size.width())
                p.drawText(QPointF(x + 3, vp.plot.bottom() + fm.ascent() + 4), label);
        }
        drawLegend(p, QRectF(kLeft, vp.plot.bottom() + kAxis + 4, vp.plot.width(), kLegend - 4));
    }

    // The title: where the numbers come from, and what the view could not get.
    QStringList notes { tr("Association %1").arg(g.association), tr("cwnd, RTO, SRTT as usrsctp read them"),
        tr("flight size inferred from DATA and SACKs"),
        tr("ssthresh inferred from the peer's a_rwnd and the retransmissions (RFC 9260 §7.2.3)") };
    if (g.missedSamples)
        notes << tr("%n reading(s) not received (the view fell behind)", nullptr, int(g.missedSamples));
    if (m_model.thinned())
        notes << tr("older samples thinned");
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRectF(kLeft, 2, size.width() - kLeft - kRight, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        fm.elidedText(notes.join(QStringLiteral(" · ")), Qt::ElideRight, size.width() - kLeft - kRight));

    if (m_cursorNs >= 0 && !all.empty()) {
        const StripViewport& vp = all.front().vp;
        const double x = vp.x(m_cursorNs);
        if (x <= vp.plot.right()) {
            QColor veil = pal.color(QPalette::Base);
            veil.setAlpha(165);
            const double left = std::max(x, vp.plot.left());
            p.fillRect(QRectF(left, all.front().vp.plot.top(), vp.plot.right() - left,
                           all.back().vp.plot.bottom() - all.front().vp.plot.top()),
                veil);
            if (x >= vp.plot.left()) {
                p.setPen(QPen(pal.color(QPalette::Highlight), 2));
                p.drawLine(QPointF(x, all.front().vp.plot.top()), QPointF(x, all.back().vp.plot.bottom()));
            }
        }
    }
}

void PathGraphView::drawStrip(QPainter& p, const Strip& s, const PathGraph& g) const
{
    const QPalette pal = palette();
    const MarkPalette mp = markPalette(pal);
    const StripViewport& vp = s.vp;
    const QFontMetricsF fm(p.font());
    QColor grid = pal.color(QPalette::WindowText);
    grid.setAlphaF(0.13);
    p.setPen(pal.color(QPalette::Mid));
    p.setBrush(Qt::NoBrush);
    p.drawRect(vp.plot);
    // Value grid: a few lines with their values on the left.
    const double step = graphs::niceStep(vp.perPx * std::max(24.0, vp.plot.height() / 4));
    for (double v = step; vp.y(v) >= vp.plot.top(); v += step) {
        const double y = vp.y(v);
        p.setPen(grid);
        p.drawLine(QPointF(vp.plot.left(), y), QPointF(vp.plot.right(), y));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(0, y - 8, kLeft - 6, 16), Qt::AlignRight | Qt::AlignVCenter, valueText(v, s.bytes));
    }
    const auto step2 = qint64(graphs::niceStep(vp.nsPerPx * 90));
    p.setPen(grid);
    for (qint64 t = (vp.startNs / step2) * step2; vp.x(t) <= vp.plot.right(); t += step2)
        if (vp.x(t) >= vp.plot.left())
            p.drawLine(QPointF(vp.x(t), vp.plot.top()), QPointF(vp.x(t), vp.plot.bottom()));

    const PathSeries& path = g.paths[std::size_t(s.path)];
    p.save();
    p.setClipRect(vp.plot.adjusted(-3, -3, 3, 3));
    for (Metric m : metricsOf(s.bytes)) {
        const Style st = metricStyle(m, mp);
        QVector<QPointF> line = PathGraphModel::stepLine(path.of(m), vp);
        if (m == Metric::Ssthresh)
            for (QPointF& pt : line)
                pt.setY(std::max(pt.y(), vp.plot.top())); // above the strip: along its top edge
        QPen pen(st.colour, 2, st.line);
        pen.setCapStyle(Qt::FlatCap);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(line);
        // Dots on the samples themselves when there is room (what a click picks).
        const auto [from, to]
            = PathGraphModel::range(path.of(m), vp.startNs, vp.startNs + qint64(vp.plot.width() * vp.nsPerPx) + 1);
        if (to - from <= std::size_t(vp.plot.width() / 6)) {
            p.setPen(Qt::NoPen);
            p.setBrush(st.colour);
            for (std::size_t i = from; i < to; ++i)
                p.drawEllipse(QPointF(vp.x(path.of(m)[i].timeNs),
                                  m == Metric::Ssthresh ? std::max(vp.y(path.of(m)[i].value), vp.plot.top()) : vp.y(path.of(m)[i].value)),
                    2.6, 2.6);
        }
    }
    if (m_selected.path == s.path && graphs::inBytes(m_selected.metric) == s.bytes
        && m_selected.index < path.of(m_selected.metric).size()) {
        const Sample& sel = path.of(m_selected.metric)[m_selected.index];
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(vp.x(sel.timeNs), vp.y(sel.value)), 7, 7);
    }
    p.restore();

    // An ssthresh above the strip (its line runs along the top edge): how high, in the strip's name.
    quint32 above = 0;
    if (s.bytes) {
        const std::vector<Sample>& ss = path.of(Metric::Ssthresh);
        const auto [from, to] = PathGraphModel::range(ss, vp.startNs, vp.startNs + qint64(vp.plot.width() * vp.nsPerPx) + 1);
        for (std::size_t i = from; i < to; ++i)
            if (vp.y(ss[i].value) < vp.plot.top())
                above = std::max(above, ss[i].value);
    }
    // The strip's name: the path, its state and role, and what it plots.
    QString name = s.bytes
        ? tr("%1 · %2%3 · bytes: cwnd, flight size and ssthresh (inferred)")
              .arg(path.address, stateText(path.state), path.primary ? tr(" · primary") : QString())
        : tr("%1 · milliseconds: RTO, SRTT").arg(path.address);
    if (above)
        name += tr(" · ssthresh %1, above the strip").arg(valueText(above, true));
    QFont bold = p.font();
    bold.setBold(s.bytes);
    QRectF r(vp.plot.left() + 4, vp.plot.top() - fm.height() - 2, QFontMetricsF(bold).horizontalAdvance(name) + 6, fm.height());
    p.setPen(pal.color(QPalette::WindowText));
    p.save();
    p.setFont(bold);
    p.drawText(r.adjusted(0, 0, 40, 0), Qt::AlignLeft | Qt::AlignVCenter, name);
    p.restore();
}

void PathGraphView::drawMarkers(QPainter& p, const std::vector<Strip>& strips, const QSize&) const
{
    if (strips.empty())
        return;
    const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
    const MarkPalette mp = markPalette(palette());
    const QFontMetricsF fm(p.font());
    const double top = strips.front().vp.plot.top(), bottom = strips.back().vp.plot.bottom();
    const StripViewport& vp = strips.front().vp;
    std::vector<timeline::LabelRequest> requests;
    std::vector<const Marker*> labelled;
    // One line per pixel column and kind: a path that changes at every send draws no more than that.
    QSet<qint64> drawn;
    for (const Marker& m : g.markers) {
        const double x = vp.x(m.timeNs);
        if (x < vp.plot.left() || x > vp.plot.right())
            continue;
        if (drawn.contains(qint64(std::floor(x)) * 4 + int(m.kind)))
            continue;
        drawn.insert(qint64(std::floor(x)) * 4 + int(m.kind));
        const Style st = markerStyle(m.kind, mp);
        const bool selected = m.seq != ~0ull && m.seq == m_selectedSeq;
        p.setPen(QPen(selected ? palette().color(QPalette::Highlight) : st.colour,
            selected                            ? 3
                : m.kind == MarkerKind::Primary ? 2
                                                : 1.5,
            st.line));
        p.drawLine(QPointF(x, top), QPointF(x, bottom));
        if (requests.size() >= 400)
            continue; // beyond this, labels would only be hidden by the placement anyway
        const auto priority = m.kind == MarkerKind::Primary ? timeline::Priority::Abandon
            : m.kind == MarkerKind::DataPath                ? timeline::Priority::Retransmission
                                                            : timeline::Priority::ForwardTsn;
        requests.push_back(
            { QPointF(x, top + 2), QSizeF(fm.horizontalAdvance(m.text) + 6, fm.height()), priority, m.seq });
        labelled.push_back(&m);
    }
    // Labels inside the strips, never over one another (the timeline's rule: the important first).
    const std::vector<QRectF> rects
        = timeline::placeLabels(requests, QRectF(vp.plot.left(), top, vp.plot.width(), bottom - top));
    QColor bg = palette().color(QPalette::Base);
    bg.setAlphaF(0.85);
    for (std::size_t i = 0; i < rects.size(); ++i) {
        if (rects[i].isNull())
            continue;
        p.fillRect(rects[i], bg);
        p.setPen(mp.text(markerStyle(labelled[i]->kind, mp).colour));
        p.drawText(rects[i], Qt::AlignCenter, labelled[i]->text);
    }
}

void PathGraphView::drawLegend(QPainter& p, const QRectF& area) const
{
    const MarkPalette mp = markPalette(palette());
    const QFontMetricsF fm(p.font());
    double x = area.left(), y = area.top();
    const auto entry = [&](const Style& st, const QString& name, double width) {
        const double w = 30 + fm.horizontalAdvance(name) + 16;
        if (x + w > area.right() && x > area.left()) {
            x = area.left();
            y += fm.height() + 4;
        }
        p.setPen(QPen(st.colour, width, st.line));
        if (width > 1.8) // a metric: a horizontal stroke
            p.drawLine(QPointF(x, y + fm.height() / 2), QPointF(x + 24, y + fm.height() / 2));
        else // a marker: a vertical one
            p.drawLine(QPointF(x + 12, y), QPointF(x + 12, y + fm.height()));
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QPointF(x + 30, y + fm.ascent()), name);
        x += w;
    };
    for (int m = 0; m < graphs::kMetrics; ++m)
        entry(metricStyle(Metric(m), mp), graphs::metricName(Metric(m)), 2);
    for (MarkerKind k : { MarkerKind::PathState, MarkerKind::Primary, MarkerKind::DataPath })
        entry(markerStyle(k, mp), markerName(k), 1.5);
}

PathGraphView::Hit PathGraphView::hitAt(const QPointF& pos) const
{
    Hit best;
    if (m_graph < 0)
        return best;
    const PathGraph& g = m_model.graphs()[std::size_t(m_graph)];
    double bestDist = 8 * 8;
    const std::vector<Strip> all = strips(size());
    for (const Strip& s : all) {
        if (!s.vp.plot.adjusted(-8, -8, 8, 8).contains(pos))
            continue;
        const PathSeries& path = g.paths[std::size_t(s.path)];
        for (Metric m : metricsOf(s.bytes)) {
            const std::vector<Sample>& v = path.of(m);
            const auto [from, to]
                = PathGraphModel::range(v, s.vp.startNs + qint64((pos.x() - 8 - s.vp.plot.left()) * s.vp.nsPerPx),
                    s.vp.startNs + qint64((pos.x() + 8 - s.vp.plot.left()) * s.vp.nsPerPx));
            for (std::size_t i = from; i < to; ++i) {
                const double dx = s.vp.x(v[i].timeNs) - pos.x(), dy = s.vp.y(v[i].value) - pos.y();
                if (dx * dx + dy * dy > bestDist)
                    continue;
                bestDist = dx * dx + dy * dy;
                best.seq = v[i].seq != ~0ull ? v[i].seq : PathGraphModel::nearestEvent(g, v[i].timeNs);
                best.sample = { s.path, m, i };
                best.tip
                    = tr("%1 on %2: %3 at %4 s\n%5")
                          .arg(graphs::metricName(m), path.address,
                              valueText(v[i].value, graphs::inBytes(m))
                                  .replace(QStringLiteral(" kB"), QStringLiteral(" kB (%1 B)").arg(v[i].value)))
                          .arg(double(v[i].timeNs) / 1e9, 0, 'f', 6)
                          .arg(v[i].seq == ~0ull   ? tr("usrsctp's reading; click: the association's nearest event")
                                  : m == Metric::Ssthresh ? tr("inferred; what set it: event %1").arg(v[i].seq)
                                                          : tr("the packet that changed it: event %1").arg(v[i].seq));
            }
        }
    }
    if (best.seq != ~0ull || all.empty())
        return best;
    // A marker line within 4 px.
    const StripViewport& vp = all.front().vp;
    if (pos.y() < vp.plot.top() || pos.y() > all.back().vp.plot.bottom())
        return best;
    for (const Marker& m : g.markers)
        if (std::abs(vp.x(m.timeNs) - pos.x()) <= 4) {
            best.seq = m.seq != ~0ull ? m.seq : PathGraphModel::nearestEvent(g, m.timeNs);
            best.tip = tr("%1 at %2 s").arg(m.text).arg(double(m.timeNs) / 1e9, 0, 'f', 6);
        }
    return best;
}

void PathGraphView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    render(p, size());
}

void PathGraphView::zoom(double factor, double aroundX)
{
    const qint64 at = m_startNs + qint64((aroundX - kLeft) * m_nsPerPx);
    const double npp = std::clamp(m_nsPerPx / factor, 10.0, 1e12);
    setRange(at - qint64((aroundX - kLeft) * npp), npp);
    userRange();
}

void PathGraphView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoom(std::pow(1.25, steps), event->position().x());
    event->accept();
}

void PathGraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressPos = event->pos();
    m_pressStart = m_startNs;
    m_dragging = false;
}

void PathGraphView::mouseMoveEvent(QMouseEvent* event)
{
    if (event->buttons() & Qt::LeftButton) {
        const int dx = event->pos().x() - m_pressPos.x();
        if (m_dragging || std::abs(dx) > 3) {
            m_dragging = true;
            setRange(m_pressStart - qint64(dx * m_nsPerPx), m_nsPerPx);
            userRange();
            setCursor(Qt::ClosedHandCursor);
        }
        return;
    }
    const Hit h = hitAt(event->position());
    if (!h.tip.isEmpty())
        QToolTip::showText(event->globalPosition().toPoint(), h.tip, this);
    else
        QToolTip::hideText();
}

void PathGraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    unsetCursor();
    if (m_dragging) {
        m_dragging = false;
        return;
    }
    const Hit h = hitAt(event->position());
    if (h.seq == ~0ull)
        return;
    m_selected = h.sample;
    m_selectedSeq = h.seq;
    update();
    emit eventActivated(h.seq);
}

void PathGraphView::keyPressEvent(QKeyEvent* event)
{
    const double mid = kLeft + (width() - kLeft - kRight) / 2.0;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(1.5, mid);
        break;
    case Qt::Key_Minus:
        zoom(1 / 1.5, mid);
        break;
    case Qt::Key_Left:
        setRange(m_startNs - qint64(m_nsPerPx * width() / 4), m_nsPerPx);
        userRange();
        break;
    case Qt::Key_Right:
        setRange(m_startNs + qint64(m_nsPerPx * width() / 4), m_nsPerPx);
        userRange();
        break;
    case Qt::Key_Home:
        fitAll();
        userRange();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void PathGraphView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fitted)
        fitAll();
}

bool PathGraphView::exportPng(const QString& file)
{
    return graphexport::png(file, size(), [this](QPainter& p, const QSize& s) { render(p, s); });
}

bool PathGraphView::exportSvg(const QString& file)
{
    const QString description = m_graph >= 0 ? m_model.graphs()[std::size_t(m_graph)].title() : QString();
    return graphexport::svg(file, size(), tr("SCTP path graph"), description, [this](QPainter& p, const QSize& s) { render(p, s); });
}

bool PathGraphView::exportCsv(const QString& file) const
{
    return m_graph >= 0 && graphexport::text(file, PathGraphModel::csv(m_model.graphs()[std::size_t(m_graph)]));
}

} // namespace ladder::ui
