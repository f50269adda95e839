// SPDX-License-Identifier: GPL-3.0-or-later
#include "tsngraphview.h"

#include "graphaxis.h"
#include "graphexport.h"
#include "theme.h"
#include "timeline/timelinelayout.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace ladder::ui {

using graphs::DrawnMark;
using graphs::Flow;
using graphs::formatNs;
using graphs::MarkKind;
using graphs::niceStep;
using graphs::Point;
using graphs::TsnGraphModel;
using graphs::Viewport;

namespace {
    constexpr int kLeft = 64, kRight = 16, kTop = 12, kAxis = 24, kLegend = 48;

    struct Style {
        QColor colour;
        QString name;
    };

    Style styleOf(MarkKind kind, const MarkPalette& m, const QPalette& pal)
    {
        switch (kind) {
        case MarkKind::Data: return { m.request, QStringLiteral("DATA sent") };
        case MarkKind::FastRetransmission: return { m.retransmit, QStringLiteral("fast retransmission") };
        case MarkKind::TimeoutRetransmission: return { m.drop, QStringLiteral("timeout retransmission") };
        case MarkKind::Retransmission: return { m.retransmit, QStringLiteral("retransmission") };
        case MarkKind::Duplicate: return { pal.color(QPalette::WindowText), QStringLiteral("duplicate TSN") };
        case MarkKind::CumAck: return { m.response, QStringLiteral("SACK cumulative TSN") };
        case MarkKind::GapAck: return { m.response, QStringLiteral("gap-ack block") };
        case MarkKind::ForwardTsn: return { m.forwardTsn, QStringLiteral("FORWARD-TSN jump") };
        case MarkKind::Abandon: return { m.abandon, QStringLiteral("abandoned (ctx, policy)") };
        case MarkKind::Count: break;
        }
        return {};
    }

    // The mark's shape at c, r its half size.
    void drawShape(QPainter& p, MarkKind kind, QPointF c, double r, const QColor& colour, const QColor& base)
    {
        p.setPen(QPen(colour, 1.5));
        p.setBrush(colour);
        switch (kind) {
        case MarkKind::Data:
            p.setPen(Qt::NoPen);
            p.drawEllipse(c, r * 0.8, r * 0.8);
            break;
        case MarkKind::FastRetransmission: {
            QPolygonF t;
            t << c + QPointF(0, -r * 1.3) << c + QPointF(r * 1.2, r * 0.9) << c + QPointF(-r * 1.2, r * 0.9);
            p.setPen(QPen(base, 1));
            p.drawPolygon(t);
            break;
        }
        case MarkKind::TimeoutRetransmission:
            p.setPen(QPen(base, 1));
            p.drawRect(QRectF(c - QPointF(r, r), QSizeF(2 * r, 2 * r)));
            break;
        case MarkKind::Retransmission: {
            QPolygonF d;
            d << c + QPointF(0, -r * 1.3) << c + QPointF(r * 1.3, 0) << c + QPointF(0, r * 1.3) << c + QPointF(-r * 1.3, 0);
            p.setPen(QPen(base, 1));
            p.drawPolygon(d);
            break;
        }
        case MarkKind::Duplicate:
            p.setPen(QPen(colour, 2));
            p.drawLine(c + QPointF(-r, -r), c + QPointF(r, r));
            p.drawLine(c + QPointF(-r, r), c + QPointF(r, -r));
            break;
        case MarkKind::Abandon:
            p.setPen(QPen(colour, 2));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, r * 1.4, r * 1.4);
            p.drawLine(c + QPointF(-r, r), c + QPointF(r, -r));
            break;
        default: break;
        }
    }
} // namespace

