// SPDX-License-Identifier: GPL-3.0-or-later
// gui_ingest: the real journal → model → view path under load, offscreen.
//   bench_gui_ingest [--rate EVENTS_PER_S] [--seconds S] [--paint-events N] [--tsns N] [--stall-stacks MS]
// Prints: the longest UI-thread stall while a writer thread appends at the given rate (the UI
// follows the journal at ≤ 20 Hz: timeline, ladder, log), peak memory, the time to paint the
// timeline with N events at full zoom-out, the time to paint a TSN graph of N TSNs at full
// zoom-out, and the time from start to the first painted window.
// The stall is the longest gap between two ticks of a 1 ms timer on the UI thread, as measured:
// an upper bound of the longest time the thread could not react (a stall plus at most one
// interval), nothing subtracted. With --stall-stacks MS, a watchdog thread interrupts the UI
// thread once per stall longer than MS and prints its stack (addresses: resolve them with
// addr2line -f -C -e FILE OFFSET), to find where it blocks. Exit status 1 when the window never painted, took in nothing
// while the writer wrote, or the ladderlab process did not write its screenshot.
//   bench_gui_ingest --capture lo [--sipp-rate CALLS_PER_S] [--seconds S] [--no-autosave]
// The window's live capture under a sipp load on loopback instead (live.cpp).
#include "logmodel.h"
#include "mainwindow.h"
#include "uiwatch.h"
#include "graphs/tsngraphview.h"
#include "sctp/chunkdecoder.h"
#include "timeline/timelineview.h"
#include "journal/journal.h"

#include <QApplication>
#include <QtEndian>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <execinfo.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>

using namespace ladder;

int runCaptureBench(QApplication& app, const QStringList& args); // live.cpp

namespace {

QElapsedTimer g_sinceStart;

trace::Event sampleEvent(quint64 i)
{
    static const QByteArray invite = QByteArray("INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK")
        + QByteArray(200, 'x') + "\r\nCall-ID: bench\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    trace::Event e;
    e.timeNs = qint64(i) * 50000; // 20 000 events per second of journal time
    switch (i % 4) {
    case 0:
    case 1:
        e.kind = trace::Kind::SipMessage;
        e.dir = i % 4 == 0 ? trace::Dir::Tx : trace::Dir::Rx;
        e.from = QStringLiteral("uac 10.0.0.1:5060");
        e.to = QStringLiteral("uas 10.0.0.2:5060");
        e.raw = invite;
        e.text = QStringLiteral("INVITE sip:bob@10.0.0.2 SIP/2.0");
        break;
    case 2:
        e.kind = trace::Kind::SctpPacket;
        e.dir = trace::Dir::Tx;
        e.from = QStringLiteral("sctp-a 10.0.0.1:9899");
        e.to = QStringLiteral("sctp-b 10.0.0.2:9899");
        e.raw = QByteArray(120, '\x01');
        e.text = QStringLiteral("DATA TSN=%1").arg(i);
        break;
    default:
        e.kind = i % 400 == 3 ? trace::Kind::Log : trace::Kind::SctpChunk;
        e.text = QStringLiteral("event %1").arg(i);
        break;
    }
    return e;
}

// SCTP packets as an association journals them: DATA from port 5000 (four chunks of 100 bytes per
// packet, TSNs from `first`), and the peer's SACK of them.
QByteArray sctpHeader()
{
    QByteArray b(12, '\0');
    qToBigEndian<quint16>(5000, b.data());
    qToBigEndian<quint16>(5001, b.data() + 2);
    qToBigEndian<quint32>(0x1234, b.data() + 4);
    return b;
}

QByteArray dataPacket(quint32 first, int chunks)
{
    QByteArray b = sctpHeader();
    for (int i = 0; i < chunks; ++i) {
        QByteArray c(16 + 100, 'd');
        c[0] = char(sctp::chunk::Data);
        c[1] = char(3);
        qToBigEndian<quint16>(quint16(c.size()), c.data() + 2);
        qToBigEndian<quint32>(first + quint32(i), c.data() + 4);
        qToBigEndian<quint16>(quint16(i % 4), c.data() + 8); // stream
        qToBigEndian<quint16>(quint16(first / 4), c.data() + 10); // SSN
        qToBigEndian<quint32>(51, c.data() + 12); // PPID
        b += c;
    }
    return b;
}

QByteArray sackPacket(quint32 cum)
{
    QByteArray b = sctpHeader();
    QByteArray c(16, '\0');
    c[0] = char(sctp::chunk::Sack);
    qToBigEndian<quint16>(16, c.data() + 2);
    qToBigEndian<quint32>(cum, c.data() + 4);
    qToBigEndian<quint32>(1 << 20, c.data() + 8); // a_rwnd
    return b + c;
}

} // namespace

