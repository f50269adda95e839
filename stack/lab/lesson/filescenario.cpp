// SPDX-License-Identifier: GPL-3.0-or-later
#include "filescenario.h"

#include "host/stack.h"
#include "journal/journal.h"
#include "lab/breakpoint.h"
#include "lab/peers/forkingproxy.h"
#include "lab/peers/registrar.h"
#include "lab/runner.h"
#include "lab/scenarios/sctpscenario.h"
#include "sctplesson.h"
#include "sctp/engine.h"
#include "sctp/lablinkpair.h"
#include "sip/auth/digest.h"
#include "sip/message/parser.h"
#include "sip/sipstack.h"
#include "sip/transaction/transaction.h"

#include <QHash>
#include <QSet>

#include <climits>
#include <map>

namespace ladder::lab {

QString ExpectationOutcome::line(int index) const
{
    return QStringLiteral("expectation %1: %2: %3, got %4")
        .arg(index + 1)
        .arg(says, passed ? QStringLiteral("passed") : QStringLiteral("FAILED"), actual);
}

QList<ExpectationOutcome> checkExpectations(const QList<LessonExpectation>& expectations, Stack& stack, const ScenarioResult& exchange,
    const std::function<qint64(const LessonExpectation&)>& delivered)
{
    QList<ExpectationOutcome> out;
    const trace::Journal& j = stack.journal();
    for (const LessonExpectation& e : expectations) {
        ExpectationOutcome o;
        o.says = e.says.isEmpty() ? e.describe() : QStringLiteral("%1 (%2)").arg(e.says, e.describe());
        switch (e.kind) {
        case LessonExpectation::Kind::Count: {
            QString why;
            auto b = Breakpoint::parse(e.selector, &why); // checked when the file was read
            qint64 n = 0;
            if (b) {
                b->nth = INT_MAX; // never spent: counts every match
                BreakpointSet set({ *b });
                j.forEach(0, j.count(), [&](const trace::Event& ev) { set.feed(ev); });
                n = set.matched().value(0);
            }
            o.actual = QString::number(n);
            o.passed = e.compare == LessonExpectation::Compare::Equals ? n == e.number
                : e.compare == LessonExpectation::Compare::AtLeast     ? n >= e.number
                                                                       : n <= e.number;
            break;
        }
        case LessonExpectation::Kind::Abandoned: {
            QStringList seen;
            j.forEach(0, j.count(), [&](const trace::Event& ev) {
                if (ev.kind != trace::Kind::SctpAbandon)
                    return;
                seen << QString::number(ev.c);
                if ((e.context < 0 || qint64(ev.c) == e.context) && (e.stream < 0 || qint64(ev.b) == e.stream)
                    && (e.policy == 0 || int(ev.a) == e.policy))
                    o.passed = true;
            });
            o.actual = seen.isEmpty() ? QStringLiteral("no message abandoned")
                                      : QStringLiteral("abandoned contexts %1").arg(seen.join(QLatin1Char(',')));
            break;
        }
        case LessonExpectation::Kind::Delivered:
        case LessonExpectation::Kind::Retransmissions: {
            qint64 n = 0;
            if (e.kind == LessonExpectation::Kind::Delivered)
                n = delivered ? delivered(e) : 0;
            else
                j.forEach(0, j.count(), [&](const trace::Event& ev) {
                    n += ev.kind == trace::Kind::SctpRetransmission && (e.retransmissionKind == 0 || int(ev.a) == e.retransmissionKind);
                });
            o.actual = QString::number(n);
            o.passed = e.compare == LessonExpectation::Compare::Equals ? n == e.number
                : e.compare == LessonExpectation::Compare::AtLeast     ? n >= e.number
                                                                       : n <= e.number;
            break;
        }
        case LessonExpectation::Kind::Finding:
            for (const QString& f : exchange.findings)
                if (f.contains(e.text, Qt::CaseInsensitive)) {
                    o.passed = true;
                    o.actual = QStringLiteral("'%1'").arg(f);
                }
            if (!o.passed)
                o.actual = QStringLiteral("no such finding");
            break;
        case LessonExpectation::Kind::Outcome:
            o.passed = exchange.ok == e.ok;
            o.actual = exchange.ok ? QStringLiteral("passed") : QStringLiteral("failed (%1)").arg(exchange.failure);
            break;
        }
        out << o;
    }
    return out;
}

namespace {

    // The run's result from the exchange's (or the declarative lesson's own) and the expectations:
    // every expectation must pass, and the exchange's own check too unless an "outcome" expectation
    // says what it should be.
    ScenarioResult combine(const Lesson& lesson, ScenarioResult own, const QList<ExpectationOutcome>& outcomes)
    {
        bool outcomeExpected = false;
        for (const LessonExpectation& e : lesson.expectations)
            outcomeExpected = outcomeExpected || e.kind == LessonExpectation::Kind::Outcome;
        ScenarioResult r = own;
        if (outcomeExpected) {
            r.ok = true;
            r.failure.clear();
        }
        for (qsizetype i = 0; i < outcomes.size(); ++i)
            if (!outcomes[i].passed && r.ok) {
                r.ok = false;
                r.failure = outcomes[i].line(int(i));
            }
        return r;
    }

    // ScenarioParams with the lesson's defaults where the user gave none, and the file's faults after the user's.
    ScenarioParams withLesson(const Lesson& lesson, ScenarioParams p, bool defaultsToLinks)
    {
        if (defaultsToLinks) {
            if (p.lossPct < 0)
                p.lossPct = lesson.lossPct;
            if (p.delayMs < 0)
                p.delayMs = lesson.delayMs;
        }
        if (p.durationS <= 0)
            p.durationS = lesson.durationS;
        p.faults += lesson.faults;
        return p;
    }

