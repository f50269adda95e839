// SPDX-License-Identifier: GPL-3.0-or-later
// Bulk SCTP transfer in one process, ours vs raw usrsctp, same runtime, same run.
//   ours: Engine + Endpoint::send/receive over a LabLinkPair (no loss, no delay), every packet
//         through the packet tap into the journal (the tap mode is printed).
//   raw:  two AF_CONN sockets on one address, usrsctp_sendv / usrsctp_recvv, packets handed
//         from conn_output straight back to usrsctp_conninput from a loop.
// Usage: bench_sctp_throughput [MB per run, default 32]
#include "core/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "sctp/runtime.h"
#include "trace/journal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <cstdio>
#include <usrsctp.h>
#include <vector>

using namespace ladder;
using namespace ladder::sctp;

namespace {

struct Figures {
    double seconds = 0;
    quint64 bytes = 0;
    quint64 messages = 0;
    double mbps() const { return double(bytes) / 1e6 / seconds; }
    double mps() const { return double(messages) / seconds; }
};

Figures runOurs(Stack& stack, int messageSize, quint64 totalBytes, PacketTap::Level level)
{
    Engine engine(stack);
    engine.tap().setLevel(level);
    LabLinkPair link(engine, 1);
    Endpoint* listener = engine.socket(Style::OneToOne, link.b());
    Endpoint* client = engine.socket(Style::OneToOne, link.a());
    for (Endpoint* e : { listener, client }) {
        e->setSendBuffer(1 << 20);
    }
    listener->bind(5000);
    listener->listen();
    client->connect(Address { QStringLiteral("10.0.0.2"), 5000 });
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
    QElapsedTimer t;
    t.start();
    while (received < total) {
        while (sent < total && client->send(payload, {}))
            ++sent;
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        while (server->hasMessages()) {
            bytes += quint64(server->receive()->data.size());
            ++received;
        }
    }
    Figures f { double(t.nsecsElapsed()) / 1e9, bytes, received };
    client->close();
    server->close();
    listener->close();
    for (int i = 0; i < 20; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    return f;
}

struct RawLink {
    std::vector<QByteArray> queue;
};

Figures runRaw(Runtime& runtime, int messageSize, quint64 totalBytes)
{
    static char anchor;
    RawLink link;
    runtime.registerAddress(&anchor, [&link](const QByteArray& p) { link.queue.push_back(p); });
    auto pump = [&] {
        // What Runtime does, minus the event loop: take the packets conn_output queued and feed them back.
        QCoreApplication::processEvents(QEventLoop::AllEvents); // runtime's queued flush -> link.queue
        std::vector<QByteArray> batch;
        batch.swap(link.queue);
        for (const QByteArray& p : batch)
            usrsctp_conninput(&anchor, p.constData(), std::size_t(p.size()), 0);
    };
    auto make = [](quint16 port) {
        struct socket* so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
        usrsctp_set_non_blocking(so, 1);
        const int buf = 1 << 20;
        usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        const int rcv = 256 * 1024;
        usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        const int on = 1;
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
        sockaddr_conn a {};
        a.sconn_family = AF_CONN;
        a.sconn_port = htons(port);
        a.sconn_addr = &anchor;
        usrsctp_bind(so, reinterpret_cast<sockaddr*>(&a), sizeof a);
        return so;
    };
    struct socket* listener = make(6000);
    usrsctp_listen(listener, 1);
    struct socket* client = make(6001);
    sockaddr_conn peer {};
    peer.sconn_family = AF_CONN;
    peer.sconn_port = htons(6000);
    peer.sconn_addr = &anchor;
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
    std::vector<char> buffer(256 * 1024);
    const quint64 total = totalBytes / quint64(messageSize);
    quint64 sent = 0, received = 0, bytes = 0;
    QElapsedTimer t;
    t.start();
    while (received < total) {
        while (sent < total) {
            struct sctp_sndinfo snd {};
            if (usrsctp_sendv(client, payload.constData(), std::size_t(payload.size()), nullptr, 0, &snd, sizeof snd,
                    SCTP_SENDV_SNDINFO, 0)
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
    Figures f { double(t.nsecsElapsed()) / 1e9, bytes, received };
    usrsctp_close(client);
    usrsctp_close(server);
    usrsctp_close(listener);
    for (int i = 0; i < 20; ++i)
        pump();
    runtime.deregisterAddress(&anchor);
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const quint64 mb = argc > 1 ? QByteArray(argv[1]).toULongLong() : 32;
    Stack stack;
    std::printf("SCTP bulk transfer in one process, %llu MB per run (usrsctp %s, single-threaded, AF_CONN)\n",
        static_cast<unsigned long long>(mb), qPrintable(Runtime::libraryVersion()));
    std::printf("%-9s %-26s %10s %12s %8s\n", "message", "path", "MB/s", "messages/s", "vs raw");
    for (int size : { 100, 65536 }) {
        const quint64 total = size == 100 ? mb * 1000000 / 8 : mb * 1000000; // small messages: fewer bytes
        const Figures raw = runRaw(stack.sctpRuntime(), size, total);
        std::printf("%-9d %-26s %10.1f %12.0f %8s\n", size, "raw usrsctp", raw.mbps(), raw.mps(), "1.00");
        for (auto [level, name] : { std::pair { PacketTap::Level::Packets, "ours (tap: packets)" },
                 std::pair { PacketTap::Level::Chunks, "ours (tap: every chunk)" } }) {
            stack.journal().clear();
            const Figures ours = runOurs(stack, size, total, level);
            std::printf("%-9d %-26s %10.1f %12.0f %8.2f\n", size, name, ours.mbps(), ours.mps(), ours.mbps() / raw.mbps());
        }
    }
    return 0;
}
