// SPDX-License-Identifier: GPL-3.0-or-later
#include "decoders.h"
#include "inspectorwidget.h"
#include "sctp/chunkdecoder.h"

#include <QTest>
#include <QTreeWidget>
#include <QtEndian>

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

QByteArray dataPacket(quint32 tsn, quint16 sid, quint16 ssn, quint32 ppid, const QByteArray& payload)
{
    QByteArray p(12, '\0');
    qToBigEndian<quint16>(5000, p.data());
    qToBigEndian<quint16>(5001, p.data() + 2);
    qToBigEndian<quint32>(0x11223344, p.data() + 4);
    QByteArray c(16, '\0');
    c[0] = 0x00; // DATA
    c[1] = 0x07; // U B E
    qToBigEndian<quint16>(quint16(16 + payload.size()), c.data() + 2);
    qToBigEndian<quint32>(tsn, c.data() + 4);
    qToBigEndian<quint16>(sid, c.data() + 8);
    qToBigEndian<quint16>(ssn, c.data() + 10);
    qToBigEndian<quint32>(ppid, c.data() + 12);
    c += payload;
    while (c.size() % 4)
        c += '\0';
    p += c;
    const quint32 crc = sctp::sctpChecksum(p);
    qToLittleEndian<quint32>(crc, p.data() + 8);
    return p;
}
} // namespace

class TestInspector : public QObject {
    Q_OBJECT
private slots:
    void sipTree()
    {
        QTreeWidgetItem root;
        ui::decodeSip("INVITE sip:bob@example.com:5070 SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bKabc;rport\r\n"
                      "From: <sip:alice@a>;tag=t1\r\nTo: <sip:bob@b>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nMax-Forwards: 70\r\n"
                      "Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n",
            &root);
        QCOMPARE(find(&root, QStringLiteral("Method"))->text(1), QStringLiteral("INVITE"));
        QCOMPARE(find(&root, QStringLiteral("host"))->text(1), QStringLiteral("example.com"));
        QCOMPARE(find(&root, QStringLiteral("port"))->text(1), QStringLiteral("5070"));
        QCOMPARE(find(&root, QStringLiteral("branch"))->text(1), QStringLiteral("z9hG4bKabc"));
        QCOMPARE(find(&root, QStringLiteral("CSeq"))->text(1), QStringLiteral("7 INVITE"));
        QCOMPARE(find(&root, QStringLiteral("From tag"))->text(1), QStringLiteral("t1"));
        QVERIFY(find(&root, QStringLiteral("Body")));
        QTreeWidgetItem bad;
        ui::decodeSip("garbage", &bad);
        QCOMPARE(bad.child(0)->text(0), QStringLiteral("Error"));
    }

    void sctpTree()
    {
        QTreeWidgetItem root;
        ui::decodeSctp(dataPacket(1234, 3, 9, 51, "hello"), &root);
        QVERIFY(find(&root, QStringLiteral("Checksum (CRC32c)"))->text(1).contains(QStringLiteral("[correct]")));
        QCOMPARE(find(&root, QStringLiteral("TSN"))->text(1), QStringLiteral("1234"));
        QCOMPARE(find(&root, QStringLiteral("Stream"))->text(1), QStringLiteral("3"));
        QCOMPARE(find(&root, QStringLiteral("PPID"))->text(1), QStringLiteral("51"));
        QCOMPARE(find(&root, QStringLiteral("B/E/U/I"))->text(1), QStringLiteral("BEU-"));
        QTreeWidgetItem truncated;
        ui::decodeSctp(dataPacket(1, 0, 0, 0, "x").left(20), &truncated);
        // Says exactly what is wrong — the header as read, the problem, the chunk marked — and
        // does not crash.
        QCOMPARE(truncated.childCount(), 3);
        QCOMPARE(truncated.child(0)->text(0), QStringLiteral("Common header"));
        QCOMPARE(find(&truncated, QStringLiteral("Source port"))->text(1), QStringLiteral("5000"));
        QVERIFY(find(&truncated, QStringLiteral("Checksum (CRC32c)"))->text(1).endsWith(QStringLiteral("[incorrect]")));
        QCOMPARE(truncated.child(1)->text(0), QStringLiteral("Problem"));
        QCOMPARE(truncated.child(1)->text(1), QStringLiteral("DATA chunk at offset 12 is truncated"));
        QCOMPARE(truncated.child(2)->text(0), QStringLiteral("DATA"));
        QVERIFY2(truncated.child(2)->text(1).endsWith(QStringLiteral(" [truncated]")), qPrintable(truncated.child(2)->text(1)));
        QCOMPARE(find(truncated.child(2), QStringLiteral("Truncated"))->text(1), QStringLiteral("yes"));
        QCOMPARE(find(truncated.child(2), QStringLiteral("Length"))->text(1), QStringLiteral("17"));
    }

    void inspectorShowsDecodedTree()
    {
        ui::registerInspectorDecoders();
        ui::InspectorWidget w;
        trace::Event e;
        e.kind = trace::Kind::SctpPacket;
        e.raw = dataPacket(77, 0, 0, 0, "abc");
        w.showEvent(e);
        QCOMPARE(w.tree()->topLevelItemCount(), 2);
        QCOMPARE(w.tree()->topLevelItem(1)->text(0), QStringLiteral("Decoded"));
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
