// SPDX-License-Identifier: GPL-3.0-or-later
#include "message.h"

#include "bytewriter.h"
#include "parsertext.h"

#include <cstring>

namespace ladder::sip {

Message Message::request(const QByteArray& method, const QByteArray& requestUri)
{
    Message m;
    m.setRequestLine(method, requestUri);
    return m;
}

Message Message::response(int status, const QByteArray& reason)
{
    Message m;
    m.setStatusLine(status, reason);
    return m;
}

void Message::setRequestLine(const QByteArray& method, const QByteArray& requestUri)
{
    m_kind = Kind::Request;
    m_status = 0;
    m_start.clear();
    m_start.reserve(method.size() + 1 + requestUri.size() + 8);
    m_start += method;
    m_start += ' ';
    m_start += requestUri;
    m_start += " SIP/2.0";
    m_aOff = 0;
    m_aLen = quint32(method.size());
    m_bOff = m_aLen + 1;
    m_bLen = quint32(requestUri.size());
    m_cOff = m_bOff + m_bLen + 1;
    m_cLen = 7;
    m_startEdited = true;
    edited();
}

void Message::setStatusLine(int status, const QByteArray& reason)
{
    m_kind = Kind::Response;
    m_status = status;
    const QByteArray code = QByteArray::number(status);
    const QByteArray r = reason.isEmpty() ? defaultReason(status) : reason;
    m_start.clear();
    m_start.reserve(8 + code.size() + 1 + r.size());
    m_start += "SIP/2.0 ";
    m_start += code;
    m_start += ' ';
    m_start += r;
    m_aOff = 0;
    m_aLen = 7;
    m_bOff = 8;
    m_bLen = quint32(code.size());
    m_cOff = m_bOff + m_bLen + 1;
    m_cLen = quint32(r.size());
    m_startEdited = true;
    edited();
}

QByteArray Message::defaultReason(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Trying");
    case 180: return QByteArrayLiteral("Ringing");
    case 181: return QByteArrayLiteral("Call Is Being Forwarded");
    case 182: return QByteArrayLiteral("Queued");
    case 183: return QByteArrayLiteral("Session Progress");
    case 200: return QByteArrayLiteral("OK");
    case 202: return QByteArrayLiteral("Accepted");
    case 301: return QByteArrayLiteral("Moved Permanently");
    case 302: return QByteArrayLiteral("Moved Temporarily");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 407: return QByteArrayLiteral("Proxy Authentication Required");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 416: return QByteArrayLiteral("Unsupported URI Scheme");
    case 420: return QByteArrayLiteral("Bad Extension");
    case 423: return QByteArrayLiteral("Interval Too Brief");
    case 480: return QByteArrayLiteral("Temporarily Unavailable");
    case 481: return QByteArrayLiteral("Call/Transaction Does Not Exist");
    case 482: return QByteArrayLiteral("Loop Detected");
    case 483: return QByteArrayLiteral("Too Many Hops");
    case 486: return QByteArrayLiteral("Busy Here");
    case 487: return QByteArrayLiteral("Request Terminated");
    case 488: return QByteArrayLiteral("Not Acceptable Here");
    case 491: return QByteArrayLiteral("Request Pending");
    case 500: return QByteArrayLiteral("Server Internal Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Server Time-out");
    case 505: return QByteArrayLiteral("Version Not Supported");
    case 513: return QByteArrayLiteral("Message Too Large");
    case 600: return QByteArrayLiteral("Busy Everywhere");
    case 603: return QByteArrayLiteral("Decline");
    case 604: return QByteArrayLiteral("Does Not Exist Anywhere");
    case 606: return QByteArrayLiteral("Not Acceptable");
    default: break;
    }
    if (status < 200)
        return QByteArrayLiteral("Provisional");
    if (status < 300)
        return QByteArrayLiteral("Success");
    if (status < 400)
        return QByteArrayLiteral("Redirection");
    if (status < 500)
        return QByteArrayLiteral("Client Error");
    if (status < 600)
        return QByteArrayLiteral("Server Error");
    return QByteArrayLiteral("Global Failure");
}

namespace {
    QByteArrayView span(const QByteArray& b, quint32 off, quint32 len) { return QByteArrayView(b.constData() + off, len); }
}

QByteArrayView Message::method() const
{
    if (!isRequest())
        return {};
    return span(m_startEdited ? m_start : m_buf, m_aOff, m_aLen);
}

QByteArrayView Message::requestUriText() const
{
    if (!isRequest())
        return {};
    return span(m_startEdited ? m_start : m_buf, m_bOff, m_bLen);
}

