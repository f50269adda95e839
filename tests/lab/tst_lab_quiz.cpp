// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 22's classroom quiz on SCTP lessons, headless (the window's controller, paced, virtual
// time, fixed seeds): the SCTP choices follow the associations' real state at the pause; whatever
// the stack does next, at most one choice holds, and when it does what the state says is possible
// (a T3-rtx expiry, a SACK arriving, a FORWARD-TSN, an abandon, a shutdown chunk) the choice for it
// was offered and holds; "roughly when" and the CSV's columns.
#include "host/stack.h"
#include "journal/journal.h"
#include "lab/controller.h"
#include "lab/quiz.h"
#include "sctp/chunkdecoder.h"

#include <QRegularExpression>
#include <QSignalSpy>

#include "labwindow.h"
#include <QTest>

using namespace ladder;

namespace {

// The window's lab as LabSession drives it, without the window.
struct Quizzer : labtest::LabWindow {
    // The question at this pause, as LabSession builds it.
    QList<lab::Prediction> ask(QList<sctp::AssociationInfo>* associations = nullptr)
    {
        const QList<sctp::AssociationInfo> assocs = controller.associations();
        if (associations)
            *associations = assocs;
        lab::SctpQuizHistory history;
        const qint64 seq = pausedSeq();
        const quint64 end = seq >= 0 ? quint64(seq) + quint64(lab::packetLength(events(quint64(seq)), 0)) : stack.journal().count();
        stack.journal().forEach(0, end, [&](const trace::Event& e) { history.feed(e); });
        return lab::predictionsFrom(controller.sipSnapshot(), assocs, history);
    }

    // Predict & Step: steps to the next event that decides, outside the packet asked at; the
    // happening (empty: nothing more happened).
    QList<trace::Event> next()
    {
        const qint64 asked = pausedSeq();
        for (int i = 0; i < 5000; ++i) {
            controller.step();
            const qint64 seq = pausedSeq();
            if (seq < 0)
                return {};
            const trace::Event e = stack.journal().at(quint64(seq));
            if (!lab::decidesQuiz(e))
                continue;
            if (asked >= 0 && seq > asked && lab::samePacket(events(quint64(asked)).mid(0, seq - asked + 1), 0, seq - asked))
                continue;
            return lab::quizHappening(events(quint64(seq)), 0);
        }
        return {};
    }
};

const sctp::AssociationInfo* find(const QList<sctp::AssociationInfo>& all, quint64 id)
{
    for (const sctp::AssociationInfo& a : all)
        if (a.id == id)
            return &a;
    return nullptr;
}

QList<lab::Prediction> of(const QList<lab::Prediction>& choices, lab::Prediction::What what, quint64 association,
    const QString& timer = {})
{
    QList<lab::Prediction> out;
    for (const lab::Prediction& p : choices)
        if (p.what == what && p.association == association && (timer.isEmpty() || p.timer == timer))
            out << p;
    return out;
}

bool hasChunk(const QList<trace::Event>& h, trace::Dir dir, quint8 type)
{
    for (const trace::Event& e : h)
        if (e.kind == trace::Kind::SctpChunk && e.dir == dir && e.a == type)
            return true;
    return false;
}

} // namespace

