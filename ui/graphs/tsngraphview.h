// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sctp/snapshot.h"
#include "tsngraphmodel.h"

#include <QHash>
#include <QPixmap>
#include <QWidget>

class QAction;
class QComboBox;
class QPainter;
class QStackedWidget;

namespace ladder::ui {

class PathGraphView;

// The TSN graph of one association and direction, live (Wireshark's "SCTP Graph TSN", tcptrace):
// time left to right on the timeline's axis (seconds of journal time), relative TSN upwards. DATA
// first transmissions are dots, fast retransmissions triangles, timeout retransmissions squares,
// duplicates crosses; the SACK cumulative TSN is a step line with the gap-ack blocks as short bars;
// a FORWARD-TSN jump of the cumulative point is a dashed arrow; abandoned PR-SCTP messages are
// barred circles labelled with context and policy. The TSN axis fits what is in view.
// Mouse: wheel zooms time around the cursor, drag pans, hover shows the point, click inspects it.
// Keys: + / - zoom, ← / → pan, Home fits everything.
class TsnGraphView : public QWidget {
    Q_OBJECT
public:
    explicit TsnGraphView(QWidget* parent = nullptr);

    void append(const QVector<trace::Event>& events);
    void clear();
    const graphs::TsnGraphModel& model() const { return m_model; }
    // The flow shown (index into model().flows(), -1 none).
    int flow() const { return m_flow; }
    void setFlow(int flow);
    void fitAll();
    void setRange(qint64 startNs, double nsPerPixel);
    qint64 startNs() const { return m_startNs; }
    double nsPerPixel() const { return m_nsPerPx; }
    // The geometry of a paint of size: the plot rectangle and the axes' scales.
    graphs::Viewport viewport(const QSize& size) const;
    graphs::GraphFrame frame() const; // what a paint of the widget's current size draws

    // The time range [startNs, endNs) across the plot (the timeline's, when the two are linked).
    void setTimeRange(qint64 startNs, qint64 endNs);
    // Rings the points of this journal event (selected in another view); ~0: none.
    void selectSeq(quint64 seq);
    quint64 selectedSeq() const { return m_selectedSeq; }
    // The lab's rewind (as TimelineView::setCursorTime): a line at that instant, later points veiled.
    void setCursorTime(qint64 timeNs);
    qint64 cursorTime() const { return m_cursorNs; }

    bool exportPng(const QString& file);
    bool exportSvg(const QString& file);
    bool exportCsv(const QString& file) const;

signals:
    void eventActivated(quint64 seq);
    void cursorTimeChanged(qint64 timeNs); // setCursorTime (the path graph follows it)
    void selectedSeqChanged(quint64 seq); // selectSeq (the path graph follows it)
    void flowsChanged(); // a flow appeared, or the busiest changed
    void userRangeChanged(qint64 startNs, qint64 endNs); // the user zoomed or panned

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void render(QPainter& p, const QSize& size) const;
    const graphs::DrawnMark* markAt(const QPoint& pos) const;
    void zoom(double factor, double aroundX);

    graphs::TsnGraphModel m_model;
    int m_flow = -1;
    qint64 m_startNs = 0;
    double m_nsPerPx = 1e6;
    bool m_fitted = true; // Home: keep everything in view as points arrive
    quint64 m_selectedSeq = ~0ull;
    qint64 m_cursorNs = -1;
    void userRange(); // emits userRangeChanged
    QPoint m_pressPos;
    qint64 m_pressStart = 0;
    bool m_dragging = false;
    mutable graphs::GraphFrame m_lastFrame; // of the last paint, for hit tests
    mutable graphs::Viewport m_lastViewport;
    // A mark drawn once into a small pixmap and copied where it goes (raster painting only: an
    // SVG export draws every mark as a shape). Thousands of antialiased shapes a frame cost more
    // than the rest of the frame together.
    const QPixmap& sprite(graphs::MarkKind kind, double r, const QColor& colour, const QColor& base, qreal dpr) const;
    mutable QHash<QByteArray, QPixmap> m_sprites;
};

// The Graphs tab: which graph (the TSN graph of a flow, or the paths of an association), its
// selector, Fit, the link to the timeline's range, the exports, and the graph.
class GraphsPane : public QWidget {
    Q_OBJECT
public:
    enum class Graph { Tsn, Paths };
    explicit GraphsPane(QWidget* parent = nullptr);
    TsnGraphView* view() const { return m_view; }
    PathGraphView* pathView() const { return m_paths; }
    void append(const QVector<trace::Event>& events);
    // The stack's association snapshots: their path readings feed the path graph.
    void addSnapshots(const QList<sctp::AssociationInfo>& associations);
    void clear();
    // Shows the association's sent direction (or its received one if it sent nothing).
    bool showAssociation(quint64 association);
    void showGraph(Graph graph);
    Graph graph() const;
    // Whether zoom and pan are the timeline's (the toolbar's "Timeline's Range").
    bool linkedToTimeline() const;

signals:
    void eventActivated(quint64 seq);

private:
    void refreshFlows(); // the list of flows, anew
    void refreshTitles(); // their titles (counts) as data arrives
    void refreshAssociations(); // the path graph's list
    void exportAs(const QString& format);

    TsnGraphView* m_view = nullptr;
    PathGraphView* m_paths = nullptr;
    QStackedWidget* m_stack = nullptr;
    QComboBox* m_kind = nullptr;
    QComboBox* m_flows = nullptr;
    QComboBox* m_associations = nullptr;
    QAction* m_flowsAction = nullptr;
    QAction* m_associationsAction = nullptr;
    QAction* m_link = nullptr;
    bool m_userChose = false;
    bool m_userChosePaths = false;
};

} // namespace ladder::ui
