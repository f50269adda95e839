// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sctp / listen sctp: the SCTP stack over real RFC 6951 UDP encapsulation sockets
// (loopback by default). Every call is sctp_sendmsg(3) through the same Engine the GUI drives;
// what happened is printed as it happens, errors with their errno name.
#include "cmd_sctp_mh.h"
#include "command.h"
#include "host/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/udptransport.h"
#include "journal/journal.h"
#include "transports.h"

#include <QtEndian>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QThread>
#include <QTimer>

#include <csignal>

namespace ladder::ctl {
namespace {

    using namespace ladder::sctp;

    const QString kSendUsage = QStringLiteral(
        "--to HOST:PORT[,HOST:PORT…] [--stream N] [--ppid N] [--unordered] [--eof] [--abort] [--addr-over HOST:PORT] [--sendall] "
        "[--pr ttl:MS|buf:BYTES|rtx:N|prio:P] [--context N] [--udp-port P] [--bind ADDR[:PORT]] [--wait MS] DATA|--file F");
    const QString kListenUsage
        = QStringLiteral("--on HOST:PORT[,HOST:PORT…] [--udp-port P] [--echo] [--count N] [--duration S]");

    // Runs the event loop until pred() holds or ms pass.
    bool spinUntil(const std::function<bool()>& pred, int ms)
    {
        QDeadlineTimer deadline(ms);
        while (!pred() && !deadline.hasExpired()) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QThread::msleep(1);
        }
        return pred();
    }

    // Prints the journal's SCTP story as it grows (chunks, notifications, abandons, errors).
    struct Printer {
        trace::Journal& journal;
        quint64 next = 0;
        bool chunks = true;
        void flush()
        {
            const quint64 n = journal.count();
            journal.forEach(next, n - next, [&](const trace::Event& e) {
                const QString t = QStringLiteral("%1 ms").arg(double(e.timeNs) / 1e6, 9, 'f', 3);
                switch (e.kind) {
                case trace::Kind::SctpChunk:
                    if (chunks)
                        out(QStringLiteral("%1  %2 %3").arg(t, e.dir == trace::Dir::Tx ? QStringLiteral("→") : QStringLiteral("←"), e.text));
                    break;
                case trace::Kind::SctpRetransmission:
                case trace::Kind::SctpAbandon:
                case trace::Kind::SctpForwardTsn:
                case trace::Kind::SctpNotification:
                case trace::Kind::AssociationState:
                case trace::Kind::UserAction:
                    out(QStringLiteral("%1  [%2] %3").arg(t, QString::fromLatin1(trace::kindName(e.kind)), e.text));
                    break;
                case trace::Kind::Error:
                    err(QStringLiteral("%1  error %2").arg(t, e.text));
                    break;
                case trace::Kind::Log:
                    if (e.a >= 2)
                        err(QStringLiteral("%1  warning: %2").arg(t, e.text));
                    break;
                default:
                    break;
                }
            });
            next = n;
        }
    };

    bool parseUInt(const QString& text, quint64 max, quint64* v)
    {
        bool ok = false;
        const qulonglong x = text.toULongLong(&ok, 0);
        if (!ok || x > max)
            return false;
        *v = x;
        return true;
    }

