// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/message/message.h"
#include "servertransaction.h"

namespace ladder::sip {

// The INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) with RFC 6026's Accepted state:
//
//   Proceeding --2xx from TU--> Accepted --Timer L--> Terminated
//   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
//   Completed --Timer H or transport error--> Terminated
//
// 100 Trying: sent when the TU has not answered within TimerConfig::trying100Ns (200 ms by
// default, RFC 3261 §17.2.1's "200 ms"; 0 = at once). Timer G retransmits a non-2xx final
// response at T1, 2·T1… capped at T2 until the ACK arrives or Timer H (64·T1) fires.
//
// The 2xx itself is the UAS core's to retransmit (§13.3.1.4); this engine does that here while
// the transaction is Accepted, as timer "2xx" (T1 doubling to T2, unreliable transports only),
// until the stack matches the ACK to the dialog and calls ackReceived(). Retransmitted INVITEs are
// absorbed in Accepted and Confirmed.
class InviteServerTransaction final : public ServerTransaction {
public:
    InviteServerTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection, QByteArray branch,
        Message request, QByteArray bytes);

    // Arms the 100 Trying delay (or sends it at once); call after the TU has seen the request.
    void begin();
    void receiveRequest(const Message& request, const QByteArray& bytes) override;
    bool respond(int status, const QByteArray& bytes) override;
    // The ACK for our 2xx arrived (matched by dialog): stop retransmitting the 2xx.
    void ackReceived();
    bool ackedTwoHundred() const { return m_acked; }
    const Message& request() const { return m_requestMessage; }

private:
    void timerFired(char name) override;
    void sendTrying();

    Message m_requestMessage;
    bool m_acked = false;
};

} // namespace ladder::sip
