// SPDX-License-Identifier: GPL-3.0-or-later
#include "capture/autosaver.h"
#include "journal/journal.h"
#include "capture/session.h"
#include "journal/eventcodec.h"
#include "tracetestdata.h"

#include <QDataStream>
#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder::trace;
using namespace tracetest;

namespace {

std::shared_ptr<Journal> filled()
{
    auto j = std::make_shared<Journal>();
    j->setEpochNs(1700000000000000042LL);
    for (const Event& e : wireEvents())
        j->append(e);
    for (quint64 i = 0; i < 10000; ++i) { // several chunks
        Event e;
        e.timeNs = qint64(i);
        e.kind = Kind::SctpChunk;
        e.a = i % 256;
        e.c = i;
        e.from = QStringLiteral("peer%1").arg(i % 7);
        j->append(e);
    }
    return j;
}

void compareJournals(const Journal& a, const Journal& b)
{
    QCOMPARE(a.count(), b.count());
    const QVector<Event> x = a.range(0, a.count());
    const QVector<Event> y = b.range(0, b.count());
    for (int i = 0; i < x.size(); ++i) {
        QCOMPARE(y.at(i).seq, x.at(i).seq);
        QCOMPARE(y.at(i).timeNs, x.at(i).timeNs);
        QCOMPARE(y.at(i).kind, x.at(i).kind);
        QCOMPARE(y.at(i).dir, x.at(i).dir);
        QCOMPARE(y.at(i).object, x.at(i).object);
        QCOMPARE(y.at(i).a, x.at(i).a);
        QCOMPARE(y.at(i).b, x.at(i).b);
        QCOMPARE(y.at(i).c, x.at(i).c);
        QCOMPARE(y.at(i).from, x.at(i).from);
        QCOMPARE(y.at(i).to, x.at(i).to);
        QCOMPARE(y.at(i).text, x.at(i).text);
        QCOMPARE(y.at(i).raw, x.at(i).raw);
    }
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
private slots:
    void saveAndRestore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.llsession"));
        Session s(filled());
        s.setBlob(QStringLiteral("composer"), QByteArrayLiteral("{\"drafts\":[\"INVITE ...\"]}"));
        s.setBlob(QStringLiteral("lab"), QByteArrayLiteral("{\"loss\":5}"));
        s.setBlob(QStringLiteral("gone"), QByteArrayLiteral("x"));
        s.setBlob(QStringLiteral("gone"), {});
        QCOMPARE(s.blobNames(), (QStringList { QStringLiteral("composer"), QStringLiteral("lab") }));
        QString error;
        QVERIFY2(s.save(path, &error), qPrintable(error));

        Session r(std::make_shared<Journal>());
        r.journal().append({}); // replaced by the load
        const quint64 rev = r.revision();
        QVERIFY2(r.load(path, &error), qPrintable(error));
        QVERIFY(r.revision() > rev);
        QCOMPARE(r.journal().epochNs(), 1700000000000000042LL);
        QCOMPARE(r.blob(QStringLiteral("lab")), QByteArrayLiteral("{\"loss\":5}"));
        QCOMPARE(r.blob(QStringLiteral("composer")), s.blob(QStringLiteral("composer")));
        QCOMPARE(r.blobNames(), s.blobNames());
        compareJournals(s.journal(), r.journal());

        // The same content gives the same bytes.
        const QString again = dir.filePath(QStringLiteral("t.llsession"));
        QVERIFY(r.save(again));
        QFile a(path), b(again);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll());
    }

    void damagedFilesLoadNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.llsession"));
        Session s(filled());
        s.setBlob(QStringLiteral("lab"), QByteArrayLiteral("{}"));
        QVERIFY(s.save(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();
        f.close();

        Session victim(std::make_shared<Journal>());
        Event keep;
        keep.text = QStringLiteral("keep me");
        victim.journal().append(keep);
        const QString bad = dir.filePath(QStringLiteral("bad.llsession"));
        auto tryLoad = [&](const QByteArray& bytes) {
            QFile out(bad);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return true;
            out.write(bytes);
            out.close();
            QString error;
            const bool ok = victim.load(bad, &error);
            if (!ok && error.isEmpty())
                return true; // every failure says why
            return ok;
        };
        for (qsizetype n : { qsizetype(0), qsizetype(5), qsizetype(18), qsizetype(30), good.size() / 3, good.size() / 2,
                 good.size() - 5, good.size() - 1 })
            QVERIFY2(!tryLoad(good.left(n)), qPrintable(QString::number(n)));
        // A flipped version number, a huge string count, a bad endpoint index.
        QByteArray v = good;
        v[21] = char(9);
        QVERIFY(!tryLoad(v));
        quint64 state = 3;
        for (int round = 0; round < 200; ++round) {
            QByteArray flipped = good;
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            flipped[qsizetype(18 + (state >> 33) % quint64(good.size() - 18))] = char(state >> 13);
            tryLoad(flipped); // may load (a flipped text byte is still a valid file); must not crash
        }
        // The journal holds either the old content or a complete file's, never a part.
        QVERIFY(victim.journal().count() == 1 || victim.journal().count() == s.journal().count());
        QVERIFY(!tryLoad("LADDERLAB-SESSION\n"));
        QVERIFY(!Session::looksLikeSession("{\"format\""));
    }

    void autosaverSavesWhenSomethingChanged()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("auto.llsession"));
        Session s(std::make_shared<Journal>());
        SessionAutosaver saver(&s, path, 20);
        QSignalSpy saved(&saver, &SessionAutosaver::saved);
        QSignalSpy failed(&saver, &SessionAutosaver::failed);
        saver.start();
        for (const Event& e : wireEvents())
            s.journal().append(e);
        QVERIFY(saved.wait(10000));
        Session r(std::make_shared<Journal>());
        QVERIFY(r.load(path));
        QVERIFY(r.journal().count() > 0);

        s.setBlob(QStringLiteral("composer"), QByteArrayLiteral("draft"));
        QTRY_VERIFY_WITH_TIMEOUT(r.load(path) && r.blob(QStringLiteral("composer")) == "draft", 10000);
        saver.stop();
        // Nothing new: saveNow writes nothing and says the file is current.
        const int before = int(saved.count());
        QVERIFY(saver.saveNow());
        s.journal().append({});
        QVERIFY(saver.saveNow());
        QVERIFY(saved.count() > before);
        QVERIFY(r.load(path));
        QCOMPARE(r.journal().count(), s.journal().count());
        QCOMPARE(failed.count(), 0);
        // Atomic writes leave no temporary files behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("auto.llsession") });
    }

    // The autosaver's writer appends what is new and a commit instead of writing the whole file
    // again: each append is as large as what changed, and the file reads back as the journal.
    void writerAppendsWhatIsNew()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("auto.llsession"));
        Session s(filled());
        s.setBlob(QStringLiteral("lab"), QByteArrayLiteral("{\"loss\":5}"));
        SessionFileWriter w(s, path);
        QString error;
        QVERIFY2(w.update(&error), qPrintable(error));
        const qint64 whole = QFileInfo(path).size();
        // The same bytes as save() gives.
        const QString saved = dir.filePath(QStringLiteral("saved.llsession"));
        QVERIFY(s.save(saved));
        QCOMPARE(QFileInfo(saved).size(), whole);

        for (int i = 0; i < 5; ++i) {
            Event e;
            e.kind = Kind::SctpChunk;
            e.from = QStringLiteral("newcomer");
            e.c = quint64(i);
            s.journal().append(e);
        }
        s.setBlob(QStringLiteral("composer"), QByteArrayLiteral("draft"));
        s.setBlob(QStringLiteral("lab"), {});
        QVERIFY2(w.update(&error), qPrintable(error));
        const qint64 grown = QFileInfo(path).size() - whole;
        QVERIFY2(grown > 0 && grown < 200, qPrintable(QString::number(grown))); // not the 10 000 events again
        QVERIFY(w.update(&error)); // nothing new: a commit alone
        QCOMPARE(QFileInfo(path).size(), whole + grown + 9);

        Session r(std::make_shared<Journal>());
        QString warning;
        QVERIFY2(r.load(path, &error, &warning), qPrintable(error));
        QVERIFY(warning.isEmpty());
        compareJournals(s.journal(), r.journal());
        QCOMPARE(r.journal().epochNs(), s.journal().epochNs());
        QCOMPARE(r.blobNames(), QStringList { QStringLiteral("composer") });
        QCOMPARE(r.blob(QStringLiteral("composer")), QByteArrayLiteral("draft"));

        // A cleared journal (a new capture) is written whole again, and only what it holds.
        s.journal().clear();
        s.journal().append(wireEvents().first());
        QVERIFY(w.update(&error));
        QVERIFY(QFileInfo(path).size() < whole);
        QVERIFY(r.load(path, &error));
        compareJournals(s.journal(), r.journal());
        // A file changed behind the writer's back is written whole too, not appended to.
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("x");
        f.close();
        s.journal().append(wireEvents().first());
        QVERIFY(w.update(&error));
        QVERIFY(r.load(path, &error, &warning));
        QVERIFY(warning.isEmpty());
        compareJournals(s.journal(), r.journal());
    }

    // An append cut short (a crash while saving) loses that append only: the file loads as of its
    // last commit and says how many bytes it left out; a whole file cut short loads nothing.
    void appendCutShortLoadsTheLastCommit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("auto.llsession"));
        Session s(filled());
        SessionFileWriter w(s, path);
        QVERIFY(w.update(nullptr));
        const quint64 first = s.journal().count();
        const qint64 committed = QFileInfo(path).size();
        for (const Event& e : wireEvents())
            s.journal().append(e);
        QVERIFY(w.update(nullptr));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        f.close();
        for (qsizetype cut : { qsizetype(1), qsizetype(9), (all.size() - committed) / 2, all.size() - committed - 1 }) {
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(all.left(committed + cut));
            f.close();
            Session r(std::make_shared<Journal>());
            QString error, warning;
            QVERIFY2(r.load(path, &error, &warning), qPrintable(error));
            QCOMPARE(r.journal().count(), first);
            QVERIFY2(warning.contains(QStringLiteral("%1 byte(s)").arg(cut)), qPrintable(warning));
            Session::FileContent c;
            QVERIFY(Session::read(path, {}, &c, &error));
            QCOMPARE(c.tornBytes, qint64(cut));
        }
    }

    // Files written before version 2 still load.
    void readsVersion1Files()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.llsession"));
        const QList<Event> events = wireEvents();
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("LADDERLAB-SESSION\n");
        QDataStream out(&f);
        out.setVersion(QDataStream::Qt_6_4);
        out << quint32(1) << qint64(1700000000000000042LL) << quint32(1) << QStringLiteral("lab") << QByteArrayLiteral("{}");
        QStringList strings { QString() };
        std::vector<char> buf;
        for (const Event& e : events) {
            for (const QString& str : { e.from, e.to })
                if (!strings.contains(str))
                    strings.append(str);
            codec::encode(buf, e, quint32(strings.indexOf(e.from)), quint32(strings.indexOf(e.to)));
        }
        out << quint32(strings.size());
        for (const QString& str : std::as_const(strings))
            out << str;
        out << quint64(events.size()) << QByteArray(buf.data(), qsizetype(buf.size()));
        f.write("END\n");
        f.close();
        const QString seeds = qEnvironmentVariable("LADDERLAB_FUZZ_SEEDS"); // writeFuzzSeeds
        if (!seeds.isEmpty()) {
            QFile::remove(QDir(seeds).filePath(QStringLiteral("v1.llsession")));
            QVERIFY(QFile::copy(path, QDir(seeds).filePath(QStringLiteral("v1.llsession"))));
        }
        Session r(std::make_shared<Journal>());
        QString error;
        QVERIFY2(r.load(path, &error), qPrintable(error));
        QCOMPARE(r.journal().count(), quint64(events.size()));
        QCOMPARE(r.journal().epochNs(), 1700000000000000042LL);
        QCOMPARE(r.blob(QStringLiteral("lab")), QByteArrayLiteral("{}"));
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(r.journal().at(quint64(i)).from, events.at(i).from);
    }

    // Not a check: with LADDERLAB_FUZZ_SEEDS=DIR it writes the seed files of tests/fuzz/session
    // (a whole save, the same with an append and a blob removed; readsVersion1Files adds its file).
    void writeFuzzSeeds()
    {
        const QString out = qEnvironmentVariable("LADDERLAB_FUZZ_SEEDS");
        if (out.isEmpty())
            QSKIP("LADDERLAB_FUZZ_SEEDS not set");
        QVERIFY(QDir().mkpath(out));
        auto j = std::make_shared<Journal>();
        j->setEpochNs(1700000000000000042LL);
        for (const Event& e : wireEvents())
            j->append(e);
        Session s(j);
        s.setBlob(QStringLiteral("lab"), QByteArrayLiteral("{\"loss\":5}"));
        const QString whole = QDir(out).filePath(QStringLiteral("whole.llsession"));
        QFile::remove(whole);
        QVERIFY(s.save(whole));
        const QString appended = QDir(out).filePath(QStringLiteral("appended.llsession"));
        QFile::remove(appended);
        SessionFileWriter w(s, appended);
        QVERIFY(w.update(nullptr));
        s.journal().append(wireEvents().last());
        s.setBlob(QStringLiteral("lab"), {});
        s.setBlob(QStringLiteral("composer"), QByteArrayLiteral("draft"));
        QVERIFY(w.update(nullptr));
    }

    void autosaverReportsFailures()
    {
        Session s(std::make_shared<Journal>());
        s.journal().append({});
        SessionAutosaver saver(&s, QStringLiteral("/proc/ladderlab-no-such-dir/x.llsession"), 20);
        QSignalSpy failed(&saver, &SessionAutosaver::failed);
        QVERIFY(!saver.saveNow());
        QCOMPARE(failed.count(), 1);
        QVERIFY(!failed.first().first().toString().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
