// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionlayer.h"

#include "inviteclienttransaction.h"
#include "inviteservertransaction.h"
#include "sip/message/message.h"
#include "noninviteclienttransaction.h"
#include "noninviteservertransaction.h"
#include "journal/journal.h"
#include "transactionmessages.h"
#include "transactionuser.h"
#include "sip/message/validation.h"

#include <array>
#include <atomic>
#include <utility>

namespace ladder::sip {

namespace {
    // A view: the journal's text is made from it directly (no intermediate byte array).
    QByteArrayView startLine(const QByteArray& bytes)
    {
        const qsizetype end = bytes.indexOf('\r');
        return QByteArrayView(bytes).first(qMin<qsizetype>(end < 0 ? bytes.size() : end, 200));
    }

    // The method a transaction keeps: the usual ones are shared copies of one array each
    // instead of an allocation per transaction.
    QByteArray methodBytes(QByteArrayView method)
    {
        static const QByteArray known[] = { QByteArrayLiteral("OPTIONS"), QByteArrayLiteral("REGISTER"),
            QByteArrayLiteral("BYE"), QByteArrayLiteral("CANCEL"), QByteArrayLiteral("MESSAGE"),
            QByteArrayLiteral("SUBSCRIBE"), QByteArrayLiteral("NOTIFY"), QByteArrayLiteral("INFO"),
            QByteArrayLiteral("UPDATE"), QByteArrayLiteral("PRACK"), QByteArrayLiteral("REFER"),
            QByteArrayLiteral("PUBLISH") };
        for (const QByteArray& k : known)
            if (k == method)
                return k;
        return method.toByteArray();
    }

