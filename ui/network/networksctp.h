// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "networkengine.h"
#include "core/scheduler.h"
#include "lab/controller.h"
#include "sctp/snapshot.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

namespace ladder {
class Stack;
namespace sctp {
    class Endpoint;
    class Engine;
    class UdpTransport;
}
}

namespace ladder::ui {

// Network mode's SCTP endpoint: what the Network panel's "SCTP over UDP" group sets. SCTP packets
// travel in UDP datagrams (RFC 6951) between our UDP socket (host, localUdpPort) and the peers'
// encapsulation port (remoteUdpPort, 9899 by default: usrsctp's and ladderctl's).
struct SctpEndpointSpec {
    bool enabled = false;
    QString host = QStringLiteral("127.0.0.1"); // the local UDP address
    quint16 localUdpPort = 9899; // 0: any free port
    quint16 remoteUdpPort = 9899;
    quint16 sctpPort = 5000; // the local SCTP port (0: an ephemeral one)
    bool oneToMany = true; // SOCK_SEQPACKET; false: one-to-one (SOCK_STREAM)
    bool listen = true;
    QString connectTo; // "HOST:PORT" (SCTP port) to connect to at start; empty: none

    // Why it cannot be used ("the peer's UDP port must be 1–65535"), or empty.
    QString validate() const;
    bool loopback() const;
    // "SCTP one-to-many port 5000 over UDP 127.0.0.1:9899 (peers' UDP 9899), listening"
    // The bound ports, when known, instead of the spec's (0: any / ephemeral).
    QString describe(quint16 boundUdpPort = 0, quint16 boundSctpPort = 0) const;
    QJsonObject toJson() const;
    static SctpEndpointSpec fromJson(const QJsonObject& o);
    bool operator==(const SctpEndpointSpec&) const = default;
};

// The endpoint itself, on the stack thread (every call from there; the UI talks to it through
// queued calls, as to NetworkEngine): the stack's own sctp::Engine and its RFC 6951 UdpTransport —
// the single-threaded usrsctp over AF_CONN the lab and ladderctl use — with one socket of the
// chosen style. It listens and/or connects; the SCTP composer's sends go through
// Engine::sendmsg with every sctp_sendmsg(3) flag, and their errno comes back as the man page has
// it. The packet tap journals into the window's journal (timeline, ladder), the associations are
// published for the associations and streams views, and what arrives is read and logged (escaped).
class NetworkSctp : public QObject {
    Q_OBJECT
public:
    explicit NetworkSctp(Stack& stack, QObject* parent = nullptr);
    ~NetworkSctp() override;

    // Binds the UDP socket and the SCTP port, listens and connects as the spec says. A running
    // endpoint is stopped first; on failure nothing stays bound and *error says why.
    bool start(const SctpEndpointSpec& spec, QString* bound, QString* error);
    // Aborts every association (ABORT on the wire) and closes the sockets.
    void stop();
    bool running() const { return m_engine != nullptr; }
    quint16 udpPort() const;

    // sctp_connect: one-to-many, on the endpoint's socket; one-to-one, on a new socket (the
    // listening one cannot connect). The association comes up later (the associations view).
    NetworkResult connectTo(const QString& peer);
    // The SCTP composer's send (repeat/interval: a burst, reported once), done called once.
    void send(const lab::SctpComposerRequest& request, std::function<void(const NetworkResult&)> done);
    void cancelBurst();
    QList<sctp::AssociationInfo> associations() const;

signals:
    void associationsReady(const QList<ladder::sctp::AssociationInfo>& associations);
    // An association came up or went down, or a connect failed: one line for the panel.
    void event(const QString& text);

private:
    struct Burst;
    void adopt(sctp::Endpoint* ep);
    void drain(sctp::Endpoint* ep);
    void acceptAll(sctp::Endpoint* ep);
    void publishSoon();
    void burstStep(const std::shared_ptr<Burst>& burst);
    // The socket a send goes out on: the one holding the association, else the one connected to
    // the address, else the endpoint's own socket (which on a one-to-one listener is ENOTCONN).
    sctp::Endpoint* socketFor(const lab::SctpComposerRequest& request) const;

    Stack& m_stack;
    SctpEndpointSpec m_spec;
    std::unique_ptr<sctp::Engine> m_engine;
    std::unique_ptr<sctp::UdpTransport> m_udp;
    sctp::Endpoint* m_main = nullptr; // the socket the spec made (listening and/or connecting)
    std::vector<sctp::Endpoint*> m_sockets; // every socket of ours: m_main, accepted, connected
    QTimer m_publish;
    bool m_publishPosted = false;
    std::shared_ptr<Burst> m_burst;
};

} // namespace ladder::ui
