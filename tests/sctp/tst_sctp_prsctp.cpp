// SPDX-License-Identifier: GPL-3.0-or-later
// PR-SCTP over a lab link: each policy abandons exactly what it should, with the message's
// context value reported (SCTP_SEND_FAILED_EVENT -> SctpAbandon), FORWARD-TSN on the wire, and
// retransmissions counted per TSN by the tap. The deterministic cases take the link down so that
// every transmission is lost, then bring it back; the lossy case uses a fixed seed.
#include "sctplab.h"

#include "sctp/chunkdecoder.h"
#include "sctp/packettap.h"

#include <QSet>

#include <map>
#include <usrsctp.h>

using namespace ladder;
using namespace ladder::sctp;
using ladder::sctp::testing::Lab;

namespace {
void fastTimers(Endpoint* e)
{
    e->setRto(100, 50, 200);
    e->setHeartbeat(0);
}

// Context values of the abandoned messages, per policy.
std::map<quint64, QSet<quint64>> abandoned(Lab& lab)
{
    std::map<quint64, QSet<quint64>> out;
    for (const auto& e : lab.events(trace::Kind::SctpAbandon))
        out[e.a].insert(e.c);
    return out;
}

// How often each payload went out as DATA from side A (first transmission + retransmissions).
std::map<QByteArray, int> transmissions(Lab& lab)
{
    std::map<QByteArray, int> out;
    for (const auto& e : lab.events(trace::Kind::SctpPacket)) {
        if (e.dir != trace::Dir::Tx || !e.from.startsWith(QStringLiteral("10.0.0.1")))
            continue;
        const DecodedPacket d = decodePacket(e.raw);
        for (const DecodedChunk& c : d.chunks)
            if (c.type == chunk::Data)
                ++out[e.raw.mid(c.offset + 16, c.payloadLength)];
    }
    return out;
}

// The run's packets journalled again by a fresh tap at `level`, each sent packet delivered in the
// same instant: either as the perfect lab link reports it (observeDelivery: the arrival and the
// chunk events implied by the departure's event wherever they can be) or observed leaving and
// arriving with every event written out. Both ends resolve to associations (by port), as in the lab.
QVector<trace::Event> replay(Lab& lab, PacketTap::Level level, bool implied, quint64* impliedCount = nullptr)
{
    trace::Journal journal;
    PacketTap tap(lab.stack->scheduler(), journal);
    tap.setLevel(level);
    tap.setImpliedChunkEvents(implied);
    tap.setResolver([](void*, quint16 local, quint16 peer) -> quint64 { return quint64(local) * 100000 + peer; });
    for (const auto& e : lab.events(trace::Kind::SctpPacket)) {
        if (e.dir != trace::Dir::Tx)
            continue;
        if (implied) {
            tap.observeDelivery(&journal, e.raw, e.from, e.to, e.timeNs);
        } else {
            tap.observe(trace::Dir::Tx, &journal, e.raw, e.from, e.to, true, e.timeNs);
            tap.observe(trace::Dir::Rx, &journal, e.raw, e.from, e.to, false, e.timeNs);
        }
    }
    if (impliedCount)
        *impliedCount = tap.impliedChunkEvents();
    return journal.range(0, journal.count());
}

QSet<QByteArray> drain(Endpoint* e)
{
    QSet<QByteArray> got;
    while (e->hasMessages())
        got.insert(e->receive()->data);
    return got;
}
}

