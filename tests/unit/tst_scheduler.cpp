// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/scheduler.h"

#include <QSignalSpy>
#include <QTest>

using ladder::Scheduler;

class TestScheduler : public QObject {
    Q_OBJECT
private slots:
    void virtualTimeFiresInOrder()
    {
        Scheduler s(Scheduler::Mode::Virtual);
        QVector<int> order;
        QVector<qint64> at;
        s.scheduleMs(30, [&] { order << 3; at << s.nowNs(); });
        s.scheduleMs(10, [&] { order << 1; at << s.nowNs(); });
        s.scheduleMs(10, [&] { order << 2; at << s.nowNs(); }); // same instant: scheduling order
        QCOMPARE(s.pendingCount(), std::size_t(3));
        s.advanceBy(9999999);
        QVERIFY(order.isEmpty());
        s.advanceBy(1);
        QCOMPARE(order, (QVector<int> { 1, 2 }));
        QCOMPARE(at, (QVector<qint64> { 10000000, 10000000 }));
        s.runUntilIdle();
        QCOMPARE(order, (QVector<int> { 1, 2, 3 }));
        QCOMPARE(s.nowNs(), qint64(30000000));
    }

    void cancelStopsATimer()
    {
        Scheduler s(Scheduler::Mode::Virtual);
        bool fired = false;
        auto id = s.scheduleMs(5, [&] { fired = true; });
        QVERIFY(s.isPending(id));
        QCOMPARE(s.dueNs(id), qint64(5000000));
        QVERIFY(s.cancel(id));
        QVERIFY(!s.cancel(id));
        s.runUntilIdle();
        QVERIFY(!fired);
        QCOMPARE(s.dueNs(id), qint64(-1));
    }

    void timersScheduledFromCallbacksRunInTheSameAdvance()
    {
        // Doubling intervals as Timer A does: 0.5, 1.5, 3.5, 7.5 s.
        Scheduler s(Scheduler::Mode::Virtual);
        QVector<qint64> fires;
        qint64 interval = 500;
        std::function<void()> arm;
        arm = [&] {
            s.scheduleMs(interval, [&] {
                fires << s.nowMs();
                interval *= 2;
                if (fires.size() < 4)
                    arm();
            });
        };
        arm();
        s.advanceBy(qint64(10) * 1000000000);
        QCOMPARE(fires, (QVector<qint64> { 500, 1500, 3500, 7500 }));
    }

    void realModeFiresFromTheEventLoop()
    {
        Scheduler s(Scheduler::Mode::Real);
        bool fired = false;
        s.scheduleMs(20, [&] { fired = true; });
        QVERIFY(!fired);
        QTRY_VERIFY_WITH_TIMEOUT(fired, 5000);
        QVERIFY(s.nowMs() >= 20);
    }

    void postNeverRunsInline()
    {
        Scheduler s(Scheduler::Mode::Real);
        int n = 0;
        s.post([&] { ++n; });
        QCOMPARE(n, 0);
        QTRY_COMPARE_WITH_TIMEOUT(n, 1, 5000);
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