const QPixmap& TsnGraphView::sprite(MarkKind kind, double r, const QColor& colour, const QColor& base, qreal dpr) const
{
    QByteArray key;
    key.reserve(24);
    key.append(char(kind));
    key.append(QByteArray::number(qRound(r * 100))).append(':');
    key.append(QByteArray::number(colour.rgba())).append(':');
    key.append(QByteArray::number(base.rgba())).append(':');
    key.append(QByteArray::number(qRound(dpr * 100)));
    auto it = m_sprites.find(key);
    if (it != m_sprites.end())
        return *it;
    if (m_sprites.size() > 256)
        m_sprites.clear(); // a theme or zoom change left old ones behind
    const int side = int(std::ceil(r * 3 + 6)); // the largest shape (an abandon's ring) and its pen
    QPixmap pix(QSize(side, side) * dpr);
    pix.setDevicePixelRatio(dpr);
    pix.fill(Qt::transparent);
    QPainter sp(&pix);
    sp.setRenderHint(QPainter::Antialiasing);
    drawShape(sp, kind, QPointF(side / 2.0, side / 2.0), r, colour, base);
    sp.end();
    return *m_sprites.insert(key, pix);
}

TsnGraphView::TsnGraphView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 200);
    setAutoFillBackground(false);
}

void TsnGraphView::append(const QVector<trace::Event>& events)
{
    const quint64 generation = m_model.generation();
    const int busiest = m_model.busiestFlow();
    m_model.append(events);
    if (m_model.generation() != generation || m_model.busiestFlow() != busiest)
        emit flowsChanged();
    if (m_fitted)
        fitAll();
    else
        update();
}

void TsnGraphView::clear()
{
    m_model.clear();
    m_flow = -1;
    m_fitted = true;
    m_lastFrame = {};
    emit flowsChanged();
    update();
}

void TsnGraphView::setFlow(int flow)
{
    m_flow = flow >= 0 && flow < int(m_model.flows().size()) ? flow : -1;
    fitAll();
}

Viewport TsnGraphView::viewport(const QSize& size) const
{
    Viewport vp;
    vp.plot = QRectF(kLeft, kTop, std::max(10, size.width() - kLeft - kRight), std::max(10, size.height() - kTop - kAxis - kLegend));
    vp.startNs = m_startNs;
    vp.nsPerPx = m_nsPerPx;
    vp.tsnLow = 0;
    vp.tsnPerPx = 1;
    if (m_flow < 0)
        return vp;
    const Flow& f = m_model.flows()[std::size_t(m_flow)];
    qint64 lo = 0, hi = 0;
    const qint64 endNs = m_startNs + qint64(vp.plot.width() * m_nsPerPx) + 1;
    if (!TsnGraphModel::tsnRange(f, m_startNs, endNs, &lo, &hi)) {
        lo = f.minTsn;
        hi = f.maxTsn;
    }
    // A margin of a few TSNs (or 4 %) so the marks and their labels stay inside.
    const double margin = std::max(1.0, double(hi - lo) * 0.04);
    vp.tsnLow = double(lo) - margin;
    vp.tsnPerPx = (double(hi - lo) + 2 * margin) / vp.plot.height();
    return vp;
}

void TsnGraphView::fitAll()
{
    m_fitted = true;
    if (m_flow < 0) {
        update();
        return;
    }
    const Flow& f = m_model.flows()[std::size_t(m_flow)];
    const double width = std::max(10, this->width() - kLeft - kRight);
    const qint64 span = std::max<qint64>(f.lastNs - f.firstNs, 1000000);
    m_nsPerPx = double(span) * 1.04 / width;
    m_startNs = f.firstNs - qint64(double(span) * 0.02);
    update();
}

void TsnGraphView::setRange(qint64 startNs, double nsPerPixel)
{
    m_startNs = startNs;
    m_nsPerPx = std::clamp(nsPerPixel, 10.0, 1e12);
    m_fitted = false;
    update();
}

void TsnGraphView::setTimeRange(qint64 startNs, qint64 endNs)
{
    const double width = std::max(10, this->width() - kLeft - kRight);
    m_startNs = startNs;
    m_nsPerPx = std::clamp(double(std::max<qint64>(endNs - startNs, 1)) / width, 10.0, 1e12);
    m_fitted = false;
    update();
}

void TsnGraphView::userRange()
{
    const double width = std::max(10, this->width() - kLeft - kRight);
    emit userRangeChanged(m_startNs, m_startNs + qint64(width * m_nsPerPx));
}

void TsnGraphView::selectSeq(quint64 seq)
{
    m_selectedSeq = seq;
    update();
    emit selectedSeqChanged(seq);
}

graphs::GraphFrame TsnGraphView::frame() const
{
    if (m_flow < 0)
        return {};
    return TsnGraphModel::frame(m_model.flows()[std::size_t(m_flow)], viewport(size()));
}

