// SPDX-License-Identifier: GPL-3.0-or-later
#include "timelineview.h"

#include "journal/journal.h"

#include <QHelpEvent>
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
    const QColor kRequest(0x1e, 0x88, 0xe5);
    const QColor kResponse(0x43, 0xa0, 0x47);
    const QColor kSctp(0x00, 0x89, 0x7b);
    const QColor kRetransmit(0xfb, 0x8c, 0x00);
    const QColor kDrop(0xe5, 0x39, 0x35);
    const QColor kAbandon(0xd8, 0x1b, 0x60);
    const QColor kForwardTsn(0x8e, 0x24, 0xaa);
    const QColor kTimer(0x7e, 0x57, 0xc2);
    const QColor kState(0x78, 0x90, 0x9c);

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
} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timelineView"));
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumHeight(120);
}

void TimelineView::setJournal(std::shared_ptr<trace::Journal> journal)
{
    m_journal = std::move(journal);
}

void TimelineView::append(const QVector<trace::Event>& events)
{
    m_index.append(events);
    if (m_follow)
        fitAll();
    update();
}

void TimelineView::clear()
{
    m_index.clear();
    m_selected = ~0ull;
    m_startNs = 0;
    update();
}

void TimelineView::fitAll()
{
    const int w = std::max(1, width() - kLaneHeaderWidth - 20);
    const qint64 span = std::max<qint64>(m_index.lastNs() - m_index.firstNs(), 1000000);
    m_startNs = m_index.firstNs() - qint64(double(span) * 0.02);
    m_nsPerPx = double(span) * 1.04 / double(w);
    emit rangeChanged();
    update();
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
    return kAxisHeight + kLaneHeight / 2 + lane * kLaneHeight;
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
    QPainter p(this);
    const QPalette& pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QRect plot(kLaneHeaderWidth, kAxisHeight, width() - kLaneHeaderWidth, height() - kAxisHeight);
    drawLanes(p, plot);
    p.save();
    p.setClipRect(plot);
    drawItems(p, plot);
    p.restore();
    drawAxis(p, QRect(kLaneHeaderWidth, 0, plot.width(), kAxisHeight));
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
            p.drawLine(QPointF(x, kAxisHeight), QPointF(x, height()));
    }
}

void TimelineView::drawLanes(QPainter& p, const QRect& plot)
{
    const QPalette& pal = palette();
    p.fillRect(QRect(0, kAxisHeight, kLaneHeaderWidth, height()), pal.color(QPalette::Window));
    const QStringList& lanes = m_index.lanes();
    QFont bold = font();
    bold.setBold(true);
    for (int i = 0; i < lanes.size(); ++i) {
        const int y = laneY(i);
        if (y - kLaneHeight / 2 > height())
            break;
        if (i % 2)
            p.fillRect(QRect(plot.left(), y - kLaneHeight / 2, plot.width(), kLaneHeight), pal.color(QPalette::AlternateBase));
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
    }
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(kLaneHeaderWidth - 1, kAxisHeight, kLaneHeaderWidth - 1, height());
}

