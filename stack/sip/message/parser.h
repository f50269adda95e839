// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "message.h"

#include <QString>
#include <QStringList>
#include <QVarLengthArray>

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

// What parse() decoded to check the message, kept for a caller that would otherwise decode the
// same headers again: the Request-URI, every Via value, From, To, CSeq, Max-Forwards, every
// Contact, Route and Record-Route value, Content-Length. Views point into the message's text
// (no storage of their own): valid while the parsed Message lives and is not edited. Complete
// only when the parse succeeded.
struct ParsedHeaders {
    Uri requestUri; // requests
    QVarLengthArray<Via, 4> vias; // every value of every Via line, top first
    NameAddr from, to;
    quint32 cseqNumber = 0;
    QByteArrayView cseqMethod;
    QVarLengthArray<NameAddr, 2> contacts, routes, recordRoutes; // every value, in order
    int maxForwards = -1; // -1 when absent
    qint64 contentLength = -1; // -1 when absent
};

// Parses one SIP message from `bytes`. The Message keeps `bytes` (shared, not copied) and refers
// into it. Never throws, never reads outside `bytes`.
ParseResult parse(const QByteArray& bytes, const ParseOptions& options = {});
// The same, keeping in *parsed (default-constructed; its lists are appended to) what the checks
// decoded. The same checks and findings as parse() without it.
ParseResult parse(const QByteArray& bytes, const ParseOptions& options, ParsedHeaders* parsed);
inline ParseResult parse(const QByteArray& bytes, Strictness strictness)
{
    ParseOptions o;
    o.strictness = strictness;
    return parse(bytes, o);
}

} // namespace ladder::sip