std::optional<Uri> Message::requestUri() const
{
    if (!isRequest())
        return std::nullopt;
    return Uri::parse(m_startEdited ? m_start : m_buf, requestUriText(), nullptr);
}

QByteArrayView Message::reasonPhrase() const
{
    if (!isResponse())
        return {};
    return span(m_startEdited ? m_start : m_buf, m_cOff, m_cLen);
}

QByteArrayView Message::version() const
{
    const QByteArray& b = m_startEdited ? m_start : m_buf;
    return isRequest() ? span(b, m_cOff, m_cLen) : span(b, m_aOff, m_aLen);
}

QByteArray Message::transactionMethod() const
{
    if (isRequest())
        return method().toByteArray();
    const auto c = cseq();
    return c ? c->method : QByteArray();
}

const QByteArray& Message::storageOf(const Field& f) const
{
    return f.own >= 0 ? ownValue(f) : m_buf;
}

void Message::setOwn(Field& f, const QByteArray& name, const QByteArray& value)
{
    const QByteArray v = value.isNull() ? QByteArray("") : value;
    if (f.own >= 0) {
        m_own[2 * f.own] = name;
        m_own[2 * f.own + 1] = v;
        return;
    }
    if (m_own.isEmpty())
        // A built message owns every header (about ten: room for 16 at once instead of growing
        // the list step by step); a parsed one usually gets an edit or two.
        m_own.reserve(m_buf.isEmpty() ? 32 : 4);
    f.own = qint32(m_own.size() / 2);
    m_own.append(name);
    m_own.append(v);
}

qsizetype Message::indexOf(HeaderId id, qsizetype from) const
{
    for (qsizetype i = from; i < m_headers.size(); ++i)
        if (m_headers[i].id == id)
            return i;
    return -1;
}

qsizetype Message::indexOf(QByteArrayView name, qsizetype from) const
{
    const HeaderId id = headerIdFromName(name);
    if (id != HeaderId::Unknown)
        return indexOf(id, from);
    for (qsizetype i = from; i < m_headers.size(); ++i)
        if (m_headers[i].id == HeaderId::Unknown && text::ieq(nameOf(m_headers[i]), name))
            return i;
    return -1;
}

qsizetype Message::countOf(HeaderId id) const
{
    qsizetype n = 0;
    for (const Field& f : m_headers)
        n += f.id == id;
    return n;
}

QByteArrayView Message::value(HeaderId id) const
{
    const qsizetype i = indexOf(id);
    return i < 0 ? QByteArrayView() : valueOf(m_headers[i]);
}

QByteArrayView Message::value(QByteArrayView name) const
{
    const qsizetype i = indexOf(name);
    return i < 0 ? QByteArrayView() : valueOf(m_headers[i]);
}

QList<QByteArrayView> Message::values(HeaderId id) const
{
    QList<QByteArrayView> out;
    const bool list = headerIsList(id);
    for (const Field& f : m_headers) {
        if (f.id != id)
            continue;
        if (!list) {
            out.append(valueOf(f));
            continue;
        }
        for (QByteArrayView v : splitHeaderList(valueOf(f)))
            out.append(v);
    }
    return out;
}

std::optional<Via> Message::topVia() const
{
    const qsizetype i = indexOf(HeaderId::Via);
    if (i < 0)
        return std::nullopt;
    const Field& f = m_headers[i];
    const ValueList parts = splitHeaderList(valueOf(f));
    return Via::parse(storageOf(f), parts.first(), nullptr);
}

QList<Via> Message::vias() const
{
    QList<Via> out;
    for (const Field& f : m_headers) {
        if (f.id != HeaderId::Via)
            continue;
        for (QByteArrayView v : splitHeaderList(valueOf(f)))
            if (auto via = Via::parse(storageOf(f), v, nullptr))
                out.append(*via);
    }
    return out;
}

std::optional<NameAddr> Message::firstNameAddr(HeaderId id) const
{
    const qsizetype i = indexOf(id);
    if (i < 0)
        return std::nullopt;
    return NameAddr::parse(storageOf(m_headers[i]), valueOf(m_headers[i]), nullptr);
}

QList<NameAddr> Message::nameAddrs(HeaderId id) const
{
    QList<NameAddr> out;
    for (const Field& f : m_headers) {
        if (f.id != id)
            continue;
        for (QByteArrayView v : splitHeaderList(valueOf(f)))
            if (auto na = NameAddr::parse(storageOf(f), v, nullptr))
                out.append(*na);
    }
    return out;
}

