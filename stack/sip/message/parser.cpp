// SPDX-License-Identifier: GPL-3.0-or-later
#include "parser.h"

#include "headeridtable.h"
#include "parsertext.h"
#include "validation.h"

#include <QVarLengthArray>

#include <cstring>

namespace ladder::sip {

QByteArray text::printable(QByteArrayView v, qsizetype max)
{
    QByteArray r;
    const qsizetype n = qMin(v.size(), max);
    r.reserve(n + 8);
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char ch = v[i];
        if (ch >= 0x20 && ch < 0x7f) {
            r += char(ch);
        } else {
            static const char hex[] = "0123456789abcdef";
            r += "\\x";
            r += hex[ch >> 4];
            r += hex[ch & 15];
        }
    }
    if (v.size() > max)
        r += "...";
    return r;
}

// Fills a Message's spans; a friend of Message.
class Parser {
public:
    Parser(const QByteArray& bytes, const ParseOptions& o, ParseResult& result, ParsedHeaders* keep)
        : m_bytes(bytes)
        , m_d(bytes.constData())
        , m_n(bytes.size())
        , m_opts(o)
        , m_report(o.strictness)
        , m_result(result)
        , m_keep(keep)
    {
    }

    void run();

private:
    // The line starting at `p`: [p, contentEnd) without the line end, next = after '\n'.
    // Returns false when there is no '\n' left.
    Q_ALWAYS_INLINE bool line(qsizetype p, qsizetype* contentEnd, qsizetype* next)
    {
        const char* nl = text::findChar(m_d + p, m_d + m_n, '\n');
        if (!nl)
            return false;
        const qsizetype e = nl - m_d;
        *next = e + 1;
        if (e > p && m_d[e - 1] == '\r') {
            *contentEnd = e - 1;
        } else {
            *contentEnd = e;
            if (!m_bareLf)
                warnBareLf();
        }
        return true;
    }
    Q_NEVER_INLINE void warnBareLf()
    {
        m_bareLf = true;
        m_report.warn("line " + QByteArray::number(m_lineNo) + ": ends with LF instead of CRLF");
    }
    bool parseStartLine(qsizetype p, qsizetype e);
    void finishFolded(Message::Field& f);

    const QByteArray& m_bytes;
    const char* m_d;
    qsizetype m_n;
    ParseOptions m_opts;
    ValidationReport m_report;
    // The message is built in place inside the caller's result (returned by NRVO: no Message
    // moved over at the end).
    ParseResult& m_result;
    Message& m_msg = m_result.message;
    ParsedHeaders* m_keep; // null: what the checks decode is not kept
    int m_lineNo = 1;
    bool m_bareLf = false;
};

