// SPDX-License-Identifier: GPL-3.0-or-later
#include "noninviteclienttransaction.h"

#include "sip/message/message.h"
#include "transactionlayer.h"

namespace ladder::sip {

NonInviteClientTransaction::NonInviteClientTransaction(TransactionLayer& layer,
    std::shared_ptr<Connection> connection, QByteArray branch, QByteArray method, QByteArray request)
    : ClientTransaction(layer, Kind::NonInviteClient, std::move(connection), std::move(branch), std::move(method),
        std::move(request))
{
}

void NonInviteClientTransaction::start()
{
    const TimerConfig& tc = m_layer.timers();
    if (!transmit(requestBytes(), false)) {
        transportFailed();
        return;
    }
    if (!reliable())
        arm('E', tc.t1Ns);
    arm('F', tc.sixtyFourT1());
}

void NonInviteClientTransaction::receiveResponse(const Message& response, const QByteArray& bytes)
{
    const int status = response.statusCode();
    if (state() != State::Trying && state() != State::Proceeding)
        return; // Completed: retransmissions of the final response are absorbed
    if (status < 200) {
        setLastResponse(bytes, status);
        setState(State::Proceeding);
        m_layer.user().clientResponse(*this, response, bytes, false);
        return;
    }
    setLastResponse(bytes, status);
    disarm('E');
    disarm('F');
    setState(State::Completed);
    m_layer.user().clientResponse(*this, response, bytes, false);
    if (isTerminated())
        return;
    if (reliable())
        terminate();
    else
        arm('K', m_layer.timers().t4Ns);
}

void NonInviteClientTransaction::timerFired(char name)
{
    const TimerConfig& tc = m_layer.timers();
    switch (name) {
    case 'E': {
        if (state() != State::Trying && state() != State::Proceeding)
            return;
        // The interval doubles from T1 up to T2 while Trying; in Proceeding it stays at T2.
        const qint64 last = timerIntervalFired();
        const qint64 next = state() == State::Proceeding ? tc.t2Ns : qMin(2 * last, tc.t2Ns);
        if (!transmit(requestBytes(), true)) {
            transportFailed();
            return;
        }
        arm('E', next);
        return;
    }
    case 'F':
        if (state() == State::Trying || state() == State::Proceeding) {
            m_layer.user().transactionTimeout(*this, 'F');
            terminate();
        }
        return;
    case 'K':
        terminate();
        return;
    default:
        return;
    }
}

} // namespace ladder::sip
