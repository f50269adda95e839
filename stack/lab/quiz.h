// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "sctp/snapshot.h"
#include "sip/snapshot.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace ladder::lab {

// "Predict the next event", the classroom mode: at a pause, the student says what the stack does
// next, from choices built from its real state, and roughly when; the lab steps and checks both
// against what then comes.
//
// SIP: each armed SIP timer (which one, of which transaction, due when); for each transaction still
// waiting for its final response, that a response to it arrives (client) or that it sends one
// (server), and that a client retransmits its request; a new request arriving; a request sent.
//
// SCTP, per association (named by id and local address), from its state (sctp::AssociationInfo:
// state, unacknowledged and pending chunks, PR-SCTP, paths' RTO, streams, the addresses that pair
// the two ends) and what the journal says up to the event paused at (the lowest TSN still
// outstanding, DATA received since its last SACK). DATA counts as
// outstanding when usrsctp's count says so or the journal does: the snapshot is read after the
// whole instant the pause is in, the question is asked at its event. T1-init (COOKIE-WAIT), T1-cookie
// (COOKIE-ECHOED), T3-rtx (DATA outstanding), T2-shutdown (SHUTDOWN-SENT, SHUTDOWN-ACK-SENT) and the
// heartbeat timer firing; a SACK arriving (DATA outstanding); DATA arriving (the peer has DATA
// outstanding); a fast retransmission of the lowest outstanding TSN; new DATA sent; a SACK sent (DATA
// received since the last one); a message abandoned and a FORWARD-TSN sent (PR-SCTP negotiated, data
// outstanding or queued); the next chunk of a shutdown, or an ABORT, while it closes.
//
// usrsctp exposes none of its timers (no getsockopt says which run or when they expire): an SCTP
// timer choice says "fires" with no time — only the path's RTO now, which is the timer's length
// when it is next started. Its firing is recognised by what it makes usrsctp do, as the breakpoints
// recognise it (breakpoint.h): T3-rtx a retransmission by timeout, T1-init an INIT sent, T1-cookie
// a COOKIE-ECHO, T2-shutdown a SHUTDOWN or SHUTDOWN-ACK sent again, heartbeat a HEARTBEAT sent.
struct Prediction {
    enum class What : quint8 {
        TimerFires, // timer, transaction
        ResponseArrives, // a response to client transaction `transaction` arrives
        ResponseSent, // server transaction `transaction` sends a response
        Retransmits, // client transaction `transaction` retransmits its request
        RequestArrives, // a request arrives (a new one, or a retransmission of one we know)
        RequestSent, // a request is sent (a new one, an ACK, a CANCEL)
        // SCTP, of association `association`:
        SctpTimerFires, // timer "T3-rtx", "T1-init", "T1-cookie", "T2-shutdown" or "heartbeat"
        SctpSackArrives, // a SACK arrives at it
        SctpDataArrives, // DATA arrives at it
        SctpFastRetransmits, // it retransmits DATA (TSN `tsn`, -1: any) not by its T3-rtx
        SctpSendsData, // it sends new DATA (not a retransmission)
        SctpSendsSack, // it sends a SACK (without DATA)
        SctpSendsForwardTsn, // it sends a FORWARD-TSN
        SctpAbandons, // it abandons a message (PR-SCTP)
        SctpSendsChunk, // it sends a chunk of type `chunkType` (SHUTDOWN…, ABORT)
        SctpChunkArrives, // a chunk of type `chunkType` arrives at it (INIT-ACK, COOKIE-ACK: its handshake)
        // An INIT arrives at a listening socket — no association there yet (`association` 0): the
        // socket of port `port` on the host whose lane is `lane` ("10.0.0.2:9899").
        SctpInitArrives,
    };
    What what = What::TimerFires;
    QString timer; // TimerFires: "A", "B", "K"…; SctpTimerFires: "T3-rtx"…
    quint64 transaction = 0; // whose (TimerFires, ResponseArrives, ResponseSent, Retransmits)
    quint64 association = 0; // whose (the Sctp… ones)
    qint64 tsn = -1; // SctpFastRetransmits: the TSN (-1: any)
    quint8 chunkType = 0; // SctpSendsChunk
    QString lane; // SctpInitArrives: the listener's host, as the journal's lanes name it
    quint16 port = 0; // SctpInitArrives: the listener's SCTP port
    qint64 dueNs = -1; // TimerFires: when it is due (SCTP timers: -1, usrsctp does not say)
    QString text; // what the student reads: "Timer A of the INVITE client (#1) fires at 1.500 s"

    // Whether the event that came next is this prediction come true.
    bool holds(const trace::Event& next) const;
    // Whether the next happening is this prediction come true: the events of one SCTP packet (the
    // packet event and its chunks, retransmissions and FORWARD-TSN — quizHappening()), or one event.
    // An SCTP packet counts as one thing happening, the first that applies of: a T3-rtx expiry (a
    // retransmission by timeout), an INIT, COOKIE-ECHO, ABORT, SHUTDOWN, SHUTDOWN-ACK or
    // SHUTDOWN-COMPLETE sent, a FORWARD-TSN sent, a retransmission not by timeout, new DATA sent, a
    // HEARTBEAT sent, a SACK sent; received: a SACK arriving, DATA arriving, another chunk arriving.
    // So at most one choice holds.
    bool holds(const QList<trace::Event>& happening) const;
};

