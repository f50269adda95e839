// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chunkdecoder.h"
#include "journal/event.h"

#include <QByteArray>

#include <array>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}

namespace sctp {

    // Sees every SCTP packet our transports send or receive and journals it: one SctpPacket event
    // with the raw bytes and a one-line summary, plus the derived events the timeline cares about —
    // a DATA TSN sent again (SctpRetransmission, fast or timeout-driven as usrsctp's counters tell,
    // see Runtime::currentOutput) and FORWARD-TSN (SctpForwardTsn with the skipped range). At the
    // Chunks level every chunk also becomes an SctpChunk event with its decoded info text: implied
    // by the packet event (derived by the journal when read) unless the packet brings derived
    // events or needed the full decoder, in which case they are written out in their order.
    //
    // The bulk path is lean on purpose: the packet is scanned once for the few header fields the
    // derived events and the counters need (no chunk objects, no checksum — usrsctp computed it and
    // the inspector verifies it when a user looks), and a packet seen leaving one of our sides is
    // not scanned again when the lab link delivers the same bytes to the other side.
    class PacketTap {
    public:
        // Which association (our id) a packet between these ports on this AF_CONN address belongs to.
        using Resolver = std::function<quint64(void* handle, quint16 localPort, quint16 peerPort)>;
        // Called once for each packet sent (Tx: what the per-stream counters count) after it was
        // journalled, with its chunks' scanned header fields (type, flags, TSN, SID, SSN, payload
        // length, cumulative TSN) and, per chunk, whether it was a retransmission and of which kind.
        struct PacketSeen {
            trace::Dir dir;
            void* handle;
            quint64 association;
            quint16 srcPort;
            quint16 dstPort;
            const std::vector<ChunkFields>* chunks;
            const std::vector<qint8>* kinds; // per chunk: -1 not a retransmission, else as
                                             // SctpRetransmission's a: 0 unknown, 1 fast, 2 timeout
        };
        using Observer = std::function<void(const PacketSeen&)>;

        PacketTap(Scheduler& scheduler, trace::Journal& journal);

        // Packets: an SctpPacket event per packet (raw bytes + summary) and the derived events —
        // all the GUI's timeline, ladder and inspector read (they decode chunk details from the raw
        // bytes on demand); the level for bulk transfers. Chunks (default): also an SctpChunk event
        // per chunk with its info text (ladderctl and the lessons read those). Off: no per-packet events at all (the
        // derived events and the counters still run) — for measurements only.
        enum class Level { Packets, Chunks, Off };
        void setLevel(Level level) { m_level = level; }
        Level level() const { return m_level; }

        // At the Chunks level, whether a packet's SctpChunk events are implied (the default: the
        // journal stores the packet once and derives them when read, see Journal::append(e,
        // implied)) or each written out. Readers see the same events either way; a test compares.
        void setImpliedChunkEvents(bool on) { m_implied = on; }

        // The tap remembers the resolver's last answers until this is called (or a new resolver
        // set): call it whenever an answer may change (an association was added).
        void setResolver(Resolver r)
        {
            m_resolver = std::move(r);
            resolverChanged();
        }
        void resolverChanged() { m_resolved = {}; }
        void setObserver(Observer o) { m_observer = std::move(o); }

        // derived: also emit retransmission and FORWARD-TSN events for this packet. Tx packets
        // always do; an Rx packet should only when the sender is not one of ours (in the lab both
        // ends are ours and the Tx side already reported it).
        // timeNs: when it happened if the caller knows (a packet delivered in the same instant it
        // was sent), else -1 to read the scheduler's clock.
        void observe(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from, const QString& to,
            bool derived, qint64 timeNs = -1);
        // The same for bytes that do not outlive the call (a datagram in a receive buffer): the
        // scan is neither looked up nor kept for a later delivery of the same bytes.
        void observeTransient(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from,
            const QString& to, bool derived);
        // A packet sent and delivered in the same instant (a lab link that neither delays nor
        // loses): observe(Tx, ..., derived = true) and observe(Rx, ..., derived = false) at once.
        // The arrival is then usually journalled as implied by the departure's event (whose b
        // names the receiving association), with the same events for a reader.
        void observeDelivery(void* handle, const QByteArray& packet, const QString& from, const QString& to,
            qint64 timeNs = -1);
        // The time observe() used for the packet it saw last.
        qint64 lastTimeNs() const { return m_lastTimeNs; }

        quint64 packets() const { return m_packets; }
        quint64 retransmissions() const { return m_retransmissions; }
        quint64 fastRetransmissions() const { return m_fast; }
        quint64 timeoutRetransmissions() const { return m_timeout; }
        quint64 forwardTsns() const { return m_forwardTsns; }
        quint64 impliedChunkEvents() const { return m_impliedChunks; } // journalled as implied by their packet

