// SPDX-License-Identifier: GPL-3.0-or-later
// An untrusted capture must never crash the reconstruction (trace::Reconstructor on top of the
// capture reader) nor make it read out of bounds, whatever its SIP and SCTP bytes say. The
// tables are rendered too, since they print what the capture claims.
#include "capture/reconstruct.h"
#include "capture/reconstructtext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace ladder::trace;
    ReconstructOptions options;
    options.settle = size % 2 == 1; // both ways of ending, chosen by the input
    const CaptureReconstruction r = reconstructCapture(data, qsizetype(size), {}, options);
    const QStringList text = reconstructionText(r.transactions, r.dialogs, r.associations, r.stats);
    return text.isEmpty() && !r.events.isEmpty() ? 1 : 0;
}