// What the SCTP choices need from the journal, fed one event at a time (in order) up to the event
// the question is asked at.
class SctpQuizHistory {
public:
    void feed(const trace::Event& e);

    struct Association {
        QString lane; // its endpoint as the journal's lanes name it ("10.0.0.1:9899")
        QString peerLane;
        quint32 ownTag = 0, peerTag = 0; // verification tags on the packets it receives, sends (0: none yet)
        QSet<quint32> sentTsns; // DATA TSNs it sent
        bool haveCumAck = false;
        quint32 cumAck = 0; // the highest cumulative TSN acknowledged to it or skipped by its FORWARD-TSN
        bool receivedData = false;
        qint64 unsackedSinceNs = -1; // DATA received since the last SACK it sent: the first one's time
        bool ended = false; // an ABORT or SHUTDOWN-COMPLETE sent or received
        quint8 awaiting = 0; // the handshake chunk it waits for: INIT-ACK after its INIT, COOKIE-ACK after its COOKIE-ECHO
        quint16 peerPort = 0; // the destination port of the packets it sends (its INIT's: the listener's)
    };
    const Association* association(quint64 id) const;
    // The lowest TSN it sent that is above its cumulative ack point, or -1.
    qint64 lowestOutstanding(quint64 id) const;

private:
    QHash<quint64, Association> m_associations;
};

// The choices at this instant, from the merged SIP snapshot: the armed timers soonest first, then
// per transaction waiting for a final response (by id) its response or retransmission, then a
// request arriving and a request sent. At most one holds for a SIP message or timer firing (a
// response no waiting transaction expects, such as a retransmitted 2xx, matches none).
QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot);
// With SCTP: the SIP timers (soonest first), the SCTP timers (no time: usrsctp does not say), the
// SIP transactions' choices, the SCTP associations' (by id), then — unless the run has no SIP at
// all but has associations — a request arriving and a request sent.
QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot, const QList<sctp::AssociationInfo>& associations,
    const SctpQuizHistory& history);

// Whether an event decides a question: a SIP message or timer firing, an SCTP packet or chunk (sent
// or received), an SCTP retransmission, FORWARD-TSN or abandon. State changes, timers armed, log
// lines and the like are stepped over.
bool decidesQuiz(const trace::Event& e);
// The happening an event starts (events[index], the first of events to look at): with the events
// after it that belong to the same SCTP packet (same time, chunks and derived events up to the next
// packet or another kind), or the event alone.
QList<trace::Event> quizHappening(const QList<trace::Event>& events, qsizetype index);
// Whether events[index] belongs to the same SCTP packet as events[asked] (asked < index): the rest
// of the packet a question was asked at is not what comes next.
bool samePacket(const QList<trace::Event>& events, qsizetype asked, qsizetype index);

// What a happening was, for the student and the CSV: "sip.timer.fired A at 0.500 s", "sctp.packet
// DATA … (timeout retransmission of TSN 5 (SID 0)) at 1.200 s".
QString describeHappening(const QList<trace::Event>& happening);

// How many events from events[index] on belong to its SCTP packet (itself included, so >= 1): a
// question asked at an SCTP packet's event is asked once the whole packet is there.
qsizetype packetLength(const QList<trace::Event>& events, qsizetype index);

// "Roughly when": the second question, buckets of the time from the question to the answer's event.
// Index 0 says nothing; then the same instant, under 0.2 s, 0.2–1 s, 1–5 s, more than 5 s.
QStringList whenChoices();
// The bucket (1…5) of a delay in ns (>= 0).
int whenBucket(qint64 delayNs);

// One answered question.
struct QuizAnswer {
    qint64 askedAtNs = 0;
    QStringList choices;
    int chosen = -1;
    QString actual; // the event that came: "sip.timer.fired A (transaction 1) at 1.500 s"
    bool correct = false;
    int when = 0; // whenChoices() index: 0 not said
    qint64 actualAfterNs = -1; // the event's time minus askedAtNs; -1: nothing came
    bool whenCorrect() const { return when > 0 && actualAfterNs >= 0 && whenBucket(actualAfterNs) == when; }
};

// The answers of one class session, exported for the teacher as CSV (RFC 4180: fields with a comma,
// quote or line break quoted, quotes doubled):
//   asked_at_s,question,choices,answer,actual,correct,when,actual_after_s,when_correct
// when: the bucket chosen (empty: not said); actual_after_s: how long after the question the event
// came (empty: nothing came); when_correct: yes, no, or empty when no time was said.
QString quizCsv(const QList<QuizAnswer>& answers);

} // namespace ladder::lab
