// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl listen hep --on udp:HOST:PORT|tcp:HOST:PORT [--duration S] [--trace F.jsonl] [--auth-key K]
// A HEP collector (what kamailio's siptrace, OpenSIPS, FreeSWITCH, heplify or sngrep mirror SIP
// to): every packet goes through the capture pipeline, each event is printed as it is made, and
// at the end the reconstructed transactions, dialogs and associations are printed as `ladderctl
// trace show` prints them. Also the helpers `ladderctl capture` (cmd_capture.cpp) shares.
#include "command.h"
#include "transports.h"

#include "capture/hep/hepingest.h"
#include "capture/hep/heplistener.h"
#include "capture/jsonl.h"
#include "capture/live/pipeline.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QFile>
#include <QHostAddress>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>
#include <fcntl.h>
#include <unistd.h>

namespace ladder::ctl {

// Shared with cmd_capture.cpp.
namespace live {
    // SIGINT and SIGTERM call stop() from the event loop (a self-pipe; nothing runs in the handler
    // but a write).
    void stopOnSignals(const std::function<void()>& stop);
    // Prints the tables `ladderctl trace show` ends with, writes the journal to tracePath (if
    // any) as JSON Lines. Returns 0, or 1 when the file could not be written.
    int finish(const QString& command, trace::CapturePipeline& pipeline, trace::Journal* journal, const QString& tracePath);
    // Where the pipeline's events go: printed one line each (unless quiet), and into journal.
    trace::EventSink printer(trace::Journal* journal, bool quiet);
    // "--duration S": seconds, > 0. False (with a message) if not.
    bool parseSeconds(const QString& command, const QString& text, double* seconds);
} // namespace live

namespace {
    int g_signalPipe[2] = { -1, -1 };

