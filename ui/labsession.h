// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

namespace ladder {
class StackThread;
namespace lab {
    class LabController;
}
}

namespace ladder::ui {

class MainWindow;

// Joins the window (UI thread) to the lab controller (stack thread): commands go down as queued
// calls, live snapshots and results come back as queued signals. Nothing is shared but the journal.
class LabSession : public QObject {
    Q_OBJECT
public:
    LabSession(StackThread& stack, MainWindow& window, QObject* parent = nullptr);
    ~LabSession() override;

    // Starts a scenario as if the user had pressed Start.
    void start(const QString& scenario);

private:
    StackThread& m_stack;
    MainWindow& m_window;
    lab::LabController* m_controller = nullptr; // lives on the stack thread
};

} // namespace ladder::ui
