// SPDX-License-Identifier: GPL-3.0-or-later
// SipStack: the receive path (RFC 3261 §18.2.1, §18.1.2) and what the transactions pass up.
#include "sipstack.h"

#include "sip/message/builder.h"
#include "sip/transaction/clienttransaction.h"
#include "core/scheduler.h"
#include "sip/transaction/inviteclienttransaction.h"
#include "sip/transaction/inviteservertransaction.h"
#include "sip/message/parser.h"
#include "sip/transaction/servertransaction.h"
#include "journal/journal.h"
#include "sip/transaction/transactionmessages.h"

namespace ladder::sip {

namespace {
    bool createsDialog(QByteArrayView method) { return method == "INVITE" || method == "SUBSCRIBE"; }
    bool refreshesTarget(QByteArrayView method)
    {
        return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY";
    }
    bool onlyCrlf(const QByteArray& bytes)
    {
        for (char ch : bytes)
            if (ch != '\r' && ch != '\n')
                return false;
        return true;
    }
}

void SipStack::traceRx(const std::shared_ptr<Connection>& c, const QByteArray& bytes, quint64 object)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::SipMessage;
    e.dir = trace::Dir::Rx;
    e.object = object;
    e.a = c->id();
    e.b = quint64(c->type());
    // Received: the peer sends, we receive.
    e.from = c->remoteEndpoint();
    e.to = c->localEndpoint();
    const qsizetype eol = bytes.indexOf('\r');
    e.text = QString::fromUtf8(QByteArrayView(bytes).first(qMin<qsizetype>(eol < 0 ? bytes.size() : eol, 200)));
    e.raw = bytes;
    m_journal->append(std::move(e));
}

namespace {
constexpr int kMalformedSample = 8; // per source and window, journalled whole
constexpr qint64 kMalformedWindowMs = 10000;
constexpr qsizetype kMalformedSources = 1024; // beyond: counted together
} // namespace

bool SipStack::sampleMalformed(const std::shared_ptr<Connection>& c, qsizetype bytes)
{
    QString source = c->remoteEndpoint();
    if (!m_malformed.contains(source) && m_malformed.size() >= kMalformedSources)
        source = QStringLiteral("other sources");
    MalformedCount& m = m_malformed[source];
    const qint64 now = m_scheduler.nowNs();
    if (m.kept == 0 || (!m.dropped && now - m.windowStartNs >= kMalformedWindowMs * 1000000)) {
        m.windowStartNs = now; // a new window (a source with drops waits for the flush)
        m.kept = 0;
    }
    if (m.kept < kMalformedSample) {
        ++m.kept;
        return true;
    }
    ++m.dropped;
    m.droppedBytes += quint64(bytes);
    // Only a window with drops needs its end marked (a timer would change a lab run's timeline).
    if (!m_malformedFlush)
        m_malformedFlush = m_scheduler.scheduleMs(kMalformedWindowMs, [this] {
            m_malformedFlush = 0;
            flushMalformed();
        });
    return false;
}

void SipStack::flushMalformed()
{
    for (auto it = m_malformed.cbegin(); it != m_malformed.cend(); ++it)
        if (it->dropped)
            traceNote(trace::Kind::Error, 0,
                QStringLiteral("EPROTO: dropped %1 more malformed message(s) (%2 bytes) from %3 within %4 s; only the first %5 "
                               "are journalled whole")
                    .arg(it->dropped)
                    .arg(it->droppedBytes)
                    .arg(it.key())
                    .arg(kMalformedWindowMs / 1000)
                    .arg(kMalformedSample));
    m_malformed.clear();
}

void SipStack::receive(const std::shared_ptr<Connection>& c, const QByteArray& bytes)
{
    if (onlyCrlf(bytes))
        return; // keep-alive (RFC 5626 CRLF ping) or stray line ends
    ParseOptions options;
    options.stream = c->stream();
    ParseResult p = parse(bytes, options);
    if (!p.ok) {
        if (!sampleMalformed(c, bytes.size()))
            return;
        traceRx(c, bytes, 0);
        traceNote(trace::Kind::Error, 0,
            QStringLiteral("EPROTO: dropped a malformed message from %1: %2").arg(c->remoteEndpoint(), p.error), c);
        return;
    }
    Message& m = p.message;
    // §8.2 / §18: without these the message can be neither matched nor answered. The parser has
    // already checked the values of those present (a bad CSeq or From fails parsing).
    const char* missing = nullptr;
    if (!m.hasHeader(HeaderId::Via)) // present means parsed: parse() validated every Via value
        missing = "Via";
    else if (!m.hasHeader(HeaderId::CSeq))
        missing = "CSeq";
    else if (m.callId().isEmpty())
        missing = "Call-ID";
    else if (!m.hasHeader(HeaderId::From))
        missing = "From";
    else if (!m.hasHeader(HeaderId::To))
        missing = "To";
    if (missing) {
        if (!sampleMalformed(c, bytes.size()))
            return;
        traceRx(c, bytes, 0);
        traceNote(trace::Kind::Error, 0,
            QStringLiteral("EPROTO: dropped a message from %1 without a usable %2 header")
                .arg(c->remoteEndpoint(), QString::fromLatin1(missing)),
            c);
        return;
    }
    if (m.isRequest())
        receiveRequest(c, m, bytes);
    else
        receiveResponse(c, m, bytes);
}

