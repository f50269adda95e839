// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Two SIP stacks ("uac" 10.0.0.1:5060 and "uas" 10.0.0.2:5060) joined by a pair of lab links, on a
// virtual-time scheduler: every timer in a test fires at its exact RFC 3261 instant, instantly.

#include "core/scheduler.h"
#include "core/link.h"
#include "sip/message/builder.h"
#include "sip/transaction/inviteclienttransaction.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"
#include "journal/journal.h"

#include <QList>

#include <memory>

namespace ladder::sip::test {

constexpr qint64 kMs = 1'000'000;
constexpr qint64 kSec = 1'000'000'000;

struct Side {
    std::unique_ptr<SipStack> stack;
    LabTransport* transport = nullptr;
    QList<Incoming> requests;
    QList<Incoming> responses;
    QList<QString> timeouts;
    int autoAnswer = 0; // answer every new request (not ACK/CANCEL) with this status; 0 = do not
};

class LabPair {
public:
    explicit LabPair(TransportType type = TransportType::Udp, ladder::LinkParams uacToUas = {},
        ladder::LinkParams uasToUac = {})
        : scheduler(Scheduler::Mode::Virtual)
        , ab(scheduler, 1, uacToUas, QStringLiteral("uac->uas"))
        , ba(scheduler, 2, uasToUac, QStringLiteral("uas->uac"))
    {
        ab.setJournal(&journal, 1);
        ba.setJournal(&journal, 2);
        setUp(uac, QStringLiteral("uac"), { QStringLiteral("10.0.0.1"), 5060 }, type);
        setUp(uas, QStringLiteral("uas"), { QStringLiteral("10.0.0.2"), 5060 }, type);
        LabTransport::wire(*uac.transport, *uas.transport, ab, ba);
        QString error;
        toUas = uac.transport->connectTo(uas.transport->local(), &error);
        toUac = uas.transport->connectTo(uac.transport->local(), &error);
    }

    // A request from uac to uas, built by the message layer's builder.
    Message request(const QByteArray& method, quint32 cseq = 1, const QByteArray& callId = {})
    {
        RequestTemplate t;
        t.method = method;
        t.requestUri = "sip:bob@10.0.0.2:5060";
        t.from = "Alice <sip:alice@10.0.0.1>";
        t.to = "Bob <sip:bob@10.0.0.2>";
        t.callId = callId;
        t.cseq = cseq;
        t.via.transport = transportToken(toUas->type());
        t.via.sentBy = toUas->local().toSentBy();
        t.contact = "<sip:alice@10.0.0.1:5060>";
        return buildRequest(t);
    }

    // Journal events of one kind about one object (0 = any), their times.
    QList<qint64> times(trace::Kind kind, quint64 object = 0, const QString& text = {}) const
    {
        QList<qint64> out;
        journal.forEach(0, journal.count(), [&](const trace::Event& e) {
            if (e.kind == kind && (object == 0 || e.object == object) && (text.isEmpty() || e.text == text))
                out.append(e.timeNs);
        });
        return out;
    }
    QList<trace::Event> events(trace::Kind kind) const
    {
        QList<trace::Event> out;
        journal.forEach(0, journal.count(), [&](const trace::Event& e) {
            if (e.kind == kind)
                out.append(e);
        });
        return out;
    }
    void run(qint64 ns) { scheduler.advanceBy(ns); }

    Scheduler scheduler;
    trace::Journal journal;
    ladder::Link ab, ba;
    Side uac, uas;
    std::shared_ptr<Connection> toUas, toUac;

private:
    void setUp(Side& side, const QString& label, const HostPort& at, TransportType type)
    {
        side.stack = std::make_unique<SipStack>(scheduler, &journal);
        side.stack->setLabel(label);
        side.transport = static_cast<LabTransport*>(
            side.stack->addTransport(std::make_unique<LabTransport>(at, type, label)));
        Side* s = &side;
        QObject::connect(side.stack.get(), &SipStack::requestReceived, side.stack.get(), [s](const Incoming& in) {
            s->requests.append(in);
            const QByteArrayView m = in.message.method();
            if (s->autoAnswer && in.transaction && m != "ACK" && m != "CANCEL")
                s->stack->reply(in.transaction, s->autoAnswer);
        });
        QObject::connect(side.stack.get(), &SipStack::responseReceived, side.stack.get(),
            [s](const Incoming& in) { s->responses.append(in); });
        QObject::connect(side.stack.get(), &SipStack::transactionTimedOut, side.stack.get(),
            [s](quint64, const QString& timer) { s->timeouts.append(timer); });
    }
};

} // namespace ladder::sip::test
