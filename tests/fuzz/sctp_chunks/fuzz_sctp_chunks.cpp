// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes as an SCTP packet: decoding (with and without descriptions and the CRC32c check) must
// never crash or read out of bounds, and whatever it reports must stay inside the packet. Besides
// that, the promises of chunkdecoder.h:
//  * valid iff there is a 12-byte common header; ports, tag and checksum are the header's bytes;
//    checksumOk only when asked for and the CRC32c matches;
//  * chunks start at offset 12 and follow one another by their padded declared lengths, each
//    header (4 bytes) inside the packet;
//  * truncated whenever the declared length is below 4 or runs past the packet, and then error
//    says so;
//  * a DATA / I-DATA payload lies inside the chunk and the packet: offset + 16 (20 for I-DATA) +
//    payloadLength <= min(offset + length, packet size), equal to offset + length when the chunk
//    is whole;
//  * lists decoded from a chunk (gap blocks, duplicate TSNs, skipped streams, error causes) fit
//    inside it;
//  * describe = false decodes the same fields (only the texts are skipped);
//  * the summary names the chunks in order.
#include "sctp/chunkdecoder.h"

#include <QStringList>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ladder::sctp;

namespace {

void check(bool condition, const char* what, int chunk = -1)
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_sctp_chunks: check failed: %s (chunk %d)\n", what, chunk);
    std::abort();
}

quint32 be32(const QByteArray& p, int at)
{
    return (quint32(quint8(p[at])) << 24) | (quint32(quint8(p[at + 1])) << 16) | (quint32(quint8(p[at + 2])) << 8)
        | quint32(quint8(p[at + 3]));
}

// The decoded fields, all but the texts.
bool sameFields(const DecodedChunk& a, const DecodedChunk& b)
{
    auto skippedEqual = [](const DecodedChunk::Skipped& x, const DecodedChunk::Skipped& y) {
        return x.sid == y.sid && x.ssn == y.ssn && x.unordered == y.unordered;
    };
    return a.type == b.type && a.flags == b.flags && a.length == b.length && a.offset == b.offset
        && a.truncated == b.truncated && a.tsn == b.tsn && a.sid == b.sid && a.ssn == b.ssn && a.ppid == b.ppid
        && a.fsn == b.fsn && a.payloadLength == b.payloadLength && a.cumTsn == b.cumTsn && a.arwnd == b.arwnd
        && a.gapBlocks == b.gapBlocks && a.duplicateTsns == b.duplicateTsns
        && std::equal(a.skipped.begin(), a.skipped.end(), b.skipped.begin(), b.skipped.end(), skippedEqual)
        && a.initiateTag == b.initiateTag && a.outboundStreams == b.outboundStreams
        && a.inboundStreams == b.inboundStreams && a.initialTsn == b.initialTsn && a.prSupported == b.prSupported
        && a.idataSupported == b.idataSupported && a.causes == b.causes;
}

