// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoint: sending — sctp_sendmsg(3)/sctp_sendmsgx(3) semantics on usrsctp (flags, PR-SCTP
// policies, SENDALL, implicit set-up), what a send changes (stream counters, the journal) and
// the errno a failed send maps to.
#include "endpoint.h"

#include "core/scheduler.h"
#include "journal/journal.h"
#include "transport.h"

#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <usrsctp.h>

namespace ladder::sctp {

Result<qint64> Endpoint::send(const QByteArray& data, const SendInfo& info)
{
    if (!m_so)
        return fail(EBADF, QStringLiteral("descriptor %1 is closed: open a new endpoint.").arg(m_descriptor));
    // The bulk path: a plain send on a connected one-to-one endpoint — no address, no flag beyond
    // UNORDERED, SACK-IMMEDIATELY and a PR-SCTP policy — which is every call of a bulk sender. It
    // makes the same checks as the general path below, for this case only.
    constexpr quint32 kPlainFlags = flag::Unordered | flag::SackImmediately | flag::PolicyMask;
    if (m_style == Style::OneToOne && !info.to && info.addresses.isEmpty() && !(info.flags & ~kPlainFlags)
        && info.policy() <= PrPolicy::Prio && !m_shutdownSent && m_localPort != 0 && !m_transport->outputQueueFull()) {
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
                QStringLiteral("%1 would be a second path: this endpoint runs over AF_CONN, where an association has one "
                               "path (usrsctp takes only IPv4/IPv6 addresses in connectx); give one address, or use the "
                               "multi-homed lesson or ladderctl send sctp --to A,B, which set one association up to several.")
                    .arg(dests[i].toString()));
    }
    if (m_transport->outputQueueFull())
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
            // sctp_sendmsg(3): "Calling sctp_sendmsg() or sctp_sendmsgx() on a non-connected
            // one-to-one socket will result in errno being set to ENOTCONN, -1 being returned,
            // and the message not being transmitted." An address does not change that: implicit
            // set-up is a one-to-many socket's.
            if (info.flags & flag::Abort)
                return fail(ENOTCONN, QStringLiteral("this one-to-one endpoint has no association to abort."));
            return fail(ENOTCONN,
                dests.isEmpty()
                    ? QStringLiteral("this one-to-one endpoint is not connected: connect first (sctp_connect/sctp_connectx).")
                    : QStringLiteral("this one-to-one endpoint is not connected: connect to %1 first (a one-to-one socket "
                                     "never sets an association up implicitly; a one-to-many socket does).")
                          .arg(dests[0].toString()));
        }
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
    // A destination the call will not use is said, not silently dropped: a connected one-to-one
    // endpoint sends to its peer unless SCTP_ADDR_OVER picks the path, and SCTP_SENDALL sends on
    // every association whatever the address.
    if (!dests.isEmpty() && !(info.flags & flag::AddrOver)
        && ((info.flags & flag::SendAll) || (m_style == Style::OneToOne && r))) {
        trace::Event note;
        note.kind = trace::Kind::Log;
        note.a = 2;
        note.object = r ? r->info.id : 0;
        note.text = (info.flags & flag::SendAll)
            ? QStringLiteral("sctp_sendmsg: SCTP_SENDALL sends on every association: the address %1 is not used.")
                  .arg(dests[0].toString())
            : QStringLiteral("sctp_sendmsg: this one-to-one endpoint is connected and sends to its peer: the address %1 "
                             "is not used (SCTP_ADDR_OVER would pick it as the path).")
                  .arg(dests[0].toString());
        m_engine.journalEvent(std::move(note));
    }
    const bool implicitSetup = m_style == Style::OneToMany && !r && !(info.flags & flag::SendAll);
    // On one-to-one endpoints usrsctp wants no address once connected; on one-to-many an existing
    // association is named by id, and `to` is given for ADDR_OVER and implicit set-up.
    const bool passTo = !dests.isEmpty() && (implicitSetup || (info.flags & flag::AddrOver));
    Result<qint64> res = qint64(0);
    if ((info.flags & flag::SendAll) && m_style == Style::OneToMany) {
        // SCTP_SENDALL, one send per association. usrsctp implements the flag with its iterator,
        // which does not run again after usrsctp_finish + a new usrsctp_init_nothreads in the same
        // process (a second Stack), so we walk our own list: same result, every time.
        // Every association is tried, whatever happens on one: when part of the fan-out fails, the
        // result names the associations that got the message and those that did not, with why.
        SendInfo each = info;
        each.flags &= ~quint32(flag::SendAll);
        QList<Engine::Record*> sent;
        QStringList refused;
        std::optional<Error> firstError;
        for (Engine::Record* x : m_engine.recordsOf(this)) {
            if (!x->open)
                continue;
            auto one = sendOne(data, each, nullptr, x->info.sctpAssocId, x->info.id);
            if (!one) {
                refused << QStringLiteral("%1 (%2)").arg(x->info.id).arg(one.error().text());
                if (!firstError)
                    firstError = one.error();
                continue;
            }
            res = one;
            sent << x;
        }
        if (sent.isEmpty() && !firstError)
            return fail(ENOENT, QStringLiteral("SCTP_SENDALL: this endpoint has no association to send to."));
        if (firstError) {
            QStringList got;
            for (Engine::Record* x : sent)
                got << QString::number(x->info.id);
            for (Engine::Record* x : sent)
                noteSent(*x, data, info);
            return fail(firstError->code,
                QStringLiteral("SCTP_SENDALL reached %1 of %2 associations: sent on %3; not sent on %4.")
                    .arg(sent.size())
                    .arg(sent.size() + refused.size())
                    .arg(got.isEmpty() ? QStringLiteral("none") : got.join(QStringLiteral(", ")),
                        refused.join(QStringLiteral("; "))));
        }
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
        r->info.state = associationStateName(SCTP_COOKIE_WAIT);
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
        const PrPolicy policy = info.policy(); // no policy flag: never skipped, whatever timetolive says
        StreamInfo& s = x.stream(info.stream);
        if (s.messagesAhead > 0)
            --s.messagesAhead;
        else
            ++s.messagesQueued;
        const quint64 ahead = std::min<quint64>(s.bytesAhead, quint64(data.size()));
        s.bytesAhead -= ahead;
        s.bytesQueued += quint64(data.size()) - ahead;
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
                         .arg(qFromBigEndian(info.ppid)) // as the wire (and Wireshark) shows it
                         .arg(info.context)
                         .arg(info.describeFlags());
    return m_lastSendText;
}

