// SPDX-License-Identifier: GPL-3.0-or-later
#include "controller.h"

#include "host/stack.h"
#include "sctp/engine.h"
#include "sctp/multihome/multihomedpair.h"
#include "sctp/sendinfo.h"
#include "journal/journal.h"
#include "pacer.h"
#include "runner.h"
#include "sctpcomposersend.h"
#include "sip/message/ids.h"
#include "sip/message/parser.h"
#include "sip/sipstack.h"

#include <algorithm>

namespace ladder::lab {

LabController::LabController(Stack& stack, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
{
    qRegisterMetaType<sip::StackSnapshot>();
    qRegisterMetaType<QList<sctp::AssociationInfo>>();
    m_publish.setInterval(100);
    connect(&m_publish, &QTimer::timeout, this, &LabController::tick);
    m_pacer = std::make_unique<Pacer>(stack);
    m_pacer->setInstantHook([this] { recordInstant(); });
    connect(m_pacer.get(), &Pacer::stateChanged, this, [this](bool playing, double speed, qint64 nowNs) {
        emit clockChanged(true, playing, speed, nowNs);
    });
    connect(m_pacer.get(), &Pacer::paused, this, [this](qint64 seq, int breakpoint, const QString& why) {
        m_stack.log(1, QStringLiteral("Lab: %1").arg(why));
        tick(); // the views show the state at the pause
        emit pausedAt(seq, breakpoint, why);
    });
}

LabController::~LabController()
{
    stop();
    // Deleted from inside the pacer's own tick (a queued call it dispatched while firing timers):
    // it lets go of everything first and goes once the event loop has it back.
    if (m_pacer->isBusy())
        m_pacer.release()->deleteLater();
}

void LabController::play()
{
    if (!m_virtual)
        return;
    backToLive();
    m_pacer->play();
}

void LabController::pause()
{
    if (m_virtual)
        m_pacer->pause();
}

void LabController::step()
{
    if (!m_virtual)
        return;
    backToLive();
    m_pacer->step();
}

void LabController::stepOver(quint64 object)
{
    if (!m_virtual)
        return;
    backToLive();
    m_pacer->stepOver(object);
}

void LabController::recordInstant()
{
    if (!m_virtual || !m_scenario)
        return;
    const quint64 count = m_stack.journal().count();
    if (!m_history.isEmpty() && m_history.last().journalCount == count)
        return; // nothing happened: the state is the last point's
    if (m_history.size() >= kMaxHistory) {
        // Keep every second instant (the first stays; the one being recorded comes after them):
        // rewinding stays possible over the whole run, at half the resolution in its older part.
        QList<HistoryPoint> thinned;
        thinned.reserve(m_history.size() / 2 + 1);
        for (qsizetype i = 0; i < m_history.size(); i += 2)
            thinned.append(std::move(m_history[i]));
        m_history = std::move(thinned);
        if (!m_historyThinned)
            m_stack.log(2, tr("Lab: over %1 instants — rewinding now keeps every second instant of the run so far").arg(kMaxHistory));
        m_historyThinned = true;
    }
    HistoryPoint p;
    p.timeNs = m_stack.scheduler().nowNs();
    p.journalCount = count;
    p.sip = sipSnapshot();
    p.associations = associations();
    // A journal cleared under the run (a new lesson) restarts the history.
    if (!m_history.isEmpty() && (m_history.last().journalCount > count || m_history.last().timeNs > p.timeNs))
        m_history.clear();
    m_history.append(std::move(p));
}

const LabController::HistoryPoint* LabController::historyAt(qint64 timeNs) const
{
    if (m_history.isEmpty())
        return nullptr;
    auto it = std::upper_bound(m_history.cbegin(), m_history.cend(), timeNs,
        [](qint64 t, const HistoryPoint& p) { return t < p.timeNs; });
    return it == m_history.cbegin() ? &m_history.first() : &*(it - 1);
}

bool LabController::rewindTo(qint64 timeNs, QString* error)
{
    if (!m_virtual || m_history.isEmpty()) {
        if (error)
            *error = m_scenario && !m_virtual
                ? tr("“%1” runs on the real clock (its association lives in a helper process): it cannot be rewound.").arg(m_scenario->title())
                : tr("Nothing to rewind: start a lesson first.");
        return false;
    }
    m_pacer->pause();
    recordInstant(); // what happened since the last instant (a composer send while paused)
    const HistoryPoint* p = historyAt(timeNs);
    m_rewoundNs = std::clamp(timeNs, qint64(0), m_stack.scheduler().nowNs());
    emit sipSnapshotReady(p->sip);
    emit associationsReady(p->associations);
    emit rewound(m_rewoundNs, qint64(p->journalCount) - 1);
    return true;
}

void LabController::backToLive()
{
    if (m_rewoundNs < 0)
        return;
    m_rewoundNs = -1;
    emit rewound(-1, -1);
    tick();
}

bool LabController::rerunTo(const QString& name, const ScenarioParams& params, qint64 timeNs, QString* error)
{
    if (!start(name, params, error, true))
        return false;
    if (!m_virtual) {
        if (error)
            *error = tr("“%1” runs on the real clock: it cannot be re-run to an instant.").arg(m_scenario->title());
        return true; // it runs, from the start
    }
    m_pacer->runUntil(timeNs);
    return true;
}

void LabController::setSpeed(double speed)
{
    m_speed = speed;
    m_pacer->setSpeed(speed);
}

bool LabController::setBreakpoints(const QStringList& rules, QString* error)
{
    const auto parsed = Breakpoint::parseAll(rules, error);
    if (!parsed)
        return false;
    m_breakpoints = *parsed;
    m_pacer->setBreakpoints(m_breakpoints);
    if (!m_breakpoints.isEmpty()) {
        QStringList texts;
        for (const Breakpoint& b : m_breakpoints)
            texts << QStringLiteral("'%1'").arg(b.text());
        m_stack.log(1, tr("Lab: breakpoints %1").arg(texts.join(QStringLiteral(", "))));
    }
    return true;
}

void LabController::endVirtualTime()
{
    if (!m_virtual)
        return;
    m_pacer->end();
    m_virtualSctp.reset();
    m_virtual = false;
    if (!m_stack.scheduler().setMode(Scheduler::Mode::Real))
        QTimer::singleShot(0, this, [this] {
            if (!m_virtual)
                m_stack.scheduler().setMode(Scheduler::Mode::Real);
        });
    emit clockChanged(false, false, 1, m_stack.scheduler().nowNs());
}

bool LabController::start(const QString& name, const ScenarioParams& params, QString* error, bool paused)
{
    auto scenario = createScenario(name);
    if (!scenario) {
        if (error)
            *error = tr("There is no scenario named '%1'.").arg(name);
        return false;
    }
    if (!params.faults.isEmpty() && !scenario->takesFaultRules()) {
        if (error)
            *error = faultRulesRefused(*scenario);
        return false;
    }
    stop();
    m_scenario = std::move(scenario);
    m_name = name;
    m_reported = false;
    m_history.clear();
    m_historyThinned = false;
    // In virtual time, as `ladderctl lab run`: the clock starts at 0 at the lab's epoch, usrsctp
    // follows it and the seed (runner.h's VirtualSctp), and the pacer moves it.
    m_virtual = !m_scenario->needsRealTime() && m_stack.scheduler().setMode(Scheduler::Mode::Virtual, 0);
    if (m_virtual) {
        m_stack.journal().setEpochNs(kLabEpochNs);
        m_virtualSctp = std::make_unique<VirtualSctp>(m_stack, params.seed);
    }
    m_stack.log(1, tr("Lab: starting “%1” (seed %2)").arg(m_scenario->title()).arg(params.seed));
    // The same seed gives the same branches, tags and Call-IDs as `ladderctl lab run --seed`.
    sip::seedIds(idSeedFor(params.seed));
    const quint64 firstSeq = m_stack.journal().count(); // the run's own events start here
    m_scenario->start(m_stack, params);
    if (m_t1Ms > 0)
        setSipT1(m_t1Ms);
    m_publish.start();
    emit scenarioStarted(name);
    if (m_virtual) {
        sendPostedEvents(); // what starting posted, at time 0 (as runToEnd)
        recordInstant();
        m_pacer->setSpeed(m_speed);
        m_pacer->setBreakpoints(m_breakpoints);
        m_pacer->begin(!paused, firstSeq, [this] { return m_scenario && m_scenario->finished(); });
    } else {
        emit clockChanged(false, true, 1, m_stack.scheduler().nowNs());
    }
    tick();
    return true;
}

void LabController::stop()
{
    cancelBurst();
    m_publish.stop();
    if (m_virtual)
        m_pacer->end(); // no more timers fired for this run
    if (m_scenario) {
        m_scenario->stop();
        m_stack.log(1, tr("Lab: stopped “%1”").arg(m_scenario->title()));
    }
    m_scenario.reset();
    m_name.clear();
    if (m_rewoundNs >= 0) {
        m_rewoundNs = -1;
        emit rewound(-1, -1);
    }
    endVirtualTime();
    emit sipSnapshotReady({});
    emit associationsReady({});
}

void LabController::setLinkConditions(double lossPct, qint64 delayMs)
{
    if (!m_scenario)
        return;
    m_scenario->setLinkConditions(lossPct, delayMs);
    m_stack.log(1, tr("Lab: links now lose %1 % and delay %2 ms").arg(lossPct, 0, 'f', 1).arg(delayMs));
}

void LabController::setPathUp(int path, bool up)
{
    if (!m_scenario)
        return;
    const QStringList paths = m_scenario->pathNames();
    if (path < 0 || path >= paths.size()) {
        m_stack.log(2, tr("Lab: this scenario has no path %1 to fail").arg(path));
        return;
    }
    m_scenario->setPathUp(path, up);
    m_stack.log(1, up ? tr("Lab: path %1 repaired").arg(paths[path]) : tr("Lab: path %1 fails (every packet lost)").arg(paths[path]));
}

void LabController::setSipT1(qint64 t1Ms)
{
    m_t1Ms = std::max<qint64>(0, t1Ms);
    if (!m_scenario)
        return;
    int stacks = 0;
    m_scenario->forEachSipStack([&](sip::SipStack& s) {
        sip::TimerConfig t = s.timers();
        const sip::TimerConfig defaults;
        t.t1Ns = m_t1Ms > 0 ? m_t1Ms * 1'000'000 : defaults.t1Ns;
        t.t2Ns = std::max(defaults.t2Ns, t.t1Ns);
        s.setTimers(t);
        ++stacks;
    });
    if (stacks)
        m_stack.log(1, tr("Lab: SIP T1 is now %1 ms on %2 stacks (Timer B/F = %3 s); new transactions use it")
                           .arg(m_t1Ms > 0 ? m_t1Ms : sip::TimerConfig().t1Ns / 1'000'000)
                           .arg(stacks)
                           .arg(64.0 * double(m_t1Ms > 0 ? m_t1Ms : 500) / 1000.0, 0, 'g', 3));
}

sip::StackSnapshot LabController::sipSnapshot() const
{
    sip::StackSnapshot merged;
    merged.timeNs = m_stack.scheduler().nowNs();
    if (!m_scenario)
        return merged;
    m_scenario->forEachSipStack([&](sip::SipStack& s) {
        sip::StackSnapshot one = s.snapshots();
        merged.transactions += one.transactions;
        merged.dialogs += one.dialogs;
        merged.connections += one.connections;
    });
    return merged;
}

QList<sctp::AssociationInfo> LabController::associations() const
{
    QList<sctp::AssociationInfo> all;
    if (m_scenario) {
        m_scenario->forEachSctpEngine([&](sctp::Engine& e) { all += e.readAssociations(); });
        all += m_scenario->ownAssociations();
    }
    return all;
}

void LabController::tick()
{
    if (!m_scenario)
        return;
    recordInstant(); // a composer send while paused changes the state between instants
    if (m_rewoundNs < 0) {
        emit sipSnapshotReady(sipSnapshot());
        emit associationsReady(associations());
    }
    if (!m_reported && m_scenario->finished()) {
        m_reported = true;
        const ScenarioResult r = m_scenario->result(m_stack);
        m_stack.log(r.ok ? 1 : 2,
            r.ok ? tr("Lab: “%1” finished: %2").arg(m_scenario->title(), r.findings.join(QStringLiteral("; ")))
                 : tr("Lab: “%1” did not show its point: %2").arg(m_scenario->title(), r.failure));
        emit scenarioFinished(m_name, r.ok, r.failure, r.findings);
    }
}

ComposerResult LabController::composerFailure(const char* errnoName, const QString& why)
{
    // A refused composer send is an Error event too, so the Log and the timeline show it.
    ComposerResult out;
    out.errnoName = QString::fromLatin1(errnoName);
    out.text = why;
    trace::Event e;
    e.timeNs = m_stack.scheduler().nowNs();
    e.kind = trace::Kind::Error;
    e.text = QStringLiteral("composer: %1: %2").arg(out.errnoName, why);
    m_stack.journal().append(std::move(e));
    return out;
}

ComposerResult LabController::sendSip(
    const QByteArray& text, const QString& target, quint64 dialog, bool stateful, bool dialogOnFork)
{
    ComposerResult out;
    auto fail = [&](const char* errnoName, const QString& why) { return out = composerFailure(errnoName, why); };
    sip::SipStack* sip = m_scenario ? m_scenario->composerSipStack() : nullptr;
    if (!sip)
        return fail("ENOTCONN", tr("No lab scenario with a SIP peer of yours is running: start the playground from the Lab panel."));

    QString spec = target.trimmed();
    sip::TransportType type = sip::TransportType::Udp;
    const qsizetype colon = spec.indexOf(QLatin1Char(':'));
    if (colon > 0 && sip::transportFromToken(spec.left(colon).toUtf8(), &type))
        spec = spec.mid(colon + 1);
    sip::HostPort remote;
    if (!sip::HostPort::parse(spec, &remote))
        return fail("EINVAL", tr("The target '%1' is not HOST:PORT or udp:/tcp:HOST:PORT.").arg(target));

    const sip::ParseResult parsed = sip::parse(text);
    if (!parsed.ok)
        return fail("EINVAL", tr("The message does not parse — %1").arg(parsed.error));

    QString error;
    auto connection = sip->connect(type, remote, &error);
    if (!connection && parsed.message.isRequest())
        return fail("EHOSTUNREACH", tr("No way to %1: %2").arg(remote.toString(), error));

    sip::SendFlags flags;
    if (stateful)
        flags |= sip::SendFlag::Stateful;
    if (dialogOnFork)
        flags |= sip::SendFlag::DialogOnFork;
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.text = tr("composer: send %1 to %2%3%4")
                      .arg(QString::fromUtf8(text.left(text.indexOf('\r') < 0 ? 60 : text.indexOf('\r'))), remote.toString(),
                          stateful ? QStringLiteral(" SIP_SEND_STATEFUL") : QString(),
                          dialogOnFork ? QStringLiteral(" SIP_DIALOG_ON_FORK") : QString());
    m_stack.journal().append(std::move(action));
    const sip::SendResult r = sip->send(connection, parsed.message, dialog, flags);
    out.ok = r.ok();
    out.errnoName = QString::fromLatin1(r.errnoName);
    out.text = r.ok() ? tr("sent") : r.reason;
    out.transaction = r.transaction;
    out.dialog = r.dialog;
    return out;
}

struct LabController::Burst {
    SctpComposerRequest request;
    sctp::SendInfo info;
    SctpDone done;
    int sent = 0;
    qint64 bytes = 0;
    Scheduler::TimerId timer = 0;
};

void LabController::cancelBurst()
{
    if (!m_burst)
        return;
    if (m_burst->timer)
        m_stack.scheduler().cancel(m_burst->timer);
    auto burst = std::move(m_burst);
    ComposerResult r;
    r.ok = false;
    r.errnoName = QStringLiteral("ECANCELED");
    r.text = sctpBurstStoppedText(burst->sent, burst->request.repeat);
    if (burst->done)
        burst->done(r);
}

void LabController::sendSctp(const SctpComposerRequest& request, SctpDone done)
{
    auto fail = [&](const char* errnoName, const QString& why) {
        const ComposerResult out = composerFailure(errnoName, why);
        if (done)
            done(out);
    };
    cancelBurst();
    sctp::Engine* engine = m_scenario ? m_scenario->composerSctpEngine() : nullptr;
    const int fd = m_scenario ? m_scenario->composerSctpDescriptor() : -1;
    if ((!engine || fd < 0) && !(m_scenario && m_scenario->composerMultiHomed()))
        return fail("ENOTCONN",
            tr("No lab scenario with an SCTP socket of yours is running: start the playground from the Lab panel."));
    SctpComposerSend checked = sctpComposerSend(request);
    if (!checked.ok())
        return fail(qPrintable(checked.errnoName), checked.why);

    auto burst = std::make_shared<Burst>();
    burst->request = request;
    burst->request.repeat = std::max(1, request.repeat);
    burst->done = std::move(done);
    // Several addresses (sctp_sendmsgx's list) go to the multi-homed lesson's association; an
    // AF_CONN socket has one path and refuses them, saying why.
    burst->info = std::move(checked.info);

    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.object = request.association;
    action.text = sctpComposerActionText(QStringLiteral("composer"), request, burst->info);
    m_stack.journal().append(std::move(action));
    m_burst = burst;
    burstStep(burst);
}

void LabController::burstStep(const std::shared_ptr<Burst>& burst)
{
    // A burst with no interval goes out in one go, like a loop of sctp_sendmsg calls would.
    burst->timer = 0;
    sctp::Engine* engine = m_scenario ? m_scenario->composerSctpEngine() : nullptr;
    const int fd = m_scenario ? m_scenario->composerSctpDescriptor() : -1;
    auto finish = [this, burst](ComposerResult r) {
        if (m_burst == burst)
            m_burst.reset();
        if (burst->done)
            burst->done(r);
    };
    if (sctp::MultiHomedPair* mh = m_scenario ? m_scenario->composerMultiHomed() : nullptr) {
        // The multi-homed association answers asynchronously (its usrsctp runs in the helper
        // process): one message at a time, the next when this one's answer is in.
        std::weak_ptr<Burst> weak = burst;
        mh->send(burst->request.payload, burst->info, [this, weak, finish](const sctp::Result<qint64>& sent) {
            auto b = weak.lock();
            if (!b || b != m_burst)
                return; // stopped meanwhile
            if (!sent.ok()) {
                ComposerResult r;
                r.errnoName = sent.error().name();
                r.text = sctpBurstFailedText(sent.error().sentence, b->sent, b->request.repeat);
                return finish(r);
            }
            ++b->sent;
            b->bytes += *sent;
            if (b->sent < b->request.repeat) {
                b->timer = m_stack.scheduler().scheduleMs(std::max(0, b->request.intervalMs), [this, weak] {
                    if (auto again = weak.lock(); again && again == m_burst)
                        burstStep(again);
                });
                return;
            }
            ComposerResult r;
            r.ok = true;
            r.text = sctpBurstSentText(b->sent, b->bytes, b->request.repeat);
            // sctp_sendmsg(3) on a connected socket without SCTP_ADDR_OVER: the association's
            // primary path is used, whatever address is given. Say so rather than ignore it.
            if (!(b->request.flags & sctp::flag::AddrOver) && b->info.addresses.size() > 1)
                r.text += tr(" — note: sctp_sendmsgx sets an association up only when none exists; the lesson's "
                             "association was up, so the list only named it and the message took its primary path "
                             "(tick SCTP_ADDR_OVER to pick a path)");
            else if (!(b->request.flags & sctp::flag::AddrOver) && (b->request.association || !b->request.to.trimmed().isEmpty()))
                r.text += tr(" — note: the multi-homed lesson has one association and, without SCTP_ADDR_OVER, the "
                             "message took its primary path; the Association and To fields were not used (tick "
                             "SCTP_ADDR_OVER to pick a path)");
            finish(r);
        });
        return;
    }
    while (burst->sent < burst->request.repeat) {
        if (!engine || fd < 0) {
            ComposerResult r;
            r.errnoName = QStringLiteral("EBADF");
            r.text = tr("The scenario's SCTP socket went away after %1 of %2 messages.").arg(burst->sent).arg(burst->request.repeat);
            return finish(r);
        }
        const sctp::Result<qint64> sent = engine->sendmsg(fd, burst->request.payload, burst->info);
        if (!sent.ok()) {
            ComposerResult r;
            r.errnoName = sent.error().name();
            r.text = sctpBurstFailedText(sent.error().sentence, burst->sent, burst->request.repeat);
            return finish(r);
        }
        ++burst->sent;
        burst->bytes += *sent;
        if (burst->sent < burst->request.repeat && burst->request.intervalMs > 0) {
            std::weak_ptr<Burst> weak = burst;
            burst->timer = m_stack.scheduler().scheduleMs(burst->request.intervalMs, [this, weak] {
                if (auto b = weak.lock(); b && b == m_burst)
                    burstStep(b);
            });
            return;
        }
    }
    ComposerResult r;
    r.ok = true;
    r.text = sctpBurstSentText(burst->sent, burst->bytes, burst->request.repeat);
    finish(r);
}

} // namespace ladder::lab
