// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace ladder::sip {

// Finds message boundaries in a byte stream (TCP, TLS; RFC 3261 §18.3): the header section ends
// at the first empty line, the body is exactly Content-Length bytes. Feed it whatever recv()
// returned, however it was split, then call next() until it says NeedMore. CRLF keep-alives
// (RFC 5626 §3.5.1: "\r\n\r\n" ping, "\r\n" pong) between messages are reported, not parsed.
// A CRLF that arrives alone is reported as a pong at once, so a client never waits on it; a ping
// split into two reads therefore shows up as two pongs.
//
// After an Error the stream has lost its framing: the connection should be closed.
class StreamFramer {
public:
    enum class Status { NeedMore, Message, Ping, Pong, Error };

    explicit StreamFramer(qsizetype maxHeaderBytes = 64 * 1024, qsizetype maxBodyBytes = 16 * 1024 * 1024)
        : m_maxHeader(maxHeaderBytes)
        , m_maxBody(maxBodyBytes)
    {
    }

    void feed(const QByteArray& bytes);
    // On Message, *message gets exactly the message's bytes (start line to end of body).
    Status next(QByteArray* message);
    QByteArray errorString() const { return m_error; }
    qsizetype buffered() const { return m_buf.size() - m_pos; }
    quint64 messages() const { return m_messages; }
    // Bytes taken out of the stream so far (messages and keep-alives): with buffered() it always
    // adds up to what was fed, so nothing is lost or invented.
    quint64 consumed() const { return m_consumed; }

private:
    Status fail(QByteArray why);
    void compact();

    QByteArray m_buf;
    qsizetype m_pos = 0; // start of unconsumed data
    qsizetype m_scan = 0; // header-end search resumes here (relative to m_pos)
    qsizetype m_pendingTotal = -1; // size of the message at m_pos once its headers are known
    qsizetype m_maxHeader;
    qsizetype m_maxBody;
    QByteArray m_error;
    quint64 m_messages = 0;
    quint64 m_consumed = 0;
};

} // namespace ladder::sip
