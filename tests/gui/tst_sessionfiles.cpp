// SPDX-License-Identifier: GPL-3.0-or-later
// The File menu's work through the real window: sessions with drafts, captures, JSON Lines,
// exports, bad files; drafts across restarts; the saved-message library; the state machine view.
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "lab/runner.h"
#include "lab/scenario.h"
#include "labpanel.h"
#include "logmodel.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "sessionfiles.h"
#include "statemachineview.h"
#include "timeline/timelineview.h"
#include "journal/journal.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSettings>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder;

class TestSessionFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    // A real run's journal: INVITE over lossy UDP in virtual time (retransmissions, a dialog).
    static std::shared_ptr<trace::Journal> labJournal()
    {
        Stack stack(Scheduler::Mode::Virtual);
        auto scenario = lab::createScenario(QStringLiteral("invite-lossy-udp"));
        lab::ScenarioParams params;
        params.seed = 7;
        lab::runToEnd(*scenario, stack, params);
        scenario->stop();
        return stack.sharedJournal();
    }

    static int countKind(const trace::Journal& j, trace::Kind kind)
    {
        int n = 0;
        j.forEach(0, j.count(), [&](const trace::Event& e) { n += e.kind == kind; });
        return n;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        lab::registerBuiltinScenarios();
    }

    void sessionRoundTripKeepsJournalAndDrafts()
    {
        auto journal = labJournal();
        const quint64 events = journal->count();
        QVERIFY(events > 20);
        ui::MainWindow w(journal);
        w.sipComposer()->setText(QStringLiteral("OPTIONS sip:draft@10.0.0.2 SIP/2.0\nCSeq: 1 OPTIONS\n"));
        w.sipComposer()->setTarget(QStringLiteral("tcp:10.0.0.2:5060"));
        w.sctpComposer()->toEdit()->setText(QStringLiteral("10.0.0.7:7"));
        w.sctpComposer()->policy()->setCurrentIndex(3);
        w.labPanel()->t1Box()->setValue(150);
        const ui::SessionFiles::Result saved = w.files()->save(path(QStringLiteral("one.ladderlab")));
        QVERIFY2(saved.ok, qPrintable(saved.error));

        // Change everything, then open the file: all of it comes back.
        w.sipComposer()->setText(QStringLiteral("changed"));
        w.sctpComposer()->policy()->setCurrentIndex(0);
        w.labPanel()->t1Box()->setValue(0);
        journal->clear();
        QString error;
        QVERIFY2(w.openFile(path(QStringLiteral("one.ladderlab")), &error), qPrintable(error));
        QCOMPARE(journal->count(), events);
        QVERIFY(w.sipComposer()->text().startsWith(QLatin1String("OPTIONS sip:draft@")));
        QCOMPARE(w.sipComposer()->target(), QStringLiteral("tcp:10.0.0.2:5060"));
        QCOMPARE(w.sctpComposer()->policy()->currentIndex(), 3);
        QCOMPARE(w.labPanel()->t1Box()->value(), 150);
        QVERIFY(w.isOffline());
        QVERIFY(w.windowTitle().contains(QLatin1String("one.ladderlab")));
        QVERIFY(!w.transactionModel()->rows().isEmpty());
        QVERIFY(!w.dialogModel()->rows().isEmpty());
        // The views were rebuilt from the file: the timeline holds its events.
        QTRY_VERIFY(w.timeline()->index().retransmissions() > 0);
    }

    void captureExportOpensAgain()
    {
        auto journal = labJournal();
        const int sip = countKind(*journal, trace::Kind::SipMessage) + countKind(*journal, trace::Kind::SipRetransmission);
        QVERIFY(sip > 5);
        ui::MainWindow w(journal);
        const ui::SessionFiles::Result exported = w.files()->exportPcapng(path(QStringLiteral("run.pcapng")));
        QVERIFY2(exported.ok, qPrintable(exported.error));
        QVERIFY(exported.summary.contains(QLatin1String("packets")));

        QCOMPARE(ui::SessionFiles::detect(path(QStringLiteral("run.pcapng"))), ui::SessionFiles::FileKind::Capture);
        QString error;
        QVERIFY2(w.openFile(path(QStringLiteral("run.pcapng")), &error), qPrintable(error));
        // Every SIP message on the wire comes back (retransmissions recognised as such).
        QCOMPARE(countKind(*journal, trace::Kind::SipMessage) + countKind(*journal, trace::Kind::SipRetransmission), sip);
        QVERIFY(countKind(*journal, trace::Kind::SipRetransmission) > 0);
        // The tables show the transactions and the dialog rebuilt from the wire, and stay so when
        // a (stopping) live stack publishes its empty state.
        QVERIFY(countKind(*journal, trace::Kind::TransactionState) > 0);
        auto hasInvite = [&] {
            for (const auto& t : w.transactionModel()->rows())
                if (t.method == QLatin1String("INVITE") && t.retransmissions > 0)
                    return true;
            return false;
        };
        QVERIFY(hasInvite());
        QVERIFY(!w.dialogModel()->rows().isEmpty());
        w.setSipSnapshot({});
        QVERIFY(hasInvite());
    }

    void jsonlExportOpensAgain()
    {
        auto journal = labJournal();
        const quint64 events = journal->count();
        ui::MainWindow w(journal);
        const ui::SessionFiles::Result exported = w.files()->exportJsonl(path(QStringLiteral("run.jsonl")));
        QVERIFY2(exported.ok, qPrintable(exported.error));
        QCOMPARE(ui::SessionFiles::detect(path(QStringLiteral("run.jsonl"))), ui::SessionFiles::FileKind::Jsonl);
        journal->clear();
        QString error;
        QVERIFY2(w.openFile(path(QStringLiteral("run.jsonl")), &error), qPrintable(error));
        QCOMPARE(journal->count(), events);
    }

    void badFilesLoseNothing()
    {
        auto journal = labJournal();
        const quint64 events = journal->count();
        ui::MainWindow w(journal);
        QFile text(path(QStringLiteral("notes.txt")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("these are not packets\n");
        text.close();
        QString error;
        QVERIFY(!w.openFile(path(QStringLiteral("notes.txt")), &error));
        QVERIFY2(error.contains(QLatin1String("neither")), qPrintable(error));
        QVERIFY(!w.openFile(path(QStringLiteral("missing.pcapng")), &error));
        QVERIFY2(error.contains(QLatin1String("missing.pcapng")), qPrintable(error));

        // A session cut short is refused whole.
        QVERIFY(w.files()->save(path(QStringLiteral("whole.ladderlab"))).ok);
        QFile whole(path(QStringLiteral("whole.ladderlab")));
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        QFile cut(path(QStringLiteral("cut.ladderlab")));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() / 2));
        cut.close();
        QVERIFY(!w.openFile(path(QStringLiteral("cut.ladderlab")), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(journal->count(), events);
        QVERIFY(!w.isOffline());
    }

    void draftsSurviveARestart()
    {
        const QString text = QStringLiteral("MESSAGE sip:bob@10.0.0.2 SIP/2.0\nCSeq: 9 MESSAGE\n\nhello");
        {
            ui::MainWindow w(std::make_shared<trace::Journal>());
            w.sipComposer()->setText(text);
            w.sctpComposer()->repeat()->setValue(25);
            QVERIFY(w.files()->collectDrafts());
            QVERIFY(!w.files()->collectDrafts()); // nothing changed since
            w.files()->flushDrafts();
            // What a crash now would leave: the drafts are in the settings file on disk.
            QFile onDisk(QSettings().fileName());
            QVERIFY2(onDisk.open(QIODevice::ReadOnly), qPrintable(onDisk.fileName()));
            QVERIFY(onDisk.readAll().contains("MESSAGE sip:bob@10.0.0.2"));
        }
        ui::MainWindow again(std::make_shared<trace::Journal>());
        QVERIFY(again.sipComposer()->text() != text);
        again.files()->restoreDrafts();
        QCOMPARE(again.sipComposer()->text(), text);
        QCOMPARE(again.sctpComposer()->repeat()->value(), 25);
    }

    void autosaveKeepsThePreviousRun()
    {
        const QString autosave = path(QStringLiteral("auto/autosave.ladderlab"));
        auto journal = labJournal();
        const quint64 events = journal->count();
        {
            ui::MainWindow w(journal);
            w.startAutosave(autosave);
            QVERIFY(w.files()->saveNow());
        }
        QVERIFY(QFile::exists(autosave));
        ui::MainWindow next(std::make_shared<trace::Journal>());
        next.startAutosave(autosave);
        QVERIFY(!next.files()->previousAutosave().isEmpty());
        QString error;
        QVERIFY2(next.openFile(next.files()->previousAutosave(), &error), qPrintable(error));
        QCOMPARE(next.follower()->journal()->count(), events);
    }

    void libraryKeepsSavedMessages()
    {
        ui::SipComposer composer;
        for (const QString& n : composer.libraryNames())
            composer.removeFromLibrary(n);
        composer.setText(QStringLiteral("INFO sip:x@10.0.0.2 SIP/2.0\nCSeq: 3 INFO\n"));
        composer.setTarget(QStringLiteral("udp:10.0.0.2:5060"));
        composer.forkBox()->setChecked(true);
        composer.saveToLibrary(QStringLiteral("my info"));
        QCOMPARE(composer.libraryNames(), QStringList { QStringLiteral("my info") });
        QVERIFY(composer.sourceBox()->findData(QStringLiteral("lib:my info")) >= 0);

        composer.setText(QStringLiteral("something else"));
        composer.forkBox()->setChecked(false);
        // A second composer (another window, the next run) sees the same library.
        ui::SipComposer other;
        QVERIFY(other.loadFromLibrary(QStringLiteral("my info")));
        QVERIFY(other.text().startsWith(QLatin1String("INFO sip:x@")));
        QVERIFY(other.dialogOnFork());
        QVERIFY(!other.loadFromLibrary(QStringLiteral("nothing by that name")));
        other.removeFromLibrary(QStringLiteral("my info"));
        QVERIFY(other.libraryNames().isEmpty());
        QCOMPARE(other.sourceBox()->findData(QStringLiteral("lib:my info")), -1);
    }

    void stateMachineLightsThePathTaken()
    {
        ui::StateMachineView view;
        QVERIFY(view.isEmpty());
        sip::TransactionSnapshot t;
        t.id = 5;
        t.kind = QStringLiteral("INVITE client");
        t.method = QStringLiteral("INVITE");
        t.state = QStringLiteral("Terminated");
        t.createdNs = 1000;
        t.history = { { QStringLiteral("Calling"), 1000 }, { QStringLiteral("Proceeding"), 500001000 },
            { QStringLiteral("Accepted"), 1500001000 }, { QStringLiteral("Terminated"), 33500001000 } };
        view.setTransaction(t, 33500001000);
        QStringList labels;
        for (const auto& e : view.path())
            labels << e.label;
        QCOMPARE(labels, (QStringList { QStringLiteral("1xx"), QStringLiteral("2xx"), QStringLiteral("Timer M") }));
        QCOMPARE(view.currentState(), QStringLiteral("Terminated"));
        view.resize(420, 170);
        QVERIFY(!view.grab().isNull());

        // Each of the four machines knows its states, and every edge joins two of them.
        for (const char* kind : { "INVITE client", "non-INVITE client", "INVITE server", "non-INVITE server" }) {
            const auto m = ui::StateMachineView::machine(QString::fromLatin1(kind));
            QVERIFY2(m.nodes.size() >= 4, kind);
            QStringList states;
            for (const auto& n : m.nodes)
                states << n.state;
            QVERIFY(states.contains(QStringLiteral("Terminated")));
            for (const auto& e : m.edges)
                QVERIFY2(states.contains(e.from) && states.contains(e.to), qPrintable(e.from + QStringLiteral("->") + e.to));
        }
        QVERIFY(ui::StateMachineView::machine(QStringLiteral("nonsense")).nodes.isEmpty());
    }
};

QTEST_MAIN(TestSessionFiles)
#include "tst_sessionfiles.moc"
