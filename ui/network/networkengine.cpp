// SPDX-License-Identifier: GPL-3.0-or-later
#include "networkengine.h"

#include "host/stack.h"
#include "journal/event.h"
#include "journal/journal.h"
#include "sip/message/ids.h"
#include "sip/message/parser.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/tlscontext.h"
#include "sip/transport/udptransport.h"
#include "sip/transport/wstransport.h"

#include <QDateTime>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace ladder::ui {

// ---- rules ----

QString AnswerRule::toString() const
{
    switch (action) {
    case Action::Hold:
        return QStringLiteral("hold");
    case Action::Answer:
        return QString::number(status);
    case Action::RingThenAnswer:
        return QStringLiteral("180+%1:%2").arg(status).arg(ringSeconds);
    }
    return {};
}

bool AnswerRule::parse(const QString& text, AnswerRule* out)
{
    const QString t = text.trimmed().toLower();
    AnswerRule r;
    if (t == QLatin1String("hold")) {
        r.action = Action::Hold;
    } else if (static const QRegularExpression ring(QStringLiteral(R"(^180\+([2-6]\d\d):(\d{1,4})$)"));
               ring.match(t).hasMatch()) {
        const auto m = ring.match(t);
        r.action = Action::RingThenAnswer;
        r.status = m.captured(1).toInt();
        r.ringSeconds = m.captured(2).toInt();
    } else {
        bool ok = false;
        const int status = t.toInt(&ok);
        if (!ok || status < 200 || status > 699)
            return false;
        r.action = Action::Answer;
        r.status = status;
    }
    *out = r;
    return true;
}

AnswerRules AnswerRules::defaults()
{
    AnswerRules r;
    AnswerRule ok;
    ok.action = AnswerRule::Action::Answer;
    ok.status = 200;
    r.byMethod.insert(QStringLiteral("OPTIONS"), ok);
    r.byMethod.insert(QStringLiteral("REGISTER"), ok);
    r.byMethod.insert(QStringLiteral("BYE"), ok);
    r.byMethod.insert(QStringLiteral("INVITE"), AnswerRule {});
    r.other = AnswerRule {};
    return r;
}

// ---- the engine ----

namespace {

NetworkResult failure(const char* errnoName, const QString& why)
{
    NetworkResult r;
    r.errnoName = QString::fromLatin1(errnoName);
    r.text = why;
    return r;
}

NetworkResult fromSend(const sip::SendResult& s)
{
    NetworkResult r;
    r.ok = s.ok();
    r.errnoName = QString::fromLatin1(s.errnoName);
    r.text = s.ok() ? (s.note.isEmpty() ? QStringLiteral("sent") : QStringLiteral("sent (%1)").arg(s.note)) : s.reason;
    r.transaction = s.transaction;
    return r;
}

bool isLoopbackHost(const QString& host)
{
    const QHostAddress a(host);
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 || (!a.isNull() && a.isLoopback());
}

} // namespace

