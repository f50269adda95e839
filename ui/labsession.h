// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/quiz.h"
#include "lab/scenario.h"

#include <QObject>
#include <QPointer>

namespace ladder {
class StackThread;
namespace lab {
    class LabController;
}
}

namespace ladder::ui {

class MainWindow;
class RunComparison;

// Joins the window (UI thread) to the lab controller (stack thread): commands go down as queued
// calls, live snapshots and results come back as queued signals. Nothing is shared but the journal.
class LabSession : public QObject {
    Q_OBJECT
public:
    LabSession(StackThread& stack, MainWindow& window, QObject* parent = nullptr);
    ~LabSession() override;

    // Starts a scenario as if the user had pressed Start.
    void start(const QString& scenario);
    // Re-runs the last lesson to timeNs and pauses there (the Lab panel's Re-run from Here), with
    // the panel's fault rules, its loss and delay applied from timeNs; a window compares the re-run
    // with the run as it was.
    void rerunTo(qint64 timeNs);
    RunComparison* comparison() const;
    // The quiz's answers so far, and the CSV a teacher gets (lab::quizCsv).
    const QList<lab::QuizAnswer>& quizAnswers() const { return m_quizAnswers; }

private:
    void remember(const QString& name, const lab::ScenarioParams& params);
    void paused(qint64 seq);

    StackThread& m_stack;
    MainWindow& m_window;
    lab::LabController* m_controller = nullptr; // lives on the stack thread
    QString m_lastName; // the lesson last started, with what it was started with
    lab::ScenarioParams m_lastParams;
    QPointer<RunComparison> m_comparison;
    // The quiz: the last snapshot (the choices come from it), the question being checked.
    sip::StackSnapshot m_lastSnapshot;
    QList<sctp::AssociationInfo> m_lastAssociations;
    QList<lab::Prediction> m_quizChoices;
    qint64 m_quizPausedSeq = -1; // the event the question was asked at (-1: none)
    qint64 m_quizAskedSeq = -1;
    int m_quizChosen = -1; // >= 0: stepping to the event that checks it
    int m_quizWhen = 0; // lab::whenChoices() index
    int m_quizSteps = 0;
    qint64 m_quizAskedNs = 0;
    QList<lab::QuizAnswer> m_quizAnswers;
};

} // namespace ladder::ui
