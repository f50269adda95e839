// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transaction.h"

namespace ladder::sip {

// A client transaction (RFC 3261 §17.1): sends one request and receives its responses. The two
// machines are InviteClientTransaction and NonInviteClientTransaction.
class ClientTransaction : public Transaction {
public:
    // Sends the request and arms the first timers.
    virtual void start() = 0;
    // A response matched to this transaction (§17.1.3); bytes are the wire form.
    virtual void receiveResponse(const Message& response, const QByteArray& bytes) = 0;
    // The connection the request went out on failed before a final response came (a TLS
    // certificate refused, a limit hit): the same as a failed send (§17.1.4).
    void connectionFailed() { transportFailed(); }

protected:
    using Transaction::Transaction;
    // The transport failed (RFC 3261 §17.1.4): inform the TU and terminate.
    void transportFailed();
};

} // namespace ladder::sip
