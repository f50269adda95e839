// SPDX-License-Identifier: GPL-3.0-or-later
// bench_sip_transactions: how fast the SIP engine runs stateful non-INVITE transactions, and how
// much memory a live transaction and a dialog take.
//
//   bench_sip_transactions [--role all|inprocess,uas,uac,sipp,memory] [--transactions N] [--window W]
//                          [--journal off|on|both] [--repeat R] [--objects N] [--sipp-calls N] [--sipp-rate R]
//
// One core, as a SIP server vendor measures it (onecore.h): our SipStack alone in this process,
// the load from a forked stateless generator (uas) or responder (uac) over loopback UDP, only
// this process's CPU counted; optionally SIPp as the generator (sipp), its rate taken from its own
// statistics (-trace_stat). Exit status 1 when any answer was wrong or missing, in any role.
//
// In-process: our UAC and our UAS in one process, one thread (one core), over real UDP sockets on
// 127.0.0.1: the UAC keeps W OPTIONS transactions outstanding, the UAS answers each with 200. A
// run counts completed transactions (a 200 reached the UAC's client transaction); any other final
// response, a timeout, a transport failure or a reply the UAS could not send is an error, and the
// run goes on until every exchange has ended one way or the other. All the timers run as RFC 3261
// says (E, F, K at the UAC; J at the UAS). Once with the journal
// off, once with every message, state change and timer journalled (both figures are printed).
// Sockets: UdpTransport reads with recvmmsg (up to 16 datagrams per system call, as it does in
// the app); what the stack sends while a received batch is delivered (the UAS's 200s, the UAC's
// next requests) leaves in one sendmmsg at the end of the batch, as it does in the app.
//
// Memory: mallinfo2() before and after creating N live objects (client transactions in Trying
// with Timers E and F armed, server transactions in Trying, UAS dialogs), divided by N. The bytes
// of the request each transaction keeps are included. The heap in use is uordblks + hblkhd: a
// block malloc serves with mmap (a table grown past the mmap threshold) is counted in hblkhd
// only, and leaving it out made a client transaction look 12 % smaller (915 B against 1 041 B
// with mmap turned off).
#include "core/scheduler.h"
#include "core/link.h"
#include "sip/message/builder.h"
#include "sip/dialog/dialoglayer.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include "onecore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

