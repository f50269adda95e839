// SPDX-License-Identifier: GPL-3.0-or-later
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
#include "sip/message/validation.h"

#include <cerrno>

namespace ladder::sip {

namespace {
    bool createsDialog(QByteArrayView method) { return method == "INVITE" || method == "SUBSCRIBE"; }

    // sip_sendmsg(3SIP): "The value of errno is not changed by these calls in the event of an
    // error." The error is in the result; a transport's failed system call must not leak into the
    // caller's errno. Every public send call keeps it.
    class ErrnoKept {
    public:
        ErrnoKept()
            : m_saved(errno)
        {
        }
        ~ErrnoKept() { errno = m_saved; }
        ErrnoKept(const ErrnoKept&) = delete;
        ErrnoKept& operator=(const ErrnoKept&) = delete;

    private:
        int m_saved;
    };
    const int kMetaTypes = [] {
        qRegisterMetaType<ladder::sip::Incoming>();
        qRegisterMetaType<ladder::sip::SendResult>();
        qRegisterMetaType<ladder::sip::TransactionSnapshot>();
        qRegisterMetaType<ladder::sip::DialogSnapshot>();
        qRegisterMetaType<ladder::sip::ConnectionSnapshot>();
        qRegisterMetaType<ladder::sip::StackSnapshot>();
        return 0;
    }();
}

SipStack::SipStack(Scheduler& scheduler, trace::Journal* journal, QObject* parent)
    : QObject(parent)
    , m_scheduler(scheduler)
    , m_journalConfigured(journal)
    , m_journal(journal)
    , m_transactions(scheduler, *this)
    , m_dialogs(scheduler)
    , m_ids(nextIdSeed())
{
    (void)kMetaTypes;
    m_transactions.setJournal(journal);
    m_dialogs.setJournal(journal);
    m_dialogs.setChangedHandler([this](const Dialog& d) {
        emit dialogChanged(d.id(), QString::fromLatin1(Dialog::stateName(d.state())));
        noteChanged();
    });
}

bool SipStack::isOurSentBy(const Via& via) const
{
    // host[:port] in lower case, composed on the stack: this runs for every request sent and
    // every response received, and the set lookup needs no allocation this way.
    char buf[160];
    const QByteArrayView host = via.host();
    if (host.size() > 140)
        return m_sentBys.contains(via.sentBy().toLower());
    qsizetype n = 0;
    for (char ch : host)
        buf[n++] = (ch >= 'A' && ch <= 'Z') ? char(ch + 32) : ch;
    if (via.port() >= 0) {
        buf[n++] = ':';
        char digits[8];
        int d = 0;
        for (int p = via.port(); d == 0 || p > 0; p /= 10)
            digits[d++] = char('0' + p % 10);
        while (d > 0)
            buf[n++] = digits[--d];
    }
    return m_sentBys.contains(QByteArray::fromRawData(buf, n));
}

SipStack::~SipStack()
{
    if (m_changedTimer)
        m_scheduler.cancel(m_changedTimer);
    if (m_malformedFlush)
        m_scheduler.cancel(m_malformedFlush);
    for (const StatelessRequest& r : std::as_const(m_statelessRequests))
        m_scheduler.cancel(r.expiry);
    // Transports go first so that no bytes arrive while the layers are torn down.
    for (auto& t : m_transports)
        t->setReceiveHandler({});
    m_transports.clear();
}

void SipStack::setTracing(bool on)
{
    m_journal = on ? m_journalConfigured : nullptr;
    m_transactions.setJournal(m_journal);
    m_dialogs.setJournal(m_journal);
}

Transport* SipStack::addTransport(std::unique_ptr<Transport> transport)
{
    Transport* t = transport.get();
    if (t->label().isEmpty())
        t->setLabel(m_label);
    t->setReceiveHandler([this](const std::shared_ptr<Connection>& c, const QByteArray& bytes) { receive(c, bytes); });
    t->setOpenedHandler([this](const std::shared_ptr<Connection>& c) {
        traceNote(trace::Kind::ConnectionState, c->id(), QStringLiteral("open: %1").arg(c->describe()), c);
        noteChanged();
    });
    t->setClosedHandler([this](const std::shared_ptr<Connection>& c) {
        traceNote(trace::Kind::ConnectionState, c->id(), QStringLiteral("closed: %1").arg(c->describe()), c);
        noteChanged();
    });
    t->setReportHandler([this](const std::shared_ptr<Connection>& c, const QString& text, bool error) {
        if (!error) {
            traceNote(trace::Kind::ConnectionState, c ? c->id() : 0, text, c);
            return;
        }
        traceNote(trace::Kind::Error, 0, text, c);
        if (!c)
            return;
        // Requests that went out on a failed connection get no answer on it (a refused
        // certificate, a limit hit): their transactions fail now rather than at Timer B/F.
        QList<quint64> failed;
        m_transactions.forEach([&](const Transaction& tx) {
            const Transaction::State s = tx.state();
            if (tx.isClient() && tx.connection() == c
                && (s == Transaction::State::Calling || s == Transaction::State::Trying
                    || s == Transaction::State::Proceeding))
                failed.append(tx.id());
        });
        for (const quint64 id : std::as_const(failed))
            if (Transaction* tx = m_transactions.find(id); tx && !tx->isTerminated())
                static_cast<ClientTransaction*>(tx)->connectionFailed();
    });
    registerSentBy(t->local().toSentBy());
    m_transports.push_back(std::move(transport));
    return t;
}

QList<Transport*> SipStack::transports() const
{
    QList<Transport*> out;
    for (const auto& t : m_transports)
        out.append(t.get());
    return out;
}

Transport* SipStack::transport(TransportType type) const
{
    for (const auto& t : m_transports)
        if (t->type() == type)
            return t.get();
    return nullptr;
}

std::shared_ptr<Connection> SipStack::connect(TransportType type, const HostPort& remote, QString* error)
{
    Transport* t = transport(type);
    if (!t) {
        if (error)
            *error = QStringLiteral("no %1 transport in this stack").arg(QString::fromLatin1(transportToken(type)));
        return {};
    }
    return t->connectTo(remote, error);
}

SendResult SipStack::fail(int error, const char* name, const QString& reason)
{
    traceNote(trace::Kind::Error, 0, QString::fromLatin1(name) + QStringLiteral(": ") + reason);
    return SendResult::failure(error, name, reason);
}

void SipStack::traceNote(trace::Kind kind, quint64 object, const QString& text, const std::shared_ptr<Connection>& c)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = kind;
    e.object = object;
    if (c) {
        e.from = c->localEndpoint();
        e.to = c->remoteEndpoint();
    }
    e.text = text;
    if (kind == trace::Kind::Log)
        e.a = 1;
    m_journal->append(std::move(e));
}

