// SPDX-License-Identifier: GPL-3.0-or-later
#include "packettap.h"

#include "core/scheduler.h"
#include "trace/journal.h"

#include <QStringList>

#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    // Serial-number comparison (RFC 1982) for 32-bit TSNs.
    bool tsnLessEq(quint32 a, quint32 b) { return a == b || qint32(a - b) < 0; }
}

PacketTap::PacketTap(Scheduler& scheduler, trace::Journal& journal)
    : m_scheduler(scheduler)
    , m_journal(journal)
{
    struct sctpstat st {};
    usrsctp_get_stat(&st);
    m_lastFast = st.sctps_sendfastretrans;
    m_lastRetrans = st.sctps_sendretransdata;
}

void PacketTap::classifyBudget()
{
    // usrsctp counts retransmitted DATA chunks and, among them, fast-retransmitted ones. The
    // packets reach the tap after the counters moved, so the deltas since the last look say how
    // many of the retransmissions we are about to see were fast and how many timeout-driven.
    struct sctpstat st {};
    usrsctp_get_stat(&st);
    const qint64 fast = qint64(quint32(st.sctps_sendfastretrans - m_lastFast));
    const qint64 all = qint64(quint32(st.sctps_sendretransdata - m_lastRetrans));
    m_lastFast = st.sctps_sendfastretrans;
    m_lastRetrans = st.sctps_sendretransdata;
    m_fastBudget += fast;
    m_timeoutBudget += std::max<qint64>(0, all - fast);
}

int PacketTap::nextRetransmissionKind()
{
    if (m_fastBudget > 0) {
        --m_fastBudget;
        return 1;
    }
    if (m_timeoutBudget > 0) {
        --m_timeoutBudget;
        return 2;
    }
    return 0;
}

void PacketTap::observe(trace::Dir dir, void* handle, const QByteArray& packet, const QString& from, const QString& to,
    bool derived)
{
    ++m_packets;
    const qint64 now = m_scheduler.nowNs();
    const bool chunkEvents = m_level == Level::Chunks;
    const DecodedPacket d = decodePacket(packet, chunkEvents);
    const quint16 localPort = dir == trace::Dir::Tx ? d.srcPort : d.dstPort;
    const quint16 peerPort = dir == trace::Dir::Tx ? d.dstPort : d.srcPort;
    const quint64 assoc = m_resolver && d.valid ? m_resolver(handle, localPort, peerPort) : 0;

    trace::Event pe;
    pe.timeNs = now;
    pe.kind = trace::Kind::SctpPacket;
    pe.dir = dir;
    pe.object = assoc;
    pe.a = assoc;
    pe.from = from;
    pe.to = to;
    pe.raw = packet;
    pe.text = d.valid ? QStringLiteral("%1 → %2 vtag 0x%3: %4%5")
                            .arg(d.srcPort)
                            .arg(d.dstPort)
                            .arg(d.verificationTag, 8, 16, QLatin1Char('0'))
                            .arg(d.summary())
                            .arg(d.error.isEmpty() ? QString() : QStringLiteral(" [malformed: %1]").arg(d.error))
                      : QStringLiteral("malformed SCTP packet: %1").arg(d.error);
    m_journal.append(std::move(pe));
    if (!d.valid)
        return;

    if (derived && dir == trace::Dir::Tx)
        classifyBudget();
    Flow& out = m_flows[FlowKey { handle, d.srcPort, d.dstPort }];
    for (const DecodedChunk& c : d.chunks) {
        trace::Event ce;
        ce.timeNs = now;
        ce.kind = trace::Kind::SctpChunk;
        ce.dir = dir;
        ce.object = assoc;
        ce.a = c.type;
        ce.from = from;
        ce.to = to;
        ce.text = c.info;
        bool retransmitted = false;
        if (c.type == chunk::Data || c.type == chunk::IData) {
            ce.b = c.sid;
            ce.c = c.tsn;
            if (!c.truncated && derived)
                retransmitted = !out.sent.insert(c.tsn).second;
        } else if (c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) {
            ce.c = c.cumTsn;
        } else if (c.type == chunk::Init || c.type == chunk::InitAck) {
            // A new association on these ports: forget the old one's TSNs.
            out = Flow {};
            m_flows[FlowKey { handle, d.dstPort, d.srcPort }] = Flow {};
        }
        if (chunkEvents)
            m_journal.append(std::move(ce));

        if (retransmitted) {
            ++m_retransmissions;
            const int kind = nextRetransmissionKind();
            trace::Event re;
            re.timeNs = now;
            re.kind = trace::Kind::SctpRetransmission;
            re.dir = dir;
            re.object = assoc;
            re.a = quint64(kind);
            re.b = c.sid;
            re.c = c.tsn;
            re.from = from;
            re.to = to;
            re.text = QStringLiteral("%1 retransmission of TSN %2 (SID %3)")
                          .arg(kind == 1     ? QStringLiteral("fast")
                                  : kind == 2 ? QStringLiteral("timeout")
                                              : QStringLiteral("a"))
                          .arg(c.tsn)
                          .arg(c.sid);
            m_journal.append(std::move(re));
        }
        if ((c.type == chunk::Sack || c.type == chunk::NrSack) && !c.truncated && dir == trace::Dir::Rx) {
            // A SACK that reached the data sender acknowledges the reverse flow: remember its
            // cumulative TSN and forget the TSNs it covers (they can no longer be retransmitted).
            // Only on receipt: a SACK seen leaving the peer may still be lost on the way.
            Flow& rev = m_flows[FlowKey { handle, d.dstPort, d.srcPort }];
            if (!rev.haveCumAck || tsnLessEq(rev.cumAck, c.cumTsn)) {
                rev.cumAck = c.cumTsn;
                rev.haveCumAck = true;
                // Keep a margin: the sender may already have queued a retransmission of data
                // this SACK covers before it processed the SACK, and that copy is still one.
                const quint32 horizon = c.cumTsn - 8192;
                if (rev.sent.size() > 16384)
                    for (auto it = rev.sent.begin(); it != rev.sent.end();)
                        it = tsnLessEq(*it, horizon) ? rev.sent.erase(it) : std::next(it);
            }
        }
        if ((c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) && derived && !c.truncated) {
            ++m_forwardTsns;
            const quint32 first = out.haveCumAck ? out.cumAck + 1 : c.cumTsn;
            trace::Event fe;
            fe.timeNs = now;
            fe.kind = trace::Kind::SctpForwardTsn;
            fe.dir = dir;
            fe.object = assoc;
            fe.b = first;
            fe.c = c.cumTsn;
            fe.from = from;
            fe.to = to;
            fe.text = tsnLessEq(first, c.cumTsn) && first != c.cumTsn
                ? QStringLiteral("FORWARD-TSN skips TSN %1–%2").arg(first).arg(c.cumTsn)
                : QStringLiteral("FORWARD-TSN skips TSN %1").arg(c.cumTsn);
            if (!c.skipped.isEmpty()) {
                QStringList s;
                for (const auto& sk : c.skipped)
                    s << QStringLiteral("stream %1 %2 %3").arg(sk.sid).arg(c.type == chunk::IForwardTsn ? QStringLiteral("MID") : QStringLiteral("SSN")).arg(sk.ssn);
                fe.text += QStringLiteral(" (") + s.join(QStringLiteral(", ")) + QLatin1Char(')');
            }
            m_journal.append(std::move(fe));
        }
        if (m_observer)
            m_observer(ChunkSeen { dir, handle, assoc, d.srcPort, d.dstPort, &c, retransmitted });
    }
}

} // namespace ladder::sctp