#include <algorithm>
#include <functional>
#include <malloc.h>
#include <vector>
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
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
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
    quint64 done = 0; // exchanges whose client transaction got its 200
    quint64 errors = 0; // another final status, a timeout, a transport failure, a reply not sent
    QString firstError;
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
    const auto c = uac.connect(TransportType::Udp, uasAt, &error);
    const RequestTemplate base = optionsTemplate(*c);
    int sent = 0;
    quint64 done = 0, errors = 0, ended = 0;
    QString firstError;
    QElapsedTimer clock;
    auto fail = [&](const QString& why) {
        ++errors;
        if (firstError.isEmpty())
            firstError = why;
    };
    // A reply that cannot be sent is an error here; its exchange then ends at the UAC (Timer F).
    QObject::connect(&uas, &SipStack::requestReceived, &uas, [&](const Incoming& in) {
        if (!in.transaction)
            return;
        const SendResult r = uas.reply(in, 200);
        if (!r.ok())
            fail(QStringLiteral("the UAS could not reply: %1").arg(r.toString()));
    });
    auto sendOne = [&] {
        const SendResult r = uac.send(c, options(base, quint32(++sent)), 0, SendFlag::Stateful);
        if (!r.ok())
            qFatal("%s", qPrintable(r.toString()));
    };
    // Every exchange ends once at the UAC: with a 200 (done), or with another final response, a
    // timeout or a transport failure (errors). The run is over when all of them have ended, so a
    // lost answer costs Timer F's 32 s instead of hanging the bench.
    auto endOne = [&] {
        ++ended;
        if (sent < total)
            sendOne();
        else if (ended == quint64(total))
            QCoreApplication::exit(0);
    };
    QObject::connect(&uac, &SipStack::responseReceived, &uac, [&](const Incoming& in) {
        const int status = in.message.statusCode();
        if (status < 200 || !in.transaction)
            return;
        if (status == 200)
            ++done;
        else
            fail(QStringLiteral("final response %1 instead of 200").arg(status));
        endOne();
    });
    QObject::connect(&uac, &SipStack::transactionTimedOut, &uac, [&](quint64, const QString& timer) {
        fail(QStringLiteral("a client transaction timed out (Timer %1)").arg(timer));
        endOne();
    });
    QObject::connect(&uac, &SipStack::transactionFailed, &uac, [&](quint64, const QString& why) {
        fail(QStringLiteral("a client transaction failed: %1").arg(why));
        endOne();
    });
    QObject::connect(&uas, &SipStack::transactionFailed, &uas, [&](quint64, const QString& why) {
        fail(QStringLiteral("a server transaction failed: %1").arg(why));
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
    t.errors = errors;
    t.firstError = firstError;
    t.perSecond = double(done) / t.seconds;
    t.events = journal.count();
    return t;
}

double perClientTransaction(int n)
{
    Scheduler scheduler(Scheduler::Mode::Virtual);
    ladder::LinkParams down;
    down.up = false; // nothing arrives: every transaction stays in Trying with E and F armed
    ladder::Link ab(scheduler, 1, down), ba(scheduler, 2, down);
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
    ladder::Link ab(scheduler, 1), ba(scheduler, 2);
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

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// One row per run of a one-core figure, then (with --repeat > 1) the median of the runs.
bool oneCoreRows(const QString& role, bool tracing, int repeat, const std::function<bench::OneCore()>& run)
{
    std::vector<double> perCpu, perWall;
    bool ok = true;
    for (int i = 0; i < repeat; ++i) {
        const bench::OneCore r = run();
        perCpu.push_back(double(r.done) / r.cpu);
        perWall.push_back(double(r.done) / r.seconds);
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg(role, -18)
                   .arg(tracing ? QStringLiteral("on") : QStringLiteral("off"), -8)
                   .arg(r.done, 10)
                   .arg(perWall.back(), 12, 'f', 0)
                   .arg(perCpu.back(), 15, 'f', 0)
                   .arg(r.cpu * 1e6 / double(r.done), 9, 'f', 2)
                   .arg(r.peerCpu, 9, 'f', 2)
                   .arg(r.liveAtEnd, 9)
                   .arg(r.stackErrors + r.peerErrors, 7);
        if (!r.firstError.isEmpty())
            out << "    error: " << r.firstError << '\n';
        ok = ok && r.ok();
        out.flush();
    }
    if (repeat > 1)
        out << QStringLiteral("%1 %2 %3 %4 %5\n")
                   .arg(role + QStringLiteral(" median"), -18)
                   .arg(tracing ? QStringLiteral("on") : QStringLiteral("off"), -8)
                   .arg(QString(), 10)
                   .arg(median(perWall), 12, 'f', 0)
                   .arg(median(perCpu), 15, 'f', 0);
    return ok;
}
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int total = 200000, window = 200, objects = 100000, repeat = 1, sippRate = 100000, sippCalls = 100000;
    QString journalRuns = QStringLiteral("both"); // "off"/"on": one run only (profiling)
    QString roles = QStringLiteral("all"); // or a comma list of inprocess, uas, uac, sipp
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
        else if (args[i] == QLatin1String("--role"))
            roles = args[i + 1];
        else if (args[i] == QLatin1String("--repeat"))
            repeat = qMax(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--sipp-rate"))
            sippRate = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--sipp-calls"))
            sippCalls = args[i + 1].toInt();
        else {
            out << "usage: bench_sip_transactions [--role all|inprocess,uas,uac,sipp] [--transactions N] [--window W]\n"
                   "       [--journal off|on|both] [--repeat R] [--objects N] [--sipp-calls N] [--sipp-rate R]\n";
            return 2;
        }
    }
    const auto wants = [&](const char* role) {
        return roles == QLatin1String("all") || roles.split(u',').contains(QLatin1String(role));
    };
    QList<bool> journalModes;
    for (bool tracing : { false, true })
        if (journalRuns == QLatin1String("both") || (journalRuns == QLatin1String("on")) == tracing)
            journalModes.append(tracing);
    bool ok = true;

    if (wants("uas") || wants("uac") || wants("sipp")) {
        out << "SIP engine on one core: our SipStack alone in this process (one thread), the load from another\n"
               "process over UDP on 127.0.0.1; CPU = this process's user+system time (getrusage RUSAGE_SELF).\n";
        out << QStringLiteral("%1 stateful non-INVITE (OPTIONS) transactions per run, %2 outstanding\n").arg(total).arg(window);
        out << "  uas: our server transactions answer 200 (Timer J = 64*T1 runs, so they stay live in Completed);\n"
               "       a forked stateless generator (recvmmsg/sendmmsg, unique branch/Call-ID/From tag) checks\n"
               "       every answer: status 200, branch and Call-ID of an outstanding request; missing = error\n";
        out << "  uac: our client transactions (Timers E, F, K) send OPTIONS; a forked stateless responder\n"
               "       answers 200; any other final response or a timeout = error\n";
        out << "  one transaction = one stateful transaction of our stack (one request in, one response out)\n\n";
        if (wants("uas") || wants("uac"))
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                       .arg(QStringLiteral("role"), -18)
                       .arg(QStringLiteral("journal"), -8)
                       .arg(QStringLiteral("done"), 10)
                       .arg(QStringLiteral("wall tx/s"), 12)
                       .arg(QStringLiteral("per CPU-second"), 15)
                       .arg(QStringLiteral("µs CPU"), 9)
                       .arg(QStringLiteral("peer CPU"), 9)
                       .arg(QStringLiteral("live end"), 9)
                       .arg(QStringLiteral("errors"), 7);
        for (bool tracing : journalModes) {
            if (wants("uas"))
                ok = oneCoreRows(QStringLiteral("uas (server tx)"), tracing, repeat,
                         [&] { return bench::runUasOneCore(quint64(total), window, tracing); })
                    && ok;
            if (wants("uac"))
                ok = oneCoreRows(QStringLiteral("uac (client tx)"), tracing, repeat,
                         [&] { return bench::runUacOneCore(quint64(total), window, tracing); })
                    && ok;
        }
        if (wants("sipp")) {
            out << QStringLiteral("\nSIPp as the load generator against our UAS: %1 calls of an OPTIONS uac scenario, "
                                  "-r %2 -l %3\n(SIPp's rate: CallRate(C) from SIPp's own statistics, -trace_stat, "
                                  "with its count of successful and failed calls)\n")
                       .arg(sippCalls)
                       .arg(sippRate)
                       .arg(window);
            for (bool tracing : journalModes) {
                bench::SippStats sipp;
                bool missing = false;
                const bench::OneCore r = bench::runUasSipp(quint64(sippCalls), window, sippRate, tracing, &sipp, &missing);
                if (missing) {
                    // As the test suites do (tests/testskip.h): CI has every peer, so there a
                    // missing one is a broken machine, not a row to leave out quietly.
                    const bool ci = qEnvironmentVariable("CI") == QLatin1String("true");
                    out << "sipp is not installed (Debian sip-tester): "
                        << (ci ? "an error with CI=true\n" : "skipped\n");
                    ok = ok && !ci;
                    break;
                }
                out << QStringLiteral("journal %1: SIPp reached %2 calls/s (target %3; %4 successful, %5 failed calls, "
                                      "elapsed %6); our stack: %7 transactions, %8 µs CPU each (%9 per CPU-second, ")
                           .arg(tracing ? QStringLiteral("on") : QStringLiteral("off"))
                           .arg(sipp.callRate, 0, 'f', 0)
                           .arg(sippRate)
                           .arg(sipp.successful)
                           .arg(sipp.failed)
                           .arg(sipp.elapsed)
                           .arg(r.done)
                           .arg(r.cpu * 1e6 / double(qMax<quint64>(1, r.done)), 0, 'f', 2)
                           .arg(double(r.done) / r.cpu, 0, 'f', 0);
                out << QStringLiteral("busy %1% of the wall time); SIPp used %2 CPU-s%3\n")
                           .arg(100 * r.cpu / r.seconds, 0, 'f', 0)
                           .arg(r.peerCpu, 0, 'f', 2)
                           .arg(r.ok() ? QString() : QStringLiteral("; ERROR: ") + r.firstError);
                if (r.cpu / r.seconds < 0.9)
                    out << "  SIPp cannot load our stack fully: the stack idles part of the time, so SIPp's rate is "
                           "SIPp's limit, not ours\n";
                ok = ok && r.ok();
                out.flush();
            }
        }
        out << '\n';
    }

    if (wants("inprocess")) {
        out << "In-process: our UAC and our UAS in ONE process and ONE thread, UDP on 127.0.0.1 — each exchange\n"
               "counted below is TWO stateful transactions (a client one and a server one: two parses, two\n"
               "serialisations, two sends, two receives on one core)\n";
        out << QStringLiteral("%1 exchanges, %2 outstanding\n").arg(total).arg(window);
        out << "receive: recvmmsg; send: what a received batch answers leaves in one sendmmsg, the rest with sendto\n";
        out << "journal off: nothing traced; on: every message (raw bytes), state change and timer journalled\n";
        out << "an exchange is done when the UAC's transaction gets a 200; any other final status, a timeout, a\n"
               "transport failure or a reply the UAS could not send is an error (exit status 1)\n\n";
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                   .arg(QStringLiteral("journal"), -10)
                   .arg(QStringLiteral("done"), 10)
                   .arg(QStringLiteral("exchanges/s"), 16)
                   .arg(QStringLiteral("per CPU-second"), 16)
                   .arg(QStringLiteral("µs CPU each"), 12)
                   .arg(QStringLiteral("seconds"), 10)
                   .arg(QStringLiteral("events"), 10)
                   .arg(QStringLiteral("errors"), 7);
        for (bool tracing : journalModes) {
            const Throughput t = runThroughput(total, window, tracing);
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8\n")
                       .arg(tracing ? QStringLiteral("on") : QStringLiteral("off"), -10)
                       .arg(t.done, 10)
                       .arg(t.perSecond, 16, 'f', 0)
                       .arg(double(t.done) / t.cpu, 16, 'f', 0)
                       .arg(t.cpu * 1e6 / double(qMax<quint64>(1, t.done)), 12, 'f', 1)
                       .arg(t.seconds, 10, 'f', 3)
                       .arg(t.events, 10)
                       .arg(t.errors, 7);
            if (!t.firstError.isEmpty())
                out << "    error: " << t.firstError << '\n';
            ok = ok && t.errors == 0 && t.done == quint64(total);
            out.flush();
        }
    }
    if (objects <= 0 || !(roles == QLatin1String("all") || wants("memory")))
        return ok ? 0 : 1;
    out << QStringLiteral("\nmemory, %1 live objects each (delta of mallinfo2 uordblks + hblkhd, mmap'd blocks included)\n").arg(objects);
    out << QStringLiteral("%1 %2\n").arg(QStringLiteral("object"), -44).arg(QStringLiteral("bytes each"), 12);
    out << QStringLiteral("%1 %2\n")
               .arg(QStringLiteral("client transaction (Trying, E+F armed)"), -44)
               .arg(perClientTransaction(objects), 12, 'f', 0);
    out << QStringLiteral("%1 %2\n")
               .arg(QStringLiteral("server transaction (Trying, request kept)"), -44)
               .arg(perServerTransaction(objects), 12, 'f', 0);
    out << QStringLiteral("%1 %2\n").arg(QStringLiteral("dialog (UAS, confirmed)"), -44).arg(perDialog(objects), 12, 'f', 0);
    return ok ? 0 : 1;
}