class TstLabQuiz : public QObject {
    Q_OBJECT
private slots:
    // Paused at the first T3-rtx expiry of prsctp-ttl-rtx-buf (seed 11): the data sender has DATA
    // outstanding, so its T3-rtx is among the choices — with no time (usrsctp does not say), its
    // path's RTO — and so are a SACK arriving at it and a fast retransmission of the lowest TSN
    // outstanding; an association with nothing outstanding has neither; no SIP choice in an
    // SCTP-only lesson.
    void sctpChoicesFollowTheState()
    {
        Quizzer q;
        QString error;
        QVERIFY2(q.controller.setBreakpoints({ QStringLiteral("timer sctp:T3-rtx") }, &error), qPrintable(error));
        q.controller.setSpeed(0);
        QVERIFY(q.start(QStringLiteral("prsctp-ttl-rtx-buf"), 11, false));
        QTRY_COMPARE_WITH_TIMEOUT(q.paused.size(), 1, 20000);
        QCOMPARE(q.paused.last().at(1).toInt(), 0);
        QList<sctp::AssociationInfo> assocs;
        const QList<lab::Prediction> choices = q.ask(&assocs);
        QStringList texts;
        for (const lab::Prediction& p : choices)
            texts << p.text;
        const QString all = texts.join(QLatin1Char('\n'));
        QVERIFY2(!texts.contains(QStringLiteral("A request arrives")), qPrintable(all));

        int outstanding = 0;
        const QList<trace::Event> events = q.events();
        for (const sctp::AssociationInfo& a : std::as_const(assocs)) {
            if (a.state != QLatin1String("ESTABLISHED"))
                continue;
            const auto t3 = of(choices, lab::Prediction::What::SctpTimerFires, a.id, QStringLiteral("T3-rtx"));
            const auto sack = of(choices, lab::Prediction::What::SctpSackArrives, a.id);
            const auto fast = of(choices, lab::Prediction::What::SctpFastRetransmits, a.id);
            QCOMPARE(of(choices, lab::Prediction::What::SctpTimerFires, a.id, QStringLiteral("heartbeat")).size(), 1);
            QVERIFY(of(choices, lab::Prediction::What::SctpTimerFires, a.id, QStringLiteral("T1-init")).isEmpty());
            if (a.unackedChunks == 0) {
                QVERIFY2(t3.isEmpty() && sack.isEmpty() && fast.isEmpty(), qPrintable(all));
                continue;
            }
            ++outstanding;
            QCOMPARE(t3.size(), 1);
            QCOMPARE(t3.first().dueNs, qint64(-1));
            QVERIFY2(t3.first().text.contains(QStringLiteral("T3-rtx")) && t3.first().text.contains(QStringLiteral("usrsctp does not say")),
                qPrintable(t3.first().text));
            QVERIFY(!a.paths.isEmpty());
            const QString rto = QStringLiteral("RTO now %1 s").arg(double(a.paths.first().rto) / 1000.0, 0, 'f', 3);
            QVERIFY2(t3.first().text.contains(rto), qPrintable(t3.first().text + " / " + rto));
            QCOMPARE(sack.size(), 1);
            QCOMPARE(fast.size(), 1);
            // The lowest TSN it sent that no SACK it received covers (the lesson's TSNs do not wrap).
            qint64 cum = -1;
            QList<quint32> sent;
            static const QRegularExpression ack(QStringLiteral("Ack=(\\d+)"));
            for (const trace::Event& e : events) {
                if (e.kind != trace::Kind::SctpChunk || e.object != a.id)
                    continue;
                if (e.dir == trace::Dir::Tx && e.a == sctp::chunk::Data)
                    sent << quint32(e.c);
                else if (e.dir == trace::Dir::Rx && e.a == sctp::chunk::Sack)
                    cum = std::max<qint64>(cum, ack.match(e.text).captured(1).toLongLong());
                else if (e.dir == trace::Dir::Tx && e.a == sctp::chunk::ForwardTsn)
                    cum = std::max<qint64>(cum, qint64(e.c));
            }
            qint64 lowest = -1;
            for (const quint32 t : std::as_const(sent))
                if (qint64(t) > cum && (lowest < 0 || t < lowest))
                    lowest = t;
            QVERIFY(lowest >= 0);
            QCOMPARE(fast.first().tsn, lowest);
            QVERIFY2(fast.first().text.contains(QStringLiteral("(TSN %1)").arg(lowest)), qPrintable(fast.first().text));
            // PR-SCTP is negotiated and data outstanding: an abandon and a FORWARD-TSN are possible.
            QVERIFY(a.prSupported);
            QCOMPARE(of(choices, lab::Prediction::What::SctpAbandons, a.id).size(), 1);
            QCOMPARE(of(choices, lab::Prediction::What::SctpSendsForwardTsn, a.id).size(), 1);
        }
        QCOMPARE(outstanding, 1); // the data sender; the sink sends none
        q.controller.stop();
    }

