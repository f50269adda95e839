// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpoint.h"

#include "core/scheduler.h"
#include "trace/journal.h"
#include "transport.h"

#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    constexpr int kSctpInterleavingSupported = 0x1206; // not in usrsctp.h (shared/USRSCTP.md)
    constexpr int kReceiveBuffer = 256 * 1024;

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

    // What usrsctp's receive info says of a message (both receive paths of processEvents).
    void takeReceiveInfo(ReceivedMessage& m, const sctp_rcvinfo& rcv)
    {
        m.stream = rcv.rcv_sid;
        m.ssn = rcv.rcv_ssn;
        m.ppid = qFromBigEndian(rcv.rcv_ppid);
        m.tsn = rcv.rcv_tsn;
        m.unordered = rcv.rcv_flags & SCTP_UNORDERED;
    }

    // A whole message of `length` bytes received on association r: its stream's counters.
    void countReceived(Engine& engine, Engine::Record& r, const ReceivedMessage& m, qsizetype length)
    {
        engine.markDirty(r);
        StreamInfo& s = r.stream(m.stream);
        ++s.messagesReceived;
        s.bytesReceived += quint64(length);
        ++(m.unordered ? s.unorderedReceived : s.orderedReceived);
    }
}

QString associationStateName(int state) { return stateName(state); }

Endpoint::Endpoint(Engine& engine, Style style, Transport& transport, int descriptor, struct socket* so, bool adopted)
    : QObject(&engine)
    , m_engine(engine)
    , m_style(style)
    , m_transport(transport)
    , m_descriptor(descriptor)
    , m_so(so)
{
    setUpSocket(adopted);
}

Endpoint::~Endpoint() { close(); }

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

Address Endpoint::localAddress() const { return Address { m_transport.localHost(), m_localPort }; }

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