bool SipStack::applyRport(const std::shared_ptr<Connection>& c, Message& m, const Via* topVia)
{
    // RFC 3581 / §18.2.1: note where the request really came from in the top Via, so that
    // responses (which copy it) say so; responses always go back over the connection it came on.
    if (c->stream())
        return false;
    std::optional<Via> own;
    if (!topVia) {
        own = m.topVia();
        topVia = own ? &*own : nullptr;
    }
    if (!topVia)
        return false;
    const Via& via = *topVia;
    const QString& source = c->remote().host;
    QByteArrayView host = via.host();
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.sliced(1, host.size() - 2);
    const bool addReceived = QString::compare(source, QLatin1String(host.data(), host.size()), Qt::CaseInsensitive) != 0
        && !via.params().has("received");
    const Param* rport = via.params().find("rport");
    const bool fillRport = rport && via.rport() < 0;
    if (!addReceived && !fillRport)
        return false;
    // The value as written with "=port" spliced in after the rport name (replacing an empty
    // value) and ";received=" appended: one allocation, and the rest of the Via keeps its bytes.
    const QByteArrayView t = via.text();
    qsizetype cut = t.size(), resume = t.size();
    if (fillRport) {
        cut = rport->name.data() + rport->name.size() - t.data();
        resume = rport->hasValue ? rport->value.data() + rport->value.size() - t.data() : cut;
    }
    QByteArray v;
    v.reserve(t.size() + 16 + (addReceived ? source.size() + 10 : 0));
    v.append(t.first(cut));
    if (fillRport) {
        v += '=';
        v += QByteArray::number(c->remote().port);
    }
    v.append(t.sliced(resume));
    if (addReceived) {
        v += ";received=";
        v += source.toUtf8();
    }
    m.setTopVia(v);
    return true;
}

void SipStack::answerStatelessly(const std::shared_ptr<Connection>& c, const Message& request, int status,
    const QByteArray& reason)
{
    if (request.method() == "ACK")
        return;
    sendStateless(c, transactionmsg::responseTo(request, status, m_ids.tag(), reason).serialize(), 0);
}