class TestSctpPrSctp : public QObject {
    Q_OBJECT
private slots:
    void rtxAbandonsAfterTheAllowedRetransmissions()
    {
        Lab lab(21);
        auto [client, server] = lab.connectedPair(5000, fastTimers);
        QVERIFY(client && server);
        ladder::LinkParams down;
        down.up = false;
        lab.link->aToB().setParams(down);
        auto send = [&](const char* text, PrPolicy p, quint32 value, quint32 ctx) {
            SendInfo i;
            i.setPolicy(p, value);
            i.context = ctx;
            return bool(client->send(QByteArray(text), i));
        };
        QVERIFY(send("rtx0-a", PrPolicy::Rtx, 0, 1));
        QVERIFY(send("rtx0-b", PrPolicy::Rtx, 0, 2));
        QVERIFY(send("rtx1-a", PrPolicy::Rtx, 1, 11));
        QVERIFY(send("rtx1-b", PrPolicy::Rtx, 1, 12));
        QVERIFY(send("reliable", PrPolicy::None, 0, 21));
        QVERIFY(Lab::waitFor([&] { return abandoned(lab)[3].size() == 4; }, 3000));
        lab.link->aToB().setParams({});
        QSet<QByteArray> got;
        QVERIFY(Lab::waitFor([&] {
            got += drain(server);
            return got.contains("reliable");
        }));
        Lab::spin(100);
        got += drain(server);
        QCOMPARE(got, QSet<QByteArray> { "reliable" });
        const auto ab = abandoned(lab);
        QCOMPARE(ab.size(), std::size_t(1)); // only RTX, and never the reliable message
        QCOMPARE(ab.at(3), (QSet<quint64> { 1, 2, 11, 12 }));
        auto tx = transmissions(lab);
        QCOMPARE(tx["rtx0-a"], 1); // RTX 0: sent once, never retransmitted
        QCOMPARE(tx["rtx0-b"], 1);
        QCOMPARE(tx["rtx1-a"], 2); // RTX 1: one retransmission
        QCOMPARE(tx["rtx1-b"], 2);
        QVERIFY(tx["reliable"] >= 2);
        QVERIFY(!lab.events(trace::Kind::SctpForwardTsn).isEmpty());
        QVERIFY(!lab.events(trace::Kind::SctpRetransmission).isEmpty());
        auto info = lab.engine->association(client->association());
        QCOMPARE(info->abandoned, quint64(4));
        QCOMPARE(info->abandonedSent, quint64(4));
        QVERIFY(info->forwardTsnsSent > 0);
        QVERIFY(info->retransmissions >= 3);
    }

    void ttlAbandonsExpiredOnlyAndNoPolicyIsNeverSkipped()
    {
        Lab lab(22);
        auto [client, server] = lab.connectedPair(5000, fastTimers);
        QVERIFY(client && server);
        ladder::LinkParams down;
        down.up = false;
        lab.link->aToB().setParams(down);
        for (quint32 ctx = 1; ctx <= 3; ++ctx) {
            SendInfo i;
            i.setPolicy(PrPolicy::Ttl, 150);
            i.context = ctx;
            QVERIFY(client->send("short-" + QByteArray::number(ctx), i));
        }
        SendInfo longLived;
        longLived.setPolicy(PrPolicy::Ttl, 60000);
        longLived.context = 8;
        QVERIFY(client->send("long-lived", longLived));
        // sctp_sendmsg(3): "If none of these options are set, then data is never skipped over" —
        // a timetolive without a policy flag is no policy: queued as long as the TTL ones, it is
        // delivered (timetoliveWithoutPolicyIsNeverSkipped).
        SendInfo plain;
        plain.timetolive = 150;
        plain.context = 9;
        QVERIFY(client->send("no-policy", plain));
        QVERIFY(Lab::waitFor([&] { return abandoned(lab)[1].size() == 3; }, 3000));
        lab.link->aToB().setParams({});
        QSet<QByteArray> got;
        QVERIFY(Lab::waitFor([&] {
            got += drain(server);
            return got.contains("long-lived") && got.contains("no-policy");
        }));
        Lab::spin(100);
        got += drain(server);
        QCOMPARE(got, (QSet<QByteArray> { "long-lived", "no-policy" }));
        const auto ab = abandoned(lab);
        QCOMPARE(ab.size(), std::size_t(1));
        QCOMPARE(ab.at(1), (QSet<quint64> { 1, 2, 3 }));
        bool textOk = false;
        for (const auto& e : lab.events(trace::Kind::SctpAbandon))
            textOk = textOk || e.text.contains(QStringLiteral("PR-SCTP TTL abandoned message with context 2"));
        QVERIFY(textOk);
        const auto fwd = lab.events(trace::Kind::SctpForwardTsn);
        QVERIFY(!fwd.isEmpty());
        QVERIFY(fwd.first().text.startsWith(QStringLiteral("FORWARD-TSN skips TSN")));
    }