Result<void> Endpoint::bind(quint16 port)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("the endpoint is closed: open a new one."));
    if (m_localPort != 0)
        return fail(EINVAL, QStringLiteral("the endpoint is already bound to port %1.").arg(m_localPort));
    // Port 0: pick one ourselves. usrsctp would choose one too, but on a wildcard AF_CONN bind it
    // cannot tell us which (there is no getsockname), and the lab needs to know to route packets.
    static quint16 s_nextEphemeral = 49152;
    const int attempts = port == 0 ? 64 : 1;
    for (int i = 0; i < attempts; ++i) {
        const quint16 p = port != 0 ? port : s_nextEphemeral;
        if (port == 0)
            s_nextEphemeral = quint16(s_nextEphemeral >= 65535 ? 49152 : s_nextEphemeral + 1);
        sockaddr_conn a = connAddr(m_transport.bindHandle(), p);
        if (usrsctp_bind(m_so, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            m_localPort = p;
            m_ownsPort = true;
            m_transport.portBound(p);
            return {};
        }
        if (errno != EADDRINUSE || port != 0)
            return fail(errno,
                errno == EADDRINUSE ? QStringLiteral("port %1 is in use on %2: choose another port.").arg(p).arg(m_transport.localHost())
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
    void* h = m_transport.peerHandle(a.host, why);
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
    return Address { m_transport.peerHost(c->sconn_addr, port), port };
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
    Endpoint* ep = m_engine.adopt(m_style, m_transport, so);
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
    Endpoint* ep = m_engine.adopt(Style::OneToOne, m_transport, so);
    ep->m_localPort = m_localPort;
    r->endpoint = ep;
    r->info.descriptor = ep->descriptor();
    r->info.endpointStyle = QStringLiteral("one-to-one");
    m_engine.publish(*r);
    ep->scheduleEvents();
    return ep;
}

// ---- sending ------------------------------------------------------------------------------------

Result<qint64> Endpoint::send(const QByteArray& data, const SendInfo& info)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("descriptor %1 is closed: open a new endpoint.").arg(m_descriptor));
    // The bulk path: a plain send on a connected one-to-one endpoint — no address, no flag beyond
    // UNORDERED, SACK-IMMEDIATELY and a PR-SCTP policy — which is every call of a bulk sender. It
    // makes the same checks as the general path below, for this case only.
    constexpr quint32 kPlainFlags = flag::Unordered | flag::SackImmediately | flag::PolicyMask;
    if (m_style == Style::OneToOne && !info.to && info.addresses.isEmpty() && !(info.flags & ~kPlainFlags)
        && info.policy() <= PrPolicy::Rtx && !m_shutdownSent && m_localPort != 0 && !m_transport.outputQueueFull()) {
        Engine::Record* r = m_engine.newestOpenRecordOf(this);
        if (r && !r->shutdownRequested && (r->info.outboundStreams == 0 || info.stream < r->info.outboundStreams)) {
            Result<qint64> res = sendOne(data, info, nullptr, r->info.sctpAssocId, r->info.id);
            if (res)
                noteSent(*r, data, info);
            return res;
        }
    }
    if (const QString why = info.flagsError(); !why.isEmpty())
        return fail(EINVAL, why);

    // The destination: sctp_sendmsgx's list, else sctp_sendmsg's `to`.
    QList<Address> dests = info.addresses;
    if (dests.isEmpty() && info.to)
        dests.append(*info.to);
    if ((info.flags & flag::AddrOver) && dests.isEmpty())
        return fail(EINVAL,
            QStringLiteral("SCTP_ADDR_OVER needs a destination: give `to` as one of the peer's addresses."));
    sockaddr_conn to {};
    for (int i = 0; i < dests.size(); ++i) {
        sockaddr_conn c {};
        QString why;
        if (!resolve(dests[i], c, &why))
            return fail(EHOSTUNREACH, QStringLiteral("%1 cannot be reached: %2.").arg(dests[i].toString(), why));
        if (i == 0)
            to = c;
        else if (c.sconn_addr != to.sconn_addr || c.sconn_port != to.sconn_port)
            return fail(EINVAL,
                QStringLiteral("%1 would be a second path: AF_CONN associations cannot be multi-homed; give one address.")
                    .arg(dests[i].toString()));
    }
    if (m_transport.outputQueueFull())
        return fail(ENOBUFS,
            QStringLiteral("the link's output queue is full: wait until it drains (or raise its queue limit)."));

    Engine::Record* r = nullptr;
    if (m_style == Style::OneToOne) {
        r = m_engine.newestOpenRecordOf(this); // association(), without building a list per send
        if (m_shutdownSent || (r && r->shutdownRequested))
            return fail(EPIPE,
                QStringLiteral("the association is shutting down (SCTP_EOF or shutdown was used): no more data can be sent; "
                               "open a new association."),
                r ? r->info.id : 0);
        if (!r) {
            const auto past = m_engine.recordsOf(this);
            if (!past.isEmpty() && past.last()->peerAborted)
                return fail(ECONNRESET,
                    QStringLiteral("the peer aborted the association (ABORT received): connect again."), past.last()->info.id);
            if (dests.isEmpty())
                return fail(ENOTCONN,
                    QStringLiteral("this one-to-one endpoint has no association: connect first or give a destination address."));
        }
        if (!r && !(info.flags & flag::Abort)) {
            auto c = connect(dests[0]);
            if (!c)
                return c.error();
            r = m_engine.record(*c);
        }
        if (!r)
            return fail(ENOTCONN, QStringLiteral("there is no association to abort."));
    } else if (!(info.flags & flag::SendAll)) {
        if (info.association != 0) {
            r = m_engine.record(info.association);
            if (!r || r->endpoint != this || !r->open)
                return fail(ENOENT,
                    QStringLiteral("association %1 does not exist on this endpoint: name an open one or give an address.")
                        .arg(info.association));
        } else if (dests.isEmpty()) {
            return fail(ENOENT,
                QStringLiteral("a one-to-many endpoint needs a destination address or an association id."));
        } else {
            for (Engine::Record* x : m_engine.recordsOf(this))
                if (x->open && x->handle == to.sconn_addr && x->peerPort == ntohs(to.sconn_port))
                    r = x;
            if (!r && (info.flags & flag::Abort))
                return fail(ENOENT, QStringLiteral("there is no association with %1 to abort.").arg(dests[0].toString()));
            if (!r && (info.flags & flag::Eof) && data.isEmpty())
                return fail(ENOENT, QStringLiteral("there is no association with %1 to shut down.").arg(dests[0].toString()));
        }
        if (r && r->shutdownRequested)
            return fail(EPIPE,
                QStringLiteral("association %1 is shutting down (SCTP_EOF was used): open a new association.").arg(r->info.id),
                r->info.id);
    }
    if (r && r->info.outboundStreams > 0 && info.stream >= r->info.outboundStreams && !(info.flags & flag::Abort))
        return fail(EINVAL,
            QStringLiteral("stream %1 does not exist: the association has %2 outbound streams (0–%3).")
                .arg(info.stream)
                .arg(r->info.outboundStreams)
                .arg(r->info.outboundStreams - 1),
            r->info.id);

    if (auto b = ensureBound(); !b)
        return b.error();
    const bool implicitSetup = m_style == Style::OneToMany && !r && !(info.flags & flag::SendAll);
    // On one-to-one endpoints usrsctp wants no address once connected; on one-to-many an existing
    // association is named by id, and `to` is given for ADDR_OVER and implicit set-up.
    const bool passTo = !dests.isEmpty() && (implicitSetup || (info.flags & flag::AddrOver));
    Result<qint64> res = qint64(0);
    if ((info.flags & flag::SendAll) && m_style == Style::OneToMany) {
        // SCTP_SENDALL, one send per association. usrsctp implements the flag with its iterator,
        // which does not run again after usrsctp_finish + a new usrsctp_init_nothreads in the same
        // process (a second Stack), so we walk our own list: same result, every time.
        SendInfo each = info;
        each.flags &= ~quint32(flag::SendAll);
        int done = 0;
        for (Engine::Record* x : m_engine.recordsOf(this)) {
            if (!x->open)
                continue;
            auto one = sendOne(data, each, nullptr, x->info.sctpAssocId, x->info.id);
            if (!one)
                return one;
            res = one;
            ++done;
        }
        if (done == 0)
            return fail(ENOENT, QStringLiteral("SCTP_SENDALL: this endpoint has no association to send to."));
    } else {
        res = sendOne(data, info, passTo ? &to : nullptr, r ? r->info.sctpAssocId : 0, r ? r->info.id : 0);
    }
    if (!res)
        return res;
    if (implicitSetup) {
        // Data rides on COOKIE-ECHO: the association was set up by this send.
        const sctp_assoc_t id = usrsctp_getassocid(m_so, reinterpret_cast<sockaddr*>(&to));
        r = m_engine.addAssociation(this, quint32(id), to.sconn_addr, m_localPort, dests[0].port, dests[0]);
        r->info.stateCode = SCTP_COOKIE_WAIT;
        r->info.state = stateName(SCTP_COOKIE_WAIT);
    }
    QList<Engine::Record*> targets; // only SENDALL builds a list: a plain send is the bulk path
    if (info.flags & flag::SendAll) {
        for (Engine::Record* x : m_engine.recordsOf(this))
            if (x->open)
                targets << x;
    }
    Engine::Record* const single[] = { r };
    Engine::Record* const* begin = (info.flags & flag::SendAll) ? targets.constData() : single;
    Engine::Record* const* end = (info.flags & flag::SendAll) ? targets.constData() + targets.size() : (r ? single + 1 : single);
    for (auto it = begin; it != end; ++it)
        noteSent(**it, data, info);
    return res;
}

