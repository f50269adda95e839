// SPDX-License-Identifier: GPL-3.0-or-later
#include "builder.h"

#include "bytewriter.h"
#include "ids.h"
#include "parsertext.h"

#include <cstring>
#include <iterator>

namespace ladder::sip {

namespace {
    // Header values are composed with one allocation each (reserve, then append): building a
    // request or response is on the path of every transaction.
    QByteArray viaValue(const LocalVia& v, const QByteArray& branch)
    {
        const QByteArray b = branch.isEmpty() ? newBranch() : branch;
        QByteArray out;
        out.reserve(8 + v.transport.size() + 1 + v.sentBy.size() + 8 + b.size() + 6 + 3);
        out += "SIP/2.0/";
        if (v.transport.isEmpty())
            out += "UDP";
        else
            for (char ch : v.transport)
                out += (ch >= 'a' && ch <= 'z') ? char(ch - 32) : ch;
        out += ' ';
        out += v.sentBy;
        out += ";branch=";
        out += b;
        if (v.rport)
            out += ";rport";
        return out;
    }

    QByteArray cseqValue(quint32 number, const QByteArray& method)
    {
        char digits[12];
        int d = 0;
        for (quint32 n = number; d == 0 || n > 0; n /= 10)
            digits[d++] = char('0' + n % 10);
        QByteArray out;
        out.reserve(d + 1 + method.size());
        while (d > 0)
            out += digits[--d];
        out += ' ';
        out += method;
        return out;
    }

    // The URI inside a Route value ("<sip:p1;lr>" -> "sip:p1;lr").
    QByteArray routeUri(const QByteArray& route)
    {
        const auto na = NameAddr::parse(route);
        return na ? na->uri().toByteArray() : route;
    }

    bool isLooseRoute(const QByteArray& route)
    {
        const auto na = NameAddr::parse(route);
        return na && na->uri().hasParam("lr");
    }

    void copyAll(const Message& from, Message& to, HeaderId id)
    {
        for (qsizetype i = from.indexOf(id); i >= 0; i = from.indexOf(id, i + 1))
            to.appendHeader(id, from.headerAt(i).value.toByteArray());
    }

    QByteArray enclose(const QByteArray& uri) { return uri.startsWith('<') ? uri : '<' + uri + '>'; }