bool SipStack::sendStateless(const std::shared_ptr<Connection>& c, const QByteArray& bytes, quint64 object,
    bool retransmission)
{
    QString error;
    const bool ok = c->send(bytes, &error);
    if (!m_journal)
        return ok;
    if (!ok) {
        traceNote(trace::Kind::Error, object, QStringLiteral("EIO: the transport refused the message: ") + error, c);
        return false;
    }
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = retransmission ? trace::Kind::SipRetransmission : trace::Kind::SipMessage;
    e.dir = trace::Dir::Tx;
    e.object = object;
    e.a = c->id();
    e.b = quint64(c->type());
    e.c = retransmission ? 1 : 0;
    e.from = c->localEndpoint();
    e.to = c->remoteEndpoint();
    const qsizetype eol = bytes.indexOf('\r');
    e.text = QString::fromUtf8(QByteArrayView(bytes).first(eol < 0 ? qMin<qsizetype>(bytes.size(), 200) : eol));
    e.raw = bytes;
    m_journal->append(std::move(e));
    return true;
}

SendResult SipStack::send(const std::shared_ptr<Connection>& connection, Message message, quint64 dialog,
    SendFlags flags)
{
    const ErrnoKept keep;
    return message.isRequest() ? sendRequest(connection, message, dialog, flags)
                               : sendResponse(connection, message, dialog, flags);
}

