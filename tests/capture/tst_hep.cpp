// SPDX-License-Identifier: GPL-3.0-or-later
// HEP: the codec (HEPv3 both ways, HEPv1/v2 in, every malformation refused with a reason), and the
// listener fed by our own encoder over UDP and TCP on loopback, reconstructing a call.
#include "sipcall.h"

#include "capture/endpoint.h"
#include "capture/hep/hep.h"
#include "capture/hep/hepingest.h"
#include "capture/hep/hepexporter.h"
#include "capture/hep/heplistener.h"
#include "capture/live/pipeline.h"

#include <QTcpSocket>
#include <QTest>
#include <QUdpSocket>

using namespace ladder;
using namespace ladder::trace;

namespace {

QByteArray ip4(quint8 a, quint8 b, quint8 c, quint8 d)
{
    const char v[4] = { char(a), char(b), char(c), char(d) };
    return QByteArray(v, 4);
}

hep::Packet sipPacket(const QByteArray& payload, bool fromCaller, quint8 proto, quint32 sec, quint32 usec)
{
    hep::Packet p;
    p.ipProto = proto;
    p.srcAddr = p.dstAddr = ip4(127, 0, 0, 1);
    p.srcPort = fromCaller ? 5062 : 5060;
    p.dstPort = fromCaller ? 5060 : 5062;
    p.tsSec = sec;
    p.tsUsec = usec;
    p.hasAgentId = true;
    p.agentId = 2001;
    p.agentName = "node1";
    p.payload = payload;
    return p;
}

// The call as HEPv3 frames, 10 ms apart from 1700000000.5 s.
QList<QByteArray> callFrames(quint8 proto, const QByteArray& callId = "hepcall-1")
{
    QList<QByteArray> frames;
    quint32 usec = 500000;
    for (const test::SipPacket& s : test::sipCall(callId)) {
        QByteArray f;
        if (!hep::encode(sipPacket(s.bytes, s.fromCaller, proto, 1700000000, usec), &f))
            return {};
        frames.append(f);
        usec += 10000;
    }
    return frames;
}

QByteArray chunk(quint16 type, const QByteArray& v, quint16 vendor = 0)
{
    QByteArray c(6, '\0');
    c[0] = char(vendor >> 8);
    c[1] = char(vendor);
    c[2] = char(type >> 8);
    c[3] = char(type);
    c[4] = char((6 + v.size()) >> 8);
    c[5] = char(6 + v.size());
    return c + v;
}

QByteArray hep3(const QByteArray& chunks)
{
    QByteArray h("HEP3\0\0", 6);
    h += chunks;
    h[4] = char(h.size() >> 8);
    h[5] = char(h.size());
    return h;
}

struct Collector {
    QList<Event> events;
    CapturePipeline pipeline { [this](Event&& e) { events.append(std::move(e)); } };
    hep::Ingest ingest { pipeline };
    QStringList problems;
    Collector()
    {
        ingest.setProblemHandler([this](const QString& p) { problems.append(p); });
    }
};

} // namespace

class TestHep : public QObject {
    Q_OBJECT
private slots:
    void specExample();
    void roundTripAllFields();
    void ipv6AndSkippedChunks();
    void malformed_data();
    void malformed();
    void hepv2AndV1();
    void sngrepAgentId();
    void streamFraming();
    void ingestKeepsTimesAddressesAgent();
    void authKey();
    void listenerUdp();
    void listenerTcp();
    void listenerMalformed();
    void exporterRoundTrip_data();
    void exporterRoundTrip();
    void exporterMirrorsALabMessageOnce();
    void exporterTargets();
};

