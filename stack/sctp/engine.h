// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "packettap.h"
#include "result.h"
#include "sendinfo.h"
#include "snapshot.h"

#include <QObject>
#include <QTimer>

#include <array>
#include <map>
#include <set>
#include <memory>

struct socket;

namespace ladder {
class Context;
class Scheduler;
namespace trace {
    class Journal;
}

namespace sctp {

    class Endpoint;
    class Runtime;
    class Transport;

    enum class Style { OneToOne, OneToMany };
    QString associationStateName(int state);

    // The SCTP layer of one Context (a Stack's scheduler and journal): the descriptor table
    // (endpoints are numbered like sockets, so the sctp_sendmsg(3) errors EBADF and ENOTSOCK mean
    // what they mean there), the packet tap, and the live association records published as
    // snapshots. Lives on the stack thread.
    class Engine : public QObject {
        Q_OBJECT
    public:
        explicit Engine(Context& context, QObject* parent = nullptr);
        ~Engine() override;

        Scheduler& scheduler();
        trace::Journal& journal();
        Runtime& runtime() { return *m_runtime; }
        PacketTap& tap() { return m_tap; }

        // socket(2): a new endpoint on a transport (a lab link side or a UDP encapsulation socket).
        Endpoint* socket(Style style, Transport& transport);
        // The endpoint behind a descriptor, or nullptr (closed, never opened, or not a socket).
        Endpoint* endpoint(int descriptor) const;
        // Wraps a socket usrsctp created (accept, peeloff) in a new endpoint with its own descriptor.
        Endpoint* adopt(Style style, Transport& transport, struct ::socket* so);
        // Descriptors that are not sockets (links, UDP carriers): sctp_sendmsg on them is ENOTSOCK.
        int openNonSocket(const QString& what);
        void closeNonSocket(int descriptor);

        // sctp_sendmsg(3) / sctp_sendmsgx(3) on a descriptor: EBADF for a closed or unknown one,
        // ENOTSOCK for one that is not a socket, else Endpoint::send.
        Result<qint64> sendmsg(int descriptor, const QByteArray& data, const SendInfo& info);

        // Live state.
        QList<AssociationInfo> associations() const;
        // The same, with each open association's status read from usrsctp now (rwnd, outstanding
        // chunks, paths) rather than as of the last publish — what a snapshot of one instant needs
        // (the lab's rewind history). A state change read here waits for the journal, as a view
        // refresh's does in virtual time.
        QList<AssociationInfo> readAssociations();
        std::optional<AssociationInfo> association(quint64 id) const;
        // Re-reads usrsctp's status for every open association and emits what changed.
        void refresh();
        void setRefreshIntervalMs(int ms) { m_refresh.setInterval(ms); }

        // Appends an Error event ("EINVAL: …") stamped with the scheduler's time.
        void journalError(const Error& error, quint64 association = 0);
        void journalEvent(trace::Event e);

