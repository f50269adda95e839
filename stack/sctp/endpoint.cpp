// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoint: one SCTP socket on usrsctp — its life, options, set-up (bind, listen, connect,
// accept, peel-off) and closing. Sending: endpoint_send.cpp; receiving: endpoint_receive.cpp;
// notifications: endpoint_notify.cpp.
#include "endpoint.h"

#include "core/scheduler.h"
#include "journal/journal.h"
#include "transport.h"

#include <QtEndian>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    constexpr int kSctpInterleavingSupported = 0x1206; // not in usrsctp.h (shared/USRSCTP.md)

    sockaddr_conn connAddr(void* handle, quint16 port)
    {
        sockaddr_conn c {};
        c.sconn_family = AF_CONN;
        c.sconn_port = htons(port);
        c.sconn_addr = handle;
        return c;
    }

    QString stateName(int state)
    {
        switch (state) {
        case SCTP_CLOSED: return QStringLiteral("CLOSED");
        case SCTP_BOUND: return QStringLiteral("BOUND");
        case SCTP_LISTEN: return QStringLiteral("LISTEN");
        case SCTP_COOKIE_WAIT: return QStringLiteral("COOKIE-WAIT");
        case SCTP_COOKIE_ECHOED: return QStringLiteral("COOKIE-ECHOED");
        case SCTP_ESTABLISHED: return QStringLiteral("ESTABLISHED");
        case SCTP_SHUTDOWN_SENT: return QStringLiteral("SHUTDOWN-SENT");
        case SCTP_SHUTDOWN_RECEIVED: return QStringLiteral("SHUTDOWN-RECEIVED");
        case SCTP_SHUTDOWN_ACK_SENT: return QStringLiteral("SHUTDOWN-ACK-SENT");
        case SCTP_SHUTDOWN_PENDING: return QStringLiteral("SHUTDOWN-PENDING");
        default: return QStringLiteral("state 0x%1").arg(state, 0, 16);
        }
    }
}


QString associationStateName(int state) { return stateName(state); }

Endpoint::Endpoint(Engine& engine, Style style, Transport& transport, int descriptor, struct socket* so, bool adopted)
    : QObject(&engine)
    , m_engine(engine)
    , m_style(style)
    , m_transport(&transport)
    , m_descriptor(descriptor)
    , m_so(so)
{
    if (m_transport != &Transport::gone())
        m_transport->m_endpoints.push_back(this);
    setUpSocket(adopted);
}

Endpoint::~Endpoint()
{
    close();
    detachTransport();
}

void Endpoint::detachTransport()
{
    auto& on = m_transport->m_endpoints;
    on.erase(std::remove(on.begin(), on.end(), this), on.end());
}

void Endpoint::transportGone()
{
    detachTransport();
    m_transport = &Transport::gone();
    m_ownsPort = false;
    close(true);
}

void Endpoint::setUpSocket(bool adopted)
{
    usrsctp_set_non_blocking(m_so, 1);
    usrsctp_set_upcall(m_so, &Endpoint::upcall, this);
    const int on = 1;
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    // SCTP_RECVNXTINFO is switched on while messages are large (processEvents).
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
    const int rcvbuf = kReceiveBuffer;
    usrsctp_setsockopt(m_so, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    const uint16_t events[] = { SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE, SCTP_REMOTE_ERROR, SCTP_SHUTDOWN_EVENT,
        SCTP_PARTIAL_DELIVERY_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_SENDER_DRY_EVENT, SCTP_STREAM_RESET_EVENT,
        SCTP_STREAM_CHANGE_EVENT, SCTP_ASSOC_RESET_EVENT };
    for (uint16_t type : events) {
        struct sctp_event ev {};
        ev.se_assoc_id = SCTP_FUTURE_ASSOC;
        ev.se_type = type;
        ev.se_on = 1;
        usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev);
    }
    if (!adopted) // accepted and peeled-off sockets inherit it and may not change it any more
        setPrSupported(true);
}

Address Endpoint::localAddress() const { return Address { m_transport->localHost(), m_localPort }; }

Error Endpoint::fail(int code, const QString& sentence, quint64 association)
{
    Error e { code, sentence };
    m_engine.journalError(e, association);
    return e;
}

// ---- options -------------------------------------------------------------------------------

Result<void> Endpoint::setStreams(quint16 outbound, quint16 maxInbound)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    struct sctp_initmsg init {};
    init.sinit_num_ostreams = outbound;
    init.sinit_max_instreams = maxInbound;
    if (usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init) != 0)
        return fail(errno, QStringLiteral("usrsctp refused %1 outbound / %2 inbound streams.").arg(outbound).arg(maxInbound));
    return {};
}

Result<void> Endpoint::setPrSupported(bool on)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    struct sctp_assoc_value v {};
    v.assoc_id = SCTP_FUTURE_ASSOC;
    v.assoc_value = on ? 1 : 0;
    if (usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_PR_SUPPORTED, &v, sizeof v) != 0)
        return fail(errno, QStringLiteral("PR-SCTP support can only change before associations are set up."));
    return {};
}