    private:
        // TSNs sent on a flow, a bit per TSN from `base` on: TSNs run consecutively, so a bitmap
        // beats a hash node per TSN on the bulk path.
        struct TsnSet {
            quint32 base = 0; // a multiple of 64
            bool started = false;
            std::vector<quint64> words; // words[head + i] holds TSNs base + 64 i ..
            std::size_t head = 0; // words before it were forgotten (reused when the rest moves down)
            // Adds tsn; false if it was there already (or lies before the window: sent long ago).
            bool insert(quint32 tsn);
            // Forgets the TSNs before tsn (serial-number order).
            void forgetBefore(quint32 tsn);
        };
        struct Flow {
            TsnSet sent;
            quint32 cumAck = 0;
            bool haveCumAck = false;
        };
        using FlowKey = std::tuple<void*, quint16, quint16>; // handle, sender port, receiver port
        // The result of scanning one packet, kept for its delivery on the other side of a lab link.
        struct Scanned {
            QByteArray packet; // holds the bytes, so the pointer identifies them while cached
            bool valid = false;
            quint16 srcPort = 0, dstPort = 0;
            QString text;
            std::vector<ChunkFields> chunks;
            std::vector<DecodedChunk> full; // the same chunks with the rest, when fullyDecoded
            bool needsFullDecode = false; // a rare chunk type, or something the scan cannot vouch for
            bool onlyData = false; // well-formed, and every chunk DATA or I-DATA (its arrival changes no flow)
            bool fullyDecoded = false; // chunks came from decodePacket (with descriptions at the Chunks level)
        };
        // One packet being journalled.
        struct Seen {
            trace::Dir dir;
            void* handle;
            qint64 timeNs;
            quint64 association;
            const QString* from;
            const QString* to;
            bool derived;
        };
        quint64 resolve(trace::Dir dir, void* handle, const Scanned& s);
        // Applies what the packet changes to the flows; fills kinds (per chunk -1, or its
        // retransmission kind); true if the packet brings derived events.
        bool update(trace::Dir dir, void* handle, const Scanned& s, bool derived, std::vector<qint8>& kinds);
        trace::Event& packetEvent(const Scanned& s, const Seen& seen);
        // The packet's events: SctpPacket, its chunk events (implied or written out) and derived events.
        void journalPacket(const Scanned& s, const Seen& seen, bool anyDerived, const std::vector<qint8>& kinds);
        void notify(trace::Dir dir, void* handle, const Scanned& s, quint64 assoc, const std::vector<qint8>& kinds);
        // Writes the SctpChunk events of a packet that does not imply them, each followed by its
        // derived events (retransmission, FORWARD-TSN).
        void journalChunks(const Scanned& s, const Seen& seen, const std::vector<qint8>& kinds);
        void journalDerived(const Scanned& s, std::size_t index, int retransmissionKind, const Seen& seen);
        // lookup = false: the packet is known to be new (skips the search of recent scans).
        Scanned& scan(const QByteArray& packet, bool lookup = true);
        // observe() and observeTransient(): one packet scanned, journalled and told; its scan.
        Scanned& observeOne(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from,
            const QString& to, bool derived, qint64 timeNs, bool lookup);
        // The summary line of a well-formed packet. A bulk transfer repeats a handful of lines
        // ("5000 → 5001 vtag …: DATA"): those come from a small cache, one shared string each,
        // which the journal then stores once per segment instead of once per packet.
        const QString& summary(quint16 src, quint16 dst, quint32 vtag, const std::vector<ChunkFields>& chunks);
        // The same with the chunk types' hash already taken (scan does, as it reads them).
        const QString& summary(quint16 src, quint16 dst, quint32 vtag, const std::vector<ChunkFields>& chunks,
            quint32 typesHash);
        struct SummaryLine {
            quint16 src = 0, dst = 0;
            quint32 vtag = 0;
            quint8 count = 0;
            std::array<quint8, 32> types {};
            QString text;
        };
        Flow& flow(void* handle, quint16 src, quint16 dst);

        Scheduler& m_scheduler;
        trace::Journal& m_journal;
        Level m_level = Level::Chunks;
        Resolver m_resolver;
        // The resolver's last answers: a delivery asks for the sender's and the receiver's.
        struct Resolved {
            void* handle = nullptr;
            quint16 localPort = 0, peerPort = 0;
            bool valid = false;
            quint64 id = 0;
        };
        std::array<Resolved, 2> m_resolved {};
        std::size_t m_nextResolved = 0;
        Observer m_observer;
        std::map<FlowKey, Flow> m_flows;
        FlowKey m_lastFlowKey {};
        Flow* m_lastFlow = nullptr;
        std::array<Scanned, 8> m_cache; // the last packets scanned, most recent at m_cacheNext - 1
        std::array<SummaryLine, 64> m_summaries; // direct-mapped by a hash of the key
        QString m_longSummary; // a packet of more chunks than a SummaryLine holds
        std::size_t m_cacheNext = 0;
        std::vector<qint8> m_kinds; // per chunk of the packet being observed: -1, or its retransmission kind
        std::vector<qint8> m_arrivalKinds; // the same for its arrival (observeDelivery)
        bool m_implied = true;
        qint64 m_lastTimeNs = 0;
        trace::Event m_packetEvent; // reused for every SctpPacket event (see observe)
        trace::Event m_chunkEvent; // and for every SctpChunk event
        quint64 m_packets = 0, m_impliedChunks = 0, m_retransmissions = 0, m_fast = 0, m_timeout = 0, m_forwardTsns = 0;
    };

    // The SctpChunk event of chunk c in a packet journalled at timeNs (from/to left to the caller).
    void setChunkEvent(trace::Event& e, const DecodedChunk& c, qint64 timeNs, trace::Dir dir, quint64 association);
    // The journal's expander for SctpPacket events: the events a packet's event implies — its
    // SctpChunk events, and for a delivery journalled at once (b != 0) the arrival and its chunks.
    void expandPacketEvents(const trace::Event& packet, quint32 count, std::vector<trace::Event>& out);

} // namespace sctp
} // namespace ladder