namespace {

    // usrsctp's sctp_sockstat and the option that fills it (netinet/sctp.h, sctp_uio.h), which its
    // public header leaves out.
    constexpr int kGetSndbufUse = 0x00001101; // SCTP_GET_SNDBUF_USE
    struct SndbufUse {
        sctp_assoc_t assocId;
        uint32_t totalSndbuf; // the association's output queue: data not yet acknowledged
        uint32_t totalRecvBuf;
    };
    constexpr int kDataChunkHeader = 16;

} // namespace

Result<qint64> Endpoint::sendOne(const QByteArray& data, const SendInfo& info, sockaddr_conn* to, quint32 sctpAssoc,
    quint64 association)
{
    struct sctp_sendv_spa spa {};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = info.stream;
    spa.sendv_sndinfo.snd_flags = quint16(info.flags & ~quint32(flag::PolicyMask));
    // sctp_sendmsg(3): "the stack passes this value without regard to byte order": the 32 bits
    // go into the DATA chunk as they are in memory. (The composer and ladderctl, which take the
    // number as Wireshark shows it, put it in network order before they call.)
    spa.sendv_sndinfo.snd_ppid = info.ppid;
    spa.sendv_sndinfo.snd_context = info.context;
    spa.sendv_sndinfo.snd_assoc_id = sctp_assoc_t(sctpAssoc);
    Engine::Record* r = association ? m_engine.record(association) : nullptr;
    // sctp_sendmsg(3): "If none of these options are set, then data is never skipped over": a
    // timetolive without a PR-SCTP policy flag asks for nothing (the multi-homed path agrees).
    const PrPolicy policy = info.policy();
    // What usrsctp is given as the message's value. BUF and PRIO both travel as usrsctp's BUF (2),
    // whose value is an RFC 7496 priority: a BUF message (sctp_sendmsg(3)'s byte threshold) gets
    // a value below every older BUF message of its association, so that when it finds the
    // threshold reached, usrsctp's pruning takes the older ones first.
    quint32 usrValue = info.timetolive;
    if (policy == PrPolicy::Buf && r)
        usrValue = r->bufSerial--;
    if (policy != PrPolicy::None) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = quint16(policy == PrPolicy::Prio ? PrPolicy::Buf : policy);
        spa.sendv_prinfo.pr_value = usrValue;
    }
    // A BUF/PRIO message is remembered before usrsctp sees it (its first packet may leave inside
    // the call) until the packet tap sees it leave: then it is in usrsctp's sent queue.
    bool pending = false;
    if ((policy == PrPolicy::Buf || policy == PrPolicy::Prio) && r && !(info.flags & flag::Unordered)
        && r->bufPending.size() < 100000) {
        const StreamInfo& st = r->stream(info.stream);
        Engine::Record::BufMessage m;
        m.sid = info.stream;
        m.ssn = quint32(st.nextSsn + st.messagesQueued);
        if (!r->info.interleaving)
            m.ssn &= 0xffff;
        m.context = info.context;
        m.value = usrValue;
        m.bytes = int(data.size());
        r->bufPending.push_back(m);
        m_engine.followBuf(r->info.id);
        pending = true;
    }
    // sctp_sendmsg(3)'s BUF: "If that number or more bytes are in queue, then other buffer based
    // sends are looked to be removed and skipped." Whether that number is queued is asked of
    // usrsctp itself: with the send buffer set to threshold + size − 1 for one call, a plain send
    // goes through exactly when fewer bytes than the threshold are queued (usrsctp's own count,
    // data not yet acknowledged) and answers EWOULDBLOCK, having done nothing, otherwise.
    ssize_t n = -1;
    int err = EWOULDBLOCK;
    bool sent = false;
    if (policy == PrPolicy::Buf && r && r->info.prSupported && info.timetolive > 0) {
        int limit = 0;
        socklen_t len = sizeof limit;
        usrsctp_getsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, &len);
        // Never more than the real buffer: a full buffer is answered as without the policy.
        const int probe = int(std::min<qint64>(qint64(info.timetolive) + data.size() - 1, limit));
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &probe, sizeof probe);
        n = usrsctp_sendv(m_so, data.constData(), std::size_t(data.size()), reinterpret_cast<sockaddr*>(to),
            to ? 1 : 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
        err = n < 0 ? errno : 0;
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, sizeof limit);
        sent = true;
        if (n < 0 && err == EWOULDBLOCK) {
            trace::Event e;
            e.kind = trace::Kind::Log;
            e.object = association;
            if (data.size() >= 2 && bufPrunable(*r, usrValue, 2)) {
                e.text = QStringLiteral("PR-SCTP BUF: the send queue holds %1 bytes or more (this message's threshold): "
                                        "the oldest BUF message in flight is abandoned to make room")
                             .arg(info.timetolive);
                m_engine.journalEvent(std::move(e));
                n = sendPruning(data, spa, to, usrsctpQueued(sctpAssoc) + 1);
                err = n < 0 ? errno : 0;
            } else {
                e.text = QStringLiteral("PR-SCTP BUF: the send queue holds %1 bytes or more (this message's threshold), "
                                        "but no older BUF message is in flight: none is abandoned (usrsctp can only "
                                        "abandon messages already sent)")
                             .arg(info.timetolive);
                m_engine.journalEvent(std::move(e));
                n = -1;
                err = EWOULDBLOCK;
                sent = false; // queued as any message: the buffer may still have room
            }
        }
    }
    if (!sent) {
        n = usrsctp_sendv(m_so, data.constData(), std::size_t(data.size()), reinterpret_cast<sockaddr*>(to),
            to ? 1 : 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
        err = n < 0 ? errno : 0;
        if (n < 0 && err == EWOULDBLOCK) {
            // PR-SCTP priority (RFC 7496; usrsctp's BUF): lower = more important. usrsctp
            // abandons queued BUF chunks whose value is larger than the new message's (its
            // sinfo_timetolive: the BUF/TTL/RTX value, 0 for a reliable message) only inside
            // sctp_lower_sosend's copy loop, which a non-blocking send without explicit EOR never
            // reaches (it answers EWOULDBLOCK first). So when something less important is in
            // flight, send again in explicit-EOR mode: usrsctp prunes, then takes the message.
            const quint32 value = policy == PrPolicy::None ? 0 : usrValue;
            if (r && r->info.prSupported && bufPrunable(*r, value, data.size())) {
                n = sendPruning(data, spa, to);
                err = n < 0 ? errno : 0;
            }
        }
    }
    if (n < 0 && pending) {
        for (auto it = r->bufPending.begin(); it != r->bufPending.end(); ++it)
            if (it->sid == info.stream && it->context == info.context && it->value == usrValue) {
                r->bufPending.erase(it);
                break;
            }
    }
    if (n < 0)
        return mapSendError(err, info, association);
    return qint64(n);
}