void Endpoint::noteSent(Engine::Record& x, const QByteArray& data, const SendInfo& info)
{
    if (info.flags & flag::Eof)
        x.shutdownRequested = true;
    if (!data.isEmpty() && !(info.flags & flag::Abort)) {
        const PrPolicy policy = info.policy() == PrPolicy::None && info.timetolive > 0 ? PrPolicy::Ttl : info.policy();
        StreamInfo& s = x.stream(info.stream);
        ++s.messagesQueued;
        s.bytesQueued += quint64(data.size());
        const std::pair<quint16, quint32> key { info.stream, info.context };
        if (!x.hotPolicy || x.hotPolicyKey != key) {
            x.hotPolicy = &x.policies[key];
            x.hotPolicyKey = key;
        }
        *x.hotPolicy = policy;
    }
    // One Event reused for every send: the summary line repeats while a bulk sender does, and
    // assigning it only when it changed spares the reference counting. The same call again (a
    // bulk sender's) is journalled as a repeat of the stored one, by its token, when the journal
    // still can.
    trace::Event& e = m_sendEvent;
    const qint64 now = m_engine.scheduler().nowNs();
    const QString& text = sendText(data.size(), info);
    const bool same = e.kind == trace::Kind::UserAction && e.object == x.info.id && e.a == info.stream && e.b == info.ppid
        && e.c == info.context && e.text.constData() == text.constData() && e.text.size() == text.size();
    if (!same || m_engine.journal().appendRepeat(m_sendToken, now) == trace::Journal::kNotRepeated) {
        e.timeNs = now;
        e.kind = trace::Kind::UserAction;
        e.object = x.info.id;
        e.a = info.stream;
        e.b = info.ppid;
        e.c = info.context;
        if (!same)
            e.text = text;
        m_engine.journal().append(e, 0, &m_sendToken);
    }
    if (info.flags & flag::Abort) {
        x.open = false;
        x.info.stateCode = SCTP_CLOSED;
        x.info.state = QStringLiteral("ABORTED");
    }
    m_engine.markDirty(x); // published from the event loop, coalesced: sends can come in bursts
}

