// SPDX-License-Identifier: GPL-3.0-or-later
#include "statemachineview.h"

#include <QPainter>
#include <QPainterPath>
#include <QtMath>

namespace ladder::ui {

StateMachineView::Machine StateMachineView::machine(const QString& kind)
{
    // Positions keep every straight edge clear of the boxes it does not join.
    Machine m;
    m.kind = kind;
    auto n = [&m](const char* state, double x, double y) { m.nodes.append({ QString::fromLatin1(state), x, y }); };
    auto e = [&m](const char* from, const char* to, const char* label) {
        m.edges.append({ QString::fromLatin1(from), QString::fromLatin1(to), QString::fromLatin1(label) });
    };
    if (kind == QLatin1String("INVITE client")) { // RFC 3261 Figure 5, RFC 6026 Figure 3
        n("Calling", 0, 1);
        n("Proceeding", 1, 0);
        n("Completed", 2, 1);
        n("Accepted", 2, 2);
        n("Terminated", 3, 0);
        e("Calling", "Proceeding", "1xx");
        e("Calling", "Completed", "300-699 / ACK");
        e("Calling", "Accepted", "2xx");
        e("Calling", "Terminated", "Timer B");
        e("Proceeding", "Completed", "300-699 / ACK");
        e("Proceeding", "Accepted", "2xx");
        e("Completed", "Terminated", "Timer D");
        e("Accepted", "Terminated", "Timer M");
    } else if (kind == QLatin1String("non-INVITE client")) { // Figure 6
        n("Trying", 0, 1);
        n("Proceeding", 1, 0);
        n("Completed", 2, 1);
        n("Terminated", 3, 0);
        e("Trying", "Proceeding", "1xx");
        e("Trying", "Completed", "200-699");
        e("Trying", "Terminated", "Timer F");
        e("Proceeding", "Completed", "200-699");
        e("Proceeding", "Terminated", "Timer F");
        e("Completed", "Terminated", "Timer K");
    } else if (kind == QLatin1String("INVITE server")) { // Figure 7, RFC 6026 Figure 5
        n("Proceeding", 0, 1);
        n("Completed", 1, 0);
        n("Confirmed", 2, 0);
        n("Accepted", 1, 2);
        n("Terminated", 3, 1);
        e("Proceeding", "Completed", "300-699 sent");
        e("Proceeding", "Accepted", "2xx sent");
        e("Completed", "Confirmed", "ACK");
        e("Completed", "Terminated", "Timer H");
        e("Confirmed", "Terminated", "Timer I");
        e("Accepted", "Terminated", "Timer L");
    } else if (kind == QLatin1String("non-INVITE server")) { // Figure 8
        n("Trying", 0, 1);
        n("Proceeding", 1, 0);
        n("Completed", 2, 1);
        n("Terminated", 3, 1);
        e("Trying", "Proceeding", "1xx sent");
        e("Trying", "Completed", "200-699 sent");
        e("Proceeding", "Completed", "200-699 sent");
        e("Completed", "Terminated", "Timer J");
    }
    return m;
}

StateMachineView::StateMachineView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("stateMachineView"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void StateMachineView::setTransaction(const sip::TransactionSnapshot& transaction, qint64 nowNs)
{
    if (m_tx.kind != transaction.kind || m_machine.nodes.isEmpty())
        m_machine = machine(transaction.kind);
    m_tx = transaction;
    m_nowNs = nowNs;
    setToolTip(tr("Transaction %1 (%2), branch %3").arg(transaction.id).arg(transaction.kind, QString::fromLatin1(transaction.branch)));
    update();
}

void StateMachineView::clear()
{
    m_tx = {};
    m_machine = {};
    setToolTip({});
    update();
}

QList<StateMachineView::Edge> StateMachineView::path() const
{
    QList<Edge> out;
    for (qsizetype i = 1; i < m_tx.history.size(); ++i) {
        const QString& from = m_tx.history[i - 1].state;
        const QString& to = m_tx.history[i].state;
        for (const Edge& e : m_machine.edges)
            if (e.from == from && e.to == to) {
                out.append(e);
                break;
            }
    }
    return out;
}

void StateMachineView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.base());
    if (m_tx.id == 0 || m_machine.nodes.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
            m_tx.id ? tr("No state machine for “%1”").arg(m_tx.kind)
                    : tr("Select a transaction to see its state machine"));
        return;
    }

    QFont small = font();
    small.setPointSizeF(std::max(6.5, small.pointSizeF() * 0.85));
    const QFontMetrics fm(font());
    const QFontMetrics sfm(small);
    const int textLines = 2;
    const int footer = textLines * sfm.height() + 6;
    const QRectF area = QRectF(rect()).adjusted(8, 6, -8, -footer);
    double maxX = 0, maxY = 0;
    for (const Node& n : m_machine.nodes) {
        maxX = std::max(maxX, n.x);
        maxY = std::max(maxY, n.y);
    }
    // Boxes as wide as "Proceeding", narrower (with a smaller font) when the columns would
    // otherwise run into each other.
    QFont boxFont = font();
    double boxW = fm.horizontalAdvance(QStringLiteral("Proceeding")) + 16;
    double boxH = fm.height() + 6;
    const double columnRoom = area.width() / (maxX + 1) - 6;
    if (boxW > columnRoom) {
        boxFont.setPointSizeF(std::max(6.0, boxFont.pointSizeF() * std::max(0.6, (columnRoom - 8) / (boxW - 16))));
        const QFontMetrics bfm(boxFont);
        boxW = std::max<double>(bfm.horizontalAdvance(QStringLiteral("Proceeding")) + 8, columnRoom);
        boxH = bfm.height() + 6;
    }
    auto center = [&](const Node& n) {
        const double x = area.left() + boxW / 2 + (maxX > 0 ? n.x / maxX : 0.5) * (area.width() - boxW);
        const double y = area.top() + boxH / 2 + (maxY > 0 ? n.y / maxY : 0.5) * (area.height() - boxH);
        return QPointF(x, y);
    };
    QHash<QString, QPointF> centers;
    for (const Node& n : m_machine.nodes)
        centers.insert(n.state, center(n));

    QSet<QString> visited;
    for (const auto& h : m_tx.history)
        visited.insert(h.state);
    const QList<Edge> taken = path();
    auto takenIndex = [&](const Edge& e) {
        for (qsizetype i = 0; i < taken.size(); ++i)
            if (taken[i].from == e.from && taken[i].to == e.to)
                return int(i);
        return -1;
    };

    // Where a segment from a box's centre leaves the box.
    auto border = [&](QPointF c, QPointF toward) {
        const QPointF d = toward - c;
        const double sx = d.x() != 0 ? (boxW / 2) / std::abs(d.x()) : 1e9;
        const double sy = d.y() != 0 ? (boxH / 2) / std::abs(d.y()) : 1e9;
        return c + d * std::min(sx, sy);
    };
    const QColor accent = pal.color(QPalette::Highlight);
    const QColor quiet = pal.color(QPalette::Mid);
    // Edge labels are placed where they cover no state box and no other label: at the middle of
    // the edge when that is free, else a little along it or beside it (a short edge between two
    // boxes on one row leaves less room than "Timer J" takes).
    QList<QRectF> occupied;
    for (const Node& n : m_machine.nodes) {
        QRectF box(0, 0, boxW, boxH);
        box.moveCenter(centers.value(n.state));
        occupied << box.adjusted(-2, -2, 2, 2);
    }
    auto placeLabel = [&](QRectF lr, QPointF from, QPointF to) {
        const QPointF mid = (from + to) / 2;
        const double h = lr.height();
        const double clear = boxH / 2 + h / 2 + 2; // beside a box on the edge's row
        const QPointF candidates[] = { mid, from + (to - from) * 0.4, from + (to - from) * 0.6, mid + QPointF(0, -h * 0.75),
            mid + QPointF(0, h * 0.75), mid + QPointF(0, -h * 1.4), mid + QPointF(0, h * 1.4), mid + QPointF(0, -clear),
            mid + QPointF(0, clear), mid + QPointF(0, -clear - h), mid + QPointF(0, clear + h) };
        const QRectF bounds = QRectF(rect());
        for (const QPointF& c : candidates) {
            lr.moveCenter(c);
            if (!bounds.contains(lr))
                continue;
            bool clear = true;
            for (const QRectF& o : occupied)
                if (o.intersects(lr)) {
                    clear = false;
                    break;
                }
            if (clear)
                return lr;
        }
        lr.moveCenter(mid);
        return lr;
    };
    for (const Edge& e : m_machine.edges) {
        const QPointF a = centers.value(e.from), b = centers.value(e.to);
        const QPointF from = border(a, b), to = border(b, a);
        const int step = takenIndex(e);
        const bool lit = step >= 0;
        p.setPen(QPen(lit ? accent : quiet, lit ? 2.2 : 1.0));
        p.drawLine(from, to);
        // Arrow head.
        const double angle = std::atan2(to.y() - from.y(), to.x() - from.x());
        const double len = 7;
        QPainterPath head;
        head.moveTo(to);
        head.lineTo(to - QPointF(std::cos(angle - 0.4) * len, std::sin(angle - 0.4) * len));
        head.lineTo(to - QPointF(std::cos(angle + 0.4) * len, std::sin(angle + 0.4) * len));
        head.closeSubpath();
        p.fillPath(head, lit ? accent : quiet);
        // The label sits at the middle, on a background so crossing lines stay readable.
        p.setFont(small);
        const QString label = lit ? QStringLiteral("%1. %2").arg(step + 1).arg(e.label) : e.label;
        QRectF lr = sfm.boundingRect(label);
        lr.adjust(-2, 0, 2, 0);
        lr = placeLabel(lr, from, to);
        occupied << lr;
        p.fillRect(lr, pal.base());
        p.setPen(lit ? pal.color(QPalette::Text) : pal.color(QPalette::PlaceholderText));
        p.drawText(lr, Qt::AlignCenter, label);
    }

    p.setFont(boxFont);
    for (const Node& n : m_machine.nodes) {
        QRectF box(0, 0, boxW, boxH);
        box.moveCenter(centers.value(n.state));
        const bool current = n.state == m_tx.state;
        const bool seen = visited.contains(n.state);
        p.setPen(QPen(seen ? accent : quiet, seen ? 2 : 1));
        p.setBrush(current ? accent : pal.base());
        p.drawRoundedRect(box, 6, 6);
        p.setPen(current ? pal.color(QPalette::HighlightedText) : seen ? pal.color(QPalette::Text) : pal.color(QPalette::PlaceholderText));
        p.drawText(box, Qt::AlignCenter, n.state);
    }

    // Footer: the path with times since the transaction began, then the armed timers.
    p.setFont(small);
    p.setPen(pal.color(QPalette::Text));
    QStringList steps;
    for (const auto& h : m_tx.history)
        steps << QStringLiteral("%1 +%2 s").arg(h.state).arg(double(h.timeNs - m_tx.createdNs) / 1e9, 0, 'f', 3);
    QStringList timers;
    for (const auto& t : m_tx.timers)
        timers << tr("%1 in %2 s").arg(t.name).arg(std::max(0.0, double(t.dueNs - m_nowNs) / 1e9), 0, 'f', 1);
    const QString line2 = tr("%1 %2 · %3 retransmission(s) · %4")
                              .arg(m_tx.kind, m_tx.method)
                              .arg(m_tx.retransmissions)
                              .arg(timers.isEmpty() ? tr("no timer armed") : tr("armed: %1").arg(timers.join(QStringLiteral(", "))));
    const QRectF foot = QRectF(rect()).adjusted(8, rect().height() - footer, -8, -2);
    p.drawText(QRectF(foot.left(), foot.top(), foot.width(), sfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        sfm.elidedText(steps.join(QStringLiteral(" → ")), Qt::ElideLeft, int(foot.width())));
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(QRectF(foot.left(), foot.top() + sfm.height(), foot.width(), sfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        sfm.elidedText(line2, Qt::ElideRight, int(foot.width())));
}

} // namespace ladder::ui
