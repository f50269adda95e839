// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "clienttransaction.h"

namespace ladder::sip {

// The non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6):
//
//   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
//   Trying --200-699--> Completed;  Trying/Proceeding --Timer F or transport error--> Terminated
//
// On unreliable transports Timer E retransmits the request at T1, 2·T1, 4·T1… capped at T2 (and
// every T2 once Proceeding); Timer F (64·T1) times the transaction out; Timer K (T4, 0 on reliable
// transports) absorbs response retransmissions in Completed.
class NonInviteClientTransaction final : public ClientTransaction {
public:
    NonInviteClientTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection, QByteArray branch,
        QByteArray method, QByteArray request);

    void start() override;
    void receiveResponse(const Message& response, const QByteArray& bytes) override;

private:
    void timerFired(char name) override;
};

} // namespace ladder::sip
