// SPDX-License-Identifier: GPL-3.0-or-later
#include "timelineview.h"

#include "journal/journal.h"
#include "sctpsummary.h"
#include "theme.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace ladder::ui {

using trace::Dir;
using trace::Kind;

namespace {
    QString formatNs(qint64 ns, qint64 step)
    {
        const double s = double(ns) / 1e9;
        const int decimals = step >= 1000000000 ? 0 : step >= 100000000 ? 1 : step >= 10000000 ? 2 : step >= 1000000 ? 3 : 6;
        return QString::number(s, 'f', decimals) + QStringLiteral(" s");
    }

    void arrowHead(QPainter& p, QPointF from, QPointF to, double size)
    {
        const double angle = std::atan2(to.y() - from.y(), to.x() - from.x());
        QPolygonF head;
        head << to << to - QPointF(std::cos(angle - 0.45) * size, std::sin(angle - 0.45) * size)
             << to - QPointF(std::cos(angle + 0.45) * size, std::sin(angle + 0.45) * size);
        p.drawPolygon(head);
    }

    QColor colourOf(const MarkPalette& pal, timeline::Mark::Colour c)
    {
        using M = timeline::Mark;
        switch (c) {
        case M::Request: return pal.request;
        case M::Response: return pal.response;
        case M::Control: return pal.control;
        case M::Retransmit: return pal.retransmit;
        case M::DropColour: return pal.drop;
        case M::AbandonColour: return pal.abandon;
        case M::ForwardTsnColour: return pal.forwardTsn;
        case M::TimerColour: return pal.timer;
        case M::StateColour: return pal.state;
        }
        return pal.request;
    }

    // One mark, as the timeline and its legend draw it. Shapes, not only colours, tell the kinds
    // apart: a ring where a retransmission left, a cross for a loss, a barred circle for an
    // abandon, a bracket for FORWARD-TSN, a triangle / square for fast / timeout retransmission.
    void drawMark(QPainter& p, const timeline::Mark& m, const MarkPalette& pal, const QColor& highlight, const QColor& base)
    {
        using M = timeline::Mark;
        const QColor c = m.selected ? highlight : colourOf(pal, m.colour);
        const QPointF a = m.a, b = m.b;
        switch (m.shape) {
        case M::Arrow:
            p.setPen(QPen(c, m.retransmission || m.selected ? 2.4 : 1.4));
            p.setBrush(c);
            p.drawLine(a, b);
            arrowHead(p, a, b, 7);
            if (m.retransmission) {
                p.setBrush(base);
                p.setPen(QPen(c, 1.8));
                p.drawEllipse(a, 3.5, 3.5);
            }
            break;
        case M::Sent:
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawEllipse(a, 2.5, 2.5);
            break;
        case M::Drop: {
            p.setPen(QPen(c, 1.6, Qt::DashLine));
            p.drawLine(a, b);
            p.setPen(QPen(c, 2.2));
            p.drawLine(b + QPointF(-4, -4), b + QPointF(4, 4));
            p.drawLine(b + QPointF(-4, 4), b + QPointF(4, -4));
            break;
        }
        case M::Abandon:
            p.setPen(QPen(c, 2.4));
            p.setBrush(base);
            p.drawEllipse(a, 6, 6);
            p.drawLine(a + QPointF(-4.2, 4.2), a + QPointF(4.2, -4.2));
            break;
        case M::ForwardTsn:
            p.setPen(QPen(c, 2.4));
            p.drawLine(a + QPointF(0, -10), a + QPointF(0, 10));
            p.drawLine(a + QPointF(0, -10), a + QPointF(6, -10));
            p.drawLine(a + QPointF(0, 10), a + QPointF(6, 10));
            break;
        case M::FastRetransmit: {
            p.setPen(QPen(pal.dark ? base.lighter(300) : base.darker(300), 0.8));
            p.setBrush(c);
            QPolygonF t;
            t << a + QPointF(0, -5.5) << a + QPointF(5, 3.5) << a + QPointF(-5, 3.5);
            p.drawPolygon(t);
            break;
        }
        case M::TimeoutRetransmit:
            p.setPen(QPen(pal.dark ? base.lighter(300) : base.darker(300), 0.8));
            p.setBrush(c);
            p.drawRect(QRectF(a.x() - 4, a.y() - 4, 8, 8));
            break;
        case M::Timer:
            p.setPen(QPen(c, 1.5));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(a, 4, 4);
            p.drawLine(a, a + QPointF(0, -3));
            p.drawLine(a, a + QPointF(2, 0));
            break;
        case M::State: {
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            QPolygonF d;
            d << a + QPointF(0, -4) << a + QPointF(4, 0) << a + QPointF(0, 4) << a + QPointF(-4, 0);
            p.drawPolygon(d);
            break;
        }
        case M::Error: {
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            QPolygonF t;
            t << a + QPointF(0, -8) << a + QPointF(6, 4) << a + QPointF(-6, 4);
            p.drawPolygon(t);
            p.setPen(QPen(base, 1.6));
            p.drawLine(a + QPointF(0, -4), a + QPointF(0, 0.5));
            break;
        }
        }
    }

    const char* policyName(quint8 policy)
    {
        switch (policy) {
        case TimelineIndex::PolicyTtl: return "TTL";
        case TimelineIndex::PolicyBuf: return "BUF";
        case TimelineIndex::PolicyRtx: return "RTX";
        default: return nullptr;
        }
    }
} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timelineView"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_appendRepaint.setSingleShot(true);
    connect(&m_appendRepaint, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    setMinimumHeight(120);
}

void TimelineView::setJournal(std::shared_ptr<trace::Journal> journal)
{
    m_journal = std::move(journal);
}

