// SPDX-License-Identifier: GPL-3.0-or-later
// bench_sip_transactions: how fast the SIP engine runs stateful non-INVITE transactions, and how
// much memory a live transaction and a dialog take.
//
//   bench_sip_transactions [--transactions N] [--window W] [--objects N] [--journal off|on|both]
//
// Throughput: our UAC and our UAS in one process, one thread (one core), over real UDP sockets on
// 127.0.0.1: the UAC keeps W OPTIONS transactions outstanding, the UAS answers each with 200. A
// run counts completed transactions (the final response reached the UAC's client transaction);
// all the timers run as RFC 3261 says (E, F, K at the UAC; J at the UAS). Once with the journal
// off, once with every message, state change and timer journalled (both figures are printed).
// Sockets: UdpTransport reads with recvmmsg (up to 16 datagrams per system call, as it does in
// the app); what the stack sends while a received batch is delivered (the UAS's 200s, the UAC's
// next requests) leaves in one sendmmsg at the end of the batch, as it does in the app.
//
// Memory: mallinfo2() before and after creating N live objects (client transactions in Trying
// with Timers E and F armed, server transactions in Trying, UAS dialogs), divided by N. The bytes
// of the request each transaction keeps are included.
#include "core/scheduler.h"
#include "lab/link.h"
#include "sip/builder.h"
#include "sip/dialoglayer.h"
#include "sip/labtransport.h"
#include "sip/sipstack.h"
#include "sip/udptransport.h"
#include "trace/journal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <malloc.h>
#include <sys/resource.h>

using namespace ladder;
using namespace ladder::sip;

namespace {
QTextStream out(stdout);

// CPU seconds (user + system) this process has used: on a shared machine the wall clock says how
// much CPU we were given, this says what the work cost.
double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::size_t heapInUse()
{
    malloc_trim(0);
    return mallinfo2().uordblks;
}

// The fixed part of the bench's OPTIONS, composed once per connection as a load generator would;
// buildRequest still makes each request in full (new branch, From tag and Call-ID).
RequestTemplate optionsTemplate(const Connection& c)
{
    RequestTemplate t;
    t.method = "OPTIONS";
    t.requestUri = "sip:bench@" + c.remote().toSentBy();
    t.from = "<sip:uac@" + c.local().toSentBy() + '>';
    t.to = "<sip:bench@" + c.remote().toSentBy() + '>';
    t.via.transport = "UDP";
    t.via.sentBy = c.local().toSentBy();
    return t;
}

Message options(const RequestTemplate& base, quint32 cseq)
{
    RequestTemplate t = base;
    t.cseq = cseq;
    return buildRequest(t);
}

Message options(const Connection& c, quint32 cseq) { return options(optionsTemplate(c), cseq); }

struct Throughput {
    double perSecond = 0;
    quint64 done = 0;
    double seconds = 0;
    double cpu = 0;
    quint64 events = 0;
};

Throughput runThroughput(int total, int window, bool tracing)
{
    Scheduler scheduler(Scheduler::Mode::Real);
    trace::Journal journal;
    SipStack uac(scheduler, &journal), uas(scheduler, &journal);
    uac.setTracing(tracing);
    uas.setTracing(tracing);
    uac.setTerminatedHistory(0);
    uas.setTerminatedHistory(0);
    auto ut = std::make_unique<UdpTransport>(QStringLiteral("uac"));
    auto st = std::make_unique<UdpTransport>(QStringLiteral("uas"));
    QString error;
    if (!ut->bind({ QStringLiteral("127.0.0.1"), 0 }, &error) || !st->bind({ QStringLiteral("127.0.0.1"), 0 }, &error))
        qFatal("%s", qPrintable(error));
    const HostPort uasAt = st->local();
    uac.addTransport(std::move(ut));
    uas.addTransport(std::move(st));
    QObject::connect(&uas, &SipStack::requestReceived, &uas, [&](const Incoming& in) {
        if (in.transaction)
            uas.reply(in, 200);
    });
    const auto c = uac.connect(TransportType::Udp, uasAt, &error);
    const RequestTemplate base = optionsTemplate(*c);
    int sent = 0;
    quint64 done = 0;
    QElapsedTimer clock;
    auto sendOne = [&] {
        const SendResult r = uac.send(c, options(base, quint32(++sent)), 0, SendFlag::Stateful);
        if (!r.ok())
            qFatal("%s", qPrintable(r.toString()));
    };
    QObject::connect(&uac, &SipStack::responseReceived, &uac, [&](const Incoming& in) {
        if (in.message.statusCode() < 200 || !in.transaction)
            return;
        ++done;
        if (sent < total)
            sendOne();
        else if (done == quint64(total))
            QCoreApplication::exit(0);
    });
    clock.start();
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < window && sent < total; ++i)
        sendOne();
    QCoreApplication::exec();
    Throughput t;
    t.seconds = double(clock.nsecsElapsed()) / 1e9;
    t.cpu = cpuSeconds() - cpu0;
    t.done = done;
    t.perSecond = double(done) / t.seconds;
    t.events = journal.count();
    return t;
}

