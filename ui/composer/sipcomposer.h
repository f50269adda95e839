// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace ladder::ui {

class DialogModel;

// The SIP half of the composer: write a request by hand (from a template), watch it validate as
// you type, fill in branch/tag/Call-ID/CSeq/Content-Length, and send it with the flags of
// sip_sendmsg(3SIP). The send result shows the errno name and the reason when it fails.
class SipComposer : public QWidget {
    Q_OBJECT
public:
    explicit SipComposer(QWidget* parent = nullptr);

    static QStringList templateNames(); // INVITE, ACK, BYE, …
    static QString templateText(const QString& method);

    void setDialogModel(DialogModel* model);
    QPlainTextEdit* editor() const { return m_editor; }
    QString text() const;
    void setText(const QString& text);
    QString target() const;
    void setTarget(const QString& target);
    bool stateful() const;
    bool dialogOnFork() const;
    quint64 selectedDialog() const;
    QCheckBox* statefulBox() const { return m_stateful; }
    QCheckBox* forkBox() const { return m_onFork; }
    QComboBox* dialogBox() const { return m_dialog; } // "(no dialog)", then the newest dialogs
    QPushButton* sendButton() const { return m_send; }

    // The message as it goes on the wire: CRLF line ends, headers and body.
    static QByteArray wireBytes(const QString& editorText);
    // Replaces "auto" placeholders (branch=auto, tag=auto, Call-ID: auto, CSeq: auto,
    // Content-Length: auto) with fresh values; cseq is the number to use.
    static QString autoFill(const QString& editorText, quint32 cseq);
    // Re-validates now (normally debounced); returns the findings shown.
    QStringList validateNow();

    // The draft as JSON (text, target, flags) for session files and crash-safe drafts.
    QJsonObject state() const;
    void restoreState(const QJsonObject& state);

    // The library of saved messages: named messages with their target and flags, kept in the
    // user's settings (shared by every session) and offered next to the templates.
    QStringList libraryNames() const;
    void saveToLibrary(const QString& name);
    bool loadFromLibrary(const QString& name);
    void removeFromLibrary(const QString& name);
    QComboBox* sourceBox() const { return m_templates; }

    // Network mode: Send goes to the network stack (networkSendRequested) instead of the lab
    // (sendRequested); the target may be any udp|tcp|tls|ws|wss:HOST:PORT.
    void setNetworkMode(bool on);
    bool networkMode() const { return m_networkMode; }

    // The controller's answer to a send.
    void showResult(bool ok, const QString& errnoName, const QString& text, quint64 transaction);
    QString resultText() const;

signals:
    void sendRequested(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool dialogOnFork);
    void networkSendRequested(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool dialogOnFork);
    void textChanged();

private:
    void loadTemplate(const QString& method);
    void refreshSources();
    QJsonObject library() const;
    void setLibrary(const QJsonObject& library);

    QComboBox* m_templates;
    QPlainTextEdit* m_editor;
    QListWidget* m_findings;
    QLineEdit* m_target;
    QCheckBox* m_stateful;
    QCheckBox* m_onFork;
    QComboBox* m_dialog;
    static constexpr int kDialogsListed = 1000; // the newest dialogs in m_dialog (setDialogModel)
    int m_dialogsSeen = 0; // the dialog model's rows m_dialog has followed
    QPushButton* m_autoFill;
    QPushButton* m_saveLib;
    QPushButton* m_deleteLib;
    QPushButton* m_send;
    QLabel* m_result;
    QTimer* m_validate;
    DialogModel* m_dialogs = nullptr;
    quint32 m_nextCSeq = 1;
    bool m_networkMode = false;
};

} // namespace ladder::ui
