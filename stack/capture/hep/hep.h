// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace ladder::trace::hep {

// HEP, the Homer Encapsulation Protocol (EEP): what kamailio's siptrace, OpenSIPS, FreeSWITCH,
// heplify and sngrep send to a collector — a copy of a packet's payload with the addresses, ports
// and capture time of the original.
//
// HEPv3 (specification rev. 37): "HEP3" (or "EEP3"), a 16-bit total length (network order,
// header included, 6..65535), then chunks: vendor id (16), type id (16), length (16, the chunk's
// header included), value. Every chunk is read or skipped by its length; vendor chunks (vendor
// id != 0) and generic types this decoder has no field for (MAC addresses, TOS, MOS, tags…) are
// skipped and counted. A chunk of a fixed-size type with another length is an error.
//   0x01 IP family (u8: 2 AF_INET, 10 AF_INET6)   0x02 IP protocol (u8: 6, 17, 132)
//   0x03/0x04 IPv4 source/destination             0x05/0x06 IPv6 source/destination
//   0x07/0x08 source/destination port (u16)       0x09/0x0a time: seconds, microseconds (u32)
//   0x0b protocol type (u8: 1 SIP)                0x0c capture agent id (u32)
//   0x0d keep-alive timer (u16)                   0x0e authentication key (octets)
//   0x0f payload (octets)                         0x10 compressed payload: refused (see decode)
//   0x11 correlation id (octets)                  0x12 VLAN id (u16)
//   0x13 capture agent name (octets)
// The capture agent id is 32 bits; sngrep writes htons(id) into it, so from a little-endian
// sngrep its 16-bit id arrives as id << 16 (describeAgent says so; agentId keeps what was sent).
//
// HEPv1/v2 (no specification beyond the senders' C structs): version (u8: 1 or 2), header length
// (u8), family (u8), IP protocol (u8), source and destination port (u16, network order), the two
// addresses (4 or 16 bytes each); v2 then has a time header — seconds and microseconds (u32) and
// the capture id (u16), padded to 12 bytes, in the sender's byte order (read as little-endian,
// what every x86 sender writes, unless that gives an impossible microsecond count); then the
// payload to the end of the datagram. v1 carries no time. Only datagrams carry v1/v2 (no length
// field to delimit them in a stream).
//
// The input is untrusted: every length is checked against the bytes present and nothing is read
// past them; what does not fit says why in error.

enum : quint8 { FamilyInet = 2, FamilyInet6 = 10 };
enum : quint8 { ProtoTypeSip = 1 };
constexpr qsizetype kMaxFrame = 65535;

struct Packet {
    int version = 3; // 1, 2 or 3 (what was decoded; encode always writes 3)
    quint8 family = FamilyInet;
    quint8 ipProto = 17;
    QByteArray srcAddr, dstAddr; // 4 or 16 bytes, network order; empty if not sent
    quint16 srcPort = 0, dstPort = 0;
    quint32 tsSec = 0, tsUsec = 0; // both 0: no time sent (v1); the receiver stamps the arrival
    quint8 protoType = ProtoTypeSip;
    bool hasAgentId = false;
    quint32 agentId = 0;
    QByteArray authKey; // empty: none sent
    QByteArray correlationId;
    QByteArray agentName;
    bool hasVlan = false;
    quint16 vlan = 0;
    bool hasKeepAlive = false;
    quint16 keepAliveSec = 0;
    QByteArray payload;
    // Counted while decoding, not encoded:
    int vendorChunks = 0; // vendor id != 0, skipped
    int skippedChunks = 0; // generic chunk types with no field here, skipped

    // Capture time in ns since 1970 (0 when none was sent).
    qint64 timeNs() const { return qint64(tsSec) * 1000000000 + qint64(tsUsec) * 1000; }
    // The fields encode() writes, compared (the version and the skip counts are not).
    bool sameFields(const Packet& o) const;
};

struct DecodeResult {
    bool ok = false;
    QString error; // why not, naming the offset and the chunk
    Packet packet;
};

// One HEP packet that fills exactly [data, data + size): a UDP datagram, or a frame cut from a
// stream with frameLength. The version is told by the first bytes ("HEP3"/"EEP3", else 1 or 2).
DecodeResult decode(const uchar* data, qsizetype size);
inline DecodeResult decode(const QByteArray& b) { return decode(reinterpret_cast<const uchar*>(b.constData()), b.size()); }

// For a stream (HEP over TCP): the length of the HEPv3 frame starting at data, 0 when more bytes
// are needed to tell, -1 when the bytes cannot start a HEPv3 frame (error says why; the stream
// cannot be resynchronised — close it).
qsizetype frameLength(const uchar* data, qsizetype size, QString* error);

// A HEPv3 packet of p's fields (addresses by their size: 4 → IPv4 chunks, 16 → IPv6; optional
// fields only when set). False, with error, when the packet would exceed 65535 bytes or an
// address is neither 4 nor 16 bytes long.
bool encode(const Packet& p, QByteArray* out, QString* error = nullptr);

// "agent 2001", "agent 131137536 (2001 << 16: a 16-bit id sent with htons, as sngrep does)",
// with ", name node1" when named; empty when no agent was named.
QString describeAgent(const Packet& p);

} // namespace ladder::trace::hep
