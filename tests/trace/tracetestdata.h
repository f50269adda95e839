// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "capture/netpacket.h"

#include <QList>

// Journal content shared by the trace suites: every kind of wire event the stack records.
namespace tracetest {

using namespace ladder::trace;

inline QByteArray sipRequest(const char* method, const char* branch, const QByteArray& body = {})
{
    QByteArray m = QByteArray(method) + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch="
        + branch + "\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1@10.0.0.1\r\n"
        + "CSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
    return m;
}

inline QByteArray sipResponse(int code, const char* reason, const char* branch, const char* method)
{
    return "SIP/2.0 " + QByteArray::number(code) + ' ' + reason + "\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch="
        + branch + "\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>;tag=2\r\n"
        + "Call-ID: c1@10.0.0.1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
}

inline Event sip(qint64 t, Dir dir, const char* from, const char* to, const QByteArray& raw, quint64 transport,
    Kind kind = Kind::SipMessage)
{
    Event e;
    e.timeNs = t;
    e.kind = kind;
    e.dir = dir;
    e.from = QString::fromUtf8(from);
    e.to = QString::fromUtf8(to);
    e.b = transport;
    e.raw = raw;
    e.text = QString::fromUtf8(raw.left(raw.indexOf("\r\n")));
    if (kind == Kind::SipRetransmission)
        e.c = 1;
    return e;
}

inline QByteArray sctpInit(quint16 sport, quint16 dport)
{
    QByteArray init(20, '\0');
    init[0] = 1;
    net::put16(init, 2, 20);
    net::put32(init, 4, 0x11223344); // initiate tag
    net::put32(init, 8, 65536); // a_rwnd
    net::put16(init, 12, 10);
    net::put16(init, 14, 10);
    net::put32(init, 16, 1000); // initial TSN
    return net::sctpPacket(sport, dport, 0, init);
}

inline Event sctp(qint64 t, Dir dir, const char* from, const char* to, const QByteArray& raw, const QString& text)
{
    Event e;
    e.timeNs = t;
    e.kind = Kind::SctpPacket;
    e.dir = dir;
    e.from = QString::fromUtf8(from);
    e.to = QString::fromUtf8(to);
    e.a = 1;
    e.raw = raw;
    e.text = text;
    return e;
}

// A journal's worth of wire traffic over every transport, plus events with nothing on the wire.
inline QList<Event> wireEvents()
{
    QList<Event> ev;
    const QByteArray sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
    const QByteArray invite = sipRequest("INVITE", "z9hG4bK-1", sdp);
    ev << sip(1000000, Dir::Tx, "uac 10.0.0.1:5060", "uas 10.0.0.2:5060", invite, 0);
    Event timer;
    timer.timeNs = 1000001;
    timer.kind = Kind::TimerArmed;
    timer.text = QStringLiteral("A");
    timer.a = 500;
    ev << timer;
    Event drop;
    drop.timeNs = 1000002;
    drop.kind = Kind::LinkDrop;
    drop.text = QStringLiteral("uac->uas lost 300 bytes");
    drop.raw = invite;
    ev << drop;
    ev << sip(501000000, Dir::Tx, "uac 10.0.0.1:5060", "uas 10.0.0.2:5060", invite, 0, Kind::SipRetransmission);
    ev << sip(502000000, Dir::Rx, "uas 10.0.0.2:5060", "uac 10.0.0.1:5060", sipResponse(200, "OK", "z9hG4bK-1", "INVITE"), 0);
    // TCP both ways, IPv6.
    ev << sip(600000000, Dir::Tx, "uac [2001:db8::1]:5070", "registrar [2001:db8::2]:5060",
        sipRequest("REGISTER", "z9hG4bK-2"), 1);
    ev << sip(601000000, Dir::Rx, "registrar [2001:db8::2]:5060", "uac [2001:db8::1]:5070",
        sipResponse(200, "OK", "z9hG4bK-2", "REGISTER"), 1);
    ev << sip(602000000, Dir::Tx, "uac [2001:db8::1]:5070", "registrar [2001:db8::2]:5060",
        sipRequest("OPTIONS", "z9hG4bK-3"), 1);
    // Labels without an address get synthetic ones.
    ev << sip(700000000, Dir::Tx, "alice", "proxy", sipRequest("MESSAGE", "z9hG4bK-4", "hello"), 0);
    // SCTP over UDP: a valid INIT and one whose checksum the exporter must fix.
    ev << sctp(800000000, Dir::Tx, "client 127.0.0.1:9899", "server 127.0.0.2:9899", sctpInit(5000, 5001),
        QStringLiteral("INIT"));
    QByteArray bad = sctpInit(5001, 5000);
    bad[8] = char(bad[8] ^ 0x55);
    ev << sctp(801000000, Dir::Rx, "server 127.0.0.2:9899", "client 127.0.0.1:9899", bad, QStringLiteral("INIT again"));
    const QByteArray data = net::sctpPacket(5000, 5001, 0x11223344, net::sctpDataChunk(1000, 3, 0, 51, "payload!"));
    ev << sctp(802000000, Dir::Tx, "client [::1]:9899", "server [::1]:9899", data, QStringLiteral("DATA"));
    return ev;
}

} // namespace tracetest
