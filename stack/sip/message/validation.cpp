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

void ValidationReport::note(QByteArray text) { m_warnings.append(std::move(text)); }

void ValidationReport::fail(QByteArray text)
{
    if (m_error.isEmpty())
        m_error = std::move(text);
}

QStringList ValidationReport::warningStrings() const
{
    QStringList out;
    if (m_warnings.isEmpty())
        return out;
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

    // One Via value, decoded into `via` (default-constructed); `top` gets the extra checks that
    // only matter for the topmost one.
    bool checkVia(QByteArrayView v, bool top, ValidationReport& r, Via& via)
    {
        QByteArray err;
        if (v.isEmpty() || !Via::parseInto(&via, QByteArray(), v, &err)) {
            r.fail("Via: " + (v.isEmpty() ? QByteArray("empty value") : err));
            return false;
        }
        if (!top)
            return true;
        if (!text::ieq(via.protocolName(), "SIP") || !text::eq(via.protocolVersion(), "2.0"))
            r.warn("Via: unexpected protocol " + via.protocolName().toByteArray() + '/' + via.protocolVersion().toByteArray());
        const Param* branch = via.params().find("branch");
        if (!branch)
            r.note("Via: missing branch parameter"); // an RFC 2543 peer (RFC 4475 §3.1.1.7, §3.4.1)
        else if (branch->value.isEmpty())
            r.warn("Via: empty branch parameter");
        const Param* rport = via.params().find("rport");
        if (rport && !rport->value.isEmpty() && via.rport() < 0)
            r.fail("Via: rport value '" + text::printable(rport->value) + "' is not a port");
        return true;
    }

    void checkFromTo(HeaderId id, QByteArrayView v, ValidationReport& r, NameAddr& na)
    {
        QByteArray err;
        if (!NameAddr::parseInto(&na, QByteArray(), v, &err)) {
            r.fail(name(id) + ": " + err);
            return;
        }
        if (na.isStar()) {
            r.fail(name(id) + ": '*' is only allowed in Contact");
            return;
        }
        const Param* tag = na.params().find("tag");
        if (tag && tag->value.isEmpty())
            r.fail(name(id) + ": empty tag parameter");
        if (id == HeaderId::From && !tag)
            r.warn("From: missing tag parameter");
    }

    bool checkNameAddr(HeaderId id, QByteArrayView v, ValidationReport& r, NameAddr& na)
    {
        QByteArray err;
        if (v.isEmpty() || !NameAddr::parseInto(&na, QByteArray(), v, &err)) {
            r.fail(name(id) + ": " + (v.isEmpty() ? QByteArray("empty value") : err));
            return false;
        }
        if (id != HeaderId::Contact && na.isStar()) {
            r.fail(name(id) + ": '*' is only allowed in Contact");
            return false;
        }
        if ((id == HeaderId::Route || id == HeaderId::RecordRoute) && !na.hasAngleBrackets())
            r.warn(name(id) + ": value '" + text::printable(v) + "' must be enclosed in <>");
        return true;
    }

    // Where ParsedHeaders keeps the values of a Contact, Route or Record-Route line.
    QVarLengthArray<NameAddr, 2>& keptList(ParsedHeaders& keep, HeaderId id)
    {
        return id == HeaderId::Contact ? keep.contacts : id == HeaderId::Route ? keep.routes : keep.recordRoutes;
    }

    void checkCallId(QByteArrayView v, ValidationReport& r)
    {
        if (v.isEmpty()) {
            r.fail("Call-ID: empty value");
            return;
        }
        // callid = word [ "@" word ]
        // Both words non-empty, at most one '@', and the rest word characters (one pass over all).
        const qsizetype at = text::find(v, '@');
        const bool ok = at != 0 && at != v.size() - 1 && (at < 0 || !text::has(v.sliced(at + 1), '@'))
            && text::allWordOrAt(v);
        if (!ok)
            r.warn("Call-ID: value '" + text::printable(v) + "' is not word[@word]");
    }

    // The value (0..255), or -1 after failing the report.
    int checkMaxForwards(QByteArrayView v, ValidationReport& r)
    {
        bool ok = false;
        const quint64 n = text::parseUInt(v, &ok);
        if (!ok && text::allDigits(v))
            r.fail("Max-Forwards: value " + text::printable(v, 30) + " exceeds 255");
        else if (!ok)
            r.fail("Max-Forwards: value '" + text::printable(v) + "' is not a number");
        else if (n > 255)
            r.fail("Max-Forwards: value " + v.toByteArray() + " exceeds 255");
        else
            return int(n);
        return -1;
    }

} // namespace

