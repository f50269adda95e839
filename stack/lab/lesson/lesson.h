// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Lessons as files (issue 22): the lesson format, version 1, documented in docs/LESSONS.md.
// A lesson file is a JSON object; LessonFile reads one and says precisely what is wrong with a bad
// one ("my.json:14: links[0].loss: expected a number from 0 to 100").

#include "core/link.h"
#include "lab/faultrule.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ladder::lab {

struct LessonPeer {
    enum class Kind { SipUac, SipUas, Sctp, SipRegistrar, SipProxy };
    Kind kind = Kind::SipUac;
    QString name; // the lane label, "alice"
    QString host; // "10.0.0.1" (SIP: port 5060; SCTP: the side of a lab link pair, shared by the host's sockets)
    // sip-uas: how it answers (peers::SipUas::Answer)
    bool ring = true;
    qint64 answerAfterMs = 1000;
    int status = 200; // 0: never answers an INVITE
    qint64 nonInviteAfterMs = 0;
    bool stackTags = false; // "stack_tags": responses through SipStack::reply (its To tags), not the peer's seeded ones
    // sip-registrar: the longest binding it grants (peers::Registrar), seconds
    quint32 maxExpires = 3600;
    // sip-proxy: the peers it forks a request for its own domain to (peers::ForkingProxy), in order
    QStringList targets;
    // sip-registrar "auth": Digest challenges in this realm (empty: none), users -> passwords
    QString authRealm;
    QHash<QString, QString> authUsers;
    // sctp: one socket (sctp::Endpoint) on its host's side of the lab link pair
    bool oneToMany = false; // SOCK_SEQPACKET; false: one-to-one (SOCK_STREAM)
    quint16 port = 0; // 0: an ephemeral port
    bool listen = false; // accepts associations (one-to-one: each on its own socket)
    int outStreams = -1, inStreams = -1; // SCTP_INITMSG; negative: usrsctp's default
    bool prSupported = true; // SCTP_PR_SUPPORTED
    int rtoInitialMs = 100, rtoMinMs = 50, rtoMaxMs = 400; // as the built-in SCTP peers
    int sendBuffer = 0; // SO_SNDBUF; 0: usrsctp's default
    int heartbeatMs = -1, pathMaxRetrans = 5; // SCTP_PEER_ADDR_PARAMS; negative: usrsctp's default
    bool echo = false; // a listener that sends every message back (peers::SctpEcho)
    bool composer = false; // the composer's socket: opened, never read nor acted on by the lesson
    bool prGiven = false; // "pr_sctp" was given (a composer's socket keeps usrsctp's defaults otherwise)
};

struct LessonOutage {
    qint64 atMs = 0;
    qint64 forMs = -1; // negative: for the rest of the run
};

struct LessonLink {
    QString from, to; // peer names
    bool oneWay = false; // false: the same parameters (and outages) both ways
    LinkParams params;
    QList<LessonOutage> down;
    // SIP links: the transports wired between the two peers, in this order ("udp", "tcp"); each
    // gets a lab link of its own with the same parameters and outages. Default: UDP alone.
    QStringList transports { QStringLiteral("udp") };
};

struct LessonExpectation {
    enum class Kind { Count, Abandoned, Finding, Outcome, Delivered, Retransmissions };
    Kind kind = Kind::Count;
    QString says; // the teacher's words for it, "INVITE sent 4 times"; generated when empty
    QString where; // "expect[2]", for messages
    // count
    QString selector; // a breakpoint rule without nth: "send sip:INVITE"
    enum class Compare { Equals, AtLeast, AtMost } compare = Compare::Equals;
    qint64 number = 0;
    // abandoned
    qint64 context = -1, stream = -1;
    int policy = 0; // 0 any, 1 ttl, 2 buf, 3 rtx, 4 prio
    // delivered: messages an SCTP peer received, optionally only on `stream`, containing `text`,
    // unordered (1) or ordered (0) ones (-1 either); compared to `number` as a count
    QString peer;
    int unordered = -1;
    // "out_of_order" (a Delivered expectation with this set): instead of the messages, those of them
    // received after one sent later (a lower TSN after a higher one on the same association)
    bool outOfOrder = false;
    // retransmissions: DATA retransmissions (SctpRetransmission events), all (0), fast (1), by timeout (2)
    int retransmissionKind = 0;
    // finding: a finding of the exchange contains this text; outcome: the exchange judged ok (true) or not
    QString text;
    bool ok = true;
    // Canonical description: "send sip:INVITE = 4".
    QString describe() const;
    QString compareSign() const; // "=", ">=", "<="
};

// A condition on the SCTP peers' state, checked on the lab tick (every 20 ms of the run, docs/LESSONS.md
// "The lab tick"): an action's "after" with "up" or "down", and the lesson's "ends". Every part given
// must hold; it is met on the first tick they all do, and acts on the first tick at least delayMs later.
struct LessonTrigger {
    QStringList up; // sctp peers with an established association (a listener: one it took)
    QStringList down; // sctp peers whose association ended (SHUTDOWN-COMPLETE, ABORT, lost)
    QList<LessonExpectation> delivered; // each: that peer has received `number` matching messages
    int ranAction = -1; // "ran": action ranAction (from 0) ran at least ranMs ago; -1: no such part
    qint64 ranMs = 0;
    qint64 delayMs = 0;
    bool isEmpty() const { return up.isEmpty() && down.isEmpty() && delivered.isEmpty() && ranAction < 0; }
    QString describe() const; // "sctp-a up, 60 delivered to sctp-b"
};

