// SPDX-License-Identifier: GPL-3.0-or-later
// The path graph (Graphs tab, "Paths"): per path cwnd, RTO and SRTT as usrsctp read them, flight
// size inferred from the journal, and markers for path state changes, primary changes and DATA
// moving to another path. Checked end to end through the real window on the multi-homed addr-over
// lesson (series against the snapshots and the journal, the failover markers at the journal's
// instants, the exports, a click), on the PR-SCTP lesson in virtual time (RTO doubles at a T3-rtx
// timeout, at that instant), and on hand-made events (flight size arithmetic, gaps, rewind, the
// level of detail).
#include "graphs/pathgraphmodel.h"
#include "graphs/pathgraphview.h"
#include "graphs/tsngraphview.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "labpanel.h"
#include "labsession.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "sctp/chunkdecoder.h"
#include "testskip.h"
#include "theme.h"
#include "timeline/timelineview.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <QtEndian>

using namespace ladder;
using namespace ladder::ui::graphs;
using trace::Dir;
using trace::Kind;

namespace {

struct App {
    StackThread stack;
    ui::MainWindow window { stack.journal() };
    ui::LabSession lab { stack, window };
};

QList<trace::Event> journalEvents(App& app)
{
    QList<trace::Event> out;
    const auto journal = app.stack.journal();
    journal->forEach(0, journal->count(), [&](const trace::Event& e) { out << e; });
    return out;
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

QByteArray packet(const QByteArray& chunks)
{
    QByteArray b;
    put16(b, 5001);
    put16(b, 5000);
    put32(b, 0x1234);
    put32(b, 0);
    return b + chunks;
}

QByteArray data(quint32 tsn, int bytes)
{
    QByteArray c;
    c.append(char(0)).append(char(3));
    put16(c, quint16(16 + bytes));
    put32(c, tsn);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0);
    c.append(QByteArray(bytes, 'x'));
    while (c.size() % 4)
        c.append('\0');
    return c;
}

QByteArray sack(quint32 cum, const QList<QPair<quint16, quint16>>& gaps = {})
{
    QByteArray c;
    c.append(char(3)).append(char(0));
    put16(c, quint16(16 + 4 * gaps.size()));
    put32(c, cum);
    put32(c, 65536);
    put16(c, quint16(gaps.size()));
    put16(c, 0);
    for (const auto& [s, e] : gaps) {
        put16(c, s);
        put16(c, e);
    }
    return c;
}

QByteArray forwardTsn(quint32 cum)
{
    QByteArray c;
    c.append(char(0xc0)).append(char(0));
    put16(c, 8);
    put32(c, cum);
    return c;
}

trace::Event sctpPacket(quint64 seq, qint64 timeNs, Dir dir, const QString& to, const QByteArray& chunks)
{
    trace::Event e;
    e.seq = seq;
    e.timeNs = timeNs;
    e.kind = Kind::SctpPacket;
    e.dir = dir;
    e.object = e.a = 1;
    e.from = dir == Dir::Tx ? QStringLiteral("client 10.0.0.1:9899") : to;
    e.to = to;
    e.raw = packet(chunks);
    return e;
}

sctp::AssociationInfo association(std::initializer_list<sctp::PathSample> samples, quint64 taken)
{
    sctp::AssociationInfo a;
    a.id = 1;
    a.pathSamples = samples;
    a.pathSamplesTaken = taken;
    return a;
}

QByteArray initAck(quint32 rwnd)
{
    QByteArray c;
    c.append(char(2)).append(char(0));
    put16(c, 20);
    put32(c, 0xabc);
    put32(c, rwnd);
    put16(c, 10);
    put16(c, 10);
    put32(c, 1000);
    return c;
}

trace::Event retransmission(quint64 seq, qint64 timeNs, quint32 tsn, bool timeout)
{
    trace::Event e;
    e.seq = seq;
    e.timeNs = timeNs;
    e.kind = Kind::SctpRetransmission;
    e.dir = Dir::Tx;
    e.object = 1;
    e.a = timeout ? 2 : 1;
    e.c = tsn;
    return e;
}

std::vector<quint64> seqs(const std::vector<Sample>& s)
{
    std::vector<quint64> out;
    for (const Sample& x : s)
        out.push_back(x.seq);
    return out;
}

std::vector<quint32> values(const std::vector<Sample>& s)
{
    std::vector<quint32> out;
    for (const Sample& x : s)
        out.push_back(x.value);
    return out;
}

} // namespace

