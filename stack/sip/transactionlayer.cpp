// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionlayer.h"

#include "inviteclienttransaction.h"
#include "inviteservertransaction.h"
#include "message.h"
#include "noninviteclienttransaction.h"
#include "noninviteservertransaction.h"
#include "trace/journal.h"
#include "transactionmessages.h"
#include "transactionuser.h"
#include "validation.h"

#include <atomic>

namespace ladder::sip {

namespace {
    // A key that refers to the view's bytes without copying them: lookups allocate nothing.
    QByteArray rawKey(QByteArrayView v) { return QByteArray::fromRawData(v.data(), v.size()); }

    QByteArray startLine(const QByteArray& bytes)
    {
        const qsizetype end = bytes.indexOf('\r');
        return end < 0 ? bytes.left(200) : bytes.left(qMin<qsizetype>(end, 200));
    }

    bool sameSentBy(QByteArrayView a, QByteArrayView b) { return a.compare(b, Qt::CaseInsensitive) == 0; }
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
    m_live.clear();
    m_graveyard.clear();
}

quint64 TransactionLayer::nextTransactionId()
{
    static std::atomic<quint64> next { 1 };
    return next.fetch_add(1, std::memory_order_relaxed);
}

QString TransactionLayer::timerName(char name)
{
    switch (name) {
    case '1': return QStringLiteral("100");
    case '2': return QStringLiteral("2xx");
    default: return QString(QLatin1Char(name));
    }
}

void TransactionLayer::add(std::unique_ptr<Transaction> t)
{
    const quint64 id = t->id();
    m_live.emplace(id, std::move(t));
}

ClientTransaction* TransactionLayer::createClient(const std::shared_ptr<Connection>& c, const Message& request,
    QByteArray bytes)
{
    if (atCapacity())
        return nullptr;
    const auto via = request.topVia();
    QByteArray branch = via ? via->branch().toByteArray() : QByteArray();
    std::unique_ptr<ClientTransaction> t;
    if (request.method() == "INVITE")
        t = std::make_unique<InviteClientTransaction>(*this, c, branch, request, std::move(bytes));
    else
        t = std::make_unique<NonInviteClientTransaction>(
            *this, c, branch, request.method().toByteArray(), std::move(bytes));
    ClientTransaction* raw = t.get();
    m_clients.insert(raw->branch(), raw);
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
    QByteArray bytes)
{
    if (atCapacity())
        return nullptr;
    const auto via = request.topVia();
    const QByteArray branch = via ? via->branch().toByteArray() : QByteArray();
    std::unique_ptr<ServerTransaction> t;
    if (request.method() == "INVITE")
        t = std::make_unique<InviteServerTransaction>(*this, c, branch, request, std::move(bytes));
    else
        t = std::make_unique<NonInviteServerTransaction>(
            *this, c, branch, request.method().toByteArray(), std::move(bytes));
    ServerTransaction* raw = t.get();
    raw->setSentBy(via ? via->sentBy() : QByteArray());
    if (isRfc3261Branch(branch)) {
        m_servers.insert(branch, raw);
    } else {
        auto legacy = std::make_unique<ServerTransaction::Legacy>();
        legacy->key = legacyKey(request);
        legacy->requestUri = request.requestUriText().toByteArray();
        legacy->toTag = request.toTag().toByteArray();
        m_legacy.insert(legacy->key, raw);
        raw->setLegacy(std::move(legacy));
    }
    add(std::move(t));
    return raw;
}

ClientTransaction* TransactionLayer::matchResponse(const Message& response)
{
    const auto via = response.topVia();
    quint32 number = 0;
    QByteArrayView method; // a view: matching runs for every response, no copy needed
    if (!via || !CSeq::parseView(response.value(HeaderId::CSeq), &number, &method, nullptr) || !via->hasBranch())
        return nullptr;
    const QByteArray key = rawKey(via->branch());
    for (auto it = m_clients.constFind(key); it != m_clients.constEnd() && it.key() == key; ++it)
        if ((*it)->method() == method)
            return *it;
    return nullptr;
}

ServerTransaction* TransactionLayer::matchRequest(const Message& request)
{
    const auto via = request.topVia();
    if (!via)
        return nullptr;
    const QByteArrayView method = request.method();
    const bool ack = method == "ACK";
    const QByteArrayView branch = via->branch();
    if (isRfc3261Branch(branch)) {
        const QByteArray key = rawKey(branch);
        const QByteArray sentBy = via->sentBy();
        for (auto it = m_servers.constFind(key); it != m_servers.constEnd() && it.key() == key; ++it) {
            ServerTransaction* t = *it;
            if (!sameSentBy(t->sentBy(), sentBy))
                continue;
            if (t->method() == method || (ack && t->method() == "INVITE"))
                return t;
        }
        return nullptr;
    }
    const QByteArray key = legacyKey(request);
    const QByteArrayView toTag = request.toTag();
    for (auto it = m_legacy.constFind(key); it != m_legacy.constEnd() && it.key() == key; ++it) {
        ServerTransaction* t = *it;
        const ServerTransaction::Legacy* l = t->legacy();
        if (l->requestUri != request.requestUriText())
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
        const QByteArray key = rawKey(branch);
        const QByteArray sentBy = via->sentBy();
        for (auto it = m_servers.constFind(key); it != m_servers.constEnd() && it.key() == key; ++it)
            if ((*it)->kind() == Transaction::Kind::InviteServer && sameSentBy((*it)->sentBy(), sentBy))
                return static_cast<InviteServerTransaction*>(*it);
        return nullptr;
    }
    const QByteArray key = legacyKey(cancel);
    for (auto it = m_legacy.constFind(key); it != m_legacy.constEnd() && it.key() == key; ++it) {
        ServerTransaction* t = *it;
        if (t->kind() == Transaction::Kind::InviteServer && t->legacy()->requestUri == cancel.requestUriText()
            && t->legacy()->toTag == cancel.toTag())
            return static_cast<InviteServerTransaction*>(t);
    }
    return nullptr;
}

ServerTransaction* TransactionLayer::matchOutgoingResponse(const Message& response)
{
    const auto via = response.topVia();
    const auto cseq = response.cseq();
    if (!via || !cseq)
        return nullptr;
    const QByteArrayView branch = via->branch();
    if (isRfc3261Branch(branch)) {
        const QByteArray key = rawKey(branch);
        const QByteArray sentBy = via->sentBy();
        for (auto it = m_servers.constFind(key); it != m_servers.constEnd() && it.key() == key; ++it)
            if ((*it)->method() == cseq->method && sameSentBy((*it)->sentBy(), sentBy))
                return *it;
        return nullptr;
    }
    const QByteArray key = legacyKey(response);
    for (auto it = m_legacy.constFind(key); it != m_legacy.constEnd() && it.key() == key; ++it)
        if ((*it)->method() == cseq->method)
            return *it;
    return nullptr;
}

Transaction* TransactionLayer::find(quint64 id) const
{
    const auto it = m_live.find(id);
    return it == m_live.end() ? nullptr : it->second.get();
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
    e.text = QString::fromLatin1(Transaction::kindName(t.kind())) + QStringLiteral(": ")
        + QString::fromLatin1(Transaction::stateName(from)) + QStringLiteral(" -> ")
        + QString::fromLatin1(Transaction::stateName(to));
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
        m_clients.remove(t.branch(), static_cast<ClientTransaction*>(&t));
    } else {
        auto* s = static_cast<ServerTransaction*>(&t);
        if (s->legacy())
            m_legacy.remove(s->legacy()->key, s);
        else
            m_servers.remove(s->branch(), s);
    }
    if (m_keepTerminated) {
        m_terminated.push_back(t.snapshot());
        while (m_terminated.size() > m_keepTerminated)
            m_terminated.pop_front();
    }
    const auto it = m_live.find(t.id());
    if (it != m_live.end()) {
        // The machine is still on the call stack: destroy it from the event loop.
        m_graveyard.push_back(std::move(it->second));
        m_live.erase(it);
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