NetworkEngine::NetworkEngine(Stack& stack, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
{
    qRegisterMetaType<ladder::ui::WaitingRequest>();
    qRegisterMetaType<ladder::ui::ChallengeNotice>();
    // Per-peer TLS trust: shared by every client transport, so a peer trusted now is trusted at
    // its next handshake. A refusal is offered to the user (the panel's "Trust this certificate").
    m_peerTrust = std::make_shared<sip::TlsPeerTrust>();
    m_peerTrust->refused = [this](const QString& peer, const QString& why, const QSslCertificate& certificate) {
        const QByteArray digest = sip::TlsPeerTrust::digest(certificate);
        if (digest.isEmpty())
            return; // no certificate to trust (a handshake that failed before one came)
        emit tlsRefused(peer, why, QString::fromLatin1(digest.toHex()),
            escapeNetworkText(certificate.subjectDisplayName().toUtf8(), 120));
    };
}

void NetworkEngine::setTrustedPeers(const QHash<QString, QByteArray>& trusted)
{
    m_peerTrust->setAll(trusted);
}

NetworkEngine::~NetworkEngine()
{
    stop();
}

bool NetworkEngine::start(const QList<ListenerSpec>& listeners, QStringList* bound, QString* error)
{
    stop();
    auto sip = std::make_unique<sip::SipStack>(m_stack.scheduler(), &m_stack.journal());
    sip->setLabel(QStringLiteral("me"));
    sip->setTimers(m_timers);
    QStringList at;
    for (const ListenerSpec& l : listeners) {
        QString why;
        std::optional<sip::TlsContext> tls;
        if (l.type == sip::TransportType::Tls || l.type == sip::TransportType::Wss) {
            sip::TlsSettings settings;
            settings.selfSigned = l.certificateFile.isEmpty(); // no files named: a certificate made now
            settings.certificateFile = l.certificateFile;
            settings.keyFile = l.keyFile;
            settings.insecure = m_trustAny;
            tls = sip::TlsContext::make(settings, l.at.host, &why);
            if (!tls) {
                *error = QStringLiteral("%1: %2").arg(l.toString(), why);
                return false;
            }
        }
        std::unique_ptr<sip::Transport> t;
        bool ok = false;
        switch (l.type) {
        case sip::TransportType::Udp: {
            auto u = std::make_unique<sip::UdpTransport>();
            ok = u->bind(l.at, &why);
            t = std::move(u);
            break;
        }
        case sip::TransportType::Tcp:
        case sip::TransportType::Tls: {
            auto c = tls ? std::make_unique<sip::TcpTransport>(std::move(*tls)) : std::make_unique<sip::TcpTransport>();
            ok = c->listen(l.at, &why);
            t = std::move(c);
            break;
        }
        case sip::TransportType::Ws:
        case sip::TransportType::Wss: {
            auto w = tls ? std::make_unique<sip::WsTransport>(std::move(*tls)) : std::make_unique<sip::WsTransport>();
            w->setPath(QStringLiteral("/"));
            ok = w->listen(l.at, &why);
            t = std::move(w);
            break;
        }
        default:
            why = QStringLiteral("SCTP listeners are not offered in the window yet");
        }
        if (!ok) {
            *error = QStringLiteral("%1: %2").arg(l.toString(), why);
            return false; // sip (and what it bound) goes away here
        }
        at << l.proto() + QLatin1Char(':') + t->local().toString();
        sip->addTransport(std::move(t));
    }
    m_sip = std::move(sip);
    connect(m_sip.get(), &sip::SipStack::requestReceived, this, &NetworkEngine::onRequest);
    connect(m_sip.get(), qOverload<quint64, int>(&sip::SipStack::transactionTerminated), this, [this](quint64 tx, int) {
        if (m_waiting.contains(tx)) {
            forget(tx);
            emit answered(tx, tr("ended before an answer (cancelled or failed)"));
        }
    });
    connect(m_sip.get(), &sip::SipStack::changed, this, &NetworkEngine::publishSoon);
    // A UA acknowledges every 2xx to its INVITEs (RFC 3261 §13.2.2.4), retransmissions included:
    // the composer's INVITE and the re-INVITEs of the dialogs view complete their dialogs.
    connect(m_sip.get(), &sip::SipStack::responseReceived, this, &NetworkEngine::onFinalResponse);
    connect(m_sip.get(), &sip::SipStack::transactionTimedOut, this, [this](quint64 tx, const QString& timer) {
        if (const auto it = m_sent.find(tx); it != m_sent.end() && !it->challenge)
            m_sent.erase(it);
        // RFC 3263 §4.3: a timeout "without ever having received any response, provisional or
        // final" is a failure of the target; after a provisional one the target is there.
        if (const auto it = m_failover.find(tx); it != m_failover.end() && it->heard) {
            m_stack.log(2, tr("%1: %2 timed out (Timer %3) after a provisional response: no failover (RFC 3263 §4.3)")
                               .arg(it->cursor.what().isEmpty() ? tr("failover") : tr("RFC 3263 %1").arg(it->cursor.what()),
                                   it->cursor.current(), timer));
            m_failover.erase(it);
            return;
        }
        const qint64 ms = m_sip ? m_sip->timers().sixtyFourT1() / 1000000 : 0;
        targetFailed(tx, tr("no answer: Timer %1 fired (64·T1 = %2 s)").arg(timer).arg(double(ms) / 1000.0), "ETIMEDOUT");
    });
    connect(m_sip.get(), &sip::SipStack::transactionFailed, this, [this](quint64 tx, const QString& why) {
        if (m_sending && !m_failover.contains(tx)) {
            m_failedDuringSend.insert(tx, why); // the send in progress reads it
            return;
        }
        if (const auto it = m_sent.find(tx); it != m_sent.end() && !it->challenge)
            m_sent.erase(it);
        targetFailed(tx, why, "EIO");
    });
    connect(m_sip.get(), qOverload<quint64, int>(&sip::SipStack::transactionTerminated), this, [this](quint64 tx, int) {
        m_failover.remove(tx); // answered (or failed, handled above)
    });
    connect(m_sip.get(), &sip::SipStack::responseReceived, this, [this](const sip::Incoming& in) {
        const int status = in.message.statusCode();
        const auto it = m_failover.find(in.transaction);
        if (it == m_failover.end())
            return;
        if (status < 200) {
            it->heard = true;
            return;
        }
        if (status == 503) // RFC 3263 §4.3: the next target
            targetFailed(in.transaction, QStringLiteral("%1 %2").arg(status).arg(escapeNetworkText(in.message.reasonPhrase(), 80)), "EAGAIN");
        else
            m_failover.remove(in.transaction); // the target answered: no failover any more
    });
    connect(m_sip.get(), &sip::SipStack::responseReceived, this, [this](const sip::Incoming& in) {
        const auto cseq = in.message.cseq();
        const int status = in.message.statusCode();
        if (!m_sip || !cseq || cseq->method != "INVITE" || status < 200 || status >= 300 || !in.dialog)
            return;
        const sip::SendResult r = m_sip->ackTwoHundred(in.dialog, cseq->number);
        if (!r.ok())
            m_stack.log(3, tr("network mode: cannot ACK the %1 of dialog %2: %3").arg(status).arg(in.dialog).arg(r.reason));
    });
    m_stack.log(1, tr("network mode: listening on %1").arg(at.join(QStringLiteral(", "))));
    if (bound)
        *bound = at;
    publishSoon();
    return true;
}

void NetworkEngine::stop()
{
    if (!m_sip)
        return;
    for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
        m_stack.scheduler().cancel(it->giveUp);
        m_stack.scheduler().cancel(it->ring);
    }
    const QList<quint64> left = m_waiting.keys();
    m_waiting.clear();
    for (quint64 tx : left)
        emit answered(tx, tr("network mode stopped"));
    m_stack.scheduler().cancel(m_publish);
    m_publish = 0;
    m_sent.clear();
    m_failover.clear();
    for (Scheduler::TimerId id : std::as_const(m_failoverTimers))
        m_stack.scheduler().cancel(id);
    m_failoverTimers.clear();
    m_sip.reset();
    m_stack.log(1, tr("network mode: stopped, every listener closed"));
    emit stopped(tr("stopped"));
}

void NetworkEngine::publishSoon()
{
    if (!m_sip || m_publish)
        return;
    // Four times a second while running (armed timers count down in the views), at once after a change.
    m_publish = m_stack.scheduler().scheduleMs(100, [this] {
        m_publish = 0;
        if (!m_sip)
            return;
        emit snapshotReady(m_sip->snapshots());
        if (m_sip->liveTransactions() > 0)
            m_publish = m_stack.scheduler().scheduleMs(250, [this] {
                m_publish = 0;
                publishSoon();
            });
    });
}

