// SPDX-License-Identifier: GPL-3.0-or-later
#include "noninviteservertransaction.h"

#include "transactionlayer.h"

namespace ladder::sip {

NonInviteServerTransaction::NonInviteServerTransaction(TransactionLayer& layer,
    std::shared_ptr<Connection> connection, QByteArray branch, QByteArray method, QByteArray request)
    : ServerTransaction(layer, Kind::NonInviteServer, std::move(connection), std::move(branch), std::move(method),
        std::move(request))
{
}

void NonInviteServerTransaction::receiveRequest(const Message&, const QByteArray&)
{
    if (state() == State::Proceeding || state() == State::Completed)
        transmit(lastResponseBytes(), true);
    // Trying: absorbed — the TU has not answered yet.
}

bool NonInviteServerTransaction::respond(int status, const QByteArray& bytes)
{
    if (state() != State::Trying && state() != State::Proceeding)
        return false;
    setLastResponse(bytes, status);
    if (!transmit(bytes, false)) {
        transportFailed();
        return false;
    }
    if (status < 200) {
        setState(State::Proceeding);
        return true;
    }
    setState(State::Completed);
    if (reliable())
        terminate();
    else
        arm('J', m_layer.timers().sixtyFourT1());
    return true;
}

void NonInviteServerTransaction::timerFired(char name)
{
    if (name == 'J')
        terminate();
}

} // namespace ladder::sip