std::optional<NameAddr> Message::from() const { return firstNameAddr(HeaderId::From); }
std::optional<NameAddr> Message::to() const { return firstNameAddr(HeaderId::To); }
QList<NameAddr> Message::contacts() const { return nameAddrs(HeaderId::Contact); }
QList<NameAddr> Message::recordRoutes() const { return nameAddrs(HeaderId::RecordRoute); }
QList<NameAddr> Message::routes() const { return nameAddrs(HeaderId::Route); }

QByteArrayView Message::fromTag() const
{
    // The view points into the message's own storage, so it outlives the temporary NameAddr.
    const auto f = from();
    return f ? f->tag() : QByteArrayView();
}

QByteArrayView Message::toTag() const
{
    const auto t = to();
    return t ? t->tag() : QByteArrayView();
}

std::optional<CSeq> Message::cseq() const
{
    const qsizetype i = indexOf(HeaderId::CSeq);
    if (i < 0)
        return std::nullopt;
    return CSeq::parse(valueOf(m_headers[i]), nullptr);
}

namespace {
    std::optional<quint64> number(QByteArrayView v)
    {
        bool ok = false;
        const quint64 n = text::parseUInt(text::trimmed(v), &ok);
        return ok ? std::optional<quint64>(n) : std::nullopt;
    }
}

std::optional<int> Message::maxForwards() const
{
    if (!hasHeader(HeaderId::MaxForwards))
        return std::nullopt;
    const auto n = number(value(HeaderId::MaxForwards));
    return n && *n <= 255 ? std::optional<int>(int(*n)) : std::nullopt;
}

std::optional<qint64> Message::contentLength() const
{
    if (!hasHeader(HeaderId::ContentLength))
        return std::nullopt;
    const auto n = number(value(HeaderId::ContentLength));
    return n && *n <= quint64(0x7fffffff) ? std::optional<qint64>(qint64(*n)) : std::nullopt;
}

std::optional<quint32> Message::expires() const
{
    if (!hasHeader(HeaderId::Expires))
        return std::nullopt;
    const auto n = number(value(HeaderId::Expires));
    if (!n)
        return std::nullopt;
    // RFC 3261 §20.19: values above 2^32-1 are taken as 2^32-1.
    return quint32(qMin<quint64>(*n, 0xffffffffULL));
}

QByteArrayView Message::body() const
{
    return m_bodyEdited ? QByteArrayView(m_body) : bufView(m_bodyOff, m_bodyLen);
}

void Message::setBody(const QByteArray& body, const QByteArray& contentType)
{
    m_body = body;
    m_bodyEdited = true;
    edited();
    if (!contentType.isNull()) {
        if (contentType.isEmpty())
            removeHeaders(HeaderId::ContentType);
        else
            setHeader(HeaderId::ContentType, contentType);
    }
    fixContentLength();
}

void Message::fixContentLength()
{
    const qsizetype size = body().size();
    const QByteArray n = size == 0 ? QByteArrayLiteral("0") : QByteArray::number(size);
    if (value(HeaderId::ContentLength) == n && countOf(HeaderId::ContentLength) == 1)
        return;
    setHeader(HeaderId::ContentLength, n);
}

namespace {
    // The canonical name of a known header, referring to the static table: no allocation.
    QByteArray staticName(HeaderId id)
    {
        const QByteArrayView n = headerName(id);
        return QByteArray::fromRawData(n.data(), n.size());
    }
}

Message::Field Message::makeField(HeaderId id, const QByteArray& name, const QByteArray& value)
{
    if (m_headers.isEmpty() && m_buf.isEmpty())
        m_headers.reserve(16); // a message being built: one allocation for its usual headers
    Field f;
    f.id = id;
    f.edited = true;
    setOwn(f, name, value);
    return f;
}

void Message::appendHeader(HeaderId id, const QByteArray& value)
{
    m_headers.append(makeField(id, staticName(id), value));
    edited();
}

void Message::appendHeader(const QByteArray& name, const QByteArray& value)
{
    m_headers.append(makeField(headerIdFromName(name), name, value));
    edited();
}

void Message::prependHeader(HeaderId id, const QByteArray& value) { insertHeader(0, id, value); }

void Message::insertHeader(qsizetype index, HeaderId id, const QByteArray& value)
{
    m_headers.insert(qBound<qsizetype>(0, index, m_headers.size()), makeField(id, staticName(id), value));
    edited();
}

void Message::replaceHeaderAt(qsizetype i, const QByteArray& value)
{
    Field& f = m_headers[i];
    const QByteArray name = nameOf(f).toByteArray();
    f.edited = true;
    setOwn(f, name, value);
    edited();
}

void Message::removeHeaderAt(qsizetype i)
{
    m_headers.removeAt(i);
    edited();
}