    void lossyRunShowsRetransmissionsAndForwardTsn()
    {
        ladder::LinkParams lossy;
        lossy.lossPct = 30;
        lossy.delayMs = 5;
        Lab lab(42, lossy, lossy);
        // Connect over a clean link, then make it lossy: the lesson is the data, not the handshake.
        lab.link->aToB().setParams({});
        lab.link->bToA().setParams({});
        auto [client, server] = lab.connectedPair(5000, fastTimers);
        QVERIFY(client && server);
        lab.link->aToB().setParams(lossy);
        lab.link->bToA().setParams(lossy);
        QSet<quint64> sent;
        for (quint32 i = 1; i <= 40; ++i) {
            SendInfo info;
            info.setPolicy(PrPolicy::Ttl, 100);
            info.context = i;
            QVERIFY(client->send("m" + QByteArray::number(i), info));
            sent.insert(i);
            Lab::spin(5);
        }
        // A short outage on top of the loss, so some TTL messages surely expire in flight.
        ladder::LinkParams down;
        down.up = false;
        lab.link->aToB().setParams(down);
        for (quint32 i = 41; i <= 45; ++i) {
            SendInfo info;
            info.setPolicy(PrPolicy::Ttl, 100);
            info.context = i;
            QVERIFY(client->send("m" + QByteArray::number(i), info));
            sent.insert(i);
        }
        Lab::spin(300);
        lab.link->aToB().setParams(lossy);
        QSet<quint64> delivered;
        QVERIFY(Lab::waitFor([&] {
            for (const QByteArray& m : drain(server))
                delivered.insert(m.mid(1).toULongLong());
            QSet<quint64> covered = delivered;
            for (const auto& [policy, ctxs] : abandoned(lab))
                covered += ctxs;
            return covered == sent && !lab.events(trace::Kind::SctpForwardTsn).isEmpty();
        }, 8000));
        QVERIFY(!lab.events(trace::Kind::SctpRetransmission).isEmpty());
        QVERIFY(!lab.events(trace::Kind::SctpForwardTsn).isEmpty());
        QVERIFY(!abandoned(lab)[1].isEmpty());
        QVERIFY(lab.link->aToB().dropped() > 0);
        for (const auto& e : lab.events(trace::Kind::SctpPacket))
            QVERIFY(decodePacket(e.raw).checksumOk);

        // The events the journal derives from packet events (the bulk path: chunk events, and
        // arrivals over a perfect link) are the very events the tap writes out one by one, in the
        // same order among the retransmission and FORWARD-TSN events: replay the run's packets
        // both ways, at both levels, and compare every field.
        QVector<trace::Event> written;
        for (const PacketTap::Level level : { PacketTap::Level::Packets, PacketTap::Level::Chunks }) {
            quint64 impliedCount = 0;
            const QVector<trace::Event> derived = replay(lab, level, true, &impliedCount);
            written = replay(lab, level, false);
            QCOMPARE(derived.size(), written.size());
            int chunks = 0, retransmissions = 0, forwardTsns = 0, arrivals = 0, jointArrivals = 0;
            for (int i = 0; i < written.size(); ++i) {
                const trace::Event& a = derived[i];
                const trace::Event& b = written[i];
                const QString at = QStringLiteral("event %1: %2 / %3").arg(i).arg(a.text, b.text);
                QVERIFY2(a.seq == b.seq && a.timeNs == b.timeNs && a.kind == b.kind && a.dir == b.dir
                        && a.object == b.object && a.a == b.a && a.c == b.c && a.from == b.from && a.to == b.to
                        && a.text == b.text && a.raw == b.raw,
                    qPrintable(at));
                // b differs only where the departure names the arrival it implies.
                if (a.b != b.b) {
                    QVERIFY2(a.kind == trace::Kind::SctpPacket && a.dir == trace::Dir::Tx && b.b == 0 && i + 1 < written.size()
                            && a.b == written[i + 1 + (level == PacketTap::Level::Chunks ? int(decodePacket(a.raw).chunks.size()) : 0)].object,
                        qPrintable(at));
                    ++jointArrivals;
                }
                chunks += b.kind == trace::Kind::SctpChunk;
                retransmissions += b.kind == trace::Kind::SctpRetransmission;
                forwardTsns += b.kind == trace::Kind::SctpForwardTsn;
                arrivals += b.kind == trace::Kind::SctpPacket && b.dir == trace::Dir::Rx;
            }
            // Every path was taken: implied arrivals and ones written out (next to derived events).
            QVERIFY(jointArrivals > 0);
            QVERIFY(arrivals > jointArrivals);
            QVERIFY(retransmissions > 0);
            QVERIFY(forwardTsns > 0);
            if (level == PacketTap::Level::Chunks) {
                QVERIFY(impliedCount > 0);
                QVERIFY(quint64(chunks) > impliedCount);
            } else {
                QCOMPARE(chunks, 0);
            }
        }
        // Every chunk event says what its packet holds, in order.
        for (int i = 0; i < written.size(); ++i) {
            if (written[i].kind != trace::Kind::SctpPacket)
                continue;
            const DecodedPacket d = decodePacket(written[i].raw);
            int k = i + 1;
            for (const DecodedChunk& c : d.chunks) {
                while (k < written.size() && written[k].kind != trace::Kind::SctpChunk)
                    ++k;
                QVERIFY(k < written.size());
                QCOMPARE(written[k].a, quint64(c.type));
                QCOMPARE(written[k].text, c.info);
                QCOMPARE(written[k].timeNs, written[i].timeNs);
                ++k;
            }
        }
    }

