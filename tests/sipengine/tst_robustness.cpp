// SPDX-License-Identifier: GPL-3.0-or-later
// Every input path of the engine against hostile bytes: the RFC 4475 torture messages, each cut at
// many points and bit-flipped, fed to a UAS and a UAC stack; both must keep working afterwards.
#include "labpair.h"
#include "testskip.h"

#include <QDir>
#include <QTest>

using namespace ladder;
using namespace ladder::sip;
using namespace ladder::sip::test;

class TestRobustness : public QObject {
    Q_OBJECT
private slots:
    void tortureCorpusIntoBothSides();
};

void TestRobustness::tortureCorpusIntoBothSides()
{
    const QDir dir(qEnvironmentVariable("LADDERLAB_SOURCE_DIR") + QStringLiteral("/tests/sip/data/torture"));
    const QStringList files = dir.entryList({ QStringLiteral("*.sip") }, QDir::Files, QDir::Name);
    if (files.isEmpty())
        LADDERLAB_SKIP(QStringLiteral("the RFC 4475 corpus (tests/sip/data/torture) is not there"));
    LabPair p;
    p.uas.autoAnswer = 486;
    p.uac.autoAnswer = 200;
    ladder::Rng rng(7);
    int fed = 0;
    for (const QString& name : files) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray whole = f.readAll();
        QList<QByteArray> variants { whole };
        for (qsizetype cut = 1; cut < whole.size(); cut += 13)
            variants.append(whole.left(cut));
        for (int i = 0; i < 8; ++i) {
            QByteArray flipped = whole;
            if (!flipped.isEmpty())
                flipped[qsizetype(rng.next() % quint64(flipped.size()))] = char(rng.next());
            variants.append(flipped);
        }
        for (const QByteArray& v : std::as_const(variants)) {
            p.uas.stack->receive(p.toUac, v);
            p.uac.stack->receive(p.toUas, v);
            ++fed;
        }
        p.run(100 * kMs);
    }
    p.run(64 * kSec); // every timer the garbage started runs out
    QVERIFY(fed > 1000);
    // Both sides still work.
    p.uas.autoAnswer = 200;
    const SendResult r = p.uac.stack->send(p.toUas, p.request("OPTIONS", 1, "after-the-storm"), 0, SendFlag::Stateful);
    QVERIFY(r.ok());
    p.run(1 * kSec);
    bool answered = false;
    for (const Incoming& in : p.uac.responses)
        answered |= in.transaction == r.transaction && in.message.statusCode() == 200;
    QVERIFY(answered);
}

QTEST_GUILESS_MAIN(TestRobustness)
#include "tst_robustness.moc"