QByteArray NetworkEngine::sdpAnswerFor(const sip::Incoming& in)
{
    // RFC 3264 §6: a 2xx to an INVITE carrying an offer carries the answer. One audio stream with
    // the first of PCMU/PCMA the offer lists (PCMU when it lists neither); no media flows — the
    // answer makes the call valid for the peer, as the Answer form's SDP button does by hand.
    if (in.message.method() != "INVITE" || in.message.body().isEmpty()
        || !in.message.contentType().toByteArray().toLower().startsWith("application/sdp"))
        return {};
    int payload = 0;
    for (const QByteArray& line : in.message.body().toByteArray().split('\n'))
        if (line.startsWith("m=audio ")) {
            const QList<QByteArray> f = line.trimmed().split(' ');
            for (qsizetype i = 3; i < f.size(); ++i)
                if (f[i] == "0" || f[i] == "8") {
                    payload = f[i].toInt();
                    break;
                }
            break;
        }
    const QString host = in.connection ? in.connection->local().host : QStringLiteral("127.0.0.1");
    const char* ip = host.contains(QLatin1Char(':')) ? "IP6" : "IP4";
    const QByteArray session = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    return QByteArray("v=0\r\no=ladderlab ") + session + ' ' + session + " IN " + ip + ' ' + host.toLatin1() + "\r\ns=LadderLab\r\nc=IN " + ip
        + ' ' + host.toLatin1() + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP " + QByteArray::number(payload) + "\r\na=rtpmap:"
        + QByteArray::number(payload) + (payload == 8 ? " PCMA/8000" : " PCMU/8000") + "\r\na=sendrecv\r\n";
}

QString UasAuth::algorithmsName(Algorithms a)
{
    switch (a) {
    case Algorithms::Sha256: return QStringLiteral("SHA-256");
    case Algorithms::Both: return QStringLiteral("SHA-256+MD5");
    case Algorithms::Md5: break;
    }
    return QStringLiteral("MD5");
}

UasAuth::Algorithms UasAuth::algorithmsFromName(const QString& name)
{
    if (name.compare(QLatin1String("SHA-256"), Qt::CaseInsensitive) == 0)
        return Algorithms::Sha256;
    if (name.compare(QLatin1String("SHA-256+MD5"), Qt::CaseInsensitive) == 0)
        return Algorithms::Both;
    return Algorithms::Md5;
}

void NetworkEngine::setRules(const AnswerRules& rules)
{
    m_rules = rules;
    if (!m_digest || m_digest->realm() != rules.auth.realm.toUtf8()) {
        QByteArray secret(32, '\0');
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(secret.data()), secret.size() / 4);
        m_digest = std::make_unique<sip::auth::DigestServer>(rules.auth.realm.toUtf8(), secret);
    }
    using A = sip::auth::Algorithm;
    switch (rules.auth.algorithms) {
    case UasAuth::Algorithms::Md5: m_digest->setAlgorithms({ A::Md5 }); break;
    case UasAuth::Algorithms::Sha256: m_digest->setAlgorithms({ A::Sha256 }); break;
    case UasAuth::Algorithms::Both: m_digest->setAlgorithms({ A::Sha256, A::Md5 }); break;
    }
}

bool NetworkEngine::admitted(const sip::Incoming& in, const QString& method)
{
    if (!m_rules.auth.challenges(method))
        return true;
    QString source;
    const sip::auth::DigestServer::Verdict v = verifyCredentials(in, false, &source);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (v.ok()) {
        m_stack.log(1, tr("network mode: %1 from %2 (transaction %3): credentials for '%4' verified (%5)")
                           .arg(method, source)
                           .arg(in.transaction)
                           .arg(escapeNetworkText(v.user, 80), QString::fromLatin1(sip::auth::algorithmName(v.algorithm))));
        return true;
    }
    const bool tried = v.result != sip::auth::DigestServer::Verdict::Result::NoCredentials;
    m_stack.log(tried && !v.stale() ? 2 : 1,
        tr("network mode: %1 from %2 (transaction %3): %4%5: answering 401 with a challenge%6")
            .arg(method, source)
            .arg(in.transaction)
            .arg(v.user.isEmpty() ? QString() : tr("credentials for '%1': ").arg(escapeNetworkText(v.user, 80)))
            .arg(escapeNetworkText(v.reason.toUtf8(), 200))
            .arg(v.stale() ? QStringLiteral(" (stale=true)") : QString()));
    // One WWW-Authenticate per algorithm, SHA-256 first (RFC 8760 §2.4).
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const QByteArray& value : m_digest->challenges(now, v.stale()))
        headers.append({ QByteArrayLiteral("WWW-Authenticate"), value });
    reply(in.transaction, 401, {}, headers, {}, {}, tr("challenged"));
    return false;
}

sip::auth::DigestServer::Verdict NetworkEngine::verifyCredentials(const sip::Incoming& in, bool proxy, QString* source)
{
    if (!m_digest)
        setRules(m_rules);
    const QByteArray user = m_rules.auth.user.toUtf8(), password = m_rules.auth.password.toUtf8();
    *source = in.connection ? QStringLiteral("%1 %2").arg(QString::fromLatin1(sip::transportToken(in.connection->type())),
                                  in.connection->remote().toString())
                            : QString();
    return m_digest->verify(in.message.values(proxy ? sip::HeaderId::ProxyAuthorization : sip::HeaderId::Authorization),
        in.message.method(), in.message.requestUriText(),
        [&](const QByteArray& u) -> std::optional<QByteArray> {
            if (!user.isEmpty() && u == user)
                return password;
            return std::nullopt;
        },
        QDateTime::currentSecsSinceEpoch());
}

bool NetworkEngine::checkHandChallenge(const sip::Incoming& in, const QString& method, const HandChallenge& challenge, QString* text)
{
    QString source;
    const sip::auth::DigestServer::Verdict v = verifyCredentials(in, challenge.proxy, &source);
    const QString who = v.user.isEmpty() ? QString() : tr("credentials for '%1' ").arg(escapeNetworkText(v.user, 80));
    if (v.ok()) {
        *text = tr("%1verified (%2)").arg(who, QString::fromLatin1(sip::auth::algorithmName(v.algorithm)));
    } else {
        QString why = escapeNetworkText(v.reason.toUtf8(), 200);
        if (v.result == sip::auth::DigestServer::Verdict::Result::UnknownUser && m_rules.auth.user.isEmpty())
            why = tr("no account to check them against: set the Challenge line's Accept user and password");
        *text = tr("%1refused: %2").arg(who, why);
    }
    m_stack.log(v.ok() ? 1 : 2, tr("network mode: %1 from %2 (transaction %3), resent after your %4 (transaction %5): %6")
                                    .arg(method, source)
                                    .arg(in.transaction)
                                    .arg(challenge.proxy ? 407 : 401)
                                    .arg(challenge.transaction)
                                    .arg(*text));
    emit credentialsChecked(in.transaction, v.ok(), tr("%1 (transaction %2), resent after your %3: %4")
                                                        .arg(method)
                                                        .arg(in.transaction)
                                                        .arg(challenge.proxy ? 407 : 401)
                                                        .arg(*text));
    return v.ok();
}

