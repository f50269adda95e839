// SPDX-License-Identifier: GPL-3.0-or-later
// The capture path's own storage: the flat tables (flatmap.h) and the shared payload blocks
// (payloadarena.h) that the packet decoder and the reconstruction's trackers keep their state in.
#include "capture/flatmap.h"
#include "capture/payloadarena.h"

#include <QtTest>

#include <map>
#include <random>

using namespace ladder::trace;

class TstCaptureTables : public QObject {
    Q_OBJECT
private slots:
    // Every key inserted is found with its value, through growth past the 2 MiB where the slots
    // come from a huge-page mapping; keys never inserted are not found.
    void flatMapAgreesWithStdMap()
    {
        FlatMap<quint64, quint64, U64Hash> flat;
        std::map<quint64, quint64> ref;
        std::mt19937_64 rng(7);
        for (int i = 0; i < 200000; ++i) {
            const quint64 k = rng() % 150000; // repeats included
            bool inserted = false;
            quint64& v = flat.findOrInsert(k, &inserted);
            QCOMPARE(inserted, ref.find(k) == ref.end());
            v += quint64(i);
            ref[k] += quint64(i);
        }
        QCOMPARE(flat.size(), qsizetype(ref.size()));
        for (const auto& [k, v] : ref) {
            const quint64* got = flat.find(k);
            QVERIFY(got);
            QCOMPARE(*got, v);
        }
        QVERIFY(!flat.find(150001));
        qsizetype seen = 0;
        flat.forEach([&](quint64 k, quint64 v) {
            ++seen;
            QCOMPARE(ref.at(k), v);
        });
        QCOMPARE(seen, qsizetype(ref.size()));
        flat.clear();
        QVERIFY(!flat.find(1));
        QCOMPARE(flat.size(), 0);
    }

    // Keys that differ only past a common prefix, or only in length, or are empty, stay apart;
    // values that own memory (QString) survive the table's growth.
    void byteKeyMapKeepsKeysApart()
    {
        ByteKeyMap<QString> map;
        QList<QByteArray> keys { QByteArray(), "a", "ab", "abc", QByteArray("a\0b", 3), QByteArray("a\0c", 3) };
        for (int i = 0; i < 50000; ++i)
            keys.append("z9hG4bK-" + QByteArray::number(i) + " INVITE");
        for (const QByteArray& k : keys) {
            bool inserted = false;
            map.findOrInsert(k, &inserted) = QString::fromLatin1(k);
            QVERIFY(inserted);
        }
        QCOMPARE(map.size(), qsizetype(keys.size()));
        for (const QByteArray& k : keys) {
            const QString* v = map.find(k);
            QVERIFY2(v, k.constData());
            QCOMPARE(*v, QString::fromLatin1(k));
        }
        QVERIFY(!map.find("abcd"));
        QVERIFY(!map.find(QByteArray("a\0d", 3)));
        QVERIFY(!map.find("z9hG4bK-50000 INVITE"));
        bool inserted = true;
        map.findOrInsert("ab", &inserted);
        QVERIFY(!inserted);
    }

    // Objects keep their addresses and values as the pool grows past its small first chunk into
    // huge-page chunks; clear() destroys every one (the strings' memory is let go).
    void poolKeepsObjectsInPlace()
    {
        Pool<QString> pool;
        std::vector<const QString*> where;
        for (int i = 0; i < 100000; ++i) {
            where.push_back(&pool.emplace_back(QString::number(i)));
            QCOMPARE(&pool.back(), where.back());
        }
        QCOMPARE(pool.size(), std::size_t(100000));
        for (std::size_t i = 0; i < pool.size(); ++i) {
            QCOMPARE(&pool[i], where[i]);
            QCOMPARE(pool[i], QString::number(qulonglong(i)));
        }
        const QString shared = pool[5];
        QVERIFY(!shared.isDetached());
        pool.clear();
        QVERIFY(pool.empty());
        QVERIFY(shared.isDetached()); // the pool's copy was destroyed
        QCOMPARE(pool.emplace_back(QStringLiteral("again")), QStringLiteral("again"));
    }

    // Copies are the bytes given, NUL-terminated, independent of each other and of the arena:
    // they outlive it, and a copy changed or grown (alone on its block, or not) leaves the
    // others as they were.
    void payloadCopiesAreIndependent()
    {
        QList<QByteArray> copies, expect;
        {
            PayloadArena arena;
            for (int i = 0; i < 30000; ++i) { // several blocks
                QByteArray b = "INVITE sip:" + QByteArray::number(i) + " SIP/2.0\r\n" + QByteArray(i % 700, char('a' + i % 26));
                copies.append(arena.copy(b.constData(), b.size()));
                expect.append(b);
            }
            const QByteArray big(PayloadArena::kMaxShared + 1, 'x');
            copies.append(arena.copy(big.constData(), big.size()));
            expect.append(big);
            copies.append(arena.copy(nullptr, 0));
            expect.append(QByteArray());
        }
        for (qsizetype i = 0; i < copies.size(); ++i) {
            QCOMPARE(copies[i], expect[i]);
            QCOMPARE(copies[i].constData()[copies[i].size()], '\0');
        }
        // Change one in the middle of a block, grow its neighbour: the rest stay.
        copies[100][0] = 'X';
        copies[101].append(QByteArray(5000, 'y'));
        copies[102].prepend("pre");
        for (qsizetype i = 0; i < copies.size(); ++i) {
            if (i < 100 || i > 102)
                QCOMPARE(copies[i], expect[i]);
        }
        QCOMPARE(copies[100].mid(1), expect[100].mid(1));
        QCOMPARE(copies[101], expect[101] + QByteArray(5000, 'y'));
        QCOMPARE(copies[102], "pre" + expect[102]);
        // Every other copy of a block let go, the last one alone grows in place over the freed
        // bytes after it and stays itself.
        QByteArray last = copies[10];
        const QByteArray lastExpect = expect[10];
        copies.clear();
        last.append(QByteArray(100000, 'q'));
        QCOMPARE(last, lastExpect + QByteArray(100000, 'q'));
    }
};

QTEST_GUILESS_MAIN(TstCaptureTables)
#include "tst_capture_tables.moc"