    // A lesson that drives a built-in exchange: its words, defaults, faults and expectations come
    // from the file, the traffic from the exchange in C++.
    class ExchangeLesson : public Scenario, public LessonScenario {
    public:
        ExchangeLesson(Lesson lesson, std::unique_ptr<Scenario> exchange)
            : m_lesson(std::move(lesson))
            , m_x(std::move(exchange))
        {
        }
        const Lesson& lessonFile() const override { return m_lesson; }
        QList<ExpectationOutcome> expectationOutcomes() const override { return m_outcomes; }

        QString name() const override { return m_lesson.name; }
        QString title() const override { return m_lesson.title; }
        QString summary() const override { return m_lesson.summary; }
        QString lesson() const override { return m_lesson.text; }
        bool needsRealTime() const override { return m_x->needsRealTime(); }
        bool takesFaultRules() const override { return m_x->takesFaultRules(); }
        double defaultDurationS() const override { return m_lesson.durationS; }
        void start(Stack& stack, const ScenarioParams& params) override
        {
            // The file's loss and delay are the exchange's link defaults: a loss given by the user
            // replaces the exchange's default on every link the same way, so giving the exchange's
            // own default changes nothing (tst_lesson_file checks the JSONL is byte-identical).
            m_x->start(stack, withLesson(m_lesson, params, true));
        }
        bool finished() const override { return m_x->finished(); }
        ScenarioResult result(Stack& stack) const override
        {
            const ScenarioResult own = m_x->result(stack);
            m_outcomes = checkExpectations(m_lesson.expectations, stack, own);
            ScenarioResult r = combine(m_lesson, own, m_outcomes);
            for (qsizetype i = 0; i < m_outcomes.size(); ++i)
                r.findings << m_outcomes[i].line(int(i));
            return r;
        }
        QList<FaultTally> faultTallies() const override { return m_x->faultTallies(); }
        void stop() override { m_x->stop(); }
        void forEachSipStack(const std::function<void(sip::SipStack&)>& fn) override { m_x->forEachSipStack(fn); }
        void forEachSctpEngine(const std::function<void(sctp::Engine&)>& fn) override { m_x->forEachSctpEngine(fn); }
        QList<sctp::AssociationInfo> ownAssociations() const override { return m_x->ownAssociations(); }
        void setLinkConditions(double lossPct, qint64 delayMs) override { m_x->setLinkConditions(lossPct, delayMs); }
        sip::SipStack* composerSipStack() override { return m_x->composerSipStack(); }
        sctp::Engine* composerSctpEngine() override { return m_x->composerSctpEngine(); }
        int composerSctpDescriptor() override { return m_x->composerSctpDescriptor(); }
        sctp::MultiHomedPair* composerMultiHomed() override { return m_x->composerMultiHomed(); }
        QStringList pathNames() const override { return m_x->pathNames(); }
        void setPathUp(int path, bool up) override { m_x->setPathUp(path, up); }

    private:
        Lesson m_lesson;
        std::unique_ptr<Scenario> m_x;
        mutable QList<ExpectationOutcome> m_outcomes;
    };

    // A lesson written only in the file: SIP peers and SCTP sockets on lab links, timed actions,
    // expectations. With SCTP peers it runs as the SCTP scenarios do (SctpLabScenario: one
    // sctp::Engine, lab link pairs, usrsctp on the lab's clock and seed in virtual time).
    class DeclarativeLesson : public SctpLabScenario, public LessonScenario {
    public:
        explicit DeclarativeLesson(Lesson lesson)
            : m_lesson(std::move(lesson))
        {
        }
        const Lesson& lessonFile() const override { return m_lesson; }
        QList<ExpectationOutcome> expectationOutcomes() const override { return m_outcomes; }

        QString name() const override { return m_lesson.name; }
        QString title() const override { return m_lesson.title; }
        QString summary() const override { return m_lesson.summary; }
        QString lesson() const override { return m_lesson.text; }
        double defaultDurationS() const override { return m_lesson.durationS; }
        sip::SipStack* composerSipStack() override { return m_firstUac ? &m_firstUac->sip() : nullptr; }
        int composerSctpDescriptor() override { return m_sctp ? m_sctp->composerDescriptor() : -1; }