void checkPacket(const QByteArray& packet, const DecodedPacket& d, bool describe, bool verify)
{
    const int size = int(packet.size());
    check(d.valid == (size >= 12), "valid iff there is a common header");
    if (!d.valid) {
        check(d.chunks.isEmpty() && !d.error.isEmpty(), "a packet without a header has no chunks and an error");
        return;
    }
    check(d.srcPort == ((quint8(packet[0]) << 8) | quint8(packet[1])), "source port");
    check(d.dstPort == ((quint8(packet[2]) << 8) | quint8(packet[3])), "destination port");
    check(d.verificationTag == be32(packet, 4), "verification tag");
    const quint32 wire = quint32(quint8(packet[8])) | (quint32(quint8(packet[9])) << 8)
        | (quint32(quint8(packet[10])) << 16) | (quint32(quint8(packet[11])) << 24);
    check(d.checksum == wire, "checksum as on the wire");
    check(d.checksumOk == (verify && wire == sctpChecksum(packet)), "checksumOk");
    check(size == 12 || !d.chunks.isEmpty() || !d.error.isEmpty(), "bytes after the header are a chunk or an error");

    bool anyTruncated = false;
    for (int i = 0; i < d.chunks.size(); ++i) {
        const DecodedChunk& c = d.chunks.at(i);
        const int expected = i == 0 ? 12 : d.chunks.at(i - 1).offset + ((d.chunks.at(i - 1).length + 3) & ~3);
        check(c.offset == expected, "chunks follow one another by their padded lengths", i);
        check(c.offset + 4 <= size, "the chunk header lies inside the packet", i);
        check(c.type == quint8(packet[c.offset]) && c.flags == quint8(packet[c.offset + 1]), "type and flags", i);
        check(c.length == ((quint8(packet[c.offset + 2]) << 8) | quint8(packet[c.offset + 3])), "declared length", i);
        if (c.length < 4 || c.offset + c.length > size)
            check(c.truncated, "a chunk shorter than its header or running past the packet is truncated", i);
        anyTruncated |= c.truncated;
        // What the chunk's decoded fields may use: its declared length, cut at the packet's end.
        const int end = std::min(c.offset + int(c.length), size);
        if (c.type == chunk::Data || c.type == chunk::IData) {
            const int header = c.type == chunk::Data ? 16 : 20;
            check(c.payloadLength >= 0, "payload length >= 0", i);
            if (end - c.offset < header)
                check(c.truncated && c.payloadLength == 0, "a chunk too short for its header has no payload", i);
            else
                check(c.offset + header + c.payloadLength <= end, "the payload lies inside the chunk and the packet", i);
            if (!c.truncated)
                check(c.offset + header + c.payloadLength == c.offset + c.length, "a whole chunk's payload", i);
        }
        if (c.type == chunk::Sack || c.type == chunk::NrSack) {
            const int fixed = c.type == chunk::Sack ? 16 : 20;
            const int lists = int(c.gapBlocks.size() + c.duplicateTsns.size());
            check(lists == 0 || c.offset + fixed + 4 * lists <= end, "gap blocks and duplicate TSNs fit the chunk", i);
        }
        if (c.type == chunk::ForwardTsn || c.type == chunk::IForwardTsn) {
            const int step = c.type == chunk::ForwardTsn ? 4 : 8;
            check(c.skipped.isEmpty() || c.offset + 8 + step * int(c.skipped.size()) <= end, "skipped streams fit the chunk", i);
        }
        if (c.type == chunk::Abort || c.type == chunk::OperationError)
            check(c.causes.isEmpty() || c.offset + 4 + 4 * int(c.causes.size()) <= end, "error causes fit the chunk", i);
        if (describe)
            check(!c.info.isEmpty(), "a described chunk has an info text", i);
    }
    if (anyTruncated)
        check(!d.error.isEmpty(), "a truncated chunk is reported in error");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray packet = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const DecodedPacket full = decodePacket(packet, true, true);
    checkPacket(packet, full, true, true);
    QStringList names;
    for (const DecodedChunk& c : full.chunks)
        names << chunkTypeName(c.type);
    check(full.summary() == names.join(QStringLiteral(", ")), "the summary names the chunks in order");
    const DecodedPacket bare = decodePacket(packet, false, false);
    checkPacket(packet, bare, false, false);
    // Without descriptions (and the CRC32c) the fields are the same.
    check(bare.valid == full.valid && bare.srcPort == full.srcPort && bare.dstPort == full.dstPort
            && bare.verificationTag == full.verificationTag && bare.checksum == full.checksum
            && bare.chunks.size() == full.chunks.size(),
        "describe = false decodes the same packet");
    for (int i = 0; i < full.chunks.size(); ++i)
        check(sameFields(full.chunks.at(i), bare.chunks.at(i)), "describe = false decodes the same fields", i);
    return 0;
}
