// SPDX-License-Identifier: GPL-3.0-or-later
#include "quiz.h"

#include "sctp/chunkdecoder.h"

#include <QRegularExpression>

#include <algorithm>

namespace ladder::lab {

namespace {
    QString seconds(qint64 ns) { return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }

    QString csvField(QString s)
    {
        if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))
            && !s.contains(QLatin1Char('\r')))
            return s;
        s.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + s + QLatin1Char('"');
    }
} // namespace

bool Prediction::holds(const trace::Event& next) const { return holds(QList<trace::Event> { next }); }

namespace {
    bool tsnAfter(quint32 a, quint32 b) { return a != b && quint32(a - b) < 0x80000000u; } // a > b, RFC 1982

    bool packetPart(const trace::Event& e)
    {
        return e.kind == trace::Kind::SctpChunk || e.kind == trace::Kind::SctpRetransmission
            || e.kind == trace::Kind::SctpForwardTsn;
    }

    // One SCTP happening, classified: the first that applies, in the order Prediction::holds gives.
    struct Happening {
        enum class K : quint8 { None, T3Expiry, Control, ForwardTsn, Retransmission, NewData, Heartbeat, SackSent, SackArrives, DataArrives, Abandon, ControlArrives, InitArrives };
        K kind = K::None;
        quint64 association = 0;
        quint8 chunkType = 0; // Control, ControlArrives
        QList<quint32> tsns; // Retransmission
        QString lane; // InitArrives: the receiving host's lane
        quint16 port = 0; // InitArrives: the destination port
    };

    // The destination port of an SCTP packet event: "49152 → 5000 vtag 0x…" gives 5000 (0: none).
    quint16 destinationPort(const trace::Event& e)
    {
        if (e.kind != trace::Kind::SctpPacket)
            return 0;
        const qsizetype arrow = e.text.indexOf(QStringLiteral("\u2192 "));
        const qsizetype vtag = e.text.indexOf(QLatin1String(" vtag"));
        if (arrow < 0 || vtag < arrow)
            return 0;
        bool ok = false;
        const uint port = e.text.mid(arrow + 2, vtag - arrow - 2).toUInt(&ok);
        return ok && port <= 65535 ? quint16(port) : 0;
    }

    Happening classify(const QList<trace::Event>& events)
    {
        using trace::Kind;
        Happening h;
        if (events.isEmpty())
            return h;
        const trace::Event& first = events.first();
        if (first.kind == Kind::SctpAbandon) {
            h.kind = Happening::K::Abandon;
            h.association = first.object;
            return h;
        }
        if (first.kind != Kind::SctpPacket && !packetPart(first))
            return h;
        h.association = first.object;
        QSet<quint8> chunks;
        bool timeout = false, forwardTsn = false;
        QList<quint32> rtx;
        for (const trace::Event& e : events) {
            if (e.kind == Kind::SctpChunk)
                chunks.insert(quint8(e.a));
            else if (e.kind == Kind::SctpRetransmission && e.a == 2)
                timeout = true;
            else if (e.kind == Kind::SctpRetransmission)
                rtx << quint32(e.c);
            else if (e.kind == Kind::SctpForwardTsn)
                forwardTsn = true;
        }
        namespace chunk = sctp::chunk;
        if (first.dir == trace::Dir::Tx) {
            if (timeout) {
                h.kind = Happening::K::T3Expiry;
                return h;
            }
            for (const quint8 type : { chunk::Init, chunk::CookieEcho, chunk::Abort, chunk::Shutdown, chunk::ShutdownAck, chunk::ShutdownComplete })
                if (chunks.contains(type)) {
                    h.kind = Happening::K::Control;
                    h.chunkType = type;
                    return h;
                }
            if (forwardTsn || chunks.contains(chunk::ForwardTsn) || chunks.contains(chunk::IForwardTsn))
                h.kind = Happening::K::ForwardTsn;
            else if (!rtx.isEmpty()) {
                h.kind = Happening::K::Retransmission;
                h.tsns = rtx;
            } else if (chunks.contains(chunk::Data) || chunks.contains(chunk::IData))
                h.kind = Happening::K::NewData;
            else if (chunks.contains(chunk::Heartbeat))
                h.kind = Happening::K::Heartbeat;
            else if (chunks.contains(chunk::Sack) || chunks.contains(chunk::NrSack))
                h.kind = Happening::K::SackSent;
        } else if (first.dir == trace::Dir::Rx) {
            // An INIT (alone in its packet, RFC 9260 §6.10) at a socket with no association yet.
            if (chunks.contains(chunk::Init)) {
                h.kind = Happening::K::InitArrives;
                h.lane = first.to;
                h.port = destinationPort(first);
                return h;
            }
            // The handshake's answers first: a COOKIE-ACK may come bundled with DATA or a SACK.
            for (const quint8 type : { chunk::InitAck, chunk::CookieAck })
                if (chunks.contains(type)) {
                    h.kind = Happening::K::ControlArrives;
                    h.chunkType = type;
                    return h;
                }
            if (chunks.contains(chunk::Sack) || chunks.contains(chunk::NrSack))
                h.kind = Happening::K::SackArrives;
            else if (chunks.contains(chunk::Data) || chunks.contains(chunk::IData))
                h.kind = Happening::K::DataArrives;
        }
        return h;
    }
} // namespace