bool Endpoint::bufPrunable(const Engine::Record& r, quint32 value, qint64 bytes) const
{
    qint64 room = 0;
    for (const auto& [tsn, m] : r.bufInFlight)
        if (m.value > value && (room += m.bytes) >= bytes)
            return true;
    return false;
}

int Endpoint::usrsctpQueued(quint32 sctpAssoc) const
{
    // usrsctp's count of queued bytes leaves out the DATA chunk headers of the chunks it made; its
    // total keeps them. From the total less a header per chunk in flight (at most the count),
    // sendPruning finds the exact figure.
    SndbufUse use {};
    use.assocId = sctp_assoc_t(sctpAssoc);
    socklen_t ulen = sizeof use;
    struct sctp_status status {};
    status.sstat_assoc_id = sctp_assoc_t(sctpAssoc);
    socklen_t slen = sizeof status;
    if (usrsctp_getsockopt(m_so, IPPROTO_SCTP, kGetSndbufUse, &use, &ulen) != 0
        || usrsctp_getsockopt(m_so, IPPROTO_SCTP, SCTP_STATUS, &status, &slen) != 0)
        return 0;
    return int(std::max<qint64>(0, qint64(use.totalSndbuf) - qint64(status.sstat_unackdata) * kDataChunkHeader));
}