void TimelineView::append(const QVector<trace::Event>& events)
{
    m_index.append(events);
    if (m_follow) // the range follows at once (rangeChanged), the frame as often as it can
        fitRange();
    scheduleAppendRepaint();
}

// A frame for new events at most every max(50 ms, 4 × the last frame's cost): the window keeps
// three quarters of its time for everything else however large the frame gets. What the user does
// (zoom, select, scroll) still repaints at once through update().
void TimelineView::scheduleAppendRepaint()
{
    if (m_appendRepaint.isActive())
        return;
    const qint64 gapMs = std::max<qint64>(50, 4 * m_paintCostNs / 1'000'000);
    const qint64 since = m_sincePaint.isValid() ? m_sincePaint.elapsed() : gapMs;
    if (since >= gapMs) {
        update();
        return;
    }
    m_appendRepaint.start(int(gapMs - since));
}

void TimelineView::clear()
{
    m_index.clear();
    m_labelCache.clear();
    m_frame = {};
    m_selected = ~0ull;
    m_startNs = 0;
    update();
}

void TimelineView::fitAll()
{
    fitRange();
    update();
}

void TimelineView::fitRange()
{
    const int w = std::max(1, width() - kLaneHeaderWidth - 20);
    const qint64 span = std::max<qint64>(m_index.lastNs() - m_index.firstNs(), 1000000);
    m_startNs = m_index.firstNs() - qint64(double(span) * 0.02);
    m_nsPerPx = double(span) * 1.04 / double(w);
    emit rangeChanged();
}

void TimelineView::setFollow(bool follow)
{
    m_follow = follow;
    if (follow)
        fitAll();
}

void TimelineView::setRange(qint64 startNs, double nsPerPixel)
{
    m_startNs = startNs;
    m_nsPerPx = std::clamp(nsPerPixel, 10.0, 1e12);
    emit rangeChanged();
    update();
}

void TimelineView::centerOn(qint64 timeNs)
{
    m_follow = false;
    m_startNs = timeNs - qint64((width() - kLaneHeaderWidth) / 2.0 * m_nsPerPx);
    emit rangeChanged();
    update();
}

void TimelineView::selectSeq(quint64 seq)
{
    m_selected = seq;
    update();
}

int TimelineView::laneY(qint32 lane) const
{
    const QRect plot = plotRect();
    const int band = timeline::streamBandHeight(m_index.streams(), plot.height(), m_showStreams);
    return timeline::laneGeometry(plot.top(), plot.height() - band, int(m_index.lanes().size())).y(lane);
}

QRect TimelineView::plotRect() const
{
    return QRect(kLaneHeaderWidth, kAxisHeight, std::max(1, width() - kLaneHeaderWidth),
        std::max(1, height() - kAxisHeight - legendHeight(width())));
}

void TimelineView::setFoldKeepAlives(bool fold)
{
    m_foldKeepAlives = fold;
    update();
}

void TimelineView::setShowStreams(bool show)
{
    m_showStreams = show;
    update();
}

QString TimelineView::labelText(const TimelineIndex::Item& it) const
{
    switch (it.kind) {
    case Kind::SctpAbandon: {
        const char* policy = policyName(it.detail);
        return policy ? tr("abandoned ctx %1 (%2)").arg(it.number).arg(QLatin1String(policy)) : tr("abandoned ctx %1").arg(it.number);
    }
    case Kind::SctpForwardTsn:
    case Kind::SctpRetransmission: {
        // TSNs relative to the association's initial TSN, as its packets' labels show them.
        quint64 tsn = it.number;
        if (m_journal && m_journal->available(it.seq)) {
            const TsnBases b = m_index.associationTsnBases(m_journal->at(it.seq).object, it.timeNs);
            if (b.ownKnown)
                tsn = quint32(quint32(tsn) - b.own + 1);
        }
        if (it.kind == Kind::SctpForwardTsn)
            return QStringLiteral("FORWARD-TSN → %1").arg(tsn);
        return it.detail == TimelineIndex::RetransmitFast ? tr("TSN %1 fast rtx").arg(tsn)
            : it.detail == TimelineIndex::RetransmitTimeout ? tr("TSN %1 timeout rtx").arg(tsn)
                                                            : tr("TSN %1 rtx").arg(tsn);
    }
    case Kind::SctpPacket: {
        // The chunks with their numbers, from the packet itself (built when first drawn).
        if (m_journal) {
            auto cached = m_labelCache.constFind(it.seq);
            if (cached != m_labelCache.constEnd())
                return *cached;
            if (m_labelCache.size() > 20000)
                m_labelCache.clear();
            QString text;
            if (m_journal->available(it.seq)) {
                const QByteArray raw = m_journal->at(it.seq).raw;
                text = sctpChunkSummary(raw, m_index.tsnBases(raw, it.timeNs));
            }
            if (text.isEmpty())
                text = m_index.labels().value(int(it.label));
            m_labelCache.insert(it.seq, text);
            return text;
        }
        return m_index.labels().value(int(it.label));
    }
    default: break;
    }
    const QString& label = m_index.labels().value(int(it.label));
    if ((it.flags & TimelineIndex::Retransmission) && it.number)
        return QStringLiteral("%1 #%2").arg(label).arg(it.number);
    return label;
}

timeline::Frame TimelineView::frame(bool legacyLabels) const
{
    timeline::FrameParams params;
    params.plot = plotRect();
    params.startNs = m_startNs;
    params.nsPerPx = m_nsPerPx;
    params.foldKeepAlives = m_foldKeepAlives;
    params.selected = m_selected;
    params.legacyLabels = legacyLabels;
    params.streams = m_showStreams;
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    return timeline::buildFrame(m_index, params, [this](const TimelineIndex::Item& it) { return labelText(it); },
        QFontMetricsF(small));
}

