// SPDX-License-Identifier: GPL-3.0-or-later
#include "authbox.h"

#include "credentialstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {
void tint(QLabel* label, bool bad)
{
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, bad ? QColor(0xd5, 0x5e, 0x00) : label->parentWidget()->palette().color(QPalette::WindowText));
    label->setPalette(p);
}
} // namespace

AuthBox::AuthBox(QWidget* parent)
    : QGroupBox(tr("Digest credentials"), parent)
    , m_store(new CredentialStore(this))
{
    setObjectName(QStringLiteral("networkAuth"));
    auto* box = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_realm = new QComboBox(this);
    m_realm->setObjectName(QStringLiteral("networkAuthRealm"));
    m_realm->setEditable(true);
    m_realm->setInsertPolicy(QComboBox::NoInsert);
    m_realm->lineEdit()->setPlaceholderText(QStringLiteral("pbx.example.com"));
    m_realm->setToolTip(tr("The realm of the challenges this account answers (the realm= of the WWW-Authenticate or "
                           "Proxy-Authenticate header); one account per realm"));
    form->addRow(tr("Realm"), m_realm);
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("networkAuthUser"));
    m_user->setPlaceholderText(QStringLiteral("alice"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("networkAuthPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("User"), m_user);
    form->addRow(tr("Password"), m_password);
    box->addLayout(form);
    auto* keepRow = new QHBoxLayout;
    m_save = new QPushButton(tr("Keep"), this);
    m_save->setObjectName(QStringLiteral("networkAuthKeep"));
    m_save->setToolTip(tr("Keeps this account for its realm: the user name goes to the settings, the password to the "
                          "desktop's keyring (never the settings); without a keyring, it is kept for this session only"));
    m_forget = new QPushButton(tr("Forget"), this);
    m_atOnce = new QCheckBox(tr("Answer challenges at once"), this);
    m_atOnce->setObjectName(QStringLiteral("networkAuthAtOnce"));
    m_atOnce->setToolTip(tr("A 401/407 to a request of yours is answered without asking with the account of its realm "
                            "(kept, or typed here); a realm without one is asked about"));
    m_atOnce->setChecked(QSettings().value(QStringLiteral("network/auth/atOnce"), false).toBool());
    keepRow->addWidget(m_save);
    keepRow->addWidget(m_forget);
    keepRow->addWidget(m_atOnce, 1);
    box->addLayout(keepRow);
    m_storage = new QLabel(m_store->status(QString()), this);
    m_storage->setObjectName(QStringLiteral("networkAuthStorage"));
    m_storage->setWordWrap(true);
    box->addWidget(m_storage);

    m_challengeRow = new QWidget(this);
    auto* cr = new QVBoxLayout(m_challengeRow);
    cr->setContentsMargins(0, 0, 0, 0);
    m_challenge = new QLabel(m_challengeRow);
    m_challenge->setObjectName(QStringLiteral("networkChallenge"));
    m_challenge->setWordWrap(true);
    m_challenge->setTextFormat(Qt::PlainText);
    m_challenge->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cr->addWidget(m_challenge);
    auto* buttons = new QHBoxLayout;
    m_resend = new QPushButton(tr("Resend with credentials"), m_challengeRow);
    m_resend->setObjectName(QStringLiteral("networkResendAuth"));
    m_dismiss = new QPushButton(tr("Dismiss"), m_challengeRow);
    m_dismiss->setObjectName(QStringLiteral("networkDismissAuth"));
    buttons->addWidget(m_resend);
    buttons->addWidget(m_dismiss);
    buttons->addStretch(1);
    cr->addLayout(buttons);
    box->addWidget(m_challengeRow);
    m_challengeRow->hide();
    m_outcome = new QLabel(this);
    m_outcome->setObjectName(QStringLiteral("networkAuthOutcome"));
    m_outcome->setWordWrap(true);
    m_outcome->setTextFormat(Qt::PlainText);
    box->addWidget(m_outcome);

    connect(m_store, &CredentialStore::loaded, this, [this] {
        refreshRealms();
        if (m_user->text().isEmpty())
            showRealm(realm());
        emitAuto();
    });
    connect(m_store, &CredentialStore::stored, this, [this](const QString& r, bool inKeyring) {
        if (r == realm()) {
            m_storage->setText(m_store->status(r));
            tint(m_storage, !inKeyring);
        }
    });
    connect(m_store, &CredentialStore::changed, this, [this] {
        refreshRealms();
        m_storage->setText(m_store->status(realm()));
        emitAuto();
    });
    connect(m_realm, &QComboBox::textActivated, this, [this](const QString& r) { showRealm(r.trimmed()); });
    connect(m_realm->lineEdit(), &QLineEdit::editingFinished, this, [this] {
        if (m_store->has(realm()))
            showRealm(realm());
        else
            m_storage->setText(m_store->status(realm()));
        emitAuto();
    });
    connect(m_save, &QPushButton::clicked, this, &AuthBox::keep);
    connect(m_forget, &QPushButton::clicked, this, [this] {
        m_store->forget(realm());
        m_password->clear();
        m_storage->setText(m_store->status(realm()));
        tint(m_storage, false);
        emitAuto();
    });
    connect(m_atOnce, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("network/auth/atOnce"), on);
        emitAuto();
    });
    connect(m_user, &QLineEdit::editingFinished, this, &AuthBox::emitAuto);
    connect(m_password, &QLineEdit::editingFinished, this, &AuthBox::emitAuto);
    connect(m_resend, &QPushButton::clicked, this, [this] {
        if (!m_challengeTx)
            return;
        if (m_user->text().trimmed().isEmpty()) {
            showOutcome(false, tr("Type the user name and password to answer with."));
            m_user->setFocus();
            return;
        }
        const quint64 tx = m_challengeTx;
        m_challengeTx = 0;
        m_challengeRow->hide();
        emit resendRequested(tx, m_user->text().trimmed(), m_password->text());
    });
    connect(m_dismiss, &QPushButton::clicked, this, [this] {
        if (m_challengeTx)
            emit dismissRequested(m_challengeTx);
        m_challengeTx = 0;
        m_challengeRow->hide();
    });
    m_store->load();
}