    // Question after question through a whole SCTP lesson: at most one choice holds for what came;
    // when the stack does something its state made possible, the choice for it was offered and
    // holds — T3-rtx of the association that retransmits by timeout, a SACK arriving where it
    // arrives, its FORWARD-TSN, its abandon, the heartbeat timer, shutdown chunks while closing.
    void atMostOneHoldsAndTheStatePredictedIt_data()
    {
        QTest::addColumn<QString>("lesson");
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<QStringList>("mustSee");
        // Its lesson is over by 9 s; then heartbeats only.
        QTest::newRow("prsctp-ttl-rtx-buf") << QStringLiteral("prsctp-ttl-rtx-buf") << quint64(11)
                                            << QStringList { QStringLiteral("T3-rtx"), QStringLiteral("sack"), QStringLiteral("forward-tsn"),
                                                   QStringLiteral("abandon"), QStringLiteral("data") };
        QTest::newRow("eof-vs-abort") << QStringLiteral("eof-vs-abort") << quint64(1)
                                      << QStringList { QStringLiteral("sack"), QStringLiteral("data"), QStringLiteral("shutdown"),
                                             QStringLiteral("abort"), QStringLiteral("handshake"), QStringLiteral("init") };
    }
    void atMostOneHoldsAndTheStatePredictedIt()
    {
        QFETCH(QString, lesson);
        QFETCH(quint64, seed);
        QFETCH(QStringList, mustSee);
        Quizzer q;
        QVERIFY(q.start(lesson, seed, true));
        q.controller.step();
        QMap<QString, int> seen;
        int questions = 0, rightSomewhere = 0;
        for (; questions < 3000; ++questions) {
            QList<sctp::AssociationInfo> assocs;
            const QList<lab::Prediction> choices = q.ask(&assocs);
            const qint64 askedNs = q.stack.scheduler().nowNs();
            const QList<trace::Event> h = q.next();
            if (h.isEmpty())
                break;
            const trace::Event& first = h.first();
            QVERIFY(first.timeNs >= askedNs);
            QStringList holding;
            for (const lab::Prediction& p : choices)
                if (p.holds(h))
                    holding << p.text;
            const QString where = QStringLiteral("question %1 at %2 ns, came: %3; holding: %4")
                                      .arg(questions)
                                      .arg(askedNs)
                                      .arg(lab::describeHappening(h), holding.join(QStringLiteral(" | ")));
            QVERIFY2(holding.size() <= 1, qPrintable(where));
            rightSomewhere += holding.size();
            const sctp::AssociationInfo* a = find(assocs, first.object);
            auto expectHeld = [&](lab::Prediction::What what, const QString& timer, const QString& name) {
                const auto offered = of(choices, what, first.object, timer);
                if (qEnvironmentVariableIsSet("QUIZ_DEBUG") && !(offered.size() == 1 && offered.first().holds(h))) {
                    for (const auto& x : assocs)
                        qDebug() << "assoc" << x.id << x.localAddress << x.peerAddress << x.primaryPath << x.state << "unacked" << x.unackedChunks << "pending" << x.pendingChunks;
                    for (const auto& p : choices)
                        qDebug() << "choice" << p.text;
                    for (const auto& e : h)
                        qDebug() << "ev" << trace::kindName(e.kind) << trace::dirName(e.dir) << e.object << e.text;
                }
                QVERIFY2(offered.size() == 1 && offered.first().holds(h), qPrintable(name + ": " + where));
                ++seen[name];
            };
            bool timeout = false;
            for (const trace::Event& e : h)
                timeout = timeout || (e.kind == trace::Kind::SctpRetransmission && e.a == 2);
            if (first.dir == trace::Dir::Rx && hasChunk(h, trace::Dir::Rx, sctp::chunk::Init)) {
                // An INIT arriving at the listener, which has no association yet (object 0): the
                // choice for that listener was offered and is the one that holds.
                QVERIFY2(first.object == 0, qPrintable(QStringLiteral("init: ") + where));
                const lab::Prediction* init = nullptr;
                for (const lab::Prediction& p : choices)
                    if (p.what == lab::Prediction::What::SctpInitArrives && p.holds(h))
                        init = &p;
                QVERIFY2(init && holding.size() == 1, qPrintable(QStringLiteral("init: ") + where));
                QVERIFY2(init->text.startsWith(QLatin1String("An INIT arrives at the listener 10.0.0.2:")), qPrintable(init->text));
                ++seen[QStringLiteral("init")];
            } else if (first.dir == trace::Dir::Rx
                && (hasChunk(h, trace::Dir::Rx, sctp::chunk::InitAck) || hasChunk(h, trace::Dir::Rx, sctp::chunk::CookieAck))) {
                // The handshake's answer arriving at the association that is opening.
                const quint8 type = hasChunk(h, trace::Dir::Rx, sctp::chunk::InitAck) ? sctp::chunk::InitAck : sctp::chunk::CookieAck;
                const lab::Prediction* arrives = nullptr;
                for (const lab::Prediction& p : choices)
                    if (p.what == lab::Prediction::What::SctpChunkArrives && p.chunkType == type && p.association == first.object)
                        arrives = &p;
                if (!(arrives && arrives->holds(h)))
                    for (const auto& x : assocs)
                        qWarning() << "assoc" << x.id << x.localAddress << x.peerAddress << x.state << x.stateCode << "object" << first.object;
                QVERIFY2(arrives && arrives->holds(h), qPrintable(QStringLiteral("handshake: ") + where));
                ++seen[QStringLiteral("handshake")];
            } else if (first.dir == trace::Dir::Tx && hasChunk(h, trace::Dir::Tx, sctp::chunk::Abort)) {
                // Whatever the state (eof-vs-abort aborts from ESTABLISHED): the ABORT choice holds.
                const lab::Prediction* abort = nullptr;
                for (const lab::Prediction& p : choices)
                    if (p.what == lab::Prediction::What::SctpSendsChunk && p.chunkType == sctp::chunk::Abort && p.association == first.object)
                        abort = &p;
                if (!(abort && abort->holds(h))) {
                    for (const auto& x : assocs)
                        qWarning() << "assoc" << x.id << x.localAddress << x.peerAddress << x.state;
                    for (const auto& p : choices)
                        qWarning() << "choice" << p.text;
                    qWarning() << "object" << first.object;
                }
                QVERIFY2(abort && abort->holds(h), qPrintable(QStringLiteral("abort: ") + where));
                ++seen[QStringLiteral("abort")];
            } else if (first.kind == trace::Kind::SctpAbandon) {
                expectHeld(lab::Prediction::What::SctpAbandons, {}, QStringLiteral("abandon"));
            } else if (first.dir == trace::Dir::Tx && timeout) {
                // DATA was outstanding, so T3-rtx was running.
                expectHeld(lab::Prediction::What::SctpTimerFires, QStringLiteral("T3-rtx"), QStringLiteral("T3-rtx"));
            } else if (first.dir == trace::Dir::Tx && hasChunk(h, trace::Dir::Tx, sctp::chunk::ForwardTsn)
                && !hasChunk(h, trace::Dir::Tx, sctp::chunk::Shutdown)) {
                expectHeld(lab::Prediction::What::SctpSendsForwardTsn, {}, QStringLiteral("forward-tsn"));
            } else if (first.dir == trace::Dir::Rx && hasChunk(h, trace::Dir::Rx, sctp::chunk::Sack) && a && a->unackedChunks > 0) {
                expectHeld(lab::Prediction::What::SctpSackArrives, {}, QStringLiteral("sack"));
            } else if (first.dir == trace::Dir::Rx && hasChunk(h, trace::Dir::Rx, sctp::chunk::Data)
                && !hasChunk(h, trace::Dir::Rx, sctp::chunk::Sack)) {
                // DATA arriving: the sender at the other end had it outstanding.
                expectHeld(lab::Prediction::What::SctpDataArrives, {}, QStringLiteral("data"));
            } else if (first.dir == trace::Dir::Tx && a && a->state.startsWith(QLatin1String("SHUTDOWN-"))
                && (hasChunk(h, trace::Dir::Tx, sctp::chunk::Shutdown) || hasChunk(h, trace::Dir::Tx, sctp::chunk::ShutdownAck)
                    || hasChunk(h, trace::Dir::Tx, sctp::chunk::ShutdownComplete))) {
                QVERIFY2(holding.size() == 1, qPrintable(where));
                ++seen[QStringLiteral("shutdown")];
            } else if (first.dir == trace::Dir::Tx && a && a->state == QLatin1String("ESTABLISHED")
                && hasChunk(h, trace::Dir::Tx, sctp::chunk::Heartbeat) && !hasChunk(h, trace::Dir::Tx, sctp::chunk::Data)) {
                expectHeld(lab::Prediction::What::SctpTimerFires, QStringLiteral("heartbeat"), QStringLiteral("heartbeat"));
            }
            if (q.controller.running().isEmpty() || q.stack.scheduler().nowNs() > 9'000'000'000)
                break;
        }
        if (qEnvironmentVariableIsSet("QUIZ_DEBUG"))
            qDebug() << questions << "questions," << rightSomewhere << "held; seen" << seen;
        QVERIFY(questions > 20);
        QVERIFY(rightSomewhere > 0);
        for (const QString& kind : std::as_const(mustSee))
            QVERIFY2(seen.value(kind) > 0, qPrintable(kind + QStringLiteral(" never came in %1 questions").arg(questions)));
        q.controller.stop();
    }

    // "Roughly when": the buckets' edges, and the CSV keeps its six columns first and adds the
    // when columns at the end.
    void whenBucketsAndCsv()
    {
        QCOMPARE(lab::whenChoices().size(), 6);
        QCOMPARE(lab::whenBucket(0), 1);
        QCOMPARE(lab::whenBucket(1), 2);
        QCOMPARE(lab::whenBucket(200'000'000), 2);
        QCOMPARE(lab::whenBucket(200'000'001), 3);
        QCOMPARE(lab::whenBucket(1'000'000'000), 3);
        QCOMPARE(lab::whenBucket(1'000'000'001), 4);
        QCOMPARE(lab::whenBucket(5'000'000'000), 4);
        QCOMPARE(lab::whenBucket(5'000'000'001), 5);
        lab::QuizAnswer right;
        right.askedAtNs = 1'250'000'000;
        right.choices = { QStringLiteral("a, b"), QStringLiteral("c") };
        right.chosen = 0;
        right.actual = QStringLiteral("sctp.chunk \"x\" at 1.400 s");
        right.correct = true;
        right.when = 2;
        right.actualAfterNs = 150'000'000;
        lab::QuizAnswer late = right;
        late.correct = false;
        late.when = 3;
        late.actualAfterNs = 1'500'000'000;
        lab::QuizAnswer unsaid = right;
        unsaid.when = 0;
        unsaid.actualAfterNs = -1;
        QVERIFY(right.whenCorrect());
        QVERIFY(!late.whenCorrect());
        QVERIFY(!unsaid.whenCorrect());
        QCOMPARE(lab::quizCsv({ right, late, unsaid }),
            QStringLiteral("asked_at_s,question,choices,answer,actual,correct,when,actual_after_s,when_correct\r\n"
                           "1.250,What happens next?,\"a, b | c\",\"a, b\",\"sctp.chunk \"\"x\"\" at 1.400 s\",yes,within 0.2 s,0.150,yes\r\n"
                           "1.250,What happens next?,\"a, b | c\",\"a, b\",\"sctp.chunk \"\"x\"\" at 1.400 s\",no,after 0.2 s to 1 s,1.500,no\r\n"
                           "1.250,What happens next?,\"a, b | c\",\"a, b\",\"sctp.chunk \"\"x\"\" at 1.400 s\",yes,,,\r\n"));
    }
};

QTEST_GUILESS_MAIN(TstLabQuiz)
#include "tst_lab_quiz.moc"
