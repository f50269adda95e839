// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "headercseq.h"
#include "headerid.h"
#include "headernameaddr.h"
#include "headervia.h"
#include "uri.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace ladder::sip {

// One header as the caller sees it: views valid while the Message lives and the header is not
// edited. `value` has leading/trailing LWS removed and, for folded lines, the folding replaced by
// a single SP (RFC 3261 §7.3.1).
struct HeaderView {
    HeaderId id = HeaderId::Unknown;
    QByteArrayView name; // as written (may be compact: "v", "i", …)
    QByteArrayView value;
};

// A SIP request or response.
//
// A parsed message keeps the received buffer (implicitly shared, never modified) and stores every
// header, the start line and the body as offsets into it: nothing is copied until something is
// edited, and serialize() on an unedited message returns the original bytes. Edited headers hold
// their own text; the others keep pointing into the buffer, so an edited message re-serialises
// with the untouched lines byte for byte (folding, compact names, spacing preserved).
class Message {
public:
    enum class Kind { Request, Response };

    Message() = default;
    static Message request(const QByteArray& method, const QByteArray& requestUri);
    static Message response(int status, const QByteArray& reason = {});

    Kind kind() const { return m_kind; }
    bool isRequest() const { return m_kind == Kind::Request; }
    bool isResponse() const { return m_kind == Kind::Response; }

    // Start line.
    QByteArrayView method() const; // requests only
    QByteArrayView requestUriText() const; // requests only
    std::optional<Uri> requestUri() const;
    int statusCode() const { return m_status; } // responses only; 0 for requests
    QByteArrayView reasonPhrase() const; // responses only
    QByteArrayView version() const; // "SIP/2.0"
    // Request method, or for a response the method of its CSeq.
    QByteArray transactionMethod() const;
    void setRequestLine(const QByteArray& method, const QByteArray& requestUri);
    void setStatusLine(int status, const QByteArray& reason = {});
    static QByteArray defaultReason(int status);

    // Headers, in order.
    qsizetype headerCount() const { return m_headers.size(); }
    HeaderView headerAt(qsizetype i) const
    {
        const Field& f = m_headers.at(i);
        return { f.id, nameOf(f), valueOf(f) };
    }
    // Index of the first (n-th) header with this id/name, or -1.
    qsizetype indexOf(HeaderId id, qsizetype from = 0) const;
    qsizetype indexOf(QByteArrayView name, qsizetype from = 0) const;
    bool hasHeader(HeaderId id) const { return indexOf(id) >= 0; }
    qsizetype countOf(HeaderId id) const;
    // The value of the first header with this id / name; empty view when absent.
    QByteArrayView value(HeaderId id) const;
    QByteArrayView value(QByteArrayView name) const;
    // All values of a header: repeated lines and comma-separated list elements, in order.
    // Non-list headers give one element per line.
    QList<QByteArrayView> values(HeaderId id) const;

    // Typed accessors; nullopt (or empty) when the header is absent or does not parse.
    std::optional<Via> topVia() const;
    QList<Via> vias() const;
    std::optional<NameAddr> from() const;
    std::optional<NameAddr> to() const;
    QByteArrayView fromTag() const;
    QByteArrayView toTag() const;
    QByteArrayView callId() const { return value(HeaderId::CallId); }
    std::optional<CSeq> cseq() const;
    QList<NameAddr> contacts() const;
    QList<NameAddr> recordRoutes() const;
    QList<NameAddr> routes() const;
    std::optional<int> maxForwards() const; // 0..255
    std::optional<qint64> contentLength() const;
    std::optional<quint32> expires() const; // the Expires header (delta-seconds)
    QByteArrayView contentType() const { return value(HeaderId::ContentType); }

    // Body (exactly Content-Length bytes when parsed; NULs and all).
    QByteArrayView body() const;
    // Sets the body and Content-Length (and Content-Type when given; an empty type removes it).
    void setBody(const QByteArray& body, const QByteArray& contentType = {});
    // Sets Content-Length to the body's size (adds the header when missing).
    void fixContentLength();

