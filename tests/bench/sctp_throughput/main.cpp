// SPDX-License-Identifier: GPL-3.0-or-later
// Bulk SCTP transfer in one process, ours vs raw usrsctp, same runtime, same run, same sizes, on
// two wires: "lab", in process (the packets never leave the process: only usrsctp and our code
// are measured), and "udp", RFC 6951 encapsulation over the kernel's loopback (127.0.0.1).
//   raw:  two AF_CONN sockets with the same socket options as ours (1 MiB send buffer, 256 KiB
//         receive buffer, NODELAY), usrsctp_sendv / usrsctp_recvv; the packets go through the same
//         Runtime queue (conn_output -> event loop). Lab: straight back into usrsctp_conninput on
//         one AF_CONN address. Udp: two UDP sockets, one sendto per packet and one recv per
//         datagram (as usrsctp's own encapsulation does), and once more with batched sendmmsg /
//         recvmmsg (as UdpTransport does: the reference of the udp rows). No journal, no tap, and
//         no sampling of usrsctp's retransmission counters per packet (only the tap reads them).
//   ours: Engine + Endpoint::send/receiveInto over a LabLinkPair with no impairment, or over two
//         UdpTransports. The journal is always on (one UserAction event per send); the tap level
//         says what else it gets: "chunks" (the app's default level) = every SCTP packet in both
//         directions with its raw bytes, an SctpChunk event per chunk with its description (what
//         ladderctl and the lessons read) and the derived events (retransmissions, FORWARD-TSN,
//         abandons); "packets" = the same without the per-chunk events (all the GUI's timeline,
//         ladder and inspector need); "off" journals nothing per packet (the API with its
//         per-send journal and live counters). The events a reader gets are counted
//         ("events/message"), but not all of them are built while sending: the chunk events, and
//         in the lab a packet's arrival over this perfect link, are implied by the packet's event
//         — stored as an index entry each — and built from the packet's bytes when read
//         (Journal::append(e, implied)). That work is not in the send rates, so each run of ours
//         is followed by a "read back" row: Journal::forEach over everything the run journalled,
//         timed (events per CPU-second, and per message of the run).
// On the udp wire the reference ("vs raw", "best") is raw usrsctp with batched system calls, the
// same batching UdpTransport does; "vs unbatched" compares with raw usrsctp making a system call
// per packet (usrsctp's own encapsulation). In the lab there is one raw run, the reference.
// Each round runs raw and then every selected mode back to back; the printed figure is the
// median over the rounds, and "vs raw" is the median over the rounds of each round's ratio to
// that round's raw run (paired: a neighbour's load burst moves both sides of a ratio alike);
// "best" divides each path's best round by raw's best round (noise only ever slows a run).
// MB/s and messages/s are per second of CPU time of the (single) thread doing everything — the
// machine is shared, so wall-clock rates ("wall MB/s") swing with the neighbours' load.
// runOurs and runRaw stay functions of their own (noinline), so that callgrind's inclusive cost of
// each (callgrind_annotate --inclusive=yes) counts one path's instructions in a link-time
// optimised build too. (--toggle-collect does not: the lambdas inside them carry their names and
// toggle collection off again.)
// Exit status 1 when a run did not deliver every message with its bytes, or the read back did not
// see every event the run journalled.
// Usage: bench_sctp_throughput [MB per run, default 32] [--rounds N, default 3]
//        [--only raw|packets|chunks|off[,...]] [--size BYTES] [--wire lab|udp, default both]
#include "core/datagrams.h"
#include "host/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "sctp/runtime.h"
#include "sctp/udptransport.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usrsctp.h>

using namespace ladder;
using namespace ladder::sctp;