void NetworkEngine::onRequest(const sip::Incoming& in)
{
    const QByteArrayView method = in.message.method();
    if (!in.transaction || method == "ACK" || method == "CANCEL")
        return; // the stack answered CANCEL itself (and the INVITE with 487); ACK has no answer
    const QString m = QString::fromLatin1(method.toByteArray()).toUpper();
    // A request resent after a 401/407 answered by hand: its credentials are checked once, by the
    // same digest server; verified ones skip the Challenge rule's check (a second look at the
    // same nc would be a replay).
    QString credentials;
    bool verified = false;
    if (const auto hc = m_handChallenged.find(in.message.callId().toByteArray()); hc != m_handChallenged.end()) {
        const HandChallenge challenge = *hc;
        m_handChallenged.erase(hc);
        if (QDateTime::currentSecsSinceEpoch() - challenge.issuedSecs <= 600)
            verified = checkHandChallenge(in, m, challenge, &credentials);
    }
    if (!verified && !admitted(in, m))
        return;
    AnswerRule rule = m_rules.ruleFor(m);
    if (!credentials.isEmpty() && !verified)
        rule.action = AnswerRule::Action::Hold; // refused after your challenge: yours to decide
    const quint64 tx = in.transaction;
    if (rule.action == AnswerRule::Action::Answer) {
        const QByteArray sdp = rule.status < 300 ? sdpAnswerFor(in) : QByteArray();
        reply(tx, rule.status, {}, {}, sdp, sdp.isEmpty() ? QByteArray() : QByteArrayLiteral("application/sdp"),
            tr("rule %1 → %2").arg(m).arg(rule.status));
        return;
    }

    Pending p;
    p.in = in;
    WaitingRequest w;
    w.transaction = tx;
    w.method = escapeNetworkText(method, 40);
    w.requestLine = escapeNetworkText(in.message.method().toByteArray() + ' ' + in.message.requestUriText().toByteArray(), 200);
    w.from = escapeNetworkText(in.message.value(sip::HeaderId::From), 200);
    w.to = escapeNetworkText(in.message.value(sip::HeaderId::To), 200);
    w.callId = escapeNetworkText(in.message.callId(), 120);
    if (in.connection)
        w.source = QStringLiteral("%1 %2").arg(QString::fromLatin1(sip::transportToken(in.connection->type())),
            in.connection->remote().toString());
    QStringList lines;
    for (const QByteArray& line : in.bytes.left(8192).split('\n'))
        lines << escapeNetworkText(line.endsWith('\r') ? line.chopped(1) : line, 400);
    w.text = lines.join(QLatin1Char('\n'));
    w.receivedMs = QDateTime::currentMSecsSinceEpoch();
    w.credentials = credentials;

    if (rule.action == AnswerRule::Action::RingThenAnswer) {
        reply(tx, 180, {}, {}, {}, {}, QString());
        const int status = rule.status;
        const QByteArray sdp = status < 300 ? sdpAnswerFor(in) : QByteArray();
        p.ring = m_stack.scheduler().scheduleMs(qint64(rule.ringSeconds) * 1000, [this, tx, status, m, rule, sdp] {
            if (auto it = m_waiting.find(tx); it != m_waiting.end())
                it->ring = 0;
            reply(tx, status, {}, {}, sdp, sdp.isEmpty() ? QByteArray() : QByteArrayLiteral("application/sdp"),
                tr("rule %1 → 180, %2 after %3 s").arg(m).arg(status).arg(rule.ringSeconds));
        });
        w.deadlineMs = w.receivedMs + qint64(rule.ringSeconds) * 1000;
    } else {
        // Held for the user, but never left to time out silently: the default answer goes out
        // before the client's Timer B/F (64·T1) would fire.
        const int seconds = m_rules.giveUpSeconds;
        const int status = m_rules.giveUpStatus;
        p.giveUp = m_stack.scheduler().scheduleMs(qint64(seconds) * 1000, [this, tx, seconds, status, m] {
            if (auto it = m_waiting.find(tx); it != m_waiting.end())
                it->giveUp = 0;
            m_stack.log(2, tr("network mode: %1 (transaction %2) not answered within %3 s: answering %4")
                               .arg(m).arg(tx).arg(seconds).arg(status));
            reply(tx, status, {}, {}, {}, {}, tr("not answered within %1 s: %2 sent").arg(seconds).arg(status));
        });
        w.deadlineMs = w.receivedMs + qint64(seconds) * 1000;
    }
    m_waiting.insert(tx, p);
    emit waiting(w);
}

void NetworkEngine::forget(quint64 tx)
{
    const auto it = m_waiting.find(tx);
    if (it == m_waiting.end())
        return;
    m_stack.scheduler().cancel(it->giveUp);
    m_stack.scheduler().cancel(it->ring);
    m_waiting.erase(it);
}

NetworkResult NetworkEngine::reply(quint64 tx, int status, const QByteArray& reason,
    const QList<QPair<QByteArray, QByteArray>>& headers, const QByteArray& body, const QByteArray& contentType,
    const QString& how)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running"));
    const sip::SendResult s = m_sip->reply(tx, status, reason, headers, body, contentType);
    if (status >= 200 && m_waiting.contains(tx)) {
        forget(tx);
        emit answered(tx, s.ok() ? how : tr("%1 failed: %2").arg(status).arg(s.reason));
    }
    return fromSend(s);
}

