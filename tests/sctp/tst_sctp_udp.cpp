// SPDX-License-Identifier: GPL-3.0-or-later
// Our RFC 6951 encapsulation (UdpTransport) on its own: two transports of one engine on the
// loopback (IPv4 and, where the machine has it, IPv6) carry a bulk transfer of every size up to
// 60 000 bytes intact and in order, with each datagram journalled on the right lanes; binding
// errors, a peer the socket cannot reach and garbage datagrams are reported, and lose nothing.
// (Interop with usrsctp's own encapsulation is tst_sctp_interop.)
#include "sctplab.h"

#include "sctp/udptransport.h"
#include "testskip.h"

#include <QHash>
#include <QUdpSocket>

#include <memory>

using namespace ladder;
using namespace ladder::sctp;

namespace {
using testing::Lab;

QByteArray payload(int i)
{
    static const int sizes[] = { 1, 100, 1199, 1200, 1452, 4000, 16384, 60000 };
    const int n = sizes[i % 8];
    QByteArray m(n, char('a' + i % 26));
    const QByteArray tag = QByteArray::number(i) + ':';
    m.replace(0, std::min<qsizetype>(tag.size(), n), tag.left(n));
    return m;
}

// Two transports of one engine on `host`, each told the other's UDP port; a server accepted.
struct Pair {
    Stack stack;
    Engine engine { stack };
    UdpTransport a { engine };
    UdpTransport b { engine };
    Endpoint* client = nullptr;
    Endpoint* server = nullptr;
    quint64 association = 0;

    bool open(const QHostAddress& host, QString* why)
    {
        if (auto r = a.bind(host, 0); !r) {
            *why = r.error().text();
            return false;
        }
        if (auto r = b.bind(host, 0); !r) {
            *why = r.error().text();
            return false;
        }
        a.setPeerUdpPort(b.udpPort());
        b.setPeerUdpPort(a.udpPort());
        Endpoint* listener = engine.socket(Style::OneToOne, b);
        client = engine.socket(Style::OneToOne, a);
        if (!listener->bind(5000) || !listener->listen())
            return false;
        auto id = client->connect(Address { host.toString(), 5000 });
        if (!id) {
            *why = id.error().text();
            return false;
        }
        association = *id;
        const bool up = Lab::waitFor([&] {
            if (!server)
                if (auto s = listener->accept())
                    server = *s;
            return server && engine.association(association)->state == QStringLiteral("ESTABLISHED");
        }, 5000);
        if (!up)
            *why = QStringLiteral("the association did not come up");
        return up;
    }

    // Sends n messages (payload(0..n-1)) client → server and checks each as it arrives.
    void transfer(int n)
    {
        int sent = 0, received = 0;
        ReceivedMessage m;
        QDeadlineTimer deadline(30000);
        while (received < n && !deadline.hasExpired()) {
            while (sent < n && client->send(payload(sent), SendInfo {}))
                ++sent;
            QTest::qWait(1);
            while (server->receiveInto(m)) {
                QCOMPARE(m.data.size(), payload(received).size());
                QVERIFY2(m.data == payload(received), qPrintable(QStringLiteral("message %1 differs").arg(received)));
                ++received;
            }
        }
        QCOMPARE(received, n);
    }

    // The SctpPacket events journalled for each direction, with their lanes checked.
    void checkJournal(const QString& laneA, const QString& laneB)
    {
        quint64 tx = 0, rx = 0;
        bool lanesRight = true;
        // Each packet received is journalled with the very bytes one was sent with (the receive
        // path journals them straight from its buffer, which the next datagram overwrites).
        QHash<QByteArray, int> sentBytes;
        QList<QByteArray> receivedBytes;
        stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
            if (e.kind != trace::Kind::SctpPacket)
                return;
            (e.dir == trace::Dir::Tx ? tx : rx) += 1;
            if (e.dir == trace::Dir::Tx)
                ++sentBytes[e.raw];
            else
                receivedBytes << e.raw;
            if (!(e.from == laneA || e.from == laneB) || !(e.to == laneA || e.to == laneB) || e.from == e.to)
                lanesRight = false;
        });
        QVERIFY(lanesRight);
        int unmatched = 0;
        for (const QByteArray& r : std::as_const(receivedBytes))
            if (--sentBytes[r] < 0)
                ++unmatched;
        QCOMPARE(unmatched, 0);
        // Every datagram either side sent or received is a packet event.
        QCOMPARE(tx, a.datagramsSent() + b.datagramsSent() + a.sendErrors() + b.sendErrors());
        QCOMPARE(rx, a.datagramsReceived() + b.datagramsReceived());
        QVERIFY(rx > 100);
    }
};
}

