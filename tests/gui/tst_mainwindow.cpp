// SPDX-License-Identifier: GPL-3.0-or-later
#include "emptystate.h"
#include "logmodel.h"
#include "mainwindow.h"
#include "journal/journal.h"
#include "testskip.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QStatusBar>
#include <QTest>

using namespace ladder;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("LadderLabTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    }

    // Every test starts from no saved settings: a layout an earlier run left behind (the settings
    // file outlives the process) must not decide what a test sees.
    void init()
    {
        QSettings settings;
        settings.clear();
        settings.sync();
        QCOMPARE(settings.status(), QSettings::NoError);
        QVERIFY(settings.allKeys().isEmpty());
    }

    void theCentreHasHalfTheWidth()
    {
        // The default layout at 1600×1000 (the size of the README's pictures): the timeline and
        // the ladder get at least half of the window's width.
        auto journal = std::make_shared<trace::Journal>();
        ui::MainWindow w(journal);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTRY_VERIFY2(w.centralWidget()->width() >= 800, qPrintable(QString::number(w.centralWidget()->width())));
    }

    void everyDockIsPresentWithAnEmptyState()
    {
        auto journal = std::make_shared<trace::Journal>();
        ui::MainWindow w(journal);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(ui::MainWindow::dockNames().size(), 8);
        for (const QString& name : ui::MainWindow::dockNames()) {
            QDockWidget* d = w.dock(name);
            QVERIFY2(d, qPrintable(name));
            QVERIFY2(!d->windowTitle().isEmpty(), qPrintable(name));
            QVERIFY2(!d->toggleViewAction()->shortcut().isEmpty(), qPrintable(name));
            if (name == QLatin1String("composerDock") || name == QLatin1String("labDock"))
                continue; // tools, not views: they are never empty
            auto* empty = qobject_cast<ui::EmptyState*>(d->widget());
            if (!empty) // the Transactions dock: the table's empty state above the state machine
                empty = d->widget()->findChild<ui::EmptyState*>();
            QVERIFY2(empty, qPrintable(name + QStringLiteral(" has no empty state")));
            QVERIFY2(empty->isShowingEmptyState(), qPrintable(name));
            QVERIFY2(!d->toggleViewAction()->shortcut().isEmpty(), qPrintable(name));
        }
        auto* timeline = qobject_cast<ui::EmptyState*>(w.centralWidget());
        QVERIFY(timeline);
        QVERIFY(timeline->isShowingEmptyState());

        QStringList menus;
        for (QAction* a : w.menuBar()->actions())
            menus << a->text().remove(QLatin1Char('&'));
        QCOMPARE(menus, (QStringList { QStringLiteral("File"), QStringLiteral("Lab"), QStringLiteral("View"),
                            QStringLiteral("Help") }));
        QVERIFY(w.statusBar()->isVisible());
        QVERIFY(!w.windowIcon().isNull());
    }

    void logDockFollowsTheJournal()
    {
        auto journal = std::make_shared<trace::Journal>();
        ui::MainWindow w(journal);
        QAbstractItemModelTester tester(w.logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        trace::Event e;
        e.kind = trace::Kind::Log;
        e.a = 2;
        e.text = QStringLiteral("link lost");
        journal->append(e);
        e.kind = trace::Kind::SipMessage; // not a log line
        journal->append(e);
        e.kind = trace::Kind::Error;
        e.text = QStringLiteral("EINVAL: Via branch does not start with z9hG4bK");
        journal->append(e);
        w.follower()->poll();
        QCOMPARE(w.logModel()->rowCount(), 2);
        QCOMPARE(w.logModel()->index(1, ui::LogModel::TextColumn).data().toString(), e.text);
        auto* empty = qobject_cast<ui::EmptyState*>(w.dock(QStringLiteral("logDock"))->widget());
        QVERIFY(!empty->isShowingEmptyState());
        journal->clear();
        w.follower()->poll();
        QCOMPARE(w.logModel()->rowCount(), 0);
        QVERIFY(empty->isShowingEmptyState());
    }

    void layoutIsSavedAndRestored()
    {
        auto journal = std::make_shared<trace::Journal>();
        {
            ui::MainWindow w(journal);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY(w.dock(QStringLiteral("streamsDock"))->isVisible()); // the default layout
            w.dock(QStringLiteral("streamsDock"))->hide();
            w.close();
        }
        ui::MainWindow w2(journal);
        w2.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w2));
        QVERIFY(!w2.dock(QStringLiteral("streamsDock"))->isVisible());
        QVERIFY(w2.dock(QStringLiteral("logDock"))->isVisible());
    }
    // --help and --version answer on a terminal without a display; anything else says there is
    // none and what to do (Qt's platform plugin would abort with a core dump).
    void commandLineWithoutADisplay()
    {
        const QString app = qEnvironmentVariable("LADDERLAB_BINARY_DIR") + QStringLiteral("/app/ladderlab");
        if (!QFileInfo::exists(app))
            LADDERLAB_SKIP(QStringLiteral("%1 is not built").arg(app));
        auto run = [&](const QStringList& args, QByteArray* out) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            for (const char* name : { "QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY" })
                env.remove(QString::fromLatin1(name));
            p.setProcessEnvironment(env);
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(app, args);
            if (!p.waitForFinished(30000)) {
                p.kill();
                p.waitForFinished();
                return -1;
            }
            *out = p.readAll();
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
        };
        QByteArray out;
        QCOMPARE(run({ QStringLiteral("--help") }, &out), 0);
        QVERIFY2(out.contains("--capture <IFACE>") && out.contains("--screenshot <FILE>"), out.constData());
        QCOMPARE(run({ QStringLiteral("--version") }, &out), 0);
        QVERIFY2(out.startsWith("ladderlab "), out.constData());
        QCOMPARE(run({ QStringLiteral("--no-lab") }, &out), 2);
        QVERIFY2(out.contains("no display") && out.contains("xvfb-run"), out.constData());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
