// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "networkengine.h"

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ladder::ui {

class CredentialStore;

// The Network panel's "Digest credentials" box (RFC 3261 §22, RFC 7616): the accounts to answer
// 401/407 challenges with, one per realm, where each password is kept (CredentialStore: keyring,
// or this session only), "answer challenges at once" (with the account of the challenge's realm;
// a realm without one is asked about), and the latest challenge to a request of ours with Resend
// with credentials / Dismiss. Showing a challenge puts its realm in the Realm field and fills in
// that realm's account, or clears the fields and says no account is kept for it.
class AuthBox : public QGroupBox {
    Q_OBJECT
public:
    explicit AuthBox(QWidget* parent = nullptr);

    CredentialStore* store() const { return m_store; }
    QString realm() const;
    QString user() const;
    QString password() const;
    bool answersAtOnce() const;
    // The challenge shown (0: none).
    quint64 shownChallenge() const { return m_challengeTx; }

    // Widgets for tests and screenshots.
    QComboBox* realmBox() const { return m_realm; }
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
    // The accounts that answer challenges at once, realm → (user, password): the kept ones and the
    // one typed in the box; empty when "Answer challenges at once" is off.
    void autoAccountsChanged(const QHash<QString, QPair<QString, QString>>& accounts);

private:
    void keep();
    void emitAuto();
    // Fills the user and password of `realm`'s kept account (or clears them) and its status line.
    void showRealm(const QString& realm);
    void refreshRealms();

    CredentialStore* m_store;
    QComboBox* m_realm;
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
