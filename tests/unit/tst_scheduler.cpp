// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal/clock.h"
#include "core/scheduler.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <thread>

using ladder::Scheduler;

class TestScheduler : public QObject {
    Q_OBJECT
private slots:
    // The event clock (TSC between anchors where the kernel trusts it) agrees with
    // clock_gettime(CLOCK_MONOTONIC) to within 20 µs at every reading, before and after its rate
    // is known, and never goes back — on two threads at once, for 150 ms each.
    void clockFollowsTheMonotonicClock()
    {
        auto mono = [] {
            timespec ts {};
            clock_gettime(CLOCK_MONOTONIC, &ts);
            return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
        };
        constexpr qint64 kTolerance = 20'000;
        std::atomic<int> failures { 0 };
        std::atomic<qint64> readings { 0 };
        auto run = [&] {
            const qint64 start = mono();
            qint64 previous = 0;
            while (mono() - start < 150'000'000) {
                const qint64 before = mono();
                const qint64 ours = ladder::clock::monotonicNs();
                const qint64 after = mono();
                if (ours < previous || ours < before - kTolerance || ours > after + kTolerance)
                    ++failures;
                previous = ours;
                ++readings;
            }
        };
        std::thread other(run);
        run();
        other.join();
        QCOMPARE(failures.load(), 0);
        QVERIFY(readings.load() > 1000);
        // Where the TSC can be trusted the test above did exercise it (else it only compared
        // clock_gettime with itself).
        QFile source(QStringLiteral("/sys/devices/system/clocksource/clocksource0/current_clocksource"));
        const bool tscKernel = source.open(QIODevice::ReadOnly) && source.readAll().trimmed() == "tsc";
        QFile cpu(QStringLiteral("/proc/cpuinfo"));
        QByteArray flags;
        if (cpu.open(QIODevice::ReadOnly))
            for (QByteArray line = cpu.readLine(); !line.isEmpty() && flags.isEmpty(); line = cpu.readLine())
                if (line.startsWith("flags"))
                    flags = line;
        qInfo("kernel clocksource %s, event clock reads the TSC: %s", tscKernel ? "tsc" : "other",
            ladder::clock::usesTsc() ? "yes" : "no");
#if defined(__x86_64__)
        if (tscKernel && flags.contains(" constant_tsc") && flags.contains(" nonstop_tsc")
            && qEnvironmentVariable("LADDERLAB_CLOCK") != QStringLiteral("monotonic"))
            QVERIFY(ladder::clock::usesTsc());
#endif
    }

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

    void staleIdsNeverNameANewerTimer()
    {
        // Timer slots are reused: the id of a fired or cancelled timer must stay dead.
        Scheduler s(Scheduler::Mode::Virtual);
        int fired = 0;
        const auto a = s.scheduleMs(1, [&] { ++fired; });
        QVERIFY(a != 0);
        QVERIFY(s.cancel(a));
        const auto b = s.scheduleMs(2, [&] { fired += 10; }); // takes a's slot
        QVERIFY(b != 0);
        QVERIFY(a != b);
        QVERIFY(!s.isPending(a));
        QVERIFY(!s.cancel(a));
        QCOMPARE(s.dueNs(a), qint64(-1));
        QVERIFY(s.isPending(b));
        QCOMPARE(s.dueNs(b), qint64(2000000));
        s.runUntilIdle();
        QCOMPARE(fired, 10);
        QVERIFY(!s.isPending(b));
        QVERIFY(!s.cancel(b));
        const auto c = s.scheduleMs(1, [&] { fired += 100; });
        QVERIFY(c != a && c != b);
        QVERIFY(!s.cancel(b));
        QVERIFY(s.isPending(c));
        s.runUntilIdle();
        QCOMPARE(fired, 110);
    }

