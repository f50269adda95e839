// SPDX-License-Identifier: GPL-3.0-or-later
#include "onecore.h"

#include "loadgen.h"

#include "core/scheduler.h"
#include "sip/message/builder.h"
#include "sip/sipstack.h"
#include "sip/transport/udptransport.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ladder;
using namespace ladder::sip;

namespace ladder::bench {

namespace {
    double cpuSeconds()
    {
        rusage u {};
        getrusage(RUSAGE_SELF, &u);
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }

    // A UDP socket of the other process, bound to 127.0.0.1 (any port), with large buffers.
    int peerSocket(sockaddr_in* bound)
    {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int buf = 4 * 1024 * 1024;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            qFatal("cannot bind the load generator's socket");
        socklen_t len = sizeof *bound;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(bound), &len);
        return fd;
    }

    // The other process: a fork of this one that runs `body` (plain POSIX, no Qt), writes its
    // LoadResult to a pipe and exits. stop: the parent closes its end to stop a responder.
    struct Child {
        pid_t pid = -1;
        int resultFd = -1;
        int stopFd = -1;
    };

    template <typename Body>
    Child spawn(int peerFd, Body body)
    {
        int result[2], stop[2];
        if (::pipe2(result, O_CLOEXEC) != 0 || ::pipe2(stop, O_CLOEXEC) != 0)
            qFatal("pipe failed");
        const pid_t pid = ::fork();
        if (pid < 0)
            qFatal("fork failed");
        if (pid == 0) {
            ::close(result[0]);
            ::close(stop[1]);
            const LoadResult r = body(peerFd, stop[0]);
            [[maybe_unused]] const ssize_t n = ::write(result[1], &r, sizeof r);
            ::_exit(0);
        }
        ::close(result[1]);
        ::close(stop[0]);
        ::close(peerFd);
        return { pid, result[0], stop[1] };
    }

    LoadResult collect(Child& c)
    {
        if (c.stopFd >= 0)
            ::close(c.stopFd);
        LoadResult r;
        std::size_t got = 0;
        while (got < sizeof r) {
            const ssize_t n = ::read(c.resultFd, reinterpret_cast<char*>(&r) + got, sizeof r - got);
            if (n <= 0)
                break;
            got += std::size_t(n);
        }
        ::close(c.resultFd);
        int status = 0;
        ::waitpid(c.pid, &status, 0);
        if (got != sizeof r) {
            r = {};
            r.errors = 1;
            std::snprintf(r.firstError, sizeof r.firstError, "the load process died (status %d)", status);
        }
        return r;
    }

    // Our side: one SipStack with one UDP transport on 127.0.0.1, Real scheduler.
    struct Side {
        Scheduler scheduler { Scheduler::Mode::Real };
        trace::Journal journal;
        SipStack stack { scheduler, &journal };
        HostPort local;
        explicit Side(bool tracing)
        {
            stack.setTracing(tracing);
            stack.setTerminatedHistory(0);
            auto t = std::make_unique<UdpTransport>(QStringLiteral("bench"));
            QString error;
            if (!t->bind({ QStringLiteral("127.0.0.1"), 0 }, &error))
                qFatal("%s", qPrintable(error));
            local = t->local();
            stack.addTransport(std::move(t));
        }
    };

    sockaddr_in toSockaddr(const HostPort& hp)
    {
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_port = htons(hp.port);
        ::inet_pton(AF_INET, qPrintable(hp.host), &a.sin_addr);
        return a;
    }

    // Counts the 200s our UAS sends; reply() failing is an error.
    void answerAll(Side& s, OneCore& r)
    {
        QObject::connect(&s.stack, &SipStack::requestReceived, &s.stack, [&](const Incoming& in) {
            if (!in.transaction)
                return;
            if (s.stack.reply(in, 200).ok())
                ++r.done;
            else
                ++r.stackErrors;
        });
    }

    void finish(Side& s, OneCore& r, double cpu0, const QElapsedTimer& clock)
    {
        r.cpu = cpuSeconds() - cpu0;
        r.seconds = double(clock.nsecsElapsed()) / 1e9;
        r.events = s.journal.count();
        r.liveAtEnd = s.stack.liveTransactions();
    }
}