        void start(Stack& stack, const ScenarioParams& userParams) override
        {
            const ScenarioParams params = withLesson(m_lesson, userParams, false);
            m_hasSctp = false;
            for (const LessonPeer& p : m_lesson.peers)
                m_hasSctp = m_hasSctp || p.kind == LessonPeer::Kind::Sctp;
            if (m_hasSctp)
                beginSctp(stack, params);
            else
                begin(stack, params);
            m_fired = 0;
            m_links.clear();
            m_done.clear();
            m_tx.clear();
            m_sctpError.clear();
            m_startNs = stack.scheduler().nowNs();
            for (const LessonPeer& p : m_lesson.peers) {
                const quint64 seed = net().seedFor(p.name);
                if (p.kind == LessonPeer::Kind::Sctp)
                    continue; // sockets, opened once their hosts' link pairs exist
                if (p.kind == LessonPeer::Kind::SipUac) {
                    auto& uac = keep(std::make_unique<peers::SipUac>(stack, p.name, p.host, seed));
                    m_uacs[p.name] = &uac;
                    m_peers[p.name] = &uac;
                    // A call with end_after_final_ms: the run ends that long after its INVITE's final response.
                    uac.setFinalHandler([this, name = p.name](quint64 tx, int status) {
                        for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                            const LessonAction& a = m_lesson.actions[i];
                            if (a.kind == LessonAction::Kind::Call && a.endAfterFinalMs >= 0 && m_tx.value(i) == tx && m_tx.value(i))
                                after(a.endAfterFinalMs * 1'000'000, [this, i] { m_ended[i] = true; });
                        }
                        onAnswered(name, tx, status);
                    });
                    if (!m_firstUac)
                        m_firstUac = &uac;
                } else if (p.kind == LessonPeer::Kind::SipProxy) {
                    // Not a SipPeer (no SipStack): kept as the exchanges keep theirs, targets set once wired.
                    auto proxy = std::make_shared<peers::ForkingProxy>(stack, p.name, p.host, seed);
                    keepOther(proxy);
                    m_proxies[p.name] = proxy.get();
                } else if (p.kind == LessonPeer::Kind::SipRegistrar) {
                    auto& registrar = keep(std::make_unique<peers::Registrar>(stack, p.name, p.host, seed, p.maxExpires));
                    if (!p.authRealm.isEmpty()) {
                        QHash<QByteArray, QByteArray> users;
                        for (auto it = p.authUsers.cbegin(); it != p.authUsers.cend(); ++it)
                            users.insert(it.key().toUtf8(), it.value().toUtf8());
                        registrar.requireAuth(p.authRealm.toUtf8(), users);
                    }
                    m_peers[p.name] = &registrar;
                } else {
                    peers::SipUas::Answer a;
                    a.ring = p.ring;
                    a.ringMs = p.answerAfterMs;
                    a.status = p.status;
                    a.nonInviteDelayMs = p.nonInviteAfterMs;
                    a.stackTags = p.stackTags;
                    m_peers[p.name] = &keep(std::make_unique<peers::SipUas>(stack, p.name, p.host, seed, a));
                }
            }
            // One wire per pair of peers a link names (SCTP: per pair of hosts, a lab link pair),
            // in the file's order; a direction the file does not describe (a one-way link's
            // reverse) is a perfect link.
            struct Pair {
                bool sctp = false;
                QString a, b; // peer names; SCTP: hosts
                LinkParams ab, ba;
                QList<LessonOutage> downAb, downBa;
                QStringList transports;
            };
            QList<Pair> pairs;
            for (const LessonLink& k : m_lesson.links) {
                LinkParams lp = k.params;
                if (lp.lossPct < 0)
                    lp.lossPct = m_lesson.lossPct >= 0 ? m_lesson.lossPct : 0;
                if (lp.delayMs < 0)
                    lp.delayMs = m_lesson.delayMs >= 0 ? m_lesson.delayMs : 0;
                if (params.lossPct >= 0)
                    lp.lossPct = params.lossPct;
                if (params.delayMs >= 0)
                    lp.delayMs = params.delayMs;
                const bool sctp = peerNamed(k.from)->kind == LessonPeer::Kind::Sctp;
                const QString from = sctp ? peerNamed(k.from)->host : k.from, to = sctp ? peerNamed(k.to)->host : k.to;
                Pair* pair = nullptr;
                for (Pair& q : pairs)
                    if (q.sctp == sctp && ((q.a == from && q.b == to) || (q.a == to && q.b == from)))
                        pair = &q;
                if (!pair) {
                    pairs.append({ sctp, from, to, {}, {}, {}, {}, {} });
                    pair = &pairs.last();
                    if (params.lossPct >= 0)
                        pair->ab.lossPct = pair->ba.lossPct = params.lossPct;
                    if (params.delayMs >= 0)
                        pair->ab.delayMs = pair->ba.delayMs = params.delayMs;
                }
                for (const QString& t : k.transports)
                    if (!pair->transports.contains(t))
                        pair->transports << t;
                const bool forward = pair->a == from;
                (forward ? pair->ab : pair->ba) = lp;
                (forward ? pair->downAb : pair->downBa) = k.down;
                if (!k.oneWay) {
                    (forward ? pair->ba : pair->ab) = lp;
                    (forward ? pair->downBa : pair->downAb) = k.down;
                }
            }
            std::map<QString, sctp::Transport*> sides; // SCTP host -> its side of its link pair
            for (const Pair& q : pairs) {
                if (q.sctp) {
                    sctp::LabLinkPair& lp = addPair(q.ab, q.ba, q.a, q.b);
                    m_links[q.a + QStringLiteral("->") + q.b] << &lp.aToB();
                    m_links[q.b + QStringLiteral("->") + q.a] << &lp.bToA();
                    sides[q.a] = &lp.a();
                    sides[q.b] = &lp.b();
                    schedule(&lp.aToB(), q.downAb);
                    schedule(&lp.bToA(), q.downBa);
                    continue;
                }
                for (const QString& t : q.transports) {
                    const auto type = t == QLatin1String("tcp") ? sip::TransportType::Tcp : sip::TransportType::Udp;
                    auto [ab, ba] = net().wire(transportOf(q.a, type), transportOf(q.b, type), q.ab, q.ba);
                    m_links[q.a + QStringLiteral("->") + q.b] << ab;
                    m_links[q.b + QStringLiteral("->") + q.a] << ba;
                    schedule(ab, q.downAb);
                    schedule(ba, q.downBa);
                }
            }
            for (const LessonPeer& p : m_lesson.peers)
                if (p.kind == LessonPeer::Kind::SipProxy) {
                    QList<sip::HostPort> targets;
                    for (const QString& t : p.targets)
                        targets << addressOf(t);
                    m_proxies.at(p.name)->setTargets(targets);
                }
            if (m_hasSctp) {
                m_sctp = std::make_unique<SctpLessonPeers>(m_lesson, engine());
                // Every SCTP host has its link pair: the reader refuses one without.
                auto sideOf = [sides](const QString& host) -> sctp::Transport& { return *sides.at(host); };
                if (!m_sctp->setUp(sideOf, &m_sctpError))
                    done();
                else
                    m_sctp->setOnDelivery([this] { checkDeliveryTriggers(); });
            }
            m_ended.clear();
            m_triggered.clear();
            m_firedAtNs.clear();
            m_dueNs.clear();
            m_nextCall.clear();
            m_endDueNs = -1;
            m_registrations.clear();
            m_contactsAnswered.clear();
            m_authRetried.clear();
            m_authFailed.clear();
            for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                m_done << QString();
                m_tx << 0;
                m_ended << false;
                m_triggered << false;
                m_firedAtNs << -1;
                m_dueNs << -1;
                m_nextCall << 0;
                m_contactsAnswered << -1;
                if (m_lesson.actions[i].hasAfter)
                    continue; // checkDeliveryTriggers() or onAnswered() schedules it
                if (m_lesson.actions[i].atMs == 0)
                    fire(int(i));
                else
                    after(m_lesson.actions[i].atMs * 1'000'000, [this, i] { fire(int(i)); });
            }
        }