bool Prediction::holds(const QList<trace::Event>& happening) const
{
    if (happening.isEmpty())
        return false;
    using K = Happening::K;
    if (what >= What::SctpTimerFires) {
        const Happening h = classify(happening);
        if (h.kind == K::None || h.association != association)
            return false;
        namespace chunk = sctp::chunk;
        switch (what) {
        case What::SctpTimerFires:
            if (timer == QLatin1String("T3-rtx"))
                return h.kind == K::T3Expiry;
            if (timer == QLatin1String("heartbeat"))
                return h.kind == K::Heartbeat;
            if (h.kind != K::Control)
                return false;
            if (timer == QLatin1String("T1-init"))
                return h.chunkType == chunk::Init;
            if (timer == QLatin1String("T1-cookie"))
                return h.chunkType == chunk::CookieEcho;
            if (timer == QLatin1String("T2-shutdown"))
                return h.chunkType == chunk::Shutdown || h.chunkType == chunk::ShutdownAck;
            return false;
        case What::SctpSackArrives: return h.kind == K::SackArrives;
        case What::SctpDataArrives: return h.kind == K::DataArrives;
        case What::SctpFastRetransmits: return h.kind == K::Retransmission && (tsn < 0 || h.tsns.contains(quint32(tsn)));
        case What::SctpSendsData: return h.kind == K::NewData;
        case What::SctpSendsSack: return h.kind == K::SackSent;
        case What::SctpSendsForwardTsn: return h.kind == K::ForwardTsn;
        case What::SctpAbandons: return h.kind == K::Abandon;
        case What::SctpSendsChunk: return h.kind == K::Control && h.chunkType == chunkType;
        case What::SctpChunkArrives: return h.kind == K::ControlArrives && h.chunkType == chunkType;
        case What::SctpInitArrives: return h.kind == K::InitArrives && h.lane == lane && h.port == port;
        default: return false;
        }
    }
    const trace::Event& next = happening.first();
    const bool response = next.text.startsWith(QLatin1String("SIP/2.0"));
    switch (what) {
    case What::TimerFires:
        return next.kind == trace::Kind::TimerFired && next.text == timer && next.object == transaction;
    case What::ResponseArrives:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Rx && response && next.object == transaction;
    case What::ResponseSent:
        return (next.kind == trace::Kind::SipMessage || next.kind == trace::Kind::SipRetransmission)
            && next.dir == trace::Dir::Tx && response && next.object == transaction;
    case What::Retransmits:
        return next.kind == trace::Kind::SipRetransmission && next.dir == trace::Dir::Tx && !response
            && next.object == transaction;
    case What::RequestArrives:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Rx && !response;
    case What::RequestSent:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Tx && !response;
    default:
        break;
    }
    return false;
}

