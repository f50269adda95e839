// SPDX-License-Identifier: GPL-3.0-or-later
// trace::Reconstructor on captures written by our own pcapng exporter from lab runs (both ends'
// copies of every packet, direction flags set). The captures made by other tools (sipp under
// dumpcap, text2pcap) are in tst_reconstruct_foreign.
#include "host/stack.h"
#include "lab/runner.h"
#include "lab/scenario.h"
#include "journal/journal.h"
#include "capture/pcapng.h"
#include "capture/capturereader.h"
#include "capture/flatmap.h"
#include "capture/reconstruct.h"
#include "reconstructtesthelpers.h"
#include "tracetestdata.h"

#include <QBuffer>
#include <QFile>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder;
using namespace ladder::trace;
using tracetest::byMethod;
using tracetest::states;

namespace {

QByteArray labCapture(const char* name)
{
    auto scenario = lab::createScenario(QString::fromLatin1(name));
    if (!scenario)
        return {};
    Stack stack(scenario->needsRealTime() ? Scheduler::Mode::Real : Scheduler::Mode::Virtual);
    lab::ScenarioParams params;
    params.seed = 1;
    lab::runToEnd(*scenario, stack, params);
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    if (!writePcapng(stack.journal(), &buf, {}))
        return {};
    return buf.data();
}

CaptureReconstruction rebuild(const QByteArray& capture, const ReconstructOptions& o = {})
{
    return reconstructCapture(reinterpret_cast<const uchar*>(capture.constData()), capture.size(), {}, o);
}

QList<Event> ofKind(const CaptureReconstruction& r, Kind k, quint64 object = 0)
{
    QList<Event> out;
    for (const Event& e : r.events)
        if (e.kind == k && (object == 0 || e.object == object))
            out.append(e);
    return out;
}

} // namespace

class TestReconstruct : public QObject {
    Q_OBJECT

private slots:
    void cancelWhileRinging()
    {
        const QByteArray cap = labCapture("cancel-ringing");
        QVERIFY(!cap.isEmpty());
        const CaptureReconstruction r = rebuild(cap);
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        const auto* invite = byMethod(r, "INVITE");
        const auto* cancel = byMethod(r, "CANCEL");
        QVERIFY(invite && cancel);
        // The exporter writes each packet twice (sent, then received): the reader flags the far-end
        // copy as a retransmission, the reconstruction must not.
        QCOMPARE(invite->retransmissions, 0u);
        QCOMPARE(invite->role, QStringLiteral("client"));
        QCOMPARE(invite->kind, QStringLiteral("INVITE client"));
        QCOMPARE(states(invite->history), (QStringList { "Calling", "Proceeding", "Completed" }));
        QCOMPARE(invite->lastStatus, 487);
        QVERIFY(!invite->terminated); // Timer D (32 s) is still running when the capture ends
        QCOMPARE(invite->messages.size(), 4); // INVITE, 180, 487, ACK
        QVERIFY(invite->messages.last().startsWith("ACK "));
        QCOMPARE(cancel->kind, QStringLiteral("non-INVITE client"));
        QCOMPARE(states(cancel->history), (QStringList { "Trying", "Completed" }));
        QCOMPARE(cancel->lastStatus, 200);
        QCOMPARE(cancel->branch, invite->branch);
        for (const Event& e : r.events)
            QVERIFY2(e.kind != Kind::SipRetransmission, qPrintable(e.text));
        QCOMPARE(r.dialogs.size(), 1);
        QCOMPARE(r.dialogs[0].role, QStringLiteral("UAC"));
        QCOMPARE(states(r.dialogs[0].history), (QStringList { "early", "terminated" }));
        QCOMPARE(r.dialogs[0].creatingTransaction, invite->id);
        // The non-2xx ACK joins its INVITE's transaction in the journal too.
        bool ackOnInvite = false;
        for (const Event& e : r.events)
            ackOnInvite = ackOnInvite || (e.kind == Kind::SipMessage && e.raw.startsWith("ACK ") && e.object == invite->id);
        QVERIFY(ackOnInvite);
    }

