// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace ladder::sip {

class ClientTransaction;
class Message;
class ServerTransaction;
class Transaction;

// The transaction user (RFC 3261 §17: the UA core or proxy core above the transactions): what
// the state machines pass up. The SipStack implements it.
class TransactionUser {
public:
    virtual ~TransactionUser() = default;
    // A response the client transaction passes up: every provisional and the final one; in the
    // INVITE client's Accepted state (RFC 6026) also retransmitted 2xx (retransmission = true),
    // which the TU answers by re-sending its ACK.
    virtual void clientResponse(ClientTransaction& t, const Message& response, const QByteArray& bytes,
        bool retransmission)
        = 0;
    // An ACK matched to an INVITE server transaction in the Accepted state (RFC 2543 peers).
    virtual void serverAck(ServerTransaction& t, const Message& ack, const QByteArray& bytes) = 0;
    // Timer B, F or H fired: the transaction timed out (§17.1.1.2, §17.1.2.2, §17.2.1).
    virtual void transactionTimeout(Transaction& t, char timer) = 0;
    virtual void transactionTransportError(Transaction& t) = 0;
    virtual void transactionTerminated(Transaction& t) = 0;
    // Anything visible changed (state, timers): for snapshot change notification.
    virtual void transactionChanged(Transaction& t) = 0;
};

} // namespace ladder::sip