const QString& Endpoint::newSendText(const SendKey& key, const SendInfo& info)
{
    m_lastSendKey = key;
    m_lastSendText = QStringLiteral("sctp_sendmsg %1 bytes on stream %2, PPID %3, context %4, %5")
                         .arg(key.size)
                         .arg(info.stream)
                         .arg(info.ppid)
                         .arg(info.context)
                         .arg(info.describeFlags());
    return m_lastSendText;
}

Result<qint64> Endpoint::sendOne(const QByteArray& data, const SendInfo& info, sockaddr_conn* to, quint32 sctpAssoc,
    quint64 association)
{
    struct sctp_sendv_spa spa {};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = info.stream;
    spa.sendv_sndinfo.snd_flags = quint16(info.flags & ~quint32(flag::PolicyMask));
    spa.sendv_sndinfo.snd_ppid = qToBigEndian(info.ppid);
    spa.sendv_sndinfo.snd_context = info.context;
    spa.sendv_sndinfo.snd_assoc_id = sctp_assoc_t(sctpAssoc);
    PrPolicy policy = info.policy();
    if (policy == PrPolicy::None && info.timetolive > 0)
        policy = PrPolicy::Ttl; // sctp_sendmsg(3): a lifetime without a policy is TTL
    if (policy != PrPolicy::None) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = quint16(policy);
        spa.sendv_prinfo.pr_value = info.timetolive;
    }
    ssize_t n = usrsctp_sendv(m_so, data.constData(), std::size_t(data.size()), reinterpret_cast<sockaddr*>(to),
        to ? 1 : 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
    if (n < 0 && errno == EWOULDBLOCK) {
        Engine::Record* r = association ? m_engine.record(association) : nullptr;
        // PR-SCTP BUF (RFC 7496 "priority"): the value is a priority, lower = more important. usrsctp
        // abandons queued BUF chunks whose value is larger than the new message's (its
        // sinfo_timetolive: the BUF/TTL/RTX value, 0 for a reliable message) only inside
        // sctp_lower_sosend's copy loop, which a non-blocking send without explicit EOR never
        // reaches (it answers EWOULDBLOCK first). So when something less important is queued,
        // send again in explicit-EOR mode: usrsctp prunes, then takes the message.
        const qint64 value = policy == PrPolicy::None ? 0 : qint64(info.timetolive);
        if (r && r->info.prSupported && r->bufQueuedMaxValue > value)
            n = sendPruning(data, spa, to);
    }
    if (n < 0)
        return mapSendError(errno, info, association);
    if (policy == PrPolicy::Buf)
        if (Engine::Record* r = association ? m_engine.record(association) : nullptr)
            r->bufQueuedMaxValue = std::max<qint64>(r->bufQueuedMaxValue, qint64(info.timetolive));
    return qint64(n);
}

