// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace ladder::sctp {

// Chunk type numbers (RFC 9260, 3758, 4895, 4960, 5061, 6525, 8260).
namespace chunk {
    enum Type : quint8 {
        Data = 0x00,
        Init = 0x01,
        InitAck = 0x02,
        Sack = 0x03,
        Heartbeat = 0x04,
        HeartbeatAck = 0x05,
        Abort = 0x06,
        Shutdown = 0x07,
        ShutdownAck = 0x08,
        OperationError = 0x09,
        CookieEcho = 0x0a,
        CookieAck = 0x0b,
        Ecne = 0x0c,
        Cwr = 0x0d,
        ShutdownComplete = 0x0e,
        Auth = 0x0f,
        NrSack = 0x10,
        IData = 0x40,
        AsconfAck = 0x80,
        PktDrop = 0x81,
        ReConfig = 0x82,
        Pad = 0x84,
        ForwardTsn = 0xc0,
        Asconf = 0xc1,
        IForwardTsn = 0xc2,
    };
}

// The fixed header fields of a chunk: all a bulk path needs (the packet tap's scan fills these
// without building any of DecodedChunk's texts and lists). Only the fields of its type are meaningful.
struct ChunkFields {
    quint8 type = 0;
    quint8 flags = 0;
    quint16 length = 0; // as declared in the chunk header
    int offset = 0; // of the chunk header in the packet
    bool truncated = false; // the declared length runs past the packet, or a field is cut short

    // DATA / I-DATA
    quint32 tsn = 0;
    quint16 sid = 0;
    quint32 ssn = 0; // SSN for DATA, MID for I-DATA
    quint32 ppid = 0; // host order; for I-DATA only on the first fragment (else FSN is in fsn)
    quint32 fsn = 0;
    int payloadLength = 0;
    bool unordered() const { return flags & 0x04; }
    bool beginning() const { return flags & 0x02; }
    bool ending() const { return flags & 0x01; }
    bool sackImmediately() const { return flags & 0x08; }

    // SACK / NR-SACK
    quint32 cumTsn = 0; // also: SHUTDOWN's cumulative TSN, FORWARD-TSN's new cumulative TSN
    quint32 arwnd = 0; // also INIT / INIT-ACK
};

// One decoded chunk: its fields and the rest. `info` is a one-line summary in the manner of
// Wireshark's info column.
struct DecodedChunk : ChunkFields {
    QString info;

    // SACK / NR-SACK
    QList<QPair<quint16, quint16>> gapBlocks; // offsets from cumTsn
    QList<quint32> duplicateTsns;

    // FORWARD-TSN / I-FORWARD-TSN: skipped (stream, SSN or MID; for I-FORWARD-TSN bit 0 of
    // skippedFlags is U)
    struct Skipped {
        quint16 sid = 0;
        quint32 ssn = 0;
        bool unordered = false;
    };
    QList<Skipped> skipped;

    // INIT / INIT-ACK
    quint32 initiateTag = 0;
    quint16 outboundStreams = 0;
    quint16 inboundStreams = 0;
    quint32 initialTsn = 0;
    bool prSupported = false; // Forward-TSN-Supported parameter or FORWARD-TSN in Supported Extensions
    bool idataSupported = false;

    // ABORT / ERROR: cause codes in order
    QList<quint16> causes;
};

struct DecodedPacket {
    bool valid = false; // false: not even a common header
    QString error; // first problem found (truncation, bad length), empty when clean
    quint16 srcPort = 0;
    quint16 dstPort = 0;
    quint32 verificationTag = 0;
    quint32 checksum = 0; // as on the wire (the 4 bytes read little-endian, as CRC32c is stored)
    bool checksumOk = false;
    QList<DecodedChunk> chunks;

    // "DATA, SACK" — the chunk names in order.
    QString summary() const;
};

// Decodes an SCTP packet (common header + chunks). Never reads out of bounds: every field read is
// checked against the packet size, so captures and fuzzers can feed it anything.
// describe = false skips the info texts (the fields are still decoded): for bulk paths.
// verifyChecksum = false leaves checksumOk false without computing the CRC32c (packets usrsctp
// just produced carry a valid one; the inspector verifies on demand).
DecodedPacket decodePacket(const QByteArray& packet, bool describe = true, bool verifyChecksum = true);

QString chunkTypeName(quint8 type);
QString errorCauseName(quint16 cause);

// CRC32c as SCTP uses it (RFC 9260 appendix A): over the whole packet with the checksum field zero.
quint32 sctpChecksum(const QByteArray& packet);

} // namespace ladder::sctp