class TestSctpUdp : public QObject {
    Q_OBJECT
private slots:
    void bulkOverIpv4Loopback()
    {
        Pair p;
        QString why;
        QVERIFY2(p.open(QHostAddress::LocalHost, &why), qPrintable(why));
        QCOMPARE(p.a.localHost(), QStringLiteral("127.0.0.1"));
        p.transfer(400);
        p.checkJournal(QStringLiteral("127.0.0.1:%1").arg(p.a.udpPort()), QStringLiteral("127.0.0.1:%1").arg(p.b.udpPort()));
        QCOMPARE(p.a.truncated() + p.b.truncated(), quint64(0));
    }

    void bulkOverIpv6Loopback()
    {
        {
            QUdpSocket probe;
            if (!probe.bind(QHostAddress::LocalHostIPv6, 0))
                LADDERLAB_SKIP(QStringLiteral("no IPv6 loopback here"));
        }
        Pair p;
        QString why;
        QVERIFY2(p.open(QHostAddress::LocalHostIPv6, &why), qPrintable(why));
        p.transfer(80);
        p.checkJournal(QStringLiteral("[::1]:%1").arg(p.a.udpPort()), QStringLiteral("[::1]:%1").arg(p.b.udpPort()));
    }

    void bindErrorsAreReported()
    {
        Stack stack;
        Engine engine(stack);
        UdpTransport first(engine);
        QVERIFY(first.bind(QHostAddress::LocalHost, 0));
        UdpTransport second(engine);
        auto taken = second.bind(QHostAddress::LocalHost, first.udpPort());
        QVERIFY(!taken);
        QCOMPARE(taken.error().code, EADDRINUSE);
        QVERIFY2(taken.error().sentence.contains(QStringLiteral("127.0.0.1:%1").arg(first.udpPort()))
                && taken.error().sentence.contains(QStringLiteral("choose another address or port")),
            qPrintable(taken.error().text()));
        auto again = first.bind(QHostAddress::LocalHost, 0);
        QVERIFY(!again);
        QCOMPARE(again.error().code, EINVAL);
        auto nothing = second.bind(QHostAddress(), 0);
        QVERIFY(!nothing);
        QCOMPARE(nothing.error().code, EADDRNOTAVAIL);
        // Each is in the journal too.
        int errors = 0;
        stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::Error)
                ++errors;
        });
        QCOMPARE(errors, 3);
        // The transport that failed can still bind.
        QVERIFY(second.bind(QHostAddress::LocalHost, 0));
        QVERIFY(second.udpPort() != 0 && second.udpPort() != first.udpPort());
    }

    void aPeerTheSocketCannotReachIsRefused()
    {
        Stack stack;
        Engine engine(stack);
        UdpTransport v4(engine);
        Endpoint* unbound = engine.socket(Style::OneToOne, v4);
        auto early = unbound->connect(Address { QStringLiteral("127.0.0.1"), 5000 });
        QVERIFY(!early);
        QCOMPARE(early.error().code, EHOSTUNREACH);
        QVERIFY2(early.error().sentence.contains(QStringLiteral("not bound")), qPrintable(early.error().text()));
        QVERIFY(v4.bind(QHostAddress::LocalHost, 0));
        Endpoint* client = engine.socket(Style::OneToOne, v4);
        auto r = client->connect(Address { QStringLiteral("::1"), 5000 });
        QVERIFY(!r);
        QCOMPARE(r.error().code, EHOSTUNREACH);
        QVERIFY2(r.error().sentence.contains(QStringLiteral("not reachable from the UDP encapsulation socket bound to 127.0.0.1:")),
            qPrintable(r.error().text()));
    }

    void garbageDatagramsAreJournalledAndChangeNothing()
    {
        Pair p;
        QString why;
        QVERIFY2(p.open(QHostAddress::LocalHost, &why), qPrintable(why));
        QUdpSocket stranger;
        QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
        const QByteArray garbage[] = { QByteArray("\x01\x02\x03", 3), QByteArray(40, '\xff'), QByteArray() };
        for (const QByteArray& g : garbage)
            QCOMPARE(stranger.writeDatagram(g, QHostAddress::LocalHost, p.b.udpPort()), g.size());
        const QString strangerLane = QStringLiteral("127.0.0.1:%1").arg(stranger.localPort());
        int seen = 0;
        QVERIFY(Lab::waitFor([&] {
            seen = 0;
            p.stack.journal().forEach(0, p.stack.journal().count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SctpPacket && e.dir == trace::Dir::Rx && e.from == strangerLane)
                    ++seen;
            });
            return seen == 3;
        }, 5000));
        p.stack.journal().forEach(0, p.stack.journal().count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::SctpPacket && e.from == strangerLane && e.raw.size() < 12)
                QVERIFY2(e.text.startsWith(QStringLiteral("malformed SCTP packet")), qPrintable(e.text));
        });
        // The association goes on as if nothing happened.
        p.transfer(50);
        QCOMPARE(p.engine.association(p.association)->state, QStringLiteral("ESTABLISHED"));
    }
};

QTEST_GUILESS_MAIN(TestSctpUdp)
#include "tst_sctp_udp.moc"
