// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl trace show|stats FILE — read a saved journal (.jsonl, session file) or a capture
// (pcap, pcapng) and print its events or a summary.
#include "command.h"
#include "capture/capturereader.h"
#include "capture/jsonl.h"
#include "capture/netpacket.h"
#include "capture/reconstruct.h"
#include "capture/reconstructtext.h"
#include "capture/session.h"

#include <QDateTime>
#include <QFile>
#include <QMap>
#include <QSet>

namespace ladder::ctl {
namespace {

    using trace::Event;
    using trace::Kind;

    struct Loaded {
        QString format;
        qint64 epochNs = 0;
        QString problem; // the file was damaged part-way: events before it were still delivered
        bool capture = false;
        QStringList tables; // a capture's reconstructed transactions, dialogs, associations
        QString tlsKeyLog; // in: an SSLKEYLOGFILE to decrypt SIP over TLS in a capture with
    };

    // Streams the file's events to sink. Returns 0, or 1 with a message when the file cannot be
    // read at all.
    // reconstruct: a capture's events go through trace::Reconstructor (state changes and inferred
    // timers merged in, tables in info->tables); otherwise they are delivered as read.
    int load(const QString& path, const trace::EventSink& sink, Loaded* info, bool reconstruct = true)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            err(QStringLiteral("ladderctl trace: %1: %2").arg(path, f.errorString()));
            return 1;
        }
        const QByteArray head = f.read(64);
        f.close();
        if (head.isEmpty()) {
            err(QStringLiteral("ladderctl trace: %1: empty file").arg(path));
            return 1;
        }
        if (trace::looksLikeCapture(head)) {
            info->capture = true;
            trace::Reconstructor rec;
            const trace::EventSink through = [&](Event&& e) { rec.consume(std::move(e), sink); };
            trace::CaptureReadOptions options;
            options.tlsKeyLogFile = info->tlsKeyLog;
            const trace::CaptureReadResult r = trace::readCaptureFile(path, reconstruct ? through : sink, options);
            // What the reader could not use; with a key log all of it, so that a TLS connection
            // left encrypted says why (without one, only that TLS was left encrypted).
            for (const QString& w : r.warnings)
                if (!info->tlsKeyLog.isEmpty() || w.contains(QLatin1String("TLS")))
                    err(QStringLiteral("ladderctl trace: %1: warning: %2").arg(path, w));
            if (reconstruct) {
                rec.finish(sink);
                info->tables = trace::reconstructionText(rec.transactions(), rec.dialogs(), rec.associations(), rec.stats());
            }
            if (r.packets == 0 && !r.ok) {
                err(QStringLiteral("ladderctl trace: %1: %2").arg(path, r.error));
                return 1;
            }
            info->format = r.format;
            info->epochNs = r.epochNs;
            if (!r.ok)
                info->problem = r.error;
            return 0;
        }
        if (trace::Session::looksLikeSession(head)) {
            trace::Session::FileContent c;
            QString error;
            if (!trace::Session::read(path, sink, &c, &error)) {
                err(QStringLiteral("ladderctl trace: %1").arg(error));
                return 1;
            }
            info->format = QStringLiteral("session");
            info->epochNs = c.epochNs;
            info->problem = c.tornWarning();
            return 0;
        }
        if (head.trimmed().startsWith('{')) {
            const trace::JsonlReadResult r = trace::readJsonlFile(path, sink);
            if (!r.header && r.events == 0) {
                err(QStringLiteral("ladderctl trace: %1: %2").arg(path, r.error));
                return 1;
            }
            info->format = QStringLiteral("jsonl");
            info->epochNs = r.epochNs;
            if (!r.ok)
                info->problem = QStringLiteral("%1 bad line(s); first: %2").arg(r.badLines).arg(r.error);
            return 0;
        }
        err(QStringLiteral("ladderctl trace: %1: not a journal (.jsonl), session, pcap or pcapng file").arg(path));
        return 1;
    }

    QString seconds(qint64 ns)
    {
        const char* sign = ns < 0 ? "-" : "";
        const quint64 a = ns < 0 ? quint64(0) - quint64(ns) : quint64(ns);
        return QStringLiteral("%1%2.%3").arg(QLatin1String(sign)).arg(a / 1000000000).arg(a % 1000000000 / 1000, 6, 10, QLatin1Char('0'));
    }

    QString oneLine(QString s)
    {
        s.replace(QLatin1Char('\r'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        return s;
    }

    int parseArgs(const QStringList& args, const QString& sub, QString* path, QString* kindPrefix, qint64* limit,
        bool* raw, QString* tlsKeyLog)
    {
        for (int i = 0; i < args.size(); ++i) {
            const QString& a = args.at(i);
            if (a == QLatin1String("--raw")) {
                *raw = true;
            } else if (a == QLatin1String("--tls-keylog")) {
                if (i + 1 >= args.size()) {
                    err(QStringLiteral("ladderctl trace %1: --tls-keylog needs a FILE").arg(sub));
                    return 2;
                }
                *tlsKeyLog = args.at(++i);
            } else if ((a == QLatin1String("--kind") || a == QLatin1String("--limit")) && sub == QLatin1String("show")) {
                if (i + 1 >= args.size()) {
                    err(QStringLiteral("ladderctl trace show: %1 needs a value").arg(a));
                    return 2;
                }
                const QString v = args.at(++i);
                if (a == QLatin1String("--kind")) {
                    *kindPrefix = v;
                } else {
                    bool ok = false;
                    *limit = v.toLongLong(&ok);
                    if (!ok || *limit < 0) {
                        err(QStringLiteral("ladderctl trace show: --limit takes a count, not '%1'").arg(v));
                        return 2;
                    }
                }
            } else if (a.startsWith(QLatin1String("--"))) {
                err(QStringLiteral("ladderctl trace %1: unknown option %2").arg(sub, a));
                return 2;
            } else if (path->isEmpty()) {
                *path = a;
            } else {
                err(QStringLiteral("ladderctl trace %1: one FILE only").arg(sub));
                return 2;
            }
        }
        if (path->isEmpty()) {
            err(QStringLiteral("ladderctl trace %1: FILE is missing (ladderctl trace --help)").arg(sub));
            return 2;
        }
        return 0;
    }

    int show(const QStringList& args)
    {
        QString path, kindPrefix;
        qint64 limit = -1;
        bool raw = false;
        Loaded info;
        if (const int rc = parseArgs(args, QStringLiteral("show"), &path, &kindPrefix, &limit, &raw, &info.tlsKeyLog))
            return rc;
        qint64 shown = 0;
        quint64 index = 0; // position in the file: captures carry no sequence numbers
        const int rc = load(
            path,
            [&](Event&& e) {
                const QString kind = QString::fromLatin1(trace::kindName(e.kind));
                const quint64 position = index++;
                if ((limit >= 0 && shown >= limit) || (!kindPrefix.isEmpty() && !kind.startsWith(kindPrefix)))
                    return;
                ++shown;
                QString ends;
                if (!e.from.isEmpty() || !e.to.isEmpty())
                    ends = QStringLiteral("%1 %2 %3  ").arg(e.from.isEmpty() ? QStringLiteral("-") : e.from,
                        QString::fromUtf8("\u2192"), e.to.isEmpty() ? QStringLiteral("-") : e.to);
                out(QStringLiteral("%1 %2 %3 %4 %5%6")
                        .arg(position, 6)
                        .arg(seconds(e.timeNs), 14)
                        .arg(kind, -22)
                        .arg(QLatin1String(trace::dirName(e.dir)), -2)
                        .arg(ends, oneLine(e.text)));
            },
            &info, !raw);
        if (rc)
            return rc;
        if (!info.tables.isEmpty()) {
            out(QString());
            for (const QString& line : std::as_const(info.tables))
                out(line);
        }
        if (!info.problem.isEmpty()) {
            err(QStringLiteral("ladderctl trace show: %1: damaged part-way: %2").arg(path, info.problem));
            return 1;
        }
        return 0;
    }

    int stats(const QStringList& args)
    {
        QString path, unusedKind;
        qint64 unusedLimit = -1;
        bool raw = false;
        Loaded info;
        if (const int rc = parseArgs(args, QStringLiteral("stats"), &path, &unusedKind, &unusedLimit, &raw, &info.tlsKeyLog))
            return rc;
        QMap<QString, quint64> kinds, requests, responses, chunks;
        QSet<quint64> transactions, associations;
        quint64 total = 0, sipRetrans = 0, sctpRetrans = 0, abandoned = 0, forwardTsn = 0, drops = 0, errors = 0;
        qint64 first = 0, last = 0;
        const int rc = load(
            path,
            [&](Event&& e) {
                if (total++ == 0)
                    first = last = e.timeNs;
                first = std::min(first, e.timeNs);
                last = std::max(last, e.timeNs);
                ++kinds[QString::fromLatin1(trace::kindName(e.kind))];
                switch (e.kind) {
                case Kind::SipRetransmission:
                    ++sipRetrans;
                    [[fallthrough]];
                case Kind::SipMessage: {
                    if (e.object)
                        transactions.insert(e.object);
                    const QByteArray line = e.raw.left(std::max<qsizetype>(0, e.raw.indexOf("\r\n")));
                    if (line.startsWith("SIP/2.0 "))
                        ++responses[QString::fromUtf8(line.mid(8, 3))];
                    else if (!line.isEmpty())
                        ++requests[QString::fromUtf8(line.left(std::max<qsizetype>(0, line.indexOf(' '))).left(32))];
                    break;
                }
                case Kind::SctpRetransmission: ++sctpRetrans; break;
                case Kind::SctpAbandon: ++abandoned; break;
                case Kind::SctpForwardTsn: ++forwardTsn; break;
                case Kind::LinkDrop: ++drops; break;
                case Kind::Error: ++errors; break;
                case Kind::SctpChunk: ++chunks[QString::number(e.a)]; break;
                default: break;
                }
                if (e.kind >= Kind::SctpPacket && e.kind <= Kind::SctpNotification && e.object)
                    associations.insert(e.object);
            },
            &info, !raw);
        if (rc)
            return rc;
        out(QStringLiteral("file:            %1 (%2)").arg(path, info.format));
        out(QStringLiteral("events:          %1").arg(total));
        if (total) {
            const QDateTime start = QDateTime::fromMSecsSinceEpoch(trace::net::satAdd(info.epochNs, first) / 1000000, Qt::UTC);
            out(QStringLiteral("span:            %1 s .. %2 s (%3 s), from %4")
                    .arg(seconds(first), seconds(last), seconds(trace::net::satAdd(last, -std::max(first, -std::numeric_limits<qint64>::max()))),
                        start.toString(Qt::ISODateWithMs)));
        }
        out(QStringLiteral("by kind:"));
        for (auto it = kinds.cbegin(); it != kinds.cend(); ++it)
            out(QStringLiteral("  %1 %2").arg(it.key(), -24).arg(it.value(), 10));
        if (!requests.isEmpty()) {
            out(QStringLiteral("SIP requests:"));
            for (auto it = requests.cbegin(); it != requests.cend(); ++it)
                out(QStringLiteral("  %1 %2").arg(it.key(), -24).arg(it.value(), 10));
        }
        if (!responses.isEmpty()) {
            out(QStringLiteral("SIP responses:"));
            for (auto it = responses.cbegin(); it != responses.cend(); ++it)
                out(QStringLiteral("  %1 %2").arg(it.key(), -24).arg(it.value(), 10));
        }
        out(QStringLiteral("SIP transactions: %1").arg(transactions.size()));
        out(QStringLiteral("SCTP associations: %1").arg(associations.size()));
        out(QStringLiteral("retransmissions: SIP %1, SCTP %2").arg(sipRetrans).arg(sctpRetrans));
        out(QStringLiteral("abandoned (PR-SCTP): %1; FORWARD-TSN: %2").arg(abandoned).arg(forwardTsn));
        out(QStringLiteral("lab link drops: %1; errors: %2").arg(drops).arg(errors));
        for (const QString& line : std::as_const(info.tables))
            out(line);
        if (!info.problem.isEmpty()) {
            err(QStringLiteral("ladderctl trace stats: %1: damaged part-way (counts cover what came before): %2")
                    .arg(path, info.problem));
            return 1;
        }
        return 0;
    }

    int run(const QStringList& args)
    {
        if (args.isEmpty()) {
            err(QStringLiteral("ladderctl trace: show or stats? (ladderctl trace --help)"));
            return 2;
        }
        const QString sub = args.first();
        if (sub == QLatin1String("show"))
            return show(args.mid(1));
        if (sub == QLatin1String("stats"))
            return stats(args.mid(1));
        err(QStringLiteral("ladderctl trace: unknown subcommand '%1' (show, stats)").arg(sub));
        return 2;
    }

    const Registration reg { { QStringLiteral("trace"), QStringLiteral("Show or summarise a saved journal or a capture"),
        QStringLiteral("show FILE [--kind PREFIX] [--limit N] [--raw] [--tls-keylog KEYLOG] | stats FILE [--raw] [--tls-keylog KEYLOG]\n\n"
                       "FILE is a JSON Lines journal (.jsonl), a LadderLab session file, a pcap or a pcapng.\n"
                       "show: one line per event: seq, time (s), kind, dir, from \u2192 to, text.\n"
                       "  --kind PREFIX  only kinds starting with PREFIX (sip., sctp.chunk, lab.…)\n"
                       "  --limit N      at most N events\n"
                       "stats: counts per kind, SIP requests by method and responses by status, transactions,\n"
                       "  associations, retransmissions, PR-SCTP abandons, time span.\n"
                       "A capture is reconstructed like sngrep does: SIP transactions (RFC 3261 states, timers\n"
                       "inferred from retransmissions and silences), dialogs (early/confirmed/terminated, forks)\n"
                       "and SCTP associations (handshake, shutdown/abort, tags, streams, TSNs, FORWARD-TSN).\n"
                       "show merges the state changes into the events and ends with tables of them; stats\n"
                       "ends with the tables. A capture holding both ends' copies of each packet (direction\n"
                       "flags Tx and Rx, like LadderLab's own export) has the far-end copies told apart from\n"
                       "retransmissions.\n"
                       "  --raw          the events as read, no reconstruction\n"
                       "  --tls-keylog KEYLOG  decrypt SIP over TLS 1.2/1.3 in a capture with an SSLKEYLOGFILE (NSS key\n"
                       "                 log format: what Wireshark reads, openssl -keylogfile and SSLKEYLOGFILE write);\n"
                       "                 AES-GCM and ChaCha20-Poly1305 suites; connections left encrypted are counted\n"
                       "                 in a warning that says why\n"
                       "Exit status: 0 success, 1 unreadable or damaged file (what was readable is still\n"
                       "printed), 2 usage error."),
        run } };

} // namespace
} // namespace ladder::ctl
