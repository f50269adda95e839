// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "sip/snapshot.h"

#include <QList>
#include <QString>

namespace ladder::lab {

// "Predict the next event", the classroom mode: at a pause, the student says what the stack does
// next, from choices built from its real state — each armed SIP timer (which one, of which
// transaction, due when), a message arriving before any of them, a message sent — and the lab
// steps and checks the answer against the event that then comes.
struct Prediction {
    enum class What : quint8 { TimerFires, MessageArrives, MessageSent };
    What what = What::TimerFires;
    QString timer; // TimerFires: "A", "B", "K"…
    quint64 transaction = 0; // TimerFires: whose
    qint64 dueNs = -1; // TimerFires: when it is due
    QString text; // what the student reads: "Timer A of the INVITE client (#1) fires at 1.500 s"

    // Whether the event that came next is this prediction come true.
    bool holds(const trace::Event& next) const;
};

// The choices at this instant, from the merged SIP snapshot: the armed timers soonest first, then
// "a message arrives first" and "a message is sent first" (retransmissions count).
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