    void manyTimersKeepDueThenSchedulingOrder_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("cancelEvery");
        QTest::newRow("no cancels") << 2000 << 0;
        QTest::newRow("every 3rd cancelled") << 2000 << 3;
        // Most cancelled: stale heap entries outnumber live ones and are swept out in between.
        QTest::newRow("all but every 50th cancelled") << 6000 << -50;
    }

    void manyTimersKeepDueThenSchedulingOrder()
    {
        QFETCH(int, count);
        QFETCH(int, cancelEvery);
        Scheduler s(Scheduler::Mode::Virtual);
        QRandomGenerator rng(42);
        struct Armed {
            qint64 due;
            int order;
            Scheduler::TimerId id;
            bool cancelled;
        };
        std::vector<Armed> armed;
        std::vector<std::pair<qint64, int>> fired;
        for (int i = 0; i < count; ++i) {
            const qint64 due = qint64(rng.bounded(50)) * 1000; // many equal due times
            const auto id = s.schedule(due, [&s, &fired, i] { fired.push_back({ s.nowNs(), i }); });
            armed.push_back({ due, i, id, false });
        }
        for (Armed& a : armed) {
            // > 0: cancel every n-th; < 0: keep only every n-th; 0: cancel none.
            const bool cancel = cancelEvery > 0 ? a.order % cancelEvery == 0
                : cancelEvery < 0           ? a.order % -cancelEvery != 0
                                            : false;
            if (cancel) {
                QVERIFY(s.cancel(a.id));
                a.cancelled = true;
            }
        }
        std::vector<std::pair<qint64, int>> expected;
        for (const Armed& a : armed)
            if (!a.cancelled)
                expected.push_back({ a.due, a.order });
        std::stable_sort(expected.begin(), expected.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
        QCOMPARE(s.pendingCount(), expected.size());
        QCOMPARE(s.nextDueNs(), expected.empty() ? qint64(-1) : expected.front().first);
        for (const Armed& a : armed)
            QCOMPARE(s.isPending(a.id), !a.cancelled);
        s.runUntilIdle();
        QCOMPARE(fired, expected);
        QCOMPARE(s.pendingCount(), std::size_t(0));
        QCOMPARE(s.nextDueNs(), qint64(-1));
    }

    void cancellingTheEarliestMovesNextDue()
    {
        Scheduler s(Scheduler::Mode::Virtual);
        const auto a = s.scheduleMs(1, [] { });
        s.scheduleMs(3, [] { });
        const auto c = s.scheduleMs(2, [] { });
        QCOMPARE(s.nextDueNs(), qint64(1000000));
        s.cancel(a);
        QCOMPARE(s.nextDueNs(), qint64(2000000));
        s.cancel(c);
        QCOMPARE(s.nextDueNs(), qint64(3000000));
        QCOMPARE(s.pendingCount(), std::size_t(1));
    }

    void callbacksMayCancelAndScheduleOthers()
    {
        // A callback cancels a timer due at the same instant and schedules one for "now": the
        // cancelled one never runs, the new one runs after those already due at that instant.
        Scheduler s(Scheduler::Mode::Virtual);
        QVector<int> order;
        Scheduler::TimerId second = 0;
        s.scheduleMs(5, [&] {
            order << 1;
            QVERIFY(s.cancel(second));
            s.post([&] { order << 4; });
        });
        second = s.scheduleMs(5, [&] { order << 2; });
        s.scheduleMs(5, [&] { order << 3; });
        s.advanceBy(5000000);
        QCOMPARE(order, (QVector<int> { 1, 3, 4 }));
        QCOMPARE(s.nowNs(), qint64(5000000));
    }

    void realModeEarlierTimerRearms()
    {
        // A timer due before the one the event-loop timer waits for must not wait for it.
        Scheduler s(Scheduler::Mode::Real);
        bool late = false, early = false;
        s.scheduleMs(60000, [&] { late = true; });
        s.scheduleMs(10, [&] { early = true; });
        QTRY_VERIFY_WITH_TIMEOUT(early, 5000);
        QVERIFY(!late);
        QCOMPARE(s.pendingCount(), std::size_t(1));
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
