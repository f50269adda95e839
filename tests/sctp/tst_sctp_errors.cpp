// SPDX-License-Identifier: GPL-3.0-or-later
// Every error sctp_sendmsg(3) lists, provoked for real and reported with its errno name, a
// sentence saying what to fix, and a Kind::Error journal event.
#include "sctplab.h"

#include "sctp/runtime.h"

#include <cerrno>

using namespace ladder;
using namespace ladder::sctp;
using ladder::sctp::testing::Lab;

namespace {
bool journalled(Lab& lab, const QString& name)
{
    for (const auto& e : lab.events(trace::Kind::Error))
        if (e.text.startsWith(name + QStringLiteral(": ")))
            return true;
    return false;
}

// A connected client with a 16 KiB send buffer whose link to the server is down: what it sends
// stays queued and unacknowledged. nullptr if the connection failed.
Endpoint* stalledClient(Lab& lab)
{
    auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) { e->setSendBuffer(16384); });
    if (!client || !server)
        return nullptr;
    ladder::LinkParams down;
    down.up = false;
    lab.link->aToB().setParams(down);
    return client;
}
}

#define EXPECT_ERRNO(result, code)                                                                                   \
    do {                                                                                                           \
        const auto& r_ = (result);                                                                                 \
        QVERIFY2(!r_.ok(), "expected a failure");                                                                  \
        QCOMPARE(r_.error().name(), errnoName(code));                                                              \
        QVERIFY2(r_.error().sentence.size() > 10, "the error says what to fix");                                   \
        QVERIFY(journalled(lab, errnoName(code)));                                                                 \
    } while (0)

class TestSctpErrors : public QObject {
    Q_OBJECT
private slots:
    void ebadf()
    {
        Lab lab;
        EXPECT_ERRNO(lab.engine->sendmsg(999, "x", {}), EBADF);
        Endpoint* e = lab.engine->socket(Style::OneToMany, lab.link->a());
        const int fd = e->descriptor();
        e->close();
        EXPECT_ERRNO(lab.engine->sendmsg(fd, "x", {}), EBADF);
        EXPECT_ERRNO(e->send("x", {}), EBADF);
    }

    void enotsock()
    {
        Lab lab;
        EXPECT_ERRNO(lab.engine->sendmsg(lab.link->descriptor(), "x", {}), ENOTSOCK);
    }

