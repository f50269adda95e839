// SPDX-License-Identifier: GPL-3.0-or-later
// Delivery semantics over a lossy, reordering lab link: ordered vs unordered, EOF vs ABORT,
// SENDALL on one-to-many, implicit set-up, ADDR_OVER to a known address, accept and peeloff.
#include "sctplab.h"

#include <algorithm>

using namespace ladder;
using namespace ladder::sctp;
using ladder::sctp::testing::Lab;

class TestSctpDelivery : public QObject {
    Q_OBJECT
private slots:
    void connectSendReceive()
    {
        Lab lab(7);
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        SendInfo info;
        info.ppid = 51;
        info.stream = 2;
        info.context = 99;
        auto sent = client->send(QByteArrayLiteral("hello"), info);
        QVERIFY2(sent, qPrintable(sent.error().text()));
        QCOMPARE(*sent, qint64(5));
        QVERIFY(Lab::waitFor([&] { return server->hasMessages(); }));
        auto m = server->receive();
        QVERIFY(m);
        QCOMPARE(m->data, QByteArrayLiteral("hello"));
        QCOMPARE(m->ppid, quint32(51));
        QCOMPARE(m->stream, quint16(2));
        QCOMPARE(m->from.host, QStringLiteral("10.0.0.1"));
        QCOMPARE(m->association, server->association());
        // The snapshot sees the association and the stream.
        auto a = lab.engine->association(client->association());
        QVERIFY(a);
        QCOMPARE(a->state, QStringLiteral("ESTABLISHED"));
        QVERIFY(a->prSupported);
        QCOMPARE(a->paths.size(), 1);
        QCOMPARE(a->paths[0].address, QStringLiteral("10.0.0.2:5000"));
        QVERIFY(a->paths[0].rto > 0);
        QVERIFY(a->paths[0].cwnd > 0);
        bool sawStream = false;
        for (const StreamInfo& s : a->streams)
            if (s.sid == 2 && s.messagesSent == 1 && s.bytesSent == 5 && s.nextSsn == 1)
                sawStream = true;
        QVERIFY(sawStream);
        // The tap journalled the handshake and the data in both directions.
        QStringList chunks;
        for (const auto& e : lab.events(trace::Kind::SctpChunk))
            if (e.dir == trace::Dir::Tx)
                chunks << e.text.section(QLatin1Char(' '), 0, 0);
        QVERIFY(chunks.contains(QStringLiteral("INIT")));
        QVERIFY(chunks.contains(QStringLiteral("INIT_ACK")));
        QVERIFY(chunks.contains(QStringLiteral("COOKIE_ECHO")));
        QVERIFY(chunks.contains(QStringLiteral("COOKIE_ACK")));
        QVERIFY(chunks.contains(QStringLiteral("DATA")));
        QVERIFY(chunks.contains(QStringLiteral("SACK")));
    }

    void mixedSizesArriveWholeWhicheverWayTheyAreTaken()
    {
        // Small messages are kept in the inbox's arena, large ones in their own buffers, and
        // usrsctp is asked for the next message's length only while messages are large: across
        // those switches, over a lossy link, every message arrives whole and in order, whether
        // taken with receive() or receiveInto() into one reused message.
        ladder::LinkParams lossy;
        lossy.lossPct = 10;
        Lab lab(11, lossy, lossy);
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        const int sizes[] = { 1, 100, 2048, 2049, 70000, 100, 100, 65536, 3, 5000, 2047, 100 };
        QList<QByteArray> sent;
        for (int round = 0; round < 3; ++round)
            for (int size : sizes) {
                QByteArray b(size, Qt::Uninitialized);
                for (int k = 0; k < size; ++k)
                    b[k] = char((sent.size() * 131 + k) & 0xff);
                sent << b;
            }
        QList<ReceivedMessage> got;
        ReceivedMessage reused;
        int next = 0;
        QString sendError;
        QVERIFY(Lab::waitFor(
            [&] {
                while (next < sent.size()) { // until the send buffer is full (EAGAIN)
                    SendInfo info;
                    info.ppid = quint32(next);
                    auto r = client->send(sent[next], info);
                    if (!r) {
                        if (r.code() != EAGAIN)
                            sendError = r.error().text();
                        break;
                    }
                    ++next;
                }
                while (server->hasMessages()) {
                    if (got.size() % 2) {
                        if (!server->receiveInto(reused))
                            return false;
                        got << reused;
                    } else {
                        got << *server->receive();
                    }
                }
                return !sendError.isEmpty() || got.size() == sent.size();
            },
            20000));
        QVERIFY2(sendError.isEmpty(), qPrintable(sendError));
        const Address peer { QStringLiteral("10.0.0.1"), client->localPort() };
        for (int i = 0; i < sent.size(); ++i) {
            QCOMPARE(got[i].ppid, quint32(i));
            QCOMPARE(got[i].from, peer); // named once, then known (one-to-one: usrsctp is no longer asked)
            QCOMPARE(got[i].data.size(), sent[i].size());
            QVERIFY2(got[i].data == sent[i], qPrintable(QStringLiteral("message %1 differs").arg(i)));
        }
        QVERIFY(!server->receiveInto(reused));
        QCOMPARE(server->receiveInto(reused).code(), EAGAIN);
    }

