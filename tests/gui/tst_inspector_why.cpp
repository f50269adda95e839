// SPDX-License-Identifier: GPL-3.0-or-later
// The inspector's "Why" area (trace::explain as rich text with links, network text escaped) and the
// parsed view's RFC column.
#include "decoders.h"
#include "inspectorwidget.h"
#include "journal/journal.h"

#include <QLabel>
#include <QTest>
#include <QTreeWidget>

using namespace ladder;

namespace {
QTreeWidgetItem* find(QTreeWidgetItem* root, const QString& name)
{
    for (int i = 0; i < root->childCount(); ++i) {
        if (root->child(i)->text(0) == name)
            return root->child(i);
        if (auto* deeper = find(root->child(i), name))
            return deeper;
    }
    return nullptr;
}

trace::Event makeEvent(trace::Kind kind, const QString& text, quint64 object = 7)
{
    trace::Event e;
    e.kind = kind;
    e.text = text;
    e.object = object;
    return e;
}
} // namespace

class TestInspectorWhy : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { ui::registerInspectorDecoders(); }

    void timerAWithHistory()
    {
        auto journal = std::make_shared<trace::Journal>();
        journal->append(makeEvent(trace::Kind::TimerArmed, QStringLiteral("A")));
        journal->append(makeEvent(trace::Kind::TimerFired, QStringLiteral("A")));
        journal->append(makeEvent(trace::Kind::TimerFired, QStringLiteral("A")));
        ui::InspectorWidget w;
        w.setJournal(journal);
        w.showEvent(journal->at(2));
        const QString html = w.why()->text();
        QVERIFY(w.why()->openExternalLinks());
        QVERIFY2(html.contains(QLatin1String("<a href=\"https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2\"")), qPrintable(html));
        QVERIFY2(html.contains(QStringLiteral(">RFC 3261 §17.1.1.2</a>")), qPrintable(html));
        QVERIFY2(html.contains(QLatin1String("INVITE client: in Calling (stays)")), qPrintable(html));
        QVERIFY2(html.contains(QLatin1String("2nd retransmission")), qPrintable(html)); // the history counted the first firing
        w.clear();
        QVERIFY(w.why()->text().isEmpty());
    }

    void networkTextIsEscaped()
    {
        ui::InspectorWidget w;
        // A fault rule's text (as a user typed it) and a datagram: both end up in the explanation.
        trace::Event e = makeEvent(trace::Kind::LinkDrop,
            QStringLiteral("fault rule 1 '<a href=\"https://evil.example/\">x</a> & <b>' dropped 9 bytes on uac → uas"));
        e.raw = "SIP/2.0 200 <script>\r\nCSeq: 1 INVITE\r\n\r\n";
        w.showEvent(e);
        const QString html = w.why()->text();
        QVERIFY2(!html.contains(QLatin1String("evil.example/\">")), qPrintable(html));
        QVERIFY2(html.contains(QLatin1String("&lt;a href=&quot;https://evil.example/&quot;&gt;x&lt;/a&gt; &amp; &lt;b&gt;")), qPrintable(html));
        QVERIFY(!html.contains(QLatin1String("<b>'")));
    }

    void parsedViewNamesSections()
    {
        ui::InspectorWidget w;
        trace::Event e = makeEvent(trace::Kind::SipMessage, QStringLiteral("INVITE sip:b@x SIP/2.0"), 0);
        e.dir = trace::Dir::Tx;
        e.raw = "INVITE sip:b@x SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9hG4bKx\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
                "Call-ID: c\r\nCSeq: 1 INVITE\r\nSession-Expires: 90\r\nX-Private: 1\r\nContent-Length: 0\r\n\r\n";
        w.showEvent(e);
        QTreeWidgetItem* root = w.tree()->invisibleRootItem();
        QCOMPARE(w.tree()->columnCount(), int(ui::InspectorWidget::ColumnCount));
        QTreeWidgetItem* via = find(root, QStringLiteral("v"));
        QVERIFY(via);
        QCOMPARE(via->text(ui::InspectorWidget::RfcColumn), QStringLiteral("RFC 3261 §20.42"));
        QCOMPARE(via->data(ui::InspectorWidget::RfcColumn, ui::InspectorWidget::kUrlRole).toString(),
            QStringLiteral("https://www.rfc-editor.org/rfc/rfc3261#section-20.42"));
        QVERIFY(via->toolTip(ui::InspectorWidget::RfcColumn).contains(QLatin1String("Via header field")));
        QCOMPARE(find(root, QStringLiteral("Session-Expires"))->text(ui::InspectorWidget::RfcColumn), QStringLiteral("RFC 4028 §4"));
        QVERIFY(find(root, QStringLiteral("X-Private"))->text(ui::InspectorWidget::RfcColumn).isEmpty());
        QCOMPARE(find(root, QStringLiteral("Method"))->text(ui::InspectorWidget::RfcColumn), QStringLiteral("RFC 3261 §7.1"));
    }

    void sctpChunkFields()
    {
        QTreeWidget tree;
        tree.setColumnCount(ui::InspectorWidget::ColumnCount);
        auto* root = new QTreeWidgetItem(&tree);
        // A packet with one SACK (cum TSN 5, a_rwnd 1000, no gaps); the checksum's value does not matter here.
        QByteArray p = QByteArray::fromHex("13881389112233440000000003000010000000050000" "03e800000000");
        ui::decodeSctp(p, root);
        QTreeWidgetItem* cum = find(root, QStringLiteral("Cumulative TSN ack"));
        QVERIFY(cum);
        QCOMPARE(cum->text(ui::InspectorWidget::RfcColumn), QStringLiteral("RFC 4960 §3.3.4"));
        QCOMPARE(find(root, QStringLiteral("Verification tag"))->text(ui::InspectorWidget::RfcColumn), QStringLiteral("RFC 4960 §3.1"));
    }
};

QTEST_MAIN(TestInspectorWhy)
#include "tst_inspector_why.moc"
