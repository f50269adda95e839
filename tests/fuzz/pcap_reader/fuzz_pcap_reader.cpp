// SPDX-License-Identifier: GPL-3.0-or-later
// Untrusted captures and journal files must never crash the readers or make them read out of
// bounds. The seeds in corpus/ are pcapng and pcap files written by the exporter. Besides that
// (see ../common/eventchecks.h for what exactly is compared):
//  * the events read from a capture carry only bytes of the input;
//  * they survive a JSON Lines export (everything) and a pcapng export (the wire) read back;
//  * the events read from a journal file survive a JSON Lines export read back.
#include "../common/eventchecks.h"

#include "capture/capturereader.h"
#include "capture/jsonl.h"

#include <cstddef>
#include <cstdint>

using namespace ladder::trace;
using namespace ladder::fuzz;

namespace {

QList<Event> readAll(const QByteArray& file, CaptureReadResult* result)
{
    QList<Event> events;
    *result = readCapture(reinterpret_cast<const uchar*>(file.constData()), file.size(),
        [&events](Event&& e) { events.append(std::move(e)); });
    return events;
}

void checkCapture(QByteArrayView input, const QList<Event>& events, const CaptureReadResult& r)
{
    check(r.ok || !r.error.isEmpty(), "a failed read says why");
    check(r.events == quint64(events.size()), "the result counts the events handed over");
    checkBytesFromInput(input, events, r.packets);
    checkJsonlRoundTrip(events, r.epochNs);

    if (endpointsCollide(events))
        return; // endpoints that differ only by their label: the export cannot keep them apart
    const PcapngExport out = exportPcapng(events, r.epochNs);
    if (!out.complete)
        return; // a datagram too large for an IP packet was left out
    CaptureReadResult again;
    const QList<Event> back = readAll(out.file, &again);
    if (!again.ok)
        std::fprintf(stderr, "reading the export: %s\n", qPrintable(again.error));
    check(again.ok && again.format == QLatin1String("pcapng"), "pcapng: the export reads back");
    const bool times = timesRepresentable(events, r.epochNs);
    if (times && !events.isEmpty())
        check(again.epochNs == r.epochNs, "pcapng: the export starts at the capture's epoch");
    checkSameAfterPcapng(events, back, times, anyLabelled(events));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char*>(data), qsizetype(size));

    QList<Event> captured;
    const CaptureReadResult r = readCapture(data, qsizetype(size), [&captured](Event&& e) { captured.append(std::move(e)); });
    checkCapture(input, captured, r);

    QList<Event> journal;
    const JsonlReadResult j = readJsonl(input, [&journal](Event&& e) { journal.append(std::move(e)); });
    check(j.ok || !j.error.isEmpty(), "a failed journal read says why");
    check(j.events == quint64(journal.size()), "the journal read counts the events handed over");
    checkJsonlRoundTrip(journal, j.epochNs);
    return 0;
}
