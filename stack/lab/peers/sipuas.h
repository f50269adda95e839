// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sippeer.h"

#include "core/scheduler.h"

#include <QSet>

namespace ladder::lab::peers {

// An auto-answering user agent server. An INVITE gets 180 Ringing (if ring), then after ringMs
// the final status (200 with a Contact, 486, 603…) — or nothing more when status is 0 (a phone
// nobody picks up). Non-INVITE requests (BYE, OPTIONS, MESSAGE…) get 200 after nonInviteDelayMs.
// A CANCEL stops the pending answer (the stack answers 200 and 487 itself, RFC 3261 §9.2).
class SipUas : public SipPeer {
public:
    struct Answer {
        bool ring = true; // send 180 at once
        qint64 ringMs = 1000; // then the final status after this long
        int status = 200; // 0: never answer
        qint64 nonInviteDelayMs = 0;
        // true: responses go through SipStack::reply (the stack's random To tags: one tag for
        // every response of a transaction, including the 487 it sends for a CANCEL);
        // false: the peer writes them with its seeded tags (byte-reproducible runs).
        bool stackTags = false;
    };

    SipUas(Stack& stack, const QString& label, const QString& host, quint64 seed, const Answer& answer);
    SipUas(Stack& stack, const QString& label, const QString& host, quint64 seed)
        : SipUas(stack, label, host, seed, Answer {})
    {
    }
    ~SipUas() override;

    void setAnswer(const Answer& a) { m_answer = a; }
    const Answer& answer() const { return m_answer; }

    int invitesReceived() const { return m_invites; }
    // ACKs of 2xx (the ACK of a non-2xx stays inside the INVITE server transaction).
    int acksReceived() const { return m_acks; }
    int cancelsReceived() const { return m_cancels; }
    int byesReceived() const { return m_byes; }
    int requestsReceived() const { return m_requests; } // every request but ACK and CANCEL
    int finalsSent() const { return m_finals; }

private:
    void onRequest(const sip::Incoming& in);
    void respond(quint64 tx, int status);
    void later(quint64 tx, qint64 ms, std::function<void()> fn);

    struct Pending {
        sip::Message request;
        sip::TransportType type = sip::TransportType::Udp;
        QList<Scheduler::TimerId> timers;
    };
    Answer m_answer;
    QHash<quint64, Pending> m_pending; // server transaction -> what is still to be answered
    int m_invites = 0, m_acks = 0, m_cancels = 0, m_byes = 0, m_requests = 0, m_finals = 0;
};

} // namespace ladder::lab::peers