void TsnGraphView::render(QPainter& p, const QSize& size) const
{
    const QPalette pal = palette();
    const MarkPalette mp = markPalette(pal);
    p.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Base));
    p.setRenderHint(QPainter::Antialiasing);
    const Viewport vp = viewport(size);
    m_lastViewport = vp;
    const QRectF plot = vp.plot;
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    p.setFont(small);
    const QFontMetricsF fm(small);

    if (m_flow < 0) {
        m_lastFrame = {};
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(QPointF(0, 0), QSizeF(size)), Qt::AlignCenter,
            tr("No SCTP DATA yet.\nStart a lab scenario with an association (prsctp-ttl-rtx-buf, addr-over)\n"
               "or open a capture: each association's TSNs appear here, per direction."));
        return;
    }
    const Flow& f = m_model.flows()[std::size_t(m_flow)];

    // Axes and grid.
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(plot);
    const auto timeStep = qint64(niceStep(vp.nsPerPx * 90));
    // Faint in both themes (the dark palette's Midlight is bright): the text colour, mostly transparent.
    QColor grid = pal.color(QPalette::WindowText);
    grid.setAlphaF(0.13);
    for (qint64 t = (vp.startNs / timeStep) * timeStep; vp.x(t) <= plot.right(); t += timeStep) {
        const double x = vp.x(t);
        if (x < plot.left())
            continue;
        p.setPen(grid);
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        const QString label = formatNs(t, timeStep);
        if (x + 3 + fm.horizontalAdvance(label) <= size.width()) // not cut by the right edge
            p.drawText(QPointF(x + 3, plot.bottom() + fm.ascent() + 4), label);
    }
    const double tsnStep = niceStep(vp.tsnPerPx * 28);
    for (double v = std::ceil(vp.tsnLow / tsnStep) * tsnStep; vp.y(v) >= plot.top(); v += tsnStep) {
        const double y = vp.y(v);
        if (y > plot.bottom())
            continue;
        p.setPen(grid);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRectF(0, y - 8, kLeft - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(qint64(v)));
    }
    p.save();
    p.translate(12, plot.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-80, -10, 160, 20), Qt::AlignCenter, tr("TSN (first DATA = 1)"));
    p.restore();

    const graphs::GraphFrame fr = TsnGraphModel::frame(f, vp);
    m_lastFrame = fr;
    p.save();
    p.setClipRect(plot.adjusted(-8, -8, 8, 8));
    const QColor base = pal.color(QPalette::Base);
    const double r = 4;

    // Gap-ack blocks, then the cumulative line, then the marks.
    std::vector<timeline::LabelRequest> requests;
    std::vector<QString> texts;
    for (const DrawnMark& m : fr.marks) {
        if (m.kind != MarkKind::GapAck)
            continue;
        QColor c = mp.response;
        c.setAlphaF(0.75);
        p.setPen(QPen(c, 3, Qt::SolidLine, Qt::FlatCap));
        p.drawLine(QPointF(m.pos.x(), std::min(m.pos.y(), m.yEnd) - 2), QPointF(m.pos.x(), std::max(m.pos.y(), m.yEnd) + 2));
    }
    if (fr.cumLine.size() > 1) {
        p.setPen(QPen(mp.response, 2));
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(fr.cumLine);
    }
    const bool raster = p.paintEngine() && p.paintEngine()->type() == QPaintEngine::Raster;
    const qreal dpr = p.device() ? p.device()->devicePixelRatioF() : 1.0;
    const auto shape = [&](MarkKind kind, QPointF c, double radius, const QColor& colour) {
        if (!raster) {
            drawShape(p, kind, c, radius, colour, base);
            return;
        }
        const QPixmap& pix = sprite(kind, radius, colour, base, dpr);
        const QSizeF half = QSizeF(pix.size()) / dpr / 2;
        p.drawPixmap(QPointF(c.x() - half.width(), c.y() - half.height()), pix);
    };
    // Aggregated columns: their bars in one call per kind; the shapes at their ends only where the
    // previous one of the kind is not on the same spot (neighbouring columns are one pixel apart).
    {
        std::vector<QLineF> bars;
        MarkKind barKind = MarkKind::Count;
        const auto flush = [&] {
            if (bars.empty())
                return;
            p.setPen(QPen(styleOf(barKind, mp, pal).colour, 2));
            p.drawLines(bars.data(), int(bars.size()));
            bars.clear();
        };
        for (const DrawnMark& m : fr.marks) {
            if (m.count <= 1 || m.kind == MarkKind::GapAck || m.kind == MarkKind::ForwardTsn)
                continue;
            if (m.kind != barKind)
                flush();
            barKind = m.kind;
            bars.emplace_back(m.pos, QPointF(m.pos.x(), m.yEnd));
        }
        flush();
    }
    QPointF lastTop[graphs::kMarkKinds], lastBottom[graphs::kMarkKinds];
    for (int k = 0; k < graphs::kMarkKinds; ++k)
        lastTop[k] = lastBottom[k] = QPointF(-1e9, -1e9);
    const auto apart = [&](QPointF a, QPointF b) {
        return std::abs(a.x() - b.x()) >= r * 1.2 || std::abs(a.y() - b.y()) >= r * 1.2;
    };
    for (const DrawnMark& m : fr.marks) {
        const QColor colour = styleOf(m.kind, mp, pal).colour;
        const Point& pt = f.points[m.point];
        if (m.kind == MarkKind::GapAck)
            continue;
        if (m.kind == MarkKind::ForwardTsn) {
            // The jump of the cumulative point: dashed from where it was to where FORWARD-TSN put it.
            const double top = std::min(m.pos.y(), m.yEnd), bottom = std::max(m.pos.y(), m.yEnd);
            p.setPen(QPen(colour, 2, Qt::DashLine));
            p.drawLine(QPointF(m.pos.x(), bottom), QPointF(m.pos.x(), top));
            QPolygonF head;
            head << QPointF(m.pos.x(), top - 1) << QPointF(m.pos.x() - 5, top + 7) << QPointF(m.pos.x() + 5, top + 7);
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            p.drawPolygon(head);
            if (m.count == 1) {
                requests.push_back({ QPointF(m.pos.x(), top), {}, timeline::Priority::ForwardTsn, pt.seq });
                texts.push_back(QStringLiteral("FWD-TSN → %1").arg(pt.tsn));
            }
            continue;
        }
        if (m.count > 1) {
            // An aggregated column (its bar drawn above): the shape at both ends.
            const int k = int(m.kind);
            const QPointF bottom(m.pos.x(), m.yEnd);
            if (apart(m.pos, lastTop[k])) {
                shape(m.kind, m.pos, r * 0.7, colour);
                lastTop[k] = m.pos;
            }
            if (apart(bottom, lastBottom[k])) {
                shape(m.kind, bottom, r * 0.7, colour);
                lastBottom[k] = bottom;
            }
            continue;
        }
        if (m.kind == MarkKind::Abandon && !pt.tsnKnown()) {
            // No TSN of its own: a dashed circle above the highest TSN sent.
            p.setPen(QPen(colour, 1.5, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(m.pos, (r + 0.5) * 1.4, (r + 0.5) * 1.4);
        } else {
            shape(m.kind, m.pos, m.kind == MarkKind::Data ? r * 0.9 : r + 0.5, colour);
        }
        switch (m.kind) {
        case MarkKind::FastRetransmission:
        case MarkKind::TimeoutRetransmission:
        case MarkKind::Retransmission:
            requests.push_back({ m.pos, {}, timeline::Priority::Retransmission, pt.seq });
            texts.push_back(QStringLiteral("TSN %1").arg(pt.tsn));
            break;
        case MarkKind::Abandon:
            requests.push_back({ m.pos, {}, timeline::Priority::Abandon, pt.seq });
            texts.push_back(QStringLiteral("abandoned ctx %1 (%2)%3")
                                .arg(pt.context)
                                .arg(graphs::policyName(pt.detail & graphs::kAbandonPolicyMask),
                                    (pt.detail & graphs::kAbandonMatched) ? QString() : tr(" never sent")));
            break;
        default: break;
        }
    }
    // The event selected in another view (or clicked here): a ring around its marks.
    if (m_selectedSeq != ~0ull) {
        p.setPen(QPen(pal.color(QPalette::Highlight), 2));
        p.setBrush(Qt::NoBrush);
        for (const DrawnMark& m : fr.marks)
            if (m.count == 1 && f.points[m.point].seq == m_selectedSeq)
                p.drawEllipse(m.pos, r * 2.4, r * 2.4);
    }
    p.restore();

    // Labels, placed so that none overlaps another (the timeline's rule: the important first).
    if (requests.size() <= 600) {
        for (std::size_t i = 0; i < requests.size(); ++i)
            requests[i].size = QSizeF(fm.horizontalAdvance(texts[i]) + 4, fm.height());
        const std::vector<QRectF> rects = timeline::placeLabels(requests, plot.adjusted(1, 1, -1, -1));
        for (std::size_t i = 0; i < rects.size(); ++i) {
            if (rects[i].isNull())
                continue;
            const MarkKind kind = requests[i].priority == timeline::Priority::Abandon ? MarkKind::Abandon
                : requests[i].priority == timeline::Priority::ForwardTsn              ? MarkKind::ForwardTsn
                                                                                      : MarkKind::FastRetransmission;
            QColor bg = base;
            bg.setAlphaF(0.8);
            p.fillRect(rects[i], bg);
            p.setPen(mp.text(styleOf(kind, mp, pal).colour));
            p.drawText(rects[i], Qt::AlignCenter, texts[i]);
        }
    }

    // Title (top left, inside the plot) and the legend under the axis.
    p.setPen(pal.color(QPalette::WindowText));
    const QString summary = tr("%1 TSNs · %2 retransmitted · %3 abandoned · %4 FORWARD-TSN%5")
                                .arg(f.dataCount)
                                .arg(f.retransmissions)
                                .arg(f.abandons)
                                .arg(f.forwardTsns)
                                .arg(fr.aggregatedColumns ? tr(" · dense columns drawn as bars") : QString());
    QRectF titleRect(plot.left() + 6, plot.top() + 3, fm.horizontalAdvance(summary) + 8, fm.height());
    QColor tbg = base;
    tbg.setAlphaF(0.85);
    p.fillRect(titleRect, tbg);
    p.drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter, summary);

    static const MarkKind legend[] = { MarkKind::Data, MarkKind::FastRetransmission, MarkKind::TimeoutRetransmission,
        MarkKind::Retransmission, MarkKind::Duplicate, MarkKind::CumAck, MarkKind::GapAck, MarkKind::ForwardTsn,
        MarkKind::Abandon };
    double x = plot.left(), y = plot.bottom() + kAxis + 6;
    for (MarkKind k : legend) {
        const Style s = styleOf(k, mp, pal);
        const double w = 26 + fm.horizontalAdvance(s.name) + 16;
        if (x + w > plot.right() && x > plot.left()) {
            x = plot.left();
            y += fm.height() + 6;
        }
        const QPointF c(x + 10, y + fm.height() / 2);
        switch (k) {
        case MarkKind::CumAck: {
            p.setPen(QPen(s.colour, 2));
            p.setBrush(Qt::NoBrush);
            QPolygonF step;
            step << c + QPointF(-9, 4) << c + QPointF(-1, 4) << c + QPointF(-1, -4) << c + QPointF(9, -4);
            p.drawPolyline(step);
            break;
        }
        case MarkKind::GapAck: {
            QColor g = s.colour;
            g.setAlphaF(0.75);
            p.setPen(QPen(g, 3, Qt::SolidLine, Qt::FlatCap));
            p.drawLine(c + QPointF(0, -6), c + QPointF(0, 6));
            break;
        }
        case MarkKind::ForwardTsn: {
            p.setPen(QPen(s.colour, 2, Qt::DashLine));
            p.drawLine(c + QPointF(0, 7), c + QPointF(0, -3));
            QPolygonF head;
            head << c + QPointF(0, -7) << c + QPointF(-4, -1) << c + QPointF(4, -1);
            p.setPen(Qt::NoPen);
            p.setBrush(s.colour);
            p.drawPolygon(head);
            break;
        }
        default: drawShape(p, k, c, k == MarkKind::Data ? r * 0.9 : r + 0.5, s.colour, base); break;
        }
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QPointF(x + 24, y + fm.ascent()), s.name);
        x += w;
    }
}

