// SPDX-License-Identifier: GPL-3.0-or-later
#include "pacer.h"

#include "host/stack.h"
#include "journal/journal.h"
#include "runner.h"

namespace ladder::lab {

namespace {
    // Wall time one tick may spend firing timers before it lets the event loop (and the window) breathe.
    constexpr qint64 kTickBudgetNs = 12'000'000;
    constexpr qint64 kAnnounceEveryNs = 50'000'000;

    QString secondsAt(qint64 ns) { return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 3); }

    QString describe(const trace::Event& e)
    {
        const QString what = e.text.isEmpty() ? QString::fromLatin1(trace::kindName(e.kind))
                                              : QStringLiteral("%1 %2").arg(QLatin1String(trace::kindName(e.kind)), e.text);
        return what.size() > 120 ? what.left(119) + QChar(0x2026) : what;
    }

    bool isAbout(const trace::Event& e, quint64 object)
    {
        return e.object == object || (e.kind == trace::Kind::SctpPacket && e.a == object);
    }
}

Pacer::Pacer(Stack& stack, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
{
    m_timer.setInterval(15);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Pacer::tick);
    m_wall.start();
}

Pacer::~Pacer() { *m_alive = false; }

void Pacer::begin(bool playing, quint64 firstSeq, std::function<bool()> finished)
{
    m_finished = std::move(finished);
    m_active = true;
    ++m_run;
    m_generation = m_stack.journal().generation();
    m_scanned = firstSeq;
    m_breakpoints.reset();
    m_goal = Goal::None;
    m_stopped = false;
    m_playing = false;
    if (playing)
        play();
    else
        announce(true);
}

void Pacer::end()
{
    m_timer.stop();
    m_active = false;
    m_playing = false;
    m_finished = nullptr;
    ++m_run;
}

void Pacer::play()
{
    if (!m_active)
        return;
    m_playing = true;
    m_stopped = false;
    m_anchorWallNs = m_wall.nsecsElapsed();
    m_anchorVirtualNs = m_stack.scheduler().nowNs();
    m_timer.start();
    announce(true);
}

void Pacer::pause()
{
    if (!m_playing)
        return;
    m_playing = false;
    m_timer.stop();
    announce(true);
}

void Pacer::setSpeed(double speed)
{
    m_speed = speed <= 0 ? kAsFastAsPossible : std::clamp(speed, kMinSpeed, kMaxSpeed);
    m_anchorWallNs = m_wall.nsecsElapsed();
    m_anchorVirtualNs = m_stack.scheduler().nowNs();
    announce(true);
}

void Pacer::setBreakpoints(const QList<Breakpoint>& breakpoints)
{
    // Breakpoints set during a run count from now on.
    m_breakpoints = BreakpointSet(breakpoints);
}

void Pacer::step() { runGoal(Goal::AnyEvent, 0); }

void Pacer::stepOver(quint64 object) { runGoal(object ? Goal::Object : Goal::AnyEvent, object); }

void Pacer::runUntil(qint64 timeNs) { runGoal(Goal::Time, 0, timeNs); }

void Pacer::runGoal(Goal goal, quint64 object, qint64 untilNs)
{
    if (!m_active)
        return;
    m_playing = false;
    m_timer.stop();
    m_goal = goal;
    m_goalObject = object;
    m_stopped = false;
    // Events already journalled but not yet looked at (the rest of the last instant) come first.
    if (inspectNew()) {
        m_goal = Goal::None;
        return;
    }
    const std::shared_ptr<bool> alive = m_alive;
    const quint64 run = m_run;
    const qint64 horizon = goal == Goal::Time ? untilNs : m_stack.scheduler().nowNs() + kStepHorizonNs;
    ++m_busy;
    bool fired = true;
    while (fired && !m_stopped)
        fired = fireNext(horizon);
    if (!*alive)
        return;
    --m_busy;
    m_goal = Goal::None;
    if (goal == Goal::Time && !m_stopped && run == m_run) {
        Scheduler& s = m_stack.scheduler();
        if (s.mode() == Scheduler::Mode::Virtual && untilNs > s.nowNs())
            s.advanceBy(untilNs - s.nowNs()); // nothing is due before it
        stop(-1, -1, tr("Reached %1.").arg(secondsAt(s.nowNs())));
        return;
    }
    if (!m_stopped && run == m_run)
        stop(-1, -1,
            goal == Goal::Object ? tr("Nothing more happens to %1 in the next %2.").arg(object).arg(secondsAt(kStepHorizonNs))
                                 : tr("Nothing happens in the next %1.").arg(secondsAt(kStepHorizonNs)));
}