namespace {
    QList<Prediction> sipTimers(const sip::StackSnapshot& snapshot)
    {
        QList<Prediction> out;
        for (const sip::TransactionSnapshot& t : snapshot.transactions) {
            if (t.terminated)
                continue;
            for (const sip::TimerSnapshot& timer : t.timers) {
                if (timer.name.isEmpty() || !timer.name.at(0).isLetter() || timer.name.size() != 1)
                    continue; // RFC 3261's lettered timers; the stack's own (100 Trying delay) are not asked
                Prediction p;
                p.what = Prediction::What::TimerFires;
                p.timer = timer.name;
                p.transaction = t.id;
                p.dueNs = timer.dueNs;
                p.text = QStringLiteral("Timer %1 of the %2 (#%3) fires, at %4")
                             .arg(timer.name, t.kind)
                             .arg(t.id)
                             .arg(seconds(timer.dueNs));
                out << p;
            }
        }
        std::stable_sort(out.begin(), out.end(), [](const Prediction& a, const Prediction& b) { return a.dueNs < b.dueNs; });
        return out;
    }

    QList<Prediction> sipTransactions(const sip::StackSnapshot& snapshot)
    {
        QList<Prediction> out;
        // The transactions still waiting for their final response, oldest first.
        QList<sip::TransactionSnapshot> waiting;
        for (const sip::TransactionSnapshot& t : snapshot.transactions)
            if (!t.terminated && t.lastStatus < 200)
                waiting << t;
        std::stable_sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        for (const sip::TransactionSnapshot& t : std::as_const(waiting)) {
            Prediction p;
            p.transaction = t.id;
            if (t.role == QLatin1String("client")) {
                p.what = Prediction::What::ResponseArrives;
                p.text = QStringLiteral("A response to the %1 (#%2) arrives").arg(t.kind).arg(t.id);
                out << p;
                if (!t.reliable) { // over TCP or SCTP the transport retransmits, not the transaction
                    p.what = Prediction::What::Retransmits;
                    p.text = QStringLiteral("The %1 (#%2) retransmits its %3").arg(t.kind).arg(t.id).arg(t.method);
                    out << p;
                }
            } else {
                p.what = Prediction::What::ResponseSent;
                p.text = QStringLiteral("The %1 (#%2) sends a response").arg(t.kind).arg(t.id);
                out << p;
            }
        }
        return out;
    }

    QList<Prediction> sipRequests()
    {
        Prediction arrives;
        arrives.what = Prediction::What::RequestArrives;
        arrives.text = QStringLiteral("A request arrives");
        Prediction sent;
        sent.what = Prediction::What::RequestSent;
        sent.text = QStringLiteral("A request is sent (a new one, an ACK or a CANCEL)");
        return { arrives, sent };
    }

    const sctp::PathInfo* primaryPath(const sctp::AssociationInfo& a)
    {
        for (const sctp::PathInfo& p : a.paths)
            if (p.primary)
                return &p;
        return a.paths.isEmpty() ? nullptr : &a.paths.first();
    }

    bool closing(const QString& state) { return state.startsWith(QLatin1String("SHUTDOWN-")); }
    bool carriesData(const QString& state)
    {
        return state == QLatin1String("ESTABLISHED") || state == QLatin1String("SHUTDOWN-PENDING")
            || state == QLatin1String("SHUTDOWN-RECEIVED");
    }
} // namespace

const SctpQuizHistory::Association* SctpQuizHistory::association(quint64 id) const
{
    auto it = m_associations.constFind(id);
    return it == m_associations.cend() ? nullptr : &*it;
}