void SipStack::receiveRequest(const std::shared_ptr<Connection>& c, Message& m, const QByteArray& bytes)
{
    // The top Via, parsed once for rport and matching (again only when rport rewrote it).
    std::optional<Via> via = m.topVia();
    if (applyRport(c, m, via ? &*via : nullptr))
        via = m.topVia();
    const Via* topVia = via ? &*via : nullptr;
    const QByteArrayView method = m.method();

    if (ServerTransaction* t = m_transactions.matchRequest(m, topVia)) {
        traceRx(c, bytes, t->id());
        t->receiveRequest(m, bytes); // a retransmission, or the ACK of a non-2xx
        return;
    }
    if (method == "ACK") {
        // The ACK of a 2xx: its own transaction (§17.1.1.3), matched to the dialog.
        Dialog* d = m_dialogs.matchRequest(m);
        traceRx(c, bytes, 0);
        if (d) {
            if (const auto it = m_awaitingAck.find(d->id()); it != m_awaitingAck.end()) {
                if (auto* t = static_cast<InviteServerTransaction*>(m_transactions.find(*it));
                    t && t->kind() == Transaction::Kind::InviteServer)
                    t->ackReceived();
                m_awaitingAck.erase(it);
            }
        }
        emit requestReceived(Incoming { m, bytes, c, 0, d ? d->id() : 0 });
        return;
    }
    if (method == "CANCEL") {
        receiveCancel(c, m, bytes);
        return;
    }

    Dialog* d = nullptr;
    // Most requests start a transaction outside any dialog: an untagged To is told by a scan.
    if (mayHaveTag(m.value(HeaderId::To)) && !m.toTag().isEmpty()) {
        d = m_dialogs.matchRequest(m);
        if (!d && method != "NOTIFY") {
            // §12.2.2: a request for a dialog we do not know.
            traceRx(c, bytes, 0);
            traceNote(trace::Kind::Log, 0,
                QStringLiteral("481: no dialog for Call-ID %1").arg(QString::fromUtf8(m.callId().toByteArray())), c);
            answerStatelessly(c, m, 481);
            return;
        }
    }
    if (m_transactions.atCapacity()) {
        traceRx(c, bytes, 0);
        traceNote(trace::Kind::Error, 0,
            QStringLiteral("ENOMEM: %1 live transactions, the limit: answered 503").arg(m_transactions.liveCount()), c);
        answerStatelessly(c, m, 503);
        return;
    }
    ServerTransaction* t = m_transactions.createServer(c, m, bytes, topVia);
    traceRx(c, bytes, t->id());
    if (d) {
        t->setDialogId(d->id());
        const auto cseq = m.cseq();
        if (cseq && !d->acceptRemoteCSeq(cseq->number)) {
            // §12.2.2: lower than the remote CSeq: out of order.
            traceNote(trace::Kind::Log, t->id(),
                QStringLiteral("500: CSeq %1 is lower than the dialog's remote CSeq %2")
                    .arg(cseq->number)
                    .arg(d->remoteCSeq()),
                c);
            reply(t->id(), 500, QByteArrayLiteral("Out of Order"));
            return;
        }
        if (refreshesTarget(method) && d->updateRemoteTarget(m))
            m_dialogs.touched(*d);
        if (method == "BYE")
            m_byeDialogs.insert(t->id(), d->id());
        else if (method == "NOTIFY" && m.value("Subscription-State").startsWith("terminated"))
            m_byeDialogs.insert(t->id(), d->id());
    }
    noteChanged();
    emit requestReceived(Incoming { m, bytes, c, t->id(), d ? d->id() : 0 });
    if (t->kind() == Transaction::Kind::InviteServer && !t->isTerminated())
        static_cast<InviteServerTransaction*>(t)->begin();
}

void SipStack::receiveCancel(const std::shared_ptr<Connection>& c, const Message& m, const QByteArray& bytes)
{
    InviteServerTransaction* invite = m_transactions.matchCancelled(m);
    if (m_transactions.atCapacity()) {
        traceRx(c, bytes, 0);
        answerStatelessly(c, m, 503);
        return;
    }
    ServerTransaction* t = m_transactions.createServer(c, m, bytes);
    traceRx(c, bytes, t->id());
    if (!invite) {
        reply(t->id(), 481); // §9.2: no transaction to cancel
        return;
    }
    // §9.2: the CANCEL is answered 200; a still pending INVITE is answered 487.
    reply(t->id(), 200);
    const quint64 dialogId = invite->dialogId();
    t->setDialogId(dialogId);
    if (invite->state() == Transaction::State::Proceeding && !invite->hasFinalResponse())
        reply(invite->id(), 487);
    emit requestReceived(Incoming { m, bytes, c, t->id(), dialogId });
}

void SipStack::receiveResponse(const std::shared_ptr<Connection>& c, const Message& m, const QByteArray& bytes)
{
    const auto via = m.topVia();
    if (!isOurSentBy(*via)) {
        // §18.1.2: a response whose top Via is not ours was misrouted.
        traceRx(c, bytes, 0);
        traceNote(trace::Kind::Error, 0,
            QStringLiteral("EPROTO: dropped a response whose top Via sent-by %1 is not one of ours")
                .arg(QString::fromUtf8(via->sentBy())),
            c);
        return;
    }
    ClientTransaction* t = m_transactions.matchResponse(m, via ? &*via : nullptr);
    traceRx(c, bytes, t ? t->id() : 0);
    if (t) {
        t->receiveResponse(m, bytes);
        return;
    }
    // No transaction: typically a 2xx retransmitted after the INVITE transaction ended; the UAC
    // core answers it with its ACK again (§13.2.2.4).
    Dialog* d = m_dialogs.matchResponse(m);
    const int status = m.statusCode();
    if (d && status >= 200 && status < 300 && m.transactionMethod() == "INVITE" && !d->lastAck().isEmpty()) {
        sendStateless(d->connection() ? d->connection() : c, d->lastAck(), 0, true);
        return;
    }
    if (m_maintainDialogs)
        d = statelessResponse(m, d); // a stateless request's answer may make, confirm or end dialogs
    emit responseReceived(Incoming { m, bytes, c, 0, d ? d->id() : 0 });
}