ssize_t Endpoint::sendPruning(const QByteArray& data, struct sctp_sendv_spa spa, sockaddr_conn* to)
{
    const int on = 1, off = 0;
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, &on, sizeof on);
    spa.sendv_sndinfo.snd_flags |= SCTP_EOR;
    ssize_t n = usrsctp_sendv(m_so, data.constData(), std::size_t(data.size()), reinterpret_cast<sockaddr*>(to),
        to ? 1 : 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
    const int err = errno;
    if (n >= 0 && n < data.size()) {
        // Pruning freed less than the message needs (usrsctp copied what fit): the message must
        // not stay half-queued (its stream would be locked to it), so let the buffer stretch by
        // the rest for this one call. The overshoot is at most one message; later sends see EAGAIN
        // until the buffer has drained below its limit again.
        int limit = 0;
        socklen_t len = sizeof limit;
        usrsctp_getsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, &len);
        const int stretched = limit + int(data.size() - n) + 8192;
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &stretched, sizeof stretched);
        const ssize_t rest = usrsctp_sendv(m_so, data.constData() + n, std::size_t(data.size() - n), nullptr, 0, &spa,
            sizeof spa, SCTP_SENDV_SPA, 0);
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, sizeof limit);
        if (rest > 0)
            n += rest;
        trace::Event e;
        e.kind = trace::Kind::Log;
        e.a = 2;
        e.text = QStringLiteral("PR-SCTP BUF: abandoning less important messages freed too little room; the %1-byte "
                                "message was taken with the send buffer stretched by %2 bytes")
                     .arg(data.size())
                     .arg(data.size() - (n - qMax<ssize_t>(rest, 0)));
        m_engine.journalEvent(std::move(e));
    }
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, &off, sizeof off);
    errno = err;
    return n;
}

Error Endpoint::mapSendError(int code, const SendInfo& info, quint64 association)
{
    Engine::Record* r = association ? m_engine.record(association) : nullptr;
    switch (code) {
    case EWOULDBLOCK:
        return fail(EAGAIN,
            QStringLiteral("the send buffer is full and the endpoint is non-blocking: wait until the peer acknowledges data "
                           "(SENDER_DRY) and send again."),
            association);
    case EMSGSIZE: {
        int sndbuf = 0;
        socklen_t len = sizeof sndbuf;
        usrsctp_getsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
        return fail(EMSGSIZE,
            QStringLiteral("the message must go atomically but its size makes that impossible (send buffer %1 bytes): "
                           "send smaller messages or raise the send buffer.")
                .arg(sndbuf),
            association);
    }
    case ENOTCONN:
    case ECONNRESET:
        if (code == ECONNRESET || (r && r->peerAborted))
            return fail(ECONNRESET, QStringLiteral("the peer aborted the association (ABORT received): connect again."),
                association);
        return fail(ENOTCONN, QStringLiteral("the association is not (or no longer) established: connect first."), association);
    case EPIPE:
        return fail(EPIPE,
            QStringLiteral("the association is shutting down or gone: no more data can be sent; open a new association."),
            association);
    case ENOENT:
        return fail(ENOENT, QStringLiteral("no such association: give an address or an open association."), association);
    case ENOBUFS:
    case ENOMEM:
        return fail(ENOBUFS, QStringLiteral("usrsctp could not allocate buffers: send less at once."), association);
    case EINVAL:
        return fail(EINVAL,
            QStringLiteral("usrsctp refused the arguments (stream %1, %2): check the stream number, flags and address.")
                .arg(info.stream)
                .arg(info.describeFlags()),
            association);
    default:
        return fail(code, QStringLiteral("usrsctp_sendv failed."), association);
    }
}

// ---- receiving ------------------------------------------------------------------------------

Result<ReceivedMessage> Endpoint::receive()
{
    if (!m_so && m_inbox.empty())
        return fail(EBADF, QStringLiteral("the endpoint is closed."));
    if (m_inbox.empty())
        return Error { EAGAIN, QStringLiteral("no message yet: wait for readyRead().") };
    return m_inbox.take();
}

Result<void> Endpoint::receiveInto(ReceivedMessage& message)
{
    if (!m_so && m_inbox.empty())
        return fail(EBADF, QStringLiteral("the endpoint is closed."));
    if (m_inbox.empty())
        return Error { EAGAIN, QStringLiteral("no message yet: wait for readyRead().") };
    m_inbox.takeInto(message);
    return {};
}

void Endpoint::upcall(struct socket*, void* arg, int)
{
    // Called from inside usrsctp: only note the work and do it from the event loop.
    static_cast<Endpoint*>(arg)->scheduleEvents();
}

void Endpoint::scheduleEvents()
{
    if (m_eventsPosted)
        return;
    m_eventsPosted = true;
    QMetaObject::invokeMethod(this, &Endpoint::processEvents, Qt::QueuedConnection);
}

