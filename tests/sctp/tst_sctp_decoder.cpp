// SPDX-License-Identifier: GPL-3.0-or-later
// The chunk decoder on hand-built packets: every chunk type the tap names, the info text, the
// CRC32c, and malformed input (truncated at every length, lying lengths) without reading out of
// bounds (run under the asan preset to prove the last point).
#include "sctp/chunkdecoder.h"

#include <QTest>
#include <QtEndian>

using namespace ladder::sctp;

namespace {
struct Builder {
    QByteArray b;
    void u8(quint8 v) { b.append(char(v)); }
    void u16(quint16 v)
    {
        u8(quint8(v >> 8));
        u8(quint8(v));
    }
    void u32(quint32 v)
    {
        u16(quint16(v >> 16));
        u16(quint16(v));
    }
    void pad()
    {
        while (b.size() % 4)
            u8(0);
    }
};

QByteArray mkChunk(quint8 type, quint8 flags, const QByteArray& body)
{
    Builder c;
    c.u8(type);
    c.u8(flags);
    c.u16(quint16(4 + body.size()));
    c.b += body;
    c.pad();
    return c.b;
}

QByteArray packet(const QList<QByteArray>& chunks, quint32 vtag = 0x01020304)
{
    Builder p;
    p.u16(5000);
    p.u16(5001);
    p.u32(vtag);
    p.u32(0);
    for (const QByteArray& c : chunks)
        p.b += c;
    const quint32 crc = sctpChecksum(p.b);
    // CRC32c goes on the wire least significant byte first (RFC 9260 appendix A).
    for (int i = 0; i < 4; ++i)
        p.b[8 + i] = char((crc >> (8 * i)) & 0xff);
    return p.b;
}

QByteArray dataBody(quint32 tsn, quint16 sid, quint16 ssn, quint32 ppid, const QByteArray& payload)
{
    Builder d;
    d.u32(tsn);
    d.u16(sid);
    d.u16(ssn);
    d.u32(ppid);
    d.b += payload;
    return d.b;
}

QList<QByteArray> everyChunk()
{
    QList<QByteArray> all;
    all << mkChunk(0x00, 0x03, dataBody(100, 1, 2, 51, "hello"));
    Builder idata;
    idata.u32(101);
    idata.u16(2);
    idata.u16(0);
    idata.u32(77);
    idata.u32(51);
    idata.b += "x";
    all << mkChunk(0x40, 0x07, idata.b);
    Builder sack;
    sack.u32(99);
    sack.u32(65536);
    sack.u16(1);
    sack.u16(1);
    sack.u16(2);
    sack.u16(3);
    sack.u32(97);
    all << mkChunk(0x03, 0, sack.b);
    Builder fwd;
    fwd.u32(120);
    fwd.u16(0);
    fwd.u16(7);
    all << mkChunk(0xc0, 0, fwd.b);
    Builder ifwd;
    ifwd.u32(121);
    ifwd.u16(3);
    ifwd.u16(1);
    ifwd.u32(9);
    all << mkChunk(0xc2, 0, ifwd.b);
    Builder init;
    init.u32(0xdeadbeef);
    init.u32(131072);
    init.u16(10);
    init.u16(2048);
    init.u32(1000);
    init.u16(0xc000); // Forward-TSN-Supported
    init.u16(4);
    all << mkChunk(0x01, 0, init.b);
    Builder initAck;
    initAck.u32(0xcafef00d);
    initAck.u32(131072);
    initAck.u16(5);
    initAck.u16(5);
    initAck.u32(2000);
    initAck.u16(0x8008); // Supported Extensions: FORWARD-TSN, I-DATA
    initAck.u16(6);
    initAck.u8(0xc0);
    initAck.u8(0x40);
    initAck.pad();
    all << mkChunk(0x02, 0, initAck.b);
    all << mkChunk(0x0a, 0, QByteArray(20, 'c'));
    all << mkChunk(0x0b, 0, {});
    Builder hb;
    hb.u16(1);
    hb.u16(8);
    hb.u32(42);
    all << mkChunk(0x04, 0, hb.b) << mkChunk(0x05, 0, hb.b);
    Builder cause;
    cause.u16(12); // User-initiated abort
    cause.u16(7);
    cause.b += "bye";
    cause.pad();
    all << mkChunk(0x06, 0x01, cause.b);
    Builder shut;
    shut.u32(130);
    all << mkChunk(0x07, 0, shut.b) << mkChunk(0x08, 0, {}) << mkChunk(0x0e, 0, {});
    Builder err;
    err.u16(1);
    err.u16(8);
    err.u16(9);
    err.u16(0);
    all << mkChunk(0x09, 0, err.b);
    Builder reconf;
    reconf.u16(13);
    reconf.u16(16);
    reconf.u32(1);
    reconf.u32(0);
    reconf.u32(5);
    all << mkChunk(0x82, 0, reconf.b);
    Builder asconf;
    asconf.u32(17);
    all << mkChunk(0xc1, 0, asconf.b) << mkChunk(0x80, 0, asconf.b);
    return all;
}
}

