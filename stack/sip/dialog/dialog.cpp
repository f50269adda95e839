// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialog.h"

#include "sip/message/headernameaddr.h"

namespace ladder::sip {

namespace {
    QByteArray firstValue(const Message& m, HeaderId id)
    {
        const qsizetype i = m.indexOf(id);
        return i < 0 ? QByteArray() : m.headerAt(i).value.toByteArray();
    }

    // Every Record-Route element, in message order.
    QList<QByteArray> recordRoute(const Message& m)
    {
        QList<QByteArray> out;
        for (QByteArrayView v : m.values(HeaderId::RecordRoute))
            out.append(v.toByteArray());
        return out;
    }

    QByteArray contactUri(const Message& m)
    {
        const QList<NameAddr> contacts = m.contacts();
        if (contacts.isEmpty() || contacts.first().isStar())
            return {};
        return contacts.first().uri().toByteArray();
    }
}

const char* Dialog::stateName(State s)
{
    switch (s) {
    case State::Early: return "early";
    case State::Confirmed: return "confirmed";
    case State::Terminated: return "terminated";
    }
    return "?";
}

QByteArray Dialog::uriOf(QByteArrayView value)
{
    const auto na = NameAddr::parse(value.toByteArray());
    return na ? na->uri().toByteArray() : value.toByteArray();
}

std::unique_ptr<Dialog> Dialog::fromResponse(quint64 id, const Message& request, const Message& response)
{
    std::unique_ptr<Dialog> d(new Dialog);
    d->m_id = id;
    d->m_role = Role::Uac;
    d->m_method = request.method().toByteArray();
    d->m_callId = response.callId().toByteArray();
    d->m_localTag = request.fromTag().toByteArray();
    d->m_remoteTag = response.toTag().toByteArray();
    d->m_localHeader = firstValue(request, HeaderId::From);
    d->m_remoteHeader = firstValue(response, HeaderId::To);
    d->m_remoteTarget = contactUri(response);
    if (d->m_remoteTarget.isEmpty())
        d->m_remoteTarget = request.requestUriText().toByteArray();
    QList<QByteArray> rr = recordRoute(response);
    std::reverse(rr.begin(), rr.end()); // §12.1.2: the UAC uses the Record-Route in reverse order
    d->m_routeSet = rr;
    const auto cseq = request.cseq();
    d->m_localCSeq = cseq ? cseq->number : 0;
    d->m_secure = request.requestUriText().startsWith("sips:");
    d->m_localContact = firstValue(request, HeaderId::Contact);
    d->m_state = response.statusCode() < 200 ? State::Early : State::Confirmed;
    return d;
}

std::unique_ptr<Dialog> Dialog::fromRequest(quint64 id, const Message& request, const Message& response)
{
    std::unique_ptr<Dialog> d(new Dialog);
    d->m_id = id;
    d->m_role = Role::Uas;
    d->m_method = request.method().toByteArray();
    d->m_callId = request.callId().toByteArray();
    d->m_localTag = response.toTag().toByteArray();
    d->m_remoteTag = request.fromTag().toByteArray();
    d->m_localHeader = firstValue(response, HeaderId::To);
    d->m_remoteHeader = firstValue(request, HeaderId::From);
    d->m_remoteTarget = contactUri(request);
    d->m_routeSet = recordRoute(request); // §12.1.1: in the order of the request
    const auto cseq = request.cseq();
    d->m_remoteCSeq = cseq ? cseq->number : 0;
    d->m_remoteCSeqSet = bool(cseq);
    d->m_localCSeq = 0; // empty until we send a request; the first one gets 1
    d->m_secure = request.requestUriText().startsWith("sips:");
    d->m_localContact = firstValue(response, HeaderId::Contact);
    d->m_state = response.statusCode() < 200 ? State::Early : State::Confirmed;
    return d;
}

bool Dialog::confirm()
{
    if (m_state != State::Early)
        return false;
    m_state = State::Confirmed;
    return true;
}

bool Dialog::terminate()
{
    if (m_state == State::Terminated)
        return false;
    m_state = State::Terminated;
    return true;
}

void Dialog::stamp(qint64 nowNs)
{
    if (m_history.size() < 8)
        m_history.append({ m_state, nowNs });
}

bool Dialog::acceptRemoteCSeq(quint32 number)
{
    if (m_remoteCSeqSet && number < m_remoteCSeq)
        return false;
    m_remoteCSeq = number;
    m_remoteCSeqSet = true;
    return true;
}

bool Dialog::updateRemoteTarget(const Message& m)
{
    const QByteArray target = contactUri(m);
    if (target.isEmpty() || target == m_remoteTarget)
        return false;
    m_remoteTarget = target;
    return true;
}

void Dialog::updateFromResponse(const Message& response)
{
    updateRemoteTarget(response);
    if (m_role == Role::Uac && response.statusCode() >= 200 && response.hasHeader(HeaderId::RecordRoute)) {
        QList<QByteArray> rr = recordRoute(response);
        std::reverse(rr.begin(), rr.end());
        m_routeSet = rr;
    }
}

QByteArray Dialog::nextHopUri() const
{
    if (m_routeSet.isEmpty())
        return m_remoteTarget;
    return uriOf(m_routeSet.first());
}

Message Dialog::baseRequest(const QByteArray& method, quint32 cseq) const
{
    // §12.2.1.1: loose routing (first route has ;lr) keeps the remote target as Request-URI and
    // the whole route set as Route; strict routing puts the first route in the Request-URI and
    // the remote target at the end of the Route header field.
    QByteArray requestUri = m_remoteTarget;
    QList<QByteArray> routes = m_routeSet;
    if (!routes.isEmpty()) {
        const auto first = NameAddr::parse(routes.first());
        const bool loose = first && first->uri().hasParam("lr");
        if (!loose) {
            requestUri = first ? first->uri().toByteArray() : uriOf(routes.first());
            routes.removeFirst();
            routes.append('<' + m_remoteTarget + '>');
        }
    }
    Message m = Message::request(method, requestUri);
    for (const QByteArray& r : routes)
        m.appendHeader(HeaderId::Route, r);
    m.appendHeader(HeaderId::MaxForwards, QByteArrayLiteral("70"));
    m.appendHeader(HeaderId::From, m_localHeader);
    m.appendHeader(HeaderId::To, m_remoteHeader);
    m.appendHeader(HeaderId::CallId, m_callId);
    m.appendHeader(HeaderId::CSeq, QByteArray::number(cseq) + ' ' + method);
    if (!m_localContact.isEmpty() && method != "ACK" && method != "BYE")
        m.appendHeader(HeaderId::Contact, m_localContact);
    m.appendHeader(HeaderId::ContentLength, QByteArrayLiteral("0"));
    return m;
}

Message Dialog::createRequest(const QByteArray& method)
{
    if (method == "ACK")
        return createAck(m_localCSeq);
    return baseRequest(method, ++m_localCSeq);
}

Message Dialog::createAck(quint32 inviteCSeq) const { return baseRequest(QByteArrayLiteral("ACK"), inviteCSeq); }

DialogSnapshot Dialog::snapshot() const
{
    DialogSnapshot s;
    s.id = m_id;
    s.role = m_role == Role::Uac ? QStringLiteral("UAC") : QStringLiteral("UAS");
    s.method = QString::fromLatin1(m_method);
    s.state = QString::fromLatin1(stateName(m_state));
    s.callId = m_callId;
    s.localTag = m_localTag;
    s.remoteTag = m_remoteTag;
    s.localUri = uriOf(m_localHeader);
    s.remoteUri = uriOf(m_remoteHeader);
    s.remoteTarget = m_remoteTarget;
    s.routeSet = m_routeSet;
    s.localCSeq = m_localCSeq;
    s.remoteCSeq = m_remoteCSeqSet ? m_remoteCSeq : 0;
    s.secure = m_secure;
    s.creatingTransaction = m_creatingTransaction;
    for (const auto& [state, t] : m_history)
        s.history.append({ QString::fromLatin1(stateName(state)), t });
    return s;
}

} // namespace ladder::sip