namespace {

// CPU time of this thread: the machine is shared, and a busy neighbour stretches wall-clock time
// of whichever run it happens to overlap; everything here runs on this one thread.
double cpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

struct Figures {
    double seconds = 0; // CPU seconds
    double wallSeconds = 0;
    quint64 bytes = 0;
    quint64 messages = 0;
    quint64 journalEvents = 0;
    quint64 packets = 0; // SCTP packets both ways
    double readSeconds = 0; // CPU seconds of Journal::forEach over the run's events (ours only)
    quint64 readEvents = 0; // events it visited
    double mbps() const { return double(bytes) / 1e6 / seconds; }
    double wallMbps() const { return double(bytes) / 1e6 / wallSeconds; }
    double mps() const { return double(messages) / seconds; }
};

constexpr int kSendBuffer = 1 << 20;
constexpr int kReceiveBuffer = 256 * 1024;

// Which wire joins the two endpoints.
enum class Wire {
    Lab, // in-process: the packets go from one AF_CONN address straight to the other (no kernel)
    Udp, // loopback UDP: RFC 6951 encapsulation between two sockets on 127.0.0.1 (the kernel's path)
};

[[gnu::noinline]] Figures runOurs(Stack& stack, int messageSize, quint64 totalBytes, PacketTap::Level level, Wire wire)
{
    stack.journal().clear();
    Engine engine(stack);
    engine.tap().setLevel(level);
    std::unique_ptr<LabLinkPair> link;
    std::unique_ptr<UdpTransport> udpA, udpB;
    Transport* sideA = nullptr;
    Transport* sideB = nullptr;
    QString serverHost;
    if (wire == Wire::Lab) {
        link = std::make_unique<LabLinkPair>(engine, 1);
        sideA = &link->a();
        sideB = &link->b();
        serverHost = QStringLiteral("10.0.0.2");
    } else {
        udpA = std::make_unique<UdpTransport>(engine);
        udpB = std::make_unique<UdpTransport>(engine);
        if (!udpA->bind(QHostAddress::LocalHost, 0) || !udpB->bind(QHostAddress::LocalHost, 0)) {
            std::fprintf(stderr, "cannot bind UDP on 127.0.0.1\n");
            std::exit(1);
        }
        udpA->setPeerUdpPort(udpB->udpPort());
        udpB->setPeerUdpPort(udpA->udpPort());
        sideA = udpA.get();
        sideB = udpB.get();
        serverHost = QStringLiteral("127.0.0.1");
    }
    Endpoint* listener = engine.socket(Style::OneToOne, *sideB);
    Endpoint* client = engine.socket(Style::OneToOne, *sideA);
    for (Endpoint* e : { listener, client })
        e->setSendBuffer(kSendBuffer);
    listener->bind(5000);
    listener->listen();
    client->connect(Address { serverHost, 5000 });
    Endpoint* server = nullptr;
    while (!server || client->association() == 0
        || engine.association(client->association())->state != QStringLiteral("ESTABLISHED")) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        if (!server)
            if (auto r = listener->accept())
                server = *r;
    }
    const QByteArray payload(messageSize, 'x');
    const quint64 total = totalBytes / quint64(messageSize);
    quint64 sent = 0, received = 0, bytes = 0;
    const SendInfo info;
    ReceivedMessage message; // one for the whole run: receiveInto reuses its buffer, as recvv does the caller's
    const quint64 eventsBefore = stack.journal().count();
    const quint64 packetsBefore = engine.tap().packets() / 2;
    QElapsedTimer t;
    t.start();
    const double cpu0 = cpuSeconds();
    while (received < total) {
        while (sent < total && client->send(payload, info))
            ++sent;
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        while (server->receiveInto(message)) {
            bytes += quint64(message.data.size());
            ++received;
        }
    }
    Figures f { cpuSeconds() - cpu0, double(t.nsecsElapsed()) / 1e9, bytes, received, stack.journal().count() - eventsBefore,
        engine.tap().packets() / 2 - packetsBefore }; // the tap sees each packet leave and arrive
    // What a reader pays for what the run journalled: the implied events (chunks, lab arrivals)
    // are built here, from their packet's bytes, before the visitor sees them.
    {
        quint64 visited = 0;
        const double read0 = cpuSeconds();
        stack.journal().forEach(eventsBefore, f.journalEvents, [&visited](const trace::Event&) { ++visited; });
        f.readSeconds = cpuSeconds() - read0;
        f.readEvents = visited;
    }
    client->close();
    server->close();
    listener->close();
    for (int i = 0; i < 20; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return f;
}

// Two non-blocking UDP sockets on 127.0.0.1, for the raw path over the kernel's loopback.
struct UdpPair {
    int fd[2] { -1, -1 };
    sockaddr_in addr[2] {};
    UdpPair()
    {
        for (int i = 0; i < 2; ++i) {
            fd[i] = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            addr[i].sin_family = AF_INET;
            addr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t len = sizeof addr[i];
            if (fd[i] < 0 || ::bind(fd[i], reinterpret_cast<sockaddr*>(&addr[i]), len) != 0
                || ::getsockname(fd[i], reinterpret_cast<sockaddr*>(&addr[i]), &len) != 0) {
                std::fprintf(stderr, "cannot bind UDP on 127.0.0.1\n");
                std::exit(1);
            }
            net::enlargeBuffers(fd[i]); // as UdpTransport's: no drops for either side
        }
    }
    ~UdpPair()
    {
        for (int f : fd)
            ::close(f);
    }
    // The batched variant: its queues, and UdpTransport's own batching (core/datagrams.h).
    std::vector<QByteArray> out[2];
    QByteArray inbound;
    void flush()
    {
        for (int side = 0; side < 2; ++side) {
            const std::vector<QByteArray>& q = out[side];
            net::sendDatagrams(fd[side], q.size(), [&](std::size_t i) {
                return net::OutDatagram { q[i].constData(), std::size_t(q[i].size()),
                    reinterpret_cast<const sockaddr*>(&addr[1 - side]), socklen_t(sizeof(sockaddr_in)) };
            });
            out[side].clear();
        }
    }
    template <typename Fn>
    void drain(Fn&& deliver)
    {
        for (bool any = true; any;) {
            any = false;
            for (int side = 0; side < 2; ++side)
                net::receiveDatagrams(fd[side], inbound, 64,
                    [&](const char* data, std::size_t n, const sockaddr_storage&, socklen_t, bool) {
                        deliver(side, data, n);
                        any = true;
                    });
        }
    }
};

// batched (Udp only): the packets of one event-loop round go out in one sendmmsg per socket
// and are read with recvmmsg, 16 at a time — as UdpTransport does; otherwise one sendto per
// packet and one recv per datagram, as usrsctp's own encapsulation does (a sendmsg per packet,
// a recvmsg per datagram in its receive thread).
[[gnu::noinline]] Figures runRaw(Runtime& runtime, int messageSize, quint64 totalBytes, Wire wire, bool batched)
{
    // Lab: one AF_CONN address for both sockets; what conn_output emits goes straight back in.
    // Udp: the address of each side as the other sees it (as UdpTransport keeps one per peer);
    // conn_output for B's address sends from A's socket to B's, and what B's socket receives
    // goes into usrsctp as coming from A's address — RFC 6951 with nothing else around it.
    static char anchor, peerA, peerB;
    std::vector<QByteArray> queue;
    quint64 packets = 0;
    std::unique_ptr<UdpPair> udp;
    if (wire == Wire::Lab) {
        runtime.registerAddress( // no tap here: usrsctp's counters are not sampled per packet
            &anchor,
            [&queue, &packets](const QByteArray& p) {
                queue.push_back(p);
                ++packets;
            },
            false);
    } else {
        udp = std::make_unique<UdpPair>();
        for (int side = 0; side < 2; ++side)
            runtime.registerAddress(
                side == 0 ? static_cast<void*>(&peerB) : static_cast<void*>(&peerA),
                [&udp, &packets, side, batched](const QByteArray& p) {
                    if (batched)
                        udp->out[side].push_back(p);
                    else
                        ::sendto(udp->fd[side], p.constData(), std::size_t(p.size()), 0,
                            reinterpret_cast<const sockaddr*>(&udp->addr[1 - side]), sizeof(sockaddr_in));
                    ++packets;
                },
                false);
    }
    std::vector<char> datagram(65536);
    auto pump = [&] {
        // What the lab link (or UdpTransport) does, minus tap and journal: take the packets
        // conn_output queued (delivered by the runtime from the event loop) and feed them back.
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        if (!udp) {
            std::vector<QByteArray> batch;
            batch.swap(queue);
            for (const QByteArray& p : batch)
                usrsctp_conninput(&anchor, p.constData(), std::size_t(p.size()), 0);
            return;
        }
        if (batched) {
            udp->flush();
            udp->drain([](int side, const char* data, std::size_t n) {
                usrsctp_conninput(side == 0 ? static_cast<void*>(&peerB) : static_cast<void*>(&peerA), data, n, 0);
            });
            return;
        }
        for (bool any = true; any;) {
            any = false;
            for (int side = 0; side < 2; ++side) {
                const ssize_t n = ::recv(udp->fd[side], datagram.data(), datagram.size(), 0);
                if (n > 0) {
                    usrsctp_conninput(side == 0 ? static_cast<void*>(&peerB) : static_cast<void*>(&peerA), datagram.data(),
                        std::size_t(n), 0);
                    any = true;
                }
            }
        }
    };
    void* const bindAt = wire == Wire::Lab ? static_cast<void*>(&anchor) : nullptr; // nullptr: every address
    auto make = [bindAt](quint16 port) {
        struct socket* so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
        usrsctp_set_non_blocking(so, 1);
        const int buf = kSendBuffer;
        usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        const int rcv = kReceiveBuffer;
        usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        const int on = 1;
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
        sockaddr_conn a {};
        a.sconn_family = AF_CONN;
        a.sconn_port = htons(port);
        a.sconn_addr = bindAt;
        usrsctp_bind(so, reinterpret_cast<sockaddr*>(&a), sizeof a);
        return so;
    };
    struct socket* listener = make(6000);
    usrsctp_listen(listener, 1);
    struct socket* client = make(6001);
    sockaddr_conn peer {};
    peer.sconn_family = AF_CONN;
    peer.sconn_port = htons(6000);
    peer.sconn_addr = wire == Wire::Lab ? static_cast<void*>(&anchor) : static_cast<void*>(&peerB);
    usrsctp_connect(client, reinterpret_cast<sockaddr*>(&peer), sizeof peer);
    struct socket* server = nullptr;
    while (!server) {
        pump();
        server = usrsctp_accept(listener, nullptr, nullptr);
    }
    for (int i = 0; i < 10; ++i)
        pump();
    usrsctp_set_non_blocking(server, 1);
    const QByteArray payload(messageSize, 'x');
    std::vector<char> buffer(kReceiveBuffer);
    const quint64 total = totalBytes / quint64(messageSize);
    quint64 sent = 0, received = 0, bytes = 0;
    const quint64 packetsBefore = packets;
    QElapsedTimer t;
    t.start();
    const double cpu0 = cpuSeconds();
    while (received < total) {
        while (sent < total) {
            struct sctp_sendv_spa spa {};
            spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
            if (usrsctp_sendv(client, payload.constData(), std::size_t(payload.size()), nullptr, 0, &spa, sizeof spa,
                    SCTP_SENDV_SPA, 0)
                < 0)
                break;
            ++sent;
        }
        pump();
        for (;;) {
            struct sctp_rcvinfo rcv {};
            socklen_t infolen = sizeof rcv;
            unsigned int infotype = 0;
            int flags = 0;
            const ssize_t n = usrsctp_recvv(server, buffer.data(), buffer.size(), nullptr, nullptr, &rcv, &infolen,
                &infotype, &flags);
            if (n <= 0)
                break;
            bytes += quint64(n);
            if (flags & MSG_EOR)
                ++received;
        }
    }
    Figures f { cpuSeconds() - cpu0, double(t.nsecsElapsed()) / 1e9, bytes, received, 0, packets - packetsBefore };
    usrsctp_close(client);
    usrsctp_close(server);
    usrsctp_close(listener);
    for (int i = 0; i < 20; ++i)
        pump();
    if (wire == Wire::Lab) {
        runtime.deregisterAddress(&anchor);
    } else {
        runtime.deregisterAddress(&peerA);
        runtime.deregisterAddress(&peerB);
    }
    return f;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    quint64 mb = 32;
    int rounds = 3;
    QList<QByteArray> only; // empty: every path
    std::vector<int> sizes { 100, 65536 };
    std::vector<Wire> wires { Wire::Lab, Wire::Udp };
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--rounds" && i + 1 < argc)
            rounds = std::max(1, QByteArray(argv[++i]).toInt());
        else if (a == "--only" && i + 1 < argc)
            only = QByteArray(argv[++i]).split(',');
        else if (a == "--size" && i + 1 < argc)
            sizes = { std::max(1, QByteArray(argv[++i]).toInt()) };
        else if (a == "--wire" && i + 1 < argc) {
            const QByteArray w(argv[++i]);
            if (w != "lab" && w != "udp") {
                std::fprintf(stderr, "--wire takes lab or udp\n");
                return 2;
            }
            wires = { w == "lab" ? Wire::Lab : Wire::Udp };
        }
        else
            mb = std::max<quint64>(1, a.toULongLong());
    }
    Stack stack;
    std::printf("SCTP bulk transfer in one process, %llu MB per run (100-byte messages: an eighth of that), median of %d "
                "rounds\n(usrsctp %s, single-threaded, AF_CONN; wire \"lab\": in process, ours a lab link pair without impairment;\n"
                "wire \"udp\": RFC 6951 over the kernel's loopback, 127.0.0.1, ours two UdpTransports)\n"
                "raw usrsctp: no journal, no tap. ours: the journal is always on (one UserAction per send); tap \"packets\" "
                "journals every SCTP packet\nboth ways with its raw bytes, \"chunks\" (the app's default) also one event per "
                "chunk, \"off\" no packet events.\n\"events/message\" counts what a reader gets, not what was built while "
                "sending: chunk events, and in the lab a packet's\narrival, are implied by the packet's event (stored as an "
                "index entry each) and built from its bytes when read;\nthe \"read back\" row under each of ours times that: "
                "Journal::forEach over everything the run journalled.\nRates per CPU-second; \"vs raw\" = median of each "
                "round's ratio to the raw run of the same round, on udp the raw run\nwith batched system calls "
                "(sendmmsg/recvmmsg, as UdpTransport); \"vs unbatched\" (udp) = the same against raw usrsctp\nwith a system "
                "call per packet; \"best\" = the best round of each path against the best reference round (a busy\n"
                "neighbour only ever slows a run down).\n",
        static_cast<unsigned long long>(mb), rounds, qPrintable(Runtime::libraryVersion()));
    std::printf("%-5s %-9s %-36s %10s %12s %8s %8s %14s %16s %10s %12s\n", "wire", "message", "path", "MB/s", "messages/s",
        "vs raw", "best", "events/message", "packets/message", "wall MB/s", "vs unbatched");
    struct Mode {
        const char* key;
        const char* name;
        PacketTap::Level level;
    };
    const Mode modes[] = {
        { "packets", "ours, tap: packets", PacketTap::Level::Packets },
        { "chunks", "ours, tap: chunks [app default]", PacketTap::Level::Chunks },
        { "off", "ours, tap off: API + journal", PacketTap::Level::Off },
    };
    // Every run must have moved every message with its bytes, and a read back must have seen every
    // event its run journalled: otherwise the rates describe less work than they say.
    bool ok = true;
    auto check = [&ok](const Figures& f, quint64 messages, quint64 bytes, const char* path, bool ours) {
        if (f.messages != messages || f.bytes != bytes) {
            std::fprintf(stderr, "%s: %llu messages, %llu bytes received; expected %llu and %llu\n", path,
                static_cast<unsigned long long>(f.messages), static_cast<unsigned long long>(f.bytes),
                static_cast<unsigned long long>(messages), static_cast<unsigned long long>(bytes));
            ok = false;
        }
        if (ours && f.readEvents != f.journalEvents) {
            std::fprintf(stderr, "%s: the read back saw %llu of the %llu events journalled\n", path,
                static_cast<unsigned long long>(f.readEvents), static_cast<unsigned long long>(f.journalEvents));
            ok = false;
        }
    };
    for (Wire wire : wires)
    for (int size : sizes) {
        const bool udp = wire == Wire::Udp;
        const char* wireName = udp ? "udp" : "lab";
        const quint64 total = size <= 1000 ? mb * 1000000 / 8 : mb * 1000000;
        const quint64 messages = total / quint64(size);
        const quint64 bytes = messages * quint64(size);
        std::vector<double> rawMb, rawMsg, rawPackets, rawWall, batchedMb, batchedMsg, batchedPackets, batchedWall;
        std::map<int, std::vector<double>> oursMb, oursMsg, oursEvents, oursPackets, oursWall, oursRatio, oursUnbatchedRatio,
            readRate, readPerMessage;
        for (int round = 0; round < rounds; ++round) {
            if (udp && (only.isEmpty() || only.contains("raw"))) {
                const Figures b = runRaw(stack.sctpRuntime(), size, total, wire, true);
                check(b, messages, bytes, "raw usrsctp, batched", false);
                batchedMb.push_back(b.mbps());
                batchedMsg.push_back(b.mps());
                batchedWall.push_back(b.wallMbps());
                batchedPackets.push_back(double(b.packets) / double(std::max<quint64>(1, b.messages)));
            }
            if (only.isEmpty() || only.contains("raw")) {
                const Figures raw = runRaw(stack.sctpRuntime(), size, total, wire, false);
                check(raw, messages, bytes, "raw usrsctp", false);
                rawMb.push_back(raw.mbps());
                rawMsg.push_back(raw.mps());
                rawWall.push_back(raw.wallMbps());
                rawPackets.push_back(double(raw.packets) / double(std::max<quint64>(1, raw.messages)));
            }
            // The reference of this round: on udp the batched raw run, in the lab the raw run.
            const std::vector<double>& ref = udp ? batchedMb : rawMb;
            for (int m = 0; m < 3; ++m) {
                if (!only.isEmpty() && !only.contains(modes[m].key))
                    continue;
                const Figures f = runOurs(stack, size, total, modes[m].level, wire);
                check(f, messages, bytes, modes[m].name, true);
                oursMb[m].push_back(f.mbps());
                if (!ref.empty()) // against the reference run of the same round: the same minute of a shared machine
                    oursRatio[m].push_back(f.mbps() / ref.back());
                if (udp && !rawMb.empty())
                    oursUnbatchedRatio[m].push_back(f.mbps() / rawMb.back());
                oursMsg[m].push_back(f.mps());
                oursWall[m].push_back(f.wallMbps());
                oursEvents[m].push_back(double(f.journalEvents) / double(std::max<quint64>(1, f.messages)));
                oursPackets[m].push_back(double(f.packets) / double(std::max<quint64>(1, f.messages)));
                readRate[m].push_back(double(f.readEvents) / std::max(1e-9, f.readSeconds));
                readPerMessage[m].push_back(f.readSeconds * 1e6 / double(std::max<quint64>(1, f.messages)));
            }
        }
        const std::vector<double>& refMb = udp ? batchedMb : rawMb;
        const double refBest = refMb.empty() ? 0 : *std::max_element(refMb.begin(), refMb.end());
        // Per-round ratio of a to b (the same round, so the same minute of a shared machine).
        auto paired = [](const std::vector<double>& a, const std::vector<double>& b) {
            std::vector<double> r;
            for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
                r.push_back(a[i] / b[i]);
            return r;
        };
        auto fmt = [](const std::vector<double>& v, char* out) {
            if (v.empty())
                std::snprintf(out, 16, "-");
            else
                std::snprintf(out, 16, "%.2f", median(v));
        };
        auto bestOf = [refBest](const std::vector<double>& v, char* out) {
            if (v.empty() || refBest <= 0)
                std::snprintf(out, 16, "-");
            else
                std::snprintf(out, 16, "%.2f", *std::max_element(v.begin(), v.end()) / refBest);
        };
        char r1[16], r2[16], r3[16];
        if (!batchedMb.empty()) {
            fmt(paired(batchedMb, rawMb), r2);
            std::printf("%-5s %-9d %-36s %10.1f %12.0f %8s %8s %14s %16.3f %10.1f %12s\n", wireName, size,
                "raw usrsctp, batched syscalls [ref]", median(batchedMb), median(batchedMsg), "1.00", "1.00", "-",
                median(batchedPackets), median(batchedWall), r2);
        }
        if (!rawMb.empty()) {
            if (udp) {
                fmt(paired(rawMb, batchedMb), r1);
                bestOf(rawMb, r3);
            } else {
                std::snprintf(r1, sizeof r1, "1.00");
                std::snprintf(r3, sizeof r3, "1.00");
            }
            std::printf("%-5s %-9d %-36s %10.1f %12.0f %8s %8s %14s %16.3f %10.1f %12s\n", wireName, size,
                udp ? "raw usrsctp, a syscall per packet" : "raw usrsctp [ref]", median(rawMb), median(rawMsg), r1, r3, "-",
                median(rawPackets), median(rawWall), udp ? "1.00" : "-");
        }
        for (auto& [m, v] : oursMb) {
            fmt(oursRatio[m], r1);
            if (oursRatio[m].empty())
                std::snprintf(r3, sizeof r3, "-");
            else
                bestOf(v, r3);
            fmt(oursUnbatchedRatio[m], r2);
            std::printf("%-5s %-9d %-36s %10.1f %12.0f %8s %8s %14.2f %16.3f %10.1f %12s\n", wireName, size, modes[m].name,
                median(v), median(oursMsg[m]), r1, r3, median(oursEvents[m]), median(oursPackets[m]), median(oursWall[m]), r2);
            std::printf("%-5s %-9d   read back (Journal::forEach over the run's events): %.2f M events per CPU-second, "
                        "%.3f µs CPU per message of the run\n",
                wireName, size, median(readRate[m]) / 1e6, median(readPerMessage[m]));
        }
        std::fflush(stdout);
    }
    return ok ? 0 : 1;
}