// The example packet of the specification (rev. 37), its SIP payload shortened as there.
void TestHep::specExample()
{
    const QByteArray bytes = QByteArray::fromHex("48455033" "0071"
                                                 "00000001000702" "00000002000711"
                                                 "00000003000ad4ca0001" "00000004000a527400d3"
                                                 "0000000700082eea" "00000008000813c4"
                                                 "00000009000a4e4982cb" "0000000a000a0001d4c0"
                                                 "0000000b000701" "0000000c000a000000e4"
                                                 "0000000f0014494e56495445207369703a626f62");
    const hep::DecodeResult r = hep::decode(bytes);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packet.family, quint8(2));
    QCOMPARE(r.packet.ipProto, quint8(17));
    QCOMPARE(r.packet.srcAddr, ip4(212, 202, 0, 1));
    QCOMPARE(r.packet.dstAddr, ip4(82, 116, 0, 211));
    QCOMPARE(r.packet.srcPort, quint16(12010));
    QCOMPARE(r.packet.dstPort, quint16(5060));
    QCOMPARE(r.packet.tsSec, quint32(1313440459));
    QCOMPARE(r.packet.tsUsec, quint32(120000));
    QCOMPARE(r.packet.protoType, quint8(1));
    QVERIFY(r.packet.hasAgentId);
    QCOMPARE(r.packet.agentId, quint32(228));
    QCOMPARE(r.packet.payload, QByteArray("INVITE sip:bob"));
    // Cut short: the header's 113 is more than what arrived.
    const hep::DecodeResult cut = hep::decode(bytes.left(100));
    QVERIFY(!cut.ok);
    QCOMPARE(cut.error, QStringLiteral("HEP3 packet truncated: its header says 113 bytes, 100 arrived"));
}

void TestHep::roundTripAllFields()
{
    hep::Packet p = sipPacket("OPTIONS sip:x SIP/2.0\r\n\r\n", true, 6, 1700000001, 999999);
    p.authKey = "secret";
    p.correlationId = "corr-42";
    p.hasVlan = true;
    p.vlan = 7;
    p.hasKeepAlive = true;
    p.keepAliveSec = 30;
    p.agentId = 0xfedcba98;
    QByteArray bytes;
    QString error;
    QVERIFY2(hep::encode(p, &bytes, &error), qPrintable(error));
    QVERIFY(bytes.startsWith("HEP3"));
    QCOMPARE(int((uchar(bytes[4]) << 8) | uchar(bytes[5])), int(bytes.size()));
    const hep::DecodeResult r = hep::decode(bytes);
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.packet.sameFields(p));
    QCOMPARE(r.packet.agentId, 0xfedcba98u);
    QCOMPARE(r.packet.timeNs(), qint64(1700000001999999000));

    hep::Packet big = p;
    big.payload = QByteArray(65535, 'x');
    QVERIFY(!hep::encode(big, &bytes, &error));
    QVERIFY2(error.contains(QLatin1String("65535")), qPrintable(error));
    hep::Packet badAddr = p;
    badAddr.srcAddr = "abc";
    QVERIFY(!hep::encode(badAddr, &bytes, &error));
    QVERIFY2(error.contains(QLatin1String("neither IPv4")), qPrintable(error));
}

void TestHep::ipv6AndSkippedChunks()
{
    QByteArray lo6(16, '\0');
    lo6[15] = 1;
    const QByteArray bytes = hep3(chunk(1, QByteArray(1, char(10))) + chunk(2, QByteArray(1, char(17))) + chunk(5, lo6)
        + chunk(6, lo6) + chunk(7, QByteArray::fromHex("13c4")) + chunk(8, QByteArray::fromHex("13c5"))
        + chunk(0x99, "vendor data", 2) // a Kamailio vendor chunk
        + chunk(0x14, QByteArray(8, 'm')) // source MAC: a generic type with no field here
        + chunk(0x11, "corr") + chunk(0x13, "agent-x") + chunk(0x0f, "payload"));
    const hep::DecodeResult r = hep::decode(bytes);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packet.family, quint8(10));
    QCOMPARE(r.packet.srcAddr, lo6);
    QCOMPARE(r.packet.dstPort, quint16(5061));
    QCOMPARE(r.packet.vendorChunks, 1);
    QCOMPARE(r.packet.skippedChunks, 1);
    QCOMPARE(r.packet.correlationId, QByteArray("corr"));
    QCOMPARE(r.packet.agentName, QByteArray("agent-x"));
    QCOMPARE(r.packet.payload, QByteArray("payload"));
    QCOMPARE(hep::describeAgent(r.packet), QStringLiteral("name agent-x"));
}

