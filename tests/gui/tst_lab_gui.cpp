// SPDX-License-Identifier: GPL-3.0-or-later
// End to end through the real window: the composer's widgets → LabSession → LabController on the
// stack thread → the playground's peers over lab links → journal and snapshots → the views.
#include "composer/sctpcomposer.h"
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "graphs/tsngraphview.h"
#include "labpanel.h"
#include "lab/lesson/lesson.h"
#include "runcomparison.h"
#include "sctp/chunkdecoder.h"
#include "labsession.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "timeline/timelineview.h"
#include "journal/journal.h"
#include "testskip.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QFormLayout>
#include <QLabel>
#include <QSignalSpy>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <optional>

using namespace ladder;

namespace {

// Answers the modal dialogs the next user action opens, as a user would: Qt's own file dialog
// (the offscreen platform has no native one) gets `path` and OK; a message box is read into
// *message and closed. Polls until the message box, or the timer is deleted.
class DialogAnswerer : public QObject {
public:
    DialogAnswerer(QString path, QString* message)
        : m_path(std::move(path))
        , m_message(message)
    {
        connect(&m_poll, &QTimer::timeout, this, [this] {
            QWidget* modal = QApplication::activeModalWidget();
            if (++m_polls > 500) { // 10 s: fail the test rather than hang in the dialog
                if (modal)
                    modal->close();
                m_poll.stop();
                return;
            }
            if (auto* d = qobject_cast<QFileDialog*>(modal)) {
                // Typed into its file name box, then OK — the box is what accept() reads.
                auto* name = d->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
                if (!name)
                    return;
                ++fileDialogs;
                name->setText(m_path);
                static_cast<QDialog*>(d)->accept(); // QFileDialog::accept, as its OK button
            } else if (auto* box = qobject_cast<QMessageBox*>(modal)) {
                *m_message = box->text();
                box->done(QMessageBox::Ok);
                m_poll.stop();
            }
        });
        m_poll.start(20);
    }
    int fileDialogs = 0;

private:
    QString m_path;
    QString* m_message;
    QTimer m_poll;
    int m_polls = 0;
};

} // namespace

class TestLabGui : public QObject {
    Q_OBJECT

    struct App {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::LabSession lab { stack, window };
    };

    static std::optional<sip::TransactionSnapshot> transaction(const ui::TransactionModel* m, const QString& method)
    {
        for (const auto& t : m->rows())
            if (t.method == method && t.role == QLatin1String("client"))
                return t;
        return std::nullopt;
    }

    // How many journal events of this kind have a text starting with prefix (and, for messages,
    // went this way). Whatever a call on the stack thread journals is there before its result
    // reaches the window, so once a result shows, this is exact.
    static int journalled(App& app, trace::Kind kind, const QString& prefix, trace::Dir dir = trace::Dir::None)
    {
        int n = 0;
        const auto journal = app.stack.journal();
        journal->forEach(0, journal->count(), [&](const trace::Event& e) {
            if (e.kind == kind && e.text.startsWith(prefix) && (dir == trace::Dir::None || e.dir == dir))
                ++n;
        });
        return n;
    }

    // The Lab panel's "Paths" heading (the label of the path controls' form row).
    static QWidget* pathsLabel(App& app)
    {
        auto* form = app.window.labPanel()->findChild<QFormLayout*>();
        QWidget* paths = app.window.labPanel()->pathButtons().first()->parentWidget();
        return form ? form->labelForField(paths) : nullptr;
    }

    static QByteArray readGood(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    static QAction* openLessonAction(App& app)
    {
        for (QAction* a : app.window.fileMenu()->actions())
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O))
                return a;
        return nullptr;
    }

