// SPDX-License-Identifier: GPL-3.0-or-later
// bench_gui_ingest --capture lo [--sipp-rate CALLS_PER_S] [--seconds S] [--no-autosave]
// Live capture in the real window under a sipp load on loopback: a sipp UAS and a sipp UAC
// (Debian's sip-tester, its built-in uas/uac scenarios: INVITE, 100, 180, 200, ACK, BYE, 200)
// talk over 127.0.0.1 at the given call rate for the given time while the window's capture
// (CaptureSession, as File ▸ Capture… or `ladderlab --capture lo` starts it) reads lo with a BPF
// filter on the two sipp ports. The UI thread is measured as in the default mode: the raw gap
// between two ticks of a 1 ms timer, from the capture's start until the last frame was read.
// Prints the call rate sipp achieved (its own statistics file), frames captured per second, the
// kernel's drops (pcap_stats, as the status bar shows them), decoder warnings and frames not
// decoded, the longest stall, the calls and transactions reconstructed against sipp's successful
// calls, peak RSS; last line `RESULT live_calls_per_s=… …`.
// Exit status: 77 when it cannot run here (sipp missing, capture not permitted) — 1 instead under
// CI=true, where both are expected (CI runs as root with install-deps --test): a skip CI does not
// expect fails it, as LADDERLAB_SKIP does in the tests — 2 for other reasons
// it cannot run (not loopback, bad options, sipp did not start), 1 when an
// answer is wrong (no frames, or fewer calls completed in the window than sipp completed beyond
// what the kernel's drops explain), 0 otherwise. Every sipp is killed on every way out (the
// children get SIGKILL when this process dies, too).
#include "calllist.h"
#include "capturesession.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "labsession.h"
#include "mainwindow.h"
#include "uiwatch.h"
#include "models/livemodels.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QUdpSocket>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <execinfo.h>
#include <pthread.h>
#include <thread>
#include <functional>
#include <memory>
#include <signal.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <unistd.h>

using namespace ladder;

namespace {

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(f.readAll().split(' ').mid(0, 3).join(' '));
}

// 77 (ctest's skip), or 1 under CI=true: see the exit status above.
int cannotRunHere()
{
    if (qEnvironmentVariable("CI") == QLatin1String("true")) {
        std::fprintf(stderr, "bench_gui_ingest: CI=true: CI expects capture and sipp to be available\n");
        return 1;
    }
    return 77;
}

int freeUdpPort()
{
    QUdpSocket s;
    s.bind(QHostAddress::LocalHost, 0);
    return s.localPort();
}

bool udpPortTaken(int port)
{
    QUdpSocket s;
    return !s.bind(QHostAddress::LocalHost, quint16(port));
}

// sipp's statistics file (-trace_stat -stf FILE): a header line, then one line per dump; the last
// line, written as sipp ends (or the last periodic one when it was killed), by column name.
QHash<QString, QString> lastSippStats(const QString& path)
{
    QHash<QString, QString> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> lines = f.readAll().split('\n');
    QList<QByteArray> header, last;
    for (const QByteArray& l : lines) {
        if (l.trimmed().isEmpty())
            continue;
        if (header.isEmpty())
            header = l.split(';');
        else
            last = l.split(';');
    }
    for (int i = 0; i < header.size() && i < last.size(); ++i)
        out.insert(QString::fromLatin1(header[i].trimmed()), QString::fromLatin1(last[i].trimmed()));
    return out;
}

// A sipp child that cannot outlive us: SIGKILL when this process dies (prctl), killed in the
// destructor otherwise.
class Sipp {
public:
    Sipp() { m_process.setProcessChannelMode(QProcess::MergedChannels); }
    ~Sipp() { kill(); }
    void start(const QString& program, const QStringList& args, const QString& outputFile)
    {
        m_process.setStandardOutputFile(outputFile);
        m_process.setStandardInputFile(QProcess::nullDevice());
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process.start(program, args);
        m_process.waitForStarted(5000);
    }
    bool running() const { return m_process.state() != QProcess::NotRunning; }
    // sipp's smooth exit: no new call, the calls in flight finish, final statistics, exit.
    void finish()
    {
        if (running())
            ::kill(pid_t(m_process.processId()), SIGUSR1);
    }
    // Asks it to end (SIGTERM; sipp writes its final statistics), then kills it after graceMs.
    void stop(int graceMs)
    {
        if (!running())
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(graceMs))
            kill();
    }
    void kill()
    {
        if (!running())
            return;
        m_process.kill();
        m_process.waitForFinished(3000);
    }
    QProcess& process() { return m_process; }