class TestSctpDecoder : public QObject {
    Q_OBJECT
private slots:
    void decodesEveryChunkType()
    {
        const QByteArray p = packet(everyChunk());
        const DecodedPacket d = decodePacket(p);
        QVERIFY(d.valid);
        QVERIFY2(d.error.isEmpty(), qPrintable(d.error));
        QVERIFY(d.checksumOk);
        QCOMPARE(d.srcPort, quint16(5000));
        QCOMPARE(d.dstPort, quint16(5001));
        QCOMPARE(d.verificationTag, quint32(0x01020304));
        QCOMPARE(d.summary(),
            QStringLiteral("DATA, I_DATA, SACK, FORWARD_TSN, I_FORWARD_TSN, INIT, INIT_ACK, COOKIE_ECHO, COOKIE_ACK, "
                           "HEARTBEAT, HEARTBEAT_ACK, ABORT, SHUTDOWN, SHUTDOWN_ACK, SHUTDOWN_COMPLETE, ERROR, RE_CONFIG, "
                           "ASCONF, ASCONF_ACK"));
        const auto& c = d.chunks;
        QCOMPARE(c[0].info, QStringLiteral("DATA (TSN=100, SID=1, SSN=2, PPID=51, len=5, BE)"));
        QCOMPARE(c[0].payloadLength, 5);
        QCOMPARE(c[1].info, QStringLiteral("I_DATA (TSN=101, SID=2, MID=77, PPID=51, len=1, UBE)"));
        QVERIFY(c[1].unordered());
        QCOMPARE(c[2].info, QStringLiteral("SACK (Ack=99, Arwnd=65536, gaps 101-102, dup 97)"));
        QCOMPARE(c[2].gapBlocks.size(), 1);
        QCOMPARE(c[2].duplicateTsns, QList<quint32> { 97 });
        QCOMPARE(c[3].info, QStringLiteral("FORWARD_TSN (NewCumTSN=120, skipped 0:7)"));
        QCOMPARE(c[3].cumTsn, quint32(120));
        QCOMPARE(c[4].info, QStringLiteral("I_FORWARD_TSN (NewCumTSN=121, skipped 3:9U)"));
        QVERIFY(c[4].skipped[0].unordered);
        QCOMPARE(c[5].info, QStringLiteral("INIT (Tag=0xdeadbeef, Arwnd=131072, OS=10, MIS=2048, TSN=1000, PR-SCTP)"));
        QVERIFY(c[5].prSupported);
        QVERIFY(!c[5].idataSupported);
        QVERIFY(c[6].prSupported);
        QVERIFY(c[6].idataSupported);
        QCOMPARE(c[7].info, QStringLiteral("COOKIE_ECHO (len=20)"));
        QCOMPARE(c[11].info, QStringLiteral("ABORT (T, User-initiated abort)"));
        QCOMPARE(c[12].info, QStringLiteral("SHUTDOWN (Ack=130)"));
        QCOMPARE(c[15].info, QStringLiteral("ERROR (Invalid stream identifier)"));
        QCOMPARE(c[16].info, QStringLiteral("RE_CONFIG (Outgoing SSN reset)"));
        QCOMPARE(c[17].info, QStringLiteral("ASCONF (Serial=17)"));
        for (const DecodedChunk& x : c)
            QVERIFY(!x.truncated);
    }

