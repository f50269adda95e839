// SPDX-License-Identifier: GPL-3.0-or-later
#include "transaction.h"

#include "transactionlayer.h"

namespace ladder::sip {

const char* Transaction::kindName(Kind k)
{
    switch (k) {
    case Kind::InviteClient: return "INVITE client";
    case Kind::NonInviteClient: return "non-INVITE client";
    case Kind::InviteServer: return "INVITE server";
    case Kind::NonInviteServer: return "non-INVITE server";
    }
    return "?";
}

const char* Transaction::stateName(State s)
{
    switch (s) {
    case State::Calling: return "Calling";
    case State::Trying: return "Trying";
    case State::Proceeding: return "Proceeding";
    case State::Completed: return "Completed";
    case State::Confirmed: return "Confirmed";
    case State::Accepted: return "Accepted";
    case State::Terminated: return "Terminated";
    }
    return "?";
}

Transaction::Transaction(TransactionLayer& layer, Kind kind, std::shared_ptr<Connection> connection,
    QByteArray branch, QByteArray method, QByteArray request)
    : m_layer(layer)
    , m_id(layer.nextTransactionId())
    , m_kind(kind)
    , m_state(kind == Kind::InviteClient ? State::Calling
              : kind == Kind::InviteServer ? State::Proceeding
                                           : State::Trying)
    , m_createdNs(layer.scheduler().nowNs())
    , m_connection(std::move(connection))
    , m_branch(std::move(branch))
    , m_method(std::move(method))
    , m_request(std::move(request))
{
    m_history[0] = { m_state, m_createdNs };
    m_historyLen = 1;
}

Transaction::~Transaction()
{
    for (TimerSlot& t : m_timers)
        if (t.name)
            m_layer.scheduler().cancel(t.id);
}

Transaction::TimerSlot* Transaction::slot(char name)
{
    for (TimerSlot& t : m_timers)
        if (t.name == name)
            return &t;
    return nullptr;
}

const Transaction::TimerSlot* Transaction::slot(char name) const
{
    for (const TimerSlot& t : m_timers)
        if (t.name == name)
            return &t;
    return nullptr;
}

qint64 Transaction::timerDue(char name) const
{
    const TimerSlot* t = slot(name);
    return t ? m_layer.scheduler().dueNs(t->id) : -1;
}

qint64 Transaction::timerInterval(char name) const
{
    const TimerSlot* t = slot(name);
    return t ? t->intervalNs : -1;
}

void Transaction::setState(State s)
{
    if (s == m_state)
        return;
    const State old = m_state;
    m_state = s;
    if (m_historyLen < kMaxHistory)
        m_history[m_historyLen++] = { s, m_layer.scheduler().nowNs() };
    else
        m_history[kMaxHistory - 1] = { s, m_layer.scheduler().nowNs() };
    m_layer.traceState(*this, old, s);
    m_layer.transactionChanged(*this);
}

void Transaction::arm(char name, qint64 ns)
{
    TimerSlot* t = slot(name);
    if (t)
        m_layer.scheduler().cancel(t->id);
    else
        t = slot(0);
    Q_ASSERT(t); // a machine never has more than kMaxTimers armed
    if (!t)
        return;
    t->name = name;
    t->intervalNs = ns;
    t->id = m_layer.scheduler().schedule(ns, [this, name] { onTimer(name); });
    m_layer.traceTimer(*this, trace::Kind::TimerArmed, name, ns);
}

void Transaction::disarm(char name)
{
    TimerSlot* t = slot(name);
    if (!t)
        return;
    m_layer.scheduler().cancel(t->id);
    *t = {};
    m_layer.traceTimer(*this, trace::Kind::TimerCancelled, name, 0);
}

void Transaction::disarmAll()
{
    for (TimerSlot& t : m_timers)
        if (t.name)
            disarm(t.name);
}

void Transaction::onTimer(char name)
{
    TimerSlot* t = slot(name);
    if (!t)
        return;
    m_firedIntervalNs = t->intervalNs;
    *t = {};
    m_layer.traceTimer(*this, trace::Kind::TimerFired, name, 0);
    timerFired(name);
}

bool Transaction::transmit(const QByteArray& bytes, bool retransmission)
{
    if (retransmission)
        ++m_retransmissions;
    return m_layer.transmit(*this, bytes, retransmission ? m_retransmissions : 0);
}

void Transaction::terminate()
{
    if (m_state == State::Terminated)
        return;
    disarmAll();
    setState(State::Terminated);
    m_layer.transactionTerminated(*this);
}

TransactionSnapshot Transaction::snapshot() const
{
    TransactionSnapshot s;
    s.id = m_id;
    s.role = isClient() ? QStringLiteral("client") : QStringLiteral("server");
    s.kind = QString::fromLatin1(kindName(m_kind));
    s.method = QString::fromLatin1(m_method);
    s.branch = m_branch;
    s.state = QString::fromLatin1(stateName(m_state));
    s.terminated = isTerminated();
    for (int i = 0; i < m_historyLen; ++i)
        s.history.append({ QString::fromLatin1(stateName(m_history[i].state)), m_history[i].timeNs });
    for (const TimerSlot& t : m_timers) {
        if (!t.name)
            continue;
        s.timers.append({ TransactionLayer::timerName(t.name), t.intervalNs, m_layer.scheduler().dueNs(t.id) });
    }
    s.retransmissions = m_retransmissions;
    if (m_connection) {
        s.connectionId = m_connection->id();
        s.connection = m_connection->describe();
        s.localEndpoint = m_connection->localEndpoint();
        s.remoteEndpoint = m_connection->remoteEndpoint();
        s.reliable = m_connection->reliable();
    }
    s.dialogId = m_dialogId;
    s.lastStatus = m_lastStatus;
    s.createdNs = m_createdNs;
    s.messages.append(m_request);
    if (!m_lastResponse.isEmpty())
        s.messages.append(m_lastResponse);
    if (!m_extra.isEmpty())
        s.messages.append(m_extra);
    return s;
}

} // namespace ladder::sip
