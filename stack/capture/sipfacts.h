// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/message/parser.h"

#include <QSet>
#include <QString>

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

// State-change texts ("INVITE client: Calling -> Proceeding (180)") come in a few dozen
// variants over a whole capture: each is kept once and every event repeating it gets the same
// string, which the journal then stores once per segment (a back reference) instead of once per
// event. Bounded: past kMax variants new ones are left as they are.
class SharedTexts {
public:
    static constexpr qsizetype kMax = 4096;
    static constexpr qsizetype kMaxLength = 256;
    void share(QString& s)
    {
        if (s.size() > kMaxLength)
            return;
        const auto it = m_texts.constFind(s);
        if (it != m_texts.constEnd())
            s = *it;
        else if (m_texts.size() < kMax)
            m_texts.insert(s);
    }

private:
    QSet<QString> m_texts;
};

} // namespace ladder::trace
