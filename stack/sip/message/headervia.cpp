// SPDX-License-Identifier: GPL-3.0-or-later
#include "headervia.h"

#include "parsertext.h"
#include "uri.h"

#include <cstring>

namespace ladder::sip {

namespace {
    // Reads a token after optional LWS; returns the index after it.
    qsizetype token(QByteArrayView t, qsizetype i, QByteArrayView* out)
    {
        i = text::skipLws(t, i);
        const qsizetype s = i;
        while (i < t.size() && text::is(t[i], text::Token))
            ++i;
        *out = t.sliced(s, i - s);
        return i;
    }
    bool fail(QByteArray* error, QByteArray msg)
    {
        if (error)
            *error = std::move(msg);
        return false;
    }
}

std::optional<Via> Via::parse(const QByteArray& storage, QByteArrayView t, QByteArray* error)
{
    std::optional<Via> v(std::in_place);
    if (!parseInto(&*v, storage, t, error))
        return std::nullopt;
    return v;
}

bool Via::parseInto(Via* out, const QByteArray& storage, QByteArrayView t, QByteArray* error)
{
    Via& v = *out;
    if (!storage.isNull() || !v.m_storage.isNull()) // skips an out-of-line assignment of null to null
        v.m_storage = storage;
    v.m_text = t;
    qsizetype i;
    if (text::startsWith(t, "SIP/2.0/")) {
        // The usual sent-protocol: name and version by one compare, then the transport.
        v.m_protocolName = t.first(3);
        v.m_protocolVersion = t.sliced(4, 3);
        i = token(t, 8, &v.m_transport);
    } else {
        i = token(t, 0, &v.m_protocolName);
        QByteArrayView* parts[] = { &v.m_protocolVersion, &v.m_transport };
        for (QByteArrayView* part : parts) {
            i = text::skipLws(t, i);
            if (i >= t.size() || t[i] != '/') {
                return fail(error, "malformed sent-protocol in '" + text::printable(t) + "' (expected SIP/2.0/transport)");
            }
            i = token(t, i + 1, part);
        }
    }
    if (v.m_protocolName.isEmpty() || v.m_protocolVersion.isEmpty() || v.m_transport.isEmpty()) {
        return fail(error, "malformed sent-protocol in '" + text::printable(t) + "' (expected SIP/2.0/transport)");
    }
    const qsizetype hs = text::skipLws(t, i);
    if (hs == i || hs >= t.size()) {
        fail(error, "missing sent-by in '" + text::printable(t) + "'");
        return false;
    }
    // The usual sent-by (host[:port] directly followed by ';' or the end) in one pass over the
    // bytes; anything else (LWS around the port colon, a stray character) takes the general path
    // below, which gives the same result or the error.
    {
        qsizetype len = 0;
        QByteArrayView host;
        int port = -1;
        if (parseHostPortPrefix(t.sliced(hs), &host, &port, &len, nullptr, t.data())
            && (hs + len == t.size() || t[hs + len] == ';')) {
            v.m_host = host;
            v.m_port = port;
            QByteArray perr;
            if (parseParams(t, hs + len, &v.m_params, true, nullptr, &perr) < 0)
                return fail(error, perr);
            return true;
        }
    }
    // sent-by runs to ';' (or the end); LWS is allowed around the ':' of the port.
    qsizetype he = hs;
    if (t[he] == '[') {
        const qsizetype close = text::find(t, ']', he);
        he = close < 0 ? t.size() : close + 1;
    } else {
        he = text::skipAlnumDash(t.data() + he, t.data() + t.size(), true, nullptr, t.data()) - t.data(); // the usual host name
    }
    while (he < t.size() && t[he] != ';' && t[he] != ',')
        ++he;
    const QByteArrayView sentBy = text::trimmed(t.sliced(hs, he - hs));
    QByteArray herr;
    QByteArrayView host;
    if (!parseHostPort(sentBy, &host, &v.m_port, &herr)) {
        // Tolerate LWS around the port colon ("host : 5060") without copying: re-split by hand.
        const qsizetype colon = sentBy.lastIndexOf(':');
        const bool ipv6 = sentBy.startsWith('[');
        if (colon > 0 && (!ipv6 || colon > sentBy.indexOf(']'))) {
            const QByteArrayView h = text::trimmed(sentBy.first(colon));
            const QByteArrayView p = text::trimmed(sentBy.sliced(colon + 1));
            bool ok = false;
            const quint64 port = text::parseUInt(p, &ok);
            int dummy;
            if (ok && port <= 65535 && parseHostPort(h, &host, &dummy, nullptr) && dummy < 0) {
                v.m_port = int(port);
                herr.clear();
            }
        }
        if (!herr.isEmpty()) {
            fail(error, "sent-by '" + text::printable(sentBy) + "': " + herr);
            return false;
        }
    }
    v.m_host = host;
    QByteArray perr;
    const qsizetype end = parseParams(t, he, &v.m_params, true, nullptr, &perr);
    if (end < 0) {
        fail(error, perr);
        return false;
    }
    return true;
}

qsizetype Via::writeSentBy(char* buf, qsizetype cap) const
{
    if (m_host.size() + 12 > cap) // ":" and up to 10 digits
        return -1;
    if (!m_host.isEmpty())
        std::memcpy(buf, m_host.data(), size_t(m_host.size()));
    qsizetype n = m_host.size();
    if (m_port >= 0) {
        buf[n++] = ':';
        char digits[12];
        int d = 0;
        for (int p = m_port; d == 0 || p > 0; p /= 10)
            digits[d++] = char('0' + p % 10);
        while (d > 0)
            buf[n++] = digits[--d];
    }
    return n;
}

QByteArray Via::sentBy() const
{
    // One allocation of the right size (this used to build the port separately and append it).
    QByteArray r(m_host.size() + 12, Qt::Uninitialized);
    r.truncate(writeSentBy(r.data(), r.size()));
    return r;
}

bool Via::sentByEquals(QByteArrayView other) const
{
    char buf[256];
    const qsizetype n = writeSentBy(buf, sizeof buf);
    if (n < 0)
        return text::ieq(sentBy(), other);
    return text::ieq(QByteArrayView(buf, n), other);
}

int Via::rport() const
{
    bool ok = false;
    const quint64 n = text::parseUInt(m_params.value("rport"), &ok);
    return ok && n <= 65535 ? int(n) : -1;
}

} // namespace ladder::sip
