// SPDX-License-Identifier: GPL-3.0-or-later
// GraphsPane (declared in tsngraphview.h, where the views that show it look for it).
#include "pathgraphview.h"
#include "tsngraphview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QStackedWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace ladder::ui {

GraphsPane::GraphsPane(QWidget* parent)
    : QWidget(parent)
{
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(0);
    auto* bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("graphsBar"));
    m_view = new TsnGraphView(this);
    m_view->setObjectName(QStringLiteral("tsnGraph"));
    m_paths = new PathGraphView(this);
    m_paths->setObjectName(QStringLiteral("pathGraph"));
    m_kind = new QComboBox(bar);
    m_kind->setObjectName(QStringLiteral("graphKind"));
    m_kind->addItem(tr("TSN graph"), int(Graph::Tsn));
    m_kind->addItem(tr("Paths: cwnd, flight, ssthresh, RTO, SRTT"), int(Graph::Paths));
    m_kind->setToolTip(tr("The TSNs of one association and direction over time, or the congestion window, flight "
                          "size, RTO and SRTT of each of an association's paths"));
    bar->addWidget(m_kind);
    bar->addWidget(new QLabel(tr(" of "), bar));
    m_flows = new QComboBox(bar);
    m_flows->setObjectName(QStringLiteral("graphFlow"));
    m_flows->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_flows->setToolTip(tr("Association and direction: \"sent\" is the DATA that association sends and the SACKs it "
                           "gets back; \"received\" the DATA it receives and the SACKs it sends"));
    m_flowsAction = bar->addWidget(m_flows);
    m_associations = new QComboBox(bar);
    m_associations->setObjectName(QStringLiteral("graphAssociation"));
    m_associations->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_associations->setToolTip(tr("The association whose paths are drawn"));
    m_associationsAction = bar->addWidget(m_associations);
    m_associationsAction->setVisible(false);
    bar->addSeparator();
    bar->addAction(tr("Fit All"), this, [this] {
        if (graph() == Graph::Paths)
            m_paths->fitAll();
        else
            m_view->fitAll();
    })->setToolTip(tr("Show every point (Home)"));
    m_link = bar->addAction(tr("Timeline's Range"));
    m_link->setObjectName(QStringLiteral("graphLinkTimeline"));
    m_link->setCheckable(true);
    m_link->setToolTip(tr("Zoom and pan together with the timeline: the graph shows the timeline's time range, and "
                          "zooming or panning here moves the timeline"));
    bar->addAction(tr("Export PNG…"), this, [this] { exportAs(QStringLiteral("png")); });
    bar->addAction(tr("Export SVG…"), this, [this] { exportAs(QStringLiteral("svg")); });
    bar->addAction(tr("Export CSV…"), this, [this] { exportAs(QStringLiteral("csv")); })
        ->setToolTip(tr("The data points. TSN graph: time_s,kind,tsn_rel,tsn,stream,detail; paths: "
                        "time_s,association,path,series,value,seq"));
    box->addWidget(bar);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_paths);
    box->addWidget(m_stack, 1);
    connect(m_view, &TsnGraphView::eventActivated, this, &GraphsPane::eventActivated);
    connect(m_paths, &PathGraphView::eventActivated, this, &GraphsPane::eventActivated);
    connect(m_view, &TsnGraphView::flowsChanged, this, &GraphsPane::refreshFlows);
    connect(m_paths, &PathGraphView::graphsChanged, this, &GraphsPane::refreshAssociations);
    connect(m_view, &TsnGraphView::cursorTimeChanged, m_paths, &PathGraphView::setCursorTime);
    // An event selected anywhere (MainWindow::inspect selects it on the TSN graph) is ringed here too.
    connect(m_view, &TsnGraphView::selectedSeqChanged, m_paths, &PathGraphView::selectSeq);
    // Linked to the timeline, the two graphs show the same range; otherwise each keeps its own.
    connect(m_view, &TsnGraphView::userRangeChanged, m_paths, [this](qint64 startNs, qint64 endNs) {
        if (linkedToTimeline())
            m_paths->setTimeRange(startNs, endNs);
    });
    connect(m_paths, &PathGraphView::userRangeChanged, m_view, [this](qint64 startNs, qint64 endNs) {
        if (linkedToTimeline())
            m_view->setTimeRange(startNs, endNs);
    });
    connect(m_flows, &QComboBox::activated, this, [this](int row) {
        m_userChose = true;
        m_view->setFlow(m_flows->itemData(row).toInt());
    });
    connect(m_associations, &QComboBox::activated, this, [this](int row) {
        m_userChosePaths = true;
        m_paths->setGraph(m_associations->itemData(row).toInt());
    });
    connect(m_kind, &QComboBox::activated, this, [this](int row) { showGraph(Graph(m_kind->itemData(row).toInt())); });
}