    void bulkChunkDescriptions()
    {
        // The descriptions the tap writes for every chunk of a bulk transfer: a DATA chunk
        // without flags (a middle fragment), an I-DATA middle fragment (FSN, not PPID), a SACK
        // without gaps or duplicates, an NR-SACK, and the largest numbers.
        Builder data;
        data.u32(0xffffffffu);
        data.u16(65535);
        data.u16(65535);
        data.u32(0xffffffffu);
        data.b += "abc";
        Builder idata;
        idata.u32(7);
        idata.u16(3);
        idata.u16(0);
        idata.u32(9);
        idata.u32(4); // FSN
        idata.b += "z";
        Builder sack;
        sack.u32(1234567890);
        sack.u32(0);
        sack.u16(0);
        sack.u16(0);
        Builder nrsack;
        nrsack.u32(5);
        nrsack.u32(1000);
        nrsack.u16(0);
        nrsack.u16(0);
        nrsack.u16(0);
        nrsack.u16(0);
        const DecodedPacket d = decodePacket(packet({ mkChunk(0x00, 0x00, data.b), mkChunk(0x40, 0x00, idata.b),
            mkChunk(0x03, 0, sack.b), mkChunk(0x10, 0, nrsack.b) }));
        QVERIFY2(d.valid && d.error.isEmpty(), qPrintable(d.error));
        QCOMPARE(d.chunks.size(), 4);
        QCOMPARE(d.chunks[0].info,
            QStringLiteral("DATA (TSN=4294967295, SID=65535, SSN=65535, PPID=4294967295, len=3, -)"));
        QCOMPARE(d.chunks[1].info, QStringLiteral("I_DATA (TSN=7, SID=3, MID=9, FSN=4, len=1, -)"));
        QCOMPARE(d.chunks[2].info, QStringLiteral("SACK (Ack=1234567890, Arwnd=0)"));
        QCOMPARE(d.chunks[3].info, QStringLiteral("NR_SACK (Ack=5, Arwnd=1000)"));
    }

    void checksumDetectsCorruption()
    {
        QByteArray p = packet({ mkChunk(0x00, 0x03, dataBody(1, 0, 0, 0, "abc")) });
        QVERIFY(decodePacket(p).checksumOk);
        p[20] = char(p[20] ^ 0x40);
        QVERIFY(!decodePacket(p).checksumOk);
        // RFC 3720 test vector for CRC32c: 32 bytes of zeros (checksum field excluded, so use 8+4+20).
        QByteArray zeros(32, '\0');
        QCOMPARE(sctpChecksum(zeros), quint32(0x8a9136aa));
    }

    void rejectsShortPackets()
    {
        QVERIFY(!decodePacket(QByteArray()).valid);
        QVERIFY(!decodePacket(QByteArray(11, 'x')).valid);
        const DecodedPacket d = decodePacket(QByteArray(12, '\0'));
        QVERIFY(d.valid);
        QVERIFY(d.chunks.isEmpty());
    }

    void lyingLengthsAreCaught()
    {
        // A DATA chunk that claims 200 bytes in a 40-byte packet.
        QByteArray p = packet({ mkChunk(0x00, 0x03, dataBody(1, 0, 0, 0, "abcdefghijkl")) });
        p[14] = char(0);
        p[15] = char(200);
        DecodedPacket d = decodePacket(p);
        QCOMPARE(d.chunks.size(), 1);
        QVERIFY(d.chunks[0].truncated);
        QVERIFY(!d.error.isEmpty());
        // A chunk length below 4 stops the walk instead of looping forever.
        QByteArray q = packet({ mkChunk(0x0b, 0, {}) });
        q[15] = char(2);
        d = decodePacket(q);
        QVERIFY(d.chunks[0].truncated);
        QVERIFY(d.error.contains(QStringLiteral("declares length 2")));
        // A SACK announcing 1000 gap blocks and 1000 duplicates it does not carry.
        Builder sack;
        sack.u32(5);
        sack.u32(100);
        sack.u16(1000);
        sack.u16(1000);
        d = decodePacket(packet({ mkChunk(0x03, 0, sack.b) }));
        QVERIFY(d.chunks[0].truncated);
        QVERIFY(d.chunks[0].gapBlocks.isEmpty());
        // An INIT parameter longer than the chunk.
        Builder init;
        init.u32(1);
        init.u32(1);
        init.u16(1);
        init.u16(1);
        init.u32(1);
        init.u16(0x8008);
        init.u16(400);
        d = decodePacket(packet({ mkChunk(0x01, 0, init.b) }));
        QVERIFY(d.chunks[0].truncated);
    }

    void everyTruncationIsSafe()
    {
        const QByteArray full = packet(everyChunk());
        int flagged = 0;
        for (int n = 0; n < full.size(); ++n) {
            const DecodedPacket d = decodePacket(full.left(n));
            if (n < 12) {
                QVERIFY(!d.valid);
                continue;
            }
            // Every cut inside a chunk is reported (the decoder never invents a complete chunk).
            if (!d.error.isEmpty())
                ++flagged;
            for (const DecodedChunk& c : d.chunks)
                QVERIFY(c.offset + 4 <= n);
        }
        QVERIFY(flagged > full.size() / 2);
        // Bytes flipped one at a time: no crash, and the walk always ends.
        QByteArray mutated = full;
        for (int i = 12; i < mutated.size(); ++i) {
            mutated[i] = char(~mutated[i]);
            (void)decodePacket(mutated);
            mutated[i] = full[i];
        }
    }
};

QTEST_GUILESS_MAIN(TestSctpDecoder)
#include "tst_sctp_decoder.moc"