int main(int argc, char* argv[])
{
    g_sinceStart.start();
    qputenv("QT_QPA_PLATFORM", qEnvironmentVariableIsSet("QT_QPA_PLATFORM") ? qgetenv("QT_QPA_PLATFORM") : QByteArray("offscreen"));
    QApplication app(argc, argv);
    int rate = 20000, seconds = 30, paintEvents = 1000000, tsns = 1000000, stallStacksMs = 0;
    const QStringList args = app.arguments();
    if (args.contains(QLatin1String("--capture")))
        return runCaptureBench(app, args);
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--rate"))
            rate = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--paint-events"))
            paintEvents = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--tsns"))
            tsns = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--stall-stacks"))
            stallStacksMs = args[i + 1].toInt();
    }

    // 1. Launch to first paint, in process: window constructed, shown, first paint done.
    auto journal = std::make_shared<trace::Journal>();
    qint64 firstPaintNs = -1;
    ui::MainWindow window(journal);
    window.resize(bench::kWindowSize);
    // The filter sees a paint event before the widget paints. The paint pass it belongs to (every
    // dirty widget painted, then the backing store flushed) runs within one event delivery, so a
    // call queued from the first paint event runs once that pass has finished: its time is when
    // the first frame was done, not when it began.
    struct PaintSpy : QObject {
        qint64* out;
        bool seen = false;
        bool eventFilter(QObject*, QEvent* e) override
        {
            if (e->type() == QEvent::Paint && !seen) {
                seen = true;
                QMetaObject::invokeMethod(this, [this] { *out = g_sinceStart.nsecsElapsed(); }, Qt::QueuedConnection);
            }
            return false;
        }
    } spy;
    spy.out = &firstPaintNs;
    window.installEventFilter(&spy);
    window.centralWidget()->installEventFilter(&spy);
    window.show();
    bench::runEventLoop(10000, [&] { return firstPaintNs >= 0; });

    // 2. Ingest under load: a writer thread at `rate`, the UI thread measured by a 1 ms ticker.
    std::atomic<bool> stop { false };
    std::atomic<quint64> written { 0 };
    QThread* writer = QThread::create([&] {
        QElapsedTimer t;
        t.start();
        quint64 i = 0;
        while (!stop.load()) {
            const quint64 due = quint64(double(t.nsecsElapsed()) / 1e9 * rate);
            while (i < due)
                journal->append(sampleEvent(i++));
            written.store(i);
            QThread::usleep(1000);
        }
    });
    // The UI thread's worst tick gap (a stall can only be shorter), its stack on a stall if asked.
    bench::UiWatch watch(stallStacksMs);
    writer->start();
    watch.start();
    bench::runEventLoop(qint64(seconds) * 1000);
    stop.store(true);
    watch.stop();
    writer->wait();
    delete writer;
    // What the window had taken in by itself while the writer ran; the extra poll after it is
    // only to show how far behind that was.
    const quint64 shown = window.follower()->seen();
    window.follower()->poll();
    const quint64 shownAfterPoll = window.follower()->seen();

    // 3. Timeline paint at full zoom-out with paintEvents events.
    ui::TimelineView view;
    view.resize(1600, 600);
    {
        QVector<trace::Event> batch;
        for (int i = 0; i < paintEvents; ++i) {
            trace::Event e = sampleEvent(quint64(i));
            e.seq = quint64(i);
            batch.append(std::move(e));
            if (batch.size() == 100000) {
                view.append(batch);
                batch.clear();
            }
        }
        view.append(batch);
    }
    view.fitAll();
    QImage img(view.size(), QImage::Format_ARGB32_Premultiplied);
    double worstPaintMs = 0, totalPaintMs = 0;
    const int frames = 20;
    for (int f = 0; f < frames; ++f) {
        QElapsedTimer t;
        t.start();
        view.render(&img);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        worstPaintMs = std::max(worstPaintMs, ms);
        totalPaintMs += ms;
        // Pan a little so every frame is a new range.
        view.setRange(view.startNs() + qint64(view.nsPerPixel() * 3), view.nsPerPixel());
    }

    // 4. TSN graph paint at full zoom-out with `tsns` TSNs: four DATA chunks per packet every
    // 100 µs, each packet SACKed 1 ms later, and one packet in 500 sent again before its SACK came
    // (retransmission marks among the dots, as a lossy bulk transfer shows).
    ui::graphs::GraphFrame tsnFrame;
    double worstTsnPaintMs = 0, totalTsnPaintMs = 0;
    quint64 tsnPoints = 0;
    {
        ui::TsnGraphView graph;
        graph.resize(1600, 600);
        QVector<trace::Event> batch;
        quint64 seq = 0;
        const auto add = [&](qint64 timeNs, trace::Dir dir, QByteArray raw) {
            trace::Event e;
            e.seq = seq++;
            e.timeNs = timeNs;
            e.kind = trace::Kind::SctpPacket;
            e.dir = dir;
            e.object = e.a = 1;
            e.from = QStringLiteral("sctp-a 10.0.0.1:9899");
            e.to = QStringLiteral("sctp-b 10.0.0.2:9899");
            e.raw = std::move(raw);
            batch.append(std::move(e));
        };
        const quint32 base = 1000;
        for (int packet = 0; packet * 4 < tsns; ++packet) {
            const qint64 t = qint64(packet) * 100000;
            add(t, trace::Dir::Tx, dataPacket(base + quint32(packet) * 4, 4));
            if (packet % 500 == 250)
                add(t + 50000, trace::Dir::Tx, dataPacket(base + quint32(packet - 3) * 4, 4));
            if (packet >= 10)
                add(t + 60000, trace::Dir::Rx, sackPacket(base + quint32(packet - 10) * 4 + 3));
            if (batch.size() >= 100000) {
                graph.append(batch);
                batch.clear();
            }
        }
        graph.append(batch);
        graph.setFlow(graph.model().busiestFlow()); // what the Graphs tab shows first
        graph.fitAll();
        if (graph.flow() >= 0)
            tsnPoints = graph.model().flows()[std::size_t(graph.flow())].points.size();
        QImage img(graph.size(), QImage::Format_ARGB32_Premultiplied);
        for (int f = 0; f < frames; ++f) {
            QElapsedTimer t;
            t.start();
            static_cast<QWidget&>(graph).render(&img); // QWidget::render, as the timeline above
            const double ms = double(t.nsecsElapsed()) / 1e6;
            worstTsnPaintMs = std::max(worstTsnPaintMs, ms);
            totalTsnPaintMs += ms;
            graph.setRange(graph.startNs() + qint64(graph.nsPerPixel() * 3), graph.nsPerPixel());
        }
        graph.fitAll();
        tsnFrame = graph.frame();
    }

    // 5. Whole process: launch ladderlab until its screenshot is written.
    double processMs = -1;
    {
        QTemporaryDir dir;
        QProcess p;
        QElapsedTimer t;
        t.start();
        p.start(QStringLiteral(LADDERLAB_EXE), { QStringLiteral("--no-lab"), QStringLiteral("--screenshot"),
                                                    dir.filePath(QStringLiteral("s.png")), QStringLiteral("--after-ms"), QStringLiteral("0") });
        if (p.waitForFinished(30000) && p.exitCode() == 0)
            processMs = double(t.nsecsElapsed()) / 1e6;
    }

    std::printf("gui_ingest (offscreen, %d events/s for %d s)\n", rate, seconds);
    std::printf("  %-44s %12s\n", "measure", "value");
    std::printf("  %-44s %12llu\n", "events appended by the writer thread", static_cast<unsigned long long>(written.load()));
    std::printf("  %-44s %12llu\n", "events the window had taken in", static_cast<unsigned long long>(shown));
    std::printf("  %-44s %12llu\n", "  the same after one more poll", static_cast<unsigned long long>(shownAfterPoll));
    std::printf("  %-44s %9.1f ms  (target <= 50)\n", "longest UI-thread stall (1 ms tick gap, raw)", double(watch.worstGapNs()) / 1e6);
    std::printf("  %-44s %9.1f MiB\n", "peak resident memory", double(bench::peakRssKiB()) / 1024.0);
    std::printf("  %-44s %9.1f ms  (target <= 30)\n", "timeline paint, full zoom-out, worst frame", worstPaintMs);
    std::printf("  %-44s %9.1f ms\n", "timeline paint, full zoom-out, mean frame", totalPaintMs / frames);
    std::printf("  %-44s %12d\n", "events on that timeline", paintEvents);
    std::printf("  %-44s %9.1f ms  (target <= 30)\n", "TSN graph paint, full zoom-out, worst frame", worstTsnPaintMs);
    std::printf("  %-44s %9.1f ms\n", "TSN graph paint, full zoom-out, mean frame", totalTsnPaintMs / frames);
    std::printf("  %-44s %12llu\n", "points on that graph (TSNs sent, acks, retx)", static_cast<unsigned long long>(tsnPoints));
    std::printf("  %-44s %12zu\n", "  marks drawn for them (aggregated per column)", tsnFrame.marks.size());
    std::printf("  %-44s %9.1f ms  (target <= 1000)\n", "start to first painted window (in process)", double(firstPaintNs) / 1e6);
    std::printf("  %-44s %9.1f ms\n", "ladderlab launch to screenshot written", processMs);
    // The answers the figures rest on; a failure here makes them meaningless.
    bool ok = true;
    auto check = [&ok](bool good, const char* what) {
        if (!good) {
            std::fprintf(stderr, "bench_gui_ingest: %s\n", what);
            ok = false;
        }
    };
    check(firstPaintNs >= 0, "the window did not paint within 10 s");
    check(written.load() == 0 || shown > 0, "the window took in none of the events the writer appended");
    check(shown <= shownAfterPoll && shownAfterPoll <= written.load(), "the window saw more events than were written");
    check(watch.worstGapNs() > 0, "the UI-thread ticker never ran twice");
    check(tsnPoints >= quint64(tsns), "the TSN graph has fewer points than TSNs were sent");
    check(tsns == 0 || (!tsnFrame.marks.empty() && tsnFrame.aggregatedColumns > 0), "the TSN graph drew nothing, or drew every point one by one");
    check(processMs >= 0, "ladderlab --screenshot did not finish with status 0 within 30 s");
    return ok ? 0 : 1;
}
