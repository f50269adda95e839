// SPDX-License-Identifier: GPL-3.0-or-later
#include "validation.h"

#include "parsertext.h"

namespace ladder::sip {

void ValidationReport::warn(QByteArray text)
{
    if (m_strictness == Strictness::Strict) {
        fail(std::move(text));
        return;
    }
    m_warnings.append(std::move(text));
}

void ValidationReport::fail(QByteArray text)
{
    if (m_error.isEmpty())
        m_error = std::move(text);
}

QStringList ValidationReport::warningStrings() const
{
    QStringList out;
    out.reserve(m_warnings.size());
    for (const QByteArray& w : m_warnings)
        out.append(QString::fromUtf8(w));
    return out;
}

bool isRfc3261Branch(QByteArrayView branch) { return branch.size() > 7 && branch.startsWith("z9hG4bK"); }

CSeqCheck checkCSeq(const Message& m)
{
    CSeqCheck r;
    const qsizetype n = m.countOf(HeaderId::CSeq);
    if (n == 0) {
        r.status = CSeqCheck::Missing;
        r.reason = QStringLiteral("CSeq: missing");
        return r;
    }
    if (n > 1) {
        r.status = CSeqCheck::BadValue;
        r.reason = QStringLiteral("CSeq: appears %1 times").arg(n);
        return r;
    }
    QByteArray err;
    const auto c = CSeq::parse(m.value(HeaderId::CSeq), &err);
    if (!c) {
        r.status = CSeqCheck::BadValue;
        r.reason = QStringLiteral("CSeq: ") + QString::fromUtf8(err);
        return r;
    }
    if (m.isRequest() && c->method != m.method()) {
        r.status = CSeqCheck::BadValue;
        r.reason = QStringLiteral("CSeq: method %1 does not match the request method %2")
                       .arg(QString::fromUtf8(c->method), QString::fromUtf8(m.method().toByteArray()));
        return r;
    }
    r.status = CSeqCheck::Ok;
    r.cseq = *c;
    return r;
}

namespace {

    QByteArray name(HeaderId id) { return headerName(id).toByteArray(); }

    // Present exactly once; returns false (after reporting) when missing or repeated.
    bool single(const Message& m, HeaderId id, ValidationReport& r, bool required)
    {
        const qsizetype n = m.countOf(id);
        if (n == 0) {
            if (required)
                r.warn(name(id) + ": missing");
            return false;
        }
        if (n > 1) {
            r.fail(name(id) + ": appears " + QByteArray::number(n) + " times");
            return false;
        }
        return true;
    }

    void checkVias(const Message& m, ValidationReport& r)
    {
        bool first = true;
        for (qsizetype i = m.indexOf(HeaderId::Via); i >= 0; i = m.indexOf(HeaderId::Via, i + 1)) {
            const HeaderView h = m.headerAt(i);
            for (QByteArrayView v : splitHeaderList(h.value)) {
                QByteArray err;
                const auto via = Via::parse(QByteArray(), v, &err);
                if (!via) {
                    r.fail("Via: " + (v.isEmpty() ? QByteArray("empty value") : err));
                    return;
                }
                if (first) {
                    if (!text::ieq(via->protocolName(), "SIP") || via->protocolVersion() != "2.0")
                        r.warn("Via: unexpected protocol " + via->protocolName().toByteArray() + '/'
                            + via->protocolVersion().toByteArray());
                    if (!via->hasBranch())
                        r.warn("Via: missing branch parameter");
                    else if (via->branch().isEmpty())
                        r.warn("Via: empty branch parameter");
                    if (via->params().has("rport") && !via->params().value("rport").isEmpty() && via->rport() < 0)
                        r.fail("Via: rport value '" + text::printable(via->params().value("rport")) + "' is not a port");
                    first = false;
                }
            }
        }
        if (first)
            r.warn("Via: missing");
    }

    void checkFromTo(const Message& m, HeaderId id, ValidationReport& r)
    {
        if (!single(m, id, r, true))
            return;
        QByteArray err;
        const auto na = NameAddr::parse(QByteArray(), m.value(id), &err);
        if (!na) {
            r.fail(name(id) + ": " + err);
            return;
        }
        if (na->isStar()) {
            r.fail(name(id) + ": '*' is only allowed in Contact");
            return;
        }
        if (na->hasTag() && na->tag().isEmpty())
            r.fail(name(id) + ": empty tag parameter");
        if (id == HeaderId::From && !na->hasTag())
            r.warn("From: missing tag parameter");
    }

