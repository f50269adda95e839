// SPDX-License-Identifier: GPL-3.0-or-later
// HEP packets from the network must never crash the decoder or make it read out of bounds. Besides
// that:
//  * a failed decode says why;
//  * what decodes encodes (HEPv3), and that decodes again to the same fields (decode → encode →
//    decode), and encoding it again gives the same bytes; the encoding stays within 65535 bytes;
//  * fed to the ingest (as a datagram, and as a TCP stream whole or cut in two anywhere), the same
//    packets reach the pipeline either way, and the SIP messages it makes of datagrams carry bytes
//    of the input.
#include "../common/check.h"

#include "capture/hep/hep.h"
#include "capture/hep/hepingest.h"
#include "capture/live/pipeline.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ladder::trace;
using ladder::fuzz::check;

namespace {

struct Run {
    QList<Event> events;
    CapturePipeline pipeline { [this](Event&& e) { events.append(std::move(e)); } };
    hep::Ingest ingest { pipeline };
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char*>(data), qsizetype(size));
    const hep::DecodeResult r = hep::decode(data, qsizetype(size));
    check(r.ok || !r.error.isEmpty(), "a failed decode says why");
    if (r.ok) {
        QByteArray encoded;
        QString error;
        const bool encodes = hep::encode(r.packet, &encoded, &error);
        check(encodes, "a decoded packet encodes");
        check(encoded.size() <= hep::kMaxFrame, "the encoding fits 65535 bytes");
        QString frameError;
        check(hep::frameLength(reinterpret_cast<const uchar*>(encoded.constData()), encoded.size(), &frameError)
                == encoded.size(),
            "the encoding's frame length is its size");
        const hep::DecodeResult again = hep::decode(encoded);
        if (!again.ok)
            std::fprintf(stderr, "decoding the encoding: %s\n", qPrintable(again.error));
        check(again.ok, "the encoding decodes");
        check(again.packet.version == 3, "the encoding is HEPv3");
        check(again.packet.sameFields(r.packet), "decode -> encode -> decode keeps every field");
        check(again.packet.vendorChunks == 0 && again.packet.skippedChunks == 0, "the encoding has no chunk to skip");
        QByteArray twice;
        check(hep::encode(again.packet, &twice) && twice == encoded, "encoding is stable");
    }

    // As a datagram: what becomes SIP carries bytes of the input (the payload).
    {
        Run run;
        run.ingest.datagram(data, qsizetype(size), 1, QStringLiteral("udp:127.0.0.1:1"));
        run.pipeline.finish();
        check(run.ingest.stats().fed <= 1, "one datagram, one packet at most");
        check(r.ok || run.ingest.stats().malformed == 1, "a malformed datagram is counted");
        for (const Event& e : std::as_const(run.events))
            if ((e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission) && e.b != 1)
                check(input.contains(e.raw), "a SIP message over UDP/SCTP is a payload of the input");
    }

    // As a stream, whole and cut in two: the same packets reach the pipeline.
    {
        Run whole, cut;
        hep::Ingest::Stream s1, s2;
        const char* c = reinterpret_cast<const char*>(data);
        const bool ok1 = whole.ingest.stream(s1, c, qsizetype(size), 1, QStringLiteral("tcp:127.0.0.1:1"));
        const qsizetype at = size ? qsizetype(data[0]) % qsizetype(size + 1) : 0;
        bool ok2 = cut.ingest.stream(s2, c, at, 1, QStringLiteral("tcp:127.0.0.1:1"));
        if (ok2)
            ok2 = cut.ingest.stream(s2, c + at, qsizetype(size) - at, 1, QStringLiteral("tcp:127.0.0.1:1"));
        check(ok1 == ok2, "a stream cut in two breaks where the whole one does");
        check(whole.ingest.stats().packets == cut.ingest.stats().packets
                && whole.ingest.stats().fed == cut.ingest.stats().fed,
            "a stream cut in two gives the same packets");
        check(s1.buffer.size() <= hep::kMaxFrame, "a stream buffers one frame at most");
        whole.pipeline.finish();
        cut.pipeline.finish();
        check(whole.events.size() == cut.events.size(), "a stream cut in two gives the same events");
    }
    return 0;
}