qint64 SctpQuizHistory::lowestOutstanding(quint64 id) const
{
    const Association* a = association(id);
    if (!a)
        return -1;
    qint64 best = -1;
    for (const quint32 t : a->sentTsns)
        if ((!a->haveCumAck || tsnAfter(t, a->cumAck)) && (best < 0 || tsnAfter(quint32(best), t)))
            best = t;
    return best;
}

void SctpQuizHistory::feed(const trace::Event& e)
{
    using trace::Kind;
    if (!e.object || (e.kind != Kind::SctpChunk && e.kind != Kind::SctpPacket))
        return;
    Association& a = m_associations[e.object];
    if (e.dir == trace::Dir::Tx) {
        if (!e.from.isEmpty())
            a.lane = e.from;
        if (!e.to.isEmpty())
            a.peerLane = e.to;
    } else if (e.dir == trace::Dir::Rx) {
        if (!e.to.isEmpty())
            a.lane = e.to;
        if (!e.from.isEmpty())
            a.peerLane = e.from;
    }
    if (e.kind == Kind::SctpPacket) {
        if (e.dir == trace::Dir::Tx && destinationPort(e))
            a.peerPort = destinationPort(e);
        // "5000 → 5000 vtag 0x1a2b3c4d: DATA, SACK": the tag says which association the packet is for.
        const qsizetype at = e.text.indexOf(QLatin1String("vtag 0x"));
        bool ok = false;
        const quint32 tag = at >= 0 ? e.text.mid(at + 7, 8).toUInt(&ok, 16) : 0;
        if (ok && tag)
            (e.dir == trace::Dir::Tx ? a.peerTag : a.ownTag) = tag;
        return;
    }
    if (e.kind != Kind::SctpChunk)
        return;
    namespace chunk = sctp::chunk;
    auto ackTo = [&](quint32 cum) {
        if (!a.haveCumAck || tsnAfter(cum, a.cumAck)) {
            a.cumAck = cum;
            a.haveCumAck = true;
            // What the cumulative point passed can no longer be outstanding.
            a.sentTsns.removeIf([cum](quint32 t) { return !tsnAfter(t, cum); });
        }
    };
    const bool data = e.a == chunk::Data || e.a == chunk::IData;
    const bool sack = e.a == chunk::Sack || e.a == chunk::NrSack;
    if (e.a == chunk::Abort || e.a == chunk::ShutdownComplete)
        a.ended = true;
    if (e.dir == trace::Dir::Tx && e.a == chunk::Init)
        a.awaiting = chunk::InitAck;
    else if (e.dir == trace::Dir::Tx && e.a == chunk::CookieEcho)
        a.awaiting = chunk::CookieAck;
    else if (e.dir == trace::Dir::Rx && a.awaiting && e.a == a.awaiting)
        a.awaiting = 0;
    if (e.dir == trace::Dir::Tx) {
        if (data)
            a.sentTsns.insert(quint32(e.c));
        else if (sack)
            a.unsackedSinceNs = -1;
        else if (e.a == chunk::ForwardTsn || e.a == chunk::IForwardTsn)
            ackTo(quint32(e.c));
    } else if (e.dir == trace::Dir::Rx) {
        if (data) {
            a.receivedData = true;
            if (a.unsackedSinceNs < 0)
                a.unsackedSinceNs = e.timeNs;
        } else if (sack) {
            static const QRegularExpression ack(QStringLiteral("Ack=(\\d+)"));
            const QRegularExpressionMatch m = ack.match(e.text);
            if (m.hasMatch())
                ackTo(m.captured(1).toUInt());
        }
    }
}

QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot)
{
    return predictionsFrom(snapshot, {}, SctpQuizHistory());
}

QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot, const QList<sctp::AssociationInfo>& associations,
    const SctpQuizHistory& history)
{
    QList<Prediction> out = sipTimers(snapshot);
    QList<sctp::AssociationInfo> assocs;
    for (const sctp::AssociationInfo& a : associations)
        if (a.id && a.stateCode != 0 && a.state != QLatin1String("CLOSED") && a.state != QLatin1String("ABORTED"))
            assocs << a;
    std::stable_sort(assocs.begin(), assocs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });

    auto who = [&](const sctp::AssociationInfo& a) {
        const SctpQuizHistory::Association* h = history.association(a.id);
        const QString lane = !a.localAddress.isEmpty() ? a.localAddress : h ? h->lane : QString();
        return lane.isEmpty() ? QStringLiteral("Association #%1").arg(a.id) : QStringLiteral("Association #%1 (%2)").arg(a.id).arg(lane);
    };
    auto make = [](Prediction::What what, const sctp::AssociationInfo& a, const QString& text) {
        Prediction p;
        p.what = what;
        p.association = a.id;
        p.text = text;
        return p;
    };
    auto rtoNow = [](const sctp::AssociationInfo& a) {
        const sctp::PathInfo* path = primaryPath(a);
        return path && path->rto ? QStringLiteral("; RTO now %1 s").arg(double(path->rto) / 1000.0, 0, 'f', 3) : QString();
    };
    using W = Prediction::What;

    // DATA outstanding: usrsctp's count, read after the whole instant the pause is in, or the
    // journal as of the event paused at (the question is asked there; what follows it in the same
    // instant is still to come). Either is a state the stack was in at that instant.
    auto outstanding = [&](const sctp::AssociationInfo& a) { return a.unackedChunks > 0 || history.lowestOutstanding(a.id) >= 0; };

    // The SCTP timers: which are armed follows from the state; when they expire usrsctp does not say.
    for (const sctp::AssociationInfo& a : std::as_const(assocs)) {
        auto timer = [&](const QString& name, const QString& what) {
            Prediction p = make(W::SctpTimerFires, a, QStringLiteral("%1: %2 fires%3 (when: usrsctp does not say)")
                                                           .arg(who(a), what, name == QLatin1String("heartbeat") ? QString() : rtoNow(a)));
            p.timer = name;
            out << p;
        };
        if (a.state == QLatin1String("COOKIE-WAIT"))
            timer(QStringLiteral("T1-init"), QStringLiteral("T1-init (INIT sent again)"));
        else if (a.state == QLatin1String("COOKIE-ECHOED"))
            timer(QStringLiteral("T1-cookie"), QStringLiteral("T1-cookie (COOKIE-ECHO sent again)"));
        if (outstanding(a))
            timer(QStringLiteral("T3-rtx"), QStringLiteral("T3-rtx (DATA retransmitted by timeout)"));
        if (a.state == QLatin1String("SHUTDOWN-SENT"))
            timer(QStringLiteral("T2-shutdown"), QStringLiteral("T2-shutdown (SHUTDOWN sent again)"));
        else if (a.state == QLatin1String("SHUTDOWN-ACK-SENT"))
            timer(QStringLiteral("T2-shutdown"), QStringLiteral("T2-shutdown (SHUTDOWN-ACK sent again)"));
        if (a.state == QLatin1String("ESTABLISHED"))
            timer(QStringLiteral("heartbeat"), QStringLiteral("the heartbeat timer (a HEARTBEAT is sent)"));
    }

    out += sipTransactions(snapshot);

    for (const sctp::AssociationInfo& a : std::as_const(assocs)) {
        const SctpQuizHistory::Association* h = history.association(a.id);
        const QString name = who(a);
        if (outstanding(a)) {
            out << make(W::SctpSackArrives, a, QStringLiteral("A SACK arrives at %1").arg(name));
            const qint64 tsn = history.lowestOutstanding(a.id);
            Prediction p = make(W::SctpFastRetransmits, a,
                tsn >= 0 ? QStringLiteral("%1 retransmits DATA (TSN %2) on a SACK's gap reports (fast retransmit, not its timer)").arg(name).arg(tsn)
                         : QStringLiteral("%1 retransmits DATA on a SACK's gap reports (fast retransmit, not its timer)").arg(name));
            p.tsn = tsn;
            out << p;
        }
        // DATA on its way here: the association at the other end has some outstanding (it may
        // have been aborted since: what it sent is still on the wire).
        bool inbound = false;
        for (const sctp::AssociationInfo& other : associations) {
            const SctpQuizHistory::Association* oh = history.association(other.id);
            if (other.id == a.id || !outstanding(other))
                continue;
            // The other end: its addresses are this one's the other way round (both ends in this
            // process), or the tag it puts on its packets is this one's.
            if (!a.localAddress.isEmpty() && !a.peerAddress.isEmpty())
                inbound = inbound || (other.localAddress == a.peerAddress && other.peerAddress == a.localAddress);
            else if (h && oh && oh->peerTag && h->ownTag)
                inbound = inbound || oh->peerTag == h->ownTag;
        }
        if (inbound)
            out << make(W::SctpDataArrives, a, QStringLiteral("DATA arrives at %1").arg(name));
        bool queued = a.pendingChunks > 0, sentBefore = false;
        for (const sctp::StreamInfo& s : a.streams) {
            queued = queued || s.messagesQueued > 0;
            sentBefore = sentBefore || s.messagesSent > 0;
        }
        if (carriesData(a.state) && (queued || sentBefore))
            out << make(W::SctpSendsData, a, QStringLiteral("%1 sends new DATA").arg(name));
        if (h && h->unsackedSinceNs >= 0)
            out << make(W::SctpSendsSack, a,
                QStringLiteral("%1 sends a SACK (DATA unacknowledged since %2: the delayed-SACK timer runs)").arg(name, seconds(h->unsackedSinceNs)));
        if (a.prSupported && carriesData(a.state) && (outstanding(a) || queued)) {
            out << make(W::SctpAbandons, a, QStringLiteral("%1 abandons a message (PR-SCTP)").arg(name));
            out << make(W::SctpSendsForwardTsn, a, QStringLiteral("%1 sends a FORWARD-TSN").arg(name));
        }
        // Opening: the peer's answer in the handshake (RFC 9260 §5.1), from the journal as of the
        // event asked at (usrsctp's state is read after the whole instant: an association whose
        // handshake ends in it already reads ESTABLISHED).
        auto arrives = [&](quint8 type, const QString& text) {
            Prediction p = make(W::SctpChunkArrives, a, text);
            p.chunkType = type;
            out << p;
        };
        if (h && h->awaiting == sctp::chunk::InitAck)
            arrives(sctp::chunk::InitAck, QStringLiteral("An INIT-ACK arrives at %1 (its INIT answered, with the cookie)").arg(name));
        else if (h && h->awaiting == sctp::chunk::CookieAck)
            arrives(sctp::chunk::CookieAck, QStringLiteral("A COOKIE-ACK arrives at %1 (the association is up)").arg(name));
        // Closing: the next chunk of the shutdown handshake (RFC 4960 §9.2). An ABORT in any state.
        auto sends = [&](quint8 type, const QString& text) {
            Prediction p = make(W::SctpSendsChunk, a, text);
            p.chunkType = type;
            out << p;
        };
        if (a.state == QLatin1String("SHUTDOWN-PENDING"))
            sends(sctp::chunk::Shutdown, QStringLiteral("%1 sends a SHUTDOWN").arg(name));
        else if (a.state == QLatin1String("SHUTDOWN-RECEIVED"))
            sends(sctp::chunk::ShutdownAck, QStringLiteral("%1 sends a SHUTDOWN-ACK").arg(name));
        else if (a.state == QLatin1String("SHUTDOWN-SENT"))
            sends(sctp::chunk::ShutdownComplete, QStringLiteral("%1 sends a SHUTDOWN-COMPLETE").arg(name));
        // An ABORT can come in any state: the application may abort (SCTP_ABORT, as eof-vs-abort
        // does from ESTABLISHED), or the stack gives up (too many retransmissions).
        sends(sctp::chunk::Abort,
            closing(a.state) ? QStringLiteral("%1 sends an ABORT").arg(name)
                             : QStringLiteral("%1 sends an ABORT (its application aborts, or it gives up on the peer)").arg(name));
    }

    // A listening socket has no association until a COOKIE-ECHO arrives (RFC 9260 §5.1): an INIT
    // arriving at it is offered once per listener that an opening association's INIT is on its
    // way to — as of the event asked at, it has sent an INIT and has no INIT-ACK yet (T1-init
    // runs: the INIT, or its retransmission, may arrive).
    QSet<QPair<QString, quint16>> listeners;
    for (const sctp::AssociationInfo& a : associations) {
        const SctpQuizHistory::Association* h = history.association(a.id);
        if (!a.id || !h || h->awaiting != sctp::chunk::InitAck || h->peerLane.isEmpty() || !h->peerPort || h->ended)
            continue;
        const QPair<QString, quint16> key { h->peerLane, h->peerPort };
        if (listeners.contains(key))
            continue;
        listeners.insert(key);
        const QString host = h->peerLane.section(QLatin1Char(':'), 0, 0);
        Prediction p;
        p.what = W::SctpInitArrives;
        p.lane = h->peerLane;
        p.port = h->peerPort;
        p.text = QStringLiteral("An INIT arrives at the listener %1:%2 (no association there yet: it answers with an INIT-ACK "
                                "carrying a cookie and keeps no state, RFC 9260 §5.1)")
                     .arg(host)
                     .arg(h->peerPort);
        out << p;
    }

    // Closed in the snapshot (read after the whole instant) but not as of the event asked at: it
    // ends later in this instant, so it was up when asked; offered the one way an application ends
    // one at once.
    // One that has ended while its peer's end is still up answers what the peer still sends to it
    // with an ABORT (an out-of-the-blue packet, RFC 9260 §8.4).
    for (const sctp::AssociationInfo& a : associations) {
        const SctpQuizHistory::Association* h = history.association(a.id);
        if (!a.id || !h || h->lane.isEmpty() || (a.state != QLatin1String("CLOSED") && a.state != QLatin1String("ABORTED")))
            continue;
        QString text;
        if (!h->ended) {
            text = QStringLiteral("%1 sends an ABORT (its application aborts, or it gives up on the peer)").arg(who(a));
        } else {
            bool peerUp = false;
            for (const sctp::AssociationInfo& other : std::as_const(assocs))
                peerUp = peerUp || (!a.localAddress.isEmpty() && other.localAddress == a.peerAddress && other.peerAddress == a.localAddress);
            if (!peerUp)
                continue;
            text = QStringLiteral("%1, ended, answers a packet from its peer with an ABORT (out of the blue, RFC 9260 §8.4)").arg(who(a));
        }
        Prediction p = make(W::SctpSendsChunk, a, text);
        p.chunkType = sctp::chunk::Abort;
        out << p;
    }

    const bool sipless = snapshot.transactions.isEmpty() && snapshot.dialogs.isEmpty() && snapshot.connections.isEmpty();
    if (!(sipless && !assocs.isEmpty()))
        out += sipRequests();
    return out;
}

