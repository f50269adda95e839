// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "servertransaction.h"

namespace ladder::sip {

// The non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8):
//
//   Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed --Timer J--> Terminated
//
// Request retransmissions are absorbed in Trying and answered with the last response in
// Proceeding and Completed. Timer J (64·T1, 0 on reliable transports) keeps Completed alive long
// enough to answer every retransmission of the request.
class NonInviteServerTransaction final : public ServerTransaction {
public:
    NonInviteServerTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection, QByteArray branch,
        QByteArray method, QByteArray request);

    void receiveRequest(const Message& request, const QByteArray& bytes) override;
    bool respond(int status, const QByteArray& bytes) override;

private:
    void timerFired(char name) override;
};

} // namespace ladder::sip
