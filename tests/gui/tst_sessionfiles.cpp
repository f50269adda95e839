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
#include "capture/reconstruct.h"
#include "../capture/sipcall.h"
#include "pcapwriter.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTimer>
#include <QtEndian>
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

    // A raw IPv4 packet (TTL 64, no checksums) of one UDP datagram from 127.0.0.1:`from` to 127.0.0.1:`to`.
    static QByteArray udpOverIp4(quint16 from, quint16 to, const QByteArray& payload)
    {
        QByteArray p;
        p.reserve(20 + 8 + payload.size());
        auto u16 = [&p](quint16 v) { p.append(char(v >> 8)).append(char(v)); };
        p.append(char(0x45)).append(char(0));
        u16(quint16(20 + 8 + payload.size()));
        u16(0);
        u16(0);
        p.append(char(64)).append(char(17));
        u16(0);
        p.append("\x7f\x00\x00\x01\x7f\x00\x00\x01", 8);
        u16(from);
        u16(to);
        u16(quint16(8 + payload.size()));
        u16(0);
        return p.append(payload);
    }

    // A pcap (raw IPv4, link type 228) of `calls` SIP calls over UDP, one every 2 ms, their
    // messages 1 ms apart, each followed by `rtp` media packets (172 bytes, ignored: what makes a
    // real capture big); `cut` bytes are taken off the end (a truncated last record).
    static bool writeCalls(const QString& file, int calls, int cut = 0, int rtp = 0, int leadingRtp = 0)
    {
        test::PcapWriter pcap(228, test::PcapFormat { 65535 });
        QByteArray& out = pcap.bytes();
        out.reserve(qsizetype(calls) * 2600);
        constexpr qint64 kStartUs = 1700000000LL * 1000000;
        auto rtpPacket = [&](qint64 us) {
            const QByteArray media = QByteArray(1, char(0x80)) + char(0) + QByteArray(170, char(us));
            pcap.addUs(udpOverIp4(40000, 40002, media), kStartUs + us);
        };
        for (int m = 0; m < leadingRtp; ++m) // media before the first call (a capture started mid-call)
            rtpPacket(m);
        for (int c = 0; c < calls; ++c) {
            const QList<test::SipPacket> call = test::sipCall("bigcall-" + QByteArray::number(c), 5062, 5060);
            for (int m = 0; m < call.size(); ++m) {
                const bool fromCaller = call[m].fromCaller;
                pcap.addUs(udpOverIp4(fromCaller ? 5062 : 5060, fromCaller ? 5060 : 5062, call[m].bytes),
                    kStartUs + qint64(c) * 2000 + m * 1000);
            }
            for (int m = 0; m < rtp; ++m)
                rtpPacket(qint64(c) * 2000 + 1000 + m);
        }
        out.chop(cut);
        QFile f(file);
        return f.open(QIODevice::WriteOnly) && f.write(out) == out.size();
    }

    static bool logSays(const trace::Journal& j, const QString& words)
    {
        bool found = false;
        j.forEach(0, j.count(), [&](const trace::Event& e) {
            found = found || (e.kind == trace::Kind::Log && e.text.contains(words));
        });
        return found;
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

    // File > Open of a capture returns at once, reads on a thread of its own, and ends with what
    // the synchronous reconstructCaptureFile gives: the same events, transactions, dialogs.
    void streamedOpenMatchesTheSynchronousReconstruction()
    {
        const QString file = path(QStringLiteral("calls.pcap"));
        QVERIFY(writeCalls(file, 1500));
        const trace::CaptureReconstruction sync = trace::reconstructCaptureFile(file);
        QVERIFY(sync.read.ok);
        QVERIFY2(sync.transactions.size() == 2 * 1500 && sync.dialogs.size() == 1500, qPrintable(QString::number(sync.transactions.size())));

        auto journal = labJournal();
        ui::MainWindow w(journal);
        QSignalSpy finished(w.files(), &ui::SessionFiles::loadFinished);
        QSignalSpy progress(w.files(), &ui::SessionFiles::loadProgress);
        w.openFileInBackground(file);
        QVERIFY(w.files()->loading()); // returned before the file was read
        QVERIFY(finished.isEmpty());
        QVERIFY(finished.wait(20000));
        const auto r = finished.first().first().value<ui::SessionFiles::Result>();
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!r.stopped);
        QVERIFY(progress.size() >= 2); // the bar moved while reading
        QVERIFY(w.loadProgressBar()->isHidden());
        QVERIFY(w.isOffline());

        QCOMPARE(journal->count(), quint64(sync.events.size()));
        QCOMPARE(journal->epochNs(), sync.read.epochNs);
        for (qsizetype i = 0; i < sync.events.size(); ++i) {
            const trace::Event e = journal->at(quint64(i));
            const trace::Event& x = sync.events[i];
            QCOMPARE(e.kind, x.kind);
            QCOMPARE(e.timeNs, x.timeNs);
            QCOMPARE(e.object, x.object);
            QCOMPARE(e.text, x.text);
        }
        QCOMPARE(w.transactionModel()->rows().size(), sync.transactions.size());
        QCOMPARE(w.dialogModel()->rows().size(), sync.dialogs.size());
        QCOMPARE(r.transactions.size(), sync.transactions.size());
        QCOMPARE(r.associations.size(), sync.associations.size());

        // openFile() (the command line, recovery, scripts) still waits and gives the same.
        const quint64 count = journal->count();
        QString error;
        QVERIFY2(w.openFile(file, &error), qPrintable(error));
        QCOMPARE(journal->count(), count);

        // A capture cut short: what came before the cut, and the same warning as before, logged.
        const QString cut = path(QStringLiteral("cut.pcap"));
        QVERIFY(writeCalls(cut, 200, 100));
        const trace::CaptureReconstruction syncCut = trace::reconstructCaptureFile(cut);
        QVERIFY(!syncCut.read.ok);
        QVERIFY2(w.openFile(cut, &error), qPrintable(error));
        QCOMPARE(journal->count(), quint64(syncCut.events.size()) + 1); // and the log line
        QVERIFY(logSays(*journal, QStringLiteral("The capture ends early: %1").arg(syncCut.read.error)));
    }

    // Cancel half-way: reading stops, what was read is kept and shown, the log says how far it
    // got; the window answered a 1 ms timer all along.
    void cancelKeepsWhatWasReadAndTheWindowStaysLive()
    {
        const QString file = path(QStringLiteral("big.pcap"));
        const int calls = 6000; // with their media, 40 MB
        QVERIFY(writeCalls(file, calls, 0, 20));
        const qint64 size = QFileInfo(file).size();
        auto journal = labJournal();
        QVERIFY(countKind(*journal, trace::Kind::LinkDrop) > 0);
        ui::MainWindow w(journal);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::qWait(200); // the first paints
        QSignalSpy finished(w.files(), &ui::SessionFiles::loadFinished);
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0, longest = 0;
        QTimer tick;
        tick.setInterval(1);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longest = std::max(longest, now - last);
            last = now;
        });
        tick.start();
        last = clock.elapsed();
        w.openFileInBackground(file);
        QVERIFY(w.files()->loading());
        // The views fill while it reads: the file's transactions show before the end.
        QTRY_VERIFY_WITH_TIMEOUT(w.isOffline() && !w.transactionModel()->rows().isEmpty(), 20000);
        QVERIFY(w.loadProgressBar()->isVisible() && w.loadProgressBar()->value() > 0);
        QVERIFY(w.loadCancelButton()->isVisible());
        QVERIFY(finished.isEmpty());
        w.loadCancelButton()->click();
        QVERIFY(finished.wait(10000));
        tick.stop();
        const auto r = finished.first().first().value<ui::SessionFiles::Result>();
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.stopped);
        QCOMPARE(r.bytesTotal, size);
        QVERIFY(r.bytesRead > 0 && r.bytesRead < size);
        const int sip = countKind(*journal, trace::Kind::SipMessage);
        QVERIFY2(sip > 0 && sip < calls * 7, qPrintable(QString::number(sip)));
        QCOMPARE(countKind(*journal, trace::Kind::LinkDrop), 0); // the lab's run is gone
        QVERIFY(!w.transactionModel()->rows().isEmpty());
        QCOMPARE(qsizetype(w.transactionModel()->rows().size()), r.transactions.size());
        QVERIFY(logSays(*journal, QStringLiteral("stopped after %1 of %2 bytes").arg(QLocale().toString(r.bytesRead), QLocale().toString(size))));
        QVERIFY(w.loadProgressBar()->isHidden());
        qInfo("longest stall %lld ms; read %lld of %lld bytes", (long long)longest, (long long)r.bytesRead, (long long)size);
        QVERIFY2(longest < 200, qPrintable(QStringLiteral("the window stalled %1 ms").arg(longest)));
    }

    // A capture that fails before giving any event leaves the journal and the views as they were.
    void failedCaptureLeavesTheJournal()
    {
        const QString file = path(QStringLiteral("broken.pcap"));
        QVERIFY(writeCalls(file, 1, 0));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        qToLittleEndian<quint32>(1u << 20, bytes.data() + 24 + 8); // the first record claims 1 MB
        f.seek(0);
        f.write(bytes);
        f.close();
        auto journal = labJournal();
        const quint64 events = journal->count();
        const QString first = journal->at(0).text;
        ui::MainWindow w(journal);
        QString error;
        QVERIFY(!w.openFile(file, &error));
        QVERIFY2(error.contains(QLatin1String("broken.pcap")) && error.contains(QLatin1String("beyond the file")), qPrintable(error));
        QCOMPARE(journal->count(), events);
        QCOMPARE(journal->at(0).text, first);
        QVERIFY(!w.isOffline());

        // Cancelled before the file gave an event (4 MB of media come first): nothing changes.
        const QString late = path(QStringLiteral("late.pcap"));
        QVERIFY(writeCalls(late, 100, 0, 0, 20000));
        QSignalSpy finished(w.files(), &ui::SessionFiles::loadFinished);
        w.openFileInBackground(late);
        w.cancelOpen();
        QVERIFY(finished.wait(10000));
        const auto r = finished.first().first().value<ui::SessionFiles::Result>();
        QVERIFY(!r.ok);
        QVERIFY(r.stopped);
        QVERIFY2(r.error.contains(QLatin1String("nothing changed")), qPrintable(r.error));
        QCOMPARE(journal->count(), events);
        QCOMPARE(journal->at(0).text, first);
        QVERIFY(!w.isOffline());
        // Read to the end, the same file opens.
        QVERIFY2(w.openFile(late, &error), qPrintable(error));
        QCOMPARE(countKind(*journal, trace::Kind::SipMessage), 700);
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
