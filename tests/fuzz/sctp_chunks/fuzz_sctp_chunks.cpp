// SPDX-License-Identifier: GPL-3.0-or-later
// Any bytes as an SCTP packet: decoding (with and without descriptions and the CRC32c check) must
// never crash or read out of bounds, and whatever it reports must stay inside the packet.
#include "sctp/chunkdecoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace ladder::sctp;
    const QByteArray packet = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    for (const bool describe : { true, false }) {
        const DecodedPacket d = decodePacket(packet, describe, describe);
        for (const DecodedChunk& c : d.chunks) {
            // Every chunk starts inside the packet, and a payload never extends past it.
            if (c.offset < 12 || c.offset >= packet.size() || c.payloadLength < 0 || c.payloadLength > packet.size())
                std::abort();
            if (describe && c.info.isEmpty())
                std::abort();
        }
        if (describe)
            (void)d.summary();
    }
    return 0;
}
