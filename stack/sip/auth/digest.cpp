// SPDX-License-Identifier: GPL-3.0-or-later
#include "digest.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <algorithm>

namespace ladder::sip::auth {

namespace {

bool isTokenChar(char c)
{
    // RFC 3261 §25.1: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '-': case '.': case '!': case '%': case '*': case '_': case '+': case '`': case '\'': case '~':
        return true;
    default:
        return false;
    }
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isControl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

QString describe(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(c));
    return QStringLiteral("byte 0x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
}

// A quoted string's content: '"' and '\' escaped, and every control character (a quoted-pair may
// carry any byte but CR and LF, RFC 3261 §25.1; the decoder never yields CR or LF).
QByteArray quoted(QByteArrayView v)
{
    QByteArray out;
    out.reserve(v.size() + 2);
    out += '"';
    for (const char c : v) {
        if (c == '"' || c == '\\' || isControl(static_cast<unsigned char>(c)) || c == '\t')
            out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

struct Reader {
    QByteArrayView v;
    qsizetype pos = 0;

    bool atEnd() const { return pos >= v.size(); }
    char peek() const { return v[pos]; }
    // Returns whether any whitespace was skipped.
    bool skipSpace()
    {
        const qsizetype start = pos;
        while (!atEnd() && isSpace(peek()))
            ++pos;
        return pos > start;
    }
    QByteArrayView token()
    {
        const qsizetype start = pos;
        while (!atEnd() && isTokenChar(peek()))
            ++pos;
        return v.sliced(start, pos - start);
    }
};

} // namespace

QByteArray algorithmName(Algorithm a)
{
    switch (a) {
    case Algorithm::Md5:
        return QByteArrayLiteral("MD5");
    case Algorithm::Md5Sess:
        return QByteArrayLiteral("MD5-sess");
    case Algorithm::Sha256:
        return QByteArrayLiteral("SHA-256");
    case Algorithm::Sha256Sess:
        return QByteArrayLiteral("SHA-256-sess");
    }
    return {};
}

std::optional<Algorithm> algorithmFromName(QByteArrayView name)
{
    for (const Algorithm a : { Algorithm::Md5, Algorithm::Md5Sess, Algorithm::Sha256, Algorithm::Sha256Sess })
        if (name.compare(algorithmName(a), Qt::CaseInsensitive) == 0)
            return a;
    return std::nullopt;
}

bool Challenge::isDigest() const { return QByteArrayView(scheme).compare("Digest", Qt::CaseInsensitive) == 0; }

std::optional<QByteArray> Challenge::param(QByteArrayView name) const
{
    for (const auto& p : params)
        if (p.first == name)
            return p.second;
    return std::nullopt;
}

QList<QByteArray> Challenge::qopOptions() const
{
    QList<QByteArray> out;
    const auto qop = param("qop");
    if (!qop)
        return out;
    for (const QByteArray& part : qop->split(',')) {
        const QByteArray t = part.trimmed().toLower();
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

bool Challenge::stale() const
{
    const auto s = param("stale");
    return s && QByteArrayView(*s).compare("true", Qt::CaseInsensitive) == 0;
}

DecodeResult decodeChallenges(QByteArrayView headerValue)
{
    DecodeResult r;
    auto fail = [&r](const QString& why) {
        r.ok = false;
        r.challenges.clear();
        r.error = why;
        return r;
    };
    if (headerValue.size() > kMaxHeaderValue)
        return fail(QStringLiteral("the header value is %1 bytes, over the %2 accepted")
                        .arg(headerValue.size())
                        .arg(kMaxHeaderValue));
    Reader in { headerValue };
    in.skipSpace();
    if (in.atEnd())
        return fail(QStringLiteral("empty header value: no challenge"));

    // pending: a scheme already read (the token that followed a comma and turned out not to be a
    // parameter name).
    QByteArrayView pending;
    while (true) {
        Challenge c;
        QByteArrayView scheme = pending;
        const bool schemeWasPending = !pending.isEmpty();
        pending = {};
        if (scheme.isEmpty()) {
            scheme = in.token();
            if (scheme.isEmpty())
                return fail(QStringLiteral("expected an authentication scheme (a token) at offset %1, found %2")
                                .arg(in.pos)
                                .arg(describe(in.peek())));
        }
        c.scheme = scheme.toByteArray();
        if (r.challenges.size() >= kMaxChallenges)
            return fail(QStringLiteral("more than %1 challenges in one header value").arg(kMaxChallenges));
        const bool spaced = in.skipSpace() || schemeWasPending; // the space after a pending scheme is read
        if (!in.atEnd() && !spaced && in.peek() != ',')
            return fail(QStringLiteral("expected a space after the scheme '%1' at offset %2, found %3")
                            .arg(QString::fromLatin1(c.scheme))
                            .arg(in.pos)
                            .arg(describe(in.peek())));
        bool nextChallenge = false;
        bool sawComma = false; // a token after a comma may be the next challenge's scheme
        while (!in.atEnd() && !nextChallenge) {
            if (in.peek() == ',') { // an empty list element
                ++in.pos;
                in.skipSpace();
                sawComma = true;
                continue;
            }
            const qsizetype nameAt = in.pos;
            const QByteArrayView name = in.token();
            if (name.isEmpty())
                return fail(QStringLiteral("expected a parameter name at offset %1, found %2").arg(nameAt).arg(describe(in.peek())));
            const bool spaceAfterName = in.skipSpace();
            if (in.atEnd() || in.peek() != '=') {
                // "…, Basic realm=…": a new challenge starts with a scheme followed by a space (also
                // after a challenge without parameters: "Negotiate, Digest realm=…").
                if (sawComma && spaceAfterName && !in.atEnd() && isTokenChar(in.peek())) {
                    pending = name;
                    nextChallenge = true;
                    break;
                }
                return fail(QStringLiteral("parameter '%1' at offset %2 has no '=' and value")
                                .arg(QString::fromLatin1(name.toByteArray()))
                                .arg(nameAt));
            }
            ++in.pos; // '='
            in.skipSpace();
            const QByteArray lname = name.toByteArray().toLower();
            QByteArray value;
            if (in.atEnd())
                return fail(QStringLiteral("parameter '%1' has no value").arg(QString::fromLatin1(lname)));
            if (in.peek() == '"') {
                const qsizetype openAt = in.pos;
                ++in.pos;
                bool closed = false;
                while (!in.atEnd()) {
                    const char ch = in.peek();
                    if (ch == '"') {
                        ++in.pos;
                        closed = true;
                        break;
                    }
                    if (ch == '\\') {
                        if (in.pos + 1 >= in.v.size())
                            break;
                        const char esc = in.v[in.pos + 1];
                        if (esc == '\r' || esc == '\n')
                            return fail(QStringLiteral("parameter '%1': an escaped CR or LF at offset %2 (a quoted-pair "
                                                       "may not carry them)")
                                            .arg(QString::fromLatin1(lname))
                                            .arg(in.pos + 1));
                        value += esc;
                        in.pos += 2;
                        continue;
                    }
                    if (isControl(static_cast<unsigned char>(ch)))
                        return fail(QStringLiteral("parameter '%1': control character %2 at offset %3 in a quoted string")
                                        .arg(QString::fromLatin1(lname), describe(ch))
                                        .arg(in.pos));
                    value += ch;
                    ++in.pos;
                }
                if (!closed)
                    return fail(QStringLiteral("parameter '%1': unterminated quoted string (opened at offset %2)")
                                    .arg(QString::fromLatin1(lname))
                                    .arg(openAt));
            } else {
                const QByteArrayView t = in.token();
                if (t.isEmpty())
                    return fail(QStringLiteral("parameter '%1' at offset %2: expected a token or a quoted string, found %3")
                                    .arg(QString::fromLatin1(lname))
                                    .arg(in.pos)
                                    .arg(describe(in.peek())));
                value = t.toByteArray();
            }
            if (c.param(lname))
                return fail(QStringLiteral("parameter '%1' appears twice in one challenge").arg(QString::fromLatin1(lname)));
            if (c.params.size() >= kMaxParams)
                return fail(QStringLiteral("more than %1 parameters in one challenge").arg(kMaxParams));
            c.params.append({ lname, value });
            in.skipSpace();
            if (in.atEnd())
                break;
            if (in.peek() != ',')
                return fail(QStringLiteral("expected ',' or the end after parameter '%1' at offset %2, found %3")
                                .arg(QString::fromLatin1(lname))
                                .arg(in.pos)
                                .arg(describe(in.peek())));
            ++in.pos;
            in.skipSpace();
            sawComma = true;
        }
        r.challenges.append(std::move(c));
        if (!nextChallenge)
            break;
    }
    r.ok = true;
    return r;
}

QByteArray encodeChallenge(const Challenge& challenge)
{
    QByteArray out = challenge.scheme;
    for (qsizetype i = 0; i < challenge.params.size(); ++i) {
        out += i == 0 ? " " : ", ";
        out += challenge.params[i].first;
        out += '=';
        out += quoted(challenge.params[i].second);
    }
    return out;
}

QString unsupportedReason(const Challenge& c)
{
    if (!c.isDigest())
        return QStringLiteral("scheme '%1' is not Digest").arg(QString::fromLatin1(c.scheme));
    if (!c.param("realm"))
        return QStringLiteral("the Digest challenge has no realm");
    if (!c.param("nonce") || c.nonce().isEmpty())
        return QStringLiteral("the Digest challenge has no nonce");
    if (const auto a = c.algorithmText(); a && !algorithmFromName(*a))
        return QStringLiteral("algorithm '%1' is not implemented (MD5, MD5-sess, SHA-256 and SHA-256-sess are)")
            .arg(QString::fromLatin1(*a));
    const QList<QByteArray> qop = c.qopOptions();
    if (c.param("qop") && !qop.contains("auth")) {
        if (qop.contains("auth-int"))
            return QStringLiteral("the challenge offers only qop=auth-int (a hash of the body), which is not implemented");
        return QStringLiteral("the challenge's qop '%1' does not offer auth").arg(QString::fromLatin1(*c.param("qop")));
    }
    return {};
}

Selection selectChallenge(const QList<QByteArrayView>& headerValues)
{
    Selection s;
    QStringList reasons;
    int bestRank = 0;
    for (qsizetype i = 0; i < headerValues.size(); ++i) {
        const DecodeResult r = decodeChallenges(headerValues[i]);
        if (!r.ok) {
            reasons.append(QStringLiteral("challenge %1: %2").arg(i + 1).arg(r.error));
            continue;
        }
        for (const Challenge& c : r.challenges) {
            const QString why = unsupportedReason(c);
            if (!why.isEmpty()) {
                reasons.append(QStringLiteral("challenge %1: %2").arg(i + 1).arg(why));
                continue;
            }
            const Algorithm a = algorithmFromName(c.algorithmText().value_or("MD5")).value_or(Algorithm::Md5);
            const int rank = a == Algorithm::Sha256 || a == Algorithm::Sha256Sess ? 2 : 1;
            if (rank > bestRank) {
                bestRank = rank;
                s.challenge = c;
            }
        }
    }
    if (!s.challenge)
        s.error = reasons.isEmpty() ? QStringLiteral("no challenge in the response") : reasons.join(QStringLiteral("; "));
    return s;
}

QByteArray hashHex(Algorithm algorithm, QByteArrayView data)
{
    const auto h = algorithm == Algorithm::Sha256 || algorithm == Algorithm::Sha256Sess ? QCryptographicHash::Sha256
                                                                                        : QCryptographicHash::Md5;
    return QCryptographicHash::hash(data, h).toHex();
}

QByteArray computeHa1(const DigestInput& in)
{
    const QByteArray base = hashHex(in.algorithm, in.username + ':' + in.realm + ':' + in.password);
    if (in.algorithm == Algorithm::Md5Sess || in.algorithm == Algorithm::Sha256Sess)
        return hashHex(in.algorithm, base + ':' + in.nonce + ':' + in.cnonce);
    return base;
}

QByteArray computeHa2(const DigestInput& in) { return hashHex(in.algorithm, in.method + ':' + in.uri); }

QByteArray computeResponse(const DigestInput& in)
{
    const QByteArray ha1 = computeHa1(in), ha2 = computeHa2(in);
    if (in.qop.isEmpty()) // RFC 2069
        return hashHex(in.algorithm, ha1 + ':' + in.nonce + ':' + ha2);
    return hashHex(in.algorithm, ha1 + ':' + in.nonce + ':' + in.nc + ':' + in.cnonce + ':' + in.qop + ':' + ha2);
}

DigestClient::DigestClient(QByteArray username, QByteArray password)
    : m_username(std::move(username))
    , m_password(std::move(password))
{
}

AuthorizationResult DigestClient::authorize(const Challenge& challenge, const QByteArray& method, const QByteArray& uri)
{
    AuthorizationResult r;
    if (const QString why = unsupportedReason(challenge); !why.isEmpty()) {
        r.error = why;
        return r;
    }
    // Control characters (CR and LF would end the header; NUL and the rest are refused by peers
    // and terminals alike) never go out in a header we build.
    const auto hasControl = [](const QByteArray& v) {
        return std::any_of(v.begin(), v.end(), [](char ch) { return isControl(static_cast<unsigned char>(ch)) || ch == '\t'; });
    };
    if (hasControl(m_username)) {
        r.error = QStringLiteral("the username contains a control character");
        return r;
    }
    if (hasControl(uri) || hasControl(method)) {
        r.error = QStringLiteral("the method or Request-URI contains a control character");
        return r;
    }
    DigestInput in;
    in.algorithm = algorithmFromName(challenge.algorithmText().value_or("MD5")).value_or(Algorithm::Md5);
    in.username = m_username;
    in.password = m_password;
    in.realm = challenge.realm();
    in.nonce = challenge.nonce();
    in.method = method;
    in.uri = uri;
    const bool sess = in.algorithm == Algorithm::Md5Sess || in.algorithm == Algorithm::Sha256Sess;
    if (challenge.qopOptions().contains("auth")) {
        in.qop = "auth";
        if (m_nonceCounts.size() >= 1024 && !m_nonceCounts.contains(in.nonce))
            m_nonceCounts.clear(); // bounded: old nonces are stale by now
        const quint32 n = ++m_nonceCounts[in.nonce];
        in.nc = QByteArray::number(n, 16).rightJustified(8, '0');
    }
    if (!in.qop.isEmpty() || sess) {
        if (m_cnonce)
            in.cnonce = m_cnonce();
        else {
            quint32 words[4];
            QRandomGenerator::system()->fillRange(words);
            in.cnonce = QByteArray(reinterpret_cast<const char*>(words), sizeof(words)).toHex();
        }
    }
    QByteArray h = "Digest username=" + quoted(in.username) + ", realm=" + quoted(in.realm) + ", nonce="
        + quoted(in.nonce) + ", uri=" + quoted(in.uri) + ", response=" + quoted(computeResponse(in));
    if (challenge.algorithmText())
        h += ", algorithm=" + algorithmName(in.algorithm);
    if (!in.cnonce.isEmpty())
        h += ", cnonce=" + quoted(in.cnonce);
    if (const auto opaque = challenge.opaque())
        h += ", opaque=" + quoted(*opaque);
    if (!in.qop.isEmpty())
        h += ", qop=" + in.qop + ", nc=" + in.nc;
    r.ok = true;
    r.headerValue = h;
    return r;
}

} // namespace ladder::sip::auth