void TestHep::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");
    const QByteArray payload = chunk(0x0f, "x");
    QTest::newRow("empty") << QByteArray() << "empty HEP packet";
    QTest::newRow("not hep") << QByteArray("GET / HTTP/1.1\r\n") << "not HEP";
    QTest::newRow("hep3 header cut") << QByteArray("HEP3\0", 5) << "HEP3 header truncated";
    QTest::newRow("total too small") << QByteArray("HEP3\0\x03", 6) << "less than its own 6-byte header";
    QByteArray longer = hep3(payload);
    longer[5] = char(longer[5] + 4);
    QTest::newRow("total beyond datagram") << longer << "truncated: its header says";
    QTest::newRow("trailing bytes") << hep3(payload) + "zz" << "but 15 arrived";
    QTest::newRow("chunk header cut") << hep3(payload + "abc") << "chunk header truncated at offset 13";
    QByteArray shortChunk = hep3(payload + chunk(0x0f, "y"));
    shortChunk[6 + 7 + 5] = 3; // second chunk's length: 3 < 6
    QTest::newRow("chunk length < 6") << shortChunk << "has length 3";
    QByteArray overChunk = hep3(payload + chunk(0x0f, "y"));
    overChunk[6 + 7 + 5] = 40;
    QTest::newRow("chunk beyond packet") << overChunk << "claims 40 bytes, only 7 left";
    QTest::newRow("fixed size") << hep3(chunk(3, "abc")) << "chunk 0x0003 (IPv4 source) at offset 6 must hold 4 byte(s), holds 3";
    QTest::newRow("port size") << hep3(chunk(7, "abc")) << "must hold 2 byte(s)";
    QTest::newRow("compressed") << hep3(chunk(0x10, "\x1f\x8b")) << "compressed payload) is not supported";
    QTest::newRow("v2 family") << QByteArray::fromHex("021007110000000000000000000000000000") << "address family 7";
    QTest::newRow("v2 header length") << QByteArray::fromHex("021102110000000000000000000000000000") << "header length 17";
    QTest::newRow("v2 cut") << QByteArray::fromHex("0210021100000000") << "header truncated";
    QTest::newRow("v1 short") << QByteArray::fromHex("0110") << "8";
}

void TestHep::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    // An exact-size copy: ASan would see a read past it.
    std::unique_ptr<uchar[]> copy(new uchar[std::max<qsizetype>(bytes.size(), 1)]);
    memcpy(copy.get(), bytes.constData(), size_t(bytes.size()));
    const hep::DecodeResult r = hep::decode(bytes.isEmpty() ? nullptr : copy.get(), bytes.size());
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(error), qPrintable(r.error));
}

void TestHep::hepv2AndV1()
{
    const QByteArray sip = test::sipCall().first().bytes;
    // kamailio's HEPv2 on x86: header, addresses, the time header in host (little-endian) order
    // padded to 12 bytes, then the payload.
    QByteArray v2 = QByteArray::fromHex("0210021113b613c4") + ip4(10, 0, 0, 1) + ip4(10, 0, 0, 2)
        + QByteArray::fromHex("00f1536540e20100d1070000") + sip;
    hep::DecodeResult r = hep::decode(v2);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packet.version, 2);
    QCOMPARE(r.packet.srcPort, quint16(5046));
    QCOMPARE(r.packet.dstAddr, ip4(10, 0, 0, 2));
    QCOMPARE(r.packet.tsSec, quint32(1700000000));
    QCOMPARE(r.packet.tsUsec, quint32(123456));
    QCOMPARE(r.packet.agentId, quint32(2001));
    QCOMPARE(r.packet.payload, sip);
    // A big-endian sender: told by the microseconds.
    QByteArray v2be = QByteArray::fromHex("0210021113b613c4") + ip4(10, 0, 0, 1) + ip4(10, 0, 0, 2)
        + QByteArray::fromHex("6553f1000001e24007d10000") + sip;
    r = hep::decode(v2be);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packet.tsSec, quint32(1700000000));
    QCOMPARE(r.packet.agentId, quint32(2001));

    const QByteArray v1 = QByteArray::fromHex("0110021113b613c4") + ip4(10, 0, 0, 1) + ip4(10, 0, 0, 2) + sip;
    r = hep::decode(v1);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.packet.version, 1);
    QCOMPARE(r.packet.timeNs(), qint64(0));
    QCOMPARE(r.packet.payload, sip);
}

