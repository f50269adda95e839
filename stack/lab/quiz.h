// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "sip/snapshot.h"

#include <QList>
#include <QString>

namespace ladder::lab {

// "Predict the next event", the classroom mode: at a pause, the student says what the stack does
// next, from choices built from its real state — each armed SIP timer (which one, of which
// transaction, due when); for each transaction still waiting for its final response, that a
// response to it arrives (client) or that it sends one (server), and that a client retransmits its
// request; a new request arriving; a request sent — and the lab steps and checks the answer
// against the SIP event that then comes.
struct Prediction {
    enum class What : quint8 {
        TimerFires, // timer, transaction
        ResponseArrives, // a response to client transaction `transaction` arrives
        ResponseSent, // server transaction `transaction` sends a response
        Retransmits, // client transaction `transaction` retransmits its request
        RequestArrives, // a request arrives (a new one, or a retransmission of one we know)
        RequestSent, // a request is sent (a new one, an ACK, a CANCEL)
    };
    What what = What::TimerFires;
    QString timer; // TimerFires: "A", "B", "K"…
    quint64 transaction = 0; // whose (TimerFires, ResponseArrives, ResponseSent, Retransmits)
    qint64 dueNs = -1; // TimerFires: when it is due
    QString text; // what the student reads: "Timer A of the INVITE client (#1) fires at 1.500 s"

    // Whether the event that came next is this prediction come true.
    bool holds(const trace::Event& next) const;
};

// The choices at this instant, from the merged SIP snapshot: the armed timers soonest first, then
// per transaction waiting for a final response (by id) its response or retransmission, then a
// request arriving and a request sent. At most one holds for a SIP message or timer firing (a
// response no waiting transaction expects, such as a retransmitted 2xx, matches none).
QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot);

// One answered question.
struct QuizAnswer {
    qint64 askedAtNs = 0;
    QStringList choices;
    int chosen = -1;
    QString actual; // the event that came: "sip.timer.fired A (transaction 1) at 1.500 s"
    bool correct = false;
};

// The answers of one class session, exported for the teacher as CSV (RFC 4180: fields with a comma,
// quote or line break quoted, quotes doubled):
//   asked_at_s,question,choices,answer,actual,correct
QString quizCsv(const QList<QuizAnswer>& answers);

} // namespace ladder::lab
