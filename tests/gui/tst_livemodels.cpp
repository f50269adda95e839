// SPDX-License-Identifier: GPL-3.0-or-later
#include "liveview.h"
#include "models/forktreemodel.h"
#include "models/livemodels.h"
#include "models/pathtreemodel.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace ladder;

namespace {
sip::TransactionSnapshot tx(quint64 id, const QString& method, const QString& state, qint64 createdNs = 0)
{
    sip::TransactionSnapshot t;
    t.id = id;
    t.role = QStringLiteral("client");
    t.kind = method == QLatin1String("INVITE") ? QStringLiteral("INVITE client") : QStringLiteral("non-INVITE client");
    t.method = method;
    t.branch = "z9hG4bK" + QByteArray::number(id);
    t.state = state;
    t.createdNs = createdNs;
    t.messages = { method.toUtf8() + " sip:b SIP/2.0\r\nVia: x\r\n\r\n" };
    return t;
}
} // namespace

class TestLiveModels : public QObject {
    Q_OBJECT
private slots:
    void transactionsDiffInPlace()
    {
        ui::TransactionModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setSnapshots({ tx(1, QStringLiteral("INVITE"), QStringLiteral("Calling")), tx(2, QStringLiteral("OPTIONS"), QStringLiteral("Trying")) });
        QCOMPARE(m.rowCount(), 2);
        // Update one, add two, remove one — in a single snapshot.
        auto t1 = tx(1, QStringLiteral("INVITE"), QStringLiteral("Proceeding"));
        sip::TimerSnapshot b;
        b.name = QStringLiteral("B");
        b.dueNs = 32000000000;
        t1.timers = { b };
        t1.retransmissions = 3;
        m.setNow(2000000000);
        m.setSnapshots({ t1, tx(3, QStringLiteral("BYE"), QStringLiteral("Trying")), tx(4, QStringLiteral("INFO"), QStringLiteral("Trying")) });
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.rowOfKey(1), 0);
        QCOMPARE(m.rowOfKey(2), -1);
        QCOMPARE(m.index(0, ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Proceeding"));
        QCOMPARE(m.index(0, ui::TransactionModel::TimersColumn).data().toString(), QStringLiteral("B 30.0 s"));
        QCOMPARE(m.index(0, ui::TransactionModel::RetransmissionsColumn).data().toString(), QStringLiteral("3"));
        QCOMPARE(m.index(0, ui::TransactionModel::AgeColumn).data().toString(), QStringLiteral("2.0 s"));
        QCOMPARE(m.index(0, ui::TransactionModel::LastMessageColumn).data().toString(), QStringLiteral("INVITE sip:b SIP/2.0"));
        QVERIFY(m.index(0, ui::TransactionModel::StateColumn).data(Qt::ForegroundRole).isValid());
        // Removing rows in the middle and at both ends.
        m.setSnapshots({ tx(3, QStringLiteral("BYE"), QStringLiteral("Completed")) });
        QCOMPARE(m.rowCount(), 1);
        m.setSnapshots({});
        QCOMPARE(m.rowCount(), 0);
        m.setSnapshots({ tx(9, QStringLiteral("MESSAGE"), QStringLiteral("Trying")) });
        m.clear();
        QCOMPARE(m.rowCount(), 0);
    }

    void dialogsShowForks()
    {
        ui::DialogModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        sip::DialogSnapshot a;
        a.id = 1;
        a.callId = "c1";
        a.localTag = "lt";
        a.remoteTag = "r1";
        a.state = QStringLiteral("early");
        a.role = QStringLiteral("UAC");
        a.method = QStringLiteral("INVITE");
        sip::DialogSnapshot b = a;
        b.id = 2;
        b.remoteTag = "r2";
        m.setSnapshots({ a, b });
        QCOMPARE(m.index(0, ui::DialogModel::ForkColumn).data().toString(), QStringLiteral("2 of one request"));
        QCOMPARE(m.index(1, ui::DialogModel::RemoteCSeqColumn).data().toString(), QStringLiteral("empty"));
        QCOMPARE(m.index(0, ui::DialogModel::RoleColumn).data().toString(), QStringLiteral("UAC INVITE"));
    }

    void pathsAreChildrenOfTheirAssociation()
    {
        ui::AssociationModel flat;
        ui::PathTreeModel tree(&flat);
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        sctp::AssociationInfo single;
        single.id = 1;
        single.state = QStringLiteral("ESTABLISHED");
        sctp::AssociationInfo multi;
        multi.id = 2;
        multi.state = QStringLiteral("ESTABLISHED");
        multi.primaryPath = QStringLiteral("127.0.0.1:5000");
        sctp::PathInfo v4;
        v4.address = QStringLiteral("127.0.0.1:5000");
        v4.stateName = QStringLiteral("active");
        v4.primary = true;
        v4.rto = 100;
        v4.srtt = 12;
        v4.cwnd = 4380;
        v4.mtu = 1460;
        sctp::PathInfo v6 = v4;
        v6.address = QStringLiteral("[::1]:5000");
        v6.primary = false;
        v6.rto = 300;
        multi.paths = { v4, v6 };
        flat.setSnapshots({ single, multi });
        QCOMPARE(tree.rowCount(), 2);
        QVERIFY(!tree.hasChildren(tree.index(0, 0)));
        const QModelIndex m = tree.index(1, 0);
        QCOMPARE(tree.rowCount(m), 2);
        QCOMPARE(tree.index(1, ui::AssociationModel::PathsColumn).data().toString(),
            QStringLiteral("2 paths, 2 active, primary 127.0.0.1:5000"));
        QCOMPARE(tree.index(0, ui::AssociationModel::PeerColumn, m).data().toString(), QStringLiteral("127.0.0.1:5000"));
        QCOMPARE(tree.index(0, ui::AssociationModel::IdColumn, m).data().toString(), QStringLiteral("path (primary)"));
        QCOMPARE(tree.index(1, ui::AssociationModel::PathsColumn, m).data().toString(),
            QStringLiteral("rto 300 ms · srtt 12 ms · cwnd 4380 · mtu 1460"));
        QCOMPARE(tree.index(1, 0, m).data(ui::SnapshotTableModelBase::KeyRole).toULongLong(), quint64(2));
        QCOMPARE(tree.parent(tree.index(1, 3, m)), m);

        // The primary fails: values change in place, no reset.
        QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);
        multi.paths[0].stateName = QStringLiteral("inactive");
        multi.paths[0].rto = 600;
        flat.setSnapshots({ single, multi });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(tree.index(0, ui::AssociationModel::StateColumn, m).data().toString(), QStringLiteral("inactive"));
        QCOMPARE(tree.index(1, ui::AssociationModel::PathsColumn).data().toString(),
            QStringLiteral("2 paths, 1 active, primary 127.0.0.1:5000"));
        QVERIFY(tree.index(0, ui::AssociationModel::StateColumn, m).data(Qt::ForegroundRole).isValid());
        // A path goes away: the structure changes.
        multi.paths.removeLast();
        flat.setSnapshots({ single, multi });
        QCOMPARE(resets.count(), 1);
        QCOMPARE(tree.rowCount(tree.index(1, 0)), 1);
        flat.setSnapshots({});
        QCOMPARE(tree.rowCount(), 0);
    }

