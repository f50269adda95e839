// SPDX-License-Identifier: GPL-3.0-or-later
#include "headerparams.h"

#include "parsertext.h"

#include <cstring>

namespace ladder::sip {

const Param* Params::find(QByteArrayView name) const
{
    for (const Param& p : m_list)
        if (text::ieq(p.name, name))
            return &p;
    return nullptr;
}

QByteArrayView Params::value(QByteArrayView name) const
{
    const Param* p = find(name);
    return p ? p->value : QByteArrayView();
}

namespace {
    // Parameter names and values are text::ParamChar runs (skipParamChars): token characters, plus
    // what URI params and IPv6 references need (RFC 3261 paramchar: unreserved / escaped / "[" "]"
    // "/" ":" "&" "+" "$").
    static_assert(!(text::kChars.c[std::uint8_t('=')] & text::ParamChar), "a parameter name ends at '='");
    // A loop rather than strchr: the stop set is one or two characters, checked once per
    // parameter, and a libc call costs more than the comparison.
    bool isStop(char ch, const char* stop)
    {
        if (!stop || !ch)
            return false;
        for (; *stop; ++stop)
            if (*stop == ch)
                return true;
        return false;
    }
}

qsizetype parseParams(QByteArrayView t, qsizetype i, Params* out, bool lws, const char* stop, QByteArray* error)
{
    const qsizetype n = t.size();
    for (;;) {
        if (lws)
            i = text::skipLws(t, i);
        if (i >= n || isStop(t[i], stop))
            return i;
        if (t[i] != ';') {
            *error = "unexpected '" + text::printable(t.sliced(i, 1)) + "' where ';' or the end was expected";
            return -1;
        }
        ++i;
        if (lws)
            i = text::skipLws(t, i);
        const qsizetype nameStart = i;
        i = text::skipParamChars(t.data(), t.data() + i, t.data() + n) - t.data(); // '=' is not a paramchar
        Param p;
        p.name = t.sliced(nameStart, i - nameStart);
        if (p.name.isEmpty()) {
            *error = "empty parameter name";
            return -1;
        }
        qsizetype j = lws ? text::skipLws(t, i) : i;
        if (j < n && t[j] == '=') {
            j = lws ? text::skipLws(t, j + 1) : j + 1;
            p.hasValue = true;
            if (j < n && t[j] == '"') {
                const qsizetype end = text::skipQuoted(t, j);
                if (end < 0) {
                    *error = "unterminated quoted string in parameter " + p.name.toByteArray();
                    return -1;
                }
                p.value = t.sliced(j, end - j);
                i = end;
            } else {
                const qsizetype vs = j;
                j = text::skipParamChars(t.data(), t.data() + j, t.data() + n) - t.data();
                p.value = t.sliced(vs, j - vs);
                if (p.value.isEmpty()) {
                    *error = "parameter " + p.name.toByteArray() + " has '=' but no value";
                    return -1;
                }
                i = j;
            }
        }
        out->append(p);
    }
}

} // namespace ladder::sip
