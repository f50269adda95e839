// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

#include <cstdint>

namespace ladder::sip {

// The header fields the stack knows by name. Anything else is HeaderId::Unknown and is kept
// verbatim, name and value, in its original position.
enum class HeaderId : std::uint8_t {
    Unknown = 0,
    Accept,
    AcceptContact,
    AcceptEncoding,
    AcceptLanguage,
    AlertInfo,
    Allow,
    AllowEvents,
    AuthenticationInfo,
    Authorization,
    CallId,
    CallInfo,
    Contact,
    ContentDisposition,
    ContentEncoding,
    ContentLanguage,
    ContentLength,
    ContentType,
    CSeq,
    Date,
    ErrorInfo,
    Event,
    Expires,
    From,
    Identity,
    InReplyTo,
    MaxForwards,
    MimeVersion,
    MinExpires,
    MinSE,
    Organization,
    PAssertedIdentity,
    Path,
    Priority,
    Privacy,
    ProxyAuthenticate,
    ProxyAuthorization,
    ProxyRequire,
    RAck,
    RSeq,
    Reason,
    RecordRoute,
    ReferTo,
    ReferredBy,
    RejectContact,
    ReplyTo,
    Require,
    RetryAfter,
    Route,
    Server,
    ServiceRoute,
    SessionExpires,
    Subject,
    SubscriptionState,
    Supported,
    Timestamp,
    To,
    Unsupported,
    UserAgent,
    Via,
    Warning,
    WwwAuthenticate,
    Count
};

// Maps a header name (full or compact form, any case) to its id.
HeaderId headerIdFromName(QByteArrayView name);
// The canonical full name ("Call-ID", "CSeq", "WWW-Authenticate"); empty for Unknown.
QByteArrayView headerName(HeaderId id);
// The compact form letter (RFC 3261 §7.3.3 and later RFCs), or 0 when there is none.
char headerCompactForm(HeaderId id);
// Whether the header's grammar is a comma-separated list (so "Via: a, b" holds two values and
// repeated lines may be combined). Date, WWW-Authenticate etc. contain commas but are not lists.
bool headerIsList(HeaderId id);

} // namespace ladder::sip
