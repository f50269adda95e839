// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl capture -i IFACE [-f BPF] [--duration S] [--count N] [--pcap F.pcapng] [--trace F.jsonl]
// [--tls-keylog KEYLOG]
// A live capture with libpcap through the capture pipeline: each event printed as it is made, and
// at the end the reconstructed transactions, dialogs and associations as `ladderctl trace show`
// prints them, with libpcap's drop counters.
#include "command.h"

#include "capture/hep/hepexporter.h"
#include "capture/live/livecapture.h"
#include "capture/live/pipeline.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <functional>

namespace ladder::ctl {

// Defined in cmd_listen_hep.cpp.
namespace live {
    void stopOnSignals(const std::function<void()>& stop);
    int finish(const QString& command, trace::CapturePipeline& pipeline, trace::Journal* journal, const QString& tracePath);
    trace::EventSink printer(trace::Journal* journal, bool quiet);
    bool parseSeconds(const QString& command, const QString& text, double* seconds);
} // namespace live

namespace {

    const char* kUsage = "-i IFACE [-f BPF] [--duration S] [--count N] [--pcap F.pcapng] [--trace F.jsonl] [--promisc] [--immediate]\n"
                         "                         [--tls-keylog KEYLOG] [--hep-to [udp:|tcp:]HOST:PORT [--hep-id N]] [--quiet]";
    const char* kHelp
        = "Captures on IFACE (lo, eth0, any…; --list names them) with libpcap — frames handed over in blocks at\n"
          "most 20 ms old from a 32 MiB kernel ring — and runs every frame through the capture pipeline: SIP over\n"
          "UDP and TCP, SCTP native and over UDP 9899 (Ethernet with 802.1Q/QinQ tags, Linux cooked v1/v2,\n"
          "loopback, raw IP). Each event is printed as it is made\n"
          "(--quiet: not); at the end — after S seconds, N frames, or SIGINT/SIGTERM — the reconstructed\n"
          "transactions, dialogs and associations as `ladderctl trace show` prints them, and libpcap's\n"
          "counters (frames dropped by the kernel and by the interface).\n"
          "  -f BPF          capture filter (default: port 5060 or port 5061 or sctp or udp port 9899;\n"
          "                  '' captures everything); a bad one is refused with libpcap's message\n"
          "  --pcap FILE     also write the frames as captured to a pcapng file\n"
          "  --trace FILE    write the journal (packets, state changes, inferred timers) as JSON Lines\n"
          "  --promisc       promiscuous mode\n"
          "  --immediate     libpcap's immediate mode: each frame at once, but a ring of fixed slots sized for\n"
          "                  the largest packet (256 on lo, 64 on any), which a heavy load overruns in milliseconds\n"
          "  --tls-keylog KEYLOG  decrypt SIP over TLS 1.2/1.3 with an SSLKEYLOGFILE (NSS key log format, what\n"
          "                  Wireshark reads; openssl -keylogfile and SSLKEYLOGFILE write it): AES-GCM and\n"
          "                  ChaCha20-Poly1305 suites. Read again when a connection's keys are not in it yet\n"
          "                  (the peers may still be writing it); connections left encrypted are counted and\n"
          "                  the warning says why. TLS 1.3 key updates are not followed.\n"
          "  --hep-to TARGET mirror every SIP message captured to a HEP collector as HEPv3 (Homer's\n"
          "                  heplify-server, sngrep -L, ladderctl listen hep), with its original time and\n"
          "                  addresses; --hep-id: the capture agent id (default 2001)\n"
          "Capturing needs root or the capabilities: sudo setcap cap_net_raw,cap_net_admin+eip $(command -v ladderctl)\n"
          "Exit status: 0 done; 1 cannot capture (permission, device, filter) or write a file; 2 usage.";

