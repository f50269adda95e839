// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoint: usrsctp notifications -> association records, journal events and signals.
#include "endpoint.h"

#include "core/scheduler.h"
#include "journal/journal.h"
#include "transport.h"

#include <cstring>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    QString pathStateName(uint32_t s)
    {
        switch (s) {
        case SCTP_ADDR_AVAILABLE: return QStringLiteral("available");
        case SCTP_ADDR_UNREACHABLE: return QStringLiteral("unreachable");
        case SCTP_ADDR_REMOVED: return QStringLiteral("removed");
        case SCTP_ADDR_ADDED: return QStringLiteral("added");
        case SCTP_ADDR_MADE_PRIM: return QStringLiteral("made primary");
        case SCTP_ADDR_CONFIRMED: return QStringLiteral("confirmed");
        default: return QStringLiteral("state %1").arg(s);
        }
    }

    template <class T>
    bool fits(const QByteArray& b)
    {
        return std::size_t(b.size()) >= sizeof(T);
    }
}

void Endpoint::handleNotification(const QByteArray& buffer)
{
    if (buffer.size() < qsizetype(sizeof(sctp_notification::sctp_tlv)))
        return;
    sctp_notification::sctp_tlv header {};
    std::memcpy(&header, buffer.constData(), sizeof header);
    const qint64 now = m_engine.scheduler().nowNs();
    quint64 assoc = 0;
    QString text;
    auto stateEvent = [&](Engine::Record& r, const QString& to) {
        trace::Event e;
        e.timeNs = now;
        e.kind = trace::Kind::AssociationState;
        e.object = r.info.id;
        e.text = QStringLiteral("%1 -> %2").arg(r.info.state.isEmpty() ? QStringLiteral("CLOSED") : r.info.state, to);
        m_engine.journalEvent(std::move(e));
        r.info.state = to;
    };

    switch (header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
        if (!fits<sctp_assoc_change>(buffer))
            return;
        sctp_assoc_change ac {};
        std::memcpy(&ac, buffer.constData(), sizeof ac);
        Engine::Record* r = m_engine.recordFor(this, quint32(ac.sac_assoc_id));
        if (!r && ac.sac_state == SCTP_COMM_UP) {
            // Passive side: the association is new to us. Its peer address is the first path.
            Address peer;
            void* handle = nullptr;
            struct sockaddr* addrs = nullptr;
            if (usrsctp_getpaddrs(m_so, ac.sac_assoc_id, &addrs) > 0) {
                const auto* c = reinterpret_cast<const sockaddr_conn*>(addrs);
                handle = c->sconn_addr;
                peer = peerAddressOf(addrs);
            }
            if (addrs)
                usrsctp_freepaddrs(addrs);
            r = m_engine.addAssociation(this, quint32(ac.sac_assoc_id), handle, m_localPort, peer.port, peer);
        }
        if (!r)
            return;
        assoc = r->info.id;
        switch (ac.sac_state) {
        case SCTP_COMM_UP: {
            r->info.inboundStreams = ac.sac_inbound_streams;
            r->info.outboundStreams = ac.sac_outbound_streams;
            r->info.stateCode = SCTP_ESTABLISHED;
            const int infoLen = int(qMin<qsizetype>(buffer.size(), ac.sac_length)) - int(sizeof ac);
            bool pr = false, idata = false;
            for (int i = 0; i < infoLen; ++i) {
                const quint8 f = quint8(buffer[qsizetype(sizeof ac) + i]);
                pr = pr || f == SCTP_ASSOC_SUPPORTS_PR;
                idata = idata || f == SCTP_ASSOC_SUPPORTS_INTERLEAVING;
            }
            r->info.prSupported = pr;
            r->info.interleaving = idata;
            text = QStringLiteral("ASSOC_CHANGE COMM_UP: %1 outbound / %2 inbound streams%3%4")
                       .arg(ac.sac_outbound_streams)
                       .arg(ac.sac_inbound_streams)
                       .arg(pr ? QStringLiteral(", PR-SCTP") : QStringLiteral(", no PR-SCTP"))
                       .arg(idata ? QStringLiteral(", I-DATA") : QString());
            stateEvent(*r, QStringLiteral("ESTABLISHED"));
            if (!pr) {
                trace::Event w;
                w.timeNs = now;
                w.kind = trace::Kind::Log;
                w.a = 2;
                w.object = assoc;
                w.text = QStringLiteral("association %1: the peer does not support PR-SCTP, so PR-SCTP sends (TTL, BUF, RTX) "
                                        "are delivered fully reliably")
                             .arg(assoc);
                m_engine.journalEvent(std::move(w));
            }
            emit associationUp(assoc);
            break;
        }
        case SCTP_COMM_LOST:
        case SCTP_SHUTDOWN_COMP:
        case SCTP_CANT_STR_ASSOC: {
            const bool lost = ac.sac_state == SCTP_COMM_LOST;
            const bool cant = ac.sac_state == SCTP_CANT_STR_ASSOC;
            // COMM_LOST carries the ABORT chunk that ended it, if one was received.
            const bool aborted = lost && int(ac.sac_length) > int(sizeof ac);
            r->peerAborted = r->peerAborted || lost;
            r->open = false;
            r->info.stateCode = SCTP_CLOSED;
            text = cant ? QStringLiteral("ASSOC_CHANGE CANT_STR_ASSOC: the association could not be set up (error %1)").arg(ac.sac_error)
                : lost  ? QStringLiteral("ASSOC_CHANGE COMM_LOST: %1 (error %2)")
                             .arg(aborted ? QStringLiteral("the peer aborted") : QStringLiteral("the association failed"))
                             .arg(ac.sac_error)
                        : QStringLiteral("ASSOC_CHANGE SHUTDOWN_COMP: graceful shutdown complete");
            stateEvent(*r, lost ? QStringLiteral("ABORTED") : QStringLiteral("CLOSED"));
            emit associationDown(assoc, text);
            break;
        }
        case SCTP_RESTART:
            text = QStringLiteral("ASSOC_CHANGE RESTART: the peer restarted the association");
            break;
        default:
            text = QStringLiteral("ASSOC_CHANGE state %1").arg(ac.sac_state);
            break;
        }
        m_engine.publish(*r);
        break;
    }
    case SCTP_PEER_ADDR_CHANGE: {
        if (!fits<sctp_paddr_change>(buffer))
            return;
        sctp_paddr_change pc {};
        std::memcpy(&pc, buffer.constData(), sizeof pc);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(pc.spc_assoc_id)))
            assoc = r->info.id;
        text = QStringLiteral("PEER_ADDR_CHANGE %1: %2 (error %3)")
                   .arg(peerAddressOf(&pc.spc_aaddr).toString(), pathStateName(pc.spc_state))
                   .arg(pc.spc_error);
        break;
    }
    case SCTP_REMOTE_ERROR: {
        if (!fits<sctp_remote_error>(buffer))
            return;
        sctp_remote_error re {};
        std::memcpy(&re, buffer.constData(), sizeof re);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(re.sre_assoc_id)))
            assoc = r->info.id;
        text = QStringLiteral("REMOTE_ERROR: the peer reported cause %1").arg(ntohs(re.sre_error));
        break;
    }
    case SCTP_SHUTDOWN_EVENT: {
        if (!fits<sctp_shutdown_event>(buffer))
            return;
        sctp_shutdown_event se {};
        std::memcpy(&se, buffer.constData(), sizeof se);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(se.sse_assoc_id))) {
            assoc = r->info.id;
            r->shutdownRequested = true;
            stateEvent(*r, QStringLiteral("SHUTDOWN-RECEIVED"));
            m_engine.publish(*r);
        }
        text = QStringLiteral("SHUTDOWN_EVENT: the peer will send no more data");
        break;
    }
    case SCTP_SEND_FAILED_EVENT: {
        if (!fits<sctp_send_failed_event>(buffer))
            return;
        sctp_send_failed_event sf {};
        std::memcpy(&sf, buffer.constData(), sizeof sf);
        const quint64 bytes = sf.ssfe_length > sizeof sf ? sf.ssfe_length - sizeof sf : 0;
        Engine::Record* r = m_engine.recordFor(this, quint32(sf.ssfe_assoc_id));
        PrPolicy policy = PrPolicy::None;
        if (r) {
            assoc = r->info.id;
            auto it = r->policies.find({ sf.ssfe_info.snd_sid, sf.ssfe_info.snd_context });
            if (it != r->policies.end())
                policy = it->second;
            ++r->info.abandoned;
            // Out of usrsctp's reach for pruning: the oldest such message (the one pruning takes).
            if (sf.ssfe_flags & SCTP_DATA_SENT) {
                for (auto it = r->bufInFlight.begin(); it != r->bufInFlight.end(); ++it) {
                    if (it->second.sid == sf.ssfe_info.snd_sid && it->second.context == sf.ssfe_info.snd_context) {
                        r->bufInFlight.erase(it);
                        break;
                    }
                }
            } else {
                for (auto it = r->bufPending.begin(); it != r->bufPending.end(); ++it) {
                    if (it->sid == sf.ssfe_info.snd_sid && it->context == sf.ssfe_info.snd_context) {
                        r->bufPending.erase(it);
                        break;
                    }
                }
            }
            StreamInfo& s = r->streams[sf.ssfe_info.snd_sid];
            s.sid = sf.ssfe_info.snd_sid;
            ++s.messagesAbandoned;
            s.bytesAbandoned += bytes;
            if (sf.ssfe_flags & SCTP_DATA_UNSENT) {
                s.messagesQueued = s.messagesQueued > 0 ? s.messagesQueued - 1 : 0;
                s.bytesQueued = s.bytesQueued > bytes ? s.bytesQueued - bytes : 0;
            }
            m_engine.publish(*r);
        }
        const QString where = (sf.ssfe_flags & SCTP_DATA_SENT) ? QStringLiteral("sent") : QStringLiteral("never sent");
        text = QStringLiteral("SEND_FAILED: %1 bytes on stream %2, PPID %3, context %4 (%5, %6)")
                   .arg(bytes)
                   .arg(sf.ssfe_info.snd_sid)
                   .arg(ntohl(sf.ssfe_info.snd_ppid))
                   .arg(sf.ssfe_info.snd_context)
                   .arg(where, policyName(policy));
        trace::Event e;
        e.timeNs = now;
        e.kind = trace::Kind::SctpAbandon;
        e.object = assoc;
        e.a = quint64(policy);
        e.b = sf.ssfe_info.snd_sid;
        e.c = sf.ssfe_info.snd_context;
        e.text = policy == PrPolicy::None
            ? QStringLiteral("message (context %1, stream %2) not delivered: the association ended (%3)")
                  .arg(sf.ssfe_info.snd_context)
                  .arg(sf.ssfe_info.snd_sid)
                  .arg(where)
            : QStringLiteral("PR-SCTP %1 abandoned message with context %2 on stream %3 (%4, %5 bytes)")
                  .arg(policyName(policy))
                  .arg(sf.ssfe_info.snd_context)
                  .arg(sf.ssfe_info.snd_sid)
                  .arg(where)
                  .arg(bytes);
        e.raw = buffer.mid(qsizetype(sizeof sf));
        m_engine.journalEvent(std::move(e));
        break;
    }
    case SCTP_SENDER_DRY_EVENT: {
        if (!fits<sctp_sender_dry_event>(buffer))
            return;
        sctp_sender_dry_event sd {};
        std::memcpy(&sd, buffer.constData(), sizeof sd);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(sd.sender_dry_assoc_id))) {
            assoc = r->info.id;
            r->bufPending.clear(); // nothing queued any more that BUF could abandon
            r->bufInFlight.clear();
        }
        text = QStringLiteral("SENDER_DRY: everything sent was acknowledged");
        break;
    }
    case SCTP_PARTIAL_DELIVERY_EVENT: {
        if (!fits<sctp_pdapi_event>(buffer))
            return;
        sctp_pdapi_event pd {};
        std::memcpy(&pd, buffer.constData(), sizeof pd);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(pd.pdapi_assoc_id)))
            assoc = r->info.id;
        text = QStringLiteral("PARTIAL_DELIVERY: aborted on stream %1, sequence %2").arg(pd.pdapi_stream).arg(pd.pdapi_seq);
        break;
    }
    case SCTP_STREAM_RESET_EVENT: {
        if (!fits<sctp_stream_reset_event>(buffer))
            return;
        sctp_stream_reset_event sr {};
        std::memcpy(&sr, buffer.constData(), sizeof sr);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(sr.strreset_assoc_id)))
            assoc = r->info.id;
        text = QStringLiteral("STREAM_RESET: flags 0x%1").arg(sr.strreset_flags, 0, 16);
        break;
    }
    case SCTP_STREAM_CHANGE_EVENT: {
        if (!fits<sctp_stream_change_event>(buffer))
            return;
        sctp_stream_change_event sc {};
        std::memcpy(&sc, buffer.constData(), sizeof sc);
        if (Engine::Record* r = m_engine.recordFor(this, quint32(sc.strchange_assoc_id))) {
            assoc = r->info.id;
            r->info.inboundStreams = sc.strchange_instrms;
            r->info.outboundStreams = sc.strchange_outstrms;
        }
        text = QStringLiteral("STREAM_CHANGE: %1 inbound / %2 outbound streams").arg(sc.strchange_instrms).arg(sc.strchange_outstrms);
        break;
    }
    case SCTP_ASSOC_RESET_EVENT:
        text = QStringLiteral("ASSOC_RESET");
        break;
    default:
        text = QStringLiteral("notification type %1").arg(header.sn_type);
        break;
    }
    trace::Event e;
    e.timeNs = now;
    e.kind = trace::Kind::SctpNotification;
    e.object = assoc;
    e.a = header.sn_type;
    e.text = text;
    m_engine.journalEvent(std::move(e));
    emit notification(assoc, header.sn_type, text);
}

} // namespace ladder::sctp
