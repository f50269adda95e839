// SPDX-License-Identifier: GPL-3.0-or-later
// The Calls tab: a row per Call-ID with its state from the messages alone, the received copy of a
// message the journal also holds as sent counted once, the filter over every message of a call
// (text and regular expression), and a double-click opening the call's ladder in the window.
#include "calllist.h"
#include "journal/journal.h"
#include "mainwindow.h"
#include "ladder/ladderview.h"
#include "logmodel.h"
#include "../capture/sipcall.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QTabWidget>
#include <QTableView>
#include <QSignalSpy>
#include <QTest>

using namespace ladder;

namespace {

// The call's messages as journal events (caller 127.0.0.1:5062, callee :5060), optionally with
// the received copy of each as the lab journals it, and with `replace` applied to the responses.
QVector<trace::Event> callEvents(trace::Journal& j, const QByteArray& callId, bool withCopies,
    const QList<QByteArray>& only = {})
{
    QVector<trace::Event> out;
    qint64 t = 0;
    for (const test::SipPacket& p : test::sipCall(callId)) {
        if (!only.isEmpty() && !only.contains(p.bytes.left(p.bytes.indexOf("\r\n"))))
            continue;
        trace::Event e;
        e.kind = trace::Kind::SipMessage;
        e.dir = trace::Dir::Tx;
        e.from = p.fromCaller ? QStringLiteral("127.0.0.1:5062") : QStringLiteral("127.0.0.1:5060");
        e.to = p.fromCaller ? QStringLiteral("127.0.0.1:5060") : QStringLiteral("127.0.0.1:5062");
        e.raw = p.bytes;
        e.timeNs = (t += 100'000'000);
        e.seq = j.append(trace::Event(e));
        out.append(e);
        if (withCopies) {
            trace::Event rx = e;
            rx.dir = trace::Dir::Rx;
            rx.timeNs += 1'000'000;
            rx.seq = j.append(trace::Event(rx));
            out.append(rx);
        }
    }
    return out;
}

QString cell(const ui::CallListModel& m, int row, int column) { return m.data(m.index(row, column)).toString(); }

} // namespace

