// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/scheduler.h"
#include "core/link.h"
#include "journal/journal.h"

#include <QTest>

using namespace ladder;

class TestLink : public QObject {
    Q_OBJECT
private:
    static QVector<int> run(quint64 seed, ladder::LinkParams p, QVector<qint64>* times = nullptr)
    {
        Scheduler s(Scheduler::Mode::Virtual);
        ladder::Link link(s, seed, p, QStringLiteral("a->b"));
        QVector<int> got;
        for (int i = 0; i < 200; ++i) {
            link.transmit(QByteArray::number(i), [&](const QByteArray& d) {
                got << d.toInt();
                if (times)
                    *times << s.nowMs();
            });
        }
        s.runUntilIdle();
        return got;
    }

private slots:
    void lossless()
    {
        ladder::LinkParams p;
        p.delayMs = 25;
        QVector<qint64> times;
        const QVector<int> got = run(1, p, &times);
        QCOMPARE(got.size(), 200);
        QCOMPARE(got.first(), 0);
        QCOMPARE(got.last(), 199);
        QCOMPARE(times.first(), qint64(25));
    }

    void sameSeedSameFate()
    {
        ladder::LinkParams p;
        p.lossPct = 30;
        p.duplicatePct = 5;
        p.reorderPct = 10;
        p.jitterMs = 5;
        p.delayMs = 10;
        const QVector<int> a = run(7, p), b = run(7, p), c = run(8, p);
        QCOMPARE(a, b);
        QVERIFY(a != c);
        // 30 % loss over 200 datagrams: far from 0 and from 200.
        QVERIFY(a.size() > 100 && a.size() < 180);
    }

    void lossesAreJournalled()
    {
        Scheduler s(Scheduler::Mode::Virtual);
        trace::Journal j;
        ladder::LinkParams p;
        p.up = false;
        ladder::Link link(s, 1, p, QStringLiteral("path B"));
        link.setJournal(&j, 2);
        link.transmit("x", [](const QByteArray&) { QFAIL("a down link delivered"); });
        s.runUntilIdle();
        QCOMPARE(j.count(), quint64(1));
        QCOMPARE(j.at(0).kind, trace::Kind::LinkDrop);
        QCOMPARE(j.at(0).a, quint64(2));
        QCOMPARE(link.dropped(), quint64(1));
    }

    void rateLimitSerialises()
    {
        Scheduler s(Scheduler::Mode::Virtual);
        ladder::LinkParams p;
        p.rateBitsPerSec = 8000; // 1000 bytes/s
        ladder::Link link(s, 1, p);
        QVector<qint64> at;
        for (int i = 0; i < 3; ++i)
            link.transmit(QByteArray(100, 'x'), [&](const QByteArray&) { at << s.nowMs(); });
        s.runUntilIdle();
        QCOMPARE(at, (QVector<qint64> { 100, 200, 300 }));
    }
};

QTEST_GUILESS_MAIN(TestLink)
#include "tst_link.moc"
