// SPDX-License-Identifier: GPL-3.0-or-later
#include "headercseq.h"

#include "parsertext.h"

namespace ladder::sip {

std::optional<CSeq> CSeq::parse(QByteArrayView value, QByteArray* error)
{
    CSeq c;
    QByteArrayView method;
    if (!parseView(value, &c.number, &method, error))
        return std::nullopt;
    c.method = method.toByteArray();
    return c;
}

bool CSeq::parseView(QByteArrayView value, quint32* number, QByteArrayView* methodOut, QByteArray* error)
{
    auto fail = [error](QByteArray msg) {
        if (error)
            *error = std::move(msg);
        return false;
    };
    // The usual value ("314159 INVITE": up to ten digits, one SP, a token) in one pass; anything
    // else takes the general path below, which gives the same result or the error.
    {
        const char* d = value.data();
        const qsizetype n = value.size();
        qsizetype i = 0;
        quint64 v = 0;
        while (i < n && i < 10 && d[i] >= '0' && d[i] <= '9')
            v = v * 10 + quint64(d[i++] - '0');
        if (i > 0 && i + 1 < n && d[i] == ' ' && v <= 0xffffffffULL && text::isToken(value.sliced(i + 1))) {
            *number = quint32(v);
            *methodOut = value.sliced(i + 1);
            return true;
        }
    }
    const QByteArrayView t = text::trimmed(value);
    if (t.isEmpty())
        return fail("empty value");
    qsizetype i = 0;
    while (i < t.size() && !text::isLwsChar(t[i]))
        ++i;
    const QByteArrayView num = t.first(i);
    const QByteArrayView method = text::trimmed(t.sliced(i));
    if (num.isEmpty() || !text::allDigits(num)) {
        if (method.isEmpty() && text::isToken(num) && !text::allDigits(num.first(1)))
            return fail("missing sequence number in '" + text::printable(t) + "'");
        return fail("sequence number '" + text::printable(num) + "' is not a decimal number");
    }
    // Leading zeros do not change the value; compare the significant digits against 2^32-1.
    qsizetype z = 0;
    while (z + 1 < num.size() && num[z] == '0')
        ++z;
    const QByteArrayView sig = num.sliced(z);
    bool ok = false;
    const quint64 n = sig.size() <= 19 ? text::parseUInt(sig, &ok) : 0;
    if (!ok || n > 0xffffffffULL)
        return fail("value " + text::printable(num, 30) + " exceeds 2^32-1");
    if (method.isEmpty())
        return fail("missing method after " + num.toByteArray());
    if (!text::isToken(method))
        return fail("method '" + text::printable(method) + "' is not a token");
    *number = quint32(n);
    *methodOut = method;
    return true;
}

} // namespace ladder::sip
