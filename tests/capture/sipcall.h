// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One SIP call (INVITE, 100, 180, 200, ACK, BYE, 200) between two loopback ends, as the byte
// strings a capture or a HEP agent would carry, for the capture and HEP suites.

#include <QByteArray>
#include <QList>

namespace ladder::test {

struct SipPacket {
    bool fromCaller = true;
    QByteArray bytes;
};

inline QList<SipPacket> sipCall(const QByteArray& callId = "hepcall-1", int callerPort = 5062, int calleePort = 5060)
{
    const QByteArray a = "127.0.0.1:" + QByteArray::number(callerPort);
    const QByteArray b = "127.0.0.1:" + QByteArray::number(calleePort);
    auto msg = [&](const QByteArray& start, const QByteArray& branch, const QByteArray& cseq, bool toTag,
                   const QByteArray& extra = {}) {
        QByteArray m = start + "\r\n";
        m += "Via: SIP/2.0/UDP " + a + ";branch=" + branch + "\r\n";
        m += "From: <sip:alice@" + a + ">;tag=caller1\r\n";
        m += "To: <sip:bob@" + b + ">" + (toTag ? QByteArray(";tag=callee1") : QByteArray()) + "\r\n";
        m += "Call-ID: " + callId + "\r\n";
        m += "CSeq: " + cseq + "\r\n";
        m += extra;
        m += "Content-Length: 0\r\n\r\n";
        return m;
    };
    const QByteArray inv = "z9hG4bK-" + callId + "-inv";
    const QByteArray ack = "z9hG4bK-" + callId + "-ack";
    const QByteArray bye = "z9hG4bK-" + callId + "-bye";
    const QByteArray contactA = "Contact: <sip:alice@" + a + ">\r\n";
    const QByteArray contactB = "Contact: <sip:bob@" + b + ">\r\n";
    return {
        { true, msg("INVITE sip:bob@" + b + " SIP/2.0", inv, "1 INVITE", false, contactA + "Max-Forwards: 70\r\n") },
        { false, msg("SIP/2.0 100 Trying", inv, "1 INVITE", false) },
        { false, msg("SIP/2.0 180 Ringing", inv, "1 INVITE", true, contactB) },
        { false, msg("SIP/2.0 200 OK", inv, "1 INVITE", true, contactB) },
        { true, msg("ACK sip:bob@" + b + " SIP/2.0", ack, "1 ACK", true, "Max-Forwards: 70\r\n") },
        { true, msg("BYE sip:bob@" + b + " SIP/2.0", bye, "2 BYE", true, "Max-Forwards: 70\r\n") },
        { false, msg("SIP/2.0 200 OK", bye, "2 BYE", true) },
    };
}

} // namespace ladder::test
