// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "flatmap.h"
#include "journal/event.h"
#include "reconstruct.h"
#include "payloadarena.h"
#include "sipfacts.h"

#include <array>
#include <functional>
#include <queue>

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
    quint64 onMessage(const Event& e, const SipFacts& m, QList<Event>& before, QList<Event>& after);
    // Fires what is due by endNs, or everything with settle.
    void finish(qint64 endNs, bool settle, QList<Event>& out);

    QList<sip::TransactionSnapshot> snapshots() const;
    // The same, moved out: the tracker is empty afterwards (for a reconstruction that is done).
    QList<sip::TransactionSnapshot> takeSnapshots();
    // Changes: with tracking on, every transaction a message or a timer touched is listed once;
    // takeChanged() gives them (by id, as they are now) and starts the list again.
    void setTrackChanges(bool on) { m_changes.setOn(on); }
    QList<sip::TransactionSnapshot> takeChanged();
    qsizetype count() const { return qsizetype(m_tx.size()); }
    quint64 inferredTimers() const { return m_inferredTimers; }
    // Last final status of a transaction, 0 if none (or unknown id).
    int lastStatus(quint64 tx) const;
    bool isInviteServerRole(quint64 tx) const;

private:
    enum class Role : quint8 { Client, Server, Observed };
    // The small fields first, in one word, the rest by size: 456 bytes (was 496), so 40 000
    // transactions fit nine of the pool's 2 MiB chunks, not ten.
    struct Tx {
        sip::TransactionSnapshot s;
        Role role = Role::Observed;
        bool invite = false;
        bool t1Estimated = false;
        quint8 transport = 0; // as the events' b (0 UDP, 1 TCP, 2 SCTP…)
        bool changed = false; // listed in m_changes
        char16_t timer = 0; // the pending terminating timer's letter (B, D, F, H, I, J, K, L, M), 0 = none
        QString requestFrom; // who sent the request (a retransmission comes from there again)
        qint64 lastRequestNs = 0;
        qint64 firstRequestNs = -1;
        qint64 t1Ns = 0;
        quint32 timerGeneration = 0; // which arming of it m_due's entries stand for
        quint32 place = 0; // its index in m_tx
        qint64 timerDueNs = 0;
        qint64 timerIntervalNs = 0;
        qint64 lastResponseNs = -1;
        // The state history: s.history holds only what does not fit here (the snapshot's list
        // is made with the snapshot), and s.timers is made from the pending timer above.
        StateLog log;
    };
    // A timer's name from its letter (shared strings, no allocation).
    static QString timerName(char16_t letter);
    // t's snapshot as the views see it (its history and armed timer filled in).
    sip::TransactionSnapshot snapshotOf(const Tx& t) const;
    // Fills in what a Tx keeps in its own form: history, timers, the connection text.
    void complete(const Tx& t, sip::TransactionSnapshot& s) const;
    void touch(Tx& t) { m_changes.touch(t, t.s.id); }

    Tx* find(quint64 id);
    const Tx* find(quint64 id) const { return const_cast<SipTransactionTracker*>(this)->find(id); }
    Tx& create(quint64 id, const Event& e, const SipFacts& m, bool fromResponse);
    void setState(Tx& t, const QString& to, qint64 timeNs, const QString& why, QList<Event>& out);
    void arm(Tx& t, const QString& name, qint64 startNs, qint64 intervalNs, QList<Event>& out);
    void disarm(Tx& t);
    void fire(Tx& t, QList<Event>& out, bool afterEnd);
    Event stateEvent(const Tx& t, qint64 timeNs) const;
    void keepMessage(Tx& t, const QByteArray& raw, bool request);
    void onRequest(Tx& t, const Event& e, QList<Event>& before, QList<Event>& after);
    // The earliest armed timer still standing, or null (stale entries are dropped on the way).
    Tx* nextDue();
    void onResponse(Tx& t, const Event& e, int status, QList<Event>& before, QList<Event>& after);

    ReconstructOptions m_options;
    Terminated m_onTerminated;
    Pool<Tx> m_tx; // in order of creation
    FlatMap<quint64, quint32, U64Hash> m_index; // transaction id → its place in m_tx + 1
    ByteKeyMap<quint64> m_inviteByBranch; // top Via branch → INVITE transaction
    // Armed timers by (deadline, transaction), earliest first. Disarming leaves the entry in
    // place; it is dropped when it comes up and no longer matches the transaction's timer.
    struct Due {
        qint64 at;
        quint64 id;
        quint32 generation;
        quint32 place; // the transaction's index in m_tx (no lookup by id when it comes up)
        bool operator>(const Due& o) const { return at != o.at ? at > o.at : id > o.id; }
    };
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> m_due;
    // Connection texts recently made, by the endpoint strings' addresses (see complete).
    struct Connection {
        QString local, remote, text; // held: the same address and size prove the same characters
        quint64 transport = 0;
        bool reliable = false;
    };
    mutable std::array<Connection, 1024> m_connections;
    SharedTexts m_texts; // state-change texts
    PayloadArena m_bytes { false }; // the branches, in shared blocks rather than an allocation each
    static bool holdable(const QString& s) { return const_cast<QString&>(s).data_ptr().d_ptr() != nullptr; }
    static bool sameHeld(const QString& held, const QString& s)
    {
        return !held.isNull() && held.constData() == s.constData() && held.size() == s.size() && holdable(held);
    }
    quint64 m_inferredTimers = 0;
    ChangeList m_changes;
};

} // namespace ladder::trace
