// SPDX-License-Identifier: GPL-3.0-or-later
// bench_journal [EVENTS]  (default 1000000)
// The typical mix: 60 % SCTP chunk events without raw bytes, 30 % SIP messages of ~500 bytes,
// 10 % timer and state events. Exit status 1 when what is read back, loaded from JSON Lines or
// from the session file is not every event appended (the times would be of less work).
#include "journal/journal.h"
#include "capture/jsonl.h"
#include "capture/pcapng.h"
#include "capture/session.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>

using namespace ladder::trace;

namespace {

long rssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}

QList<Event> templates()
{
    QByteArray sip = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
                     "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1@10.0.0.1\r\n"
                     "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:alice@10.0.0.1:5060>\r\n"
                     "Content-Type: application/sdp\r\nContent-Length: 140\r\n\r\n";
    while (sip.size() < 500)
        sip.append('v');
    QList<Event> t;
    for (int i = 0; i < 10; ++i) {
        Event e;
        e.from = QStringLiteral("uac 10.0.0.1:5060");
        e.to = QStringLiteral("uas 10.0.0.2:5060");
        e.dir = i % 2 ? Dir::Rx : Dir::Tx;
        if (i < 6) {
            e.kind = Kind::SctpChunk;
            e.a = 0;
            e.b = 1;
            e.object = 1;
            e.text = QStringLiteral("DATA");
        } else if (i < 9) {
            e.kind = Kind::SipMessage;
            e.raw = sip;
            e.text = QStringLiteral("INVITE sip:bob@example.com SIP/2.0");
            e.object = 7;
        } else {
            e.kind = Kind::TransactionState;
            e.from.clear();
            e.to.clear();
            e.text = QStringLiteral("INVITE client: Calling -> Proceeding");
        }
        t.append(e);
    }
    return t;
}

void fill(Journal& j, quint64 n, const QList<Event>& t)
{
    for (quint64 i = 0; i < n; ++i) {
        Event e = t.at(int(i % 10));
        e.timeNs = qint64(i) * 1000;
        e.c = i;
        // Every message its own bytes, as on a real wire: the journal stores a payload that it
        // has just seen (same buffer, same bytes) only once, which a shared template would fake.
        if (!e.raw.isEmpty())
            e.raw[e.raw.size() - 1] = char('a' + i % 26);
        j.append(std::move(e));
    }
}

void row(const char* what, double value, const char* unit)
{
    std::printf("  %-46s %14.1f %s\n", what, value, unit);
}

bool g_ok = true;

void expectCount(const char* what, quint64 got, quint64 expected)
{
    if (got == expected)
        return;
    std::fprintf(stderr, "bench_journal: %s: %llu events, expected %llu\n", what, static_cast<unsigned long long>(got),
        static_cast<unsigned long long>(expected));
    g_ok = false;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint64 n = argc > 1 ? QByteArray(argv[1]).toULongLong() : 1000000;
    const QList<Event> t = templates();
    QTemporaryDir dir;
    std::printf("bench_journal: %llu events, typical mix (60%% SCTP chunk, 30%% SIP ~500 B, 10%% state)\n",
        static_cast<unsigned long long>(n));

    QElapsedTimer clock;
    const long rss0 = rssKb();
    auto journal = std::make_shared<Journal>();
    JournalLimits big;
    big.memoryBytes = std::size_t(4) << 30; // measure the in-memory form, no spilling
    journal->setLimits(big);
    clock.start();
    fill(*journal, n, t);
    const double appendS = double(clock.nsecsElapsed()) / 1e9;
    const long rss1 = rssKb();
    row("append, single thread", double(n) / appendS, "events/s");
    row("journal memory (memoryBytes)", double(journal->memoryBytes()) / 1048576.0, "MB");
    row("journal memory per event", double(journal->memoryBytes()) / double(n), "bytes");
    row("process RSS growth", double(rss1 - rss0) / 1024.0, "MB");

    {
        Journal j2;
        j2.setLimits(big);
        std::atomic<bool> done { false };
        std::atomic<quint64> read { 0 };
        QThread* reader = QThread::create([&] {
            while (!done) {
                const quint64 c = j2.count();
                const quint64 first = c > 1000 ? c - 1000 : 0;
                j2.forEach(first, 1000, [&](const Event&) { ++read; });
            }
        });
        reader->start();
        clock.restart();
        fill(j2, n, t);
        const double s = double(clock.nsecsElapsed()) / 1e9;
        done = true;
        reader->wait();
        delete reader;
        row("append, with a concurrent reader", double(n) / s, "events/s");
        row("  events read meanwhile", double(read.load()), "events");
    }
    {
        Journal j3;
        JournalLimits spill;
        spill.memoryBytes = std::size_t(64) << 20;
        j3.setLimits(spill);
        clock.restart();
        fill(j3, n, t);
        const double s = double(clock.nsecsElapsed()) / 1e9;
        row("append, 64 MB memory cap with spill", double(n) / s, "events/s");
        row("  memory with the cap", double(j3.memoryBytes()) / 1048576.0, "MB");
        clock.restart();
        quint64 seen = 0;
        j3.forEach(0, j3.count(), [&](const Event&) { ++seen; });
        row("  read back everything (spilled included)", double(seen) / (double(clock.nsecsElapsed()) / 1e9), "events/s");
        // The journal adds a Log event of its own when it starts spilling: everything it holds
        // must come back, and that is at least every event appended.
        expectCount("read back with the memory cap", seen, j3.count());
        if (j3.count() < n)
            expectCount("held with the memory cap", j3.count(), n);
    }

    const QString jsonl = dir.filePath(QStringLiteral("j.jsonl"));
    const QString session = dir.filePath(QStringLiteral("j.llsession"));
    const QString pcap = dir.filePath(QStringLiteral("j.pcapng"));
    {
        QFile f(jsonl);
        f.open(QIODevice::WriteOnly);
        clock.restart();
        writeJsonl(*journal, &f, journal->epochNs());
        f.close();
        row("export JSON Lines", double(clock.nsecsElapsed()) / 1e6, "ms");
        row("  file size", double(QFile(jsonl).size()) / 1048576.0, "MB");
    }
    {
        Journal j;
        j.setLimits(big);
        clock.restart();
        readJsonlFile(jsonl, [&j](Event&& e) { j.append(std::move(e)); });
        row("load JSON Lines into a journal", double(clock.nsecsElapsed()) / 1e6, "ms");
        expectCount("loaded from JSON Lines", j.count(), n);
    }
    {
        Session s(journal);
        clock.restart();
        s.save(session);
        row("save session file", double(clock.nsecsElapsed()) / 1e6, "ms");
        row("  file size", double(QFile(session).size()) / 1048576.0, "MB");
        Session r(std::make_shared<Journal>());
        r.journal().setLimits(big);
        clock.restart();
        r.load(session);
        row("load session file into a journal", double(clock.nsecsElapsed()) / 1e6, "ms");
        expectCount("loaded from the session file", r.journal().count(), n);
    }
    {
        QFile f(pcap);
        f.open(QIODevice::WriteOnly);
        clock.restart();
        writePcapng(*journal, &f, {});
        f.close();
        row("export pcapng (wire events)", double(clock.nsecsElapsed()) / 1e6, "ms");
    }
    expectCount("appended", journal->count(), n);
    return g_ok ? 0 : 1;
}
