// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal/journal.h"

#include <QFile>
#include <QTest>
#include <QThread>

#include <atomic>
#include <limits>
#include <map>

using namespace ladder::trace;

namespace {

Event numbered(quint64 i, int rawBytes = 0)
{
    Event e;
    e.timeNs = qint64(i) * 1000;
    e.kind = i % 3 == 0 ? Kind::SipMessage : Kind::SctpChunk;
    e.dir = i % 2 ? Dir::Rx : Dir::Tx;
    e.a = i;
    e.c = i * 7;
    e.from = QStringLiteral("peer%1 10.0.0.%1:5060").arg(i % 5);
    e.text = QString::number(i);
    if (rawBytes)
        e.raw = QByteArray(rawBytes, char('a' + i % 26));
    return e;
}

// Same content as numbered(i); the sequence number may differ once the journal added notices.
bool sameContent(const Event& e, quint64 i, int rawBytes)
{
    const Event w = numbered(i, rawBytes);
    return e.timeNs == w.timeNs && e.kind == w.kind && e.dir == w.dir && e.a == i && e.c == w.c
        && e.from == w.from && e.text == w.text && e.raw == w.raw;
}

bool matches(const Event& e, quint64 i, int rawBytes = 0)
{
    return e.seq == i && sameContent(e, i, rawBytes);
}

// The event holding numbered(i), wherever notices pushed it.
Event findNumbered(const Journal& j, quint64 i)
{
    Event out;
    j.forEach(i, j.count(), [&](const Event& e) {
        if (out.text.isEmpty() && (e.kind == Kind::SipMessage || e.kind == Kind::SctpChunk) && e.a == i)
            out = e;
    });
    return out;
}

JournalLimits small(std::size_t memory, bool spill = true)
{
    JournalLimits l;
    l.memoryBytes = memory;
    l.segmentBytes = 8 * 1024;
    l.spill = spill;
    return l;
}

QList<Event> ofKind(const Journal& j, Kind k)
{
    QList<Event> out;
    j.forEach(0, j.count(), [&](const Event& e) {
        if (e.kind == k)
            out.append(e);
    });
    return out;
}

// Implied events in these tests: a LinkDuplicate event stands for raw.size() Log events.
void expandTestParent(const Event& parent, quint32 count, std::vector<Event>& out)
{
    QCOMPARE_LE(qsizetype(count), qsizetype(parent.raw.size()) + 1); // (one test announces more than it has)
    for (qsizetype i = 0; i < parent.raw.size(); ++i) {
        Event& e = out.emplace_back();
        e.timeNs = parent.timeNs;
        e.kind = Kind::Log;
        e.dir = parent.dir;
        e.a = parent.a * 1000 + quint64(i);
        e.from = parent.from;
        e.text = QStringLiteral("child %1 of %2").arg(i).arg(parent.a);
    }
}

Event parentOf(quint64 a, int children, int pad = 0)
{
    Event e;
    e.timeNs = qint64(a) * 10;
    e.kind = Kind::LinkDuplicate;
    e.dir = Dir::Tx;
    e.a = a;
    e.from = QStringLiteral("10.0.0.1:9899");
    e.text = QString(pad, QLatin1Char('p'));
    e.raw = QByteArray(children, 'c');
    return e;
}

bool isChild(const Event& e, quint64 seq, quint64 parent, int index)
{
    return e.seq == seq && e.kind == Kind::Log && e.a == parent * 1000 + quint64(index) && e.timeNs == qint64(parent) * 10
        && e.from == QStringLiteral("10.0.0.1:9899") && e.text == QStringLiteral("child %1 of %2").arg(index).arg(parent);
}

} // namespace