NetworkResult NetworkEngine::answer(const ManualAnswer& a)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running"));
    if (a.status < 100 || a.status > 699)
        return failure("EINVAL", tr("%1 is not a status code (100–699)").arg(a.status));
    static const QRegularExpression control(QStringLiteral("[\\x00-\\x08\\x0a-\\x1f\\x7f]"));
    if (a.reason.contains(control))
        return failure("EINVAL", tr("the reason phrase holds a control character"));
    QList<QPair<QByteArray, QByteArray>> headers;
    bool challenged = false;
    for (QString line : a.headers.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        static const QRegularExpression token(QStringLiteral(R"(^[A-Za-z0-9!%'*+\-.^_`|~]+$)"));
        if (colon <= 0 || !token.match(line.left(colon).trimmed()).hasMatch() || line.contains(control))
            return failure("EINVAL", tr("extra header '%1' is not 'Name: value'").arg(line));
        const QByteArray name = line.left(colon).trimmed().toUtf8();
        if (name.compare("WWW-Authenticate", Qt::CaseInsensitive) == 0
            || name.compare("Proxy-Authenticate", Qt::CaseInsensitive) == 0)
            challenged = true;
        headers.append({ name, line.mid(colon + 1).trimmed().toUtf8() });
    }
    std::optional<QByteArray> handCallId;
    if ((a.status == 401 || a.status == 407) && !challenged) {
        // RFC 3261 §22.1/§22.3: a 401 carries WWW-Authenticate, a 407 Proxy-Authenticate — the
        // UAS digest server's challenge (its realm, the algorithm(s) chosen on the Challenge line,
        // self-validating nonces), so the request resent with credentials can be verified.
        if (!m_digest)
            setRules(m_rules);
        for (const QByteArray& value : m_digest->challenges(QDateTime::currentSecsSinceEpoch()))
            headers.append({ a.status == 401 ? QByteArrayLiteral("WWW-Authenticate") : QByteArrayLiteral("Proxy-Authenticate"), value });
        if (const auto it = m_waiting.constFind(a.transaction); it != m_waiting.constEnd())
            handCallId = it->in.message.callId().toByteArray();
    }
    const QByteArray type = a.body.isEmpty() ? QByteArray()
        : a.contentType.trimmed().isEmpty() ? QByteArrayLiteral("application/sdp")
                                            : a.contentType.trimmed().toUtf8();
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.object = a.transaction;
    action.text = tr("network: answer transaction %1 with %2 %3").arg(a.transaction).arg(a.status).arg(a.reason);
    m_stack.journal().append(std::move(action));
    NetworkResult r = reply(a.transaction, a.status, a.reason.toUtf8(), headers, a.body, type, tr("answered %1 by hand").arg(a.status));
    if (r.ok && handCallId && !handCallId->isEmpty()) {
        // The next request of this Call-ID (the client's resend, RFC 3261 §22.2) is checked.
        constexpr qsizetype kMaxHandChallenges = 64;
        if (m_handChallenged.size() >= kMaxHandChallenges) {
            auto oldest = m_handChallenged.begin();
            for (auto it = m_handChallenged.begin(); it != m_handChallenged.end(); ++it)
                if (it->issuedSecs < oldest->issuedSecs)
                    oldest = it;
            m_handChallenged.erase(oldest);
        }
        m_handChallenged.insert(*handCallId, HandChallenge { a.status == 407, QDateTime::currentSecsSinceEpoch(), a.transaction });
        r.text += tr(" — with a %1 challenge of realm \"%2\"; the credentials of the request resent are checked")
                      .arg(UasAuth::algorithmsName(m_rules.auth.algorithms), m_rules.auth.realm);
    }
    return r;
}

