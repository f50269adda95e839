// SPDX-License-Identifier: GPL-3.0-or-later
// Multi-homing through our API: a real two-path association (127.0.0.1 and ::1) run by the
// ladderlab-sctp-mh helper, every packet reflected through lab links here. Real time (usrsctp
// keeps its own clock); each case takes a second or two.
#include "core/scheduler.h"
#include "sctp/multihome/multihomedpair.h"
#include "journal/journal.h"
#include "../sctp/tsharkcapture.h"
#include "testskip.h"

#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QTest>

#include <cerrno>

using namespace ladder;
using sctp::MultiHomedPair;

namespace {

struct Fixture {
    Scheduler scheduler { Scheduler::Mode::Real };
    trace::Journal journal;
    std::unique_ptr<MultiHomedPair> pair;
    QString why;

    bool start(bool connectOnStart = true)
    {
        MultiHomedPair::Options o;
        o.seed = 7;
        o.link.delayMs = 2;
        o.connectOnStart = connectOnStart;
        pair = std::make_unique<MultiHomedPair>(scheduler, journal, o);
        return pair->start(&why);
    }
    QList<trace::Event> events(trace::Kind kind) const
    {
        QList<trace::Event> out;
        for (const trace::Event& e : journal.range(0, journal.count()))
            if (e.kind == kind)
                out << e;
        return out;
    }
    QString primary() const
    {
        const auto all = pair->associations();
        return all.isEmpty() ? QString() : all.first().primaryPath;
    }
};

// Sends one message and waits for its answer; the error code or 0.
int sendAndWait(MultiHomedPair& pair, const QByteArray& data, const sctp::SendInfo& info, QString* text = nullptr)
{
    bool answered = false;
    int code = -1;
    pair.send(data, info, [&](const sctp::Result<qint64>& r) {
        answered = true;
        code = r.ok() ? 0 : r.code();
        if (text)
            *text = r.ok() ? QString() : r.error().text();
    });
    if (!QTest::qWaitFor([&] { return answered; }, 5000))
        return -2;
    return code;
}

// sctp_sendmsgx's address list.
sctp::SendInfo sendx(const QStringList& addresses)
{
    sctp::SendInfo info;
    for (const QString& a : addresses)
        info.addresses.append(*sctp::Address::parse(a));
    return info;
}

sctp::SendInfo addrOver(const QString& host)
{
    sctp::SendInfo info;
    info.flags = sctp::flag::AddrOver;
    info.to = sctp::Address { host, MultiHomedPair::kServerPort };
    return info;
}

} // namespace