Result<void> Endpoint::setInterleaving(bool on)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    const int level = on ? 2 : 0;
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &level, sizeof level);
    struct sctp_assoc_value v {};
    v.assoc_id = SCTP_FUTURE_ASSOC;
    v.assoc_value = on ? 1 : 0;
    if (usrsctp_setsockopt(m_so, IPPROTO_SCTP, kSctpInterleavingSupported, &v, sizeof v) != 0)
        return fail(errno, QStringLiteral("I-DATA support can only change before associations are set up."));
    return {};
}

Result<void> Endpoint::setSendBuffer(int bytes)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0)
        return fail(errno, QStringLiteral("usrsctp refused a send buffer of %1 bytes.").arg(bytes));
    return {};
}

Result<void> Endpoint::setNoDelay(bool on)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    const int v = on ? 1 : 0;
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_NODELAY, &v, sizeof v);
    return {};
}

Result<void> Endpoint::setRto(quint32 initialMs, quint32 minMs, quint32 maxMs)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    struct sctp_rtoinfo rto {};
    rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
    rto.srto_initial = initialMs;
    rto.srto_min = minMs;
    rto.srto_max = maxMs;
    if (usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto) != 0)
        return fail(errno, QStringLiteral("usrsctp refused RTO %1/%2/%3 ms: keep min <= initial <= max.").arg(initialMs).arg(minMs).arg(maxMs));
    return {};
}

Result<void> Endpoint::setHeartbeat(quint32 intervalMs, quint16 pathMaxRxt)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    struct sctp_paddrparams pp {};
    pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
    pp.spp_hbinterval = intervalMs;
    pp.spp_pathmaxrxt = pathMaxRxt;
    pp.spp_flags = intervalMs > 0 ? SPP_HB_ENABLE : SPP_HB_DISABLE;
    if (usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp) != 0)
        return fail(errno, QStringLiteral("usrsctp refused the heartbeat parameters."));
    return {};
}

Result<void> Endpoint::setLingerAbort(bool on)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    struct linger l {};
    l.l_onoff = on ? 1 : 0;
    l.l_linger = 0;
    usrsctp_setsockopt(m_so, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    return {};
}

// ---- set-up --------------------------------------------------------------------------------

namespace {
    constexpr quint16 kFirstEphemeral = 49152;
    quint16 s_nextEphemeral = kFirstEphemeral; // stack thread only
}

void Endpoint::restartEphemeralPorts() { s_nextEphemeral = kFirstEphemeral; }

Result<void> Endpoint::bind(quint16 port)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (m_localPort != 0)
        return fail(EINVAL, QStringLiteral("the endpoint is already bound to port %1.").arg(m_localPort));
    // Port 0: pick one ourselves. usrsctp would choose one too, but on a wildcard AF_CONN bind it
    // cannot tell us which (there is no getsockname), and the lab needs to know to route packets.
    const int attempts = port == 0 ? 64 : 1;
    for (int i = 0; i < attempts; ++i) {
        const quint16 p = port != 0 ? port : s_nextEphemeral;
        if (port == 0)
            s_nextEphemeral = quint16(s_nextEphemeral >= 65535 ? kFirstEphemeral : s_nextEphemeral + 1);
        sockaddr_conn a = connAddr(m_transport->bindHandle(), p);
        if (usrsctp_bind(m_so, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            m_localPort = p;
            m_ownsPort = true;
            m_transport->portBound(p);
            return {};
        }
        if (errno != EADDRINUSE || port != 0)
            return fail(errno,
                errno == EADDRINUSE ? QStringLiteral("port %1 is in use on %2: choose another port.").arg(p).arg(m_transport->localHost())
                                    : QStringLiteral("cannot bind port %1: %2.").arg(p).arg(errnoName(errno)));
    }
    return fail(EADDRINUSE, QStringLiteral("no free ephemeral port: close some endpoints."));
}

Result<void> Endpoint::ensureBound()
{
    if (m_localPort != 0)
        return {};
    return bind(0);
}

Result<void> Endpoint::listen(int backlog)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (auto b = ensureBound(); !b)
        return b;
    if (usrsctp_listen(m_so, backlog) != 0)
        return fail(errno, QStringLiteral("listen failed on port %1.").arg(m_localPort));
    m_listening = true;
    return {};
}

bool Endpoint::resolve(const Address& a, sockaddr_conn& out, QString* why)
{
    void* h = m_transport->peerHandle(a.host, why);
    if (!h)
        return false;
    if (a.port == 0) {
        if (why)
            *why = QStringLiteral("port 0 is not a destination: give the peer's SCTP port");
        return false;
    }
    out = connAddr(h, a.port);
    return true;
}

Address Endpoint::peerAddressOf(const void* sa) const
{
    const auto* c = static_cast<const sockaddr_conn*>(sa);
    if (c->sconn_family != AF_CONN)
        return {};
    const quint16 port = ntohs(c->sconn_port);
    return Address { m_transport->peerHost(c->sconn_addr, port), port };
}

