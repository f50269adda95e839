// SPDX-License-Identifier: GPL-3.0-or-later
#include "runner.h"

#include "host/stack.h"
#include "journal/journal.h"
#include "sctp/labclock.h"
#include "sctp/runtime.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sip/message/ids.h"
#include "sip/sipstack.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include <optional>

namespace ladder::lab {

quint64 idSeedFor(quint64 scenarioSeed)
{
    // splitmix64 of the seed: the SIP ids do not follow the same sequence as the link losses.
    quint64 z = scenarioSeed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

quint64 sctpSeedFor(quint64 scenarioSeed)
{
    // Another stream again: usrsctp's tags, TSNs and keys follow neither the links nor the SIP ids.
    return idSeedFor(scenarioSeed ^ 0x5c7f0a11d5eed5ULL);
}

VirtualSctp::VirtualSctp(Stack& stack, quint64 seed)
    : m_stack(stack)
{
    Scheduler& sched = stack.scheduler();
    sctp::Endpoint::restartEphemeralPorts();
    m_driven = stack.sctpRuntime().driveFrom(&sched);
    m_clock = sctp::LabClock::begin(sched, stack.journal().epochNs(), sctpSeedFor(seed));
    if (!m_driven || !m_clock)
        stack.log(2, QStringLiteral("lab: another run in virtual time drives usrsctp: this one's SCTP is not reproducible"));
    QString why;
    if (m_clock && !sctp::LabClock::interposed(&why))
        stack.log(2, QStringLiteral("lab: usrsctp reads the real clock and real random bytes in this process (%1): "
                                    "its SCTP is not reproducible")
                         .arg(why));
}

VirtualSctp::~VirtualSctp()
{
    if (m_clock)
        sctp::LabClock::end();
    if (m_driven)
        m_stack.sctpRuntime().driveFrom(nullptr);
}

void sendPostedEvents()
{
    if (!QCoreApplication::instance())
        return;
    // Qt leaves what is posted during a round for the next one (an accepted SCTP socket's "read
    // me", posted while its listener is read): a few rounds take those chains at the same instant
    // too, as the window's event loop does between two steps of its pacer.
    for (int round = 0; round < 4; ++round)
        QCoreApplication::sendPostedEvents();
}

namespace {
    QString at(qint64 ns) { return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }

    QStringList stateOf(Scenario& scenario)
    {
        QStringList lines;
        scenario.forEachSipStack([&](sip::SipStack& s) {
            const sip::StackSnapshot snap = s.snapshots();
            for (const sip::TransactionSnapshot& t : snap.transactions) {
                QStringList timers;
                for (const sip::TimerSnapshot& timer : t.timers)
                    timers << QStringLiteral("%1 at %2").arg(timer.name, at(timer.dueNs));
                QString line = QStringLiteral("transaction %1 %2 %3: %4").arg(t.id).arg(t.kind, t.method, t.state);
                if (t.retransmissions)
                    line += QStringLiteral(", %1 retransmission%2").arg(t.retransmissions).arg(t.retransmissions == 1 ? "" : "s");
                if (t.lastStatus)
                    line += QStringLiteral(", last status %1").arg(t.lastStatus);
                if (!timers.isEmpty())
                    line += QStringLiteral(", timers ") + timers.join(QStringLiteral(", "));
                lines << line;
            }
            for (const sip::DialogSnapshot& d : snap.dialogs)
                lines << QStringLiteral("dialog %1 %2 %3: %4, Call-ID %5")
                             .arg(d.id)
                             .arg(d.role, d.method, d.state, QString::fromUtf8(d.callId));
        });
        scenario.forEachSctpEngine([&](sctp::Engine& e) {
            for (const sctp::AssociationInfo& a : e.associations())
                lines << QStringLiteral("association %1 %2 %3 -> %4: %5 retransmission(s) (%6 fast, %7 by timeout), %8 "
                                        "abandoned, %9 FORWARD-TSN sent")
                             .arg(a.id)
                             .arg(a.state, a.localAddress, a.peerAddress)
                             .arg(a.retransmissions)
                             .arg(a.fastRetransmissions)
                             .arg(a.timeoutRetransmissions)
                             .arg(a.abandoned)
                             .arg(a.forwardTsnsSent);
        });
        return lines;
    }
}

QString faultRulesRefused(const Scenario& scenario)
{
    return QStringLiteral("%1 takes no fault rules: its association runs in a helper process, in real time, over "
                          "links of its own that the rules do not reach")
        .arg(scenario.name());
}

RunOutcome runToEnd(Scenario& scenario, Stack& stack, const ScenarioParams& params, const QList<Breakpoint>& breakpoints)
{
    RunOutcome out;
    if (!params.faults.isEmpty() && !scenario.takesFaultRules()) {
        out.result.failure = faultRulesRefused(scenario);
        return out;
    }
    const double duration = params.durationS > 0 ? params.durationS : scenario.defaultDurationS();
    const qint64 limitNs = qint64(duration * 1e9);
    Scheduler& sched = stack.scheduler();
    const qint64 startNs = sched.nowNs();
    // The SIP stacks the scenario creates draw their branch and tag generators from the
    // process-wide one: seeding it from the scenario seed makes the ids they write themselves (To
    // tags of CANCEL/487 answers, of forked 1xx) the same in every run with this seed.
    sip::seedIds(idSeedFor(params.seed));
    const bool virtualTime = sched.mode() == Scheduler::Mode::Virtual;
    std::optional<VirtualSctp> sctp;
    if (virtualTime) {
        // The lab's epoch first: scenarios fix it (LabScenario::begin) but usrsctp's clock starts
        // from it before the scenario creates its first socket.
        stack.journal().setEpochNs(kLabEpochNs);
        sctp.emplace(stack, params.seed);
    }
    const quint64 firstSeq = stack.journal().count(); // the run's own events start here
    scenario.start(stack, params);
    if (virtualTime) {
        // Step timer by timer so finished() is checked between events; what the step posted to
        // the Qt event loop (SCTP socket reads) runs before the next step, at the same instant.
        sendPostedEvents();
        BreakpointSet breaks(breakpoints);
        quint64 scanned = firstSeq;
        // Whether an event journalled since the last look hits a breakpoint.
        auto hitBreak = [&] {
            if (breaks.isEmpty())
                return false;
            const quint64 count = stack.journal().count();
            stack.journal().forEach(scanned, count - scanned, [&](const trace::Event& e) {
                if (out.breakSeq >= 0 || e.kind == trace::Kind::Log)
                    return;
                if (const int hit = breaks.feed(e); hit >= 0) {
                    out.breakSeq = qint64(e.seq);
                    out.breakIndex = hit;
                }
            });
            scanned = count;
            return out.breakSeq >= 0;
        };
        while (!scenario.finished() && !hitBreak()) {
            const qint64 next = sched.nextDueNs();
            if (next < 0 || next - startNs > limitNs)
                break;
            sched.advanceBy(next - sched.nowNs());
            sendPostedEvents();
        }
    } else {
        QElapsedTimer wall;
        wall.start();
        while (!scenario.finished() && wall.nsecsElapsed() < limitNs) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            QThread::usleep(200);
        }
    }
    out.timedOut = !scenario.finished() && out.breakSeq < 0;
    out.ranForS = double(sched.nowNs() - startNs) / 1e9;
    out.result = scenario.result(stack);
    out.faults = scenario.faultTallies();
    if (out.breakSeq >= 0)
        out.breakState = stateOf(scenario);
    scenario.stop();
    if (virtualTime)
        sendPostedEvents(); // what stopping posted, still on the lab's clock
    return out;
}

} // namespace ladder::lab
