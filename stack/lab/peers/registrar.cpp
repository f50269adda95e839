// SPDX-License-Identifier: GPL-3.0-or-later
#include "registrar.h"

#include "host/stack.h"
#include "sip/auth/verify.h"
#include "sip/sipstack.h"
#include "sip/transaction/transaction.h"

namespace ladder::lab::peers {

namespace {
    // The URI of a name-addr as the key of a binding ("<sip:a@h;transport=tcp>" -> "sip:a@h;transport=tcp").
    QByteArray uriOf(const sip::NameAddr& na) { return na.uri().toByteArray(); }
}

Registrar::Registrar(Stack& stack, const QString& label, const QString& host, quint64 seed, quint32 maxExpires)
    : SipPeer(stack, label, host, seed)
    , m_maxExpires(maxExpires)
    , m_seed(seed)
{
    QObject::connect(m_sip.get(), &sip::SipStack::requestReceived, context(),
        [this](const sip::Incoming& in) { onRequest(in); });
}

Registrar::~Registrar() { dropSignals(); }

void Registrar::requireAuth(const QByteArray& realm, const QHash<QByteArray, QByteArray>& passwords)
{
    // The nonces' secret from the seed: a run is reproducible, and a lesson has no secret to keep.
    m_auth = std::make_unique<sip::auth::DigestServer>(realm, "lab-registrar-" + QByteArray::number(m_seed, 16));
    m_passwords = passwords;
}

QList<Registrar::Binding> Registrar::bindings(const QByteArray& aor) const
{
    QList<Binding> out;
    const qint64 now = m_stack.scheduler().nowNs();
    for (const Binding& b : m_bindings.value(aor))
        if (b.expiresAtNs > now)
            out.append(b);
    return out;
}

void Registrar::onRequest(const sip::Incoming& in)
{
    const sip::Message& m = in.message;
    if (!in.transaction || m.method() == "ACK" || m.method() == "CANCEL")
        return;
    sip::Transaction* t = m_sip->transaction(in.transaction);
    if (!t)
        return;
    const sip::TransportType type = in.connection ? in.connection->type() : sip::TransportType::Udp;
    if (m.method() != "REGISTER") {
        sip::Message r = responseTo(in.transaction, m, 405, type);
        r.appendHeader(sip::HeaderId::Allow, "REGISTER");
        m_sip->send(t->connection(), r, 0, sip::SendFlag::Stateful);
        return;
    }
    ++m_registers;
    if (m_auth) {
        const qint64 nowSecs = m_stack.scheduler().nowNs() / 1'000'000'000;
        const auto verdict = m_auth->verify(m.values(sip::HeaderId::Authorization), m.method(), m.requestUriText(),
            [this](const QByteArray& user) -> std::optional<QByteArray> {
                const auto it = m_passwords.constFind(user);
                return it == m_passwords.cend() ? std::nullopt : std::optional<QByteArray>(*it);
            },
            nowSecs);
        if (!verdict.ok()) {
            sip::Message r = responseTo(in.transaction, m, 401, type);
            r.appendHeader(sip::HeaderId::WwwAuthenticate, m_auth->challenge(nowSecs, verdict.stale()));
            ++m_challenges;
            m_sip->send(t->connection(), r, 0, sip::SendFlag::Stateful);
            return;
        }
    }
    const auto to = m.to();
    const QByteArray aor = to ? uriOf(*to) : QByteArray();
    const qint64 now = m_stack.scheduler().nowNs();
    const std::optional<quint32> headerExpires = m.expires();
    QList<Binding>& list = m_bindings[aor];
    for (const sip::NameAddr& c : m.contacts()) {
        if (c.isStar()) {
            if (headerExpires.value_or(1) == 0)
                list.clear();
            continue;
        }
        quint32 expires = headerExpires.value_or(3600);
        bool ok = false;
        const quint32 param = c.param("expires").toByteArray().toUInt(&ok);
        if (ok)
            expires = param;
        expires = std::min(expires, m_maxExpires);
        const QByteArray key = uriOf(c);
        list.removeIf([&](const Binding& b) { return b.contact == '<' + key + '>'; });
        if (expires > 0)
            list.append(Binding { '<' + key + '>', now + qint64(expires) * 1'000'000'000 });
    }
    sip::Message r = responseTo(in.transaction, m, 200, type);
    quint32 longest = 0;
    for (const Binding& b : bindings(aor)) {
        const quint32 left = quint32((b.expiresAtNs - now + 999'999'999) / 1'000'000'000);
        longest = std::max(longest, left);
        r.appendHeader(sip::HeaderId::Contact, b.contact + ";expires=" + QByteArray::number(left));
    }
    r.appendHeader(sip::HeaderId::Expires, QByteArray::number(longest));
    m_sip->send(t->connection(), r, 0, sip::SendFlag::Stateful);
}

} // namespace ladder::lab::peers