void validateHeaders(const Message& m, ValidationReport& r, ParsedHeaders* keep)
{
    if (m.isResponse() && (m.statusCode() < 100 || m.statusCode() > 699))
        r.fail("status line: code " + QByteArray::number(m.statusCode()) + " is outside 100..699");
    const QByteArrayView version = m.version();
    if (!text::eq(version, "SIP/2.0")) {
        if (text::ieq(version, "SIP/2.0"))
            r.warn("start line: version '" + version.toByteArray() + "' should be upper-case SIP/2.0");
        else
            r.warn("start line: unsupported version '" + text::printable(version) + "'");
    }
    // One pass over the headers; what must appear exactly once is counted and checked after.
    int vias = 0, froms = 0, tos = 0, callIds = 0, cseqs = 0, maxForwards = 0;
    bool hasContentType = false;
    const qsizetype n = m.headerCount();
    for (qsizetype i = 0; i < n && !r.failed(); ++i) {
        const HeaderView h = m.headerAt(i);
        switch (h.id) {
        case HeaderId::Via:
            for (QByteArrayView v : splitHeaderList(h.value)) {
                Via local;
                if (!checkVia(v, vias++ == 0, r, keep ? keep->vias.emplace_back() : local))
                    break;
            }
            break;
        case HeaderId::From:
        case HeaderId::To: {
            const bool isFrom = h.id == HeaderId::From;
            if (++(isFrom ? froms : tos) > 1)
                break; // counted, reported after the loop
            NameAddr local;
            checkFromTo(h.id, h.value, r, !keep ? local : isFrom ? keep->from : keep->to);
            break;
        }
        case HeaderId::CallId:
            if (++callIds == 1)
                checkCallId(h.value, r);
            break;
        case HeaderId::CSeq:
            if (++cseqs == 1) {
                quint32 number = 0;
                QByteArrayView method;
                QByteArray err;
                if (!CSeq::parseView(h.value, &number, &method, &err)) {
                    r.fail("CSeq: " + err);
                    break;
                }
                if (keep) {
                    keep->cseqNumber = number;
                    keep->cseqMethod = method;
                }
                if (m.isRequest() && method != m.method())
                    r.warn("CSeq: method " + method.toByteArray() + " does not match the request method "
                        + m.method().toByteArray());
            }
            break;
        case HeaderId::MaxForwards:
            if (++maxForwards == 1) {
                const int value = checkMaxForwards(h.value, r);
                if (keep)
                    keep->maxForwards = value;
            }
            break;
        case HeaderId::Contact:
        case HeaderId::Route:
        case HeaderId::RecordRoute: {
            auto* list = keep ? &keptList(*keep, h.id) : nullptr;
            for (QByteArrayView v : splitHeaderList(h.value)) {
                NameAddr local;
                if (!checkNameAddr(h.id, v, r, list ? list->emplace_back() : local))
                    break;
            }
            break;
        }
        case HeaderId::Expires:
            if (!text::allDigits(h.value))
                r.warn("Expires: value '" + text::printable(h.value) + "' is not delta-seconds");
            break;
        case HeaderId::Date:
            // rfc1123-date, always in GMT (RFC 3261 §20.17).
            if (!h.value.endsWith(" GMT"))
                r.warn("Date: value '" + text::printable(h.value) + "' is not an RFC 1123 date in GMT");
            break;
        case HeaderId::ContentType:
            hasContentType = true;
            break;
        default:
            break;
        }
    }
    if (r.failed())
        return;
    auto complain = [&r](HeaderId id, int count, bool required) {
        if (count == 0 && required)
            r.warn(name(id) + ": missing");
        else if (count > 1)
            r.fail(name(id) + ": appears " + QByteArray::number(count) + " times");
    };
    // The usual count (1) is decided inline; only a complaint calls out.
    auto once = [&complain](HeaderId id, int count, bool required) {
        if (count != 1)
            complain(id, count, required);
    };
    if (vias == 0)
        r.warn("Via: missing");
    once(HeaderId::From, froms, true);
    once(HeaderId::To, tos, true);
    once(HeaderId::CallId, callIds, true);
    once(HeaderId::CSeq, cseqs, true);
    once(HeaderId::MaxForwards, maxForwards, m.isRequest());
    if (!hasContentType && !m.body().isEmpty())
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
