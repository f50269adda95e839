// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspectorwidget.h"
#include "theme.h"
#include "timeline/timelineview.h"
#include "journal/journal.h"

#include <QElapsedTimer>
#include <QTest>
#include <QTreeWidget>

using namespace ladder;
using trace::Dir;
using trace::Event;
using trace::Kind;

namespace {
Event sip(qint64 ms, Dir dir, const char* raw, Kind kind = Kind::SipMessage, quint64 retx = 0)
{
    Event e;
    e.timeNs = ms * 1000000;
    e.kind = kind;
    e.dir = dir;
    e.from = QStringLiteral("uac 10.0.0.1:5060");
    e.to = QStringLiteral("uas 10.0.0.2:5060");
    e.raw = raw;
    e.c = retx;
    e.text = QString::fromLatin1(raw).section(QLatin1Char('\r'), 0, 0);
    return e;
}
Event response(qint64 ms, Dir dir, const char* raw)
{
    Event e = sip(ms, dir, raw);
    std::swap(e.from, e.to);
    return e;
}
} // namespace

class TestTimeline : public QObject {
    Q_OBJECT
private slots:
    void pairsTransmissionsWithReceptions()
    {
        auto journal = std::make_shared<trace::Journal>();
        const char* invite = "INVITE sip:bob@b SIP/2.0\r\n\r\n";
        journal->append(sip(0, Dir::Tx, invite));
        Event drop = sip(0, Dir::None, invite, Kind::LinkDrop);
        journal->append(drop);
        journal->append(sip(500, Dir::Tx, invite, Kind::SipRetransmission, 1));
        journal->append(sip(520, Dir::Rx, invite));
        journal->append(response(530, Dir::Tx, "SIP/2.0 180 Ringing\r\n\r\n"));
        journal->append(response(550, Dir::Rx, "SIP/2.0 180 Ringing\r\n\r\n"));
        Event abandon;
        abandon.kind = Kind::SctpAbandon;
        abandon.timeNs = 600000000;
        abandon.from = QStringLiteral("sctp-a 10.0.0.1:9899");
        abandon.c = 77;
        journal->append(abandon);

        ui::TimelineView view;
        view.setJournal(journal);
        view.resize(900, 300);
        view.append(journal->range(0, 100));
        const auto& idx = view.index();
        QCOMPARE(idx.lanes().size(), 3);
        QCOMPARE(idx.items().size(), std::size_t(7));
        QCOMPARE(idx.retransmissions(), quint64(1));
        QCOMPARE(idx.drops(), quint64(1));
        QCOMPARE(idx.abandoned(), quint64(1));
        // The INVITE that arrived is the retransmission (the first copy was lost).
        const auto& rx = idx.items()[3];
        QCOMPARE(rx.dir, Dir::Rx);
        QVERIFY(rx.flags & ui::TimelineIndex::Paired);
        QVERIFY(rx.flags & ui::TimelineIndex::Retransmission);
        QCOMPARE(rx.pairTimeNs, qint64(500000000));
        QCOMPARE(rx.number, quint64(1));
        QCOMPARE(idx.labels().value(int(rx.label)), QStringLiteral("INVITE"));
        const auto& ringing = idx.items()[5];
        QVERIFY(ringing.flags & ui::TimelineIndex::Response);
        QCOMPARE(idx.labels().value(int(ringing.label)), QStringLiteral("180 Ringing"));

        view.fitAll();
        QImage img(view.size(), QImage::Format_ARGB32);
        view.render(&img);
        QVERIFY(view.lastPaintedItems() >= 5);
        // Something orange (the retransmission) and something vermillion (the loss) were drawn.
        const ui::MarkPalette marks = ui::markPalette(view.palette());
        auto near = [](const QColor& a, const QColor& b) {
            return std::abs(a.red() - b.red()) < 12 && std::abs(a.green() - b.green()) < 12 && std::abs(a.blue() - b.blue()) < 12;
        };
        bool orange = false, red = false;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) {
                const QColor c = img.pixelColor(x, y);
                orange |= near(c, marks.retransmit);
                red |= near(c, marks.drop);
            }
        QVERIFY(orange);
        QVERIFY(red);
    }

    void sctpPacketsAreLabelledByTheirChunks()
    {
        auto journal = std::make_shared<trace::Journal>();
        auto packet = [](qint64 ms, Dir dir, const char* text) {
            Event e;
            e.kind = Kind::SctpPacket;
            e.timeNs = ms * 1000000;
            e.dir = dir;
            e.from = QStringLiteral("client 127.0.0.1:9899");
            e.to = QStringLiteral("server 127.0.0.1:9899");
            e.text = QString::fromUtf8(text);
            return e;
        };
        journal->append(packet(0, Dir::Tx, "5001 → 5000 vtag 0x4f613c55: DATA"));
        journal->append(packet(1, Dir::Tx, "5001 → 5000 vtag 0x4f613c55: SACK, DATA"));
        ui::TimelineView view;
        view.setJournal(journal);
        view.append(journal->range(0, 2));
        const auto& idx = view.index();
        QCOMPARE(idx.items().size(), std::size_t(2));
        QCOMPARE(idx.labels().value(int(idx.items()[0].label)), QStringLiteral("DATA"));
        QCOMPARE(idx.labels().value(int(idx.items()[1].label)), QStringLiteral("SACK, DATA"));
    }

    void clickSelectsAndInspectorDecodes()
    {
        auto journal = std::make_shared<trace::Journal>();
        journal->append(sip(0, Dir::Tx, "OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\n\r\n"));
        journal->append(sip(100, Dir::Rx, "OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\n\r\n"));
        ui::TimelineView view;
        view.setJournal(journal);
        view.resize(800, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.append(journal->range(0, 10));
        view.setFollow(false);
        view.setRange(-50000000, 250000000.0 / 650); // 0.1 s lands at x = 150 + 150*2.6
        quint64 got = ~0ull;
        connect(&view, &ui::TimelineView::eventActivated, this, [&got](quint64 s) { got = s; });
        view.setFoldKeepAlives(false); // an OPTIONS ping: folded by default
        view.repaint();
        // Click the middle of the arrow the frame drew for the receive.
        QPoint at;
        for (const auto& m : view.frame().marks)
            if (m.seq == 1 && m.shape == ui::timeline::Mark::Arrow)
                at = ((m.a + m.b) / 2).toPoint();
        QVERIFY(!at.isNull());
        QTest::mouseClick(&view, Qt::LeftButton, {}, at);
        QCOMPARE(got, quint64(1));
        QCOMPARE(view.selectedSeq(), quint64(1));

        ui::InspectorWidget inspector;
        inspector.showEvent(journal->at(1));
        QVERIFY(inspector.hasEvent());
        QVERIFY(inspector.tree()->topLevelItemCount() >= 1);
        QVERIFY(ui::InspectorWidget::hexDump("INVITE").startsWith(QStringLiteral("0000  49 4e 56 49 54 45")));
    }

    void keyboardZoomAndFit()
    {
        auto journal = std::make_shared<trace::Journal>();
        for (int i = 0; i < 100; ++i)
            journal->append(sip(i * 10, Dir::Tx, "MESSAGE sip:b SIP/2.0\r\n\r\n"));
        ui::TimelineView view;
        view.resize(800, 200);
        view.append(journal->range(0, 1000));
        const double fitted = view.nsPerPixel();
        QTest::keyClick(&view, Qt::Key_Plus);
        QCOMPARE(view.nsPerPixel(), fitted / 2);
        QVERIFY(!view.follows());
        QTest::keyClick(&view, Qt::Key_Home);
        QCOMPARE(view.nsPerPixel(), fitted);
        QTest::keyClick(&view, Qt::Key_End);
        QVERIFY(view.follows());
    }

    // Events appended twenty times a second (a live capture) repaint the view at a pace its frame
    // cost allows — at most every 50 ms here — and the last of them is painted once they stop.
    void appendsRepaintAtAPacedRate()
    {
        ui::TimelineView view;
        view.resize(800, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        struct PaintCounter : QObject {
            int paints = 0;
            bool eventFilter(QObject*, QEvent* e) override
            {
                paints += e->type() == QEvent::Paint;
                return false;
            }
        } counter;
        view.installEventFilter(&counter);
        QElapsedTimer clock;
        clock.start();
        int appended = 0;
        int paintsAfterLastAppend = 0;
        while (clock.elapsed() < 600) {
            QList<Event> batch;
            for (int i = 0; i < 20; ++i, ++appended)
                batch.append(sip(appended, Dir::Tx, "MESSAGE sip:b SIP/2.0\r\n\r\n"));
            view.append(batch);
            paintsAfterLastAppend = counter.paints;
            QTest::qWait(5);
        }
        const qint64 spent = clock.elapsed();
        QVERIFY2(counter.paints <= int(spent / 50) + 2, qPrintable(QStringLiteral("%1 paints in %2 ms").arg(counter.paints).arg(spent)));
        QVERIFY(counter.paints >= 2); // but it does repaint while they come
        QTRY_VERIFY(counter.paints > paintsAfterLastAppend); // and the last events are painted
    }

    void millionEventsPaintABoundedNumberOfMarks()
    {
        ui::TimelineView view;
        view.resize(1000, 300);
        QVector<Event> batch;
        batch.reserve(100000);
        for (int i = 0; i < 1000000; ++i) {
            Event e = sip(i, i % 2 ? Dir::Rx : Dir::Tx, "BYE sip:b SIP/2.0\r\n\r\n");
            e.seq = quint64(i);
            e.timeNs = qint64(i) * 1000000 + (i % 2) * 500000;
            batch.append(e);
            if (batch.size() == 100000) {
                view.append(batch);
                batch.clear();
            }
        }
        QCOMPARE(view.index().items().size(), std::size_t(1000000));
        view.fitAll();
        QImage img(view.size(), QImage::Format_ARGB32);
        view.render(&img);
        // At full zoom-out one mark per pixel column and lane at most; here a density strip.
        QVERIFY2(view.lastPaintedItems() <= 4 * 1000, qPrintable(QString::number(view.lastPaintedItems())));
        QVERIFY(view.lastPaintedItems() >= 1);
        QVERIFY(!view.frame().density.empty());
    }
};

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