        // --- for Endpoint ---
        struct Record {
            AssociationInfo info;
            Endpoint* endpoint = nullptr;
            void* handle = nullptr;
            quint16 localPort = 0;
            quint16 peerPort = 0;
            bool open = true;
            bool peerAborted = false;
            bool shutdownRequested = false; // SCTP_EOF sent or SHUTDOWN under way: EPIPE for more data
            int prWarned = 0;
            // The value the next sctp_sendmsg(3) BUF message is given in usrsctp's priority
            // order: each lower than the last, so that older BUF messages go first.
            quint32 bufSerial = 0xffffffffu;
            // BUF/PRIO messages as usrsctp's pruning sees them. usrsctp 0.9.5.0 must only prune
            // chunks already sent (in its sent queue): abandoning one that is made but waits in
            // its send queue crashes it (sctp_release_pr_sctp_chunk, then the output path, touch
            // what is gone). So a prune is only started when the BUF/PRIO data already on the
            // wire, found by the packet tap, can satisfy it (Endpoint::sendOne).
            struct BufMessage {
                quint16 sid = 0;
                quint32 ssn = 0; // the SSN (MID) the ordered message will carry
                quint32 context = 0;
                quint32 value = 0; // as given to usrsctp
                int bytes = 0;
            };
            std::vector<BufMessage> bufPending; // accepted, not yet on the wire
            std::map<quint32, BufMessage> bufInFlight; // first TSN -> message, until acknowledged or abandoned
            std::map<std::pair<quint16, quint32>, PrPolicy> policies; // (stream, context) -> policy of the last send
            std::map<quint16, StreamInfo> streams;
            // streams[sid], remembering the last one: bulk traffic repeats its stream, and map
            // nodes stay put, so a repeat looks nothing up.
            StreamInfo& stream(quint16 sid)
            {
                if (!hotStream || hotStream->sid != sid) {
                    hotStream = &streams[sid];
                    hotStream->sid = sid;
                }
                return *hotStream;
            }
            StreamInfo* hotStream = nullptr;
            // The policies entry the last send set (Endpoint::send), for the same reason.
            PrPolicy* hotPolicy = nullptr;
            std::pair<quint16, quint32> hotPolicyKey;
            AssociationInfo lastPublished;
            bool dirty = false;
        };
        Record* addAssociation(Endpoint* ep, quint32 sctpId, void* handle, quint16 localPort, quint16 peerPort,
            const Address& peer);
        Record* record(quint64 id);
        Record* recordFor(const Endpoint* ep, quint32 sctpId);
        quint64 recordsAdded() const { return m_recordsAdded; }
        QList<Record*> recordsOf(const Endpoint* ep);
        // The newest open association of ep, or nullptr (no list built: the send path calls it).
        Record* newestOpenRecordOf(const Endpoint* ep);
        void endpointClosed(Endpoint* ep);
        void publish(Record& r);
        // Publishes r from the event loop, once however often it is marked before that.
        void markDirty(Record& r);

    signals:
        void associationChanged(const ladder::sctp::AssociationInfo& info);
        void associationAdded(quint64 id);

    private:
        void onPacket(const PacketTap::PacketSeen& seen);
        // usrsctp emitted (or is about to be fed) a packet: moves BUF/PRIO messages from pending
        // to in flight as their first DATA leaves, and out of flight when a SACK acknowledges them.
        void onWire(bool inbound, void* handle, const char* packet, std::size_t length);
        int runtimeTickMs() const;
        void readStatus(Record& r);

        Context& m_context;
        std::shared_ptr<Runtime> m_runtime;
        PacketTap m_tap;
        QTimer m_refresh;
        QTimer m_poll;
        bool m_realTimeRefresh = false; // inside refresh() or the deferred publish (real-time timers)
        bool m_publishPosted = false;
        int m_nextDescriptor = 3; // 0–2 are stdin/out/err in the model users know
        std::map<int, Endpoint*> m_endpoints;
        std::map<int, QString> m_nonSockets;
        quint64 m_nextAssociation = 1;
        std::map<quint64, Record> m_records; // never erased: a Record* stays valid
    public:
        // Records whose BUF/PRIO messages are being followed (onWire looks at these only).
        void followBuf(quint64 id) { m_bufRecords.insert(id); }

    private:
        std::set<quint64> m_bufRecords;
        Record* m_lastRecord = nullptr; // record()'s last answer: packets repeat their association
        struct Resolved { // the tap resolver's recent answers
            void* handle = nullptr;
            quint16 localPort = 0, peerPort = 0;
            quint64 recordsAdded = ~quint64(0);
            quint64 id = 0;
        };
        std::array<Resolved, 4> m_resolved;
        std::size_t m_nextResolved = 0;
        struct NewestOpen { // newestOpenRecordOf's last answer
            const Endpoint* endpoint = nullptr;
            quint64 recordsAdded = ~quint64(0);
            Record* record = nullptr;
        } m_newestOpen;
        quint64 m_recordsAdded = 0; // bumped by addAssociation: recordFor caches depend on it
    };

} // namespace sctp
} // namespace ladder
