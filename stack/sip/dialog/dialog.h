// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/message/message.h"
#include "sip/snapshot.h"

#include <memory>

namespace ladder::sip {

class Connection;

// A dialog (RFC 3261 §12): the peer-to-peer relationship an INVITE or a SUBSCRIBE (RFC 6665)
// sets up, identified by Call-ID, local tag and remote tag. It keeps the state needed to build
// requests inside it (CSeq, route set, remote target) and to check the ones that arrive (the
// remote CSeq: a lower one is answered with 500, §12.2.2).
class Dialog {
public:
    enum class Role : quint8 { Uac, Uas };
    enum class State : quint8 { Early, Confirmed, Terminated };
    static const char* stateName(State s);

    // UAC side (§12.1.2), from the request we sent and a 101-299 response with a To tag.
    static std::unique_ptr<Dialog> fromResponse(quint64 id, const Message& request, const Message& response);
    // UAS side (§12.1.1), from the request received and the response with our To tag.
    static std::unique_ptr<Dialog> fromRequest(quint64 id, const Message& request, const Message& response);

    quint64 id() const { return m_id; }
    Role role() const { return m_role; }
    State state() const { return m_state; }
    bool isEarly() const { return m_state == State::Early; }
    bool isTerminated() const { return m_state == State::Terminated; }
    const QByteArray& method() const { return m_method; }
    const QByteArray& callId() const { return m_callId; }
    const QByteArray& localTag() const { return m_localTag; }
    const QByteArray& remoteTag() const { return m_remoteTag; }
    const QByteArray& remoteTarget() const { return m_remoteTarget; }
    const QList<QByteArray>& routeSet() const { return m_routeSet; }
    quint32 localCSeq() const { return m_localCSeq; }
    quint32 remoteCSeq() const { return m_remoteCSeq; }
    bool hasRemoteCSeq() const { return m_remoteCSeqSet; }
    bool secure() const { return m_secure; }

    // A request composed outside createRequest() used this local CSeq.
    void noteLocalCSeq(quint32 n)
    {
        if (n > m_localCSeq)
            m_localCSeq = n;
    }

    // State changes; returns false when nothing changed.
    bool confirm();
    bool terminate();

    // §12.2.2: an in-dialog request with a CSeq lower than the remote one is out of order.
    // Returns false for such a request (answer 500); otherwise records the number.
    bool acceptRemoteCSeq(quint32 number);
    // Target refresh (§12.2): a Contact in a re-INVITE/UPDATE/SUBSCRIBE/NOTIFY or its 2xx.
    bool updateRemoteTarget(const Message& m);
    // The 2xx response of a UAC dialog's creating transaction refreshes the route set (§12.1.2,
    // §13.2.2.4: the route set of the early dialog is replaced by the 2xx's).
    void updateFromResponse(const Message& response);

    // An in-dialog request (§12.2.1.1): Request-URI and Route from the remote target and route
    // set (loose or strict routing), From/To with the tags, Call-ID, CSeq = local CSeq + 1, Max-
    // Forwards, Contact (when one is known). No Via: the send call adds it for the connection.
    Message createRequest(const QByteArray& method);
    // The ACK for a 2xx (§13.2.2.4): like an in-dialog request, but with the INVITE's CSeq number.
    Message createAck(quint32 inviteCSeq) const;
    // Where an in-dialog request goes first: the first route's URI, or the remote target.
    QByteArray nextHopUri() const;

    void setLocalContact(const QByteArray& contact) { m_localContact = contact; }
    // Our last ACK for a 2xx, re-sent when the 2xx is retransmitted.
    const QByteArray& lastAck() const { return m_lastAck; }
    void setLastAck(const QByteArray& bytes) { m_lastAck = bytes; }
    quint64 creatingTransaction() const { return m_creatingTransaction; }
    void setCreatingTransaction(quint64 id) { m_creatingTransaction = id; }
    const std::shared_ptr<Connection>& connection() const { return m_connection; }
    void setConnection(std::shared_ptr<Connection> c) { m_connection = std::move(c); }

    void stamp(qint64 nowNs);
    DialogSnapshot snapshot() const;

private:
    Dialog() = default;
    static QByteArray uriOf(QByteArrayView nameAddrValue);
    Message baseRequest(const QByteArray& method, quint32 cseq) const;

    quint64 m_id = 0;
    Role m_role = Role::Uac;
    State m_state = State::Early;
    bool m_remoteCSeqSet = false;
    bool m_secure = false;
    quint32 m_localCSeq = 0;
    quint32 m_remoteCSeq = 0;
    quint64 m_creatingTransaction = 0;
    QByteArray m_method;
    QByteArray m_callId, m_localTag, m_remoteTag;
    QByteArray m_localHeader; // our From (UAC) or To (UAS) value, with our tag
    QByteArray m_remoteHeader; // the peer's To (UAC) or From (UAS) value, with its tag
    QByteArray m_remoteTarget;
    QByteArray m_localContact;
    QList<QByteArray> m_routeSet; // Route values in the order to be used
    QByteArray m_lastAck;
    std::shared_ptr<Connection> m_connection;
    QList<QPair<State, qint64>> m_history;
};

} // namespace ladder::sip
