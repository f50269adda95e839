// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentialstore.h"

#include <QCoreApplication>
#include <QSettings>
#include <QUrl>

#include <qt6keychain/keychain.h>

#include <algorithm>

namespace ladder::ui {

namespace {
const char* kAccountsKey = "network/auth/accounts"; // realm → user name

QString serviceName()
{
    // Tests run under their own application name, so they never touch the app's entries.
    return QCoreApplication::applicationName().isEmpty() ? QStringLiteral("ladderlab") : QCoreApplication::applicationName();
}
} // namespace

CredentialStore::CredentialStore(QObject* parent)
    : QObject(parent)
{
}

QString CredentialStore::keyFor(const QString& realm, const QString& user)
{
    return QStringLiteral("sip-digest:") + QString::fromLatin1(QUrl::toPercentEncoding(user)) + QLatin1Char('@') + realm;
}

QStringList CredentialStore::realms() const
{
    QStringList out = m_accounts.keys();
    std::sort(out.begin(), out.end());
    return out;
}

QString CredentialStore::status(const QString& realm) const
{
    const auto it = m_accounts.constFind(realm);
    if (it == m_accounts.constEnd())
        return realm.isEmpty() ? tr("No account kept.") : tr("No account kept for realm \"%1\".").arg(realm);
    return it->status;
}

void CredentialStore::saveMap() const
{
    QVariantMap map;
    for (auto it = m_accounts.constBegin(); it != m_accounts.constEnd(); ++it)
        map.insert(it.key(), it->user);
    QSettings settings;
    if (map.isEmpty())
        settings.remove(QLatin1String(kAccountsKey));
    else
        settings.setValue(QLatin1String(kAccountsKey), map);
}

void CredentialStore::deleteKey(const QString& realm, const QString& user)
{
    auto* del = new QKeychain::DeletePasswordJob(serviceName(), this);
    del->setKey(keyFor(realm, user));
    del->start();
}

void CredentialStore::load()
{
    const QVariantMap map = QSettings().value(QLatin1String(kAccountsKey)).toMap();
    m_loading = 0;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QString realm = it.key(), user = it.value().toString();
        if (user.isEmpty())
            continue;
        Account& a = m_accounts[realm];
        a.user = user;
        a.status = tr("Reading the password for '%1' (realm \"%2\") from the keyring…").arg(user, realm);
        ++m_loading;
        auto* job = new QKeychain::ReadPasswordJob(serviceName(), this);
        job->setKey(keyFor(realm, user));
        connect(job, &QKeychain::Job::finished, this, [this, job, realm, user] {
            const auto a = m_accounts.find(realm);
            if (a != m_accounts.end() && a->user == user && a->password.isEmpty()) { // not saved anew meanwhile
                if (job->error() == QKeychain::NoError) {
                    a->password = job->textData();
                    a->where = Where::Keyring;
                    a->status = tr("The password for '%1' (realm \"%2\") is in the desktop's keyring.").arg(user, realm);
                } else if (job->error() == QKeychain::EntryNotFound) {
                    a->status = tr("No password for '%1' (realm \"%2\") in the keyring: type it.").arg(user, realm);
                } else {
                    a->status = tr("The keyring cannot be read (%1): type the password for '%2' (realm \"%3\"); it will be "
                                   "kept for this session only.")
                                    .arg(job->errorString(), user, realm);
                }
            }
            if (--m_loading == 0)
                emit loaded();
        });
        job->start();
    }
    if (m_loading == 0)
        emit loaded();
}

void CredentialStore::save(const QString& realm, const QString& user, const QString& password)
{
    Account& a = m_accounts[realm];
    if (!a.user.isEmpty() && a.user != user)
        deleteKey(realm, a.user);
    a.user = user;
    a.password = password;
    saveMap();
    // Kept for the session at once; the keyring's answer says whether it outlives it.
    a.where = Where::SessionOnly;
    a.status = tr("Saving the password for '%1' (realm \"%2\") in the keyring…").arg(user, realm);
    emit changed();
    auto* job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setKey(keyFor(realm, user));
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, job, realm, user] {
        const auto a = m_accounts.find(realm);
        if (a == m_accounts.end() || a->user != user)
            return; // forgotten or saved anew meanwhile
        const bool ok = job->error() == QKeychain::NoError;
        a->where = ok ? Where::Keyring : Where::SessionOnly;
        a->status = ok ? tr("The password for '%1' (realm \"%2\") is in the desktop's keyring.").arg(user, realm)
                       : tr("No keyring is available (%1): the password for '%2' (realm \"%3\") is kept for this session "
                            "only, never in the settings.")
                             .arg(job->errorString().isEmpty() ? tr("no Secret Service or KWallet") : job->errorString(), user, realm);
        emit stored(realm, ok);
    });
    job->start();
}

void CredentialStore::forget(const QString& realm)
{
    const auto it = m_accounts.find(realm);
    if (it == m_accounts.end())
        return;
    deleteKey(realm, it->user);
    m_accounts.erase(it);
    saveMap();
    emit changed();
}

} // namespace ladder::ui
