// SPDX-License-Identifier: GPL-3.0-or-later
#include "uri.h"

#include "parsertext.h"

#include <cstring>

namespace ladder::sip {

namespace {
    bool checkEscapesIn(QByteArrayView v, const char* what, QByteArray* error)
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

    // The usual part has no '%': one inline scan of that part only.
    Q_ALWAYS_INLINE bool checkEscapes(QByteArrayView v, const char* what, QByteArray* error)
    {
        return !text::has(v, '%') || checkEscapesIn(v, what, error);
    }

    bool isUserChar(char ch) { return text::is(ch, text::UserChar); }
    bool isPasswordChar(char ch) { return text::is(ch, text::PasswordChar); }
    bool isHeaderChar(char ch) { return text::is(ch, text::UriHeaderChar); }
    bool isTelChar(char ch)
    {
        return text::is(ch, text::Hex) || ch == '+' || ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == '*'
            || ch == '#' || ch == 'p' || ch == 'w' || ch == 'P' || ch == 'W';
    }
    bool setError(QByteArray* error, QByteArray msg)
    {
        if (error)
            *error = std::move(msg);
        return false;
    }
    bool isSchemeChar(char ch) { return text::is(ch, text::SchemeChar); }

    // The clearest complaint about a URI that failed to parse: a character no URI may contain
    // (whitespace, quotes, angle brackets, controls) if there is one, else the specific reason.
    bool uriError(QByteArray* error, QByteArrayView t, QByteArray reason)
    {
        for (char ch : t)
            if (std::uint8_t(ch) <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>')
                return setError(error, "URI '" + text::printable(t) + "' contains '" + text::printable(QByteArrayView(&ch, 1)) + "'");
        return setError(error, std::move(reason));
    }

}

bool parseHostPortPrefix(
    QByteArrayView v, QByteArrayView* host, int* port, qsizetype* end, QByteArray* error, const char* readableBegin)
{
    *port = -1;
    const char* d = v.data();
    const qsizetype n = v.size();
    qsizetype i = 0;
    if (n == 0 || d[0] == ';' || d[0] == '?')
        return setError(error, "empty host");
    if (d[0] == '[') {
        const qsizetype close = text::find(v, ']');
        if (close < 0)
            return setError(error, "IPv6 reference '" + text::printable(v) + "' lacks ']'");
        int colons = 0;
        for (qsizetype j = 1; j < close; ++j) {
            if (d[j] == ':')
                ++colons;
            else if (!text::is(d[j], text::Hex) && d[j] != '.')
                return setError(error, "IPv6 reference '" + text::printable(v.first(close + 1)) + "' is malformed");
        }
        if (colons < 2 || colons > 7)
            return setError(error, "IPv6 reference '" + text::printable(v.first(close + 1)) + "' is malformed");
        *host = v.first(close + 1);
        i = close + 1;
    } else {
        // One pass: host characters (alphanum / "-" / "."), and whether two dots follow each other.
        bool doubleDot = false;
        i = text::skipAlnumDash(d, d + n, true, &doubleDot, readableBegin) - d;
        *host = v.first(i);
        if (host->isEmpty())
            return setError(error, "host '" + text::printable(v) + "' is malformed");
        if (d[0] == '-' || d[0] == '.' || doubleDot)
            return setError(error, "host '" + text::printable(*host) + "' is malformed");
    }
    if (i < n && d[i] == ':') {
        const qsizetype ps = ++i;
        quint32 p = 0;
        while (i < n && d[i] >= '0' && d[i] <= '9' && i - ps < 6)
            p = p * 10 + quint32(d[i++] - '0');
        qsizetype pe = i;
        while (pe < n && d[pe] != ';' && d[pe] != '?')
            ++pe;
        const QByteArrayView digits = v.sliced(ps, pe - ps);
        if (i == ps || i != pe)
            return setError(error, "port '" + text::printable(digits) + "' is not a number");
        if (p > 65535)
            return setError(error, "port " + digits.toByteArray() + " out of range");
        *port = int(p);
    }
    if (i < n && d[i] != ';' && d[i] != '?')
        return setError(error, "unexpected '" + text::printable(v.sliced(i, 1)) + "' after host");
    *end = i;
    return true;
}

bool parseHostPort(QByteArrayView v, QByteArrayView* host, int* port, QByteArray* error)
{
    qsizetype end = 0;
    if (!parseHostPortPrefix(v, host, port, &end, error))
        return false;
    if (end != v.size())
        return setError(error, "unexpected '" + text::printable(v.sliced(end, 1)) + "' after host");
    return true;
}

std::optional<Uri> Uri::parse(QByteArray text, QByteArray* error)
{
    const QByteArray storage = std::move(text);
    return parse(storage, QByteArrayView(storage), error);
}

std::optional<Uri> Uri::parse(const QByteArray& storage, QByteArrayView t, QByteArray* error)
{
    std::optional<Uri> u(std::in_place);
    if (!parseInto(&*u, storage, t, error))
        return std::nullopt;
    return u;
}

bool Uri::parseInto(Uri* out, const QByteArray& storage, QByteArrayView t, QByteArray* error)
{
    Uri& u = *out;
    if (!storage.isNull() || !u.m_storage.isNull()) // skips an out-of-line assignment of null to null
        u.m_storage = storage;
    u.m_text = t;
    // Each part is checked against its own character class, which excludes whitespace, quotes and
    // angle brackets; on failure uriError() names such a character when there is one.
    // "sip:" and "sips:" (any case) are found with one 4-byte compare; other schemes scan.
    // OR-ing 0x20 into the letter bytes maps only 'S'/'s', 'I'/'i', 'P'/'p' onto s, i, p.
    qsizetype colon = 0;
    Scheme known = Scheme::Other; // "sip:" or "sips:" found by the compare
    if (t.size() >= 4) {
        quint32 w;
        std::memcpy(&w, t.data(), 4);
        if (Q_BYTE_ORDER == Q_LITTLE_ENDIAN && (w | 0x00202020u) == 0x3a706973u) // "sip:"
            colon = 3, known = Scheme::Sip;
        else if (Q_BYTE_ORDER == Q_LITTLE_ENDIAN && t.size() >= 5 && (w | 0x20202020u) == 0x73706973u && t[4] == ':')
            colon = 4, known = Scheme::Sips; // "sips:"
    }
    if (colon == 0)
        while (colon < t.size() && isSchemeChar(t[colon]))
            ++colon;
    if (colon == t.size() || t[colon] != ':' || colon == 0)
        return uriError(error, t, "URI '" + text::printable(t) + "' has no scheme");
    u.m_schemeText = t.first(colon);
    if (!text::is(t[0], text::Alpha))
        return uriError(error, t, "URI scheme '" + text::printable(u.m_schemeText) + "' is malformed");
    const QByteArrayView rest = t.sliced(colon + 1);
    u.m_opaque = rest;
    if (known != Scheme::Other)
        u.m_scheme = known;
    else if (colon == 3 && text::ieq(u.m_schemeText, "sip"))
        u.m_scheme = Scheme::Sip;
    else if (colon == 4 && text::ieq(u.m_schemeText, "sips"))
        u.m_scheme = Scheme::Sips;
    else if (colon == 3 && text::ieq(u.m_schemeText, "tel"))
        u.m_scheme = Scheme::Tel;
    else
        u.m_scheme = Scheme::Other;

    if (u.m_scheme == Scheme::Other) {
        if (rest.isEmpty())
            return setError(error, "URI '" + text::printable(t) + "' is empty after the scheme");
        for (char ch : rest)
            if (std::uint8_t(ch) <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>')
                return uriError(error, t, {});
        return true;
    }

    if (u.m_scheme == Scheme::Tel) {
        qsizetype i = 0;
        while (i < rest.size() && rest[i] != ';')
            ++i;
        u.m_user = rest.first(i);
        if (u.m_user.isEmpty())
            return setError(error, "tel URI has no number");
        for (char ch : u.m_user)
            if (!isTelChar(ch) && ch != '%')
                return uriError(error, t, "tel URI number '" + text::printable(u.m_user) + "' contains an invalid character");
        QByteArray perr;
        if (parseParams(rest, i, &u.m_params, false, nullptr, &perr) < 0)
            return uriError(error, t, "tel URI: " + perr);
        return true;
    }

    // sip / sips: [userinfo "@"] hostport uri-parameters [headers]. '@' cannot appear unescaped
    // anywhere else, so the first one ends the userinfo.
    qsizetype hostStart = 0;
    // One pass over the user characters finds the usual "user@" (no password) and checks it at
    // once. They exclude '@', so the first '@', if any, is at or after where the pass stopped.
    // The scan stops at a '%' first, so a user part without escapes needs no second scan for them.
    qsizetype uc = 0;
    while (uc < rest.size() && text::is(rest[uc], text::UserPlainChar))
        ++uc;
    const bool userEscapes = uc < rest.size() && rest[uc] == '%';
    if (userEscapes)
        while (uc < rest.size() && isUserChar(rest[uc]))
            ++uc;
    const bool plainUser = uc > 0 && uc < rest.size() && rest[uc] == '@';
    const qsizetype at = plainUser ? uc : text::find(rest, '@', uc);
    if (plainUser) {
        u.m_user = rest.first(at);
    } else if (at >= 0) {
        const QByteArrayView userinfo = rest.first(at);
        const qsizetype pc = text::find(userinfo, ':');
        u.m_user = pc >= 0 ? userinfo.first(pc) : userinfo;
        if (pc >= 0)
            u.m_password = userinfo.sliced(pc + 1);
        if (u.m_user.isEmpty())
            return uriError(error, t, "URI '" + text::printable(t) + "' has an empty user part before '@'");
        for (char ch : u.m_user)
            if (!isUserChar(ch))
                return uriError(error, t, "URI user part '" + text::printable(u.m_user) + "' contains '"
                        + text::printable(QByteArrayView(&ch, 1)) + "'");
        for (char ch : u.m_password)
            if (!isPasswordChar(ch))
                return uriError(error, t, "URI password contains '" + text::printable(QByteArrayView(&ch, 1)) + "'");
    }
    if (at >= 0) {
        if ((!plainUser || userEscapes)
            && (!checkEscapes(u.m_user, "URI user part", error) || !checkEscapes(u.m_password, "URI password", error)))
            return false;
        hostStart = at + 1;
    }
    QByteArray herr;
    qsizetype hostLen = 0;
    if (!parseHostPortPrefix(rest.sliced(hostStart), &u.m_host, &u.m_port, &hostLen, &herr, t.data()))
        return uriError(error, t, "URI '" + text::printable(t) + "': " + herr);
    const qsizetype hostEnd = hostStart + hostLen;
    if (hostEnd == rest.size())
        return true;
    QByteArray perr;
    const qsizetype pend = parseParams(rest, hostEnd, &u.m_params, false, "?", &perr);
    if (pend < 0)
        return uriError(error, t, "URI '" + text::printable(t) + "': " + perr);
    if (!checkEscapes(rest.sliced(hostEnd, pend - hostEnd), "URI parameter", error))
        return false;
    if (pend < rest.size()) {
        u.m_headers = rest.sliced(pend + 1);
        for (char ch : u.m_headers)
            if (!isHeaderChar(ch))
                return uriError(error, t, "URI headers contain '" + text::printable(QByteArrayView(&ch, 1)) + "'");
        if (!checkEscapes(u.m_headers, "URI headers", error))
            return false;
    }
    return true;
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
