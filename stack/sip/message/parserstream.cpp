// SPDX-License-Identifier: GPL-3.0-or-later
#include "parserstream.h"

#include "headerid.h"
#include "parsertext.h"

#include <cstring>

namespace ladder::sip {

void StreamFramer::feed(const QByteArray& bytes)
{
    if (!m_error.isEmpty())
        return;
    compact();
    m_buf += bytes;
}

void StreamFramer::compact()
{
    // Drop consumed bytes once they dominate, so a long-lived connection does not grow forever
    // and we do not move memory on every message.
    if (m_pos > 0 && (m_pos == m_buf.size() || m_pos > 4096)) {
        m_buf.remove(0, m_pos);
        m_pos = 0;
    }
}

StreamFramer::Status StreamFramer::fail(QByteArray why)
{
    m_error = std::move(why);
    return Status::Error;
}

StreamFramer::Status StreamFramer::next(QByteArray* message)
{
    if (!m_error.isEmpty())
        return Status::Error;
    const char* d = m_buf.constData() + m_pos;
    const qsizetype n = m_buf.size() - m_pos;
    if (m_pendingTotal < 0) {
        if (n == 0)
            return Status::NeedMore;
        // Keep-alives only ever come between messages.
        if (d[0] == '\r' || d[0] == '\n') {
            if (n >= 4 && std::memcmp(d, "\r\n\r\n", 4) == 0) {
                m_pos += 4;
                m_consumed += 4;
                return Status::Ping;
            }
            if (n >= 2 && d[0] == '\r' && d[1] == '\n') {
                if (n == 2 || d[2] != '\r') {
                    m_pos += 2;
                    m_consumed += 2;
                    return Status::Pong;
                }
                return Status::NeedMore; // "\r\n\r" — wait for the ping's last byte
            }
            if (d[0] == '\n') {
                m_pos += 1;
                m_consumed += 1;
                return Status::Pong;
            }
            if (n == 1)
                return Status::NeedMore;
            return fail("stream: stray CR before a message");
        }
        // Find the empty line: "\n" followed by "\r\n" or "\n".
        qsizetype headEnd = -1;
        qsizetype i = qMax<qsizetype>(0, m_scan - 2);
        while (i < n) {
            const void* nl = std::memchr(d + i, '\n', size_t(n - i));
            if (!nl)
                break;
            const qsizetype at = static_cast<const char*>(nl) - d;
            if (at + 1 < n && d[at + 1] == '\n') {
                headEnd = at + 2;
                break;
            }
            if (at + 2 < n && d[at + 1] == '\r' && d[at + 2] == '\n') {
                headEnd = at + 3;
                break;
            }
            if (at + 1 >= n || (d[at + 1] == '\r' && at + 2 >= n))
                break; // cannot decide yet
            i = at + 1;
        }
        if (headEnd < 0) {
            m_scan = n;
            if (n > m_maxHeader)
                return fail("stream: header section exceeds " + QByteArray::number(m_maxHeader) + " bytes");
            return Status::NeedMore;
        }
        m_scan = 0;
        // Content-Length (or "l") among the header lines; LWS allowed before the colon.
        qsizetype contentLength = -1;
        qsizetype p = 0;
        while (p < headEnd) {
            const void* nl = std::memchr(d + p, '\n', size_t(headEnd - p));
            const qsizetype e = nl ? static_cast<const char*>(nl) - d : headEnd;
            const qsizetype colon = QByteArrayView(d + p, e - p).indexOf(':');
            if (colon > 0 && !text::isWs(d[p])) {
                const QByteArrayView name = text::trimmed(QByteArrayView(d + p, colon));
                if (name.size() <= 14 && headerIdFromName(name) == HeaderId::ContentLength) {
                    qsizetype ve = e;
                    // Folded continuation lines belong to the value.
                    while (ve + 1 < headEnd && text::isWs(d[ve + 1])) {
                        const void* nl2 = std::memchr(d + ve + 1, '\n', size_t(headEnd - ve - 1));
                        ve = nl2 ? static_cast<const char*>(nl2) - d : headEnd;
                    }
                    const QByteArrayView v = text::trimmed(QByteArrayView(d + p + colon + 1, ve - p - colon - 1));
                    bool ok = false;
                    const quint64 cl = text::parseUInt(v, &ok);
                    if (!ok)
                        return fail("Content-Length: value '" + text::printable(v) + "' is not a number");
                    if (cl > quint64(m_maxBody))
                        return fail("Content-Length: value " + v.toByteArray() + " exceeds the limit of "
                            + QByteArray::number(m_maxBody) + " bytes");
                    if (contentLength >= 0 && qsizetype(cl) != contentLength)
                        return fail("Content-Length: conflicting values");
                    contentLength = qsizetype(cl);
                }
            }
            p = e + 1;
        }
        if (contentLength < 0)
            return fail("Content-Length: missing (required on stream transports)");
        m_pendingTotal = headEnd + contentLength;
    }
    if (n < m_pendingTotal)
        return Status::NeedMore;
    *message = QByteArray(d, m_pendingTotal);
    m_pos += m_pendingTotal;
    m_consumed += quint64(m_pendingTotal);
    m_pendingTotal = -1;
    ++m_messages;
    return Status::Message;
}

} // namespace ladder::sip
