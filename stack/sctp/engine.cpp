// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine.h"

#include "core/context.h"
#include "endpoint.h"
#include "runtime.h"
#include "transport.h"
#include <QtEndian>

#include <cerrno>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    constexpr uint16_t kPrSctpAll = 0x000f; // SCTP_PR_SCTP_ALL, missing from usrsctp.h

    QString pathState(int32_t s)
    {
        if (s & SCTP_UNCONFIRMED)
            return QStringLiteral("unconfirmed");
        if (s & SCTP_ACTIVE)
            return QStringLiteral("active");
        if (s & SCTP_INACTIVE)
            return QStringLiteral("inactive");
        return QStringLiteral("state %1").arg(s);
    }

    const int s_metatypes = [] {
        qRegisterMetaType<AssociationInfo>();
        qRegisterMetaType<PathInfo>();
        qRegisterMetaType<StreamInfo>();
        qRegisterMetaType<Address>();
        qRegisterMetaType<ReceivedMessage>();
        return 0;
    }();
}

Engine::Engine(Context& context, QObject* parent)
    : QObject(parent)
    , m_context(context)
    , m_runtime(Runtime::acquire())
    , m_tap(context.scheduler(), context.journal())
{
    Q_UNUSED(s_metatypes);
    m_tap.setResolver([this](void* handle, quint16 localPort, quint16 peerPort) -> quint64 {
        // Packets come in runs of a few associations (both ends of a lab link, each way): the
        // recent answers hold until an association is added.
        for (const Resolved& r : m_resolved)
            if (r.recordsAdded == m_recordsAdded && r.handle == handle && r.localPort == localPort && r.peerPort == peerPort)
                return r.id;
        quint64 best = 0;
        for (auto& [id, r] : m_records) {
            if (r.handle == handle && r.localPort == localPort && r.peerPort == peerPort) {
                best = id; // the newest one wins: a later association on the same ports replaces it
            }
        }
        m_resolved[m_nextResolved] = Resolved { handle, localPort, peerPort, m_recordsAdded, best };
        m_nextResolved = (m_nextResolved + 1) % m_resolved.size();
        return best;
    });
    m_tap.setObserver([this](const PacketTap::PacketSeen& seen) { onPacket(seen); });
    m_runtime->addWireHook(this, [this](bool inbound, void* handle, const char* packet, std::size_t length) {
        if (!m_bufRecords.empty())
            onWire(inbound, handle, packet, length);
    });
    m_refresh.setInterval(250);
    connect(&m_refresh, &QTimer::timeout, this, &Engine::refresh);
    // usrsctp does not call the upcall for every notification it queues: SEND_FAILED for chunks
    // abandoned from a timer (PR-SCTP) only showed up at the next read. A cheap poll of the
    // readable flag catches them within one tick.
    m_poll.setInterval(runtimeTickMs());
    connect(&m_poll, &QTimer::timeout, this, [this] {
        // In virtual time (a lab run) only the lab's clock may make things happen: a real-time
        // poll would read notifications at moments no other run of the lesson has.
        if (scheduler().mode() == Scheduler::Mode::Virtual)
            return;
        for (auto& [fd, ep] : m_endpoints)
            if (ep->m_so && (usrsctp_get_events(ep->m_so) & SCTP_EVENT_READ))
                ep->scheduleEvents();
    });
    m_poll.start();
}

Engine::~Engine()
{
    m_runtime->removeWireHook(this);
    // The links and transports go with the engine, so no SHUTDOWN could complete: abort, and
    // leave usrsctp nothing that would keep usrsctp_finish from freeing its tables.
    for (auto& [fd, ep] : std::map<int, Endpoint*>(m_endpoints))
        ep->close(true);
}

int Engine::runtimeTickMs() const { return m_runtime->tickIntervalMs(); }

Scheduler& Engine::scheduler() { return m_context.scheduler(); }
trace::Journal& Engine::journal() { return m_context.journal(); }