class TestPathGraph : public QObject {
    Q_OBJECT

private slots:
    // Flight size from hand-made packets: DATA adds its user-data bytes to the path it went to, a
    // SACK's cumulative TSN and gap blocks take them off, a retransmission on the other path moves
    // them, FORWARD-TSN skips them; the DATA that changes path is a marker at its packet.
    void flightSizeFollowsDataAndSacks()
    {
        PathGraphModel m;
        m.addSnapshots({ association({ { 1, 0, QStringLiteral("10.0.0.2:5000"), 1, true, 4380, 0, 3000, 1500 },
                                         { 2, 0, QStringLiteral("10.0.1.2:5000"), 1, false, 4380, 0, 3000, 1500 } },
            2) });
        const QString a = QStringLiteral("server 10.0.0.2:9899"), b = QStringLiteral("server 10.0.1.2:9899");
        m.append(sctpPacket(10, 100, Dir::Tx, a, data(1000, 100) + data(1001, 100)));
        m.append(sctpPacket(11, 200, Dir::Tx, a, data(1002, 50)));
        m.append(sctpPacket(12, 300, Dir::Rx, a, sack(1000, { { 2, 2 } }))); // 1000 and 1002 acknowledged
        m.append(sctpPacket(13, 400, Dir::Tx, b, data(1001, 100))); // moved to the other path
        m.append(sctpPacket(14, 500, Dir::Tx, b, data(1003, 10) + data(1004, 10)));
        m.append(sctpPacket(15, 600, Dir::Tx, b, forwardTsn(1003)));
        m.append(sctpPacket(16, 700, Dir::Rx, b, sack(1004)));
        QCOMPARE(m.graphs().size(), std::size_t(1));
        const PathGraph& g = m.graphs()[0];
        QCOMPARE(g.paths.size(), std::size_t(2));
        QCOMPARE(g.paths[0].address, QStringLiteral("10.0.0.2:5000"));
        QCOMPARE(values(g.paths[0].of(Metric::Flight)), (std::vector<quint32> { 200, 250, 100, 0 }));
        QCOMPARE(values(g.paths[1].of(Metric::Flight)), (std::vector<quint32> { 100, 120, 10, 0 }));
        QCOMPARE(g.paths[0].of(Metric::Flight)[2].seq, quint64(12)); // the SACK
        QCOMPARE(g.paths[0].of(Metric::Flight)[3].seq, quint64(13)); // the retransmission that moved it
        QCOMPARE(g.markers.size(), std::size_t(1));
        QCOMPARE(g.markers[0].kind, MarkerKind::DataPath);
        QCOMPARE(g.markers[0].seq, quint64(13));
        QCOMPARE(g.markers[0].text, QStringLiteral("DATA → 10.0.1.2:5000"));
        QCOMPARE(PathGraphModel::nearestEvent(g, 420), quint64(13));
    }

    // ssthresh, inferred (usrsctp does not expose it): the peer's a_rwnd from its INIT-ACK once a
    // reading exists; a T3-rtx timeout (one cut for all the TSNs it marks) max(cwnd before / 2,
    // 4 MTU); a fast retransmission the cwnd read at its instant, once per fast recovery (a second
    // one before the cumulative TSN passes the highest TSN sent changes nothing); without a reading
    // at its instant max(cwnd before / 2, 2 MTU); a reading that arrives after a loss it precedes
    // changes what the loss gave.
    void ssthreshInferredFromLossesAndReadings()
    {
        PathGraphModel m;
        const QString to = QStringLiteral("server 10.0.0.2:9899");
        const auto reading = [&](quint64 n, qint64 t, quint32 cwnd) {
            m.addSnapshots({ association({ { n, t, QStringLiteral("10.0.0.2:5000"), 1, true, cwnd, 0, 3000, 1500 } }, n) });
        };
        m.append(sctpPacket(1, 1, Dir::Rx, to, initAck(100000)));
        reading(1, 2, 4380);
        m.append(sctpPacket(2, 3, Dir::Tx, to, data(1000, 100) + data(1001, 100) + data(1002, 100) + data(1003, 100)));
        m.append(retransmission(3, 10, 1000, true));
        m.append(retransmission(4, 10, 1001, true));
        reading(2, 10, 1500);
        reading(3, 20, 14000);
        m.append(retransmission(5, 30, 1002, false));
        reading(4, 30, 7000);
        m.append(retransmission(6, 31, 1003, false)); // in fast recovery: no second cut
        m.append(sctpPacket(7, 40, Dir::Tx, to, data(1004, 100)));
        m.append(sctpPacket(8, 41, Dir::Rx, to, sack(1003))); // recovery over
        reading(5, 45, 20000);
        m.append(retransmission(9, 50, 1004, false));
        const PathGraph& g = m.graphs()[0];
        QCOMPARE(g.paths.size(), std::size_t(1));
        const std::vector<Sample>& ss = g.paths[0].of(Metric::Ssthresh);
        QCOMPARE(values(ss), (std::vector<quint32> { 100000, 6000, 7000, 10000 }));
        QCOMPARE(seqs(ss), (std::vector<quint64> { 1, 3, 5, 9 }));
        QCOMPARE(ss.front().timeNs, qint64(2)); // from the first reading on
        reading(6, 48, 30000); // late: taken before the loss at 50
        QCOMPARE(values(ss), (std::vector<quint32> { 100000, 6000, 7000, 15000 }));
        QVERIFY(PathGraphModel::csv(g).contains(QStringLiteral(",10.0.0.2:5000,ssthresh_bytes_inferred,7000,5\n")));
        QCOMPARE(metricName(Metric::Ssthresh), QStringLiteral("ssthresh (inferred)"));
    }