    void checkNameAddrList(const Message& m, HeaderId id, ValidationReport& r)
    {
        for (qsizetype i = m.indexOf(id); i >= 0; i = m.indexOf(id, i + 1)) {
            for (QByteArrayView v : splitHeaderList(m.headerAt(i).value)) {
                QByteArray err;
                const auto na = NameAddr::parse(QByteArray(), v, &err);
                if (!na) {
                    r.fail(name(id) + ": " + (v.isEmpty() ? QByteArray("empty value") : err));
                    return;
                }
                if (id != HeaderId::Contact && na->isStar()) {
                    r.fail(name(id) + ": '*' is only allowed in Contact");
                    return;
                }
                if ((id == HeaderId::Route || id == HeaderId::RecordRoute) && !na->hasAngleBrackets())
                    r.warn(name(id) + ": value '" + text::printable(v) + "' must be enclosed in <>");
            }
        }
    }

    void checkCallId(const Message& m, ValidationReport& r)
    {
        if (!single(m, HeaderId::CallId, r, true))
            return;
        const QByteArrayView v = m.value(HeaderId::CallId);
        if (v.isEmpty()) {
            r.fail("Call-ID: empty value");
            return;
        }
        // callid = word [ "@" word ]
        const qsizetype at = v.indexOf('@');
        const QByteArrayView a = at < 0 ? v : v.first(at);
        const QByteArrayView b = at < 0 ? QByteArrayView() : v.sliced(at + 1);
        if (!text::allOf(a, text::Word) || (at >= 0 && !text::allOf(b, text::Word)))
            r.warn("Call-ID: value '" + text::printable(v) + "' is not word[@word]");
    }

    void checkNumber(const Message& m, HeaderId id, quint64 max, const char* maxText, ValidationReport& r)
    {
        if (!single(m, id, r, false))
            return;
        const QByteArrayView v = m.value(id);
        bool ok = false;
        const quint64 n = text::parseUInt(v, &ok);
        if (!ok && text::allDigits(v)) {
            r.fail(name(id) + ": value " + text::printable(v, 30) + " exceeds " + maxText);
            return;
        }
        if (!ok) {
            r.fail(name(id) + ": value '" + text::printable(v) + "' is not a number");
            return;
        }
        if (n > max)
            r.fail(name(id) + ": value " + v.toByteArray() + " exceeds " + maxText);
    }

} // namespace

void validateHeaders(const Message& m, ValidationReport& r)
{
    if (m.isResponse() && (m.statusCode() < 100 || m.statusCode() > 699))
        r.fail("status line: code " + QByteArray::number(m.statusCode()) + " is outside 100..699");
    const QByteArrayView version = m.version();
    if (version != "SIP/2.0") {
        if (text::ieq(version, "SIP/2.0"))
            r.warn("start line: version '" + version.toByteArray() + "' should be upper-case SIP/2.0");
        else
            r.warn("start line: unsupported version '" + text::printable(version) + "'");
    }
    checkVias(m, r);
    checkFromTo(m, HeaderId::From, r);
    checkFromTo(m, HeaderId::To, r);
    checkCallId(m, r);

    const CSeqCheck c = checkCSeq(m);
    if (c.status == CSeqCheck::Missing)
        r.warn("CSeq: missing");
    else if (c.status == CSeqCheck::BadValue) {
        const QByteArray reason = c.reason.toUtf8();
        if (reason.contains("does not match"))
            r.warn(reason);
        else
            r.fail(reason);
    }

    if (m.isRequest()) {
        if (!m.hasHeader(HeaderId::MaxForwards))
            r.warn("Max-Forwards: missing");
        else
            checkNumber(m, HeaderId::MaxForwards, 255, "255", r);
    }
    checkNameAddrList(m, HeaderId::Contact, r);
    checkNameAddrList(m, HeaderId::Route, r);
    checkNameAddrList(m, HeaderId::RecordRoute, r);

    if (m.hasHeader(HeaderId::Expires)) {
        const QByteArrayView v = m.value(HeaderId::Expires);
        if (!text::allDigits(v))
            r.warn("Expires: value '" + text::printable(v) + "' is not delta-seconds");
    }
    if (m.hasHeader(HeaderId::Date)) {
        // rfc1123-date, always in GMT (RFC 3261 §20.17).
        const QByteArrayView v = m.value(HeaderId::Date);
        if (!v.endsWith(" GMT"))
            r.warn("Date: value '" + text::printable(v) + "' is not an RFC 1123 date in GMT");
    }
    if (!m.body().isEmpty() && !m.hasHeader(HeaderId::ContentType))
        r.warn("Content-Type: missing for a body of " + QByteArray::number(m.body().size()) + " bytes");
}

ValidationResult validate(const Message& m, Strictness strictness)
{
    ValidationReport r(strictness);
    validateHeaders(m, r);
    const auto cl = m.contentLength();
    if (m.hasHeader(HeaderId::ContentLength) && (!cl || *cl != m.body().size()))
        r.fail("Content-Length: value " + text::printable(m.value(HeaderId::ContentLength)) + " does not match the body of "
            + QByteArray::number(m.body().size()) + " bytes");
    ValidationResult out;
    out.ok = !r.failed();
    out.error = r.errorString();
    out.warnings = r.warningStrings();
    return out;
}

} // namespace ladder::sip