Endpoint* Engine::socket(Style style, Transport& transport)
{
    struct ::socket* so = usrsctp_socket(AF_CONN, style == Style::OneToOne ? SOCK_STREAM : SOCK_SEQPACKET,
        IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
    if (!so)
        return nullptr;
    const int fd = m_nextDescriptor++;
    auto* ep = new Endpoint(*this, style, transport, fd, so, false);
    m_endpoints[fd] = ep;
    return ep;
}

Endpoint* Engine::adopt(Style style, Transport& transport, struct ::socket* so)
{
    const int fd = m_nextDescriptor++;
    auto* ep = new Endpoint(*this, style, transport, fd, so, true);
    m_endpoints[fd] = ep;
    return ep;
}

Endpoint* Engine::endpoint(int descriptor) const
{
    auto it = m_endpoints.find(descriptor);
    return it == m_endpoints.end() ? nullptr : it->second;
}

int Engine::openNonSocket(const QString& what)
{
    const int fd = m_nextDescriptor++;
    m_nonSockets[fd] = what;
    return fd;
}

void Engine::closeNonSocket(int descriptor) { m_nonSockets.erase(descriptor); }

Result<qint64> Engine::sendmsg(int descriptor, const QByteArray& data, const SendInfo& info)
{
    if (auto it = m_nonSockets.find(descriptor); it != m_nonSockets.end()) {
        Error e { ENOTSOCK, QStringLiteral("descriptor %1 is %2, not a socket: send on an SCTP endpoint.").arg(descriptor).arg(it->second) };
        journalError(e);
        return e;
    }
    Endpoint* ep = endpoint(descriptor);
    if (!ep || !ep->isOpen()) {
        Error e { EBADF, QStringLiteral("descriptor %1 is not open: open an endpoint and use its descriptor.").arg(descriptor) };
        journalError(e);
        return e;
    }
    return ep->send(data, info);
}

void Engine::journalError(const Error& error, quint64 association)
{
    trace::Event e;
    e.timeNs = scheduler().nowNs();
    e.kind = trace::Kind::Error;
    e.object = association;
    e.a = quint64(error.code);
    e.text = error.text();
    journal().append(std::move(e));
}

void Engine::journalEvent(trace::Event e)
{
    if (e.timeNs == 0)
        e.timeNs = scheduler().nowNs();
    journal().append(std::move(e));
}

Engine::Record* Engine::addAssociation(Endpoint* ep, quint32 sctpId, void* handle, quint16 localPort, quint16 peerPort,
    const Address& peer)
{
    const quint64 id = m_nextAssociation++;
    ++m_recordsAdded;
    m_tap.resolverChanged(); // a packet on these ports belongs to the new association now
    Record& r = m_records[id];
    r.endpoint = ep;
    r.handle = handle;
    r.localPort = localPort;
    r.peerPort = peerPort;
    r.info.id = id;
    r.info.descriptor = ep->descriptor();
    r.info.sctpAssocId = sctpId;
    r.info.endpointStyle = ep->style() == Style::OneToOne ? QStringLiteral("one-to-one") : QStringLiteral("one-to-many");
    r.info.localAddress = ep->localAddress().toString();
    r.info.peerAddress = peer.toString();
    if (!m_refresh.isActive())
        m_refresh.start();
    emit associationAdded(id);
    return &r;
}

Engine::Record* Engine::record(quint64 id)
{
    if (m_lastRecord && m_lastRecord->info.id == id)
        return m_lastRecord;
    auto it = m_records.find(id);
    if (it == m_records.end())
        return nullptr;
    m_lastRecord = &it->second;
    return m_lastRecord;
}

Engine::Record* Engine::recordFor(const Endpoint* ep, quint32 sctpId)
{
    Record* found = nullptr;
    for (auto& [id, r] : m_records)
        if (r.endpoint == ep && (r.info.sctpAssocId == sctpId || ep->style() == Style::OneToOne))
            found = &r;
    return found;
}

QList<Engine::Record*> Engine::recordsOf(const Endpoint* ep)
{
    QList<Record*> out;
    for (auto& [id, r] : m_records)
        if (r.endpoint == ep)
            out << &r;
    return out;
}

Engine::Record* Engine::newestOpenRecordOf(const Endpoint* ep)
{
    // A sender repeats its association: the last answer holds while it is open and nothing newer
    // was added.
    if (m_newestOpen.endpoint == ep && m_newestOpen.recordsAdded == m_recordsAdded && m_newestOpen.record
        && m_newestOpen.record->open && m_newestOpen.record->endpoint == ep)
        return m_newestOpen.record;
    m_newestOpen = { ep, m_recordsAdded, nullptr };
    for (auto it = m_records.rbegin(); it != m_records.rend(); ++it)
        if (it->second.endpoint == ep && it->second.open)
            return m_newestOpen.record = &it->second;
    return nullptr;
}

void Engine::endpointClosed(Endpoint* ep)
{
    m_endpoints.erase(ep->descriptor());
    for (Record* r : recordsOf(ep)) {
        if (r->open) {
            r->open = false;
            trace::Event e;
            e.kind = trace::Kind::AssociationState;
            e.object = r->info.id;
            e.text = QStringLiteral("%1 -> CLOSED (socket closed)").arg(r->info.state);
            journalEvent(std::move(e));
            r->info.state = QStringLiteral("CLOSED");
            r->info.stateCode = SCTP_CLOSED;
        }
        r->endpoint = nullptr;
        publish(*r);
    }
}

void Engine::readStatus(Record& r)
{
    if (!r.open || !r.endpoint || !r.endpoint->isOpen())
        return;
    struct ::socket* so = r.endpoint->m_so;
    const sctp_assoc_t id = sctp_assoc_t(r.info.sctpAssocId);
    struct sctp_status st {};
    socklen_t len = sizeof st;
    st.sstat_assoc_id = id;
    if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0) {
        r.info.stateCode = st.sstat_state;
        const QString name = associationStateName(st.sstat_state);
        // A state change read here is journalled — except when the views' real-time refresh reads
        // it in virtual time (a lab run): it waits for the next read the lab's clock makes happen,
        // so that every run of a lesson, paused or not, is the same.
        const bool viewsOnly = m_realTimeRefresh && scheduler().mode() == Scheduler::Mode::Virtual;
        if (name != r.info.state && r.info.stateCode != SCTP_CLOSED && !viewsOnly) {
            trace::Event e;
            e.kind = trace::Kind::AssociationState;
            e.object = r.info.id;
            e.text = QStringLiteral("%1 -> %2").arg(r.info.state, name);
            journalEvent(std::move(e));
            r.info.state = name;
        }
        r.info.peerRwnd = st.sstat_rwnd;
        r.info.unackedChunks = st.sstat_unackdata;
        r.info.pendingChunks = st.sstat_penddata;
        r.info.inboundStreams = st.sstat_instrms;
        r.info.outboundStreams = st.sstat_outstrms;
    }
    QList<PathInfo> paths;
    struct sockaddr* addrs = nullptr;
    const int n = usrsctp_getpaddrs(so, id, &addrs);
    const auto* conns = reinterpret_cast<const sockaddr_conn*>(addrs);
    for (int i = 0; i < n; ++i) {
        struct sctp_paddrinfo pi {};
        std::memcpy(&pi.spinfo_address, &conns[i], sizeof conns[i]);
        pi.spinfo_assoc_id = id;
        socklen_t plen = sizeof pi;
        PathInfo p;
        p.address = r.endpoint->peerAddressOf(&conns[i]).toString();
        if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &plen) == 0) {
            p.state = pi.spinfo_state;
            p.stateName = pathState(pi.spinfo_state);
            p.cwnd = pi.spinfo_cwnd;
            p.srtt = pi.spinfo_srtt;
            p.rto = pi.spinfo_rto;
            p.mtu = pi.spinfo_mtu;
        }
        p.primary = n == 1 || std::memcmp(&st.sstat_primary.spinfo_address, &conns[i], sizeof conns[i]) == 0;
        if (p.primary)
            r.info.primaryPath = p.address;
        paths << p;
    }
    if (addrs)
        usrsctp_freepaddrs(addrs);
    recordPathSamples(r.info, paths, scheduler().nowNs());
    r.info.paths = paths;
    struct sctp_prstatus ps {};
    ps.sprstat_assoc_id = id;
    ps.sprstat_policy = kPrSctpAll;
    socklen_t plen = sizeof ps;
    if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_PR_ASSOC_STATUS, &ps, &plen) == 0) {
        r.info.abandonedSent = ps.sprstat_abandoned_sent;
        r.info.abandonedUnsent = ps.sprstat_abandoned_unsent;
    }
}