    // Readings: a changed value is a sample, an unchanged one is not; numbers that jump count as
    // missed readings; a snapshot from before (the lab's rewind) adds nothing; a primary moving to
    // another path is a marker at the reading's time; after restartReadings (a new lesson's
    // snapshots) number 1 counts again.
    void readingsGapsRewindAndPrimary()
    {
        PathGraphModel m;
        const QString p = QStringLiteral("127.0.0.1:5000"), q = QStringLiteral("[::1]:5000");
        m.addSnapshots({ association(
            { { 1, 10, p, 1, true, 4380, 0, 300, 1500 }, { 2, 10, q, 1, false, 4380, 0, 300, 1500 } }, 2) });
        m.addSnapshots({ association(
            { { 5, 40, p, 2, false, 1500, 20, 600, 1500 }, { 6, 40, q, 1, true, 4380, 12, 300, 1500 } }, 6) });
        m.addSnapshots({ association({ { 1, 10, p, 1, true, 4380, 0, 300, 1500 } }, 1) }); // rewound
        const PathGraph& g = m.graphs()[0];
        QCOMPARE(g.missedSamples, quint64(2));
        QCOMPARE(values(g.paths[0].of(Metric::Rto)), (std::vector<quint32> { 300, 600 }));
        QCOMPARE(values(g.paths[1].of(Metric::Cwnd)), (std::vector<quint32> { 4380 }));
        QCOMPARE(values(g.paths[1].of(Metric::Srtt)), (std::vector<quint32> { 0, 12 }));
        QCOMPARE(g.paths[0].state, 2);
        QCOMPARE(g.markers.size(), std::size_t(1));
        QCOMPARE(g.markers[0].kind, MarkerKind::Primary);
        QCOMPARE(g.markers[0].timeNs, qint64(40));
        QCOMPARE(g.markers[0].path, q);
        // A new lesson: its association 1 counts its readings from 1 again.
        m.restartReadings();
        m.addSnapshots({ association({ { 1, 900, p, 1, true, 3000, 0, 300, 1500 } }, 1) });
        QCOMPARE(g.paths[0].of(Metric::Cwnd).back().value, quint32(3000));
        QCOMPARE(g.missedSamples, quint64(2));
    }

    // Level of detail: 200 000 samples across 500 pixels draw a bounded line (a few points per
    // column), whose extremes are the series' minimum and maximum.
    void stepLineAggregatesPerColumn()
    {
        std::vector<Sample> s;
        for (int i = 0; i < 200000; ++i)
            s.push_back({ qint64(i) * 1000, quint32(1000 + (i * 7919) % 5000), ~0ull });
        StripViewport vp;
        vp.plot = QRectF(0, 0, 500, 100);
        vp.startNs = 0;
        vp.nsPerPx = 200000.0 * 1000 / 500;
        vp.low = 0;
        vp.perPx = 6000.0 / 100;
        const QVector<QPointF> line = PathGraphModel::stepLine(s, vp);
        QVERIFY2(line.size() <= 4 * 503, qPrintable(QString::number(line.size())));
        double top = 1e9, bottom = -1e9;
        for (const QPointF& pt : line) {
            top = std::min(top, pt.y());
            bottom = std::max(bottom, pt.y());
        }
        QCOMPARE(top, vp.y(5999));
        QCOMPARE(bottom, vp.y(1000));
    }

