// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "listenerspec.h"
#include "sipresolver.h"
#include "core/scheduler.h"
#include "sip/auth/reauth.h"
#include "sip/auth/verify.h"
#include "sip/sipstack.h"
#include "sip/transport/tlscontext.h"

#include <QHash>
#include <QMetaType>
#include <QObject>

#include <memory>

namespace ladder {
class Stack;
}

namespace ladder::ui {

// A request the stack delivered and nobody has answered yet: what the "Waiting for you" queue shows.
// Every text is escaped (escapeNetworkText): it came from the network.
struct WaitingRequest {
    quint64 transaction = 0;
    // The check of the credentials a request resent after your 401/407 carries (empty: none was
    // due): "credentials for 'alice' verified (MD5)" or "refused: …".
    QString credentials;
    QString method;
    QString requestLine; // "INVITE sip:bob@127.0.0.1 SIP/2.0"
    QString from, to, callId;
    QString source; // "udp 127.0.0.1:40112"
    QString text; // the whole request, escaped line by line
    qint64 receivedMs = 0; // wall-clock ms since the epoch
    qint64 deadlineMs = 0; // when the default answer goes out unless the user answers
};

// What to do with a new request of one method.
struct AnswerRule {
    enum class Action { Hold, Answer, RingThenAnswer };
    Action action = Action::Hold;
    int status = 200; // Answer: this status; RingThenAnswer: the final status after the ring
    int ringSeconds = 3; // RingThenAnswer: 180 at once, `status` after this long
    QString toString() const; // "hold", "200", "180+200:3"
    static bool parse(const QString& text, AnswerRule* out);
};

// Digest as a UAS (RFC 3261 §22.1, §22.4): requests of these methods whose credentials do not
// verify are answered 401 with a challenge (realm, MD5 or SHA-256 or both — two WWW-Authenticate
// headers, SHA-256 first, RFC 8760 — qop="auth"); those that verify go on to their method's rule.
// One account is accepted.
struct UasAuth {
    enum class Algorithms { Md5, Sha256, Both }; // Both: SHA-256 then MD5, two headers (RFC 8760)
    QStringList methods; // upper case; empty: nothing is challenged
    QString user, password;
    Algorithms algorithms = Algorithms::Md5;
    static QString algorithmsName(Algorithms a); // "MD5", "SHA-256", "SHA-256+MD5"
    static Algorithms algorithmsFromName(const QString& name); // MD5 for anything else
    QString realm = QStringLiteral("ladderlab");
    bool challenges(const QString& method) const { return methods.contains(method) && !user.isEmpty(); }
};

// The rules: per method (upper case) plus the fallback for every other method, the default
// answer that keeps a held transaction from timing out silently, and the digest check.
struct AnswerRules {
    QHash<QString, AnswerRule> byMethod;
    AnswerRule other;
    int giveUpSeconds = 30; // < 64·T1 (32 s), the client's Timer B/F
    int giveUpStatus = 480;
    UasAuth auth;
    AnswerRule ruleFor(const QString& method) const { return byMethod.value(method, other); }
    static AnswerRules defaults(); // OPTIONS, REGISTER, BYE → 200; INVITE and the rest held
};

// A user's answer to a waiting request.
struct ManualAnswer {
    quint64 transaction = 0;
    int status = 486;
    QString reason; // empty: the standard phrase
    QString headers; // "Name: value" lines
    QByteArray body;
    QString contentType; // with a body; application/sdp when empty
};

// A 401/407 to a request we sent (the composer's or a dialog action's), waiting for the user to
// resend it with credentials (or answered at once with the saved ones). Texts from the network
// are escaped.
struct ChallengeNotice {
    quint64 transaction = 0; // the challenged client transaction
    int status = 0; // 401 or 407
    QString reason; // "Unauthorized"
    QString method; // "REGISTER"
    QString requestUri;
    QString realm, algorithm; // "MD5" when the challenge names none
    bool qopAuth = false;
    QString peer; // "udp 127.0.0.1:5060"
    // Non-empty when credentials already given were challenged again (EACCES, "wrong user name or
    // password?") or the challenge cannot be answered (EPROTO): what went wrong.
    QString problem;
    QString user; // the user name the refused credentials carried
};

// The outcome of one call into the engine, for the UI.
struct NetworkResult {
    bool ok = false;
    QString errnoName;
    QString text;
    quint64 transaction = 0;
};

// Network mode's SIP endpoint: a SipStack on real sockets (the listeners the user chose) that
// journals into the window's journal like the lab's stacks. Lives on the stack thread; every call
// must come from there (StackThread::invoke). Talks to the UI only through its queued signals.
class NetworkEngine : public QObject {
    Q_OBJECT
public:
    explicit NetworkEngine(Stack& stack, QObject* parent = nullptr);
    ~NetworkEngine() override;