SendResult SipStack::sendRequest(const std::shared_ptr<Connection>& connection, Message& m, quint64 dialogId,
    SendFlags flags)
{
    // An ACK is never sent in a transaction of its own: the ACK of a non-2xx belongs to the INVITE
    // client transaction, which sends it itself (RFC 3261 §17.1.1.3); the ACK of a 2xx is a request
    // outside any transaction (§13.2.2.4, §17.1.1.1). So SIP_SEND_STATEFUL cannot apply to one:
    // it goes statelessly, and the result says so.
    const bool ackAsked = flags.testFlag(SendFlag::Stateful) && m.method() == "ACK";
    const bool stateful = flags.testFlag(SendFlag::Stateful) && !ackAsked;
    Dialog* d = dialogId ? m_dialogs.find(dialogId) : nullptr;
    if (dialogId && !d)
        return fail(EINVAL, "EINVAL", QStringLiteral("dialog %1 does not exist (terminated?)").arg(dialogId));
    std::shared_ptr<Connection> c = connection ? connection : (d ? d->connection() : nullptr);
    if (!c || !c->isOpen())
        return fail(EINVAL, "EINVAL",
            QStringLiteral("no open connection to send the %1 on: connect first")
                .arg(QString::fromUtf8(m.method().toByteArray())));

    if (stateful) {
        const CSeqCheck check = checkCSeq(m);
        if (check.status == CSeqCheck::Missing)
            return fail(ENOENT, "ENOENT",
                QStringLiteral("the request has no CSeq header; a stateful send needs one to create the transaction"));
        if (check.status == CSeqCheck::BadValue) {
            // A CSeq that parses but names another method is unusable (EINVAL); one that does not
            // parse is a protocol error (EPROTO).
            if (check.reason.contains(QLatin1String("does not match")))
                return fail(EINVAL, "EINVAL", check.reason + QStringLiteral(": the transaction cannot use this CSeq"));
            return fail(EPROTO, "EPROTO", check.reason);
        }
    }

    const bool addVia = !m.hasHeader(HeaderId::Via);
    if (addVia) {
        m.prependHeader(HeaderId::Via,
            "SIP/2.0/" + c->viaToken() + ' ' + c->local().toSentBy() + ";branch=" + m_ids.branch()
                + ";rport");
    }
    // Parsed once here for the checks and the sent-by registration below.
    const std::optional<Via> via = m.topVia();
    if (stateful && !addVia) {
        if (!via)
            return fail(EINVAL, "EINVAL", QStringLiteral("Via: the top Via does not parse"));
        if (!isRfc3261Branch(via->branch()))
            return fail(EINVAL, "EINVAL",
                via->hasBranch() ? QStringLiteral("Via: branch '%1' is not an RFC 3261 branch (it must start with "
                                                  "the magic cookie z9hG4bK)")
                                       .arg(QString::fromUtf8(via->branch().toByteArray()))
                                 : QStringLiteral("Via: no branch parameter; a stateful send needs an RFC 3261 "
                                                  "branch (z9hG4bK…)"));
    }
    if (via && m_sentBys.size() < 4096 && !isOurSentBy(*via))
        m_sentBys.insert(via->sentBy().toLower());

    if (stateful) {
        if (m_transactions.atCapacity())
            return fail(ENOMEM, "ENOMEM",
                QStringLiteral("the stack holds %1 live transactions, its limit: wait for some to end or raise the "
                               "limit")
                    .arg(m_transactions.liveCount()));
        if (m_maintainDialogs && !d && createsDialog(m.method()) && m_dialogs.atCapacity())
            return fail(ENOMEM, "ENOMEM",
                QStringLiteral("the stack holds %1 dialogs, its limit: no dialog could be created for this %2")
                    .arg(m_dialogs.liveCount())
                    .arg(QString::fromUtf8(m.method().toByteArray())));
    }

    const QByteArray bytes = m.serialize();
    SendResult r;
    r.dialog = dialogId;
    if (d && m.method() != "ACK" && m.method() != "CANCEL") {
        // Keep the dialog's local CSeq in step with requests composed by hand.
        if (const auto n = m.cseq())
            d->noteLocalCSeq(n->number);
    }
    if (!stateful) {
        if (d && m.method() == "ACK")
            d->setLastAck(bytes);
        if (!sendStateless(c, bytes, 0))
            return SendResult::failure(EIO, "EIO", QStringLiteral("the transport refused the message"));
        if (m_maintainDialogs && !d && createsDialog(m.method()))
            rememberStatelessRequest(m, c, flags);
        if (ackAsked) {
            r.note = QStringLiteral("sent statelessly: an ACK has no transaction of its own (RFC 3261 §17.1.1.1, "
                                    "§13.2.2.4), so SIP_SEND_STATEFUL does not apply to it");
            traceNote(trace::Kind::Log, 0, QStringLiteral("ACK: ") + r.note, c);
        }
        return r;
    }
    ClientTransaction* t = m_transactions.createClient(c, m, bytes, via ? &*via : nullptr);
    t->setDialogId(dialogId);
    if (d && m.method() == "NOTIFY" && m.value("Subscription-State").startsWith("terminated"))
        m_byeDialogs.insert(t->id(), dialogId);
    t->setUserFlags(quint8(flags.toInt()));
    r.transaction = t->id();
    t->start();
    noteChanged();
    return r;
}

