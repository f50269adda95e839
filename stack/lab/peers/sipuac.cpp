// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipuac.h"

#include "host/stack.h"
#include "sip/message/builder.h"
#include "sip/sipstack.h"

namespace ladder::lab::peers {

SipUac::SipUac(Stack& stack, const QString& label, const QString& host, quint64 seed)
    : SipPeer(stack, label, host, seed)
{
    QObject::connect(m_sip.get(), &sip::SipStack::responseReceived, context(),
        [this](const sip::Incoming& in) { onResponse(in); });
    QObject::connect(m_sip.get(), &sip::SipStack::transactionTimedOut, context(),
        [this](quint64 tx, const QString& timer) {
            m_timeouts.insert(tx, timer);
            m_timeoutTimes.insert(tx, m_stack.scheduler().nowNs());
            m_pending.remove(tx);
            if (m_onFinal)
                m_onFinal(tx, 0);
        });
    QObject::connect(m_sip.get(), &sip::SipStack::transactionFailed, context(), [this](quint64 tx, const QString& why) {
        m_errors << why;
        m_pending.remove(tx);
    });
    QObject::connect(m_sip.get(), qOverload<quint64, int>(&sip::SipStack::transactionTerminated), context(),
        [this](quint64 tx, int) { m_pending.remove(tx); });
}

SipUac::~SipUac()
{
    dropSignals();
    for (const Scheduler::TimerId id : std::as_const(m_scheduled))
        m_stack.scheduler().cancel(id);
}

void SipUac::later(qint64 ms, std::function<void()> fn)
{
    auto id = std::make_shared<Scheduler::TimerId>(0);
    *id = m_stack.scheduler().schedule(ms * 1'000'000, [this, id, fn = std::move(fn)] {
        m_scheduled.remove(*id);
        fn();
    });
    m_scheduled.insert(*id);
}

quint64 SipUac::call(const Call& call)
{
    m_call = call;
    sip::RequestTemplate t;
    t.method = "INVITE";
    t.requestUri = call.requestUri;
    t.to = call.to.isEmpty() ? '<' + call.requestUri + '>' : call.to;
    t.from = '<' + aor() + '>';
    t.fromTag = m_ids.tag();
    t.callId = m_ids.callId(m_host.toUtf8());
    t.cseq = 1;
    t.via.transport = sip::transportToken(call.transport);
    t.via.sentBy = address().toSentBy();
    t.branch = m_ids.branch();
    t.contact = contact(call.transport);
    QString error;
    const auto c = m_sip->connect(call.transport, call.nextHop, &error);
    if (!c) {
        m_errors << error;
        return 0;
    }
    sip::SendFlags flags = sip::SendFlag::Stateful;
    if (call.dialogOnFork)
        flags |= sip::SendFlag::DialogOnFork;
    const sip::SendResult r = m_sip->send(c, sip::buildRequest(t), 0, flags);
    if (!r.ok()) {
        m_errors << r.toString();
        return 0;
    }
    m_invite = r.transaction;
    m_pending.insert(m_invite);
    return m_invite;
}

quint64 SipUac::request(const Request& req)
{
    sip::RequestTemplate t;
    t.method = req.method;
    t.requestUri = req.requestUri;
    t.to = req.to.isEmpty() ? '<' + req.requestUri + '>' : req.to;
    t.from = '<' + aor() + '>';
    t.fromTag = req.fromTag.isEmpty() ? m_ids.tag() : req.fromTag;
    t.callId = req.callId.isEmpty() ? m_ids.callId(m_host.toUtf8()) : req.callId;
    t.cseq = req.cseq;
    t.via.transport = sip::transportToken(req.transport);
    t.via.sentBy = address().toSentBy();
    t.branch = m_ids.branch();
    t.extraHeaders = req.headers;
    QString error;
    const auto c = m_sip->connect(req.transport, req.nextHop, &error);
    if (!c) {
        m_errors << error;
        return 0;
    }
    const sip::SendResult r = m_sip->send(c, sip::buildRequest(t), 0, sip::SendFlag::Stateful);
    if (!r.ok()) {
        m_errors << r.toString();
        return 0;
    }
    m_pending.insert(r.transaction);
    return r.transaction;
}

void SipUac::onResponse(const sip::Incoming& in)
{
    const sip::Message& m = in.message;
    const int status = m.statusCode();
    ResponseSeen seen;
    seen.transaction = in.transaction;
    seen.method = m.transactionMethod();
    seen.status = status;
    seen.toTag = m.toTag().toByteArray();
    seen.dialog = in.dialog;
    seen.timeNs = m_stack.scheduler().nowNs();
    seen.message = m;
    m_responses.append(seen);
    if (in.transaction == 0)
        return; // a stray or late response (the stack re-sends our ACK for a known dialog)

    if (in.transaction == m_invite) {
        if (status > 100 && status < 300 && !seen.toTag.isEmpty())
            m_forkTags.insert(seen.toTag);
        if (in.dialog)
            m_dialogs.insert(in.dialog);
        if (status > 100 && status < 200 && m_call.cancelAfterMs >= 0 && !m_cancelArmed) {
            m_cancelArmed = true;
            later(m_call.cancelAfterMs, [this] {
                const sip::SendResult r = m_sip->cancel(m_invite);
                if (!r.ok())
                    m_errors << r.toString();
                else if (r.transaction) {
                    m_cancel = r.transaction;
                    m_pending.insert(r.transaction);
                }
            });
        }
        if (status >= 200 && status < 300 && in.dialog && !m_acked.contains(in.dialog)) {
            m_acked.insert(in.dialog);
            const auto cseq = m.cseq();
            ack(in.dialog, cseq ? cseq->number : 1);
            if (m_call.hangUpAfterMs >= 0) {
                const quint64 d = in.dialog;
                later(m_call.hangUpAfterMs, [this, d] { hangUp(d); });
            }
        }
    }
    if (status >= 200 && !m_final.contains(in.transaction)) {
        m_final.insert(in.transaction, status);
        m_pending.remove(in.transaction);
        if (m_onFinal)
            m_onFinal(in.transaction, status);
    }
}

void SipUac::ack(quint64 dialogId, quint32 cseq)
{
    sip::Dialog* d = m_sip->dialog(dialogId);
    if (!d)
        return;
    sip::Message a = d->createAck(cseq);
    a.prependHeader(sip::HeaderId::Via, newVia(m_call.transport));
    const sip::SendResult r = m_sip->send(nullptr, a, dialogId, sip::SendFlag::None);
    if (r.ok())
        ++m_acks;
    else
        m_errors << r.toString();
}

void SipUac::hangUp(quint64 dialogId)
{
    auto bye = m_sip->createInDialog(dialogId, "BYE");
    if (!bye)
        return;
    bye->prependHeader(sip::HeaderId::Via, newVia(m_call.transport));
    const sip::SendResult r = m_sip->send(nullptr, *bye, dialogId, sip::SendFlag::Stateful);
    if (!r.ok()) {
        m_errors << r.toString();
        return;
    }
    ++m_byes;
    m_pending.insert(r.transaction);
}

} // namespace ladder::lab::peers