void TsnGraphView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    render(p, size());
    if (m_cursorNs < 0)
        return;
    const Viewport vp = m_lastViewport;
    const double x = vp.x(m_cursorNs);
    if (x > vp.plot.right())
        return;
    QColor veil = palette().color(QPalette::Base);
    veil.setAlpha(165);
    const double left = std::max(x, vp.plot.left());
    p.fillRect(QRectF(left, vp.plot.top(), vp.plot.right() - left, vp.plot.height()), veil);
    if (x >= vp.plot.left()) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.drawLine(QPointF(x, vp.plot.top()), QPointF(x, vp.plot.bottom()));
    }
}

void TsnGraphView::setCursorTime(qint64 timeNs)
{
    m_cursorNs = timeNs < 0 ? -1 : timeNs;
    update();
    emit cursorTimeChanged(m_cursorNs);
}

const DrawnMark* TsnGraphView::markAt(const QPoint& pos) const
{
    const DrawnMark* best = nullptr;
    double bestDist = 8 * 8;
    for (const DrawnMark& m : m_lastFrame.marks) {
        const double top = std::min(m.pos.y(), m.yEnd), bottom = std::max(m.pos.y(), m.yEnd);
        const double dy = pos.y() < top ? top - pos.y() : pos.y() > bottom ? pos.y() - bottom : 0;
        const double dx = pos.x() - m.pos.x();
        // Prefer what is drawn on top (later kinds) at the same distance.
        const double d = dx * dx + dy * dy - (m.kind >= MarkKind::FastRetransmission ? 2 : 0);
        if (d <= bestDist) {
            bestDist = d;
            best = &m;
        }
    }
    return best;
}

