// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Answering 401/407 challenges to one request with one set of credentials (RFC 3261 §22.2,
// RFC 7616 §3.3): the request again with a new CSeq, a new branch in a Via of its own, the same
// Call-ID and tags, and Authorization / Proxy-Authorization. Shared by `ladderctl send sip --auth`
// and the window's network mode.
//
// Bounded: each kind (401 and 407) is answered once, plus once more per kind when the server says
// the nonce was stale; a second challenge to credentials already given is a refusal (EACCES).

#include "digest.h"
#include "sip/message/message.h"

#include <optional>

namespace ladder::sip::auth {

class ChallengeAnswerer {
public:
    ChallengeAnswerer(QByteArray username, QByteArray password);

    struct Outcome {
        bool ok = false;
        Message next; // the request to send, when ok
        const char* errnoName = ""; // "EACCES": the credentials were refused; "EPROTO": cannot be answered
        QString error; // when !ok, e.g. "401 Unauthorized again after credentials for 'alice' in realm …"
        // When ok: "answering the MD5 WWW-Authenticate challenge of realm "x", qop=auth as 'alice':
        // CSeq 8, with Authorization" (the realm as the server wrote it: escape it before printing).
        QString summary;
        bool proxy = false; // 407 / Proxy-Authorization
        Challenge challenge; // the one answered, or (EACCES) the one that refused
    };
    // `lastSent` is the request as last sent (before the stack added its own Via); `response` its
    // 401 or 407; `newBranch` a fresh RFC 3261 branch for a Via the request carries itself.
    Outcome answer(const Message& lastSent, const Message& response, const QByteArray& newBranch);

    const QByteArray& username() const { return m_client.username(); }
    // For tests: a fixed cnonce.
    void setCnonceSource(std::function<QByteArray()> source) { m_client.setCnonceSource(std::move(source)); }

private:
    struct Answered {
        std::optional<Challenge> challenge;
        bool staleRetried = false;
    };
    DigestClient m_client;
    Answered m_www, m_proxy;
};

} // namespace ladder::sip::auth
