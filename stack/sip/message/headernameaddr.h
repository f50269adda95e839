// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "headerparams.h"
#include "uri.h"

#include <QByteArray>

#include <optional>

namespace ladder::sip {

// name-addr or addr-spec with header parameters: the value of From, To, Contact, Route,
// Record-Route, Reply-To, Refer-To, P-Asserted-Identity… Contact's "*" is accepted (isStar()).
class NameAddr {
public:
    // Provided rather than defaulted: value-initialisation (std::optional's in_place, a list's
    // emplace_back()) would otherwise zero every byte of the object before constructing it.
    NameAddr() { }
    static std::optional<NameAddr> parse(const QByteArray& storage, QByteArrayView value, QByteArray* error);
    static std::optional<NameAddr> parse(const QByteArray& value, QByteArray* error = nullptr)
    {
        return parse(value, QByteArrayView(value), error);
    }
    // Fills *out in place; `storage` may be null when the caller keeps the text alive.
    static bool parseInto(NameAddr* out, const QByteArray& storage, QByteArrayView value, QByteArray* error);

    // As written: a quoted display name keeps its quotes; "" when there is none.
    QByteArrayView displayNameRaw() const { return m_display; }
    // Quotes removed and quoted-pairs decoded.
    QByteArray displayName() const;
    const Uri& uri() const { return m_uri; }
    bool hasAngleBrackets() const { return m_angle; }
    bool isStar() const { return m_star; }
    const Params& params() const { return m_params; }
    QByteArrayView param(QByteArrayView name) const { return m_params.value(name); }
    QByteArrayView tag() const { return m_params.value("tag"); }
    bool hasTag() const { return m_params.has("tag"); }
    QByteArrayView text() const { return m_text; }

private:
    QByteArray m_storage;
    QByteArrayView m_text, m_display;
    Uri m_uri;
    Params m_params;
    bool m_angle = false;
    bool m_star = false;
};

// Splits a list header value at top-level commas (outside quoted strings and <…>), trimming LWS.
// An empty element (",,") is reported as an empty view, so callers can reject it. Up to 16
// elements (an Allow list of a dozen methods) are held without allocating.
using ValueList = QVarLengthArray<QByteArrayView, 16>;
ValueList splitHeaderList(QByteArrayView value);

} // namespace ladder::sip
