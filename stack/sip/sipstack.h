// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/dialog/dialoglayer.h"
#include "sip/message/ids.h"
#include "sip/message/message.h"
#include "senderror.h"
#include "snapshot.h"
#include "sip/transaction/timers.h"
#include "sip/transaction/transactionlayer.h"
#include "sip/transaction/transactionuser.h"
#include "sip/transport/transport.h"

#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}
}

namespace ladder::sip {

class InviteServerTransaction;

// A message the stack delivers to its user, with the transaction and dialog it belongs to.
struct Incoming {
    Message message;
    QByteArray bytes; // as received
    std::shared_ptr<Connection> connection;
    quint64 transaction = 0; // client transaction (responses) or new server transaction (requests)
    quint64 dialog = 0;
};

// The SIP engine of one Stack: transports, the transaction layer, the dialogs and the send call.
// Everything runs on the thread of the scheduler; views read value snapshots (snapshots()) when
// changed() says something moved — changed() is coalesced to one emission per event-loop turn.
//
// The send call follows sip_sendmsg(3SIP): send(connection, message, dialog, flags) with
// SendFlag::Stateful and SendFlag::DialogOnFork, failing with EINVAL (a stateful request whose
// top Via branch is not an RFC 3261 branch, or whose CSeq cannot be used), ENOENT (no CSeq), EPROTO
// (a CSeq that does not parse) and ENOMEM (the transaction or dialog cap is reached). Every
// failure is journalled as an Error event with the errno name and the cause.
class SipStack : public QObject, private TransactionUser {
    Q_OBJECT
public:
    SipStack(Scheduler& scheduler, trace::Journal* journal, QObject* parent = nullptr);
    ~SipStack() override;

    Scheduler& scheduler() { return m_scheduler; }
    const TimerConfig& timers() const { return m_transactions.timers(); }
    void setTimers(const TimerConfig& t) { m_transactions.setTimers(t); }
    void setMaxTransactions(std::size_t n) { m_transactions.setMaxTransactions(n); }
    void setMaxDialogs(std::size_t n) { m_dialogs.setMaxDialogs(n); }
    // Whether the stack maintains dialogs — libsip's SIP_STACK_DIALOGS stack-init flag, on by
    // default. On: dialogs are created and completed from dialog-creating requests and their
    // responses whether they were sent statefully or not (a stateless INVITE's answers, which no
    // transaction matches, still make its dialogs), and SIP_DIALOG_ON_FORK applies to both. Off:
    // the stack keeps no dialog; as sip_sendmsg(3SIP) says, SIP_DIALOG_ON_FORK "is only meaningful
    // if the stack is configured to maintain dialogs", so it is accepted and has no effect.
    void setMaintainDialogs(bool on);
    bool maintainsDialogs() const { return m_maintainDialogs; }
    // false: nothing is journalled (benchmarks); true (default): every message, state and timer.
    void setTracing(bool on);
    // Terminated transactions whose snapshots stay visible (default 200; 0 = none).
    void setTerminatedHistory(std::size_t n) { m_transactions.setTerminatedHistory(n); }
    // The "[label ]" of this side's endpoints in the journal.
    void setLabel(const QString& label) { m_label = label; }
    // The generator of the branches and To tags this stack makes itself (the Via it adds, the tags
    // of reply() and of stateless answers such as the 200 to a CANCEL). Seeded at construction
    // from the process-wide generator (see seedIds()); setIdSeed() reseeds it.
    IdGenerator& ids() { return m_ids; }
    void setIdSeed(quint64 seed) { m_ids.reseed(seed); }
    const QString& label() const { return m_label; }

    // Takes ownership; its local address is registered as one of our sent-bys.
    Transport* addTransport(std::unique_ptr<Transport> transport);
    QList<Transport*> transports() const;
    Transport* transport(TransportType type) const;
    // A connection to `remote` over the first transport of `type`.
    std::shared_ptr<Connection> connect(TransportType type, const HostPort& remote, QString* error);
    // Responses whose top Via sent-by is not one of ours are dropped (RFC 3261 §18.1.2).
    void registerSentBy(const QByteArray& sentBy) { m_sentBys.insert(sentBy.toLower()); }