private:
    QProcess m_process;
};

} // namespace

int runCaptureBench(QApplication& app, const QStringList& args)
{
    QString device, sippPath;
    int rate = 2000, seconds = 60, stallStacksMs = 0;
    bool autosave = true;
    for (int i = 1; i < args.size(); ++i) {
        const QString next = i + 1 < args.size() ? args[i + 1] : QString();
        if (args[i] == QLatin1String("--capture"))
            device = next, ++i;
        else if (args[i] == QLatin1String("--sipp-rate"))
            rate = next.toInt(), ++i;
        else if (args[i] == QLatin1String("--seconds"))
            seconds = next.toInt(), ++i;
        else if (args[i] == QLatin1String("--sipp"))
            sippPath = next, ++i;
        else if (args[i] == QLatin1String("--stall-stacks"))
            stallStacksMs = next.toInt(), ++i;
        else if (args[i] == QLatin1String("--no-autosave"))
            autosave = false;
    }
    if (device != QLatin1String("lo")) {
        std::fprintf(stderr, "bench_gui_ingest: --capture takes lo only (the load is sipp on 127.0.0.1)\n");
        return 2;
    }
    if (rate <= 0 || seconds <= 0) {
        std::fprintf(stderr, "bench_gui_ingest: --sipp-rate and --seconds must be positive\n");
        return 2;
    }
    if (sippPath.isEmpty())
        sippPath = QStandardPaths::findExecutable(QStringLiteral("sipp"));
    if (sippPath.isEmpty()) {
        std::fprintf(stderr, "bench_gui_ingest: sipp not found (Debian: apt-get install sip-tester; "
                             "packaging/install-deps.sh --test)\n");
        return cannotRunHere();
    }
    QTemporaryDir dir;
    if (!dir.isValid()) {
        std::fprintf(stderr, "bench_gui_ingest: no temporary directory\n");
        return 2;
    }

    // The window as `ladderlab --capture lo` builds it: the stack thread, the window, the lab and
    // the capture sessions, autosave into a scratch file.
    StackThread stack;
    ui::MainWindow window(stack.journal());
    window.resize(bench::kWindowSize);
    ui::LabSession lab(stack, window);
    ui::CaptureSession capture(stack, window);
    if (autosave)
        window.startAutosave(dir.filePath(QStringLiteral("autosave.ladderlab")));
    window.show();
    bench::runEventLoop(300);

    const int uasPort = freeUdpPort();
    int uacPort = freeUdpPort();
    while (uacPort == uasPort)
        uacPort = freeUdpPort();
    trace::LiveCaptureOptions options;
    options.device = device;
    options.filter = QStringLiteral("udp port %1 or udp port %2").arg(uasPort).arg(uacPort);
    QString error;
    if (!capture.start(options, &error)) {
        std::fprintf(stderr, "bench_gui_ingest: %s\n", qPrintable(error));
        if (geteuid() != 0)
            std::fprintf(stderr, "bench_gui_ingest: capturing needs root, or: sudo setcap cap_net_raw,cap_net_admin+eip %s\n",
                qPrintable(QCoreApplication::applicationFilePath()));
        return geteuid() != 0 || error.contains(QLatin1String("setcap")) ? cannotRunHere() : 2;
    }

    // The UI thread's worst tick gap, when it ended (since the capture started) and how many
    // exceeded 50 ms; its stack on a stall if asked.
    bench::UiWatch watch(stallStacksMs);
    watch.start();
    // The bench's own waits on the UI thread (starting and stopping sipp) are not the window's:
    // the gap around them is not counted (the next tick starts a new one).
    const auto own = [&watch](const std::function<void()>& fn) {
        watch.skipGap();
        fn();
        watch.skipGap();
    };

    const auto pump = [](int ms) { bench::runEventLoop(ms); };

    // sipp: the UAS first, the UAC once the UAS holds its port. The UAC makes rate × seconds calls
    // (-m) and quits; if it has not by then, it is told to finish (SIGUSR1: no new call, those in
    // flight end) after the given seconds, and killed 20 s later.
    const quint64 callsAsked = quint64(rate) * quint64(seconds);
    const QString uasStats = dir.filePath(QStringLiteral("uas.csv")), uacStats = dir.filePath(QStringLiteral("uac.csv"));
    Sipp uas, uac;
    own([&] { uas.start(sippPath, { QStringLiteral("-sn"), QStringLiteral("uas"), QStringLiteral("-i"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("-p"), QString::number(uasPort), QStringLiteral("-nostdin"),
                            QStringLiteral("-timeout"), QStringLiteral("%1s").arg(seconds + 60),
                            QStringLiteral("-trace_stat"), QStringLiteral("-stf"), uasStats, QStringLiteral("-fd"), QStringLiteral("1") },
        dir.filePath(QStringLiteral("uas.out"))); });
    QElapsedTimer waitUas;
    waitUas.start();
    while (uas.running() && waitUas.elapsed() < 5000) {
        bool taken = false;
        own([&] { taken = udpPortTaken(uasPort); });
        if (taken)
            break;
        pump(20);
    }
    if (!uas.running() || !udpPortTaken(uasPort)) {
        std::fprintf(stderr, "bench_gui_ingest: the sipp UAS did not start on 127.0.0.1:%d\n", uasPort);
        uas.kill();
        capture.stop();
        return 2;
    }
    QElapsedTimer sippRun;
    sippRun.start();
    own([&] { uac.start(sippPath, { QStringLiteral("-sn"), QStringLiteral("uac"), QStringLiteral("127.0.0.1:%1").arg(uasPort),
                            QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(uacPort),
                            QStringLiteral("-r"), QString::number(rate), QStringLiteral("-m"), QString::number(callsAsked),
                            QStringLiteral("-nostdin"), QStringLiteral("-timeout"), QStringLiteral("%1s").arg(seconds + 15),
                            QStringLiteral("-trace_stat"), QStringLiteral("-stf"), uacStats, QStringLiteral("-fd"), QStringLiteral("1") },
        dir.filePath(QStringLiteral("uac.out"))); });
    if (!uac.running()) {
        std::fprintf(stderr, "bench_gui_ingest: the sipp UAC did not start\n");
        return 2; // the Sipp destructors kill the UAS; the capture session stops in its own
    }
    const qint64 finishMs = qint64(seconds) * 1000 + 500, deadlineMs = finishMs + 20000;
    bool toldToFinish = false;
    while (uac.running() && sippRun.elapsed() < deadlineMs) {
        if (!toldToFinish && sippRun.elapsed() >= finishMs) {
            toldToFinish = true;
            uac.finish();
        }
        pump(50);
    }
    const bool uacTimedOut = uac.running();
    own([&] { uac.stop(2000); });
    const double sippSeconds = double(sippRun.nsecsElapsed()) / 1e9;
    const int uacExit = uacTimedOut ? -1 : uac.process().exitCode();
    // The last BYE's 200 was sent before the UAC could finish: the UAS has nothing in flight.
    own([&] { uas.stop(2000); });

    // Drain: the capture reads what the kernel still holds; done when the frame count stops moving
    // across two refreshes (four a second), at most 10 s.
    QElapsedTimer drain;
    drain.start();
    quint64 lastFrames = ~quint64(0);
    while (drain.elapsed() < 10000) {
        pump(600);
        const quint64 f = capture.figures().frames;
        if (f == lastFrames)
            break;
        lastFrames = f;
    }
    watch.stop();
    QElapsedTimer stopTimer;
    stopTimer.start();
    capture.stop();
    const double stopMs = double(stopTimer.nsecsElapsed()) / 1e6;
    pump(300); // the window follows the journal's last events (≤ 20 Hz)

    const ui::CaptureSession::Figures f = capture.figures();
    // The Calls tab: one row per Call-ID; "Completed" once its BYE was seen.
    ui::CallListModel* calls = window.callList()->model();
    quint64 callRows = quint64(calls->rowCount()), callsCompleted = 0;
    for (int r = 0; r < calls->rowCount(); ++r)
        if (calls->data(calls->index(r, ui::CallListModel::StateColumn)).toString() == QLatin1String("Completed"))
            ++callsCompleted;
    // What the decoder said: each warning is logged once as "Capture: …" (the drop lines aside).
    quint64 warnings = 0, sipMessages = 0;
    stack.journal()->forEach(0, stack.journal()->count(), [&](const trace::Event& e) {
        if (e.kind == trace::Kind::Log && e.text.startsWith(QLatin1String("Capture: "))
            && !e.text.startsWith(QLatin1String("Capture: the kernel dropped")))
            ++warnings;
        else if (e.kind == trace::Kind::SipMessage)
            ++sipMessages;
    });
    const QHash<QString, QString> uacLast = lastSippStats(uacStats), uasLast = lastSippStats(uasStats);
    const quint64 sent = uacLast.value(QStringLiteral("SuccessfulCall(C)")).toULongLong();
    const quint64 failed = uacLast.value(QStringLiteral("FailedCall(C)")).toULongLong();
    const quint64 outgoing = uacLast.value(QStringLiteral("OutgoingCall(C)")).toULongLong();
    const quint64 retrans = uacLast.value(QStringLiteral("Retransmissions(C)")).toULongLong()
        + uasLast.value(QStringLiteral("Retransmissions(C)")).toULongLong();
    const QString sippRate = uacLast.value(QStringLiteral("CallRate(C)"));
    const double achieved = sippSeconds > 0 ? double(sent) / sippSeconds : 0;
    const quint64 drops = f.kernelDrops + f.interfaceDrops;
    const long rssKiB = bench::peakRssKiB();
    rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    const double cpuSeconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;

    std::printf("gui_ingest --capture %s (offscreen window, sipp uac -> uas on 127.0.0.1:%d, asked %d calls/s for %d s; load %s)\n",
        qPrintable(device), uasPort, rate, seconds, qPrintable(loadAverage()));
    std::printf("  %-50s %12s\n", "measure", "value");
    std::printf("  %-50s %12llu\n", "calls sipp completed (UAC SuccessfulCall)", static_cast<unsigned long long>(sent));
    std::printf("  %-50s %12llu\n", "calls sipp failed (UAC FailedCall)", static_cast<unsigned long long>(failed));
    std::printf("  %-50s %12llu\n", "sipp retransmissions (UAC + UAS)", static_cast<unsigned long long>(retrans));
    std::printf("  %-50s %9.1f /s\n", "calls/s sipp achieved (completed / its run time)", achieved);
    // The load offered: sipp starts no call after it is told to finish, so every call it started
    // was started within that time — what the capture had to keep up with, whatever the last
    // calls' retransmissions (sipp's own losses, on a busy machine) added to its run time.
    const double startedWithinS = toldToFinish ? double(finishMs) / 1000 : sippSeconds;
    std::printf("  %-50s %9.1f /s\n", "calls/s sipp started (OutgoingCall / time starting)",
        startedWithinS > 0 ? double(outgoing) / startedWithinS : 0);
    std::printf("  %-50s %12s\n", "  sipp's own CallRate(C)", qPrintable(sippRate.isEmpty() ? QStringLiteral("?") : sippRate));
    std::printf("  %-50s %9.1f s%s\n", "sipp UAC run time", sippSeconds,
        toldToFinish ? "  (told to finish at the given seconds: it was behind)" : "");
    std::printf("  %-50s %12llu\n", "frames captured", static_cast<unsigned long long>(f.frames));
    std::printf("  %-50s %9.0f /s\n", "frames captured per second (over sipp's run)", sippSeconds > 0 ? double(f.frames) / sippSeconds : 0);
    std::printf("  %-50s %12s\n", "kernel drops (pcap_stats: kernel + interface)",
        f.dropsKnown ? qPrintable(QString::number(drops)) : "unknown");
    std::printf("  %-50s %12llu\n", "frames not decoded", static_cast<unsigned long long>(f.ignored));
    std::printf("  %-50s %12llu\n", "decoder warnings (logged)", static_cast<unsigned long long>(warnings));
    std::printf("  %-50s %12llu\n", "SIP messages in the journal", static_cast<unsigned long long>(sipMessages));
    std::printf("  %-50s %12llu\n", "calls in the Calls tab", static_cast<unsigned long long>(callRows));
    std::printf("  %-50s %12llu\n", "  of them Completed (BYE seen)", static_cast<unsigned long long>(callsCompleted));
    std::printf("  %-50s %12llu  (2 per call: INVITE, BYE)\n", "transactions reconstructed", static_cast<unsigned long long>(f.transactions));
    std::printf("  %-50s %12llu\n", "dialogs reconstructed", static_cast<unsigned long long>(f.dialogs));
    std::printf("  %-50s %9.1f ms  (target <= 50)\n", "longest UI-thread stall (1 ms tick gap, raw)", double(watch.worstGapNs()) / 1e6);
    std::printf("  %-50s %9.1f s\n", "  it ended, since the capture started", double(watch.worstEndedMs()) / 1e3);
    std::printf("  %-50s %12llu\n", "  gaps longer than 50 ms", static_cast<unsigned long long>(watch.gapsOver50Ms()));
    std::printf("  %-50s %9.1f ms\n", "Stop (last read, final tables) on the UI thread", stopMs);
    std::printf("  %-50s %9.1f MiB\n", "peak resident memory (this process)", double(rssKiB) / 1024.0);
    std::printf("  %-50s %9.1f s  (all threads, whole run)\n", "CPU time of this process", cpuSeconds);

    bool ok = true;
    auto check = [&ok](bool good, const QString& what) {
        if (!good) {
            std::fprintf(stderr, "bench_gui_ingest: %s\n", qPrintable(what));
            ok = false;
        }
    };
    check(!uacLast.isEmpty(), QStringLiteral("sipp wrote no statistics"));
    // A UAC still waiting for calls in flight 20 s after it was told to finish (retransmissions
    // lost to a starved socket wait for Timer B) was killed: its statistics are its last
    // periodic line (at most 1 s old), so the comparison stands; said, not failed.
    if (uacTimedOut)
        std::fprintf(stderr, "bench_gui_ingest: note: the sipp UAC was still finishing its calls %lld s after the start: killed "
                             "(its last statistics line is used)\n", static_cast<long long>(deadlineMs / 1000));
    check(uacTimedOut || uacExit == 0 || sent > 0, QStringLiteral("the sipp UAC exited with status %1").arg(uacExit));
    check(sent > 0, QStringLiteral("sipp completed no call"));
    check(f.frames > 0, QStringLiteral("the capture read no frame"));
    check(f.dropsKnown, QStringLiteral("libpcap gave no drop counters"));
    // Every call sipp completed must be a completed call in the window, unless the kernel dropped
    // one of its frames (a drop costs at most one call).
    check(callsCompleted + drops >= sent,
        QStringLiteral("the window completed %1 calls, sipp %2, the kernel dropped %3 frames").arg(callsCompleted).arg(sent).arg(drops));
    check(drops > 0 || f.transactions >= 2 * sent,
        QStringLiteral("%1 transactions reconstructed for %2 calls").arg(f.transactions).arg(sent));
    check(callRows <= outgoing, QStringLiteral("more calls in the window (%1) than sipp started (%2)").arg(callRows).arg(outgoing));
    std::printf("RESULT live_calls_per_s=%.1f frames_per_s=%.0f kernel_drops=%llu longest_stall_ms=%.1f calls_seen=%llu "
                "calls_sent=%llu transactions=%llu warnings=%llu peak_rss_mib=%.1f\n",
        achieved, sippSeconds > 0 ? double(f.frames) / sippSeconds : 0, static_cast<unsigned long long>(drops),
        double(watch.worstGapNs()) / 1e6, static_cast<unsigned long long>(callsCompleted), static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(f.transactions), static_cast<unsigned long long>(warnings), double(rssKiB) / 1024.0);
    std::fflush(stdout);
    Q_UNUSED(app);
    return ok ? 0 : 1;
}