void TestHep::sngrepAgentId()
{
    hep::Packet p;
    p.hasAgentId = true;
    p.agentId = 2001u << 16; // sngrep: htons(2001) in the 32-bit chunk, from a little-endian host
    QCOMPARE(hep::describeAgent(p), QStringLiteral("agent 131137536 (2001 << 16: a 16-bit id sent with htons, as sngrep does)"));
    p.agentId = 2001;
    p.agentName = "node1";
    QCOMPARE(hep::describeAgent(p), QStringLiteral("agent 2001, name node1"));
}

void TestHep::streamFraming()
{
    const QList<QByteArray> frames = callFrames(6);
    QCOMPARE(frames.size(), 7);
    const QByteArray all = frames.join();
    // Byte by byte, then all at once: the same packets.
    Collector a, b;
    hep::Ingest::Stream sa, sb;
    for (qsizetype i = 0; i < all.size(); ++i)
        QVERIFY(a.ingest.stream(sa, all.constData() + i, 1, 1, QStringLiteral("tcp:peer")));
    QVERIFY(b.ingest.stream(sb, all.constData(), all.size(), 1, QStringLiteral("tcp:peer")));
    QCOMPARE(a.ingest.stats().fed, quint64(7));
    QCOMPARE(b.ingest.stats().fed, quint64(7));
    QVERIFY(sa.buffer.isEmpty());
    a.pipeline.finish();
    b.pipeline.finish();
    QCOMPARE(a.events.size(), b.events.size());
    // A frame malformed inside is skipped by its length; the stream goes on.
    Collector c;
    hep::Ingest::Stream sc;
    const QByteArray bad = hep3(chunk(3, "abc"));
    QVERIFY(c.ingest.stream(sc, (bad + frames[0]).constData(), bad.size() + frames[0].size(), 1, QStringLiteral("tcp:peer")));
    QCOMPARE(c.ingest.stats().malformed, quint64(1));
    QCOMPARE(c.ingest.stats().fed, quint64(1));
    // Bytes that cannot start a frame break the stream.
    QVERIFY(!c.ingest.stream(sc, "GARBAGE!", 8, 1, QStringLiteral("tcp:peer")));
    QVERIFY(sc.broken);
    QVERIFY2(c.problems.last().contains(QLatin1String("not a HEPv3 stream")), qPrintable(c.problems.last()));
}

