// SPDX-License-Identifier: GPL-3.0-or-later
// Untrusted captures and journal files must never crash the readers or make them read out of
// bounds. The seeds in corpus/ are pcapng and pcap files written by the exporter.
#include "capture/capturereader.h"
#include "capture/jsonl.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace ladder::trace;
    quint64 bytes = 0;
    const EventSink sink = [&bytes](Event&& e) { bytes += quint64(e.raw.size() + e.text.size()); };
    readCapture(data, qsizetype(size), sink);
    readJsonl(QByteArrayView(reinterpret_cast<const char*>(data), qsizetype(size)), sink);
    return bytes == ~quint64(0) ? 1 : 0;
}