class TestJournal : public QObject {
    Q_OBJECT
private slots:
    void appendAndReadBack()
    {
        Journal j;
        Event e;
        e.timeNs = 42;
        e.kind = Kind::SipMessage;
        e.dir = Dir::Tx;
        e.object = 7;
        e.a = 1;
        e.b = 2;
        e.c = 3;
        e.from = QStringLiteral("uac 10.0.0.1:5060");
        e.to = QStringLiteral("uas 10.0.0.2:5060");
        e.text = QStringLiteral("INVITE sip:bob@example.com SIP/2.0");
        e.raw = QByteArray("INVITE sip:bob@example.com SIP/2.0\r\n\r\n\0tail", 44);
        QCOMPARE(j.append(e), quint64(0));
        QCOMPARE(j.append(e), quint64(1));
        QCOMPARE(j.count(), quint64(2));
        const Event r = j.at(1);
        QCOMPARE(r.seq, quint64(1));
        QCOMPARE(r.timeNs, qint64(42));
        QCOMPARE(r.kind, Kind::SipMessage);
        QCOMPARE(r.dir, Dir::Tx);
        QCOMPARE(r.object, quint64(7));
        QCOMPARE(r.c, quint64(3));
        QCOMPARE(r.from, e.from);
        QCOMPARE(r.to, e.to);
        QCOMPARE(r.text, e.text);
        QCOMPARE(r.raw, e.raw); // NULs survive
        QCOMPARE(j.range(1, 100).size(), 1);
        QCOMPARE(j.at(5).seq, quint64(0));
        QCOMPARE(j.range(1, ~quint64(0)).size(), 1); // no overflow in first + n
        QCOMPARE(j.range(~quint64(0), 10).size(), 0);
    }

    void extremeValuesSurvive()
    {
        Journal j;
        Event e;
        e.timeNs = std::numeric_limits<qint64>::min();
        e.object = ~quint64(0);
        e.a = quint64(1) << 63;
        e.kind = Kind::Log;
        j.append(e);
        e.timeNs = std::numeric_limits<qint64>::max();
        j.append(e);
        QCOMPARE(j.at(0).timeNs, std::numeric_limits<qint64>::min());
        QCOMPARE(j.at(1).timeNs, std::numeric_limits<qint64>::max());
        QCOMPARE(j.at(1).object, ~quint64(0));
        QCOMPARE(j.at(1).a, quint64(1) << 63);
    }

    void clearStartsOver()
    {
        Journal j;
        j.append({});
        const qint64 epoch = j.epochNs();
        QVERIFY(epoch > 1600000000LL * 1000000000);
        j.setEpochNs(5);
        QCOMPARE(j.epochNs(), qint64(5));
        j.clear();
        QCOMPARE(j.count(), quint64(0));
        QVERIFY(j.epochNs() >= epoch);
        QCOMPARE(j.append({}), quint64(0));
    }