ssize_t Endpoint::sendPruning(const QByteArray& data, struct sctp_sendv_spa spa, sockaddr_conn* to, int sendBuffer)
{
    const int on = 1, off = 0;
    int limit = 0;
    socklen_t len = sizeof limit;
    usrsctp_getsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, &len);
    usrsctp_setsockopt(m_so, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, &on, sizeof on);
    ssize_t n = -1;
    int err = 0;
    if (sendBuffer > 0) {
        // sctp_sendmsg(3)'s BUF: the first two bytes alone, into a send buffer that ends just past
        // what is queued — the smallest usrsctp takes a byte into (it answers EWOULDBLOCK, having
        // done nothing, while the buffer is full; usrsctp's exact count lies within a header per
        // chunk in flight above sendBuffer). usrsctp copies one byte, finds no room for the
        // second and prunes for two bytes: the oldest BUF message in flight goes. The rest follows
        // with the buffer as it was.
        sctp_sendv_spa first = spa;
        err = EWOULDBLOCK;
        for (int b = sendBuffer; err == EWOULDBLOCK && b <= sendBuffer + 64 * kDataChunkHeader; b += kDataChunkHeader) {
            usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
            n = usrsctp_sendv(m_so, data.constData(), 2, reinterpret_cast<sockaddr*>(to), to ? 1 : 0, &first, sizeof first,
                SCTP_SENDV_SPA, 0);
            err = n < 0 ? errno : 0;
        }
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, sizeof limit);
    }
    if (sendBuffer <= 0 || (n > 0 && n < data.size())) {
        const qsizetype done = n > 0 ? n : 0;
        spa.sendv_sndinfo.snd_flags |= SCTP_EOR;
        const ssize_t more = usrsctp_sendv(m_so, data.constData() + done, std::size_t(data.size() - done),
            done ? nullptr : reinterpret_cast<sockaddr*>(to), (done || !to) ? 0 : 1, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
        err = more < 0 ? errno : 0;
        n = more < 0 ? (done ? qint64(done) : -1) : qint64(done + more);
    } else if (n == 2) {
        // A two-byte message: its end still has to be marked.
        spa.sendv_sndinfo.snd_flags |= SCTP_EOR;
        usrsctp_sendv(m_so, nullptr, 0, nullptr, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
    }
    if (n >= 0 && n < data.size()) {
        // usrsctp copied what fit (pruning freed less than the message needs, or the rest found
        // the buffer full): the message must not stay half-queued (its stream would be locked to
        // it), so let the buffer stretch by the rest for this one call. The overshoot is at most
        // one message; later sends see EAGAIN until the buffer has drained below its limit again.
        const int stretched = limit + int(data.size() - n) + 8192;
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &stretched, sizeof stretched);
        spa.sendv_sndinfo.snd_flags |= SCTP_EOR;
        const ssize_t rest = usrsctp_sendv(m_so, data.constData() + n, std::size_t(data.size() - n), nullptr, 0, &spa,
            sizeof spa, SCTP_SENDV_SPA, 0);
        usrsctp_setsockopt(m_so, SOL_SOCKET, SO_SNDBUF, &limit, sizeof limit);
        trace::Event e;
        e.kind = trace::Kind::Log;
        e.a = 2;
        e.text = QStringLiteral("PR-SCTP: abandoning messages freed too little room; the %1-byte message was taken with the "
                                "send buffer stretched by %2 bytes")
                     .arg(data.size())
                     .arg(data.size() - n);
        if (rest > 0)
            n += rest;
        err = 0;
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

} // namespace ladder::sctp
