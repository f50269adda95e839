// SPDX-License-Identifier: GPL-3.0-or-later
// Every lesson reproducible, SCTP included (issue 22): the same seed gives a byte-identical JSONL
// journal in two fresh processes, another seed another one; and the mechanism behind it for SCTP,
// sctp::LabClock, answers usrsctp — and only usrsctp, only on the lab's thread, only during a run —
// from the lab's clock and seed.
#include "host/stack.h"
#include "lab/runner.h"
#include "lab/scenario.h"
#include "sctp/labclock.h"
#include "sctp/runtime.h"
#include "journal/journal.h"
#include "capture/jsonl.h"

#include <QBuffer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/time.h>
#include <thread>

using namespace ladder;

namespace {

qint64 wallMs()
{
    struct timeval tv {};
    gettimeofday(&tv, nullptr); // from this executable's code: never the lab's clock
    return qint64(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

QByteArray jsonlOf(const QString& name, quint64 seed, bool* ok)
{
    auto scenario = lab::createScenario(name);
    Stack stack(Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = seed;
    const lab::RunOutcome outcome = lab::runToEnd(*scenario, stack, params);
    *ok = outcome.result.ok;
    QBuffer b;
    b.open(QIODevice::WriteOnly);
    trace::writeJsonl(stack.journal(), &b, stack.journal().epochNs());
    return b.data();
}

// "" when equal, else the first line that differs in each.
QString firstDifference(const QByteArray& x, const QByteArray& y)
{
    if (x == y)
        return {};
    const QList<QByteArray> a = x.split('\n'), b = y.split('\n');
    qsizetype i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    return QStringLiteral("line %1 differs:\n%2\n%3")
        .arg(i + 1)
        .arg(QString::fromUtf8(a.value(i).left(400)), QString::fromUtf8(b.value(i).left(400)));
}

} // namespace

class TstLabReproducible : public QObject {
    Q_OBJECT
private slots:
    void interposersReachUsrsctp()
    {
        QString why;
        QVERIFY2(sctp::LabClock::interposed(&why), qPrintable(why));
    }

    void onlyUsrsctpOnTheLabThreadDuringARunSeesTheLabClock()
    {
        Stack stack(Scheduler::Mode::Virtual);
        stack.scheduler().advanceBy(1'500'000'000);
        const qint64 before = sctp::LabClock::virtualTimeReads();
        QVERIFY(sctp::LabClock::begin(stack.scheduler(), lab::kLabEpochNs, 7));
        QVERIFY(!sctp::LabClock::begin(stack.scheduler(), lab::kLabEpochNs, 7)); // one run at a time
        // Our own code, this thread and another one: the real wall clock (2026-01-01 is long past).
        const qint64 real = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(qAbs(wallMs() - real) < 5000);
        qint64 other = 0;
        std::thread([&] { other = wallMs(); }).join();
        QVERIFY(qAbs(other - real) < 5000);
        QCOMPARE(sctp::LabClock::virtualTimeReads(), before);
        sctp::LabClock::end();
        QVERIFY(!sctp::LabClock::active());
    }

    void usrsctpReadsTheLabClockAndSeedInARun()
    {
        // An SCTP lesson in virtual time: usrsctp asked for the time and for random bytes, and
        // both were answered by the lab (if the interposers did not reach libusrsctp's calls, the
        // counters would not move and the lesson's tags would follow the kernel's getrandom).
        const quint64 time = sctp::LabClock::virtualTimeReads();
        const quint64 random = sctp::LabClock::virtualRandomBytes();
        bool ok = false;
        const QByteArray a = jsonlOf(QStringLiteral("eof-vs-abort"), 5, &ok);
        QVERIFY(ok);
        QVERIFY(sctp::LabClock::virtualTimeReads() > time);
        QVERIFY(sctp::LabClock::virtualRandomBytes() > random);
        QVERIFY(!sctp::LabClock::active()); // the run ended its use
        QVERIFY(a.contains("\"kind\":\"sctp.chunk\""));
        QVERIFY(a.startsWith(QByteArray("{\"format\":\"ladderlab-journal\",\"version\":1,\"epoch_ns\":")
            + QByteArray::number(lab::kLabEpochNs)));
    }

    void onlyTheMultiHomedLessonRunsInRealTime()
    {
        // addr-over's association lives in the ladderlab-sctp-mh helper process, on real UDP
        // sockets with usrsctp's own clock: the one lesson this mechanism cannot reach.
        for (const QString& name : lab::scenarioNames())
            QVERIFY2(lab::createScenario(name)->needsRealTime() == (name == QLatin1String("addr-over")), qPrintable(name));
    }

    void sameSeedSameBytesAcrossProcesses_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : lab::scenarioNames())
            if (!lab::createScenario(name)->needsRealTime())
                QTest::newRow(qPrintable(name)) << name;
    }

    void sameSeedSameBytesAcrossProcesses()
    {
        // Each lesson three times in fresh processes: twice with seed 11, once with seed 12.
        QFETCH(QString, name);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QByteArray files[3];
        QElapsedTimer took;
        took.start();
        for (int i = 0; i < 3; ++i) {
            const QString out = dir.filePath(QStringLiteral("%1.jsonl").arg(i));
            QProcess p;
            p.start(QStringLiteral(LAB_JSONL_RUN), { name, i < 2 ? QStringLiteral("11") : QStringLiteral("12"), out });
            QVERIFY(p.waitForFinished(60000));
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData()); // the lesson made its point
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            files[i] = f.readAll();
        }
        const QString diff = firstDifference(files[0], files[1]);
        QVERIFY2(diff.isEmpty(), qPrintable(name + QStringLiteral(": ") + diff));
        // Another seed, another run — except in the playground, where nothing happens until the
        // composer sends (its journal is the header alone).
        if (name != QLatin1String("playground")) {
            QVERIFY(files[0].count('\n') > 10);
            QVERIFY2(files[0] != files[2], qPrintable(name));
        }
        qInfo("%s: %lld lines, 3 runs in %lld ms", qPrintable(name), qint64(files[0].count('\n')), took.elapsed());
    }

    void sctpLessonTwiceInOneProcess()
    {
        // A re-run in the same process (what the GUI's "re-run" will need): usrsctp is finished
        // between the runs (no Stack holds it) and its clock, random stream and the lab's AF_CONN
        // addresses restart, so tags, TSNs, times and every event come again. All but one thing:
        // sctp::Endpoint::bind(0) takes ephemeral ports from a process-wide counter (49152, 49153,
        // … endpoint.cpp), so the client's port — and with it the raw bytes and their CRC — moves
        // on. Compared here: every field but raw, ephemeral port numbers in the text replaced.
        QVERIFY(!sctp::Runtime::isInitialised());
        bool ok1 = false, ok2 = false;
        const QByteArray a = jsonlOf(QStringLiteral("prsctp-ttl-rtx-buf"), 11, &ok1);
        const QByteArray b = jsonlOf(QStringLiteral("prsctp-ttl-rtx-buf"), 11, &ok2);
        QVERIFY(ok1 && ok2);
        QVERIFY(a.contains("sctp.abandon"));
        const QRegularExpression raw(QStringLiteral(",\"raw\":\"[^\"]*\""));
        const QRegularExpression ephemeral(QStringLiteral("\\b(49(1[5-9]|[2-9]\\d)\\d|5\\d{4}|6[0-5]\\d{3})\\b"));
        auto strip = [&](const QByteArray& jsonl) {
            return QString::fromUtf8(jsonl).remove(raw).replace(ephemeral, QStringLiteral("EPHEMERAL")).toUtf8();
        };
        const QString diff = firstDifference(strip(a), strip(b));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QVERIFY(strip(a).contains("vtag 0x")); // the tags are compared, not stripped
    }
};

QTEST_GUILESS_MAIN(TstLabReproducible)
#include "tst_lab_reproducible.moc"
