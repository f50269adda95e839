// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "timelineindex.h"

#include <QWidget>

#include <memory>

namespace ladder::trace {
class Journal;
}

namespace ladder::ui {

// The timeline: time runs left to right, one lane per endpoint. Messages are arrows from the
// sender's lane to the receiver's, retransmissions are orange and numbered, lab losses are red
// arrows that end in a cross, abandoned PR-SCTP messages and FORWARD-TSN skips have their own
// marks. Painting walks only the visible time range and skips pixels already drawn, so a
// million events pan and zoom smoothly.
//
// Mouse: wheel zooms around the cursor, drag pans, hover shows the event, click selects it.
// Keys: + / - zoom, ← / → pan, Home fits everything, End follows the newest events.
class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);

    void setJournal(std::shared_ptr<trace::Journal> journal);
    void append(const QVector<trace::Event>& events);
    void clear();

    const TimelineIndex& index() const { return m_index; }
    void fitAll();
    void setFollow(bool follow);
    bool follows() const { return m_follow; }
    // Visible range [startNs, startNs + width * nsPerPixel).
    qint64 startNs() const { return m_startNs; }
    double nsPerPixel() const { return m_nsPerPx; }
    void setRange(qint64 startNs, double nsPerPixel);
    void selectSeq(quint64 seq);
    // Pans (keeping the zoom) so timeNs is in the middle; stops following.
    void centerOn(qint64 timeNs);
    quint64 selectedSeq() const { return m_selected; }
    // The item under a widget position, or -1.
    qint64 itemAt(const QPoint& pos) const;
    // How many items the last paint drew (tests check that painting stays bounded).
    int lastPaintedItems() const { return m_lastPainted; }

signals:
    void eventActivated(quint64 seq);
    void rangeChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;
    QSize sizeHint() const override { return { 800, 400 }; }

private:
    int laneY(qint32 lane) const;
    qint64 xToNs(double x) const;
    double nsToX(qint64 ns) const;
    void zoomAround(double x, double factor);
    void drawAxis(QPainter& p, const QRect& area);
    void drawLanes(QPainter& p, const QRect& area);
    void drawItems(QPainter& p, const QRect& area);

    std::shared_ptr<trace::Journal> m_journal;
    TimelineIndex m_index;
    qint64 m_startNs = 0;
    double m_nsPerPx = 1e6; // 1 ms per pixel
    bool m_follow = true;
    bool m_dragging = false;
    QPoint m_dragOrigin;
    qint64 m_dragStartNs = 0;
    quint64 m_selected = ~0ull;
    int m_lastPainted = 0;
    static constexpr int kLaneHeaderWidth = 150;
    static constexpr int kAxisHeight = 24;
    static constexpr int kLaneHeight = 46;
};

} // namespace ladder::ui
