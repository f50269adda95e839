// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "endpoint.h"
#include "journal/event.h"

#include <QHash>
#include <QStringList>

class QIODevice;

namespace ladder::trace {

class Journal;

// pcapng export of everything the journal saw on the wire, for Wireshark and tshark.
//
// One interface, LINKTYPE_RAW (101: bare IPv4/IPv6 packets), nanosecond timestamps = epochNs +
// Event::timeNs. The event text is the packet comment (opt_comment); Event::dir becomes the EPB
// direction flag (Tx = outbound, Rx = inbound). What is written per kind:
// * SipMessage / SipRetransmission, by transport (Event::b):
//   0 UDP  — IP + UDP around the raw bytes.
//   1 TCP, 3 TLS — IP + TCP. Each 4-tuple gets a synthetic three-way handshake (no comments) before
//          its first data; sequence and acknowledgement numbers then follow the bytes sent each way.
//          TLS is written as the plaintext the stack recorded (there are no keys to re-encrypt).
//   2 SCTP — a native SCTP packet (IP protocol 132) with one DATA chunk (B|E, stream 0, PPID 0, TSN
//          and SSN counting per direction, verification tag 0). When the journal also holds
//          SctpPacket events those already carry the same bytes, so in SipOverSctp::Auto mode the
//          synthetic copy is left out.
// * SctpPacket — the raw SCTP packet UDP-encapsulated (RFC 6951) between the from/to addresses
//   (default port 9899), or native (IP protocol 132) when Event::b is 1 (packets read from a native
//   capture). A CRC32c that does not match is recomputed (counted in fixedChecksums).
// * LinkDrop — no packet (the datagram never reached the wire): its text becomes an extra comment
//   on the next packet written, "lab: <text>".
// Other kinds have nothing on the wire and are skipped.
//
// Addresses come from Event::from/to via parseEndpoint(): the text after the last space; endpoints
// without an IP address get a stable synthetic 10.x.y.z (see endpoint.h). Default ports: 5060 for
// SIP, 9899 for SCTP.
struct PcapngOptions {
    qint64 epochNs = 0; // wall-clock time (ns since 1970) of journal time 0
    enum class SipOverSctp { Auto, Synthesize, Skip } sipOverSctp = SipOverSctp::Auto;
    bool fixSctpChecksums = true;
};

struct PcapngStats {
    quint64 events = 0; // events offered
    quint64 packets = 0; // packets written, including synthetic TCP handshakes
    quint64 skipped = 0; // wire events that could not be written (empty or too short raw bytes)
    quint64 fixedChecksums = 0;
};

class PcapngWriter {
public:
    PcapngWriter(QIODevice* device, PcapngOptions options);

    // Section header and interface description. Call once before write().
    bool begin();
    // Writes the packets for one event (none for kinds without wire bytes). False on I/O error.
    bool write(const Event& e);

    const PcapngStats& stats() const { return m_stats; }
    QString errorString() const { return m_error; }

private:
    struct TcpFlow {
        quint32 seq[2] {}; // next sequence number of side 0 (the opener) and side 1
    };
    struct SctpFlow {
        quint32 tsn = 1;
        quint16 ssn = 0;
    };

    bool writeSip(const Event& e);
    bool writeTcp(const Event& e, NetEndpoint src, NetEndpoint dst);
    bool writeSctp(const Event& e);
    bool writePacket(const QByteArray& packet, qint64 timeNs, Dir dir, const QStringList& comments);
    bool writeBlock(quint32 type, const QByteArray& body);
    QStringList takeComments(const Event& e);

    QIODevice* m_device;
    PcapngOptions m_options;
    PcapngStats m_stats;
    QString m_error;
    QStringList m_pendingComments;
    QHash<QByteArray, TcpFlow> m_tcp;
    QHash<QByteArray, SctpFlow> m_sctp;
    quint16 m_ipId = 0;
};

// Exports every event of the journal; epochNs 0 means the journal's own epoch. With SipOverSctp::Auto, looks for SctpPacket events first.
bool writePcapng(const Journal& journal, QIODevice* device, PcapngOptions options, QString* error = nullptr,
    PcapngStats* stats = nullptr);

} // namespace ladder::trace