    // Binds every listener (a running engine is stopped first). On failure nothing stays bound
    // and *error names the listener and the reason. *bound: the addresses as bound.
    bool start(const QList<ListenerSpec>& listeners, QStringList* bound, QString* error);
    void stop();
    bool running() const { return m_sip != nullptr; }
    sip::SipStack* sipStack() const { return m_sip.get(); }

    void setRules(const AnswerRules& rules);
    // Client side of TLS/WSS: trust any certificate (errors still journalled).
    void setTrustAnyCertificate(bool on) { m_trustAny = on; }
    // Client side of TLS/WSS, per peer: "HOST:PORT" → the SHA-256 digest of the one certificate
    // trusted there despite verification errors (the panel's "Trust this certificate").
    void setTrustedPeers(const QHash<QString, QByteArray>& trusted);

    NetworkResult answer(const ManualAnswer& answer);
    // The composer's send: target PROTO:HOST:PORT. The top Via's transport and sent-by become the
    // connection's own (a template's lab address would make the answer unroutable).
    NetworkResult sendSip(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork);
    // The same to targets tried in order (RFC 3263 §4.3): the first; when it fails — the send
    // itself (no connection, connection refused), the client transaction's transport error or
    // timeout (Timer B/F), or a 503 — the same request with a new branch (a new transaction; same
    // Call-ID, tags and CSeq) to the next, each step logged; failedOver() reports the later ones.
    NetworkResult sendSipTo(const QByteArray& bytes, const TargetCursor& targets, quint64 dialog, bool stateful, bool onFork);
    // The SIP timers of the next start (T1 and friends; RFC 3261's defaults until set).
    void setTimers(const sip::TimerConfig& timers) { m_timers = timers; }
    // In-dialog requests and CANCEL (the dialogs view's actions): method BYE, INVITE, UPDATE, INFO.
    NetworkResult sendInDialog(quint64 dialog, const QString& method);
    NetworkResult cancelInvite(quint64 transaction);

    // Digest as a UAC (RFC 3261 §22.2): the challenged request again with credentials — new CSeq,
    // new branch, same Call-ID and tags, Authorization or Proxy-Authorization. A second challenge
    // to these credentials comes back as a ChallengeNotice with a problem, never as a loop.
    NetworkResult resendWithCredentials(quint64 transaction, const QString& user, const QString& password);
    void dismissChallenge(quint64 transaction) { m_sent.remove(transaction); }
    // The accounts that answer new challenges at once, realm (as shown, escaped) → (user,
    // password); a challenge of another realm waits for the user (challenged()). Empty: ask every time.
    void setAutoAccounts(const QHash<QString, QPair<QString, QString>>& accounts) { m_autoAccounts = accounts; }
    QList<quint64> waitingTransactions() const { return m_waiting.keys(); }