SendResult SipStack::sendResponse(const std::shared_ptr<Connection>& connection, Message& m, quint64 dialogId,
    SendFlags flags, ServerTransaction* known)
{
    const bool stateful = flags.testFlag(SendFlag::Stateful);
    const int status = m.statusCode();
    if (stateful) {
        const CSeqCheck check = checkCSeq(m);
        if (check.status == CSeqCheck::Missing)
            return fail(ENOENT, "ENOENT", QStringLiteral("the response has no CSeq header: it cannot be matched to its "
                                                         "server transaction"));
        if (check.status == CSeqCheck::BadValue)
            return fail(EPROTO, "EPROTO", check.reason);
    }
    ServerTransaction* t = !stateful ? nullptr : known ? known : m_transactions.matchOutgoingResponse(m);
    if (stateful && !t) {
        const auto via = m.topVia();
        if (via && via->hasBranch() && !isRfc3261Branch(via->branch()) && m.callId().isEmpty())
            return fail(EINVAL, "EINVAL", QStringLiteral("Via: branch is not RFC 3261 and no Call-ID to match by"));
        return fail(EINVAL, "EINVAL",
            QStringLiteral("no server transaction matches this %1 (top Via branch and sent-by, CSeq method): it has "
                           "ended or the Via was changed")
                .arg(status));
    }
    const QByteArray bytes = m.serialize();
    if (!t) {
        SendResult r;
        r.dialog = dialogId;
        if (!connection || !connection->isOpen())
            return fail(EINVAL, "EINVAL", QStringLiteral("no open connection to send the response on"));
        if (!sendStateless(connection, bytes, 0))
            return SendResult::failure(EIO, "EIO", QStringLiteral("the transport refused the response"));
        if (m_maintainDialogs)
            if (Dialog* d = statelessUasResponse(connection, m))
                r.dialog = d->id();
        return r;
    }
    return respondIn(*t, status, bytes, &m, {}, dialogId);
}