    // With trackChanges, takeChanged…() lists each transaction and dialog touched since the last
    // take once, as it is now; the others are as the last take left them. Without, nothing.
    void changesListWhatWasTouchedSinceTheLastTake()
    {
        const QByteArray capture = labCapture("cancel-ringing");
        QList<Event> events;
        QVERIFY(readCapture(reinterpret_cast<const uchar*>(capture.constData()), capture.size(),
            [&](Event&& e) { events.append(std::move(e)); }).ok);
        QVERIFY(events.size() > 4);
        const EventSink drop = [](Event&&) {};
        ReconstructOptions o;
        o.trackChanges = true;
        o.settle = true; // the end fires every timer still armed: changes no message made
        Reconstructor r(o);
        Reconstructor untracked;
        auto states = [](const auto& list) {
            QMap<quint64, QString> out;
            for (const auto& s : list)
                out.insert(s.id, s.state + QString::number(s.history.size()));
            return out;
        };
        QMap<quint64, QString> shown, shownDialogs; // what the takes so far say
        const qsizetype step = events.size() / 4;
        for (qsizetype i = 0; i < events.size(); ++i) {
            untracked.consume(Event(events[i]), drop);
            r.consume(std::move(events[i]), drop);
            if (i % step != step - 1 && i + 1 < events.size())
                continue;
            if (i + 1 == events.size())
                r.finish(drop);
            const auto tx = r.takeChangedTransactions();
            const auto dialogs = r.takeChangedDialogs();
            QVERIFY(std::is_sorted(tx.cbegin(), tx.cend(), [](const auto& a, const auto& b) { return a.id < b.id; }));
            QCOMPARE(states(tx).size(), tx.size()); // each once
            shown.insert(states(tx));
            shownDialogs.insert(states(dialogs));
            QCOMPARE(shown, states(r.transactions()));
            QCOMPARE(shownDialogs, states(r.dialogs()));
            QVERIFY(r.takeChangedTransactions().isEmpty()); // taken
            QVERIFY(r.takeChangedDialogs().isEmpty());
        }
        QVERIFY(!shown.isEmpty() && !shownDialogs.isEmpty());
        QVERIFY(untracked.takeChangedTransactions().isEmpty());
        QVERIFY(untracked.takeChangedDialogs().isEmpty());
    }

    // The trackers keep a history's first changes in place (StateLog) and the rest in the
    // snapshot's list: the list a snapshot shows is every change in order, whichever held it.
    void stateLogKeepsTheOrderPastItsRoom()
    {
        const QStringList changes { "Calling", "Proceeding", "a state not named", "Accepted", "Terminated",
            "Confirmed" };
        for (qsizetype unknownAt : { qsizetype(2), qsizetype(-1) }) {
            StateLog log;
            QList<sip::StateStamp> overflow;
            QStringList expected;
            qint64 t = 100;
            for (qsizetype i = 0; i < changes.size(); ++i) {
                if (i == 2 && unknownAt < 0)
                    continue;
                if (!(overflow.isEmpty() && log.add(changes[i], t)))
                    overflow.append({ changes[i], t });
                expected.append(changes[i]);
                t += 7;
            }
            QCOMPARE(log.size() + overflow.size(), expected.size());
            QCOMPARE(log.size(), unknownAt < 0 ? StateLog::kInline : 2);
            const QList<sip::StateStamp> h = log.list(overflow);
            QCOMPARE(states(h), expected);
            for (qsizetype i = 0; i < h.size(); ++i)
                QCOMPARE(h[i].timeNs, 100 + 7 * i);
        }
        QVERIFY(StateLog().list(QList<sip::StateStamp> { { "Trying", 5 } }).size() == 1);
    }

    // The decoder's table of SIP messages seen: a key's count goes up by one each time, other
    // keys (one half of the key differing) are counted apart, and growing keeps every count.
    void seenCountsCountEachKey()
    {
        SeenCounts seen;
        for (quint64 i = 0; i < 5000; ++i)
            QCOMPARE(seen.see(mix64(i), quint32(i)), 0u);
        QCOMPARE(seen.size(), 5000);
        for (quint64 i = 0; i < 5000; ++i) {
            QCOMPARE(seen.see(mix64(i), quint32(i)), 1u);
            QCOMPARE(seen.see(mix64(i), quint32(i) + 1), 0u); // the same h1, another h2: a key of its own
        }
        QCOMPARE(seen.size(), 10000);
        QCOMPARE(seen.see(mix64(7), 7u), 2u);
    }