qint64 TimelineView::xToNs(double x) const
{
    return m_startNs + qint64((x - kLaneHeaderWidth) * m_nsPerPx);
}

double TimelineView::nsToX(qint64 ns) const
{
    return kLaneHeaderWidth + double(ns - m_startNs) / m_nsPerPx;
}

void TimelineView::zoomAround(double x, double factor)
{
    const qint64 anchor = xToNs(x);
    m_nsPerPx = std::clamp(m_nsPerPx * factor, 10.0, 1e12);
    m_startNs = anchor - qint64((x - kLaneHeaderWidth) * m_nsPerPx);
    m_follow = false;
    emit rangeChanged();
    update();
}

void TimelineView::paintEvent(QPaintEvent*)
{
    QElapsedTimer cost;
    cost.start();
    QPainter p(this);
    const QPalette& pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QRect plot = plotRect();
    m_frame = frame();
    drawLanes(p, plot);
    p.save();
    p.setClipRect(plot);
    p.setRenderHint(QPainter::Antialiasing, true);
    drawFrame(p, m_frame);
    p.restore();
    m_lastPainted = m_frame.items;
    drawCursor(p, plot);
    drawAxis(p, QRect(kLaneHeaderWidth, 0, plot.width(), kAxisHeight));
    drawLegend(p, QRect(0, plot.bottom() + 1, width(), height() - plot.bottom() - 1));
    m_paintCostNs = cost.nsecsElapsed();
    m_sincePaint.start();
}

void TimelineView::setCursorTime(qint64 timeNs)
{
    m_cursorNs = timeNs < 0 ? -1 : timeNs;
    update();
}

void TimelineView::drawCursor(QPainter& p, const QRect& plot)
{
    if (m_cursorNs < 0)
        return;
    const double x = nsToX(m_cursorNs);
    if (x > plot.right())
        return;
    const QPalette& pal = palette();
    // What came after the instant shown is veiled: present, but not yet "now".
    QColor veil = pal.color(QPalette::Base);
    veil.setAlpha(165);
    const double left = std::max<double>(x, plot.left());
    p.fillRect(QRectF(left, plot.top(), plot.right() - left + 1, plot.height()), veil);
    if (x < plot.left())
        return;
    const QColor accent = pal.color(QPalette::Highlight);
    p.setPen(QPen(accent, 2));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    const QString text = tr("as of %1 s").arg(double(m_cursorNs) / 1e9, 0, 'f', 3);
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    const QRect box = QFontMetrics(f).boundingRect(text).adjusted(-4, -2, 4, 2);
    QRectF tag(x + 3, plot.top() + 3, box.width(), box.height());
    if (tag.right() > plot.right())
        tag.moveRight(x - 3);
    p.fillRect(tag, accent);
    p.setPen(pal.color(QPalette::HighlightedText));
    p.drawText(tag, Qt::AlignCenter, text);
    p.setFont(font());
}

QList<QAction*> TimelineView::rewindActions(const QPoint& pos, QObject* parent)
{
    QList<QAction*> out;
    if (!m_rewindEnabled)
        return out;
    const qint64 at = std::max<qint64>(0, xToNs(pos.x()));
    auto* rewind = new QAction(tr("Rewind to Here (%1 s)").arg(double(at) / 1e9, 0, 'f', 3), parent);
    rewind->setObjectName(QStringLiteral("rewindHere"));
    connect(rewind, &QAction::triggered, this, [this, at] { emit rewindRequested(at); });
    out << rewind;
    if (m_cursorNs >= 0) {
        auto* live = new QAction(tr("Back to Live"), parent);
        live->setObjectName(QStringLiteral("backToLive"));
        connect(live, &QAction::triggered, this, &TimelineView::backToLiveRequested);
        out << live;
    }
    const qint64 hit = itemAt(pos);
    if (hit < 0)
        return out;
    const TimelineIndex::Item& item = m_index.items()[size_t(hit)];
    // A message: as it was sent, as it arrived, or as a lab link lost it (the re-run aims at its
    // transmission: FaultPlan::ruleForEvent).
    const bool message = item.kind == trace::Kind::SipMessage || item.kind == trace::Kind::SipRetransmission
        || item.kind == trace::Kind::SctpPacket || item.kind == trace::Kind::LinkDrop;
    if (!message)
        return out;
    const quint64 seq = item.seq;
    QString what = labelText(item);
    if (item.kind == trace::Kind::LinkDrop && m_journal) {
        // A lost datagram: its method or status (SIP), else "Packet" (SCTP).
        const QByteArray raw = m_journal->at(seq).raw;
        const QByteArray first = raw.left(raw.indexOf(' '));
        what = raw.startsWith("SIP/2.0 ") ? QString::fromLatin1(raw.mid(8, 3))
            : !first.isEmpty() && first.size() < 20 && first.toUpper() == first && raw.contains(" SIP/2.0")
            ? QString::fromLatin1(first)
            : tr("Packet");
    }
    if (what.isEmpty())
        what = tr("Message");
    const struct {
        RerunFault fault;
        QString text;
        const char* name;
    } faults[] = {
        { RerunFault::Drop, tr("In a Re-run: Drop This %1").arg(what), "rerunDrop" },
        { RerunFault::Delay, tr("In a Re-run: Delay It by 300 ms"), "rerunDelay" },
        { RerunFault::Duplicate, tr("In a Re-run: Duplicate It"), "rerunDuplicate" },
        { RerunFault::Corrupt, tr("In a Re-run: Flip a Byte (the receiver's checksum drops it)"), "rerunCorrupt" },
    };
    for (const auto& f : faults) {
        auto* a = new QAction(f.text, parent);
        a->setObjectName(QString::fromLatin1(f.name));
        const RerunFault fault = f.fault;
        connect(a, &QAction::triggered, this, [this, seq, fault] { emit rerunFaultRequested(seq, fault); });
        out << a;
    }
    return out;
}