void Engine::publish(Record& r)
{
    readStatus(r);
    AssociationInfo next = r.info;
    next.streams.clear();
    for (const auto& [sid, s] : r.streams)
        next.streams << s;
    if (next == r.lastPublished)
        return;
    r.lastPublished = next;
    emit associationChanged(next);
}

void Engine::markDirty(Record& r)
{
    r.dirty = true;
    if (m_publishPosted)
        return;
    m_publishPosted = true;
    QTimer::singleShot(50, this, [this] {
        m_publishPosted = false;
        m_realTimeRefresh = true;
        for (auto& [id, rec] : m_records)
            if (rec.dirty) {
                rec.dirty = false;
                publish(rec);
            }
        m_realTimeRefresh = false;
    });
}

void Engine::refresh()
{
    bool anyOpen = false;
    m_realTimeRefresh = true;
    for (auto& [id, r] : m_records) {
        if (r.open) {
            anyOpen = true;
            publish(r);
        }
    }
    m_realTimeRefresh = false;
    if (!anyOpen)
        m_refresh.stop();
}

QList<AssociationInfo> Engine::readAssociations()
{
    m_realTimeRefresh = true;
    for (auto& [id, r] : m_records)
        if (r.open)
            readStatus(r);
    m_realTimeRefresh = false;
    return associations();
}