    // addr-over through the real window: two paths with usrsctp's cwnd/RTO/SRTT as the snapshots
    // have them; 127.0.0.1 unreachable marked at the journal's PEER_ADDR_CHANGE; DATA failing over
    // to ::1 marked at the packet; flight size back to 0 when everything is acknowledged; the CSV,
    // the SVG and a click.
    void addrOverThroughTheWindow()
    {
        App app;
        app.window.resize(1600, 1000);
        app.window.show();
        auto* pane = app.window.findChild<ui::GraphsPane*>(QStringLiteral("graphsPane"));
        QVERIFY(pane);
        ui::PathGraphView* view = pane->pathView();
        app.lab.start(QStringLiteral("addr-over"));
        auto* status = app.window.labPanel()->findChild<QLabel*>(QStringLiteral("labStatus"));
        QVERIFY(status);
        if (!QTest::qWaitFor([&] { return status->text().contains(QStringLiteral("Done.")); }, 30000)) {
            bool noV6 = false;
            for (const trace::Event& e : journalEvents(app))
                noV6 |= e.kind == Kind::Error && e.text.contains(QLatin1String("IPv6 loopback ::1 is not available"));
            if (noV6)
                LADDERLAB_SKIP(
                    QStringLiteral("this host has no IPv6 loopback: the multi-homed lesson needs 127.0.0.1 and ::1"));
            QFAIL(qPrintable(QStringLiteral("addr-over did not finish: ") + status->text()));
        }
        // The snapshots keep coming: wait until the view has every reading the client's has taken.
        const auto client = [&] {
            for (const auto& a : app.window.associationModel()->rows())
                if (a.id == 1)
                    return a;
            return sctp::AssociationInfo {};
        };
        const auto graphOf1 = [&]() -> const PathGraph* {
            const int i = view->model().graphIndex(1);
            return i >= 0 ? &view->model().graphs()[std::size_t(i)] : nullptr;
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            graphOf1() && client().pathSamplesTaken > 0 && graphOf1()->lastSample == client().pathSamplesTaken, 10000);
        const sctp::AssociationInfo info = client();
        const PathGraph& g = *graphOf1();
        const QList<trace::Event> events = journalEvents(app);
        QCOMPARE(g.missedSamples, quint64(0));

        // Every path of the snapshot, by its address, with cwnd/RTO/SRTT ending at the snapshot's values.
        QCOMPARE(int(g.paths.size()), info.paths.size());
        QCOMPARE(info.paths.size(), 2);
        for (const sctp::PathInfo& p : info.paths) {
            const int i = g.pathIndex(p.address);
            QVERIFY2(i >= 0, qPrintable(p.address));
            const PathSeries& s = g.paths[std::size_t(i)];
            QVERIFY(!s.of(Metric::Cwnd).empty() && !s.of(Metric::Rto).empty() && !s.of(Metric::Srtt).empty());
            QCOMPARE(s.of(Metric::Cwnd).back().value, p.cwnd);
            QCOMPARE(s.of(Metric::Rto).back().value, p.rto);
            QCOMPARE(s.of(Metric::Srtt).back().value, p.srtt);
            QVERIFY(s.of(Metric::Cwnd).front().value > 0);
            // Flight size: inferred from the packets to that path.
            QVERIFY2(!s.of(Metric::Flight).empty(), qPrintable(p.address));
            QVERIFY(s.of(Metric::Flight).front().value > 0);
        }
        // Flight size against the journal: wherever a SACK acknowledged everything sent so far,
        // every path's flight size is 0 as of that SACK; where DATA is outstanding, the sum over
        // the paths is that DATA's bytes (checked on the packets themselves, not the model's code).
        const auto flightAt = [&](const PathSeries& s, quint64 seq) {
            quint32 v = 0;
            for (const Sample& x : s.of(Metric::Flight))
                if (x.seq <= seq)
                    v = x.value;
            return v;
        };
        int settled = 0;
        std::map<quint32, int> sent; // TSN -> user-data bytes, first transmissions
        // The cumulative point as the sender keeps it: the highest so far. A SACK that comes in
        // after a later one (the two paths' SACKs can pass each other, as under ASan's slower
        // helper process) acknowledges nothing new; measured against its own cumulative TSN, the
        // message a later SACK had covered counted as outstanding (12 bytes) where the model had 0.
        bool haveCum = false;
        quint32 highestCum = 0;
        for (const trace::Event& e : events) {
            if (e.kind != Kind::SctpPacket || e.a != 1)
                continue;
            const sctp::DecodedPacket p = sctp::decodePacket(e.raw, false, false);
            for (const sctp::DecodedChunk& c : p.chunks) {
                if (c.type == sctp::chunk::Data && e.dir == Dir::Tx)
                    sent.emplace(c.tsn, c.payloadLength);
                if (c.type != sctp::chunk::Sack || e.dir != Dir::Rx || sent.empty())
                    continue;
                if (!haveCum || qint32(c.cumTsn - highestCum) > 0) {
                    highestCum = c.cumTsn;
                    haveCum = true;
                }
                quint32 outstanding = 0;
                for (const auto& [tsn, bytes] : sent)
                    if (qint32(tsn - highestCum) > 0)
                        outstanding += quint32(bytes);
                if (!c.gapBlocks.isEmpty())
                    continue;
                quint32 sum = 0;
                QStringList paths;
                for (const PathSeries& s : g.paths) {
                    sum += flightAt(s, e.seq);
                    paths << QStringLiteral("%1 %2").arg(s.address).arg(flightAt(s, e.seq));
                }
                QVERIFY2(sum == outstanding,
                    qPrintable(QStringLiteral("SACK event %1 cum %2 (highest %3): %4 outstanding, the paths say %5")
                                   .arg(e.seq).arg(c.cumTsn).arg(highestCum).arg(outstanding).arg(paths.join(QStringLiteral(", ")))));
                settled += outstanding == 0;
            }
        }
        QVERIFY(settled >= 5);

        // The path failure: a marker at the PEER_ADDR_CHANGE event, with its time and sequence number.
        const auto markerFor = [&](const trace::Event& e) {
            for (const Marker& m : g.markers)
                if (m.seq == e.seq && m.timeNs == e.timeNs)
                    return &m;
            return static_cast<const Marker*>(nullptr);
        };
        int unreachable = 0;
        qint64 failedNs = -1, availableNs = -1;
        for (const trace::Event& e : events) {
            if (e.kind != Kind::SctpNotification || e.object != 1
                || !e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE ")))
                continue;
            const Marker* m = markerFor(e);
            QVERIFY2(m, qPrintable(e.text));
            QCOMPARE(m->kind, MarkerKind::PathState);
            if (e.text.contains(QLatin1String("127.0.0.1:5000: unreachable"))) {
                ++unreachable;
                failedNs = e.timeNs;
                QCOMPARE(m->text, QStringLiteral("127.0.0.1:5000 unreachable"));
            }
            if (failedNs > 0 && e.text.contains(QLatin1String("127.0.0.1:5000: available")))
                availableNs = e.timeNs;
        }
        QCOMPARE(unreachable, 1);
        // Failover: each DATA that went to a path other than the DATA before it is a marker at its packet.
        QString lastHost;
        qint64 repairNs = -1;
        for (const trace::Event& e : events)
            if (e.kind == Kind::UserAction && e.text.startsWith(QLatin1String("path 127.0.0.1 restored")))
                repairNs = e.timeNs;
        int moves = 0, toV6WhileFailing = 0;
        qint64 pathDownNs = -1;
        for (const trace::Event& e : events) {
            if (e.kind == Kind::UserAction && e.text.startsWith(QLatin1String("path 127.0.0.1 fails")))
                pathDownNs = e.timeNs;
            if (e.kind != Kind::SctpPacket || e.dir != Dir::Tx || e.a != 1 || !e.text.contains(QLatin1String("DATA")))
                continue;
            const QString host = hostOf(e.to);
            if (!lastHost.isEmpty() && host != lastHost) {
                const Marker* m = markerFor(e);
                QVERIFY2(m && m->kind == MarkerKind::DataPath, qPrintable(e.text));
                ++moves;
                toV6WhileFailing += host == QLatin1String("[::1]") && pathDownNs >= 0 && e.timeNs > pathDownNs
                    && e.timeNs < repairNs;
            }
            lastHost = host;
        }
        QVERIFY(moves >= 2); // to ::1 (ADDR_OVER, then the failure) and back after the repair
        QVERIFY2(toV6WhileFailing >= 1, "no failover marker while 127.0.0.1 was down");
        int dataPathMarkers = 0;
        for (const Marker& m : g.markers)
            dataPathMarkers += m.kind == MarkerKind::DataPath;
        QCOMPARE(dataPathMarkers, moves);
        // While 127.0.0.1 was down (until usrsctp found it available again), T3-rtx timeouts and
        // unanswered HEARTBEATs backed its RTO off. The helper is read every 250 ms in real time,
        // so a reading may skip a doubling, and a late RTT measurement may move it too: the RTO got
        // to at least twice its value at the failure, and at least one rise was by a power of two
        // (or to the lesson's RTO.max, 600 ms).
        QVERIFY(pathDownNs > 0 && failedNs > pathDownNs && repairNs > pathDownNs && availableNs > repairNs);
        const PathSeries& v4 = g.paths[std::size_t(g.pathIndex(QStringLiteral("127.0.0.1:5000")))];
        QStringList rtos;
        quint32 atFailure = 0, highest = 0;
        int backOffs = 0;
        const std::vector<Sample>& rto = v4.of(Metric::Rto);
        for (std::size_t i = 0; i < rto.size(); ++i) {
            rtos << QStringLiteral("%1 ms at %2 s").arg(rto[i].value).arg(double(rto[i].timeNs) / 1e9);
            if (rto[i].timeNs <= pathDownNs)
                atFailure = rto[i].value;
            if (i == 0 || rto[i].timeNs <= pathDownNs || rto[i].timeNs > availableNs
                || rto[i].value <= rto[i - 1].value)
                continue;
            highest = std::max(highest, rto[i].value);
            const quint32 factor = rto[i].value / rto[i - 1].value;
            backOffs += (rto[i].value % rto[i - 1].value == 0 && (factor & (factor - 1)) == 0) || rto[i].value == 600;
        }
        const QString seen
            = rtos.join(QStringLiteral(", ")) + QStringLiteral("; failed at %1 s").arg(double(pathDownNs) / 1e9);
        QVERIFY2(atFailure > 0 && highest >= std::min<quint32>(2 * atFailure, 600) && backOffs >= 1, qPrintable(seen));

        // The view: the Paths graph of association 1, the time axis fitted.
        pane->showGraph(ui::GraphsPane::Graph::Paths);
        auto* tabs = app.window.findChild<QTabWidget*>(QStringLiteral("centralTabs"));
        tabs->setCurrentWidget(pane);
        QTRY_VERIFY(view->isVisible());
        view->setGraph(view->model().graphIndex(1));
        view->fitAll();
        QCOMPARE(view->strips(view->size()).size(), std::size_t(4));

        // CSV: the documented header, a row per sample and marker.
        QTemporaryDir dir;
        const QString csvFile = dir.filePath(QStringLiteral("paths.csv"));
        QVERIFY(view->exportCsv(csvFile));
        QFile csv(csvFile);
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("time_s,association,path,series,value,seq"));
        std::size_t samples = 0;
        for (const PathSeries& p : g.paths)
            for (const auto& s : p.metrics)
                samples += s.size();
        QCOMPARE(std::size_t(lines.size() - 1), samples + g.markers.size());
        const Sample& firstCwnd = v4.of(Metric::Cwnd).front();
        QVERIFY(lines.contains(QStringLiteral("%1,1,127.0.0.1:5000,cwnd_bytes,%2,")
                                   .arg(QString::number(double(firstCwnd.timeNs) / 1e9, 'f', 9))
                                   .arg(firstCwnd.value)));
        QVERIFY(lines.filter(QStringLiteral(",1,127.0.0.1:5000,marker,127.0.0.1:5000 unreachable,")).size() == 1);
        QVERIFY(!lines.filter(QStringLiteral(",1,[::1]:5000,flight_bytes_inferred,")).isEmpty());

        // SVG: well-formed XML; each metric's colour strokes a step line per path (flat caps: the
        // legend's strokes have square ones); the paths and the inferred flight size named.
        const QString svgFile = dir.filePath(QStringLiteral("paths.svg"));
        QVERIFY(view->exportSvg(svgFile));
        QFile svg(svgFile);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        QHash<QString, int> stepLines; // stroke colour -> polylines with flat caps
        QStringList strokes, texts;
        while (!xml.atEnd()) {
            const auto token = xml.readNext();
            if (token == QXmlStreamReader::EndElement && xml.name() == QLatin1String("g"))
                strokes.removeLast();
            if (token != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("g"))
                strokes << xml.attributes().value(QLatin1String("stroke")).toString() + QLatin1Char(' ')
                        + xml.attributes().value(QLatin1String("stroke-linecap")).toString();
            if (xml.name() == QLatin1String("polyline") && !strokes.isEmpty())
                ++stepLines[strokes.last()];
            if (xml.name() == QLatin1String("text"))
                texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        const ui::MarkPalette colours = ui::markPalette(view->palette());
        for (const QColor& c : { colours.request, colours.retransmit, colours.drop, colours.response })
            QVERIFY2(stepLines.value(c.name() + QLatin1String(" butt")) >= 2, qPrintable(c.name()));
        const QString allText = texts.join(QLatin1Char('|'));
        QVERIFY2(allText.contains(QStringLiteral("127.0.0.1:5000")) && allText.contains(QStringLiteral("[::1]:5000")),
            qPrintable(allText));
        QVERIFY(allText.contains(QStringLiteral("flight size (inferred)")));

        // A click on a point selects its journal event, in the inspector and on the timeline: on a
        // flight-size point, the packet that set it; on an RTO reading, the association's event
        // nearest in time. Each clicked where no other point of its strip is within 10 px.
        const auto isolated = [&](int path, Metric metric, std::size_t index) {
            const QPointF at = view->samplePos(path, metric, index);
            if (at.isNull())
                return QPointF();
            for (Metric other : { Metric::Cwnd, Metric::Flight, Metric::Rto, Metric::Srtt }) {
                if (inBytes(other) != inBytes(metric))
                    continue;
                for (std::size_t i = 0; i < g.paths[std::size_t(path)].of(other).size(); ++i) {
                    const QPointF o = view->samplePos(path, other, i);
                    if ((other != metric || i != index) && !o.isNull() && QLineF(o, at).length() < 10)
                        return QPointF();
                }
            }
            return at;
        };
        const ui::TimelineView* timeline = app.window.timeline();
        for (Metric metric : { Metric::Flight, Metric::Rto }) {
            const int path = g.pathIndex(
                metric == Metric::Flight ? QStringLiteral("[::1]:5000") : QStringLiteral("127.0.0.1:5000"));
            const std::vector<Sample>& series = g.paths[std::size_t(path)].of(metric);
            QPointF at;
            std::size_t k = 0;
            for (; k < series.size() && at.isNull(); ++k)
                at = isolated(path, metric, k);
            QVERIFY2(!at.isNull(), qPrintable(metricKey(metric)));
            const Sample& sample = series[k - 1];
            const quint64 expected
                = metric == Metric::Flight ? sample.seq : PathGraphModel::nearestEvent(g, sample.timeNs);
            QVERIFY(expected != ~0ull);
            QSignalSpy clicked(pane, &ui::GraphsPane::eventActivated);
            QTest::mouseClick(view, Qt::LeftButton, {}, at.toPoint());
            QCOMPARE(clicked.size(), 1);
            QCOMPARE(clicked.first().first().toULongLong(), expected);
            const trace::Event e = app.stack.journal()->at(expected);
            QCOMPARE(e.object ? e.object : e.a, quint64(1));
            QTRY_COMPARE(app.window.inspectedObject(), quint64(1));
            QCOMPARE(timeline->selectedSeq(), expected);
        }

        // The other way: an event selected elsewhere (here, as the timeline's click does) rings the
        // flight-size point it set, or highlights its marker.
        {
            const int path = g.pathIndex(QStringLiteral("127.0.0.1:5000"));
            const std::vector<Sample>& flight = g.paths[std::size_t(path)].of(Metric::Flight);
            const std::size_t k = flight.size() / 2;
            app.window.inspect(flight[k].seq);
            QCOMPARE(view->selectedSeq(), flight[k].seq);
            QCOMPARE(view->selectedSample(), std::make_tuple(path, Metric::Flight, k));
            // A PEER_ADDR_CHANGE notification set no point: no ring, its marker highlighted.
            const auto failure = std::find_if(g.markers.begin(), g.markers.end(), [](const Marker& m) {
                return m.kind == MarkerKind::PathState && m.text.endsWith(QLatin1String("unreachable"));
            });
            QVERIFY(failure != g.markers.end());
            app.window.inspect(failure->seq);
            QCOMPARE(view->selectedSeq(), failure->seq);
            QCOMPARE(std::get<0>(view->selectedSample()), -1);
        }

        // packaging/screenshots.sh: the README's picture of the path graph, in the light theme as the others.
        if (const QByteArray shots = qgetenv("LADDERLAB_SCREENSHOT_DIR"); !shots.isEmpty()) {
            ui::applyTheme(ui::Theme::Light);
            view->selectSeq(~0ull);
            view->fitAll();
            QVERIFY(pane->window()->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/graphs-paths.png")));
        }
    }

    // The PR-SCTP lesson in virtual time: the stack reads the paths after every instant, so a T3-rtx
    // timeout's back-off (RTO doubled, cwnd down to one MTU) is a reading at the very instant of
    // the timeout retransmission; and two runs of the lesson give the same series, to the byte.
    void prsctpTimeoutsBackOffAtTheirInstant()
    {
        QStringList csvs;
        for (int run = 0; run < 2; ++run) {
            App app;
            app.window.show();
            app.lab.start(QStringLiteral("prsctp-ttl-rtx-buf"));
            auto* status = app.window.labPanel()->findChild<QLabel*>(QStringLiteral("labStatus"));
            QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("Done.")), 60000);
            auto* pane = app.window.findChild<ui::GraphsPane*>(QStringLiteral("graphsPane"));
            const PathGraphModel& model = pane->pathView()->model();
            const auto taken = [&] {
                for (const auto& a : app.window.associationModel()->rows())
                    if (a.id == 1)
                        return a.pathSamplesTaken;
                return quint64(0);
            };
            QTRY_VERIFY_WITH_TIMEOUT(model.graphIndex(1) >= 0 && taken() > 0
                    && model.graphs()[std::size_t(model.graphIndex(1))].lastSample == taken(),
                10000);
            const PathGraph& g = model.graphs()[std::size_t(model.graphIndex(1))];
            QCOMPARE(g.missedSamples, quint64(0));
            QCOMPARE(g.paths.size(), std::size_t(1)); // single-homed: the journal's DATA lands on its one path
            const PathSeries& path = g.paths.front();
            const auto valueAt = [](const std::vector<Sample>& s, qint64 t, bool before) {
                quint32 v = 0;
                for (const Sample& x : s)
                    if (before ? x.timeNs < t : x.timeNs <= t)
                        v = x.value;
                return v;
            };
            const auto sampledAt = [](const std::vector<Sample>& s, qint64 t) {
                return std::any_of(s.begin(), s.end(), [t](const Sample& x) { return x.timeNs == t; });
            };
            QList<qint64> timeouts;
            for (const trace::Event& e : journalEvents(app))
                if (e.kind == Kind::SctpRetransmission && e.object == 1 && e.a == 2 && !timeouts.contains(e.timeNs))
                    timeouts << e.timeNs;
            QVERIFY(timeouts.size() >= 2);
            // The first two timeouts: RTO 50 → 100 → 200 (the lesson's RTO.max), each at its instant.
            for (qint64 t : timeouts.mid(0, 2)) {
                QVERIFY2(sampledAt(path.of(Metric::Rto), t), qPrintable(QString::number(t)));
                QCOMPARE(valueAt(path.of(Metric::Rto), t, false),
                    std::min<quint32>(2 * valueAt(path.of(Metric::Rto), t, true), 200));
            }
            QVERIFY(sampledAt(path.of(Metric::Cwnd), timeouts.first()));
            QVERIFY(valueAt(path.of(Metric::Cwnd), timeouts.first(), false) <= 1500);
            QVERIFY(valueAt(path.of(Metric::Cwnd), timeouts.first(), true) > 1500);
            // ssthresh (inferred): the peer's a_rwnd from its INIT-ACK, then at the first timeout
            // max(cwnd before / 2, 4 MTU).
            quint32 rwnd = 0;
            for (const trace::Event& e : journalEvents(app))
                if (!rwnd && e.kind == Kind::SctpPacket && e.dir == Dir::Rx && (e.object ? e.object : e.a) == 1 && e.raw.size() >= 32
                    && e.raw.at(12) == 2)
                    rwnd = qFromBigEndian<quint32>(e.raw.constData() + 20);
            QVERIFY(rwnd > 0);
            QVERIFY(path.mtu > 0);
            QCOMPARE(path.of(Metric::Ssthresh).front().value, rwnd);
            QCOMPARE(valueAt(path.of(Metric::Ssthresh), timeouts.first(), false),
                std::max(valueAt(path.of(Metric::Cwnd), timeouts.first(), true) / 2, 4 * path.mtu));
            csvs << PathGraphModel::csv(g);
        }
        // The lab runs on after the lesson's end (at 1×), so each run was looked at a little later
        // in virtual time: compared up to the instant the earlier one had reached.
        const auto lastTime = [](const QString& csv) {
            return csv.trimmed().section(QLatin1Char('\n'), -1).section(QLatin1Char(','), 0, 0).toDouble();
        };
        const double common = std::min(lastTime(csvs[0]), lastTime(csvs[1]));
        QVERIFY(common > 0.5);
        for (QString& csv : csvs) {
            QStringList rows;
            for (const QString& row : csv.split(QLatin1Char('\n')))
                if (!row.startsWith(QLatin1String("time_s")) && !row.isEmpty()
                    && row.section(QLatin1Char(','), 0, 0).toDouble() < common)
                    rows << row;
            csv = rows.join(QLatin1Char('\n'));
        }
        const QStringList a = csvs[0].split(QLatin1Char('\n')), b = csvs[1].split(QLatin1Char('\n'));
        for (int i = 0; i < std::min(a.size(), b.size()); ++i)
            QVERIFY2(a[i] == b[i], qPrintable(QStringLiteral("line %1: %2 | %3").arg(i).arg(a[i], b[i])));
        QCOMPARE(a.size(), b.size());
    }
};

QTEST_MAIN(TestPathGraph)
#include "tst_path_graph.moc"