bool decidesQuiz(const trace::Event& e)
{
    using trace::Kind;
    switch (e.kind) {
    case Kind::TimerFired:
    case Kind::SipMessage:
    case Kind::SipRetransmission:
    case Kind::SctpAbandon:
        return true;
    case Kind::SctpPacket:
    case Kind::SctpChunk:
    case Kind::SctpRetransmission:
    case Kind::SctpForwardTsn:
        return e.dir == trace::Dir::Tx || e.dir == trace::Dir::Rx;
    default:
        return false;
    }
}

QList<trace::Event> quizHappening(const QList<trace::Event>& events, qsizetype index)
{
    QList<trace::Event> out;
    if (index < 0 || index >= events.size())
        return out;
    const trace::Event& first = events.at(index);
    out << first;
    if (first.kind != trace::Kind::SctpPacket && !packetPart(first))
        return out;
    for (qsizetype i = index + 1; i < events.size(); ++i) {
        const trace::Event& e = events.at(i);
        if (!packetPart(e) || e.timeNs != first.timeNs || e.dir != first.dir)
            break;
        out << e;
    }
    return out;
}

bool samePacket(const QList<trace::Event>& events, qsizetype asked, qsizetype index)
{
    if (asked < 0 || index <= asked || index >= events.size())
        return false;
    const trace::Event& q = events.at(asked);
    if (q.kind != trace::Kind::SctpPacket && !packetPart(q))
        return false;
    for (qsizetype i = asked + 1; i <= index; ++i) {
        const trace::Event& e = events.at(i);
        if (!packetPart(e) || e.timeNs != q.timeNs || e.dir != q.dir)
            return false;
    }
    return true;
}

