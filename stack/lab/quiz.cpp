// SPDX-License-Identifier: GPL-3.0-or-later
#include "quiz.h"

#include <algorithm>

namespace ladder::lab {

namespace {
    QString seconds(qint64 ns) { return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }

    QString csvField(QString s)
    {
        if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))
            && !s.contains(QLatin1Char('\r')))
            return s;
        s.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + s + QLatin1Char('"');
    }
} // namespace

bool Prediction::holds(const trace::Event& next) const
{
    const bool response = next.text.startsWith(QLatin1String("SIP/2.0"));
    switch (what) {
    case What::TimerFires:
        return next.kind == trace::Kind::TimerFired && next.text == timer && next.object == transaction;
    case What::ResponseArrives:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Rx && response && next.object == transaction;
    case What::ResponseSent:
        return (next.kind == trace::Kind::SipMessage || next.kind == trace::Kind::SipRetransmission)
            && next.dir == trace::Dir::Tx && response && next.object == transaction;
    case What::Retransmits:
        return next.kind == trace::Kind::SipRetransmission && next.dir == trace::Dir::Tx && !response
            && next.object == transaction;
    case What::RequestArrives:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Rx && !response;
    case What::RequestSent:
        return next.kind == trace::Kind::SipMessage && next.dir == trace::Dir::Tx && !response;
    }
    return false;
}

QList<Prediction> predictionsFrom(const sip::StackSnapshot& snapshot)
{
    QList<Prediction> out;
    for (const sip::TransactionSnapshot& t : snapshot.transactions) {
        if (t.terminated)
            continue;
        for (const sip::TimerSnapshot& timer : t.timers) {
            if (timer.name.isEmpty() || !timer.name.at(0).isLetter() || timer.name.size() != 1)
                continue; // RFC 3261's lettered timers; the stack's own (100 Trying delay) are not asked
            Prediction p;
            p.what = Prediction::What::TimerFires;
            p.timer = timer.name;
            p.transaction = t.id;
            p.dueNs = timer.dueNs;
            p.text = QStringLiteral("Timer %1 of the %2 (#%3) fires, at %4")
                         .arg(timer.name, t.kind)
                         .arg(t.id)
                         .arg(seconds(timer.dueNs));
            out << p;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Prediction& a, const Prediction& b) { return a.dueNs < b.dueNs; });
    // The transactions still waiting for their final response, oldest first.
    QList<sip::TransactionSnapshot> waiting;
    for (const sip::TransactionSnapshot& t : snapshot.transactions)
        if (!t.terminated && t.lastStatus < 200)
            waiting << t;
    std::stable_sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const sip::TransactionSnapshot& t : std::as_const(waiting)) {
        Prediction p;
        p.transaction = t.id;
        if (t.role == QLatin1String("client")) {
            p.what = Prediction::What::ResponseArrives;
            p.text = QStringLiteral("A response to the %1 (#%2) arrives").arg(t.kind).arg(t.id);
            out << p;
            if (!t.reliable) { // over TCP or SCTP the transport retransmits, not the transaction
                p.what = Prediction::What::Retransmits;
                p.text = QStringLiteral("The %1 (#%2) retransmits its %3").arg(t.kind).arg(t.id).arg(t.method);
                out << p;
            }
        } else {
            p.what = Prediction::What::ResponseSent;
            p.text = QStringLiteral("The %1 (#%2) sends a response").arg(t.kind).arg(t.id);
            out << p;
        }
    }
    Prediction arrives;
    arrives.what = Prediction::What::RequestArrives;
    arrives.text = QStringLiteral("A request arrives");
    out << arrives;
    Prediction sent;
    sent.what = Prediction::What::RequestSent;
    sent.text = QStringLiteral("A request is sent (a new one, an ACK or a CANCEL)");
    out << sent;
    return out;
}

QString quizCsv(const QList<QuizAnswer>& answers)
{
    QString csv = QStringLiteral("asked_at_s,question,choices,answer,actual,correct\r\n");
    for (const QuizAnswer& a : answers) {
        csv += QStringList { QString::number(double(a.askedAtNs) / 1e9, 'f', 3),
                   csvField(QStringLiteral("What happens next?")), csvField(a.choices.join(QStringLiteral(" | "))),
                   csvField(a.chosen >= 0 && a.chosen < a.choices.size() ? a.choices.at(a.chosen) : QString()),
                   csvField(a.actual), a.correct ? QStringLiteral("yes") : QStringLiteral("no") }
                   .join(QLatin1Char(','))
            + QStringLiteral("\r\n");
    }
    return csv;
}

} // namespace ladder::lab