    void forksGroupUnderTheirRequest()
    {
        ui::DialogModel flat;
        ui::ForkTreeModel tree(&flat);
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        sip::DialogSnapshot plain;
        plain.id = 1;
        plain.callId = "other";
        plain.localTag = "x";
        plain.remoteTag = "y";
        plain.role = QStringLiteral("UAC");
        plain.method = QStringLiteral("INVITE");
        plain.state = QStringLiteral("confirmed");
        flat.setSnapshots({ plain });
        QCOMPARE(tree.rowCount(), 1);
        QCOMPARE(tree.groupCount(), 0);
        QVERIFY(!tree.hasChildren(tree.index(0, 0)));

        // A forked INVITE: two UAC dialogs of one request (same Call-ID and local tag), and the
        // UAS side's dialog, which is nobody's fork.
        sip::DialogSnapshot a = plain;
        a.id = 2;
        a.callId = "c1";
        a.localTag = "lt";
        a.remoteTag = "r1";
        a.state = QStringLiteral("early");
        sip::DialogSnapshot uas = a;
        uas.id = 3;
        uas.role = QStringLiteral("UAS");
        uas.localTag = "r1";
        uas.remoteTag = "lt";
        flat.setSnapshots({ plain, a, uas });
        QCOMPARE(tree.rowCount(), 3);
        QCOMPARE(tree.groupCount(), 0);
        sip::DialogSnapshot b = a;
        b.id = 4;
        b.remoteTag = "r2";
        flat.setSnapshots({ plain, a, uas, b });
        QCOMPARE(tree.groupCount(), 1);
        QCOMPARE(tree.rowCount(), 3); // plain, the group of a and b, uas
        const QModelIndex group = tree.index(1, 0);
        QCOMPARE(tree.rowCount(group), 2);
        QCOMPARE(group.data(ui::SnapshotTableModelBase::KeyRole).toULongLong(), quint64(0));
        QCOMPARE(tree.index(0, 0, group).data(ui::SnapshotTableModelBase::KeyRole).toULongLong(), quint64(2));
        QCOMPARE(tree.index(1, 0, group).data(ui::SnapshotTableModelBase::KeyRole).toULongLong(), quint64(4));
        QCOMPARE(tree.index(1, ui::DialogModel::ForkColumn).data().toString(), QStringLiteral("2 dialogs"));
        QCOMPARE(tree.index(1, ui::DialogModel::StateColumn).data().toString(), QStringLiteral("2 early"));
        QCOMPARE(tree.parent(tree.index(1, 3, group)), group);

        // Values change in place: no reset, the group sums the new states up.
        QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);
        b.state = QStringLiteral("confirmed");
        a.state = QStringLiteral("terminated");
        flat.setSnapshots({ plain, a, uas, b });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(tree.index(1, ui::DialogModel::StateColumn).data().toString(), QStringLiteral("1 confirmed, 1 terminated"));

