// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Digest authentication as a UAS (RFC 3261 §22.1/§22.4, RFC 7616 §3.3–3.5): the challenge we send
// and the check of the credentials that come back. Nonces are self-validating — hex(issue time) "."
// hex(serial) "." HMAC-SHA-256(secret, time "." serial ":" realm) — so nothing is kept per
// challenge; an nc seen before for a nonce is a replay. QtCore only (the fuzz target compiles it).

#include "digest.h"

#include <QByteArray>
#include <QHash>

#include <functional>
#include <optional>

namespace ladder::sip::auth {

class DigestServer {
public:
    // `secret`: random bytes of the caller's (a fresh one per run is fine: older nonces then fail
    // as unknown and are challenged again).
    DigestServer(QByteArray realm, QByteArray secret, Algorithm algorithm = Algorithm::Md5);

    const QByteArray& realm() const { return m_realm; }
    Algorithm algorithm() const { return m_algorithm; }
    // A nonce older than this is stale (answered with a new challenge, stale=true).
    void setNonceLifetimeSeconds(qint64 s) { m_lifetime = s; }

    // The WWW-Authenticate / Proxy-Authenticate value: Digest realm, nonce, algorithm, qop="auth".
    QByteArray challenge(qint64 nowSecs, bool stale = false);

    struct Verdict {
        enum class Result { Ok, NoCredentials, Malformed, OtherRealm, UnknownUser, StaleNonce, BadNonce, Replay, WrongUri, WrongResponse };
        Result result = Result::NoCredentials;
        QByteArray user; // as the credentials named it (raw: escape before printing)
        QString reason; // one sentence: "no Authorization header", "wrong response (wrong password?)"…
        bool ok() const { return result == Result::Ok; }
        bool stale() const { return result == Result::StaleNonce; }
    };
    // Checks the Authorization (or Proxy-Authorization) values of one request against `method`
    // and its Request-URI; `password(user)` gives the password of a user we know.
    Verdict verify(const QList<QByteArrayView>& credentials, QByteArrayView method, QByteArrayView requestUri,
        const std::function<std::optional<QByteArray>(const QByteArray& user)>& password, qint64 nowSecs);

private:
    QByteArray nonceFor(qint64 issuedSecs, quint64 serial) const;

    QByteArray m_realm, m_secret;
    Algorithm m_algorithm;
    qint64 m_lifetime = 300;
    quint64 m_serial = 0;
    QHash<QByteArray, quint32> m_lastNc; // per nonce, bounded
};

} // namespace ladder::sip::auth
