// SPDX-License-Identifier: GPL-3.0-or-later
// Explanations of SCTP events, the lab link's drops and duplicates, user actions, errors and logs.
#include "explain_p.h"

namespace ladder::trace::explaindetail {

namespace {

    // Chunk type numbers (RFC 4960 §3.2 and the extensions), kept here: the journal includes no
    // protocol layer.
    struct ChunkInfo {
        quint8 type;
        const char* name;
        int rfcNumber;
        const char* section;
        const char* title;
        const char* tx; // why a side sends it
    };

    const ChunkInfo kChunks[] = {
        { 0x00, "DATA", 4960, "3.3.1", "Payload Data (DATA)",
            "User data (one message or a fragment of it), numbered by TSN; the receiver acknowledges it with a SACK (§6.2)." },
        { 0x01, "INIT", 4960, "3.3.2", "Initiation (INIT)", "The first step of the four-way handshake: the initiator proposes its tag, streams and initial TSN (§5.1 step A) and enters COOKIE-WAIT." },
        { 0x02, "INIT ACK", 4960, "3.3.3", "Initiation Acknowledgement (INIT ACK)", "The answer to INIT, carrying a State Cookie; the responder keeps no state yet (§5.1 step B)." },
        { 0x03, "SACK", 4960, "3.3.4", "Selective Acknowledgement (SACK)", "Acknowledges DATA: the cumulative TSN, gap blocks for TSNs received beyond it, and duplicates; sent for every second packet or within 200 ms (§6.2)." },
        { 0x04, "HEARTBEAT", 4960, "3.3.5", "Heartbeat Request (HEARTBEAT)", "Probes an idle path's reachability and measures its RTT (§8.3)." },
        { 0x05, "HEARTBEAT ACK", 4960, "3.3.6", "Heartbeat Acknowledgement (HEARTBEAT ACK)", "Echoes a HEARTBEAT's information back (§8.3)." },
        { 0x06, "ABORT", 4960, "3.3.7", "Abort Association (ABORT)", "Ends the association at once, without a graceful shutdown; queued data is lost (§9.1)." },
        { 0x07, "SHUTDOWN", 4960, "3.3.8", "Shutdown Association (SHUTDOWN)", "Graceful close: sent once all outstanding data is acknowledged (§9.2)." },
        { 0x08, "SHUTDOWN ACK", 4960, "3.3.9", "Shutdown Acknowledgement (SHUTDOWN ACK)", "The answer to SHUTDOWN once the receiver has no outstanding data either (§9.2)." },
        { 0x09, "ERROR", 4960, "3.3.10", "Operation Error (ERROR)", "Reports an error condition (an error cause) that does not end the association." },
        { 0x0a, "COOKIE ECHO", 4960, "3.3.11", "State Cookie (COOKIE ECHO)", "Returns the State Cookie from INIT ACK (§5.1 step C); the initiator enters COOKIE-ECHOED." },
        { 0x0b, "COOKIE ACK", 4960, "3.3.12", "Cookie Acknowledgement (COOKIE ACK)", "Confirms the cookie: the association is ESTABLISHED on both sides (§5.1 steps D and E)." },
        { 0x0c, "ECNE", 4960, "Appendix A", "Explicit Congestion Notification", "Tells the sender that a packet arrived marked Congestion Experienced." },
        { 0x0d, "CWR", 4960, "Appendix A", "Explicit Congestion Notification", "Tells the receiver that the congestion window was reduced after an ECNE." },
        { 0x0e, "SHUTDOWN COMPLETE", 4960, "3.3.13", "Shutdown Complete (SHUTDOWN COMPLETE)", "The last chunk of a graceful shutdown (§9.2): both sides are CLOSED." },
        { 0x0f, "AUTH", 4895, "4.1", "Authentication Chunk (AUTH)", "Authenticates the chunks after it in the packet with a shared key (HMAC)." },
        { 0x40, "I-DATA", 8260, "2.1", "The I-DATA Chunk", "User data with a message identifier, so that messages of different streams can be interleaved." },
        { 0x80, "ASCONF-ACK", 5061, "4.1.2", "Address Configuration Acknowledgement (ASCONF-ACK)", "Answers an address reconfiguration request." },
        { 0x82, "RE-CONFIG", 6525, "3.1", "Re-configuration Chunk (RE-CONFIG)", "Resets streams, the association's TSNs, or adds streams." },
        { 0x84, "PAD", 4820, "3", "Padding Chunk (PAD)", "Padding, to probe a larger path MTU." },
        { 0xc0, "FORWARD-TSN", 3758, "3.2", "Forward Cumulative TSN Chunk (FORWARD TSN)",
            "Tells the receiver to move its cumulative TSN past abandoned PR-SCTP messages and never expect them (RFC 3758 §3.5)." },
        { 0xc1, "ASCONF", 5061, "4.1.1", "Address Configuration Change (ASCONF)", "Adds or deletes an address of the association, or sets the primary one." },
        { 0xc2, "I-FORWARD-TSN", 8260, "2.3.1", "The I-FORWARD-TSN Chunk", "FORWARD-TSN for I-DATA: skips abandoned messages by stream and message identifier." },
    };

