// SPDX-License-Identifier: GPL-3.0-or-later
#include "uri.h"

#include "parsertext.h"

namespace ladder::sip {

namespace {
    bool checkEscapes(QByteArrayView v, const char* what, QByteArray* error)
    {
        for (qsizetype i = 0; i < v.size(); ++i) {
            if (v[i] != '%')
                continue;
            if (i + 2 >= v.size()) {
                if (error)
                    *error = QByteArray(what) + " has a truncated %-escape";
                return false;
            }
            if (!text::is(v[i + 1], text::Hex) || !text::is(v[i + 2], text::Hex)) {
                if (error)
                    *error = QByteArray(what) + " has an invalid %-escape '" + text::printable(v.sliced(i, 3)) + "'";
                return false;
            }
            i += 2;
        }
        return true;
    }

    // RFC 3261 user: unreserved / escaped / user-unreserved ("&" "=" "+" "$" "," ";" "?" "/").
    bool isUserChar(char ch)
    {
        return text::is(ch, text::Unreserved) || ch == '%' || ch == '&' || ch == '=' || ch == '+' || ch == '$'
            || ch == ',' || ch == ';' || ch == '?' || ch == '/';
    }
    bool isPasswordChar(char ch)
    {
        return text::is(ch, text::Unreserved) || ch == '%' || ch == '&' || ch == '=' || ch == '+' || ch == '$'
            || ch == ',';
    }
    bool isHeaderChar(char ch)
    {
        return text::is(ch, text::Unreserved) || ch == '%' || ch == '[' || ch == ']' || ch == '/' || ch == '?'
            || ch == ':' || ch == '+' || ch == '$' || ch == '&' || ch == '=';
    }
    bool isTelChar(char ch)
    {
        return text::is(ch, text::Hex) || ch == '+' || ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == '*'
            || ch == '#' || ch == 'p' || ch == 'w' || ch == 'P' || ch == 'W';
    }
    bool isSchemeChar(char ch) { return text::is(ch, text::Alpha | text::Digit) || ch == '+' || ch == '-' || ch == '.'; }

    bool setError(QByteArray* error, QByteArray msg)
    {
        if (error)
            *error = std::move(msg);
        return false;
    }
}

bool parseHostPort(QByteArrayView v, QByteArrayView* host, int* port, QByteArray* error)
{
    *port = -1;
    qsizetype i = 0;
    if (v.isEmpty())
        return setError(error, "empty host");
    if (v[0] == '[') {
        const qsizetype close = v.indexOf(']');
        if (close < 0)
            return setError(error, "IPv6 reference '" + text::printable(v) + "' lacks ']'");
        const QByteArrayView addr = v.sliced(1, close - 1);
        int colons = 0;
        for (char ch : addr) {
            if (ch == ':')
                ++colons;
            else if (!text::is(ch, text::Hex) && ch != '.')
                return setError(error, "IPv6 reference '" + text::printable(v.first(close + 1)) + "' is malformed");
        }
        if (colons < 2 || colons > 7)
            return setError(error, "IPv6 reference '" + text::printable(v.first(close + 1)) + "' is malformed");
        *host = v.first(close + 1);
        i = close + 1;
    } else {
        while (i < v.size() && text::is(v[i], text::HostChar))
            ++i;
        *host = v.first(i);
        if (host->isEmpty())
            return setError(error, "empty host");
        if (host->startsWith('-') || host->startsWith('.') || host->contains(".."))
            return setError(error, "host '" + text::printable(*host) + "' is malformed");
    }
    if (i == v.size())
        return true;
    if (v[i] != ':')
        return setError(error, "unexpected '" + text::printable(v.sliced(i, 1)) + "' after host");
    const QByteArrayView digits = v.sliced(i + 1);
    bool ok = false;
    const quint64 p = text::parseUInt(digits, &ok);
    if (!ok)
        return setError(error, "port '" + text::printable(digits) + "' is not a number");
    if (p > 65535)
        return setError(error, "port " + digits.toByteArray() + " out of range");
    *port = int(p);
    return true;
}

std::optional<Uri> Uri::parse(QByteArray text, QByteArray* error)
{
    const QByteArray storage = std::move(text);
    return parse(storage, QByteArrayView(storage), error);
}

std::optional<Uri> Uri::parse(const QByteArray& storage, QByteArrayView t, QByteArray* error)
{
    Uri u;
    u.m_storage = storage;
    u.m_text = t;
    const qsizetype colon = t.indexOf(':');
    if (colon <= 0) {
        setError(error, "URI '" + text::printable(t) + "' has no scheme");
        return std::nullopt;
    }
    u.m_schemeText = t.first(colon);
    if (!text::is(t[0], text::Alpha)) {
        setError(error, "URI scheme '" + text::printable(u.m_schemeText) + "' is malformed");
        return std::nullopt;
    }
    for (char ch : u.m_schemeText)
        if (!isSchemeChar(ch)) {
            setError(error, "URI scheme '" + text::printable(u.m_schemeText) + "' is malformed");
            return std::nullopt;
        }
    const QByteArrayView rest = t.sliced(colon + 1);
    if (text::ieq(u.m_schemeText, "sip"))
        u.m_scheme = Scheme::Sip;
    else if (text::ieq(u.m_schemeText, "sips"))
        u.m_scheme = Scheme::Sips;
    else if (text::ieq(u.m_schemeText, "tel"))
        u.m_scheme = Scheme::Tel;
    u.m_opaque = rest;
    for (char ch : t)
        if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>') {
            setError(error, "URI '" + text::printable(t) + "' contains '" + text::printable(QByteArrayView(&ch, 1)) + "'");
            return std::nullopt;
        }