void TimelineView::drawItems(QPainter& p, const QRect& plot)
{
    const auto& items = m_index.items();
    const QStringList& labels = m_index.labels();
    m_lastPainted = 0;
    if (items.empty())
        return;
    const qint64 visibleStart = xToNs(plot.left());
    const qint64 visibleEnd = xToNs(plot.right() + 1);
    // Arrows are drawn at their receive time and reach back to their send time: look a little
    // past the right edge so an arrow that leaves inside the view is not lost.
    const qint64 scanEnd = visibleEnd + std::max<qint64>(qint64(m_nsPerPx * 200), 2000000000);
    std::size_t i = m_index.lowerBound(visibleStart);
    const std::size_t end = m_index.lowerBound(scanEnd);

    // Per-pixel de-duplication: one mark per (lane, kind, x column) is enough.
    const int lanes = int(m_index.lanes().size()) + 1;
    std::vector<int> lastX(std::size_t(lanes) * 16, INT_MIN);
    auto seen = [&](qint32 lane, int cls, int x) {
        int& slot = lastX[std::size_t(lane + 1) * 16 + std::size_t(cls)];
        if (slot == x)
            return true;
        slot = x;
        return false;
    };
    int lastLabelX = INT_MIN;
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p.setFont(small);
    const QFontMetrics fm(small);

    for (; i < end; ++i) {
        const TimelineIndex::Item& it = items[i];
        if (it.lane < 0)
            continue;
        const double x = nsToX(it.timeNs);
        const int xi = int(x);
        const int y = laneY(it.lane);
        const bool selected = it.seq == m_selected;
        switch (it.kind) {
        case Kind::SipMessage:
        case Kind::SipRetransmission:
        case Kind::SctpPacket: {
            const bool retx = it.flags & TimelineIndex::Retransmission;
            QColor c = it.kind == Kind::SctpPacket ? kSctp : (it.flags & TimelineIndex::Response) ? kResponse : kRequest;
            if (retx)
                c = kRetransmit;
            if (it.dir == Dir::Tx) {
                // A Tx whose receiver we never see (a real peer) is drawn as its own arrow.
                if (m_index.laneReceives(it.pairLane) || it.pairLane < 0) {
                    if (it.timeNs > visibleEnd || seen(it.lane, 0, xi))
                        continue;
                    p.setPen(Qt::NoPen);
                    p.setBrush(c);
                    p.drawEllipse(QPointF(x, y), 2.5, 2.5);
                    ++m_lastPainted;
                    continue;
                }
            }
            const bool paired = it.dir == Dir::Tx || (it.flags & TimelineIndex::Paired);
            const double x0 = it.dir == Dir::Tx ? x : paired ? nsToX(it.pairTimeNs) : x;
            if (x0 > plot.right() + 1 || (it.dir != Dir::Tx && it.timeNs > visibleEnd && x0 > plot.right()))
                continue;
            if (it.pairLane < 0)
                continue;
            const int y0 = laneY(it.pairLane);
            if (!selected && seen(it.pairLane, 1 + (retx ? 1 : 0) + (it.lane < it.pairLane ? 2 : 0), int(x0))
                && int(x0) == xi)
                continue;
            const QPointF from(x0, y0), to(x, y);
            p.setPen(QPen(selected ? palette().color(QPalette::Highlight) : c, retx || selected ? 2.2 : 1.4));
            p.setBrush(selected ? palette().color(QPalette::Highlight) : c);
            p.drawLine(from, to);
            arrowHead(p, from, to, 7);
            ++m_lastPainted;
            const QString& label = labels.value(int(it.label));
            const double mid = (x0 + x) / 2;
            if (!label.isEmpty() && std::abs(mid - lastLabelX) > 70) {
                const QString text = retx && it.number ? QStringLiteral("%1 #%2").arg(label).arg(it.number) : label;
                p.setPen(c.darker(120));
                p.drawText(QPointF(mid + 4, (y0 + y) / 2.0 - 3), fm.elidedText(text, Qt::ElideRight, 120));
                lastLabelX = int(mid);
            }
            break;
        }
        case Kind::LinkDrop: {
            if (it.timeNs > visibleEnd)
                continue;
            if (!selected && seen(it.lane, 5, xi))
                continue;
            const int y1 = it.pairLane >= 0 ? laneY(it.pairLane) : y + kLaneHeight / 2;
            const QPointF from(x, y), mid(x + std::max(8.0, 18.0), (y + y1) / 2.0);
            p.setPen(QPen(kDrop, 1.6, Qt::DashLine));
            p.drawLine(from, mid);
            p.setPen(QPen(kDrop, 2));
            p.drawLine(mid + QPointF(-4, -4), mid + QPointF(4, 4));
            p.drawLine(mid + QPointF(-4, 4), mid + QPointF(4, -4));
            ++m_lastPainted;
            break;
        }
        case Kind::SctpAbandon: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 6, xi)))
                continue;
            p.setPen(QPen(kAbandon, 2.2));
            p.drawLine(QPointF(x - 5, y - 5), QPointF(x + 5, y + 5));
            p.drawLine(QPointF(x - 5, y + 5), QPointF(x + 5, y - 5));
            if (std::abs(xi - lastLabelX) > 70) {
                p.drawText(QPointF(x + 7, y - 7), tr("abandoned ctx %1").arg(it.number));
                lastLabelX = xi;
            }
            ++m_lastPainted;
            break;
        }
        case Kind::SctpForwardTsn: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 7, xi)))
                continue;
            p.setPen(QPen(kForwardTsn, 2));
            p.drawLine(QPointF(x, y - 9), QPointF(x, y + 9));
            p.drawLine(QPointF(x, y - 9), QPointF(x + 5, y - 9));
            p.drawLine(QPointF(x, y + 9), QPointF(x + 5, y + 9));
            if (std::abs(xi - lastLabelX) > 70) {
                p.drawText(QPointF(x + 7, y + 14), tr("FWD-TSN %1").arg(it.number));
                lastLabelX = xi;
            }
            ++m_lastPainted;
            break;
        }
        case Kind::SctpRetransmission: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 8, xi)))
                continue;
            p.setPen(Qt::NoPen);
            p.setBrush(kRetransmit);
            p.drawRect(QRectF(x - 3, y - 3, 6, 6));
            ++m_lastPainted;
            break;
        }
        case Kind::TimerFired: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 9, xi)))
                continue;
            p.setPen(QPen(kTimer, 1.5));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QPointF(x, y + 12), 4, 4);
            p.drawLine(QPointF(x, y + 12), QPointF(x, y + 9));
            const QString& label = labels.value(int(it.label));
            if (!label.isEmpty() && m_nsPerPx < 5e6)
                p.drawText(QPointF(x + 6, y + 20), label);
            ++m_lastPainted;
            break;
        }
        case Kind::TransactionState:
        case Kind::DialogState:
        case Kind::AssociationState: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 10, xi)))
                continue;
            p.setPen(Qt::NoPen);
            p.setBrush(kState);
            QPolygonF d;
            d << QPointF(x, y - 16) << QPointF(x + 4, y - 12) << QPointF(x, y - 8) << QPointF(x - 4, y - 12);
            p.drawPolygon(d);
            ++m_lastPainted;
            break;
        }
        case Kind::Error: {
            if (it.timeNs > visibleEnd || (!selected && seen(it.lane, 11, xi)))
                continue;
            p.setPen(Qt::NoPen);
            p.setBrush(kDrop);
            QPolygonF t;
            t << QPointF(x, y - 8) << QPointF(x + 6, y + 4) << QPointF(x - 6, y + 4);
            p.drawPolygon(t);
            ++m_lastPainted;
            break;
        }
        default:
            break;
        }
    }
}