    // Editing. Names are written as given; `value` is the text after "Name: ".
    void appendHeader(HeaderId id, const QByteArray& value);
    void appendHeader(const QByteArray& name, const QByteArray& value);
    void prependHeader(HeaderId id, const QByteArray& value); // before the first header of any kind
    void insertHeader(qsizetype index, HeaderId id, const QByteArray& value);
    // Replaces the value of header i (keeps its name as written).
    void replaceHeaderAt(qsizetype i, const QByteArray& value);
    void removeHeaderAt(qsizetype i);
    // Removes every header with this id / name; returns how many.
    qsizetype removeHeaders(HeaderId id);
    qsizetype removeHeaders(QByteArrayView name);
    // Replaces all headers with this id by one (appended in place of the first, or at the end).
    void setHeader(HeaderId id, const QByteArray& value);
    void setHeader(const QByteArray& name, const QByteArray& value);
    // Replaces the topmost Via value; when the first Via line holds several values it is split so
    // the others keep their bytes.
    void setTopVia(const QByteArray& value);
    // Removes the topmost Via value (a proxy or a UAC receiving a response does this).
    void removeTopVia();

    // The message as bytes. Unedited: the original bytes (shared, not copied).
    QByteArray serialize() const;
    // True when nothing was edited since parsing.
    bool isPristine() const { return !m_edited; }
    // The buffer the message was parsed from (may contain bytes after the message).
    const QByteArray& buffer() const { return m_buf; }

private:
    friend class Parser;

    // A span in m_buf, or (own >= 0) text held in m_own: m_own[2*own] the name (edited headers
    // only), m_own[2*own + 1] the value (edited headers, or the unfolded value of a folded line).
    // Kept trivially copyable so the header list of a parsed message is one flat allocation.
    struct Field {
        HeaderId id = HeaderId::Unknown;
        bool edited = false;
        qint32 own = -1;
        quint32 lineOff = 0, lineLen = 0; // the raw line(s) incl. CRLF and folding
        quint32 nameOff = 0, nameLen = 0;
        quint32 valueOff = 0, valueLen = 0;
    };

    QByteArrayView bufView(quint32 off, quint32 len) const { return QByteArrayView(m_buf.constData() + off, len); }
    const QByteArray& ownName(const Field& f) const { return m_own[2 * f.own]; }
    const QByteArray& ownValue(const Field& f) const { return m_own[2 * f.own + 1]; }
    QByteArrayView nameOf(const Field& f) const
    {
        return f.edited ? QByteArrayView(ownName(f)) : bufView(f.nameOff, f.nameLen);
    }
    QByteArrayView valueOf(const Field& f) const
    {
        return f.own >= 0 ? QByteArrayView(ownValue(f)) : bufView(f.valueOff, f.valueLen);
    }
    // Stores name and value for f (name may be null for an unedited folded header).
    void setOwn(Field& f, const QByteArray& name, const QByteArray& value);
    const QByteArray& storageOf(const Field& f) const;
    QList<NameAddr> nameAddrs(HeaderId id) const;
    std::optional<NameAddr> firstNameAddr(HeaderId id) const;
    Field makeField(HeaderId id, const QByteArray& name, const QByteArray& value);
    void edited() { m_edited = true; }

    QByteArray m_buf; // the received bytes (or empty for a built message)
    quint32 m_msgOff = 0; // where the message starts in m_buf (after keep-alive CRLFs)
    quint32 m_msgLen = 0; // bytes of m_buf that belong to the message
    Kind m_kind = Kind::Request;
    int m_status = 0;
    bool m_edited = true;
    bool m_startEdited = true;
    bool m_bodyEdited = true;
    // Start line: spans into m_buf (pristine) or into m_start (built/edited).
    QByteArray m_start;
    quint32 m_startLen = 0; // raw start line incl. line end, from m_msgOff
    quint32 m_aOff = 0, m_aLen = 0; // method | version
    quint32 m_bOff = 0, m_bLen = 0; // request-URI | status code
    quint32 m_cOff = 0, m_cLen = 0; // version | reason
    quint32 m_headEnd = 0; // offset of the body in m_buf (after the empty line)
    quint32 m_blankOff = 0, m_blankLen = 0; // the empty line ending the headers, as written
    quint32 m_bodyOff = 0, m_bodyLen = 0;
    QByteArray m_body;
    QList<Field> m_headers;
    QList<QByteArray> m_own; // see Field
};

} // namespace ladder::sip