class TstMultiHome : public QObject {
    Q_OBJECT
private slots:
    void addrOverUsesTheChosenPath()
    {
        Fixture f;
        if (!f.start() && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(f.pair->running(), qPrintable(f.why));
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        f.pair->setPrimary(0);
        QTRY_VERIFY_WITH_TIMEOUT(f.primary().startsWith(QLatin1String("127.0.0.1:")), 3000);

        // Both paths are known to both ends, with usrsctp's per-path figures (the helper reports
        // them a little after the association is up: wait for them, slower under ASan).
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QList<sctp::AssociationInfo> all = f.pair->associations();
                if (all.isEmpty() || all.first().paths.size() != 2)
                    return false;
                for (const auto& p : all.first().paths)
                    if (p.rto == 0)
                        return false;
                return true;
            }(),
            5000);
        const auto assoc = f.pair->associations().first();
        QCOMPARE(assoc.paths.size(), 2);
        QStringList addresses;
        for (const auto& p : assoc.paths) {
            addresses << p.address;
            QVERIFY(p.rto > 0);
            QCOMPARE(p.primary, p.address.startsWith(QLatin1String("127.0.0.1")));
        }
        addresses.sort();
        QCOMPARE(addresses, (QStringList { QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5000") }));

        // Without ADDR_OVER: the primary. With it: the address named in the call.
        QCOMPARE(sendAndWait(*f.pair, "primary", {}), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 1, 3000);
        QCOMPARE(f.pair->received().last().from, QStringLiteral("127.0.0.1:5001"));
        const quint64 v6Before = f.pair->dataChunksOnPath(1);
        QCOMPARE(sendAndWait(*f.pair, "over ::1", addrOver(QStringLiteral("::1"))), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 2, 3000);
        QCOMPARE(f.pair->received().last().from, QStringLiteral("[::1]:5001"));
        // At least this one DATA on ::1 (a late SACK may send a retransmission there too, to the
        // alternate path; the first-transmission check below is the exact one).
        QVERIFY(f.pair->dataChunksOnPath(1) >= v6Before + 1);
        // And back: ADDR_OVER to the primary's own address.
        QCOMPARE(sendAndWait(*f.pair, "over v4", addrOver(QStringLiteral("127.0.0.1"))), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 3, 3000);
        QCOMPARE(f.pair->received().last().from, QStringLiteral("127.0.0.1:5001"));

        // Stream figures: three first transmissions on stream 0 from the client, three deliveries
        // at the server.
        const auto both = f.pair->associations();
        QCOMPARE(both.size(), 2);
        QCOMPARE(both[0].streams.size(), 1);
        QCOMPARE(both[0].streams[0].messagesSent, quint64(3));
        QCOMPARE(both[0].streams[0].orderedSent, quint64(3));
        QCOMPARE(both[0].streams[0].nextSsn, quint32(3));
        QCOMPARE(both[1].streams.size(), 1);
        QCOMPARE(both[1].streams[0].messagesReceived, quint64(3));
        QCOMPARE(both[1].streams[0].bytesReceived, quint64(7 + 8 + 7));

        // The journal saw each DATA's first transmission on the lane of the path it took. A slow
        // (ASan, loaded) run may retransmit one when its SACK comes late, on whichever path
        // usrsctp then picks: only the first sending of each TSN says where ADDR_OVER put it.
        QStringList dataTo;
        QSet<quint64> tsns;
        for (const trace::Event& e : f.events(trace::Kind::SctpChunk))
            if (e.dir == trace::Dir::Tx && e.text.startsWith(QLatin1String("DATA")) && !tsns.contains(e.c)) {
                tsns.insert(e.c);
                dataTo << e.to;
            }
        QCOMPARE(dataTo,
            (QStringList { QStringLiteral("server 127.0.0.1:9899"), QStringLiteral("server [::1]:9899"),
                QStringLiteral("server 127.0.0.1:9899") }));
        f.pair->stop();
        QVERIFY(!f.pair->running());
    }

    void primaryFailsOverAndComesBack()
    {
        Fixture f;
        if (!f.start() && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        f.pair->setPrimary(0);
        QTRY_VERIFY_WITH_TIMEOUT(f.primary().startsWith(QLatin1String("127.0.0.1:")), 3000);

        f.pair->setPathUp(0, false);
        QCOMPARE(sendAndWait(*f.pair, "during the failure", {}), 0);
        // Timed out on 127.0.0.1, retransmitted on ::1.
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 1, 5000);
        QCOMPARE(f.pair->received().last().from, QStringLiteral("[::1]:5001"));
        QVERIFY(!f.events(trace::Kind::SctpRetransmission).isEmpty());
        QVERIFY(!f.events(trace::Kind::LinkDrop).isEmpty());
        auto pathState = [&](const QString& state) {
            for (const trace::Event& e : f.events(trace::Kind::SctpNotification))
                if (e.object == f.pair->clientAssociation()
                    && e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE 127.0.0.1:5000: ") + state))
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(pathState(QStringLiteral("unreachable")), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                // A copy, not a reference into the temporary list (destroyed before the loop runs).
                const QList<sctp::AssociationInfo> associations = f.pair->associations();
                if (associations.isEmpty())
                    return false;
                for (const auto& p : associations.first().paths)
                    if (p.address.startsWith(QLatin1String("127.0.0.1")))
                        return p.stateName == QLatin1String("inactive");
                return false;
            }(),
            3000);

        f.pair->setPathUp(0, true);
        QTRY_VERIFY_WITH_TIMEOUT(pathState(QStringLiteral("available")), 5000);
        QCOMPARE(sendAndWait(*f.pair, "after the repair", {}), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 2, 3000);
        QCOMPARE(f.pair->received().last().from, QStringLiteral("127.0.0.1:5001"));
    }

    void bothPathsDecodeInTshark()
    {
        const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
        if (tshark.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("tshark is not installed (packaging/install-deps.sh --test installs it)"));
        Fixture f;
        if (!f.start() && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        f.pair->setPrimary(0);
        QTRY_VERIFY_WITH_TIMEOUT(f.primary().startsWith(QLatin1String("127.0.0.1:")), 3000);
        QCOMPARE(sendAndWait(*f.pair, "on the primary", {}), 0);
        QCOMPARE(sendAndWait(*f.pair, "over ::1", addrOver(QStringLiteral("::1"))), 0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 2, 3000);
        f.pair->stop();

        // What left each side, as a capture: IPv4 and IPv6 frames, SCTP over UDP 9899, with
        // usrsctp's own CRC32c (not recomputed by the writer).
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("multihomed.pcapng")));
        const sctp::testing::SentCapture capture = sctp::testing::writeSentPackets(f.journal, file);
        QVERIFY2(capture.ok, qPrintable(capture.error));
        QList<QList<QByteArray>> frames;
        QString error;
        QVERIFY2(sctp::testing::tsharkFields(tshark, file.fileName(), {},
                     { QStringLiteral("ip.dst"), QStringLiteral("ipv6.dst"), QStringLiteral("sctp.checksum.status"),
                         QStringLiteral("sctp.chunk_type"), QStringLiteral("_ws.malformed") },
                     &frames, &error),
            qPrintable(error));
        QCOMPARE(frames.size(), capture.packets);
        QSet<QByteArray> dataTo;
        for (const QList<QByteArray>& field : frames) {
            const QByteArray line = field.join('\t');
            QCOMPARE(field.size(), 5);
            QVERIFY2(field[2] == "1", line.constData()); // checksum good
            QVERIFY2(field[4].isEmpty(), line.constData()); // not malformed
            if (field[3].split(',').contains("0")) // DATA
                dataTo.insert(field[0].isEmpty() ? field[1] : field[0]);
        }
        QCOMPARE(dataTo, (QSet<QByteArray> { "127.0.0.1", "::1" }));
    }

    void errorsAreTheManPages()
    {
        Fixture f;
        if (!f.start() && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        // Before COMM_UP there is no association to send on.
        if (!f.pair->up()) {
            QString text;
            QCOMPARE(sendAndWait(*f.pair, "early", {}, &text), ENOTCONN);
            QVERIFY(text.startsWith(QLatin1String("ENOTCONN")));
        }
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        QString text;
        QCOMPARE(sendAndWait(*f.pair, "x", addrOver(QStringLiteral("10.9.9.9")), &text), EINVAL);
        QVERIFY2(text.contains(QLatin1String("not an address of the peer")), qPrintable(text));
        sctp::SendInfo noTo;
        noTo.flags = sctp::flag::AddrOver;
        QCOMPARE(sendAndWait(*f.pair, "x", noTo, &text), EINVAL);
        sctp::SendInfo unknown;
        unknown.flags = 0x8000;
        QCOMPARE(sendAndWait(*f.pair, "x", unknown, &text), EINVAL);
        QVERIFY(text.contains(QLatin1String("0x8000")));
        sctp::SendInfo badPolicy;
        badPolicy.flags = 0x5;
        QCOMPARE(sendAndWait(*f.pair, "x", badPolicy, &text), EINVAL);
        // usrsctp's own refusal comes back with its errno: a stream the association does not have.
        sctp::SendInfo badStream;
        badStream.stream = 4000;
        QCOMPARE(sendAndWait(*f.pair, "x", badStream, &text), EINVAL);
        QCOMPARE(f.pair->received().size(), 0);
        QVERIFY(f.events(trace::Kind::Error).size() >= 5);
    }

    // sctp_sendmsgx(3): "allows a caller to implicitly set up an association passing multiple
    // addresses as if sctp_connectx() had been called". No association before the call; after it,
    // one association with both addresses as paths, and the message rode on the COOKIE-ECHO.
    void sendmsgxWithTwoAddressesSetsUpOneMultiHomedAssociation()
    {
        Fixture f;
        if (!f.start(false) && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(f.pair->running(), qPrintable(f.why));
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->ready(); }, 5000), qPrintable(f.pair->failure()));
        QTest::qWait(300); // the helper would have connected by now if it were going to
        QVERIFY(!f.pair->up());
        QVERIFY(f.pair->associations().isEmpty());
        QString text;
        // Without addresses there is nothing to send on yet, and the error says what to give.
        QCOMPARE(sendAndWait(*f.pair, "early", {}, &text), ENOTCONN);
        QVERIFY2(text.contains(QLatin1String("sctp_sendmsgx")), qPrintable(text));

        QCOMPARE(sendAndWait(*f.pair, "hello", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5000") }),
                     &text),
            0);
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 1, 3000);
        QTRY_VERIFY_WITH_TIMEOUT(
            !f.pair->associations().isEmpty() && f.pair->associations().first().paths.size() == 2, 5000);
        QStringList addresses;
        const sctp::AssociationInfo assoc = f.pair->associations().first(); // a copy: associations() is a snapshot
        for (const auto& p : assoc.paths)
            addresses << p.address;
        addresses.sort();
        QCOMPARE(addresses, (QStringList { QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5000") }));
        // The first address is the primary.
        QVERIFY2(f.primary().startsWith(QLatin1String("127.0.0.1:")), qPrintable(f.primary()));

        // The DATA left in the same packet as the COOKIE-ECHO (same instant, client to server).
        qint64 cookieAt = -1;
        QList<qint64> dataAt;
        for (const trace::Event& e : f.events(trace::Kind::SctpChunk)) {
            if (e.dir != trace::Dir::Tx)
                continue;
            if (e.a == 10 && cookieAt < 0)
                cookieAt = e.timeNs;
            if (e.a == 0)
                dataAt << e.timeNs;
        }
        QVERIFY(cookieAt >= 0);
        QVERIFY2(dataAt.contains(cookieAt), "the message was not bundled with the COOKIE-ECHO");

        // Once it exists, the same list sends on it (EALREADY is no error): one association still.
        QCOMPARE(sendAndWait(*f.pair, "again", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5000") })),
            0);
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 2, 3000);
        QCOMPARE(f.pair->received().first().association, f.pair->received().last().association);
        int assocChanges = 0;
        for (const trace::Event& e : f.events(trace::Kind::SctpNotification))
            if (e.text.startsWith(QLatin1String("ASSOC_CHANGE COMM_UP")))
                ++assocChanges;
        QCOMPARE(assocChanges, 2); // client and server, once each
    }

    // What the list is for: with the first address unreachable, the INIT goes to the next one
    // (T1-init moves to an alternate address usrsctp knows from the list), and the association
    // comes up over ::1. With sctp_sendmsg's single address it would never come up.
    void sendmsgxComesUpOverTheSecondAddressWhenTheFirstIsDown()
    {
        Fixture f;
        if (!f.start(false) && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(f.pair->running(), qPrintable(f.why));
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->ready(); }, 5000), qPrintable(f.pair->failure()));
        f.pair->setPathUp(0, false); // 127.0.0.1 loses everything
        QCOMPARE(sendAndWait(*f.pair, "via ::1", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5000") })),
            0);
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 8000), "no association: the INIT never tried ::1");
        QTRY_COMPARE_WITH_TIMEOUT(f.pair->received().size(), 1, 3000);
        QCOMPARE(f.pair->received().first().from, QStringLiteral("[::1]:5001"));
        QVERIFY(f.pair->dataChunksOnPath(1) >= 1);
    }