SendResult SipStack::respondIn(ServerTransaction& tx, int status, const QByteArray& bytes, const Message* response,
    QByteArrayView responseToTag, quint64 dialogId)
{
    ServerTransaction* t = &tx;
    SendResult r;
    r.dialog = dialogId;
    r.transaction = t->id();
    const auto request = m_maintainDialogs && response && createsDialog(t->method()) ? requestOf(*t) : std::nullopt;
    if (!t->respond(status, bytes))
        return fail(EINVAL, "EINVAL",
            QStringLiteral("%1 transaction %2 is %3 and does not accept a %4 response")
                .arg(QString::fromLatin1(Transaction::kindName(t->kind())))
                .arg(t->id())
                .arg(QString::fromLatin1(Transaction::stateName(t->state())))
                .arg(status));
    if (t->legacy()) // only RFC 2543 ACK matching needs it: To is not parsed otherwise
        t->noteResponseToTag(response ? response->toTag() : responseToTag);
    Dialog* d = dialogId ? m_dialogs.find(dialogId) : m_dialogs.find(t->dialogId());
    if (!response) {
        // Composed by replyWith for a method that creates no dialog: nothing below needs the Message.
    } else if (request && createsDialog(t->method()) && !t->dialogId()) {
        d = m_dialogs.uasResponse(t->id(), *request, *response, t->connection());
        if (d) {
            t->setDialogId(d->id());
            if (status >= 200 && status < 300 && t->kind() == Transaction::Kind::InviteServer)
                m_awaitingAck.insert(d->id(), t->id());
        }
    } else if (d && createsDialog(t->method()) && d->creatingTransaction() == t->id()) {
        m_dialogs.uasResponse(t->id(), *request, *response, t->connection());
        if (status >= 200 && status < 300 && t->kind() == Transaction::Kind::InviteServer)
            m_awaitingAck.insert(d->id(), t->id());
    } else if (d && t->method() == "INVITE" && status >= 200 && status < 300) {
        m_awaitingAck.insert(d->id(), t->id()); // re-INVITE
    }
    if (d && status >= 200 && status < 300 && (t->method() == "BYE"))
        m_dialogs.setState(*d, Dialog::State::Terminated);
    if (const auto it = m_byeDialogs.find(t->id()); it != m_byeDialogs.end() && status >= 200 && status < 300) {
        if (Dialog* nd = m_dialogs.find(*it))
            m_dialogs.setState(*nd, Dialog::State::Terminated);
        m_byeDialogs.erase(it);
    }
    r.dialog = d ? d->id() : 0;
    noteChanged();
    return r;
}

void SipStack::setMaintainDialogs(bool on)
{
    m_maintainDialogs = on;
    if (on)
        return;
    for (const StatelessRequest& r : std::as_const(m_statelessRequests))
        m_scheduler.cancel(r.expiry);
    m_statelessRequests.clear();
}

namespace {
    QByteArray statelessKey(QByteArrayView callId, QByteArrayView fromTag, quint32 cseq)
    {
        QByteArray k;
        k.reserve(callId.size() + fromTag.size() + 12);
        k.append(callId).append('\n').append(fromTag).append('\n').append(QByteArray::number(cseq));
        return k;
    }
    // Ids that stand for the creating "transaction" of a stateless request in the dialog layer:
    // far above any real transaction id.
    constexpr quint64 kStatelessIdBase = quint64(1) << 62;
    constexpr qsizetype kMaxStatelessRequests = 10000;
}

