// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "controller.h"
#include "sctp/sendinfo.h"

#include <QString>

namespace ladder::lab {

// The SCTP composer's request as sctp_sendmsg(3)'s arguments, checked and worded once for the
// lab (LabController) and network mode (NetworkSctp), which differ only in the socket they send on.
struct SctpComposerSend {
    sctp::SendInfo info;
    QString errnoName; // "EINVAL" when the request is refused, else empty
    QString why; // the reason, one sentence
    bool ok() const { return errnoName.isEmpty(); }
};

// The SendInfo of a request: ppid in network order (the composer's number is the one on the
// wire), the PR-SCTP policy, and the destination — SCTP_ADDR_OVER's path, one address
// (sctp_sendmsg's `to`) or several, comma-separated (sctp_sendmsgx's list). EINVAL for an unknown
// policy or flag bit and an address that is not HOST:PORT.
SctpComposerSend sctpComposerSend(const SctpComposerRequest& request);

// The journal's UserAction line for a send; who: "composer", "composer (network)".
QString sctpComposerActionText(const QString& who, const SctpComposerRequest& request, const sctp::SendInfo& info);

// What a burst reports: all sent ("sent 14 bytes", "sent 3 messages, 42 bytes"), a send refused
// after some were sent, and a burst stopped by the next send.
QString sctpBurstSentText(int sent, qint64 bytes, int repeat);
QString sctpBurstFailedText(const QString& sentence, int sent, int repeat);
QString sctpBurstStoppedText(int sent, int repeat);

} // namespace ladder::lab
