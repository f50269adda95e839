// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sip --to udp|tcp|sctp|tls|ws|wss:HOST:PORT[/path] [--stateful] [--dialog-on-fork] FILE|-
// Sends one SIP message from a file (or stdin) over a real socket with the stack's send call
// (sip_sendmsg(3SIP) semantics) and prints what happened: the message sent, transaction state
// changes, retransmissions, responses, and the errno name with its reason on failure.
// --auth USER[:PASSWORD]: a 401/407 is answered once with digest credentials (stack/sip/auth).
// tls:, ws:, wss: (sipstreams.h): --ca FILE trusts that CA, --insecure trusts any certificate.
#include "command.h"
#include "sipsctp.h"
#include "sipstreams.h"
#include "transports.h"
#include "host/stack.h"
#include "sctp/udptransport.h"
#include "capture/hep/hepexporter.h"
#include "sip/auth/reauth.h"
#include "sip/message/parser.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QTimer>

#include <optional>

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
      "                          [--udp-port N] [--wait SECONDS] [--quiet] [--auth USER[:PASSWORD]]\n"
      "                          [--hep-to [udp:|tcp:]HOST:PORT [--hep-id N]] FILE|-\n"
      "       ladderctl send sip --to tls:HOST:PORT|ws:HOST:PORT[/PATH]|wss:HOST:PORT[/PATH] [--ca FILE | --insecure] …\n"
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
      "tls: SIP over TLS (RFC 3261 §26); ws:, wss: SIP over WebSocket (RFC 7118, subprotocol sip; PATH\n"
      "default /). The server's certificate must be valid for HOST and signed by a CA the system trusts\n"
      "or by --ca FILE (PEM; a self-signed server's own certificate will do); otherwise the command fails\n"
      "with the reason (expired, name mismatch, unknown CA). --insecure: trust any certificate (the\n"
      "reason is still printed).\n"
      "--auth USER[:PASSWORD]: digest authentication (RFC 3261, RFC 7616: MD5, SHA-256, their -sess\n"
      "forms, qop=auth); implies --stateful. A 401 (407) is answered by resending the request with\n"
      "Authorization (Proxy-Authorization): CSeq + 1, same Call-ID and From tag, a new Via branch.\n"
      "Of several challenges the strongest is answered (SHA-256 before MD5). Credentials challenged\n"
      "again end the command with an error, unless the new challenge says stale=true (once). Without\n"
      ":PASSWORD the password is read from the environment variable LADDERLAB_AUTH_PASSWORD (which\n"
      "keeps it out of the process list).\n"
      "--hep-to TARGET: mirror every SIP message sent and received to a HEP collector as HEPv3 (Homer's\n"
      "heplify-server, ladderctl listen hep, sngrep -L), with the real addresses and times; --hep-id:\n"
      "the capture agent id (default 2001).\n"
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
    std::optional<QString> authArg;
    QString hepTarget;
    qint64 hepId = 2001;
    SipStreamOptions streamOptions;
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        QString optionError;
        if (takeSipStreamOption(args, &i, &streamOptions, &optionError)) {
            if (!optionError.isEmpty()) {
                err(QStringLiteral("send sip: ") + optionError);
                return 2;
            }
        } else if (a == QLatin1String("--to") && i + 1 < args.size())
            to = args[++i];
        else if (a == QLatin1String("--from") && i + 1 < args.size())
            from = args[++i];
        else if (a == QLatin1String("--udp-port") && i + 1 < args.size())
            udpPort = quint16(args[++i].toUInt());
        else if (a == QLatin1String("--wait") && i + 1 < args.size())
            wait = args[++i].toDouble();
        else if (a == QLatin1String("--auth") && i + 1 < args.size())
            authArg = args[++i];
        else if (a == QLatin1String("--hep-to") && i + 1 < args.size())
            hepTarget = args[++i];
        else if (a == QLatin1String("--hep-id") && i + 1 < args.size()) {
            bool ok = false;
            hepId = args[++i].toLongLong(&ok);
            if (!ok || hepId < 0 || hepId > 0xffffffffLL) {
                err(QStringLiteral("send sip: --hep-id takes a 32-bit number, not '%1'").arg(args[i]));
                return 2;
            }
        }
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
    const bool streamProto = isSipStreamProto(proto);
    QString hostPort = to.mid(colon + 1);
    if (proto == QLatin1String("ws") || proto == QLatin1String("wss"))
        hostPort = splitWsPath(hostPort, &streamOptions.path);
    sip::HostPort remote;
    if (!sip::HostPort::parse(hostPort, &remote)) {
        err(QStringLiteral("send sip: '%1' is not HOST:PORT").arg(hostPort));
        return 2;
    }
    if (proto != QLatin1String("udp") && proto != QLatin1String("tcp") && proto != QLatin1String("sctp") && !streamProto) {
        err(QStringLiteral("send sip: transport '%1' is not udp, tcp, sctp, tls, ws or wss").arg(proto));
        return 2;
    }
    if (streamOptions.tls.insecure && !streamOptions.tls.caFile.isEmpty()) {
        err(QStringLiteral("send sip: --ca and --insecure exclude each other"));
        return 2;
    }

    // --auth USER:PASSWORD, or USER with the password in LADDERLAB_AUTH_PASSWORD.
    std::optional<sip::auth::ChallengeAnswerer> digest;
    if (authArg) {
        const qsizetype sep = authArg->indexOf(QLatin1Char(':'));
        const QString user = sep < 0 ? *authArg : authArg->left(sep);
        QByteArray password;
        if (sep >= 0)
            password = authArg->mid(sep + 1).toUtf8();
        else if (qEnvironmentVariableIsSet("LADDERLAB_AUTH_PASSWORD"))
            password = qgetenv("LADDERLAB_AUTH_PASSWORD");
        else {
            err(QStringLiteral("send sip: --auth %1 has no password: give USER:PASSWORD or set LADDERLAB_AUTH_PASSWORD").arg(user));
            return 2;
        }
        if (user.isEmpty()) {
            err(QStringLiteral("send sip: --auth needs a user name (USER[:PASSWORD])"));
            return 2;
        }
        digest.emplace(user.toUtf8(), password);
        stateful = true;
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
    if (digest && (!parsed.message.isRequest() || parsed.message.method() == "ACK" || parsed.message.method() == "CANCEL")) {
        err(QStringLiteral("send sip: --auth answers challenges to a request; an ACK or CANCEL cannot be challenged "
                           "(RFC 3261 §22.1) and a response is not challenged"));
        return 2;
    }

    Stack engineStack(Scheduler::Mode::Real);
    trace::Journal& journal = engineStack.journal();
    SipSctpCarrier sctpCarrier(engineStack);
    // --hep-to: every SIP message sent and received, mirrored as a capture agent would.
    trace::hep::ExportOptions hep;
    trace::hep::Exporter mirror;
    if (!hepTarget.isEmpty()) {
        QString error;
        if (!trace::hep::parseTarget(hepTarget, &hep, &error)) {
            err(QStringLiteral("send sip: --hep-to: %1").arg(error));
            return 2;
        }
        hep.agentId = quint32(hepId);
        if (!mirror.start(hep, &error)) {
            err(QStringLiteral("send sip: %1").arg(error));
            return 1;
        }
        QObject::connect(&mirror, &trace::hep::Exporter::failed, &mirror,
            [](const QString& why) { err(QStringLiteral("send sip: hep: %1").arg(why)); });
    }
    // The wall-clock time of the journal's time 0, for the mirrored packets' timestamps.
    const qint64 epochNs = QDateTime::currentMSecsSinceEpoch() * 1000000 - engineStack.scheduler().nowNs();
    journal.setAppendHook([quiet, &mirror, epochNs, mirroring = !hepTarget.isEmpty()](const trace::Event& e) {
        if (mirroring)
            mirror.offer(e, epochNs);
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
    } else if (streamProto) {
        // It listens too, as for tcp: the Via then names an address of ours that accepts
        // connections. A TLS or WSS listener needs a certificate: a self-signed one will do.
        if (streamOptions.tls.certificateFile.isEmpty())
            streamOptions.tls.selfSigned = true;
        if (addSipStreamTransport(stack, proto, local, streamOptions, &error).isEmpty()) {
            err(QStringLiteral("send sip: ") + error);
            return 1;
        }
    } else {
        if (sctpCarrier.addTo(stack, local.host, 0, udpPort, 0, &error).isEmpty()) {
            err(QStringLiteral("send sip: ") + error);
            return 1;
        }
    }
    const auto c = stack.connect(streamProto              ? sipStreamType(proto)
            : proto == QLatin1String("udp") ? sip::TransportType::Udp
            : proto == QLatin1String("tcp") ? sip::TransportType::Tcp
                                            : sip::TransportType::Sctp,
        remote, &error);
    if (!c) {
        err(QStringLiteral("send sip: ") + error);
        return 1;
    }

    sip::SendFlags flags;
    if (stateful)
        flags |= sip::SendFlag::Stateful;
    if (onFork)
        flags |= sip::SendFlag::DialogOnFork;

    int exitCode = 1;
    quint64 tx = 0;
    bool done = false;
    // Digest: the request last sent (before the stack added a Via); the answerer counts what it
    // answered per kind (401: WWW, 407: Proxy) and refuses a second challenge to the same credentials.
    sip::Message lastSent = parsed.message;
    auto finish = [&](int code) {
        if (done)
            return;
        done = true;
        exitCode = code;
        QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
    };
    // Answers a 401/407 with credentials: returns true when the request went out again.
    auto answerChallenge = [&](const sip::Message& response) -> bool {
        const sip::auth::ChallengeAnswerer::Outcome o = digest->answer(lastSent, response, stack.ids().branch());
        if (!o.ok) {
            err(QStringLiteral("send sip: %1%2").arg(qstrcmp(o.errnoName, "EACCES") == 0 ? QStringLiteral("EACCES: ") : QString(), o.error));
            return false;
        }
        if (!quiet)
            say(QStringLiteral("auth: %1 %2: %3")
                    .arg(QString::number(response.statusCode()), QString::fromUtf8(response.reasonPhrase().toByteArray()), o.summary));
        const sip::SendResult r = stack.send(c, o.next, 0, flags);
        if (!r.ok()) {
            err(QStringLiteral("send sip: %1: %2").arg(QString::fromLatin1(r.errnoName), r.reason));
            return false;
        }
        lastSent = o.next;
        tx = r.transaction;
        return true;
    };
    QObject::connect(&stack, &sip::SipStack::responseReceived, &stack, [&](const sip::Incoming& in) {
        const int status = in.message.statusCode();
        if (in.transaction != tx || status < 200 || done)
            return;
        if (digest && (status == 401 || status == 407)) {
            if (!quiet)
                say(QStringLiteral("challenge: %1 %2").arg(status).arg(QString::fromUtf8(in.message.reasonPhrase().toByteArray())));
            if (!answerChallenge(in.message))
                finish(1);
            return;
        }
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
    if (!hepTarget.isEmpty()) {
        mirror.flush();
        const trace::hep::Exporter::Stats h = mirror.stats();
        say(QStringLiteral("hep: %1 SIP message(s) mirrored to %2 as HEPv3 (agent %3), %4 dropped%5")
                .arg(h.sent)
                .arg(mirror.description())
                .arg(hep.agentId)
                .arg(h.dropped)
                .arg(h.lastError.isEmpty() ? QString() : QStringLiteral(" (") + h.lastError + QLatin1Char(')')));
    }
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
const char* kSendOptions = "--to udp|tcp|sctp|tls|ws|wss:HOST:PORT [--ca FILE|--insecure] [--stateful] [--dialog-on-fork] [--auth USER[:PASSWORD]] [--hep-to TARGET] FILE|-";
const char* kListenOptions = "--on [udp:|tcp:|sctp:|tls:|ws:|wss:]HOST:PORT [--cert FILE --key FILE|--self-signed] [--answer CODE] [--count N] [--duration S]";

const TransportRegistration reg { { QStringLiteral("sip"), QString::fromLatin1(kSendOptions),
    QString::fromLatin1(kListenOptions), run, listenSip } };

} // namespace