void TestHep::ingestKeepsTimesAddressesAgent()
{
    Collector c;
    for (const QByteArray& f : callFrames(17))
        c.ingest.datagram(reinterpret_cast<const uchar*>(f.constData()), f.size(), 42, QStringLiteral("udp:peer"));
    c.pipeline.finish();
    QCOMPARE(c.ingest.stats().fed, quint64(7));
    QCOMPARE(c.pipeline.counts().epochNs, qint64(1700000000500000000));
    QList<Event> sip;
    for (const Event& e : std::as_const(c.events))
        if (e.kind == Kind::SipMessage)
            sip.append(e);
    QCOMPARE(sip.size(), 7);
    QCOMPARE(sip.first().from, QStringLiteral("127.0.0.1:5062"));
    QCOMPARE(sip.first().to, QStringLiteral("127.0.0.1:5060"));
    QCOMPARE(sip.first().timeNs, qint64(0));
    QCOMPARE(sip.last().timeNs, qint64(60000000));
    QCOMPARE(sip.first().b, quint64(0)); // UDP
    QVERIFY2(sip.first().text.endsWith(QLatin1String("[HEPv3 agent 2001, name node1]")), qPrintable(sip.first().text));
    const auto tx = c.pipeline.reconstructor().transactions();
    QCOMPARE(tx.size(), 2);
    QCOMPARE(tx[0].method, QStringLiteral("INVITE"));
    QCOMPARE(tx[1].method, QStringLiteral("BYE"));
    QCOMPARE(c.pipeline.reconstructor().dialogs().size(), 1);
    QCOMPARE(c.pipeline.reconstructor().dialogs().first().state, QStringLiteral("terminated"));

    // Over TCP (b = 1) and SCTP (b = 2) at the origin.
    for (const quint8 proto : { quint8(6), quint8(132) }) {
        Collector t;
        for (const QByteArray& f : callFrames(proto))
            t.ingest.datagram(reinterpret_cast<const uchar*>(f.constData()), f.size(), 42, QStringLiteral("udp:peer"));
        t.pipeline.finish();
        int messages = 0;
        for (const Event& e : std::as_const(t.events))
            if (e.kind == Kind::SipMessage) {
                ++messages;
                QCOMPARE(e.b, quint64(proto == 6 ? 1 : 2));
            }
        QCOMPARE(messages, 7);
        QCOMPARE(t.pipeline.reconstructor().transactions().size(), 2);
    }

    // No time sent (HEPv1): stamped with the arrival.
    Collector v1;
    const QByteArray sipBytes = test::sipCall().first().bytes;
    const QByteArray one = QByteArray::fromHex("0110021113b613c4") + ip4(10, 0, 0, 1) + ip4(10, 0, 0, 2) + sipBytes;
    v1.ingest.datagram(reinterpret_cast<const uchar*>(one.constData()), one.size(), 1234567890, QStringLiteral("udp:peer"));
    QCOMPARE(v1.pipeline.counts().epochNs, qint64(1234567890));
    // Not SIP: skipped, with the reason.
    hep::Packet rtcp = sipPacket("{}", true, 17, 1, 0);
    rtcp.protoType = 5;
    QVERIFY(!v1.ingest.packet(rtcp, 1, QStringLiteral("udp:peer")));
    QVERIFY2(v1.problems.last().contains(QLatin1String("protocol type 5 is not SIP")), qPrintable(v1.problems.last()));
    QCOMPARE(v1.ingest.stats().notSip, quint64(1));
}

void TestHep::authKey()
{
    Collector c;
    c.ingest.setAuthKey("s3cret");
    hep::Packet p = sipPacket(test::sipCall().first().bytes, true, 17, 1700000000, 0);
    QVERIFY(!c.ingest.packet(p, 1, QStringLiteral("udp:peer")));
    QVERIFY2(c.problems.last().contains(QLatin1String("no authentication key")), qPrintable(c.problems.last()));
    p.authKey = "wrong";
    QVERIFY(!c.ingest.packet(p, 1, QStringLiteral("udp:peer")));
    QVERIFY2(c.problems.last().contains(QLatin1String("a wrong authentication key")), qPrintable(c.problems.last()));
    p.authKey = "s3cret";
    QVERIFY(c.ingest.packet(p, 1, QStringLiteral("udp:peer")));
    QCOMPARE(c.ingest.stats().refused, quint64(2));
    QCOMPARE(c.ingest.stats().fed, quint64(1));
}

void TestHep::listenerUdp()
{
    Collector c;
    hep::Listener l(c.ingest);
    QString error;
    QVERIFY2(l.listenUdp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QVERIFY(l.localDescription().startsWith(QLatin1String("udp:127.0.0.1:")));
    QUdpSocket out;
    for (const QByteArray& f : callFrames(17))
        QCOMPARE(out.writeDatagram(f, QHostAddress::LocalHost, l.udpPort()), qint64(f.size()));
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(7), 5000);
    c.pipeline.finish();
    QCOMPARE(c.pipeline.reconstructor().transactions().size(), 2);
    QCOMPARE(c.pipeline.reconstructor().dialogs().size(), 1);
    QCOMPARE(c.pipeline.counts().epochNs, qint64(1700000000500000000));
}

