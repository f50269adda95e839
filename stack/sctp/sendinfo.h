// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace ladder::sctp {

// Where an SCTP endpoint is: a host (a lab side's name or an IP address for UDP encapsulation)
// and an SCTP port.
struct Address {
    QString host;
    quint16 port = 0;

    QString toString() const;
    // "HOST:PORT" or "[v6]:PORT"; nullopt when it does not parse.
    static std::optional<Address> parse(const QString& text);
    bool operator==(const Address&) const = default;
};

// The flag values of sctp_sendmsg(3) (sinfo_flags); the low four bits carry the PR-SCTP policy.
namespace flag {
    enum : quint32 {
        Eof = 0x0100,
        Abort = 0x0200,
        Unordered = 0x0400,
        AddrOver = 0x0800,
        SendAll = 0x1000,
        SackImmediately = 0x4000,
        PolicyMask = 0x000f,
    };
}

// PR-SCTP policies, in the low four bits of flags (sctp_sendmsg(3)'s SCTP_PR_SCTP_TTL, _BUF, _RTX).
// Prio is LadderLab's own value 4, not a FreeBSD flag: RFC 7496's priority policy, which FreeBSD
// and usrsctp give the BUF bits (2). sctp_sendmsg(3) gives BUF a different meaning — a byte
// threshold — and that is what Buf does here; Prio keeps the RFC's reading reachable by name.
enum class PrPolicy : quint8 { None = 0, Ttl = 1, Buf = 2, Rtx = 3, Prio = 4 };
QString policyName(PrPolicy policy);

// The arguments of sctp_sendmsg(3) / sctp_sendmsgx(3) besides the data, word for word:
// to (sctp_sendmsg) or addresses (sctp_sendmsgx), ppid, flags, stream_no, timetolive, context.
// As in FreeBSD, the PR-SCTP policy travels in the low bits of flags with its value in timetolive:
// - TTL: milliseconds the message may wait for its acknowledgement;
// - BUF: as sctp_sendmsg(3) says, "a total number of bytes allowed on the outbound send queue. If
//   that number or more bytes are in queue, then other buffer based sends are looked to be removed
//   and skipped" — the association's oldest BUF message is abandoned for the new one (SEND_FAILED
//   with its context, FORWARD-TSN on the wire). usrsctp 0.9.5.0 can only safely abandon what it has
//   already sent (pruning a chunk still in its send queue crashes it), so a BUF message not yet
//   sent is kept and the journal's log says none could be abandoned (docs/ARCHITECTURE.md);
// - RTX: the number of retransmissions allowed;
// - Prio (LadderLab's 4): RFC 7496's priority, lower is more important: when the send buffer is
//   full, Prio/BUF messages in flight with a larger value are abandoned to make room (those not
//   yet sent are kept, for the same reason).
// Without a policy flag timetolive means nothing: "If none of these options are set, then data is
// never skipped over."
struct SendInfo {
    std::optional<Address> to;
    // sctp_sendmsgx(3): "allows a caller to implicitly set up an association passing multiple
    // addresses as if sctp_connectx() had been called". LadderLab's own endpoints run over AF_CONN,
    // where an association has one path: several distinct addresses are EINVAL there (the reason
    // says so); sctp::MultiHomedPair and `ladderctl send sctp --to A,B` run it on usrsctp's UDP
    // encapsulation, where it sets up one association with each address a path.
    QList<Address> addresses;
    // Passed "without regard to byte order" (sctp_sendmsg(3)): these 32 bits go into the DATA
    // chunk as they are in memory. For Wireshark to show N, give qToBigEndian(N).
    quint32 ppid = 0;
    quint32 flags = 0;
    quint16 stream = 0;
    quint32 timetolive = 0;
    quint32 context = 0;
    // One-to-many only, instead of an address: the association (our id) to send on.
    quint64 association = 0;

    PrPolicy policy() const { return PrPolicy(flags & flag::PolicyMask); }
    SendInfo& setPolicy(PrPolicy p, quint32 value)
    {
        flags = (flags & ~quint32(flag::PolicyMask)) | quint32(p);
        timetolive = value;
        return *this;
    }
    // "UNORDERED|EOF, PR TTL 100 ms"
    QString describeFlags() const;
    // Why sctp_sendmsg(3) refuses these flags with EINVAL before anything is sent — flag bits it
    // does not know, a PR-SCTP policy beyond RTX and LadderLab's Prio, SCTP_EOF with SCTP_ABORT — or empty if it does not.
    QString flagsError() const;
};

// One message as recvv returned it.
struct ReceivedMessage {
    QByteArray data;
    quint64 association = 0;
    Address from;
    quint16 stream = 0;
    quint16 ssn = 0;
    quint32 ppid = 0; // the DATA chunk's 32 bits as they came (no byte order), as SendInfo::ppid
    quint32 tsn = 0;
    bool unordered = false;
};

} // namespace ladder::sctp

Q_DECLARE_METATYPE(ladder::sctp::Address)
Q_DECLARE_METATYPE(ladder::sctp::ReceivedMessage)
