// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/transport/connection.h"
#include "sip/message/message.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>

namespace ladder {
class Stack;
namespace sip {
    class LabTransport;
}

namespace lab::peers {

    // A forking proxy, transaction-stateless (RFC 3261 §16.11) with one piece of memory per fork.
    // A request for its own domain (Request-URI host = the proxy's) is forked to every target: the
    // proxy adds its Via with a branch computed from the incoming branch and the leg (so that a
    // retransmission, the CANCEL and the ACK of a non-2xx take the same leg branch), decrements
    // Max-Forwards and sends a copy down each leg. Other requests (in-dialog ACK and BYE, whose
    // Request-URI is a callee's Contact) are forwarded to the Request-URI's host. Responses lose
    // the proxy's Via and are relayed to the next Via's address — both forks' 180s reach the
    // caller, which is what the SIP_DIALOG_ON_FORK lesson shows. When a 2xx is relayed, the legs
    // still ringing are CANCELled (§16.7 step 10) and their 487s acknowledged and absorbed. No
    // Record-Route: the callers of the lab reach the callees through the proxy anyway, because
    // their in-dialog requests travel on the connection the dialog was made on.
    //
    // It has no SipStack (so it owns no transactions or dialogs in the views); it journals what it
    // receives and sends as SipMessage events with object 0, under its label.
    class ForkingProxy {
    public:
        ForkingProxy(Stack& stack, const QString& label, const QString& host, quint64 seed);
        ~ForkingProxy();
        ForkingProxy(const ForkingProxy&) = delete;
        ForkingProxy& operator=(const ForkingProxy&) = delete;

        sip::LabTransport& transport() { return *m_transport; }
        const QString& label() const { return m_label; }
        sip::HostPort address() const;
        void setTargets(const QList<sip::HostPort>& targets) { m_targets = targets; }

        int requestsForwarded() const { return m_forwarded; }
        int responsesRelayed() const { return m_relayed; }
        int cancelsSent() const { return m_cancels; }

    private:
        struct Leg {
            sip::HostPort target;
            QByteArray branch;
            sip::Message forwarded; // the INVITE as sent down this leg
            bool provisional = false; // a 101-199 came back
            bool final = false;
            bool cancelled = false; // to be cancelled after another leg's 2xx
            bool cancelSent = false;
        };
        struct Fork {
            QList<Leg> legs;
            bool answered = false;
        };

        void onReceive(const std::shared_ptr<sip::Connection>& c, const QByteArray& bytes);
        void forwardRequest(sip::Message m);
        void relayResponse(sip::Message m);
        void relayOnward(const sip::Message& m);
        void cancelOtherLegs(Fork& fork, int answeredLeg);
        void cancelLeg(Leg& leg);
        bool sendTo(const sip::HostPort& to, const QByteArray& bytes);
        void trace(const std::shared_ptr<sip::Connection>& c, const QByteArray& bytes, bool tx);
        QByteArray legBranch(QByteArrayView incoming, int leg) const;
        bool isOurs(const sip::Uri& uri) const;

        Stack& m_stack;
        QString m_label;
        QString m_host;
        quint64 m_seed;
        std::unique_ptr<sip::LabTransport> m_transport;
        QList<sip::HostPort> m_targets;
        QHash<QByteArray, Fork> m_forks; // incoming INVITE branch -> its legs
        QHash<QByteArray, QPair<QByteArray, int>> m_legOf; // leg branch -> (incoming branch, leg)
        int m_forwarded = 0, m_relayed = 0, m_cancels = 0;
    };

} // namespace lab::peers
} // namespace ladder