double perClientTransaction(int n)
{
    Scheduler scheduler(Scheduler::Mode::Virtual);
    lab::LinkParams down;
    down.up = false; // nothing arrives: every transaction stays in Trying with E and F armed
    lab::Link ab(scheduler, 1, down), ba(scheduler, 2, down);
    SipStack uac(scheduler, nullptr), uas(scheduler, nullptr);
    auto* a = static_cast<LabTransport*>(
        uac.addTransport(std::make_unique<LabTransport>(HostPort { QStringLiteral("10.0.0.1"), 5060 })));
    auto* b = static_cast<LabTransport*>(
        uas.addTransport(std::make_unique<LabTransport>(HostPort { QStringLiteral("10.0.0.2"), 5060 })));
    LabTransport::wire(*a, *b, ab, ba);
    QString error;
    const auto c = a->connectTo(b->local(), &error);
    scheduler.runUntilIdle(0);
    const std::size_t before = heapInUse();
    for (int i = 0; i < n; ++i)
        uac.send(c, options(*c, quint32(i + 1)), 0, SendFlag::Stateful);
    scheduler.advanceBy(1); // the link drops the datagrams
    const std::size_t after = heapInUse();
    if (uac.liveTransactions() != std::size_t(n))
        qFatal("expected %d live transactions", n);
    return double(after - before) / n;
}

double perServerTransaction(int n)
{
    Scheduler scheduler(Scheduler::Mode::Virtual);
    lab::Link ab(scheduler, 1), ba(scheduler, 2);
    SipStack uac(scheduler, nullptr), uas(scheduler, nullptr);
    auto* a = static_cast<LabTransport*>(
        uac.addTransport(std::make_unique<LabTransport>(HostPort { QStringLiteral("10.0.0.1"), 5060 })));
    auto* b = static_cast<LabTransport*>(
        uas.addTransport(std::make_unique<LabTransport>(HostPort { QStringLiteral("10.0.0.2"), 5060 })));
    LabTransport::wire(*a, *b, ab, ba);
    QString error;
    const auto c = a->connectTo(b->local(), &error);
    const auto back = b->connectTo(a->local(), &error);
    QList<QByteArray> wire;
    wire.reserve(n);
    for (int i = 0; i < n; ++i)
        wire.append(options(*c, quint32(i + 1)).serialize());
    const std::size_t before = heapInUse();
    for (const QByteArray& bytes : std::as_const(wire))
        uas.receive(back, bytes); // not answered: each stays in Trying
    const std::size_t after = heapInUse();
    if (uas.liveTransactions() != std::size_t(n))
        qFatal("expected %d live server transactions", n);
    // The request bytes were allocated before the measurement, but each transaction keeps them:
    // add their share.
    return double(after - before) / n + double(wire.first().size());
}

double perDialog(int n)
{
    Scheduler scheduler(Scheduler::Mode::Virtual);
    DialogLayer dialogs(scheduler);
    const std::size_t before = heapInUse();
    for (int i = 0; i < n; ++i) {
        RequestTemplate t;
        t.method = "INVITE";
        t.requestUri = "sip:bob@10.0.0.2";
        t.from = "Alice <sip:alice@10.0.0.1>";
        t.to = "Bob <sip:bob@10.0.0.2>";
        t.via.sentBy = "10.0.0.1:5060";
        t.contact = "<sip:alice@10.0.0.1:5060>";
        const Message invite = buildRequest(t);
        Message ok = buildResponse(invite, 200);
        ok.appendHeader(HeaderId::Contact, "<sip:bob@10.0.0.2:5060>");
        dialogs.uasResponse(quint64(i + 1), invite, ok, {});
    }
    const std::size_t after = heapInUse();
    return double(after - before) / n;
}
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int total = 200000, window = 200, objects = 100000;
    QString journalRuns = QStringLiteral("both"); // "off"/"on": one run only (profiling)
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--transactions"))
            total = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--window"))
            window = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--objects"))
            objects = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--journal"))
            journalRuns = args[i + 1];
    }
    out << "SIP engine: stateful non-INVITE transactions, UAC and UAS in one thread, UDP on 127.0.0.1\n";
    out << QStringLiteral("%1 transactions, %2 outstanding\n").arg(total).arg(window);
    out << "receive: recvmmsg (up to 16 datagrams per call); send: what a received batch answers leaves in one "
           "sendmmsg, the rest with sendto\n";
    out << "journal off: nothing traced; on: every message (raw bytes), state change and timer journalled\n\n";
    out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
               .arg(QStringLiteral("journal"), -10)
               .arg(QStringLiteral("transactions/s"), 16)
               .arg(QStringLiteral("per CPU-second"), 16)
               .arg(QStringLiteral("µs CPU each"), 12)
               .arg(QStringLiteral("seconds"), 10)
               .arg(QStringLiteral("events"), 10);
    for (bool tracing : { false, true }) {
        if (journalRuns != QLatin1String("both") && (journalRuns == QLatin1String("on")) != tracing)
            continue;
        const Throughput t = runThroughput(total, window, tracing);
        out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                   .arg(tracing ? QStringLiteral("on") : QStringLiteral("off"), -10)
                   .arg(t.perSecond, 16, 'f', 0)
                   .arg(double(t.done) / t.cpu, 16, 'f', 0)
                   .arg(t.cpu * 1e6 / double(t.done), 12, 'f', 1)
                   .arg(t.seconds, 10, 'f', 3)
                   .arg(t.events, 10);
        out.flush();
    }
    if (objects <= 0)
        return 0;
    out << QStringLiteral("\nmemory, %1 live objects each (mallinfo2 delta)\n").arg(objects);
    out << QStringLiteral("%1 %2\n").arg(QStringLiteral("object"), -44).arg(QStringLiteral("bytes each"), 12);
    out << QStringLiteral("%1 %2\n")
               .arg(QStringLiteral("client transaction (Trying, E+F armed)"), -44)
               .arg(perClientTransaction(objects), 12, 'f', 0);
    out << QStringLiteral("%1 %2\n")
               .arg(QStringLiteral("server transaction (Trying, request kept)"), -44)
               .arg(perServerTransaction(objects), 12, 'f', 0);
    out << QStringLiteral("%1 %2\n").arg(QStringLiteral("dialog (UAS, confirmed)"), -44).arg(perDialog(objects), 12, 'f', 0);
    return 0;
}
