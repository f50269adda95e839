// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sip --to udp|tcp|sctp:HOST:PORT [--stateful] [--dialog-on-fork] FILE|-
// Sends one SIP message from a file (or stdin) over a real socket with the stack's send call
// (sip_sendmsg(3SIP) semantics) and prints what happened: the message sent, transaction state
// changes, retransmissions, responses, and the errno name with its reason on failure.
#include "command.h"
#include "sipsctp.h"
#include "transports.h"
#include "host/stack.h"
#include "sctp/udptransport.h"
#include "sip/message/parser.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <cstdio>

using namespace ladder;
using namespace ladder::ctl;

namespace ladder::ctl {
// ladderctl listen sip (cmd_listen_sip.cpp).
int listenSip(const QStringList& args);
}

namespace {

const char* kUsage
    = "Usage: ladderctl send sip --to udp|tcp|sctp:HOST:PORT [--stateful] [--dialog-on-fork] [--from HOST[:PORT]]\n"
      "                          [--udp-port N] [--wait SECONDS] [--quiet] FILE|-\n"
      "Sends the SIP message in FILE (- = stdin) to HOST:PORT over a real socket (loopback by default)\n"
      "and prints what happened. --stateful creates a client transaction (SIP_SEND_STATEFUL):\n"
      "retransmissions and timers per RFC 3261, responses matched to it; without it the message is\n"
      "sent once, statelessly. --dialog-on-fork: every forked 1xx/2xx with a new To tag gets its\n"
      "own dialog. A Via is added when the message has none. A 2xx to an INVITE is acknowledged.\n"
      "--from: the local address to bind (default 127.0.0.1, or ::1 for an IPv6 peer, any port).\n"
      "sctp: SIP over SCTP (RFC 4168) in RFC 6951 UDP encapsulation; PORT is the SCTP port, --udp-port\n"
      "the peer's encapsulation port (default 9899).\n"
      "An ACK has no transaction of its own (RFC 3261): with --stateful it is sent statelessly, with a\n"
      "note, and the command returns once it is sent.\n"
      "--wait: how long to wait for responses (default: until the transaction ends; 2 s when stateless).\n"
      "Exit status: 0 sent and (stateful) answered with 2xx; 1 send error, timeout or non-2xx; 2 usage.";

QString line(const trace::Event& e)
{
    const QString t = QString::number(double(e.timeNs) / 1e9, 'f', 3);
    switch (e.kind) {
    case trace::Kind::SipMessage:
        return QStringLiteral("%1 %2 %3 %4").arg(t, e.dir == trace::Dir::Tx ? QStringLiteral("->") : QStringLiteral("<-"),
            e.text, e.object ? QStringLiteral("(transaction %1)").arg(e.object) : QString());
    case trace::Kind::SipRetransmission:
        return QStringLiteral("%1 -> %2 (retransmission %3, transaction %4)").arg(t, e.text).arg(e.c).arg(e.object);
    case trace::Kind::TransactionState:
        return QStringLiteral("%1 transaction %2: %3").arg(t).arg(e.object).arg(e.text);
    case trace::Kind::DialogState:
        return QStringLiteral("%1 dialog %2: %3").arg(t).arg(e.object).arg(e.text);
    case trace::Kind::TimerFired:
        return QStringLiteral("%1 timer %2 fired (transaction %3)").arg(t, e.text).arg(e.object);
    case trace::Kind::Error:
        return QStringLiteral("%1 error: %2").arg(t, e.text);
    case trace::Kind::ConnectionState:
        return QStringLiteral("%1 connection %2 %3").arg(t).arg(e.object).arg(e.text);
    default:
        return {};
    }
}

int run(const QStringList& args)
{
    QString to, file, from;
    bool stateful = false, onFork = false, quiet = false;
    double wait = -1;
    quint16 udpPort = sctp::UdpTransport::kDefaultPort;
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        if (a == QLatin1String("--to") && i + 1 < args.size())
            to = args[++i];
        else if (a == QLatin1String("--from") && i + 1 < args.size())
            from = args[++i];
        else if (a == QLatin1String("--udp-port") && i + 1 < args.size())
            udpPort = quint16(args[++i].toUInt());
        else if (a == QLatin1String("--wait") && i + 1 < args.size())
            wait = args[++i].toDouble();
        else if (a == QLatin1String("--stateful"))
            stateful = true;
        else if (a == QLatin1String("--dialog-on-fork"))
            onFork = true;
        else if (a == QLatin1String("--quiet"))
            quiet = true;
        else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            say(QString::fromLatin1(kUsage));
            return 0;
        } else if (file.isEmpty() && (!a.startsWith(QLatin1Char('-')) || a == QLatin1String("-")))
            file = a;
        else {
            err(QStringLiteral("send sip: unexpected argument '%1'\n").arg(a) + QString::fromLatin1(kUsage));
            return 2;
        }
    }
    const qsizetype colon = to.indexOf(QLatin1Char(':'));
    if (to.isEmpty() || file.isEmpty() || colon < 0) {
        err(QString::fromLatin1(kUsage));
        return 2;
    }
    const QString proto = to.left(colon).toLower();
    sip::HostPort remote;
    if (!sip::HostPort::parse(to.mid(colon + 1), &remote)) {
        err(QStringLiteral("send sip: '%1' is not HOST:PORT").arg(to.mid(colon + 1)));
        return 2;
    }
    if (proto != QLatin1String("udp") && proto != QLatin1String("tcp") && proto != QLatin1String("sctp")) {
        err(QStringLiteral("send sip: transport '%1' is not udp, tcp or sctp").arg(proto));
        return 2;
    }

    QFile f;
    const bool ok = file == QLatin1String("-") ? f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(file), f.open(QIODevice::ReadOnly));
    if (!ok) {
        err(QStringLiteral("send sip: cannot read %1: %2").arg(file, f.errorString()));
        return 1;
    }
    QByteArray bytes = f.readAll();
    // Files written by hand often have bare LF line ends; SIP needs CRLF.
    if (!bytes.contains("\r\n"))
        bytes.replace("\n", "\r\n");
    sip::ParseResult parsed = sip::parse(bytes);
    if (!parsed.ok) {
        err(QStringLiteral("send sip: %1 is not a SIP message: %2").arg(file, parsed.error));
        return 1;
    }

    Stack engineStack(Scheduler::Mode::Real);
    trace::Journal& journal = engineStack.journal();
    SipSctpCarrier sctpCarrier(engineStack);
    journal.setAppendHook([quiet](const trace::Event& e) {
        if (quiet && e.kind != trace::Kind::Error)
            return;
        const QString l = line(e);
        if (!l.isEmpty())
            say(l);
    });
    sip::SipStack stack(engineStack.scheduler(), &journal);
    sip::HostPort local { from.isEmpty() ? (remote.host.contains(QLatin1Char(':')) ? QStringLiteral("::1")
                                                                                 : QStringLiteral("127.0.0.1"))
                                         : from,
        0 };
    if (!from.isEmpty())
        sip::HostPort::parse(from, &local, 0);
    QString error;
    if (proto == QLatin1String("udp")) {
        auto t = std::make_unique<sip::UdpTransport>();
        if (!t->bind(local, &error)) {
            err(QStringLiteral("send sip: ") + error);
            return 1;
        }
        stack.addTransport(std::move(t));
    } else if (proto == QLatin1String("tcp")) {
        auto t = std::make_unique<sip::TcpTransport>();
        if (!t->listen(local, &error)) {
            err(QStringLiteral("send sip: ") + error);
            return 1;
        }
        stack.addTransport(std::move(t));
    } else {
        if (sctpCarrier.addTo(stack, local.host, 0, udpPort, 0, &error).isEmpty()) {
            err(QStringLiteral("send sip: ") + error);
            return 1;
        }
    }
    const auto c = stack.connect(proto == QLatin1String("udp") ? sip::TransportType::Udp
            : proto == QLatin1String("tcp")                    ? sip::TransportType::Tcp
                                                               : sip::TransportType::Sctp,
        remote, &error);
    if (!c) {
        err(QStringLiteral("send sip: ") + error);
        return 1;
    }

    int exitCode = 1;
    quint64 tx = 0;
    bool done = false;
    auto finish = [&](int code) {
        if (done)
            return;
        done = true;
        exitCode = code;
        QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
    };
    QObject::connect(&stack, &sip::SipStack::responseReceived, &stack, [&](const sip::Incoming& in) {
        const int status = in.message.statusCode();
        if (in.transaction != tx || status < 200)
            return;
        if (status < 300 && in.message.transactionMethod() == "INVITE" && in.dialog)
            stack.ackTwoHundred(in.dialog, in.message.cseq()->number);
        if (!quiet)
            say(QStringLiteral("final response: %1 %2").arg(status).arg(QString::fromUtf8(in.message.reasonPhrase().toByteArray())));
        if (wait < 0)
            finish(status < 300 ? 0 : 1);
        else
            exitCode = status < 300 ? 0 : 1;
    });
    QObject::connect(&stack, &sip::SipStack::transactionTimedOut, &stack, [&](quint64 id, const QString& timer) {
        if (id == tx) {
            err(QStringLiteral("send sip: ETIMEDOUT: Timer %1 fired: no final response").arg(timer));
            finish(1);
        }
    });
    QObject::connect(&stack, &sip::SipStack::transactionFailed, &stack, [&](quint64 id, const QString& why) {
        if (id == tx) {
            err(QStringLiteral("send sip: EIO: ") + why);
            finish(1);
        }
    });

    sip::SendFlags flags;
    if (stateful)
        flags |= sip::SendFlag::Stateful;
    if (onFork)
        flags |= sip::SendFlag::DialogOnFork;
    const bool isRequest = parsed.message.isRequest();
    const sip::SendResult r = stack.send(c, parsed.message, 0, flags);
    if (!r.ok()) {
        err(QStringLiteral("send sip: %1: %2").arg(QString::fromLatin1(r.errnoName), r.reason));
        return 1;
    }
    tx = r.transaction;
    if (!r.note.isEmpty() && !quiet)
        say(QStringLiteral("note: ") + r.note);
    // An ACK gets no response (and has no transaction, stateful or not): done once it is sent.
    const bool isAck = isRequest && parsed.message.method() == "ACK";
    const bool awaitFinal = stateful && isRequest && !isAck;
    if (!awaitFinal)
        exitCode = 0;
    const double waitSeconds = wait >= 0 ? wait : (awaitFinal ? 3600.0 : isAck ? 0.0 : 2.0);
    QTimer::singleShot(qint64(waitSeconds * 1000), qApp, [&] { finish(exitCode); });
    QCoreApplication::exec();
    if (awaitFinal && !quiet) {
        for (const sip::TransactionSnapshot& s : stack.transactionSnapshots())
            if (s.id == tx)
                say(QStringLiteral("transaction %1 (%2): %3, %4 retransmission(s), last status %5")
                        .arg(s.id)
                        .arg(s.kind, s.state)
                        .arg(s.retransmissions)
                        .arg(s.lastStatus));
    }
    return exitCode;
}

// The options after "ladderctl send sip" / "ladderctl listen sip".
const char* kSendOptions = "--to udp|tcp|sctp:HOST:PORT [--stateful] [--dialog-on-fork] FILE|-";
const char* kListenOptions = "--on [udp:|tcp:|sctp:]HOST:PORT [--answer CODE] [--count N] [--duration S]";

const TransportRegistration reg { { QStringLiteral("sip"), QString::fromLatin1(kSendOptions),
    QString::fromLatin1(kListenOptions), run, listenSip } };

} // namespace