void SipStack::rememberStatelessRequest(const Message& m, const std::shared_ptr<Connection>& c, SendFlags flags)
{
    const auto cseq = m.cseq();
    if (!cseq || m.callId().isEmpty())
        return;
    const QByteArray k = statelessKey(m.callId(), m.fromTag(), cseq->number);
    auto it = m_statelessRequests.find(k);
    if (it == m_statelessRequests.end()) {
        if (m_statelessRequests.size() >= kMaxStatelessRequests) {
            traceNote(trace::Kind::Log, 0,
                QStringLiteral("no dialog will be kept for this stateless %1: %2 stateless dialog-creating requests are "
                               "already waiting for their answers")
                    .arg(QString::fromUtf8(m.method().toByteArray()))
                    .arg(kMaxStatelessRequests),
                c);
            return;
        }
        it = m_statelessRequests.insert(k, StatelessRequest {});
        it->id = kStatelessIdBase + ++m_nextStatelessId;
    } else {
        m_scheduler.cancel(it->expiry); // the same request again (a retransmission by hand)
    }
    it->request = m;
    it->connection = c;
    it->dialogOnFork = flags.testFlag(SendFlag::DialogOnFork);
    // As long as a transaction would have waited (Timer B/F): then early dialogs end with it.
    it->expiry = m_scheduler.schedule(timers().sixtyFourT1(), [this, k] {
        const auto found = m_statelessRequests.find(k);
        if (found == m_statelessRequests.end())
            return;
        const quint64 id = found->id;
        m_statelessRequests.erase(found);
        m_dialogs.uacFinished(id, -1);
        noteChanged();
    });
}