    void bufAbandonsOlderBufSendsOnceItsByteThresholdIsQueued()
    {
        // sctp_sendmsg(3): SCTP_PR_SCTP_BUF "transforms the timetolive field into a total number
        // of bytes allowed on the outbound send queue. If that number or more bytes are in queue,
        // then other buffer based sends are looked to be removed and skipped." With the link down,
        // BUF messages of 1000 bytes with a threshold of 4000: the first five queue (0…4000 bytes
        // in queue before each), the sixth finds 5000 ≥ 4000 and the oldest BUF message goes, and
        // so on — each reported with SEND_FAILED and its context, skipped with FORWARD-TSN. The
        // reliable message in between is never touched, and the buffer is never full (no EAGAIN:
        // the threshold, not the buffer, is what abandons).
        Lab lab(27);
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) {
            fastTimers(e);
            e->setSendBuffer(64000);
        });
        QVERIFY(client && server);
        auto message = [](quint32 ctx, int size) {
            QByteArray m = "m" + QByteArray::number(ctx) + ".";
            return m + QByteArray(size - m.size(), '.');
        };
        auto send = [&](int size, PrPolicy p, quint32 value, quint32 ctx) {
            SendInfo i;
            i.setPolicy(p, value);
            i.context = ctx;
            return client->send(message(ctx, size), i);
        };
        QSet<quint64> got;
        auto collect = [&] {
            for (const QByteArray& m : drain(server))
                got.insert(m.mid(1, m.indexOf('.') - 1).toULongLong());
        };
        // usrsctp opens pruning once a BUF chunk of the association was acknowledged.
        QVERIFY(send(100, PrPolicy::Buf, 60000, 900));
        QVERIFY(Lab::waitFor([&] {
            collect();
            return got.contains(900);
        }));
        Lab::spin(50);

        ladder::LinkParams down;
        down.up = false;
        lab.link->aToB().setParams(down);
        QVERIFY(send(1000, PrPolicy::None, 0, 500)); // reliable: counts in the queue, never abandoned
        for (quint32 ctx = 1; ctx <= 8; ++ctx)
            QVERIFY2(send(1000, PrPolicy::Buf, 4000, ctx), qPrintable(QStringLiteral("context %1").arg(ctx)));
        Lab::spin(50);
        const auto ab = abandoned(lab);
        QCOMPARE(ab.size(), std::size_t(1)); // only BUF
        // 1000 reliable + 1000×(ctx−1) BUF bytes queued before BUF message ctx: from ctx 4 on the
        // queue holds 4000 or more, and each such send abandons the oldest BUF message left.
        QCOMPARE(ab.at(2), (QSet<quint64> { 1, 2, 3, 4, 5 }));
        bool noted = false;
        for (const auto& e : lab.events(trace::Kind::Log))
            noted = noted || e.text.startsWith(QStringLiteral("PR-SCTP BUF: the send queue holds 4000 bytes or more"));
        QVERIFY(noted);

        lab.link->aToB().setParams({});
        QVERIFY(Lab::waitFor([&] {
            collect();
            return got.contains(500) && got.contains(8) && !lab.events(trace::Kind::SctpForwardTsn).isEmpty();
        }, 8000));
        QCOMPARE(got, (QSet<quint64> { 900, 500, 6, 7, 8 }));
        bool textOk = false;
        for (const auto& e : lab.events(trace::Kind::SctpAbandon))
            textOk = textOk || e.text.contains(QStringLiteral("PR-SCTP BUF abandoned message with context 1 "));
        QVERIFY(textOk);
    }

    void prioAbandonsLessImportantMessagesWhenTheBufferIsFull()
    {
        // PRIO (LadderLab's policy 4, what usrsctp calls BUF): RFC 7496's priority, lower = more important. When a send finds the send
        // buffer full, usrsctp abandons queued PRIO chunks with a larger value than the new
        // message's (0 for a reliable one) — those in flight or ready to go, lowest TSN first,
        // until the new message fits — reports each with SEND_FAILED and skips them with
        // FORWARD-TSN. Equal or more important messages are never abandoned for it.
        ladder::LinkParams lossy;
        lossy.lossPct = 10;
        lossy.delayMs = 5;
        Lab lab(25);
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) {
            fastTimers(e);
            e->setSendBuffer(20000);
        });
        QVERIFY(client && server);
        lab.link->aToB().setParams(lossy);
        lab.link->bToA().setParams(lossy);
        auto message = [](quint32 ctx, int size) {
            QByteArray m = "m" + QByteArray::number(ctx) + ".";
            return m + QByteArray(size - m.size(), '.');
        };
        auto send = [&](int size, PrPolicy p, quint32 value, quint32 ctx) {
            SendInfo i;
            i.setPolicy(p, value);
            i.context = ctx;
            return client->send(message(ctx, size), i);
        };
        QSet<quint64> got;
        auto collect = [&] {
            for (const QByteArray& m : drain(server))
                got.insert(m.mid(1, m.indexOf('.') - 1).toULongLong());
        };
        auto dry = [&] {
            int n = 0;
            for (const auto& e : lab.events(trace::Kind::SctpNotification))
                n += e.text.startsWith(QStringLiteral("SENDER_DRY")) ? 1 : 0;
            return n;
        };
        // usrsctp only prunes once a PRIO chunk of the association has been acknowledged (its
        // counter of removable chunks is never incremented, only decremented per acknowledged PRIO
        // chunk, and the gate opens when that wraps): the first PRIO message goes through.
        const int dryBefore = dry();
        QVERIFY(send(100, PrPolicy::Prio, 9, 900));
        QVERIFY(Lab::waitFor([&] {
            collect();
            return got.contains(900) && dry() > dryBefore;
        }));

        ladder::LinkParams down;
        down.up = false;
        lab.link->aToB().setParams(down);
        QList<quint64> fill;
        for (quint32 ctx = 1; ctx < 100; ++ctx) {
            auto r = send(1500, PrPolicy::Prio, 5, ctx);
            if (!r) {
                QCOMPARE(r.error().code, EAGAIN);
                break;
            }
            fill << ctx;
        }
        QVERIFY(fill.size() >= 5);
        // Less important and equally important messages cannot make room: EAGAIN, nothing abandoned.
        auto lower = send(1000, PrPolicy::Prio, 7, 300);
        QVERIFY(!lower);
        QCOMPARE(lower.error().code, EAGAIN);
        auto equal = send(1000, PrPolicy::Prio, 5, 301);
        QVERIFY(!equal);
        QCOMPARE(equal.error().code, EAGAIN);
        Lab::spin(50);
        QVERIFY(abandoned(lab).empty());
        // More important ones do: a PRIO message with priority 1, then a reliable one (value 0).
        QVERIFY(send(1000, PrPolicy::Prio, 1, 100));
        QVERIFY(send(3000, PrPolicy::None, 0, 200));
        // Packets these sends produced (a retransmission can go out just before the pruning)
        // leave while the link is still down: abandoned data that was sent may otherwise still
        // arrive, which PR-SCTP allows but this lesson does not want to show.
        Lab::spin(50);

        lab.link->aToB().setParams(lossy);
        QSet<quint64> expected(fill.begin(), fill.end());
        expected << 100 << 200 << 900;
        QVERIFY(Lab::waitFor([&] {
            collect();
            QSet<quint64> covered = got;
            for (const auto& [policy, ctxs] : abandoned(lab))
                covered += ctxs;
            return covered == expected && !lab.events(trace::Kind::SctpForwardTsn).isEmpty();
        }, 8000));
        const auto ab = abandoned(lab);
        QCOMPARE(ab.size(), std::size_t(1)); // only PRIO
        // The oldest in flight go first, just enough of them: 1000 bytes, then 3000 bytes of room.
        QCOMPARE(ab.at(4), (QSet<quint64> { 1, 2, 3 }));
        QVERIFY(got.contains(100) && got.contains(200));
        for (quint64 ctx : fill)
            QVERIFY2(got.contains(ctx) != ab.at(4).contains(ctx), qPrintable(QStringLiteral("context %1").arg(ctx)));
        bool textOk = false;
        for (const auto& e : lab.events(trace::Kind::SctpAbandon))
            textOk = textOk || e.text.contains(QStringLiteral("PR-SCTP PRIO abandoned message with context 2"));
        QVERIFY(textOk);
        const auto info = lab.engine->association(client->association());
        QVERIFY(info->abandonedSent > 0);
        QVERIFY(info->forwardTsnsSent > 0);
    }

    void retransmissionsAreToldFastOrTimeout()
    {
        // usrsctp counts retransmitted DATA chunks and, among them, fast-retransmitted ones; the
        // runtime snapshots the counters per emitted packet, so every retransmission the tap sees
        // is attributed. A lossy link with a fixed seed and a steady stream gives both kinds:
        // isolated losses are repaired by fast retransmit (3 SACKs reporting the gap), losses at
        // the end of a burst and lost retransmissions by T3 expiry.
        ladder::LinkParams lossy;
        lossy.lossPct = 8;
        lossy.delayMs = 2;
        Lab lab(31);
        auto [client, server] = lab.connectedPair(5000, fastTimers);
        QVERIFY(client && server);
        lab.link->aToB().setParams(lossy);
        lab.link->bToA().setParams(lossy);
        const auto before = lab.engine->association(client->association());
        struct sctpstat st0 {};
        usrsctp_get_stat(&st0); // process-wide; this association is the only one sending now
        int delivered = 0;
        for (int burst = 0; burst < 20; ++burst) {
            for (int i = 0; i < 30; ++i)
                QVERIFY(client->send(QByteArray(800, 'r'), SendInfo {}));
            QVERIFY(Lab::waitFor([&] {
                while (server->hasMessages()) {
                    server->receive();
                    ++delivered;
                }
                return delivered >= 30 * (burst + 1);
            }, 8000));
        }
        Lab::spin(300); // SACKs of the last burst
        lab.engine->refresh();
        const auto info = lab.engine->association(client->association());
        const auto events = lab.events(trace::Kind::SctpRetransmission);
        int fast = 0, timeout = 0, unknown = 0;
        for (const auto& e : events)
            (e.a == 1 ? fast : e.a == 2 ? timeout : unknown) += 1;
        QVERIFY2(fast > 0 && timeout > 0, qPrintable(QStringLiteral("fast %1 timeout %2").arg(fast).arg(timeout)));
        QCOMPARE(unknown, 0);
        QCOMPARE(info->retransmissions - before->retransmissions, quint64(events.size()));
        QCOMPARE(info->fastRetransmissions, quint64(fast));
        QCOMPARE(info->timeoutRetransmissions, quint64(timeout));
        QCOMPARE(info->fastRetransmissions + info->timeoutRetransmissions, info->retransmissions);
        // The same split as usrsctp's own counters.
        struct sctpstat st1 {};
        usrsctp_get_stat(&st1);
        QCOMPARE(quint64(st1.sctps_sendfastretrans - st0.sctps_sendfastretrans), quint64(fast));
        QCOMPARE(quint64(st1.sctps_sendretransdata - st0.sctps_sendretransdata), quint64(fast + timeout));
        for (const auto& e : events)
            QVERIFY(e.text.startsWith(e.a == 1 ? QStringLiteral("fast retransmission of TSN")
                                               : QStringLiteral("timeout retransmission of TSN")));
    }

    void peerWithoutPrSctpIsReported()
    {
        Lab lab(24);
        auto [client, server] = lab.connectedPair(5000, [](Endpoint* e) { e->setPrSupported(false); });
        QVERIFY(client && server);
        QVERIFY(!lab.engine->association(client->association())->prSupported);
        bool warned = false;
        for (const auto& e : lab.events(trace::Kind::Log))
            warned = warned || (e.a == 2 && e.text.contains(QStringLiteral("does not support PR-SCTP")));
        QVERIFY(warned);
    }
};

QTEST_GUILESS_MAIN(TestSctpPrSctp)
#include "tst_sctp_prsctp.moc"
