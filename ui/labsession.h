// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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

private:
    void remember(const QString& name, const lab::ScenarioParams& params);

    StackThread& m_stack;
    MainWindow& m_window;
    lab::LabController* m_controller = nullptr; // lives on the stack thread
    QString m_lastName; // the lesson last started, with what it was started with
    lab::ScenarioParams m_lastParams;
    QPointer<RunComparison> m_comparison;
};

} // namespace ladder::ui