qsizetype Message::removeHeaders(HeaderId id)
{
    const qsizetype n = m_headers.removeIf([id](const Field& f) { return f.id == id; });
    if (n)
        edited();
    return n;
}

qsizetype Message::removeHeaders(QByteArrayView name)
{
    const HeaderId id = headerIdFromName(name);
    if (id != HeaderId::Unknown)
        return removeHeaders(id);
    const qsizetype n = m_headers.removeIf(
        [&](const Field& f) { return f.id == HeaderId::Unknown && text::ieq(nameOf(f), name); });
    if (n)
        edited();
    return n;
}

void Message::setHeader(HeaderId id, const QByteArray& value)
{
    const qsizetype first = indexOf(id);
    if (first < 0) {
        appendHeader(id, value);
        return;
    }
    replaceHeaderAt(first, value);
    for (qsizetype i = m_headers.size() - 1; i > first; --i)
        if (m_headers[i].id == id)
            m_headers.removeAt(i);
}

void Message::setHeader(const QByteArray& name, const QByteArray& value)
{
    const HeaderId id = headerIdFromName(name);
    if (id != HeaderId::Unknown) {
        setHeader(id, value);
        return;
    }
    const qsizetype first = indexOf(name);
    if (first < 0) {
        appendHeader(name, value);
        return;
    }
    replaceHeaderAt(first, value);
    for (qsizetype i = m_headers.size() - 1; i > first; --i)
        if (m_headers[i].id == HeaderId::Unknown && text::ieq(nameOf(m_headers[i]), name))
            m_headers.removeAt(i);
}

void Message::setTopVia(const QByteArray& value)
{
    const qsizetype i = indexOf(HeaderId::Via);
    if (i < 0) {
        prependHeader(HeaderId::Via, value);
        return;
    }
    const ValueList parts = splitHeaderList(valueOf(m_headers[i]));
    if (parts.size() > 1) {
        // Keep the remaining values on their own line, as written.
        const QByteArrayView all = valueOf(m_headers[i]);
        const qsizetype restStart = parts[1].data() - all.data();
        const QByteArray rest = all.sliced(restStart).toByteArray();
        const QByteArray name = nameOf(m_headers[i]).toByteArray();
        replaceHeaderAt(i, rest);
        m_headers.insert(i, makeField(HeaderId::Via, name, value));
        edited();
        return;
    }
    replaceHeaderAt(i, value);
}

void Message::removeTopVia()
{
    const qsizetype i = indexOf(HeaderId::Via);
    if (i < 0)
        return;
    const ValueList parts = splitHeaderList(valueOf(m_headers[i]));
    if (parts.size() > 1) {
        const QByteArrayView all = valueOf(m_headers[i]);
        replaceHeaderAt(i, all.sliced(parts[1].data() - all.data()).toByteArray());
    } else {
        removeHeaderAt(i);
    }
}

QByteArray Message::serialize() const
{
    if (!m_edited) {
        if (m_msgOff == 0 && m_msgLen == quint32(m_buf.size()))
            return m_buf;
        return m_buf.sliced(m_msgOff, m_msgLen);
    }
    // Sized exactly, then filled with memcpy: one allocation and none of QByteArray::append's
    // per-call capacity checks (an edited message has a dozen or more pieces).
    qsizetype size = 2 + m_start.size() + 2 + body().size();
    if (!m_startEdited)
        size += m_startLen;
    for (const Field& f : m_headers)
        size += f.edited ? ownName(f).size() + ownValue(f).size() + 4 : f.lineLen + 2;
    size += m_blankLen;
    QByteArray out(size, Qt::Uninitialized);
    ByteWriter w { out.data() };
    if (m_startEdited) {
        w.put(m_start);
        w.crlf();
    } else {
        w.put(bufView(m_msgOff, m_startLen));
        if (m_startLen == 0 || m_buf.at(m_msgOff + m_startLen - 1) != '\n')
            w.crlf();
    }
    for (const Field& f : m_headers) {
        if (f.edited) {
            w.put(ownName(f));
            w.put(": ");
            w.put(ownValue(f));
            w.crlf();
        } else {
            w.put(bufView(f.lineOff, f.lineLen));
            // The last line of a message without its empty line may lack a line end; an edit
            // after it must not be glued onto it.
            if (f.lineLen == 0 || m_buf.at(f.lineOff + f.lineLen - 1) != '\n')
                w.crlf();
        }
    }
    if (m_blankLen)
        w.put(bufView(m_blankOff, m_blankLen));
    else
        w.crlf();
    w.put(body());
    out.truncate(w.p - out.constData());
    return out;
}

} // namespace ladder::sip