class TstCallList : public QObject {
    Q_OBJECT
private slots:
    void statesAndCounts()
    {
        trace::Journal j;
        ui::CallListPane pane;
        pane.setJournal(&j);
        // The model and the view's filter model checked through every change that follows.
        QAbstractItemModelTester tester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester viewTester(pane.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane.append(callEvents(j, "call-completed", true));
        pane.append(callEvents(j, "call-ringing", false, { "INVITE sip:bob@127.0.0.1:5060 SIP/2.0", "SIP/2.0 180 Ringing" }));
        pane.append(callEvents(j, "call-answered", false,
            { "INVITE sip:bob@127.0.0.1:5060 SIP/2.0", "SIP/2.0 100 Trying", "SIP/2.0 200 OK" }));
        const ui::CallListModel& m = *pane.model();
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(cell(m, 0, ui::CallListModel::StateColumn), QStringLiteral("Completed"));
        QCOMPARE(cell(m, 0, ui::CallListModel::MessagesColumn), QStringLiteral("7")); // not 14: copies counted once
        QCOMPARE(cell(m, 0, ui::CallListModel::MethodColumn), QStringLiteral("INVITE"));
        QCOMPARE(cell(m, 0, ui::CallListModel::FromColumn), QStringLiteral("<sip:alice@127.0.0.1:5062>"));
        QCOMPARE(cell(m, 0, ui::CallListModel::TransportColumn), QStringLiteral("UDP"));
        QCOMPARE(cell(m, 0, ui::CallListModel::DurationColumn), QStringLiteral("0.600"));
        QCOMPARE(cell(m, 1, ui::CallListModel::StateColumn), QStringLiteral("Ringing"));
        // The BYE's 200 OK is not the INVITE's: without a BYE the call is still in call.
        QCOMPARE(cell(m, 2, ui::CallListModel::StateColumn), QStringLiteral("In call"));
    }

    void rejectedBusyCancelled_data()
    {
        QTest::addColumn<QByteArray>("status");
        QTest::addColumn<QString>("state");
        QTest::newRow("486") << QByteArray("486 Busy Here") << QStringLiteral("Busy");
        QTest::newRow("487") << QByteArray("487 Request Terminated") << QStringLiteral("Cancelled");
        QTest::newRow("302") << QByteArray("302 Moved Temporarily") << QStringLiteral("Diverted");
        QTest::newRow("403") << QByteArray("403 Forbidden") << QStringLiteral("Rejected");
    }
    void rejectedBusyCancelled()
    {
        QFETCH(QByteArray, status);
        QFETCH(QString, state);
        trace::Journal j;
        ui::CallListPane pane;
        QVector<trace::Event> ev = callEvents(j, "call-x", false, { "INVITE sip:bob@127.0.0.1:5060 SIP/2.0", "SIP/2.0 180 Ringing" });
        trace::Event final = ev.last();
        final.raw.replace("180 Ringing", status);
        final.seq = j.append(trace::Event(final));
        ev.append(final);
        pane.append(ev);
        QCOMPARE(cell(*pane.model(), 0, ui::CallListModel::StateColumn), state);
    }

    void aBatchInsertsItsNewCallsAtOnceAndLeavesTheStartAlone()
    {
        // A live capture's batch: the rest of a known call and three new calls, interleaved. The
        // new calls arrive in one insert; the known call's change does not cover the start column
        // (the list is sorted by it and must not be sorted again for each change).
        trace::Journal j;
        ui::CallListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QVector<trace::Event> first = callEvents(j, "known-1", false);
        m.append(first.mid(0, 2));
        QVector<trace::Event> batch = first.mid(2);
        for (const QByteArray& id : { QByteArray("new-a"), QByteArray("new-b"), QByteArray("new-c") })
            batch += callEvents(j, id, false);
        std::stable_sort(batch.begin(), batch.end(), [](const trace::Event& a, const trace::Event& b) { return a.timeNs < b.timeNs; });
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.append(batch);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 1);
        QCOMPARE(inserted.first().at(2).toInt(), 3);
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QVERIFY(changed.first().at(0).toModelIndex().column() > ui::CallListModel::StartColumn);
        QCOMPARE(cell(m, 0, ui::CallListModel::StateColumn), QStringLiteral("Completed"));
        for (int row = 1; row < 4; ++row) {
            QCOMPARE(cell(m, row, ui::CallListModel::StateColumn), QStringLiteral("Completed"));
            QCOMPARE(cell(m, row, ui::CallListModel::MessagesColumn), cell(m, 0, ui::CallListModel::MessagesColumn));
        }
        QCOMPARE(cell(m, 2, ui::CallListModel::CallIdColumn), QStringLiteral("new-b"));
    }

