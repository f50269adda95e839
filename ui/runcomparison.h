// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QVector>
#include <QWidget>

#include <memory>

class QLabel;

namespace ladder::trace {
class Journal;
}

namespace ladder::ui {

class JournalFollower;
class TimelineView;

// The lab's what-if, beside the original: two timelines on one time axis — the run as it was
// before a re-run (a copy of its journal) above, the re-run live below — and a line that says
// where they part: the first event (not a log line) that differs, at which instant, in each run.
// The run is deterministic, so everything before that instant is the same in both; the two
// events there are selected and brought into view.
class RunComparison : public QWidget {
    Q_OBJECT
public:
    RunComparison(const QVector<trace::Event>& original, const QString& originalTitle, const QString& whatIfTitle,
        JournalFollower* follower, QWidget* parent = nullptr);
    ~RunComparison() override;

    // Where the runs part: the index among compared events, -1 while the re-run still agrees.
    qsizetype divergence() const { return m_divergence; }
    QString divergenceText() const;
    TimelineView* originalView() const { return m_original; }
    TimelineView* whatIfView() const { return m_whatIf; }

private:
    void appendWhatIf(const QVector<trace::Event>& events);
    void showDivergence();
    // Both timelines over both runs, from 0 to the later end.
    void fitBoth();

protected:
    void showEvent(QShowEvent* event) override;

private:

    std::shared_ptr<trace::Journal> m_originalJournal;
    std::shared_ptr<trace::Journal> m_whatIfJournal; // the re-run's events as they come
    QVector<trace::Event> m_originalCompared; // the original's events that compare (not log lines)
    QVector<trace::Event> m_whatIfCompared;
    qsizetype m_divergence = -1;
    bool m_syncing = false;
    QLabel* m_header;
    QLabel* m_originalTitle;
    QLabel* m_whatIfTitle;
    TimelineView* m_original;
    TimelineView* m_whatIf;
};

} // namespace ladder::ui