    void onSignal(int)
    {
        const char c = 1;
        if (write(g_signalPipe[1], &c, 1) < 0) {
            // Nothing to do: a full pipe already holds a wake-up.
        }
    }
} // namespace

void live::stopOnSignals(const std::function<void()>& stop)
{
    if (g_signalPipe[0] < 0 && pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    auto* n = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, qApp);
    QObject::connect(n, &QSocketNotifier::activated, qApp, [stop] {
        char buf[16];
        while (read(g_signalPipe[0], buf, sizeof buf) > 0) {
        }
        stop();
    });
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

trace::EventSink live::printer(trace::Journal* journal, bool quiet)
{
    auto position = std::make_shared<quint64>(0);
    return [journal, quiet, position](trace::Event&& e) {
        if (!quiet)
            say(trace::eventLine(e, (*position)++));
        if (journal)
            journal->append(std::move(e));
    };
}

int live::finish(const QString& command, trace::CapturePipeline& pipeline, trace::Journal* journal, const QString& tracePath)
{
    pipeline.finish();
    out(QString());
    for (const QString& line : pipeline.reconstructionText())
        out(line);
    const trace::CaptureReadResult& c = pipeline.counts();
    for (const QString& w : c.warnings)
        err(QStringLiteral("%1: warning: %2").arg(command, w));
    if (journal && !tracePath.isEmpty()) {
        journal->setEpochNs(c.epochNs);
        QSaveFile f(tracePath);
        QString error;
        if (!f.open(QIODevice::WriteOnly) || !trace::writeJsonl(*journal, &f, c.epochNs, &error) || !f.commit()) {
            err(QStringLiteral("%1: cannot write %2: %3").arg(command, tracePath, error.isEmpty() ? f.errorString() : error));
            return 1;
        }
        out(QStringLiteral("journal written to %1 (%2 events)").arg(tracePath).arg(journal->count()));
    }
    std::fflush(stdout);
    return 0;
}

bool live::parseSeconds(const QString& command, const QString& text, double* seconds)
{
    bool ok = false;
    *seconds = text.toDouble(&ok);
    if (!ok || *seconds <= 0 || *seconds > 1e7) {
        err(QStringLiteral("%1: --duration takes seconds (> 0), not '%2'").arg(command, text));
        return false;
    }
    return true;
}

namespace {

    const char* kListenUsage = "--on [udp:|tcp:]HOST:PORT [--on …] [--duration S] [--trace F.jsonl] [--auth-key K] [--quiet]";
    const char* kHelp
        = "Usage: ladderctl listen hep --on [udp:|tcp:]HOST:PORT [--on …] [--duration SECONDS] [--trace FILE.jsonl]\n"
          "                            [--auth-key KEY] [--quiet]\n"
          "A HEP collector (HEPv3, and HEPv1/v2 over UDP): what kamailio's siptrace, OpenSIPS, FreeSWITCH,\n"
          "heplify or sngrep mirror. --on names where to listen: udp:, tcp: (HEPv3 frames delimited by their\n"
          "length) or, without a prefix, both; default 127.0.0.1:9060 (loopback: name another address to\n"
          "collect from other hosts); --on may be given more than once. Each SIP message (over UDP, TCP or\n"
          "SCTP at the origin) keeps its original addresses, ports and capture time, and its text names the\n"
          "capture agent. Every event is printed as it is made (--quiet: not), and at the end — after\n"
          "SECONDS, or on SIGINT/SIGTERM — the reconstructed transactions, dialogs and associations, as\n"
          "`ladderctl trace show` prints them. --trace writes the journal as JSON Lines. --auth-key refuses\n"
          "packets without that authentication key. Compressed payloads (chunk 0x0010) are refused.\n"
          "Exit status: 0 done; 1 cannot listen or write the journal; 2 usage.";

    struct On {
        bool udp = true, tcp = true;
        QHostAddress address;
        quint16 port = 0;
    };

    bool parseOn(QString text, On* on)
    {
        if (text.startsWith(QLatin1String("udp:"))) {
            on->tcp = false;
            text = text.mid(4);
        } else if (text.startsWith(QLatin1String("tcp:"))) {
            on->udp = false;
            text = text.mid(4);
        }
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return false;
        QString host = text.left(colon);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        bool ok = false;
        const uint port = text.mid(colon + 1).toUInt(&ok);
        if (!ok || port > 65535 || !on->address.setAddress(host))
            return false;
        on->port = quint16(port);
        return true;
    }

    int listenHep(const QStringList& args)
    {
        const QString cmd = QStringLiteral("listen hep");
        QList<On> ons;
        double duration = -1;
        QString tracePath;
        QByteArray authKey;
        bool quiet = false;
        for (int i = 0; i < args.size(); ++i) {
            const QString& a = args[i];
            const bool hasValue = i + 1 < args.size();
            if (a == QLatin1String("--on") && hasValue) {
                On on;
                if (!parseOn(args[++i], &on)) {
                    err(QStringLiteral("listen hep: '%1' is not [udp:|tcp:]HOST:PORT with HOST an IP address").arg(args[i]));
                    return 2;
                }
                ons.append(on);
            } else if (a == QLatin1String("--duration") && hasValue) {
                if (!live::parseSeconds(cmd, args[++i], &duration))
                    return 2;
            } else if (a == QLatin1String("--trace") && hasValue) {
                tracePath = args[++i];
            } else if (a == QLatin1String("--auth-key") && hasValue) {
                authKey = args[++i].toUtf8();
            } else if (a == QLatin1String("--quiet")) {
                quiet = true;
            } else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
                say(QString::fromUtf8(kHelp));
                return 0;
            } else {
                err(QStringLiteral("listen hep: unexpected argument '%1'\n").arg(a) + QString::fromUtf8(kHelp));
                return 2;
            }
        }
        if (ons.isEmpty()) {
            On on;
            on.address = QHostAddress::LocalHost;
            on.port = trace::hep::Listener::kDefaultPort;
            ons.append(on);
        }

        trace::Journal journal;
        trace::CapturePipeline pipeline(live::printer(tracePath.isEmpty() ? nullptr : &journal, quiet));
        trace::hep::Ingest ingest(pipeline);
        ingest.setAuthKey(authKey);
        int problems = 0;
        ingest.setProblemHandler([&problems](const QString& p) {
            if (++problems <= 100)
                err(QStringLiteral("listen hep: ") + p);
            else if (problems == 101)
                err(QStringLiteral("listen hep: more problems; the count is printed at the end"));
        });
        std::vector<std::unique_ptr<trace::hep::Listener>> listeners;
        QStringList where;
        for (const On& on : std::as_const(ons)) {
            auto l = std::make_unique<trace::hep::Listener>(ingest);
            QString error;
            if ((on.udp && !l->listenUdp(on.address, on.port, &error)) || (on.tcp && !l->listenTcp(on.address, on.port, &error))) {
                err(QStringLiteral("listen hep: ") + error);
                return 1;
            }
            where << l->localDescription();
            listeners.push_back(std::move(l));
        }
        say(QStringLiteral("listening for HEP on %1").arg(where.join(QLatin1Char(' '))));
        live::stopOnSignals([] { QCoreApplication::exit(0); });
        if (duration > 0)
            QTimer::singleShot(qint64(duration * 1000), qApp, [] { QCoreApplication::exit(0); });
        QCoreApplication::exec();
        listeners.clear();

        const trace::hep::IngestStats& s = ingest.stats();
        const int rc = live::finish(QStringLiteral("ladderctl listen hep"), pipeline, tracePath.isEmpty() ? nullptr : &journal, tracePath);
        out(QStringLiteral("hep: %1 packet(s) decoded, %2 fed to the reconstruction, %3 malformed, %4 refused (authentication "
                           "key), %5 skipped (not SIP, keep-alives)")
                .arg(s.packets)
                .arg(s.fed)
                .arg(s.malformed)
                .arg(s.refused)
                .arg(s.notSip));
        std::fflush(stdout);
        return rc;
    }

    const TransportRegistration reg { { QStringLiteral("hep"), QString(), QString::fromUtf8(kListenUsage), {}, listenHep } };

} // namespace
} // namespace ladder::ctl