    void orderedVsUnorderedUnderReordering()
    {
        // 40 % of the datagrams towards B are held back 25 ms, so later packets overtake them.
        ladder::LinkParams p;
        p.delayMs = 2;
        p.reorderPct = 40;
        p.reorderExtraMs = 25;
        Lab lab(11, p, {});
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) { e->setStreams(4, 4); });
        QVERIFY(client && server);
        const int n = 30;
        for (int i = 0; i < n; ++i) {
            SendInfo ordered;
            ordered.stream = 0;
            QVERIFY(client->send(QByteArray::number(i), ordered));
            SendInfo unordered;
            unordered.stream = 1;
            unordered.flags = flag::Unordered;
            QVERIFY(client->send(QByteArray::number(i), unordered));
            Lab::spin(3); // one packet per message, so the link can reorder them
        }
        QList<int> orderedSeen, unorderedSeen;
        bool flagged = true;
        QVERIFY(Lab::waitFor([&] {
            while (server->hasMessages()) {
                auto m = server->receive();
                (m->stream == 0 ? orderedSeen : unorderedSeen) << m->data.toInt();
                if (m->stream == 1)
                    flagged = flagged && m->unordered;
            }
            return orderedSeen.size() == n && unorderedSeen.size() == n;
        }));
        QVERIFY(flagged);
        QVERIFY(lab.link->aToB().reordered() > 0);
        QList<int> expected;
        for (int i = 0; i < n; ++i)
            expected << i;
        QCOMPARE(orderedSeen, expected); // ordered: in sequence despite the reordering
        QVERIFY(unorderedSeen != expected); // unordered: handed up as they arrived
        QList<int> sorted = unorderedSeen;
        std::sort(sorted.begin(), sorted.end());
        QCOMPARE(sorted, expected); // …but every one of them
        // The tap decoded the U flag, and the stream snapshots count both kinds.
        bool sawU = false;
        for (const auto& e : lab.events(trace::Kind::SctpChunk))
            sawU = sawU || (e.dir == trace::Dir::Tx && e.a == 0 && e.b == 1 && e.text.contains(QStringLiteral(", UBE)")));
        QVERIFY(sawU);
        auto a = lab.engine->association(client->association());
        QCOMPARE(a->streams.size(), 2);
        QCOMPARE(a->streams[0].orderedSent, quint64(n));
        QCOMPARE(a->streams[1].unorderedSent, quint64(n));
        auto b = lab.engine->association(server->association());
        QCOMPARE(b->streams[1].unorderedReceived, quint64(n));
    }

    void eofShutsDownGracefully()
    {
        Lab lab(3);
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        const quint64 id = client->association();
        SendInfo info;
        info.flags = flag::Eof;
        QVERIFY(client->send(QByteArrayLiteral("last words"), info));
        QVERIFY(Lab::waitFor([&] { return server->hasMessages() && server->peerClosed(); }));
        QCOMPARE(server->receive()->data, QByteArrayLiteral("last words"));
        QVERIFY(Lab::waitFor([&] { return lab.engine->association(id)->state == QStringLiteral("CLOSED"); }));
        QStringList tx;
        for (const auto& e : lab.events(trace::Kind::SctpChunk))
            if (e.dir == trace::Dir::Tx)
                tx << e.text.section(QLatin1Char(' '), 0, 0);
        QVERIFY(tx.contains(QStringLiteral("SHUTDOWN")));
        QVERIFY(tx.contains(QStringLiteral("SHUTDOWN_ACK")));
        QVERIFY(tx.contains(QStringLiteral("SHUTDOWN_COMPLETE")));
        QVERIFY(!tx.contains(QStringLiteral("ABORT")));
        bool comp = false;
        for (const auto& e : lab.events(trace::Kind::SctpNotification))
            comp = comp || e.text.contains(QStringLiteral("SHUTDOWN_COMP"));
        QVERIFY(comp);
    }

    void abortEndsAtOnce()
    {
        QString why; // before the lab: the lab's teardown still emits signals
        Lab lab(4);
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        const quint64 serverId = server->association();
        connect(server, &Endpoint::associationDown, this, [&](quint64, const QString& w) { why = w; });
        SendInfo info;
        info.flags = flag::Abort;
        QVERIFY(client->send(QByteArrayLiteral("bye"), info));
        QVERIFY(Lab::waitFor([&] { return !why.isEmpty(); }));
        QVERIFY(why.contains(QStringLiteral("COMM_LOST")));
        QCOMPARE(lab.engine->association(serverId)->state, QStringLiteral("ABORTED"));
        QVERIFY(!server->hasMessages()); // the abort reason is not user data
        bool sawAbort = false, sawShutdown = false;
        for (const auto& e : lab.events(trace::Kind::SctpChunk)) {
            if (e.dir == trace::Dir::Tx && e.text.startsWith(QStringLiteral("ABORT")))
                sawAbort = e.text.contains(QStringLiteral("User-initiated abort"));
            sawShutdown = sawShutdown || e.text.startsWith(QStringLiteral("SHUTDOWN"));
        }
        QVERIFY(sawAbort);
        QVERIFY(!sawShutdown);
    }

    // SCTP_SENDALL when part of the fan-out fails: every association is tried, and the result
    // says which got the message and which did not (it used to stop at the first error).
    void sendAllSaysWhichAssociationsGotIt()
    {
        Lab lab(5);
        Endpoint* server = lab.engine->socket(Style::OneToMany, lab.link->b());
        QVERIFY(server->bind(6000));
        QVERIFY(server->listen());
        QList<Endpoint*> clients;
        for (int i = 0; i < 3; ++i) {
            Endpoint* c = lab.engine->socket(Style::OneToOne, lab.link->a());
            QVERIFY(c->connect(Address { QStringLiteral("10.0.0.2"), 6000 }));
            clients << c;
        }
        QVERIFY(Lab::waitFor([&] { return server->associations().size() == 3; }));
        const QList<quint64> ids = server->associations();
        // One association is shutting down (SCTP_EOF), in the same turn: still listed, but usrsctp
        // takes no more data on it.
        SendInfo eof;
        eof.flags = flag::Eof;
        eof.association = ids[1];
        QVERIFY(server->send({}, eof));
        SendInfo all;
        all.flags = flag::SendAll;
        const auto r = server->send(QByteArrayLiteral("to everyone"), all);
        QVERIFY(!r);
        const QString s = r.error().sentence;
        QVERIFY2(s.startsWith(QStringLiteral("SCTP_SENDALL reached 2 of 3 associations: sent on %1, %2; not sent on %3 (")
                                  .arg(ids[0])
                                  .arg(ids[2])
                                  .arg(ids[1])),
            qPrintable(s));
        // The two that were sent on get it, exactly once.
        QVERIFY(Lab::waitFor([&] { return clients[0]->messageCount() == 1 && clients[2]->messageCount() == 1; }));
        QCOMPARE(clients[0]->receive()->data, QByteArrayLiteral("to everyone"));
        QCOMPARE(clients[2]->receive()->data, QByteArrayLiteral("to everyone"));
    }

    void sendAllReachesEveryAssociation()
    {
        Lab lab(5);
        Endpoint* server = lab.engine->socket(Style::OneToMany, lab.link->b());
        QVERIFY(server->bind(6000));
        QVERIFY(server->listen());
        QList<Endpoint*> clients;
        for (int i = 0; i < 3; ++i) {
            Endpoint* c = lab.engine->socket(Style::OneToOne, lab.link->a());
            QVERIFY(c->connect(Address { QStringLiteral("10.0.0.2"), 6000 }));
            clients << c;
        }
        // The server learns its associations from COMM_UP.
        QVERIFY(Lab::waitFor([&] { return server->associations().size() == 3; }));
        SendInfo all;
        all.flags = flag::SendAll;
        all.ppid = 7;
        QVERIFY(server->send(QByteArrayLiteral("to everyone"), all));
        QVERIFY(Lab::waitFor([&] {
            for (Endpoint* c : clients)
                if (c->messageCount() != 1)
                    return false;
            return true;
        }));
        for (Endpoint* c : clients) {
            auto m = c->receive();
            QCOMPARE(m->data, QByteArrayLiteral("to everyone"));
            QCOMPARE(m->ppid, quint32(7));
        }
        Lab::spin(50);
        for (Endpoint* c : clients)
            QVERIFY(!c->hasMessages()); // exactly once each
    }

    void implicitSetupCarriesDataOnCookieEcho()
    {
        Lab lab(6);
        Endpoint* server = lab.engine->socket(Style::OneToMany, lab.link->b());
        QVERIFY(server->bind(7000));
        QVERIFY(server->listen());
        Endpoint* client = lab.engine->socket(Style::OneToMany, lab.link->a());
        SendInfo info;
        info.to = Address { QStringLiteral("10.0.0.2"), 7000 };
        QVERIFY(client->send(QByteArrayLiteral("first"), info));
        QCOMPARE(client->associations().size(), 1);
        QVERIFY(Lab::waitFor([&] { return server->hasMessages(); }));
        auto m = server->receive();
        QCOMPARE(m->data, QByteArrayLiteral("first"));
        QCOMPARE(m->from, (Address { QStringLiteral("10.0.0.1"), client->localPort() }));
        bool bundled = false;
        for (const auto& e : lab.events(trace::Kind::SctpPacket))
            bundled = bundled || (e.dir == trace::Dir::Tx && e.text.endsWith(QStringLiteral("COOKIE_ECHO, DATA")));
        QVERIFY(bundled);
        // A reply by address reuses the association the server learnt.
        SendInfo back;
        back.to = m->from;
        QVERIFY(server->send(QByteArrayLiteral("reply"), back));
        QVERIFY(Lab::waitFor([&] { return client->hasMessages(); }));
        QCOMPARE(server->associations().size(), 1);
    }

    void addrOverToKnownAddress()
    {
        Lab lab(8);
        Endpoint* server = lab.engine->socket(Style::OneToMany, lab.link->b());
        QVERIFY(server->bind(7100));
        QVERIFY(server->listen());
        Endpoint* client = lab.engine->socket(Style::OneToMany, lab.link->a());
        const Address peer { QStringLiteral("10.0.0.2"), 7100 };
        auto id = client->connect(peer);
        QVERIFY(id);
        QVERIFY(Lab::waitFor([&] { return lab.engine->association(*id)->state == QStringLiteral("ESTABLISHED"); }));
        SendInfo info;
        info.to = peer;
        info.flags = flag::AddrOver;
        info.stream = 1;
        QVERIFY2(client->send(QByteArrayLiteral("over"), info), "ADDR_OVER to the primary address");
        QVERIFY(Lab::waitFor([&] { return server->hasMessages(); }));
        QCOMPARE(server->receive()->data, QByteArrayLiteral("over"));
        QCOMPARE(lab.engine->association(*id)->paths.size(), 1);
    }

    void peeloffBranchesAnAssociation()
    {
        Lab lab(9);
        Endpoint* server = lab.engine->socket(Style::OneToMany, lab.link->b());
        QVERIFY(server->bind(7200));
        QVERIFY(server->listen());
        auto [client, unused] = std::pair<Endpoint*, Endpoint*> { lab.engine->socket(Style::OneToOne, lab.link->a()), nullptr };
        Q_UNUSED(unused);
        QVERIFY(client->connect(Address { QStringLiteral("10.0.0.2"), 7200 }));
        QVERIFY(Lab::waitFor([&] { return server->associations().size() == 1; }));
        const quint64 id = server->associations().first();
        auto peeled = server->peeloff(id);
        QVERIFY2(peeled, qPrintable(peeled.error().text()));
        Endpoint* one = *peeled;
        QCOMPARE(one->style(), Style::OneToOne);
        QCOMPARE(server->associations().size(), 0);
        QCOMPARE(one->association(), id);
        QCOMPARE(lab.engine->association(id)->descriptor, one->descriptor());
        QVERIFY(one->send(QByteArrayLiteral("from the peeled socket"), {}));
        QVERIFY(Lab::waitFor([&] { return client->hasMessages(); }));
        QVERIFY(client->send(QByteArrayLiteral("back"), {}));
        QVERIFY(Lab::waitFor([&] { return one->hasMessages(); }));
        QVERIFY(!server->hasMessages());
    }

    void snapshotsAreSignalled()
    {
        QList<AssociationInfo> seen; // before the lab: the lab's teardown still emits signals
        Lab lab(10);
        connect(lab.engine.get(), &Engine::associationChanged, this, [&](const AssociationInfo& i) { seen << i; });
        auto [client, server] = lab.connectedPair();
        QVERIFY(client && server);
        QVERIFY(Lab::waitFor([&] {
            for (const auto& i : seen)
                if (i.id == client->association() && i.state == QStringLiteral("ESTABLISHED"))
                    return true;
            return false;
        }));
        QCOMPARE(lab.engine->associations().size(), 2);
        QVariant v = QVariant::fromValue(seen.last());
        QVERIFY(v.canConvert<AssociationInfo>());
    }
};

QTEST_GUILESS_MAIN(TestSctpDelivery)
#include "tst_sctp_delivery.moc"
