// SPDX-License-Identifier: GPL-3.0-or-later
// What a capture must put back together before SIP can be read: TCP streams (split, coalesced,
// out of order, retransmitted, a gap the capture never fills), IPv4 and IPv6 fragments (in any
// order, overlapping with the same or different bytes), and the wrappings mirrored traffic comes in
// (QinQ VLANs, VXLAN, GRE/ERSPAN II and III), plus the copies an "any" capture shows of one packet.
// Each case is a pcap crafted here and read with readCapture().
#include "capture/capturereader.h"
#include "capture/netpacket.h"
#include "capture/reassembly.h"
#include "pcapwriter.h"
#include "sipcall.h"

#include <QTest>

using namespace ladder;
using namespace ladder::trace;

namespace {

NetEndpoint ep(const char* text)
{
    return parseEndpoint(QString::fromLatin1(text), 5060);
}

using test::PcapWriter; // microsecond stamps, little-endian: addUs(frame, us)

struct Read {
    CaptureReadResult result;
    QList<Event> events;
    QList<Event> of(Kind k) const
    {
        QList<Event> out;
        for (const Event& e : events)
            if (e.kind == k)
                out.append(e);
        return out;
    }
};

Read read(const PcapWriter& pcap, CaptureReadOptions options = {})
{
    Read r;
    r.result = readCapture(reinterpret_cast<const uchar*>(pcap.bytes().constData()), pcap.bytes().size(),
        [&r](Event&& e) { r.events.append(std::move(e)); }, options);
    return r;
}

QByteArray ethernet(const QByteArray& ip, const QList<quint16>& tags = {})
{
    QByteArray f("\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
    for (qsizetype i = 0; i < tags.size(); ++i) {
        const quint16 tpid = i == 0 && tags.size() > 1 ? 0x88a8 : 0x8100;
        f.append(char(tpid >> 8)).append(char(tpid)).append(char(tags[i] >> 8)).append(char(tags[i]));
    }
    const quint16 type = (ip[0] >> 4) == 6 ? 0x86DD : 0x0800;
    f.append(char(type >> 8)).append(char(type));
    return f + ip;
}

// An IPv4 packet split into fragments of `chunk` bytes (a multiple of 8) of its payload, in the
// order `order` gives (indexes of the fragments).
QList<QByteArray> fragments4(const QByteArray& ip, int chunk)
{
    const int ihl = (ip[0] & 0x0f) * 4;
    const QByteArray payload = ip.mid(ihl);
    QList<QByteArray> out;
    for (int off = 0; off < payload.size(); off += chunk) {
        const QByteArray part = payload.mid(off, chunk);
        QByteArray f = ip.left(ihl) + part;
        net::put16(f, 2, quint16(f.size()));
        const bool more = off + chunk < payload.size();
        net::put16(f, 6, quint16((more ? 0x2000 : 0) | (off / 8)));
        net::put16(f, 10, 0); // the header checksum is not checked by the reader
        out.append(f);
    }
    return out;
}

// The same for IPv6: a Fragment header (next header = the original's) after the fixed header.
QList<QByteArray> fragments6(const QByteArray& ip, int chunk, quint32 id)
{
    const QByteArray payload = ip.mid(40);
    const char next = ip[6];
    QList<QByteArray> out;
    for (int off = 0; off < payload.size(); off += chunk) {
        const QByteArray part = payload.mid(off, chunk);
        QByteArray fh(8, '\0');
        fh[0] = next;
        const bool more = off + chunk < payload.size();
        net::put16(fh, 2, quint16((off / 8) << 3 | (more ? 1 : 0)));
        net::put32(fh, 4, id);
        QByteArray f = ip.left(40) + fh + part;
        f[6] = char(44);
        net::put16(f, 4, quint16(fh.size() + part.size()));
        out.append(f);
    }
    return out;
}

QByteArray bigInvite()
{
    QByteArray m = test::sipCall("frag-1").first().bytes;
    QByteArray body;
    while (body.size() < 2800)
        body += "a=x-padding:" + QByteArray::number(body.size()) + "\r\n";
    m.replace("Content-Length: 0\r\n\r\n",
        "Content-Type: application/sdp\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    return m;
}

} // namespace

class TstReassembly : public QObject {
    Q_OBJECT

    // A TCP connection's client-to-server segments carrying `stream`, cut at `cuts` (offsets), sent
    // in the order `order` (indexes into the pieces), after a SYN.
    PcapWriter tcpCapture(const QByteArray& stream, const QList<int>& cuts, const QList<int>& order, qint64 gapUs = 1000)
    {
        const NetEndpoint a = ep("127.0.0.1:40000"), b = ep("127.0.0.1:5060");
        PcapWriter pcap(101);
        const quint32 isn = 0xffffff00; // wraps around 2^32 inside the stream
        pcap.addUs(net::tcpPacket(a, b, isn, 0, net::TcpSyn, {}, 1), 0);
        QList<int> at = cuts;
        at.prepend(0);
        at.append(int(stream.size()));
        qint64 t = 1000;
        for (int i : order) {
            const QByteArray piece = stream.mid(at[i], at[i + 1] - at[i]);
            pcap.addUs(net::tcpPacket(a, b, isn + 1 + quint32(at[i]), 1, net::TcpAck | net::TcpPsh, piece, quint16(10 + i)), t);
            t += gapUs;
        }
        return pcap;
    }

private slots:
    void tcpOneMessageOverManySegments()
    {
        const QByteArray inv = test::sipCall().first().bytes;
        const Read r = read(tcpCapture(inv, { 10, 100, 200 }, { 0, 1, 2, 3 }));
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 1);
        QCOMPARE(sip[0].raw, inv);
        QCOMPARE(sip[0].b, quint64(1));
    }

    void tcpSeveralMessagesInOneSegment()
    {
        const auto call = test::sipCall();
        const QByteArray two = call[0].bytes + "\r\n\r\n" + call[4].bytes; // with keep-alive CRLFs between
        const Read r = read(tcpCapture(two, {}, { 0 }));
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 2);
        QCOMPARE(sip[0].raw, call[0].bytes);
        QCOMPARE(sip[1].raw, call[4].bytes);
    }

