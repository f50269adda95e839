// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chunkdecoder.h"
#include "trace/event.h"

#include <functional>
#include <map>
#include <tuple>
#include <unordered_set>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}

namespace sctp {

    // Sees every SCTP packet our transports send or receive, decodes it and journals it: one
    // SctpPacket event with the raw bytes, one SctpChunk event per chunk, plus the derived events
    // the timeline cares about — a DATA TSN sent again (SctpRetransmission, told fast or
    // timeout-driven from usrsctp's counters) and FORWARD-TSN (SctpForwardTsn with the skipped range).
    class PacketTap {
    public:
        // Which association (our id) a packet between these ports on this AF_CONN address belongs to.
        using Resolver = std::function<quint64(void* handle, quint16 localPort, quint16 peerPort)>;
        // Called for each decoded chunk after it was journalled.
        struct ChunkSeen {
            trace::Dir dir;
            void* handle;
            quint64 association;
            quint16 srcPort;
            quint16 dstPort;
            const DecodedChunk* chunk;
            bool retransmission;
        };
        using Observer = std::function<void(const ChunkSeen&)>;

        PacketTap(Scheduler& scheduler, trace::Journal& journal);

        // Chunks (default): an SctpChunk event per chunk with its info text. Packets: only the
        // SctpPacket events and the derived ones (retransmission, FORWARD-TSN) — for bulk runs.
        enum class Level { Packets, Chunks };
        void setLevel(Level level) { m_level = level; }
        Level level() const { return m_level; }

        void setResolver(Resolver r) { m_resolver = std::move(r); }
        void setObserver(Observer o) { m_observer = std::move(o); }

        // derived: also emit retransmission and FORWARD-TSN events for this packet. Tx packets
        // always do; an Rx packet should only when the sender is not one of ours (in the lab both
        // ends are ours and the Tx side already reported it).
        void observe(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from, const QString& to,
            bool derived);

        quint64 packets() const { return m_packets; }
        quint64 retransmissions() const { return m_retransmissions; }
        quint64 forwardTsns() const { return m_forwardTsns; }

    private:
        struct Flow {
            std::unordered_set<quint32> sent;
            quint32 cumAck = 0;
            bool haveCumAck = false;
        };
        using FlowKey = std::tuple<void*, quint16, quint16>; // handle, sender port, receiver port
        void classifyBudget();
        int nextRetransmissionKind();

        Scheduler& m_scheduler;
        trace::Journal& m_journal;
        Level m_level = Level::Chunks;
        Resolver m_resolver;
        Observer m_observer;
        std::map<FlowKey, Flow> m_flows;
        quint64 m_packets = 0, m_retransmissions = 0, m_forwardTsns = 0;
        quint32 m_lastFast = 0, m_lastRetrans = 0;
        qint64 m_fastBudget = 0, m_timeoutBudget = 0;
    };

} // namespace sctp
} // namespace ladder
