// SPDX-License-Identifier: GPL-3.0-or-later
#include "transactionmessages.h"

#include "sip/message/builder.h"
#include "sip/message/ids.h"

namespace ladder::sip::transactionmsg {

QByteArrayView topViaValue(const Message& m)
{
    const qsizetype i = m.indexOf(HeaderId::Via);
    if (i < 0)
        return {};
    const ValueList parts = splitHeaderList(m.headerAt(i).value);
    return parts.isEmpty() ? QByteArrayView() : parts.first();
}

Message responseTo(const Message& request, int status, QByteArrayView toTag, const QByteArray& reason)
{
    return buildResponse(request, status, reason, toTag.toByteArray());
}

Message ackForNonSuccess(const Message& invite, const Message& response) { return buildAckForNon2xx(invite, response); }

Message cancelFor(const Message& invite) { return buildCancel(invite); }

QByteArray newBranch() { return sip::newBranch(); }

QByteArray newTag() { return sip::newTag(); }

QByteArray newCallId(QByteArrayView host) { return sip::newCallId(host.toByteArray()); }

} // namespace ladder::sip::transactionmsg
