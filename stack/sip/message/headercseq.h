// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include <optional>

namespace ladder::sip {

// CSeq: a 32-bit sequence number and a method.
struct CSeq {
    quint32 number = 0;
    QByteArray method;

    // Parses "4711 INVITE"; on failure *error says why ("value 4294967296 exceeds 2^32-1").
    static std::optional<CSeq> parse(QByteArrayView value, QByteArray* error = nullptr);
    // The same without allocating: *method is a view into value.
    static bool parseView(QByteArrayView value, quint32* number, QByteArrayView* method, QByteArray* error);
    QByteArray toByteArray() const { return QByteArray::number(number) + ' ' + method; }
};

} // namespace ladder::sip