    void tcpSegmentsOutOfOrder()
    {
        const auto call = test::sipCall();
        const QByteArray stream = call[0].bytes + call[4].bytes + call[5].bytes;
        const int m1 = int(call[0].bytes.size()), m2 = m1 + int(call[4].bytes.size());
        // Six pieces arriving 0, 2, 1, 5, 4, 3: every message waits for a piece that comes late.
        const Read r = read(tcpCapture(stream, { 50, m1 + 20, m2 - 7, m2 + 30, m2 + 100 }, { 0, 2, 1, 5, 4, 3 }));
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 3);
        QCOMPARE(sip[0].raw, call[0].bytes);
        QCOMPARE(sip[1].raw, call[4].bytes);
        QCOMPARE(sip[2].raw, call[5].bytes);
        QCOMPARE(r.result.tcpGaps, quint64(0));
        QVERIFY2(r.result.warnings.isEmpty(), qPrintable(r.result.warnings.join(QLatin1Char('\n'))));
    }

    void tcpRetransmittedSegmentsAreTakenOnce()
    {
        const auto call = test::sipCall();
        const QByteArray stream = call[0].bytes + call[5].bytes;
        const int m1 = int(call[0].bytes.size());
        // Piece 1 twice, then a retransmission that overlaps pieces 1 and 2 (resegmented).
        const NetEndpoint a = ep("127.0.0.1:40000"), b = ep("127.0.0.1:5060");
        PcapWriter pcap(101);
        pcap.addUs(net::tcpPacket(a, b, 99, 0, net::TcpSyn, {}, 1), 0);
        auto seg = [&](int from, int to, qint64 us) {
            pcap.addUs(net::tcpPacket(a, b, 100 + quint32(from), 1, net::TcpAck, stream.mid(from, to - from), 2), us);
        };
        seg(0, 60, 1000);
        seg(60, m1 + 10, 2000);
        seg(60, m1 + 10, 3000);
        seg(40, m1 + 40, 4000);
        seg(m1 + 40, int(stream.size()), 5000);
        seg(m1 + 40, int(stream.size()), 6000); // after the end: nothing new
        const Read r = read(pcap);
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 2);
        QCOMPARE(sip[0].raw, call[0].bytes);
        QCOMPARE(sip[1].raw, call[5].bytes);
        QCOMPARE(r.of(Kind::SipRetransmission).size(), 0);
    }

    void tcpGapNeverFilledGoesOnAtTheNextMessage()
    {
        const auto call = test::sipCall();
        const QByteArray stream = call[0].bytes + call[4].bytes + call[5].bytes;
        const int m1 = int(call[0].bytes.size()), m2 = m1 + int(call[4].bytes.size());
        // Piece 1 (inside the INVITE) is never captured; the ACK and BYE come 2.5 s apart, so the
        // gap is given up (it may stay open 2 s) when the BYE arrives.
        const Read r = read(tcpCapture(stream, { 30, m1, m2 }, { 0, 2, 3 }, 2'500'000));
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 2);
        QCOMPARE(sip[0].raw, call[4].bytes);
        QCOMPARE(sip[1].raw, call[5].bytes);
        QCOMPARE(r.result.tcpGaps, quint64(1));
        QVERIFY(r.result.warnings.join(QLatin1Char('\n')).contains(QLatin1String("bytes were not captured")));
    }

    void tcpStateIsBounded()
    {
        // Far more segments behind a gap than may wait: the gap is given up, memory stays bounded.
        TcpReorder t;
        t.start(1000);
        QByteArray ready;
        qsizetype lost = 0;
        int givenUp = 0;
        for (int i = 1; i <= 1000; ++i) {
            ready.clear();
            const QByteArray seg(1000, 'x');
            if (t.add(1000 + quint32(i) * 1000, seg.constData(), seg.size(), i, &ready, &lost)
                == TcpReorder::Outcome::GapGivenUp)
                ++givenUp;
            QVERIFY(t.waitingBytes() <= 256 * 1024 + 1000);
        }
        QVERIFY(givenUp > 0);
    }

    void ipv4FragmentsInAnyOrder()
    {
        const QByteArray inv = bigInvite();
        const QByteArray ip = net::udpPacket(ep("192.0.2.1:5060"), ep("192.0.2.2:5060"), inv, 0x4242);
        QList<QByteArray> frags = fragments4(ip, 1480);
        QCOMPARE(frags.size(), 3);
        PcapWriter pcap(1);
        pcap.addUs(ethernet(frags[2]), 10);
        pcap.addUs(ethernet(frags[0]), 20);
        pcap.addUs(ethernet(frags[0]), 25); // the same fragment twice: harmless
        pcap.addUs(ethernet(frags[1]), 30);
        const Read r = read(pcap);
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 1);
        QCOMPARE(sip[0].raw, inv);
        QCOMPARE(sip[0].from, QStringLiteral("192.0.2.1:5060"));
        QCOMPARE(r.result.reassembled, quint64(1));
        QCOMPARE(r.result.fragments, quint64(4));
    }

    void ipv4FragmentsOverlappingWithOtherBytesAreDropped()
    {
        const QByteArray ip = net::udpPacket(ep("192.0.2.1:5060"), ep("192.0.2.2:5060"), bigInvite(), 7);
        QList<QByteArray> frags = fragments4(ip, 1480);
        QByteArray evil = frags[1];
        evil[evil.size() - 1] = char(evil[evil.size() - 1] ^ 0x55);
        PcapWriter pcap(101);
        pcap.addUs(frags[0], 10);
        pcap.addUs(frags[1], 20);
        pcap.addUs(evil, 25);
        pcap.addUs(frags[2], 30);
        const Read r = read(pcap);
        QCOMPARE(r.of(Kind::SipMessage).size(), 0);
        QVERIFY2(r.result.warnings.join(QLatin1Char('\n')).contains(QLatin1String("overlap with different bytes")),
            qPrintable(r.result.warnings.join(QLatin1Char('\n'))));
    }

    void ipv6FragmentsReassembled()
    {
        const QByteArray inv = bigInvite();
        const QByteArray ip = net::udpPacket(ep("[2001:db8::1]:5060"), ep("[2001:db8::2]:5060"), inv, 0);
        const QList<QByteArray> frags = fragments6(ip, 1232, 0xabcdef01);
        QVERIFY(frags.size() >= 3);
        PcapWriter pcap(101);
        for (qsizetype i = frags.size() - 1; i >= 0; --i)
            pcap.addUs(frags[i], 10 * (frags.size() - i));
        const Read r = read(pcap);
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 1);
        QCOMPARE(sip[0].raw, inv);
        QCOMPARE(sip[0].to, QStringLiteral("[2001:db8::2]:5060"));
    }

    void fragmentsThatNeverCompleteExpire()
    {
        IpDefragmenter d;
        QByteArray out;
        QString why;
        const QByteArray eight(8, 'a');
        QCOMPARE(d.add("k1", 0, 0, true, eight.constData(), 8, &out, &why), IpDefragmenter::Outcome::Pending);
        QCOMPARE(d.waiting(), 1);
        // 31 s later another datagram's fragment sweeps the first out.
        QCOMPARE(d.add("k2", 31'000'000'000, 0, true, eight.constData(), 8, &out, &why), IpDefragmenter::Outcome::Pending);
        QCOMPARE(d.waiting(), 1);
        QCOMPARE(d.expired(), quint64(1));
        // And a flood of first fragments stays within the count limit.
        for (int i = 0; i < 5000; ++i)
            d.add(QByteArray::number(i), 31'000'000'000, 0, true, eight.constData(), 8, &out, &why);
        QVERIFY(d.waiting() <= 1024);
        QVERIFY(d.bytesHeld() <= 1024 * 8);
    }

    void qinqVxlanAndErspan_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<quint32>("linktype");
        const QByteArray inv = test::sipCall("tun-1").first().bytes;
        const QByteArray inner = net::udpPacket(ep("10.1.0.1:5060"), ep("10.1.0.2:5060"), inv, 1);
        QTest::newRow("QinQ") << ethernet(inner, { 100, 200 }) << 1u;
        const QByteArray vxlan = QByteArray("\x08\0\0\0\0\0\x2a\0", 8) + ethernet(inner);
        QTest::newRow("VXLAN") << ethernet(net::udpPacket(ep("192.0.2.9:49152"), ep("192.0.2.10:4789"), vxlan, 2)) << 1u;
        // GRE with a sequence number, ERSPAN type II header (8 bytes), then the mirrored frame.
        QByteArray gre2("\x10\0\x88\xbe\0\0\0\x01", 8);
        gre2 += QByteArray("\x10\x01\0\x05\0\0\0\0", 8) + ethernet(inner, { 7 });
        QTest::newRow("ERSPAN II") << net::ipPacket(ep("192.0.2.9"), ep("192.0.2.10"), 47, gre2, -1, 3) << 101u;
        QByteArray gre3("\x10\0\x22\xeb\0\0\0\x01", 8);
        gre3 += QByteArray(12, '\0') + ethernet(inner);
        QTest::newRow("ERSPAN III") << net::ipPacket(ep("192.0.2.9"), ep("192.0.2.10"), 47, gre3, -1, 4) << 101u;
    }
    void qinqVxlanAndErspan()
    {
        QFETCH(QByteArray, frame);
        QFETCH(quint32, linktype);
        PcapWriter pcap(linktype);
        pcap.addUs(frame, 10);
        const Read r = read(pcap);
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 1);
        QCOMPARE(sip[0].from, QStringLiteral("10.1.0.1:5060"));
        QCOMPARE(sip[0].raw, test::sipCall("tun-1").first().bytes);
    }

    // SIP over WebSocket (RFC 7118): the HTTP Upgrade and its 101, then masked client frames (a
    // message in a text frame and a continuation, a ping between) and an unmasked server frame.
    void sipOverWebSocket()
    {
        const auto call = test::sipCall("ws-1");
        auto wsFrame = [](int opcode, bool fin, const QByteArray& payload, bool mask) {
            QByteArray f;
            f.append(char((fin ? 0x80 : 0) | opcode));
            const char m = mask ? char(0x80) : char(0);
            if (payload.size() < 126) {
                f.append(char(m | payload.size()));
            } else {
                f.append(char(m | 126));
                f.append(char(payload.size() >> 8)).append(char(payload.size()));
            }
            const QByteArray key("\x12\x34\x56\x78", 4);
            if (mask)
                f += key;
            for (qsizetype i = 0; i < payload.size(); ++i)
                f.append(mask ? char(payload[i] ^ key[i & 3]) : payload[i]);
            return f;
        };
        const NetEndpoint c = ep("127.0.0.1:40001"), sv = ep("127.0.0.1:8080");
        const QByteArray upgrade = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n";
        const QByteArray accept = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
        const QByteArray inv = call[0].bytes;
        const QByteArray toServer = upgrade + wsFrame(1, false, inv.left(100), true) + wsFrame(9, true, "ping", true)
            + wsFrame(0, true, inv.mid(100), true);
        const QByteArray toClient = accept + wsFrame(1, true, call[3].bytes, false);
        PcapWriter pcap(101);
        pcap.addUs(net::tcpPacket(c, sv, 999, 0, net::TcpSyn, {}, 1), 0);
        pcap.addUs(net::tcpPacket(sv, c, 4999, 1000, net::TcpSyn | net::TcpAck, {}, 2), 10);
        // The client's bytes in three segments cut inside frames and the upgrade.
        pcap.addUs(net::tcpPacket(c, sv, 1000, 5000, net::TcpAck, toServer.left(50), 3), 20);
        pcap.addUs(net::tcpPacket(sv, c, 5000, 1000, net::TcpAck, toClient.left(accept.size()), 4), 30);
        pcap.addUs(net::tcpPacket(c, sv, 1050, 5000, net::TcpAck, toServer.mid(50, 300), 5), 40);
        pcap.addUs(net::tcpPacket(c, sv, 1350, 5000, net::TcpAck, toServer.mid(350), 6), 50);
        pcap.addUs(net::tcpPacket(sv, c, 5000 + quint32(accept.size()), 1000, net::TcpAck, toClient.mid(accept.size()), 7), 60);
        const Read r = read(pcap);
        const auto sip = r.of(Kind::SipMessage);
        QCOMPARE(sip.size(), 2);
        QCOMPARE(sip[0].raw, inv);
        QCOMPARE(sip[0].b, quint64(4));
        QCOMPARE(sip[1].raw, call[3].bytes);
        QCOMPARE(sip[1].from, QStringLiteral("127.0.0.1:8080"));
        QCOMPARE(sip[0].a, sip[1].a); // one connection
    }

    void anyCaptureDropsTheSecondInterfacesCopyAndNamesTheInterface()
    {
        const QByteArray inv = test::sipCall("dup-1").first().bytes;
        const QByteArray ip = net::udpPacket(ep("10.2.0.1:5060"), ep("10.2.0.2:5060"), inv, 9);
        auto sll2 = [&](quint32 ifindex) {
            QByteArray h(20, '\0');
            net::put16(h, 0, 0x0800);
            net::put32(h, 4, ifindex);
            net::put16(h, 8, 1);
            return h + ip;
        };
        PcapWriter pcap(276);
        pcap.addUs(sll2(5), 1000); // on the veth
        pcap.addUs(sll2(3), 1100); // the same packet on the bridge, 100 µs later
        pcap.addUs(sll2(5), 501000); // a real retransmission (Timer A), 500 ms later
        CaptureReadOptions o;
        o.interfaceName = [](quint32 i) { return i == 5 ? QStringLiteral("veth0") : QString(); };
        const Read r = read(pcap, o);
        QCOMPARE(r.result.duplicates, quint64(1));
        QCOMPARE(r.of(Kind::SipMessage).size(), 1);
        QCOMPARE(r.of(Kind::SipRetransmission).size(), 1);
        QVERIFY2(r.of(Kind::SipMessage)[0].text.endsWith(QLatin1String("[veth0]")), qPrintable(r.of(Kind::SipMessage)[0].text));
        // Without the window every copy is kept (a plain capture of one interface).
        o.duplicateWindowNs = 0;
        const Read all = read(pcap, o);
        QCOMPARE(all.result.duplicates, quint64(0));
        QCOMPARE(all.of(Kind::SipRetransmission).size(), 2);
    }

    // options.progress: called every progressStep bytes with the offset reached; false stops the
    // read there, keeping what came before (File > Open's Cancel).
    void progressReportsAndStopsTheRead()
    {
        PcapWriter pcap(101);
        const NetEndpoint a = ep("10.0.0.1:5062"), b = ep("10.0.0.2:5060");
        for (int c = 0; c < 60; ++c) {
            const QList<test::SipPacket> call = test::sipCall("progress-" + QByteArray::number(c), 5062, 5060);
            for (int m = 0; m < call.size(); ++m)
                pcap.addUs(call[m].fromCaller ? net::udpPacket(a, b, call[m].bytes, 1) : net::udpPacket(b, a, call[m].bytes, 1),
                    qint64(c) * 10000 + m * 1000);
        }
        const qint64 size = pcap.bytes().size();
        const Read whole = read(pcap);
        QVERIFY(whole.result.ok && !whole.result.stopped);
        QCOMPARE(whole.result.bytesRead, size);
        QCOMPARE(whole.of(Kind::SipMessage).size(), 60 * 7);

        // Reporting only: the same events, offsets growing by at least a step, never the end.
        CaptureReadOptions o;
        o.progressStep = 4096;
        QList<qint64> offsets;
        o.progress = [&](qint64 done, qint64 total, const CaptureReadResult& soFar) {
            offsets.append(done);
            return total == size && soFar.packets > 0;
        };
        const Read reported = read(pcap, o);
        QVERIFY(reported.result.ok && !reported.result.stopped);
        QCOMPARE(reported.events.size(), whole.events.size());
        QVERIFY(offsets.size() >= int(size / 4096) - 1);
        for (qsizetype i = 1; i < offsets.size(); ++i)
            QVERIFY(offsets[i] - offsets[i - 1] >= 4096);
        QVERIFY(offsets.last() < size);

        // Stopped at the third report: ok, stopped where it was, the events before kept.
        int calls = 0;
        o.progress = [&](qint64, qint64, const CaptureReadResult&) { return ++calls < 3; };
        const Read stopped = read(pcap, o);
        QVERIFY(stopped.result.ok);
        QVERIFY(stopped.result.stopped);
        QCOMPARE(stopped.result.bytesRead, offsets[2]);
        QVERIFY(!stopped.events.isEmpty() && stopped.events.size() < whole.events.size());
        for (qsizetype i = 0; i < stopped.events.size(); ++i) {
            QCOMPARE(stopped.events[i].kind, whole.events[i].kind);
            QCOMPARE(stopped.events[i].text, whole.events[i].text);
        }
    }
};

QTEST_GUILESS_MAIN(TstReassembly)
#include "tst_reassembly.moc"
