// SPDX-License-Identifier: GPL-3.0-or-later
#include "inviteclienttransaction.h"

#include "transactionlayer.h"
#include "transactionmessages.h"

namespace ladder::sip {

InviteClientTransaction::InviteClientTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection,
    QByteArray branch, Message request, QByteArray bytes)
    : ClientTransaction(layer, Kind::InviteClient, std::move(connection), std::move(branch),
        QByteArrayLiteral("INVITE"), std::move(bytes))
    , m_requestMessage(std::move(request))
{
}

void InviteClientTransaction::start()
{
    const TimerConfig& tc = m_layer.timers();
    if (!transmit(requestBytes(), false)) {
        transportFailed();
        return;
    }
    if (!reliable())
        arm('A', tc.t1Ns);
    arm('B', tc.sixtyFourT1());
}

void InviteClientTransaction::receiveResponse(const Message& response, const QByteArray& bytes)
{
    const int status = response.statusCode();
    switch (state()) {
    case State::Calling:
    case State::Proceeding:
        if (status < 200) {
            m_hadProvisional = true;
            setLastResponse(bytes, status);
            disarm('A');
            disarm('B');
            setState(State::Proceeding);
            m_layer.user().clientResponse(*this, response, bytes, false);
            return;
        }
        disarm('A');
        disarm('B');
        setLastResponse(bytes, status);
        if (status < 300) {
            setState(State::Accepted);
            arm('M', m_layer.timers().sixtyFourT1());
            m_layer.user().clientResponse(*this, response, bytes, false);
            return;
        }
        {
            const QByteArray ack = transactionmsg::ackForNonSuccess(m_requestMessage, response).serialize();
            setExtraMessage(ack);
            if (!m_layer.transmit(*this, ack, 0)) {
                transportFailed();
                return;
            }
        }
        setState(State::Completed);
        m_layer.user().clientResponse(*this, response, bytes, false);
        if (isTerminated())
            return;
        if (reliable())
            terminate();
        else
            arm('D', m_layer.timers().timerDNs);
        return;
    case State::Completed:
        // A retransmitted final response: our ACK was lost, send it again (§17.1.1.2).
        if (status >= 300)
            transmit(extraMessage(), true);
        return;
    case State::Accepted:
        if (status >= 200 && status < 300)
            m_layer.user().clientResponse(*this, response, bytes, true);
        return;
    default:
        return;
    }
}

void InviteClientTransaction::timerFired(char name)
{
    switch (name) {
    case 'A':
        if (state() != State::Calling)
            return;
        if (!transmit(requestBytes(), true)) {
            transportFailed();
            return;
        }
        arm('A', 2 * timerIntervalFired());
        return;
    case 'B':
        if (state() == State::Calling) {
            m_layer.user().transactionTimeout(*this, 'B');
            terminate();
        }
        return;
    case 'D':
    case 'M':
        terminate();
        return;
    default:
        return;
    }
}

} // namespace ladder::sip