    // The caller's parsed top Via, or the message's parsed here into *own.
    const Via* topViaOf(const Message& m, const Via* given, std::optional<Via>* own)
    {
        if (given)
            return given;
        *own = m.topVia();
        return *own ? &**own : nullptr;
    }
}

void ClientTransaction::transportFailed()
{
    m_layer.user().transactionTransportError(*this);
    terminate();
}

void ServerTransaction::transportFailed()
{
    m_layer.user().transactionTransportError(*this);
    terminate();
}

TransactionLayer::TransactionLayer(Scheduler& scheduler, TransactionUser& user)
    : m_scheduler(scheduler)
    , m_user(user)
{
}

TransactionLayer::~TransactionLayer()
{
    // Transactions cancel their timers as they go; no callback into the TU from here.
    if (m_buryTimer)
        m_scheduler.cancel(m_buryTimer);
    const TransactionMap live = std::exchange(m_live, {});
    live.forEach([](Transaction* t) { delete t; });
    m_graveyard.clear();
}

quint64 TransactionLayer::nextTransactionId()
{
    static std::atomic<quint64> next { 1 };
    return next.fetch_add(1, std::memory_order_relaxed);
}

QString TransactionLayer::timerName(char name)
{
    // Made once: a journalled timer event (armed, fired, cancelled) then costs no allocation.
    static const std::array<QString, 128> names = [] {
        std::array<QString, 128> n;
        for (int c = 'A'; c <= 'Z'; ++c)
            n[std::size_t(c)] = QString(QLatin1Char(char(c)));
        n['1'] = QStringLiteral("100");
        n['2'] = QStringLiteral("2xx");
        return n;
    }();
    const auto i = std::size_t(quint8(name));
    if (i < names.size() && !names[i].isNull())
        return names[i];
    return QString(QLatin1Char(name));
}

void TransactionLayer::add(std::unique_ptr<Transaction> t)
{
    const quint64 id = t->id();
    m_live[id] = t.release();
}

ClientTransaction* TransactionLayer::createClient(const std::shared_ptr<Connection>& c, const Message& request,
    QByteArray bytes, const Via* topVia)
{
    if (atCapacity())
        return nullptr;
    std::optional<Via> own;
    const Via* via = topViaOf(request, topVia, &own);
    QByteArray branch = via ? via->branch().toByteArray() : QByteArray();
    std::unique_ptr<ClientTransaction> t;
    if (request.method() == "INVITE")
        t = std::make_unique<InviteClientTransaction>(*this, c, branch, request, std::move(bytes));
    else
        t = std::make_unique<NonInviteClientTransaction>(
            *this, c, branch, methodBytes(request.method()), std::move(bytes));
    ClientTransaction* raw = t.get();
    m_clients.insert(raw, raw->branch());
    add(std::move(t));
    return raw;
}

QByteArray TransactionLayer::legacyKey(const Message& m)
{
    const auto cseq = m.cseq();
    QByteArray key = m.callId().toByteArray();
    key += '\n';
    key += QByteArray::number(cseq ? cseq->number : 0);
    key += '\n';
    key += m.fromTag().toByteArray();
    key += '\n';
    key += transactionmsg::topViaValue(m).toByteArray();
    return key;
}

ServerTransaction* TransactionLayer::createServer(const std::shared_ptr<Connection>& c, const Message& request,
    QByteArray bytes, const Via* topVia)
{
    if (atCapacity())
        return nullptr;
    std::optional<Via> own;
    const Via* via = topViaOf(request, topVia, &own);
    const QByteArray branch = via ? via->branch().toByteArray() : QByteArray();
    std::unique_ptr<ServerTransaction> t;
    if (request.method() == "INVITE")
        t = std::make_unique<InviteServerTransaction>(*this, c, branch, request, std::move(bytes));
    else
        t = std::make_unique<NonInviteServerTransaction>(
            *this, c, branch, methodBytes(request.method()), std::move(bytes));
    ServerTransaction* raw = t.get();
    raw->setSentBy(via ? via->sentBy() : QByteArray());
    if (isRfc3261Branch(branch)) {
        m_servers.insert(raw, branch);
    } else {
        auto legacy = std::make_unique<ServerTransaction::Legacy>();
        legacy->key = legacyKey(request);
        legacy->requestUri = request.requestUriText().toByteArray();
        legacy->toTag = request.toTag().toByteArray();
        m_legacy.insert(raw, legacy->key);
        raw->setLegacy(std::move(legacy));
    }
    add(std::move(t));
    return raw;
}

ClientTransaction* TransactionLayer::matchResponse(const Message& response, const Via* topVia)
{
    std::optional<Via> own;
    const Via* via = topViaOf(response, topVia, &own);
    quint32 number = 0;
    QByteArrayView method; // a view: matching runs for every response, no copy needed
    if (!via || !CSeq::parseView(response.value(HeaderId::CSeq), &number, &method, nullptr) || !via->hasBranch())
        return nullptr;
    const QByteArrayView branch = via->branch();
    for (Transaction* x = m_clients.first(branch); x; x = TransactionIndex::next(x)) {
        auto* t = static_cast<ClientTransaction*>(x);
        if (t->method() == method && t->branch() == branch)
            return t;
    }
    return nullptr;
}

ServerTransaction* TransactionLayer::matchRequest(const Message& request, const Via* topVia)
{
    std::optional<Via> own;
    const Via* via = topViaOf(request, topVia, &own);
    if (!via)
        return nullptr;
    const QByteArrayView method = request.method();
    const bool ack = method == "ACK";
    const QByteArrayView branch = via->branch();
    if (isRfc3261Branch(branch)) {
        for (Transaction* x = m_servers.first(branch); x; x = TransactionIndex::next(x)) {
            auto* t = static_cast<ServerTransaction*>(x);
            if (t->branch() != branch || !via->sentByEquals(t->sentBy()))
                continue;
            if (t->method() == method || (ack && t->method() == "INVITE"))
                return t;
        }
        return nullptr;
    }
    const QByteArray key = legacyKey(request);
    const QByteArrayView toTag = request.toTag();
    for (Transaction* x = m_legacy.first(key); x; x = TransactionIndex::next(x)) {
        auto* t = static_cast<ServerTransaction*>(x);
        const ServerTransaction::Legacy* l = t->legacy();
        if (l->key != key || l->requestUri != request.requestUriText())
            continue;
        if (ack && t->method() == "INVITE" && l->responseToTag == toTag)
            return t;
        if (!ack && t->method() == method && l->toTag == toTag) {
            const auto cseq = request.cseq();
            if (cseq && cseq->method == method)
                return t;
        }
    }
    return nullptr;
}

InviteServerTransaction* TransactionLayer::matchCancelled(const Message& cancel)
{
    const auto via = cancel.topVia();
    if (!via)
        return nullptr;
    const QByteArrayView branch = via->branch();
    if (isRfc3261Branch(branch)) {
        for (Transaction* x = m_servers.first(branch); x; x = TransactionIndex::next(x)) {
            auto* t = static_cast<ServerTransaction*>(x);
            if (t->kind() == Transaction::Kind::InviteServer && t->branch() == branch && via->sentByEquals(t->sentBy()))
                return static_cast<InviteServerTransaction*>(t);
        }
        return nullptr;
    }
    const QByteArray key = legacyKey(cancel);
    for (Transaction* x = m_legacy.first(key); x; x = TransactionIndex::next(x)) {
        auto* t = static_cast<ServerTransaction*>(x);
        if (t->kind() == Transaction::Kind::InviteServer && t->legacy()->key == key
            && t->legacy()->requestUri == cancel.requestUriText()
            && t->legacy()->toTag == cancel.toTag())
            return static_cast<InviteServerTransaction*>(t);
    }
    return nullptr;
}

ServerTransaction* TransactionLayer::matchOutgoingResponse(const Message& response)
{
    const auto via = response.topVia();
    quint32 number = 0;
    QByteArrayView method; // a view: no copy of the method per response sent
    if (!via || !CSeq::parseView(response.value(HeaderId::CSeq), &number, &method, nullptr))
        return nullptr;
    const QByteArrayView branch = via->branch();
    if (isRfc3261Branch(branch)) {
        for (Transaction* x = m_servers.first(branch); x; x = TransactionIndex::next(x)) {
            auto* t = static_cast<ServerTransaction*>(x);
            if (t->method() == method && t->branch() == branch && via->sentByEquals(t->sentBy()))
                return t;
        }
        return nullptr;
    }
    const QByteArray key = legacyKey(response);
    for (Transaction* x = m_legacy.first(key); x; x = TransactionIndex::next(x)) {
        auto* t = static_cast<ServerTransaction*>(x);
        if (t->method() == method && t->legacy()->key == key)
            return t;
    }
    return nullptr;
}

Transaction* TransactionLayer::find(quint64 id) const
{
    return m_live.value(id);
}

bool TransactionLayer::transmit(Transaction& t, const QByteArray& bytes, quint32 retransmission)
{
    const std::shared_ptr<Connection>& c = t.connection();
    QString error;
    const bool ok = c && c->send(bytes, &error);
    if (!m_journal)
        return ok;
    if (!ok) {
        traceError(&t,
            QStringLiteral("EIO: the transport could not send the %1 of transaction %2: %3")
                .arg(retransmission ? QStringLiteral("retransmission") : QStringLiteral("message"))
                .arg(t.id())
                .arg(c ? error : QStringLiteral("no connection")));
        return false;
    }
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = retransmission ? trace::Kind::SipRetransmission : trace::Kind::SipMessage;
    e.dir = trace::Dir::Tx;
    e.object = t.id();
    e.a = c->id();
    e.b = quint64(c->type());
    e.c = retransmission;
    e.from = c->localEndpoint();
    e.to = c->remoteEndpoint();
    e.text = QString::fromUtf8(startLine(bytes));
    e.raw = bytes;
    m_journal->append(std::move(e));
    return true;
}

void TransactionLayer::traceState(const Transaction& t, Transaction::State from, Transaction::State to)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::TransactionState;
    e.object = t.id();
    if (const auto& c = t.connection()) {
        e.from = c->localEndpoint();
        e.to = c->remoteEndpoint();
    }
    // "non-INVITE server: Trying -> Completed", made once per combination: every state change of
    // every transaction is journalled, and implicitly shared strings cost no allocation.
    constexpr int kKinds = 4, kStates = 7;
    static const std::array<QString, kKinds * kStates * kStates> texts = [] {
        std::array<QString, kKinds * kStates * kStates> out;
        for (int k = 0; k < kKinds; ++k)
            for (int a = 0; a < kStates; ++a)
                for (int b = 0; b < kStates; ++b)
                    out[std::size_t((k * kStates + a) * kStates + b)]
                        = QString::fromLatin1(Transaction::kindName(Transaction::Kind(k))) + QStringLiteral(": ")
                        + QString::fromLatin1(Transaction::stateName(Transaction::State(a))) + QStringLiteral(" -> ")
                        + QString::fromLatin1(Transaction::stateName(Transaction::State(b)));
        return out;
    }();
    e.text = texts[std::size_t((int(t.kind()) * kStates + int(from)) * kStates + int(to))];
    m_journal->append(std::move(e));
}