qsizetype packetLength(const QList<trace::Event>& events, qsizetype index)
{
    qsizetype n = 1;
    while (index + n < events.size() && samePacket(events, index, index + n))
        ++n;
    return n;
}

QString describeHappening(const QList<trace::Event>& happening)
{
    if (happening.isEmpty())
        return QString();
    const trace::Event& first = happening.first();
    QStringList derived;
    for (qsizetype i = 1; i < happening.size(); ++i)
        if (happening.at(i).kind == trace::Kind::SctpRetransmission || happening.at(i).kind == trace::Kind::SctpForwardTsn)
            derived << happening.at(i).text;
    QString text = QStringLiteral("%1 %2").arg(QLatin1String(trace::kindName(first.kind)), first.text);
    if (first.kind == trace::Kind::SctpPacket || packetPart(first))
        text += QStringLiteral(" from %1 to %2").arg(first.from, first.to);
    if (!derived.isEmpty())
        text += QStringLiteral(" (%1)").arg(derived.join(QStringLiteral("; ")));
    return text + QStringLiteral(" at ") + seconds(first.timeNs);
}

QStringList whenChoices()
{
    return { QStringLiteral("Roughly when? (not saying)"), QStringLiteral("at this same instant"), QStringLiteral("within 0.2 s"),
        QStringLiteral("after 0.2 s to 1 s"), QStringLiteral("after 1 s to 5 s"), QStringLiteral("after more than 5 s") };
}

