// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

namespace ladder::ui {

// The accounts network mode answers digest challenges with (RFC 3261 §22), one per realm: a
// challenge of realm "pbx.example" is answered with the account kept for "pbx.example". The
// realm → user name map is kept in QSettings (network/auth/accounts); a password never is: it
// goes to the desktop's keyring through QtKeychain (service "<application name>", key
// "sip-digest:USER@REALM", USER percent-encoded). Where no keyring answers (no Secret Service or
// KWallet on the session bus, a headless machine), the password stays in this object for the
// session only and status() says so, with the keyring's own reason. Keyring calls are
// asynchronous: stored() and loaded() report them.
class CredentialStore : public QObject {
    Q_OBJECT
public:
    enum class Where { Nowhere, Keyring, SessionOnly };
    struct Account {
        QString user, password;
        Where where = Where::Nowhere;
        QString status; // one sentence: where the password is, and why when not in a keyring
    };

    explicit CredentialStore(QObject* parent = nullptr);

    QStringList realms() const; // sorted
    bool has(const QString& realm) const { return m_accounts.contains(realm); }
    Account account(const QString& realm) const { return m_accounts.value(realm); }
    const QHash<QString, Account>& accounts() const { return m_accounts; }
    // The account of `realm`'s sentence, or "No account for realm …" when none is kept.
    QString status(const QString& realm) const;
    Where where(const QString& realm) const { return m_accounts.value(realm).where; }
    // The keyring key of an account.
    static QString keyFor(const QString& realm, const QString& user);

    // The kept realms and user names from the settings, then each password from the keyring
    // (loaded() once every answer is in).
    void load();
    // Keeps `realm`'s account: the user name in the settings, the password in the keyring, or for
    // the session only when no keyring takes it (stored()).
    void save(const QString& realm, const QString& user, const QString& password);
    // Forgets `realm`'s account: its keyring entry and its settings entry.
    void forget(const QString& realm);

signals:
    void loaded();
    void stored(const QString& realm, bool inKeyring);
    void changed(); // an account added, changed or forgotten

private:
    void saveMap() const;
    void deleteKey(const QString& realm, const QString& user);

    QHash<QString, Account> m_accounts;
    int m_loading = 0;
};

} // namespace ladder::ui
