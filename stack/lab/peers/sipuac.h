// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sippeer.h"

#include "core/scheduler.h"

#include <QList>
#include <QPair>
#include <QSet>

namespace ladder::lab::peers {

// A user agent client that drives what a lesson needs: a call (INVITE; ACK every 2xx; BYE every
// confirmed dialog after a hold time; optionally CANCEL while it rings) or one non-INVITE request
// (OPTIONS, MESSAGE, REGISTER…). It records every response, dialog and timeout so that a scenario
// can judge the run; the journal has the rest.
class SipUac : public SipPeer {
public:
    struct Call {
        sip::HostPort nextHop; // where the INVITE goes (the callee or a proxy)
        QByteArray requestUri; // "sip:uas@10.0.0.2"
        QByteArray to; // "<sip:uas@10.0.0.2>"; requestUri when empty
        sip::TransportType transport = sip::TransportType::Udp;
        bool dialogOnFork = false; // SIP_DIALOG_ON_FORK
        qint64 hangUpAfterMs = 1000; // BYE this long after the ACK; negative: never
        qint64 cancelAfterMs = -1; // CANCEL this long after the first 18x; negative: never
    };
    struct Request {
        QByteArray method = "OPTIONS";
        sip::HostPort nextHop;
        QByteArray requestUri;
        QByteArray to; // requestUri when empty
        QByteArray callId; // generated when empty
        QByteArray fromTag; // generated when empty
        quint32 cseq = 1;
        sip::TransportType transport = sip::TransportType::Udp;
        QList<QPair<QByteArray, QByteArray>> headers;
    };
    struct ResponseSeen {
        quint64 transaction = 0;
        QByteArray method; // of the CSeq
        int status = 0;
        QByteArray toTag;
        quint64 dialog = 0; // 0 when the stack made no dialog for it
        qint64 timeNs = 0;
        sip::Message message;
    };

    SipUac(Stack& stack, const QString& label, const QString& host, quint64 seed);
    ~SipUac() override;

    // Starts a call; returns the INVITE's client transaction (0 when the send failed).
    quint64 call(const Call& call);
    // Sends one non-INVITE request statefully; returns its client transaction (0 on failure).
    quint64 request(const Request& request);

    // Nothing left to do: every transaction we started has its final response or timed out,
    // every confirmed dialog has been hung up, no action is scheduled.
    bool idle() const { return m_pending.isEmpty() && m_scheduled.isEmpty(); }
    quint64 inviteTransaction() const { return m_invite; }
    const QList<ResponseSeen>& responses() const { return m_responses; }
    // The final status of a transaction, 0 when none (yet, or it timed out).
    int finalStatus(quint64 tx) const { return m_final.value(tx); }
    // Timer name ("B", "F") of a transaction that timed out, empty when none did, and when.
    QString timeout(quint64 tx) const { return m_timeouts.value(tx); }
    qint64 timeoutAtNs(quint64 tx) const { return m_timeoutTimes.value(tx, -1); }
    // Called once per transaction when its final response arrives (status) or it times out (0).
    void setFinalHandler(std::function<void(quint64 tx, int status)> fn) { m_onFinal = std::move(fn); }
    // Distinct dialogs the stack gave our INVITE's responses.
    QSet<quint64> dialogs() const { return m_dialogs; }
    // Distinct To tags among the INVITE's 101-299 responses (one per fork that answered).
    QSet<QByteArray> forkTags() const { return m_forkTags; }
    int acksSent() const { return m_acks; }
    int byesSent() const { return m_byes; }
    quint64 cancelTransaction() const { return m_cancel; }
    const QStringList& errors() const { return m_errors; }

private:
    void onResponse(const sip::Incoming& in);
    void ack(quint64 dialog, quint32 cseq);
    void hangUp(quint64 dialog);
    void later(qint64 ms, std::function<void()> fn);

    Call m_call;
    quint64 m_invite = 0;
    quint64 m_cancel = 0;
    QSet<quint64> m_pending; // transactions awaiting a final response
    QSet<Scheduler::TimerId> m_scheduled;
    QList<ResponseSeen> m_responses;
    QHash<quint64, int> m_final;
    QHash<quint64, QString> m_timeouts;
    QHash<quint64, qint64> m_timeoutTimes;
    std::function<void(quint64, int)> m_onFinal;
    QSet<quint64> m_dialogs;
    QSet<quint64> m_acked; // dialogs whose 2xx we acknowledged
    QSet<QByteArray> m_forkTags;
    bool m_cancelArmed = false;
    int m_acks = 0, m_byes = 0;
    QStringList m_errors;
};

} // namespace ladder::lab::peers
