// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ladderbuilder.h"

#include <QAbstractScrollArea>

#include <memory>

namespace ladder::ui {

// A ladder (sequence) diagram: a column per endpoint, one row per message with time on the left,
// retransmissions in orange with their number, lost messages dashed and crossed. Only the rows in
// view are painted. Exports the whole diagram as PNG, SVG or plain text.
class LadderView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit LadderView(QWidget* parent = nullptr);

    void setDiagram(LadderDiagram diagram);
    // Shows a diagram a LadderBuilder keeps growing (no copy: the main window's ladder follows a
    // live run this way); call diagramGrew() after rows were added to it.
    void setLiveDiagram(std::shared_ptr<const LadderDiagram> diagram);
    void diagramGrew();
    const LadderDiagram& diagram() const { return *m_diagram; }
    void setTitle(const QString& title);

    bool exportPng(const QString& file) const;
    bool exportSvg(const QString& file) const;
    bool exportText(const QString& file) const;
    int rowAt(int y) const;

signals:
    void eventActivated(quint64 seq);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool viewportEvent(QEvent* event) override;

private:
    QSize contentSize() const;
    void paintRows(QPainter& p, int firstRow, int lastRow, int yOffset, int xOffset) const;
    void updateScrollBars();

    std::shared_ptr<const LadderDiagram> m_diagram = std::make_shared<const LadderDiagram>();
    QString m_title;
    int m_selectedRow = -1;
    static constexpr int kHeader = 44;
    static constexpr int kRow = 30;
    static constexpr int kTimeWidth = 96;
    static constexpr int kColumn = 220;
};

} // namespace ladder::ui
