// SPDX-License-Identifier: GPL-3.0-or-later
#include "ladder/ladderview.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder;
using trace::Dir;
using trace::Event;
using trace::Kind;

namespace {
Event msg(quint64 seq, qint64 ms, Dir dir, const QString& from, const QString& to, const QByteArray& raw,
    Kind kind = Kind::SipMessage, quint64 retx = 0)
{
    Event e;
    e.seq = seq;
    e.timeNs = ms * 1000000;
    e.kind = kind;
    e.dir = dir;
    e.from = from;
    e.to = to;
    e.raw = raw;
    e.c = retx;
    return e;
}
const QString kUac = QStringLiteral("uac 10.0.0.1:5060");
const QString kUas = QStringLiteral("uas 10.0.0.2:5060");
const QByteArray kInvite = "INVITE sip:bob@b SIP/2.0\r\nCall-ID: call-1\r\nCSeq: 1 INVITE\r\n\r\n";
const QByteArray kOther = "OPTIONS sip:bob@b SIP/2.0\r\ni: call-2\r\nCSeq: 1 OPTIONS\r\n\r\n";
const QByteArray kOk = "SIP/2.0 200 OK\r\nCall-ID: call-1\r\nCSeq: 1 INVITE\r\n\r\n";
} // namespace

class TestLadder : public QObject {
    Q_OBJECT
private:
    static ui::LadderDiagram lossyCall(ui::LadderBuilder::Filter filter = {})
    {
        ui::LadderBuilder b(std::move(filter));
        quint64 s = 0;
        b.add(msg(s++, 0, Dir::Tx, kUac, kUas, kInvite));
        Event drop = msg(s++, 0, Dir::None, kUac, kUas, kInvite, Kind::LinkDrop);
        b.add(drop);
        b.add(msg(s++, 500, Dir::Tx, kUac, kUas, kInvite, Kind::SipRetransmission, 1));
        b.add(msg(s++, 520, Dir::Rx, kUac, kUas, kInvite));
        b.add(msg(s++, 530, Dir::Tx, kUac, kUas, kOther));
        b.add(msg(s++, 540, Dir::Tx, kUas, kUac, kOk));
        b.add(msg(s++, 560, Dir::Rx, kUas, kUac, kOk));
        // A peer we only hear from (a real phone): its message is a row at arrival.
        b.add(msg(s++, 900, Dir::Rx, QStringLiteral("phone 192.0.2.9:5060"), kUac,
            "BYE sip:a SIP/2.0\r\nCall-ID: call-1\r\n\r\n"));
        return b.diagram();
    }

private slots:
    void callIdLongAndCompact()
    {
        QCOMPARE(ui::LadderBuilder::callIdOf(kInvite), QByteArray("call-1"));
        QCOMPARE(ui::LadderBuilder::callIdOf(kOther), QByteArray("call-2"));
        QCOMPARE(ui::LadderBuilder::callIdOf("garbage"), QByteArray());
    }

    void rowsForSendsLossesAndRetransmissions()
    {
        const auto d = lossyCall();
        QCOMPARE(d.columns, (QStringList { kUac, kUas, QStringLiteral("phone 192.0.2.9:5060") }));
        QCOMPARE(d.rows.size(), 5);
        QVERIFY(d.rows[0].lost);
        QCOMPARE(d.rows[1].retransmission, quint64(1));
        QVERIFY(!d.rows[1].lost);
        QCOMPARE(d.rows[1].label, QStringLiteral("INVITE sip:bob@b SIP/2.0"));
        QVERIFY(d.rows[3].response);
        QCOMPARE(d.rows[3].fromColumn, 1);
        QCOMPARE(d.rows[3].toColumn, 0);
        QCOMPARE(d.rows[4].fromColumn, 2);
        QCOMPARE(d.rows[4].timeNs, qint64(900000000));
    }

    void filterByCallId()
    {
        const auto d = lossyCall(ui::LadderBuilder::sipCallId("call-1"));
        QCOMPARE(d.rows.size(), 4); // the OPTIONS of call-2 is left out
        for (const auto& r : d.rows)
            QVERIFY(!r.label.startsWith(QStringLiteral("OPTIONS")));
    }

    void textExport()
    {
        const QString text = lossyCall().toText();
        QVERIFY(text.contains(QStringLiteral("[lost]")));
        QVERIFY(text.contains(QStringLiteral("[retransmission #1]")));
        QVERIFY(text.contains(QStringLiteral("SIP/2.0 200 OK")));
        QVERIFY2(text.contains(QStringLiteral("x")) && text.contains(QStringLiteral("<")), qPrintable(text));
    }

    void pngAndSvgExport()
    {
        ui::LadderView view;
        view.resize(700, 400);
        view.setDiagram(lossyCall());
        view.setTitle(QStringLiteral("Call-ID call-1"));
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("l.png")), svg = dir.filePath(QStringLiteral("l.svg")),
                      txt = dir.filePath(QStringLiteral("l.txt"));
        QVERIFY(view.exportPng(png));
        QVERIFY(view.exportSvg(svg));
        QVERIFY(view.exportText(txt));
        const QImage img(png);
        QVERIFY(img.width() >= 96 + 3 * 220);
        QVERIFY(img.height() >= 44 + 5 * 30);
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray s = f.readAll();
        QVERIFY(s.contains("<svg"));
        QVERIFY(s.contains("INVITE"));
        QVERIFY(QFile(txt).size() > 100);
    }

    void clickSelectsARow()
    {
        ui::LadderView view;
        view.resize(800, 400);
        view.setDiagram(lossyCall());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        quint64 got = ~0ull;
        connect(&view, &ui::LadderView::eventActivated, this, [&got](quint64 s) { got = s; });
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(300, 44 + 30 * 3 + 15));
        QCOMPARE(got, quint64(5)); // the 200 OK's transmission
    }
};

QTEST_MAIN(TestLadder)
#include "tst_ladder.moc"