    void filterMatchesEveryMessageOfTheCall()
    {
        trace::Journal j;
        ui::CallListPane pane;
        pane.setJournal(&j);
        QAbstractItemModelTester tester(pane.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane.append(callEvents(j, "alpha-1", false));
        pane.append(callEvents(j, "beta-2", false));
        QCOMPARE(pane.visibleCalls(), 2);
        // Text in a response of one call only (its To tag is in every message: use the Call-ID).
        pane.filterEdit()->setText(QStringLiteral("BETA-2"));
        QCOMPARE(pane.visibleCalls(), 1);
        QCOMPARE(pane.view()->model()->data(pane.view()->model()->index(0, ui::CallListModel::CallIdColumn)).toString(),
            QStringLiteral("beta-2"));
        pane.filterEdit()->setText(QStringLiteral("^SIP/2\\.0 180"));
        QCOMPARE(pane.visibleCalls(), 0); // as text, not a pattern
        pane.regexBox()->setChecked(true);
        QCOMPARE(pane.visibleCalls(), 2);
        pane.filterEdit()->setText(QStringLiteral("Call-ID: alpha-\\d"));
        QCOMPARE(pane.visibleCalls(), 1);
        pane.filterEdit()->setText(QStringLiteral("(unclosed"));
        QCOMPARE(pane.visibleCalls(), 2); // an invalid pattern filters nothing and says so
        QVERIFY(pane.filterEdit()->toolTip().startsWith(QLatin1String("Not a regular expression")));
    }

    // The columns fit the calls on screen, From and To sharing the width the others leave, so
    // Method, State and Duration stay in sight; a hidden list fits when shown; the user's widths stay.
    void columnsFitTheViewUntilTheUserSizesOne()
    {
        trace::Journal j;
        ui::CallListPane pane;
        pane.setJournal(&j);
        pane.resize(900, 400);
        QHeaderView* h = pane.view()->horizontalHeader();
        const int fromBefore = h->sectionSize(ui::CallListModel::FromColumn);
        pane.append(callEvents(j, "fit-1", false)); // hidden: nothing measured yet
        QCOMPARE(h->sectionSize(ui::CallListModel::FromColumn), fromBefore);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QTRY_VERIFY(h->sectionSize(ui::CallListModel::FromColumn) != fromBefore);
        auto rightEdge = [&](int column) { return h->sectionViewportPosition(column) + h->sectionSize(column); };
        QVERIFY2(rightEdge(ui::CallListModel::TransportColumn) <= pane.view()->viewport()->width(),
            qPrintable(QStringLiteral("%1 > %2").arg(rightEdge(ui::CallListModel::TransportColumn)).arg(pane.view()->viewport()->width())));
        for (int c = 0; c < ui::CallListModel::CallIdColumn; ++c) {
            const QString text = pane.view()->model()->data(pane.view()->model()->index(0, c)).toString();
            if (c != ui::CallListModel::FromColumn && c != ui::CallListModel::ToColumn)
                QVERIFY2(pane.view()->fontMetrics().horizontalAdvance(text) < h->sectionSize(c), qPrintable(text));
        }
        QVERIFY(h->sectionSize(ui::CallListModel::FromColumn) >= 120);
        // A narrower window: From and To give way, not the columns beside them.
        const int methodWidth = h->sectionSize(ui::CallListModel::MethodColumn);
        const int wideFrom = h->sectionSize(ui::CallListModel::FromColumn);
        pane.resize(600, 400);
        QTRY_VERIFY(h->sectionSize(ui::CallListModel::FromColumn) < wideFrom
            || h->sectionSize(ui::CallListModel::FromColumn) == 120);
        QCOMPARE(h->sectionSize(ui::CallListModel::MethodColumn), methodWidth);
        // Sized by hand: kept through resizes and new calls.
        h->resizeSection(ui::CallListModel::ToColumn, 333);
        pane.resize(1000, 400);
        pane.append(callEvents(j, "fit-2", false));
        QTest::qWait(1100); // the refit timer's interval
        QCOMPARE(h->sectionSize(ui::CallListModel::ToColumn), 333);
    }

    void doubleClickOpensTheLadder()
    {
        auto journal = std::make_shared<trace::Journal>();
        ui::MainWindow window { journal };
        callEvents(*journal, "ladder-1", false);
        callEvents(*journal, "ladder-2", false);
        window.follower()->poll();
        ui::CallListPane* calls = window.callList();
        QVERIFY(calls);
        QCOMPARE(calls->model()->rowCount(), 2);
        QSignalSpy spy(calls, &ui::CallListPane::callActivated);
        const QModelIndex second = calls->view()->model()->index(1, 0);
        emit calls->view()->doubleClicked(second);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.first().first().toByteArray(), QByteArray("ladder-2"));
        QCOMPARE(window.findChild<QTabWidget*>(QStringLiteral("centralTabs"))->currentIndex(), 1);
        QCOMPARE(window.ladder()->diagram().rows.size(), 7);
    }
};

QTEST_MAIN(TstCallList)
#include "tst_calllist.moc"