void TransactionLayer::traceTimer(const Transaction& t, trace::Kind kind, char name, qint64 intervalNs)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = kind;
    e.object = t.id();
    e.a = quint64(intervalNs / 1'000'000);
    if (const auto& c = t.connection()) {
        e.from = c->localEndpoint();
        e.to = c->remoteEndpoint();
    }
    e.text = timerName(name);
    m_journal->append(std::move(e));
}

void TransactionLayer::traceError(const Transaction* t, const QString& text)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::Error;
    if (t) {
        e.object = t->id();
        if (const auto& c = t->connection()) {
            e.from = c->localEndpoint();
            e.to = c->remoteEndpoint();
        }
    }
    e.text = text;
    m_journal->append(std::move(e));
}

void TransactionLayer::transactionChanged(Transaction& t) { m_user.transactionChanged(t); }

void TransactionLayer::transactionTerminated(Transaction& t)
{
    if (t.isClient()) {
        m_clients.remove(&t);
    } else {
        auto* s = static_cast<ServerTransaction*>(&t);
        if (s->legacy())
            m_legacy.remove(s);
        else
            m_servers.remove(s);
    }
    if (m_keepTerminated) {
        m_terminated.push_back(t.snapshot());
        while (m_terminated.size() > m_keepTerminated)
            m_terminated.pop_front();
    }
    if (Transaction* live = m_live.take(t.id())) {
        // The machine is still on the call stack: destroy it from the event loop.
        m_graveyard.emplace_back(live);
        if (!m_buryTimer)
            m_buryTimer = m_scheduler.post([this] { buryDeferred(); });
    }
    m_user.transactionTerminated(t);
}

void TransactionLayer::buryDeferred()
{
    m_buryTimer = 0;
    m_graveyard.clear();
}

} // namespace ladder::sip