void TimelineView::drawAxis(QPainter& p, const QRect& area)
{
    const QPalette& pal = palette();
    p.fillRect(QRect(0, 0, width(), kAxisHeight), pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, kAxisHeight - 1, width(), kAxisHeight - 1);
    // A "nice" step (1, 2, 5 × 10^k ns) at least 90 px apart.
    const double minStep = m_nsPerPx * 90;
    qint64 step = 1;
    while (double(step) < minStep) {
        if (double(step * 2) >= minStep) {
            step *= 2;
            break;
        }
        if (double(step * 5) >= minStep) {
            step *= 5;
            break;
        }
        step *= 10;
    }
    const qint64 first = (m_startNs / step) * step;
    p.setPen(pal.color(QPalette::WindowText));
    for (qint64 t = first; nsToX(t) < area.right(); t += step) {
        const double x = nsToX(t);
        if (x < area.left())
            continue;
        p.drawLine(QPointF(x, kAxisHeight - 6), QPointF(x, kAxisHeight - 1));
        p.drawText(QPointF(x + 3, kAxisHeight - 8), formatNs(t, step));
    }
    p.setPen(pal.color(QPalette::Midlight));
    for (qint64 t = first; nsToX(t) < area.right(); t += step) {
        const double x = nsToX(t);
        if (x >= area.left())
            p.drawLine(QPointF(x, kAxisHeight), QPointF(x, plotRect().bottom()));
    }
}

void TimelineView::drawLanes(QPainter& p, const QRect& plot)
{
    const QPalette& pal = palette();
    p.fillRect(QRect(0, kAxisHeight, kLaneHeaderWidth, plot.height()), pal.color(QPalette::Window));
    const QStringList& lanes = m_index.lanes();
    const timeline::LaneGeometry& g = m_frame.lanes;
    const MarkPalette marks = markPalette(pal);
    QFont bold = font();
    bold.setBold(true);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    // The stream sub-lanes' band: its rows named in the header ("client · s1"), a faint line each.
    if (!m_frame.streamBand.isEmpty()) {
        const QRectF& band = m_frame.streamBand;
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(QPointF(0, band.top() + 2), QPointF(plot.right(), band.top() + 2));
        p.setFont(small);
        const QFontMetrics sfm(small);
        // The band's title in the header column (labels of the plot never reach it).
        QString title = tr("Streams (S)");
        if (m_frame.hiddenStreamRows > 0)
            title += tr(" +%n hidden", nullptr, m_frame.hiddenStreamRows);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(8, band.top() + 2, kLaneHeaderWidth - 12, timeline::kStreamBandGap), Qt::AlignLeft | Qt::AlignVCenter,
            sfm.elidedText(title, Qt::ElideRight, kLaneHeaderWidth - 12));
        for (const timeline::StreamRowGeometry& r : m_frame.streamRows) {
            p.setPen(QPen(pal.color(QPalette::Midlight), 1));
            p.drawLine(QPointF(plot.left(), r.y), QPointF(plot.right(), r.y));
            const QString lane = r.lane >= 0 && r.lane < lanes.size() ? TimelineIndex::laneTitle(lanes[r.lane]) : QString();
            p.setPen(pal.color(QPalette::WindowText));
            p.drawText(QRectF(8, r.y - timeline::kStreamRow / 2.0, kLaneHeaderWidth - 12, timeline::kStreamRow),
                Qt::AlignLeft | Qt::AlignVCenter,
                sfm.elidedText(tr("%1 · stream %2").arg(lane).arg(r.stream), Qt::ElideMiddle, kLaneHeaderWidth - 12));
        }
    }
    for (int i = 0; i < lanes.size(); ++i) {
        const int y = g.y(i);
        const int top = g.bandTop(i);
        if (top > plot.bottom())
            break;
        if (i % 2)
            p.fillRect(QRect(plot.left(), top, plot.width(), g.laneHeight), pal.color(QPalette::AlternateBase));
        p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
        p.drawLine(plot.left(), y, plot.right(), y);
        const QString title = TimelineIndex::laneTitle(lanes[i]);
        const QString addr = lanes[i].mid(title.size()).trimmed();
        p.setPen(pal.color(QPalette::WindowText));
        p.setFont(bold);
        p.drawText(QRect(8, y - 16, kLaneHeaderWidth - 12, 16), Qt::AlignLeft | Qt::AlignBottom,
            p.fontMetrics().elidedText(title, Qt::ElideRight, kLaneHeaderWidth - 12));
        p.setFont(font());
        if (!addr.isEmpty()) {
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QRect(8, y, kLaneHeaderWidth - 12, 16), Qt::AlignLeft | Qt::AlignTop,
                p.fontMetrics().elidedText(addr, Qt::ElideMiddle, kLaneHeaderWidth - 12));
        }
        // The folded keep-alives: a thin strip at the bottom of the band, the count in the header.
        const quint64 folded = std::size_t(i) < m_frame.keepAlivesPerLane.size() ? m_frame.keepAlivesPerLane[std::size_t(i)] : 0;
        if (m_foldKeepAlives && folded) {
            const int stripTop = g.keepAliveStripTop(i);
            QColor strip = marks.keepAlive;
            strip.setAlpha(50);
            p.fillRect(QRect(plot.left(), stripTop, plot.width(), timeline::kKeepAliveStrip), strip);
            p.setFont(small);
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QRect(8, y + 16, kLaneHeaderWidth - 12, 14), Qt::AlignLeft | Qt::AlignVCenter,
                tr("♥ %n keep-alive(s) (K)", nullptr, int(std::min<quint64>(folded, INT_MAX))));
        }
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(kLaneHeaderWidth - 1, kAxisHeight, kLaneHeaderWidth - 1, plot.bottom());
}