    void settleFiresTimerD()
    {
        ReconstructOptions o;
        o.settle = true;
        const CaptureReconstruction r = rebuild(labCapture("cancel-ringing"), o);
        const auto* invite = byMethod(r, "INVITE");
        QVERIFY(invite);
        QVERIFY(invite->terminated);
        QVERIFY(invite->timers.isEmpty()); // Timer D fired: nothing left armed
        QCOMPARE(states(invite->history), (QStringList { "Calling", "Proceeding", "Completed", "Terminated" }));
        // Terminated 32 s (Timer D, unreliable) after the 487.
        QCOMPARE(invite->history[3].timeNs - invite->history[2].timeNs, 32'000'000'000);
        const QList<Event> fired = ofKind(r, Kind::TimerFired, invite->id);
        QCOMPARE(fired.size(), 1);
        QCOMPARE(fired[0].text, QStringLiteral("D"));
        // The CANCEL ends by Timer K (T4).
        const auto* cancel = byMethod(r, "CANCEL");
        QCOMPARE(cancel->history.last().timeNs - cancel->history[1].timeNs, 5'000'000'000);
        QVERIFY(r.events.last().text.contains(QLatin1String("after the capture ended")));
    }

    void timerAFromRetransmissions()
    {
        const CaptureReconstruction r = rebuild(labCapture("invite-lossy-udp"));
        const auto* invite = byMethod(r, "INVITE");
        QVERIFY(invite);
        QList<quint64> intervals;
        for (const Event& e : ofKind(r, Kind::TimerFired, invite->id))
            if (e.text == QLatin1String("A"))
                intervals.append(e.a);
        QCOMPARE(intervals, (QList<quint64> { 500, 1000, 2000 })); // Timer A doubles from T1
        QVERIFY(invite->retransmissions >= 3);
        QCOMPARE(states(invite->history), (QStringList { "Calling", "Proceeding", "Accepted" }));
        // Accepted at the capture's end: Timer M (64 × T1, RFC 6026) armed, as the views show it.
        QCOMPARE(invite->timers.size(), 1);
        QCOMPARE(invite->timers[0].name, QStringLiteral("M"));
        QCOMPARE(invite->timers[0].dueNs - invite->history.last().timeNs, 32'000'000'000);
        QCOMPARE(states(r.dialogs[0].history), (QStringList { "early", "confirmed", "terminated" })); // BYE
        QCOMPARE(r.dialogs[0].localCSeq, 2u); // INVITE 1, BYE 2
        QVERIFY(!r.dialogs[0].remoteTarget.isEmpty());
    }

    void forksMakeDialogs()
    {
        const CaptureReconstruction r = rebuild(labCapture("forking-with-flag"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        // One INVITE forked by the proxy to two phones: each To tag is a dialog of its own.
        QCOMPARE(r.dialogs.size(), 2);
        QCOMPARE(r.dialogs[0].callId, r.dialogs[1].callId);
        QCOMPARE(r.dialogs[0].localTag, r.dialogs[1].localTag);
        QVERIFY(r.dialogs[0].remoteTag != r.dialogs[1].remoteTag);
        QStringList ends;
        for (const auto& d : r.dialogs)
            ends.append(states(d.history).join(QLatin1Char('>')));
        ends.sort();
        // The answered fork is confirmed and ended by BYE; the other one is CANCELled (487).
        QCOMPARE(ends, (QStringList { "early>confirmed>terminated", "early>terminated" }));
        bool forkNoted = false;
        for (const Event& e : ofKind(r, Kind::DialogState))
            forkNoted = forkNoted || e.text.contains(QLatin1String("fork 2 of the INVITE"));
        QVERIFY(forkNoted);
        QVERIFY(byMethod(r, "CANCEL"));
    }

    void sctpShutdownAndAbort()
    {
        const CaptureReconstruction r = rebuild(labCapture("eof-vs-abort"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        // Both associations share one UDP encapsulation pair: the SCTP ports tell them apart.
        QCOMPARE(r.associations.size(), 2);
        QStringList ends;
        for (const CapturedAssociation& a : r.associations) {
            QCOMPARE(a.role, QStringLiteral("initiator"));
            QVERIFY(a.localTag != 0 && a.peerTag != 0 && a.localTag != a.peerTag);
            QVERIFY(a.localPort != a.peerPort);
            QCOMPARE(a.info.outboundStreams, quint16(10));
            QVERIFY(a.info.prSupported);
            QVERIFY(!a.info.streams.isEmpty());
            QVERIFY(a.info.streams[0].messagesSent > 0);
            ends.append(states(a.history).join(QLatin1Char('>')));
        }
        ends.sort();
        QCOMPARE(ends,
            (QStringList { "COOKIE-WAIT>COOKIE-ECHOED>ESTABLISHED>ABORTED",
                "COOKIE-WAIT>COOKIE-ECHOED>ESTABLISHED>SHUTDOWN-SENT>CLOSED" }));
        // Far-end copies are not retransmissions. The run is in real time, so usrsctp may really
        // retransmit on a loaded machine: count those independently, from the senders' (Tx) copies.
        QHash<QString, int> seen;
        quint64 genuine = 0, counted = 0;
        for (const Event& e : r.events)
            if (e.kind == Kind::SctpChunk && e.a == 0 && e.dir == Dir::Tx)
                genuine += seen[QStringLiteral("%1 %2 %3").arg(e.object).arg(e.from).arg(e.c)]++ > 0;
        for (const CapturedAssociation& a : r.associations)
            counted += a.info.retransmissions + a.retransmissionsReceived;
        QCOMPARE(counted, genuine);
        QCOMPARE(quint64(ofKind(r, Kind::SctpRetransmission).size()), genuine);
        // Every SCTP event carries the renumbered association.
        for (const Event& e : r.events)
            if (e.kind == Kind::SctpPacket || e.kind == Kind::SctpChunk)
                QVERIFY(e.object == 1 || e.object == 2);
    }

    void prSctpSkipsAndRetransmissions()
    {
        const CaptureReconstruction r = rebuild(labCapture("prsctp-ttl-rtx-buf"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        QVERIFY(!r.associations.isEmpty());
        quint64 fwd = 0, skipped = 0, abandoned = 0, rtx = 0, rtxReceived = 0;
        for (const CapturedAssociation& a : r.associations) {
            fwd += a.info.forwardTsnsSent;
            skipped += a.skippedTsnsSent;
            abandoned += a.info.abandoned;
            rtx += a.info.retransmissions;
            rtxReceived += a.retransmissionsReceived;
        }
        QVERIFY(fwd > 0);
        QVERIFY(skipped > 0);
        QVERIFY(abandoned > 0);
        QVERIFY(rtx > 0); // the link is lossy
        QCOMPARE(quint64(ofKind(r, Kind::SctpRetransmission).size()), rtx + rtxReceived);
    }

    void journalVariantSetsEpoch()
    {
        const QByteArray cap = labCapture("cancel-ringing");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.pcapng"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(cap);
        f.close();
        Journal j;
        const CaptureReconstruction r = reconstructCaptureFile(path, j);
        QVERIFY(r.events.isEmpty());
        QCOMPARE(j.count(), quint64(rebuild(cap).events.size()));
        QCOMPARE(j.epochNs(), r.read.epochNs);
        QCOMPARE(r.transactions.size(), 2);
    }

    // Events fed straight in (as the reader would hand them): a silence after retransmissions
    // must end the transaction by Timer B / F at the deadline, once the capture passes it.
    void timerBAndFInferredFromSilence()
    {
        Reconstructor rec;
        QList<Event> out;
        const EventSink sink = [&out](Event&& e) { out.append(std::move(e)); };
        const QByteArray invite = tracetest::sipRequest("INVITE", "z9hG4bKb1");
        const qint64 s = 1'000'000'000;
        auto feed = [&](qint64 t, const QByteArray& raw, quint64 object, bool again) {
            Event e = tracetest::sip(t, Dir::None, "10.0.0.1:5060", "10.0.0.2:5060", raw, 0,
                again ? Kind::SipRetransmission : Kind::SipMessage);
            e.object = object;
            rec.consume(std::move(e), sink);
        };
        feed(0, invite, 1, false);
        feed(1'000'000, invite, 1, true); // a duplicate 1 ms later: no plausible T1, the default stays
        for (qint64 t : { s / 2, 3 * s / 2, 7 * s / 2 })
            feed(t, invite, 1, true);
        feed(40 * s, tracetest::sipRequest("OPTIONS", "z9hG4bKo1"), 2, false);
        feed(100 * s, tracetest::sipRequest("OPTIONS", "z9hG4bKo2"), 3, false);
        rec.finish(sink);
        const QList<sip::TransactionSnapshot> tx = rec.transactions();
        QCOMPARE(tx.size(), 3);
        QCOMPARE(tx[0].role, QStringLiteral("observed"));
        QCOMPARE(states(tx[0].history), (QStringList { "Calling", "Terminated" }));
        QCOMPARE(tx[0].history[1].timeNs, 32 * s); // 64·T1 with T1 = 500 ms
        QCOMPARE(tx[0].retransmissions, 4u);
        QCOMPARE(states(tx[1].history), (QStringList { "Trying", "Terminated" }));
        QCOMPARE(tx[1].history[1].timeNs, 72 * s); // Timer F
        QCOMPARE(states(tx[2].history), (QStringList { "Trying" })); // the capture ends before its Timer F
        QStringList fired;
        for (const Event& e : out)
            if (e.kind == Kind::TimerFired)
                fired.append(e.text);
        QCOMPARE(fired, (QStringList { "A", "A", "A", "A", "B", "F" }));
        // In time order: Timer B's events come before the OPTIONS at 40 s.
        for (qsizetype i = 1; i < out.size(); ++i)
            QVERIFY(out[i - 1].timeNs <= out[i].timeNs);
        bool said = false;
        for (const Event& e : out)
            said = said || e.text.contains(QLatin1String("Timer B: no final response, inferred"));
        QVERIFY(said);
    }

    // The connection text ("UDP a -> b") and the state-change texts are shared between the
    // transactions that have the same ones (memory: one string for thousands of calls), and a
    // shared one is never handed to a transaction whose endpoints or transport differ.
    void sharedTextsStayExact()
    {
        Reconstructor rec;
        QList<Event> out;
        const EventSink sink = [&out](Event&& e) { out.append(std::move(e)); };
        // Heap strings, as the decoder's (a literal's address proves nothing and is not shared).
        const QString a = QString::fromLatin1("10.0.0.1:5060"), b = QString::fromLatin1("10.0.0.2:5060"),
                      c = QString::fromLatin1("10.0.0.3:5060");
        struct Feed {
            const QString* from;
            const QString* to;
            quint64 transport;
            QString connection;
        };
        const QList<Feed> feeds {
            { &a, &b, 0, QStringLiteral("UDP 10.0.0.1:5060 -> 10.0.0.2:5060") },
            { &a, &b, 0, QStringLiteral("UDP 10.0.0.1:5060 -> 10.0.0.2:5060") },
            { &a, &b, 1, QStringLiteral("TCP 10.0.0.1:5060 -> 10.0.0.2:5060") },
            { &b, &a, 0, QStringLiteral("UDP 10.0.0.2:5060 -> 10.0.0.1:5060") },
            { &a, &c, 0, QStringLiteral("UDP 10.0.0.1:5060 -> 10.0.0.3:5060") },
            { &a, &b, 0, QStringLiteral("UDP 10.0.0.1:5060 -> 10.0.0.2:5060") },
        };
        quint64 id = 0;
        for (const Feed& f : feeds) {
            ++id;
            Event e = tracetest::sip(qint64(id) * 1'000'000, Dir::None, "x", "y",
                tracetest::sipRequest("OPTIONS", QByteArray("z9hG4bKs" + QByteArray::number(id)).constData()), f.transport);
            e.from = *f.from; // one string per endpoint, as the decoder hands them out
            e.to = *f.to;
            e.object = id;
            rec.consume(std::move(e), sink);
        }
        const QList<sip::TransactionSnapshot> tx = rec.transactions();
        QCOMPARE(tx.size(), feeds.size());
        for (qsizetype i = 0; i < tx.size(); ++i)
            QCOMPARE(tx[i].connection, feeds[i].connection);
        QCOMPARE(tx[1].connection.constData(), tx[0].connection.constData()); // shared
        QCOMPARE(tx[5].connection.constData(), tx[0].connection.constData());
        QList<Event> created;
        for (const Event& e : std::as_const(out))
            if (e.kind == Kind::TransactionState)
                created.append(e);
        QCOMPARE(created.size(), feeds.size());
        for (const Event& e : std::as_const(created)) {
            QCOMPARE(e.text, created[0].text);
            QCOMPARE(e.text.constData(), created[0].text.constData()); // one string for all
        }
        QVERIFY(created[0].text.contains(QLatin1String("created Trying")));
    }

    // Directions flagged by the capture: an inbound INVITE makes a server transaction; a resent
    // 486 is Timer G, the ACK confirms, Timer I ends it; on TCP Timer J is zero.
    void serverRoleFromDirection()
    {
        Reconstructor rec;
        QList<Event> out;
        const EventSink sink = [&out](Event&& e) { out.append(std::move(e)); };
        const qint64 ms = 1'000'000;
        auto feed = [&](qint64 t, Dir dir, bool fromCaller, const QByteArray& raw, quint64 object, quint64 transport,
                        bool again = false) {
            Event e = tracetest::sip(t, dir, fromCaller ? "10.0.0.1:5060" : "10.0.0.2:5060",
                fromCaller ? "10.0.0.2:5060" : "10.0.0.1:5060", raw, transport,
                again ? Kind::SipRetransmission : Kind::SipMessage);
            e.object = object;
            rec.consume(std::move(e), sink);
        };
        QByteArray ack = tracetest::sipRequest("ACK", "z9hG4bKs1");
        ack.replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=2");
        feed(0, Dir::Rx, true, tracetest::sipRequest("INVITE", "z9hG4bKs1"), 1, 0);
        feed(10 * ms, Dir::Tx, false, tracetest::sipResponse(486, "Busy Here", "z9hG4bKs1", "INVITE"), 1, 0);
        feed(510 * ms, Dir::Tx, false, tracetest::sipResponse(486, "Busy Here", "z9hG4bKs1", "INVITE"), 1, 0, true);
        feed(520 * ms, Dir::Rx, true, ack, 2, 0);
        feed(6000 * ms, Dir::Rx, true, tracetest::sipRequest("OPTIONS", "z9hG4bKt1"), 3, 1);
        feed(6001 * ms, Dir::Tx, false, tracetest::sipResponse(200, "OK", "z9hG4bKt1", "OPTIONS"), 3, 1);
        rec.finish(sink);
        const QList<sip::TransactionSnapshot> tx = rec.transactions();
        QCOMPARE(tx.size(), 2); // the ACK joined the INVITE's
        QCOMPARE(tx[0].kind, QStringLiteral("INVITE server"));
        QCOMPARE(tx[0].localEndpoint, QStringLiteral("10.0.0.2:5060"));
        QCOMPARE(states(tx[0].history), (QStringList { "Proceeding", "Completed", "Confirmed", "Terminated" }));
        QCOMPARE(tx[0].history[3].timeNs, 5520 * ms); // Timer I = T4 after the ACK
        QCOMPARE(tx[0].retransmissions, 1u);
        QCOMPARE(tx[1].kind, QStringLiteral("non-INVITE server"));
        QVERIFY(tx[1].reliable);
        QCOMPARE(states(tx[1].history), (QStringList { "Trying", "Completed", "Terminated" }));
        QCOMPARE(tx[1].history[2].timeNs, 6001 * ms); // Timer J = 0 on TCP
        QStringList fired;
        for (const Event& e : out)
            if (e.kind == Kind::TimerFired)
                fired.append(e.text);
        QCOMPARE(fired, (QStringList { "G", "I" }));
        QCOMPARE(rec.dialogs().size(), 0); // a 486 makes no dialog
    }

    void malformedInputDoesNotCrash()
    {
        const QByteArray cap = labCapture("cancel-ringing");
        // Truncations and byte flips everywhere: whatever is read must reconstruct without crashing.
        for (qsizetype cut = 24; cut < cap.size(); cut += 37)
            rebuild(cap.left(cut));
        QByteArray flipped = cap;
        for (qsizetype i = 64; i < flipped.size(); i += 13) {
            flipped[i] = char(flipped[i] ^ 0x5a);
            rebuild(flipped);
        }
        // Events straight into the reconstructor, with garbage where SIP and SCTP should be.
        Reconstructor rec;
        QList<Event> out;
        const EventSink sink = [&out](Event&& e) { out.append(std::move(e)); };
        for (int i = 0; i < 64; ++i) {
            Event e;
            e.timeNs = i;
            e.kind = i % 2 ? Kind::SctpPacket : Kind::SipMessage;
            e.dir = Dir(i % 3);
            e.object = quint64(i % 5);
            e.raw = QByteArray(i, char(i * 7));
            if (i % 4 == 0)
                e.raw = "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nTo: <sip:a@b>;tag=x\r\n\r\n";
            rec.consume(std::move(e), sink);
        }
        rec.finish(sink);
        QCOMPARE(out.size() >= 64, true);
    }
};

QTEST_GUILESS_MAIN(TestReconstruct)
#include "tst_reconstruct.moc"
