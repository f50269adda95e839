// SPDX-License-Identifier: GPL-3.0-or-later
#include "reauth.h"

namespace ladder::sip::auth {

ChallengeAnswerer::ChallengeAnswerer(QByteArray username, QByteArray password)
    : m_client(std::move(username), std::move(password))
{
}

ChallengeAnswerer::Outcome ChallengeAnswerer::answer(const Message& lastSent, const Message& response, const QByteArray& newBranch)
{
    Outcome out;
    const int status = response.statusCode();
    out.proxy = status == 407;
    if (status != 401 && status != 407) {
        out.errnoName = "EPROTO";
        out.error = QStringLiteral("%1 is not a challenge (401 or 407)").arg(status);
        return out;
    }
    const QString reason = QString::fromUtf8(response.reasonPhrase().toByteArray());
    Answered& answered = out.proxy ? m_proxy : m_www;
    const char* challengeName = out.proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
    const Selection sel = selectChallenge(response.values(out.proxy ? HeaderId::ProxyAuthenticate : HeaderId::WwwAuthenticate));
    if (!sel.challenge) {
        out.errnoName = "EPROTO";
        out.error = QStringLiteral("%1 %2 has no %3 challenge that can be answered: %4")
                        .arg(status)
                        .arg(reason, QLatin1String(challengeName), sel.error);
        return out;
    }
    const Challenge& ch = *sel.challenge;
    out.challenge = ch;
    const QString realm = QString::fromUtf8(ch.realm());
    if (answered.challenge) {
        // Our credentials were challenged again. RFC 7616 §3.3: stale=true means the nonce
        // expired but the credentials were right; anything else refuses them.
        const bool sameNonce = answered.challenge->nonce() == ch.nonce();
        if (!ch.stale() || sameNonce || answered.staleRetried) {
            out.errnoName = "EACCES";
            out.error = QStringLiteral("%1 %2 again after credentials for '%3' in realm \"%4\" (%5): wrong user name or password?")
                            .arg(status)
                            .arg(reason, QString::fromUtf8(m_client.username()), realm,
                                sameNonce                ? QStringLiteral("the same nonce challenged again")
                                    : answered.staleRetried ? QStringLiteral("stale again after a resend for a stale nonce")
                                                            : QStringLiteral("a new nonce, not stale"));
            return out;
        }
        answered.staleRetried = true;
    }
    const std::optional<CSeq> cseq = lastSent.cseq();
    const AuthorizationResult auth = m_client.authorize(ch, lastSent.method().toByteArray(), lastSent.requestUriText().toByteArray());
    if (!auth.ok || !cseq) {
        out.errnoName = "EPROTO";
        out.error = QStringLiteral("cannot answer the challenge of realm \"%1\": %2")
                        .arg(realm, auth.ok ? QStringLiteral("the request has no usable CSeq") : auth.error);
        return out;
    }
    if (cseq->number == 0xffffffffu) {
        out.errnoName = "EPROTO";
        out.error = QStringLiteral("cannot answer the challenge: CSeq %1 cannot be incremented").arg(cseq->number);
        return out;
    }
    answered.challenge = ch;
    Message next = lastSent;
    next.setHeader(HeaderId::CSeq, QByteArray::number(cseq->number + 1) + ' ' + cseq->method);
    // A Via of the request's own gets a new branch (a new transaction); one the stack adds is added anew.
    if (const std::optional<Via> via = next.topVia(); via && via->hasBranch()) {
        const QByteArrayView text = via->text(), branch = via->branch();
        const qsizetype at = branch.data() - text.data();
        next.setTopVia(text.first(at).toByteArray() + newBranch + text.sliced(at + branch.size()).toByteArray());
    }
    next.setHeader(out.proxy ? HeaderId::ProxyAuthorization : HeaderId::Authorization, auth.headerValue);
    out.summary = QStringLiteral("answering the %1 %2 challenge of realm \"%3\"%4 as '%5': CSeq %6, with %7")
                      .arg(QString::fromLatin1(ch.algorithmText().value_or("MD5")), QLatin1String(challengeName), realm,
                          ch.qopOptions().contains("auth") ? QStringLiteral(", qop=auth") : QString(),
                          QString::fromUtf8(m_client.username()), QString::number(cseq->number + 1),
                          QLatin1String(out.proxy ? "Proxy-Authorization" : "Authorization"));
    out.next = std::move(next);
    out.ok = true;
    return out;
}

} // namespace ladder::sip::auth
