// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace ladder::sctp {

// Live state as plain values: the GUI gets copies (Engine::associations(), the
// Engine::associationChanged signal) and never touches the stack's internals.

struct PathInfo {
    QString address; // "10.0.0.2:5000"
    int state = 0; // SCTP_ACTIVE / SCTP_INACTIVE / SCTP_UNCONFIRMED
    QString stateName; // "active", "inactive", "unconfirmed"
    bool primary = false;
    quint32 cwnd = 0; // bytes
    quint32 srtt = 0; // ms
    quint32 rto = 0; // ms
    quint32 mtu = 0;
    bool operator==(const PathInfo&) const = default;
};

// One reading of a path (SCTP_GET_PEER_ADDR_INFO) that differed from the reading before it: the
// time series behind the Graphs tab's path graph. usrsctp exposes no ssthresh and no flight size
// per path, so neither is here (the graph infers flight size from the journal's DATA and SACKs).
struct PathSample {
    quint64 number = 0; // per association, from 1: a reader that missed some sees the gap
    qint64 timeNs = 0; // scheduler time of the reading (virtual in a lab run: deterministic)
    QString address;
    int state = 0;
    bool primary = false;
    quint32 cwnd = 0, srtt = 0, rto = 0, mtu = 0;
    bool operator==(const PathSample&) const = default;
};

struct StreamInfo {
    quint16 sid = 0;
    quint64 messagesQueued = 0, bytesQueued = 0; // accepted by send, not yet on the wire
    quint64 messagesSent = 0, bytesSent = 0; // first transmissions seen by the tap
    quint64 messagesReceived = 0, bytesReceived = 0;
    quint64 messagesAbandoned = 0, bytesAbandoned = 0;
    quint32 nextSsn = 0; // next ordered SSN to be sent
    quint64 orderedSent = 0, unorderedSent = 0;
    quint64 orderedReceived = 0, unorderedReceived = 0;
    // Messages and bytes seen on the wire before their send call returned (usrsctp often sends
    // inside it): the queue counts above are settled when the call is counted.
    quint64 messagesAhead = 0, bytesAhead = 0;
    bool operator==(const StreamInfo&) const = default;
};

struct AssociationInfo {
    quint64 id = 0; // ours; the journal's object for SCTP events
    int descriptor = -1; // the endpoint it lives on
    quint32 sctpAssocId = 0; // usrsctp's id on that endpoint
    QString endpointStyle; // "one-to-one" / "one-to-many"
    int stateCode = 0; // SCTP_ESTABLISHED…, 0 = closed
    QString state; // "ESTABLISHED", "SHUTDOWN-SENT"…, "CLOSED", "ABORTED"
    QString localAddress;
    QString peerAddress; // the address it was set up with
    QList<PathInfo> paths;
    // The newest kPathSamplesKept readings that changed a path, oldest first. A snapshot is a
    // value (the lab's rewind keeps one per instant), so only a short window travels with it; a
    // view that keeps the series appends the numbers it has not seen (recordPathSamples).
    static constexpr int kPathSamplesKept = 48;
    QList<PathSample> pathSamples;
    quint64 pathSamplesTaken = 0;
    QString primaryPath;
    quint16 inboundStreams = 0, outboundStreams = 0;
    bool prSupported = false; // negotiated; false means PR sends are fully reliable
    bool interleaving = false;
    quint32 peerRwnd = 0;
    quint16 unackedChunks = 0, pendingChunks = 0;
    quint64 retransmissions = 0, fastRetransmissions = 0, timeoutRetransmissions = 0;
    quint64 abandoned = 0; // SEND_FAILED events (messages given up)
    quint64 abandonedSent = 0, abandonedUnsent = 0; // SCTP_PR_ASSOC_STATUS
    quint64 forwardTsnsSent = 0;
    QList<StreamInfo> streams; // those that carried anything
    bool operator==(const AssociationInfo&) const = default;
};

// Called where a status read produced `paths` (before info.paths is replaced): samples each path
// whose values differ from its previous reading, or that is new.
inline void recordPathSamples(AssociationInfo& info, const QList<PathInfo>& paths, qint64 nowNs)
{
    for (const PathInfo& p : paths) {
        const PathInfo* before = nullptr;
        for (const PathInfo& old : info.paths)
            if (old.address == p.address)
                before = &old;
        if (before && before->state == p.state && before->primary == p.primary && before->cwnd == p.cwnd
            && before->srtt == p.srtt && before->rto == p.rto && before->mtu == p.mtu)
            continue;
        if (info.pathSamples.size() >= AssociationInfo::kPathSamplesKept)
            info.pathSamples.removeFirst();
        info.pathSamples.append({ ++info.pathSamplesTaken, nowNs, p.address, p.state, p.primary, p.cwnd, p.srtt, p.rto, p.mtu });
    }
}

} // namespace ladder::sctp

Q_DECLARE_METATYPE(ladder::sctp::PathInfo)
Q_DECLARE_METATYPE(ladder::sctp::StreamInfo)
Q_DECLARE_METATYPE(ladder::sctp::AssociationInfo)