void SipStack::clientResponse(ClientTransaction& t, const Message& response, const QByteArray& bytes,
    bool retransmission)
{
    const int status = response.statusCode();
    Dialog* d = nullptr;
    if (retransmission) {
        // Accepted state (RFC 6026): a 2xx again. For a confirmed dialog it is a retransmission: re-send
        // our ACK and do not bother the user. A 2xx for an early dialog or with a new To tag is
        // another fork's answer: go on.
        d = m_dialogs.matchResponse(response);
        if (d && !d->isEarly()) {
            if (!d->lastAck().isEmpty())
                sendStateless(d->connection() ? d->connection() : t.connection(), d->lastAck(), t.id(), true);
            else
                traceNote(trace::Kind::Log, t.id(), QStringLiteral("2xx retransmission absorbed (no ACK sent yet)"),
                    t.connection());
            return;
        }
    }
    if (m_maintainDialogs && createsDialog(t.method()) && !t.dialogId()) {
        const auto request = requestOf(t);
        if (request) {
            const bool onFork = t.userFlags() & quint8(SendFlag::DialogOnFork);
            d = m_dialogs.uacResponse(t.id(), *request, response, onFork, t.connection());
            if (status >= 300)
                m_dialogs.uacFinished(t.id(), status);
        }
    } else if ((d = m_dialogs.find(t.dialogId()))) {
        if (status >= 200 && status < 300 && refreshesTarget(t.method()) && d->updateRemoteTarget(response))
            m_dialogs.touched(*d);
        // §12.2.1.2: 481 and 408 end the dialog; so does the final response to BYE, and a 2xx to
        // a NOTIFY that ended the subscription (RFC 6665).
        if (status == 481 || status == 408 || (t.method() == "BYE" && status >= 200)
            || (status >= 200 && status < 300 && m_byeDialogs.contains(t.id())))
            m_dialogs.setState(*d, Dialog::State::Terminated);
    }
    if (status > 100 && status < 200 && t.kind() == Transaction::Kind::InviteClient && m_pendingCancel.remove(t.id()))
        send(t.connection(), transactionmsg::cancelFor(static_cast<InviteClientTransaction&>(t).request()), 0,
            SendFlag::Stateful);
    noteChanged();
    emit responseReceived(Incoming { response, bytes, t.connection(), t.id(), d ? d->id() : 0 });
}

void SipStack::serverAck(ServerTransaction& t, const Message& ack, const QByteArray& bytes)
{
    emit requestReceived(Incoming { ack, bytes, t.connection(), 0, t.dialogId() });
}

void SipStack::transactionTimeout(Transaction& t, char timer)
{
    if (t.kind() == Transaction::Kind::InviteClient)
        m_dialogs.uacFinished(t.id(), 0);
    if (Dialog* d = m_dialogs.find(t.dialogId()); d && t.isClient() && !createsDialog(t.method()))
        m_dialogs.setState(*d, Dialog::State::Terminated); // §12.2.1.2: a timeout ends the dialog
    emit transactionTimedOut(t.id(), TransactionLayer::timerName(timer));
}

void SipStack::transactionTransportError(Transaction& t)
{
    const Connection* c = t.connection().get();
    QString why = QStringLiteral("transport error on %1").arg(c ? c->describe() : QStringLiteral("no connection"));
    if (c && !c->failure().isEmpty())
        why += QStringLiteral(": ") + c->failure();
    emit transactionFailed(t.id(), why);
}

void SipStack::transactionTerminated(Transaction& t)
{
    if (t.isClient() && createsDialog(t.method()))
        m_dialogs.uacFinished(t.id(), -1);
    m_pendingCancel.remove(t.id());
    m_byeDialogs.remove(t.id());
    if (t.kind() == Transaction::Kind::InviteServer) {
        if (const auto it = m_awaitingAck.find(t.dialogId()); it != m_awaitingAck.end() && *it == t.id()) {
            traceNote(trace::Kind::Log, t.id(), QStringLiteral("no ACK for the 2xx within 64*T1 (RFC 3261 §13.3.1.4)"),
                t.connection());
            m_awaitingAck.erase(it);
        }
    }
    emit transactionTerminated(t.id(), t.lastStatus());
    noteChanged();
}

void SipStack::transactionChanged(Transaction&) { noteChanged(); }

} // namespace ladder::sip
