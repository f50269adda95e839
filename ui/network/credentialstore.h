// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QString>

namespace ladder::ui {

// The account network mode answers digest challenges with (RFC 3261 §22). The user name is kept
// in QSettings (network/auth/user); the password never is: it goes to the desktop's keyring
// through QtKeychain (service "<application name>", key "sip-digest:USER"). Where no keyring
// answers (no Secret Service or KWallet on the session bus, a headless machine), the password
// stays in this object for the session only and where() / status() say so, with the keyring's
// own reason. Keyring calls are asynchronous: stored() and loaded() report them.
class CredentialStore : public QObject {
    Q_OBJECT
public:
    enum class Where { Nowhere, Keyring, SessionOnly };

    explicit CredentialStore(QObject* parent = nullptr);

    QString user() const { return m_user; }
    QString password() const { return m_password; }
    Where where() const { return m_where; }
    // One sentence for the panel: where the password is, and why when not in a keyring.
    QString status() const { return m_status; }

    // The saved user name from the settings, then its password from the keyring (loaded()).
    void load();
    // Keeps the pair: the name in the settings, the password in the keyring, or for the session
    // only when no keyring takes it (stored()).
    void save(const QString& user, const QString& password);
    // Forgets the password (the keyring entry too) and the saved user name.
    void forget();

signals:
    void loaded();
    void stored(bool inKeyring);

private:
    QString keyFor(const QString& user) const;
    void setStatus(Where where, const QString& text);

    QString m_user, m_password, m_status;
    Where m_where = Where::Nowhere;
};

} // namespace ladder::ui
