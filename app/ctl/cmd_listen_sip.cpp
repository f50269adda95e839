// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl listen sip --on [udp:|tcp:]HOST:PORT [--answer CODE] [--count N] [--duration S]
// A SIP responder for interop tests: answers every request with CODE through the stack's server
// transactions (100 Trying, retransmissions, dialogs for 2xx to INVITE/SUBSCRIBE; a BYE or CANCEL
// gets what RFC 3261 says), printing each message and state change.
// tls:, ws:, wss: (sipstreams.h): --cert FILE --key FILE, or --self-signed [--save-cert FILE].
#include "command.h"
#include "sipsctp.h"
#include "sipstreams.h"
#include "host/stack.h"
#include "sctp/udptransport.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

using namespace ladder;
using namespace ladder::ctl;

namespace ladder::ctl {
int listenSip(const QStringList& args);
}

namespace {

const char* kUsage
    = "Usage: ladderctl listen sip --on [udp:|tcp:|sctp:]HOST:PORT [--answer CODE] [--count N] [--duration SECONDS]\n"
      "                            [--udp-port N]\n"
      "       ladderctl listen sip --on tls:|ws:|wss:HOST:PORT [--cert FILE --key FILE | --self-signed [--save-cert FILE]]\n"
      "                            [--max-header BYTES] [--max-message BYTES] [--max-connections N] [--idle SECONDS] …\n"
      "Listens on HOST:PORT (UDP and TCP unless one is named; loopback 127.0.0.1:5060 by default) and\n"
      "answers every request (but ACK; BYE and CANCEL get 200) with CODE (default 200) through a server\n"
      "transaction. Prints every message, transaction and dialog change. Prints \"listening on …\" when\n"
      "ready. sctp: SIP over SCTP (RFC 4168) in RFC 6951 UDP encapsulation on --udp-port (9899; 0: any).\n"
      "tls: SIP over TLS (RFC 3261 §26); ws:, wss: SIP over WebSocket (RFC 7118, subprotocol sip). TLS and\n"
      "WSS serve the certificate and key of --cert/--key (PEM) or, with --self-signed, one made at start\n"
      "for localhost, 127.0.0.1, ::1 and HOST; --save-cert writes it (PEM) for clients' --ca.\n"
      "Limits on every stream connection (tcp, tls, ws, wss), each hit printed as an error and the\n"
      "connection closed: --max-header (default 65536 bytes), --max-message (1048576), --max-connections\n"
      "(1024), --idle (300 s; 0: none).\n"
      "Stops after N requests (--count) or SECONDS (--duration); otherwise runs until killed.\n"
      "Exit status: 0 done; 1 cannot listen; 2 usage.";

// Bytes from the network as printed: control characters escaped (\r, \n, \xNN), so that a peer
// cannot drive the terminal (a received Request-URI holding ESC [2J would clear it).
QString printable(const QString& text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == '\r')
            out += QLatin1String("\\r");
        else if (u == '\n')
            out += QLatin1String("\\n");
        else if ((u < 0x20 && u != '\t') || u == 0x7f || (u >= 0x80 && u < 0xa0))
            out += QStringLiteral("\\x%1").arg(uint(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

} // namespace

// Registered with the send side in cmd_send_sip.cpp (one "sip" entry of transports.h).
int ladder::ctl::listenSip(const QStringList& args)
{
    QString on = QStringLiteral("127.0.0.1:5060");
    int answer = 200, count = -1;
    double duration = -1;
    quint16 udpPort = sctp::UdpTransport::kDefaultPort;
    SipStreamOptions streamOptions;
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        QString optionError;
        if (takeSipStreamOption(args, &i, &streamOptions, &optionError)) {
            if (!optionError.isEmpty()) {
                err(QStringLiteral("listen sip: ") + optionError);
                return 2;
            }
        } else if (a == QLatin1String("--on") && i + 1 < args.size())
            on = args[++i];
        else if (a == QLatin1String("--answer") && i + 1 < args.size())
            answer = args[++i].toInt();
        else if (a == QLatin1String("--count") && i + 1 < args.size())
            count = args[++i].toInt();
        else if (a == QLatin1String("--udp-port") && i + 1 < args.size())
            udpPort = quint16(args[++i].toUInt());
        else if (a == QLatin1String("--duration") && i + 1 < args.size())
            duration = args[++i].toDouble();
        else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            say(QString::fromLatin1(kUsage));
            return 0;
        } else {
            err(QStringLiteral("listen sip: unexpected argument '%1'\n").arg(a) + QString::fromLatin1(kUsage));
            return 2;
        }
    }
    if (answer < 100 || answer > 699) {
        err(QStringLiteral("listen sip: --answer %1 is not a status code (100-699)").arg(answer));
        return 2;
    }
    bool udp = true, tcp = true, sctpOn = false;
    QString streamProto; // tls, ws or wss
    const qsizetype colon = on.indexOf(QLatin1Char(':'));
    if (colon > 0 && isSipStreamProto(on.left(colon).toLower())) {
        udp = tcp = false;
        streamProto = on.left(colon).toLower();
        on = on.mid(colon + 1);
        const bool secure = streamProto != QLatin1String("ws");
        const bool files = !streamOptions.tls.certificateFile.isEmpty() || !streamOptions.tls.keyFile.isEmpty();
        if (secure && files == streamOptions.tls.selfSigned) {
            err(QStringLiteral("listen sip: %1: give --cert FILE --key FILE or --self-signed (one of them)").arg(streamProto));
            return 2;
        }
        if (!streamOptions.saveCertificate.isEmpty() && !streamOptions.tls.selfSigned) {
            err(QStringLiteral("listen sip: --save-cert writes the certificate --self-signed makes"));
            return 2;
        }
    } else if (on.startsWith(QLatin1String("sctp:"))) {
        udp = tcp = false;
        sctpOn = true;
        on = on.mid(5);
    } else if (on.startsWith(QLatin1String("udp:"))) {
        tcp = false;
        on = on.mid(4);
    } else if (on.startsWith(QLatin1String("tcp:"))) {
        udp = false;
        on = on.mid(4);
    }
    sip::HostPort at;
    if (!sip::HostPort::parse(on, &at)) {
        err(QStringLiteral("listen sip: '%1' is not HOST:PORT").arg(on));
        return 2;
    }