    void orderAcrossManySegments()
    {
        Journal j;
        j.setLimits(small(std::size_t(1) << 30));
        for (quint64 i = 0; i < 50000; ++i)
            QCOMPARE(j.append(numbered(i, int(i % 300))), i);
        quint64 next = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            QVERIFY(matches(e, next, int(next % 300)));
            ++next;
        });
        QCOMPARE(next, quint64(50000));
        QVERIFY(matches(j.at(31337), 31337, 31337 % 300));
        // An event bigger than a segment gets a segment of its own.
        Event big = numbered(50000, 100000);
        j.append(big);
        QVERIFY(matches(j.at(50000), 50000, 100000));
    }

    void concurrentReaderSeesConsistentPrefix()
    {
        Journal j;
        constexpr int total = 200000;
        QThread* writer = QThread::create([&j] {
            for (int i = 0; i < total; ++i) {
                Event e;
                e.timeNs = i;
                e.a = quint64(i);
                e.text = QString::number(i);
                j.append(std::move(e));
            }
        });
        writer->start();
        quint64 checked = 0;
        while (checked < total) {
            const quint64 n = j.count();
            j.forEach(checked, n - checked, [&](const Event& e) {
                QCOMPARE(e.seq, checked);
                QCOMPARE(e.a, checked);
                QCOMPARE(e.text, QString::number(checked));
                ++checked;
            });
        }
        writer->wait();
        delete writer;
        QCOMPARE(j.count(), quint64(total));
    }

    void writerAndReadersWhileSpilling()
    {
        // One writer, three readers reading random ranges while old segments move to disk.
        Journal j;
        j.setLimits(small(64 * 1024));
        constexpr quint64 total = 60000;
        std::atomic<bool> done { false };
        std::atomic<int> bad { 0 };
        std::atomic<quint64> seen { 0 };
        QThread* writer = QThread::create([&] {
            for (quint64 i = 0; i < total; ++i)
                j.append(numbered(i, 64));
            done = true;
        });
        QList<QThread*> readers;
        for (int r = 0; r < 3; ++r) {
            readers.append(QThread::create([&, r] {
                quint64 state = quint64(r) + 1;
                while (!done) {
                    const quint64 c = j.count();
                    if (c == 0)
                        continue;
                    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                    const quint64 first = (state >> 20) % c;
                    quint64 expect = first;
                    j.forEach(first, 500, [&](const Event& e) {
                        if (e.seq != expect++)
                            ++bad;
                        // Notices from the journal itself are the only non-numbered events.
                        if (e.kind == Kind::Log || e.kind == Kind::Error)
                            return;
                        if (!sameContent(e, e.a, 64) || e.a > e.seq)
                            ++bad;
                        ++seen;
                    });
                }
            }));
        }
        writer->start();
        for (QThread* t : std::as_const(readers))
            t->start();
        QVERIFY(writer->wait(60000));
        for (QThread* t : std::as_const(readers)) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        delete writer;
        QCOMPARE(bad.load(), 0);
        QVERIFY(seen.load() > 0);
        const JournalStatus st = j.status();
        QVERIFY(st.spilledEvents > 0);
        QCOMPARE(st.discarded, quint64(0));
        // Everything is still there, in order, after the spill.
        quint64 n = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            if (e.kind == Kind::SipMessage || e.kind == Kind::SctpChunk) {
                if (!sameContent(e, n, 64))
                    ++bad;
                ++n;
            }
        });
        QCOMPARE(n, total);
        QCOMPARE(bad.load(), 0);
    }

    void spillKeepsMemoryBoundedAndReadsBack()
    {
        Journal j;
        j.setLimits(small(128 * 1024));
        constexpr quint64 total = 20000;
        for (quint64 i = 0; i < total; ++i)
            j.append(numbered(i, 200));
        const JournalStatus st = j.status();
        QVERIFY(st.spilledEvents > total / 2);
        QVERIFY(st.spillFileBytes > 2 * 1024 * 1024);
        QVERIFY(QFile::exists(st.spillPath));
        QCOMPARE(st.discarded, quint64(0));
        QCOMPARE(st.firstAvailable, quint64(0));
        // Memory holds the limit, one open segment, the read-back cache and a 4-byte index per event.
        QVERIFY2(j.memoryBytes() < 128 * 1024 + 8 * 8 * 1024 + 8 * 1024 + total * 4 + 64 * 1024,
            qPrintable(QString::number(j.memoryBytes())));
        // The user is told, once.
        const QList<Event> notes = ofKind(j, Kind::Log);
        QCOMPARE(notes.size(), 1);
        QVERIFY(notes.first().text.contains(st.spillPath));
        QCOMPARE(notes.first().a, quint64(2));
        // Random access into spilled segments.
        for (quint64 i : { quint64(0), quint64(1), quint64(7777), quint64(15000), total - 1 })
            QVERIFY(sameContent(findNumbered(j, i), i, 200));
        QVERIFY(matches(j.at(1), 1, 200));
        const QString path = st.spillPath;
        j.clear();
        QVERIFY(!QFile::exists(path));
        QCOMPARE(j.status().spilledEvents, quint64(0));
    }

    void clearedSegmentsAreReusedWithinBounds()
    {
        Journal j;
        JournalLimits l = small(1 << 20, false);
        j.setLimits(l);
        constexpr quint64 total = 2000; // 200 raw bytes each: some fifty 8 KiB segments
        auto fill = [&](quint64 offset) {
            for (quint64 i = 0; i < total; ++i)
                j.append(numbered(offset + i, 200));
        };
        fill(0);
        const std::size_t full = j.memoryBytes();
        QVERIFY(full > 40 * 8 * 1024);
        j.clear();
        // The segments' memory is kept for the next session, and counted.
        const std::size_t spare = j.memoryBytes();
        QVERIFY2(spare > 40 * 8 * 1024 && spare <= full, qPrintable(QStringLiteral("%1 of %2").arg(spare).arg(full)));
        // The next session writes into it (memory does not grow by another session's worth), and
        // reads back its own events, never the bytes left behind by the last.
        fill(7);
        QVERIFY2(j.memoryBytes() < full + 16 * 1024, qPrintable(QStringLiteral("%1 after %2").arg(j.memoryBytes()).arg(full)));
        QCOMPARE(j.count(), total);
        quint64 i = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            QCOMPARE(e.seq, i);
            QVERIFY(sameContent(e, 7 + i, 200));
            ++i;
        });
        QCOMPARE(i, total);
        // No more is kept than the memory limit allows (8 KiB: the string table and the like).
        l.memoryBytes = 64 * 1024;
        j.setLimits(l); // also drops what was kept for the old limits
        j.clear();
        QVERIFY2(j.memoryBytes() <= 64 * 1024 + 8 * 1024, qPrintable(QString::number(j.memoryBytes())));
        fill(0);
        j.clear();
        QVERIFY2(j.memoryBytes() <= 64 * 1024 + 8 * 1024, qPrintable(QString::number(j.memoryBytes())));
    }

    void withoutSpillTheOldestAreDiscardedAndTold()
    {
        Journal j;
        j.setLimits(small(64 * 1024, false));
        constexpr quint64 total = 20000;
        for (quint64 i = 0; i < total; ++i)
            j.append(numbered(i, 100));
        const JournalStatus st = j.status();
        QVERIFY(st.discarded > 0);
        QCOMPARE(st.firstAvailable, st.discarded); // a ring: everything before is gone
        QVERIFY(!j.available(0));
        QVERIFY(j.available(j.count() - 1));
        QCOMPARE(j.at(0).text, QString()); // discarded: a default event
        QVERIFY2(j.memoryBytes() < 64 * 1024 + 2 * 8 * 1024 + j.count() * 4 + 64 * 1024,
            qPrintable(QString::number(j.memoryBytes())));
        // Discarded events are never silent: Error events say which.
        const QList<Event> errors = ofKind(j, Kind::Error);
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.last().text.contains(QLatin1String("discarded")), qPrintable(errors.last().text));
        QVERIFY(errors.last().text.contains(QLatin1String("spilling to disk is off")));
        // Readers see the kept events, in order, without holes.
        quint64 kept = 0, prev = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            QVERIFY(kept == 0 || e.seq == prev + 1);
            prev = e.seq;
            ++kept;
        });
        QCOMPARE(kept, j.count() - st.discarded);
    }

    void spillFailureFallsBackToDiscarding()
    {
        Journal j;
        JournalLimits l = small(32 * 1024);
        l.spillDirectory = QStringLiteral("/proc/ladderlab-no-such-dir");
        j.setLimits(l);
        for (quint64 i = 0; i < 5000; ++i)
            j.append(numbered(i, 100));
        const JournalStatus st = j.status();
        QVERIFY(st.discarded > 0);
        QVERIFY(!st.lastError.isEmpty());
        const QList<Event> errors = ofKind(j, Kind::Error);
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.first().text.contains(QLatin1String("spill")), qPrintable(errors.first().text));
    }

    void diskLimitDiscardsBeyondIt()
    {
        Journal j;
        JournalLimits l = small(32 * 1024);
        l.diskBytes = 100 * 1024;
        j.setLimits(l);
        for (quint64 i = 0; i < 10000; ++i)
            j.append(numbered(i, 100));
        const JournalStatus st = j.status();
        QVERIFY(st.spilledEvents > 0);
        QVERIFY(st.spillFileBytes <= l.diskBytes);
        QVERIFY(st.discarded > 0);
        // Spilled events stay readable; the discarded ones are a reported gap after them.
        QVERIFY(matches(j.at(0), 0, 100));
        QVERIFY(sameContent(findNumbered(j, 9999), 9999, 100));
        QVERIFY(!ofKind(j, Kind::Error).isEmpty());
    }
    void impliedEventsAreNumberedAndDerivedWhenRead()
    {
        Journal::setExpander(Kind::LinkDuplicate, &expandTestParent);
        Journal j;
        j.append(numbered(0));
        QCOMPARE(j.append(parentOf(7, 3), 3), quint64(1));
        QCOMPARE(j.count(), quint64(5));
        QCOMPARE(j.append(numbered(5)), quint64(5));
        const QVector<Event> all = j.range(0, j.count());
        QCOMPARE(all.size(), 6);
        QVERIFY(matches(all[0], 0));
        QCOMPARE(all[1].kind, Kind::LinkDuplicate);
        QCOMPARE(all[1].seq, quint64(1));
        QCOMPARE(all[1].raw, QByteArray("ccc"));
        for (int i = 0; i < 3; ++i)
            QVERIFY(isChild(all[2 + i], quint64(2 + i), 7, i));
        QVERIFY(matches(all[5], 5));
        // Random access lands in the middle of a parent's events.
        QVERIFY(isChild(j.at(3), 3, 7, 1));
        const QVector<Event> tail = j.range(4, 10);
        QCOMPARE(tail.size(), 2);
        QVERIFY(isChild(tail[0], 4, 7, 2));
        QVERIFY(matches(tail[1], 5));
        // A parent implying nothing is an ordinary event.
        j.append(parentOf(8, 2), 0);
        QCOMPARE(j.count(), quint64(7));
        QCOMPARE(j.at(6).kind, Kind::LinkDuplicate);
    }

    void impliedEventsAcrossReadBatchesAndSpilledSegments()
    {
        Journal::setExpander(Kind::LinkDuplicate, &expandTestParent);
        Journal j;
        j.setLimits(small(64 * 1024));
        // Parents with 0..700 implied events (a read batch is 256), padded so that segments fill
        // and spill; the first parent implies more than a batch.
        std::vector<std::pair<quint64, int>> parents; // seq, children
        quint64 expected = 0;
        for (quint64 p = 1; p <= 400; ++p) {
            const int children = p == 1 ? 700 : int(p * 37 % 23);
            const quint64 seq = j.append(parentOf(p, children, 300), quint32(children));
            parents.emplace_back(seq, children);
            expected = seq + 1 + quint64(children);
        }
        QVERIFY(j.status().spilledEvents > 0);
        QCOMPARE(j.status().discarded, quint64(0));
        std::map<quint64, std::pair<quint64, int>> childOf; // seq -> parent, index
        for (std::size_t i = 0; i < parents.size(); ++i)
            for (int c = 0; c < parents[i].second; ++c)
                childOf[parents[i].first + 1 + quint64(c)] = { i + 1, c };
        quint64 seen = 0, children = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            ++seen;
            if (auto it = childOf.find(e.seq); it != childOf.end()) {
                QVERIFY(isChild(e, e.seq, it->second.first, it->second.second));
                ++children;
            }
        });
        QVERIFY(j.count() >= expected); // plus the journal's notice that it spilled
        QCOMPARE(seen, j.count());
        QCOMPARE(children, quint64(childOf.size()));
        // Single reads, including ones whose parent is in a spilled segment.
        for (quint64 seq : { quint64(2), quint64(300), quint64(700), childOf.rbegin()->first }) {
            const auto& [p, c] = childOf.at(seq);
            QVERIFY2(isChild(j.at(seq), seq, p, c), qPrintable(QString::number(seq)));
        }
    }

    void impliedEventsReachTheAppendHook()
    {
        Journal::setExpander(Kind::LinkDuplicate, &expandTestParent);
        Journal j;
        QList<Event> hooked;
        j.setAppendHook([&](const Event& e) { hooked << e; });
        j.append(parentOf(3, 2), 2);
        QCOMPARE(hooked.size(), 3);
        QCOMPARE(hooked[0].kind, Kind::LinkDuplicate);
        QVERIFY(isChild(hooked[1], 1, 3, 0));
        QVERIFY(isChild(hooked[2], 2, 3, 1));
    }

    // A producer may journal bytes it only lends for the call (QByteArray::fromRawData over a
    // receive buffer): the hook's copy of the event owns them, and the stored copy is whole.
    void borrowedBytesOutliveTheirBuffer()
    {
        Journal j;
        QList<Event> hooked;
        j.setAppendHook([&](const Event& e) { hooked << e; });
        QByteArray buffer(300, 'a');
        Event e;
        e.kind = Kind::SctpPacket;
        e.raw = QByteArray::fromRawData(buffer.constData(), buffer.size());
        j.append(e);
        e.raw = QByteArray();
        buffer.fill('b'); // the next datagram lands in the same buffer
        QCOMPARE(hooked.size(), 1);
        QCOMPARE(hooked[0].raw, QByteArray(300, 'a'));
        QCOMPARE(j.at(0).raw, QByteArray(300, 'a'));
    }

    void impliedEventsWithoutAnExpanderAreExplained()
    {
        Journal j;
        Event p = parentOf(4, 2);
        p.kind = Kind::StreamState; // nobody derives events from these
        j.append(p, 2);
        QCOMPARE(j.count(), quint64(3));
        const Event e = j.at(2);
        QCOMPARE(e.seq, quint64(2));
        QCOMPARE(e.kind, Kind::Log);
        QCOMPARE(e.a, quint64(3));
        QVERIFY(e.text.contains(QStringLiteral("could not be derived")));
        // An expander that yields fewer events than were announced: the missing ones are explained too.
        Journal::setExpander(Kind::LinkDuplicate, &expandTestParent);
        Event short_ = parentOf(5, 1);
        j.append(short_, 2);
        QVERIFY(isChild(j.at(4), 4, 5, 0));
        QVERIFY(j.at(5).text.contains(QStringLiteral("could not be derived")));
    }
    void repeatedEventsKeepEverythingButStoreLess()
    {
        // A bulk sender's UserAction events differ only in their time: each after the first is
        // stored as a reference to it. Interleaved with packets (raw bytes), across segments and
        // through the spill file, every event reads back whole.
        auto action = [](quint64 i) {
            Event e;
            e.timeNs = qint64(i) * 1001;
            e.kind = Kind::UserAction;
            e.object = 3;
            e.a = 1;
            e.b = 51;
            e.c = i < 600 ? 0 : 9; // the run changes once half-way
            // Built at run time, as the stack's texts are (a literal's characters are never shared by reference).
            e.text = QStringLiteral("sctp_sendmsg %1 bytes on stream 1, PPID 51, context 0, no flags").arg(100);
            return e;
        };
        auto packet = [](quint64 i) {
            Event e;
            e.timeNs = qint64(i) * 1001 + 1;
            e.kind = Kind::SctpPacket;
            e.dir = Dir::Tx;
            e.object = 3;
            e.from = QStringLiteral("10.0.0.1:9899");
            e.text = QStringLiteral("5000 → 5001: DATA");
            e.raw = QByteArray(64, char(i));
            return e;
        };
        for (bool spill : { false, true }) {
            Journal repeated, plain;
            if (spill) {
                repeated.setLimits(small(16 * 1024));
                plain.setLimits(small(16 * 1024));
            }
            std::vector<Event> written;
            Event a = action(0); // one reused Event, as Endpoint::send does: the same shared text
            for (quint64 i = 0; i < 1200; ++i) {
                const Event fresh = action(i);
                a.timeNs = fresh.timeNs;
                a.c = fresh.c;
                repeated.append(a);
                written.push_back(a);
                Event unshared = a; // a text of its own each time: stored whole every time
                unshared.text = QString(a.text.constData(), a.text.size());
                plain.append(unshared);
                if (i % 3 == 0) {
                    repeated.append(packet(i));
                    plain.append(packet(i));
                    written.push_back(packet(i));
                }
            }
            for (const Journal* j : { &repeated, &plain }) {
                std::size_t at = 0;
                j->forEach(0, j->count(), [&](const Event& e) {
                    if (e.kind == Kind::Log)
                        return; // the spill notice
                    QVERIFY(at < written.size());
                    const Event& w = written[at++];
                    QVERIFY2(e.timeNs == w.timeNs && e.kind == w.kind && e.dir == w.dir && e.object == w.object
                            && e.a == w.a && e.b == w.b && e.c == w.c && e.from == w.from && e.text == w.text
                            && e.raw == w.raw,
                        qPrintable(QStringLiteral("event %1").arg(at - 1)));
                });
                QCOMPARE(at, written.size());
            }
            if (spill) { // what went to disk is what was stored
                QVERIFY(repeated.status().spilledEvents > 0);
                QVERIFY2(repeated.status().spillFileBytes * 2 < plain.status().spillFileBytes,
                    qPrintable(QStringLiteral("%1 vs %2").arg(repeated.status().spillFileBytes).arg(plain.status().spillFileBytes)));
            }
        }
    }

    void repeatsByTokenReadBackWholeAndOnlyWhileValid()
    {
        Journal j;
        Event send;
        send.kind = Kind::UserAction;
        send.object = 7;
        send.a = 1;
        send.text = QStringLiteral("sctp_sendmsg %1 bytes on stream 1").arg(100); // a heap string: the lane holds it
        send.timeNs = 1000;
        Journal::RepeatToken token;
        QCOMPARE(j.append(send, 0, &token), quint64(0));
        // Repeats by token, with packets (raw bytes) in between: those do not end the run.
        QCOMPARE(j.appendRepeat(token, 2000), quint64(1));
        Event packet = numbered(99, 64);
        QCOMPARE(j.append(packet), quint64(2));
        QCOMPARE(j.appendRepeat(token, 3000), quint64(3));
        // append(e, 0, &token) on a repeat names the original too.
        Journal::RepeatToken again;
        send.timeNs = 4000;
        QCOMPARE(j.append(send, 0, &again), quint64(4));
        QCOMPARE(again.seq, token.seq);
        QCOMPARE(j.count(), quint64(5));
        const QVector<Event> all = j.range(0, 5);
        for (int i : { 0, 1, 3, 4 }) {
            QCOMPARE(all[i].kind, Kind::UserAction);
            QCOMPARE(all[i].object, quint64(7));
            QCOMPARE(all[i].a, quint64(1));
            QCOMPARE(all[i].text, send.text);
            QCOMPARE(all[i].seq, quint64(i));
        }
        QCOMPARE(all[0].timeNs, qint64(1000));
        QCOMPARE(all[1].timeNs, qint64(2000));
        QCOMPARE(all[3].timeNs, qint64(3000));
        QCOMPARE(all[4].timeNs, qint64(4000));
        QVERIFY(sameContent(all[2], 99, 64));
        // Another event without raw bytes stored whole ends it: the producer appends whole again.
        Event other = send;
        other.object = 8;
        j.append(other);
        QCOMPARE(j.appendRepeat(token, 5000), Journal::kNotRepeated);
        QCOMPARE(j.count(), quint64(6));
        // An event with raw bytes gets no token.
        Journal::RepeatToken none;
        j.append(numbered(5, 32), 0, &none);
        QCOMPARE(j.appendRepeat(none, 6000), Journal::kNotRepeated);
        // Nor does a token outlive clear(), though the numbers start again.
        j.clear();
        QCOMPARE(j.append(send, 0, &token), quint64(0));
        const Journal::RepeatToken stale { token.seq, token.generation - 1 };
        QCOMPARE(j.appendRepeat(stale, 7000), Journal::kNotRepeated);
        QCOMPARE(j.appendRepeat(token, 7000), quint64(1));
        // With an append hook every event goes through append (the hook sees each).
        int hooked = 0;
        j.setAppendHook([&](const Event&) { ++hooked; });
        QCOMPARE(j.appendRepeat(token, 8000), Journal::kNotRepeated);
        j.append(send, 0, &token);
        QCOMPARE(hooked, 1);
        QCOMPARE(j.count(), quint64(3));
        QCOMPARE(j.at(1).timeNs, qint64(7000));
    }

    void queuedRepeatsKeepTheirPlaceAndNumbers()
    {
        // Repeats of the last event stored whole are queued (Journal::append's repeat lane) and
        // written out by the next other append or count(): numbers, order and times as appended —
        // past the queue's own limit, across full segments, around another thread's appends, a
        // reader polling all the while, clear() and a hook set in between.
        Journal j;
        j.setLimits(small(64 * 1024 * 1024)); // 8 KiB segments: the queue outgrows many
        Event a;
        a.kind = Kind::UserAction;
        a.object = 7;
        a.a = 2;
        a.text = QStringLiteral("sctp_sendmsg %1 bytes on stream 2, PPID 0, context 0, no flags").arg(100);
        std::atomic<bool> done { false };
        std::atomic<quint64> readerLast { 0 };
        std::atomic<bool> readerSawDecrease { false };
        QThread* reader = QThread::create([&] {
            quint64 last = 0;
            while (!done.load()) {
                const quint64 c = j.count();
                if (c < last)
                    readerSawDecrease = true;
                last = c;
                if (c > 0)
                    j.at(c - 1); // decodes whatever was written out last
            }
            readerLast = last;
        });
        reader->start();
        constexpr quint64 kRun = 10000; // more than the lane queues before writing out by itself
        for (quint64 i = 0; i < kRun; ++i) {
            a.timeNs = qint64(i) * 977;
            QCOMPARE(j.append(a), i);
        }
        Event other; // from another thread, after the run: it comes after every repeat
        other.kind = Kind::Log;
        other.text = QStringLiteral("from elsewhere");
        quint64 otherSeq = 0;
        QThread* writer = QThread::create([&] { otherSeq = j.append(other); });
        writer->start();
        writer->wait();
        delete writer;
        QCOMPARE(otherSeq, kRun);
        a.timeNs = qint64(kRun) * 977;
        QCOMPARE(j.append(a), kRun + 1); // a repeat again (of the same original: the Log had no text of ours)
        done = true;
        reader->wait();
        delete reader;
        QVERIFY(!readerSawDecrease.load());
        QCOMPARE(j.count(), kRun + 2);
        quint64 at = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            QCOMPARE(e.seq, at);
            if (at == kRun) {
                QCOMPARE(e.kind, Kind::Log);
                QCOMPARE(e.text, other.text);
            } else {
                const quint64 i = at < kRun ? at : kRun;
                QCOMPARE(e.timeNs, qint64(i) * 977);
                QCOMPARE(e.kind, Kind::UserAction);
                QCOMPARE(e.object, quint64(7));
                QCOMPARE(e.a, quint64(2));
                QCOMPARE(e.text, a.text);
            }
            ++at;
        });
        QCOMPARE(at, kRun + 2);
        QVERIFY(readerLast.load() <= kRun + 2);
        // Stored small: the run takes far less than its texts would.
        QVERIFY2(j.memoryBytes() < kRun * quint64(a.text.size()) / 4, qPrintable(QString::number(j.memoryBytes())));

        // Queued repeats and clear(): gone with the rest.
        j.append(a);
        j.append(a);
        j.clear();
        QCOMPARE(j.count(), quint64(0));
        a.timeNs = 5;
        QCOMPARE(j.append(a), quint64(0)); // stored whole: nothing to repeat after a clear
        QCOMPARE(j.count(), quint64(1));
        QCOMPARE(j.at(0).timeNs, qint64(5));

        // A hook set while repeats are queued sees what comes after, and only that.
        a.timeNs = 6;
        j.append(a);
        QList<quint64> hooked;
        j.setAppendHook([&](const Event& e) { hooked << e.seq; });
        a.timeNs = 7;
        QCOMPARE(j.append(a), quint64(2));
        QCOMPARE(hooked, QList<quint64> { 2 });
        QCOMPARE(j.count(), quint64(3));
        QCOMPARE(j.at(1).timeNs, qint64(6));
        QCOMPARE(j.at(2).timeNs, qint64(7));
        // Repeats store their time relative to the original's: earlier ones too, and far ones.
        for (const qint64 t : { qint64(2), qint64(-5), std::numeric_limits<qint64>::max(), std::numeric_limits<qint64>::min() }) {
            a.timeNs = t;
            const quint64 seq = j.append(a);
            QCOMPARE(j.at(seq).timeNs, t);
            QCOMPARE(j.at(seq).text, a.text);
        }
    }
};

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
