// SPDX-License-Identifier: GPL-3.0-or-later
#include "inviteservertransaction.h"

#include "transactionlayer.h"
#include "transactionmessages.h"

namespace ladder::sip {

InviteServerTransaction::InviteServerTransaction(TransactionLayer& layer, std::shared_ptr<Connection> connection,
    QByteArray branch, Message request, QByteArray bytes)
    : ServerTransaction(layer, Kind::InviteServer, std::move(connection), std::move(branch),
        QByteArrayLiteral("INVITE"), std::move(bytes))
    , m_requestMessage(std::move(request))
{
}

void InviteServerTransaction::begin()
{
    const qint64 delay = m_layer.timers().trying100Ns;
    if (lastStatus() != 0 || state() != State::Proceeding || delay < 0)
        return;
    if (delay == 0)
        sendTrying();
    else
        arm('1', delay);
}

void InviteServerTransaction::sendTrying()
{
    const QByteArray bytes = transactionmsg::responseTo(m_requestMessage, 100, {}).serialize();
    setLastResponse(bytes, 100);
    if (!transmit(bytes, false))
        transportFailed();
}

void InviteServerTransaction::receiveRequest(const Message& request, const QByteArray& bytes)
{
    if (request.method() == "ACK") {
        if (state() == State::Completed) {
            disarm('G');
            disarm('H');
            setState(State::Confirmed);
            if (reliable())
                terminate();
            else
                arm('I', m_layer.timers().t4Ns);
        } else if (state() == State::Accepted) {
            ackReceived();
            m_layer.user().serverAck(*this, request, bytes);
        }
        return;
    }
    // A retransmitted INVITE.
    if ((state() == State::Proceeding && lastStatus() != 0) || state() == State::Completed)
        transmit(lastResponseBytes(), true);
}

bool InviteServerTransaction::respond(int status, const QByteArray& bytes)
{
    const TimerConfig& tc = m_layer.timers();
    if (state() == State::Accepted && status >= 200 && status < 300) {
        // The TU re-sends its 2xx (§13.3.1.4); it passes straight through (RFC 6026 §8.5).
        setLastResponse(bytes, status);
        return transmit(bytes, true);
    }
    if (state() != State::Proceeding)
        return false;
    disarm('1');
    setLastResponse(bytes, status);
    if (!transmit(bytes, false)) {
        transportFailed();
        return false;
    }
    if (status < 200)
        return true;
    if (status < 300) {
        setState(State::Accepted);
        arm('L', tc.sixtyFourT1());
        if (!reliable() && !m_acked)
            arm('2', tc.t1Ns);
        return true;
    }
    setState(State::Completed);
    if (!reliable())
        arm('G', tc.t1Ns);
    arm('H', tc.sixtyFourT1());
    return true;
}

void InviteServerTransaction::ackReceived()
{
    if (m_acked)
        return;
    m_acked = true;
    disarm('2');
}

void InviteServerTransaction::timerFired(char name)
{
    const TimerConfig& tc = m_layer.timers();
    switch (name) {
    case '1':
        if (state() == State::Proceeding && lastStatus() == 0)
            sendTrying();
        return;
    case 'G':
        if (state() != State::Completed)
            return;
        if (!transmit(lastResponseBytes(), true)) {
            transportFailed();
            return;
        }
        arm('G', qMin(2 * timerIntervalFired(), tc.t2Ns));
        return;
    case 'H':
        if (state() == State::Completed) {
            m_layer.user().transactionTimeout(*this, 'H');
            terminate();
        }
        return;
    case '2':
        if (state() != State::Accepted || m_acked)
            return;
        if (!transmit(lastResponseBytes(), true)) {
            transportFailed();
            return;
        }
        arm('2', qMin(2 * timerIntervalFired(), tc.t2Ns));
        return;
    case 'I':
    case 'L':
        terminate();
        return;
    default:
        return;
    }
}

} // namespace ladder::sip