    Stack engineStack(Scheduler::Mode::Real);
    trace::Journal& journal = engineStack.journal();
    SipSctpCarrier sctpCarrier(engineStack);
    journal.setAppendHook([](const trace::Event& e) {
        const QString t = QString::number(double(e.timeNs) / 1e9, 'f', 3);
        switch (e.kind) {
        case trace::Kind::SipMessage:
            say(QStringLiteral("%1 %2 %3 [%4]").arg(t, e.dir == trace::Dir::Tx ? QStringLiteral("->") : QStringLiteral("<-"), printable(e.text),
                e.dir == trace::Dir::Tx ? e.to : e.from));
            break;
        case trace::Kind::SipRetransmission:
            say(QStringLiteral("%1 -> %2 (retransmission %3)").arg(t, printable(e.text)).arg(e.c));
            break;
        case trace::Kind::TransactionState:
            say(QStringLiteral("%1 transaction %2: %3").arg(t).arg(e.object).arg(e.text));
            break;
        case trace::Kind::DialogState:
            say(QStringLiteral("%1 dialog %2: %3").arg(t).arg(e.object).arg(e.text));
            break;
        case trace::Kind::Error:
            say(QStringLiteral("%1 error: %2").arg(t, printable(e.text)));
            break;
        default:
            break;
        }
    });
    sip::SipStack stack(engineStack.scheduler(), &journal);
    QString error;
    QStringList listening;
    if (udp) {
        auto t = std::make_unique<sip::UdpTransport>();
        if (!t->bind(at, &error)) {
            err(QStringLiteral("listen sip: ") + error);
            return 1;
        }
        listening << QStringLiteral("udp:") + t->local().toString();
        stack.addTransport(std::move(t));
    }
    if (tcp) {
        auto t = std::make_unique<sip::TcpTransport>();
        t->setLimits(streamOptions.limits);
        if (!t->listen(at, &error)) {
            err(QStringLiteral("listen sip: ") + error);
            return 1;
        }
        listening << QStringLiteral("tcp:") + t->local().toString();
        stack.addTransport(std::move(t));
    }
    if (!streamProto.isEmpty()) {
        const QString local = addSipStreamTransport(stack, streamProto, at, streamOptions, &error);
        if (local.isEmpty()) {
            err(QStringLiteral("listen sip: ") + error);
            return 1;
        }
        listening << streamProto + QLatin1Char(':') + local;
    }
    if (sctpOn) {
        const QString local = sctpCarrier.addTo(stack, at.host, udpPort, 0, at.port, &error);
        if (local.isEmpty()) {
            err(QStringLiteral("listen sip: ") + error);
            return 1;
        }
        listening << QStringLiteral("sctp:%1 (UDP encapsulation port %2)").arg(local).arg(sctpCarrier.udpPort());
    }
    int answered = 0;
    QObject::connect(&stack, &sip::SipStack::requestReceived, &stack, [&](const sip::Incoming& in) {
        const QByteArrayView method = in.message.method();
        if (!in.transaction || method == "ACK" || method == "CANCEL")
            return; // the stack answered CANCEL itself; ACK has no response
        const int status = method == "BYE" ? 200 : answer;
        const sip::SendResult r = stack.reply(in, status);
        if (!r.ok())
            say(QStringLiteral("error: %1").arg(r.toString()));
        if (count > 0 && ++answered >= count)
            QTimer::singleShot(100, qApp, [] { QCoreApplication::exit(0); });
    });
    say(QStringLiteral("listening on %1").arg(listening.join(QLatin1Char(' '))));
    if (duration >= 0)
        QTimer::singleShot(qint64(duration * 1000), qApp, [] { QCoreApplication::exit(0); });
    QCoreApplication::exec();
    return 0;
}