QList<AssociationInfo> Engine::associations() const
{
    QList<AssociationInfo> out;
    for (const auto& [id, r] : m_records) {
        AssociationInfo i = r.info;
        i.streams.clear();
        for (const auto& [sid, s] : r.streams)
            i.streams << s;
        out << i;
    }
    return out;
}

std::optional<AssociationInfo> Engine::association(quint64 id) const
{
    auto it = m_records.find(id);
    if (it == m_records.end())
        return std::nullopt;
    AssociationInfo i = it->second.info;
    i.streams.clear();
    for (const auto& [sid, s] : it->second.streams)
        i.streams << s;
    return i;
}

void Engine::onWire(bool inbound, void* handle, const char* packet, std::size_t length)
{
    if (length < 12)
        return;
    const auto* p = reinterpret_cast<const uchar*>(packet);
    const quint16 src = qFromBigEndian<quint16>(p), dst = qFromBigEndian<quint16>(p + 2);
    const quint16 localPort = inbound ? dst : src, peerPort = inbound ? src : dst;
    for (auto id = m_bufRecords.begin(); id != m_bufRecords.end();) {
        Record* r = record(*id);
        if (!r || (r->bufPending.empty() && r->bufInFlight.empty())) {
            id = m_bufRecords.erase(id);
            continue;
        }
        ++id;
        if (r->handle != handle || r->localPort != localPort || r->peerPort != peerPort)
            continue;
        for (std::size_t at = 12; at + 4 <= length;) {
            const uchar type = p[at], flags = p[at + 1];
            const quint16 len = qFromBigEndian<quint16>(p + at + 2);
            if (len < 4 || at + len > length)
                break;
            if (!inbound && ((type == chunk::Data && len >= 16) || (type == chunk::IData && len >= 20)) && (flags & 0x02)
                && !(flags & 0x04)) {
                // The first fragment of an ordered message: it is in usrsctp's sent queue now.
                const quint32 tsn = qFromBigEndian<quint32>(p + at + 4);
                const quint16 sid = qFromBigEndian<quint16>(p + at + 8);
                const quint32 ssn = type == chunk::Data ? qFromBigEndian<quint16>(p + at + 10) : qFromBigEndian<quint32>(p + at + 12);
                for (auto it = r->bufPending.begin(); it != r->bufPending.end(); ++it) {
                    if (it->sid == sid && it->ssn == ssn) {
                        r->bufInFlight[tsn] = *it;
                        r->bufPending.erase(it);
                        break;
                    }
                }
            } else if (inbound && (type == chunk::Sack || type == chunk::NrSack) && len >= 8) {
                // Acknowledged up to cum: out of usrsctp's sent queue (serial-number comparison).
                const quint32 cum = qFromBigEndian<quint32>(p + at + 4);
                for (auto it = r->bufInFlight.begin(); it != r->bufInFlight.end();)
                    it = qint32(it->first - cum) <= 0 ? r->bufInFlight.erase(it) : std::next(it);
            }
            at += (std::size_t(len) + 3) & ~std::size_t(3);
        }
    }
}

void Engine::onPacket(const PacketTap::PacketSeen& seen)
{
    Record* r = record(seen.association);
    if (!r || seen.dir != trace::Dir::Tx)
        return;
    const std::vector<ChunkFields>& chunks = *seen.chunks;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const ChunkFields& c = chunks[i];
        if (c.type == chunk::Data || c.type == chunk::IData) {
            if (const int kind = (*seen.kinds)[i]; kind >= 0) {
                ++r->info.retransmissions;
                if (kind == 1)
                    ++r->info.fastRetransmissions;
                else if (kind == 2)
                    ++r->info.timeoutRetransmissions;
                continue;
            }
            StreamInfo& s = r->stream(c.sid);
            s.bytesSent += quint64(c.payloadLength);
            if (c.ending()) {
                ++s.messagesSent;
                ++(c.unordered() ? s.unorderedSent : s.orderedSent);
                if (s.messagesQueued > 0)
                    --s.messagesQueued;
                else
                    ++s.messagesAhead;
                if (!c.unordered())
                    s.nextSsn = c.type == chunk::Data ? quint16(c.ssn + 1) : c.ssn + 1;
            }
            if (s.bytesQueued >= quint64(c.payloadLength)) {
                s.bytesQueued -= quint64(c.payloadLength);
            } else {
                s.bytesAhead += quint64(c.payloadLength) - s.bytesQueued;
                s.bytesQueued = 0;
            }
        } else if (c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) {
            ++r->info.forwardTsnsSent;
        }
    }
}

} // namespace ladder::sctp
