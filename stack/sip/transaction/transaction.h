// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/transport/connection.h"
#include "core/scheduler.h"
#include "sip/snapshot.h"

#include <array>
#include <memory>

namespace ladder::sip {

class Message;
class TransactionIndex;
class TransactionLayer;

// What the four RFC 3261 §17 state machines share: identity, the connection, the state with its
// history, the timers armed on the stack's Scheduler and the trace events. The machines
// themselves live in InviteClientTransaction, NonInviteClientTransaction, InviteServerTransaction
// and NonInviteServerTransaction.
//
// Memory is bounded per transaction: at most kMaxTimers timers, kMaxHistory state stamps (a
// machine has at most five states), and the messages are kept as the byte arrays that went on
// the wire (implicitly shared with the transport, not copied).
class Transaction {
public:
    enum class Kind : quint8 { InviteClient, NonInviteClient, InviteServer, NonInviteServer };
    enum class State : quint8 { Calling, Trying, Proceeding, Completed, Confirmed, Accepted, Terminated };

    static const char* kindName(Kind k);
    static const char* stateName(State s);

    virtual ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    quint64 id() const { return m_id; }
    Kind kind() const { return m_kind; }
    bool isClient() const { return m_kind == Kind::InviteClient || m_kind == Kind::NonInviteClient; }
    bool isInvite() const { return m_kind == Kind::InviteClient || m_kind == Kind::InviteServer; }
    State state() const { return m_state; }
    bool isTerminated() const { return m_state == State::Terminated; }
    const QByteArray& branch() const { return m_branch; }
    const QByteArray& method() const { return m_method; }
    const std::shared_ptr<Connection>& connection() const { return m_connection; }
    bool reliable() const { return m_connection && m_connection->reliable(); }
    quint32 retransmissions() const { return m_retransmissions; }
    const QByteArray& requestBytes() const { return m_request; }
    const QByteArray& lastResponseBytes() const { return m_lastResponse; }
    int lastStatus() const { return m_lastStatus; }
    qint64 createdNs() const { return m_createdNs; }

    // The dialog this transaction belongs to or created (0 = none); kept by the dialog layer.
    quint64 dialogId() const { return m_dialogId; }
    void setDialogId(quint64 id) { m_dialogId = id; }
    // Flags of the send call that created a client transaction (SendFlag bits), kept for the TU.
    quint8 userFlags() const { return m_userFlags; }
    void setUserFlags(quint8 f) { m_userFlags = f; }

    // Armed timer by name ('A'…'M', '1' = 100 Trying delay, '2' = 2xx retransmission): due time
    // in scheduler ns, or -1.
    qint64 timerDue(char name) const;
    // The interval the timer was last armed with (ns), or -1 when it is not armed.
    qint64 timerInterval(char name) const;

    TransactionSnapshot snapshot() const;

protected:
    Transaction(TransactionLayer& layer, Kind kind, std::shared_ptr<Connection> connection, QByteArray branch,
        QByteArray method, QByteArray request);

    void setState(State s);
    // Arms (or re-arms) timer `name` to fire after ns; ns <= 0 is a programming error.
    void arm(char name, qint64 ns);
    void disarm(char name);
    void disarmAll();
    // Hands bytes to the connection and journals them (first transmission or retransmission).
    bool transmit(const QByteArray& bytes, bool retransmission);
    // Terminated state: timers cancelled, removed from matching, the TU told.
    void terminate();
    void setLastResponse(const QByteArray& bytes, int status)
    {
        m_lastResponse = bytes;
        m_lastStatus = status;
    }
    void setExtraMessage(const QByteArray& bytes) { m_extra = bytes; }
    const QByteArray& extraMessage() const { return m_extra; }

    virtual void timerFired(char name) = 0;
    // Inside timerFired: the interval the firing timer had been armed with.
    qint64 timerIntervalFired() const { return m_firedIntervalNs; }

    TransactionLayer& m_layer;

private:
    friend class TransactionIndex;
    struct TimerSlot {
        Scheduler::TimerId id = 0;
        qint64 intervalNs = 0;
        char name = 0;
    };
    struct Stamp {
        State state;
        qint64 timeNs;
    };
    static constexpr int kMaxTimers = 3;
    static constexpr int kMaxHistory = 6;

    TimerSlot* slot(char name);
    const TimerSlot* slot(char name) const;
    void onTimer(char name);

    quint64 m_id;
    Kind m_kind;
    State m_state;
    quint8 m_historyLen = 0;
    quint8 m_userFlags = 0;
    int m_lastStatus = 0;
    quint32 m_retransmissions = 0;
    quint64 m_dialogId = 0;
    qint64 m_createdNs = 0;
    qint64 m_firedIntervalNs = 0;
    // TransactionIndex: the hash this transaction is filed under and the next one with it.
    quint64 m_indexHash = 0;
    Transaction* m_indexNext = nullptr;
    std::shared_ptr<Connection> m_connection;
    QByteArray m_branch;
    QByteArray m_method;
    QByteArray m_request;
    QByteArray m_lastResponse;
    QByteArray m_extra; // the ACK an INVITE client transaction generated
    std::array<TimerSlot, kMaxTimers> m_timers {};
    std::array<Stamp, kMaxHistory> m_history {};
};

} // namespace ladder::sip
