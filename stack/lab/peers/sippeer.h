// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/transport/connection.h"
#include "sip/message/ids.h"
#include "sip/message/message.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

namespace ladder {
class Stack;
namespace sip {
    class LabTransport;
    class SipStack;
    struct Incoming;
}

namespace lab::peers {

    // What every built-in SIP peer is: one SipStack of its own on the scenario's Stack (its
    // scheduler and journal), lab transports at HOST:5060, a label that names its lanes in the
    // journal ("uac 10.0.0.1:5060"), and a seeded id generator for the branches, tags and Call-IDs
    // it writes itself, so that a run with the same seed puts the same bytes on the wire.
    //
    // Note: transaction and dialog ids are numbered per SipStack from 1, so two peers' ids collide
    // in the shared journal; the labels on every event's endpoints tell them apart.
    class SipPeer {
    public:
        SipPeer(Stack& stack, const QString& label, const QString& host, quint64 seed);
        virtual ~SipPeer();
        SipPeer(const SipPeer&) = delete;
        SipPeer& operator=(const SipPeer&) = delete;

        sip::SipStack& sip() { return *m_sip; }
        const QString& label() const { return m_label; }
        const QString& host() const { return m_host; }
        static constexpr quint16 kPort = 5060;
        sip::HostPort address() const { return { m_host, kPort }; }
        // The lab transport of this type, created on first use (UDP unreliable, TCP reliable).
        sip::LabTransport& transport(sip::TransportType type = sip::TransportType::Udp);
        sip::IdGenerator& ids() { return m_ids; }

        // A Via for a request we send: "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK…;rport".
        QByteArray newVia(sip::TransportType type);
        // Our Contact: "<sip:10.0.0.1:5060>" (";transport=tcp" for TCP).
        QByteArray contact(sip::TransportType type) const;
        // "sip:label@host" — the address-of-record the peer calls itself.
        QByteArray aor() const;
        // A response to `request` with our seeded To tag for server transaction tx (the same tag
        // for every response of that transaction; none for 100 or when the To has one), and our
        // Contact on 101-299 responses to INVITE.
        sip::Message responseTo(quint64 tx, const sip::Message& request, int status, sip::TransportType type);

    protected:
        // The receiver of the peer's signal connections; derived destructors call dropSignals()
        // first so that nothing reaches a half-destroyed peer.
        QObject* context() { return m_context.get(); }
        void dropSignals() { m_context.reset(); }

        Stack& m_stack;
        QString m_label;
        QString m_host;
        sip::IdGenerator m_ids;
        std::unique_ptr<sip::SipStack> m_sip;
        QHash<quint64, QByteArray> m_tags; // server transaction -> our To tag
        std::unique_ptr<QObject> m_context = std::make_unique<QObject>();
    };

} // namespace lab::peers
} // namespace ladder