    void emsgsize()
    {
        Lab lab;
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) { e->setSendBuffer(8192); });
        QVERIFY(client && server);
        EXPECT_ERRNO(client->send(QByteArray(256 * 1024, 'x'), {}), EMSGSIZE);
    }

    void eagain()
    {
        Lab lab;
        Endpoint* client = stalledClient(lab);
        QVERIFY(client);
        Result<qint64> r = qint64(0);
        for (int i = 0; i < 200 && r.ok(); ++i)
            r = client->send(QByteArray(1000, 'x'), {});
        EXPECT_ERRNO(r, EAGAIN);
    }

    void teardownWithUnsentDataLeavesNothingBehind()
    {
        // The stack goes away while associations still hold unacknowledged data (the link is
        // down): the engine aborts them, so usrsctp_finish can free every table. (A graceful
        // close here waited for retransmission timers that never ran out, and leaked.)
        {
            Lab lab;
            Endpoint* client = stalledClient(lab);
            QVERIFY(client);
            for (int i = 0; i < 8; ++i)
                QVERIFY(client->send(QByteArray(1000, 'x'), {}));
            QVERIFY(Runtime::isInitialised()); // the lab holds the runtime
        }
        QVERIFY(!Runtime::isInitialised());
        QVERIFY(Runtime::lastFinishClean());
    }

    void enobufs()
    {
        ladder::LinkParams slow;
        slow.rateBitsPerSec = 8000; // a 1000-byte packet takes a second to leave
        Lab lab(1, slow, {});
        lab.link->aToB().setParams({});
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        lab.link->aToB().setParams(slow);
        lab.link->setQueueLimit(1);
        QVERIFY(client->send(QByteArray(1000, 'x'), {}));
        QVERIFY(Lab::waitFor([&] { return lab.link->a().outputQueueFull(); }, 1000));
        EXPECT_ERRNO(client->send(QByteArray(10, 'y'), {}), ENOBUFS);
    }

    void ehostunreach()
    {
        Lab lab;
        Endpoint* e = lab.engine->socket(Style::OneToMany, lab.link->a());
        SendInfo i;
        i.to = Address { QStringLiteral("192.0.2.9"), 5000 };
        EXPECT_ERRNO(e->send("x", i), EHOSTUNREACH);
    }

    void enotconn()
    {
        Lab lab;
        Endpoint* e = lab.engine->socket(Style::OneToOne, lab.link->a());
        EXPECT_ERRNO(e->send("x", {}), ENOTCONN);
    }

    // sctp_sendmsg(3): on a non-connected one-to-one socket the call fails with ENOTCONN "and the
    // message not being transmitted" — an address does not set an association up (it used to).
    void enotconnOnOneToOneWithAddress()
    {
        Lab lab;
        Endpoint* listener = lab.engine->socket(Style::OneToOne, lab.link->b());
        QVERIFY(listener->bind(5000));
        QVERIFY(listener->listen());
        Endpoint* e = lab.engine->socket(Style::OneToOne, lab.link->a());
        const quint64 before = lab.journal().count();
        SendInfo i;
        i.to = Address { QStringLiteral("10.0.0.2"), 5000 };
        EXPECT_ERRNO(e->send("x", i), ENOTCONN);
        QVERIFY(e->send("x", i).error().sentence.contains(QStringLiteral("connect to 10.0.0.2:5000 first")));
        // Nothing was transmitted: the call failed before usrsctp saw it — no SCTP packet
        // journalled, no association record.
        bool sent = false;
        lab.journal().forEach(before, lab.journal().count() - before, [&](const trace::Event& ev) {
            sent = sent || ev.kind == trace::Kind::SctpPacket;
        });
        QVERIFY(!sent);
        QCOMPARE(e->association(), quint64(0));
        QVERIFY(lab.engine->associations().isEmpty());
    }

    // An address the call does not use is said in the journal, not silently dropped: `to` on a
    // connected one-to-one endpoint without SCTP_ADDR_OVER, and `to` with SCTP_SENDALL.
    void unusedAddressIsNoted()
    {
        Lab lab;
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        auto noted = [&](const QString& part) {
            for (const auto& e : lab.events(trace::Kind::Log))
                if (e.a == 2 && e.text.contains(part))
                    return true;
            return false;
        };
        SendInfo i;
        i.to = Address { QStringLiteral("10.0.0.2"), 5000 };
        QVERIFY(client->send("x", i));
        QVERIFY(noted(QStringLiteral("this one-to-one endpoint is connected and sends to its peer: the address 10.0.0.2:5000 is not used")));

        Endpoint* many = lab.engine->socket(Style::OneToMany, lab.link->a());
        SendInfo setup;
        setup.to = Address { QStringLiteral("10.0.0.2"), 5000 };
        QVERIFY(many->send("hello", setup));
        QVERIFY(Lab::waitFor([&] {
            const quint64 id = many->association();
            return id && lab.engine->association(id) && lab.engine->association(id)->state == QLatin1String("ESTABLISHED");
        }));
        SendInfo all;
        all.flags = flag::SendAll;
        all.to = Address { QStringLiteral("10.0.0.2"), 5000 };
        QVERIFY(many->send("to-all", all));
        QVERIFY(noted(QStringLiteral("SCTP_SENDALL sends on every association: the address 10.0.0.2:5000 is not used")));
    }

    void econnreset()
    {
        Lab lab;
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        SendInfo abort;
        abort.flags = flag::Abort;
        QVERIFY(server->send({}, abort));
        QVERIFY(Lab::waitFor([&] { return client->association() == 0; }));
        EXPECT_ERRNO(client->send("x", {}), ECONNRESET);
    }

    void enoent()
    {
        Lab lab;
        Endpoint* e = lab.engine->socket(Style::OneToMany, lab.link->a());
        EXPECT_ERRNO(e->send("x", {}), ENOENT); // one-to-many, no address
        SendInfo abort;
        abort.flags = flag::Abort;
        abort.to = Address { QStringLiteral("10.0.0.2"), 5000 };
        EXPECT_ERRNO(e->send({}, abort), ENOENT); // ABORT on an association that does not exist
        SendInfo byId;
        byId.association = 12345;
        EXPECT_ERRNO(e->send("x", byId), ENOENT);
    }

    void epipe()
    {
        Lab lab;
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        SendInfo eof;
        eof.flags = flag::Eof;
        QVERIFY(client->send("last", eof));
        EXPECT_ERRNO(client->send("more", {}), EPIPE);
    }

    void einval()
    {
        Lab lab;
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) { e->setStreams(3, 3); });
        QVERIFY(client && server);
        const qint64 packetsBefore = qint64(lab.events(trace::Kind::SctpPacket).size());
        SendInfo unknownFlag;
        unknownFlag.flags = 0x8000;
        EXPECT_ERRNO(client->send("x", unknownFlag), EINVAL);
        SendInfo badPolicy;
        badPolicy.flags = 5;
        EXPECT_ERRNO(client->send("x", badPolicy), EINVAL);
        SendInfo addrOverNoTo;
        addrOverNoTo.flags = flag::AddrOver;
        EXPECT_ERRNO(client->send("x", addrOverNoTo), EINVAL);
        SendInfo badStream;
        badStream.stream = 3;
        EXPECT_ERRNO(client->send("x", badStream), EINVAL);
        // Refused before anything was sent.
        Lab::spin(50);
        QCOMPARE(qint64(lab.events(trace::Kind::SctpPacket).size()), packetsBefore);
        QVERIFY(!server->hasMessages());
    }
};

QTEST_GUILESS_MAIN(TestSctpErrors)
#include "tst_sctp_errors.moc"
