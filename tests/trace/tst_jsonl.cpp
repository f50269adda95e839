// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal/journal.h"
#include "capture/jsonl.h"
#include "tracetestdata.h"

#include <QBuffer>
#include <QTest>

using namespace ladder::trace;
using namespace tracetest;

namespace {

QList<Event> tricky()
{
    QList<Event> ev = wireEvents();
    Event e;
    e.timeNs = -5;
    e.kind = Kind::Log;
    e.object = ~quint64(0); // beyond 2^53: must survive as an integer
    e.a = quint64(1) << 60;
    e.b = 3;
    e.c = 9007199254740993ULL;
    e.from = QStringLiteral("ünïcode \"quoted\" \\ back");
    e.to = QStringLiteral("tab\there\nnewline");
    e.text = QStringLiteral("emoji \U0001F600, control \x01\x1f, del \x7f, slash /");
    e.raw = QByteArray("\0\x01\xff\xfe binary", 12);
    ev.append(e);
    Event empty;
    empty.kind = Kind::UserAction;
    ev.append(empty);
    return ev;
}

QByteArray exportOf(const QList<Event>& events, qint64 epoch)
{
    Journal j;
    for (const Event& e : events)
        j.append(e);
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    if (!writeJsonl(j, &buf, epoch))
        return {};
    return buf.data();
}

void compareEvents(const Event& r, const Event& w)
{
    QCOMPARE(r.timeNs, w.timeNs);
    QCOMPARE(r.kind, w.kind);
    QCOMPARE(r.dir, w.dir);
    QCOMPARE(r.object, w.object);
    QCOMPARE(r.a, w.a);
    QCOMPARE(r.b, w.b);
    QCOMPARE(r.c, w.c);
    QCOMPARE(r.from, w.from);
    QCOMPARE(r.to, w.to);
    QCOMPARE(r.text, w.text);
    QCOMPARE(r.raw, w.raw);
}

} // namespace