    // Lists that cannot name the peer are refused before anything is sent, with the reason.
    void sendmsgxRefusesBadAddressLists()
    {
        Fixture f;
        if (!f.start(false) && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(f.pair->running(), qPrintable(f.why));
        QString text;
        QCOMPARE(sendAndWait(*f.pair, "x", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("10.9.9.9:5000") }), &text),
            EHOSTUNREACH);
        QVERIFY2(text.contains(QLatin1String("10.9.9.9")), qPrintable(text));
        QCOMPARE(sendAndWait(*f.pair, "x", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("127.0.0.1:5000") }), &text),
            EINVAL);
        QVERIFY2(text.contains(QLatin1String("listed twice")), qPrintable(text));
        QCOMPARE(sendAndWait(*f.pair, "x", sendx({ QStringLiteral("127.0.0.1:5000"), QStringLiteral("[::1]:5001") }), &text),
            EINVAL);
        QVERIFY2(text.contains(QLatin1String("share one port")), qPrintable(text));
        QCOMPARE(sendAndWait(*f.pair, "x", sendx({ QStringLiteral("127.0.0.1:6000"), QStringLiteral("[::1]:6000") }), &text),
            ECONNREFUSED);
        QTest::qWait(200);
        QVERIFY(!f.pair->up());
        QVERIFY(f.events(trace::Kind::SctpChunk).isEmpty()); // not even an INIT
        QCOMPARE(f.pair->received().size(), 0);
    }

    void helperThatVanishesIsReported()
    {
        Fixture f;
        if (!f.start() && f.why.contains(QLatin1String("IPv6 loopback")))
            LADDERLAB_SKIP(f.why);
        QVERIFY2(QTest::qWaitFor([&] { return f.pair->up(); }, 5000), qPrintable(f.pair->failure()));
        QSignalSpy failed(f.pair.get(), &MultiHomedPair::failed);
        // Make the helper die as if killed: the pair says so and refuses to send.
        auto* child = f.pair->findChild<QProcess*>();
        QVERIFY(child);
        child->kill();
        QVERIFY(failed.wait(5000) || !failed.isEmpty());
        QVERIFY(f.pair->failure().contains(QLatin1String("ladderlab-sctp-mh ended")));
        QString text;
        QCOMPARE(sendAndWait(*f.pair, "x", {}, &text), ENOTCONN);
    }

    void missingHelperIsAClearError()
    {
        Scheduler scheduler(Scheduler::Mode::Real);
        trace::Journal journal;
        MultiHomedPair::Options o;
        o.helper = QStringLiteral("/nonexistent/ladderlab-sctp-mh");
        MultiHomedPair pair(scheduler, journal, o);
        QString why;
        QVERIFY(!pair.start(&why));
        QVERIFY2(why.contains(QLatin1String("/nonexistent/ladderlab-sctp-mh")), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TstMultiHome)
#include "tst_multihome.moc"