    const ChunkInfo* chunkInfo(quint8 type)
    {
        for (const ChunkInfo& c : kChunks)
            if (c.type == type)
                return &c;
        return nullptr;
    }

    Reference chunkRef(const ChunkInfo& c) { return rfc(c.rfcNumber, QLatin1String(c.section), QLatin1String(c.title)); }

    Reference rfc6458(const QString& section, const QString& title) { return rfc(6458, section, title); }

} // namespace

Explanation explainSctpPacket(const Event& e)
{
    Explanation x;
    x.why = QStringLiteral("An SCTP packet %1: a common header (ports, verification tag, CRC32c checksum) and its chunks; "
                           "the receiver drops it if the verification tag or the checksum is wrong.")
                .arg(e.dir == Dir::Rx ? QStringLiteral("received") : QStringLiteral("sent"));
    x.refs = { rfc4960(QStringLiteral("3"), QStringLiteral("SCTP packet format")),
        rfc4960(QStringLiteral("3.1"), QStringLiteral("SCTP common header field descriptions")),
        rfc4960(QStringLiteral("8.5"), QStringLiteral("Verification tag")) };
    if (!e.from.isEmpty() && e.from.contains(QLatin1Char(':')) && !e.from.startsWith(QLatin1String("[conn")))
        x.refs << rfc(6951, {}, QStringLiteral("UDP encapsulation of SCTP packets"));
    return x;
}

Explanation explainSctpChunk(const Event& e)
{
    Explanation x;
    const quint8 type = quint8(e.a);
    if (const ChunkInfo* c = chunkInfo(type)) {
        x.why = QStringLiteral("%1 %2. %3").arg(QLatin1String(c->name), e.dir == Dir::Rx ? QStringLiteral("received") : QStringLiteral("sent"),
            QLatin1String(c->tx));
        x.refs = { chunkRef(*c) };
        if (type == 0x01 || type == 0x02 || type == 0x0a || type == 0x0b)
            x.refs << rfc4960(QStringLiteral("5.1"), QStringLiteral("Normal establishment of an association"));
        else if (type == 0x03)
            x.refs << rfc4960(QStringLiteral("6.2"), QStringLiteral("Acknowledgement on reception of DATA chunks"));
        else if (type == 0x04 || type == 0x05)
            x.refs << rfc4960(QStringLiteral("8.3"), QStringLiteral("Path heartbeat"));
        else if (type == 0x06)
            x.refs << rfc4960(QStringLiteral("9.1"), QStringLiteral("Abort of an association"));
        else if (type == 0x07 || type == 0x08 || type == 0x0e)
            x.refs << rfc4960(QStringLiteral("9.2"), QStringLiteral("Shutdown of an association"));
        else if (type == 0x00)
            x.refs << rfc4960(QStringLiteral("6.1"), QStringLiteral("Transmission of DATA chunks"));
        else if (type == 0xc0)
            x.refs << rfc(3758, QStringLiteral("3.5"), QStringLiteral("Sender side implementation"));
        return x;
    }
    x.why = QStringLiteral("A chunk of type %1 that no RFC LadderLab knows defines; its two high bits tell a receiver that "
                           "does not know it whether to skip it and whether to report it.")
                .arg(type);
    x.refs = { rfc4960(QStringLiteral("3.2"), QStringLiteral("Chunk field descriptions")) };
    return x;
}

Explanation explainSctpRetransmission(const Event& e, const Context& context)
{
    Explanation x;
    const quint64 nth = quint64(context.countBefore(e, [&](const Event& p) {
        return p.kind == Kind::SctpRetransmission && p.object == e.object && p.c == e.c && p.dir == e.dir;
    })) + 1;
    const QString which = context.hasHistory() ? QStringLiteral("the %1 retransmission of TSN %2").arg(ordinal(nth)).arg(e.c)
                                               : QStringLiteral("a retransmission of TSN %1").arg(e.c);
    if (e.a == 1) {
        x.why = QStringLiteral("Fast retransmit, %1: SACKs reported it missing three times (gap blocks above it), so the "
                               "sender resends it at once, without waiting for T3-rtx, and enters Fast Recovery.")
                    .arg(which);
        x.refs = { rfc4960(QStringLiteral("7.2.4"), QStringLiteral("Fast retransmit on gap reports")) };
    } else if (e.a == 2) {
        x.why = QStringLiteral("Timeout retransmission, %1: the T3-rtx timer expired before a SACK covered it. The sender "
                               "doubles the RTO (back-off), sets cwnd to one MTU and resends the earliest outstanding DATA.")
                    .arg(which);
        x.refs = { rfc4960(QStringLiteral("6.3.3"), QStringLiteral("Handle T3-rtx expiration")),
            rfc4960(QStringLiteral("6.3.1"), QStringLiteral("RTO calculation")) };
    } else {
        x.why = QStringLiteral("%1, fast or timeout-driven (the capture does not say which).").arg(which.left(1).toUpper() + which.mid(1));
        x.refs = { rfc4960(QStringLiteral("6.3.3"), QStringLiteral("Handle T3-rtx expiration")),
            rfc4960(QStringLiteral("7.2.4"), QStringLiteral("Fast retransmit on gap reports")) };
    }
    return x;
}

Explanation explainSctpAbandon(const Event& e)
{
    Explanation x;
    const Reference abandoned = rfc(3758, QStringLiteral("3.4"), QStringLiteral("Definition of \"abandoned\" in the context of PR-SCTP"));
    const Reference sender = rfc(3758, QStringLiteral("3.5"), QStringLiteral("Sender side implementation"));
    const QString ctx = QStringLiteral("The message with context %1 on stream %2").arg(e.c).arg(e.b);
    switch (e.a) {
    case 1:
        x.why = ctx + QStringLiteral(" was sent with PR-SCTP TTL (timed reliability): its lifetime ran out before it was "
                                     "acknowledged, so the sender abandoned it and skips it with FORWARD-TSN.");
        x.refs = { abandoned, sender, rfc(7496, QStringLiteral("4"), QStringLiteral("Socket API considerations (SCTP_PR_SCTP_TTL)")) };
        break;
    case 2:
        x.why = ctx + QStringLiteral(" was sent with PR-SCTP BUF. As sctp_sendmsg(3) defines BUF, its value is a byte "
                                     "threshold on the send queue: a later BUF send found that many bytes or more queued, so "
                                     "the oldest BUF message already in flight was abandoned to make room (SEND_FAILED with its "
                                     "context, then FORWARD-TSN). usrsctp's own \"BUF\" is RFC 7496's priority policy "
                                     "(LadderLab's PRIO).");
        x.refs = { manSctpSendmsg(), abandoned, rfc(7496, QStringLiteral("3.2"), QStringLiteral("Priority policy")) };
        break;
    case 3:
        x.why = ctx + QStringLiteral(" was sent with PR-SCTP RTX (limited retransmissions): it was retransmitted as often as "
                                     "allowed and still not acknowledged, so the sender abandoned it at the next retransmission.");
        x.refs = { rfc(7496, QStringLiteral("3.1"), QStringLiteral("Limited retransmissions policy")), abandoned, sender };
        break;
    case 4:
        x.why = ctx + QStringLiteral(" was sent with PR-SCTP PRIO (RFC 7496's priority policy): the send buffer was full and a "
                                     "more important message (lower value) needed the room, so this less important one was "
                                     "abandoned.");
        x.refs = { rfc(7496, QStringLiteral("3.2"), QStringLiteral("Priority policy")), abandoned, sender };
        break;
    default:
        x.why = ctx + QStringLiteral(" was never delivered because the association ended with it still queued or "
                                     "unacknowledged; the stack reports it with SEND_FAILED_EVENT.");
        x.refs = { rfc6458(QStringLiteral("6.1.11"), QStringLiteral("SCTP_SEND_FAILED_EVENT")),
            rfc4960(QStringLiteral("9.1"), QStringLiteral("Abort of an association")) };
        break;
    }
    return x;
}

Explanation explainForwardTsn(const Event& e, const Context& context)
{
    Explanation x;
    const bool rx = e.dir == Dir::Rx;
    QStringList contexts;
    if (!rx)
        context.visitBefore(e, [&](const Event& p) {
            if (p.kind == Kind::SctpForwardTsn && p.object == e.object && p.dir == e.dir)
                return false; // abandons before the previous FORWARD-TSN were skipped by that one
            if (p.kind == Kind::SctpAbandon && p.object == e.object)
                contexts.prepend(QString::number(p.c));
            return contexts.size() < 20;
        });
    x.why = rx ? QStringLiteral("The peer abandoned PR-SCTP messages: the receiver moves its cumulative TSN to %1 as if it had "
                                "received everything up to it, and stops waiting for the skipped TSNs.")
                     .arg(e.c)
               : QStringLiteral("The sender abandoned PR-SCTP messages%1, so its Advanced.Peer.Ack.Point moved past them: "
                                "FORWARD-TSN tells the peer to move its cumulative TSN to %2 (rules C1–C5).")
                     .arg(contexts.isEmpty() ? QString() : QStringLiteral(" (context %1)").arg(contexts.join(QStringLiteral(", "))))
                     .arg(e.c);
    x.refs = { rfc(3758, rx ? QStringLiteral("3.6") : QStringLiteral("3.5"), rx ? QStringLiteral("Receiver side implementation") : QStringLiteral("Sender side implementation")),
        rfc(3758, QStringLiteral("3.2"), QStringLiteral("Forward Cumulative TSN Chunk Definition (FORWARD TSN)")) };
    return x;
}

Explanation explainAssociationState(const Event& e, const Context& context)
{
    Explanation x;
    x.transition = e.text;
    const QString to = e.text.mid(e.text.indexOf(QLatin1String("-> ")) + 3);
    const Reference diagram = rfc4960(QStringLiteral("4"), QStringLiteral("SCTP association state diagram"));
    const Reference setup = rfc4960(QStringLiteral("5.1"), QStringLiteral("Normal establishment of an association"));
    const Reference shutdown = rfc4960(QStringLiteral("9.2"), QStringLiteral("Shutdown of an association"));
    if (to.startsWith(QLatin1String("COOKIE-WAIT"))) {
        x.why = QStringLiteral("The association was asked for (connect or a first send): INIT went out and T1-init runs.");
        x.refs = { setup, diagram };
    } else if (to.startsWith(QLatin1String("COOKIE-ECHOED"))) {
        x.why = QStringLiteral("INIT ACK arrived: COOKIE ECHO went out with its State Cookie; T1-cookie runs.");
        x.refs = { setup, diagram };
    } else if (to.startsWith(QLatin1String("ESTABLISHED"))) {
        const auto last = context.lastBefore(e, [&](const Event& p) {
            return p.kind == Kind::SctpChunk && p.object == e.object && p.dir == Dir::Rx && (p.a == 0x0a || p.a == 0x0b);
        });
        x.why = last && last->a == 0x0b ? QStringLiteral("COOKIE ACK arrived: the initiator's handshake is complete (§5.1 step E).")
            : last                      ? QStringLiteral("A valid COOKIE ECHO arrived: the responder builds the association from the cookie (§5.1 step D).")
                                        : QStringLiteral("The four-way handshake (INIT, INIT ACK, COOKIE ECHO, COOKIE ACK) completed: "
                                                         "the responder on a valid COOKIE ECHO, the initiator on COOKIE ACK.");
        x.refs = { setup, diagram };
    } else if (to.startsWith(QLatin1String("SHUTDOWN-PENDING"))) {
        x.why = QStringLiteral("The user asked for a graceful close (SCTP_EOF or close) with data still outstanding: no new "
                               "data is accepted; SHUTDOWN goes when everything is acknowledged.");
        x.refs = { shutdown, diagram };
    } else if (to.startsWith(QLatin1String("SHUTDOWN-SENT"))) {
        x.why = QStringLiteral("All outstanding data was acknowledged: SHUTDOWN went out and T2-shutdown runs.");
        x.refs = { shutdown, diagram };
    } else if (to.startsWith(QLatin1String("SHUTDOWN-RECEIVED"))) {
        x.why = QStringLiteral("The peer sent SHUTDOWN: this side sends what it has outstanding, then SHUTDOWN ACK.");
        x.refs = { shutdown, diagram };
    } else if (to.startsWith(QLatin1String("SHUTDOWN-ACK-SENT"))) {
        x.why = QStringLiteral("Both sides are done: SHUTDOWN ACK went out, waiting for SHUTDOWN COMPLETE.");
        x.refs = { shutdown, diagram };
    } else if (to.startsWith(QLatin1String("ABORTED"))) {
        x.why = QStringLiteral("The association was lost (COMM_LOST): the peer sent ABORT, or a destination's retransmission "
                               "count passed Association.Max.Retrans.");
        x.refs = { rfc4960(QStringLiteral("9.1"), QStringLiteral("Abort of an association")),
            rfc4960(QStringLiteral("8.1"), QStringLiteral("Endpoint failure detection")), diagram };
    } else if (to.startsWith(QLatin1String("CLOSED"))) {
        x.why = e.text.contains(QLatin1String("socket closed"))
            ? QStringLiteral("The socket was closed: its associations end with it.")
            : QStringLiteral("The association closed: a graceful shutdown completed (SHUTDOWN COMPLETE) or its set-up failed.");
        x.refs = { shutdown, diagram };
    } else {
        x.why = QStringLiteral("The association's state changed.");
        x.refs = { diagram };
    }
    return x;
}

Explanation explainStreamState(const Event& e)
{
    Explanation x;
    Q_UNUSED(e);
    x.why = QStringLiteral("A stream of the association changed: streams number and order their messages independently, so "
                           "a loss on one stream does not hold up the others.");
    x.refs = { rfc4960(QStringLiteral("6.5"), QStringLiteral("Stream identifier and stream sequence number")) };
    return x;
}

Explanation explainNotification(const Event& e)
{
    Explanation x;
    const QString& t = e.text;
    switch (e.a) {
    case 0x0001:
        x.refs = { rfc6458(QStringLiteral("6.1.1"), QStringLiteral("SCTP_ASSOC_CHANGE")) };
        if (t.contains(QLatin1String("COMM_UP"))) {
            x.why = QStringLiteral("The association is up (COMM_UP): the handshake completed and data can flow.");
            x.refs << rfc4960(QStringLiteral("5.1"), QStringLiteral("Normal establishment of an association"));
        } else if (t.contains(QLatin1String("COMM_LOST"))) {
            x.why = QStringLiteral("The association is lost (COMM_LOST): an ABORT arrived or too many retransmissions failed.");
            x.refs << rfc4960(QStringLiteral("9.1"), QStringLiteral("Abort of an association")) << rfc4960(QStringLiteral("8.1"), QStringLiteral("Endpoint failure detection"));
        } else if (t.contains(QLatin1String("SHUTDOWN_COMP"))) {
            x.why = QStringLiteral("The graceful shutdown completed (SHUTDOWN_COMP).");
            x.refs << rfc4960(QStringLiteral("9.2"), QStringLiteral("Shutdown of an association"));
        } else if (t.contains(QLatin1String("CANT_STR_ASSOC"))) {
            x.why = QStringLiteral("The association could not be set up (CANT_STR_ASSOC): INIT or COOKIE ECHO went unanswered "
                                   "Max.Init.Retransmits times, or was refused.");
            x.refs << rfc4960(QStringLiteral("5.1"), QStringLiteral("Normal establishment of an association"));
        } else if (t.contains(QLatin1String("RESTART"))) {
            x.why = QStringLiteral("The peer restarted the association (a new INIT for the same addresses).");
            x.refs << rfc4960(QStringLiteral("5.2"), QStringLiteral("Handle duplicate or unexpected INIT, INIT ACK, COOKIE ECHO and COOKIE ACK"));
        } else {
            x.why = QStringLiteral("The association's state changed (SCTP_ASSOC_CHANGE).");
        }
        return x;
    case 0x0002:
        x.why = QStringLiteral("A peer address changed reachability or was added or removed: heartbeats or retransmissions "
                               "found a path failing or working again.");
        x.refs = { rfc6458(QStringLiteral("6.1.2"), QStringLiteral("SCTP_PEER_ADDR_CHANGE")), rfc4960(QStringLiteral("8.2"), QStringLiteral("Path failure detection")) };
        return x;
    case 0x0003:
        x.why = QStringLiteral("The peer reported an error with an ERROR chunk.");
        x.refs = { rfc6458(QStringLiteral("6.1.3"), QStringLiteral("SCTP_REMOTE_ERROR")), rfc4960(QStringLiteral("3.3.10"), QStringLiteral("Operation Error (ERROR)")) };
        return x;
    case 0x0004:
    case 0x000e:
        x.why = QStringLiteral("A message could not be delivered: PR-SCTP abandoned it under its policy, or the association "
                               "ended first. The notification gives back its context.");
        x.refs = { rfc6458(QStringLiteral("6.1.11"), QStringLiteral("SCTP_SEND_FAILED_EVENT")),
            rfc(3758, QStringLiteral("3.4"), QStringLiteral("Definition of \"abandoned\" in the context of PR-SCTP")) };
        return x;
    case 0x0005:
        x.why = QStringLiteral("The peer sent SHUTDOWN: it will send no more data (SHUTDOWN_EVENT).");
        x.refs = { rfc6458(QStringLiteral("6.1.5"), QStringLiteral("SCTP_SHUTDOWN_EVENT")), rfc4960(QStringLiteral("9.2"), QStringLiteral("Shutdown of an association")) };
        return x;
    case 0x0006:
        x.why = QStringLiteral("The peer announced an adaptation layer indication.");
        x.refs = { rfc6458(QStringLiteral("6.1.6"), QStringLiteral("SCTP_ADAPTATION_INDICATION")) };
        return x;
    case 0x0007:
        x.why = QStringLiteral("Partial delivery of a large message was aborted.");
        x.refs = { rfc6458(QStringLiteral("6.1.7"), QStringLiteral("SCTP_PARTIAL_DELIVERY_EVENT")) };
        return x;
    case 0x0008:
        x.why = QStringLiteral("An SCTP-AUTH key event.");
        x.refs = { rfc6458(QStringLiteral("6.1.8"), QStringLiteral("SCTP_AUTHENTICATION_EVENT")), rfc(4895, {}, QStringLiteral("Authenticated chunks for SCTP")) };
        return x;
    case 0x0009:
    case 0x000c:
    case 0x000d:
        x.why = QStringLiteral("A stream or association reset (RE-CONFIG) completed or changed the streams.");
        x.refs = { rfc(6525, e.a == 0x0009 ? QStringLiteral("6.1.1") : e.a == 0x000c ? QStringLiteral("6.1.2") : QStringLiteral("6.1.3"),
            e.a == 0x0009 ? QStringLiteral("SCTP_STREAM_RESET_EVENT") : e.a == 0x000c ? QStringLiteral("SCTP_ASSOC_RESET_EVENT") : QStringLiteral("SCTP_STREAM_CHANGE_EVENT")) };
        return x;
    case 0x000a:
        x.why = QStringLiteral("Everything the sender had sent was acknowledged and nothing is queued (SENDER_DRY).");
        x.refs = { rfc6458(QStringLiteral("6.1.9"), QStringLiteral("SCTP_SENDER_DRY_EVENT")) };
        return x;
    default:
        x.why = QStringLiteral("An SCTP notification (type %1) from the socket API.").arg(e.a);
        x.refs = { rfc6458(QStringLiteral("6.1"), QStringLiteral("SCTP_EVENT notifications")) };
        return x;
    }
}

namespace {
    bool looksSip(const QByteArray& raw) { return raw.startsWith("SIP/2.0") || raw.left(300).contains(" SIP/2.0\r\n"); }

