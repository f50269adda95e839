// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by explain.cpp (dispatch, SIP), explainsctp.cpp (SCTP, lab, the rest) and explainfields.cpp.
#pragma once

#include "explain.h"

#include <QByteArray>

namespace ladder::trace::explaindetail {

Reference rfc3261(const QString& section, const QString& title);
Reference rfc4960(const QString& section, const QString& title);
Reference manSctpSendmsg();
Reference manSipSendmsg();
Reference faultsDoc();

// "1st", "2nd", "3rd", "4th", "11th", "22nd".
QString ordinal(quint64 n);

// What the explanations need from a SIP message's head, read without the SIP layer (the journal is
// the ground floor): the start line, CSeq, Call-ID and the To tag. Bounded: only the head is read.
struct SipHead {
    bool valid = false;
    bool request = false;
    QByteArray method; // the request's method
    int status = 0; // the response's status
    QByteArray cseqMethod;
    QByteArray callId;
    QByteArray toTag;
};
SipHead sipHead(const QByteArray& raw, const QString& startLine);

Explanation explainSctpPacket(const Event& e);
Explanation explainSctpChunk(const Event& e);
Explanation explainSctpRetransmission(const Event& e, const Context& context);
Explanation explainSctpAbandon(const Event& e);
Explanation explainForwardTsn(const Event& e, const Context& context);
Explanation explainAssociationState(const Event& e, const Context& context);
Explanation explainStreamState(const Event& e);
Explanation explainNotification(const Event& e);
Explanation explainLinkDrop(const Event& e);
Explanation explainLinkDuplicate(const Event& e);
Explanation explainUserAction(const Event& e);
Explanation explainError(const Event& e);
Explanation explainLog(const Event& e);

} // namespace ladder::trace::explaindetail
