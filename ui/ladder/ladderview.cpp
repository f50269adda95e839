// SPDX-License-Identifier: GPL-3.0-or-later
#include "ladderview.h"

#include "theme.h"

#include <QEvent>
#include <QFile>
#include <QHelpEvent>
#include <QToolTip>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>

#include <cmath>

namespace ladder::ui {


LadderView::LadderView(QWidget* parent)
    : QAbstractScrollArea(parent)
{
    setObjectName(QStringLiteral("ladderView"));
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(true);
}

void LadderView::setDiagram(LadderDiagram diagram)
{
    setLiveDiagram(std::make_shared<const LadderDiagram>(std::move(diagram)));
}

void LadderView::setLiveDiagram(std::shared_ptr<const LadderDiagram> diagram)
{
    m_diagram = diagram ? std::move(diagram) : std::make_shared<const LadderDiagram>();
    m_selectedRow = -1;
    updateScrollBars();
    viewport()->update();
}

void LadderView::diagramGrew()
{
    updateScrollBars();
    if (isVisible())
        viewport()->update();
}

void LadderView::setTitle(const QString& title)
{
    m_title = title;
    viewport()->update();
}

QSize LadderView::contentSize() const
{
    return { kTimeWidth + int(m_diagram->columns.size()) * kColumn + 40,
        kHeader + int(m_diagram->rows.size()) * kRow + kRow };
}

void LadderView::updateScrollBars()
{
    const QSize c = contentSize();
    verticalScrollBar()->setRange(0, std::max(0, c.height() - viewport()->height()));
    verticalScrollBar()->setPageStep(viewport()->height());
    verticalScrollBar()->setSingleStep(kRow);
    horizontalScrollBar()->setRange(0, std::max(0, c.width() - viewport()->width()));
    horizontalScrollBar()->setPageStep(viewport()->width());
}

void LadderView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

int LadderView::rowAt(int y) const
{
    const int contentY = y + verticalScrollBar()->value() - kHeader;
    if (contentY < 0)
        return -1;
    const int row = contentY / kRow;
    return row < m_diagram->rows.size() ? row : -1;
}

bool LadderView::viewportEvent(QEvent* event)
{
    // The whole label on hover: a long SCTP summary or request line is elided in its column.
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int row = rowAt(help->pos().y());
        if (row < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const LadderRow& r = m_diagram->rows[row];
        QString tip = QStringLiteral("%1 s  %2 → %3<br><b>%4</b>")
                          .arg(double(r.timeNs) / 1e9, 0, 'f', 6)
                          .arg(m_diagram->columns.value(r.fromColumn).toHtmlEscaped(), m_diagram->columns.value(r.toColumn).toHtmlEscaped(),
                              r.label.toHtmlEscaped());
        if (r.retransmission)
            tip += tr("<br>retransmission #%1").arg(r.retransmission);
        if (r.lost)
            tip += tr("<br>lost on the lab link");
        QToolTip::showText(help->globalPos(), tip, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void LadderView::mousePressEvent(QMouseEvent* event)
{
    const int row = rowAt(event->pos().y());
    if (row < 0)
        return;
    m_selectedRow = row;
    viewport()->update();
    emit eventActivated(m_diagram->rows[row].seq);
}

void LadderView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const int yOff = verticalScrollBar()->value();
    const int first = std::max(0, (yOff) / kRow - 1);
    const int last = std::min(int(m_diagram->rows.size()) - 1, (yOff + viewport()->height()) / kRow + 1);
    paintRows(p, first, last, yOff, horizontalScrollBar()->value());
}

void LadderView::paintRows(QPainter& p, int firstRow, int lastRow, int yOffset, int xOffset) const
{
    const QPalette& pal = palette();
    p.setRenderHint(QPainter::Antialiasing, true);
    const int columns = int(m_diagram->columns.size());
    auto colX = [&](int c) { return kTimeWidth + c * kColumn + kColumn / 2 - xOffset; };
    const int bottom = kHeader + (lastRow + 2) * kRow - yOffset;

    // Lifelines.
    p.setPen(QPen(pal.color(QPalette::Mid), 1));
    for (int c = 0; c < columns; ++c)
        p.drawLine(colX(c), kHeader - yOffset, colX(c), std::max(bottom, kHeader + kRow - yOffset));

    QFont small = p.font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    const MarkPalette marks = markPalette(pal);
    for (int r = firstRow; r <= lastRow; ++r) {
        const LadderRow& row = m_diagram->rows[r];
        const int y = kHeader + r * kRow + kRow / 2 + 6 - yOffset;
        if (r == m_selectedRow)
            p.fillRect(QRect(0, y - kRow / 2 - 4, kTimeWidth + columns * kColumn + 40, kRow), pal.color(QPalette::Highlight).lighter(180));
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.setFont(small);
        p.drawText(QRect(4 - xOffset, y - 10, kTimeWidth - 10, 16), Qt::AlignRight | Qt::AlignVCenter,
            QString::number(double(row.timeNs) / 1e9, 'f', 3));
        const bool sack = row.sctp && row.label.startsWith(QLatin1String("SACK"));
        const bool data = row.sctp && (row.label.startsWith(QLatin1String("DATA")) || row.label.startsWith(QLatin1String("I-DATA")));
        const QColor c = row.retransmission ? marks.retransmit
            : row.lost                      ? marks.drop
            : row.sctp                      ? (data ? marks.request : sack ? marks.response : marks.control)
            : row.response                  ? marks.response
                                            : marks.request;
        const int x0 = colX(row.fromColumn), x1 = colX(row.toColumn);
        const int dir = x1 >= x0 ? 1 : -1;
        QPen pen(c, row.retransmission ? 2.2 : 1.6);
        if (row.lost)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.setBrush(c);
        const int xEnd = row.lost ? x0 + (x1 - x0) * 2 / 3 : x1;
        p.drawLine(x0, y, xEnd, y);
        if (row.lost) {
            p.setPen(QPen(marks.drop, 2));
            p.drawLine(xEnd - 5, y - 5, xEnd + 5, y + 5);
            p.drawLine(xEnd - 5, y + 5, xEnd + 5, y - 5);
        } else if (x0 != x1) {
            QPolygon head;
            head << QPoint(x1, y) << QPoint(x1 - dir * 9, y - 5) << QPoint(x1 - dir * 9, y + 5);
            p.drawPolygon(head);
        }
        QString label = row.label;
        if (row.retransmission)
            label += QStringLiteral("  #%1").arg(row.retransmission);
        p.setPen(marks.text(c));
        const int lx = std::min(x0, x1) + 6;
        const int lw = std::max(std::abs(x1 - x0) - 12, kColumn - 20);
        p.drawText(QRect(lx, y - 17, lw, 14), Qt::AlignLeft | Qt::AlignVCenter,
            p.fontMetrics().elidedText(label, Qt::ElideRight, lw));
    }

    // Column headers stay on top.
    p.setBrush(Qt::NoBrush);
    p.fillRect(QRect(0, 0, kTimeWidth + columns * kColumn + 40 - xOffset + xOffset, kHeader), pal.color(QPalette::Window));
    QFont bold = p.font();
    bold.setBold(true);
    for (int c = 0; c < columns; ++c) {
        const QString ep = m_diagram->columns[c];
        const int sp = int(ep.lastIndexOf(QLatin1Char(' ')));
        p.setPen(pal.color(QPalette::WindowText));
        p.setFont(bold);
        p.drawText(QRect(colX(c) - kColumn / 2, 4, kColumn, 18), Qt::AlignCenter, sp > 0 ? ep.left(sp) : ep);
        p.setFont(small);
        p.setPen(pal.color(QPalette::PlaceholderText));
        if (sp > 0)
            p.drawText(QRect(colX(c) - kColumn / 2, 22, kColumn, 16), Qt::AlignCenter, ep.mid(sp + 1));
    }
    if (!m_title.isEmpty()) {
        // "Call-ID a84b4c76e66710@pc33.example.com": what it is, then which, each on its line and
        // elided to the corner's width (a Call-ID has no space to wrap at; its ends tell calls
        // apart, so the middle goes).
        p.setPen(pal.color(QPalette::PlaceholderText));
        const QFontMetrics fm = p.fontMetrics();
        const int w = kTimeWidth - 8;
        const qsizetype sp = m_title.indexOf(QLatin1Char(' '));
        p.drawText(QRect(4, 4, w, 18), Qt::AlignLeft | Qt::AlignVCenter,
            fm.elidedText(sp > 0 ? m_title.left(sp) : m_title, Qt::ElideRight, w));
        if (sp > 0)
            p.drawText(QRect(4, 22, w, 16), Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(m_title.mid(sp + 1), Qt::ElideMiddle, w));
    }
}

bool LadderView::exportPng(const QString& file) const
{
    const QSize size = contentSize();
    QImage img(size, QImage::Format_ARGB32);
    img.fill(palette().color(QPalette::Base));
    QPainter p(&img);
    p.setFont(font());
    if (!m_diagram->rows.isEmpty())
        paintRows(p, 0, int(m_diagram->rows.size()) - 1, 0, 0);
    p.end();
    return img.save(file, "PNG");
}

bool LadderView::exportSvg(const QString& file) const
{
    QSvgGenerator svg;
    svg.setFileName(file);
    svg.setSize(contentSize());
    svg.setViewBox(QRect(QPoint(0, 0), contentSize()));
    svg.setTitle(m_title.isEmpty() ? QStringLiteral("LadderLab ladder diagram") : m_title);
    QPainter p;
    if (!p.begin(&svg))
        return false;
    p.fillRect(QRect(QPoint(0, 0), contentSize()), palette().color(QPalette::Base));
    p.setFont(font());
    if (!m_diagram->rows.isEmpty())
        paintRows(p, 0, int(m_diagram->rows.size()) - 1, 0, 0);
    return p.end() && QFile(file).size() > 0;
}

bool LadderView::exportText(const QString& file) const
{
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray text = m_diagram->toText().toUtf8();
    return f.write(text) == text.size();
}

} // namespace ladder::ui