OneCore runUasOneCore(std::uint64_t total, int window, bool tracing)
{
    Side s(tracing);
    OneCore r;
    answerAll(s, r);
    sockaddr_in peer {};
    const int fd = peerSocket(&peer);
    const sockaddr_in target = toSockaddr(s.local);
    QElapsedTimer clock;
    clock.start();
    Child child = spawn(fd, [&](int sock, int) { return generateOptions(sock, target, total, window, 3000); });
    const double cpu0 = cpuSeconds();
    // The generator reports when every answer arrived (or some went missing).
    QSocketNotifier done(qintptr(child.resultFd), QSocketNotifier::Read);
    QObject::connect(&done, &QSocketNotifier::activated, &done, [] { QCoreApplication::exit(0); });
    QCoreApplication::exec();
    finish(s, r, cpu0, clock);
    const LoadResult l = collect(child);
    r.peerErrors = l.errors + (total - std::min<std::uint64_t>(total, l.answered + l.errors));
    r.peerCpu = l.cpu;
    r.firstError = QString::fromUtf8(l.firstError);
    if (l.answered != r.done && r.firstError.isEmpty())
        r.firstError = QStringLiteral("the stack sent %1 200s, the generator accepted %2").arg(r.done).arg(l.answered);
    return r;
}

OneCore runUacOneCore(std::uint64_t total, int window, bool tracing)
{
    Side s(tracing);
    OneCore r;
    sockaddr_in peer {};
    const int fd = peerSocket(&peer);
    Child child = spawn(fd, [](int sock, int stop) { return respondOptions(sock, stop); });
    QString error;
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host);
    const auto c = s.stack.connect(TransportType::Udp, { QString::fromLatin1(host), ntohs(peer.sin_port) }, &error);
    if (!c)
        qFatal("%s", qPrintable(error));
    RequestTemplate base;
    base.method = "OPTIONS";
    base.requestUri = "sip:load@" + c->remote().toSentBy();
    base.from = "<sip:bench@" + c->local().toSentBy() + '>';
    base.to = "<sip:load@" + c->remote().toSentBy() + '>';
    base.via.transport = "UDP";
    base.via.sentBy = c->local().toSentBy();
    std::uint64_t sent = 0;
    auto next = [&] {
        if (r.done + r.stackErrors == total) {
            QCoreApplication::exit(0);
            return;
        }
        if (sent == total)
            return;
        RequestTemplate t = base;
        t.cseq = quint32(++sent);
        const SendResult res = s.stack.send(c, buildRequest(t), 0, SendFlag::Stateful);
        if (!res.ok())
            qFatal("%s", qPrintable(res.toString()));
    };
    QObject::connect(&s.stack, &SipStack::responseReceived, &s.stack, [&](const Incoming& in) {
        const int status = in.message.statusCode();
        if (status < 200)
            return;
        if (status == 200 && in.transaction)
            ++r.done;
        else {
            ++r.stackErrors;
            if (r.firstError.isEmpty())
                r.firstError = QStringLiteral("unexpected final response %1").arg(status);
        }
        next();
    });
    QObject::connect(&s.stack, &SipStack::transactionTimedOut, &s.stack, [&](quint64, const QString& timer) {
        ++r.stackErrors;
        if (r.firstError.isEmpty())
            r.firstError = QStringLiteral("a transaction timed out (Timer %1)").arg(timer);
        next();
    });
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < window && sent < total; ++i)
        next();
    QCoreApplication::exec();
    finish(s, r, cpu0, clock);
    const LoadResult l = collect(child);
    r.peerErrors = l.errors;
    r.peerCpu = l.cpu;
    if (r.firstError.isEmpty())
        r.firstError = QString::fromUtf8(l.firstError);
    return r;
}

