// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "message.h"

#include <QString>
#include <QStringList>

namespace ladder::sip {

// Lenient accepts what real peers send and reports it as a warning; strict rejects everything
// lenient warns about (every warning becomes the error).
enum class Strictness { Lenient, Strict };

struct ParseOptions {
    Strictness strictness = Strictness::Lenient;
    // Datagram (UDP, files): Content-Length is optional, bytes after the body are ignored with a
    // warning. Stream (TCP framer output): Content-Length is required.
    bool stream = false;
};

struct ParseResult {
    bool ok = false;
    Message message; // complete when ok; on failure holds what was parsed (see startLineParsed)
    bool startLineParsed = false; // kind(), method() / statusCode() of message are valid
    QString error; // "CSeq: value 4294967296 exceeds 2^32-1"; empty when ok
    QStringList warnings; // "Via: missing branch parameter", …
    qsizetype consumed = 0; // bytes of the input that belong to the message (incl. leading CRLFs)
    explicit operator bool() const { return ok; }
};

// Parses one SIP message from `bytes`. The Message keeps `bytes` (shared, not copied) and refers
// into it. Never throws, never reads outside `bytes`.
ParseResult parse(const QByteArray& bytes, const ParseOptions& options = {});
inline ParseResult parse(const QByteArray& bytes, Strictness strictness)
{
    ParseOptions o;
    o.strictness = strictness;
    return parse(bytes, o);
}

} // namespace ladder::sip
