// SPDX-License-Identifier: GPL-3.0-or-later
// trace::codec: the binary event form read back field for field; the dir byte's flag bits are
// accepted only where the store says it uses them; malformed input is refused, never overrun.
#include "journal/eventcodec.h"

#include <QTest>

using namespace ladder::trace;

namespace {
Event sample()
{
    Event e;
    e.timeNs = -1234567890123;
    e.kind = Kind::SctpChunk;
    e.dir = Dir::Rx;
    e.object = 7;
    e.a = 0;
    e.b = 0xffffffffffffffffull;
    e.c = 300;
    e.text = QStringLiteral("DATA (TSN=1, SID=0, SSN=0, PPID=0, len=1, BE) → é");
    e.raw = QByteArray("\x00\x01\x02", 3);
    return e;
}
}

class TestEventCodec : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        std::vector<char> bytes;
        codec::encode(bytes, sample(), 3, 0xffffffffu);
        codec::Cursor c { reinterpret_cast<const uchar*>(bytes.data()), reinterpret_cast<const uchar*>(bytes.data() + bytes.size()) };
        Event e;
        quint32 from = 0, to = 0;
        QVERIFY(codec::decode(c, &e, &from, &to));
        QVERIFY(c.atEnd());
        const Event s = sample();
        QCOMPARE(e.timeNs, s.timeNs);
        QCOMPARE(e.kind, s.kind);
        QCOMPARE(e.dir, s.dir);
        QCOMPARE(e.object, s.object);
        QCOMPARE(e.a, s.a);
        QCOMPARE(e.b, s.b);
        QCOMPARE(e.c, s.c);
        QCOMPARE(e.text, s.text);
        QCOMPARE(e.raw, s.raw);
        QCOMPARE(from, 3u);
        QCOMPARE(to, 0xffffffffu);
    }

    void flagBitsOnlyWhereTheStoreUsesThem()
    {
        std::vector<char> bytes;
        codec::encode(bytes, sample(), 1, 2);
        bytes[1] = char(uchar(bytes[1]) | 0x40); // a flag bit in the dir byte
        auto cursor = [&] {
            return codec::Cursor { reinterpret_cast<const uchar*>(bytes.data()),
                reinterpret_cast<const uchar*>(bytes.data() + bytes.size()) };
        };
        Event e;
        quint32 from = 0, to = 0;
        codec::Cursor plain = cursor();
        QVERIFY(!codec::decode(plain, &e, &from, &to)); // a session file has no flag bits
        QVERIFY(!plain.ok);
        codec::Cursor flagged = cursor();
        uchar flags = 0;
        QVERIFY(codec::decodeHeader(flagged, &e, &from, &to, 0xc0, &flags));
        QCOMPARE(flags, uchar(0x40));
        QCOMPARE(e.dir, Dir::Rx);
        QCOMPARE(e.c, quint64(300));
        QCOMPARE(from, 1u);
        QCOMPARE(to, 2u);
    }

    void truncatedOrOversizedFieldsAreRefused()
    {
        std::vector<char> bytes;
        codec::encode(bytes, sample(), 1, 2);
        for (std::size_t n = 0; n < bytes.size(); ++n) { // every truncation
            codec::Cursor c { reinterpret_cast<const uchar*>(bytes.data()), reinterpret_cast<const uchar*>(bytes.data() + n) };
            Event e;
            quint32 from = 0, to = 0;
            QVERIFY2(!codec::decode(c, &e, &from, &to), qPrintable(QString::number(n)));
        }
        // A string id beyond 32 bits.
        std::vector<char> wide;
        wide.push_back(char(Kind::Log));
        wide.push_back(char(Dir::None));
        for (int i = 0; i < 5; ++i)
            codec::putVarint(wide, 0);
        codec::putVarint(wide, 0x100000000ull);
        codec::putVarint(wide, 0);
        codec::putVarint(wide, 0);
        codec::putVarint(wide, 0);
        codec::Cursor c { reinterpret_cast<const uchar*>(wide.data()), reinterpret_cast<const uchar*>(wide.data() + wide.size()) };
        Event e;
        quint32 from = 0, to = 0;
        QVERIFY(!codec::decode(c, &e, &from, &to));
        // A dir beyond Rx.
        std::vector<char> badDir;
        codec::encode(badDir, sample(), 1, 2);
        badDir[1] = 3;
        codec::Cursor d { reinterpret_cast<const uchar*>(badDir.data()), reinterpret_cast<const uchar*>(badDir.data() + badDir.size()) };
        QVERIFY(!codec::decode(d, &e, &from, &to));
    }
};

QTEST_GUILESS_MAIN(TestEventCodec)
#include "tst_eventcodec.moc"
