// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/controller.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace ladder::ui {

class AssociationModel;

// The SCTP half of the composer: sctp_sendmsg(3) with every argument and flag — association or
// address, payload as text, hex or a file, stream, PPID, context, SCTP_EOF/ABORT/UNORDERED/
// ADDR_OVER/SENDALL/SACK_IMMEDIATELY, a PR-SCTP policy with its value, and bursts.
class SctpComposer : public QWidget {
    Q_OBJECT
public:
    explicit SctpComposer(QWidget* parent = nullptr);

    void setAssociationModel(AssociationModel* model);
    // Builds the request from the form; on bad input returns false with *error saying what to fix.
    bool request(lab::SctpComposerRequest* out, QString* error) const;
    void showResult(bool ok, const QString& errnoName, const QString& text);
    // The form as JSON for session files and crash-safe drafts.
    QJsonObject state() const;
    void restoreState(const QJsonObject& state);
    // Network mode with an SCTP endpoint: Send goes to it (networkSendRequested), not to the lab.
    void setNetworkMode(bool on);
    bool networkMode() const { return m_network; }
    // While a burst runs the Send button becomes Stop.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    QString resultText() const;

    // Test hooks: the form's fields.
    QPlainTextEdit* payloadEdit() const { return m_payload; }
    QComboBox* payloadMode() const { return m_mode; }
    QComboBox* policy() const { return m_policy; }
    QSpinBox* policyValue() const { return m_policyValue; }
    QSpinBox* repeat() const { return m_repeat; }
    QCheckBox* flag(quint32 value) const;
    QLineEdit* toEdit() const { return m_to; }
    QPushButton* sendButton() const { return m_send; }

    // "48 65 6c 6c 6f", "48656c6c6f", "0x48,0x65": whitespace, commas and 0x prefixes allowed.
    static bool parseHex(const QString& text, QByteArray* out);

signals:
    void sendRequested(const ladder::lab::SctpComposerRequest& request);
    void networkSendRequested(const ladder::lab::SctpComposerRequest& request);
    void stopRequested();

private:
    void updatePolicyUnit();

    QComboBox* m_association;
    QLineEdit* m_to;
    QComboBox* m_mode;
    QPlainTextEdit* m_payload;
    QLineEdit* m_file;
    QSpinBox* m_stream;
    QLineEdit* m_ppid;
    QLineEdit* m_context;
    QList<QCheckBox*> m_flags;
    QComboBox* m_addrOver;
    QComboBox* m_policy;
    QStringList m_listedAssociations, m_listedPaths; // what the pickers list now
    QSpinBox* m_policyValue;
    QLabel* m_policyUnit;
    QSpinBox* m_repeat;
    QSpinBox* m_interval;
    QPushButton* m_send;
    QLabel* m_result;
    AssociationModel* m_associations = nullptr;
    bool m_busy = false;
    bool m_network = false;
};

} // namespace ladder::ui

Q_DECLARE_METATYPE(ladder::lab::SctpComposerRequest)
