// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "pathgraphmodel.h"

#include <QWidget>

#include <tuple>

class QPainter;

namespace ladder::ui {

// The paths of one association over time, live: per path a strip of bytes (cwnd as usrsctp
// reports it, flight size inferred from the journal) and a strip of milliseconds (RTO, SRTT),
// all on the timeline's time axis; path state changes, primary changes and DATA moving to another
// path (failover, SCTP_ADDR_OVER) are vertical lines labelled across every strip. Values are
// step lines (a reading holds until the next); where a pixel column has several samples it draws
// their range. Mouse and keys as the TSN graph: wheel zooms, drag pans, click selects the journal
// event of a point (flight size: the packet that changed it; a reading: the association's event
// nearest in time; a marker: its notification or packet), Home fits everything.
class PathGraphView : public QWidget {
    Q_OBJECT
public:
    explicit PathGraphView(QWidget* parent = nullptr);

    void append(const QVector<trace::Event>& events);
    void addSnapshots(const QList<sctp::AssociationInfo>& associations);
    void restartReadings() { m_model.restartReadings(); }
    void clear();
    const graphs::PathGraphModel& model() const { return m_model; }
    int graph() const { return m_graph; } // index into model().graphs(), -1 none
    void setGraph(int graph);
    void fitAll();
    void setTimeRange(qint64 startNs, qint64 endNs);
    qint64 startNs() const { return m_startNs; }
    double nsPerPixel() const { return m_nsPerPx; }
    void setCursorTime(qint64 timeNs);
    // Rings the flight-size point this journal event set, and highlights a marker at it; ~0: none.
    void selectSeq(quint64 seq);
    quint64 selectedSeq() const { return m_selectedSeq; }
    // The sample ringed: path index (-1 none), metric, index into the series.
    std::tuple<int, graphs::Metric, std::size_t> selectedSample() const
    {
        return { m_selected.path, m_selected.metric, m_selected.index };
    }

    struct Strip {
        int path = 0;
        bool bytes = true; // cwnd and flight size; else RTO and SRTT
        graphs::StripViewport vp;
    };
    std::vector<Strip> strips(const QSize& size) const;
    // Where a sample is drawn in a paint of the widget's size (tests click there); null if not shown.
    QPointF samplePos(int path, graphs::Metric metric, std::size_t index) const;

    bool exportPng(const QString& file);
    bool exportSvg(const QString& file);
    bool exportCsv(const QString& file) const;

signals:
    void eventActivated(quint64 seq);
    void graphsChanged(); // an association appeared or gained a path
    void userRangeChanged(qint64 startNs, qint64 endNs);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Selected {
        int path = -1; // -1: none
        graphs::Metric metric = graphs::Metric::Cwnd;
        std::size_t index = 0;
    };
    struct Hit {
        quint64 seq = ~0ull;
        QString tip;
        Selected sample;
    };
    void render(QPainter& p, const QSize& size) const;
    void drawStrip(QPainter& p, const Strip& s, const graphs::PathGraph& g) const;
    void drawMarkers(QPainter& p, const std::vector<Strip>& strips, const QSize& size) const;
    void drawLegend(QPainter& p, const QRectF& area) const;
    Hit hitAt(const QPointF& pos) const;
    void zoom(double factor, double aroundX);
    void setRange(qint64 startNs, double nsPerPixel);
    void userRange();
    void changed();

    graphs::PathGraphModel m_model;
    int m_graph = -1;
    qint64 m_startNs = 0;
    double m_nsPerPx = 1e6;
    bool m_fitted = true;
    qint64 m_cursorNs = -1;
    Selected m_selected; // the clicked sample, ringed
    quint64 m_selectedSeq = ~0ull;
    QPoint m_pressPos;
    qint64 m_pressStart = 0;
    bool m_dragging = false;
};

} // namespace ladder::ui
