// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <vector>

namespace ladder::sctp {

class Endpoint;

// One side's view of the network an SCTP endpoint runs over. usrsctp runs on AF_CONN addresses
// (opaque pointers); a transport says which pointer reaches which peer and carries the packets
// usrsctp emits for it: over a lab link pair in the process, or RFC 6951 UDP encapsulation on a
// real socket.
//
// An engine may outlive a transport its endpoints run over (they are owned apart: a test's or a
// scenario's locals, a UDP socket closed by the user). So the transport's destructor aborts every
// endpoint still on it and points it at gone(), a transport that reaches nothing: the endpoint
// stays a closed descriptor (EBADF), and nothing it does later touches the freed transport.
class Transport {
public:
    Transport() = default;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;
    virtual ~Transport();

    // The transport of an endpoint whose transport was destroyed: no host, no handles, no peers.
    static Transport& gone();

    // The host an endpoint on this side is reached at ("10.0.0.1" for a lab side, the bound UDP
    // address for a real socket). Used for the journal's lanes and for the descriptor table.
    virtual QString localHost() const = 0;
    // The AF_CONN address an endpoint binds to; nullptr means the wildcard (every address).
    virtual void* bindHandle() const = 0;
    // The endpoint bound this SCTP port on this side (the lab routes packets by port).
    virtual void portBound(quint16 port) = 0;
    virtual void portReleased(quint16 port) = 0;
    // The AF_CONN address that reaches host, or nullptr with why set when it cannot be reached.
    virtual void* peerHandle(const QString& host, QString* why) = 0;
    // The host behind an AF_CONN peer address as seen from this side; an empty string if unknown.
    virtual QString peerHost(void* handle, quint16 peerPort) const = 0;
    // True when the transport cannot take another datagram now (ENOBUFS at the API).
    virtual bool outputQueueFull() const = 0;

private:
    friend class Endpoint;
    std::vector<Endpoint*> m_endpoints; // on this transport (Endpoint attaches and detaches itself)
};

} // namespace ladder::sctp