    void addRouting(Message& m, const QByteArray& remoteTarget, const QList<QByteArray>& routeSet,
        const QByteArray& method)
    {
        if (routeSet.isEmpty() || isLooseRoute(routeSet.first())) {
            m.setRequestLine(method, remoteTarget);
            for (const QByteArray& r : routeSet)
                m.appendHeader(HeaderId::Route, enclose(r));
        } else {
            // Strict router: its URI becomes the Request-URI, minus what a Request-URI may not hold.
            QByteArray first = routeUri(routeSet.first());
            const qsizetype q = first.indexOf('?');
            if (q >= 0)
                first.truncate(q);
            m.setRequestLine(method, first);
            for (qsizetype i = 1; i < routeSet.size(); ++i)
                m.appendHeader(HeaderId::Route, enclose(routeSet[i]));
            m.appendHeader(HeaderId::Route, enclose(remoteTarget));
        }
    }
}

QByteArray withTag(const QByteArray& nameAddr, const QByteArray& tag)
{
    const QByteArrayView v = QByteArrayView(nameAddr).trimmed();
    const bool enclose = !v.contains('<') && v.contains(';');
    QByteArray out;
    out.reserve(v.size() + 2 + 5 + tag.size());
    if (enclose)
        out += '<';
    out += v;
    if (enclose)
        out += '>';
    out += ";tag=";
    out += tag;
    return out;
}

Message buildRequest(const RequestTemplate& t)
{
    Message m = Message::request(t.method, t.requestUri);
    m.appendHeader(HeaderId::Via, viaValue(t.via, t.branch));
    m.appendHeader(HeaderId::MaxForwards, t.maxForwards == 70 ? QByteArrayLiteral("70") : QByteArray::number(t.maxForwards));
    for (const QByteArray& r : t.routeSet)
        m.appendHeader(HeaderId::Route, enclose(r));
    m.appendHeader(HeaderId::To, t.to);
    m.appendHeader(HeaderId::From, withTag(t.from, t.fromTag.isEmpty() ? newTag() : t.fromTag));
    m.appendHeader(HeaderId::CallId, t.callId.isEmpty() ? newCallId() : t.callId);
    m.appendHeader(HeaderId::CSeq, cseqValue(t.cseq, t.method));
    if (!t.contact.isEmpty())
        m.appendHeader(HeaderId::Contact, t.contact);
    for (const auto& [name, value] : t.extraHeaders)
        m.appendHeader(name, value);
    if (!t.body.isEmpty())
        m.setBody(t.body, t.contentType.isEmpty() ? QByteArray("application/sdp") : t.contentType);
    else
        m.fixContentLength();
    return m;
}

Message buildResponse(const Message& request, int status, const QByteArray& reason, const QByteArray& toTag)
{
    Message m = Message::response(status, reason);
    copyAll(request, m, HeaderId::Via);
    if (status > 100 && status < 300)
        copyAll(request, m, HeaderId::RecordRoute);
    copyAll(request, m, HeaderId::From);
    QByteArray to = request.value(HeaderId::To).toByteArray();
    if (status != 100) {
        const auto na = request.to();
        if (!na || !na->hasTag())
            to = withTag(to, toTag.isEmpty() ? newTag() : toTag);
    }
    m.appendHeader(HeaderId::To, to);
    copyAll(request, m, HeaderId::CallId);
    copyAll(request, m, HeaderId::CSeq);
    if (status == 100)
        copyAll(request, m, HeaderId::Timestamp);
    m.fixContentLength();
    return m;
}

bool mayHaveTag(QByteArrayView v)
{
    for (qsizetype i = 0; i + 2 < v.size(); ++i)
        if ((v[i] | 0x20) == 't' && (v[i + 1] | 0x20) == 'a' && (v[i + 2] | 0x20) == 'g')
            return true;
    return false;
}

QByteArray buildResponseBytes(const Message& request, int status, const QByteArray& reason, const QByteArray& toTag)
{
    // The pieces in buildResponse's order; sized first, then copied into one array.
    struct Line {
        HeaderId id;
        QByteArrayView value;
    };
    Line lines[32];
    int n = 0;
    bool overflow = false;
    auto collect = [&](HeaderId id) {
        for (qsizetype i = request.indexOf(id); i >= 0; i = request.indexOf(id, i + 1)) {
            if (n == int(std::size(lines))) {
                overflow = true;
                return;
            }
            lines[n++] = { id, request.headerAt(i).value };
        }
    };
    collect(HeaderId::Via);
    if (status > 100 && status < 300)
        collect(HeaderId::RecordRoute);
    collect(HeaderId::From);
    const int fromEnd = n;
    collect(HeaderId::CallId);
    collect(HeaderId::CSeq);
    if (status == 100)
        collect(HeaderId::Timestamp);
    if (overflow) // dozens of Via or Record-Route lines: the general path
        return buildResponse(request, status, reason, toTag).serialize();

    // To: the request's first, with a tag added unless the status is 100 or it has one.
    const QByteArrayView toValue = request.value(HeaderId::To);
    QByteArrayView to = toValue, tag;
    bool enclose = false;
    QByteArray generated;
    bool tagged = false;
    if (status != 100 && mayHaveTag(toValue)) {
        const auto na = request.to();
        tagged = na && na->hasTag();
    }
    if (status != 100 && !tagged) {
        // As withTag(): trimmed, an addr-spec with parameters enclosed in <>.
        to = toValue.trimmed();
        enclose = !to.contains('<') && to.contains(';');
        if (toTag.isEmpty())
            generated = newTag();
        tag = toTag.isEmpty() ? QByteArrayView(generated) : QByteArrayView(toTag);
    }
    const QByteArray phrase = reason.isEmpty() ? Message::defaultReason(status) : reason;
    char code[12];
    int codeLen = 0;
    for (int v = status; codeLen == 0 || v > 0; v /= 10)
        code[codeLen++] = char('0' + v % 10);
    const QByteArrayView toName = headerName(HeaderId::To);
    const QByteArrayView clName = headerName(HeaderId::ContentLength);

    qsizetype size = 8 + codeLen + 1 + phrase.size() + 2;
    for (int i = 0; i < n; ++i)
        size += headerName(lines[i].id).size() + 2 + lines[i].value.size() + 2;
    size += toName.size() + 2 + to.size() + (enclose ? 2 : 0) + (tag.isNull() ? 0 : 5 + tag.size()) + 2;
    size += clName.size() + 2 + 1 + 2 + 2;

    QByteArray out(size, Qt::Uninitialized);
    ByteWriter w { out.data() };
    auto header = [&](QByteArrayView name, QByteArrayView value) {
        w.put(name);
        w.put(": ");
        w.put(value);
        w.put("\r\n");
    };
    w.put("SIP/2.0 ");
    while (codeLen > 0)
        w.put(code[--codeLen]);
    w.put(' ');
    w.put(phrase);
    w.put("\r\n");
    auto toLine = [&] {
        w.put(toName);
        w.put(": ");
        if (enclose)
            w.put('<');
        w.put(to);
        if (enclose)
            w.put('>');
        if (!tag.isNull()) {
            w.put(";tag=");
            w.put(tag);
        }
        w.put("\r\n");
    };
    for (int i = 0; i < n; ++i) {
        if (i == fromEnd)
            toLine();
        header(headerName(lines[i].id), lines[i].value);
    }
    if (fromEnd == n)
        toLine();
    header(clName, "0");
    w.put("\r\n");
    Q_ASSERT(w.p == out.constData() + out.size());
    return out;
}

Message buildAckFor2xx(const Message& r, const QByteArray& remoteTarget, const QList<QByteArray>& routeSet,
    const LocalVia& via, const QByteArray& branch)
{
    Message m;
    addRouting(m, remoteTarget, routeSet, "ACK");
    // Via first: it must be the topmost header a proxy sees.
    m.insertHeader(0, HeaderId::Via, viaValue(via, branch));
    m.insertHeader(1, HeaderId::MaxForwards, "70");
    copyAll(r, m, HeaderId::From);
    copyAll(r, m, HeaderId::To);
    copyAll(r, m, HeaderId::CallId);
    const auto c = r.cseq();
    m.appendHeader(HeaderId::CSeq, QByteArray::number(c ? c->number : 0) + " ACK");
    m.fixContentLength();
    return m;
}

Message buildAckForNon2xx(const Message& invite, const Message& response)
{
    Message m = Message::request("ACK", invite.requestUriText().toByteArray());
    const auto top = invite.values(HeaderId::Via);
    if (!top.isEmpty())
        m.appendHeader(HeaderId::Via, top.first().toByteArray());
    m.appendHeader(HeaderId::MaxForwards, "70");
    copyAll(invite, m, HeaderId::Route);
    copyAll(invite, m, HeaderId::From);
    copyAll(response, m, HeaderId::To);
    copyAll(invite, m, HeaderId::CallId);
    const auto c = invite.cseq();
    m.appendHeader(HeaderId::CSeq, QByteArray::number(c ? c->number : 0) + " ACK");
    m.fixContentLength();
    return m;
}

Message buildCancel(const Message& request)
{
    Message m = Message::request("CANCEL", request.requestUriText().toByteArray());
    const auto top = request.values(HeaderId::Via);
    if (!top.isEmpty())
        m.appendHeader(HeaderId::Via, top.first().toByteArray());
    m.appendHeader(HeaderId::MaxForwards, "70");
    copyAll(request, m, HeaderId::Route);
    copyAll(request, m, HeaderId::From);
    copyAll(request, m, HeaderId::To);
    copyAll(request, m, HeaderId::CallId);
    const auto c = request.cseq();
    m.appendHeader(HeaderId::CSeq, QByteArray::number(c ? c->number : 0) + " CANCEL");
    m.fixContentLength();
    return m;
}

Message buildInDialogRequest(const DialogRequestParams& p)
{
    Message m;
    addRouting(m, p.remoteTarget, p.routeSet, p.method);
    m.insertHeader(0, HeaderId::Via, viaValue(p.via, p.branch));
    m.insertHeader(1, HeaderId::MaxForwards, QByteArray::number(p.maxForwards));
    m.appendHeader(HeaderId::From, p.localTag.isEmpty() ? p.localUri : withTag(p.localUri, p.localTag));
    m.appendHeader(HeaderId::To, p.remoteTag.isEmpty() ? p.remoteUri : withTag(p.remoteUri, p.remoteTag));
    m.appendHeader(HeaderId::CallId, p.callId);
    m.appendHeader(HeaderId::CSeq, QByteArray::number(p.lastLocalCSeq + 1) + ' ' + p.method);
    if (!p.contact.isEmpty())
        m.appendHeader(HeaderId::Contact, p.contact);
    m.fixContentLength();
    return m;
}

} // namespace ladder::sip
