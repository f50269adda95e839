// SPDX-License-Identifier: GPL-3.0-or-later
#include "liveview.h"
#include "models/forktreemodel.h"
#include "models/livemodels.h"
#include "models/pathtreemodel.h"
#include "models/shardedhash.h"

#include <QAbstractItemModelTester>
#include <QIdentityProxyModel>
#include <QHeaderView>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <algorithm>

using namespace ladder;

namespace {
// Counts the rows whose text a view read for display.
class ReadCounter : public QIdentityProxyModel {
public:
    QVariant data(const QModelIndex& index, int role) const override
    {
        if (role == Qt::DisplayRole)
            ++reads;
        return QIdentityProxyModel::data(index, role);
    }
    mutable int reads = 0;
};

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

sip::DialogSnapshot dialog(quint64 id, const QByteArray& callId, const QByteArray& localTag, const QByteArray& remoteTag,
    const QString& state, const QString& role = QStringLiteral("UAC"))
{
    sip::DialogSnapshot d;
    d.id = id;
    d.callId = callId;
    d.localTag = localTag;
    d.remoteTag = remoteTag;
    d.role = role;
    d.method = QStringLiteral("INVITE");
    d.state = state;
    return d;
}

// Every cell (display text and key) of a two-level model, row by row, children after their row.
QStringList dump(const QAbstractItemModel& m, const QModelIndex& parent = {})
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        QStringList cells;
        for (int c = 0; c < m.columnCount(parent); ++c)
            cells << m.index(r, c, parent).data().toString();
        cells << QString::number(m.index(r, 0, parent).data(ui::SnapshotTableModelBase::KeyRole).toULongLong());
        out << (parent.isValid() ? QStringLiteral("  ") : QString()) + cells.join(QLatin1Char('|'));
        out += dump(m, m.index(r, 0, parent));
    }
    return out;
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

    // A live capture's refresh hands the models only what changed (upsert): rows are replaced in
    // place and new ones appended, never a reset, and a view sorted by the key column (the
    // default) is not re-sorted — what made a refresh cost in proportion to every call so far.
    void rowsStayWhereTheyAreAsMoreArrive()
    {
        // A live capture appends hundreds of thousands of rows: a row once there is never moved
        // (a QList regrowing moved every snapshot into fresh memory at once, a stall of ~0.1 s).
        ui::TransactionModel m;
        m.upsert({ tx(1, QStringLiteral("INVITE"), QStringLiteral("Calling")) });
        const sip::TransactionSnapshot* first = &m.rows().at(0);
        for (quint64 batch = 0; batch < 40; ++batch) {
            QList<sip::TransactionSnapshot> more;
            for (quint64 i = 0; i < 1000; ++i)
                more.append(tx(2 + batch * 1000 + i, QStringLiteral("BYE"), QStringLiteral("Trying")));
            m.upsert(more);
        }
        QCOMPARE(m.rowCount(), 40001);
        QCOMPARE(&m.rows().at(0), first);
        QCOMPARE(m.rows().at(0).method, QStringLiteral("INVITE"));
        QCOMPARE(m.rowOfKey(40001), 40000);
    }

    void upsertChangesRowsWithoutResetOrResort()
    {
        ui::TransactionModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ui::LiveView view(&m, QStringLiteral("filter"));
        QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&m, &QAbstractItemModel::dataChanged);
        QSignalSpy relayouts(view.proxy(), &QAbstractItemModel::layoutChanged);
        m.upsert({ tx(1, QStringLiteral("INVITE"), QStringLiteral("Calling")), tx(2, QStringLiteral("OPTIONS"), QStringLiteral("Trying")),
            tx(3, QStringLiteral("BYE"), QStringLiteral("Trying")) });
        QCOMPARE(m.rowCount(), 3);
        // 1 and 3 change, 4 is new and named twice (its last state counts), 2 is not named.
        m.upsert({ tx(3, QStringLiteral("BYE"), QStringLiteral("Completed")), tx(1, QStringLiteral("INVITE"), QStringLiteral("Proceeding")),
            tx(4, QStringLiteral("INFO"), QStringLiteral("Trying")), tx(4, QStringLiteral("INFO"), QStringLiteral("Completed")) });
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(m.index(m.rowOfKey(1), ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Proceeding"));
        QCOMPARE(m.index(m.rowOfKey(2), ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Trying"));
        QCOMPARE(m.index(m.rowOfKey(3), ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Completed"));
        QCOMPARE(m.index(m.rowOfKey(4), ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Completed"));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changes.count(), 1); // rows 0 and 2: close enough for one range
        QCOMPARE(changes.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(changes.at(0).at(1).toModelIndex().row(), 2);
        for (const QList<QVariant>& c : changes)
            QCOMPARE(c.at(0).toModelIndex().column(), 1); // the key column never changes
        QCOMPARE(relayouts.count(), 0);
        QCOMPARE(view.proxy()->rowCount(), 4);
        // Rows far apart are told apart: a range over all between them would make the view visit
        // every row of it.
        QList<sip::TransactionSnapshot> many;
        for (quint64 id = 5; id <= 120; ++id)
            many.append(tx(id, QStringLiteral("OPTIONS"), QStringLiteral("Trying")));
        m.upsert(many);
        changes.clear();
        m.upsert({ tx(5, QStringLiteral("OPTIONS"), QStringLiteral("Completed")), tx(110, QStringLiteral("OPTIONS"), QStringLiteral("Completed")) });
        QCOMPARE(changes.count(), 2);
        QCOMPARE(changes.at(1).at(0).toModelIndex().row(), m.rowOfKey(110));
        // Sorted by a column that changes, the view re-sorts what changed, once per run.
        view.sortByColumn(ui::TransactionModel::StateColumn, Qt::AscendingOrder);
        relayouts.clear();
        m.upsert({ tx(2, QStringLiteral("OPTIONS"), QStringLiteral("Completed")) });
        QCOMPARE(relayouts.count(), 1);
        QCOMPARE(view.proxy()->index(0, ui::TransactionModel::StateColumn).data().toString(), QStringLiteral("Completed"));
    }

    // The Dialogs tree follows dialogs appended to its source — plain ones, a fork joining a row
    // on show, two forks of a new request in one refresh, one more fork of a group — with inserted
    // rows and dataChanged, and ends up as a tree laid out afresh over the same dialogs would be.
    void forkTreeFollowsAppendsAsAFreshLayout()
    {
        ui::DialogModel flat;
        ui::ForkTreeModel tree(&flat);
        QAbstractItemModelTester tester(&tree, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ui::LiveView view(&tree, QStringLiteral("filter"));
        QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);
        QSignalSpy relayouts(view.proxy(), &QAbstractItemModel::layoutChanged);
        QList<sip::DialogSnapshot> all;
        auto apply = [&](const QList<sip::DialogSnapshot>& changes) {
            flat.upsert(changes);
            for (const sip::DialogSnapshot& d : changes) {
                auto it = std::find_if(all.begin(), all.end(), [&](const auto& x) { return x.id == d.id; });
                if (it != all.end())
                    *it = d;
                else
                    all.append(d);
            }
            ui::DialogModel freshFlat;
            freshFlat.setSnapshots(all);
            ui::ForkTreeModel fresh(&freshFlat);
            return dump(tree) == dump(fresh) ? QString() : dump(tree).join(QLatin1Char('\n')) + QStringLiteral("\n--- fresh:\n") + dump(fresh).join(QLatin1Char('\n'));
        };
        QString diff = apply({ dialog(1, "p", "x", "y", QStringLiteral("confirmed")), dialog(2, "c1", "lt", "r1", QStringLiteral("early")) });
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(tree.groupCount(), 0);
        // A fork of dialog 2 (on show as a plain row): it becomes a group of two.
        diff = apply({ dialog(3, "c1", "lt", "r2", QStringLiteral("early")), dialog(1, "p", "x", "y", QStringLiteral("terminated")) });
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(tree.groupCount(), 1);
        QCOMPARE(view.proxy()->rowCount(view.proxy()->mapFromSource(tree.index(1, 0))), 2);
        QVERIFY(view.treeView()->isExpanded(view.proxy()->mapFromSource(tree.index(1, 0))));
        // Two forks of a new request in one refresh, a UAS dialog (nobody's fork), and a third
        // fork of the first group.
        diff = apply({ dialog(4, "c2", "lt", "s1", QStringLiteral("early")), dialog(5, "c2", "lt", "s2", QStringLiteral("early")),
            dialog(6, "c2", "s1", "lt", QStringLiteral("early"), QStringLiteral("UAS")), dialog(7, "c1", "lt", "r3", QStringLiteral("early")) });
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(tree.groupCount(), 2);
        QCOMPARE(tree.rowCount(tree.index(1, 0)), 3);
        // Only values change: the groups sum the new states up.
        diff = apply({ dialog(5, "c2", "lt", "s2", QStringLiteral("confirmed")), dialog(3, "c1", "lt", "r2", QStringLiteral("terminated")) });
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(tree.index(2, ui::DialogModel::StateColumn).data().toString(), QStringLiteral("1 confirmed, 1 early"));
        QCOMPARE(resets.count(), 0);
        QCOMPARE(relayouts.count(), 0);
        // The view shows new groups open and can select a fork of the last refresh.
        QVERIFY(view.treeView()->isExpanded(view.proxy()->mapFromSource(tree.index(2, 0))));
        QVERIFY(view.selectKey(7));
    }

    void dialogsAreATableUntilSomethingForks()
    {
        // A tree view lays out every row again for each batch of new top-level rows (30 ms at
        // 100 000 dialogs of a live capture): the dialogs are a table until a fork group appears,
        // then a tree with the same selection, columns and order; a clear goes back to the table.
        ui::DialogModel flat;
        ui::ForkTreeModel tree(&flat);
        ui::LiveView view(&tree, QStringLiteral("filter"));
        view.resize(900, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QList<sip::DialogSnapshot> batch;
        for (quint64 id = 1; id <= 200; ++id)
            batch.append(dialog(id, "c" + QByteArray::number(id), "lt", "rt", QStringLiteral("confirmed")));
        flat.upsert(batch);
        QVERIFY(view.view() != view.treeView());
        QVERIFY(view.view()->isVisible());
        QVERIFY(!view.treeView()->isVisible());
        QCOMPARE(view.views().size(), 2);
        view.sortByColumn(ui::DialogModel::StateColumn, Qt::DescendingOrder);
        view.setColumnWidth(0, 77);
        QVERIFY(view.selectKey(150));
        // A fork of dialog 150: the tree takes over, the group open and current where dialog 150
        // was.
        flat.upsert({ dialog(201, "c150", "lt", "rt2", QStringLiteral("early")) });
        QCOMPARE(view.view(), static_cast<QAbstractItemView*>(view.treeView()));
        QVERIFY(view.treeView()->isVisible());
        QVERIFY(!view.views().first()->isVisible());
        const QModelIndex group = view.view()->currentIndex();
        QVERIFY(group.isValid());
        QCOMPARE(view.proxy()->rowCount(group), 2);
        QVERIFY(view.treeView()->isExpanded(group));
        QCOMPARE(view.columnWidth(0), 77);
        QCOMPARE(view.header()->sortIndicatorSection(), int(ui::DialogModel::StateColumn));
        QCOMPARE(view.header()->sortIndicatorOrder(), Qt::DescendingOrder);
        // Cleared (a new capture): the table again.
        flat.setSnapshots({});
        flat.upsert({ dialog(1, "x", "lt", "rt", QStringLiteral("early")) });
        QVERIFY(view.view() != view.treeView());
        QVERIFY(view.view()->isVisible());
    }

    void shardedHashFindsWhatItHolds()
    {
        ui::ShardedHash<QByteArray, int> byId;
        for (int i = 0; i < 5000; ++i)
            byId.insert("call-" + QByteArray::number(i), i);
        byId.insert("call-7", 70); // replaces
        QCOMPARE(byId.size(), 5000);
        QCOMPARE(byId.value("call-4999", -1), 4999);
        QCOMPARE(byId.value("call-7", -1), 70);
        QCOMPARE(byId.value("call-5000", -1), -1);
        QVERIFY(!byId.contains("call-5000"));
        int* v = byId.find("call-12");
        QVERIFY(v);
        *v = 120;
        QCOMPARE(std::as_const(byId).find("call-12") ? *std::as_const(byId).find("call-12") : 0, 120);
        byId.clear();
        QCOMPARE(byId.size(), 0);
        QVERIFY(!byId.find("call-12"));
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
        const int narrow = view.columnWidth(ui::StreamModel::SentColumn);
        a.streams[0].messagesSent = 123456789;
        a.streams[0].bytesSent = 1234567890123;
        sm.setAssociations({ a });
        QTRY_VERIFY(view.columnWidth(ui::StreamModel::SentColumn) > narrow);
        const int fitted = view.columnWidth(ui::StreamModel::SentColumn);
        // The last column is a sentence: it reads from the left.
        QCOMPARE(sm.index(0, ui::StreamModel::OrderingColumn).data(Qt::TextAlignmentRole).toInt() & Qt::AlignLeft,
            int(Qt::AlignLeft));
        // Once the user has sized a column, growth leaves the widths alone.
        auto* refit = view.findChild<QTimer*>(QStringLiteral("columnRefit"));
        QVERIFY(refit);
        QTRY_VERIFY(!refit->isActive()); // a refit the growth above scheduled has run
        view.setColumnWidth(ui::StreamModel::SentColumn, 40);
        a.streams[0].messagesReceived = 987654321;
        a.streams[0].bytesReceived = 9876543210987;
        sm.setAssociations({ a });
        QVERIFY(!refit->isActive()); // no refit is even scheduled once the user sized a column
        QCOMPARE(view.columnWidth(ui::StreamModel::SentColumn), 40);
        QVERIFY(fitted > 40);
    }

    void liveViewFitsColumnsOnlyWhenShown()
    {
        // A hidden table would measure every row to fit a column; a live capture's first rows
        // arrive while the view is behind its empty state or in another tab. The columns fit when
        // it is shown, from the rows on screen.
        ui::TransactionModel m;
        ReadCounter counter;
        counter.setSourceModel(&m);
        ui::LiveView view(&counter, QStringLiteral("filter"));
        view.resize(1000, 300);
        QList<sip::TransactionSnapshot> rows;
        for (int i = 1; i <= 5000; ++i)
            rows.append(tx(quint64(i), QStringLiteral("INVITE"), QStringLiteral("Proceeding")));
        m.setSnapshots(rows);
        QVERIFY2(counter.reads < 100, qPrintable(QString::number(counter.reads))); // was every cell
        const int unfitted = view.columnWidth(ui::TransactionModel::MethodColumn);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY2(counter.reads < 2000, qPrintable(QString::number(counter.reads)));
        QVERIFY(view.columnWidth(ui::TransactionModel::MethodColumn) != unfitted);
        // Shown, later rows fit at once (as before).
        ui::TransactionModel m2;
        ui::LiveView shown(&m2, QStringLiteral("filter"));
        shown.resize(1000, 300);
        shown.show();
        const int before = shown.columnWidth(ui::TransactionModel::MethodColumn);
        m2.setSnapshots({ tx(1, QStringLiteral("INVITE"), QStringLiteral("Proceeding")) });
        QVERIFY(shown.columnWidth(ui::TransactionModel::MethodColumn) != before);
    }

    void liveViewFiltersSortsSelectsAndCopies()
    {
        ui::TransactionModel m;
        ui::LiveView view(&m, QStringLiteral("filter"));
        m.setSnapshots({ tx(2, QStringLiteral("OPTIONS"), QStringLiteral("Trying")), tx(1, QStringLiteral("INVITE"), QStringLiteral("Calling")),
            tx(10, QStringLiteral("BYE"), QStringLiteral("Completed")) });
        auto order = [&] {
            QStringList ids;
            for (int r = 0; r < view.proxy()->rowCount(); ++r)
                ids << view.proxy()->index(r, 0).data().toString();
            return ids;
        };
        // In the order the objects appeared until the user sorts (a live table grows at its end).
        QCOMPARE(order(), (QStringList { QStringLiteral("2"), QStringLiteral("1"), QStringLiteral("10") }));
        // Sorted by the id column: numerically, not as text ("10" after "2").
        view.sortByColumn(ui::TransactionModel::IdColumn, Qt::AscendingOrder);
        QCOMPARE(order(), (QStringList { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("10") }));
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
