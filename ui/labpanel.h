// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/scenario.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTextBrowser;

namespace ladder::ui {

// The Lab panel: pick a scenario, read its lesson, start and stop it, and turn the links' loss
// and delay while it runs.
class LabPanel : public QWidget {
    Q_OBJECT
public:
    explicit LabPanel(QWidget* parent = nullptr);

    QString selectedScenario() const;
    void selectScenario(const QString& name);
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

signals:
    void startRequested(const QString& name, const ladder::lab::ScenarioParams& params);
    void stopRequested();
    void linkConditionsChanged(double lossPct, qint64 delayMs);
    // 0: the stacks' default (500 ms).
    void sipT1Changed(qint64 t1Ms);
    // A multi-homed scenario's path: failed (down) or repaired.
    void pathUpChanged(int path, bool up);

private:
    void showLesson();
    void showPaths(const QStringList& names, bool running);

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
};

} // namespace ladder::ui
