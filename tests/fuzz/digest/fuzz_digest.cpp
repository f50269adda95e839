// SPDX-License-Identifier: GPL-3.0-or-later
// WWW-Authenticate / Proxy-Authenticate values come from the network: the decoder must never crash
// or read out of bounds, whatever the bytes. Besides that:
//  * a failed decode says why and yields no challenge;
//  * every decoded challenge encodes, and the encoding decodes to one challenge with the same scheme
//    and parameters (decode -> encode -> decode); several challenges joined with ", " decode to the
//    same list when each one after the first has a parameter (a bare scheme there would read as a
//    parameter without '=');
//  * a challenge is answered exactly when unsupportedReason() finds nothing wrong, otherwise the
//    error is that reason; an answer decodes with the same grammar, carries the challenge's realm,
//    nonce and opaque, nc 00000001 on a fresh client, and the response computeResponse() gives
//    for the same inputs (32 hex digits for MD5, 64 for SHA-256);
//  * selectChallenge() over the input's lines picks a challenge that can be answered, or says why
//    none can;
//  * the input as Authorization values (its lines) never verifies at a DigestServer whose nonces it
//    cannot know (a secret of the run), and every refusal says why; a client's answer to that
//    server's challenge verifies once, and the same answer again is a replay.
#include "../common/check.h"

#include "sip/auth/digest.h"
#include "sip/auth/verify.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ladder::sip::auth;
using ladder::fuzz::check;

namespace {

bool sameChallenge(const Challenge& a, const Challenge& b) { return a.scheme == b.scheme && a.params == b.params; }

void checkAnswer(const Challenge& c)
{
    DigestClient client("alice", "secret");
    client.setCnonceSource([] { return QByteArray("0a4f113b"); });
    const QString why = unsupportedReason(c);
    const AuthorizationResult r = client.authorize(c, "REGISTER", "sip:example.com");
    check(r.ok == why.isEmpty(), "a challenge is answered exactly when nothing is unsupported");
    if (!r.ok) {
        check(r.error == why, "a refused challenge gives the reason");
        return;
    }
    check(!r.headerValue.contains('\r') && !r.headerValue.contains('\n'), "the Authorization value has no CR or LF");
    const DecodeResult back = decodeChallenges(r.headerValue);
    if (r.headerValue.size() > kMaxHeaderValue)
        return;
    if (!back.ok)
        std::fprintf(stderr, "decoding the answer: %s\n", qPrintable(back.error));
    check(back.ok && back.challenges.size() == 1, "the answer decodes to one credentials value");
    const Challenge& cred = back.challenges.first();
    check(cred.isDigest(), "the answer is Digest");
    check(cred.param("username") == QByteArray("alice"), "username kept");
    check(cred.realm() == c.realm() && cred.nonce() == c.nonce(), "realm and nonce echoed");
    check(cred.opaque() == c.opaque(), "opaque echoed when given");
    const Algorithm algorithm = algorithmFromName(c.algorithmText().value_or("MD5")).value_or(Algorithm::Md5);
    DigestInput in;
    in.algorithm = algorithm;
    in.username = "alice";
    in.password = "secret";
    in.realm = c.realm();
    in.nonce = c.nonce();
    in.method = "REGISTER";
    in.uri = "sip:example.com";
    const bool qop = c.qopOptions().contains("auth");
    const bool sess = algorithm == Algorithm::Md5Sess || algorithm == Algorithm::Sha256Sess;
    if (qop) {
        in.qop = "auth";
        in.nc = "00000001";
        check(cred.param("nc") == QByteArray("00000001"), "nc starts at 1");
    }
    if (qop || sess)
        in.cnonce = "0a4f113b";
    const QByteArray response = cred.param("response").value_or(QByteArray());
    const bool sha = algorithm == Algorithm::Sha256 || algorithm == Algorithm::Sha256Sess;
    check(response.size() == (sha ? 64 : 32), "the response is one hash in hex");
    check(response == computeResponse(in), "the response is the one computed from the same inputs");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char*>(data), qsizetype(size));
    const DecodeResult r = decodeChallenges(input);
    check(r.ok || (!r.error.isEmpty() && r.challenges.isEmpty()), "a failed decode says why and yields nothing");
    if (r.ok) {
        check(!r.challenges.isEmpty() && r.challenges.size() <= kMaxChallenges, "one to kMaxChallenges challenges");
        QByteArray joined;
        bool joinable = true;
        for (qsizetype i = 0; i < r.challenges.size(); ++i) {
            const Challenge& c = r.challenges[i];
            check(c.params.size() <= kMaxParams, "at most kMaxParams parameters");
            const QByteArray encoded = encodeChallenge(c);
            joined += (i ? ", " : "") + encoded;
            joinable = joinable && (i == 0 || !c.params.isEmpty());
            if (encoded.size() <= kMaxHeaderValue) {
                const DecodeResult again = decodeChallenges(encoded);
                if (!again.ok)
                    std::fprintf(stderr, "decoding the encoding: %s\n", qPrintable(again.error));
                check(again.ok && again.challenges.size() == 1, "an encoded challenge decodes to one challenge");
                check(sameChallenge(again.challenges.first(), c), "decode -> encode -> decode keeps scheme and parameters");
                check(encodeChallenge(again.challenges.first()) == encoded, "encoding again gives the same bytes");
            }
            checkAnswer(c);
        }
        if (joinable && joined.size() <= kMaxHeaderValue) {
            const DecodeResult again = decodeChallenges(joined);
            check(again.ok && again.challenges.size() == r.challenges.size(), "joined challenges decode to as many");
            for (qsizetype i = 0; i < r.challenges.size(); ++i)
                check(sameChallenge(again.challenges[i], r.challenges[i]), "joined challenges keep their fields");
        }
    }
    // The input's lines as the header fields of one response.
    QList<QByteArrayView> fields;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= input.size(); ++i)
        if (i == input.size() || input[i] == '\n') {
            fields.append(input.sliced(start, i - start));
            start = i + 1;
        }
    const Selection s = selectChallenge(fields);
    if (s.challenge) {
        check(unsupportedReason(*s.challenge).isEmpty(), "the selected challenge can be answered");
        check(s.error.isEmpty(), "a selection has no error");
        checkAnswer(*s.challenge);
    } else {
        check(!s.error.isEmpty(), "no selection says why");
    }
    // The UAS side: the input as credentials.
    DigestServer server("ladderlab", "a secret the input cannot know");
    const auto password = [](const QByteArray& user) -> std::optional<QByteArray> {
        return user == "alice" ? std::optional<QByteArray>("secret") : std::nullopt;
    };
    const DigestServer::Verdict v = server.verify(fields, "REGISTER", "sip:example.com", password, 1'800'000'000);
    check(!v.ok(), "credentials from the input never verify (the nonce's MAC is a secret of the run)");
    check(!v.reason.isEmpty(), "a refusal says why");
    const DecodeResult ch = decodeChallenges(server.challenge(1'800'000'000));
    check(ch.ok && ch.challenges.size() == 1, "the server's challenge decodes");
    DigestClient client("alice", "secret");
    const AuthorizationResult a = client.authorize(ch.challenges.first(), "REGISTER", "sip:example.com");
    check(a.ok, "the server's challenge can be answered");
    check(server.verify({ a.headerValue }, "REGISTER", "sip:example.com", password, 1'800'000'001).ok(), "a right answer verifies");
    check(server.verify({ a.headerValue }, "REGISTER", "sip:example.com", password, 1'800'000'001).result
            == DigestServer::Verdict::Result::Replay,
        "the same answer again is a replay");
    return 0;
}