void Endpoint::processEvents()
{
    m_eventsPosted = false;
    if (!m_so)
        return;
    if (m_style == Style::OneToOne && m_listening) {
        if (usrsctp_get_events(m_so) & SCTP_EVENT_READ)
            emit incomingConnection();
        return;
    }
    bool gotData = false;
    if (m_buffer.size() != kReceiveBuffer)
        m_buffer.resize(kReceiveBuffer);
    QByteArray note;
    for (int guard = 0; guard < 4096 && m_so; ++guard) {
        // Not zeroed field by field (this loop runs per message): usrsctp fills what it reports,
        // and only the family is read before that is known.
        union sctp_sockstore from;
        from.sa.sa_family = AF_UNSPEC;
        socklen_t fromLen = sizeof from;
        struct sctp_recvv_rn rn;
        rn.recvv_rcvinfo.rcv_assoc_id = 0;
        socklen_t infoLen = sizeof rn;
        unsigned int infoType = 0;
        int msgFlags = 0;
        // A message is received straight where it will stay when it can be: one known to be
        // small into the inbox's arena, a larger one into a buffer of its size that becomes the
        // message's data. While messages are small (no next-message info asked for) a new one
        // goes to the arena's end too, up to its small-message size: if it is larger, that first
        // piece is copied out and the rest comes through m_buffer. Anything else goes through
        // m_buffer.
        const quint32 next = m_havePartial ? 0 : m_nextLength;
        m_nextLength = 0;
        QByteArray own;
        char* target = m_buffer.data();
        std::size_t capacity = std::size_t(m_buffer.size());
        if (next > 0 && next <= quint32(Inbox::kSmall)) {
            target = m_inbox.arenaSpace(qsizetype(next));
            capacity = next;
        } else if (next == 0 && !m_havePartial && !m_nextInfoOn) {
            target = m_inbox.arenaSpace(Inbox::kSmall);
            capacity = std::size_t(Inbox::kSmall);
        } else if (next > 0) {
            own = QByteArray(qsizetype(next), Qt::Uninitialized);
            target = own.data();
            capacity = next;
        }
        // A one-to-one endpoint hears only from its association's peer: once that is known (and no
        // association was added since), usrsctp need not copy the address out for every message.
        const bool knownPeer = m_style == Style::OneToOne && m_partialFromHandle != nullptr && m_recvRecordId != 0
            && m_partialFromAdded == m_engine.recordsAdded() && m_recvRecordsAdded == m_engine.recordsAdded();
        const ssize_t n = usrsctp_recvv(m_so, target, capacity, knownPeer ? nullptr : &from.sa,
            knownPeer ? nullptr : &fromLen, &rn, &infoLen, &infoType, &msgFlags);
        if (n < 0)
            break;
        const struct sctp_rcvinfo& rcv = rn.recvv_rcvinfo; // first in sctp_recvv_rn, alone for RCVINFO
        // A bulk receiver's usual message: whole, small, received into the arena, on the
        // association and from the peer of the one before. What the general path below would do
        // for it, minus what it would find unchanged.
        if (n > 0 && !m_havePartial && !m_nextInfoOn && target != m_buffer.constData() && target != own.constData()
            && (msgFlags & (MSG_EOR | MSG_NOTIFICATION)) == MSG_EOR && infoType == SCTP_RECVV_RCVINFO
            && m_partial.data.isNull() && m_recvRecordId != 0 && m_recvRecordAssoc == quint32(rcv.rcv_assoc_id)
            && m_recvRecordsAdded == m_engine.recordsAdded()
            && (knownPeer
                || (from.sconn.sconn_family == AF_CONN && from.sconn.sconn_addr == m_partialFromHandle
                    && from.sconn.sconn_port == m_partialFromPort && m_partialFromAdded == m_engine.recordsAdded()))) {
            if (Engine::Record* r = m_engine.record(m_recvRecordId)) {
                m_partial.association = m_recvRecordId;
                takeReceiveInfo(m_partial, rcv);
                countReceived(m_engine, *r, m_partial, qsizetype(n));
                m_inbox.pushArena(m_partial, qsizetype(n));
                gotData = true;
                continue;
            }
        }
        if (infoType == SCTP_RECVV_RN && (msgFlags & MSG_EOR)
            && (rn.recvv_nxtinfo.nxt_flags & (SCTP_COMPLETE | SCTP_NOTIFICATION)) == SCTP_COMPLETE
            && rn.recvv_nxtinfo.nxt_length > 0 && rn.recvv_nxtinfo.nxt_length <= quint32(kReceiveBuffer))
            m_nextLength = rn.recvv_nxtinfo.nxt_length;
        if (n == 0) {
            if (m_style == Style::OneToOne && !m_peerClosed) {
                m_peerClosed = true;
                emit readyRead();
            }
            break;
        }
        if (msgFlags & MSG_NOTIFICATION) {
            note.append(target, n);
            if (msgFlags & MSG_EOR) {
                handleNotification(note);
                note.clear();
            }
            continue;
        }
        if (!m_havePartial) {
            // Reset field by field: the sender (a shared string) usually stays what it was.
            if (!m_partial.data.isNull()) // usually it is: moved into the inbox, or never set
                m_partial.data = QByteArray();
            m_partial.association = 0;
            m_partial.stream = m_partial.ssn = 0;
            m_partial.ppid = m_partial.tsn = 0;
            m_partial.unordered = false;
            m_havePartial = true;
            if (infoType == SCTP_RECVV_RCVINFO || infoType == SCTP_RECVV_RN) {
                takeReceiveInfo(m_partial, rcv);
                // Bulk data repeats its association: look it up again only when it changes or
                // an association was added since.
                if (m_recvRecordAssoc != quint32(rcv.rcv_assoc_id) || m_recvRecordsAdded != m_engine.recordsAdded()) {
                    Engine::Record* r = m_engine.recordFor(this, quint32(rcv.rcv_assoc_id));
                    m_recvRecordId = r ? r->info.id : 0;
                    m_recvRecordAssoc = quint32(rcv.rcv_assoc_id);
                    m_recvRecordsAdded = m_engine.recordsAdded();
                }
                m_partial.association = m_recvRecordId;
            }
            // A bulk receiver hears from the same peer: name it again only when it changes.
            // (A new association may reuse a handle: look again after one was added.)
            if (!knownPeer
                && (from.sconn.sconn_family != AF_CONN || from.sconn.sconn_addr != m_partialFromHandle
                    || from.sconn.sconn_port != m_partialFromPort || m_partialFromAdded != m_engine.recordsAdded())) {
                m_partial.from = peerAddressOf(&from);
                const bool conn = from.sconn.sconn_family == AF_CONN;
                m_partialFromHandle = conn ? from.sconn.sconn_addr : nullptr;
                m_partialFromPort = conn ? from.sconn.sconn_port : 0;
                m_partialFromAdded = conn ? m_engine.recordsAdded() : ~quint64(0);
            }
        }
        // A whole message in one piece, small: it stays in (or goes to) the arena.
        const bool whole = m_partial.data.isEmpty() && (msgFlags & MSG_EOR);
        const bool toArena = whole && n <= Inbox::kSmall && target != own.constData();
        if (toArena) {
            if (target == m_buffer.constData())
                std::memcpy(m_inbox.arenaSpace(n), target, std::size_t(n));
        } else if (m_partial.data.isEmpty() && target == own.constData() && n == own.size()) {
            m_partial.data = std::move(own);
        } else if (m_partial.data.isEmpty()) {
            m_partial.data = QByteArray(target, qsizetype(n)); // exact size, no growth slack
        } else {
            m_partial.data.append(target, n);
        }
        if (msgFlags & MSG_EOR) {
            const qsizetype length = toArena ? qsizetype(n) : m_partial.data.size();
            if (Engine::Record* r = m_engine.record(m_partial.association))
                countReceived(m_engine, *r, m_partial, length);
            // Knowing the next message's length lets a large one be received straight into its
            // own buffer (no copy); for small ones that knowledge costs usrsctp more than the
            // copy into the arena it spares, so ask for it only while messages are large.
            if (const bool large = length > Inbox::kSmall; large != m_nextInfoOn) {
                const int on = large ? 1 : 0;
                usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_RECVNXTINFO, &on, sizeof on);
                m_nextInfoOn = large;
            }
            if (toArena)
                m_inbox.pushArena(m_partial, length);
            else
                m_inbox.push(std::move(m_partial)); // moves the data only
            m_havePartial = false;
            gotData = true;
        }
    }
    if (gotData)
        emit readyRead();
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
        m_transport.portReleased(m_localPort);
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
