// SPDX-License-Identifier: GPL-3.0-or-later
#include "capture/autosaver.h"
#include "journal/journal.h"
#include "capture/session.h"
#include "tracetestdata.h"

#include <QDir>
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
