// SPDX-License-Identifier: GPL-3.0-or-later
// bench_capture [--calls N] [--smoke] [--keep FILE]: capture ingest against sngrep and tshark.
//
// Writes one pcap of N SIP calls over UDP/Ethernet (INVITE with SDP, 100, 180, 200, ACK, BYE, 200;
// each call between its own pair of addresses, calls overlapping in time as a busy proxy's do;
// N = 20 000 by default), then reads it, each in a process of its own so that CPU time and peak
// RSS are the process's (wait4's rusage), with:
//   LadderLab  this program's --ingest mode: the capture pipeline with full reconstruction
//              (transactions, dialogs, inferred timers) into a journal, as File ▸ Open does;
//   sngrep     sngrep -I FILE -N -F (reads every packet, builds its call list, no interface, no
//              configuration file; it prints its dialog count, which is checked);
//   tshark     tshark -r FILE -q -z sip,stat (dissects every packet, SIP statistics).
// It prints packets per CPU-second and peak RSS for each, checks that each saw every call, and ends
// with exactly
//   RESULT ingest_vs_sngrep=<x> ingest_vs_tshark=<x> rss_vs_sngrep=<x>
// (ingest: our packets per CPU-second over theirs; rss: our peak RSS over sngrep's). Exit status 1
// when a tool is missing or failed, or a count is wrong. --smoke: 500 calls (the ctest run).
#include "capture/reconstruct.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace {

struct Run {
    bool ok = false;
    double cpuSeconds = 0;
    long maxRssKb = 0;
    QByteArray out;
};