class TestJsonl : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsEveryField()
    {
        const QList<Event> in = tricky();
        const QByteArray file = exportOf(in, 1700000000123456789LL);
        QList<Event> out;
        const JsonlReadResult res = readJsonl(file, [&out](Event&& e) { out.append(std::move(e)); });
        QVERIFY2(res.ok, qPrintable(res.error));
        QVERIFY(res.header);
        QCOMPARE(res.epochNs, 1700000000123456789LL);
        QCOMPARE(res.declaredEvents, qint64(in.size()));
        QCOMPARE(out.size(), in.size());
        for (int i = 0; i < in.size(); ++i) {
            QCOMPARE(out.at(i).seq, quint64(i));
            compareEvents(out.at(i), in.at(i));
        }
        // Written and read again: the same bytes.
        QCOMPARE(exportOf(out, res.epochNs), file);
    }

    void sameJournalSameBytes()
    {
        const QByteArray a = exportOf(tricky(), 42);
        const QByteArray b = exportOf(tricky(), 42);
        QCOMPARE(a, b);
        const QList<QByteArray> lines = a.split('\n');
        QCOMPARE(lines.first(), QByteArray("{\"format\":\"ladderlab-journal\",\"version\":1,\"epoch_ns\":42,\"events\":14}"));
        QVERIFY(lines.at(1).startsWith("{\"seq\":0,\"t_ns\":1000000,\"kind\":\"sip.message\",\"dir\":\"tx\",\"object\":0,"
                                       "\"a\":0,\"b\":0,\"c\":0,\"from\":\"uac 10.0.0.1:5060\","));
        QVERIFY(a.endsWith("\"raw\":\"\"}\n"));
        for (const QByteArray& l : lines)
            QVERIFY(!l.contains('\t') && !l.contains('\r')); // escaped
    }

    void badLinesAreReportedAndSkipped()
    {
        QByteArray file = exportOf(wireEvents().mid(0, 3), 1);
        file.replace("\"events\":3", "\"events\":-1");
        const QByteArray good = file.split('\n').at(1);
        file += good + " trailing\n"; // line 5
        file += QByteArray(good).replace("sip.message", "sip.mystery") + '\n'; // 6
        file += QByteArray(good).replace("\"a\":0", "\"a\":1.5") + '\n'; // 7
        file += QByteArray(good).replace("\"a\":0", "\"a\":18446744073709551616") + '\n'; // 8
        file += QByteArray(good).replace("\"a\":0", "\"a\":-1") + '\n'; // 9
        file += QByteArray(good).replace("\"raw\":\"", "\"raw\":\"*") + '\n'; // 10
        file += QByteArray(good).replace("{\"seq\":0,", "{\"seq\":0,\"future\":{\"x\":[1,true,null]},") + '\n'; // 11: fine
        file += "\n"; // 12: blank lines are skipped
        file += "{\"seq\":1,\"text\":\"unterminated"; // 13, no newline
        QList<Event> out;
        const JsonlReadResult res = readJsonl(file, [&out](Event&& e) { out.append(std::move(e)); });
        QVERIFY(!res.ok);
        QCOMPARE(res.badLines, quint64(7));
        QCOMPARE(out.size(), 4);
        QCOMPARE(res.errors.size(), 7);
        QVERIFY2(res.errors.at(0).startsWith(QLatin1String("line 5: text after the object")), qPrintable(res.errors.at(0)));
        QVERIFY2(res.errors.at(1).contains(QLatin1String("unknown kind \"sip.mystery\"")), qPrintable(res.errors.at(1)));
        QVERIFY(res.errors.at(2).startsWith(QLatin1String("line 7: ")));
        QVERIFY(res.errors.at(3).contains(QLatin1String("out of range")));
        QVERIFY(res.errors.at(4).contains(QLatin1String("unsigned")));
        QVERIFY(res.errors.at(5).contains(QLatin1String("base64")));
        QVERIFY(res.errors.at(6).startsWith(QLatin1String("line 13: unterminated")));
        QCOMPARE(res.error, res.errors.at(0));
    }

    void truncationIsNoticed()
    {
        QByteArray file = exportOf(wireEvents(), 1);
        file.truncate(file.lastIndexOf('\n', file.size() - 2) + 1); // drop the last whole line
        const JsonlReadResult res = readJsonl(file, {});
        QVERIFY(!res.ok);
        QVERIFY2(res.error.contains(QLatin1String("truncated")), qPrintable(res.error));
        QCOMPARE(res.events, quint64(wireEvents().size() - 1));
    }

    void refusesOtherFiles()
    {
        QVERIFY(!readJsonl("{\"format\":\"ladderlab-journal\",\"version\":2,\"epoch_ns\":0}\n", {}).ok);
        QVERIFY(!readJsonl("{\"format\":\"something-else\",\"version\":1}\n", {}).ok);
        const JsonlReadResult bin = readJsonl(QByteArray("\x0a\x0d\x0d\x0a\x00\x01", 6), {});
        QVERIFY(!bin.ok);
        QVERIFY(!bin.error.isEmpty());
        // Without a header, events alone are accepted (hand-written files).
        QByteArray line = eventToJson(wireEvents().first());
        const JsonlReadResult bare = readJsonl(line, {});
        QVERIFY2(bare.ok, qPrintable(bare.error));
        QCOMPARE(bare.events, quint64(1));
        QVERIFY(!bare.header);
    }

    void garbageNeverCrashes()
    {
        const QByteArray good = exportOf(tricky(), 7);
        quint64 state = 7;
        for (int round = 0; round < 3000; ++round) {
            QByteArray bad = good;
            for (int k = 0; k < 3; ++k) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                bad[qsizetype((state >> 33) % quint64(bad.size()))] = char(state >> 24);
            }
            const QByteArray cut = bad.left(qsizetype((state >> 40) % quint64(bad.size() + 1)));
            readJsonl(cut, {});
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonl)
#include "tst_jsonl.moc"
