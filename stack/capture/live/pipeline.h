// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/capturereader.h"
#include "capture/packetdecoder.h"
#include "capture/reconstruct.h"

#include <QStringList>

#include <memory>

namespace ladder::trace {

// The capture pipeline for packets that arrive one at a time — a live capture, a HEP listener —
// rather than from a file: the PacketDecoder the file readers use, then the Reconstructor, so a
// packet becomes the same events (and the same transactions, dialogs and associations) whichever
// way it came in. The merged events go to `out` as they are made.
//
// Times: the first packet's wall-clock time becomes the epoch (counts().epochNs) and events are
// stamped relative to it, as the file readers do. Packets should come in time order; a packet
// stamped before an earlier one is still decoded (the reconstruction's clock does not go back).
class CapturePipeline {
public:
    explicit CapturePipeline(EventSink out, const CaptureReadOptions& read = {}, const ReconstructOptions& options = {});
    ~CapturePipeline();
    CapturePipeline(const CapturePipeline&) = delete;
    CapturePipeline& operator=(const CapturePipeline&) = delete;

    void feed(const CapturedPacket& p);
    // A packet the source dropped before decoding (not SIP, refused, malformed): counted as ignored.
    void countIgnored() { ++m_read.ignored; }
    // The capture ended: pending inferred timers fire (once; later calls do nothing).
    void finish();

    // packets, events, ignored, warnings and the epoch, as a file read reports them.
    const CaptureReadResult& counts() const { return m_read; }
    const Reconstructor& reconstructor() const { return *m_rec; }
    Reconstructor& reconstructor() { return *m_rec; } // takeChanged…() with ReconstructOptions::trackChanges
    // The tables `ladderctl trace show` ends with (reconstructtext.h).
    QStringList reconstructionText() const;

private:
    EventSink m_out;
    EventSink m_through;
    CaptureReadResult m_read;
    std::unique_ptr<Reconstructor> m_rec;
    std::unique_ptr<PacketDecoder> m_decoder;
    bool m_finished = false;
};

// One line per event, the form `ladderctl trace show` prints: position, time (s), kind, dir,
// from → to, text (line breaks as spaces).
QString eventLine(const Event& e, quint64 position);

} // namespace ladder::trace