// A stream message's bar: acknowledged solid teal, in flight a light outline, abandoned magenta
// ending in a barred circle (an unsent one: only the circle); retransmitted: an orange edge and a
// tick at each of its first retransmissions.
void TimelineView::drawStreamBar(QPainter& p, double x0, double x1, double y, StreamFates::Fate fate, bool unsent, bool retransmitted,
    const std::vector<double>& ticks, const MarkPalette& marks, const QColor& selected)
{
    const QRectF bar(x0, y - 3, std::max(2.0, x1 - x0), 6);
    p.save();
    if (selected.isValid())
        p.fillRect(bar.adjusted(-2, -3, 2, 3), selected);
    switch (fate) {
    case StreamFates::Fate::Acknowledged:
        p.fillRect(bar, marks.response);
        break;
    case StreamFates::Fate::InFlight: {
        QColor c = marks.request;
        c.setAlpha(60);
        p.fillRect(bar, c);
        p.setPen(QPen(marks.request, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        break;
    }
    case StreamFates::Fate::Abandoned:
        if (!unsent) {
            QColor c = marks.abandon;
            c.setAlpha(150);
            p.fillRect(bar, c);
        }
        p.setPen(QPen(marks.abandon, 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(x1, y), 4.5, 4.5);
        p.drawLine(QPointF(x1 - 3.2, y + 3.2), QPointF(x1 + 3.2, y - 3.2));
        break;
    }
    if (retransmitted) {
        p.setPen(QPen(marks.retransmit, 1.5));
        p.setBrush(Qt::NoBrush);
        if (!unsent)
            p.drawRect(bar);
        p.setPen(QPen(marks.retransmit, 2));
        for (double t : ticks)
            p.drawLine(QPointF(t, y - 6), QPointF(t, y + 6));
    }
    p.restore();
}

void TimelineView::drawFrame(QPainter& p, const timeline::Frame& f)
{
    const QPalette& pal = palette();
    const MarkPalette marks = markPalette(pal);
    const QColor highlight = pal.color(QPalette::Highlight);
    const QColor base = pal.color(QPalette::Base);
    const timeline::LaneGeometry& g = f.lanes;
    QFont smallFont = font();
    smallFont.setPointSizeF(smallFont.pointSizeF() * 0.85);
    p.setFont(smallFont);

    // Keep-alive ticks in their strip.
    if (!f.keepAlives.empty()) {
        p.setPen(QPen(marks.keepAlive, 1.2));
        for (const timeline::KeepAliveTick& t : f.keepAlives) {
            const int stripTop = g.keepAliveStripTop(t.lane);
            p.drawLine(QPointF(t.x, stripTop + 1), QPointF(t.x, stripTop + timeline::kKeepAliveStrip - 1));
        }
    }
    // Client transaction spans: the attempt as a bar under the lane, a tick per send (the
    // retransmissions orange), then a dashed line to the Timer B/F deadline (not for the many
    // answered at once in a crowded view: SpanBar::deadline).
    for (const timeline::SpanBar& b : f.spans) {
        const double y = g.y(b.lane) + timeline::kSpanOffset;
        QColor bar = marks.request;
        bar.setAlpha(70);
        p.fillRect(QRectF(b.x0, y - 2, b.x1 - b.x0, 4), bar);
        for (std::size_t k = 0; k < b.sends.size(); ++k) {
            p.setPen(QPen(k ? marks.retransmit : marks.request, k ? 2.0 : 1.6));
            p.drawLine(QPointF(b.sends[k], y - 5), QPointF(b.sends[k], y + 5));
        }
        if (!b.deadline)
            continue;
        QColor faint = marks.text(marks.state);
        p.setPen(QPen(faint, 1, Qt::DotLine));
        if (b.deadlineX > b.x1)
            p.drawLine(QPointF(b.x1, y), QPointF(b.deadlineX, y));
        p.setPen(QPen(b.timedOut ? marks.drop : faint, b.timedOut ? 2.0 : 1.2));
        p.drawLine(QPointF(b.deadlineX, y - 6), QPointF(b.deadlineX, y + 6));
        p.drawLine(QPointF(b.deadlineX, y - 6), QPointF(b.deadlineX - 4, y - 6));
        p.drawLine(QPointF(b.deadlineX, y + 6), QPointF(b.deadlineX - 4, y + 6));
        p.drawText(QPointF(b.deadlineX + 3, y + 4), b.invite ? QStringLiteral("B") : QStringLiteral("F"));
    }
    // Density strips: a bar on the lane, darker where denser.
    for (const timeline::DensityRun& r : f.density) {
        QColor c = marks.density;
        c.setAlphaF(std::clamp(0.25 + 0.12 * std::log2(std::max(1.0, double(r.peak) / timeline::kDenseCount)), 0.25, 0.85));
        const double y = g.y(r.lane);
        p.fillRect(QRectF(r.x0, y - 6, std::max(2.0, r.x1 - r.x0), 12), c);
        p.setPen(QPen(marks.density, 1));
        p.drawLine(QPointF(r.x0, y - 6), QPointF(r.x0, y + 6));
        p.drawLine(QPointF(r.x1, y - 6), QPointF(r.x1, y + 6));
    }
    for (const timeline::StreamBar& b : f.streamBars) {
        const double y = f.streamRows[std::size_t(b.row)].y;
        drawStreamBar(p, b.x0, b.x1, y, b.fate, b.unsent, b.retransmissions > 0, b.retransmitX, marks,
            b.seq == m_selected ? highlight : QColor());
    }
    for (const timeline::Mark& m : f.marks)
        drawMark(p, m, marks, highlight, base);

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p.setFont(small);
    QColor plate = base;
    plate.setAlpha(200);
    for (const timeline::Label& l : f.labels) {
        // On a plate of the background, so an arrow crossing it does not hide the text.
        p.fillRect(l.rect, plate);
        p.setPen(marks.text(l.priority == timeline::Priority::Density ? marks.density : colourOf(marks, l.colour)));
        p.drawText(l.rect, Qt::AlignLeft | Qt::AlignVCenter, l.text);
    }
}

int TimelineView::legendHeight(int w) const
{
    // Entries flow into rows; the same arithmetic as drawLegend.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics fm(small);
    const QStringList names = { tr("request / DATA"), tr("response / SACK"), tr("SCTP control"), tr("retransmission #n"),
        tr("lost on the link"), tr("abandoned (PR-SCTP)"), tr("FORWARD-TSN"), tr("fast rtx"), tr("timeout rtx"),
        tr("timer"), tr("state"), tr("n msgs: too dense"), tr("keep-alives (K)"), tr("client transaction: sends, B/F deadline") };
    int rows = 1, x = 8;
    for (const QString& n : names) {
        const int entry = 30 + fm.horizontalAdvance(n) + 14;
        if (x + entry > w - 4 && x > 8) {
            ++rows;
            x = 8;
        }
        x += entry;
    }
    return rows * (fm.height() + 6) + 4;
}

void TimelineView::drawLegend(QPainter& p, const QRect& area)
{
    const QPalette& pal = palette();
    const MarkPalette marks = markPalette(pal);
    p.fillRect(area, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(area.topLeft(), area.topRight());
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p.setFont(small);
    const QFontMetrics fm(small);
    const int rowH = fm.height() + 6;
    const QColor base = pal.color(QPalette::Base);
    using M = timeline::Mark;
    struct Entry {
        QString name;
        M::Shape shape;
        M::Colour colour;
        bool retx = false;
        int special = 0; // 1 density, 2 keep-alive strip
    };
    const Entry entries[] = { { tr("request / DATA"), M::Arrow, M::Request }, { tr("response / SACK"), M::Arrow, M::Response },
        { tr("SCTP control"), M::Arrow, M::Control }, { tr("retransmission #n"), M::Arrow, M::Retransmit, true },
        { tr("lost on the link"), M::Drop, M::DropColour }, { tr("abandoned (PR-SCTP)"), M::Abandon, M::AbandonColour },
        { tr("FORWARD-TSN"), M::ForwardTsn, M::ForwardTsnColour }, { tr("fast rtx"), M::FastRetransmit, M::Retransmit },
        { tr("timeout rtx"), M::TimeoutRetransmit, M::Retransmit }, { tr("timer"), M::Timer, M::TimerColour },
        { tr("state"), M::State, M::StateColour }, { tr("n msgs: too dense"), M::Arrow, M::Request, false, 1 },
        { tr("keep-alives (K)"), M::Arrow, M::Control, false, 2 },
        { tr("client transaction: sends, B/F deadline"), M::Arrow, M::Request, false, 3 },
        { tr("stream message: acknowledged, in flight, retransmitted, abandoned (S)"), M::Arrow, M::Request, false, 4 } };
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    int x = 8, y = area.top() + 3;
    for (const Entry& e : entries) {
        const int entry = 30 + fm.horizontalAdvance(e.name) + 14;
        if (x + entry > area.right() - 4 && x > 8) {
            x = 8;
            y += rowH;
        }
        const double cy = y + rowH / 2.0;
        if (e.special == 1) {
            QColor c = marks.density;
            c.setAlphaF(0.45);
            p.fillRect(QRectF(x + 2, cy - 5, 22, 10), c);
        } else if (e.special == 2) {
            QColor c = marks.keepAlive;
            c.setAlpha(50);
            p.fillRect(QRectF(x + 2, cy - 4, 22, 8), c);
            p.setPen(QPen(marks.keepAlive, 1.2));
            for (int k = 0; k < 4; ++k)
                p.drawLine(QPointF(x + 5 + k * 5, cy - 3), QPointF(x + 5 + k * 5, cy + 3));
        } else if (e.special == 4) {
            drawStreamBar(p, x + 1, x + 5, cy, StreamFates::Fate::Acknowledged, false, false, {}, marks, QColor());
            drawStreamBar(p, x + 7, x + 11, cy, StreamFates::Fate::InFlight, false, false, {}, marks, QColor());
            drawStreamBar(p, x + 13, x + 17, cy, StreamFates::Fate::Acknowledged, false, true, { x + 15.0 }, marks, QColor());
            drawStreamBar(p, x + 19, x + 22, cy, StreamFates::Fate::Abandoned, false, false, {}, marks, QColor());
        } else if (e.special == 3) {
            QColor bar = marks.request;
            bar.setAlpha(70);
            p.fillRect(QRectF(x + 1, cy - 2, 16, 4), bar);
            p.setPen(QPen(marks.request, 1.6));
            p.drawLine(QPointF(x + 1, cy - 5), QPointF(x + 1, cy + 5));
            p.setPen(QPen(marks.retransmit, 2.0));
            p.drawLine(QPointF(x + 7, cy - 5), QPointF(x + 7, cy + 5));
            p.drawLine(QPointF(x + 16, cy - 5), QPointF(x + 16, cy + 5));
            p.setPen(QPen(marks.text(marks.state), 1.2));
            p.drawLine(QPointF(x + 25, cy - 5), QPointF(x + 25, cy + 5));
            p.drawLine(QPointF(x + 25, cy - 5), QPointF(x + 22, cy - 5));
            p.drawLine(QPointF(x + 25, cy + 5), QPointF(x + 22, cy + 5));
        } else {
            M m;
            m.shape = e.shape;
            m.colour = e.colour;
            m.retransmission = e.retx;
            if (e.shape == M::Arrow || e.shape == M::Drop) {
                m.a = QPointF(x + 4, cy + 4);
                m.b = QPointF(x + 24, cy - 4);
                if (e.shape == M::Drop)
                    m.b = QPointF(x + 20, cy);
            } else {
                m.a = m.b = QPointF(x + 14, cy);
            }
            if (e.shape == M::ForwardTsn) {
                // The bracket at two thirds of its size, to fit a legend row.
                p.save();
                p.translate(x + 11, cy);
                p.scale(0.65, 0.65);
                m.a = m.b = QPointF(0, 0);
                drawMark(p, m, marks, pal.color(QPalette::Highlight), base);
                p.restore();
            } else {
                drawMark(p, m, marks, pal.color(QPalette::Highlight), base);
            }
        }
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(x + 30, y, entry - 30, rowH), Qt::AlignLeft | Qt::AlignVCenter, e.name);
        x += entry;
    }
    p.restore();
}

const timeline::StreamBar* TimelineView::streamBarAt(const QPoint& pos) const
{
    if (m_frame.streamBand.isEmpty() || !m_frame.streamBand.contains(pos))
        return nullptr;
    for (const timeline::StreamBar& b : m_frame.streamBars) {
        const double y = m_frame.streamRows[std::size_t(b.row)].y;
        if (std::abs(pos.y() - y) <= 5 && pos.x() >= b.x0 - 5 && pos.x() <= b.x1 + 5)
            return &b;
    }
    return nullptr;
}

QString TimelineView::streamBarText(const timeline::StreamBar& b) const
{
    const StreamFates& sf = m_index.streams();
    const StreamFates::Message& m = sf.messages()[b.message];
    const QStringList& lanes = m_index.lanes();
    const QString lane = m.lane >= 0 && m.lane < lanes.size() ? lanes[m.lane] : QString();
    if (b.count > 1)
        return tr("%1, stream %2: %n messages here, too close to tell apart (zoom in)", nullptr, int(b.count)).arg(lane).arg(m.stream);
    QString fate;
    const QString end = QString::number(double(m.endNs) / 1e9, 'f', 6);
    const char* policy = m.policy == 1 ? "TTL" : m.policy == 2 ? "BUF" : m.policy == 3 ? "RTX" : nullptr;
    switch (m.fate) {
    case StreamFates::Fate::Acknowledged: fate = tr("acknowledged at %1 s").arg(end); break;
    case StreamFates::Fate::InFlight: fate = tr("in flight"); break;
    case StreamFates::Fate::Abandoned:
        fate = m.policy == 0 ? tr("skipped by a FORWARD-TSN at %1 s (its abandon record not seen yet)").arg(end)
            : policy         ? tr("abandoned at %1 s, policy %2, context %3").arg(end, QLatin1String(policy)).arg(m.context)
                             : tr("abandoned at %1 s, context %2").arg(end).arg(m.context);
        if (m.unsent)
            fate += tr(", never sent");
        break;
    }
    QString tip = tr("%1, stream %2: a message").arg(lane).arg(m.stream);
    if (!m.unsent) {
        tip += m.firstTsn == m.lastTsn ? tr(", TSN %1 (wire)").arg(m.firstTsn) : tr(", TSNs %1–%2 (wire), %3 chunks").arg(m.firstTsn).arg(m.lastTsn).arg(m.chunks);
        tip += tr(", first sent at %1 s").arg(double(m.startNs) / 1e9, 0, 'f', 6);
    }
    tip += QStringLiteral("; ") + fate;
    if (m.retransmissions)
        tip += tr("; chunks sent again %n time(s)", nullptr, int(m.retransmissions));
    return tip;
}

qint64 TimelineView::itemAt(const QPoint& pos) const
{
    if (pos.x() < kLaneHeaderWidth || !plotRect().contains(pos))
        return -1;
    // What the last frame drew there: a label, else the nearest mark within a few pixels.
    const timeline::Frame& f = m_frame;
    for (const timeline::Label& l : f.labels)
        if (l.rect.adjusted(-1, -1, 1, 1).contains(pos) && l.seq != ~0ull)
            return qint64(l.seq);
    if (const timeline::StreamBar* bar = streamBarAt(pos))
        return qint64(bar->seq);
    const QPointF p(pos);
    qint64 best = -1;
    double bestDist = 7.0;
    for (const timeline::Mark& m : f.marks) {
        double d;
        if (m.a == m.b) {
            d = QLineF(m.a, p).length();
        } else {
            const QPointF ab = m.b - m.a;
            const double len2 = QPointF::dotProduct(ab, ab);
            const double t = len2 > 0 ? std::clamp(QPointF::dotProduct(p - m.a, ab) / len2, 0.0, 1.0) : 0.0;
            d = QLineF(m.a + ab * t, p).length();
        }
        // Important marks win ties: they are small and sit on top.
        if (m.shape != timeline::Mark::Arrow && m.shape != timeline::Mark::Sent)
            d -= 1.5;
        if (d < bestDist) {
            bestDist = d;
            best = qint64(m.seq);
        }
    }
    return best;
}

bool TimelineView::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        if (const timeline::StreamBar* bar = streamBarAt(help->pos())) {
            QToolTip::showText(help->globalPos(), streamBarText(*bar), this);
            return true;
        }
        const qint64 seq = itemAt(help->pos());
        if (seq < 0 && m_journal) {
            // A density strip: how many, and what to do to see them.
            for (const timeline::DensityRun& r : m_frame.density)
                if (help->pos().x() >= r.x0 && help->pos().x() <= r.x1 && std::abs(help->pos().y() - m_frame.lanes.y(r.lane)) <= 8) {
                    QToolTip::showText(help->globalPos(), tr("%n message(s) here, too close to draw one by one: zoom in", nullptr, r.count), this);
                    return true;
                }
        }
        if (seq < 0 || !m_journal) {
            QToolTip::hideText();
            e->ignore();
            return true;
        }
        const trace::Event ev = m_journal->at(quint64(seq));
        QString tip = QStringLiteral("<b>%1</b> %2<br>t = %3 s")
                          .arg(QString::fromLatin1(trace::kindName(ev.kind)), QString::fromLatin1(trace::dirName(ev.dir)))
                          .arg(double(ev.timeNs) / 1e9, 0, 'f', 6);
        // The whole label first (it may be hidden or elided on the plot).
        if (ev.kind == Kind::SctpPacket) {
            const TsnBases bases = m_index.tsnBases(ev.raw, ev.timeNs);
            const QString summary = sctpChunkSummary(ev.raw, bases);
            if (!summary.isEmpty())
                tip += QStringLiteral("<br><b>%1</b>").arg(summary.toHtmlEscaped());
            if (bases.ownKnown || bases.peerKnown)
                tip += tr("<br>TSNs relative to the initial TSN (first DATA = 1); on the wire: %1")
                           .arg(sctpChunkSummary(ev.raw).toHtmlEscaped());
        } else {
            const std::size_t at = m_index.lowerBound(ev.timeNs);
            for (std::size_t i = at; i < m_index.items().size() && m_index.items()[i].timeNs == ev.timeNs; ++i)
                if (m_index.items()[i].seq == ev.seq) {
                    const QString label = labelText(m_index.items()[i]);
                    if (!label.isEmpty())
                        tip += QStringLiteral("<br><b>%1</b>").arg(label.toHtmlEscaped());
                    break;
                }
        }
        if (!ev.from.isEmpty() || !ev.to.isEmpty())
            tip += QStringLiteral("<br>%1 → %2").arg(ev.from.toHtmlEscaped(), ev.to.toHtmlEscaped());
        if (!ev.text.isEmpty())
            tip += QStringLiteral("<br>%1").arg(ev.text.left(200).toHtmlEscaped());
        QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(e);
}

void TimelineView::wheelEvent(QWheelEvent* e)
{
    const double steps = e->angleDelta().y() / 120.0;
    if (e->modifiers() & Qt::ShiftModifier) {
        m_startNs -= qint64(steps * 80 * m_nsPerPx);
        m_follow = false;
        emit rangeChanged();
        update();
    } else if (steps != 0) {
        zoomAround(e->position().x(), std::pow(0.8, steps));
    }
    e->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* e)
{
    if (e->button() == Qt::LeftButton) {
        m_dragging = true;
        m_dragOrigin = e->pos();
        m_dragStartNs = m_startNs;
    }
}

void TimelineView::mouseMoveEvent(QMouseEvent* e)
{
    if (m_dragging && (e->buttons() & Qt::LeftButton)) {
        const int dx = e->pos().x() - m_dragOrigin.x();
        if (std::abs(dx) > 2) {
            m_startNs = m_dragStartNs - qint64(dx * m_nsPerPx);
            m_follow = false;
            setCursor(Qt::ClosedHandCursor);
            emit rangeChanged();
            update();
        }
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e)
{
    if (!m_dragging)
        return;
    m_dragging = false;
    unsetCursor();
    if ((e->pos() - m_dragOrigin).manhattanLength() <= 3) {
        const qint64 seq = itemAt(e->pos());
        if (seq >= 0) {
            selectSeq(quint64(seq));
            emit eventActivated(quint64(seq));
        }
    }
}

void TimelineView::contextMenuEvent(QContextMenuEvent* e)
{
    QMenu menu(this);
    const QList<QAction*> rewind = rewindActions(e->pos(), &menu);
    if (!rewind.isEmpty()) {
        menu.addActions(rewind);
        menu.addSeparator();
    }
    QAction* fold = menu.addAction(tr("Fold Keep-alives (HEARTBEAT, CRLF, OPTIONS)"), this, [this](bool on) { setFoldKeepAlives(on); });
    fold->setCheckable(true);
    fold->setChecked(m_foldKeepAlives);
    fold->setShortcut(QKeySequence(Qt::Key_K));
    QAction* streams = menu.addAction(tr("Stream Sub-lanes"), this, [this](bool on) { setShowStreams(on); });
    streams->setCheckable(true);
    streams->setChecked(m_showStreams);
    streams->setShortcut(QKeySequence(Qt::Key_S));
    menu.addAction(tr("Fit All"), this, [this] {
        m_follow = false;
        fitAll();
    });
    menu.exec(e->globalPos());
}

void TimelineView::resizeEvent(QResizeEvent* e)
{
    QWidget::resizeEvent(e);
    if (m_follow)
        fitAll();
}

void TimelineView::keyPressEvent(QKeyEvent* e)
{
    const double cx = kLaneHeaderWidth + (width() - kLaneHeaderWidth) / 2.0;
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomAround(cx, 0.5); break;
    case Qt::Key_Minus: zoomAround(cx, 2.0); break;
    case Qt::Key_Left:
        m_startNs -= qint64((width() - kLaneHeaderWidth) * m_nsPerPx / 4);
        m_follow = false;
        emit rangeChanged();
        update();
        break;
    case Qt::Key_Right:
        m_startNs += qint64((width() - kLaneHeaderWidth) * m_nsPerPx / 4);
        m_follow = false;
        emit rangeChanged();
        update();
        break;
    case Qt::Key_Home:
        m_follow = false;
        fitAll();
        break;
    case Qt::Key_End: setFollow(true); break;
    case Qt::Key_K: setFoldKeepAlives(!m_foldKeepAlives); break;
    case Qt::Key_S: setShowStreams(!m_showStreams); break;
    default: QWidget::keyPressEvent(e); return;
    }
    e->accept();
}

} // namespace ladder::ui
