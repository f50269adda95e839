// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the built programs as a user would.
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestExecutables : public QObject {
    Q_OBJECT
private:
    static QProcessEnvironment env()
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return e;
    }

    static int run(const QString& exe, const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr,
        int timeoutMs = 60000)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(exe, args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        if (out)
            *out = p.readAllStandardOutput();
        if (err)
            *err = p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }

private slots:
    void screenshotWritesAPng()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("shot.png"));
        QByteArray err;
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE),
                     { QStringLiteral("--screenshot"), file, QStringLiteral("--after-ms"), QStringLiteral("300"),
                         QStringLiteral("--size"), QStringLiteral("1200x800") },
                     nullptr, &err),
            0);
        QImage img(file);
        QVERIFY2(!img.isNull(), err.constData());
        QCOMPARE(img.size(), QSize(1200, 800));
        // Not a blank rectangle: count distinct colours in a coarse sample.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 7)
            for (int x = 0; x < img.width(); x += 7)
                colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 8, qPrintable(QString::number(colours.size())));
    }

    void screenshotToAnUnwritablePathFails()
    {
        QByteArray err;
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE),
                     { QStringLiteral("--screenshot"), QStringLiteral("/nonexistent/dir/shot.png"),
                         QStringLiteral("--after-ms"), QStringLiteral("50") },
                     nullptr, &err),
            1);
        QVERIFY(err.contains("could not write"));
    }

    void badOptionsAreRefused()
    {
        QByteArray err;
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE), { QStringLiteral("--after-ms"), QStringLiteral("soon"),
                         QStringLiteral("--screenshot"), QStringLiteral("x.png") }, nullptr, &err), 2);
        QVERIFY(err.contains("--after-ms"));
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE), { QStringLiteral("--theme"), QStringLiteral("pink") }, nullptr, &err), 2);
        QVERIFY(err.contains("--theme"));
    }

    void guiVersionAndHelp()
    {
        QByteArray out;
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE), { QStringLiteral("--version") }, &out), 0);
        QVERIFY2(out.contains(LADDERLAB_VERSION), out.constData());
        QCOMPARE(run(QStringLiteral(LADDERLAB_EXE), { QStringLiteral("--help") }, &out), 0);
        QVERIFY(out.contains("--screenshot"));
    }

    void ctlVersion()
    {
        QByteArray out;
        QCOMPARE(run(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("--version") }, &out), 0);
        QVERIFY2(out.startsWith("LadderLab " LADDERLAB_VERSION " (Qt 6."), out.constData());
        QVERIFY2(out.contains("usrsctp 0.9"), out.constData());
    }

    void ctlHelpAndUnknownCommand()
    {
        QByteArray out, err;
        QCOMPARE(run(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("--help") }, &out), 0);
        QVERIFY(out.contains("Usage: ladderctl"));
        QCOMPARE(run(QStringLiteral(LADDERCTL_EXE), { QStringLiteral("frobnicate") }, &out, &err), 2);
        QVERIFY(err.contains("unknown command 'frobnicate'"));
    }
};

QTEST_GUILESS_MAIN(TestExecutables)
#include "tst_executables.moc"
