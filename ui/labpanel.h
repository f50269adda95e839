// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/scenario.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTextBrowser;

namespace ladder::ui {

// The Lab panel: pick a scenario, read its lesson, start and stop it, turn the links' loss and
// delay while it runs, and drive its virtual clock — Play/Pause (F5), Step (F11), Step over the
// selected transaction or association (F10), the speed, and breakpoints on protocol meaning.
class LabPanel : public QWidget {
    Q_OBJECT
public:
    explicit LabPanel(QWidget* parent = nullptr);

    QString selectedScenario() const;
    void selectScenario(const QString& name);
    // Adds a lesson by name or file path (lab::createScenario resolves it) to the list unless it is
    // there, and selects it; false and *error when it does not load.
    bool addLesson(const QString& nameOrPath, QString* error);
    lab::ScenarioParams params() const;
    QSpinBox* t1Box() const { return m_t1; }
    // "Fail 127.0.0.1"… — checkable, shown for multi-homed scenarios, enabled while they run.
    const QList<QPushButton*>& pathButtons() const { return m_pathButtons; }
    // Scenario, seed, loss, delay and T1 as JSON (the lab configuration of a session file).
    QJsonObject state() const;
    void restoreState(const QJsonObject& state);
    // The controller reports back.
    void setRunning(const QString& name);
    void setFinished(const QString& name, bool ok, const QString& failure, const QStringList& findings);
    // The run's clock (LabController::clockChanged) and where it stopped (pausedAt).
    void setClock(bool virtualTime, bool playing, double speed, qint64 nowNs);
    void setPausedAt(qint64 seq, int breakpoint, const QString& why);
    // The breakpoints as typed, one per line (checked: the bad ones are refused with the reason).
    QStringList breakpoints() const;
    void setBreakpoints(const QStringList& rules);
    // Fault rules (docs/FAULTS.md), one per line, applied from the next start (Restart re-runs the
    // same seed with them: the run diverges exactly at the fault). params() carries them.
    QStringList faultRules() const;
    void setFaultRules(const QStringList& rules);
    // The speed chosen: 0 = as fast as possible.
    double speed() const;
    QPushButton* playButton() const { return m_play; }
    QPushButton* stepButton() const { return m_step; }
    QPushButton* stepOverButton() const { return m_stepOver; }
    QComboBox* speedBox() const { return m_speed; }
    QLabel* clockLabel() const { return m_clock; }
    // The views show the state as of timeNs (the timeline's cursor); -1: live.
    void setRewound(qint64 timeNs);
    qint64 rewoundTime() const { return m_rewoundNs; }
    // The classroom quiz: on, at each pause the student picks what happens next from choices.
    bool quizMode() const;
    void setQuizChoices(const QStringList& choices); // empty: nothing to ask now
    int quizWhen() const; // the "Roughly when?" answer: a lab::whenChoices() index, 0 not said
    void setQuizResult(const QString& verdict, int right, int asked);
signals:
    void startRequested(const QString& name, const ladder::lab::ScenarioParams& params);
    void stopRequested();
    void linkConditionsChanged(double lossPct, qint64 delayMs);
    // 0: the stacks' default (500 ms).
    void sipT1Changed(qint64 t1Ms);
    // A multi-homed scenario's path: failed (down) or repaired.
    void pathUpChanged(int path, bool up);
    // Step pressed before a run: start it with the clock stopped at 0, then step.
    void startPausedRequested(const QString& name, const ladder::lab::ScenarioParams& params);
    void playRequested();
    void pauseRequested();
    void stepRequested();
    void stepOverRequested();
    void speedChanged(double speed);
    // Valid rules only (breakpointError() says what is wrong with the others).
    void breakpointsChanged(const QStringList& rules);
    void backToLiveRequested();
    // Re-run the lesson (same seed) to the instant shown and pause there, the fault rules of the
    // box applied, the loss and delay of the sliders applied from there.
    void rerunRequested(qint64 timeNs);
    // The student's prediction (an index into the choices): the lab steps to the next event and checks it.
    void quizAnswered(int choice);
    void quizExportRequested();

private:
    void showLesson();
    // A lesson file's defaults (loss, delay) on the sliders, before a run; none: "default" (-1).
    void showLessonDefaults(const lab::Scenario& scenario);
    void updateSliderLabels();
    void showPaths(const QStringList& names, bool running);
    void checkBreakpoints();
    bool checkFaults(); // false: a rule does not parse (the error shows)
    bool readyToStart(); // a scenario chosen, typed breakpoints applied, fault rules good

    QComboBox* m_scenarios;
    QTextBrowser* m_lesson;
    QSpinBox* m_seed;
    QSpinBox* m_t1;
    QSlider* m_loss;
    QSlider* m_delay;
    QLabel* m_lossLabel;
    QLabel* m_delayLabel;
    QPushButton* m_start;
    QPushButton* m_stop;
    QLabel* m_status;
    QWidget* m_paths;
    QFormLayout* m_form; // the settings; its Paths row shows only for multi-homed lessons
    QList<QPushButton*> m_pathButtons;
    QTimer* m_sliderDebounce;
    // Where the chosen lesson's defaults put the sliders (-1: it gives none), and its exact loss.
    // A slider left there starts runs with -1, "the lesson's default", so that a declarative
    // lesson's links keep their own values (docs/LESSONS.md).
    int m_lessonLoss = -1, m_lessonDelay = -1;
    double m_lessonLossPct = -1;
    QPushButton* m_play;
    QPushButton* m_step;
    QPushButton* m_stepOver;
    QComboBox* m_speed;
    QLabel* m_clock;
    QPlainTextEdit* m_breaks;
    QLabel* m_breakError;
    QPlainTextEdit* m_faults;
    QLabel* m_faultError;
    QWidget* m_rewindRow;
    QLabel* m_rewindLabel;
    qint64 m_rewoundNs = -1;
    QCheckBox* m_quizMode;
    QWidget* m_quizRow;
    QComboBox* m_quizChoices;
    QComboBox* m_quizWhen;
    QPushButton* m_quizAnswer;
    QLabel* m_quizResult;
    QString m_quizVerdict; // the last answer's verdict and the score, shown above the next question
    QStringList m_appliedBreaks;
    bool m_virtual = false;
    bool m_playing = false;
};

} // namespace ladder::ui