bool Parser::parseStartLine(qsizetype p, qsizetype e)
{
    const QByteArrayView l(m_d + p, e - p);
    Message& m = m_msg;
    if (l.isEmpty()) {
        m_report.fail("start line: empty");
        return false;
    }
    // Three parts separated by single SP; extra whitespace is tolerated with a warning.
    const qsizetype sp1 = text::find(l, ' ');
    if (sp1 <= 0) {
        m_report.fail("start line: '" + text::printable(l) + "' is neither a request nor a status line");
        return false;
    }
    qsizetype s2 = sp1 + 1;
    bool extraWs = false;
    while (s2 < l.size() && text::isWs(l[s2])) {
        ++s2;
        extraWs = true;
    }
    const bool isResponse = text::startsWith(l, "SIP/") || (l.size() > 4 && text::ieq(l.first(4), "SIP/") && !text::has(l, ':'));
    if (isResponse) {
        m.m_kind = Message::Kind::Response;
        m.m_aOff = quint32(p);
        m.m_aLen = quint32(sp1);
        qsizetype c = s2;
        while (c < l.size() && text::is(l[c], text::Digit))
            ++c;
        const QByteArrayView code = l.sliced(s2, c - s2);
        if (code.size() != 3) {
            m_report.fail("status line: status code '" + text::printable(code.isEmpty() ? l.sliced(s2) : code)
                + "' is not three digits");
            return false;
        }
        m.m_bOff = quint32(p + s2);
        m.m_bLen = 3;
        m.m_status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        if (c < l.size() && l[c] != ' ') {
            m_report.fail("status line: status code '" + text::printable(l.sliced(s2)) + "' is not three digits");
            return false;
        }
        qsizetype r = c < l.size() ? c + 1 : c;
        m.m_cOff = quint32(p + r);
        m.m_cLen = quint32(l.size() - r);
        if (c == l.size())
            m_report.warn("status line: missing SP after the status code");
        if (extraWs)
            m_report.warn("status line: more than one SP after the version");
        return true;
    }
    m.m_kind = Message::Kind::Request;
    const QByteArrayView method = l.first(sp1);
    if (!text::isToken(method)) {
        m_report.fail("request line: method '" + text::printable(method) + "' is not a token");
        return false;
    }
    QByteArrayView line = l;
    while (!line.isEmpty() && text::isWs(line.back()))
        line.chop(1);
    if (line.size() != l.size())
        m_report.warn("request line: trailing whitespace");
    qsizetype sp2 = line.size() - 1; // the last SP (QByteArrayView::lastIndexOf calls out of line)
    while (sp2 >= 0 && line[sp2] != ' ')
        --sp2;
    qsizetype uriEnd = sp2;
    while (uriEnd > s2 && text::isWs(l[uriEnd - 1])) {
        --uriEnd;
        extraWs = true;
    }
    if (sp2 < s2 || uriEnd <= s2) {
        m_report.fail("request line: '" + text::printable(l) + "' needs Method SP Request-URI SP SIP-Version");
        return false;
    }
    const QByteArrayView uri = l.sliced(s2, uriEnd - s2);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (version.isEmpty() || !text::ieq(version.first(qMin<qsizetype>(4, version.size())), "SIP/")) {
        m_report.fail("request line: version '" + text::printable(version) + "' is not SIP/x.y");
        return false;
    }
    if (text::has(uri, ' ') || text::has(uri, '\t')) {
        m_report.fail("request line: Request-URI '" + text::printable(uri) + "' contains whitespace");
        return false;
    }
    if (extraWs)
        m_report.warn("request line: more than one SP between elements");
    m.m_aOff = quint32(p);
    m.m_aLen = quint32(sp1);
    m.m_bOff = quint32(p + s2);
    m.m_bLen = quint32(uri.size());
    m.m_cOff = quint32(p + sp2 + 1);
    m.m_cLen = quint32(version.size());
    QByteArray err;
    Uri local;
    Uri& parsed = m_keep ? m_keep->requestUri : local;
    if (!Uri::parseInto(&parsed, QByteArray(), uri, &err)) {
        m_report.fail("request line: " + err);
        return false;
    }
    if (parsed.isSip() && !parsed.headers().isEmpty())
        m_report.warn("request line: Request-URI must not contain headers (RFC 3261 §19.1.5)");
    return true;
}

void Parser::finishFolded(Message::Field& f)
{
    // Replace each run of LWS containing a line end by one SP (RFC 3261 §7.3.1).
    const QByteArrayView raw(m_d + f.valueOff, f.valueLen);
    QByteArray out;
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char ch = raw[i];
        if (ch == '\r' || ch == '\n') {
            while (!out.isEmpty() && text::isWs(out.back()))
                out.chop(1);
            while (i + 1 < raw.size() && text::isLwsChar(raw[i + 1]))
                ++i;
            out += ' ';
        } else {
            out += ch;
        }
    }
    m_msg.setOwn(f, QByteArray(), out);
}

