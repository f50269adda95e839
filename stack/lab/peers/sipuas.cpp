// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipuas.h"

#include "host/stack.h"
#include "sip/sipstack.h"
#include "sip/transaction/transaction.h"

namespace ladder::lab::peers {

SipUas::SipUas(Stack& stack, const QString& label, const QString& host, quint64 seed, const Answer& answer)
    : SipPeer(stack, label, host, seed)
    , m_answer(answer)
{
    QObject::connect(m_sip.get(), &sip::SipStack::requestReceived, context(),
        [this](const sip::Incoming& in) { onRequest(in); });
    QObject::connect(m_sip.get(), qOverload<quint64, int>(&sip::SipStack::transactionTerminated), context(), [this](quint64 tx, int) {
        const auto it = m_pending.find(tx);
        if (it == m_pending.end())
            return;
        for (const auto id : std::as_const(it->timers))
            m_stack.scheduler().cancel(id);
        m_pending.erase(it);
    });
}

SipUas::~SipUas()
{
    dropSignals();
    for (const Pending& p : std::as_const(m_pending))
        for (const auto id : p.timers)
            m_stack.scheduler().cancel(id);
}

void SipUas::later(quint64 tx, qint64 ms, std::function<void()> fn)
{
    if (ms <= 0) {
        fn();
        return;
    }
    const auto id = m_stack.scheduler().schedule(ms * 1'000'000, std::move(fn));
    m_pending[tx].timers.append(id);
}

void SipUas::onRequest(const sip::Incoming& in)
{
    const QByteArrayView method = in.message.method();
    if (method == "ACK") {
        ++m_acks;
        return;
    }
    if (method == "CANCEL") {
        // The stack has answered the CANCEL and the INVITE (487); forget our pending answer.
        ++m_cancels;
        const QByteArray branch = in.message.topVia() ? in.message.topVia()->branch().toByteArray() : QByteArray();
        for (auto it = m_pending.begin(); it != m_pending.end();) {
            const auto via = it->request.topVia();
            if (it->request.method() == "INVITE" && via && via->branch() == branch
                && it->request.callId() == in.message.callId()) {
                for (const auto id : std::as_const(it->timers))
                    m_stack.scheduler().cancel(id);
                it = m_pending.erase(it);
            } else {
                ++it;
            }
        }
        return;
    }
    if (!in.transaction)
        return;
    ++m_requests;
    const quint64 tx = in.transaction;
    Pending& p = m_pending[tx];
    p.request = in.message;
    p.type = in.connection ? in.connection->type() : sip::TransportType::Udp;
    if (method == "INVITE" && !in.dialog) {
        ++m_invites;
        if (m_answer.ring)
            respond(tx, 180);
        if (m_answer.status > 0)
            later(tx, m_answer.ringMs, [this, tx] { respond(tx, m_answer.status); });
        return;
    }
    if (method == "BYE")
        ++m_byes;
    later(tx, m_answer.nonInviteDelayMs, [this, tx] { respond(tx, 200); });
}

void SipUas::respond(quint64 tx, int status)
{
    const auto it = m_pending.find(tx);
    if (it == m_pending.end())
        return;
    sip::Transaction* t = m_sip->transaction(tx);
    if (!t || t->isTerminated())
        return;
    sip::SendResult r;
    if (m_answer.stackTags)
        r = m_sip->reply(tx, status);
    else
        r = m_sip->send(t->connection(), responseTo(tx, it->request, status, it->type), 0, sip::SendFlag::Stateful);
    // The send may have ended the transaction already (reliable transports: Timer J is 0) and
    // with it our entry: look it up again.
    if (status >= 200) {
        if (r.ok())
            ++m_finals;
        m_pending.remove(tx);
    }
}

} // namespace ladder::lab::peers