QString AuthBox::realm() const
{
    return m_realm->currentText().trimmed();
}

QString AuthBox::user() const
{
    return m_user->text().trimmed();
}

QString AuthBox::password() const
{
    return m_password->text();
}

bool AuthBox::answersAtOnce() const
{
    return m_atOnce->isChecked();
}

void AuthBox::keep()
{
    if (realm().isEmpty() || user().isEmpty()) {
        showOutcome(false, tr("Type the realm and the user name to keep (one account per realm)."));
        return;
    }
    m_store->save(realm(), user(), password());
    m_storage->setText(m_store->status(realm()));
    emitAuto();
}

void AuthBox::refreshRealms()
{
    const QString typed = m_realm->currentText();
    const QSignalBlocker block(m_realm);
    m_realm->clear();
    m_realm->addItems(m_store->realms());
    m_realm->setEditText(typed.isEmpty() && m_realm->count() ? m_realm->itemText(0) : typed);
}

void AuthBox::showRealm(const QString& r)
{
    if (m_realm->currentText().trimmed() != r)
        m_realm->setEditText(r);
    const CredentialStore::Account a = m_store->account(r);
    m_user->setText(a.user);
    m_password->setText(a.password);
    m_storage->setText(m_store->status(r));
    tint(m_storage, m_store->has(r) && a.where != CredentialStore::Where::Keyring);
}

void AuthBox::emitAuto()
{
    QHash<QString, QPair<QString, QString>> accounts;
    if (m_atOnce->isChecked()) {
        for (auto it = m_store->accounts().constBegin(); it != m_store->accounts().constEnd(); ++it)
            accounts.insert(it.key(), { it->user, it->password });
        if (!realm().isEmpty() && !user().isEmpty())
            accounts.insert(realm(), { user(), password() });
    }
    emit autoAccountsChanged(accounts);
}

void AuthBox::showChallenge(const ChallengeNotice& n)
{
    if (m_challengeTx && m_challengeTx != n.transaction)
        emit dismissRequested(m_challengeTx); // one at a time: the newest replaces the one shown
    m_challengeTx = n.transaction;
    QString text = tr("%1 %2 to %3 %4 (transaction %5, %6)")
                       .arg(n.status)
                       .arg(n.reason, n.method, n.requestUri)
                       .arg(n.transaction)
                       .arg(n.peer);
    if (!n.realm.isEmpty())
        text += tr(": realm \"%1\", %2%3").arg(n.realm, n.algorithm, n.qopAuth ? QStringLiteral(", qop=auth") : QString());
    if (!n.problem.isEmpty())
        text += QLatin1Char('\n') + n.problem;
    // The challenge's realm: its kept account, or nothing (the user is asked for one).
    if (!n.realm.isEmpty() && n.realm != realm()) {
        showRealm(n.realm);
        emitAuto();
    } else if (m_store->has(n.realm) && m_user->text().isEmpty()) {
        showRealm(n.realm);
    }
    if (!n.realm.isEmpty() && !m_store->has(n.realm) && n.problem.isEmpty() && m_user->text().isEmpty())
        text += QLatin1Char('\n') + tr("No account kept for realm \"%1\": type its user name and password (Keep keeps them for "
                                        "this realm).")
                                         .arg(n.realm);
    if (!n.user.isEmpty() && m_user->text().isEmpty())
        m_user->setText(n.user);
    m_challenge->setText(text);
    tint(m_challenge, !n.problem.isEmpty());
    m_challengeRow->show();
    m_outcome->clear();
}

void AuthBox::showOutcome(bool ok, const QString& text)
{
    m_outcome->setText(text);
    tint(m_outcome, !ok);
}

} // namespace ladder::ui