    int sendSctp(const QStringList& args)
    {
        QCommandLineParser p;
        p.addOptions({
            { QStringLiteral("to"),
                QStringLiteral("Peer HOST:PORT (SCTP port). Several, comma-separated, are sctp_sendmsgx(3): one association "
                               "set up to all of them, each a path, the message on its COOKIE-ECHO (run by the "
                               "ladderlab-sctp-mh helper: chunks are not printed)."),
                QStringLiteral("HOST:PORT[,…]") },
            { QStringLiteral("stream"), QStringLiteral("Stream number."), QStringLiteral("N"), QStringLiteral("0") },
            { QStringLiteral("ppid"),
                QStringLiteral("Payload protocol identifier as Wireshark shows it on the wire (ladderctl puts it in network "
                               "byte order: sctp_sendmsg(3) passes the value without regard to byte order)."),
                QStringLiteral("N"), QStringLiteral("0") },
            { QStringLiteral("unordered"), QStringLiteral("SCTP_UNORDERED.") },
            { QStringLiteral("eof"), QStringLiteral("SCTP_EOF: graceful shutdown after this message.") },
            { QStringLiteral("abort"), QStringLiteral("SCTP_ABORT: abort the association (DATA is the reason).") },
            { QStringLiteral("addr-over"), QStringLiteral("SCTP_ADDR_OVER to this peer address."), QStringLiteral("HOST:PORT") },
            { QStringLiteral("sendall"), QStringLiteral("SCTP_SENDALL: every association of the endpoint.") },
            { QStringLiteral("sack-immediately"), QStringLiteral("SCTP_SACK_IMMEDIATELY.") },
            { QStringLiteral("pr"), QStringLiteral("PR-SCTP policy: ttl:MS, buf:BYTES (sctp_sendmsg(3): with BYTES or more queued, older BUF messages are abandoned), rtx:N, or prio:P (RFC 7496 priority: a full send buffer drops queued messages of a higher value first)."), QStringLiteral("POLICY:VALUE") },
            { QStringLiteral("context"), QStringLiteral("Context value reported if the message is abandoned."), QStringLiteral("N"), QStringLiteral("0") },
            { QStringLiteral("udp-port"), QStringLiteral("Peer's UDP encapsulation port."), QStringLiteral("P"), QStringLiteral("9899") },
            { QStringLiteral("bind"), QStringLiteral("Local UDP address[:port]."), QStringLiteral("ADDR"), QStringLiteral("127.0.0.1:0") },
            { QStringLiteral("wait"), QStringLiteral("How long to wait for replies, ms."), QStringLiteral("MS"), QStringLiteral("1000") },
            { QStringLiteral("file"), QStringLiteral("Send this file's bytes."), QStringLiteral("F") },
            { QStringLiteral("quiet"), QStringLiteral("Do not print chunks.") },
        });
        if (args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"))) {
            out(QStringLiteral("Usage: ladderctl send sctp %1").arg(kSendUsage));
            return 0;
        }
        if (!p.parse(QStringList { QStringLiteral("ladderctl send sctp") } + args)) {
            err(QStringLiteral("ladderctl send sctp: %1\nUsage: ladderctl send sctp %2").arg(p.errorText(), kSendUsage));
            return 2;
        }
        auto usage = [](const QString& why) {
            err(QStringLiteral("ladderctl send sctp: %1\nUsage: ladderctl send sctp %2").arg(why, kSendUsage));
            return 2;
        };
        if (!p.isSet(QStringLiteral("to")))
            return usage(QStringLiteral("--to HOST:PORT is required"));
        QString listWhy;
        const auto toList = parseAddressList(p.value(QStringLiteral("to")), &listWhy);
        if (!toList)
            return usage(QStringLiteral("--to: %1").arg(listWhy));
        const std::optional<Address> to = toList->first();
        QByteArray data;
        if (p.isSet(QStringLiteral("file"))) {
            QFile f(p.value(QStringLiteral("file")));
            if (!f.open(QIODevice::ReadOnly))
                return usage(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
            data = f.readAll();
        } else if (!p.positionalArguments().isEmpty()) {
            data = p.positionalArguments().join(QLatin1Char(' ')).toUtf8();
        } else if (!p.isSet(QStringLiteral("abort")) && !p.isSet(QStringLiteral("eof"))) {
            return usage(QStringLiteral("give DATA or --file F"));
        }
        SendInfo info;
        quint64 v = 0;
        if (!parseUInt(p.value(QStringLiteral("stream")), 65535, &v))
            return usage(QStringLiteral("--stream takes 0..65535"));
        info.stream = quint16(v);
        if (!parseUInt(p.value(QStringLiteral("ppid")), 0xffffffffu, &v))
            return usage(QStringLiteral("--ppid takes a 32-bit number"));
        info.ppid = qToBigEndian(quint32(v)); // N as on the wire: the API passes the 32 bits as given
        if (!parseUInt(p.value(QStringLiteral("context")), 0xffffffffu, &v))
            return usage(QStringLiteral("--context takes a 32-bit number"));
        info.context = quint32(v);
        if (p.isSet(QStringLiteral("unordered")))
            info.flags |= flag::Unordered;
        if (p.isSet(QStringLiteral("eof")))
            info.flags |= flag::Eof;
        if (p.isSet(QStringLiteral("abort")))
            info.flags |= flag::Abort;
        if (p.isSet(QStringLiteral("sendall")))
            info.flags |= flag::SendAll;
        if (p.isSet(QStringLiteral("sack-immediately")))
            info.flags |= flag::SackImmediately;
        if (p.isSet(QStringLiteral("pr"))) {
            const QStringList pr = p.value(QStringLiteral("pr")).split(QLatin1Char(':'));
            const QString kind = pr.value(0).toLower();
            const PrPolicy policy = kind == QLatin1String("ttl") ? PrPolicy::Ttl
                : kind == QLatin1String("buf")                  ? PrPolicy::Buf
                : kind == QLatin1String("rtx")                  ? PrPolicy::Rtx
                : kind == QLatin1String("prio")                 ? PrPolicy::Prio
                                                                : PrPolicy::None;
            if (pr.size() != 2 || policy == PrPolicy::None || !parseUInt(pr[1], 0xffffffffu, &v))
                return usage(QStringLiteral("--pr takes ttl:MS, buf:BYTES, rtx:N or prio:P"));
            info.setPolicy(policy, quint32(v));
        }
        std::optional<Address> over;
        if (p.isSet(QStringLiteral("addr-over"))) {
            over = Address::parse(p.value(QStringLiteral("addr-over")));
            if (!over)
                return usage(QStringLiteral("--addr-over takes HOST:PORT"));
            info.flags |= flag::AddrOver;
        }
        if (!parseUInt(p.value(QStringLiteral("udp-port")), 65535, &v) || v == 0)
            return usage(QStringLiteral("--udp-port takes 1..65535"));
        const quint16 peerUdp = quint16(v);
        const QString bindText = p.value(QStringLiteral("bind"));
        const auto bind = Address::parse(bindText.contains(QLatin1Char(':')) ? bindText : bindText + QStringLiteral(":0"));
        if (!bind)
            return usage(QStringLiteral("--bind takes ADDR[:PORT]"));
        if (!parseUInt(p.value(QStringLiteral("wait")), 600000, &v))
            return usage(QStringLiteral("--wait takes milliseconds"));
        const int waitMs = int(v);

        if (toList->size() > 1) {
            // sctp_sendmsgx(3) with several addresses: AF_CONN cannot (one path per association),
            // the helper's real UDP encapsulation can.
            if (info.flags & (flag::Abort | flag::AddrOver | flag::SendAll))
                return usage(QStringLiteral("--abort, --addr-over and --sendall act on an association that exists; with several "
                                            "--to addresses the message itself sets the association up (sctp_sendmsgx)"));
            if (info.policy() == PrPolicy::Buf)
                return usage(QStringLiteral("--pr buf (sctp_sendmsg(3)'s byte threshold) is built into LadderLab's own endpoints, "
                                            "which have one path; with several addresses use ttl, rtx or prio"));
            if (p.isSet(QStringLiteral("bind")))
                return usage(QStringLiteral("--bind is for one address; with several, the local addresses are the loopbacks of "
                                            "the listed families (all loopback) or all of this host's"));
            return sendSctpMultiHomed(*toList, info, data, peerUdp, waitMs);
        }

        Stack stack;
        Engine engine(stack);
        Printer printer { stack.journal() };
        printer.chunks = !p.isSet(QStringLiteral("quiet"));
        UdpTransport udp(engine);
        if (auto b = udp.bind(QHostAddress(bind->host), bind->port); !b) {
            printer.flush();
            return 1;
        }
        udp.setPeerUdpPort(peerUdp);
        out(QStringLiteral("UDP encapsulation %1:%2 → %3 (UDP %4)").arg(udp.udpAddress().toString()).arg(udp.udpPort()).arg(to->toString()).arg(peerUdp));
        Endpoint* ep = engine.socket(Style::OneToMany, udp);
        int rc = 0;
        // Flags that act on an existing association need one first; plain sends set it up
        // implicitly (the data rides on COOKIE-ECHO).
        const bool needsAssociation = info.flags & (flag::Abort | flag::AddrOver | flag::SendAll);
        if (needsAssociation) {
            auto id = ep->connect(*to);
            if (!id || !spinUntil([&] { return engine.association(*id) && engine.association(*id)->state == QStringLiteral("ESTABLISHED"); }, 5000)) {
                printer.flush();
                err(QStringLiteral("ladderctl send sctp: no association with %1").arg(to->toString()));
                return 1;
            }
            printer.flush();
        }
        info.to = (info.flags & flag::AddrOver) ? over : std::optional<Address>(*to);
        if (info.flags & flag::SendAll)
            info.to.reset();
        auto r = ep->send(data, info);
        printer.flush();
        if (!r) {
            err(QStringLiteral("ladderctl send sctp: %1").arg(r.error().text()));
            rc = 1;
        } else {
            out(QStringLiteral("sent %1 bytes").arg(*r));
            bool dry = false;
            QObject::connect(ep, &Endpoint::notification, ep, [&](quint64, int type, const QString&) {
                if (type == 0x000a) // SCTP_SENDER_DRY_EVENT
                    dry = true;
            });
            spinUntil([&] {
                printer.flush();
                while (ep->hasMessages()) {
                    auto m = ep->receive();
                    out(QStringLiteral("received %1 bytes from %2 on stream %3, PPID %4: %5")
                            .arg(m->data.size())
                            .arg(m->from.toString())
                            .arg(m->stream)
                            .arg(qFromBigEndian(m->ppid))
                            .arg(QString::fromUtf8(m->data.left(200))));
                }
                return false;
            }, waitMs);
            if (!dry && !(info.flags & flag::Abort))
                out(QStringLiteral("note: not everything sent was acknowledged within %1 ms").arg(waitMs));
        }
        for (quint64 id : ep->associations())
            if (auto a = engine.association(id))
                out(QStringLiteral("association %1: %2, %3 retransmissions, %4 abandoned, PR-SCTP %5")
                        .arg(id)
                        .arg(a->state)
                        .arg(a->retransmissions)
                        .arg(a->abandoned)
                        .arg(a->prSupported ? QStringLiteral("negotiated") : QStringLiteral("not supported by the peer")));
        ep->close(); // graceful SHUTDOWN of what is left
        spinUntil([] { return false; }, 200);
        printer.flush();
        return rc;
    }

    volatile std::sig_atomic_t g_stop = 0;

    int listenSctp(const QStringList& args)
    {
        QCommandLineParser p;
        p.addOptions({
            { QStringLiteral("on"),
                QStringLiteral("Local HOST:PORT (SCTP port). Several, comma-separated (one port), make a multi-homed "
                               "listener: each address a path (run by the ladderlab-sctp-mh helper)."),
                QStringLiteral("HOST:PORT[,…]"), QStringLiteral("127.0.0.1:5000") },
            { QStringLiteral("udp-port"), QStringLiteral("Local UDP encapsulation port."), QStringLiteral("P"), QStringLiteral("9899") },
            { QStringLiteral("echo"), QStringLiteral("Send every message back.") },
            { QStringLiteral("count"), QStringLiteral("Exit after N messages."), QStringLiteral("N"), QStringLiteral("0") },
            { QStringLiteral("duration"), QStringLiteral("Exit after S seconds (0 = until interrupted)."), QStringLiteral("S"), QStringLiteral("0") },
            { QStringLiteral("quiet"), QStringLiteral("Do not print chunks.") },
        });
        if (args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"))) {
            out(QStringLiteral("Usage: ladderctl listen sctp %1").arg(kListenUsage));
            return 0;
        }
        if (!p.parse(QStringList { QStringLiteral("ladderctl listen sctp") } + args)) {
            err(QStringLiteral("ladderctl listen sctp: %1\nUsage: ladderctl listen sctp %2").arg(p.errorText(), kListenUsage));
            return 2;
        }
        QString listWhy;
        const auto onList = parseAddressList(p.value(QStringLiteral("on")), &listWhy);
        if (!onList) {
            err(QStringLiteral("ladderctl listen sctp: --on: %1\nUsage: ladderctl listen sctp %2").arg(listWhy, kListenUsage));
            return 2;
        }
        const std::optional<Address> on = onList->first();
        quint64 udpPort = 0, count = 0, duration = 0;
        if (!on || !parseUInt(p.value(QStringLiteral("udp-port")), 65535, &udpPort)
            || !parseUInt(p.value(QStringLiteral("count")), 1u << 30, &count)
            || !parseUInt(p.value(QStringLiteral("duration")), 86400, &duration)) {
            err(QStringLiteral("ladderctl listen sctp: bad arguments\nUsage: ladderctl listen sctp %1").arg(kListenUsage));
            return 2;
        }
        if (onList->size() > 1)
            return listenSctpMultiHomed(*onList, quint16(udpPort), p.isSet(QStringLiteral("echo")), count, duration);
        Stack stack;
        Engine engine(stack);
        Printer printer { stack.journal() };
        printer.chunks = !p.isSet(QStringLiteral("quiet"));
        UdpTransport udp(engine);
        if (!udp.bind(QHostAddress(on->host), quint16(udpPort))) {
            printer.flush();
            return 1;
        }
        Endpoint* ep = engine.socket(Style::OneToMany, udp);
        if (!ep->bind(on->port) || !ep->listen()) {
            printer.flush();
            return 1;
        }
        say(QStringLiteral("listening on SCTP port %1 over UDP %2:%3").arg(on->port).arg(udp.udpAddress().toString()).arg(udp.udpPort()));
        std::signal(SIGINT, [](int) { g_stop = 1; });
        std::signal(SIGTERM, [](int) { g_stop = 1; });
        quint64 received = 0;
        QDeadlineTimer deadline = duration ? QDeadlineTimer(qint64(duration) * 1000) : QDeadlineTimer(QDeadlineTimer::Forever);
        while (!g_stop && !deadline.hasExpired() && (count == 0 || received < count)) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QThread::msleep(1);
            printer.flush();
            while (ep->hasMessages()) {
                auto m = ep->receive();
                ++received;
                out(QStringLiteral("received %1 bytes from %2 (association %3) on stream %4, PPID %5%6: %7")
                        .arg(m->data.size())
                        .arg(m->from.toString())
                        .arg(m->association)
                        .arg(m->stream)
                        .arg(qFromBigEndian(m->ppid))
                        .arg(m->unordered ? QStringLiteral(", unordered") : QString())
                        .arg(QString::fromUtf8(m->data.left(200))));
                if (p.isSet(QStringLiteral("echo"))) {
                    SendInfo back;
                    back.association = m->association;
                    back.stream = m->stream;
                    back.ppid = m->ppid;
                    if (m->unordered)
                        back.flags |= flag::Unordered;
                    if (auto r = ep->send(m->data, back); !r)
                        err(QStringLiteral("echo failed: %1").arg(r.error().text()));
                }
            }
        }
        spinUntil([] { return false; }, 300); // let the last echoes and SACKs go out
        printer.flush();
        ep->close();
        spinUntil([] { return false; }, 100);
        printer.flush();
        out(QStringLiteral("%1 messages received").arg(received));
        return 0;
    }

    const TransportRegistration reg { { QStringLiteral("sctp"), kSendUsage, kListenUsage, sendSctp, listenSctp } };

} // namespace
} // namespace ladder::ctl