    // The send call. For a request without a Via, one is added for the connection (sent-by = its
    // local address, a new RFC 3261 branch, rport). A response goes through the server transaction
    // its top Via and CSeq name (connection may be null then). dialog: 0 or the dialog the
    // message belongs to (in-dialog requests, the ACK of a 2xx).
    SendResult send(const std::shared_ptr<Connection>& connection, Message message, quint64 dialog = 0,
        SendFlags flags = SendFlag::Stateful);

    // Conveniences on top of send().
    // Answers server transaction tx (a To tag is added for dialog-creating requests, the same one
    // for every response of the transaction; 2xx to INVITE/SUBSCRIBE get a Contact).
    SendResult reply(quint64 tx, int status, const QByteArray& reason = {}, const QByteArray& body = {},
        const QByteArray& contentType = {});
    // The same with extra header lines (name, value), each appended as given — what a user answering
    // by hand adds (WWW-Authenticate, Retry-After, Warning…).
    SendResult reply(quint64 tx, int status, const QByteArray& reason, const QList<QPair<QByteArray, QByteArray>>& headers,
        const QByteArray& body, const QByteArray& contentType);
    // The same for a request just delivered (no need to look the request up again).
    SendResult reply(const Incoming& request, int status, const QByteArray& reason = {}, const QByteArray& body = {},
        const QByteArray& contentType = {});
    // Sends the CANCEL of INVITE client transaction tx (at once, or when its first provisional
    // response arrives, RFC 3261 §9.1).
    SendResult cancel(quint64 inviteTx);
    // Sends the ACK for a 2xx in `dialog` (cseq = the INVITE's CSeq number), statelessly.
    SendResult ackTwoHundred(quint64 dialog, quint32 cseq);
    // A new request inside `dialog` (CSeq + 1, route set, remote target), not yet sent.
    std::optional<Message> createInDialog(quint64 dialog, const QByteArray& method);

    Transaction* transaction(quint64 id) const { return m_transactions.find(id); }
    Dialog* dialog(quint64 id) const { return m_dialogs.find(id); }
    std::size_t liveTransactions() const { return m_transactions.liveCount(); }
    std::size_t liveDialogs() const { return m_dialogs.liveCount(); }

    StackSnapshot snapshots() const;
    QList<TransactionSnapshot> transactionSnapshots() const;
    QList<DialogSnapshot> dialogSnapshots() const { return m_dialogs.snapshots(); }

    // For in-process use without sockets: hand bytes to the stack as if `c` had received them.
    void receive(const std::shared_ptr<Connection>& c, const QByteArray& bytes);

signals:
    void requestReceived(const ladder::sip::Incoming& in);
    void responseReceived(const ladder::sip::Incoming& in);
    void transactionTimedOut(quint64 transaction, const QString& timer);
    void transactionFailed(quint64 transaction, const QString& why);
    void transactionTerminated(quint64 transaction, int lastStatus);
    void dialogChanged(quint64 dialog, const QString& state);
    void changed();

private:
    // TransactionUser
    void clientResponse(ClientTransaction& t, const Message& response, const QByteArray& bytes,
        bool retransmission) override;
    void serverAck(ServerTransaction& t, const Message& ack, const QByteArray& bytes) override;
    void transactionTimeout(Transaction& t, char timer) override;
    void transactionTransportError(Transaction& t) override;
    void transactionTerminated(Transaction& t) override;
    void transactionChanged(Transaction& t) override;