Result<quint64> Endpoint::connect(const Address& peer) { return connectx({ peer }); }

Result<quint64> Endpoint::connectx(const QList<Address>& peers)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (peers.isEmpty())
        return fail(EINVAL, QStringLiteral("connectx needs at least one address."));
    if (m_style == Style::OneToOne && association() != 0)
        return fail(EISCONN, QStringLiteral("this one-to-one endpoint already has an association: open another endpoint."));
    sockaddr_conn first {};
    for (int i = 0; i < peers.size(); ++i) {
        sockaddr_conn c {};
        QString why;
        if (!resolve(peers[i], c, &why))
            return fail(EHOSTUNREACH, QStringLiteral("%1 cannot be reached: %2.").arg(peers[i].toString(), why));
        if (i == 0)
            first = c;
        else if (c.sconn_addr != first.sconn_addr || c.sconn_port != first.sconn_port)
            return fail(EINVAL,
                QStringLiteral("%1 is a second path to the peer: AF_CONN associations cannot be multi-homed "
                               "(usrsctp takes only IPv4/IPv6 addresses in connectx); give one address.")
                    .arg(peers[i].toString()));
    }
    if (auto b = ensureBound(); !b)
        return b.error();
    if (usrsctp_connect(m_so, reinterpret_cast<sockaddr*>(&first), sizeof first) != 0 && errno != EINPROGRESS)
        return fail(errno, QStringLiteral("connect to %1 failed.").arg(peers[0].toString()));
    const sctp_assoc_t id = usrsctp_getassocid(m_so, reinterpret_cast<sockaddr*>(&first));
    Engine::Record* r = m_engine.addAssociation(this, quint32(id), first.sconn_addr, m_localPort, peers[0].port, peers[0]);
    r->info.stateCode = SCTP_COOKIE_WAIT;
    r->info.state = stateName(SCTP_COOKIE_WAIT);
    m_engine.publish(*r);
    return r->info.id;
}

Result<Endpoint*> Endpoint::accept()
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (m_style != Style::OneToOne || !m_listening)
        return fail(EINVAL, QStringLiteral("accept needs a listening one-to-one endpoint (call listen first)."));
    sockaddr_conn from {};
    socklen_t len = sizeof from;
    struct socket* so = usrsctp_accept(m_so, reinterpret_cast<sockaddr*>(&from), &len);
    if (!so) {
        if (errno == EWOULDBLOCK || errno == EAGAIN)
            return Error { EAGAIN, QStringLiteral("no association is waiting: wait for incomingConnection().") };
        return fail(errno, QStringLiteral("accept failed."));
    }
    Endpoint* ep = m_engine.adopt(m_style, *m_transport, so);
    ep->m_localPort = m_localPort;
    ep->scheduleEvents(); // COMM_UP and data may already wait on the new socket
    return ep;
}

Result<Endpoint*> Endpoint::peeloff(quint64 association)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (m_style != Style::OneToMany)
        return fail(EINVAL, QStringLiteral("peeloff works on one-to-many endpoints only."));
    Engine::Record* r = m_engine.record(association);
    if (!r || r->endpoint != this || !r->open)
        return fail(ENOENT, QStringLiteral("association %1 is not open on this endpoint.").arg(association));
    struct socket* so = usrsctp_peeloff(m_so, sctp_assoc_t(r->info.sctpAssocId));
    if (!so)
        return fail(errno, QStringLiteral("usrsctp could not peel off association %1.").arg(association));
    Endpoint* ep = m_engine.adopt(Style::OneToOne, *m_transport, so);
    ep->m_localPort = m_localPort;
    r->endpoint = ep;
    r->info.descriptor = ep->descriptor();
    r->info.endpointStyle = QStringLiteral("one-to-one");
    m_engine.publish(*r);
    ep->scheduleEvents();
    return ep;
}

// ---- closing ------------------------------------------------------------------------------------

Result<void> Endpoint::shutdown()
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed."));
    if (usrsctp_shutdown(m_so, SHUT_WR) != 0)
        return fail(errno == ENOTCONN ? ENOTCONN : errno, QStringLiteral("there is no association to shut down."));
    m_shutdownSent = true;
    return {};
}

void Endpoint::close(bool abort)
{
    if (!m_so)
        return;
    usrsctp_set_upcall(m_so, nullptr, nullptr);
    if (abort) {
        const struct linger now { 1, 0 };
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_LINGER, &now, sizeof now);
    }
    usrsctp_close(m_so);
    m_so = nullptr;
    if (m_ownsPort)
        m_transport->portReleased(m_localPort);
    m_engine.endpointClosed(this);
    emit closed();
}

QList<quint64> Endpoint::associations() const
{
    QList<quint64> ids;
    for (Engine::Record* r : m_engine.recordsOf(this))
        if (r->open)
            ids << r->info.id;
    return ids;
}

quint64 Endpoint::association() const
{
    const auto ids = associations();
    return ids.isEmpty() ? 0 : ids.last();
}

} // namespace ladder::sctp
