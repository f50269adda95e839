// SPDX-License-Identifier: GPL-3.0-or-later
// RFC 3263 targets (issue 20): the SRV order of RFC 2782 — by priority, then a weighted random
// pick within a priority, weight-0 records picked rarely but possible — and the cursor that walks
// a request's targets on failure (RFC 3263 §4.3), with the sentences the composer and the log show.
#include "network/sipresolver.h"

#include <QTest>

using namespace ladder::ui;

namespace {
QStringList names(const QList<SrvRecord>& records)
{
    QStringList out;
    for (const SrvRecord& r : records)
        out << r.target;
    return out;
}
} // namespace

class TstNetworkTargets : public QObject {
    Q_OBJECT
private slots:
    // Lower priority first, whatever the random draws and the order given.
    void srvPriorityComesFirst()
    {
        const QList<SrvRecord> given { { 20, 100, 5060, QStringLiteral("late") }, { 10, 0, 5060, QStringLiteral("zero") },
            { 10, 5, 5060, QStringLiteral("early") }, { 30, 1, 5060, QStringLiteral("last") } };
        for (quint32 draw : { 0u, 1u, 3u, 1000u }) {
            const QStringList order = names(orderSrvRecords(given, [draw](quint32 bound) { return std::min(draw, bound); }));
            QCOMPARE(order.size(), 4);
            QVERIFY2(QSet<QString>({ order[0], order[1] }) == QSet<QString>({ QStringLiteral("zero"), QStringLiteral("early") }),
                qPrintable(order.join(QLatin1Char(' '))));
            QCOMPARE(order[2], QStringLiteral("late"));
            QCOMPARE(order[3], QStringLiteral("last"));
        }
    }

    // RFC 2782's running sum: weight-0 records first in the sum, then the first record whose sum
    // reaches the draw. [zero 0, a 1, b 3]: running sums 0, 1, 4.
    void srvWeightedPickFollowsTheRunningSum()
    {
        const QList<SrvRecord> given { { 10, 1, 1, QStringLiteral("a") }, { 10, 3, 2, QStringLiteral("b") }, { 10, 0, 3, QStringLiteral("zero") } };
        auto firstFor = [&](quint32 draw) {
            return orderSrvRecords(given, [draw](quint32 bound) { return std::min(draw, bound); }).first().target;
        };
        QCOMPARE(firstFor(0), QStringLiteral("zero"));
        QCOMPARE(firstFor(1), QStringLiteral("a"));
        QCOMPARE(firstFor(2), QStringLiteral("b"));
        QCOMPARE(firstFor(4), QStringLiteral("b"));
        // After the first pick the sum is recomputed over what is left.
        QCOMPARE(names(orderSrvRecords(given, [](quint32) { return 0u; })),
            QStringList({ QStringLiteral("zero"), QStringLiteral("a"), QStringLiteral("b") }));
        QCOMPARE(names(orderSrvRecords(given, [](quint32 bound) { return bound; })),
            QStringList({ QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("zero") }));
    }

    // With real randomness the shares follow RFC 2782's draw, uniform in [0, sum] inclusive: for
    // [a 1, b 3] the draws 0 and 1 pick a, 2 to 4 pick b — b first 3 times in 5 (the first record
    // of a running sum gets the draw 0 too; that is the RFC's arithmetic, kept); a weight-0 record
    // first only on the draw 0, 1 in (sum + 1).
    void srvWeightsShareTheFirstPlace()
    {
        const QList<SrvRecord> ab { { 10, 1, 1, QStringLiteral("a") }, { 10, 3, 2, QStringLiteral("b") } };
        int b = 0;
        const int n = 4000;
        for (int i = 0; i < n; ++i)
            b += orderSrvRecords(ab).first().target == QLatin1String("b");
        QVERIFY2(b > n * 0.54 && b < n * 0.66, qPrintable(QString::number(b)));
        // Heavier weights dominate: [a 1, b 99] — b first 99 times in 101.
        const QList<SrvRecord> heavy { { 10, 1, 1, QStringLiteral("a") }, { 10, 99, 2, QStringLiteral("b") } };
        int heavyB = 0;
        for (int i = 0; i < n; ++i)
            heavyB += orderSrvRecords(heavy).first().target == QLatin1String("b");
        QVERIFY2(heavyB > n * 0.96, qPrintable(QString::number(heavyB)));
        const QList<SrvRecord> zero { { 10, 0, 1, QStringLiteral("zero") }, { 10, 10, 2, QStringLiteral("ten") } };
        int z = 0;
        for (int i = 0; i < n; ++i)
            z += orderSrvRecords(zero).first().target == QLatin1String("zero");
        QVERIFY2(z > n * 0.04 && z < n * 0.15, qPrintable(QString::number(z))); // 1/11 ≈ 9 %
    }

    void cursorWalksTheTargetsOnFailure()
    {
        TargetCursor c(QStringLiteral("sip:bob@pbx.test"),
            { QStringLiteral("tcp:127.0.0.1:5"), QStringLiteral("udp:127.0.0.2:6"), QStringLiteral("udp:127.0.0.3:7") });
        QCOMPARE(c.current(), QStringLiteral("tcp:127.0.0.1:5"));
        QVERIFY(c.hasNext());
        QVERIFY(c.fail(QStringLiteral("connect: Connection refused")));
        QCOMPARE(c.current(), QStringLiteral("udp:127.0.0.2:6"));
        QCOMPARE(c.failoverText(), QStringLiteral("tcp:127.0.0.1:5 (connect: Connection refused) failed; trying udp:127.0.0.2:6 next "
                                                  "(target 2 of 3, RFC 3263 §4.3)"));
        QVERIFY(c.fail(QStringLiteral("503 Service Unavailable")));
        QCOMPARE(c.index(), 2);
        QVERIFY(!c.hasNext());
        QVERIFY(!c.fail(QStringLiteral("no answer: Timer F fired")));
        QCOMPARE(c.current(), QStringLiteral("udp:127.0.0.3:7")); // the last stays current
        QCOMPARE(c.exhaustedText(), QStringLiteral("every target failed: tcp:127.0.0.1:5 (connect: Connection refused); "
                                                   "udp:127.0.0.2:6 (503 Service Unavailable); udp:127.0.0.3:7 (no answer: Timer F fired)"));
        TargetCursor one(QString(), { QStringLiteral("udp:127.0.0.1:9") });
        QVERIFY(!one.hasNext());
        QVERIFY(!one.fail(QStringLiteral("refused")));
        QCOMPARE(one.exhaustedText(), QStringLiteral("udp:127.0.0.1:9 (refused) failed"));
        QVERIFY(TargetCursor().isNull());
    }
};

QTEST_GUILESS_MAIN(TstNetworkTargets)
#include "tst_network_targets.moc"
