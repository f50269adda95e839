// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "networkengine.h"
#include "networksctp.h"

#include <QJsonObject>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;

namespace ladder::ui {

class AuthBox;

// The Network panel (beside Lab): the SIP listeners of network mode, Start/Stop, the auto-answer
// rules, and the "Waiting for you" queue with the form to answer a request by hand. Listeners,
// rules and the TLS trust choice persist in QSettings ("network/…").
class NetworkPanel : public QWidget {
    Q_OBJECT
public:
    explicit NetworkPanel(QWidget* parent = nullptr);

    QList<ListenerSpec> listeners() const { return m_specs; }
    // Adds a listener from its text; false with *error (the parser's sentence, a duplicate, or the
    // user declining a non-loopback address).
    bool addListener(const QString& text, QString* error);
    void removeListener(int row);
    void setListeners(const QList<ListenerSpec>& specs); // replaces them (no question asked)
    AnswerRules rules() const;
    // What a session file records (listeners, rules, the challenge's methods and user, TLS trust;
    // never a password) and gives back. Restoring asks about each non-loopback listener the list
    // did not already hold (a file may come from anyone); declined ones are left out and said so.
    QJsonObject state() const;
    void restoreState(const QJsonObject& state);
    bool trustAnyCertificate() const;
    // "HOST:PORT" → the SHA-256 digest of the certificate trusted there (per-peer trust anyway).
    QHash<QString, QByteArray> trustedPeers() const { return m_trustedPeers; }
    // The "SCTP over UDP (RFC 6951)" group: persisted in the settings (network/sctp/…) and in
    // session files like the listeners.
    SctpEndpointSpec sctpSpec() const;
    void setSctpSpec(const SctpEndpointSpec& spec);

    // Asked before a non-loopback listener is added: return true to bind it. The default asks
    // with a message box; tests replace it.
    void setConfirmHook(std::function<bool(const QString& question)> hook) { m_confirm = std::move(hook); }

    // Widgets for tests and screenshots.
    QPushButton* startButton() const { return m_start; }
    QTableWidget* waitingTable() const { return m_waiting; }
    QComboBox* statusBox() const { return m_status; }
    QLineEdit* reasonEdit() const { return m_reason; }
    QPlainTextEdit* headersEdit() const { return m_headers; }
    QPlainTextEdit* bodyEdit() const { return m_body; }
    QPushButton* answerButton() const { return m_answer; }
    QLineEdit* listenerEdit() const { return m_newListener; }
    QListWidget* listenerList() const { return m_listenerList; }
    QComboBox* ruleBox(const QString& method) const;
    QLabel* resultLabel() const { return m_result; }
    QLabel* credentialsCheckLabel() const { return m_credentialsCheck; }
    QLabel* stateLabel() const { return m_state; }
    AuthBox* authBox() const { return m_auth; }
    QLineEdit* challengeMethodsEdit() const { return m_challengeMethods; }
    QLineEdit* challengeUserEdit() const { return m_challengeUser; }
    QLineEdit* challengePasswordEdit() const { return m_challengePassword; }
    QComboBox* challengeAlgorithmBox() const { return m_challengeAlgorithm; }
    QGroupBox* sctpGroup() const { return m_sctpGroup; }
    QLabel* tlsProblemLabel() const { return m_tlsProblem; }
    QPushButton* tlsTrustButton() const { return m_tlsTrust; }
    QPushButton* tlsForgetButton() const { return m_tlsForget; }
    QLineEdit* sctpHostEdit() const { return m_sctpHost; }
    QSpinBox* sctpLocalUdpBox() const { return m_sctpLocalUdp; }
    QSpinBox* sctpRemoteUdpBox() const { return m_sctpRemoteUdp; }
    QSpinBox* sctpPortBox() const { return m_sctpPort; }
    QComboBox* sctpStyleBox() const { return m_sctpStyle; }
    QCheckBox* sctpListenBox() const { return m_sctpListen; }
    QLineEdit* sctpPeerEdit() const { return m_sctpPeer; }
    QPushButton* sctpConnectButton() const { return m_sctpConnect; }
    QLabel* sctpStateLabel() const { return m_sctpState; }

public slots:
    void setRunning(bool running, const QStringList& bound, const QString& error);
    void addWaiting(const ladder::ui::WaitingRequest& request);
    void removeWaiting(quint64 transaction, const QString& how);
    void showResult(bool ok, const QString& errnoName, const QString& text);
    // The check of the credentials of a request resent after a 401/407 answered by hand.
    void showCredentialsCheck(quint64 transaction, bool ok, const QString& text);
    // A TLS/WSS peer's certificate was refused: shown with its reasons, and "Trust this certificate
    // for HOST:PORT" offered (its digest, kept in the settings under network/tlsTrust).
    void showTlsRefusal(const QString& peer, const QString& why, const QString& digestHex, const QString& subject);
    // One line about the SCTP endpoint (an association up or down, a connect's outcome).
    void showSctpEvent(const QString& text);

signals:
    void startRequested(const QList<ladder::ui::ListenerSpec>& listeners);
    void stopRequested();
    void rulesChanged(const ladder::ui::AnswerRules& rules);
    void trustChanged(bool trustAny);
    void answerRequested(const ladder::ui::ManualAnswer& answer);
    void sctpConnectRequested(const QString& peer);
    void trustedPeersChanged(const QHash<QString, QByteArray>& trusted);

private:
    void refreshListeners();
    void updateStartEnabled();
    void sctpEdited();
    void saveSettings() const;
    void selectionChanged();
    void tick();
    int rowOf(quint64 transaction) const;

    QList<ListenerSpec> m_specs;
    QHash<quint64, WaitingRequest> m_requests;
    bool m_running = false;
    bool m_transient = false; // the list shown is --listen's, not the saved one
    std::function<bool(const QString&)> m_confirm;

    QListWidget* m_listenerList;
    QLineEdit* m_newListener;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_start;
    QCheckBox* m_trustAny;
    QLabel* m_state;
    QHash<QString, QComboBox*> m_rules;
    QSpinBox* m_giveUp;
    QLineEdit* m_challengeMethods;
    QLineEdit* m_challengeUser;
    QLineEdit* m_challengePassword;
    QComboBox* m_challengeAlgorithm;
    QLabel* m_tlsProblem;
    QPushButton* m_tlsTrust;
    QPushButton* m_tlsForget;
    QHash<QString, QByteArray> m_trustedPeers;
    QString m_refusedPeer, m_refusedDigest;
    QGroupBox* m_sctpGroup;
    QLineEdit* m_sctpHost;
    QSpinBox* m_sctpLocalUdp;
    QSpinBox* m_sctpRemoteUdp;
    QSpinBox* m_sctpPort;
    QComboBox* m_sctpStyle;
    QCheckBox* m_sctpListen;
    QLineEdit* m_sctpPeer;
    QPushButton* m_sctpConnect;
    QLabel* m_sctpState;
    QString m_sctpHostAccepted; // the last local address the user agreed to (non-loopback asked)
    QTableWidget* m_waiting;
    QPlainTextEdit* m_request;
    QComboBox* m_status;
    QLineEdit* m_reason;
    QPlainTextEdit* m_headers;
    QPlainTextEdit* m_body;
    QPushButton* m_sdp;
    QPushButton* m_answer;
    QLabel* m_result;
    QLabel* m_credentialsCheck;
    QTimer* m_tick;
    AuthBox* m_auth;
};

} // namespace ladder::ui

Q_DECLARE_METATYPE(ladder::ui::AnswerRules)
Q_DECLARE_METATYPE(ladder::ui::ManualAnswer)