        // The view shows the branches open and selects a fork by its dialog id.
        ui::LiveView view(&tree, QStringLiteral("filter"));
        QVERIFY(view.selectKey(4));
        QCOMPARE(view.currentKey(), quint64(4));
        // A filter that matches one fork keeps its group row.
        view.proxy()->setFilterFixedString(QStringLiteral("r2"));
        QCOMPARE(view.proxy()->rowCount(), 1);
        QCOMPARE(view.proxy()->rowCount(view.proxy()->index(0, 0)), 1);
        view.proxy()->setFilterFixedString(QString());

        // A fork goes away: the group dissolves, and the selection follows its dialog.
        flat.setSnapshots({ plain, uas, b });
        QCOMPARE(tree.groupCount(), 0);
        QCOMPARE(tree.rowCount(), 3);
        QCOMPARE(view.currentKey(), quint64(4));
        flat.clear();
        QCOMPARE(tree.rowCount(), 0);
    }

    void associationsAndStreams()
    {
        ui::AssociationModel am;
        ui::StreamModel sm;
        QAbstractItemModelTester t1(&am, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&sm, QAbstractItemModelTester::FailureReportingMode::QtTest);
        sctp::AssociationInfo a;
        a.id = 5;
        a.state = QStringLiteral("ESTABLISHED");
        a.prSupported = false;
        sctp::PathInfo p;
        p.address = QStringLiteral("10.0.0.2:5000");
        p.primary = true;
        p.stateName = QStringLiteral("active");
        p.rto = 300;
        a.paths = { p };
        sctp::StreamInfo s0, s3;
        s3.sid = 3;
        s3.messagesAbandoned = 4;
        s3.bytesAbandoned = 400;
        a.streams = { s0, s3 };
        am.setSnapshots({ a });
        sm.setAssociations({ a });
        QCOMPARE(sm.rowCount(), 2);
        QCOMPARE(sm.index(1, ui::StreamModel::AbandonedColumn).data().toString(), QStringLiteral("4 (400 B)"));
        QVERIFY(am.index(0, ui::AssociationModel::PathsColumn).data().toString().startsWith(QStringLiteral("10.0.0.2:5000* active rto 300 ms")));
        QCOMPARE(am.index(0, ui::AssociationModel::PrSctpColumn).data().toString(), QStringLiteral("no"));
        QVERIFY(am.index(0, ui::AssociationModel::PrSctpColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("reliably")));
        a.streams = { s3 };
        sm.setAssociations({ a });
        QCOMPARE(sm.rowCount(), 1);
        sm.setAssociations({});
        QCOMPARE(sm.rowCount(), 0);
    }

    void liveViewWidensColumnsAsCountersGrow()
    {
        // The first rows size the columns; a counter that grows in place later ("0 (0 B)" to
        // "123456789 (1.1 GiB)") widens its column again, until the user sizes one by hand.
        ui::StreamModel sm;
        ui::LiveView view(&sm, QStringLiteral("filter"));
        view.resize(1200, 300);
        view.show();
        sctp::AssociationInfo a;
        a.id = 1;
        sctp::StreamInfo s;
        a.streams = { s };
        sm.setAssociations({ a });
        const int narrow = view.view()->columnWidth(ui::StreamModel::SentColumn);
        a.streams[0].messagesSent = 123456789;
        a.streams[0].bytesSent = 1234567890123;
        sm.setAssociations({ a });
        QTRY_VERIFY(view.view()->columnWidth(ui::StreamModel::SentColumn) > narrow);
        const int fitted = view.view()->columnWidth(ui::StreamModel::SentColumn);
        // The last column is a sentence: it reads from the left.
        QCOMPARE(sm.index(0, ui::StreamModel::OrderingColumn).data(Qt::TextAlignmentRole).toInt() & Qt::AlignLeft,
            int(Qt::AlignLeft));
        // Once the user has sized a column, growth leaves the widths alone.
        auto* refit = view.findChild<QTimer*>(QStringLiteral("columnRefit"));
        QVERIFY(refit);
        QTRY_VERIFY(!refit->isActive()); // a refit the growth above scheduled has run
        view.view()->setColumnWidth(ui::StreamModel::SentColumn, 40);
        a.streams[0].messagesReceived = 987654321;
        a.streams[0].bytesReceived = 9876543210987;
        sm.setAssociations({ a });
        QVERIFY(!refit->isActive()); // no refit is even scheduled once the user sized a column
        QCOMPARE(view.view()->columnWidth(ui::StreamModel::SentColumn), 40);
        QVERIFY(fitted > 40);
    }

    void liveViewFiltersSortsSelectsAndCopies()
    {
        ui::TransactionModel m;
        ui::LiveView view(&m, QStringLiteral("filter"));
        m.setSnapshots({ tx(2, QStringLiteral("OPTIONS"), QStringLiteral("Trying")), tx(1, QStringLiteral("INVITE"), QStringLiteral("Calling")),
            tx(10, QStringLiteral("BYE"), QStringLiteral("Completed")) });
        // Sorted numerically by id, not as text ("10" after "2").
        QStringList order;
        for (int r = 0; r < view.proxy()->rowCount(); ++r)
            order << view.proxy()->index(r, 0).data().toString();
        QCOMPARE(order, (QStringList { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("10") }));
        view.filterEdit()->setText(QStringLiteral("options"));
        QCOMPARE(view.proxy()->rowCount(), 3); // debounced: not yet
        QTRY_COMPARE(view.proxy()->rowCount(), 1);
        view.filterEdit()->clear();
        QTRY_COMPARE(view.proxy()->rowCount(), 3);
        QVERIFY(view.selectKey(10));
        QCOMPARE(view.currentKey(), quint64(10));
        const QString text = view.selectionAsText();
        QVERIFY(text.startsWith(QStringLiteral("Id\tRole\tMethod")));
        QVERIFY(text.contains(QStringLiteral("10\tnon-INVITE client\tBYE")));
        QVERIFY(!view.selectKey(99));
    }
};

QTEST_MAIN(TestLiveModels)
#include "tst_livemodels.moc"
