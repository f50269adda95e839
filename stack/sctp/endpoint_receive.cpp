// SPDX-License-Identifier: GPL-3.0-or-later
// Endpoint: receiving — usrsctp's upcall, the event pass that reads every message and
// notification waiting on the socket into the inbox, and receive().
#include "endpoint.h"

#include "core/scheduler.h"
#include "journal/journal.h"
#include "transport.h"

#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    // What usrsctp's receive info says of a message (both receive paths of processEvents).
    void takeReceiveInfo(ReceivedMessage& m, const sctp_rcvinfo& rcv)
    {
        m.stream = rcv.rcv_sid;
        m.ssn = rcv.rcv_ssn;
        m.ppid = rcv.rcv_ppid; // the 32 bits as they came, like sctp_sendmsg's ppid (no byte order)
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

} // namespace ladder::sctp