QString NetworkEngine::rewriteTopVia(const QByteArray& bytes, const sip::Connection& c, QByteArray* out)
{
    static const QRegularExpression via(
        QStringLiteral(R"(^((?:Via|v)[ \t]*:[ \t]*SIP[ \t]*/[ \t]*2\.0[ \t]*/[ \t]*)([A-Za-z]+)([ \t]+)([^;\s,]+))"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    QString text = QString::fromUtf8(bytes);
    // Only the header section.
    const qsizetype end = text.indexOf(QLatin1String("\r\n\r\n"));
    const auto m = via.match(end < 0 ? text : text.left(end));
    *out = bytes;
    if (!m.hasMatch())
        return {};
    const QString token = QString::fromLatin1(sip::transportToken(c.type()));
    const QString sentBy = c.local().toString();
    if (m.captured(2).compare(token, Qt::CaseInsensitive) == 0 && m.captured(4) == sentBy)
        return {};
    const QString before = m.captured(2) + QLatin1Char(' ') + m.captured(4);
    text.replace(m.capturedStart(2), m.capturedEnd(4) - m.capturedStart(2), token + m.captured(3) + sentBy);
    *out = text.toUtf8();
    return QStringLiteral("Via %1 → %2 %3").arg(before, token, sentBy);
}

QString NetworkEngine::rewriteLabAddresses(const QByteArray& bytes, const sip::Connection& c, QByteArray* out)
{
    // From/f and Contact/m header lines naming the lab's own address (the templates' 10.0.0.1,
    // with or without :5060): any other host is the user's and is kept.
    static const QRegularExpression line(QStringLiteral(R"(^(From|f|Contact|m)[ \t]*:[^\r\n]*)"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression lab(QStringLiteral(R"((sips?:[^@\s<>;,"]+@)10\.0\.0\.1(?::5060)?(?![\d.:]))"),
        QRegularExpression::CaseInsensitiveOption);
    QString text = QString::fromUtf8(bytes);
    const qsizetype end = text.indexOf(QLatin1String("\r\n\r\n"));
    const QString head = end < 0 ? text : text.left(end);
    const QString host = c.local().host.contains(QLatin1Char(':')) ? QLatin1Char('[') + c.local().host + QLatin1Char(']') : c.local().host;
    const QString transport = c.type() == sip::TransportType::Udp ? QString()
                                                                 : QStringLiteral(";transport=") + QString::fromLatin1(sip::transportToken(c.type())).toLower();
    QStringList changed;
    QString rebuilt;
    qsizetype at = 0;
    auto lines = line.globalMatch(head);
    while (lines.hasNext()) {
        const auto m = lines.next();
        const bool contact = m.captured(1).compare(QLatin1String("Contact"), Qt::CaseInsensitive) == 0
            || m.captured(1).compare(QLatin1String("m"), Qt::CaseInsensitive) == 0;
        QString value = m.captured(0);
        const auto u = lab.match(value);
        if (!u.hasMatch())
            continue;
        // Contact: where the peer sends its requests — the socket's address and port (and its
        // transport when not UDP); From: the address of record — the host only.
        QString replacement = u.captured(1) + (contact ? c.local().toString() : host);
        if (contact && !transport.isEmpty() && !value.mid(u.capturedEnd(0)).contains(QLatin1String("transport="), Qt::CaseInsensitive))
            replacement += transport;
        value.replace(u.capturedStart(0), u.capturedLength(0), replacement);
        rebuilt += text.mid(at, m.capturedStart(0) - at) + value;
        at = m.capturedEnd(0);
        changed << QStringLiteral("%1 %2 → %3").arg(contact ? QStringLiteral("Contact") : QStringLiteral("From"),
            u.captured(0).mid(u.captured(1).size()), replacement.mid(u.captured(1).size()));
    }
    if (changed.isEmpty()) {
        *out = bytes;
        return {};
    }
    rebuilt += text.mid(at);
    *out = rebuilt.toUtf8();
    return changed.join(QStringLiteral(", "));
}

sip::Transport* NetworkEngine::clientTransport(sip::TransportType type, const sip::HostPort& remote, QString* error)
{
    if (sip::Transport* t = m_sip->transport(type))
        return t;
    // None of this kind listens: one on an ephemeral port, on loopback for a loopback peer, on
    // the first non-loopback listener's address otherwise.
    sip::HostPort local { QHostAddress(remote.host).protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("::1")
                                                                                                : QStringLiteral("127.0.0.1"),
        0 };
    if (!isLoopbackHost(remote.host)) {
        local.host.clear();
        for (sip::Transport* t : m_sip->transports())
            if (!isLoopbackHost(t->local().host)) {
                local.host = t->local().host;
                break;
            }
        if (local.host.isEmpty()) {
            *error = tr("every listener is on loopback, which cannot reach %1: add a listener on an address of this "
                        "host that can (e.g. udp:0.0.0.0:5060 or this host's address)")
                         .arg(remote.toString());
            return nullptr;
        }
    }
    std::optional<sip::TlsContext> tls;
    if (type == sip::TransportType::Tls || type == sip::TransportType::Wss) {
        sip::TlsSettings settings;
        settings.selfSigned = true;
        settings.insecure = m_trustAny;
        settings.peerTrust = m_peerTrust;
        tls = sip::TlsContext::make(settings, local.host, error);
        if (!tls)
            return nullptr;
    }
    std::unique_ptr<sip::Transport> t;
    bool ok = false;
    if (type == sip::TransportType::Udp) {
        auto u = std::make_unique<sip::UdpTransport>();
        ok = u->bind(local, error);
        t = std::move(u);
    } else if (type == sip::TransportType::Tcp || type == sip::TransportType::Tls) {
        auto c = tls ? std::make_unique<sip::TcpTransport>(std::move(*tls)) : std::make_unique<sip::TcpTransport>();
        ok = c->listen(local, error);
        t = std::move(c);
    } else if (type == sip::TransportType::Ws || type == sip::TransportType::Wss) {
        auto w = tls ? std::make_unique<sip::WsTransport>(std::move(*tls)) : std::make_unique<sip::WsTransport>();
        w->setPath(QStringLiteral("/"));
        ok = w->listen(local, error);
        t = std::move(w);
    } else {
        *error = tr("SCTP is not offered in network mode yet");
    }
    if (!ok)
        return nullptr;
    m_stack.log(1, tr("network mode: opened %1:%2 to send from").arg(
        QString::fromLatin1(sip::transportToken(type)).toLower(), t->local().toString()));
    return m_sip->addTransport(std::move(t));
}

namespace {

// The request with another branch in its top Via (the failover's new transaction, RFC 3263 §4.3).
QByteArray withTopViaBranch(const QByteArray& bytes, const QByteArray& branch)
{
    static const QRegularExpression via(QStringLiteral(R"(^(?:Via|v)[ \t]*:[^\r\n]*)"),
        QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression param(QStringLiteral(R"(;[ \t]*branch[ \t]*=[ \t]*([^;\s,]+))"),
        QRegularExpression::CaseInsensitiveOption);
    QString text = QString::fromUtf8(bytes);
    const qsizetype end = text.indexOf(QLatin1String("\r\n\r\n"));
    const auto line = via.match(end < 0 ? text : text.left(end));
    if (!line.hasMatch())
        return bytes; // no Via: the stack adds one with a branch of its own
    const auto b = param.match(line.captured(0));
    if (!b.hasMatch())
        return bytes;
    text.replace(line.capturedStart(0) + b.capturedStart(1), b.capturedLength(1), QString::fromLatin1(branch));
    return text.toUtf8();
}

// Whether a failed send is the target's fault (try the next one), not the message's.
bool targetFault(const QString& errnoName)
{
    return errnoName == QLatin1String("EHOSTUNREACH") || errnoName == QLatin1String("EADDRNOTAVAIL")
        || errnoName == QLatin1String("EIO") || errnoName == QLatin1String("ECONNREFUSED");
}

} // namespace

NetworkResult NetworkEngine::sendSip(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork)
{
    return sendSipTo(bytes, TargetCursor(QString(), { target }), dialog, stateful, onFork);
}

NetworkResult NetworkEngine::sendSipTo(const QByteArray& bytes, const TargetCursor& targets, quint64 dialog, bool stateful, bool onFork)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running: start it in the Network panel"));
    if (targets.isNull())
        return failure("EINVAL", tr("no target to send to"));
    return attempt(Failover { bytes, targets, dialog, stateful, onFork }, false);
}

NetworkResult NetworkEngine::attempt(Failover f, bool newBranch)
{
    for (;;) {
        const QByteArray bytes = newBranch ? withTopViaBranch(f.bytes, m_sip->ids().branch()) : f.bytes;
        NetworkResult r = sendOne(bytes, f.cursor.current(), f.dialog, f.stateful, f.onFork);
        if (r.ok && r.transaction) {
            // A transport error inside the send (a stream that failed at once) fails the target now.
            if (const auto it = m_failedDuringSend.constFind(r.transaction); it != m_failedDuringSend.constEnd()) {
                r.ok = false;
                r.errnoName = QStringLiteral("EIO");
                r.text = *it;
            }
        }
        m_failedDuringSend.clear();
        if (r.ok) {
            // Followed while a target is left, and the last one too (its failure ends the list:
            // "every target failed").
            if (r.transaction && f.stateful && f.cursor.size() > 1)
                m_failover.insert(r.transaction, f);
            if (f.cursor.index() > 0)
                r.text += tr(" — to %1 after %2 (target %3 of %4, RFC 3263 §4.3)")
                              .arg(f.cursor.current(), f.cursor.failures().join(QStringLiteral("; ")))
                              .arg(f.cursor.index() + 1)
                              .arg(f.cursor.size());
            return r;
        }
        if (!targetFault(r.errnoName) || f.cursor.size() == 1)
            return r;
        const bool more = f.cursor.fail(QStringLiteral("%1: %2").arg(r.errnoName, r.text));
        const QString prefix = f.cursor.what().isEmpty() ? tr("failover") : tr("RFC 3263 %1").arg(f.cursor.what());
        if (!more) {
            r.text = f.cursor.exhaustedText();
            m_stack.log(3, QStringLiteral("%1: %2").arg(prefix, r.text));
            return r;
        }
        m_stack.log(2, QStringLiteral("%1: %2").arg(prefix, f.cursor.failoverText()));
        newBranch = true;
    }
}

void NetworkEngine::targetFailed(quint64 tx, const QString& why, const char* errnoName)
{
    const auto it = m_failover.find(tx);
    if (it == m_failover.end() || !m_sip)
        return;
    Failover f = *it;
    m_failover.erase(it);
    const QString prefix = f.cursor.what().isEmpty() ? tr("failover") : tr("RFC 3263 %1").arg(f.cursor.what());
    if (!f.cursor.fail(tr("transaction %1: %2").arg(tx).arg(why))) {
        const QString text = f.cursor.exhaustedText();
        m_stack.log(3, QStringLiteral("%1: %2").arg(prefix, text));
        emit failedOver(false, QString::fromLatin1(errnoName), text, 0);
        return;
    }
    m_stack.log(2, QStringLiteral("%1: %2").arg(prefix, f.cursor.failoverText()));
    // The next send waits for the stack to be out of the failed transaction's callback.
    m_failoverTimers.removeIf([this](Scheduler::TimerId id) { return !m_stack.scheduler().isPending(id); });
    m_failoverTimers << m_stack.scheduler().post([this, f] {
        if (!m_sip)
            return;
        const NetworkResult r = attempt(f, true);
        emit failedOver(r.ok, r.errnoName, r.text, r.transaction);
    });
}

NetworkResult NetworkEngine::sendOne(const QByteArray& bytes, const QString& target, quint64 dialog, bool stateful, bool onFork)
{
    ListenerSpec to;
    QString error;
    if (!ListenerSpec::parse(target, &to, &error))
        return failure("EINVAL", tr("target %1").arg(error));
    if (!clientTransport(to.type, to.at, &error))
        return failure("EADDRNOTAVAIL", error);
    std::shared_ptr<sip::Connection> connection = m_sip->connect(to.type, to.at, &error);
    if (!connection)
        return failure("EHOSTUNREACH", tr("No way to %1: %2").arg(to.toString(), error));
    QByteArray viaRewritten;
    const QString rewritten = rewriteTopVia(bytes, *connection, &viaRewritten);
    QByteArray wire;
    const QString labRewritten = rewriteLabAddresses(viaRewritten, *connection, &wire);
    const sip::ParseResult parsed = sip::parse(wire);
    if (!parsed.ok)
        return failure("EINVAL", tr("The message does not parse — %1").arg(parsed.error));
    sip::SendFlags flags;
    if (stateful)
        flags |= sip::SendFlag::Stateful;
    if (onFork)
        flags |= sip::SendFlag::DialogOnFork;
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    const qsizetype cr = wire.indexOf('\r');
    action.text = tr("composer: send %1 to %2%3%4").arg(QString::fromUtf8(wire.left(cr < 0 ? 60 : cr)), to.toString(),
        stateful ? QStringLiteral(" SIP_SEND_STATEFUL") : QString(), onFork ? QStringLiteral(" SIP_DIALOG_ON_FORK") : QString());
    m_stack.journal().append(std::move(action));
    m_sending = true;
    NetworkResult r = fromSend(m_sip->send(connection, parsed.message, dialog, flags));
    m_sending = false;
    if (r.ok && r.transaction && parsed.message.isRequest())
        remember(r.transaction, Sent { parsed.message, connection, dialog, flags, nullptr, std::nullopt, to.toString(), 0 });
    if (r.ok && !rewritten.isEmpty()) {
        r.text += tr(" (%1, so that the answer comes back)").arg(rewritten);
        m_stack.log(1, tr("composer: %1, the socket the request left from, so that the answer comes back").arg(rewritten));
    }
    if (r.ok && !labRewritten.isEmpty()) {
        r.text += tr(" (%1: the template's lab address)").arg(labRewritten);
        m_stack.log(1, tr("composer: %1 — the template's lab address 10.0.0.1 would send the peer's requests nowhere").arg(labRewritten));
    }
    return r;
}

NetworkResult NetworkEngine::sendInDialog(quint64 dialog, const QString& method)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running"));
    auto m = m_sip->createInDialog(dialog, method.toLatin1());
    if (!m)
        return failure("EINVAL", tr("dialog %1 cannot send a %2 (ended, or not ours)").arg(dialog).arg(method));
    NetworkResult r = fromSend(m_sip->send(nullptr, *m, dialog, sip::SendFlag::Stateful));
    if (r.ok && r.transaction)
        remember(r.transaction, Sent { *m, nullptr, dialog, sip::SendFlag::Stateful, nullptr, std::nullopt,
                                    tr("dialog %1").arg(dialog), 0 });
    return r;
}

NetworkResult NetworkEngine::cancelInvite(quint64 transaction)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running"));
    return fromSend(m_sip->cancel(transaction));
}