int whenBucket(qint64 delayNs)
{
    if (delayNs <= 0)
        return 1;
    if (delayNs <= 200'000'000)
        return 2;
    if (delayNs <= 1'000'000'000)
        return 3;
    if (delayNs <= 5'000'000'000)
        return 4;
    return 5;
}

QString quizCsv(const QList<QuizAnswer>& answers)
{
    QString csv = QStringLiteral("asked_at_s,question,choices,answer,actual,correct,when,actual_after_s,when_correct\r\n");
    const QStringList when = whenChoices();
    for (const QuizAnswer& a : answers) {
        csv += QStringList { QString::number(double(a.askedAtNs) / 1e9, 'f', 3),
                   csvField(QStringLiteral("What happens next?")), csvField(a.choices.join(QStringLiteral(" | "))),
                   csvField(a.chosen >= 0 && a.chosen < a.choices.size() ? a.choices.at(a.chosen) : QString()),
                   csvField(a.actual), a.correct ? QStringLiteral("yes") : QStringLiteral("no"),
                   a.when > 0 && a.when < when.size() ? csvField(when.at(a.when)) : QString(),
                   a.actualAfterNs >= 0 ? QString::number(double(a.actualAfterNs) / 1e9, 'f', 3) : QString(),
                   a.when > 0 ? (a.whenCorrect() ? QStringLiteral("yes") : QStringLiteral("no")) : QString() }
                   .join(QLatin1Char(','))
            + QStringLiteral("\r\n");
    }
    return csv;
}

} // namespace ladder::lab
