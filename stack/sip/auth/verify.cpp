// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify.h"

#include <QMessageAuthenticationCode>

#include <algorithm>

namespace ladder::sip::auth {

namespace {
constexpr qsizetype kMaxNonces = 4096; // nc memory; the oldest half goes when full

QByteArray quoted(const QByteArray& v)
{
    QByteArray out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}
} // namespace

DigestServer::DigestServer(QByteArray realm, QByteArray secret, Algorithm algorithm)
    : m_realm(std::move(realm))
    , m_secret(std::move(secret))
    , m_algorithms { algorithm }
{
}

void DigestServer::setAlgorithms(const QList<Algorithm>& algorithms)
{
    m_algorithms.clear();
    for (Algorithm a : algorithms)
        if (!m_algorithms.contains(a))
            m_algorithms.append(a);
    if (m_algorithms.isEmpty())
        m_algorithms.append(Algorithm::Md5);
}

QByteArray DigestServer::nonceFor(qint64 issuedSecs, quint64 serial) const
{
    const QByteArray head = QByteArray::number(issuedSecs, 16) + '.' + QByteArray::number(serial, 16);
    const QByteArray mac = QMessageAuthenticationCode::hash(head + ':' + m_realm, m_secret, QCryptographicHash::Sha256).toHex().left(32);
    return head + '.' + mac;
}

QByteArray DigestServer::challenge(qint64 nowSecs, bool stale)
{
    return challenges(nowSecs, stale).first();
}

QList<QByteArray> DigestServer::challenges(qint64 nowSecs, bool stale)
{
    // A serial makes every nonce unique (two clients challenged in the same second must not share
    // one: their nc counts would collide as replays) — each challenge of one response too, since
    // two clients may answer the same response's two challenges.
    QList<QByteArray> out;
    for (Algorithm a : m_algorithms) {
        QByteArray v = "Digest realm=" + quoted(m_realm) + ", nonce=\"" + nonceFor(nowSecs, ++m_serial) + "\", algorithm=" + algorithmName(a) + ", qop=\"auth\"";
        if (stale)
            v += ", stale=true";
        out << v;
    }
    return out;
}

DigestServer::Verdict DigestServer::verify(const QList<QByteArrayView>& credentials, QByteArrayView method,
    QByteArrayView requestUri, const std::function<std::optional<QByteArray>(const QByteArray&)>& password, qint64 nowSecs)
{
    using R = Verdict::Result;
    Verdict v;
    if (credentials.isEmpty()) {
        v.reason = QStringLiteral("no credentials");
        return v;
    }
    // The Digest credentials for our realm among the values given (RFC 3261 §22.4: a request may
    // carry several, for several realms).
    std::optional<Challenge> cred;
    QString lastError;
    for (QByteArrayView value : credentials) {
        const DecodeResult d = decodeChallenges(value);
        if (!d.ok || d.challenges.size() != 1) {
            lastError = d.ok ? QStringLiteral("several credentials in one header value") : d.error;
            continue;
        }
        const Challenge& c = d.challenges.first();
        if (!c.isDigest()) {
            lastError = QStringLiteral("scheme %1, not Digest").arg(QString::fromLatin1(c.scheme.left(40)));
            continue;
        }
        if (c.realm() != m_realm) {
            lastError = QStringLiteral("credentials for another realm");
            continue;
        }
        cred = c;
        break;
    }
    if (!cred) {
        v.result = lastError == QLatin1String("credentials for another realm") ? R::OtherRealm : R::Malformed;
        v.reason = QStringLiteral("unusable credentials: %1").arg(lastError);
        return v;
    }
    const Challenge& c = *cred;
    v.user = c.param("username").value_or(QByteArray());
    const QByteArray nonce = c.nonce(), uri = c.param("uri").value_or(QByteArray()), response = c.param("response").value_or(QByteArray());
    const QByteArray qop = c.param("qop").value_or(QByteArray()), nc = c.param("nc").value_or(QByteArray()),
                     cnonce = c.param("cnonce").value_or(QByteArray());
    const std::optional<Algorithm> algorithm = algorithmFromName(c.algorithmText().value_or("MD5"));
    if (v.user.isEmpty() || nonce.isEmpty() || uri.isEmpty() || response.isEmpty()) {
        v.result = R::Malformed;
        v.reason = QStringLiteral("credentials without username, nonce, uri or response");
        return v;
    }
    if (!algorithm || !m_algorithms.contains(*algorithm)) {
        QStringList asked;
        for (Algorithm a : m_algorithms)
            asked << QString::fromLatin1(algorithmName(a));
        v.result = R::Malformed;
        v.reason = QStringLiteral("algorithm %1, not the %2 we asked for")
                       .arg(QString::fromLatin1(c.algorithmText().value_or("MD5").left(40)), asked.join(QStringLiteral(" or ")));
        return v;
    }
    if (qop != "auth" || nc.size() != 8 || cnonce.isEmpty()) {
        v.result = R::Malformed;
        v.reason = QStringLiteral("qop=auth with nc and cnonce expected (we asked for qop=\"auth\")");
        return v;
    }
    // The nonce: ours (the MAC), and fresh.
    const QList<QByteArray> parts = nonce.split('.');
    bool timeOk = false, serialOk = false;
    const qint64 issued = parts.size() == 3 ? parts[0].toLongLong(&timeOk, 16) : 0;
    const quint64 serial = parts.size() == 3 ? parts[1].toULongLong(&serialOk, 16) : 0;
    if (!timeOk || !serialOk || nonceFor(issued, serial) != nonce) {
        v.result = R::BadNonce;
        v.reason = QStringLiteral("a nonce we did not issue");
        return v;
    }
    if (nowSecs - issued > m_lifetime || issued > nowSecs + 5) {
        v.result = R::StaleNonce;
        v.reason = QStringLiteral("a nonce older than %1 s (stale)").arg(m_lifetime);
        return v;
    }
    if (uri != requestUri) {
        v.result = R::WrongUri;
        v.reason = QStringLiteral("uri \"%1\" is not the Request-URI").arg(QString::fromUtf8(uri.left(120)));
        return v;
    }
    const std::optional<QByteArray> pw = password(v.user);
    if (!pw) {
        v.result = R::UnknownUser;
        v.reason = QStringLiteral("no such user");
        return v;
    }
    DigestInput in;
    in.algorithm = *algorithm;
    v.algorithm = *algorithm;
    in.username = v.user;
    in.password = *pw;
    in.realm = m_realm;
    in.nonce = nonce;
    in.method = method.toByteArray();
    in.uri = uri;
    in.qop = qop;
    in.nc = nc;
    in.cnonce = cnonce;
    if (computeResponse(in) != response.toLower()) {
        v.result = R::WrongResponse;
        v.reason = QStringLiteral("wrong response (wrong password?)");
        return v;
    }
    bool ncOk = false;
    const quint32 count = nc.toUInt(&ncOk, 16);
    const auto seen = m_lastNc.constFind(nonce);
    if (!ncOk || (seen != m_lastNc.cend() && count <= *seen)) {
        v.result = R::Replay;
        v.reason = QStringLiteral("nc %1 already used with this nonce (a replay)").arg(QString::fromLatin1(nc));
        return v;
    }
    if (m_lastNc.size() >= kMaxNonces) {
        // Forget the oldest-issued half (their nonces go stale anyway).
        QList<QByteArray> keys = m_lastNc.keys();
        std::sort(keys.begin(), keys.end());
        for (qsizetype i = 0; i < keys.size() / 2; ++i)
            m_lastNc.remove(keys[i]);
    }
    m_lastNc.insert(nonce, count);
    v.result = R::Ok;
    v.reason = QStringLiteral("verified");
    return v;
}

} // namespace ladder::sip::auth
