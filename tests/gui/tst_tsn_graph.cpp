// SPDX-License-Identifier: GPL-3.0-or-later
// The TSN graph (the Graphs tab), without and with painting: the PR-SCTP lesson's journal read
// into the graph model has every retransmitted TSN, every abandon and every FORWARD-TSN jump of
// the journal, a monotone cumulative-ack line and relative TSNs from 1; serial arithmetic across
// the 32-bit wrap; the per-column level of detail keeps a frame bounded; the view emits the
// clicked point's journal event; the CSV export lists the points.
#include "graphs/tsngraphmodel.h"
#include "graphs/tsngraphview.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/runner.h"
#include "lab/scenario.h"
#include "sctp/chunkdecoder.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>
#include <QtEndian>

#include <algorithm>

using namespace ladder;
using namespace ladder::ui::graphs;
using trace::Dir;
using trace::Kind;

namespace {

std::shared_ptr<trace::Journal> runLesson(const QString& name)
{
    static QHash<QString, std::shared_ptr<trace::Journal>> cache;
    if (cache.contains(name))
        return cache.value(name);
    auto scenario = lab::createScenario(name);
    if (!scenario)
        return {};
    Stack stack(scenario->needsRealTime() ? Scheduler::Mode::Real : Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = 1;
    lab::runToEnd(*scenario, stack, params);
    scenario->stop();
    auto journal = stack.sharedJournal();
    cache.insert(name, journal);
    return journal;
}

// The model fed as the main window feeds it: ranges of events as the journal hands them out.
void feed(TsnGraphModel& model, const trace::Journal& journal)
{
    const quint64 n = journal.count();
    for (quint64 first = 0; first < n; first += 700)
        model.append(journal.range(first, 700));
}

void put32(QByteArray& b, quint32 v)
{
    char x[4];
    qToBigEndian(v, x);
    b.append(x, 4);
}
void put16(QByteArray& b, quint16 v)
{
    char x[2];
    qToBigEndian(v, x);
    b.append(x, 2);
}

QByteArray header()
{
    QByteArray b;
    put16(b, 5000);
    put16(b, 5001);
    put32(b, 0x1234);
    put32(b, 0);
    return b;
}

trace::Event packet(qint64 timeNs, Dir dir, const QByteArray& raw, quint64 seq)
{
    trace::Event e;
    e.seq = seq;
    e.timeNs = timeNs;
    e.kind = Kind::SctpPacket;
    e.dir = dir;
    e.object = e.a = 7;
    e.raw = raw;
    return e;
}

QByteArray dataPacket(quint32 tsn, quint16 sid = 0, const QByteArray& payload = "ABCD", quint8 flags = 3)
{
    QByteArray b = header();
    b.append(char(sctp::chunk::Data));
    b.append(char(flags));
    put16(b, quint16(16 + payload.size()));
    put32(b, tsn);
    put16(b, sid);
    put16(b, 0);
    put32(b, 51);
    b.append(payload);
    while (b.size() % 4)
        b.append('\0');
    return b;
}

QByteArray forwardTsnPacket(quint32 cum)
{
    QByteArray b = header();
    b.append(char(sctp::chunk::ForwardTsn));
    b.append(char(0));
    put16(b, 8);
    put32(b, cum);
    return b;
}

// What the engine journals for SCTP_SEND_FAILED_EVENT: context, policy, stream, the message's data.
trace::Event abandon(qint64 timeNs, quint64 context, quint8 policy, const QByteArray& data, quint64 seq, quint16 sid = 0)
{
    trace::Event e;
    e.seq = seq;
    e.timeNs = timeNs;
    e.kind = Kind::SctpAbandon;
    e.object = 7;
    e.a = policy;
    e.b = sid;
    e.c = context;
    e.raw = data;
    return e;
}

const Point* abandonOf(const Flow& f, quint64 context)
{
    for (const Point& p : f.points)
        if (p.kind == MarkKind::Abandon && p.context == context)
            return &p;
    return nullptr;
}

QByteArray sackPacket(quint32 cum, QList<QPair<quint16, quint16>> gaps = {}, QList<quint32> dups = {})
{
    QByteArray b = header();
    b.append(char(sctp::chunk::Sack));
    b.append(char(0));
    put16(b, quint16(16 + 4 * gaps.size() + 4 * dups.size()));
    put32(b, cum);
    put32(b, 65536);
    put16(b, quint16(gaps.size()));
    put16(b, quint16(dups.size()));
    for (const auto& g : gaps) {
        put16(b, g.first);
        put16(b, g.second);
    }
    for (quint32 d : dups)
        put32(b, d);
    return b;
}

bool isRetransmission(MarkKind k)
{
    return k == MarkKind::Retransmission || k == MarkKind::FastRetransmission || k == MarkKind::TimeoutRetransmission;
}

// The cumulative point never goes back in a flow.
bool cumulativeMonotone(const Flow& f)
{
    qint64 cum = std::numeric_limits<qint64>::min();
    for (const Point& p : f.points)
        if (p.kind == MarkKind::CumAck || p.kind == MarkKind::ForwardTsn) {
            if (p.tsn < cum)
                return false;
            cum = p.tsn;
        }
    return true;
}

// Two frames drawn alike: the same marks at the same places, the same step line.
bool sameFrame(const GraphFrame& a, const GraphFrame& b)
{
    if (a.marks.size() != b.marks.size() || a.cumLine != b.cumLine || a.aggregatedColumns != b.aggregatedColumns
        || a.visiblePoints != b.visiblePoints) {
        qWarning("frames differ: %zu/%zu marks, %lld/%lld step points, %d/%d aggregated, %zu/%zu visible", a.marks.size(),
            b.marks.size(), qlonglong(a.cumLine.size()), qlonglong(b.cumLine.size()), a.aggregatedColumns, b.aggregatedColumns,
            a.visiblePoints, b.visiblePoints);
        return false;
    }
    for (std::size_t i = 0; i < a.marks.size(); ++i) {
        const DrawnMark& x = a.marks[i];
        const DrawnMark& y = b.marks[i];
        if (x.kind != y.kind || x.pos != y.pos || x.yEnd != y.yEnd || x.count != y.count || x.point != y.point) {
            qWarning("mark %zu differs: kind %d/%d at (%g, %g)/(%g, %g) to %g/%g, count %u/%u", i, int(x.kind), int(y.kind),
                x.pos.x(), x.pos.y(), y.pos.x(), y.pos.y(), x.yEnd, y.yEnd, x.count, y.count);
            return false;
        }
    }
    return true;
}

} // namespace

class TestTsnGraph : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lab::registerBuiltinScenarios(); }


    void prsctpLessonIsAllThere()
    {
        auto journal = runLesson(QStringLiteral("prsctp-ttl-rtx-buf"));
        QVERIFY(journal);
        TsnGraphModel model;
        feed(model, *journal);
        QVERIFY(!model.flows().empty());
        const int busiest = model.busiestFlow();
        QVERIFY(busiest >= 0);
        QCOMPARE(model.flows()[std::size_t(busiest)].dir, Dir::Tx);

        int retransmissions = 0, abandons = 0, forwards = 0, placed = 0;
        QHash<quint64, QSet<quint32>> sentTsns; // per association, DATA TSNs it sent
        // Per association and stream, the TSN each message's data was first sent with: where the
        // abandoned message of that data is (SEND_FAILED carries the data, not the TSN).
        QHash<quint64, QHash<QByteArray, quint32>> tsnOfData;
        journal->forEach(0, journal->count(), [&](const trace::Event& e) {
            if (e.kind == Kind::SctpChunk && e.dir == Dir::Tx && (e.a == sctp::chunk::Data || e.a == sctp::chunk::IData))
                sentTsns[e.object].insert(quint32(e.c));
            if (e.kind == Kind::SctpPacket && e.dir == Dir::Tx)
                for (const sctp::DecodedChunk& c : sctp::decodePacket(e.raw, false, false).chunks)
                    if (c.type == sctp::chunk::Data && !c.truncated) {
                        const QByteArray key = QByteArray::number(c.sid) + ':' + e.raw.mid(c.offset + 16, c.payloadLength);
                        if (!tsnOfData[e.object].contains(key))
                            tsnOfData[e.object].insert(key, c.tsn);
                    }
            if (e.kind == Kind::SctpRetransmission) {
                ++retransmissions;
                const int fi = model.flowIndex(e.object, e.dir);
                QVERIFY2(fi >= 0, qPrintable(e.text));
                const Flow& f = model.flows()[std::size_t(fi)];
                const MarkKind want = e.a == 1 ? MarkKind::FastRetransmission
                    : e.a == 2                 ? MarkKind::TimeoutRetransmission
                                               : MarkKind::Retransmission;
                const bool found = std::any_of(f.points.begin(), f.points.end(), [&](const Point& p) {
                    return p.seq == e.seq && p.kind == want && p.wire == quint32(e.c) && p.timeNs == e.timeNs
                        && p.tsn == f.relative(quint32(e.c));
                });
                QVERIFY2(found, qPrintable(QStringLiteral("seq %1: %2").arg(e.seq).arg(e.text)));
            } else if (e.kind == Kind::SctpAbandon) {
                ++abandons;
                const int fi = model.flowIndex(e.object, Dir::Tx);
                QVERIFY2(fi >= 0, qPrintable(e.text));
                const Flow& f = model.flows()[std::size_t(fi)];
                const auto p = std::find_if(f.points.begin(), f.points.end(), [&](const Point& p) {
                    return p.seq == e.seq && p.kind == MarkKind::Abandon && p.context == e.c
                        && (p.detail & kAbandonPolicyMask) == e.a && p.stream == e.b;
                });
                QVERIFY2(p != f.points.end(), qPrintable(QStringLiteral("seq %1: %2").arg(e.seq).arg(e.text)));
                // Drawn at the TSN its data was sent with.
                const QByteArray key = QByteArray::number(e.b) + ':' + e.raw;
                if (tsnOfData.value(e.object).contains(key)) {
                    ++placed;
                    QVERIFY2(p->detail & kAbandonMatched, qPrintable(TsnGraphModel::describe(f, *p)));
                    QCOMPARE(p->wire, tsnOfData.value(e.object).value(key));
                    QCOMPARE(p->tsn, f.relative(p->wire));
                }
            } else if (e.kind == Kind::SctpForwardTsn) {
                ++forwards;
                const int fi = model.flowIndex(e.object, e.dir == Dir::None ? Dir::Tx : e.dir);
                QVERIFY2(fi >= 0, qPrintable(e.text));
                const Flow& f = model.flows()[std::size_t(fi)];
                const bool found = std::any_of(f.points.begin(), f.points.end(), [&](const Point& p) {
                    return p.seq == e.seq && p.kind == MarkKind::ForwardTsn && p.wire == quint32(e.c);
                });
                QVERIFY2(found, qPrintable(QStringLiteral("seq %1: %2").arg(e.seq).arg(e.text)));
            }
        });
        // The lesson is about exactly these: it must have produced some of each.
        QVERIFY(retransmissions > 0);
        QVERIFY(abandons > 0);
        QVERIFY(forwards > 0);
        QCOMPARE(placed, abandons); // in this lesson every abandoned message had been sent

        int jumps = 0;
        for (const Flow& f : model.flows()) {
            QVERIFY2(cumulativeMonotone(f), qPrintable(f.title()));
            if (f.dir == Dir::Tx && f.dataCount) {
                // Every DATA TSN sent is a first transmission once, numbered from 1.
                QCOMPARE(f.dataCount, quint64(sentTsns.value(f.association).size()));
                const auto first = std::find_if(f.points.begin(), f.points.end(), [](const Point& p) { return p.kind == MarkKind::Data; });
                QCOMPARE(first->tsn, qint64(1));
            }
            for (const Point& p : f.points) {
                if (p.kind == MarkKind::ForwardTsn && p.tsn > p.tsnEnd)
                    ++jumps; // the cumulative point moved past TSNs never acknowledged
                if (p.kind == MarkKind::Abandon && (p.detail & kAbandonMatched)) {
                    QVERIFY(sentTsns.value(f.association).contains(p.wire));
                    QVERIFY(p.tsn > 0 && p.tsn <= f.maxTsn);
                }
            }
        }
        QVERIFY(jumps > 0);

        // Drawn: fitted on the busiest flow, every retransmission and abandon is a mark of the frame.
        ui::TsnGraphView view;
        view.resize(1200, 600);
        QVector<trace::Event> all = journal->range(0, journal->count());
        view.append(all);
        view.setFlow(busiest);
        const GraphFrame fr = view.frame();
        const Flow& f = model.flows()[std::size_t(busiest)];
        const Flow& vf = view.model().flows()[std::size_t(busiest)];
        QCOMPARE(vf.points.size(), f.points.size());
        for (std::size_t i = 0; i < vf.points.size(); ++i) {
            const MarkKind k = vf.points[i].kind;
            if (!isRetransmission(k) && k != MarkKind::Abandon && k != MarkKind::ForwardTsn)
                continue;
            // Abandons come in bursts (a FORWARD-TSN's worth at one instant), each drawn on its own.
            const bool drawn = std::any_of(fr.marks.begin(), fr.marks.end(), [&](const DrawnMark& m) {
                return (m.point == i && m.count == 1)
                    || (k != MarkKind::Abandon && m.count > 1 && m.kind == k && vf.points[m.point].timeNs <= vf.points[i].timeNs);
            });
            QVERIFY2(drawn, qPrintable(TsnGraphModel::describe(vf, vf.points[i])));
        }
        // The step line never goes down (y grows downwards).
        for (int i = 1; i < fr.cumLine.size(); ++i)
            QVERIFY(fr.cumLine[i].y() <= fr.cumLine[i - 1].y() + 1e-9);
        QVERIFY(fr.cumLine.size() > 2);

        // Clicking an abandon emits its journal event.
        const auto ab = std::find_if(fr.marks.begin(), fr.marks.end(), [](const DrawnMark& m) { return m.kind == MarkKind::Abandon && m.count == 1; });
        QVERIFY(ab != fr.marks.end());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy spy(&view, &ui::TsnGraphView::eventActivated);
        QTest::mouseClick(&view, Qt::LeftButton, {}, ab->pos.toPoint());
        QCOMPARE(spy.count(), 1);
        const trace::Event clicked = journal->at(spy.at(0).at(0).toULongLong());
        QVERIFY2(clicked.kind == Kind::SctpAbandon || clicked.kind == Kind::SctpRetransmission, qPrintable(clicked.text));

        // Zoom and pan: the time range set from the timeline is the plot's; the user's wheel reports one.
        view.setTimeRange(200000000, 700000000);
        QCOMPARE(view.startNs(), qint64(200000000));
        const Viewport vp = view.viewport(view.size());
        QVERIFY(std::abs(vp.ns(vp.plot.right()) - 700000000) < 2 * vp.nsPerPx);
        QSignalSpy ranges(&view, &ui::TsnGraphView::userRangeChanged);
        QWheelEvent wheel(QPointF(vp.plot.center()), view.mapToGlobal(vp.plot.center()), {}, QPoint(0, 120), Qt::NoButton, {},
            Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &wheel);
        QCOMPARE(ranges.count(), 1);
        QVERIFY(ranges.at(0).at(1).toLongLong() - ranges.at(0).at(0).toLongLong() < 500000000); // zoomed in
        QCOMPARE(view.selectedSeq(), spy.at(0).at(0).toULongLong()); // the clicked point is ringed

        // Exports.
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("g.csv"));
        QVERIFY(view.exportCsv(csv));
        QFile in(csv);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = in.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("time_s,kind,tsn_rel,tsn,stream,detail"));
        QCOMPARE(qsizetype(lines.size()), qsizetype(vf.points.size()) + 2); // header, points, final newline
        QVERIFY(view.exportPng(dir.filePath(QStringLiteral("g.png"))));
        QVERIFY(view.exportSvg(dir.filePath(QStringLiteral("g.svg"))));
        QVERIFY(QFile(dir.filePath(QStringLiteral("g.svg"))).size() > 1000);
    }

    void abandonsSitAtTheirMessagesTsn()
    {
        TsnGraphModel model;
        quint64 seq = 0;
        const quint32 base = 1000;
        // TSN 1..4 on stream 0: ttl-a, buf-b, ttl-c, buf-d (relative); TSN 5 on stream 1.
        const QByteArray data[] = { "ttl-a", "buf-b", "ttl-c", "buf-d" };
        for (quint32 i = 0; i < 4; ++i)
            model.append(packet(1000 + i, Dir::Tx, dataPacket(base + i, 0, data[i]), seq++));
        model.append(packet(1010, Dir::Tx, dataPacket(base + 4, 1, "buf-b"), seq++));
        // BUF gives up buf-b then buf-d while ttl-a is the oldest outstanding: they are TSN 2 and 4.
        model.append(abandon(2000, 301, 2, "buf-b", seq++));
        model.append(abandon(2001, 303, 2, "buf-d", seq++));
        // The same data on stream 1 is TSN 5, not 2.
        model.append(abandon(2002, 311, 2, "buf-b", seq++, 1));
        // A FORWARD-TSN skips ttl-a before its record comes: still TSN 1.
        model.append(packet(3000, Dir::Tx, forwardTsnPacket(base + 1), seq++));
        model.append(abandon(3001, 100, 1, "ttl-a", seq++));
        const Flow& f = model.flows().front();
        const qint64 want[][2] = { { 301, 2 }, { 303, 4 }, { 311, 5 }, { 100, 1 } };
        for (const auto& [context, tsn] : want) {
            const Point* p = abandonOf(f, quint64(context));
            QVERIFY(p);
            QCOMPARE(p->tsn, tsn);
            QCOMPARE(p->wire, base + quint32(tsn - 1));
            QVERIFY(p->detail & kAbandonMatched);
            QCOMPARE(p->detail & kAbandonPolicyMask, context == 100 ? 1 : 2);
        }
        QVERIFY(TsnGraphModel::describe(f, *abandonOf(f, 303)).contains(QStringLiteral("TSN 4")));

        // Never sent: a FORWARD-TSN past TSN 5 (the highest sent) skips 6 and 7 without them ever
        // being on the wire; a record that came before takes 6, one that comes after 7.
        model.append(abandon(4000, 305, 2, "buf-f", seq++));
        const Point* early = abandonOf(model.flows().front(), 305);
        QVERIFY(early && !early->tsnKnown());
        QCOMPARE(early->tsn, qint64(6)); // drawn above the highest TSN sent until then
        model.append(packet(4001, Dir::Tx, forwardTsnPacket(base + 6), seq++));
        model.append(abandon(4002, 306, 2, "buf-g", seq++));
        // A message that never had a TSN: none is skipped for it.
        model.append(abandon(4003, 307, 2, "buf-h", seq++));
        const Flow& g = model.flows().front();
        QCOMPARE(abandonOf(g, 305)->tsn, qint64(6));
        QVERIFY(abandonOf(g, 305)->detail & kAbandonUnsent);
        QCOMPARE(abandonOf(g, 306)->tsn, qint64(7));
        QVERIFY(abandonOf(g, 306)->detail & kAbandonUnsent);
        QVERIFY(!abandonOf(g, 307)->tsnKnown());
        QCOMPARE(abandonOf(g, 307)->tsn, qint64(6));
        QVERIFY(TsnGraphModel::csv(g).contains(QStringLiteral(",abandoned,,,0,ctx 307 BUF never sent, no TSN")));
        QCOMPARE(g.abandons, quint64(7));

        // The next DATA goes out as TSN 10: 8 and 9 were given to messages abandoned unsent. The
        // pending record takes 8, the one that comes after takes 9.
        model.append(packet(5000, Dir::Tx, dataPacket(base + 9, 0, "reliable"), seq++));
        model.append(abandon(5001, 308, 1, "ttl-i", seq++));
        const Flow& h = model.flows().front();
        QCOMPARE(abandonOf(h, 307)->tsn, qint64(8));
        QVERIFY(abandonOf(h, 307)->detail & kAbandonUnsent);
        QCOMPARE(abandonOf(h, 308)->tsn, qint64(9));
        QVERIFY(abandonOf(h, 308)->detail & kAbandonUnsent);
        QCOMPARE(abandonOf(h, 308)->wire, base + 8);
    }

    void selectorTitlesFollowTheData()
    {
        // The pane fed in batches as the main window feeds it: the selector's title counts the TSNs
        // sent so far, not those of the first batch.
        auto journal = runLesson(QStringLiteral("prsctp-ttl-rtx-buf"));
        QVERIFY(journal);
        ui::GraphsPane pane;
        for (quint64 first = 0; first < journal->count(); first += 50)
            pane.append(journal->range(first, 50));
        auto* box = pane.findChild<QComboBox*>(QStringLiteral("graphFlow"));
        QVERIFY(box);
        const int flow = pane.view()->flow();
        QVERIFY(flow >= 0);
        const Flow& f = pane.view()->model().flows()[std::size_t(flow)];
        QVERIFY(f.dataCount > 1);
        QCOMPARE(box->currentText(), f.title());
        QVERIFY(box->currentText().contains(QStringLiteral("(%1 TSNs)").arg(f.dataCount)));
        for (int row = 0; row < box->count(); ++row)
            QCOMPARE(box->itemText(row), pane.view()->model().flows()[std::size_t(box->itemData(row).toInt())].title());
    }

    void serialArithmeticAcrossTheWrap()
    {
        TsnGraphModel model;
        quint64 seq = 0;
        const quint32 start = 0xfffffffcu;
        for (quint32 i = 0; i < 8; ++i)
            model.append(packet(1000 * qint64(i), Dir::Tx, dataPacket(start + i), seq++));
        // TSN start+3 (0xffffffff) retransmitted, a SACK with a gap after the wrap, and a duplicate.
        model.append(packet(9000, Dir::Tx, dataPacket(start + 3), seq++));
        model.append(packet(9500, Dir::Rx, sackPacket(start + 2, { { 2, 3 } }, { start + 1 }), seq++));
        model.append(packet(9600, Dir::Rx, sackPacket(start + 1), seq++)); // late, older: no step back
        model.append(packet(9700, Dir::Rx, sackPacket(start + 7), seq++));
        QCOMPARE(model.flows().size(), std::size_t(1));
        const Flow& f = model.flows().front();
        QCOMPARE(f.dataCount, quint64(8));
        QCOMPARE(f.retransmissions, quint64(1));
        QCOMPARE(f.duplicates, quint64(1));
        std::vector<qint64> data, cums;
        for (const Point& p : f.points) {
            if (p.kind == MarkKind::Data)
                data.push_back(p.tsn);
            if (p.kind == MarkKind::CumAck)
                cums.push_back(p.tsn);
            if (p.kind == MarkKind::Retransmission)
                QCOMPARE(p.tsn, qint64(4));
            if (p.kind == MarkKind::GapAck) {
                QCOMPARE(p.tsn, qint64(5));
                QCOMPARE(p.tsnEnd, qint64(6));
                QCOMPARE(p.wire, 0x00000000u);
            }
        }
        QCOMPARE(data, (std::vector<qint64> { 1, 2, 3, 4, 5, 6, 7, 8 }));
        QCOMPARE(cums, (std::vector<qint64> { 3, 8 }));
        QVERIFY(cumulativeMonotone(f));
        QCOMPARE(f.relative(0), qint64(5));
        QVERIFY(TsnGraphModel::csv(f).contains(QStringLiteral(",DATA,5,0,0,")));
    }

    void denseColumnsAggregate()
    {
        // 200 000 TSNs over 2 s: a fitted frame draws a bounded number of marks, fast.
        TsnGraphModel model;
        quint64 seq = 0;
        const int n = 200000;
        for (int i = 0; i < n; ++i) {
            model.append(packet(qint64(i) * 10000, Dir::Tx, dataPacket(quint32(100 + i)), seq++));
            if (i % 4 == 3)
                model.append(packet(qint64(i) * 10000 + 5000, Dir::Rx, sackPacket(quint32(100 + i)), seq++));
        }
        const Flow& f = model.flows().front();
        QCOMPARE(f.dataCount, quint64(n));
        Viewport vp;
        vp.plot = QRectF(60, 10, 1000, 500);
        vp.startNs = 0;
        vp.nsPerPx = double(n) * 10000 / 1000;
        vp.tsnLow = 0;
        vp.tsnPerPx = double(n) / 500;
        QElapsedTimer t;
        t.start();
        const GraphFrame fr = TsnGraphModel::frame(f, vp);
        const qint64 ms = t.elapsed();
        qInfo("frame of %d TSNs: %lld ms, %zu marks, %d aggregated columns", n, ms, fr.marks.size(), fr.aggregatedColumns);
        QVERIFY(fr.aggregatedColumns > 900);
        QVERIFY(fr.marks.size() <= std::size_t(1001) * kMarkKinds);
        QVERIFY(fr.cumLine.size() <= 2 * 1001 + 2);
        // Each column's bar spans its TSNs: together they reach from TSN 1 to n.
        double top = 1e9, bottom = -1e9;
        for (const DrawnMark& m : fr.marks)
            if (m.kind == MarkKind::Data) {
                top = std::min(top, std::min(m.pos.y(), m.yEnd));
                bottom = std::max(bottom, std::max(m.pos.y(), m.yEnd));
            }
        QVERIFY(std::abs(bottom - vp.y(1)) < 1);
        QVERIFY(std::abs(top - vp.y(n)) < 1);
        // Zoomed in to 60 points, each one is drawn on its own.
        vp.nsPerPx = 600.0 * 1000 / 1000;
        vp.startNs = 1000000;
        const GraphFrame near = TsnGraphModel::frame(f, vp);
        QCOMPARE(near.aggregatedColumns, 0);
        QVERIFY(std::count_if(near.marks.begin(), near.marks.end(), [](const DrawnMark& m) { return m.kind == MarkKind::Data; }) >= 59);
    }

    // The level of detail's block summaries give the frame and TSN range that visiting every point
    // gives, also after points changed in place (retransmissions classified late) and after events
    // out of time order were inserted among points already summarised.
    void blockSummariesDrawWhatEveryPointDraws()
    {
        TsnGraphModel model;
        quint64 seq = 0;
        const int n = 40000;
        auto fill = [&](int from, int to) {
            for (int i = from; i < to; ++i) {
                model.append(packet(qint64(i) * 10000, Dir::Tx, dataPacket(quint32(100 + i)), seq++));
                if (i % 4 == 1) // sent again, how not yet known
                    model.append(packet(qint64(i) * 10000 + 3000, Dir::Tx, dataPacket(quint32(100 + i - 1)), seq++));
                if (i % 4 == 3)
                    model.append(packet(qint64(i) * 10000 + 5000, Dir::Rx, sackPacket(quint32(100 + i - 2), { { 2, 2 } }), seq++));
            }
        };
        fill(0, n);
        const Flow& f = model.flows().front();
        Viewport vp;
        vp.plot = QRectF(60, 10, 50, 500); // 50 columns: 200 retransmissions in each
        vp.startNs = 0;
        vp.nsPerPx = double(n) * 10000 / 50;
        vp.tsnLow = 0;
        vp.tsnPerPx = double(n) / 500;
        auto check = [&](const char* when) {
            const Viewport saved = vp;
            for (double zoom : { 1.0, 0.37, 0.05, 0.002 }) {
                for (qint64 start : { qint64(0), qint64(n) * 10000 / 3 + 1234, qint64(n) * 10000 - 777777 }) {
                    vp.nsPerPx = saved.nsPerPx * zoom;
                    vp.startNs = zoom == 1.0 ? 0 : start;
                    const GraphFrame fast = TsnGraphModel::frame(f, vp);
                    const GraphFrame slow = TsnGraphModel::frame(f, vp, false);
                    QVERIFY2(sameFrame(fast, slow), qPrintable(QStringLiteral("%1, zoom %2, start %3").arg(QLatin1String(when)).arg(zoom).arg(start)));
                    qint64 lo1 = 0, hi1 = 0, lo2 = 0, hi2 = 0;
                    const qint64 end = vp.startNs + qint64(vp.plot.width() * vp.nsPerPx);
                    QCOMPARE(TsnGraphModel::tsnRange(f, vp.startNs, end, &lo1, &hi1), TsnGraphModel::tsnRange(f, vp.startNs, end, &lo2, &hi2, false));
                    QCOMPARE(lo1, lo2);
                    QCOMPARE(hi1, hi2);
                }
            }
            vp = saved;
        };
        check("unclassified");
        QCOMPARE(f.blocks().size(), f.points.size() / Flow::kBlock);
        const GraphFrame before = TsnGraphModel::frame(f, vp);
        // Half the retransmissions classified now, as fast ones: points already summarised change
        // kind (a column then has over 64 of both kinds, so its blocks are taken whole).
        for (int i = 1; i < n; i += 8) {
            trace::Event e;
            e.seq = seq++;
            e.timeNs = qint64(i) * 10000 + 3000;
            e.kind = Kind::SctpRetransmission;
            e.dir = Dir::Tx;
            e.object = 7;
            e.a = 1;
            e.c = quint32(100 + i - 1);
            model.append(e);
        }
        QCOMPARE(f.retransmissions, quint64(n / 4));
        const GraphFrame after = TsnGraphModel::frame(f, vp);
        QVERIFY(!sameFrame(before, after)); // the reclassification shows
        QVERIFY(std::any_of(after.marks.begin(), after.marks.end(), [](const DrawnMark& m) { return m.kind == MarkKind::FastRetransmission && m.count > 64; }));
        check("classified");
        // SACKs out of time order: inserted among the points, every later point moved by one.
        const std::size_t points = f.points.size();
        for (int i = 1000; i < n; i += 1000)
            model.append(packet(qint64(i) * 10000 + 1, Dir::Rx, sackPacket(quint32(100 + i - 3), { { 5, 9 } }), seq++));
        QVERIFY(f.points.size() >= points + 39);
        check("inserted");
        fill(n, n + 1000); // and grown again
        check("grown");
    }

    void aBurstIsDrawnOneByOneWhenItsTsnsAreApart()
    {
        // 14 TSNs sent at one instant (one pixel column): one by one while they are 3 px apart on the
        // TSN axis, a bar once they are squeezed closer.
        TsnGraphModel model;
        quint64 seq = 0;
        for (quint32 i = 0; i < 14; ++i)
            model.append(packet(1000000, Dir::Tx, dataPacket(500 + i), seq++));
        const Flow& f = model.flows().front();
        Viewport vp;
        vp.plot = QRectF(60, 10, 1000, 500);
        vp.startNs = 0;
        vp.nsPerPx = 1e5;
        vp.tsnLow = 0;
        vp.tsnPerPx = 1.0 / 16; // 16 px per TSN
        GraphFrame fr = TsnGraphModel::frame(f, vp);
        QCOMPARE(fr.aggregatedColumns, 0);
        QCOMPARE(fr.marks.size(), std::size_t(14));
        vp.tsnPerPx = 1; // 1 px per TSN
        fr = TsnGraphModel::frame(f, vp);
        QCOMPARE(fr.aggregatedColumns, 1);
        QCOMPARE(fr.marks.size(), std::size_t(1));
        QCOMPARE(fr.marks.front().count, 14u);
    }
};

QTEST_MAIN(TestTsnGraph)
#include "tst_tsn_graph.moc"
