// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QVarLengthArray>

namespace ladder::sip {

// One generic parameter (";name=value" or ";name"). Views into the text it was parsed from;
// the owning value type (Via, NameAddr, Uri) keeps that text alive.
struct Param {
    QByteArrayView name;
    QByteArrayView value; // as written: a quoted-string keeps its quotes
    bool hasValue = false;
};

// An ordered list of parameters; names compare case-insensitively. Small lists live inline.
class Params {
public:
    const Param* find(QByteArrayView name) const;
    bool has(QByteArrayView name) const { return find(name) != nullptr; }
    // The value of `name` ("" when absent or valueless; use has() to tell them apart).
    QByteArrayView value(QByteArrayView name) const;
    qsizetype size() const { return m_list.size(); }
    bool isEmpty() const { return m_list.isEmpty(); }
    const Param& at(qsizetype i) const { return m_list[i]; }
    const Param* begin() const { return m_list.begin(); }
    const Param* end() const { return m_list.end(); }
    void append(const Param& p) { m_list.append(p); }

private:
    QVarLengthArray<Param, 6> m_list;
};

// Parses `*( SEMI generic-param )` starting at text[pos] (which must be ';' or the end / a stop
// character). Stops at the end or at the first character in `stop` found outside a parameter
// (e.g. ',' for header lists, '?' for URI headers). LWS is allowed around ';' and '=' when
// `allowLws` (header parameters), not inside URIs. Returns the index where it stopped, or -1 with
// *error set.
qsizetype parseParams(QByteArrayView text, qsizetype pos, Params* out, bool allowLws, const char* stop,
    QByteArray* error);

} // namespace ladder::sip
