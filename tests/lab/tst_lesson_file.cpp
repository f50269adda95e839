// SPDX-License-Identifier: GPL-3.0-or-later
// Lessons as files (issue 22, docs/LESSONS.md): every built-in lesson loaded from its file gives
// the same JSONL as the C++ scenario gave before the move (digests checked in before it, and the
// bare exchange run in this process); a lesson written only from the documented format — the
// example in docs/LESSONS.md itself and tests/lab/lessons/*.json — runs, its expectations checked;
// bad files get a FILE:LINE: FIELD error; ladderctl lab run FILE.json.
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/lesson/filescenario.h"
#include "lab/lesson/lesson.h"
#include "lab/runner.h"
#include "lab/scenario.h"
#include "capture/jsonl.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace ladder;

namespace {

QByteArray jsonlOf(lab::Scenario& scenario, quint64 seed, bool* ok, QStringList* findings = nullptr)
{
    Stack stack(Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = seed;
    const lab::RunOutcome outcome = lab::runToEnd(scenario, stack, params);
    *ok = outcome.result.ok;
    if (findings)
        *findings = outcome.result.findings + QStringList { outcome.result.failure };
    QBuffer b;
    b.open(QIODevice::WriteOnly);
    trace::writeJsonl(stack.journal(), &b, stack.journal().epochNs());
    return b.data();
}

// A run in a fresh process (this executable with --jsonl): SIP runs in one process are not
// byte-identical to each other (process-wide counters), only across fresh processes, as
// tst_lab_reproducible says. mode: "lesson" (createScenario: a built-in name or FILE.json) or
// "exchange" (the bare C++ exchange).
QByteArray freshJsonl(const QString& mode, const QString& name, quint64 seed, bool* ok)
{
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("run.jsonl"));
    QProcess p;
    p.start(QCoreApplication::applicationFilePath(), { QStringLiteral("--jsonl"), mode, name, QString::number(seed), out });
    p.waitForFinished(120000);
    *ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!*ok)
        qWarning("%s %s %llu: %s", qPrintable(mode), qPrintable(name), seed, p.readAllStandardError().constData());
    QFile f(out);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int jsonlMain(const QStringList& args)
{
    QString error;
    auto s = args[0] == QLatin1String("exchange") ? lab::createExchange(args[1]) : lab::createScenario(args[1], &error);
    if (!s) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    bool ok = false;
    QStringList findings;
    const QByteArray jsonl = jsonlOf(*s, args[2].toULongLong(), &ok, &findings);
    QFile f(args[3]);
    if (!f.open(QIODevice::WriteOnly) || f.write(jsonl) != jsonl.size())
        return 3;
    if (!ok)
        std::fprintf(stderr, "%s\n", qPrintable(findings.join(QStringLiteral(" | "))));
    return ok ? 0 : 1;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A data-driven check (columns from, to, error): the file parses; with `from` replaced by `to` it
// is refused with an error that starts with `error` (FILE:LINE: FIELD: …).
void editIsRefused(const QString& path)
{
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(QString, error);
    QByteArray json = readAll(path);
    QString why;
    QVERIFY2(lab::LessonFile::parse(json, QStringLiteral("t.json"), &why), qPrintable(why));
    QVERIFY2(json.contains(from), from.constData());
    json.replace(json.indexOf(from), from.size(), to);
    QVERIFY(!lab::LessonFile::parse(json, QStringLiteral("t.json"), &why));
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

struct Ctl {
    int rc = -1;
    QString out, err;
};

Ctl ladderctl(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(LADDERCTL), args);
    p.waitForFinished(120000);
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

// The JSON example of docs/LESSONS.md, between its "<!-- example lesson -->" marker and the end of
// the code block that follows it.
QByteArray documentedExample()
{
    const QByteArray doc = readAll(QStringLiteral(LESSON_DOCS));
    const qsizetype marker = doc.indexOf("<!-- example lesson -->");
    if (marker < 0)
        return {};
    const qsizetype begin = doc.indexOf("```json\n", marker);
    const qsizetype end = doc.indexOf("\n```", begin + 8);
    return begin < 0 || end < 0 ? QByteArray() : doc.mid(begin + 8, end - begin - 8);
}

// Built-in lessons whose file is declarative though the C++ exchange of the same name remains:
// their JSONL from the file is the exchange's, byte for byte (builtinJsonlAsBeforeTheMove).
const QStringList kDeclarativeBuiltins { QStringLiteral("invite-lossy-udp"), QStringLiteral("noninvite-udp-vs-tcp"), QStringLiteral("cancel-ringing"),
    QStringLiteral("register"), QStringLiteral("forking-with-flag"), QStringLiteral("forking-without-flag"), QStringLiteral("unordered-vs-ordered"),
    QStringLiteral("eof-vs-abort"), QStringLiteral("sendall"), QStringLiteral("playground"), QStringLiteral("prsctp-ttl-rtx-buf") };

} // namespace

class TstLessonFile : public QObject {
    Q_OBJECT
private slots:
    // Each built-in lesson is a file under resources/lessons/, compiled in, and what the lab runs.
    void everyBuiltinIsAFile()
    {
        const QStringList names = lab::exchangeNames();
        QVERIFY(names.size() >= 12);
        // The lab lists the exchanges' lessons and the declarative built-in lessons (files alone).
        QStringList listed = lab::scenarioNames();
        for (const QString& name : lab::scenarioNames()) {
            if (names.contains(name))
                continue;
            QString error;
            const auto lesson = lab::LessonFile::load(lab::LessonFile::builtinPath(name), &error);
            QVERIFY2(lesson, qPrintable(error));
            QVERIFY2(lesson->exchange.isEmpty(), qPrintable(name));
            QCOMPARE(lesson->name, name);
            QCOMPARE(readAll(lab::LessonFile::builtinPath(name)), readAll(QStringLiteral(LESSON_RESOURCES "/%1.json").arg(name)));
            listed.removeOne(name);
        }
        QVERIFY(listed.size() < lab::scenarioNames().size()); // prsctp-declarative at least
        QCOMPARE(listed, names);
        for (const QString& name : names) {
            const QString path = lab::LessonFile::builtinPath(name);
            QVERIFY2(QFile::exists(path), qPrintable(path));
            QString error;
            auto s = lab::createScenario(name, &error);
            QVERIFY2(s, qPrintable(error));
            const auto* fromFile = dynamic_cast<const lab::LessonScenario*>(s.get());
            QVERIFY2(fromFile, qPrintable(name));
            QCOMPARE(fromFile->lessonFile().path, path);
            // Converted lessons are declarative (peers, links, actions in the file) although
            // their exchange is still built in (a teacher's exchange lesson may name it).
            QCOMPARE(fromFile->lessonFile().exchange, kDeclarativeBuiltins.contains(name) ? QString() : name);
            QCOMPARE(s->name(), name);
            // The words moved without a change: the exchange in C++ still knows them.
            auto x = lab::createExchange(name);
            QCOMPARE(s->title(), x->title());
            QCOMPARE(s->summary(), x->summary());
            QCOMPARE(s->lesson(), x->lesson());
            QCOMPARE(s->defaultDurationS(), x->defaultDurationS());
            QCOMPARE(s->needsRealTime(), x->needsRealTime());
            QVERIFY(!fromFile->lessonFile().expectations.isEmpty());
            // The source file is the resource.
            QCOMPARE(readAll(path), readAll(QStringLiteral(LESSON_RESOURCES "/%1.json").arg(name)));
        }
    }

    // Byte-identical JSONL: against the digests the C++ scenarios gave before the lessons moved
    // (tests/lab/lessons/builtin-jsonl.sha256), and against the bare exchange now.
    void builtinJsonlAsBeforeTheMove_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<QByteArray>("sha256");
        const QList<QByteArray> lines = readAll(QStringLiteral(LESSON_TESTDATA "/builtin-jsonl.sha256")).split('\n');
        int rows = 0;
        for (const QByteArray& line : lines) {
            const QList<QByteArray> f = line.simplified().split(' ');
            if (line.startsWith('#') || f.size() != 3)
                continue;
            QTest::addRow("%s-%s", f[0].constData(), f[1].constData()) << QString::fromUtf8(f[0]) << f[1].toULongLong() << f[2];
            ++rows;
        }
        QVERIFY(rows >= 22);
    }
    void builtinJsonlAsBeforeTheMove()
    {
        QFETCH(QString, name);
        QFETCH(quint64, seed);
        QFETCH(QByteArray, sha256);
        bool ok = false;
        // The lesson from its file, its expectations passed (exit 0), in a fresh process.
        const QByteArray fromFile = freshJsonl(QStringLiteral("lesson"), name, seed, &ok);
        QVERIFY(ok);
        QVERIFY(fromFile.count('\n') >= 1); // playground's is the header alone
        QCOMPARE(QCryptographicHash::hash(fromFile, QCryptographicHash::Sha256).toHex(), sha256);
        if (!lab::exchangeNames().contains(name))
            return; // a declarative lesson: no exchange in C++ to compare with
        const QByteArray bare = freshJsonl(QStringLiteral("exchange"), name, seed, &ok);
        QVERIFY(ok);
        QVERIFY(bare == fromFile);
    }

    // A converted lesson reports what its exchange did about the lesson's point: invite-lossy-udp's
    // findings say when the INVITE left and Timer A's intervals, in the exchange's words.
    void convertedLessonKeepsTheExchangesFindings()
    {
        QString error;
        auto fromFile = lab::createScenario(QStringLiteral("invite-lossy-udp"), &error);
        QVERIFY2(fromFile, qPrintable(error));
        QVERIFY(dynamic_cast<const lab::LessonScenario*>(fromFile.get())->lessonFile().exchange.isEmpty());
        auto exchange = lab::createExchange(QStringLiteral("invite-lossy-udp"));
        bool ok = false;
        QStringList a, b;
        jsonlOf(*fromFile, 1, &ok, &a);
        QVERIFY2(ok, qPrintable(a.join(QStringLiteral(" | "))));
        jsonlOf(*exchange, 1, &ok, &b);
        QVERIFY(ok);
        for (const char* start : { "INVITE sent ", "Timer A intervals: " }) {
            const QStringList want = b.filter(QRegularExpression(QStringLiteral("^") + QLatin1String(start)));
            QCOMPARE(want.size(), 1);
            QCOMPARE(a.filter(QRegularExpression(QStringLiteral("^") + QLatin1String(start))), want);
        }
        QVERIFY2(a.contains(QStringLiteral("INVITE sent 4 times, at 0.000, 0.500, 1.500, 3.500 s")), qPrintable(a.join(QStringLiteral(" | "))));
    }

    // The example in docs/LESSONS.md, as a teacher would copy it: it reads, runs, passes its
    // expectations, and gives the same JSONL twice for a seed.
    void documentedExampleRuns()
    {
        const QByteArray json = documentedExample();
        QVERIFY2(!json.isEmpty(), "docs/LESSONS.md has no <!-- example lesson --> followed by a ```json block");
        QString error;
        const auto lesson = lab::LessonFile::parse(json, QStringLiteral("LESSONS.md example"), &error);
        QVERIFY2(lesson, qPrintable(error));
        QVERIFY(lesson->exchange.isEmpty()); // declarative: no C++ behind it
        QVERIFY(!lesson->expectations.isEmpty());
        auto s = lab::scenarioFromLesson(*lesson, &error);
        QVERIFY2(s, qPrintable(error));
        bool ok = false;
        QStringList findings;
        const QByteArray a = jsonlOf(*s, 5, &ok, &findings);
        QVERIFY2(ok, qPrintable(findings.join(QStringLiteral(" | "))));
        const auto outcomes = dynamic_cast<lab::LessonScenario*>(s.get())->expectationOutcomes();
        QCOMPARE(outcomes.size(), lesson->expectations.size());
        for (const auto& o : outcomes)
            QVERIFY2(o.passed, qPrintable(o.says + QStringLiteral(": got ") + o.actual));
        // Byte-identical for a seed, in fresh processes.
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("invite-through-an-outage.json"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(json);
        f.close();
        bool ok1 = false, ok2 = false;
        const QByteArray x = freshJsonl(QStringLiteral("lesson"), file, 5, &ok1), y = freshJsonl(QStringLiteral("lesson"), file, 5, &ok2);
        QVERIFY(ok1 && ok2);
        QVERIFY(x.count('\n') > 20);
        QVERIFY(x == y);
    }

    // tests/lab/lessons/teacher-options-and-call.json through ladderctl: expectations printed and
    // passed, the file's fault rule acted, the same trace twice; changing one expected number fails
    // the run with exit code 1.
    void ladderctlRunsALessonFile()
    {
        QTemporaryDir dir;
        const QString file = QStringLiteral(LESSON_TESTDATA "/teacher-options-and-call.json");
        const QString t1 = dir.filePath(QStringLiteral("1.jsonl")), t2 = dir.filePath(QStringLiteral("2.jsonl"));
        const Ctl a = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), file, QStringLiteral("--seed"), QStringLiteral("3"),
            QStringLiteral("--trace"), t1 });
        QVERIFY2(a.rc == 0, qPrintable(a.out + a.err));
        QVERIFY2(a.out.contains(QLatin1String("finding: expectation 1: the INVITE is sent 4 times (send sip:INVITE = 4): passed, got 4")),
            qPrintable(a.out));
        QCOMPARE(a.out.count(QRegularExpression(QStringLiteral("expectation \\d+: .*: passed"))), 7);
        QVERIFY2(a.out.contains(QLatin1String("fault rule 1: drop sip:486 (from the lesson)")), qPrintable(a.out));
        QVERIFY2(a.out.contains(QLatin1String("fault rule 1: matched 2 datagram(s), acted on 1")), qPrintable(a.out));
        QVERIFY2(a.out.contains(QLatin1String("final 486")), qPrintable(a.out));
        const Ctl b = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), file, QStringLiteral("--seed"), QStringLiteral("3"),
            QStringLiteral("--trace"), t2 });
        QCOMPARE(b.rc, 0);
        QVERIFY(!readAll(t1).isEmpty());
        QVERIFY(readAll(t1) == readAll(t2));

        QByteArray wrong = readAll(file);
        wrong.replace("\"equals\": 4", "\"equals\": 5");
        const QString wrongFile = dir.filePath(QStringLiteral("wrong.json"));
        QFile w(wrongFile);
        QVERIFY(w.open(QIODevice::WriteOnly));
        w.write(wrong);
        w.close();
        const Ctl c = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), wrongFile, QStringLiteral("--seed"), QStringLiteral("3") });
        QCOMPARE(c.rc, 1);
        QVERIFY2(c.err.contains(QLatin1String("expectation 1: the INVITE is sent 4 times (send sip:INVITE = 5): FAILED, got 4")), qPrintable(c.err));

        // A built-in lesson by name prints its file's expectations too.
        const Ctl d = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), QStringLiteral("prsctp-ttl-rtx-buf"), QStringLiteral("--seed"), QStringLiteral("2") });
        QVERIFY2(d.rc == 0, qPrintable(d.out + d.err));
        QVERIFY2(d.out.contains(QLatin1String("TTL abandons messages (a message abandoned: TTL): passed")), qPrintable(d.out));
    }

    void badFilesSayLineAndField_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        QTest::newRow("loss out of range") << QByteArray("\"jitter_ms\": 5") << QByteArray("\"loss\": 120, \"jitter_ms\": 5")
                                           << QStringLiteral("t.json:19: links[0].loss: expected a number from 0 to 100");
        QTest::newRow("not JSON") << QByteArray("\"duplicate\": 0,") << QByteArray("\"duplicate\": 0,,")
                                  << QStringLiteral("t.json:19:69: not JSON:");
        QTest::newRow("unknown field") << QByteArray("\"rate_bps\"") << QByteArray("\"rate_kbps\"")
                                       << QStringLiteral("t.json:19: links[0].rate_kbps: unknown field");
        QTest::newRow("unsupported link property") << QByteArray("\"jitter_ms\": 5") << QByteArray("\"mtu\": 1400, \"jitter_ms\": 5")
                                                   << QStringLiteral("t.json:19: links[0].mtu: not supported");
        QTest::newRow("unknown peer kind") << QByteArray("\"kind\": \"sip-uas\"") << QByteArray("\"kind\": \"sctp-server\"")
                                           << QStringLiteral("t.json:15: peers[1].kind: expected \"sip-uac\", \"sip-uas\", \"sip-registrar\", \"sip-proxy\" or \"sctp\", not 'sctp-server'");
        QTest::newRow("bad selector") << QByteArray("\"timer sip:A\"") << QByteArray("\"timer sip:Q\"")
                                      << QStringLiteral("t.json:45: expect[1].count: 'sip:Q' is not an RFC 3261 timer");
        QTest::newRow("bad fault") << QByteArray("\"drop sip:486 nth 1\"") << QByteArray("\"drop sip:486 nth zero\"")
                                   << QStringLiteral("t.json:42: faults[0]: ");
        QTest::newRow("unknown peer") << QByteArray("\"call\": { \"to\": \"bob\" }") << QByteArray("\"call\": { \"to\": \"carol\" }")
                                      << QStringLiteral("t.json:23: actions[0].call.to: expected the name of another peer, not 'carol'");
        QTest::newRow("version") << QByteArray("\"version\": 1") << QByteArray("\"version\": 2")
                                 << QStringLiteral("t.json:3: version: version 2 is not supported");
        QTest::newRow("abandoned tsn") << QByteArray("{ \"count\": \"send sip:OPTIONS\", \"equals\": 1 }")
                                       << QByteArray("{ \"abandoned\": { \"tsn\": 7, \"context\": 42 } }")
                                       << QStringLiteral("t.json:50: expect[6].abandoned.tsn: not supported");
        QTest::newRow("unknown exchange") << QByteArray("\"version\": 1,") << QByteArray("\"version\": 1, \"exchange\": \"nope\",")
                                          << QStringLiteral("t.json:3: exchange: no built-in exchange named 'nope'");
        QTest::newRow("exchange with peers") << QByteArray("\"version\": 1,") << QByteArray("\"version\": 1, \"exchange\": \"register\",")
                                             << QStringLiteral("t.json:13: peers: not allowed with \"exchange\"");
    }
    void badFilesSayLineAndField()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, error);
        QByteArray json = readAll(QStringLiteral(LESSON_TESTDATA "/teacher-options-and-call.json"));
        QString why;
        QVERIFY2(lab::LessonFile::parse(json, QStringLiteral("t.json"), &why), qPrintable(why));
        QVERIFY2(json.contains(from), from.constData());
        json.replace(json.indexOf(from), from.size(), to);
        const auto lesson = lab::LessonFile::parse(json, QStringLiteral("t.json"), &why);
        QVERIFY(!lesson);
        QVERIFY2(why.startsWith(error), qPrintable(why));
    }

    // The fields the converted SIP lessons brought (links' "transports", a call's or request's
    // "transport", a call's "end_after_final_ms", an answer's "stack_tags"): a bad value names the
    // line and the field, in the built-in files themselves.
    void badSipFieldsSayLineAndField_data()
    {
        QTest::addColumn<QString>("lesson");
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        const QString nin = QStringLiteral("noninvite-udp-vs-tcp"), cr = QStringLiteral("cancel-ringing");
        QTest::newRow("transports: sctp") << nin << QByteArray("[ \"udp\", \"tcp\" ]") << QByteArray("[ \"udp\", \"sctp\" ]")
                                          << QStringLiteral("t.json:18: links[0].transports[1]: expected \"udp\" or \"tcp\"");
        QTest::newRow("transports: twice") << nin << QByteArray("[ \"udp\", \"tcp\" ]") << QByteArray("[ \"tcp\", \"tcp\" ]")
                                           << QStringLiteral("t.json:18: links[0].transports[1]: 'tcp' is already in the list");
        QTest::newRow("transports: empty") << nin << QByteArray("[ \"udp\", \"tcp\" ]") << QByteArray("[ ]")
                                           << QStringLiteral("t.json:18: links[0].transports: expected a non-empty array");
        QTest::newRow("transport: word") << nin << QByteArray("\"transport\": \"tcp\"") << QByteArray("\"transport\": \"tls\"")
                                         << QStringLiteral("t.json:22: actions[1].request.transport: expected \"udp\" or \"tcp\", not 'tls'");
        QTest::newRow("transport: not on the link") << nin << QByteArray("[ \"udp\", \"tcp\" ]") << QByteArray("[ \"udp\" ]")
                                                    << QStringLiteral("t.json:22: actions[1].request.transport: the link from uac to uas carries no TCP");
        QTest::newRow("end_after_final_ms") << cr << QByteArray("\"end_after_final_ms\": 500") << QByteArray("\"end_after_final_ms\": -5")
                                            << QStringLiteral("t.json:21: actions[0].call.end_after_final_ms: expected an integer from 0 to");
        QTest::newRow("stack_tags") << cr << QByteArray("\"stack_tags\": true") << QByteArray("\"stack_tags\": \"yes\"")
                                    << QStringLiteral("t.json:15: peers[1].answer.stack_tags: expected true or false");
    }
    void badSipFieldsSayLineAndField()
    {
        QFETCH(QString, lesson);
        editIsRefused(QStringLiteral(LESSON_RESOURCES "/%1.json").arg(lesson));
    }

    // SCTP actions after a delivery (tests/lab/lessons/sctp-after-delivery.json): sctp-b's answer
    // leaves exactly 300 ms after the fifth ping arrived (not after the first two, 200 ms earlier),
    // and sctp-a's
    // SCTP_EOF at the instant the answer arrived; the run then ends with the shutdown.
    void sctpActionAfterDelivery()
    {
        QString error;
        const auto lesson = lab::LessonFile::load(QStringLiteral(LESSON_TESTDATA "/sctp-after-delivery.json"), &error);
        QVERIFY2(lesson, qPrintable(error));
        QVERIFY(lesson->actions[3].hasAfter && lesson->actions[4].hasAfter);
        auto s = lab::scenarioFromLesson(*lesson, &error);
        QVERIFY2(s, qPrintable(error));
        Stack stack(Scheduler::Mode::Virtual);
        lab::ScenarioParams params;
        params.seed = 4;
        const lab::RunOutcome outcome = lab::runToEnd(*s, stack, params);
        QVERIFY2(outcome.result.ok, qPrintable(outcome.result.findings.join(QStringLiteral(" | ")) + outcome.result.failure));
        qint64 firstPingIn = -1, lastPingIn = -1, pongOut = -1, pongIn = -1, eofOut = -1;
        stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
            if (e.kind != trace::Kind::SctpPacket)
                return;
            if (e.dir == trace::Dir::Rx && e.raw.contains("early-ping-0") && firstPingIn < 0)
                firstPingIn = e.timeNs;
            if (e.dir == trace::Dir::Rx && e.raw.contains("late-ping-2") && lastPingIn < 0) // the first: T3-rtx may send it again
                lastPingIn = e.timeNs;
            if (e.dir == trace::Dir::Tx && e.raw.contains("pong") && pongOut < 0)
                pongOut = e.timeNs;
            if (e.dir == trace::Dir::Rx && e.raw.contains("pong") && pongIn < 0)
                pongIn = e.timeNs;
            if (e.dir == trace::Dir::Tx && e.raw.size() > 12 && quint8(e.raw[12]) == 7 /* SHUTDOWN */ && eofOut < 0)
                eofOut = e.timeNs;
        });
        QVERIFY(firstPingIn > 0 && lastPingIn > firstPingIn && pongIn > 0);
        QCOMPARE(pongOut - lastPingIn, qint64(300'000'000));
        QVERIFY(eofOut >= pongIn);
        const QStringList f = outcome.result.findings;
        QVERIFY2(!f.filter(QStringLiteral("action 5 after delivered to sctp-a containing 'pong' >= 1 (0.000 s later), at %1 s")
                               .arg(QString::number(double(pongIn) / 1e9, 'f', 3)))
                      .isEmpty(),
            qPrintable(f.join(QStringLiteral(" | "))));
    }

    void badAfterSaysLineAndField_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        QTest::newRow("with at_ms") << QByteArray("{ \"peer\": \"sctp-b\", \"after\"") << QByteArray("{ \"at_ms\": 5, \"peer\": \"sctp-b\", \"after\"")
                                    << QStringLiteral("t.json:23: actions[3].after: \"after\" and \"at_ms\" exclude each other");
        QTest::newRow("no delivered") << QByteArray("\"after\": { \"delivered\": { \"to\": \"sctp-a\", \"containing\": \"pong\" } }")
                                      << QByteArray("\"after\": { \"count\": 2 }")
                                      << QStringLiteral("t.json:25: actions[4].after: missing field 'delivered'");
        QTest::newRow("not an sctp peer") << QByteArray("\"to\": \"sctp-a\", \"containing\": \"pong\"") << QByteArray("\"to\": \"sctp-c\", \"containing\": \"pong\"")
                                          << QStringLiteral("t.json:25: actions[4].after.delivered.to: expected the name of an sctp peer, not 'sctp-c'");
        QTest::newRow("count 0") << QByteArray("\"count\": 5") << QByteArray("\"count\": 0")
                                 << QStringLiteral("t.json:23: actions[3].after.count: expected an integer from 1 to");
        QTest::newRow("unknown filter") << QByteArray("\"containing\": \"pong\"") << QByteArray("\"text\": \"pong\"")
                                        << QStringLiteral("t.json:25: actions[4].after.delivered.text: unknown field");
        QTest::newRow("delay") << QByteArray("\"delay_ms\": 300") << QByteArray("\"delay_ms\": -1")
                               << QStringLiteral("t.json:23: actions[3].after.delay_ms: expected an integer from 0 to");
    }
    void badAfterSaysLineAndField()
    {
        editIsRefused(QStringLiteral(LESSON_TESTDATA "/sctp-after-delivery.json"));
    }

    // A SIP action cannot wait for a delivery (it waits for an answer: "answered").
    void sipActionRefusesAfterADelivery()
    {
        QByteArray json = readAll(QStringLiteral(LESSON_TESTDATA "/teacher-options-and-call.json"));
        const QByteArray call = "{ \"at_ms\": 0, \"peer\": \"alice\"";
        QVERIFY(json.contains(call));
        json.replace(json.indexOf(call), call.size(), "{ \"after\": { \"delivered\": { \"to\": \"bob\" } }, \"peer\": \"alice\"");
        QString why;
        QVERIFY(!lab::LessonFile::parse(json, QStringLiteral("t.json"), &why));
        QVERIFY2(why.contains(QLatin1String(".after.delivered: a SIP action runs after an answer")), qPrintable(why));
    }

    // State triggers on the lab tick ("after": {"up"/"down"/"delivered"}, "ends"), repeat's every_ms,
    // pad, out_of_order, an echoing listener and the composer's socket: a bad value names line and field.
    void badTickFieldsSayLineAndField_data()
    {
        QTest::addColumn<QString>("lesson");
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        const QString u = QStringLiteral("unordered-vs-ordered"), e = QStringLiteral("eof-vs-abort"), s = QStringLiteral("sendall"), p = QStringLiteral("playground");
        QTest::newRow("up: unknown peer") << u << QByteArray("\"up\": \"sctp-a\", \"delay_ms\": 20 }, \"sctp_sendmsg\": { \"data\": \"ordered-")
                                          << QByteArray("\"up\": \"sctp-z\", \"delay_ms\": 20 }, \"sctp_sendmsg\": { \"data\": \"ordered-")
                                          << QStringLiteral("t.json:23: actions[1].after.up: expected the name of an sctp peer the lesson runs, not 'sctp-z'");
        QTest::newRow("up: a number") << u << QByteArray("\"up\": \"sctp-a\"") << QByteArray("\"up\": 5")
                                      << QStringLiteral("t.json:23: actions[1].after.up: expected an sctp peer's name or a non-empty array of them");
        QTest::newRow("down: empty") << e << QByteArray("\"down\": [ \"sctp-eof\", \"sctp-abort\", \"sctp-b\" ]") << QByteArray("\"down\": []")
                                     << QStringLiteral("t.json:68: ends.down: expected an sctp peer's name or a non-empty array of them");
        QTest::newRow("tick trigger: answered") << u << QByteArray("\"up\": \"sctp-a\", \"delay_ms\": 20 }")
                                                << QByteArray("\"up\": \"sctp-a\", \"answered\": 1 }")
                                                << QStringLiteral("t.json:23: actions[1].after.answered: an SCTP action or the run's end waits on SCTP state");
        QTest::newRow("tick trigger: delay") << u << QByteArray("\"delay_ms\": 20") << QByteArray("\"delay_ms\": -20")
                                             << QStringLiteral("t.json:23: actions[1].after.delay_ms: expected an integer from 0 to");
        QTest::newRow("every_ms without repeat") << s << QByteArray("\"data\": \"hello, everyone\",") << QByteArray("\"data\": \"hello, everyone\", \"every_ms\": 20,")
                                                 << QStringLiteral("t.json:29: actions[6].sctp_sendmsg.every_ms: spaces the calls of a \"repeat\": expected repeat 2 or more");
        QTest::newRow("every_ms 0") << u << QByteArray("\"every_ms\": 20") << QByteArray("\"every_ms\": 0")
                                    << QStringLiteral("t.json:23: actions[1].sctp_sendmsg.every_ms: expected an integer from 1 to");
        QTest::newRow("pad: two characters") << e << QByteArray("\"pad\": \"e\"") << QByteArray("\"pad\": \"ee\"")
                                             << QStringLiteral("t.json:25: actions[2].sctp_sendmsg.pad: expected one printable ASCII character");
        QTest::newRow("ends: a word") << p << QByteArray("\"ends\": \"never\"") << QByteArray("\"ends\": \"sometimes\"")
                                      << QStringLiteral("t.json:34: ends: expected \"never\" or a condition");
        QTest::newRow("ends: count alone") << u << QByteArray("\"ends\": { \"delivered\": { \"to\": \"sctp-b\" }, \"count\": 60 }")
                                           << QByteArray("\"ends\": { \"count\": 60 }")
                                           << QStringLiteral("t.json:26: ends.count: counts the messages of \"delivered\", which is missing");
        QTest::newRow("ends: nothing") << u << QByteArray("\"ends\": { \"delivered\": { \"to\": \"sctp-b\" }, \"count\": 60 }")
                                       << QByteArray("\"ends\": { \"delay_ms\": 60 }")
                                       << QStringLiteral("t.json:26: ends: expected at least one of \"up\", \"down\", \"delivered\"");
        QTest::newRow("ends: delivered to nobody") << s << QByteArray("{ \"to\": \"client-3\" } ]") << QByteArray("{ \"to\": \"client-9\" } ]")
                                                   << QStringLiteral("t.json:31: ends.delivered[2].to: expected the name of an sctp peer the lesson runs, not 'client-9'");
        QTest::newRow("ends with an exchange") << QStringLiteral("addr-over") << QByteArray("\"exchange\": \"addr-over\",")
                                               << QByteArray("\"exchange\": \"addr-over\", \"ends\": \"never\",")
                                               << QStringLiteral("t.json:19: ends: not allowed with \"exchange\": the built-in exchange 'addr-over' sets up its own peers, links and traffic, and ends when it is done");
        QTest::newRow("echo without listen") << p << QByteArray("\"port\": 7, \"listen\": true, \"echo\": true") << QByteArray("\"port\": 7, \"echo\": true")
                                             << QStringLiteral("t.json:23: peers[6].echo: only a listening peer echoes");
        QTest::newRow("composer listens") << p << QByteArray("\"port\": 5000, \"composer\": true") << QByteArray("\"port\": 5000, \"listen\": true, \"composer\": true")
                                          << QStringLiteral("t.json:24: peers[7].composer: the composer's socket does not listen");
        QTest::newRow("two composers") << p << QByteArray("\"port\": 5000, \"composer\": true }")
                                       << QByteArray("\"port\": 5000, \"composer\": true }, { \"kind\": \"sctp\", \"name\": \"sctp-c\", \"host\": \"10.0.0.1\", \"composer\": true }")
                                       << QStringLiteral("t.json:24: peers[8].composer: sctp-a is already the composer's socket");
        QTest::newRow("socket after connect") << s << QByteArray("\"peer\": \"client-1\", \"socket\": {} },\n    { \"at_ms\": 0, \"peer\": \"client-1\", \"connect\": { \"to\": \"sctp-b\" } },")
                                              << QByteArray("\"peer\": \"client-1\", \"connect\": { \"to\": \"sctp-b\" } },\n    { \"at_ms\": 0, \"peer\": \"client-1\", \"socket\": {} },")
                                              << QStringLiteral("t.json:24: actions[1].socket: opens client-1's socket: it must be client-1's first action");
        QTest::newRow("socket with fields") << s << QByteArray("\"peer\": \"client-2\", \"socket\": {}") << QByteArray("\"peer\": \"client-2\", \"socket\": { \"port\": 4000 }")
                                            << QStringLiteral("t.json:25: actions[2].socket.port: unknown field");
        QTest::newRow("acting on the composer") << s << QByteArray("\"name\": \"client-1\", \"host\": \"10.0.0.1\", \"style\": \"one-to-one\" }")
                                                << QByteArray("\"name\": \"client-1\", \"host\": \"10.0.0.1\", \"style\": \"one-to-one\", \"composer\": true }")
                                                << QStringLiteral("t.json:23: actions[0].peer: client-1 is the composer's socket: the lesson does not act on it");
        QTest::newRow("out_of_order to nobody") << u << QByteArray("\"out_of_order\": { \"to\": \"sctp-b\", \"stream\": 0 }")
                                                << QByteArray("\"out_of_order\": { \"to\": \"nobody\", \"stream\": 0 }")
                                                << QStringLiteral("t.json:30: expect[2].out_of_order.to: expected the name of an sctp peer, not 'nobody'");
        QTest::newRow("out_of_order filter") << u << QByteArray("\"out_of_order\": { \"to\": \"sctp-b\", \"stream\": 0 }")
                                             << QByteArray("\"out_of_order\": { \"to\": \"sctp-b\", \"ssn\": 0 }")
                                             << QStringLiteral("t.json:30: expect[2].out_of_order.ssn: unknown field");
        const QString b = QStringLiteral("prsctp-ttl-rtx-buf");
        QTest::newRow("link: no such peer") << b << QByteArray("\"link\": { \"from\": \"sctp-b\", \"to\": \"sctp-a\"")
                                            << QByteArray("\"link\": { \"from\": \"sctp-c\", \"to\": \"sctp-a\"")
                                            << QStringLiteral("t.json:27: actions[3].link.from: no peer named 'sctp-c'");
        QTest::newRow("link: a peer") << b << QByteArray("{ \"after\": { \"ran\"") << QByteArray("{ \"peer\": \"sctp-a\", \"after\": { \"ran\"")
                                      << QStringLiteral("t.json:68: actions[44].peer: a link action changes a link, not a peer's doing");
        QTest::newRow("link: down") << b << QByteArray("\"one_way\": true, \"up\": false }") << QByteArray("\"one_way\": true, \"down\": [] }")
                                    << QStringLiteral("t.json:26: actions[2].link.down: a link action takes the direction down now");
        QTest::newRow("link: up not a bool") << b << QByteArray("\"up\": false }") << QByteArray("\"up\": 0 }")
                                             << QStringLiteral("t.json:26: actions[2].link.up: expected true or false");
        QTest::newRow("link: bad loss") << b << QByteArray("\"one_way\": true, \"up\": false }") << QByteArray("\"one_way\": true, \"loss\": 150 }")
                                        << QStringLiteral("t.json:26: actions[2].link.loss: expected a number from 0 to 100");
        QTest::newRow("link: not wired") << b << QByteArray("\"link\": { \"from\": \"sctp-b\", \"to\": \"sctp-a\"")
                                         << QByteArray("\"link\": { \"from\": \"sctp-b\", \"to\": \"sctp-b\"")
                                         << QStringLiteral("t.json:27: actions[3].link.to: no link from sctp-b to sctp-b in \"links\" to change");
        QTest::newRow("link: with at_ms") << b << QByteArray("{ \"after\": { \"ran\"") << QByteArray("{ \"at_ms\": 5, \"after\": { \"ran\"")
                                          << QStringLiteral("t.json:68: actions[44].after: \"after\" and \"at_ms\" exclude each other");
        QTest::newRow("ran: no such action") << b << QByteArray("\"ran\": { \"action\": 3, \"ms\": 600 }") << QByteArray("\"ran\": { \"action\": 99, \"ms\": 600 }")
                                             << QStringLiteral("t.json:68: actions[44].after.ran.action: no action 99 in \"actions\"");
        QTest::newRow("ran: no action") << b << QByteArray("\"ran\": { \"action\": 3, \"ms\": 600 }") << QByteArray("\"ran\": { \"ms\": 600 }")
                                        << QStringLiteral("t.json:68: actions[44].after.ran: missing field 'action'");
        QTest::newRow("ran: ms") << b << QByteArray("\"action\": 45, \"ms\": 520") << QByteArray("\"action\": 45, \"ms\": -1")
                                 << QStringLiteral("t.json:70: ends.ran.ms: expected an integer from 0 to");
        QTest::newRow("SIP host twice") << p << QByteArray("\"name\": \"uas\", \"host\": \"10.0.0.2\"") << QByteArray("\"name\": \"uas\", \"host\": \"10.0.0.1\"")
                                        << QStringLiteral("t.json:18: peers[1].host: 10.0.0.1 is already a SIP peer's address");
    }
    void badTickFieldsSayLineAndField()
    {
        QFETCH(QString, lesson);
        editIsRefused(QStringLiteral(LESSON_RESOURCES "/%1.json").arg(lesson));
    }

    // unordered-vs-ordered from its file: the sends wait for the association on the 20 ms lab tick
    // (the first on the tick after it came up, then one pair per tick), the run ends on the tick
    // the 60th message is in, and the inversions are counted by out_of_order.
    void tickTriggersRunOnTheTick()
    {
        QString error;
        auto s = lab::createScenario(QStringLiteral("unordered-vs-ordered"), &error);
        QVERIFY2(s, qPrintable(error));
        Stack stack(Scheduler::Mode::Virtual);
        lab::ScenarioParams params;
        params.seed = 3;
        const lab::RunOutcome outcome = lab::runToEnd(*s, stack, params);
        const QString all = outcome.result.findings.join(QStringLiteral(" | "));
        QVERIFY2(outcome.result.ok, qPrintable(all + outcome.result.failure));
        const QStringList first = outcome.result.findings.filter(QRegularExpression(QStringLiteral("^action 2 after sctp-a up \\(on the tick, 0.020 s later\\), at ")));
        QVERIFY2(first.size() == 1, qPrintable(all));
        const double at = QRegularExpression(QStringLiteral("at ([0-9.]+) s")).match(first[0]).captured(1).toDouble();
        QCOMPARE(qRound64(at * 1000) % 20, qint64(0));
        QVERIFY2(first[0].contains(QLatin1String("sctp_sendmsg 30 of 30")), qPrintable(first[0]));
        const auto outcomes = dynamic_cast<lab::LessonScenario*>(s.get())->expectationOutcomes();
        QCOMPARE(outcomes.size(), 4);
        QCOMPARE(outcomes[2].actual, QStringLiteral("0"));
        QVERIFY(outcomes[3].actual.toInt() >= 1);
    }

    // prsctp-ttl-rtx-buf from its file: the link changes on the tick — down (and lossy both ways) on
    // the tick the warm-up is in plus 80 ms, back up 600 ms after that ("ran") — and the run ends
    // once the reliable messages are in and more than 500 ms have passed since.
    void linkActionsOnTheTick()
    {
        QString error;
        auto s = lab::createScenario(QStringLiteral("prsctp-ttl-rtx-buf"), &error);
        QVERIFY2(s, qPrintable(error));
        Stack stack(Scheduler::Mode::Virtual);
        lab::ScenarioParams params;
        params.seed = 5;
        const lab::RunOutcome outcome = lab::runToEnd(*s, stack, params);
        const QStringList f = outcome.result.findings;
        QVERIFY2(outcome.result.ok, qPrintable(f.join(QStringLiteral(" | ")) + outcome.result.failure));
        auto at = [&](const QString& start) {
            const QStringList l = f.filter(QRegularExpression(QStringLiteral("^") + QRegularExpression::escape(start)));
            return l.size() == 1 ? qRound64(QRegularExpression(QStringLiteral(", at ([0-9.]+) s:")).match(l[0]).captured(1).toDouble() * 1000) : qint64(-1);
        };
        const qint64 down = at(QStringLiteral("action 3 after sctp-a up and delivered")), back = at(QStringLiteral("action 45 after action 3 ran 600 ms before"));
        QVERIFY2(down > 0 && down % 20 == 0, qPrintable(f.join(QStringLiteral(" | "))));
        QCOMPARE(back, down + 600);
        QVERIFY(f.filter(QStringLiteral("link sctp-a -> sctp-b: loss 15%, delay 20 ms, down")).size() == 1);
        QVERIFY(f.filter(QStringLiteral("link sctp-a -> sctp-b: loss 15%, delay 20 ms")).size() == 2);
        QVERIFY(stack.scheduler().nowNs() >= (back + 520) * 1'000'000);
    }

    // The playground from its file never ends by itself ("ends": "never") and gives the composer
    // its SIP stack and its SCTP socket.
    void playgroundNeverEnds()
    {
        QString error;
        auto s = lab::createScenario(QStringLiteral("playground"), &error);
        QVERIFY2(s, qPrintable(error));
        const auto* file = dynamic_cast<const lab::LessonScenario*>(s.get());
        QCOMPARE(file->lessonFile().ends, lab::Lesson::Ends::Never);
        QCOMPARE(file->lessonFile().composerSctp, QStringLiteral("sctp-a"));
        Stack stack(Scheduler::Mode::Virtual);
        lab::ScenarioParams params;
        params.seed = 1;
        params.durationS = 2;
        s->start(stack, params);
        QVERIFY(s->composerSipStack());
        QVERIFY(s->composerSctpEngine());
        QVERIFY(s->composerSctpDescriptor() >= 0);
        stack.scheduler().advanceBy(1'500'000'000);
        QVERIFY(!s->finished());
        s->stop();
    }

    // The registrar peer, the register action and "after": {"answered"} (resources/lessons/register.json):
    // a bad value names the line and the field.
    void badRegisterFieldsSayLineAndField_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        QTest::newRow("max_expires 0") << QByteArray("\"max_expires\": 3600") << QByteArray("\"max_expires\": 0")
                                       << QStringLiteral("t.json:15: peers[1].max_expires: expected an integer from 1 to 4294967295");
        QTest::newRow("registrar field") << QByteArray("\"max_expires\": 3600") << QByteArray("\"answer\": {}")
                                         << QStringLiteral("t.json:15: peers[1].answer: unknown field");
        QTest::newRow("expires") << QByteArray("\"expires\": 3600") << QByteArray("\"expires\": -1")
                                 << QStringLiteral("t.json:21: actions[0].register.expires: expected an integer from 0 to 4294967295");
        QTest::newRow("aor") << QByteArray("\"contact\": \"<sip:uac@10.0.0.1:5060>\", \"expires\": 3600") << QByteArray("\"aor\": \"uac@10.0.0.1\"")
                             << QStringLiteral("t.json:21: actions[0].register.aor: expected a SIP URI");
        QTest::newRow("contact line break") << QByteArray("\"contact\": \"<sip:uac@10.0.0.1:5060>\", \"expires\": 3600")
                                            << QByteArray("\"contact\": \"<sip:a@b>\\r\\nX-Evil: 1\"")
                                            << QStringLiteral("t.json:21: actions[0].register.contact: expected one line");
        QTest::newRow("register to nobody") << QByteArray("\"register\": { \"to\": \"registrar\" }") << QByteArray("\"register\": { \"to\": \"carol\" }")
                                            << QStringLiteral("t.json:22: actions[1].register.to: expected the name of another peer, not 'carol'");
        QTest::newRow("answered later") << QByteArray("\"answered\": 1") << QByteArray("\"answered\": 3")
                                        << QStringLiteral("t.json:22: actions[1].after.answered: expected the number of an earlier action, 1 to 1");
        QTest::newRow("answered 0") << QByteArray("\"answered\": 1") << QByteArray("\"answered\": 0")
                                    << QStringLiteral("t.json:22: actions[1].after.answered: expected an integer from 1 to 1000000");
        QTest::newRow("after and at_ms") << QByteArray("{ \"after\": { \"answered\": 1") << QByteArray("{ \"at_ms\": 5, \"after\": { \"answered\": 1")
                                         << QStringLiteral("t.json:22: actions[1].after: \"after\" and \"at_ms\" exclude each other");
        QTest::newRow("after without answered") << QByteArray("\"answered\": 1, ") << QByteArray("")
                                                << QStringLiteral("t.json:22: actions[1].after: missing field 'answered'");
        QTest::newRow("auth without users") << QByteArray("\"max_expires\": 3600") << QByteArray("\"auth\": { \"realm\": \"lab\" }")
                                            << QStringLiteral("t.json:15: peers[1].auth: missing field 'users'");
        QTest::newRow("auth no user") << QByteArray("\"max_expires\": 3600") << QByteArray("\"auth\": { \"realm\": \"lab\", \"users\": { } }")
                                      << QStringLiteral("t.json:15: peers[1].auth.users: expected at least one user and password");
        QTest::newRow("auth password") << QByteArray("\"max_expires\": 3600") << QByteArray("\"auth\": { \"realm\": \"lab\", \"users\": { \"uac\": 7 } }")
                                       << QStringLiteral("t.json:15: peers[1].auth.users.uac: expected a user name and its password as a string");
        QTest::newRow("credentials user") << QByteArray("\"expires\": 3600") << QByteArray("\"expires\": 3600, \"credentials\": { \"password\": \"x\" }")
                                          << QStringLiteral("t.json:21: actions[0].register.credentials: missing field 'user'");
    }
    void badRegisterFieldsSayLineAndField()
    {
        editIsRefused(QStringLiteral(LESSON_RESOURCES "/register.json"));
    }

    // The forking proxy peer (resources/lessons/forking-with-flag.json): a bad value names the line and the field.
    void badProxyFieldsSayLineAndField_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        const QByteArray targets = "\"targets\": [ \"uas-a\", \"uas-b\" ]";
        QTest::newRow("unknown field") << targets << QByteArray("\"x\": 1")
                                    << QStringLiteral("t.json:15: peers[1].x: unknown field (known here: kind, name, host, targets)");
        QTest::newRow("targets missing") << (", " + targets) << QByteArray()
                                         << QStringLiteral("t.json:15: peers[1]: missing field 'targets'");
        QTest::newRow("targets empty") << targets << QByteArray("\"targets\": [ ]")
                                       << QStringLiteral("t.json:15: peers[1].targets: expected a non-empty array of peer names");
        QTest::newRow("target twice") << targets << QByteArray("\"targets\": [ \"uas-a\", \"uas-a\" ]")
                                      << QStringLiteral("t.json:15: peers[1].targets[1]: 'uas-a' is already in the list");
        QTest::newRow("target unknown") << targets << QByteArray("\"targets\": [ \"uas-a\", \"uas-c\" ]")
                                        << QStringLiteral("t.json:15: peers[1].targets[1]: expected the name of another SIP peer, not 'uas-c'");
        QTest::newRow("target itself") << targets << QByteArray("\"targets\": [ \"proxy\" ]")
                                       << QStringLiteral("t.json:15: peers[1].targets[0]: expected the name of another SIP peer, not 'proxy'");
        QTest::newRow("target not linked") << QByteArray("{ \"from\": \"proxy\", \"to\": \"uas-b\", \"delay_ms\": 25 }")
                                           << QByteArray("{ \"from\": \"uac\", \"to\": \"uas-b\", \"delay_ms\": 25 }")
                                           << QStringLiteral("t.json:15: peers[1].targets[1]: no link from proxy to uas-b in \"links\"");
        QTest::newRow("tcp") << QByteArray("{ \"from\": \"proxy\", \"to\": \"uas-a\" }")
                             << QByteArray("{ \"from\": \"proxy\", \"to\": \"uas-a\", \"transports\": [ \"udp\", \"tcp\" ] }")
                             << QStringLiteral("t.json:21: links[1].transports: a sip-proxy's links carry UDP only");
    }
    void badProxyFieldsSayLineAndField()
    {
        editIsRefused(QStringLiteral(LESSON_RESOURCES "/forking-with-flag.json"));
    }

    // A registrar with "auth" and REGISTERs with "credentials" (tests/lab/lessons/register-with-credentials.json):
    // each REGISTER is challenged 401 and sent again (same Call-ID, next CSeq) with an Authorization
    // the registrar accepts; the run's JSONL is the same for a seed in fresh processes. A wrong
    // password ends in a second 401 (the challenge is answered once) and fails the run; without
    // credentials the 401 is the answer, and the unregister is not run.
    void registerWithCredentials()
    {
        const QString path = QStringLiteral(LESSON_TESTDATA "/register-with-credentials.json");
        auto run = [](const QByteArray& json, bool* ok) {
            QString error;
            const auto lesson = lab::LessonFile::parse(json, QStringLiteral("t.json"), &error);
            if (!lesson)
                return error;
            auto s = lab::scenarioFromLesson(*lesson, &error);
            Stack stack(Scheduler::Mode::Virtual);
            lab::ScenarioParams params;
            params.seed = 2;
            const lab::RunOutcome o = lab::runToEnd(*s, stack, params);
            *ok = o.result.ok;
            QStringList cseqs;
            stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.text.startsWith(QLatin1String("REGISTER ")))
                    cseqs << QString::fromUtf8(e.raw.mid(e.raw.indexOf("CSeq: ") + 6, 1)) + (e.raw.contains("Authorization: Digest") ? QStringLiteral("+auth") : QString());
            });
            return cseqs.join(QLatin1Char(',')) + QStringLiteral(" | ") + o.result.findings.join(QStringLiteral(" | ")) + o.result.failure;
        };
        const QByteArray json = readAll(path);
        bool ok = false;
        QString all = run(json, &ok);
        QVERIFY2(ok, qPrintable(all));
        QVERIFY2(all.startsWith(QLatin1String("1,2+auth,3,4+auth | ")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("answered 401, sent again with credentials (CSeq 2), final 200, 1 Contact(s) in the response")), qPrintable(all));

        QByteArray wrong = json;
        wrong.replace("\"password\": \"secret\" } } },", "\"password\": \"guess\" } } },");
        QVERIFY(wrong != json);
        all = run(wrong, &ok);
        QVERIFY2(!ok, qPrintable(all));
        QVERIFY2(all.startsWith(QLatin1String("1,2+auth | ")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("sent again with credentials (CSeq 2), final 401")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("never: not run: action 1 was answered 401")), qPrintable(all));

        QByteArray none = json;
        none.replace(", \"credentials\": { \"user\": \"uac\", \"password\": \"secret\" } } },", " } },");
        QVERIFY(none != json);
        all = run(none, &ok);
        QVERIFY2(!ok, qPrintable(all));
        QVERIFY2(all.startsWith(QLatin1String("1 | ")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("never: not run: action 1 was answered 401")), qPrintable(all));

        bool ok1 = false, ok2 = false;
        const QByteArray a = freshJsonl(QStringLiteral("lesson"), path, 5, &ok1);
        const QByteArray b = freshJsonl(QStringLiteral("lesson"), path, 5, &ok2);
        QVERIFY(ok1 && ok2);
        QVERIFY(a.contains("\"text\":\"SIP/2.0 401 ")); // raw bytes are base64 in the JSONL: the challenge is there
        QVERIFY(a == b);
    }

    // The declarative register lesson: one Call-ID and From tag for the three REGISTERs, CSeq 1, 2, 3,
    // each sent 1 s after the previous one's 200, and the findings say how many Contacts each 200
    // listed (the exchange's check: 1, 1, 0). With the registrar answering 404 nothing follows the
    // first REGISTER and the run fails, saying why.
    void registerLessonRuns()
    {
        QString error;
        auto s = lab::createScenario(QStringLiteral("register"), &error);
        QVERIFY2(s, qPrintable(error));
        Stack stack(Scheduler::Mode::Virtual);
        lab::ScenarioParams params;
        params.seed = 3;
        const lab::RunOutcome outcome = lab::runToEnd(*s, stack, params);
        const QString all = outcome.result.findings.join(QStringLiteral(" | ")) + outcome.result.failure;
        QVERIFY2(outcome.result.ok, qPrintable(all));
        QList<qint64> sent;
        QSet<QByteArray> callIds, fromTags;
        QList<QByteArray> cseqs;
        stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
            if (e.kind != trace::Kind::SipMessage || e.dir != trace::Dir::Tx || !e.text.startsWith(QLatin1String("REGISTER ")))
                return;
            sent << e.timeNs;
            for (const QByteArray& line : e.raw.split('\n')) {
                if (line.startsWith("Call-ID:"))
                    callIds << line.trimmed();
                if (line.startsWith("From:"))
                    fromTags << line.mid(line.indexOf(";tag=")).trimmed();
                if (line.startsWith("CSeq:"))
                    cseqs << line.trimmed();
            }
        });
        QCOMPARE(sent.size(), 3);
        QCOMPARE(callIds.size(), 1);
        QCOMPARE(fromTags.size(), 1);
        QCOMPARE(cseqs, (QList<QByteArray> { "CSeq: 1 REGISTER", "CSeq: 2 REGISTER", "CSeq: 3 REGISTER" }));
        QCOMPARE(sent[1] - sent[0], qint64(1'030'000'000)); // the 200 back after 2 x 15 ms, then 1 s
        QCOMPARE(sent[2] - sent[1], qint64(1'030'000'000));
        for (const QString& want : { QStringLiteral("action 1 at 0.000 s: uac sends REGISTER sip:uac@10.0.0.1 to registrar (CSeq 1, Contact <sip:uac@10.0.0.1:5060>, Expires 3600), transaction "),
                 QStringLiteral("action 2 after action 1 was answered 2xx (1.000 s later), at 1.030 s: uac sends REGISTER sip:uac@10.0.0.1 to registrar (CSeq 2, no Contact: a query)"),
                 QStringLiteral("(CSeq 3, Contact <sip:uac@10.0.0.1:5060>, Expires 0), transaction "), QStringLiteral("final 200, 1 Contact(s) in the response | REGISTER sent once, at 0.000 s"),
                 QStringLiteral("final 200, 0 Contact(s) in the response | REGISTER sent once, at 2.060 s") })
            QVERIFY2(all.contains(want), qPrintable(want + QStringLiteral(" not in: ") + all));

        // The first action an OPTIONS, which the registrar answers 405: the query and the unregister
        // never run, and the run says so.
        QByteArray json = readAll(QStringLiteral(LESSON_RESOURCES "/register.json"));
        const QByteArray first = "\"register\": { \"to\": \"registrar\", \"contact\": \"<sip:uac@10.0.0.1:5060>\", \"expires\": 3600 }";
        QVERIFY(json.contains(first));
        json.replace(json.indexOf(first), first.size(), "\"request\": { \"to\": \"registrar\", \"method\": \"OPTIONS\" }");
        const auto lesson = lab::LessonFile::parse(json, QStringLiteral("t.json"), &error);
        QVERIFY2(lesson, qPrintable(error));
        auto refused = lab::scenarioFromLesson(*lesson, &error);
        Stack stack2(Scheduler::Mode::Virtual);
        const lab::RunOutcome o2 = lab::runToEnd(*refused, stack2, params);
        const QString all2 = o2.result.findings.join(QStringLiteral(" | ")) + o2.result.failure;
        QVERIFY2(!o2.result.ok, qPrintable(all2));
        QVERIFY2(all2.contains(QLatin1String("action 2 after action 1 was answered 2xx (1.000 s later), never: not run: action 1 was answered 405")), qPrintable(all2));
        QVERIFY2(all2.contains(QLatin1String("never: not run: action 2 did not run")), qPrintable(all2));
        QVERIFY2(!o2.timedOut, qPrintable(QString::number(o2.ranForS))); // ended once nothing was left, not at the duration
    }

    // A declarative SCTP lesson (resources/lessons/prsctp-declarative.json: sockets, PR-SCTP sends,
    // SCTP_EOF, all from the file): it runs, each expectation passes with what the run showed, the
    // same seed gives the same JSONL in fresh processes (another seed does not), and an
    // expectation the run does not meet fails the run with its line.
    void declarativeSctpLessonRuns()
    {
        QString error;
        const auto lesson = lab::LessonFile::load(lab::LessonFile::builtinPath(QStringLiteral("prsctp-declarative")), &error);
        QVERIFY2(lesson, qPrintable(error));
        QVERIFY(lesson->exchange.isEmpty());
        QCOMPARE(lesson->peers.size(), 2);
        QCOMPARE(lesson->peers[1].kind, lab::LessonPeer::Kind::Sctp);
        QVERIFY(lesson->peers[1].listen);
        QCOMPARE(lesson->actions[1].kind, lab::LessonAction::Kind::SctpSendmsg);
        QCOMPARE(lesson->actions[1].sctpFlags, quint32(1)); // SCTP_PR_SCTP_TTL
        QCOMPARE(lesson->actions[4].sctpFlags, quint32(0x100)); // SCTP_EOF
        auto s = lab::scenarioFromLesson(*lesson, &error);
        QVERIFY2(s, qPrintable(error));
        bool ok = false;
        QStringList findings;
        const QByteArray a = jsonlOf(*s, 4, &ok, &findings);
        QVERIFY2(ok, qPrintable(findings.join(QStringLiteral(" | "))));
        QVERIFY(a.contains("\"kind\":\"sctp.abandon\""));
        const auto outcomes = dynamic_cast<lab::LessonScenario*>(s.get())->expectationOutcomes();
        QCOMPARE(outcomes.size(), lesson->expectations.size());
        for (const auto& o : outcomes)
            QVERIFY2(o.passed, qPrintable(o.says + QStringLiteral(": got ") + o.actual));
        QCOMPARE(outcomes[4].actual, QStringLiteral("10")); // the reliable messages, counted at sctp-b
        QVERIFY(findings.contains(QStringLiteral("action 1 at 0.000 s: sctp-a connects to sctp-b (10.0.0.2:5000), association 1")));
        QVERIFY2(findings.filter(QStringLiteral("sctp_sendmsg x10 (no flags, PR TTL 150 ms, stream 0, context 100-109): accepted")).size() == 1,
            qPrintable(findings.join(QStringLiteral(" | "))));

        bool ok1 = false, ok2 = false, ok3 = false;
        const QByteArray x = freshJsonl(QStringLiteral("lesson"), QStringLiteral("prsctp-declarative"), 9, &ok1);
        const QByteArray y = freshJsonl(QStringLiteral("lesson"), QStringLiteral("prsctp-declarative"), 9, &ok2);
        const QByteArray z = freshJsonl(QStringLiteral("lesson"), QStringLiteral("prsctp-declarative"), 10, &ok3);
        QVERIFY(ok1 && ok2 && ok3);
        QVERIFY(x.count('\n') > 100);
        QVERIFY(x == y);
        QVERIFY(x != z);

        // One expected number the run does not meet: the run fails, saying which and what it got.
        QTemporaryDir dir;
        QByteArray wrong = readAll(QStringLiteral(LESSON_RESOURCES "/prsctp-declarative.json"));
        QVERIFY(wrong.contains("\"equals\": 10"));
        wrong.replace("\"equals\": 10", "\"equals\": 11");
        const QString wrongFile = dir.filePath(QStringLiteral("wrong.json"));
        QFile w(wrongFile);
        QVERIFY(w.open(QIODevice::WriteOnly));
        w.write(wrong);
        w.close();
        const Ctl c = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), wrongFile, QStringLiteral("--seed"), QStringLiteral("4") });
        QCOMPARE(c.rc, 1);
        QVERIFY2(c.err.contains(QLatin1String("expectation 5: every reliable message arrives (delivered to sctp-b on stream 1 containing "
                                              "'reliable-' = 11): FAILED, got 10")),
            qPrintable(c.err));
    }

    // tests/lab/lessons/sctp-every-flag.json: two one-to-one clients (one bound to port 4000) and a
    // one-to-many one against a one-to-many server — SCTP_UNORDERED, SCTP_ADDR_OVER with
    // SCTP_SACK_IMMEDIATELY and a PPID, BUF and PRIO, an implicit association, SCTP_SENDALL from
    // the server, then shutdown(2), SCTP_ABORT and SCTP_EOF. Every expectation passes, and the wire
    // shows what the file asked for.
    void everySctpFlagFromAFile()
    {
        QString error;
        const auto lesson = lab::LessonFile::load(QStringLiteral(LESSON_TESTDATA "/sctp-every-flag.json"), &error);
        QVERIFY2(lesson, qPrintable(error));
        auto s = lab::scenarioFromLesson(*lesson, &error);
        QVERIFY2(s, qPrintable(error));
        bool ok = false;
        QStringList findings;
        const QByteArray jsonl = jsonlOf(*s, 2, &ok, &findings);
        QVERIFY2(ok, qPrintable(findings.join(QStringLiteral(" | "))));
        const auto outcomes = dynamic_cast<lab::LessonScenario*>(s.get())->expectationOutcomes();
        QCOMPARE(outcomes.size(), 10);
        for (const auto& o : outcomes)
            QVERIFY2(o.passed, qPrintable(o.says + QStringLiteral(": got ") + o.actual));
        for (const char* line : { "c1 sctp_sendmsg (ADDR_OVER|SACK_IMMEDIATELY, stream 0, context 0): accepted",
                 "server sctp_sendmsg (SENDALL, stream 0, context 0): accepted", "c1 shuts its association down (shutdown(2))",
                 "c2 sctp_sendmsg (ABORT, stream 0, context 0): accepted", "server: 7 message(s) received" })
            QVERIFY2(!findings.filter(QLatin1String(line)).isEmpty(), line);
        QVERIFY(jsonl.contains("PPID=51, len=9")); // the addr-over message, its PPID on the wire as written
        QVERIFY(jsonl.contains("4000 \xe2\x86\x92 5000")); // c2 bound the port the file gave it
        QVERIFY(jsonl.contains("\"text\":\"ABORT"));
    }

    // What the SCTP part of the reader refuses, with the file's line and the field's JSON path.
    void badSctpFilesSayLineAndField_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown flag") << QByteArray("[ \"SCTP_PR_SCTP_TTL\" ]") << QByteArray("[ \"SCTP_PR_SCTP_LIFETIME\" ]")
                                      << QStringLiteral("t.json:27: actions[1].sctp_sendmsg.flags[0]: 'SCTP_PR_SCTP_LIFETIME' is not an sctp_sendmsg(3) flag");
        QTest::newRow("two policies") << QByteArray("[ \"SCTP_PR_SCTP_TTL\" ]") << QByteArray("[ \"SCTP_PR_SCTP_TTL\", \"SCTP_PR_SCTP_RTX\" ]")
                                      << QStringLiteral("t.json:27: actions[1].sctp_sendmsg.flags[1]: a message has one PR-SCTP policy");
        QTest::newRow("EOF and ABORT") << QByteArray("[ \"SCTP_EOF\" ]") << QByteArray("[ \"SCTP_EOF\", \"SCTP_ABORT\" ]")
                                       << QStringLiteral("t.json:30: actions[4].sctp_sendmsg.flags: SCTP_EOF and SCTP_ABORT exclude each other");
        QTest::newRow("ADDR_OVER without to") << QByteArray("[ \"SCTP_PR_SCTP_RTX\" ]") << QByteArray("[ \"SCTP_PR_SCTP_RTX\", \"SCTP_ADDR_OVER\" ]")
                                              << QStringLiteral("t.json:28: actions[2].sctp_sendmsg.flags: SCTP_ADDR_OVER needs \"to\"");
        QTest::newRow("policy without timetolive") << QByteArray("\"timetolive\": 150, ") << QByteArray()
                                                   << QStringLiteral("t.json:27: actions[1].sctp_sendmsg.flags: a PR-SCTP policy needs \"timetolive\"");
        QTest::newRow("connect to a non-listener") << QByteArray("\"connect\": { \"to\": \"sctp-b\" }") << QByteArray("\"connect\": { \"to\": \"sctp-a\" }")
                                                   << QStringLiteral("t.json:26: actions[0].connect.to: expected the name of a listening sctp peer, not 'sctp-a'");
        QTest::newRow("listener connects") << QByteArray("\"peer\": \"sctp-a\", \"connect\"") << QByteArray("\"peer\": \"sctp-b\", \"connect\"")
                                           << QStringLiteral("t.json:26: actions[0].peer: sctp-b is a one-to-one listener: it accepts associations, it does not connect");
        QTest::newRow("style") << QByteArray("\"style\": \"one-to-one\",\n") << QByteArray("\"style\": \"one-to-some\",\n")
                               << QStringLiteral("t.json:16: peers[0].style: expected \"one-to-one\" (SOCK_STREAM) or \"one-to-many\"");
        QTest::newRow("streams") << QByteArray("\"out\": 4") << QByteArray("\"out\": 0")
                                 << QStringLiteral("t.json:17: peers[0].streams.out: expected an integer from 1 to 65535");
        QTest::newRow("listen without port") << QByteArray("\"port\": 5000, ") << QByteArray()
                                             << QStringLiteral("t.json:19: peers[1].port: a listening peer needs a port");
        QTest::newRow("rto order") << QByteArray("\"min\": 50") << QByteArray("\"min\": 150")
                                   << QStringLiteral("t.json:18: peers[0].rto_ms: expected min <= initial <= max");
        QTest::newRow("same host, linked") << QByteArray("\"host\": \"10.0.0.2\"") << QByteArray("\"host\": \"10.0.0.1\"")
                                           << QStringLiteral("t.json:22: links[0].to: sctp-a and sctp-b are both on 10.0.0.1: a link joins two hosts");
        QTest::newRow("delivered to nobody") << QByteArray("\"to\": \"sctp-b\", \"stream\": 1") << QByteArray("\"to\": \"sctp-c\", \"stream\": 1")
                                             << QStringLiteral("t.json:37: expect[4].delivered.to: expected the name of an sctp peer, not 'sctp-c'");
        QTest::newRow("retransmission kind") << QByteArray("\"retransmissions\": \"timeout\"") << QByteArray("\"retransmissions\": \"slow\"")
                                             << QStringLiteral("t.json:36: expect[3].retransmissions: expected \"all\", \"fast\" or \"timeout\"");
        QTest::newRow("shutdown on one-to-many") << QByteArray("\"peer\": \"sctp-a\", \"sctp_sendmsg\": { \"data\": \"\", \"flags\": [ \"SCTP_EOF\" ] }")
                                                 << QByteArray("\"peer\": \"sctp-b\", \"shutdown\": {}")
                                                 << QStringLiteral("t.json:30: actions[4].shutdown: shutdown(2) ends a one-to-one association");
    }
    void badSctpFilesSayLineAndField()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, error);
        QByteArray json = readAll(QStringLiteral(LESSON_RESOURCES "/prsctp-declarative.json"));
        QString why;
        QVERIFY2(lab::LessonFile::parse(json, QStringLiteral("t.json"), &why), qPrintable(why));
        QVERIFY2(json.contains(from), from.constData());
        json.replace(json.indexOf(from), from.size(), to);
        if (QByteArray(QTest::currentDataTag()) == "shutdown on one-to-many")
            json.replace("\"style\": \"one-to-one\", \"port\"", "\"style\": \"one-to-many\", \"port\""); // sctp-b's
        const auto lesson = lab::LessonFile::parse(json, QStringLiteral("t.json"), &why);
        QVERIFY(!lesson);
        QVERIFY2(why.startsWith(error), qPrintable(why));
    }

    // ladderctl: a bad file exits 2 with the reader's line and field.
    void ladderctlRefusesABadFile()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"format\": \"ladderlab-lesson\",\n  \"version\": 1,\n  \"name\": \"x\",\n  \"title\": 7\n}\n");
        f.close();
        const Ctl c = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), bad });
        QCOMPARE(c.rc, 2);
        QCOMPARE(c.err.trimmed(), QStringLiteral("ladderctl lab run: bad.json:5: title: expected a string"));
        const Ctl m = ladderctl({ QStringLiteral("lab"), QStringLiteral("run"), dir.filePath(QStringLiteral("missing.json")) });
        QCOMPARE(m.rc, 2);
        QVERIFY2(m.err.contains(QLatin1String("cannot read")), qPrintable(m.err));
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 6 && args[1] == QLatin1String("--jsonl"))
        return jsonlMain(args.mid(2));
    TstLessonFile t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_lesson_file.moc"
