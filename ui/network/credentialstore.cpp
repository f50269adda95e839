// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentialstore.h"

#include <QCoreApplication>
#include <QPointer>
#include <QSettings>

#include <qt6keychain/keychain.h>

namespace ladder::ui {

namespace {
const char* kUserKey = "network/auth/user";

QString serviceName()
{
    // Tests run under their own application name, so they never touch the app's entries.
    return QCoreApplication::applicationName().isEmpty() ? QStringLiteral("ladderlab") : QCoreApplication::applicationName();
}
} // namespace

CredentialStore::CredentialStore(QObject* parent)
    : QObject(parent)
{
    m_status = tr("No password saved.");
}

QString CredentialStore::keyFor(const QString& user) const
{
    return QStringLiteral("sip-digest:") + user;
}

void CredentialStore::setStatus(Where where, const QString& text)
{
    m_where = where;
    m_status = text;
}

void CredentialStore::load()
{
    m_user = QSettings().value(QLatin1String(kUserKey)).toString();
    if (m_user.isEmpty()) {
        emit loaded();
        return;
    }
    auto* job = new QKeychain::ReadPasswordJob(serviceName(), this);
    job->setKey(keyFor(m_user));
    const QString user = m_user;
    connect(job, &QKeychain::Job::finished, this, [this, job, user] {
        if (user != m_user)
            return; // saved anew meanwhile
        if (job->error() == QKeychain::NoError) {
            m_password = job->textData();
            setStatus(Where::Keyring, tr("The password for '%1' is in the desktop's keyring.").arg(user));
        } else if (job->error() == QKeychain::EntryNotFound) {
            setStatus(Where::Nowhere, tr("No password for '%1' in the keyring: type it.").arg(user));
        } else {
            setStatus(Where::Nowhere, tr("The keyring cannot be read (%1): type the password; it will be kept for this "
                                         "session only.")
                                          .arg(job->errorString()));
        }
        emit loaded();
    });
    job->start();
}

void CredentialStore::save(const QString& user, const QString& password)
{
    const QString before = m_user;
    m_user = user;
    m_password = password;
    QSettings().setValue(QLatin1String(kUserKey), user);
    if (!before.isEmpty() && before != user) {
        auto* del = new QKeychain::DeletePasswordJob(serviceName(), this);
        del->setKey(keyFor(before));
        del->start();
    }
    // Kept for the session at once; the keyring's answer says whether it outlives it.
    setStatus(Where::SessionOnly, tr("Saving the password for '%1' in the keyring…").arg(user));
    auto* job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setKey(keyFor(user));
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, job, user] {
        if (user != m_user)
            return;
        const bool ok = job->error() == QKeychain::NoError;
        if (ok)
            setStatus(Where::Keyring, tr("The password for '%1' is in the desktop's keyring.").arg(user));
        else
            setStatus(Where::SessionOnly, tr("No keyring is available (%1): the password for '%2' is kept for this session "
                                             "only, never in the settings.")
                                              .arg(job->errorString().isEmpty() ? tr("no Secret Service or KWallet") : job->errorString(), user));
        emit stored(ok);
    });
    job->start();
}

void CredentialStore::forget()
{
    if (!m_user.isEmpty()) {
        auto* del = new QKeychain::DeletePasswordJob(serviceName(), this);
        del->setKey(keyFor(m_user));
        del->start();
    }
    QSettings().remove(QLatin1String(kUserKey));
    m_user.clear();
    m_password.clear();
    setStatus(Where::Nowhere, tr("No password saved."));
}

} // namespace ladder::ui
