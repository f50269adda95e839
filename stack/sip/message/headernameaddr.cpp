// SPDX-License-Identifier: GPL-3.0-or-later
#include "headernameaddr.h"

#include "parsertext.h"

namespace ladder::sip {

namespace {
    bool fail(QByteArray* error, QByteArray msg)
    {
        if (error)
            *error = std::move(msg);
        return false;
    }
}

ValueList splitHeaderList(QByteArrayView v)
{
    ValueList out;
    qsizetype comma = text::find(v, ',');
    if (comma < 0) {
        out.append(text::trimmed(v));
        return out;
    }
    qsizetype start = 0;
    if (!text::has(v, '"') && !text::has(v, '<')) {
        // No quoted string or <URI> to look into (Allow, Supported, most Via lists): every comma
        // separates, found 16 bytes at a time.
        for (; comma >= 0; comma = text::find(v, ',', start)) {
            out.append(text::trimmed(v.sliced(start, comma - start)));
            start = comma + 1;
        }
        out.append(text::trimmed(v.sliced(start)));
        return out;
    }
    bool inAngle = false;
    for (qsizetype i = 0; i < v.size(); ++i) {
        const char ch = v[i];
        if (ch == '"') {
            const qsizetype e = text::skipQuoted(v, i);
            if (e < 0)
                break; // unterminated: the element parser reports it
            i = e - 1;
        } else if (ch == '<') {
            inAngle = true;
        } else if (ch == '>') {
            inAngle = false;
        } else if (ch == ',' && !inAngle) {
            out.append(text::trimmed(v.sliced(start, i - start)));
            start = i + 1;
        }
    }
    out.append(text::trimmed(v.sliced(start)));
    return out;
}

std::optional<NameAddr> NameAddr::parse(const QByteArray& storage, QByteArrayView value, QByteArray* error)
{
    std::optional<NameAddr> n(std::in_place);
    if (!parseInto(&*n, storage, value, error))
        return std::nullopt;
    return n;
}

bool NameAddr::parseInto(NameAddr* out, const QByteArray& storage, QByteArrayView value, QByteArray* error)
{
    NameAddr& n = *out;
    if (!storage.isNull() || !n.m_storage.isNull()) // skips an out-of-line assignment of null to null
        n.m_storage = storage;
    const QByteArrayView t = text::trimmed(value);
    n.m_text = t;
    if (t.isEmpty()) {
        fail(error, "empty value");
        return false;
    }
    if (t.size() == 1 && t[0] == '*') {
        n.m_star = true;
        return true;
    }
    qsizetype i = 0;
    qsizetype uriStart = -1, uriEnd = -1, afterUri = -1;
    if (t[0] == '"') {
        const qsizetype e = text::skipQuoted(t, 0);
        if (e < 0) {
            fail(error, "unterminated quoted display name");
            return false;
        }
        n.m_display = t.first(e);
        i = text::skipLws(t, e);
        if (i >= t.size() || t[i] != '<') {
            fail(error, "quoted display name not followed by <URI>");
            return false;
        }
    } else {
        const qsizetype lt = text::find(t, '<');
        if (lt >= 0) {
            // display-name as *(token LWS): only token characters and LWS before '<'.
            const QByteArrayView disp = text::trimmed(t.first(lt));
            for (char ch : disp)
                if (!text::is(ch, text::DisplayChar)) { // token characters or LWS
                    fail(error, "display name '" + text::printable(disp) + "' must be quoted (contains '"
                            + text::printable(QByteArrayView(&ch, 1)) + "')");
                    return false;
                }
            n.m_display = disp;
            i = lt;
        }
    }
    if (i < t.size() && t[i] == '<') {
        const qsizetype gt = text::find(t, '>', i);
        if (gt < 0) {
            fail(error, "'<' without matching '>'");
            return false;
        }
        n.m_angle = true;
        uriStart = i + 1;
        uriEnd = gt;
        afterUri = gt + 1;
    } else {
        // addr-spec without brackets: its parameters belong to the header (RFC 3261 §20.10), so the
        // URI ends at the first ';' after the userinfo. It may not contain ',', '?' or ';' params.
        const qsizetype at = text::find(t, '@');
        qsizetype semi = text::find(t, ';', at < 0 ? 0 : at);
        if (semi < 0)
            semi = t.size();
        uriStart = 0;
        uriEnd = semi;
        // Trailing LWS before ';' is allowed ("sip:a@b ;tag=1").
        while (uriEnd > uriStart && text::isLwsChar(t[uriEnd - 1]))
            --uriEnd;
        afterUri = semi;
    }
    QByteArray uerr;
    const QByteArrayView uriText = t.sliced(uriStart, uriEnd - uriStart);
    if (!Uri::parseInto(&n.m_uri, storage, uriText, &uerr)) {
        fail(error, uerr);
        return false;
    }
    if (!n.m_angle && (n.m_uri.headers().size() > 0 || text::has(uriText, '?'))) {
        fail(error, "URI with headers must be enclosed in <>");
        return false;
    }
    QByteArray perr;
    if (parseParams(t, afterUri, &n.m_params, true, nullptr, &perr) < 0) {
        fail(error, perr);
        return false;
    }
    return true;
}

QByteArray NameAddr::displayName() const
{
    if (!m_display.startsWith('"'))
        return m_display.toByteArray();
    QByteArray r;
    const QByteArrayView inner = m_display.sliced(1, m_display.size() - 2);
    r.reserve(inner.size());
    for (qsizetype i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\\' && i + 1 < inner.size())
            ++i;
        r += inner[i];
    }
    return r;
}

} // namespace ladder::sip