// ---- digest as a UAC ----

namespace {
// At most this many requests are followed for their answer, and at most this many challenges
// wait for the user: the oldest go first.
constexpr qsizetype kMaxFollowed = 256;
}

void NetworkEngine::remember(quint64 tx, Sent sent)
{
    const QByteArrayView method = sent.request.method();
    if (method == "ACK" || method == "CANCEL")
        return; // never challenged (RFC 3261 §22.1)
    sent.order = ++m_sentOrder;
    if (m_sent.size() >= kMaxFollowed) {
        auto oldest = m_sent.begin();
        for (auto it = m_sent.begin(); it != m_sent.end(); ++it)
            if (it->order < oldest->order)
                oldest = it;
        m_sent.erase(oldest);
    }
    m_sent.insert(tx, std::move(sent));
}

void NetworkEngine::onFinalResponse(const sip::Incoming& in)
{
    const int status = in.message.statusCode();
    const auto it = m_sent.find(in.transaction);
    if (!m_sip || status < 200 || it == m_sent.end() || it->challenge)
        return; // not ours, provisional, or a retransmission of a challenge already shown
    if (status != 401 && status != 407) {
        if (it->answerer)
            emit authenticated(in.transaction, status,
                tr("%1 %2 to %3 sent with credentials for '%4'")
                    .arg(status)
                    .arg(escapeNetworkText(in.message.reasonPhrase(), 80),
                        escapeNetworkText(it->request.method(), 40), QString::fromUtf8(it->answerer->username())));
        m_sent.erase(it);
        return;
    }
    ChallengeNotice n;
    n.transaction = in.transaction;
    n.status = status;
    n.reason = escapeNetworkText(in.message.reasonPhrase(), 80);
    n.method = escapeNetworkText(it->request.method(), 40);
    n.requestUri = escapeNetworkText(it->request.requestUriText(), 200);
    n.peer = in.connection ? QStringLiteral("%1 %2").arg(QString::fromLatin1(sip::transportToken(in.connection->type())),
                                 in.connection->remote().toString())
                           : it->peer;
    const sip::auth::Selection sel = sip::auth::selectChallenge(
        in.message.values(status == 407 ? sip::HeaderId::ProxyAuthenticate : sip::HeaderId::WwwAuthenticate));
    if (sel.challenge) {
        n.realm = escapeNetworkText(sel.challenge->realm(), 120);
        n.algorithm = escapeNetworkText(sel.challenge->algorithmText().value_or("MD5"), 40);
        n.qopAuth = sel.challenge->qopOptions().contains("auth");
    } else {
        n.problem = tr("EPROTO: no challenge that can be answered: %1").arg(escapeNetworkText(sel.error.toUtf8(), 300));
    }
    it->challenge = in.message;
    // Credentials already on this request's chain, or the account of the challenge's realm
    // answering at once (none for this realm: the user is asked).
    std::shared_ptr<sip::auth::ChallengeAnswerer> answerer = it->answerer;
    if (!answerer && n.problem.isEmpty())
        if (const auto a = m_autoAccounts.constFind(n.realm); a != m_autoAccounts.constEnd() && !a->first.isEmpty())
            answerer = std::make_shared<sip::auth::ChallengeAnswerer>(a->first.toUtf8(), a->second.toUtf8());
    if (answerer && n.problem.isEmpty()) {
        Sent entry = *it;
        m_sent.erase(it);
        const NetworkResult r = resend(in.transaction, entry, answerer);
        if (r.ok)
            return;
        n.problem = r.errnoName + QStringLiteral(": ") + r.text;
        n.user = QString::fromUtf8(answerer->username());
        entry.answerer.reset(); // the user may give other credentials
        m_sent.insert(in.transaction, std::move(entry));
    }
    m_stack.log(2, tr("network mode: %1 %2 to %3 (transaction %4)%5")
                       .arg(status)
                       .arg(n.reason, n.method)
                       .arg(in.transaction)
                       .arg(n.problem.isEmpty() ? tr(": realm \"%1\", %2 — resend it with credentials from the Network panel").arg(n.realm, n.algorithm)
                                                : QStringLiteral(": ") + n.problem));
    emit challenged(n);
}