void TestHep::listenerTcp()
{
    Collector c;
    hep::Listener l(c.ingest);
    QString error;
    QVERIFY2(l.listenTcp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, l.tcpPort());
    QVERIFY(s.waitForConnected(5000));
    const QList<QByteArray> a = callFrames(6, "tcp-a");
    const QList<QByteArray> b = callFrames(6, "tcp-b");
    // Three frames in one segment, then one frame split over three writes, then the rest.
    s.write(a[0] + a[1] + a[2]);
    s.flush();
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(3), 5000);
    s.write(a[3].left(3));
    s.flush();
    QTest::qWait(50);
    s.write(a[3].mid(3, 10));
    s.flush();
    QTest::qWait(50);
    QCOMPARE(c.ingest.stats().fed, quint64(3));
    s.write(a[3].mid(13) + a[4] + a[5] + a[6] + b.join());
    s.flush();
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(14), 5000);
    QCOMPARE(l.connections(), 1);
    s.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(l.connections(), 0, 5000);
    c.pipeline.finish();
    QCOMPARE(c.pipeline.reconstructor().transactions().size(), 4);
    QCOMPARE(c.pipeline.reconstructor().dialogs().size(), 2);
    QCOMPARE(c.ingest.stats().malformed, quint64(0));
}

void TestHep::listenerMalformed()
{
    Collector c;
    hep::Listener l(c.ingest);
    QString error;
    QVERIFY2(l.listenUdp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QVERIFY2(l.listenTcp(QHostAddress::LocalHost, 0, &error), qPrintable(error));
    QUdpSocket out;
    out.writeDatagram(QByteArray("HEP3\0\x10garbage", 13), QHostAddress::LocalHost, l.udpPort());
    out.writeDatagram(hep3(chunk(0x10, "zz")), QHostAddress::LocalHost, l.udpPort());
    const QByteArray good = callFrames(17).first();
    out.writeDatagram(good, QHostAddress::LocalHost, l.udpPort());
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(1), 5000);
    QCOMPARE(c.ingest.stats().malformed, quint64(2));
    QVERIFY2(c.problems.join(QLatin1Char('\n')).contains(QLatin1String("compressed payload")), qPrintable(c.problems.join(QLatin1Char('\n'))));

    // A TCP peer that does not speak HEPv3 is disconnected; the listener goes on.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, l.tcpPort());
    QVERIFY(s.waitForConnected(5000));
    s.write("OPTIONS sip:x SIP/2.0\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(s.state() == QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(c.ingest.stats().malformed, quint64(3));
    QTcpSocket s2;
    s2.connectToHost(QHostAddress::LocalHost, l.tcpPort());
    QVERIFY(s2.waitForConnected(5000));
    s2.write(callFrames(6).first());
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(2), 5000);
}

// Our exporter into our listener: every SIP message of a call (as a journal holds it) arrives as
// the same bytes, addresses, transport, time and agent, over UDP and over TCP.
void TestHep::exporterRoundTrip_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("udp") << false;
    QTest::newRow("tcp") << true;
}