bool Pacer::fireNext(qint64 target)
{
    Scheduler& s = m_stack.scheduler();
    const qint64 next = s.nextDueNs();
    if (!m_active || s.mode() != Scheduler::Mode::Virtual || next < 0 || next > target)
        return false;
    // As runToEnd: every timer due at that instant, then what they posted, at the same instant.
    const std::shared_ptr<bool> alive = m_alive;
    const quint64 run = m_run;
    s.advanceBy(next - s.nowNs());
    sendPostedEvents();
    if (!*alive || run != m_run)
        return false;
    if (m_instantHook)
        m_instantHook();
    inspectNew();
    return true;
}

bool Pacer::inspectNew()
{
    trace::Journal& j = m_stack.journal();
    if (j.generation() != m_generation) {
        m_generation = j.generation();
        m_scanned = 0;
    }
    const quint64 count = j.count();
    if (count <= m_scanned)
        return false;
    qint64 stopSeq = -1;
    int hit = -1;
    QString why;
    j.forEach(m_scanned, count - m_scanned, [&](const trace::Event& e) {
        if (stopSeq >= 0 || e.kind == trace::Kind::Log)
            return;
        hit = m_breakpoints.feed(e);
        if (hit >= 0) {
            stopSeq = qint64(e.seq);
            why = tr("Break %1 '%2' at %3: %4")
                      .arg(hit + 1)
                      .arg(m_breakpoints.breakpoints().at(hit).text(), secondsAt(e.timeNs), describe(e));
        } else if (m_goal == Goal::AnyEvent || (m_goal == Goal::Object && isAbout(e, m_goalObject))) {
            stopSeq = qint64(e.seq);
            why = tr("Step: %1 at %2").arg(describe(e), secondsAt(e.timeNs));
        }
    });
    // What comes after the stop is looked at when the run goes on.
    m_scanned = stopSeq >= 0 ? quint64(stopSeq) + 1 : count;
    if (stopSeq < 0)
        return false;
    stop(stopSeq, hit, why);
    return true;
}

void Pacer::stop(qint64 seq, int breakpoint, const QString& why)
{
    m_playing = false;
    m_timer.stop();
    m_stopped = true;
    emit paused(seq, breakpoint, why);
    announce(true);
}

void Pacer::tick()
{
    if (!m_playing)
        return;
    Scheduler& s = m_stack.scheduler();
    const bool fastest = m_speed == kAsFastAsPossible;
    const qint64 wallNow = m_wall.nsecsElapsed();
    const qint64 target = fastest ? s.nowNs() + kStepHorizonNs
                                  : m_anchorVirtualNs + qint64(double(wallNow - m_anchorWallNs) * m_speed);
    m_stopped = false;
    const std::shared_ptr<bool> alive = m_alive;
    const quint64 run = m_run;
    bool reached = false;
    ++m_busy;
    while (m_wall.nsecsElapsed() - wallNow < kTickBudgetNs) {
        if (!fireNext(target)) {
            reached = true;
            break;
        }
        if (m_stopped)
            break;
    }
    if (!*alive)
        return;
    --m_busy;
    if (m_stopped || run != m_run || !m_playing)
        return;
    if (reached && !fastest && target > s.nowNs())
        s.advanceBy(target - s.nowNs()); // nothing is due before it
    if (fastest && m_finished && m_finished()) {
        // The lesson is over: what is left are idle timers (heartbeats, Timer K…) — follow them at 1×.
        setSpeed(1);
        return;
    }
    announce(false);
}

void Pacer::announce(bool force)
{
    const qint64 wallNow = m_wall.nsecsElapsed();
    if (!force && wallNow - m_lastAnnounceWallNs < kAnnounceEveryNs)
        return;
    m_lastAnnounceWallNs = wallNow;
    emit stateChanged(m_playing, m_speed, m_stack.scheduler().nowNs());
}

} // namespace ladder::lab
