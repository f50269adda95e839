// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QList>
#include <QStringList>

#include <functional>

namespace ladder::trace {

class Journal;

// Reads a pcap or pcapng capture made elsewhere (tcpdump, Wireshark, sipp…) into journal events, for
// offline inspection. Link types: Ethernet (with VLAN tags), Linux SLL and SLL2, raw IP (101, 12,
// 14, 228, 229), BSD null/loopback (0, 108), bare SCTP (248). IPv4 and IPv6 (extension headers
// skipped; fragments are counted as unsupported, not reassembled).
// What becomes an event:
// * UDP whose payload is a SIP message → SipMessage (b = 0).
// * TCP carrying SIP → SipMessage (b = 1, a = connection id per 4-tuple), reassembled in sequence
//   order and split by Content-Length; keep-alive CRLFs are skipped; gaps resynchronise on the next
//   segment that starts a SIP message.
// * SCTP over UDP (ports in sctpUdpPorts, default 9899) → SctpPacket (b = 0); native SCTP (IP
//   protocol 132, or link type 248) → SctpPacket with b = 1. a = association id (per address/port
//   pair, numbered from 1). With sctpChunks, each chunk also becomes an SctpChunk (a = type, b =
//   stream, c = TSN for DATA, cumulative TSN for SACK), a repeated DATA TSN an SctpRetransmission
//   and a FORWARD-TSN an SctpForwardTsn; a complete (B|E) DATA chunk holding SIP a SipMessage (b = 2).
// * A byte-identical SIP message seen again on the same from/to becomes a SipRetransmission with
//   c = its retransmission number.
// Timestamps: timeNs is relative to the first packet; epochNs of the result is that packet's
// wall-clock time. The packet comment (pcapng opt_comment) becomes the text when present, and the
// pcapng direction flag becomes dir. object = a transaction id for SIP (numbered per top Via branch
// + CSeq method, from 1), the association id for SCTP.
//
// The input is untrusted: every length is checked against the bytes present; a truncated or
// malformed block ends the read with an error, keeping the events decoded before it.
struct CaptureReadOptions {
    QList<quint16> sctpUdpPorts { 9899 };
    bool sctpChunks = true;
    bool sipInSctp = true;
};

struct CaptureReadResult {
    bool ok = false; // false: not a capture, or malformed part-way (see error)
    QString error;
    QString format; // "pcap" or "pcapng"
    qint64 epochNs = 0;
    quint64 packets = 0; // packet records read
    quint64 events = 0; // events produced
    quint64 ignored = 0; // packets with nothing LadderLab decodes (other protocols, fragments…)
    QStringList warnings; // at most a few dozen, for the user
};

bool looksLikeCapture(const QByteArray& head);
CaptureReadResult readCapture(const uchar* data, qsizetype size, const EventSink& sink,
    const CaptureReadOptions& options = {});
// Maps the file and reads it; error says why a file cannot be opened.
CaptureReadResult readCaptureFile(const QString& path, const EventSink& sink, const CaptureReadOptions& options = {});
CaptureReadResult readCaptureFile(const QString& path, Journal& journal, const CaptureReadOptions& options = {});

} // namespace ladder::trace
