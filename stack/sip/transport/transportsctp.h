// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

#include <QHash>

#include <memory>

namespace ladder::sctp {
class Endpoint;
class Engine;
class Transport;
}

namespace ladder::sip {

// SIP over SCTP (RFC 4168) on the SCTP engine (stack/sctp): one one-to-many SCTP endpoint bound to
// a port; each association is a Connection. SCTP keeps message boundaries, so one SIP message is
// one SCTP user message (no Content-Length framing), sent on stream 0 with PPID 0 (RFC 4168
// assigns none). The transport is reliable: SIP never retransmits over it. An association is set
// up implicitly by the first message to a peer (sctp_sendmsg to an address); the carrier is
// whatever the SCTP engine runs on — a lab link pair or RFC 6951 UDP encapsulation.
class SctpTransport : public Transport {
    Q_OBJECT
public:
    SctpTransport(sctp::Engine& engine, sctp::Transport& carrier, const QString& label = {},
        QObject* parent = nullptr);
    ~SctpTransport() override;

    // Opens the endpoint on `port` (0 = any) and listens for associations.
    bool listen(quint16 port, QString* error);

    TransportType type() const override { return TransportType::Sctp; }
    bool reliable() const override { return true; }
    bool stream() const override { return false; }
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

private:
    class SctpConnection;
    void readAll();
    void associationDown(quint64 association);
    std::shared_ptr<Connection> connectionFor(const HostPort& remote);

    sctp::Engine& m_engine;
    sctp::Transport& m_carrier;
    sctp::Endpoint* m_endpoint = nullptr;
    HostPort m_local;
    QHash<QString, std::shared_ptr<Connection>> m_connections; // by remote "host:port"
};

} // namespace ladder::sip
