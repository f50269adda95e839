// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/message/parser.h"

namespace ladder::trace {

// What the reconstruction's trackers read from one SIP message, taken once from what sip::parse
// decoded to check it (sip::ParsedHeaders): the trackers used to ask the Message again for its
// Via, From, To, CSeq and Contact, each asking parsed the header anew. Views into the message's
// bytes: valid while the parsed message lives.
struct SipFacts {
    const sip::Message* message = nullptr;
    const sip::ParsedHeaders* headers = nullptr;
    bool request = false;
    int status = 0; // responses
    QByteArrayView method; // a request's method, a response's CSeq method
    QByteArrayView branch; // of the top Via ("" when none)
    QByteArrayView callId, fromTag, toTag;
    quint32 cseq = 0;

    // From a successful parse that kept its headers (and has a CSeq).
    static SipFacts of(const sip::Message& m, const sip::ParsedHeaders& h)
    {
        SipFacts f;
        f.message = &m;
        f.headers = &h;
        f.request = m.isRequest();
        f.status = m.statusCode();
        f.method = f.request ? m.method() : h.cseqMethod;
        f.branch = h.vias.isEmpty() ? QByteArrayView() : h.vias.first().branch();
        f.callId = m.callId();
        f.fromTag = h.from.tag();
        f.toTag = h.to.tag();
        f.cseq = h.cseqNumber;
        return f;
    }
    // The first Contact's URI, as written ("" when none).
    QByteArrayView firstContact() const
    {
        return headers->contacts.isEmpty() ? QByteArrayView() : headers->contacts.first().uri().text();
    }
};

} // namespace ladder::trace