// Runs argv, its output to a file, and measures it with wait4.
Run measure(const QStringList& argv, const QString& outPath)
{
    Run r;
    QList<QByteArray> args;
    for (const QString& a : argv)
        args.append(a.toLocal8Bit());
    std::vector<char*> cargs;
    for (QByteArray& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    const QByteArray outFile = outPath.toLocal8Bit();
    const pid_t pid = fork();
    if (pid < 0)
        return r;
    if (pid == 0) {
        FILE* f = std::fopen(outFile.constData(), "w");
        if (f) {
            dup2(fileno(f), 1);
            dup2(fileno(f), 2);
        }
        std::fclose(stdin);
        execvp(cargs[0], cargs.data());
        _exit(127);
    }
    int status = 0;
    rusage ru {};
    if (wait4(pid, &status, 0, &ru) != pid)
        return r;
    r.cpuSeconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    r.maxRssKb = ru.ru_maxrss;
    QFile f(outPath);
    if (f.open(QIODevice::ReadOnly))
        r.out = f.readAll();
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return r;
}

void put16le(QByteArray& b, quint16 v) { b.append(reinterpret_cast<const char*>(&v), 2); }
void put32le(QByteArray& b, quint32 v) { b.append(reinterpret_cast<const char*>(&v), 4); }

quint16 checksum(const uchar* d, int n)
{
    quint32 s = 0;
    for (int i = 0; i + 1 < n; i += 2)
        s += quint32(d[i] << 8 | d[i + 1]);
    if (n & 1)
        s += quint32(d[n - 1] << 8);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return quint16(~s);
}

// An Ethernet/IPv4/UDP frame (UDP checksum 0: allowed for IPv4).
QByteArray frame(quint32 src, quint32 dst, quint16 sport, quint16 dport, const QByteArray& payload, quint16 id)
{
    QByteArray f("\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
    QByteArray ip(20, '\0');
    ip[0] = char(0x45);
    const int total = 20 + 8 + int(payload.size());
    ip[2] = char(total >> 8);
    ip[3] = char(total);
    ip[4] = char(id >> 8);
    ip[5] = char(id);
    ip[6] = char(0x40);
    ip[8] = char(64);
    ip[9] = char(17);
    for (int i = 0; i < 4; ++i) {
        ip[12 + i] = char(src >> (24 - 8 * i));
        ip[16 + i] = char(dst >> (24 - 8 * i));
    }
    const quint16 c = checksum(reinterpret_cast<const uchar*>(ip.constData()), 20);
    ip[10] = char(c >> 8);
    ip[11] = char(c);
    QByteArray udp(8, '\0');
    udp[0] = char(sport >> 8);
    udp[1] = char(sport);
    udp[2] = char(dport >> 8);
    udp[3] = char(dport);
    udp[4] = char((8 + payload.size()) >> 8);
    udp[5] = char(8 + payload.size());
    return f + ip + udp + payload;
}

QString ipText(quint32 a) { return QStringLiteral("%1.%2.%3.%4").arg(a >> 24).arg((a >> 16) & 255).arg((a >> 8) & 255).arg(a & 255); }

// The seven messages of call i between caller a and callee b.
QList<QPair<bool, QByteArray>> call(int i, quint32 a, quint32 b)
{
    const QByteArray A = ipText(a).toLatin1(), B = ipText(b).toLatin1();
    const QByteArray id = "bench-" + QByteArray::number(i) + "@" + A;
    const QByteArray inv = "z9hG4bK-inv-" + QByteArray::number(i), bye = "z9hG4bK-bye-" + QByteArray::number(i);
    const QByteArray sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 " + A + "\r\ns=-\r\nc=IN IP4 " + A
        + "\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
    auto msg = [&](const QByteArray& start, const QByteArray& branch, const QByteArray& cseq, bool toTag,
                   const QByteArray& extra, const QByteArray& body) {
        QByteArray m = start + "\r\n";
        m += "Via: SIP/2.0/UDP " + A + ":5060;branch=" + branch + "\r\n";
        m += "From: \"Alice\" <sip:alice@" + A + ">;tag=c" + QByteArray::number(i) + "\r\n";
        m += "To: <sip:bob@" + B + ">" + (toTag ? ";tag=s" + QByteArray::number(i) : QByteArray()) + "\r\n";
        m += "Call-ID: " + id + "\r\nCSeq: " + cseq + "\r\n" + extra;
        if (!body.isEmpty())
            m += "Content-Type: application/sdp\r\n";
        m += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        return m;
    };
    const QByteArray contactA = "Contact: <sip:alice@" + A + ":5060>\r\nMax-Forwards: 70\r\n";
    const QByteArray contactB = "Contact: <sip:bob@" + B + ":5060>\r\n";
    return {
        { true, msg("INVITE sip:bob@" + B + " SIP/2.0", inv, "1 INVITE", false, contactA, sdp) },
        { false, msg("SIP/2.0 100 Trying", inv, "1 INVITE", false, {}, {}) },
        { false, msg("SIP/2.0 180 Ringing", inv, "1 INVITE", true, contactB, {}) },
        { false, msg("SIP/2.0 200 OK", inv, "1 INVITE", true, contactB, sdp) },
        { true, msg("ACK sip:bob@" + B + ":5060 SIP/2.0", "z9hG4bK-ack-" + QByteArray::number(i), "1 ACK", true,
                    "Max-Forwards: 70\r\n", {}) },
        { true, msg("BYE sip:bob@" + B + ":5060 SIP/2.0", bye, "2 BYE", true, "Max-Forwards: 70\r\n", {}) },
        { false, msg("SIP/2.0 200 OK", bye, "2 BYE", true, {}, {}) },
    };
}

// A pcap of n calls, a new one every 5 ms, each message 50 ms after the one before (so about ten
// calls are under way at any moment, their packets interleaved as on a real link).
bool writeCapture(const QString& path, int n, quint64* packets)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray h;
    put32le(h, 0xa1b2c3d4);
    put16le(h, 2);
    put16le(h, 4);
    put32le(h, 0);
    put32le(h, 0);
    put32le(h, 262144);
    put32le(h, 1);
    f.write(h);
    struct Pending {
        qint64 us;
        QByteArray frame;
    };
    QList<Pending> window; // frames not yet written, by time
    const qint64 start = 1'700'000'000'000'000;
    *packets = 0;
    auto flushUntil = [&](qint64 us) {
        std::sort(window.begin(), window.end(), [](const Pending& x, const Pending& y) { return x.us < y.us; });
        qsizetype k = 0;
        for (; k < window.size() && window[k].us <= us; ++k) {
            QByteArray rec;
            put32le(rec, quint32(window[k].us / 1'000'000));
            put32le(rec, quint32(window[k].us % 1'000'000));
            put32le(rec, quint32(window[k].frame.size()));
            put32le(rec, quint32(window[k].frame.size()));
            f.write(rec);
            f.write(window[k].frame);
            ++*packets;
        }
        window.remove(0, k);
    };
    for (int i = 0; i < n; ++i) {
        const qint64 t0 = start + qint64(i) * 5000;
        const quint32 a = 0x0a000000u | quint32(1 + i % 60000), b = 0x0b000000u | quint32(1 + (i * 7) % 60000);
        const auto msgs = call(i, a, b);
        for (qsizetype k = 0; k < msgs.size(); ++k) {
            const bool fromA = msgs[k].first;
            window.append({ t0 + qint64(k) * 50'000,
                frame(fromA ? a : b, fromA ? b : a, 5060, 5060, msgs[k].second, quint16(i * 7 + k)) });
        }
        flushUntil(t0);
    }
    flushUntil(std::numeric_limits<qint64>::max());
    return f.error() == QFileDevice::NoError;
}

int ingest(const QString& path)
{
    ladder::trace::Journal journal;
    const ladder::trace::CaptureReconstruction c = ladder::trace::reconstructCaptureFile(path, journal);
    if (!c.read.ok) {
        std::fprintf(stderr, "bench_capture --ingest: %s\n", qPrintable(c.read.error));
        return 1;
    }
    std::printf("packets %llu events %llu transactions %lld dialogs %lld journal %.1f MB\n",
        static_cast<unsigned long long>(c.read.packets), static_cast<unsigned long long>(journal.count()),
        static_cast<long long>(c.transactions.size()), static_cast<long long>(c.dialogs.size()),
        double(journal.memoryBytes()) / 1048576.0);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 3 && args[1] == QLatin1String("--ingest"))
        return ingest(args[2]);
    int calls = 20000;
    QString keep;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--smoke"))
            calls = 500;
        else if (args[i] == QLatin1String("--calls") && i + 1 < args.size())
            calls = args[++i].toInt();
        else if (args[i] == QLatin1String("--keep") && i + 1 < args.size())
            keep = args[++i];
        else {
            std::fprintf(stderr, "usage: bench_capture [--calls N] [--smoke] [--keep FILE]\n");
            return 2;
        }
    }
    if (calls <= 0) {
        std::fprintf(stderr, "bench_capture: --calls takes a number > 0\n");
        return 2;
    }
    QTemporaryDir dir;
    const QString pcap = keep.isEmpty() ? dir.filePath(QStringLiteral("calls.pcap")) : keep;
    quint64 packets = 0;
    if (!writeCapture(pcap, calls, &packets)) {
        std::fprintf(stderr, "bench_capture: cannot write %s\n", qPrintable(pcap));
        return 1;
    }
    std::printf("capture: %d calls, %llu packets, %lld bytes (%s)\n", calls, static_cast<unsigned long long>(packets),
        static_cast<long long>(QFile(pcap).size()), qPrintable(pcap));
    const QString sngrep = QStandardPaths::findExecutable(QStringLiteral("sngrep"));
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (sngrep.isEmpty() || tshark.isEmpty()) {
        std::fprintf(stderr, "bench_capture: %s not found (Debian: apt-get install sngrep tshark; packaging/install-deps.sh --test)\n",
            sngrep.isEmpty() ? "sngrep" : "tshark");
        return 1;
    }
    bool ok = true;
    // Each tool twice, the better run kept (the machine is shared).
    auto best = [&](const QStringList& argv, const char* name) {
        Run r;
        for (int i = 0; i < 2; ++i) {
            const Run x = measure(argv, dir.filePath(QStringLiteral("%1.out").arg(QLatin1String(name))));
            if (!x.ok) {
                std::fprintf(stderr, "bench_capture: %s failed:\n%s\n", name, x.out.left(2000).constData());
                ok = false;
                return x;
            }
            if (i == 0 || x.cpuSeconds < r.cpuSeconds)
                r = x;
        }
        return r;
    };
    const Run ours = best({ QCoreApplication::applicationFilePath(), QStringLiteral("--ingest"), pcap }, "ladderlab");
    const Run sng = best({ sngrep, QStringLiteral("-I"), pcap, QStringLiteral("-N"), QStringLiteral("-F") }, "sngrep");
    const Run tsh = best({ tshark, QStringLiteral("-r"), pcap, QStringLiteral("-q"), QStringLiteral("-z"), QStringLiteral("sip,stat") }, "tshark");
    if (!ok)
        return 1;
    // Each saw the whole capture: our counts, sngrep's dialog count, tshark's request count.
    const QByteArray expect = "packets " + QByteArray::number(packets) + " events ";
    if (!ours.out.contains(expect) || !ours.out.contains("dialogs " + QByteArray::number(calls))) {
        std::fprintf(stderr, "bench_capture: LadderLab did not see every call: %s\n", ours.out.constData());
        return 1;
    }
    if (!sng.out.contains("Dialog count: " + QByteArray::number(calls))) {
        std::fprintf(stderr, "bench_capture: sngrep did not see every call: %s\n", sng.out.left(500).constData());
        return 1;
    }
    if (!tsh.out.contains("Number of SIP messages: " + QByteArray::number(packets))) {
        std::fprintf(stderr, "bench_capture: tshark did not see every call: %s\n", tsh.out.left(1500).constData());
        return 1;
    }
    std::printf("%-10s %12s %14s %12s\n", "reader", "CPU s", "packets/CPU-s", "peak RSS MB");
    auto row = [&](const char* name, const Run& r) {
        std::printf("%-10s %12.3f %14.0f %12.1f\n", name, r.cpuSeconds, double(packets) / std::max(r.cpuSeconds, 1e-6),
            double(r.maxRssKb) / 1024.0);
    };
    row("LadderLab", ours);
    row("sngrep", sng);
    row("tshark", tsh);
    const double rate = double(packets) / std::max(ours.cpuSeconds, 1e-6);
    std::printf("RESULT ingest_vs_sngrep=%.2f ingest_vs_tshark=%.2f rss_vs_sngrep=%.2f\n",
        rate / (double(packets) / std::max(sng.cpuSeconds, 1e-6)), rate / (double(packets) / std::max(tsh.cpuSeconds, 1e-6)),
        double(ours.maxRssKb) / double(std::max(sng.maxRssKb, 1L)));
    return 0;
}