        bool finished() const override
        {
            if (m_lesson.ends == Lesson::Ends::Never)
                return false; // only the duration (or the user) ends it
            if (m_lesson.ends == Lesson::Ends::When)
                return SctpLabScenario::finished(); // tick(): every action run and the condition met
            if (m_fired < m_lesson.actions.size() && m_sctpError.isEmpty())
                return false;
            // SCTP: once every association has closed or has nothing left to deliver (tick())
            if (m_hasSctp && !SctpLabScenario::finished())
                return false;
            for (const auto& [name, uac] : m_uacs)
                if (!uac->idle())
                    return false;
            for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                const LessonAction& a = m_lesson.actions[i];
                if (a.kind == LessonAction::Kind::Call && a.endAfterFinalMs >= 0 && m_tx[i] && !m_ended[i])
                    return false;
                if (a.kind != LessonAction::Kind::Send || !a.stateful || !m_tx[i])
                    continue;
                const sip::Transaction* t = m_uacs.at(a.peer)->sip().transaction(m_tx[i]);
                if (t && t->state() < sip::Transaction::State::Completed)
                    return false;
            }
            return true;
        }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult own;
            own.ok = true;
            for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                const LessonAction& a = m_lesson.actions[i];
                QString what = m_done.value(i);
                const bool sctpAction = a.kind >= LessonAction::Kind::SctpConnect;
                if (what.isEmpty()) {
                    what = m_sctpError.isEmpty() ? QStringLiteral("did not run within the run's duration") : QStringLiteral("not run: the SCTP peers did not start");
                } else if (m_tx[i] && a.kind != LessonAction::Kind::Send && !sctpAction) {
                    const peers::SipUac* uac = m_uacs.at(a.peer);
                    const int status = uac->finalStatus(m_tx[i]);
                    const QString timer = uac->timeout(m_tx[i]);
                    what += status ? QStringLiteral(", final %1").arg(status)
                        : !timer.isEmpty() ? QStringLiteral(", Timer %1 fired").arg(timer)
                                           : QStringLiteral(", no final response");
                    if (a.kind == LessonAction::Kind::Register && status)
                        what += QStringLiteral(", %1 Contact(s) in the response").arg(m_contactsAnswered.value(i));
                    if (m_authFailed.contains(int(i)))
                        what += QStringLiteral(" (credentials not sent: %1)").arg(m_authFailed.value(int(i)));
                }
                if (a.onTick)
                    own.findings << QStringLiteral("action %1 after %2 (on the tick, %3 s later), %4: %5")
                                        .arg(i + 1)
                                        .arg(a.tickTrigger.describe(), secondsOf(a.tickTrigger.delayMs * 1'000'000),
                                            m_firedAtNs[i] < 0 ? QStringLiteral("never") : QStringLiteral("at %1 s").arg(secondsOf(m_firedAtNs[i] - m_startNs)), what);
                else if (a.afterAnswered >= 0)
                    own.findings << QStringLiteral("action %1 after action %2 was answered 2xx (%3 s later), %4: %5")
                                        .arg(i + 1)
                                        .arg(a.afterAnswered + 1)
                                        .arg(secondsOf(a.afterDelayMs * 1'000'000),
                                            m_firedAtNs[i] < 0 ? QStringLiteral("never") : QStringLiteral("at %1 s").arg(secondsOf(m_firedAtNs[i] - m_startNs)), what);
                else if (a.hasAfter)
                    own.findings << QStringLiteral("action %1 after %2 (%3 s later), %4: %5")
                                        .arg(i + 1)
                                        .arg(a.afterDelivered.describe(), secondsOf(a.afterDelayMs * 1'000'000),
                                            m_firedAtNs[i] < 0 ? QStringLiteral("never") : QStringLiteral("at %1 s").arg(secondsOf(m_firedAtNs[i] - m_startNs)), what);
                else
                    own.findings << QStringLiteral("action %1 at %2 s: %3").arg(i + 1).arg(secondsOf(a.atMs * 1'000'000), what);
                if (m_tx[i] && (a.kind == LessonAction::Kind::Call || a.kind == LessonAction::Kind::Request || a.kind == LessonAction::Kind::Register))
                    own.findings << retransmissionFindings(stack, a, m_tx[i]);
                if (!m_tx[i] && own.ok) {
                    own.ok = false;
                    own.failure = QStringLiteral("action %1: %2").arg(i + 1).arg(what);
                }
            }
            if (!m_sctpError.isEmpty()) {
                own.ok = false;
                own.failure = QStringLiteral("SCTP peers: %1").arg(m_sctpError);
            }
            if (m_sctp) {
                own.findings << m_sctp->deliveries();
                int rtx = 0, abandoned = 0, fwd = 0;
                stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
                    rtx += e.kind == trace::Kind::SctpRetransmission;
                    abandoned += e.kind == trace::Kind::SctpAbandon;
                    fwd += e.kind == trace::Kind::SctpForwardTsn;
                });
                own.findings << QStringLiteral("SCTP: %1 DATA retransmission(s), %2 message(s) abandoned, %3 FORWARD-TSN").arg(rtx).arg(abandoned).arg(fwd);
            }
            const SctpLessonPeers* sctpPeers = m_sctp.get();
            m_outcomes = checkExpectations(m_lesson.expectations, stack, own,
                [sctpPeers](const LessonExpectation& e) { return sctpPeers ? sctpPeers->delivered(e) : 0; });
            ScenarioResult r = combine(m_lesson, own, m_outcomes);
            for (qsizetype i = 0; i < m_outcomes.size(); ++i)
                r.findings << m_outcomes[i].line(int(i));
            return r;
        }

        void stop() override
        {
            m_sctp.reset(); // the sockets' peers before the engine and the link pairs
            m_uacs.clear();
            m_peers.clear();
            m_proxies.clear();
            m_firstUac = nullptr;
            SctpLabScenario::stop();
        }

    protected:
        // The lab tick (every 20 ms, SCTP lessons): state triggers, the calls of a repeat spaced by
        // every_ms, and the end of the run — in that order, actions in file order.
        void tick() override
        {
            const qint64 now = nowNs();
            if (m_sctp) {
                for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                    const LessonAction& a = m_lesson.actions[i];
                    if (a.onTick && !m_triggered[i] && met(a.tickTrigger)) {
                        m_triggered[i] = true;
                        m_dueNs[i] = now + a.tickTrigger.delayMs * 1'000'000;
                    }
                }
                for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                    const LessonAction& a = m_lesson.actions[i];
                    if (a.onTick && m_dueNs[i] >= 0 && m_firedAtNs[i] < 0 && now >= m_dueNs[i])
                        fire(int(i));
                    while (callsPending(int(i)) && now >= m_firedAtNs[i] + m_nextCall[i] * a.everyMs * 1'000'000) {
                        QString what;
                        if (!m_sctp->fire(a, &what, m_nextCall[i]++))
                            m_tx[i] = 0;
                        m_done[i] = what;
                    }
                }
            }
            if (m_lesson.ends == Lesson::Ends::Never)
                return;
            bool allRun = m_fired == m_lesson.actions.size();
            for (qsizetype i = 0; allRun && i < m_lesson.actions.size(); ++i)
                allRun = !callsPending(int(i));
            if (m_lesson.ends == Lesson::Ends::When) {
                if (m_endDueNs < 0 && allRun && m_sctp && met(m_lesson.endsWhen))
                    m_endDueNs = now + m_lesson.endsWhen.delayMs * 1'000'000;
                if (m_endDueNs >= 0 && now >= m_endDueNs)
                    done();
                return;
            }
            if (allRun && m_sctp && m_sctp->settled())
                done();
        }

    private:
        // What a call's INVITE or a request's client transaction did on the wire: when the request
        // left (first send and retransmissions, from the run's start) and the retransmission
        // intervals — Timer A (RFC 3261 §17.1.1.2) doubling from T1, Timer E (§17.1.2.2) capped at T2.
        QStringList retransmissionFindings(Stack& stack, const LessonAction& a, quint64 tx) const
        {
            peers::SipUac* uac = m_uacs.at(a.peer);
            const QByteArray method = a.kind == LessonAction::Kind::Call ? QByteArray("INVITE") : a.method;
            const QString line = QString::fromUtf8(method + ' ');
            QList<qint64> sends; // the request itself: not the ACK of a non-2xx, which is in the INVITE transaction too
            for (const trace::Event& e : events(stack, [&](const trace::Event& e) {
                     return (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission) && e.dir == trace::Dir::Tx
                         && e.object == tx && fromLabel(e, a.peer) && e.text.startsWith(line);
                 }))
                sends << e.timeNs;
            QList<qint64> at, intervals;
            for (qsizetype k = 0; k < sends.size(); ++k) {
                at << sends[k] - m_startNs;
                if (k > 0)
                    intervals << sends[k] - sends[k - 1];
            }
            QStringList out { sends.size() == 1 ? QStringLiteral("%1 sent once, at %2 s").arg(QString::fromUtf8(method), seconds(at))
                                                : QStringLiteral("%1 sent %2 times, at %3 s").arg(QString::fromUtf8(method)).arg(sends.size()).arg(seconds(at)) };
            if (intervals.isEmpty())
                return out;
            const sip::TimerConfig& t = uac->sip().timers();
            if (a.kind == LessonAction::Kind::Call)
                out << QStringLiteral("Timer A intervals: %1 s (T1 = %2 s, doubling)").arg(seconds(intervals), secondsOf(t.t1Ns));
            else
                out << QStringLiteral("Timer E intervals: %1 s (T1 = %2 s, doubling up to T2 = %3 s)").arg(seconds(intervals), secondsOf(t.t1Ns), secondsOf(t.t2Ns));
            return out;
        }

        void schedule(Link* link, const QList<LessonOutage>& down)
        {
            for (const LessonOutage& o : down) {
                if (o.atMs == 0)
                    peers::Network::setUp(*link, false);
                else
                    after(o.atMs * 1'000'000, [link] { peers::Network::setUp(*link, false); });
                if (o.forMs > 0)
                    after((o.atMs + o.forMs) * 1'000'000, [link] { peers::Network::setUp(*link, true); });
            }
        }

        const LessonPeer* peerNamed(const QString& name) const { return m_lesson.peerNamed(name); }

        // A link action: the direction(s) get the parameters as "links" gives them (the lesson's
        // defaults for loss and delay, --loss/--delay over them), up or down.
        QString changeLink(const LessonLink& k)
        {
            LinkParams lp = k.params;
            const LinkParams run = linkParams(lp.lossPct >= 0 ? lp.lossPct : (m_lesson.lossPct >= 0 ? m_lesson.lossPct : 0),
                lp.delayMs >= 0 ? lp.delayMs : (m_lesson.delayMs >= 0 ? m_lesson.delayMs : 0));
            lp.lossPct = run.lossPct;
            lp.delayMs = run.delayMs;
            const LessonPeer* from = peerNamed(k.from);
            const LessonPeer* to = peerNamed(k.to);
            const bool sctp = from->kind == LessonPeer::Kind::Sctp;
            const QString a = sctp ? from->host : k.from, b = sctp ? to->host : k.to;
            QStringList dirs { a + QStringLiteral("->") + b };
            if (!k.oneWay)
                dirs << b + QStringLiteral("->") + a;
            for (const QString& d : dirs)
                for (Link* link : m_links.value(d))
                    link->setParams(lp);
            return QStringLiteral("link %1 %2 %3: loss %4%, delay %5 ms%6")
                .arg(k.from, k.oneWay ? QStringLiteral("->") : QStringLiteral("<->"), k.to)
                .arg(lp.lossPct)
                .arg(lp.delayMs)
                .arg(lp.up ? QString() : QStringLiteral(", down"));
        }

        // A state trigger holds now (every part of it).
        bool met(const LessonTrigger& t)
        {
            if (t.ranAction >= 0
                && (t.ranAction >= m_firedAtNs.size() || m_firedAtNs[t.ranAction] < 0 || nowNs() - m_firedAtNs[t.ranAction] < t.ranMs * 1'000'000))
                return false;
            for (const QString& p : t.up)
                if (!m_sctp->up(p))
                    return false;
            for (const QString& p : t.down)
                if (!m_sctp->down(p))
                    return false;
            for (const LessonExpectation& e : t.delivered)
                if (m_sctp->delivered(e) < e.number)
                    return false;
            return true;
        }
        // An sctp_sendmsg with every_ms that made its first call and has calls left (none after a failed one).
        bool callsPending(int i) const
        {
            const LessonAction& a = m_lesson.actions[i];
            return a.everyMs > 0 && m_nextCall[i] > 0 && m_nextCall[i] < a.repeat && m_tx[i];
        }

        // An SCTP action with "after": once its peer has received the count-th matching message,
        // it runs delay_ms later (through the scheduler, never inside the receive callback).
        void checkDeliveryTriggers()
        {
            for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                const LessonAction& a = m_lesson.actions[i];
                if (!a.hasAfter || a.onTick || a.afterAnswered >= 0 || m_triggered[i] || m_sctp->delivered(a.afterDelivered) < a.afterDelivered.number)
                    continue;
                m_triggered[i] = true;
                after(a.afterDelayMs * 1'000'000, [this, i] { fire(int(i)); });
            }
        }

        // A UAC's transaction got its final response (status; 0: it timed out). A register action
        // notes the Contacts the response listed; the actions "after" it answered run delay_ms after
        // a 2xx (through the scheduler, as an exchange's next step would), and after anything else
        // never: each such action is then done, not run, and so are the ones after it in turn.
        void onAnswered(const QString& uacName, quint64 tx, int status)
        {
            for (qsizetype k = 0; k < m_lesson.actions.size(); ++k) {
                const LessonAction& by = m_lesson.actions[k];
                if (by.peer != uacName || m_tx.value(k) != tx || !tx || by.kind == LessonAction::Kind::Send)
                    continue;
                // A register with credentials answers its first 401/407 once (RFC 3261 §22.2):
                // the same REGISTER, CSeq + 1, with an Authorization; the action's answer is then that one's.
                if (by.kind == LessonAction::Kind::Register && (status == 401 || status == 407) && !by.user.isEmpty()
                    && !m_authRetried.contains(int(k))) {
                    m_authRetried.insert(int(k));
                    QString why;
                    const quint64 again = registerWithCredentials(int(k), tx, status, &why);
                    if (again) {
                        m_tx[k] = again;
                        return;
                    }
                    m_authFailed[int(k)] = why;
                }
                if (by.kind == LessonAction::Kind::Register)
                    for (const auto& seen : m_uacs.at(uacName)->responses())
                        if (seen.transaction == tx && seen.status >= 200)
                            m_contactsAnswered[k] = int(seen.message.contacts().size());
                for (qsizetype i = 0; i < m_lesson.actions.size(); ++i) {
                    const LessonAction& a = m_lesson.actions[i];
                    if (a.afterAnswered != k || m_triggered[i])
                        continue;
                    m_triggered[i] = true;
                    if (status >= 200 && status < 300)
                        after(a.afterDelayMs * 1'000'000, [this, i] { fire(int(i)); });
                    else
                        notRun(int(i), status ? QStringLiteral("not run: action %1 was answered %2").arg(k + 1).arg(status)
                                              : QStringLiteral("not run: action %1 got no final response").arg(k + 1));
                }
            }
        }

        // The REGISTER of action i sent again with credentials answering the challenge of `status`
        // that transaction tx got; the new transaction, or 0 with *why.
        quint64 registerWithCredentials(int i, quint64 tx, int status, QString* why)
        {
            const LessonAction& a = m_lesson.actions[i];
            peers::SipUac& uac = *m_uacs.at(a.peer);
            QList<QByteArrayView> values;
            const sip::Message* response = nullptr;
            for (const auto& seen : uac.responses())
                if (seen.transaction == tx && seen.status == status)
                    response = &seen.message;
            if (response)
                values = response->values(status == 401 ? sip::HeaderId::WwwAuthenticate : sip::HeaderId::ProxyAuthenticate);
            const sip::auth::Selection sel = sip::auth::selectChallenge(values);
            if (!sel.challenge) {
                *why = QStringLiteral("its %1 has no challenge to answer: %2").arg(status).arg(sel.error);
                return 0;
            }
            Registration& reg = m_registrations[a.peer + QLatin1Char('>') + a.to];
            if (!reg.digest) {
                reg.digest = std::make_shared<sip::auth::DigestClient>(a.user, a.password);
                // The cnonce from the peer's seeded ids: the same bytes for the same seed.
                reg.digest->setCnonceSource([&uac] { return uac.ids().tag(); });
            }
            const sip::auth::AuthorizationResult auth = reg.digest->authorize(*sel.challenge, "REGISTER", a.requestUri);
            if (!auth.ok) {
                *why = QStringLiteral("cannot answer its %1: %2").arg(status).arg(auth.error);
                return 0;
            }
            peers::SipUac::Request r = registerRequest(a, reg, addressOf(a.to));
            r.headers << qMakePair(QByteArray(status == 401 ? "Authorization" : "Proxy-Authorization"), auth.headerValue);
            const quint64 again = uac.request(r);
            if (!again)
                *why = QStringLiteral("the REGISTER with credentials was not sent: %1").arg(uac.errors().value(uac.errors().size() - 1));
            else
                m_done[i] += QStringLiteral(", answered %1, sent again with credentials (CSeq %2)").arg(status).arg(reg.cseq);
            return again;
        }

        void notRun(int i, const QString& why)
        {
            ++m_fired;
            m_done[i] = why;
            for (qsizetype j = 0; j < m_lesson.actions.size(); ++j)
                if (m_lesson.actions[j].afterAnswered == i && !m_triggered[j]) {
                    m_triggered[j] = true;
                    notRun(int(j), QStringLiteral("not run: action %1 did not run").arg(i + 1));
                }
        }

        // A SIP peer's or a forking proxy's lab transport and address.
        sip::LabTransport& transportOf(const QString& name, sip::TransportType type)
        {
            const auto proxy = m_proxies.find(name);
            return proxy != m_proxies.end() ? proxy->second->transport() : m_peers.at(name)->transport(type);
        }
        sip::HostPort addressOf(const QString& name) const
        {
            const auto proxy = m_proxies.find(name);
            return proxy != m_proxies.end() ? proxy->second->address() : m_peers.at(name)->address();
        }

        void fire(int i)
        {
            ++m_fired;
            m_firedAtNs[i] = stack().scheduler().nowNs();
            const LessonAction& a = m_lesson.actions[i];
            if (a.kind == LessonAction::Kind::Link) {
                m_done[i] = changeLink(a.link);
                m_tx[i] = 1;
                return;
            }
            if (a.kind >= LessonAction::Kind::SctpConnect) {
                if (!m_sctp) {
                    m_done[i] = QStringLiteral("not run: the SCTP peers did not start: %1").arg(m_sctpError);
                    return;
                }
                QString what;
                // every_ms: the first call now, the others on the lab tick (tick())
                const bool spaced = a.kind == LessonAction::Kind::SctpSendmsg && a.everyMs > 0;
                m_tx[i] = m_sctp->fire(a, &what, spaced ? 0 : -1) ? 1 : 0;
                if (spaced)
                    m_nextCall[i] = 1;
                m_done[i] = what;
                return;
            }
            peers::SipUac& uac = *m_uacs.at(a.peer);
            const sip::HostPort toAddress = addressOf(a.to);
            const QString describe = a.kind == LessonAction::Kind::Call ? QStringLiteral("%1 calls %2").arg(a.peer, a.to)
                : a.kind == LessonAction::Kind::Register
                ? QStringLiteral("%1 sends REGISTER %2 to %3 (CSeq %4%5%6)")
                      .arg(a.peer, QString::fromUtf8(a.aor), a.to)
                      .arg(m_registrations.value(a.peer + QLatin1Char('>') + a.to).cseq + 1)
                      .arg(a.contact.isEmpty() ? QStringLiteral(", no Contact: a query") : QStringLiteral(", Contact ") + QString::fromUtf8(a.contact),
                          a.expires >= 0 ? QStringLiteral(", Expires %1").arg(a.expires) : QString())
                : a.kind == LessonAction::Kind::Request
                ? QStringLiteral("%1 sends %2 to %3").arg(a.peer, QString::fromUtf8(a.method), a.to)
                : QStringLiteral("%1 sends its message to %2%3").arg(a.peer, a.to, a.stateful ? QStringLiteral(" (SIP_SEND_STATEFUL)") : QString());
            const QString over = a.tcp ? QStringLiteral(" over TCP") : QString();
            if (a.kind == LessonAction::Kind::Call) {
                peers::SipUac::Call c;
                c.nextHop = toAddress;
                c.requestUri = a.requestUri;
                c.dialogOnFork = a.dialogOnFork;
                c.hangUpAfterMs = a.hangUpAfterMs;
                c.cancelAfterMs = a.cancelAfterMs;
                if (a.tcp)
                    c.transport = sip::TransportType::Tcp;
                m_tx[i] = uac.call(c);
            } else if (a.kind == LessonAction::Kind::Request) {
                peers::SipUac::Request r;
                r.method = a.method;
                r.nextHop = toAddress;
                r.requestUri = a.requestUri;
                if (a.tcp)
                    r.transport = sip::TransportType::Tcp;
                m_tx[i] = uac.request(r);
            } else if (a.kind == LessonAction::Kind::Register) {
                // One registration per UAC and registrar: its Call-ID and From tag drawn at the
                // first REGISTER (Call-ID first, from the peer's seeded ids), CSeq counting up.
                Registration& reg = m_registrations[a.peer + QLatin1Char('>') + a.to];
                if (reg.callId.isEmpty()) {
                    reg.callId = uac.ids().callId(uac.host().toUtf8());
                    reg.fromTag = uac.ids().tag();
                }
                m_tx[i] = uac.request(registerRequest(a, reg, toAddress));
            } else {
                m_tx[i] = send(uac, toAddress, a, i);
            }
            if (m_tx[i]) {
                m_done[i] = QStringLiteral("%1%2, transaction %3").arg(describe, over).arg(m_tx[i]);
                if (a.kind == LessonAction::Kind::Send && !a.stateful)
                    m_done[i] = describe + QStringLiteral(", sent statelessly");
            } else if (m_done[i].isEmpty()) {
                m_done[i] = QStringLiteral("%1: not sent: %2").arg(describe, uac.errors().value(uac.errors().size() - 1));
            }
        }

        // sip_sendmsg with the file's text: ${branch}, ${tag} and ${call-id} are filled from the
        // peer's seeded ids (the same bytes for the same seed).
        quint64 send(peers::SipUac& uac, const sip::HostPort& to, const LessonAction& a, int i)
        {
            QByteArray text = a.text;
            while (text.contains("${branch}"))
                text.replace(text.indexOf("${branch}"), 9, uac.ids().branch());
            while (text.contains("${tag}"))
                text.replace(text.indexOf("${tag}"), 6, uac.ids().tag());
            if (text.contains("${call-id}"))
                text.replace("${call-id}", uac.ids().callId(uac.host().toUtf8()));
            const sip::ParseResult p = sip::parse(text);
            if (!p.ok) {
                m_done[i] = QStringLiteral("message not sent: it does not parse: %1").arg(p.error);
                return 0;
            }
            QString error;
            const auto c = uac.sip().connect(sip::TransportType::Udp, to, &error);
            if (!c) {
                m_done[i] = QStringLiteral("message not sent: %1").arg(error);
                return 0;
            }
            sip::SendFlags flags;
            if (a.stateful)
                flags |= sip::SendFlag::Stateful;
            if (a.dialogOnFork)
                flags |= sip::SendFlag::DialogOnFork;
            const sip::SendResult r = uac.sip().send(c, p.message, 0, flags);
            if (!r.ok()) {
                m_done[i] = QStringLiteral("message not sent: %1").arg(r.toString());
                return 0;
            }
            return a.stateful ? r.transaction : quint64(-1) /* sent, no transaction */;
        }

        struct Registration {
            QByteArray callId, fromTag;
            quint32 cseq = 0; // the last CSeq sent
            std::shared_ptr<sip::auth::DigestClient> digest; // nonce counts across the REGISTERs
        };
        // The registration's next REGISTER for a register action: its Call-ID and From tag, the
        // next CSeq, the action's Contact, Expires and transport.
        static peers::SipUac::Request registerRequest(const LessonAction& a, Registration& reg, const sip::HostPort& nextHop)
        {
            peers::SipUac::Request r;
            r.method = "REGISTER";
            r.nextHop = nextHop;
            r.requestUri = a.requestUri;
            r.to = '<' + a.aor + '>';
            r.callId = reg.callId;
            r.fromTag = reg.fromTag;
            r.cseq = ++reg.cseq;
            if (!a.contact.isEmpty())
                r.headers << qMakePair(QByteArray("Contact"), a.contact);
            if (a.expires >= 0)
                r.headers << qMakePair(QByteArray("Expires"), QByteArray::number(a.expires));
            if (a.tcp)
                r.transport = sip::TransportType::Tcp;
            return r;
        }
        QSet<int> m_authRetried; // register actions that answered a challenge
        QHash<int, QString> m_authFailed; // and why they could not

        Lesson m_lesson;
        QHash<QString, Registration> m_registrations; // "uac>registrar"
        QList<int> m_contactsAnswered; // register actions: Contacts in the final response; -1: none yet
        std::map<QString, peers::SipUac*> m_uacs;
        std::map<QString, peers::ForkingProxy*> m_proxies; // kept by keepOther()
        std::map<QString, peers::SipPeer*> m_peers;
        peers::SipUac* m_firstUac = nullptr;
        qsizetype m_fired = 0;
        QStringList m_done;
        QList<quint64> m_tx;
        QList<bool> m_ended; // end_after_final_ms has passed
        QList<bool> m_triggered; // an "after" action's delivery came (it runs after its delay_ms)
        QList<qint64> m_firedAtNs; // when each action ran; -1: not yet
        QList<qint64> m_dueNs; // a tick-triggered action: the first tick it may run on; -1: not triggered
        QList<int> m_nextCall; // an sctp_sendmsg with every_ms: its next call of the repeat
        QHash<QString, QList<Link*>> m_links; // "from->to" (SIP: peers; SCTP: hosts) -> its lab links
        qint64 m_endDueNs = -1; // "ends" was met: the run ends on the first tick from then
        mutable QList<ExpectationOutcome> m_outcomes;
        bool m_hasSctp = false;
        qint64 m_startNs = 0;
        std::unique_ptr<SctpLessonPeers> m_sctp;
        QString m_sctpError;
    };

} // namespace

std::unique_ptr<Scenario> scenarioFromLesson(const Lesson& lesson, QString* error)
{
    if (lesson.exchange.isEmpty())
        return std::make_unique<DeclarativeLesson>(lesson);
    auto x = createExchange(lesson.exchange);
    if (!x) {
        *error = QStringLiteral("%1: exchange: no built-in exchange named '%2' (%3)")
                     .arg(lesson.path.isEmpty() ? lesson.name : lesson.path, lesson.exchange, exchangeNames().join(QStringLiteral(", ")));
        return nullptr;
    }
    if (!lesson.faults.isEmpty() && !x->takesFaultRules()) {
        *error = QStringLiteral("%1: faults: %2").arg(lesson.path.isEmpty() ? lesson.name : lesson.path, faultRulesRefused(*x));
        return nullptr;
    }
    return std::make_unique<ExchangeLesson>(lesson, std::move(x));
}

} // namespace ladder::lab