Dialog* SipStack::statelessResponse(const Message& m, Dialog* d)
{
    const int status = m.statusCode();
    const QByteArray method = m.transactionMethod();
    if (const auto cseq = m.cseq()) {
        const auto it = m_statelessRequests.find(statelessKey(m.callId(), m.fromTag(), cseq->number));
        if (it != m_statelessRequests.end() && it->request.method() == method) {
            const quint64 id = it->id;
            if (Dialog* nd = m_dialogs.uacResponse(id, it->request, m, it->dialogOnFork, it->connection))
                d = nd;
            if (status >= 300) {
                m_scheduler.cancel(it->expiry);
                m_statelessRequests.erase(it);
                m_dialogs.uacFinished(id, status);
            }
            noteChanged();
            return d;
        }
    }
    if (!d)
        return nullptr;
    // The answer to a request sent in the dialog without a transaction: what a client
    // transaction's response would do to the dialog (§12.2.1.2).
    if (status >= 200 && status < 300 && (method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE")
        && d->updateRemoteTarget(m))
        m_dialogs.touched(*d);
    if (status == 481 || status == 408 || (method == "BYE" && status >= 200))
        m_dialogs.setState(*d, Dialog::State::Terminated);
    noteChanged();
    return d;
}

Dialog* SipStack::statelessUasResponse(const std::shared_ptr<Connection>& c, const Message& response)
{
    const int status = response.statusCode();
    const QByteArray method = response.transactionMethod();
    // Our tag is the To tag, the peer's the From tag: matched as a request to us would be.
    Dialog* d = m_dialogs.matchRequest(response);
    if (createsDialog(method) && status > 100) {
        // The request it answers: from the server transaction that received it, which this
        // response bypassed.
        ServerTransaction* st = m_transactions.matchOutgoingResponse(response);
        const auto request = st ? requestOf(*st) : std::nullopt;
        if (request) {
            d = m_dialogs.uasResponse(st->id(), *request, response, c);
        } else if (d && d->isEarly()) {
            m_dialogs.setState(*d, status >= 300 ? Dialog::State::Terminated : Dialog::State::Confirmed);
        } else if (!d && status < 300 && !response.toTag().isEmpty()) {
            traceNote(trace::Kind::Log, 0,
                QStringLiteral("no dialog for this stateless %1: the %2 it answers is not known to the stack")
                    .arg(status)
                    .arg(QString::fromUtf8(method)),
                c);
        }
    } else if (d && method == "BYE" && status >= 200 && status < 300) {
        m_dialogs.setState(*d, Dialog::State::Terminated);
    }
    noteChanged();
    return d;
}

std::optional<Message> SipStack::requestOf(const Transaction& t) const
{
    if (t.kind() == Transaction::Kind::InviteServer)
        return static_cast<const InviteServerTransaction&>(t).request();
    if (t.kind() == Transaction::Kind::InviteClient)
        return static_cast<const InviteClientTransaction&>(t).request();
    ParseResult p = parse(t.requestBytes());
    if (!p.ok)
        return std::nullopt;
    return std::move(p.message);
}

QByteArray SipStack::uasTagFor(ServerTransaction& t)
{
    // Kept in the transaction (it used to be a hash of transaction id -> tag: one more lookup,
    // insertion and removal per transaction).
    if (t.responseTag().isEmpty())
        t.setResponseTag(m_ids.tag());
    return t.responseTag();
}

QByteArray SipStack::localContact(const Connection& c) const
{
    QByteArray uri = "<sip:" + c.local().toSentBy();
    if (c.type() != TransportType::Udp)
        uri += ";transport=" + c.viaToken().toLower();
    return uri + '>';
}

SendResult SipStack::reply(quint64 txId, int status, const QByteArray& reason, const QByteArray& body,
    const QByteArray& contentType)
{
    const ErrnoKept keep;
    Transaction* t = m_transactions.find(txId);
    if (!t || t->isClient())
        return fail(EINVAL, "EINVAL", QStringLiteral("server transaction %1 does not exist (ended?)").arg(txId));
    auto request = requestOf(*t);
    if (!request)
        return fail(EPROTO, "EPROTO", QStringLiteral("the request of transaction %1 cannot be parsed").arg(txId));
    // A non-INVITE server transaction keeps the bytes as received: note received/rport again.
    if (t->kind() == Transaction::Kind::NonInviteServer && t->connection())
        applyRport(t->connection(), *request);
    return replyWith(*t, *request, status, reason, body, contentType);
}

SendResult SipStack::reply(quint64 txId, int status, const QByteArray& reason,
    const QList<QPair<QByteArray, QByteArray>>& headers, const QByteArray& body, const QByteArray& contentType)
{
    const ErrnoKept keep;
    Transaction* t = m_transactions.find(txId);
    if (!t || t->isClient())
        return fail(EINVAL, "EINVAL", QStringLiteral("server transaction %1 does not exist (ended?)").arg(txId));
    auto request = requestOf(*t);
    if (!request)
        return fail(EPROTO, "EPROTO", QStringLiteral("the request of transaction %1 cannot be parsed").arg(txId));
    if (t->kind() == Transaction::Kind::NonInviteServer && t->connection())
        applyRport(t->connection(), *request);
    return replyWith(*t, *request, status, reason, body, contentType, headers);
}

SendResult SipStack::reply(const Incoming& in, int status, const QByteArray& reason, const QByteArray& body,
    const QByteArray& contentType)
{
    const ErrnoKept keep;
    Transaction* t = m_transactions.find(in.transaction);
    if (!t || t->isClient())
        return fail(EINVAL, "EINVAL",
            QStringLiteral("server transaction %1 does not exist (ended?)").arg(in.transaction));
    return replyWith(*t, in.message, status, reason, body, contentType);
}

SendResult SipStack::replyWith(Transaction& t, const Message& request, int status, const QByteArray& reason,
    const QByteArray& body, const QByteArray& contentType, const QList<QPair<QByteArray, QByteArray>>& headers)
{
    // A To tag on everything but 100 (§8.2.6.2); one tag per transaction so that its responses
    // agree, and none to add when the request is already in a dialog.
    const QByteArray tag = status > 100 ? uasTagFor(static_cast<ServerTransaction&>(t)) : QByteArray();
    if (body.isEmpty() && headers.isEmpty() && !createsDialog(t.method()) && !t.isInvite()) {
        // The common stateful answer (OPTIONS, REGISTER, BYE, MESSAGE...): no Contact, no body, no
        // dialog to create, so no Message is needed — the bytes buildResponse() would serialise,
        // composed in one allocation instead of one per header.
        const QByteArray bytes = buildResponseBytes(request, status, reason, tag);
        QByteArrayView toTag;
        if (static_cast<ServerTransaction&>(t).legacy()) {
            const QByteArrayView own = mayHaveTag(request.value(HeaderId::To)) ? request.toTag() : QByteArrayView();
            toTag = own.isEmpty() ? QByteArrayView(tag) : own;
        }
        return respondIn(static_cast<ServerTransaction&>(t), status, bytes, nullptr, toTag, 0);
    }
    Message resp = transactionmsg::responseTo(request, status, tag, reason);
    if (status >= 101 && status < 300 && createsDialog(t.method()) && t.connection())
        resp.appendHeader(HeaderId::Contact, localContact(*t.connection()));
    for (const auto& [name, value] : headers)
        resp.appendHeader(name, value);
    if (!body.isEmpty())
        resp.setBody(body, contentType);
    // Built from the transaction's own request (same top Via and CSeq): it is the transaction
    // this response matches.
    return sendResponse(t.connection(), resp, 0, SendFlag::Stateful, static_cast<ServerTransaction*>(&t));
}

SendResult SipStack::cancel(quint64 inviteTx)
{
    const ErrnoKept keep;
    Transaction* t = m_transactions.find(inviteTx);
    if (!t || t->kind() != Transaction::Kind::InviteClient)
        return fail(EINVAL, "EINVAL", QStringLiteral("transaction %1 is not a live INVITE client transaction").arg(inviteTx));
    auto* ict = static_cast<InviteClientTransaction*>(t);
    if (ict->state() != Transaction::State::Calling && ict->state() != Transaction::State::Proceeding)
        return fail(EINVAL, "EINVAL",
            QStringLiteral("INVITE transaction %1 is %2: only a pending INVITE can be cancelled")
                .arg(inviteTx)
                .arg(QString::fromLatin1(Transaction::stateName(ict->state()))));
    if (!ict->hadProvisional()) {
        // §9.1: a CANCEL must not be sent before a provisional response arrived.
        m_pendingCancel.insert(inviteTx);
        traceNote(trace::Kind::Log, inviteTx, QStringLiteral("CANCEL waits for the first provisional response"));
        SendResult r;
        r.transaction = 0;
        return r;
    }
    return send(ict->connection(), transactionmsg::cancelFor(ict->request()), 0, SendFlag::Stateful);
}

std::optional<Message> SipStack::createInDialog(quint64 dialogId, const QByteArray& method)
{
    Dialog* d = m_dialogs.find(dialogId);
    if (!d)
        return std::nullopt;
    return d->createRequest(method);
}

SendResult SipStack::ackTwoHundred(quint64 dialogId, quint32 cseq)
{
    const ErrnoKept keep;
    Dialog* d = m_dialogs.find(dialogId);
    if (!d)
        return fail(EINVAL, "EINVAL", QStringLiteral("dialog %1 does not exist").arg(dialogId));
    return send(d->connection(), d->createAck(cseq), dialogId, SendFlag::None);
}

QList<TransactionSnapshot> SipStack::transactionSnapshots() const
{
    QList<TransactionSnapshot> out;
    m_transactions.forEach([&](const Transaction& t) { out.append(t.snapshot()); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const TransactionSnapshot& s : m_transactions.terminatedSnapshots())
        out.append(s);
    return out;
}

StackSnapshot SipStack::snapshots() const
{
    StackSnapshot s;
    s.timeNs = m_scheduler.nowNs();
    s.transactions = transactionSnapshots();
    s.dialogs = m_dialogs.snapshots();
    for (const auto& t : m_transports) {
        for (const auto& c : t->connections()) {
            ConnectionSnapshot cs;
            cs.id = c->id();
            cs.transport = QString::fromLatin1(c->viaToken());
            cs.local = c->localEndpoint();
            cs.remote = c->remoteEndpoint();
            cs.reliable = c->reliable();
            cs.stream = c->stream();
            cs.open = c->isOpen();
            cs.sent = c->messagesSent();
            cs.received = c->messagesReceived();
            s.connections.append(cs);
        }
    }
    return s;
}

void SipStack::noteChanged()
{
    if (m_changedTimer)
        return;
    m_changedTimer = m_scheduler.post([this] {
        m_changedTimer = 0;
        emit changed();
    });
}

} // namespace ladder::sip