    if (u.m_scheme == Scheme::Other) {
        if (rest.isEmpty()) {
            setError(error, "URI '" + text::printable(t) + "' is empty after the scheme");
            return std::nullopt;
        }
        return u;
    }

    if (u.m_scheme == Scheme::Tel) {
        qsizetype i = 0;
        while (i < rest.size() && rest[i] != ';')
            ++i;
        u.m_user = rest.first(i);
        if (u.m_user.isEmpty()) {
            setError(error, "tel URI has no number");
            return std::nullopt;
        }
        for (char ch : u.m_user)
            if (!isTelChar(ch) && ch != '%') {
                setError(error, "tel URI number '" + text::printable(u.m_user) + "' contains an invalid character");
                return std::nullopt;
            }
        QByteArray perr;
        if (parseParams(rest, i, &u.m_params, false, nullptr, &perr) < 0) {
            setError(error, "tel URI: " + perr);
            return std::nullopt;
        }
        return u;
    }

    // sip / sips: [userinfo "@"] hostport uri-parameters [headers]. '@' cannot appear unescaped
    // anywhere else, so the first one ends the userinfo.
    qsizetype hostStart = 0;
    const qsizetype at = rest.indexOf('@');
    if (at >= 0) {
        const QByteArrayView userinfo = rest.first(at);
        const qsizetype pc = userinfo.indexOf(':');
        u.m_user = pc >= 0 ? userinfo.first(pc) : userinfo;
        if (pc >= 0)
            u.m_password = userinfo.sliced(pc + 1);
        if (u.m_user.isEmpty()) {
            setError(error, "URI '" + text::printable(t) + "' has an empty user part before '@'");
            return std::nullopt;
        }
        for (char ch : u.m_user)
            if (!isUserChar(ch)) {
                setError(error, "URI user part '" + text::printable(u.m_user) + "' contains '"
                        + text::printable(QByteArrayView(&ch, 1)) + "'");
                return std::nullopt;
            }
        for (char ch : u.m_password)
            if (!isPasswordChar(ch)) {
                setError(error, "URI password contains '" + text::printable(QByteArrayView(&ch, 1)) + "'");
                return std::nullopt;
            }
        if (!checkEscapes(u.m_user, "URI user part", error) || !checkEscapes(u.m_password, "URI password", error))
            return std::nullopt;
        hostStart = at + 1;
    }
    qsizetype hostEnd = hostStart;
    if (hostEnd < rest.size() && rest[hostEnd] == '[') {
        const qsizetype close = rest.indexOf(']', hostEnd);
        hostEnd = close < 0 ? rest.size() : close + 1;
    }
    while (hostEnd < rest.size() && rest[hostEnd] != ';' && rest[hostEnd] != '?')
        ++hostEnd;
    QByteArray herr;
    if (!parseHostPort(rest.sliced(hostStart, hostEnd - hostStart), &u.m_host, &u.m_port, &herr)) {
        setError(error, "URI '" + text::printable(t) + "': " + herr);
        return std::nullopt;
    }
    QByteArray perr;
    const qsizetype pend = parseParams(rest, hostEnd, &u.m_params, false, "?", &perr);
    if (pend < 0) {
        setError(error, "URI '" + text::printable(t) + "': " + perr);
        return std::nullopt;
    }
    if (!checkEscapes(rest.sliced(hostEnd, pend - hostEnd), "URI parameter", error))
        return std::nullopt;
    if (pend < rest.size()) {
        u.m_headers = rest.sliced(pend + 1);
        for (char ch : u.m_headers)
            if (!isHeaderChar(ch)) {
                setError(error, "URI headers contain '" + text::printable(QByteArrayView(&ch, 1)) + "'");
                return std::nullopt;
            }
        if (!checkEscapes(u.m_headers, "URI headers", error))
            return std::nullopt;
    }
    return u;
}

QByteArray Uri::hostPort() const
{
    QByteArray r = m_host.toByteArray();
    if (m_port >= 0)
        r += ':' + QByteArray::number(m_port);
    return r;
}

QByteArray Uri::unescape(QByteArrayView v)
{
    QByteArray r;
    r.reserve(v.size());
    for (qsizetype i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size() && text::is(v[i + 1], text::Hex) && text::is(v[i + 2], text::Hex)) {
            r += char(QByteArray::fromHex(v.sliced(i + 1, 2).toByteArray()).at(0));
            i += 2;
        } else {
            r += v[i];
        }
    }
    return r;
}

bool Uri::equivalent(const Uri& o) const
{
    if (!isSip() || !o.isSip())
        return m_scheme == o.m_scheme && text::ieq(m_text, o.m_text);
    if (m_scheme != o.m_scheme)
        return false;
    if (unescape(m_user) != unescape(o.m_user) || unescape(m_password) != unescape(o.m_password))
        return false;
    if (!text::ieq(m_host, o.m_host) || m_port != o.m_port)
        return false;
    // user, ttl, method, maddr and transport must match if present in either; others only when
    // present in both.
    for (const char* must : { "user", "ttl", "method", "maddr", "transport" }) {
        const Param* a = m_params.find(must);
        const Param* b = o.m_params.find(must);
        if (bool(a) != bool(b))
            return false;
        if (a && !text::ieq(Uri::unescape(a->value), Uri::unescape(b->value)))
            return false;
    }
    for (const Param& a : m_params) {
        const Param* b = o.m_params.find(a.name);
        if (b && !text::ieq(Uri::unescape(a.value), Uri::unescape(b->value)))
            return false;
    }
    return text::ieq(m_headers, o.m_headers);
}

} // namespace ladder::sip