void TestHep::exporterRoundTrip()
{
    QFETCH(bool, tcp);
    Collector c;
    hep::Listener l(c.ingest);
    QString error;
    QVERIFY2(tcp ? l.listenTcp(QHostAddress::LocalHost, 0, &error) : l.listenUdp(QHostAddress::LocalHost, 0, &error),
        qPrintable(error));
    hep::ExportOptions o;
    QVERIFY2(hep::parseTarget(QStringLiteral("%1:127.0.0.1:%2").arg(tcp ? "tcp" : "udp").arg(tcp ? l.tcpPort() : l.udpPort()),
                 &o, &error),
        qPrintable(error));
    o.agentId = 4242;
    hep::Exporter x;
    QVERIFY2(x.start(o, &error), qPrintable(error));
    const qint64 epoch = 1'700'000'000'000'000'000;
    const auto call = test::sipCall("export-1");
    qint64 t = 0;
    for (const test::SipPacket& p : call) {
        Event e;
        e.kind = Kind::SipMessage;
        e.dir = Dir::Tx;
        e.from = p.fromCaller ? QStringLiteral("127.0.0.1:5062") : QStringLiteral("127.0.0.1:5060");
        e.to = p.fromCaller ? QStringLiteral("127.0.0.1:5060") : QStringLiteral("127.0.0.1:5062");
        e.b = tcp ? 1 : 0;
        e.timeNs = (t += 250'000'000);
        e.raw = p.bytes;
        x.offer(e, epoch);
    }
    Event log; // not SIP: not mirrored
    log.kind = Kind::Log;
    log.text = QStringLiteral("hello");
    x.offer(log, epoch);
    QTRY_COMPARE_WITH_TIMEOUT(c.ingest.stats().fed, quint64(call.size()), 5000);
    QCOMPARE(x.stats().sent, quint64(call.size()));
    QCOMPARE(x.stats().dropped, quint64(0));
    QList<Event> sip;
    for (const Event& e : std::as_const(c.events))
        if (e.kind == Kind::SipMessage)
            sip.append(e);
    QCOMPARE(sip.size(), call.size());
    for (qsizetype i = 0; i < sip.size(); ++i) {
        QCOMPARE(sip[i].raw, call[i].bytes);
        QCOMPARE(sip[i].b, quint64(tcp ? 1 : 0));
        QCOMPARE(sip[i].from, call[i].fromCaller ? QStringLiteral("127.0.0.1:5062") : QStringLiteral("127.0.0.1:5060"));
        QVERIFY2(sip[i].text.contains(QLatin1String("4242")), qPrintable(sip[i].text));
    }
    // The original times: the first packet's is the epoch, the rest 250 ms apart.
    QCOMPARE(c.pipeline.counts().epochNs, epoch + 250'000'000);
    QCOMPARE(sip.last().timeNs, qint64(6) * 250'000'000);
}

void TestHep::exporterMirrorsALabMessageOnce()
{
    // Both ends in one journal: the INVITE sent by the UAC and the same INVITE received by the UAS
    // are one packet on the wire. A message received from elsewhere is mirrored.
    hep::ExportOptions o;
    QString error;
    QVERIFY(hep::parseTarget(QStringLiteral("udp:127.0.0.1:9"), &o, &error));
    hep::Exporter x;
    QVERIFY(x.start(o, &error));
    Event tx;
    tx.kind = Kind::SipMessage;
    tx.dir = Dir::Tx;
    tx.from = QStringLiteral("uac 10.0.0.1:5060");
    tx.to = QStringLiteral("uas 10.0.0.2:5060");
    tx.raw = test::sipCall("mirror-1").first().bytes;
    tx.timeNs = 1000;
    Event rx = tx;
    rx.dir = Dir::Rx;
    rx.timeNs = 2000;
    x.offer(tx, 0);
    x.offer(rx, 0);
    Event other = rx;
    other.raw = test::sipCall("mirror-2").first().bytes;
    x.offer(other, 0);
    x.flush();
    QCOMPARE(x.stats().offered, quint64(3));
    QCOMPARE(x.stats().mirrors, quint64(1));
    QCOMPARE(x.stats().sent, quint64(2));
    // A lab end's label becomes the synthetic address the pcapng export gives it.
    hep::Packet p;
    QVERIFY(hep::packetFor(tx, 0, o, &p));
    QCOMPARE(p.srcAddr, parseEndpoint(tx.from, 5060).addr);
    QCOMPARE(p.srcPort, quint16(5060));
}

void TestHep::exporterTargets()
{
    hep::ExportOptions o;
    QString error;
    QVERIFY(hep::parseTarget(QStringLiteral("tcp:[::1]:9060"), &o, &error));
    QVERIFY(o.tcp);
    QCOMPARE(o.address, QHostAddress(QHostAddress::LocalHostIPv6));
    QVERIFY(hep::parseTarget(QStringLiteral("127.0.0.1:9061"), &o, &error));
    QVERIFY(!o.tcp);
    QCOMPARE(o.port, quint16(9061));
    for (const char* bad : { "udp:host.example:9060", "udp:127.0.0.1", "tcp:127.0.0.1:0", "udp:127.0.0.1:70000", "" }) {
        QVERIFY2(!hep::parseTarget(QString::fromLatin1(bad), &o, &error), bad);
        QVERIFY(error.contains(QLatin1String("HOST:PORT")));
    }
}

QTEST_GUILESS_MAIN(TestHep)
#include "tst_hep.moc"
