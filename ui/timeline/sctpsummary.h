// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace ladder::ui {

// Initial TSNs, when known, to show TSNs relative to them as Wireshark's "relative TSNs" does:
// the first DATA of a direction is TSN 1. own: of the TSNs the packet's sender sends (its DATA,
// FORWARD-TSN); peer: of those it acknowledges (SACK, SHUTDOWN).
struct TsnBases {
    bool ownKnown = false, peerKnown = false;
    quint32 own = 0, peer = 0;
};

// Ports of an SCTP packet, (src << 16) | dst, or -1 when it has no common header; and the
// initial TSN its INIT or INIT-ACK announces (for the direction it is sent in), if it has one.
qint64 sctpPorts(const QByteArray& raw);
bool sctpInitialTsn(const QByteArray& raw, quint32* initialTsn);

// What an SCTP packet says, meaning first: its chunks with the numbers that matter, in order —
// "DATA TSN 12 s0", "DATA ×4 TSN 12–15 s0", "SACK cum 11 gap 13–14 dup 9", "FORWARD-TSN → 19",
// "HEARTBEAT". Ports and verification tag are left to sctpPacketLabel(). Empty when raw is not
// an SCTP packet (too short for a common header).
QString sctpChunkSummary(const QByteArray& raw, const TsnBases& bases = {});
// The summary followed by the ports and tag: "DATA TSN 12 s0 · 49152 → 5000 vtag 0xf09eb0ea".
QString sctpPacketLabel(const QByteArray& raw, const TsnBases& bases = {});

} // namespace ladder::ui
