// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "clienttransaction.h"
#include "sip/message/message.h"

namespace ladder::sip {

// The INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) with RFC 6026's Accepted state:
//
//   Calling --1xx--> Proceeding --2xx--> Accepted --Timer M--> Terminated
//   Calling/Proceeding --300-699 (ACK sent)--> Completed --Timer D--> Terminated
//   Calling --Timer B or transport error--> Terminated
//
// On unreliable transports Timer A retransmits the INVITE at T1, then doubling (0.5, 1.5, 3.5,
// 7.5 s… after the first send with the defaults), until a response arrives or Timer B (64·T1)
// fires. The ACK for a non-2xx final response is built and sent here (§17.1.1.3) and re-sent for
// each retransmission of that response; 2xx responses go to the TU, which sends its own ACK — in
// Accepted, retransmitted 2xx still reach the TU (so it can re-ACK) but are marked as such.
class InviteClientTransaction final : public ClientTransaction {
public:
    InviteClientTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection, QByteArray branch,
        Message request, QByteArray bytes);

    void start() override;
    void receiveResponse(const Message& response, const QByteArray& bytes) override;
    const Message& request() const { return m_requestMessage; }
    // True once a provisional response has arrived (a CANCEL may then be sent, RFC 3261 §9.1).
    bool hadProvisional() const { return m_hadProvisional; }

private:
    void timerFired(char name) override;

    Message m_requestMessage;
    bool m_hadProvisional = false;
};

} // namespace ladder::sip
