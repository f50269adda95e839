// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "listenerspec.h"
#include "sip/transaction/timers.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>

class QDockWidget;

namespace ladder {
class StackThread;
}

namespace ladder::ui {

class MainWindow;
class NetworkEngine;
class NetworkPanel;
class NetworkSctp;

// Network mode in the window: the Network panel (a dock tabbed with Lab) joined to a NetworkEngine
// on the stack thread, as LabSession joins the Lab panel to the lab controller. Starting it stops
// the lab; the engine's SIP stack journals into the window's journal, so the timeline, ladder and
// calls show its traffic, and its snapshots feed the transactions and dialogs views. While it
// runs the SIP composer sends through it, and the status bar says "Network".
class NetworkSession : public QObject {
    Q_OBJECT
public:
    NetworkSession(StackThread& stack, MainWindow& window, QObject* parent = nullptr);
    ~NetworkSession() override;

    NetworkPanel* panel() const { return m_panel; }
    QDockWidget* dock() const { return m_dock; }
    bool running() const { return m_running; }
    bool sctpRunning() const { return m_sctpRunning; }
    // Starts network mode on these listeners and, when the panel's "SCTP over UDP" group is ticked,
    // its SCTP endpoint (the lab stops); false with *error, nothing bound.
    bool start(const QList<ListenerSpec>& listeners, QString* error);
    void stop();
    // The addresses as bound (ports resolved), "udp:127.0.0.1:15070".
    QStringList bound() const { return m_bound; }

    // What the dialogs view's context menu does: a request inside dialog `dialog` (BYE, INVITE
    // for a re-INVITE, UPDATE, INFO) or the CANCEL of INVITE client transaction `transaction`;
    // the outcome goes to the status bar and to inDialogResult.
    void sendInDialog(quint64 dialog, const QString& method);
    // For tests: the DNS server SIP URI targets are resolved with (RFC 3263); the system's when null.
    void setDnsServer(const QHostAddress& server) { m_dnsServer = server; }
    // For tests: the SIP timers (T1, T2, T4) of the next start; RFC 3261's until set.
    void setSipTimers(const sip::TimerConfig& timers);
    void cancelInvite(quint64 transaction);

signals:
    void runningChanged(bool running);
    void inDialogResult(const QString& method, bool ok, const QString& text);

private:
    void addDialogActions();

    StackThread& m_stack;
    MainWindow& m_window;
    NetworkPanel* m_panel = nullptr;
    QDockWidget* m_dock = nullptr;
    NetworkEngine* m_engine = nullptr; // lives on the stack thread
    NetworkSctp* m_sctp = nullptr; // the SCTP endpoint, on the stack thread too
    bool m_sctpRunning = false;
    bool m_running = false;
    QStringList m_bound;
    QHostAddress m_dnsServer;
};

} // namespace ladder::ui