namespace {
    // The last line of SIPp's -trace_stat file (';'-separated, a header line first) by column name.
    SippStats readSippStats(const QString& path)
    {
        SippStats s;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return s;
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        if (lines.size() < 2)
            return s;
        const QList<QByteArray> names = lines.first().trimmed().split(';');
        const QList<QByteArray> values = lines.last().trimmed().split(';');
        auto column = [&](const char* name, bool* found) {
            const qsizetype i = names.indexOf(QByteArray(name));
            *found = *found && i >= 0 && i < values.size();
            return *found ? values.at(i) : QByteArray();
        };
        bool found = true;
        s.callRate = column("CallRate(C)", &found).toDouble();
        s.successful = column("SuccessfulCall(C)", &found).toULongLong();
        s.failed = column("FailedCall(C)", &found).toULongLong();
        s.elapsed = QString::fromLatin1(column("ElapsedTime(C)", &found));
        s.read = found;
        return s;
    }
}

OneCore runUasSipp(std::uint64_t total, int window, int rate, bool tracing, SippStats* stats, bool* sippMissing)
{
    OneCore r;
    *stats = {};
    const QString sipp = QStandardPaths::findExecutable(QStringLiteral("sipp"));
    *sippMissing = sipp.isEmpty();
    if (sipp.isEmpty())
        return r;
    QTemporaryDir dir;
    const QString scenario = dir.filePath(QStringLiteral("options_uac.xml"));
    QFile f(scenario);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(scenario));
    // One OPTIONS per call, each with SIPp's own branch, Call-ID and From tag; the call fails
    // unless a 200 arrives (SIPp's default response timeout applies).
    f.write(R"(<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="OPTIONS uac">
  <send>
    <![CDATA[
      OPTIONS sip:bench@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:bench@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
)");
    f.close();
    const QString statFile = dir.filePath(QStringLiteral("stat.csv"));
    Side s(tracing);
    answerAll(s, r);
    QProcess p;
    p.setWorkingDirectory(dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setProgram(sipp);
    p.setArguments({ s.local.toString(),
        QStringLiteral("-sf"), scenario, QStringLiteral("-m"), QString::number(total), QStringLiteral("-l"),
        QString::number(window), QStringLiteral("-r"), QString::number(rate), QStringLiteral("-i"),
        QStringLiteral("127.0.0.1"), QStringLiteral("-nostdin"), QStringLiteral("-timeout"), QStringLiteral("120s"),
        QStringLiteral("-buff_size"), QString::number(4 * 1024 * 1024),
        // Its own statistics, cumulative counters on the last line (written as it ends); the
        // period is longer than any run, so there is no dump in between.
        QStringLiteral("-trace_stat"), QStringLiteral("-stf"), statFile, QStringLiteral("-fd"), QStringLiteral("3600") });
    QObject::connect(&p, &QProcess::finished, &p, [] { QCoreApplication::exit(0); });
    rusage before {}, after {};
    getrusage(RUSAGE_CHILDREN, &before);
    QElapsedTimer clock;
    clock.start();
    const double cpu0 = cpuSeconds();
    p.start();
    if (!p.waitForStarted())
        qFatal("cannot start %s", qPrintable(sipp));
    QCoreApplication::exec();
    finish(s, r, cpu0, clock);
    *stats = readSippStats(statFile);
    const QByteArray log = p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        r.peerErrors = total - std::min<std::uint64_t>(total, r.done);
        r.firstError = QStringLiteral("SIPp exited with %1: %2").arg(p.exitCode()).arg(QString::fromUtf8(log.right(300)));
    } else if (!stats->read) {
        r.peerErrors = total;
        r.firstError = QStringLiteral("SIPp wrote no statistics to %1 (-trace_stat)").arg(statFile);
    } else if (stats->failed > 0 || stats->successful != total) {
        r.peerErrors = stats->failed + (total - std::min<std::uint64_t>(total, stats->successful));
        r.firstError = QStringLiteral("SIPp counted %1 successful and %2 failed calls of %3")
                           .arg(stats->successful)
                           .arg(stats->failed)
                           .arg(total);
    }
    getrusage(RUSAGE_CHILDREN, &after);
    const auto secs = [](const rusage& u) {
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    r.peerCpu = secs(after) - secs(before);
    return r;
}

} // namespace ladder::bench
