// SPDX-License-Identifier: GPL-3.0-or-later
// An untrusted capture must never crash the reconstruction (trace::Reconstructor on top of the
// capture reader) nor make it read out of bounds, whatever its SIP and SCTP bytes say. The
// tables are rendered too, since they print what the capture claims. Besides that (see
// ../common/eventchecks.h for what exactly is compared):
//  * the reconstructed events carry only bytes of the input (derived events none);
//  * they survive a JSON Lines export read back, every field;
//  * the wire events survive a pcapng export: reconstructing the export gives the same events,
//    derived ones included, and the same tables — when the export can keep what the
//    reconstruction depends on (no labelled endpoints, times that fit a pcapng timestamp).
#include "../common/eventchecks.h"

#include "capture/reconstruct.h"
#include "capture/reconstructtext.h"

#include <cstddef>
#include <cstdint>

using namespace ladder::trace;
using namespace ladder::fuzz;

namespace {

QStringList tables(const CaptureReconstruction& r)
{
    return reconstructionText(r.transactions, r.dialogs, r.associations, r.stats);
}

void checkPcapng(const CaptureReconstruction& r, const ReconstructOptions& options)
{
    // The reconstruction reads endpoints and times, so it is compared only where the export keeps
    // them exactly.
    if (anyLabelled(r.events) || !timesRepresentable(r.events, r.read.epochNs))
        return;
    QList<Event> wire;
    for (const Event& e : r.events)
        if (isWire(e.kind))
            wire.append(e);
    const PcapngExport out = exportPcapng(wire, r.read.epochNs);
    if (!out.complete)
        return; // a datagram too large for an IP packet was left out
    const CaptureReconstruction again
        = reconstructCapture(reinterpret_cast<const uchar*>(out.file.constData()), out.file.size(), {}, options);
    if (!again.read.ok)
        std::fprintf(stderr, "reading the export: %s\n", qPrintable(again.read.error));
    check(again.read.ok, "pcapng: the export reads back");
    checkSameAfterPcapng(r.events, again.events, true, false);
    const QStringList before = tables(r), after = tables(again);
    if (before != after) {
        std::fprintf(stderr, "tables before:\n%s\ntables after:\n%s\n", qPrintable(before.join(QLatin1Char('\n'))),
            qPrintable(after.join(QLatin1Char('\n'))));
        fail("pcapng: the reconstruction of the export renders the same tables");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ReconstructOptions options;
    options.settle = size % 2 == 1; // both ways of ending, chosen by the input
    const CaptureReconstruction r = reconstructCapture(data, qsizetype(size), {}, options);
    const QStringList text = tables(r);
    check(!text.isEmpty(), "the tables have a header");

    checkBytesFromInput(QByteArrayView(reinterpret_cast<const char*>(data), qsizetype(size)), r.events, r.read.packets);
    checkJsonlRoundTrip(r.events, r.read.epochNs);
    checkPcapng(r, options);
    return 0;
}
