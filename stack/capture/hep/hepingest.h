// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/hep/hep.h"
#include "capture/packetdecoder.h"

#include <QHash>
#include <QStringList>

#include <functional>

namespace ladder::trace {
class CapturePipeline;
}

namespace ladder::trace::hep {

// What an Ingest did with what it was given.
struct IngestStats {
    quint64 packets = 0; // HEP packets decoded
    quint64 fed = 0; // handed to the pipeline
    quint64 malformed = 0; // datagrams or frames that did not decode (or broke a stream)
    quint64 refused = 0; // wrong or missing authentication key
    quint64 notSip = 0; // protocol type other than SIP, IP protocols other than UDP/TCP/SCTP, no payload
};

// Turns HEP packets into the capture pipeline's packets: an IP packet with the original
// addresses, ports and protocol around the payload (link type 101, raw IP) — UDP as it was, TCP
// as consecutive segments of a stream per address/port pair, SCTP as a DATA chunk per message —
// stamped with the packet's capture time (the arrival time when it sent none), its text noting
// the HEP capture agent ("[HEPv3 agent 2001, name node1]").
class Ingest {
public:
    explicit Ingest(CapturePipeline& pipeline);

    // Packets must carry this authentication key (chunk 0x000e); empty (the default): any.
    void setAuthKey(const QByteArray& key) { m_authKey = key; }
    // Told about each problem (malformed, refused, not decodable), with `from` = the sender.
    void setProblemHandler(std::function<void(const QString& problem)> handler) { m_problem = std::move(handler); }

    // One UDP datagram from `from` (for messages), arriving at arrivalNs (wall clock, ns).
    void datagram(const uchar* data, qsizetype size, qint64 arrivalNs, const QString& from);

    // The bytes of one TCP connection, as they arrive: frames delimited by their HEP3 length,
    // several in one read or one over several. False when the stream cannot be HEPv3 (the caller
    // closes the connection); a frame that is malformed inside is skipped by its length.
    struct Stream {
        QByteArray buffer;
        bool broken = false;
    };
    bool stream(Stream& s, const char* data, qsizetype size, qint64 arrivalNs, const QString& from);

    // A decoded packet: checked (key, protocol type) and fed. False when it was not fed.
    bool packet(const Packet& p, qint64 arrivalNs, const QString& from);

    const IngestStats& stats() const { return m_stats; }

private:
    void problem(const QString& text);
    bool toCaptured(const Packet& p, qint64 arrivalNs, CapturedPacket* out, QString* why);

    CapturePipeline& m_pipeline;
    QByteArray m_authKey;
    std::function<void(const QString&)> m_problem;
    IngestStats m_stats;
    QByteArray m_frame; // the synthesised IP packet of the packet being fed
    QHash<QByteArray, quint32> m_next; // TCP sequence / SCTP TSN per direction of a flow
};

} // namespace ladder::trace::hep