    SendResult sendRequest(const std::shared_ptr<Connection>& connection, Message& m, quint64 dialog, SendFlags flags);
    // known: the server transaction the response was built for (reply()), so it need not be
    // matched again by its Via and CSeq.
    SendResult sendResponse(const std::shared_ptr<Connection>& connection, Message& m, quint64 dialog, SendFlags flags,
        ServerTransaction* known = nullptr);
    // The rest of a stateful response once its bytes exist: the transaction sends them, the dialog
    // layer follows. m: the response, or null when replyWith composed the bytes directly (then no
    // dialog is created by it; responseToTag: the To tag those bytes carry).
    SendResult respondIn(ServerTransaction& t, int status, const QByteArray& bytes, const Message* m,
        QByteArrayView responseToTag, quint64 dialog);
    SendResult replyWith(Transaction& t, const Message& request, int status, const QByteArray& reason,
        const QByteArray& body, const QByteArray& contentType, const QList<QPair<QByteArray, QByteArray>>& headers = {});
    SendResult fail(int error, const char* name, const QString& reason);
    bool sendStateless(const std::shared_ptr<Connection>& c, const QByteArray& bytes, quint64 object,
        bool retransmission = false);
    void receiveRequest(const std::shared_ptr<Connection>& c, Message& m, const QByteArray& bytes);
    void receiveResponse(const std::shared_ptr<Connection>& c, const Message& m, const QByteArray& bytes);
    void receiveCancel(const std::shared_ptr<Connection>& c, const Message& m, const QByteArray& bytes);
    void answerStatelessly(const std::shared_ptr<Connection>& c, const Message& request, int status,
        const QByteArray& reason = {});
    // Returns whether the top Via was rewritten (topVia: the parsed one, or null to parse it here).
    bool applyRport(const std::shared_ptr<Connection>& c, Message& m, const Via* topVia = nullptr);
    void traceRx(const std::shared_ptr<Connection>& c, const QByteArray& bytes, quint64 object);
    // Malformed input: whether this one (from c's peer) is journalled whole. Per source, the first
    // kMalformedSample in each window are; the rest are counted and summarised in one Error when
    // the window ends, so a flood of garbage costs bounded memory (and the views stay readable).
    bool sampleMalformed(const std::shared_ptr<Connection>& c, qsizetype bytes);
    void flushMalformed();
    void traceNote(trace::Kind kind, quint64 object, const QString& text, const std::shared_ptr<Connection>& c = {});
    QByteArray uasTagFor(ServerTransaction& t);
    // Whether the Via's sent-by (case-insensitively) is one of ours.
    bool isOurSentBy(const Via& via) const;
    QByteArray localContact(const Connection& c) const;
    std::optional<Message> requestOf(const Transaction& t) const;
    void noteChanged();
    // Dialogs for stateless sends (setMaintainDialogs): a dialog-creating request sent without a
    // transaction is remembered for 64·T1 under its Call-ID, From tag and CSeq, so that the
    // responses it draws (which match no transaction) can create, confirm or end its dialogs.
    void rememberStatelessRequest(const Message& m, const std::shared_ptr<Connection>& c, SendFlags flags);
    // A response no transaction matched (matched: the dialog it names, or null): the dialog it
    // belongs to after the response of a remembered stateless request or an in-dialog one has
    // been applied, or null.
    Dialog* statelessResponse(const Message& m, Dialog* matched);
    // Our own response sent without a transaction: the UAS half of the same; returns its dialog.
    Dialog* statelessUasResponse(const std::shared_ptr<Connection>& c, const Message& response);

    Scheduler& m_scheduler;
    trace::Journal* m_journalConfigured;
    trace::Journal* m_journal;
    TransactionLayer m_transactions;
    DialogLayer m_dialogs;
    QString m_label;
    IdGenerator m_ids;
    std::vector<std::unique_ptr<Transport>> m_transports;
    QSet<QByteArray> m_sentBys;
    QHash<quint64, quint64> m_awaitingAck; // dialog -> INVITE server transaction retransmitting 2xx
    QSet<quint64> m_pendingCancel; // INVITE client transactions to cancel on their first 1xx
    QHash<quint64, quint64> m_byeDialogs; // transaction of a dialog-ending BYE/NOTIFY -> dialog
    bool m_maintainDialogs = true;
    struct StatelessRequest {
        Message request;
        std::shared_ptr<Connection> connection;
        bool dialogOnFork = false;
        quint64 id = 0; // stands for the creating transaction in the dialog layer
        Scheduler::TimerId expiry = 0;
    };
    QHash<QByteArray, StatelessRequest> m_statelessRequests; // Call-ID, From tag, CSeq number
    quint64 m_nextStatelessId = 0;
    Scheduler::TimerId m_changedTimer = 0;
    struct MalformedCount {
        qint64 windowStartNs = 0;
        int kept = 0;
        quint64 dropped = 0, droppedBytes = 0;
    };
    QHash<QString, MalformedCount> m_malformed; // by the peer's address, bounded (kMalformedSources)
    Scheduler::TimerId m_malformedFlush = 0; // ends the window
};

} // namespace ladder::sip

Q_DECLARE_METATYPE(ladder::sip::Incoming)