struct LessonAction {
    // The SIP kinds before the SCTP ones: "kind >= SctpConnect" tells them apart.
    enum class Kind { Call, Request, Send, Register, SctpConnect, SctpSendmsg, SctpShutdown, SctpAbort, SctpSocket, Link };
    qint64 atMs = 0;
    QString peer; // a sip-uac
    Kind kind = Kind::Call;
    QString to; // the peer it goes to
    QByteArray requestUri; // call, request: "sip:NAME@HOST" when empty
    qint64 hangUpAfterMs = 1000; // call
    qint64 cancelAfterMs = -1; // call
    qint64 endAfterFinalMs = -1; // call: the run ends this long after the INVITE's final response (negative: when all is done)
    bool dialogOnFork = false; // call, send (SIP_DIALOG_ON_FORK)
    bool stateful = true; // send (SIP_SEND_STATEFUL)
    bool tcp = false; // call, request: over TCP ("transport": "tcp"); the link must carry it
    QByteArray method = "OPTIONS"; // request ("REGISTER" for register)
    // register: the address-of-record (the To URI; "sip:NAME@HOST" of the peer when empty), the
    // Contact header's value (none: a query of the bindings) and Expires (negative: no header).
    // The peer keeps one Call-ID and From tag per registrar and counts CSeq up (RFC 3261 §10.2.4).
    QByteArray aor;
    QByteArray contact;
    qint64 expires = -1;
    // register "credentials": answer a 401 or 407 once with Digest credentials (empty user: none)
    QByteArray user, password;
    QByteArray text; // send: the message, lines joined with CRLF
    // sctp_sendmsg(3): `to` (a peer, optional), the data (text padded to `size` bytes; "${n}" is the
    // message's number), repeated `repeat` times with context + n
    QByteArray data;
    int size = 0;
    int repeat = 1;
    quint32 ppid = 0; // the number on the wire (network byte order)
    quint32 sctpFlags = 0; // sctp::flag bits and the PR-SCTP policy in the low four
    quint16 stream = 0;
    quint32 timetolive = 0;
    quint32 context = 0;
    quint32 contextStep = 1; // the n-th call's context is context + n * contextStep
    char pad = '.'; // the byte `size` pads the data with
    qint64 everyMs = 0; // repeat: the n-th call on the first lab tick at least n * everyMs after the first (0: all at once)
    // SCTP actions: "after": {"up": [...], "down": [...], "delivered": ..., "delay_ms": D} — a state
    // trigger checked on the lab tick; the action runs on a tick (hasAfter is set too)
    bool onTick = false;
    LessonTrigger tickTrigger;
    // "link": the direction(s) from -> to (both unless one_way) get these parameters, as a "links"
    // entry gives them (loss/delay_ms not given: the lesson's defaults; --loss/--delay replace them)
    LessonLink link;
    // SCTP actions: "after": {"delivered": {...}, "count": N, "delay_ms": D} instead of at_ms —
    // the action runs D ms after the sctp peer afterDelivered.peer has received the N-th message
    // matching the filter (afterDelivered: a Delivered expectation, number = N, compare AtLeast).
    bool hasAfter = false;
    LessonExpectation afterDelivered;
    qint64 afterDelayMs = 0;
    // SIP actions: "after": {"answered": N, "delay_ms": D} instead of at_ms — the action runs D ms
    // after the request of the earlier action N (afterAnswered = N - 1) got a 2xx final response;
    // never when it got another or none. -1: not that kind of "after".
    int afterAnswered = -1;
};

struct Lesson {
    static constexpr int kVersion = 1;
    QString path; // where it was read from (":/lessons/x.json" for a built-in one)
    QString name, title, summary, text;
    double lossPct = -1; // defaults; negative: none given
    qint64 delayMs = -1;
    double durationS = 40;
    QString exchange; // a built-in exchange in C++ ("invite-lossy-udp"), or empty: declarative
    QList<LessonPeer> peers;
    QHash<QString, qsizetype> peerIndex; // name -> index in peers (LessonFile fills it)
    QList<LessonLink> links;
    QList<LessonAction> actions;
    QList<FaultRule> faults;
    QStringList faultTexts;
    QList<LessonExpectation> expectations;
    // "ends": when the run ends. Settled: every action has run and (SCTP) every association is
    // closed or idle, (SIP) every transaction has its final response; Never: only at the duration
    // (or when stopped); When: every action has run and `endsWhen` is met (on the lab tick).
    enum class Ends { Settled, Never, When } ends = Ends::Settled;
    LessonTrigger endsWhen;
    // sctp peer that is the composer's socket ("composer": true), or empty
    QString composerSctp;

    // The peer of that name, or nullptr: by peerIndex (a lesson file of 4 MiB may name tens of
    // thousands), by a scan when peerIndex does not cover peers (a Lesson built in code).
    const LessonPeer* peerNamed(const QString& name) const
    {
        if (peerIndex.size() == peers.size()) {
            const auto it = peerIndex.constFind(name);
            return it == peerIndex.cend() ? nullptr : &peers[*it];
        }
        for (const LessonPeer& p : peers)
            if (p.name == name)
                return &p;
        return nullptr;
    }
};

class LessonFile {
public:
    // Reads a lesson from JSON text; fileName names it in errors. On failure returns nothing and
    // sets *error to "FILE:LINE: FIELD: what is wrong" (LINE of the field's key when it can be found).
    static std::optional<Lesson> parse(const QByteArray& json, const QString& fileName, QString* error);
    // Reads the file (a path or a ":/lessons/…" resource).
    static std::optional<Lesson> load(const QString& path, QString* error);
    // The resource of a built-in lesson, ":/lessons/NAME.json".
    static QString builtinPath(const QString& name);
};

} // namespace ladder::lab
