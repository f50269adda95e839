// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "reconstruct.h"

#include <QHash>

#include <functional>
#include <set>

namespace ladder::sip {
class Message;
}

namespace ladder::trace {

// RFC 3261 §17 transaction state machines driven by captured messages only (part of
// Reconstructor). The states are the ones the live engine names (Calling, Trying, Proceeding,
// Completed, Confirmed, Accepted per RFC 6026, Terminated); timers cannot be seen on the wire, so
// a retransmission stands for a Timer A/E/G (or 2xx) expiry, and the timers that end a
// transaction (B, D, F, H, I, J, K, L, M) fire when their deadline passes in capture time.
class SipTransactionTracker {
public:
    // Called when an INVITE transaction ends (its early dialogs end with it).
    using Terminated = std::function<void(quint64 tx, qint64 timeNs, QList<Event>& out)>;

    SipTransactionTracker(const ReconstructOptions& options, Terminated onTerminated);

    // Fires the inferred timers due at or before timeNs; their events go to out.
    void advanceTo(qint64 timeNs, QList<Event>& out);
    // Feeds one parsed SIP event. before: events that precede it (a retransmission timer that
    // must have fired); after: the state changes it causes. Returns the transaction it belongs to
    // (an INVITE's for its non-2xx ACK), 0 for a 2xx ACK or one that cannot be placed.
    quint64 onMessage(const Event& e, const sip::Message& m, QList<Event>& before, QList<Event>& after);
    // Fires what is due by endNs, or everything with settle.
    void finish(qint64 endNs, bool settle, QList<Event>& out);

    QList<sip::TransactionSnapshot> snapshots() const;
    qsizetype count() const { return m_tx.size(); }
    quint64 inferredTimers() const { return m_inferredTimers; }
    // Last final status of a transaction, 0 if none (or unknown id).
    int lastStatus(quint64 tx) const;
    bool isInviteServerRole(quint64 tx) const;

private:
    enum class Role { Client, Server, Observed };
    struct Tx {
        sip::TransactionSnapshot s;
        Role role = Role::Observed;
        bool invite = false;
        QString requestFrom; // who sent the request (a retransmission comes from there again)
        qint64 lastRequestNs = 0;
        qint64 firstRequestNs = -1;
        qint64 t1Ns = 0;
        bool t1Estimated = false;
        QString timer; // the pending terminating timer, "" = none
        qint64 timerDueNs = 0;
        qint64 timerIntervalNs = 0;
        qint64 lastResponseNs = -1;
    };

    Tx& create(quint64 id, const Event& e, const sip::Message& m, bool fromResponse);
    void setState(Tx& t, const QString& to, qint64 timeNs, const QString& why, QList<Event>& out);
    void arm(Tx& t, const QString& name, qint64 startNs, qint64 intervalNs, QList<Event>& out);
    void disarm(Tx& t);
    void fire(Tx& t, QList<Event>& out, bool afterEnd);
    Event stateEvent(const Tx& t, qint64 timeNs) const;
    void keepMessage(Tx& t, const QByteArray& raw, bool request);
    void onRequest(Tx& t, const Event& e, const sip::Message& m, QList<Event>& before, QList<Event>& after);
    void onResponse(Tx& t, const Event& e, int status, QList<Event>& before, QList<Event>& after);

    ReconstructOptions m_options;
    Terminated m_onTerminated;
    QHash<quint64, Tx> m_tx;
    QHash<QByteArray, quint64> m_inviteByBranch; // top Via branch → INVITE transaction
    std::set<std::pair<qint64, quint64>> m_due; // (deadline, transaction) of armed timers
    quint64 m_inferredTimers = 0;
};

} // namespace ladder::trace