    // What brings a lost or duplicated datagram back, by what it carried.
    void recovery(const QByteArray& raw, bool lost, Explanation& x)
    {
        if (raw.isEmpty())
            return;
        if (looksSip(raw)) {
            const SipHead h = sipHead(raw, {});
            if (!lost) {
                x.why += QStringLiteral(" The receiver's transaction layer matches the copy to the same transaction and absorbs "
                                        "it (a request copy may make the server resend its latest response).");
                x.refs << rfc3261(QStringLiteral("17.2.3"), QStringLiteral("Matching requests to server transactions"));
            } else if (h.request && h.method == "INVITE") {
                x.why += QStringLiteral(" Over UDP the INVITE client transaction's Timer A retransmits it.");
                x.refs << rfc3261(QStringLiteral("17.1.1.2"), QStringLiteral("INVITE client transaction, formal description"));
            } else if (h.request && h.method == "ACK") {
                x.why += QStringLiteral(" An ACK is never retransmitted on a timer: the 2xx (or 300–699) it answers comes again "
                                        "and is acknowledged again.");
                x.refs << rfc3261(QStringLiteral("13.2.2.4"), QStringLiteral("2xx responses"));
            } else if (h.request) {
                x.why += QStringLiteral(" Over UDP the client transaction's Timer E retransmits it.");
                x.refs << rfc3261(QStringLiteral("17.1.2.2"), QStringLiteral("Non-INVITE client transaction, formal description"));
            } else if (h.cseqMethod == "INVITE" && h.status >= 200) {
                x.why += h.status < 300 ? QStringLiteral(" The UAS retransmits its 2xx until the ACK comes.")
                                        : QStringLiteral(" The INVITE server transaction's Timer G retransmits it.");
                x.refs << (h.status < 300 ? rfc3261(QStringLiteral("13.3.1.4"), QStringLiteral("The INVITE is accepted"))
                                          : rfc3261(QStringLiteral("17.2.1"), QStringLiteral("INVITE server transaction")));
            } else {
                x.why += QStringLiteral(" A response is not retransmitted on its own: the client's retransmitted request "
                                        "makes the server send it again.");
                x.refs << rfc3261(QStringLiteral("17.2.2"), QStringLiteral("Non-INVITE server transaction"));
            }
            return;
        }
        if (lost) {
            x.why += QStringLiteral(" SCTP recovers lost DATA by fast retransmit (three gap reports) or the T3-rtx timeout; lost "
                                    "control chunks by their own timers.");
            x.refs << rfc4960(QStringLiteral("6.3.3"), QStringLiteral("Handle T3-rtx expiration"))
                   << rfc4960(QStringLiteral("7.2.4"), QStringLiteral("Fast retransmit on gap reports"));
        } else {
            x.why += QStringLiteral(" The SCTP receiver reports duplicated DATA in its next SACK's duplicate TSNs and delivers "
                                    "it once.");
            x.refs << rfc4960(QStringLiteral("6.2"), QStringLiteral("Acknowledgement on reception of DATA chunks"));
        }
    }
} // namespace

Explanation explainLinkDrop(const Event& e)
{
    Explanation x;
    const bool rule = e.text.startsWith(QLatin1String("fault rule"));
    const bool down = e.text.contains(QLatin1String(" is down"));
    x.why = rule ? QStringLiteral("A fault rule chose this datagram and the lab link dropped it (%1).").arg(e.text)
        : down   ? QStringLiteral("The lab link was down (a path failure on the lesson's schedule): everything sent on it is lost.")
                 : QStringLiteral("The lab link lost this datagram at random, at its loss rate (drawn from the lesson's seed, so the "
                                  "same seed loses the same datagrams).");
    if (!rule && e.text.contains(QLatin1String("had selected them")))
        x.why += QStringLiteral(" A fault rule had selected it too, but the link's state decided.");
    x.refs = { faultsDoc() };
    recovery(e.raw, true, x);
    return x;
}

Explanation explainLinkDuplicate(const Event& e)
{
    Explanation x;
    x.why = e.text.startsWith(QLatin1String("fault rule"))
        ? QStringLiteral("A fault rule chose this datagram to arrive twice (%1).").arg(e.text)
        : QStringLiteral("The lab link duplicated this datagram at random, at its duplication rate; the copy arrives up to "
                         "2 ms after the original.");
    x.refs = { faultsDoc() };
    recovery(e.raw, false, x);
    return x;
}

Explanation explainUserAction(const Event& e)
{
    Explanation x;
    const QString& t = e.text;
    if (t.startsWith(QLatin1String("fault rule"))) {
        x.why = QStringLiteral("A fault rule of this run acted on the datagram as it entered the lab link.");
        x.refs = { faultsDoc() };
    } else if (t.contains(QLatin1String("sctp_sendmsg"))) {
        x.why = QStringLiteral("A send on an SCTP socket, with sctp_sendmsg(3)'s arguments (stream, PPID, context, flags, PR-SCTP "
                               "policy and value); the stack queues the message as DATA.");
        x.refs = { manSctpSendmsg(), rfc(6458, QStringLiteral("9.7"), QStringLiteral("sctp_sendmsg()")) };
    } else if (t.contains(QLatin1String("send"))) {
        x.why = QStringLiteral("Something was sent on purpose, from the composer, the CLI or the lesson's script — not by a "
                               "protocol rule.");
        x.refs = { manSipSendmsg() };
    } else {
        x.why = QStringLiteral("An action of the user, the CLI or the lesson's script — not a protocol rule.");
    }
    return x;
}

Explanation explainError(const Event& e)
{
    Explanation x;
    const QString& t = e.text;
    x.why = QStringLiteral("The stack reports an error: the errno name says what class of failure, the sentence after it why.");
    if (t.contains(QLatin1String("discarded")))
        x.why = QStringLiteral("The journal reached its limits and discarded its oldest events (never silently: this event says so).");
    else if (t.contains(QLatin1String("transport")) && t.startsWith(QLatin1String("EIO")))
        x.refs = { rfc3261(QStringLiteral("17.1.4"), QStringLiteral("Handling transport errors")), rfc3261(QStringLiteral("18"), QStringLiteral("Transport")) };
    else if (t.contains(QLatin1String("SCTP"), Qt::CaseInsensitive) || t.contains(QLatin1String("association")))
        x.refs = { manSctpSendmsg() };
    else if (t.contains(QLatin1String("SIP")) || t.contains(QLatin1String("Via")) || t.contains(QLatin1String("transaction")))
        x.refs = { manSipSendmsg() };
    return x;
}

Explanation explainLog(const Event& e)
{
    Explanation x;
    static const char* const levels[] = { "debug", "information", "warning", "error" };
    x.why = QStringLiteral("A %1 message from the stack or the lab: a note, not a protocol event.").arg(QLatin1String(levels[std::min<quint64>(e.a, 3)]));
    if (e.text.contains(QLatin1String("fault rule")))
        x.refs = { faultsDoc() };
    return x;
}

} // namespace ladder::trace::explaindetail
