// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transport.h"

#include <QHash>

namespace ladder {
class Link;
class Scheduler;
}

namespace ladder::sip {

// A SIP transport on the in-process lab network: messages travel over ladder::Link pairs (loss,
// delay, duplication… in scheduler time), so a whole call runs deterministically in virtual time.
// A lab transport behaves as UDP (unreliable: SIP retransmits) or as TCP (reliable: it does not);
// whole messages are delivered either way, so no framing is involved.
class LabTransport : public Transport {
    Q_OBJECT
public:
    LabTransport(HostPort local, TransportType type = TransportType::Udp, const QString& label = {},
        QObject* parent = nullptr);
    ~LabTransport() override;

    // Wires a and b: a's messages to b travel over aToB, b's to a over bToA. The links must outlive
    // both transports' use of them.
    static void wire(LabTransport& a, LabTransport& b, ladder::Link& aToB, ladder::Link& bToA);

    TransportType type() const override { return m_type; }
    bool reliable() const override { return m_type != TransportType::Udp; }
    bool stream() const override { return m_type == TransportType::Tcp; }
    HostPort local() const override { return m_local; }
    std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) override;
    QList<std::shared_ptr<Connection>> connections() const override;

private:
    class LabConnection;
    struct Route {
        LabTransport* peer = nullptr;
        ladder::Link* link = nullptr;
    };
    void receive(const HostPort& from, const QByteArray& bytes);
    std::shared_ptr<Connection> connectionFor(const HostPort& remote, const Route& route);

    HostPort m_local;
    TransportType m_type;
    QHash<QString, Route> m_routes; // remote "host:port" -> peer and link
    QHash<QString, std::shared_ptr<Connection>> m_connections;
};

} // namespace ladder::sip