qint64 TimelineView::itemAt(const QPoint& pos) const
{
    if (pos.x() < kLaneHeaderWidth)
        return -1;
    const auto& items = m_index.items();
    const qint64 t0 = xToNs(pos.x() - 6), t1 = xToNs(pos.x() + 6);
    std::size_t i = m_index.lowerBound(t0);
    qint64 best = -1;
    int bestDist = INT_MAX;
    for (; i < items.size() && items[i].timeNs <= t1; ++i) {
        const auto& it = items[i];
        if (it.lane < 0)
            continue;
        int dist = std::abs(laneY(it.lane) - pos.y());
        // An arrow counts along its whole height at its receive end.
        if (it.dir == Dir::Rx && it.pairLane >= 0) {
            const int ya = std::min(laneY(it.lane), laneY(it.pairLane)), yb = std::max(laneY(it.lane), laneY(it.pairLane));
            if (pos.y() >= ya && pos.y() <= yb)
                dist = 0;
        }
        if (dist < 14 && dist < bestDist) {
            bestDist = dist;
            best = qint64(it.seq);
        }
    }
    return best;
}

bool TimelineView::event(QEvent* e)
{
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        const qint64 seq = itemAt(help->pos());
        if (seq < 0 || !m_journal) {
            QToolTip::hideText();
            e->ignore();
            return true;
        }
        const trace::Event ev = m_journal->at(quint64(seq));
        QString tip = QStringLiteral("<b>%1</b> %2<br>t = %3 s")
                          .arg(QString::fromLatin1(trace::kindName(ev.kind)), QString::fromLatin1(trace::dirName(ev.dir)))
                          .arg(double(ev.timeNs) / 1e9, 0, 'f', 6);
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
    default: QWidget::keyPressEvent(e); return;
    }
    e->accept();
}

} // namespace ladder::ui
