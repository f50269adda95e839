// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "transaction.h"

namespace ladder::sip {

// A server transaction (RFC 3261 §17.2): absorbs request retransmissions and (re)sends the TU's
// responses. The two machines are InviteServerTransaction and NonInviteServerTransaction.
class ServerTransaction : public Transaction {
public:
    // A request matched to this transaction (a retransmission, or the ACK of an INVITE).
    virtual void receiveRequest(const Message& request, const QByteArray& bytes) = 0;
    // The TU's response (its wire form in bytes). Returns false when the state machine does not
    // accept a response now (already final, terminated) or the transport failed.
    virtual bool respond(int status, const QByteArray& bytes) = 0;
    // Whether a final response has been sent.
    bool hasFinalResponse() const { return lastStatus() >= 200; }

    // Matching data (§17.2.3): the top Via's sent-by, and for RFC 2543 peers (branch without the
    // magic cookie) the fields that stand in for the branch.
    const QByteArray& sentBy() const { return m_sentBy; }
    struct Legacy {
        QByteArray key; // Call-ID, CSeq number, From tag, top Via
        QByteArray requestUri;
        QByteArray toTag; // of the request
        QByteArray responseToTag; // of the response sent (an ACK must carry it)
    };
    const Legacy* legacy() const { return m_legacy.get(); }
    void setLegacy(std::unique_ptr<Legacy> l) { m_legacy = std::move(l); }
    void setSentBy(const QByteArray& s) { m_sentBy = s; }
    // The To tag of this transaction's responses (made by the TU's first reply with a tag), so
    // that all its responses agree; empty until then.
    const QByteArray& responseTag() const { return m_responseTag; }
    void setResponseTag(const QByteArray& tag) { m_responseTag = tag; }
    // Keeps the To tag of the responses sent, for RFC 2543 ACK matching.
    void noteResponseToTag(QByteArrayView tag)
    {
        if (m_legacy)
            m_legacy->responseToTag = tag.toByteArray();
    }

protected:
    using Transaction::Transaction;
    void transportFailed();

private:
    QByteArray m_sentBy;
    QByteArray m_responseTag;
    std::unique_ptr<Legacy> m_legacy;
};

} // namespace ladder::sip