NetworkResult NetworkEngine::resend(quint64 tx, Sent entry, const std::shared_ptr<sip::auth::ChallengeAnswerer>& answerer)
{
    const sip::auth::ChallengeAnswerer::Outcome o = answerer->answer(entry.request, *entry.challenge, m_sip->ids().branch());
    if (!o.ok)
        return failure(o.errnoName, escapeNetworkText(o.error.toUtf8(), 400));
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.object = tx;
    action.text = tr("network: resend %1 (transaction %2) with credentials: %3")
                      .arg(escapeNetworkText(entry.request.method(), 40))
                      .arg(tx)
                      .arg(escapeNetworkText(o.summary.toUtf8(), 300));
    m_stack.journal().append(std::move(action));
    NetworkResult r = fromSend(m_sip->send(entry.connection, o.next, entry.dialog, entry.flags));
    if (!r.ok)
        return r;
    m_stack.log(1, tr("network mode: %1 %2").arg(entry.challenge->statusCode()).arg(escapeNetworkText(o.summary.toUtf8(), 300)));
    r.text = escapeNetworkText(o.summary.toUtf8(), 300);
    if (r.transaction) {
        entry.request = o.next;
        entry.answerer = answerer;
        entry.challenge.reset();
        remember(r.transaction, std::move(entry));
    }
    return r;
}

NetworkResult NetworkEngine::resendWithCredentials(quint64 transaction, const QString& user, const QString& password)
{
    if (!m_sip)
        return failure("ENOTCONN", tr("network mode is not running"));
    const auto it = m_sent.find(transaction);
    if (it == m_sent.end() || !it->challenge)
        return failure("ENOENT", tr("transaction %1 has no challenge waiting (answered, dismissed or too old)").arg(transaction));
    if (user.isEmpty())
        return failure("EINVAL", tr("give a user name to answer the challenge with"));
    Sent entry = *it;
    auto answerer = std::make_shared<sip::auth::ChallengeAnswerer>(user.toUtf8(), password.toUtf8());
    const NetworkResult r = resend(transaction, entry, answerer);
    if (r.ok)
        m_sent.remove(transaction);
    return r;
}

} // namespace ladder::ui