private slots:
    // Issue 22's teacher, in the window: a breakpoint on the second Timer A pauses the INVITE over
    // lossy UDP exactly there (the event inspected, the clock stopped), Step goes on event by event,
    // and a re-run with a fault rule drops the INVITE chosen by meaning.
    void teacherBreaksStepsAndReRunsWithAFault()
    {
        App app;
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("invite-lossy-udp"));
        auto* breaks = panel->findChild<QPlainTextEdit*>(QStringLiteral("breakpoints"));
        QVERIFY(breaks);
        breaks->setPlainText(QStringLiteral("timer sip:A nth 2"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(100.0));
        QTRY_VERIFY_WITH_TIMEOUT(journalled(app, trace::Kind::Log, QStringLiteral("Lab: breakpoints 'timer sip:A nth 2'")) == 1, 5000);
        QTest::mouseClick(panel->playButton(), Qt::LeftButton);
        auto* status = panel->findChild<QLabel*>(QStringLiteral("labStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Paused at a breakpoint")), 20000);
        QVERIFY2(status->text().contains(QStringLiteral("at 1.500 s")), qPrintable(status->text()));
        QTRY_VERIFY_WITH_TIMEOUT(panel->clockLabel()->text().startsWith(QStringLiteral("t = 1.500 s · paused")), 5000);
        QCOMPARE(panel->playButton()->text(), QStringLiteral("Play"));
        QVERIFY(app.window.inspectedObject() != 0); // the Timer A event of the INVITE transaction
        // Step: the retransmission Timer A sent, at the same instant.
        QTest::mouseClick(panel->stepButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Step: ")), 5000);
        QVERIFY2(status->text().contains(QStringLiteral("at 1.500 s")), qPrintable(status->text()));

        // A re-run with the fourth INVITE dropped: the same seed, the fault at exactly that packet.
        breaks->clear();
        auto* faults = panel->findChild<QPlainTextEdit*>(QStringLiteral("faultRules"));
        QVERIFY(faults);
        faults->setPlainText(QStringLiteral("drop sip:INVITE nth x"));
        auto* faultError = panel->findChild<QLabel*>(QStringLiteral("faultError"));
        QVERIFY(faultError->isVisibleTo(panel) && faultError->text().contains(QStringLiteral("nth needs a number")));
        faults->setPlainText(QStringLiteral("drop sip:INVITE nth 4"));
        QVERIFY(!faultError->isVisibleTo(panel));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")),
            qPrintable(status->text() + QStringLiteral(" | ") + panel->clockLabel()->text()), 30000);
        int dropped = 0;
        app.stack.journal()->forEach(0, app.stack.journal()->count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::LinkDrop && e.text.contains(QStringLiteral("'drop sip:INVITE nth 4'"))) {
                ++dropped;
                QCOMPARE(e.timeNs, qint64(3'500'000'000)); // the fourth INVITE leaves at 3.5 s
            }
        });
        QCOMPARE(dropped, 1);
    }

    // Issue 22's rewind, in the window: after the INVITE over lossy UDP, rewind from the timeline's
    // context menu to t = 1 s — the transactions view shows the INVITE still Calling with one
    // retransmission, as it was then, and the timeline a cursor there; then "In a re-run: Drop
    // This" on the INVITE sent at 1.5 s re-runs the same seed to just before it, and the comparison
    // window says where the runs part: that INVITE, lost by the rule.
    void teacherRewindsAndDropsAPacketInAReRun()
    {
        App app;
        app.window.resize(1400, 900);
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("invite-lossy-udp"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        auto* status = panel->findChild<QLabel*>(QStringLiteral("labStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")), 20000);
        QTest::mouseClick(panel->playButton(), Qt::LeftButton); // pause: the idle timers stop
        QTRY_COMPARE(panel->playButton()->text(), QStringLiteral("Play"));
        app.window.showView(QStringLiteral("timeline"));
        ui::TimelineView* timeline = app.window.timeline();
        QTRY_VERIFY(!timeline->index().items().empty());
        timeline->setFollow(false);
        timeline->setRange(-200'000'000, 8'000'000); // 8 ms a pixel: the first 4 s
        QTest::qWait(100); // a paint: the frame the menu hit-tests

        // Rewind to (about) 1 s, through the context menu's action at that x.
        const QRect plot = timeline->plotRect();
        const int x1 = plot.left() + int(double(1'000'000'000 - timeline->startNs()) / timeline->nsPerPixel());
        QObject menu;
        QSignalSpy rewindSpy(timeline, &ui::TimelineView::rewindRequested);
        QAction* rewind = nullptr;
        for (QAction* a : timeline->rewindActions(QPoint(x1, plot.top() + 2), &menu))
            if (a->objectName() == QLatin1String("rewindHere"))
                rewind = a;
        QVERIFY(rewind);
        rewind->trigger();
        QCOMPARE(rewindSpy.size(), 1);
        const qint64 at = rewindSpy.first().at(0).toLongLong();
        QVERIFY2(at >= 500'000'000 && at < 1'500'000'000,
            qPrintable(QStringLiteral("%1 start %2 ns/px %3 x %4 width %5").arg(at).arg(timeline->startNs()).arg(timeline->nsPerPixel()).arg(x1).arg(timeline->width())));
        QTRY_COMPARE(timeline->cursorTime(), at);
        QVERIFY(!app.window.findChildren<ui::TsnGraphView*>().isEmpty());
        for (ui::TsnGraphView* graph : app.window.findChildren<ui::TsnGraphView*>())
            QCOMPARE(graph->cursorTime(), at); // the TSN graph veils what came after too
        QTRY_VERIFY(panel->findChild<QWidget*>(QStringLiteral("rewindRow"))->isVisible());
        QCOMPARE(panel->rewoundTime(), at);
        // As of then: the INVITE client transaction is still Calling, retransmitted once (at 0.5 s).
        QTRY_VERIFY(transaction(app.window.transactionModel(), QStringLiteral("INVITE")).has_value()
            && transaction(app.window.transactionModel(), QStringLiteral("INVITE"))->state == QLatin1String("Calling"));
        QCOMPARE(transaction(app.window.transactionModel(), QStringLiteral("INVITE"))->retransmissions, 1u);
        // packaging/screenshots.sh sets this: the rewound window for the README's gallery.
        const QString shots = qEnvironmentVariable("LADDERLAB_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            app.window.showView(QStringLiteral("transactions"));
            app.window.showView(QStringLiteral("timeline"));
            QTest::qWait(300);
            QVERIFY(app.window.grab().save(shots + QStringLiteral("/lab-rewind.png")));
        }
        // Back to live: the transaction as it ended.
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("backToLive")), Qt::LeftButton);
        QTRY_COMPARE(timeline->cursorTime(), qint64(-1));
        QTRY_VERIFY(transaction(app.window.transactionModel(), QStringLiteral("INVITE"))->state != QLatin1String("Calling"));
        QVERIFY(!panel->findChild<QWidget*>(QStringLiteral("rewindRow"))->isVisible());

        // The INVITE sent at 1.5 s (the second retransmission; the lossy link lost it), found where
        // the timeline drew it: its dashed arrow.
        quint64 seq = ~0ull;
        for (const auto& item : timeline->index().items())
            if (item.kind == trace::Kind::LinkDrop && item.timeNs == 1'500'000'000)
                seq = item.seq;
        QVERIFY(seq != ~0ull);
        QTest::qWait(100);
        const int x15 = plot.left() + int(double(1'500'000'000 - timeline->startNs()) / timeline->nsPerPixel());
        QAction* drop = nullptr;
        for (int dx = -4; dx <= 4 && !drop; ++dx)
            for (int y = plot.top(); y <= plot.bottom() && !drop; y += 2) {
                const qint64 hit = timeline->itemAt(QPoint(x15 + dx, y));
                if (hit < 0 || timeline->index().items()[size_t(hit)].seq != seq)
                    continue;
                for (QAction* a : timeline->rewindActions(QPoint(x15 + dx, y), &menu))
                    if (a->objectName() == QLatin1String("rerunDrop"))
                        drop = a;
            }
        QVERIFY2(drop, "no 'In a Re-run: Drop' on the INVITE sent at 1.5 s");
        QVERIFY2(drop->text().contains(QStringLiteral("INVITE")), qPrintable(drop->text()));
        drop->trigger();
        QCOMPARE(panel->faultRules(), QStringList { QStringLiteral("drop sip:INVITE nth 3") });
        QTRY_VERIFY(app.lab.comparison() != nullptr);
        ui::RunComparison* comparison = app.lab.comparison();
        // Paused just before the packet leaves; the re-run is the original so far.
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Reached 1.500 s")), 10000);
        QTRY_VERIFY(comparison->divergenceText().contains(QStringLiteral("The same so far")));
        QCOMPARE(comparison->divergence(), qsizetype(-1));
        QTest::mouseClick(panel->playButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(comparison->divergence() >= 0, 20000);
        QVERIFY2(comparison->divergenceText().contains(QStringLiteral("The runs part at 1.500 s")), qPrintable(comparison->divergenceText()));
        QVERIFY2(comparison->divergenceText().contains(QStringLiteral("drop sip:INVITE nth 3")), qPrintable(comparison->divergenceText()));
        QVERIFY(comparison->originalView()->index().items().size() > 0);
        QVERIFY(comparison->whatIfView()->index().items().size() > 0);
        if (!shots.isEmpty()) {
            comparison->resize(1200, 760);
            QTest::qWait(300);
            QVERIFY(comparison->grab().save(shots + QStringLiteral("/lab-what-if.png")));
        }
        comparison->close();
    }

    // File ▸ Open Lesson… the way a teacher uses it — the menu's action, the file dialog — adds the
    // lesson to the Lab panel's list, selected, its defaults on the loss and delay sliders; it runs
    // with each link keeping its own values (the file's link loses nothing though the default
    // says 100 %; the delay comes from the default) and its events reach the views. A bad file
    // shows the reader's line and field and changes nothing.
    void openLessonFromTheFileMenu()
    {
        App app;
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        auto* combo = panel->findChild<QComboBox*>(QStringLiteral("scenarioCombo"));
        auto* loss = panel->findChild<QSlider*>(QStringLiteral("lossSlider"));
        auto* delay = panel->findChild<QSlider*>(QStringLiteral("delaySlider"));
        QVERIFY(combo && loss && delay);
        QAction* open = openLessonAction(app);
        QVERIFY(open);
        QTemporaryDir dir;
        const QString good = dir.filePath(QStringLiteral("options-defaults.json"));
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            "{\n"
            "  \"format\": \"ladderlab-lesson\", \"version\": 1, \"name\": \"options-defaults\",\n"
            "  \"title\": \"OPTIONS with the lesson's defaults\", \"summary\": \"One OPTIONS over a link that keeps its own loss\",\n"
            "  \"lesson\": \"alice asks bob for his capabilities; the link loses nothing, whatever the default says.\",\n"
            "  \"defaults\": { \"loss\": 100, \"delay_ms\": 35, \"duration_s\": 10 },\n"
            "  \"peers\": [\n"
            "    { \"kind\": \"sip-uac\", \"name\": \"alice\", \"host\": \"10.0.0.1\" },\n"
            "    { \"kind\": \"sip-uas\", \"name\": \"bob\", \"host\": \"10.0.0.2\" }\n"
            "  ],\n"
            "  \"links\": [ { \"from\": \"alice\", \"to\": \"bob\", \"loss\": 0 } ],\n"
            "  \"actions\": [ { \"at_ms\": 0, \"peer\": \"alice\", \"request\": { \"to\": \"bob\", \"method\": \"OPTIONS\" } } ],\n"
            "  \"expect\": [ { \"count\": \"send sip:OPTIONS\", \"equals\": 1 } ]\n"
            "}\n");
        f.close();
        const int before = combo->count();
        QString message;
        {
            DialogAnswerer answer(good, &message);
            open->trigger();
            QCOMPARE(answer.fileDialogs, 1);
        }
        QVERIFY2(message.isEmpty(), qPrintable(message));
        QCOMPARE(combo->count(), before + 1);
        QCOMPARE(combo->currentData().toString(), good);
        QCOMPARE(combo->currentText(), QStringLiteral("OPTIONS with the lesson's defaults"));
        // The file's defaults on the sliders (the loss range widened to show 100 %), marked as the lesson's.
        QCOMPARE(loss->value(), 100);
        QCOMPARE(delay->value(), 35);
        QVERIFY(loss->parentWidget()->findChild<QLabel*>()->text().contains(QStringLiteral("100 % (lesson)")));
        QVERIFY(delay->parentWidget()->findChild<QLabel*>()->text().contains(QStringLiteral("35 ms (lesson)")));
        QCOMPARE(panel->params().lossPct, -1.0); // sliders left at the lesson's defaults: the file decides
        QCOMPARE(panel->params().delayMs, qint64(-1));

        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        auto* status = panel->findChild<QLabel*>(QStringLiteral("labStatus"));
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")), qPrintable(status->text()), 20000);
        QVERIFY2(status->text().contains(QStringLiteral("expectation 1: send sip:OPTIONS = 1: passed, got 1")), qPrintable(status->text()));
        // Its events in the views: the OPTIONS client transaction, answered 200.
        QTRY_VERIFY_WITH_TIMEOUT(transaction(app.window.transactionModel(), QStringLiteral("OPTIONS")).has_value(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(transaction(app.window.transactionModel(), QStringLiteral("OPTIONS"))->lastStatus, 200, 5000);
        // The default delay on the link: bob receives the OPTIONS 35 ms after alice sent it.
        qint64 sent = -1, received = -1;
        app.stack.journal()->forEach(0, app.stack.journal()->count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::SipMessage && e.text.startsWith(QStringLiteral("OPTIONS ")))
                (e.dir == trace::Dir::Tx ? sent : received) = e.timeNs;
        });
        QVERIFY(sent >= 0 && received >= 0);
        QCOMPARE(received - sent, qint64(35'000'000));

        // A bad file: the reader's line and field in the message box; the list, the selection and
        // the sliders as they were.
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile b(bad);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write(readGood(good).replace("\"loss\": 0 }", "\"loss\": 120 }"));
        b.close();
        {
            DialogAnswerer answer(bad, &message);
            open->trigger();
            QCOMPARE(answer.fileDialogs, 1);
        }
        QVERIFY2(message.contains(QStringLiteral("bad.json:10: links[0].loss: expected a number from 0 to 100")), qPrintable(message));
        QCOMPARE(combo->count(), before + 1);
        QCOMPARE(combo->currentData().toString(), good);
        QCOMPARE(loss->value(), 100);
        QCOMPARE(delay->value(), 35);
    }

    // The declarative SCTP lesson (resources/lessons/prsctp-declarative.json) in the window: run
    // as fast as possible it passes its expectations, and the same events as headless reach the
    // views — the association in the Associations view, the abandoned messages and FORWARD-TSNs in
    // the journal the timeline paints.
    void declarativeSctpLessonInTheWindow()
    {
        App app;
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("prsctp-declarative"));
        QCOMPARE(panel->selectedScenario(), QStringLiteral("prsctp-declarative"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        auto* status = panel->findChild<QLabel*>(QStringLiteral("labStatus"));
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")), qPrintable(status->text()), 30000);
        QVERIFY2(status->text().contains(QStringLiteral("every reliable message arrives (delivered to sctp-b on stream 1 containing "
                                                        "'reliable-' = 10): passed, got 10")),
            qPrintable(status->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!app.window.associationModel()->rows().isEmpty(), 5000);
        QVERIFY(journalled(app, trace::Kind::SctpAbandon, QString()) >= 2);
        QVERIFY(journalled(app, trace::Kind::SctpForwardTsn, QString()) >= 1);
    }

    // Issue 21: a lesson's run fits the timeline when it ends, even after the teacher zoomed in
    // during it.
    void theRunFitsTheTimelineWhenTheLessonEnds()
    {
        App app;
        app.window.resize(1600, 1000);
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("invite-lossy-udp"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(1.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        ui::TimelineView* timeline = app.window.timeline();
        QTRY_VERIFY_WITH_TIMEOUT(timeline->index().items().size() > 3, 10000);
        // Zoomed in on the start, as a wheel or + would (they stop following too).
        timeline->setFollow(false);
        timeline->setRange(timeline->index().firstNs(), 10000.0);
        auto* status = panel->findChild<QLabel*>(QStringLiteral("labStatus"));
        QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")), qPrintable(status->text()), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(timeline->follows(), 5000);
        QTest::qWait(300);
        const qint64 end = timeline->startNs() + qint64(double(timeline->width()) * timeline->nsPerPixel());
        QVERIFY2(timeline->startNs() <= timeline->index().firstNs() && end >= timeline->index().lastNs(),
            qPrintable(QStringLiteral("view %1..%2 ns, run %3..%4 ns").arg(timeline->startNs()).arg(end).arg(timeline->index().firstNs()).arg(timeline->index().lastNs())));
    }

    // Choosing a lesson puts its file's defaults on the loss and delay sliders; left there, a start
    // passes "the lesson's default" (-1), moved, the teacher's value.
    void choosingALessonShowsItsDefaults()
    {
        App app;
        ui::LabPanel* panel = app.window.labPanel();
        auto* loss = panel->findChild<QSlider*>(QStringLiteral("lossSlider"));
        auto* delay = panel->findChild<QSlider*>(QStringLiteral("delaySlider"));
        panel->selectScenario(QStringLiteral("prsctp-declarative"));
        QCOMPARE(panel->selectedScenario(), QStringLiteral("prsctp-declarative"));
        QCOMPARE(loss->value(), 10);
        QCOMPARE(delay->value(), 20);
        loss->setValue(25); // the teacher's own value is passed on
        QCOMPARE(panel->params().lossPct, 25.0);
        QCOMPARE(panel->params().delayMs, qint64(-1));
        panel->selectScenario(QStringLiteral("invite-lossy-udp"));
        QString error;
        const auto lesson = lab::LessonFile::load(lab::LessonFile::builtinPath(QStringLiteral("invite-lossy-udp")), &error);
        QVERIFY2(lesson, qPrintable(error));
        QCOMPARE(loss->value(), lesson->lossPct >= 0 ? qRound(lesson->lossPct) : -1);
        QCOMPARE(delay->value(), lesson->delayMs >= 0 ? int(lesson->delayMs) : -1);
    }

    // Issue 22's classroom quiz: paused at the first INVITE, the student is offered the armed
    // timers (Timer A at 0.5 s first), then what the waiting INVITE client may see (a response to it,
    // its own retransmission), a request arriving, a request sent; Timer A is right (the lab steps
    // over the timers armed on the way and checks the Timer A firing) and so is "after 0.2 s to 1 s"
    // (0.5 s later); "a response arrives" next is wrong (the INVITE client retransmits) and "within
    // 0.2 s" too (it comes at the same instant); the CSV has both rows, the when columns last.
    void quizChecksPredictionsAgainstTheStack()
    {
        App app;
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("invite-lossy-udp"));
        panel->findChild<QCheckBox*>(QStringLiteral("quizMode"))->setChecked(true);
        panel->findChild<QPlainTextEdit*>(QStringLiteral("breakpoints"))->setPlainText(QStringLiteral("send sip:INVITE"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        auto* choices = panel->findChild<QComboBox*>(QStringLiteral("quizChoices"));
        auto* answer = panel->findChild<QPushButton*>(QStringLiteral("quizAnswer"));
        auto* result = panel->findChild<QLabel*>(QStringLiteral("quizResult"));
        QTRY_VERIFY_WITH_TIMEOUT(answer->isEnabled() && choices->count() == 6, 10000);
        QVERIFY2(choices->itemText(0).startsWith(QStringLiteral("Timer A of the INVITE client")), qPrintable(choices->itemText(0)));
        QVERIFY2(choices->itemText(0).endsWith(QStringLiteral("at 0.500 s")), qPrintable(choices->itemText(0)));
        QVERIFY(choices->itemText(1).startsWith(QStringLiteral("Timer B of the INVITE client")));
        // The transaction's id (ids are per process: other tests' transactions came first).
        const QString id = QRegularExpression(QStringLiteral("\\(#(\\d+)\\)")).match(choices->itemText(0)).captured(1);
        QVERIFY(!id.isEmpty());
        QCOMPARE(choices->itemText(2), QStringLiteral("A response to the INVITE client (#%1) arrives").arg(id));
        QCOMPARE(choices->itemText(3), QStringLiteral("The INVITE client (#%1) retransmits its INVITE").arg(id));
        QCOMPARE(choices->itemText(4), QStringLiteral("A request arrives"));
        QCOMPARE(choices->itemText(5), QStringLiteral("A request is sent (a new one, an ACK or a CANCEL)"));
        auto* when = panel->findChild<QComboBox*>(QStringLiteral("quizWhen"));
        QVERIFY(when);
        QCOMPARE(when->count(), 6);
        choices->setCurrentIndex(0);
        when->setCurrentIndex(when->findText(QStringLiteral("after 0.2 s to 1 s")));
        QVERIFY(when->currentIndex() > 0);
        QTest::mouseClick(answer, Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(result->text().contains(QStringLiteral("1 of 1 right")), qPrintable(result->text() + " / " + panel->findChild<QLabel*>(QStringLiteral("labStatus"))->text()), 10000);
        QVERIFY2(result->text().contains(QStringLiteral("Right: sip.timer.fired A at 0.500 s. When: right, 0.500 s later (after 0.2 s to 1 s).")),
            qPrintable(result->text()));
        QTRY_VERIFY(answer->isEnabled());
        QCOMPARE(when->currentIndex(), 0); // each question starts unsaid
        choices->setCurrentIndex(choices->findText(QStringLiteral("A response to the INVITE client (#%1) arrives").arg(id)));
        QVERIFY(choices->currentIndex() >= 0);
        when->setCurrentIndex(when->findText(QStringLiteral("within 0.2 s"))); // it comes at the same instant
        QTest::mouseClick(answer, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("1 of 2 right")), 10000);
        QVERIFY2(result->text().contains(QStringLiteral("it was: sip.retransmission INVITE")), qPrintable(result->text()));
        QVERIFY2(result->text().contains(QStringLiteral("When: not within 0.2 s but 0.000 s later. When right 1 of 2.")), qPrintable(result->text()));
        const QStringList csv = lab::quizCsv(app.lab.quizAnswers()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 3);
        QCOMPARE(csv.at(0), QStringLiteral("asked_at_s,question,choices,answer,actual,correct,when,actual_after_s,when_correct"));
        QVERIFY2(csv.at(1).startsWith(QStringLiteral("0.000,What happens next?,")) && csv.at(1).endsWith(QStringLiteral(",yes,after 0.2 s to 1 s,0.500,yes")), qPrintable(csv.at(1)));
        QVERIFY2(csv.at(2).startsWith(QStringLiteral("0.500,")) && csv.at(2).endsWith(QStringLiteral(",no,within 0.2 s,0.000,no")), qPrintable(csv.at(2)));
    }

    // The next happening after journal event `asked`, read from the journal as a reader of the trace
    // would: the rest of the asked event's SCTP packet (same instant, same way, its chunks and what
    // derives from them) and what decides nothing (state changes, timers armed, notifications, log
    // lines, link drops) are passed over; the first SCTP packet or chunk, SCTP retransmission,
    // FORWARD-TSN or abandon, SIP message or timer firing after them, with the rest of its packet.
    static QList<trace::Event> nextHappening(App& app, quint64 asked)
    {
        const auto journal = app.stack.journal();
        const QList<trace::Event> events = journal->range(asked, journal->count() - asked).toList();
        auto inPacket = [](const trace::Event& e) {
            return e.kind == trace::Kind::SctpChunk || e.kind == trace::Kind::SctpRetransmission || e.kind == trace::Kind::SctpForwardTsn;
        };
        qsizetype i = 1;
        const trace::Event& q = events.first();
        if (q.kind == trace::Kind::SctpPacket || inPacket(q))
            while (i < events.size() && inPacket(events.at(i)) && events.at(i).timeNs == q.timeNs && events.at(i).dir == q.dir)
                ++i;
        for (; i < events.size(); ++i) {
            const trace::Event& e = events.at(i);
            const bool sctp = e.kind == trace::Kind::SctpPacket || inPacket(e) || e.kind == trace::Kind::SctpAbandon;
            const bool sip = e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission || e.kind == trace::Kind::TimerFired;
            if (sctp || sip)
                break;
        }
        QList<trace::Event> out;
        if (i >= events.size())
            return out;
        out << events.at(i);
        if (events.at(i).kind == trace::Kind::SctpPacket || inPacket(events.at(i)))
            for (qsizetype j = i + 1; j < events.size() && inPacket(events.at(j)) && events.at(j).timeNs == events.at(i).timeNs
                 && events.at(j).dir == events.at(i).dir;
                 ++j)
                out << events.at(j);
        return out;
    }

    // Issue 22's quiz on an SCTP lesson: prsctp-ttl-rtx-buf (seed 1, virtual time) paused at its
    // first T3-rtx expiry offers SCTP choices from the associations' state — the data sender's
    // T3-rtx (no time: usrsctp does not say; its RTO), a SACK arriving at it, the fast retransmission
    // of its lowest outstanding TSN — and no SIP ones. Each answer, what and roughly when, is scored
    // against the next SCTP happening as the journal then shows it; the CSV has the when columns.
    void quizAsksSctpOnAnSctpLesson()
    {
        App app;
        app.window.show();
        ui::LabPanel* panel = app.window.labPanel();
        panel->selectScenario(QStringLiteral("prsctp-ttl-rtx-buf"));
        panel->findChild<QCheckBox*>(QStringLiteral("quizMode"))->setChecked(true);
        panel->findChild<QPlainTextEdit*>(QStringLiteral("breakpoints"))->setPlainText(QStringLiteral("timer sctp:T3-rtx"));
        panel->speedBox()->setCurrentIndex(panel->speedBox()->findData(0.0));
        QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("startScenario")), Qt::LeftButton);
        auto* choices = panel->findChild<QComboBox*>(QStringLiteral("quizChoices"));
        auto* when = panel->findChild<QComboBox*>(QStringLiteral("quizWhen"));
        auto* answer = panel->findChild<QPushButton*>(QStringLiteral("quizAnswer"));
        auto* result = panel->findChild<QLabel*>(QStringLiteral("quizResult"));
        QVERIFY(when);
        QTRY_VERIFY_WITH_TIMEOUT(answer->isEnabled() && choices->count() > 0, 20000);
        // The breakpoint's event: the first retransmission by timeout.
        qint64 asked = -1;
        const auto journal = app.stack.journal();
        journal->forEach(0, journal->count(), [&](const trace::Event& e) {
            if (asked < 0 && e.kind == trace::Kind::SctpRetransmission && e.a == 2)
                asked = qint64(e.seq);
        });
        QVERIFY(asked >= 0);
        const trace::Event t3 = journal->at(quint64(asked));
        QStringList texts;
        for (int i = 0; i < choices->count(); ++i)
            texts << choices->itemText(i);
        const QString all = texts.join(QLatin1Char('\n'));
        QVERIFY2(!texts.contains(QStringLiteral("A request arrives")), qPrintable(all));
        // The sender as the Associations view shows it: its id and local address.
        QString local;
        bool outstanding = false;
        for (const auto& row : app.window.associationModel()->rows())
            if (row.id == t3.object) {
                local = row.localAddress;
                outstanding = row.unackedChunks > 0; // the view agrees: DATA outstanding
            }
        QVERIFY(!local.isEmpty());
        QVERIFY(outstanding);
        const QString sender = QStringLiteral("Association #%1 (%2)").arg(t3.object).arg(local);
        const int t3Choice = choices->findText(QStringLiteral("%1: T3-rtx (DATA retransmitted by timeout) fires").arg(sender), Qt::MatchStartsWith);
        QVERIFY2(t3Choice >= 0, qPrintable(sender + " in\n" + all));
        QVERIFY2(texts.at(t3Choice).contains(QRegularExpression(QStringLiteral("; RTO now \\d\\.\\d{3} s \\(when: usrsctp does not say\\)$"))),
            qPrintable(texts.at(t3Choice)));
        QVERIFY2(choices->findText(QStringLiteral("A SACK arrives at %1").arg(sender)) >= 0, qPrintable(all));
        QVERIFY2(choices->findText(QStringLiteral("%1 retransmits DATA (TSN ").arg(sender), Qt::MatchStartsWith) >= 0, qPrintable(all));

        // Question 1: "a SACK arrives at the sender", within 0.2 s.
        choices->setCurrentIndex(choices->findText(QStringLiteral("A SACK arrives at %1").arg(sender)));
        when->setCurrentIndex(2);
        QTest::mouseClick(answer, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("of 1 right")), 10000);
        const QList<trace::Event> first = nextHappening(app, quint64(asked));
        QVERIFY(!first.isEmpty());
        bool sackAtSender = false;
        for (const trace::Event& e : first)
            sackAtSender = sackAtSender
                || (e.kind == trace::Kind::SctpChunk && e.dir == trace::Dir::Rx && e.a == sctp::chunk::Sack && e.object == t3.object);
        const qint64 after1 = first.first().timeNs - t3.timeNs;
        // With this seed the link is still down: no SACK comes, T3-rtx fires again (0.1 s later).
        QVERIFY2(!sackAtSender, qPrintable(lab::describeHappening(first)));
        QVERIFY2(result->text().contains(QStringLiteral("Not quite — it was: ")), qPrintable(result->text()));
        QVERIFY2(result->text().contains(QStringLiteral("0 of 1 right")), qPrintable(result->text()));
        QVERIFY(after1 > 0 && after1 <= 200'000'000);
        QVERIFY2(result->text().contains(QStringLiteral("When: right, %1 s later (within 0.2 s).").arg(double(after1) / 1e9, 0, 'f', 3)),
            qPrintable(result->text()));

        // Question 2, at the event that decided question 1: the sender's T3-rtx fires, roughly
        // when left unsaid.
        QTRY_VERIFY(answer->isEnabled());
        QCOMPARE(when->currentIndex(), 0);
        const int t3Again = choices->findText(QStringLiteral("%1: T3-rtx (DATA retransmitted by timeout) fires").arg(sender), Qt::MatchStartsWith);
        QVERIFY(t3Again >= 0);
        const QString second = choices->itemText(t3Again);
        choices->setCurrentIndex(t3Again);
        QTest::mouseClick(answer, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QStringLiteral("of 2 right")), 10000);
        const QList<trace::Event> next = nextHappening(app, first.first().seq);
        QVERIFY(!next.isEmpty());
        bool timeoutBySender = false;
        for (const trace::Event& e : next)
            timeoutBySender = timeoutBySender
                || (e.kind == trace::Kind::SctpRetransmission && e.a == 2 && e.object == t3.object && e.dir == trace::Dir::Tx);
        QVERIFY2(timeoutBySender, qPrintable(lab::describeHappening(next)));
        QVERIFY2(result->text().contains(QStringLiteral("Right: ")) && result->text().contains(QStringLiteral("1 of 2 right")),
            qPrintable(result->text()));
        QVERIFY2(!result->text().contains(QStringLiteral("When:")), qPrintable(result->text()));

        const QStringList csv = lab::quizCsv(app.lab.quizAnswers()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 3);
        QCOMPARE(csv.at(0), QStringLiteral("asked_at_s,question,choices,answer,actual,correct,when,actual_after_s,when_correct"));
        const QString after1Text = QString::number(double(after1) / 1e9, 'f', 3);
        QVERIFY2(csv.at(1).endsWith(QStringLiteral(",no,within 0.2 s,%1,yes").arg(after1Text)), qPrintable(csv.at(1)));
        QVERIFY2(csv.at(2).contains(QStringLiteral(",%1,").arg(second)), qPrintable(csv.at(2)));
        // Unsaid: no bucket, no verdict on it, the time it took all the same.
        QVERIFY2(csv.at(2).endsWith(QStringLiteral(",yes,,%1,").arg(QString::number(double(next.first().timeNs - first.first().timeNs) / 1e9, 'f', 3))),
            qPrintable(csv.at(2)));
    }

    void statefulInviteReachesTerminated()
    {
        App app;
        app.window.show();
        // A short T1 so that Timer M (64·T1) ends the accepted INVITE transaction in about a second.
        app.window.labPanel()->t1Box()->setValue(20);
        app.lab.start(QStringLiteral("playground"));

        ui::SipComposer* composer = app.window.sipComposer();
        composer->setText(ui::SipComposer::autoFill(ui::SipComposer::templateText(QStringLiteral("INVITE")), 1));
        composer->setTarget(QStringLiteral("udp:10.0.0.2:5060"));
        composer->statefulBox()->setChecked(true);
        QVERIFY(composer->validateNow().isEmpty());
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QLatin1String("sent"), Qt::CaseInsensitive), qPrintable(composer->resultText()), 5000);

        // The Transactions view sees the client transaction go Calling → Proceeding → Accepted →
        // Terminated (RFC 6026), fed by the controller's snapshots.
        QTRY_VERIFY_WITH_TIMEOUT(transaction(app.window.transactionModel(), QStringLiteral("INVITE")).has_value(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            transaction(app.window.transactionModel(), QStringLiteral("INVITE"))->state == QLatin1String("Terminated"), 10000);
        const sip::TransactionSnapshot t = *transaction(app.window.transactionModel(), QStringLiteral("INVITE"));
        QStringList states;
        for (const auto& h : t.history)
            states << h.state;
        QVERIFY2(states.contains(QStringLiteral("Proceeding")) && states.contains(QStringLiteral("Accepted")),
            qPrintable(states.join(QStringLiteral(", "))));
        QCOMPARE(t.lastStatus, 200);
        // The 200 created a confirmed dialog, and the Dialogs view has it.
        QTRY_VERIFY_WITH_TIMEOUT(!app.window.dialogModel()->rows().isEmpty(), 5000);
    }

    void badBranchShowsEinval()
    {
        App app;
        app.window.show();
        app.lab.start(QStringLiteral("playground"));
        ui::SipComposer* composer = app.window.sipComposer();
        QString text = ui::SipComposer::autoFill(ui::SipComposer::templateText(QStringLiteral("OPTIONS")), 1);
        static const QRegularExpression branch(QStringLiteral("branch=[^;\\n]+"));
        text.replace(branch, QStringLiteral("branch=1234"));
        composer->setText(text);
        composer->setTarget(QStringLiteral("udp:10.0.0.2:5060"));
        composer->statefulBox()->setChecked(true);
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("EINVAL")), qPrintable(composer->resultText()), 5000);
        QVERIFY2(composer->resultText().contains(QLatin1String("z9hG4bK")), qPrintable(composer->resultText()));
        // Nothing went out: no OPTIONS on the wire, no client transaction.
        QCOMPARE(journalled(app, trace::Kind::SipMessage, QStringLiteral("OPTIONS "), trace::Dir::Tx), 0);
        QCOMPARE(journalled(app, trace::Kind::TransactionState, QStringLiteral("OPTIONS client")), 0);

        // Statelessly the same message is fine (the man page: the branch rule applies to stateful sends).
        composer->statefulBox()->setChecked(false);
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText() == QLatin1String("Sent statelessly"), 5000);
        QVERIFY(journalled(app, trace::Kind::SipMessage, QStringLiteral("OPTIONS "), trace::Dir::Tx) > 0);
        // The UAS's server transaction reaches the view: snapshots taken after the failed send have
        // arrived, and none of them holds a client transaction.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto& row : app.window.transactionModel()->rows())
                    if (row.method == QLatin1String("OPTIONS") && row.role == QLatin1String("server"))
                        return true;
                return false;
            }(),
            5000);
        QVERIFY(!transaction(app.window.transactionModel(), QStringLiteral("OPTIONS")).has_value());
    }

    void prSctpTtlBurstShowsAbandonedMarks()
    {
        App app;
        app.window.show();
        app.lab.start(QStringLiteral("playground"));
        // One path: no path controls, and no "Paths" heading left standing alone.
        QTRY_VERIFY(pathsLabel(app)->isHidden());
        QVERIFY(app.window.labPanel()->pathButtons().first()->parentWidget()->isHidden());

        // Set the association up over a clean link with one message, as a user would.
        ui::SctpComposer* composer = app.window.sctpComposer();
        composer->toEdit()->setText(QStringLiteral("10.0.0.7:7"));
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("sent")), qPrintable(composer->resultText()));
        auto established = [&] {
            const auto rows = app.window.associationModel()->rows();
            return !rows.isEmpty() && rows.first().state == QLatin1String("ESTABLISHED") && rows.first().prSupported;
        };
        QTRY_VERIFY_WITH_TIMEOUT(established(), 10000);

        // Then make the links lossy with the Lab panel's slider, live.
        auto* loss = app.window.labPanel()->findChild<QSlider*>(QStringLiteral("lossSlider"));
        QVERIFY(loss);
        loss->setValue(40);
        // The slider is debounced: wait until the controller has set the links' loss.
        QTRY_VERIFY_WITH_TIMEOUT(journalled(app, trace::Kind::Log, QStringLiteral("Lab: links now lose 40.0 %")) == 1, 5000);

        // A burst of 60 messages with a 30 ms time to live, context 4242, every 5 ms.
        composer->payloadEdit()->setPlainText(QString(400, QLatin1Char('x')));
        composer->policy()->setCurrentIndex(1); // PR-SCTP TTL
        composer->policyValue()->setValue(30); // ms
        composer->repeat()->setValue(60);
        auto* interval = composer->findChild<QSpinBox*>(QStringLiteral("sctpInterval"));
        QVERIFY(interval);
        interval->setValue(5);
        auto* context = composer->findChild<QLineEdit*>(QStringLiteral("sctpContext"));
        QVERIFY(context);
        context->setText(QStringLiteral("4242"));
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QVERIFY(composer->isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("sent 60 messages")), qPrintable(composer->resultText()));

        // Messages whose 30 ms ran out before they were acknowledged are abandoned: the timeline
        // marks them, and the association row counts them.
        QTRY_VERIFY_WITH_TIMEOUT(app.window.timeline()->index().abandoned() > 0, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(app.window.associationModel()->rows().first().abandoned > 0, 5000);
        QVERIFY(!app.window.streamModel()->rows().isEmpty());
        // The abandon events carry the context the composer gave, and FORWARD-TSN went out.
        auto seen = [&](trace::Kind kind, quint64 context) {
            bool found = false;
            app.stack.journal()->forEach(0, app.stack.journal()->count(), [&](const trace::Event& e) {
                found |= e.kind == kind && (kind != trace::Kind::SctpAbandon || e.c == context);
            });
            return found;
        };
        QVERIFY(seen(trace::Kind::SctpAbandon, 4242));
        QTRY_VERIFY_WITH_TIMEOUT(seen(trace::Kind::SctpForwardTsn, 0), 5000);
        app.window.timeline()->fitAll();
        app.window.timeline()->repaint();
        QVERIFY(app.window.timeline()->lastPaintedItems() > 0);
    }

    void composerSendsAddrOverOnTheMultiHomedAssociation()
    {
        App app;
        app.window.show();
        app.lab.start(QStringLiteral("addr-over"));
        // The lesson's association comes up with its two paths as child rows of the view.
        auto pathsOfClient = [&] {
            const auto rows = app.window.associationModel()->rows();
            return rows.isEmpty() ? 0 : int(rows.first().paths.size());
        };
        if (!QTest::qWaitFor([&] { return pathsOfClient() == 2; }, 15000)) {
            bool noV6 = false;
            app.stack.journal()->forEach(0, app.stack.journal()->count(), [&](const trace::Event& e) {
                noV6 |= e.kind == trace::Kind::Error && e.text.contains(QLatin1String("IPv6 loopback ::1 is not available"));
            });
            if (noV6)
                LADDERLAB_SKIP(QStringLiteral("this host has no IPv6 loopback: the multi-homed lesson needs 127.0.0.1 and ::1"));
            QFAIL("the multi-homed association did not come up with two paths");
        }
        ui::SctpComposer* composer = app.window.sctpComposer();
        composer->flag(0x800)->setChecked(true);
        auto* path = composer->findChild<QComboBox*>(QStringLiteral("sctpAddrOver"));
        QVERIFY(path);
        QTRY_VERIFY_WITH_TIMEOUT(path->findText(QStringLiteral("[::1]:5000")) >= 0, 5000);
        path->setCurrentText(QStringLiteral("[::1]:5000"));
        composer->payloadEdit()->setPlainText(QStringLiteral("by hand, over ::1"));
        auto* context = composer->findChild<QLineEdit*>(QStringLiteral("sctpContext"));
        QVERIFY(context);
        context->setText(QStringLiteral("777"));
        const qint64 before = app.stack.journal()->count();
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("sent 17 bytes")), qPrintable(composer->resultText()));
        // The message left on the ::1 path: a DATA chunk of 17 bytes to the server's ::1 lane.
        auto sentOnV6 = [&] {
            bool found = false;
            app.stack.journal()->forEach(before, app.stack.journal()->count(), [&](const trace::Event& e) {
                found |= e.kind == trace::Kind::SctpChunk && e.dir == trace::Dir::Tx && e.to == QLatin1String("server [::1]:9899")
                    && e.text.startsWith(QLatin1String("DATA")) && e.text.contains(QLatin1String("len=17"));
            });
            return found;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sentOnV6(), 5000);
        // Without ADDR_OVER the composer's To field means nothing to the connected association:
        // the result says so instead of ignoring it.
        composer->flag(0x800)->setChecked(false);
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("sent 17 bytes")), qPrintable(composer->resultText()));
        QVERIFY2(composer->resultText().contains(QLatin1String("the Association and To fields were not used")),
            qPrintable(composer->resultText()));
        // A list in To is sctp_sendmsgx's: the association exists, so it only names it (issue 18.5).
        auto* association = composer->findChildren<QComboBox*>().value(0);
        QVERIFY(association && association->itemData(0).toULongLong() == 0);
        association->setCurrentIndex(0);
        composer->toEdit()->setText(QStringLiteral("127.0.0.1:5000, [::1]:5000"));
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("sent 17 bytes")), qPrintable(composer->resultText()));
        QVERIFY2(composer->resultText().contains(QLatin1String("sctp_sendmsgx sets an association up only when none exists")),
            qPrintable(composer->resultText()));
        // A list that cannot name the peer is refused with the reason.
        composer->toEdit()->setText(QStringLiteral("127.0.0.1:5000, 10.1.1.1:5000"));
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().contains(QLatin1String("EHOSTUNREACH")) || composer->resultText().contains(QLatin1String("cannot be reached")),
            qPrintable(composer->resultText()));
        composer->flag(0x800)->setChecked(true);
        // The Lab panel fails the primary path by hand: the client reports it unreachable and the
        // Associations view shows it inactive; repaired, it is available again.
        const auto& buttons = app.window.labPanel()->pathButtons();
        QCOMPARE(buttons.size(), 2);
        QVERIFY(buttons[0]->isVisible() && buttons[0]->isEnabled());
        QVERIFY(pathsLabel(app)->isVisible()); // the row's "Paths" heading with it
        QCOMPARE(buttons[0]->text(), QStringLiteral("Fail 127.0.0.1"));
        auto pathState = [&](const QString& state) {
            bool found = false;
            app.stack.journal()->forEach(0, app.stack.journal()->count(), [&](const trace::Event& e) {
                found |= e.kind == trace::Kind::SctpNotification
                    && e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE 127.0.0.1:5000: ") + state);
            });
            return found;
        };
        // The lesson itself fails and repairs the primary once; wait until it is done with that.
        QTRY_VERIFY_WITH_TIMEOUT(pathState(QStringLiteral("available")), 15000);
        const qint64 mark = app.stack.journal()->count();
        auto pathStateSince = [&](const QString& state) {
            bool found = false;
            app.stack.journal()->forEach(mark, app.stack.journal()->count(), [&](const trace::Event& e) {
                found |= e.kind == trace::Kind::SctpNotification
                    && e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE 127.0.0.1:5000: ") + state);
            });
            return found;
        };
        QTest::mouseClick(buttons[0], Qt::LeftButton);
        QVERIFY(buttons[0]->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(pathStateSince(QStringLiteral("unreachable")), 10000);
        auto clientPathState = [&](const QString& prefix) {
            const auto rows = app.window.associationModel()->rows();
            if (rows.isEmpty())
                return QString();
            for (const auto& p : rows.first().paths)
                if (p.address.startsWith(prefix))
                    return p.stateName;
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(clientPathState(QStringLiteral("127.0.0.1")), QStringLiteral("inactive"), 5000);
        QTest::mouseClick(buttons[0], Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(pathStateSince(QStringLiteral("available")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(clientPathState(QStringLiteral("127.0.0.1")), QStringLiteral("active"), 5000);

        // A path the peer does not have: EINVAL, saying which addresses it has.
        path->setCurrentText(QStringLiteral("10.9.9.9:5000"));
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("EINVAL: ")), 5000);
        QVERIFY2(composer->resultText().contains(QLatin1String("127.0.0.1 and ::1")), qPrintable(composer->resultText()));
    }

    void sctpComposerReportsErrno()
    {
        App app;
        app.window.show();
        app.window.show();
        app.lab.start(QStringLiteral("playground"));
        ui::SctpComposer* composer = app.window.sctpComposer();
        composer->toEdit()->setText(QStringLiteral("10.0.0.7:7"));
        // Stream 4000 does not exist on the association (the playground negotiates a handful).
        auto* stream = composer->findChild<QSpinBox*>(QStringLiteral("sctpStream"));
        QVERIFY(stream);
        stream->setValue(4000);
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!composer->isBusy(), 10000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("EINVAL: "))
                && composer->resultText().contains(QLatin1String("stream 4000")),
            qPrintable(composer->resultText()));
        // Without a scenario there is no socket of the user's: ENOTCONN, saying what to do.
        app.window.labPanel()->stopRequested();
        QTRY_VERIFY_WITH_TIMEOUT(journalled(app, trace::Kind::Log, QStringLiteral("Lab: stopped")) == 1, 5000);
        stream->setValue(0);
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("ENOTCONN: ")), 5000);
        QVERIFY(composer->resultText().contains(QLatin1String("playground")));
    }
};

QTEST_MAIN(TestLabGui)
#include "tst_lab_gui.moc"
