// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "message.h"
#include "parser.h"

#include <QString>
#include <QStringList>

namespace ladder::sip {

// Collects the findings of parsing/validation. Every finding names the header (or "start line",
// "body") and the reason. In strict mode the first warning becomes the error (notes never do).
class ValidationReport {
public:
    explicit ValidationReport(Strictness s = Strictness::Lenient)
        : m_strictness(s)
    {
    }
    void warn(QByteArray text);
    // A finding RFC 4475 says to handle rather than refuse (a Via without a branch: an RFC 2543
    // peer, §3.1.1.7 and §3.4.1; octets after the Content-Length in a datagram, §3.1.1.8):
    // reported as a warning in both modes, never the error.
    void note(QByteArray text);
    void fail(QByteArray text);
    bool failed() const { return !m_error.isEmpty(); }
    const QByteArray& error() const { return m_error; }
    const QList<QByteArray>& warnings() const { return m_warnings; }
    Strictness strictness() const { return m_strictness; }
    QString errorString() const { return QString::fromUtf8(m_error); }
    QStringList warningStrings() const;

private:
    Strictness m_strictness;
    QByteArray m_error;
    QList<QByteArray> m_warnings;
};

// Checks the headers of a message (Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route,
// Record-Route, Expires, Content-Type…) and the start line's version. parse() runs this; it is
// public so a composed message can be checked before sending. With `keep`, the Via, From, To,
// CSeq, Max-Forwards, Contact, Route and Record-Route values it decodes are kept there (see
// ParsedHeaders; the Request-URI and Content-Length are the parser's).
void validateHeaders(const Message& m, ValidationReport& report, ParsedHeaders* keep = nullptr);

struct ValidationResult {
    bool ok = true;
    QString error;
    QStringList warnings;
};
ValidationResult validate(const Message& m, Strictness strictness = Strictness::Lenient);

// RFC 3261 §8.1.1.7: the branch starts with the magic cookie "z9hG4bK" and has more after it.
bool isRfc3261Branch(QByteArrayView branch);

// For the send call: tells "no CSeq header" (ENOENT) from "a CSeq that cannot be used" (EPROTO).
struct CSeqCheck {
    enum Status { Ok, Missing, BadValue };
    Status status = Missing;
    QString reason; // "CSeq: missing", "CSeq: value 4294967296 exceeds 2^32-1", …
    CSeq cseq; // valid when Ok
};
CSeqCheck checkCSeq(const Message& m);

} // namespace ladder::sip
