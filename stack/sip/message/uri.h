// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "headerparams.h"

#include <QByteArray>

#include <optional>

namespace ladder::sip {

// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966), or any other absolute URI kept opaque.
// The fields are views into text() (which the Uri owns, shared with the message it came from);
// they stay valid as long as the Uri lives. Escapes (%XX) are kept as written; unescape() decodes.
class Uri {
public:
    enum class Scheme { Sip, Sips, Tel, Other };

    // Provided rather than defaulted: value-initialisation (std::optional's in_place, a list's
    // emplace_back()) would otherwise zero every byte of the object before constructing it.
    Uri() { }
    // Parses `text`. On failure returns nullopt and sets *error (e.g. "port 70000 out of range").
    static std::optional<Uri> parse(QByteArray text, QByteArray* error = nullptr);
    // Parses a view into `storage` without copying it.
    static std::optional<Uri> parse(const QByteArray& storage, QByteArrayView text, QByteArray* error);
    // The same, filling *out in place (no optional to move around): the parser's hot path.
    // `storage` may be null when the caller keeps the text alive itself.
    static bool parseInto(Uri* out, const QByteArray& storage, QByteArrayView text, QByteArray* error);

    Scheme scheme() const { return m_scheme; }
    QByteArrayView schemeText() const { return m_schemeText; }
    bool isSip() const { return m_scheme == Scheme::Sip || m_scheme == Scheme::Sips; }
    QByteArrayView user() const { return m_user; } // tel: the telephone-subscriber number
    QByteArrayView password() const { return m_password; }
    QByteArrayView host() const { return m_host; } // IPv6 references keep their brackets
    bool isIpv6() const { return m_host.startsWith('['); }
    int port() const { return m_port; } // -1 when absent
    const Params& params() const { return m_params; }
    QByteArrayView param(QByteArrayView name) const { return m_params.value(name); }
    bool hasParam(QByteArrayView name) const { return m_params.has(name); }
    QByteArrayView headers() const { return m_headers; } // after '?', without it
    QByteArrayView opaque() const { return m_opaque; } // Other: everything after "scheme:"
    QByteArrayView text() const { return m_text; }
    QByteArray toByteArray() const { return m_text.toByteArray(); }
    // host[:port], as used for sent-by and routing.
    QByteArray hostPort() const;

    // RFC 3261 §19.1.4 comparison for sip/sips (escapes decoded, case rules, params that must
    // match when present on both sides); byte comparison for other schemes.
    bool equivalent(const Uri& other) const;

    static QByteArray unescape(QByteArrayView v);

private:
    QByteArray m_storage;
    QByteArrayView m_text;
    Scheme m_scheme = Scheme::Other;
    QByteArrayView m_schemeText, m_user, m_password, m_host, m_headers, m_opaque;
    int m_port = -1;
    Params m_params;
};

// Parses host (hostname, IPv4 or [IPv6]) with an optional ":port" from `v`; used by URIs and
// Via sent-by. Returns false and sets *error when malformed.
bool parseHostPort(QByteArrayView v, QByteArrayView* host, int* port, QByteArray* error);
// The same for a hostport at the start of v that ends at ';', '?' or the end; *end gets the index
// after it. `readableBegin`, when given, is the start of the text v lies at the end of (the URI,
// the Via value): the bytes between it and v may be read too, so that a short host is classified
// with one 16-byte load.
bool parseHostPortPrefix(QByteArrayView v, QByteArrayView* host, int* port, qsizetype* end, QByteArray* error,
    const char* readableBegin = nullptr);

} // namespace ladder::sip