    static QString rewriteTopVia(const QByteArray& bytes, const sip::Connection& c, QByteArray* out);
    // A lab template's From and Contact name the lab's own address (10.0.0.1[:5060]): sent to a
    // real peer they become the socket's — From's host, Contact's host:port (and transport= for
    // a stream); any other host was typed and is kept. Returns what changed ("Contact 10.0.0.1:5060
    // → 127.0.0.1:5070"), empty for nothing.
    static QString rewriteLabAddresses(const QByteArray& bytes, const sip::Connection& c, QByteArray* out);

signals:
    void waiting(const ladder::ui::WaitingRequest& request);
    // The request left the queue: answered (by the user, a rule or the default) or ended.
    void answered(quint64 transaction, const QString& how);
    void snapshotReady(const ladder::sip::StackSnapshot& snapshot);
    void stopped(const QString& why);
    void challenged(const ladder::ui::ChallengeNotice& notice);
    // A request resent with credentials got its final answer (ok: not 401/407 again).
    void authenticated(quint64 transaction, int status, const QString& text);
    // The credentials of a request resent after a 401/407 answered by hand, checked by the UAS
    // digest server (ok: verified; else refused, text saying why).
    void credentialsChecked(quint64 transaction, bool ok, const QString& text);
    // A TLS/WSS peer's certificate was refused: its reasons (expired, name mismatch, unknown CA…),
    // its SHA-256 digest (hex) and its subject (escaped), for the user to trust that peer anyway.
    void tlsRefused(const QString& peer, const QString& why, const QString& digestHex, const QString& subject);
    // A request of sendSipTo() failed at its target after the send returned: sent to the next one
    // (ok, its transaction), or none was left (!ok). text says which failed, why, and what next.
    void failedOver(bool ok, const QString& errnoName, const QString& text, quint64 transaction);

private:
    struct Pending {
        sip::Incoming in;
        Scheduler::TimerId giveUp = 0;
        Scheduler::TimerId ring = 0;
    };
    void onRequest(const sip::Incoming& in);
    // The SDP answer a rule's 2xx to an INVITE with an offer carries (empty: none needed).
    static QByteArray sdpAnswerFor(const sip::Incoming& in);
    // False when the request was answered 401 (its credentials missing or wrong).
    bool admitted(const sip::Incoming& in, const QString& method);
    // A 401/407 answered by hand: the next request of that Call-ID carries the credentials to check.
    struct HandChallenge {
        bool proxy = false; // 407: Proxy-Authorization
        qint64 issuedSecs = 0;
        quint64 transaction = 0; // the one answered 401/407
    };
    // The UAS account's verdict on a request's Authorization (Proxy-Authorization when `proxy`):
    // the Challenge rule's and a hand 401/407's check both. With no account set, nothing verifies
    // (an empty user name does not match an empty account). *source: "udp 127.0.0.1:5070".
    sip::auth::DigestServer::Verdict verifyCredentials(const sip::Incoming& in, bool proxy, QString* source);
    // Checks the credentials of a request resent after a hand 401/407; true when they verify.
    bool checkHandChallenge(const sip::Incoming& in, const QString& method, const HandChallenge& challenge, QString* text);
    NetworkResult reply(quint64 tx, int status, const QByteArray& reason, const QList<QPair<QByteArray, QByteArray>>& headers,
        const QByteArray& body, const QByteArray& contentType, const QString& how);
    void forget(quint64 tx);
    sip::Transport* clientTransport(sip::TransportType type, const sip::HostPort& remote, QString* error);
    void publishSoon();
    // Requests we sent, until their final response (and, when challenged, until resent or dismissed).
    struct Sent {
        sip::Message request; // as sent by us (the stack's own Via not included)
        std::shared_ptr<sip::Connection> connection; // null: the dialog's route
        quint64 dialog = 0;
        sip::SendFlags flags;
        std::shared_ptr<sip::auth::ChallengeAnswerer> answerer; // credentials used on this request's chain
        std::optional<sip::Message> challenge; // the 401/407 waiting for the user
        QString peer;
        quint64 order = 0;
    };
    void remember(quint64 tx, Sent sent);
    void onFinalResponse(const sip::Incoming& in);
    NetworkResult resend(quint64 tx, Sent entry, const std::shared_ptr<sip::auth::ChallengeAnswerer>& answerer);
    // RFC 3263 §4.3: a request waiting to learn whether its target answers, and the rest.
    struct Failover {
        QByteArray bytes; // as the composer gave them
        TargetCursor cursor;
        quint64 dialog = 0;
        bool stateful = false, onFork = false;
        bool heard = false; // a provisional response came: a timeout is then no failure (§4.3)
    };
    NetworkResult attempt(Failover f, bool newBranch);
    NetworkResult sendOne(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork);
    // errnoName: what the request's failure reads as when no target is left (ETIMEDOUT, EIO, EAGAIN for a 503).
    void targetFailed(quint64 tx, const QString& why, const char* errnoName);

    Stack& m_stack;
    std::unique_ptr<sip::SipStack> m_sip;
    AnswerRules m_rules = AnswerRules::defaults();
    bool m_trustAny = false;
    std::shared_ptr<sip::TlsPeerTrust> m_peerTrust;
    QHash<quint64, Pending> m_waiting;
    Scheduler::TimerId m_publish = 0;
    std::unique_ptr<sip::auth::DigestServer> m_digest; // per realm; a fresh secret each time
    QHash<quint64, Sent> m_sent;
    quint64 m_sentOrder = 0;
    QHash<QString, QPair<QString, QString>> m_autoAccounts;
    QHash<QByteArray, HandChallenge> m_handChallenged; // by Call-ID, bounded
    QHash<quint64, Failover> m_failover; // by the transaction of the target being tried
    QHash<quint64, QString> m_failedDuringSend; // transport errors raised inside a send() call
    bool m_sending = false;
    QList<Scheduler::TimerId> m_failoverTimers; // the next targets' sends, posted
    sip::TimerConfig m_timers;
};

} // namespace ladder::ui

Q_DECLARE_METATYPE(ladder::ui::WaitingRequest)
Q_DECLARE_METATYPE(ladder::ui::ChallengeNotice)
