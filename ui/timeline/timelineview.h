// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "timelineindex.h"
#include "timelinelayout.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <QWidget>

#include <memory>

class QAction;

namespace ladder::trace {
class Journal;
}

namespace ladder::ui {

struct MarkPalette;

// The timeline: time runs left to right, one lane per endpoint, the lanes sharing the view's
// height. Messages are arrows from the sender's lane to the receiver's, slanted with the one-way
// delay (and at least a little, so order and direction show on a fast link). Retransmissions are
// orange, thicker and numbered, with a ring where they left; lab losses are dashed arrows ending in
// a cross; abandoned PR-SCTP messages a barred circle with their context; FORWARD-TSN a bracket;
// SCTP fast and timeout retransmissions a triangle and a square. Keep-alives (HEARTBEAT pairs,
// CRLF pings, OPTIONS pings) fold into a thin strip per lane (K shows them in full); where messages
// are too dense to draw one by one, a strip with their count. Labels never overlap: the layout
// (timelinelayout.h) places the important ones first and hides what has no room, which hover
// shows. A legend under the lanes names every mark. Painting walks only the visible time range.
//
// Mouse: wheel zooms around the cursor, drag pans, hover shows the event, click selects it.
// Keys: + / - zoom, ← / → pan, Home fits everything, End follows the newest events, K folds or
// unfolds keep-alives, S shows or hides the stream sub-lanes (each SCTP message of a stream a bar
// from its first transmission to its fate: acknowledged, abandoned, in flight; retransmissions ticked).
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
    // The stream message bar under a widget position (of the last paint), or null; what it says.
    const timeline::StreamBar* streamBarAt(const QPoint& pos) const;
    QString streamBarText(const timeline::StreamBar& bar) const;
    // How many items the last paint drew (tests check that painting stays bounded).
    int lastPaintedItems() const { return m_lastPainted; }
    // Keep-alives folded into a strip per lane (the default) or drawn in full.
    void setFoldKeepAlives(bool fold);
    bool foldKeepAlives() const { return m_foldKeepAlives; }
    // The stream sub-lanes under the lanes (the default) or not (S toggles).
    void setShowStreams(bool show);
    bool showStreams() const { return m_showStreams; }
    // What a paint of the current range and size draws: lanes, marks, strips and the labels'
    // rectangles (tests check those never overlap). legacyLabels: the old label rule, for tests.
    timeline::Frame frame(bool legacyLabels = false) const;
    // The plot: where lanes and marks are, between the axis and the legend.
    QRect plotRect() const;
    // The label an item gets: SIP method or status, SCTP chunks with their numbers, abandon and
    // FORWARD-TSN details.
    QString labelText(const TimelineIndex::Item& item) const;

    // The lab's rewind: a time cursor (-1: none) — a line at that instant, what came after it
    // veiled — while the views show the state as of then. setRewindEnabled offers, in the context
    // menu, "Rewind to Here", "Back to Live" and, on a sent message or packet, the faults "In a
    // Re-run" (a virtual-time lab run only: captures cannot be re-run).
    void setCursorTime(qint64 timeNs);
    qint64 cursorTime() const { return m_cursorNs; }
    void setRewindEnabled(bool enabled) { m_rewindEnabled = enabled; }
    enum class RerunFault { Drop, Delay, Duplicate, Corrupt };
    // The actions of the context menu at a widget position (tests drive them without a menu).
    QList<QAction*> rewindActions(const QPoint& pos, QObject* parent);

signals:
    void eventActivated(quint64 seq);
    void rangeChanged();
    void rewindRequested(qint64 timeNs);
    void backToLiveRequested();
    // "In a re-run": do this to the datagram journal event seq sent.
    void rerunFaultRequested(quint64 seq, ladder::ui::TimelineView::RerunFault fault);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    QSize sizeHint() const override { return { 800, 400 }; }

private:
    int laneY(qint32 lane) const;
    int legendHeight(int width) const;
    void drawLegend(QPainter& p, const QRect& area);
    void drawFrame(QPainter& p, const timeline::Frame& frame);
    static void drawStreamBar(QPainter& p, double x0, double x1, double y, StreamFates::Fate fate, bool unsent, bool retransmitted,
        const std::vector<double>& ticks, const MarkPalette& marks, const QColor& selected);
    qint64 xToNs(double x) const;
    double nsToX(qint64 ns) const;
    void zoomAround(double x, double factor);
    void drawAxis(QPainter& p, const QRect& area);
    void drawLanes(QPainter& p, const QRect& area);
    void drawCursor(QPainter& p, const QRect& plot);

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
    // Repaints for new events are paced by what a frame costs (append): a live capture appends
    // twenty times a second, and a frame over hundreds of thousands of events is not free.
    void scheduleAppendRepaint();
    void fitRange(); // fitAll without the repaint
    QTimer m_appendRepaint;
    QElapsedTimer m_sincePaint;
    qint64 m_paintCostNs = 0;
    bool m_foldKeepAlives = true;
    bool m_showStreams = true;
    qint64 m_cursorNs = -1;
    bool m_rewindEnabled = false;
    // The last painted frame (hover and click look things up in it).
    timeline::Frame m_frame;
    // Label texts built from the journal, by seq (SCTP summaries decode the packet).
    mutable QHash<quint64, QString> m_labelCache;
    static constexpr int kLaneHeaderWidth = 150;
    static constexpr int kAxisHeight = 24;
};

} // namespace ladder::ui
