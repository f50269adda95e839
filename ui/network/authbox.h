// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "networkengine.h"

#include <QGroupBox>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ladder::ui {

class CredentialStore;

// The Network panel's "Digest credentials" box (RFC 3261 §22, RFC 7616): the account to answer
// 401/407 challenges with, where its password is kept (CredentialStore: keyring, or this session
// only), "answer challenges at once", and the latest challenge to a request of ours with
// Resend with credentials / Dismiss.
class AuthBox : public QGroupBox {
    Q_OBJECT
public:
    explicit AuthBox(QWidget* parent = nullptr);

    CredentialStore* store() const { return m_store; }
    QString user() const;
    QString password() const;
    bool answersAtOnce() const;
    // The challenge shown (0: none).
    quint64 shownChallenge() const { return m_challengeTx; }

    // Widgets for tests and screenshots.
    QLineEdit* userEdit() const { return m_user; }
    QLineEdit* passwordEdit() const { return m_password; }
    QCheckBox* atOnceBox() const { return m_atOnce; }
    QPushButton* resendButton() const { return m_resend; }
    QPushButton* dismissButton() const { return m_dismiss; }
    QLabel* challengeLabel() const { return m_challenge; }
    QLabel* storageLabel() const { return m_storage; }
    QLabel* outcomeLabel() const { return m_outcome; }

public slots:
    void showChallenge(const ladder::ui::ChallengeNotice& notice);
    void showOutcome(bool ok, const QString& text);

signals:
    void resendRequested(quint64 transaction, const QString& user, const QString& password);
    void dismissRequested(quint64 transaction);
    // The credentials that answer every challenge at once; an empty user turns that off.
    void autoCredentialsChanged(const QString& user, const QString& password);

private:
    void keep();
    void emitAuto();

    CredentialStore* m_store;
    QLineEdit* m_user;
    QLineEdit* m_password;
    QCheckBox* m_atOnce;
    QPushButton* m_save;
    QPushButton* m_forget;
    QLabel* m_storage;
    QWidget* m_challengeRow;
    QLabel* m_challenge;
    QPushButton* m_resend;
    QPushButton* m_dismiss;
    QLabel* m_outcome;
    quint64 m_challengeTx = 0;
};

} // namespace ladder::ui
