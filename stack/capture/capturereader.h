// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QList>
#include <QStringList>

#include <functional>

namespace ladder::trace {

class Journal;

// Reads a pcap or pcapng capture made elsewhere (tcpdump, Wireshark, sipp…) into journal events, for
// offline inspection. Link types: Ethernet (with 802.1Q / QinQ tags), Linux SLL and SLL2, raw IP
// (101, 12, 14, 228, 229), BSD null/loopback (0, 108), bare SCTP (248). Inside them: IPv4 and IPv6
// (extension headers skipped, fragments reassembled: reassembly.h), VXLAN (UDP 4789/8472) and GRE
// with ERSPAN I/II/III or bridged Ethernet, decapsulated up to two tunnels deep.
// What becomes an event:
// * UDP whose payload is a SIP message → SipMessage (b = 0).
// * TCP carrying SIP → SipMessage (b = 1, a = connection id per 4-tuple), reassembled in sequence
//   order (segments out of order wait for the gap to fill; retransmitted bytes are taken once) and
//   split by Content-Length; keep-alive CRLFs are skipped; a gap the capture never fills (bounded in
//   bytes, segments and 2 s of capture time) is given up, and the stream goes on at the next SIP
//   start line. A RST or a FIN with nothing pending ends a stream's state.
// * SIP over WebSocket (RFC 7118) on such a stream, after its HTTP Upgrade → SipMessage (b = 4), one
//   per text or binary message (frames unmasked, fragments joined; control frames skipped).
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
struct CaptureReadResult;

// What reads the container (one PacketDecoder decodes the packets after either). Auto: libpcap
// (pcap_fopen_offline, nanosecond stamps) for classic pcap, which it reads faster than the own
// mapped reader and with the same results; the own reader for pcapng, because libpcap 1.10 hands out
// neither packet comments nor direction flags, refuses a file whose interfaces have different link
// types and a section whose byte order differs from the first's (docs/ARCHITECTURE.md, "One reader";
// tests/capture/tst_capture_readers.cpp shows each case). Own and Libpcap force one (tests, bench).
enum class CaptureContainerReader { Auto, Own, Libpcap };

struct CaptureReadOptions {
    QList<quint16> sctpUdpPorts { 9899 };
    bool sctpChunks = true;
    bool sipInSctp = true;
    // Cooked captures (the "any" device) show a packet once per interface it crosses (a bridge and
    // its port, both ends of a veth pair): a datagram identical to one seen this recently is
    // dropped as such a copy (0: keep every copy).
    qint64 duplicateWindowNs = 2'000'000;
    // Cooked v2 names the interface a packet was captured on: added to the event text ("[lo]").
    bool showInterface = true;
    // The name of an interface index (a live capture asks the kernel); empty: "if N".
    std::function<QString(quint32)> interfaceName;
    // An SSLKEYLOGFILE (NSS key log format, as Wireshark reads it): SIP over TLS 1.2/1.3 whose
    // secrets it holds is decrypted (empty: TLS streams are not decoded).
    QString tlsKeyLogFile;
    // Called on the reading thread after each progressStep bytes of the capture (and not at its
    // end) with the offset reached, the capture's size and the counts so far (epochNs is set once
    // a packet was read); returning false stops the read there: the result is ok, with stopped set
    // and everything decoded before kept. Lets a file be read off the UI thread with a progress bar
    // and a Cancel (SessionFiles::startOpen).
    std::function<bool(qint64 done, qint64 total, const CaptureReadResult& soFar)> progress;
    qint64 progressStep = 256 * 1024;
    CaptureContainerReader reader = CaptureContainerReader::Auto;
};

struct CaptureReadResult {
    bool ok = false; // false: not a capture, or malformed part-way (see error)
    QString error;
    QString format; // "pcap" or "pcapng"
    QString reader; // what read the container: "libpcap" or "own" (see CaptureContainerReader)
    qint64 epochNs = 0;
    quint64 packets = 0; // packet records read
    quint64 events = 0; // events produced
    quint64 ignored = 0; // packets with nothing LadderLab decodes (other protocols, malformed…)
    quint64 fragments = 0; // IP fragments taken in
    quint64 reassembled = 0; // datagrams put together from them
    quint64 duplicates = 0; // copies of a packet dropped (see duplicateWindowNs)
    quint64 tcpGaps = 0; // TCP bytes the capture missed: the stream went on at the next message
    bool stopped = false; // options.progress said stop: the read ended at bytesRead, not at the end
    qint64 bytesRead = 0; // the offset the read reached
    QStringList warnings; // at most a few dozen, for the user
};

bool looksLikeCapture(const QByteArray& head);
CaptureReadResult readCapture(const uchar* data, qsizetype size, const EventSink& sink,
    const CaptureReadOptions& options = {});
// Maps the file and reads it; error says why a file cannot be opened.
CaptureReadResult readCaptureFile(const QString& path, const EventSink& sink, const CaptureReadOptions& options = {});
CaptureReadResult readCaptureFile(const QString& path, Journal& journal, const CaptureReadOptions& options = {});

} // namespace ladder::trace
