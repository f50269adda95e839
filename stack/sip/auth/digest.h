// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Digest authentication as a UAC (RFC 3261 §22, RFC 7616, RFC 8760): decoding a WWW-Authenticate /
// Proxy-Authenticate header value, computing the response and building the Authorization /
// Proxy-Authorization header value. MD5, MD5-sess, SHA-256 and SHA-256-sess; qop=auth and the
// RFC 2069 form without qop. qop=auth-int and SHA-512-256 are refused with the reason.
//
// Needs only QtCore: the fuzz target compiles this file on its own.

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <optional>

namespace ladder::sip::auth {

// Bounds on what the decoder accepts: a header value from the network never costs more.
inline constexpr qsizetype kMaxHeaderValue = 8192;
inline constexpr qsizetype kMaxParams = 32; // per challenge
inline constexpr qsizetype kMaxChallenges = 8; // per header value

enum class Algorithm { Md5, Md5Sess, Sha256, Sha256Sess };

// "MD5", "MD5-sess", "SHA-256", "SHA-256-sess".
QByteArray algorithmName(Algorithm a);
// Case-insensitive; nullopt for an algorithm this module does not implement (e.g. SHA-512-256).
std::optional<Algorithm> algorithmFromName(QByteArrayView name);

// One challenge as it was given: the scheme and every parameter in order (names lowercased,
// values unquoted and unescaped), plus the digest fields picked out of them.
struct Challenge {
    QByteArray scheme; // as written ("Digest", "Basic", …)
    QList<QPair<QByteArray, QByteArray>> params; // every parameter, unknown ones included

    bool isDigest() const;
    // The value of a parameter (name lowercase), or nullopt when absent.
    std::optional<QByteArray> param(QByteArrayView name) const;
    QByteArray realm() const { return param("realm").value_or(QByteArray()); }
    QByteArray nonce() const { return param("nonce").value_or(QByteArray()); }
    std::optional<QByteArray> opaque() const { return param("opaque"); }
    // The algorithm parameter as written; absent means MD5 (RFC 7616 §3.3).
    std::optional<QByteArray> algorithmText() const { return param("algorithm"); }
    // The qop-options, split on commas, trimmed, lowercased; empty when there is no qop parameter.
    QList<QByteArray> qopOptions() const;
    bool stale() const;
};

struct DecodeResult {
    bool ok = false;
    QList<Challenge> challenges; // one header value may hold several (HTTP style, comma separated)
    QString error; // why not, when !ok
};

// Decodes one WWW-Authenticate or Proxy-Authenticate header value:
//   challenge = scheme 1*SP param *("," param), params are token "=" (token / quoted-string);
// parameter names are case-insensitive and may appear once each; a "," followed by a token and a
// space (not "=") starts another challenge.
DecodeResult decodeChallenges(QByteArrayView headerValue);

// The challenge as a header value: every parameter's value as a quoted string (escaped), names as
// stored. Decoding it gives the same scheme and parameters.
QByteArray encodeChallenge(const Challenge& challenge);

// Why a Digest challenge cannot be answered by this module (missing nonce or realm, unknown
// algorithm, only qop=auth-int…), or an empty string when it can.
QString unsupportedReason(const Challenge& challenge);

struct Selection {
    std::optional<Challenge> challenge;
    QString error; // when nothing usable was found: every reason, joined
};
// Decodes every header value given (the WWW-Authenticate or Proxy-Authenticate headers of one
// response) and picks the strongest Digest challenge this module can answer: SHA-256(-sess) over
// MD5(-sess); among equals, the first.
Selection selectChallenge(const QList<QByteArrayView>& headerValues);

// The pieces of one response computation (RFC 7616 §3.4.1), exposed for tests.
struct DigestInput {
    Algorithm algorithm = Algorithm::Md5;
    QByteArray username, password, realm, nonce;
    QByteArray method, uri;
    QByteArray qop; // "auth" or empty (RFC 2069 form)
    QByteArray nc; // 8 hex digits, with qop
    QByteArray cnonce; // with qop or a -sess algorithm
};
QByteArray hashHex(Algorithm algorithm, QByteArrayView data);
QByteArray computeHa1(const DigestInput& in);
QByteArray computeHa2(const DigestInput& in);
QByteArray computeResponse(const DigestInput& in);

struct AuthorizationResult {
    bool ok = false;
    QByteArray headerValue; // the Authorization / Proxy-Authorization value
    QString error;
};

// Answers challenges for one set of credentials: counts nc per nonce and draws a fresh cnonce for
// each answer (injectable for tests).
class DigestClient {
public:
    DigestClient(QByteArray username, QByteArray password);
    void setCnonceSource(std::function<QByteArray()> source) { m_cnonce = std::move(source); }

    // The credentials for `method` to `uri` (the Request-URI) answering `challenge`.
    AuthorizationResult authorize(const Challenge& challenge, const QByteArray& method, const QByteArray& uri);

    const QByteArray& username() const { return m_username; }

private:
    QByteArray m_username, m_password;
    QHash<QByteArray, quint32> m_nonceCounts;
    std::function<QByteArray()> m_cnonce;
};

} // namespace ladder::sip::auth
