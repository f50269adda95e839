// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "timers.h"
#include "journal/event.h"
#include "transaction.h"
#include "transactionindex.h"
#include "transactionuser.h"

#include <QHash>

#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}
}

namespace ladder::sip {

class ClientTransaction;
class InviteServerTransaction;
class Message;
class ServerTransaction;
class TransactionUser;
class Via;

// Owns the live transactions, matches incoming messages to them (RFC 3261 §17.1.3, §17.2.3 and
// the RFC 2543 fallback), and is the one place where transactions touch the scheduler, the
// transport and the journal.
class TransactionLayer {
public:
    TransactionLayer(Scheduler& scheduler, TransactionUser& user);
    ~TransactionLayer();

    Scheduler& scheduler() { return m_scheduler; }
    TransactionUser& user() { return m_user; }
    const TimerConfig& timers() const { return m_timers; }
    void setTimers(const TimerConfig& t) { m_timers = t; }
    // nullptr disables tracing (benchmarks measure the engine without the journal too).
    void setJournal(trace::Journal* journal) { m_journal = journal; }
    trace::Journal* journal() const { return m_journal; }

    // The cap on live transactions; creating one more fails (ENOMEM at the send call).
    void setMaxTransactions(std::size_t n) { m_max = n; }
    std::size_t maxTransactions() const { return m_max; }
    std::size_t liveCount() const { return std::size_t(m_live.size()); }
    bool atCapacity() const { return liveCount() >= m_max; }
    // How many terminated transactions' snapshots are kept for the views (0 = none).
    void setTerminatedHistory(std::size_t n) { m_keepTerminated = n; }

    // Creation. The caller has validated the message; returns nullptr at capacity. Client
    // transactions are not started: call start().
    // topVia: the message's top Via when the caller has parsed it already (else it is parsed here).
    ClientTransaction* createClient(const std::shared_ptr<Connection>& c, const Message& request, QByteArray bytes,
        const Via* topVia = nullptr);
    // For a request that matched nothing (INVITE, or any non-ACK method).
    ServerTransaction* createServer(const std::shared_ptr<Connection>& c, const Message& request, QByteArray bytes,
        const Via* topVia = nullptr);

    // §17.1.3: branch of the top Via and the CSeq method.
    ClientTransaction* matchResponse(const Message& response, const Via* topVia = nullptr);
    // §17.2.3: branch + sent-by + method (ACK matches INVITE); RFC 2543 fallback without cookie.
    ServerTransaction* matchRequest(const Message& request, const Via* topVia = nullptr);
    // §9.2: the INVITE server transaction a CANCEL refers to.
    InviteServerTransaction* matchCancelled(const Message& cancel);
    // The server transaction a response being sent belongs to (its top Via, CSeq method).
    ServerTransaction* matchOutgoingResponse(const Message& response);

    Transaction* find(quint64 id) const;
    template <typename Fn> void forEach(Fn fn) const
    {
        m_live.forEach([&fn](const Transaction* t) { fn(*t); });
    }
    const std::deque<TransactionSnapshot>& terminatedSnapshots() const { return m_terminated; }

    // --- for the state machines ---
    // Unique in the process: several stacks (lab peers) share one journal.
    static quint64 nextTransactionId();
    bool transmit(Transaction& t, const QByteArray& bytes, quint32 retransmission);
    void traceState(const Transaction& t, Transaction::State from, Transaction::State to);
    void traceTimer(const Transaction& t, trace::Kind kind, char name, qint64 intervalNs);
    void traceError(const Transaction* t, const QString& text);
    void transactionTerminated(Transaction& t);
    void transactionChanged(Transaction& t);
    static QString timerName(char name);

private:
    static QByteArray legacyKey(const Message& m);
    void add(std::unique_ptr<Transaction> t);
    void buryDeferred();

    Scheduler& m_scheduler;
    TransactionUser& m_user;
    TimerConfig m_timers;
    trace::Journal* m_journal = nullptr;
    std::size_t m_max = 1'000'000;
    std::size_t m_keepTerminated = 200;
    // Owns the live transactions (deleted in transactionTerminated's graveyard or the destructor);
    // a flat map of id -> object: no node allocated per transaction, one cache miss per lookup.
    TransactionMap m_live;
    TransactionIndex m_clients; // by branch
    TransactionIndex m_servers; // by branch (RFC 3261 peers)
    TransactionIndex m_legacy; // by legacyKey (RFC 2543 peers)
    std::vector<std::unique_ptr<Transaction>> m_graveyard;
    Scheduler::TimerId m_buryTimer = 0;
    std::deque<TransactionSnapshot> m_terminated;
};

} // namespace ladder::sip