    int run(const QStringList& args)
    {
        const QString cmd = QStringLiteral("ladderctl capture");
        trace::LiveCaptureOptions options;
        double duration = -1;
        qint64 count = -1;
        QString tracePath;
        bool quiet = false;
        QString hepTarget;
        qint64 hepId = 2001;
        QString tlsKeyLog;
        for (int i = 0; i < args.size(); ++i) {
            const QString& a = args[i];
            const bool hasValue = i + 1 < args.size();
            if ((a == QLatin1String("-i") || a == QLatin1String("--interface")) && hasValue) {
                options.device = args[++i];
            } else if ((a == QLatin1String("-f") || a == QLatin1String("--filter")) && hasValue) {
                options.filter = args[++i];
            } else if (a == QLatin1String("--duration") && hasValue) {
                if (!live::parseSeconds(cmd, args[++i], &duration))
                    return 2;
            } else if (a == QLatin1String("--count") && hasValue) {
                bool ok = false;
                count = args[++i].toLongLong(&ok);
                if (!ok || count <= 0) {
                    err(QStringLiteral("%1: --count takes a number of frames (> 0), not '%2'").arg(cmd, args[i]));
                    return 2;
                }
            } else if (a == QLatin1String("--pcap") && hasValue) {
                options.pcapngPath = args[++i];
            } else if (a == QLatin1String("--trace") && hasValue) {
                tracePath = args[++i];
            } else if (a == QLatin1String("--hep-to") && hasValue) {
                hepTarget = args[++i];
            } else if (a == QLatin1String("--hep-id") && hasValue) {
                bool ok = false;
                hepId = args[++i].toLongLong(&ok);
                if (!ok || hepId < 0 || hepId > 0xffffffffLL) {
                    err(QStringLiteral("%1: --hep-id takes a 32-bit number, not '%2'").arg(cmd, args[i]));
                    return 2;
                }
            } else if (a == QLatin1String("--tls-keylog") && hasValue) {
                tlsKeyLog = args[++i];
            } else if (a == QLatin1String("--promisc")) {
                options.promiscuous = true;
            } else if (a == QLatin1String("--immediate")) {
                options.immediate = true;
            } else if (a == QLatin1String("--quiet")) {
                quiet = true;
            } else if (a == QLatin1String("--list")) {
                QString error;
                const QStringList devices = trace::captureDevices(&error);
                if (devices.isEmpty()) {
                    err(QStringLiteral("%1: %2").arg(cmd, error));
                    return 1;
                }
                for (const QString& d : devices)
                    out(d);
                return 0;
            } else {
                err(QStringLiteral("%1: unexpected argument '%2'\nUsage: ladderctl capture %3").arg(cmd, a, QString::fromUtf8(kUsage)));
                return 2;
            }
        }
        if (options.device.isEmpty()) {
            err(QStringLiteral("%1: name an interface with -i (ladderctl capture --list)").arg(cmd));
            return 2;
        }

        trace::Journal journal;
        trace::CaptureReadOptions read;
        read.interfaceName = trace::hostInterfaceName; // the "any" device names each packet's interface
        read.tlsKeyLogFile = tlsKeyLog;
        trace::hep::ExportOptions hep;
        trace::hep::Exporter mirror;
        if (!hepTarget.isEmpty()) {
            QString error;
            if (!trace::hep::parseTarget(hepTarget, &hep, &error)) {
                err(QStringLiteral("%1: --hep-to: %2").arg(cmd, error));
                return 2;
            }
            hep.agentId = quint32(hepId);
            if (!mirror.start(hep, &error)) {
                err(QStringLiteral("%1: %2").arg(cmd, error));
                return 1;
            }
            QObject::connect(&mirror, &trace::hep::Exporter::failed, &mirror,
                [cmd](const QString& why) { err(QStringLiteral("%1: %2").arg(cmd, why)); });
        }
        const trace::EventSink print = live::printer(tracePath.isEmpty() ? nullptr : &journal, quiet);
        trace::CapturePipeline* pipelineRef = nullptr;
        trace::CapturePipeline pipeline(
            [&print, &mirror, &pipelineRef, mirroring = !hepTarget.isEmpty()](trace::Event&& e) {
                if (mirroring)
                    mirror.offer(e, pipelineRef->counts().epochNs);
                print(std::move(e));
            },
            read);
        pipelineRef = &pipeline;
        trace::LiveCapture capture(pipeline);
        QString error;
        if (!capture.start(options, &error)) {
            err(QStringLiteral("%1: %2").arg(cmd, error));
            return 1;
        }
        if (!error.isEmpty())
            err(QStringLiteral("%1: warning: %2").arg(cmd, error));
        say(QStringLiteral("capturing on %1 (%2), filter: %3")
                .arg(options.device, capture.linktypeName(), options.filter.isEmpty() ? QStringLiteral("none") : options.filter));
        int rc = 0;
        QObject::connect(&capture, &trace::LiveCapture::captured, &capture, [count](quint64 total) {
            if (count > 0 && total >= quint64(count))
                QCoreApplication::exit(0);
        });
        QObject::connect(&capture, &trace::LiveCapture::ended, &capture, [&rc, cmd](const QString& why) {
            err(QStringLiteral("%1: %2").arg(cmd, why));
            rc = 1;
            QCoreApplication::exit(0);
        });
        live::stopOnSignals([] { QCoreApplication::exit(0); });
        if (duration > 0)
            QTimer::singleShot(qint64(duration * 1000), qApp, [] { QCoreApplication::exit(0); });
        QCoreApplication::exec();
        const trace::LiveCapture::Stats s = capture.stats();
        capture.stop();
        const QString pcapError = capture.pcapngError();
        if (live::finish(cmd, pipeline, tracePath.isEmpty() ? nullptr : &journal, tracePath) != 0)
            rc = 1;
        const trace::CaptureReadResult& c = pipeline.counts();
        out(QStringLiteral("capture: %1 frame(s) on %2, %3 event(s), %4 frame(s) with nothing decoded; %5")
                .arg(capture.packets())
                .arg(options.device)
                .arg(c.events)
                .arg(c.ignored)
                .arg(s.valid ? QStringLiteral("libpcap: %1 received, %2 dropped by the kernel, %3 by the interface")
                                   .arg(s.received)
                                   .arg(s.dropped)
                                   .arg(s.ifDropped)
                             : QStringLiteral("libpcap gives no counters here")));
        if (c.fragments || c.duplicates || c.tcpGaps)
            out(QStringLiteral("capture: %1 IP fragment(s) taken in, %2 datagram(s) reassembled; %3 copy(ies) of a "
                               "packet from a second interface dropped; %4 TCP gap(s) the capture missed")
                    .arg(c.fragments)
                    .arg(c.reassembled)
                    .arg(c.duplicates)
                    .arg(c.tcpGaps));
        if (!hepTarget.isEmpty()) {
            mirror.flush();
            const trace::hep::Exporter::Stats h = mirror.stats();
            out(QStringLiteral("hep: %1 SIP message(s) mirrored to %2 as HEPv3 (agent %3), %4 dropped%5")
                    .arg(h.sent)
                    .arg(mirror.description())
                    .arg(hep.agentId)
                    .arg(h.dropped)
                    .arg(h.lastError.isEmpty() ? QString() : QStringLiteral(" (") + h.lastError + QLatin1Char(')')));
        }
        if (!options.pcapngPath.isEmpty()) {
            if (pcapError.isEmpty()) {
                out(QStringLiteral("frames written to %1").arg(options.pcapngPath));
            } else {
                err(QStringLiteral("%1: writing %2: %3").arg(cmd, options.pcapngPath, pcapError));
                rc = 1;
            }
        }
        std::fflush(stdout);
        return rc;
    }

    const Registration reg { { QStringLiteral("capture"), QStringLiteral("Capture live (libpcap) and reconstruct transactions, dialogs, associations"),
        QString::fromUtf8(kUsage) + QStringLiteral("\n\n") + QString::fromUtf8(kHelp), run } };

} // namespace
} // namespace ladder::ctl
