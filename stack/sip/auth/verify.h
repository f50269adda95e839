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
    // The first (preferred) algorithm challenged with.
    Algorithm algorithm() const { return m_algorithms.first(); }
    const QList<Algorithm>& algorithms() const { return m_algorithms; }
    // Challenge with each of these (RFC 8760 §2.4: one WWW-Authenticate per algorithm, in order of
    // preference — give SHA-256 first); credentials answering any of them verify. Empty: MD5.
    void setAlgorithms(const QList<Algorithm>& algorithms);
    // A nonce older than this is stale (answered with a new challenge, stale=true).
    void setNonceLifetimeSeconds(qint64 s) { m_lifetime = s; }

    // The WWW-Authenticate / Proxy-Authenticate value: Digest realm, nonce, algorithm, qop="auth"
    // (the first algorithm's).
    QByteArray challenge(qint64 nowSecs, bool stale = false);
    // One value per algorithm, in the order of algorithms(), each with a fresh nonce of its own:
    // the headers of one 401 (RFC 8760 §2.4).
    QList<QByteArray> challenges(qint64 nowSecs, bool stale = false);

    struct Verdict {
        enum class Result { Ok, NoCredentials, Malformed, OtherRealm, UnknownUser, StaleNonce, BadNonce, Replay, WrongUri, WrongResponse };
        Result result = Result::NoCredentials;
        QByteArray user; // as the credentials named it (raw: escape before printing)
        Algorithm algorithm = Algorithm::Md5; // the one the credentials answered (when Ok)
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
    QList<Algorithm> m_algorithms;
    qint64 m_lifetime = 300;
    quint64 m_serial = 0;
    QHash<QByteArray, quint32> m_lastNc; // per nonce, bounded
};

} // namespace ladder::sip::auth