void TsnGraphView::zoom(double factor, double aroundX)
{
    const Viewport vp = viewport(size());
    const qint64 at = vp.ns(aroundX);
    const double npp = std::clamp(m_nsPerPx / factor, 10.0, 1e12);
    setRange(at - qint64((aroundX - vp.plot.left()) * npp), npp);
    userRange();
}

void TsnGraphView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoom(std::pow(1.25, steps), event->position().x());
    event->accept();
}

void TsnGraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressPos = event->pos();
    m_pressStart = m_startNs;
    m_dragging = false;
}

void TsnGraphView::mouseMoveEvent(QMouseEvent* event)
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
    const DrawnMark* m = markAt(event->pos());
    if (m && m_flow >= 0) {
        const Flow& f = m_model.flows()[std::size_t(m_flow)];
        QString tip = TsnGraphModel::describe(f, f.points[m->point]);
        if (m->count > 1)
            tip = tr("%1 marks of this kind in this pixel column; the first:\n%2").arg(m->count).arg(tip);
        QToolTip::showText(event->globalPosition().toPoint(), tip, this);
    } else {
        QToolTip::hideText();
    }
}

void TsnGraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    unsetCursor();
    if (m_dragging) {
        m_dragging = false;
        return;
    }
    if (const DrawnMark* m = markAt(event->pos()); m && m_flow >= 0) {
        const quint64 seq = m_model.flows()[std::size_t(m_flow)].points[m->point].seq;
        selectSeq(seq);
        emit eventActivated(seq);
    }
}

void TsnGraphView::keyPressEvent(QKeyEvent* event)
{
    const double mid = viewport(size()).plot.center().x();
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoom(1.5, mid); break;
    case Qt::Key_Minus: zoom(1 / 1.5, mid); break;
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
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void TsnGraphView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if (m_fitted)
        fitAll();
}

bool TsnGraphView::exportPng(const QString& file)
{
    return graphexport::png(file, size(), [this](QPainter& p, const QSize& s) { render(p, s); });
}

bool TsnGraphView::exportSvg(const QString& file)
{
    const QString description = m_flow >= 0 ? m_model.flows()[std::size_t(m_flow)].title() : QString();
    return graphexport::svg(file, size(), tr("TSN graph"), description, [this](QPainter& p, const QSize& s) { render(p, s); });
}

bool TsnGraphView::exportCsv(const QString& file) const
{
    return m_flow >= 0 && graphexport::text(file, TsnGraphModel::csv(m_model.flows()[std::size_t(m_flow)]));
}

} // namespace ladder::ui
