// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/message/message.h"

namespace ladder::sip::transactionmsg {

// The messages the transaction and dialog layers compose, as thin names over the message layer's
// builder (builder.h) and ids (ids.h), so the engine's call sites read as the RFC sections do.

// A response to `request` (§8.2.6.2): the Vias in order, From, To (with `toTag` added when the
// To has none; a generated one when toTag is empty and status > 100), Call-ID, CSeq, Record-Route
// for 101-299, Content-Length: 0.
Message responseTo(const Message& request, int status, QByteArrayView toTag, const QByteArray& reason = {});
// The ACK for a non-2xx final response, built by the INVITE client transaction (§17.1.1.3): the
// INVITE's Request-URI, top Via, From, Call-ID, Route set and CSeq number; the response's To.
Message ackForNonSuccess(const Message& invite, const Message& response);
// The CANCEL of a pending INVITE (§9.1): same Request-URI, top Via, Call-ID, From, To, Route
// headers and CSeq number, method CANCEL.
Message cancelFor(const Message& invite);

// "z9hG4bK" + 16 random hex digits (§8.1.1.7), unique within the process.
QByteArray newBranch();
// A tag (§19.3): 12 random hex digits.
QByteArray newTag();
// A Call-ID: 20 random hex digits, "@host" when host is given.
QByteArray newCallId(QByteArrayView host = {});

// The top Via value (the first element of the first Via header), as written.
QByteArrayView topViaValue(const Message& m);

} // namespace ladder::sip::transactionmsg