void GraphsPane::showGraph(Graph graph)
{
    m_kind->setCurrentIndex(m_kind->findData(int(graph)));
    m_stack->setCurrentWidget(graph == Graph::Paths ? static_cast<QWidget*>(m_paths) : m_view);
    m_flowsAction->setVisible(graph == Graph::Tsn);
    m_associationsAction->setVisible(graph == Graph::Paths);
    if (graph == Graph::Paths && linkedToTimeline())
        m_paths->setTimeRange(m_view->startNs(), m_view->startNs() + qint64(m_view->viewport(m_view->size()).plot.width() * m_view->nsPerPixel()));
}

GraphsPane::Graph GraphsPane::graph() const
{
    return m_stack->currentWidget() == m_paths ? Graph::Paths : Graph::Tsn;
}

void GraphsPane::addSnapshots(const QList<sctp::AssociationInfo>& associations)
{
    m_paths->addSnapshots(associations);
}

void GraphsPane::refreshAssociations()
{
    const auto& graphs = m_paths->model().graphs();
    const int shown = m_userChosePaths && m_paths->graph() >= 0 ? m_paths->graph() : m_paths->model().busiestGraph();
    QSignalBlocker block(m_associations);
    m_associations->clear();
    for (int i = 0; i < int(graphs.size()); ++i)
        if (!graphs[std::size_t(i)].paths.empty())
            m_associations->addItem(graphs[std::size_t(i)].title(), i);
    m_associations->setCurrentIndex(m_associations->findData(shown));
    if (shown != m_paths->graph())
        m_paths->setGraph(shown);
}

void GraphsPane::append(const QVector<trace::Event>& events)
{
    m_view->append(events);
    m_paths->append(events);
    refreshTitles();
}

void GraphsPane::refreshTitles()
{
    // The counts in the titles grow with every batch; a flow that starts sending joins the list.
    const auto& flows = m_view->model().flows();
    int listed = 0;
    for (int i = 0; i < int(flows.size()); ++i)
        listed += flows[std::size_t(i)].dataCount > 0 || i == m_view->flow();
    if (listed != m_flows->count()) {
        refreshFlows();
        return;
    }
    for (int row = 0; row < m_flows->count(); ++row) {
        const int i = m_flows->itemData(row).toInt();
        if (i < 0 || i >= int(flows.size()))
            continue;
        const QString title = flows[std::size_t(i)].title();
        if (m_flows->itemText(row) != title)
            m_flows->setItemText(row, title);
    }
}

void GraphsPane::clear()
{
    m_userChose = false;
    m_userChosePaths = false;
    m_view->clear();
    m_paths->clear();
}

void GraphsPane::refreshFlows()
{
    const auto& flows = m_view->model().flows();
    const int shown = m_userChose ? m_view->flow() : m_view->model().busiestFlow();
    QSignalBlocker block(m_flows);
    m_flows->clear();
    for (int i = 0; i < int(flows.size()); ++i)
        if (flows[std::size_t(i)].dataCount > 0 || i == shown)
            m_flows->addItem(flows[std::size_t(i)].title(), i);
    m_flows->setCurrentIndex(m_flows->findData(shown));
    if (shown != m_view->flow())
        m_view->setFlow(shown);
}

bool GraphsPane::linkedToTimeline() const
{
    return m_link->isChecked();
}

bool GraphsPane::showAssociation(quint64 association)
{
    const auto& model = m_view->model();
    int flow = model.flowIndex(association, trace::Dir::Tx);
    if (flow < 0 || model.flows()[std::size_t(flow)].dataCount == 0)
        flow = model.flowIndex(association, trace::Dir::Rx);
    if (flow < 0)
        return false;
    m_userChose = true;
    m_view->setFlow(flow);
    refreshFlows();
    if (const int g = m_paths->model().graphIndex(association); g >= 0) {
        m_userChosePaths = true;
        m_paths->setGraph(g);
        refreshAssociations();
    }
    return true;
}

void GraphsPane::exportAs(const QString& format)
{
    const bool paths = graph() == Graph::Paths;
    const QString title = paths ? tr("Export Path Graph") : tr("Export TSN Graph");
    const QString filter = format == QLatin1String("png") ? tr("PNG image (*.png)")
        : format == QLatin1String("svg")                  ? tr("SVG drawing (*.svg)")
                                                          : tr("CSV (*.csv)");
    const QString file = QFileDialog::getSaveFileName(this, title,
        (paths ? QStringLiteral("path-graph.") : QStringLiteral("tsn-graph.")) + format, filter);
    if (file.isEmpty())
        return;
    bool ok = false;
    if (format == QLatin1String("png"))
        ok = paths ? m_paths->exportPng(file) : m_view->exportPng(file);
    else if (format == QLatin1String("svg"))
        ok = paths ? m_paths->exportSvg(file) : m_view->exportSvg(file);
    else
        ok = paths ? m_paths->exportCsv(file) : m_view->exportCsv(file);
    if (!ok)
        QMessageBox::warning(this, title, tr("Could not write %1.").arg(file));
}

} // namespace ladder::ui
