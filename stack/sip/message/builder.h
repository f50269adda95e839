// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "message.h"

#include <QList>

namespace ladder::sip {

// Where the local side sends from: used for the Via of new requests.
struct LocalVia {
    QByteArray transport = "UDP"; // UDP, TCP, TLS, SCTP
    QByteArray sentBy; // host[:port]
    bool rport = true; // add ";rport" (RFC 3581)
};

// Everything a new out-of-dialog request needs. Empty fields are generated (tag, Call-ID, branch)
// or left out (Contact, body).
struct RequestTemplate {
    QByteArray method = "OPTIONS";
    QByteArray requestUri; // "sip:bob@example.com"
    QByteArray from; // name-addr or addr-spec, without tag: "Alice <sip:alice@example.com>"
    QByteArray fromTag; // generated when empty
    QByteArray to; // "Bob <sip:bob@example.com>"
    QByteArray callId; // generated when empty
    quint32 cseq = 1;
    LocalVia via;
    QByteArray branch; // generated when empty
    QByteArray contact; // "<sip:alice@192.0.2.1:5060>"; omitted when empty
    int maxForwards = 70;
    QList<QByteArray> routeSet; // Route values, in order ("<sip:p1.example.com;lr>")
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // appended verbatim before the body
    QByteArray contentType;
    QByteArray body;
};

// A request from a template: Via, Max-Forwards, [Route], To, From, Call-ID, CSeq, [Contact],
// extras, [Content-Type], Content-Length.
Message buildRequest(const RequestTemplate& t);

// A response to `request` (RFC 3261 §8.2.6): copies every Via (in order), From, To, Call-ID and
// CSeq, and Timestamp for 100; adds a To tag (toTag, or a generated one) unless the status is 100
// or To already has one; copies Record-Route into 101–299 responses (they may create dialogs);
// ends with Content-Length: 0.
Message buildResponse(const Message& request, int status, const QByteArray& reason = {}, const QByteArray& toTag = {});
// Exactly buildResponse(request, status, reason, toTag).serialize(), composed straight from the
// request's header values in one allocation (a built Message allocates for each header it holds):
// the stateful answer of every non-INVITE server transaction goes through here.
QByteArray buildResponseBytes(const Message& request, int status, const QByteArray& reason = {},
    const QByteArray& toTag = {});
// Whether a From/To value may carry a tag parameter (it contains "tag" in any case): when not, the
// value need not be parsed to learn that it has none.
bool mayHaveTag(QByteArrayView nameAddrValue);

// The ACK for a 2xx (RFC 3261 §13.2.2.4): an in-dialog request built from the 2xx's From, To
// (with its tag) and Call-ID, the INVITE's CSeq number with method ACK, a new branch, the
// caller's route set and remote target (the dialog's).
Message buildAckFor2xx(const Message& response2xx, const QByteArray& remoteTarget, const QList<QByteArray>& routeSet,
    const LocalVia& via, const QByteArray& branch = {});

// The ACK a client INVITE transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3):
// same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE, To from the response,
// the INVITE's Route headers.
Message buildAckForNon2xx(const Message& invite, const Message& response);

// CANCEL for a pending request (RFC 3261 §9.1): same Request-URI, Call-ID, From, To, CSeq number,
// top Via and Route headers.
Message buildCancel(const Message& request);

// A request inside a dialog (RFC 3261 §12.2.1.1). The dialog layer passes its state in as plain
// values: the request uses CSeq lastLocalCSeq + 1. Loose routing when the route set is empty or
// its first entry has ";lr": Request-URI = remote target, Route = route set; strict routing
// otherwise: Request-URI = first route's URI, Route = the rest + the remote target.
struct DialogRequestParams {
    QByteArray method;
    QByteArray callId;
    QByteArray localUri; // From, name-addr/addr-spec without tag
    QByteArray localTag;
    QByteArray remoteUri; // To
    QByteArray remoteTag;
    quint32 lastLocalCSeq = 0;
    QByteArray remoteTarget; // the peer's Contact URI
    QList<QByteArray> routeSet; // Route values in order, each "<uri>"
    LocalVia via;
    QByteArray branch; // generated when empty
    QByteArray contact; // our Contact, omitted when empty
    int maxForwards = 70;
};
Message buildInDialogRequest(const DialogRequestParams& p);

// "Name <uri>;tag=x" — appends a tag parameter to a name-addr/addr-spec value. An addr-spec with
// URI parameters is first enclosed in <> so the tag stays a header parameter.
QByteArray withTag(const QByteArray& nameAddr, const QByteArray& tag);

} // namespace ladder::sip