void Parser::run()
{
    ParseResult& result = m_result;
    qsizetype p = 0;
    // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams).
    while (p < m_n && (m_d[p] == '\r' || m_d[p] == '\n'))
        ++p;
    Message& m = m_msg;
    m.m_buf = m_bytes;
    m.m_msgOff = quint32(p);
    m.m_edited = false;
    m.m_startEdited = false;
    m.m_bodyEdited = false;
    if (m_n > qsizetype(0x7fffffff)) {
        result.error = QStringLiteral("message: larger than 2 GiB");
        result.message = Message();
        return;
    }
    auto done = [&]() {
        result.ok = !m_report.failed();
        // Both are usually empty: skip the conversions then.
        if (!result.ok)
            result.error = m_report.errorString();
        if (!m_report.warnings().isEmpty())
            result.warnings = m_report.warningStrings();
    };
    if (p >= m_n) {
        m_report.fail("message: empty");
        return done();
    }
    qsizetype e, next;
    if (!line(p, &e, &next)) {
        m_report.fail("start line: not terminated by CRLF");
        return done();
    }
    m.m_startLen = quint32(next - p);
    if (!parseStartLine(p, e))
        return done();
    result.startLineParsed = true;

    // The header fields are collected on the stack and stored in the message with one right-sized
    // allocation (also when parsing stops early: the message holds what was parsed).
    QVarLengthArray<Message::Field, 32> fields;
    bool terminated = false;
    bool anyFolded = false;
    // Content-Length is needed for framing below: its first index and count, noted on the way.
    qsizetype clIndex = -1;
    int clCount = 0;
    auto storeFields = [&] {
        if (!m.m_headers.isEmpty() || fields.isEmpty())
            return;
        m.m_headers = QList<Message::Field>(fields.begin(), fields.end());
        if (anyFolded)
            for (Message::Field& f : m.m_headers)
                if (f.own >= 0) {
                    f.own = -1;
                    finishFolded(f);
                }
    };
    auto fail = [&] {
        storeFields();
        return done();
    };
    p = next;
    for (;;) {
        ++m_lineNo;
        if (p >= m_n)
            break;
        if (!line(p, &e, &next)) {
            // The last line has no line end: take it as a header line, then report the missing
            // empty line below.
            e = m_n;
            next = m_n;
        }
        if (e == p) {
            m.m_blankOff = quint32(p);
            m.m_blankLen = quint32(next - p);
            p = next;
            terminated = true;
            break;
        }
        const char first = m_d[p];
        if (first == ' ' || first == '\t') {
            if (fields.isEmpty()) {
                m_report.fail("line " + QByteArray::number(m_lineNo) + ": continuation line before the first header");
                return fail();
            }
            Message::Field& f = fields.back();
            f.lineLen = quint32(next - f.lineOff);
            qsizetype cs = p;
            while (cs < e && text::isWs(m_d[cs]))
                ++cs;
            qsizetype ve = e;
            while (ve > cs && text::isWs(m_d[ve - 1]))
                --ve;
            if (ve > cs) {
                if (f.valueLen == 0)
                    f.valueOff = quint32(cs);
                else
                    anyFolded = true, f.own = 0; // unfolded by finishFolded below
                f.valueLen = quint32(ve - f.valueOff);
            }
            p = next;
            continue;
        }
        // The name is a token, then optional whitespace, then ':' (RFC 3261 HCOLON).
        qsizetype ne;
#ifdef __SSE2__
        // A header name is short: one 16-byte look finds its end when 16 bytes can be read (the
        // line end is not a name character, so the run never passes e).
        const unsigned nameRun = m_n - p >= 16 ? text::alnumDashMask16(m_d + p) : 0xffffu;
        if (nameRun != 0xffffu)
            ne = p + __builtin_ctz(~nameRun);
        else
#endif
            ne = text::skipAlnumDash(m_d + p, m_d + e, false) - m_d;
        if (ne < e && m_d[ne] != ':') // the usual name ends at ':'; others may go on with . ! % * …
            while (ne < e && text::is(m_d[ne], text::Token))
                ++ne;
        qsizetype colon = ne;
        while (colon < e && text::isWs(m_d[colon]))
            ++colon;
        if (colon >= e || m_d[colon] != ':') {
            const QByteArrayView lineText(m_d + p, e - p);
            if (!text::has(lineText, ':'))
                m_report.fail("line " + QByteArray::number(m_lineNo) + ": header line without ':' ('"
                    + text::printable(lineText) + "')");
            else
                m_report.fail("line " + QByteArray::number(m_lineNo) + ": invalid header name '"
                    + text::printable(text::trimmed(lineText.first(text::find(lineText, ':')))) + "'");
            return fail();
        }
        const QByteArrayView name(m_d + p, ne - p);
        if (name.isEmpty()) {
            m_report.fail("line " + QByteArray::number(m_lineNo) + ": invalid header name ''");
            return fail();
        }
        qsizetype vs = colon + 1;
        while (vs < e && text::isWs(m_d[vs]))
            ++vs;
        qsizetype ve = e;
        while (ve > vs && text::isWs(m_d[ve - 1]))
            --ve;
        Message::Field& f = fields.emplace_back();
        f.id = headerids::lookup(name); // inline: once per header line
        if (f.id == HeaderId::ContentLength && clCount++ == 0)
            clIndex = fields.size() - 1;
        f.lineOff = quint32(p);
        f.lineLen = quint32(next - p);
        f.nameOff = quint32(p);
        f.nameLen = quint32(ne - p);
        f.valueOff = quint32(vs);
        f.valueLen = quint32(ve - vs);
        p = next;
    }
    storeFields();
    if (!terminated)
        m_report.warn("headers: not terminated by an empty line");

    // Body framing.
    const qsizetype headEnd = p;
    m.m_headEnd = quint32(headEnd);
    const qsizetype available = m_n - headEnd;
    qsizetype bodyLen = available;
    const qsizetype cli = clIndex;
    if (cli >= 0) {
        const QByteArrayView v = m.headerAt(cli).value;
        bool ok = false;
        const quint64 cl = text::parseUInt(v, &ok);
        if (!ok) {
            if (text::allDigits(v))
                m_report.fail("Content-Length: value " + text::printable(v, 30) + " is too large");
            else
                m_report.fail("Content-Length: value '" + text::printable(v) + "' is not a number");
            return done();
        }
        for (qsizetype j = clCount > 1 ? m.indexOf(HeaderId::ContentLength, cli + 1) : -1; j >= 0;
            j = m.indexOf(HeaderId::ContentLength, j + 1)) {
            if (m.headerAt(j).value != v) {
                m_report.fail("Content-Length: conflicting values " + text::printable(v) + " and "
                    + text::printable(m.headerAt(j).value));
                return done();
            }
            m_report.warn("Content-Length: repeated");
        }
        if (cl > quint64(available)) {
            m_report.fail("Content-Length: value " + v.toByteArray() + " exceeds the " + QByteArray::number(available)
                + " bytes available");
            return done();
        }
        bodyLen = qsizetype(cl);
        if (m_keep)
            m_keep->contentLength = bodyLen;
        if (bodyLen < available && !m_opts.stream) // RFC 4475 §3.1.1.8: handle it, report the rest
            m_report.note("body: " + QByteArray::number(available - bodyLen)
                + " bytes after the Content-Length ignored");
    } else if (m_opts.stream) {
        m_report.fail("Content-Length: missing (required on stream transports)");
        return done();
    }
    m.m_bodyOff = quint32(headEnd);
    m.m_bodyLen = quint32(bodyLen);
    m.m_msgLen = quint32(headEnd + bodyLen - m.m_msgOff);
    result.consumed = headEnd + bodyLen;

    validateHeaders(m, m_report, m_keep);
    done();
}

ParseResult parse(const QByteArray& bytes, const ParseOptions& options)
{
    ParseResult result;
    Parser p(bytes, options, result, nullptr);
    p.run();
    return result;
}

ParseResult parse(const QByteArray& bytes, const ParseOptions& options, ParsedHeaders* parsed)
{
    ParseResult result;
    Parser p(bytes, options, result, parsed);
    p.run();
    return result;
}

} // namespace ladder::sip
