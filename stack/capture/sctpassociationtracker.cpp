// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctpassociationtracker.h"

#include "netpacket.h"

namespace ladder::trace {

using net::get16;
using net::get32;

namespace {
    constexpr qsizetype kMaxAssociations = 10000;
    constexpr qsizetype kMaxTsns = 1000000; // per direction; beyond it repeats go unnoticed
    constexpr qsizetype kMaxHistory = 16;
    constexpr qsizetype kMaxChunks = 1024;

    enum Chunk : quint8 {
        Data = 0, Init = 1, InitAck = 2, Sack = 3, Abort = 6, Shutdown = 7, ShutdownAck = 8, CookieEcho = 10,
        CookieAck = 11, ShutdownComplete = 14, IData = 64, ForwardTsn = 192, IForwardTsn = 194
    };

    bool serialGreater(quint32 a, quint32 b) { return a != b && quint32(a - b) < 0x80000000u; }

    QString endKey(const QString& endpoint, quint16 port) { return endpoint + QLatin1Char('#') + QString::number(port); }
} // namespace

SctpAssociationTracker::Assoc& SctpAssociationTracker::create(const Event& e, quint16 sport, quint16 dport, bool init)
{
    Assoc a;
    // The local side: the one the capture calls outbound; without direction flags the INIT's
    // sender, or the sender of the first packet seen.
    const bool senderIsLocal = e.dir != Dir::Rx;
    a.localEndpoint = senderIsLocal ? e.from : e.to;
    a.localPort = senderIsLocal ? sport : dport;
    a.native = e.b == 1;
    CapturedAssociation& c = a.c;
    c.info.id = m_nextId++;
    c.role = init ? (senderIsLocal ? QStringLiteral("initiator") : QStringLiteral("responder")) : QStringLiteral("observed");
    c.localPort = a.localPort;
    c.peerPort = senderIsLocal ? dport : sport;
    const QString peerEndpoint = senderIsLocal ? e.to : e.from;
    if (a.native) {
        c.info.localAddress = a.localEndpoint;
        c.info.peerAddress = peerEndpoint;
    } else { // UDP encapsulation (RFC 6951): the addresses are the UDP ones
        c.info.localAddress = QStringLiteral("%1 (SCTP port %2)").arg(a.localEndpoint).arg(c.localPort);
        c.info.peerAddress = QStringLiteral("%1 (SCTP port %2)").arg(peerEndpoint).arg(c.peerPort);
    }
    c.info.primaryPath = peerEndpoint;
    c.info.state = QStringLiteral("CLOSED");
    return *m_assocs.insert(c.info.id, a);
}

void SctpAssociationTracker::setState(Assoc& a, const Event& e, const QString& to, const QString& why, QList<Event>& out)
{
    if (a.c.info.state == to)
        return;
    Event s;
    s.timeNs = e.timeNs;
    s.kind = Kind::AssociationState;
    s.object = a.c.info.id;
    s.from = e.from;
    s.to = e.to;
    s.text = a.c.info.state + QStringLiteral(" -> ") + to;
    if (!why.isEmpty())
        s.text += QStringLiteral(" (") + why + QLatin1Char(')');
    out.append(std::move(s));
    a.c.info.state = to;
    if (a.c.history.size() < kMaxHistory)
        a.c.history.append({ to, e.timeNs });
}

void SctpAssociationTracker::onInit(Assoc& a, bool byLocal, const uchar* v, qsizetype len, bool ack)
{
    if (len < 20)
        return;
    CapturedAssociation& c = a.c;
    const quint32 tag = get32(v + 4), rwnd = get32(v + 8), tsn = get32(v + 16);
    const quint16 os = get16(v + 12), mis = get16(v + 14);
    Side& side = byLocal ? a.local : a.peer;
    side.paramsKnown = true;
    side.pr = side.idata = false;
    // Parameters: Forward-TSN-Supported (0xC000) or Supported Extensions (0x8008) naming
    // FORWARD-TSN (192) / I-DATA (64).
    for (qsizetype off = 20; off + 4 <= len;) {
        const quint16 type = get16(v + off), plen = get16(v + off + 2);
        if (plen < 4 || off + plen > len)
            break;
        if (type == 0xC000)
            side.pr = true;
        if (type == 0x8008) {
            for (qsizetype i = 4; i < plen; ++i) {
                side.pr = side.pr || v[off + i] == ForwardTsn;
                side.idata = side.idata || v[off + i] == IData;
            }
        }
        off += (plen + 3) & ~qsizetype(3);
    }
    if (byLocal) {
        c.localTag = tag;
        c.localInitialTsn = tsn;
        c.localOutboundStreams = os;
        c.localInboundStreams = mis;
    } else {
        c.peerTag = tag;
        c.peerInitialTsn = tsn;
        c.peerOutboundStreams = os;
        c.peerInboundStreams = mis;
        c.info.peerRwnd = rwnd;
    }
    Q_UNUSED(ack);
    negotiate(a);
}

void SctpAssociationTracker::negotiate(Assoc& a)
{
    if (!a.local.paramsKnown || !a.peer.paramsKnown)
        return;
    CapturedAssociation& c = a.c;
    c.info.outboundStreams = std::min(c.localOutboundStreams, c.peerInboundStreams);
    c.info.inboundStreams = std::min(c.peerOutboundStreams, c.localInboundStreams);
    c.info.prSupported = a.local.pr && a.peer.pr;
    c.info.interleaving = a.local.idata && a.peer.idata;
}

void SctpAssociationTracker::onData(Assoc& a, const Event& e, bool byLocal, const uchar* v, qsizetype len, bool idata,
    QList<Event>& out)
{
    const qsizetype header = idata ? 20 : 16;
    if (len < header)
        return;
    const quint8 flags = v[1];
    const quint32 tsn = get32(v + 4);
    const quint16 sid = get16(v + 8);
    const bool unordered = flags & 0x04, end = flags & 0x01;
    const quint64 bytes = quint64(len - header);
    Side& side = byLocal ? a.local : a.peer;
    CapturedAssociation& c = a.c;
    (byLocal ? c.dataSent : c.dataReceived)++;
    if (side.tsns.contains(tsn)) {
        // Seen before in this direction: a retransmission (fast or timeout cannot be told apart
        // from the wire alone).
        if (byLocal)
            ++c.info.retransmissions;
        else
            ++c.retransmissionsReceived;
        Event r;
        r.timeNs = e.timeNs;
        r.kind = Kind::SctpRetransmission;
        r.dir = e.dir;
        r.from = e.from;
        r.to = e.to;
        r.object = c.info.id;
        r.c = tsn;
        r.b = sid;
        r.text = QStringLiteral("DATA TSN %1 again").arg(tsn);
        out.append(std::move(r));
        return;
    }
    if (side.tsns.size() < kMaxTsns)
        side.tsns.insert(tsn);
    const bool fresh = !a.streams.contains(sid);
    sctp::StreamInfo& s = a.streams[sid];
    s.sid = sid;
    if (fresh) {
        Event st;
        st.timeNs = e.timeNs;
        st.kind = Kind::StreamState;
        st.from = e.from;
        st.to = e.to;
        st.object = c.info.id;
        st.a = sid;
        st.text = QStringLiteral("stream %1: first DATA (TSN %2, from the %3 side)")
                      .arg(sid)
                      .arg(tsn)
                      .arg(byLocal ? QStringLiteral("local") : QStringLiteral("peer"));
        out.append(std::move(st));
    }
    if (byLocal) {
        s.bytesSent += bytes;
        if (end) {
            ++s.messagesSent;
            ++(unordered ? s.unorderedSent : s.orderedSent);
        }
        if (!unordered && !idata)
            s.nextSsn = quint32(get16(v + 10)) + 1;
        else if (!unordered && idata)
            s.nextSsn = get32(v + 12) + 1; // the Message Identifier
    } else {
        s.bytesReceived += bytes;
        if (end) {
            ++s.messagesReceived;
            ++(unordered ? s.unorderedReceived : s.orderedReceived);
        }
    }
}

void SctpAssociationTracker::onForwardTsn(Assoc& a, bool byLocal, const uchar* v, qsizetype len, bool iforward)
{
    if (len < 8)
        return;
    CapturedAssociation& c = a.c;
    const quint32 newCum = get32(v + 4);
    Side& side = byLocal ? a.local : a.peer;
    // The TSNs it jumps over: past the receiver's last cumulative ack and any earlier FORWARD-TSN.
    quint32 base = byLocal ? c.lastCumAckReceived : c.lastCumAckSent;
    if (side.haveForward && serialGreater(side.lastForward, base))
        base = side.lastForward;
    const quint64 skipped = serialGreater(newCum, base) ? quint64(quint32(newCum - base)) : 0;
    side.lastForward = serialGreater(newCum, side.lastForward) || !side.haveForward ? newCum : side.lastForward;
    side.haveForward = true;
    if (byLocal) {
        ++c.info.forwardTsnsSent;
        c.skippedTsnsSent += skipped;
    } else {
        ++c.forwardTsnsReceived;
        c.skippedTsnsReceived += skipped;
    }
    // Ordered messages given up are named by (stream, SSN) — (stream, flags, MID) for I-FORWARD-TSN.
    const qsizetype entry = iforward ? 8 : 4;
    for (qsizetype off = 8; off + entry <= len; off += entry) {
        const quint16 sid = get16(v + off);
        const quint32 seq = iforward ? get32(v + off + 4) : get16(v + off + 2);
        const quint32 k = (quint32(sid) << 16) ^ seq;
        if (side.abandoned.contains(k) || side.abandoned.size() >= kMaxTsns)
            continue;
        side.abandoned.insert(k);
        if (byLocal) {
            sctp::StreamInfo& s = a.streams[sid];
            s.sid = sid;
            ++s.messagesAbandoned;
            ++c.info.abandoned;
        }
    }
}

quint64 SctpAssociationTracker::onPacket(const Event& e, bool mirror, QList<Event>& out)
{
    const uchar* d = reinterpret_cast<const uchar*>(e.raw.constData());
    const qsizetype n = e.raw.size();
    if (n < 12)
        return 0;
    const quint16 sport = get16(d), dport = get16(d + 2);
    const bool init = n >= 16 && d[12] == Init;
    const QString a = endKey(e.from, sport), b = endKey(e.to, dport);
    const QString key = a < b ? a + QLatin1Char('|') + b : b + QLatin1Char('|') + a;
    auto found = m_byKey.constFind(key);
    Assoc* assoc = nullptr;
    if (found != m_byKey.constEnd())
        assoc = &m_assocs[*found];
    const bool over = assoc
        && (assoc->c.info.state == QLatin1String("CLOSED") || assoc->c.info.state == QLatin1String("ABORTED"))
        && assoc->c.history.size() > 0;
    if (!assoc || (init && over && !mirror)) {
        if (m_assocs.size() >= kMaxAssociations)
            return 0;
        assoc = &create(e, sport, dport, init);
        m_byKey.insert(key, assoc->c.info.id);
    }
    Assoc& as = *assoc;
    CapturedAssociation& c = as.c;
    if (mirror)
        return c.info.id;
    const bool byLocal = e.from == as.localEndpoint && sport == as.localPort;
    (byLocal ? c.packetsSent : c.packetsReceived)++;
    const QString who = byLocal ? QStringLiteral("local") : QStringLiteral("peer");
    int chunks = 0;
    for (qsizetype off = 12; off + 4 <= n && chunks < kMaxChunks; ++chunks) {
        const qsizetype len = get16(d + off + 2);
        if (len < 4 || off + len > n)
            break;
        const uchar* v = d + off;
        const QString& st = c.info.state;
        const bool idle = st == QLatin1String("CLOSED") && c.history.isEmpty();
        switch (v[0]) {
        case Init:
            onInit(as, byLocal, v, len, false);
            if (byLocal)
                setState(as, e, QStringLiteral("COOKIE-WAIT"), QStringLiteral("INIT"), out);
            break;
        case InitAck: onInit(as, byLocal, v, len, true); break;
        case CookieEcho:
            setState(as, e, byLocal ? QStringLiteral("COOKIE-ECHOED") : QStringLiteral("ESTABLISHED"),
                QStringLiteral("COOKIE-ECHO"), out);
            break;
        case CookieAck:
            if (!byLocal || st != QLatin1String("ESTABLISHED"))
                setState(as, e, QStringLiteral("ESTABLISHED"), QStringLiteral("COOKIE-ACK"), out);
            break;
        case Data:
        case IData:
            if (idle)
                setState(as, e, QStringLiteral("ESTABLISHED"), QStringLiteral("DATA; the capture began after the handshake"), out);
            onData(as, e, byLocal, v, len, v[0] == IData, out);
            break;
        case Sack:
            if (len >= 12) {
                if (idle)
                    setState(as, e, QStringLiteral("ESTABLISHED"), QStringLiteral("SACK; the capture began after the handshake"), out);
                (byLocal ? c.sacksSent : c.sacksReceived)++;
                (byLocal ? c.lastCumAckSent : c.lastCumAckReceived) = get32(v + 4);
                if (!byLocal)
                    c.info.peerRwnd = get32(v + 8);
            }
            break;
        case ForwardTsn:
        case IForwardTsn: onForwardTsn(as, byLocal, v, len, v[0] == IForwardTsn); break;
        case Shutdown:
            setState(as, e, byLocal ? QStringLiteral("SHUTDOWN-SENT") : QStringLiteral("SHUTDOWN-RECEIVED"),
                QStringLiteral("SHUTDOWN from the %1 side").arg(who), out);
            break;
        case ShutdownAck:
            setState(as, e, byLocal ? QStringLiteral("SHUTDOWN-ACK-SENT") : QStringLiteral("CLOSED"),
                QStringLiteral("SHUTDOWN-ACK"), out);
            break;
        case ShutdownComplete: setState(as, e, QStringLiteral("CLOSED"), QStringLiteral("SHUTDOWN-COMPLETE"), out); break;
        case Abort: setState(as, e, QStringLiteral("ABORTED"), QStringLiteral("ABORT from the %1 side").arg(who), out); break;
        default: break;
        }
        off += (len + 3) & ~qsizetype(3);
    }
    return c.info.id;
}

QList<CapturedAssociation> SctpAssociationTracker::snapshots() const
{
    QList<CapturedAssociation> out;
    out.reserve(m_assocs.size());
    for (const Assoc& a : m_assocs) {
        CapturedAssociation c = a.c;
        c.info.streams = a.streams.values();
        out.append(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.info.id < y.info.id; });
    return out;
}

} // namespace ladder::trace
