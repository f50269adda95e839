// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/live/livecapture.h"
#include "sctp/snapshot.h"
#include "sip/snapshot.h"

#include <QDialog>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ladder {
class StackThread;
namespace trace::hep {
    class Exporter;
}
}

namespace ladder::ui {

class MainWindow;

// File ▸ Capture…: the device (what libpcap lists, "any" and "lo" included), a BPF filter (SIP's
// ports, SCTP and SCTP over UDP by default), promiscuous mode, and a pcapng file the frames are
// also written to, as captured.
class CaptureDialog : public QDialog {
    Q_OBJECT
public:
    explicit CaptureDialog(QWidget* parent = nullptr);
    void setOptions(const trace::LiveCaptureOptions& options);
    trace::LiveCaptureOptions options() const;
    // An SSLKEYLOGFILE: SIP over TLS 1.2/1.3 whose secrets it holds is decrypted (empty: not).
    QString tlsKeyLogFile() const;
    void setTlsKeyLogFile(const QString& path);

private:
    QComboBox* m_device = nullptr;
    QLineEdit* m_filter = nullptr;
    QCheckBox* m_promiscuous = nullptr;
    QLineEdit* m_pcapng = nullptr;
    QLineEdit* m_tlsKeyLog = nullptr;
    QLabel* m_devicesError = nullptr;
};

// A live capture in the window: libpcap's descriptor is read on the stack thread's event loop
// (trace::LiveCapture), each frame goes through the capture pipeline (decoding, reassembly,
// reconstruction) into the journal, and the transactions, dialogs and associations the
// reconstruction infers are published to the views four times a second. The status bar names the
// device and counts frames, events, frames nothing was decoded from and the kernel's drops; drops,
// decoder warnings and a device that goes away are also logged. The lab stops while capturing.
class CaptureSession : public QObject {
    Q_OBJECT
public:
    CaptureSession(StackThread& stack, MainWindow& window, QObject* parent = nullptr);
    ~CaptureSession() override;

    // Starts capturing (stopping the lab and a capture already running); false with *error
    // (libpcap's words: a bad filter, no permission and the setcap command) when it cannot.
    bool start(const trace::LiveCaptureOptions& options, QString* error);
    void stop();
    bool running() const { return m_running; }
    // Asks for the options, then starts; a failure is shown in a message box.
    void showDialog();

    // Mirrors every SIP message the journal gets from now on — the lab's, a capture's, a file's
    // — to a HEP collector as HEPv3 (hep::Exporter on the stack thread, fed by the journal's
    // append hook). target: "udp:HOST:PORT" or "tcp:HOST:PORT". False with *error for a bad one.
    bool startMirror(const QString& target, QString* error);
    void stopMirror();
    bool mirroring() const { return m_mirror != nullptr; }
    // Sent, dropped and the last error so far (read on the stack thread).
    QString mirrorSummary() const;

    struct Figures {
        quint64 frames = 0, events = 0, ignored = 0, kernelDrops = 0, interfaceDrops = 0;
        bool dropsKnown = false;
        quint64 transactions = 0, dialogs = 0, associations = 0;
    };
    Figures figures() const { return m_figures; }

signals:
    void runningChanged(bool running);
    // After each publication to the views.
    void refreshed();

private:
    struct Live; // lives on the stack thread
    struct Collected {
        sip::StackSnapshot snapshot;
        QList<sctp::AssociationInfo> associations;
        Figures figures;
    };
    static Collected collect(Live* live);
    void refresh();
    void show(const Collected& c, bool final);
    void ended(const QString& reason);

    StackThread& m_stack;
    MainWindow& m_window;
    Live* m_live = nullptr; // created and deleted on the stack thread
    QTimer m_refresh;
    bool m_running = false;
    bool m_refreshPending = false;
    quint64 m_generation = 0;
    trace::LiveCaptureOptions m_last;
    // The dialog's TLS key log (setting capture/tlsKeyLog, which opening a capture file uses too).
    QString m_tlsKeyLog;
    Figures m_figures;
    QLabel* m_status = nullptr;
    QPushButton* m_stopButton = nullptr;
    QAction* m_startAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_mirrorAction = nullptr;
    trace::hep::Exporter* m_mirror = nullptr; // lives on the stack thread
    struct MirrorGate {
        QMutex mutex;
        trace::hep::Exporter* exporter = nullptr;
    };
    std::shared_ptr<MirrorGate> m_mirrorGate;
};

} // namespace ladder::ui
