// SPDX-License-Identifier: GPL-3.0-or-later
#include "runcomparison.h"

#include "journal/journal.h"
#include "logmodel.h"
#include "timeline/timelineview.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {
    // Whether two events are the same happening in two runs: object ids and the kind-specific
    // numbers that carry them (connection ids) are numbered process-wide, so they are left out.
    bool sameHappening(const trace::Event& a, const trace::Event& b)
    {
        return a.timeNs == b.timeNs && a.kind == b.kind && a.dir == b.dir && a.from == b.from && a.to == b.to
            && a.text == b.text && a.raw == b.raw;
    }

    QString describe(const trace::Event& e)
    {
        QString what = QStringLiteral("%1 %2").arg(QLatin1String(trace::kindName(e.kind)), e.text).trimmed();
        if (what.size() > 110)
            what = what.left(109) + QChar(0x2026);
        // Text from the network: no control characters reach the label.
        for (QChar& c : what)
            if (c.category() == QChar::Other_Control)
                c = QChar(0xfffd);
        return what.toHtmlEscaped();
    }

    QString seconds(qint64 ns) { return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }
} // namespace

RunComparison::RunComparison(const QVector<trace::Event>& original, const QString& originalTitle,
    const QString& whatIfTitle, JournalFollower* follower, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_originalJournal(std::make_shared<trace::Journal>())
    , m_whatIfJournal(std::make_shared<trace::Journal>())
{
    setObjectName(QStringLiteral("runComparison"));
    setWindowTitle(tr("What-if — LadderLab"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto* box = new QVBoxLayout(this);
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("divergence"));
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    box->addWidget(m_header);
    auto* split = new QSplitter(Qt::Vertical, this);
    auto pane = [&](const QString& title, QLabel** label, TimelineView** view, const std::shared_ptr<trace::Journal>& j) {
        auto* w = new QWidget(split);
        auto* v = new QVBoxLayout(w);
        v->setContentsMargins(0, 0, 0, 0);
        *label = new QLabel(title, w);
        QFont f = (*label)->font();
        f.setBold(true);
        (*label)->setFont(f);
        v->addWidget(*label);
        *view = new TimelineView(w);
        (*view)->setJournal(j);
        v->addWidget(*view, 1);
        split->addWidget(w);
    };
    pane(originalTitle, &m_originalTitle, &m_original, m_originalJournal);
    pane(whatIfTitle, &m_whatIfTitle, &m_whatIf, m_whatIfJournal);
    m_original->setObjectName(QStringLiteral("originalTimeline"));
    m_whatIf->setObjectName(QStringLiteral("whatIfTimeline"));
    box->addWidget(split, 1);

    for (const trace::Event& e : original) {
        trace::Event copy = e;
        m_originalJournal->append(std::move(copy));
    }
    const QVector<trace::Event> stored = m_originalJournal->range(0, m_originalJournal->count());
    m_original->append(stored);
    for (const trace::Event& e : stored)
        if (e.kind != trace::Kind::Log)
            m_originalCompared.append(e);

    // One time axis: panning or zooming either moves both.
    auto sync = [this](TimelineView* from, TimelineView* to) {
        connect(from, &TimelineView::rangeChanged, this, [this, from, to] {
            if (m_syncing)
                return;
            m_syncing = true;
            to->setFollow(false);
            to->setRange(from->startNs(), from->nsPerPixel());
            m_syncing = false;
        });
    };
    sync(m_original, m_whatIf);
    sync(m_whatIf, m_original);

    if (follower) {
        connect(follower, &JournalFollower::eventsAppended, this, &RunComparison::appendWhatIf);
        connect(follower, &JournalFollower::reset, this, [this] {
            m_whatIfJournal = std::make_shared<trace::Journal>();
            m_whatIf->setJournal(m_whatIfJournal);
            m_whatIf->clear();
            m_whatIfCompared.clear();
            m_divergence = -1;
            showDivergence();
        });
    }
    showDivergence();
    resize(1100, 720);
    fitBoth();
}

RunComparison::~RunComparison() = default;

void RunComparison::appendWhatIf(const QVector<trace::Event>& events)
{
    const quint64 first = m_whatIfJournal->count();
    for (const trace::Event& e : events) {
        trace::Event copy = e;
        m_whatIfJournal->append(std::move(copy));
    }
    const QVector<trace::Event> stored = m_whatIfJournal->range(first, m_whatIfJournal->count() - first);
    m_whatIf->append(stored);
    if (m_divergence >= 0) {
        fitBoth();
        return; // parted already: nothing after that is compared
    }
    for (const trace::Event& e : stored) {
        if (e.kind == trace::Kind::Log)
            continue;
        const qsizetype i = m_whatIfCompared.size();
        m_whatIfCompared.append(e);
        if (i >= m_originalCompared.size() || !sameHappening(m_originalCompared.at(i), e)) {
            m_divergence = i;
            break;
        }
    }
    showDivergence();
}

QString RunComparison::divergenceText() const { return m_header->text(); }

void RunComparison::showDivergence()
{
    if (m_divergence < 0) {
        const qint64 upTo = m_whatIfCompared.isEmpty() ? 0 : m_whatIfCompared.last().timeNs;
        m_header->setText(m_whatIfCompared.isEmpty()
                ? tr("The re-run has not started yet.")
                : tr("<b>The same so far:</b> the re-run has done exactly what the original did, up to %1 (%2 of %3 events).")
                      .arg(seconds(upTo))
                      .arg(m_whatIfCompared.size())
                      .arg(m_originalCompared.size()));
        return;
    }
    const trace::Event& changed = m_whatIfCompared.at(m_divergence);
    const bool originalHasIt = m_divergence < m_originalCompared.size();
    const qint64 at = originalHasIt ? std::min(changed.timeNs, m_originalCompared.at(m_divergence).timeNs) : changed.timeNs;
    m_header->setText(tr("<b>The runs part at %1</b>, after %2 identical events.<br>Original: %3<br>What-if: %4")
                          .arg(seconds(at))
                          .arg(m_divergence)
                          .arg(originalHasIt ? describe(m_originalCompared.at(m_divergence)) : tr("(nothing more)"),
                              describe(changed)));
    // Both parting events selected, both runs in view on the shared axis.
    if (originalHasIt)
        m_original->selectSeq(m_originalCompared.at(m_divergence).seq);
    m_whatIf->selectSeq(changed.seq);
    fitBoth();
}

void RunComparison::fitBoth()
{
    qint64 end = 0;
    for (const QVector<trace::Event>* v : { &m_originalCompared, &m_whatIfCompared })
        if (!v->isEmpty())
            end = std::max(end, v->last().timeNs);
    if (end <= 0)
        return;
    const double width = std::max(1, m_original->plotRect().width());
    const double nsPerPixel = double(end) * 1.08 / width;
    m_syncing = true;
    for (TimelineView* v : { m_original, m_whatIf }) {
        v->setFollow(false);
        v->setRange(-qint64(double(end) * 0.03), nsPerPixel);
    }
    m_syncing = false;
}

void RunComparison::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    fitBoth(); // the plot's width is known now
}

} // namespace ladder::ui
