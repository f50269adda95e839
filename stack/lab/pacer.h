// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "breakpoint.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace ladder {
class Stack;
}

namespace ladder::lab {

// Drives a lab run in virtual time at the pace a teacher chooses: Play at a speed from 0.05× to
// 100× (or as fast as possible), Pause, Step to the next event, Step over to the next event of one
// transaction or association, and stop at breakpoints chosen by protocol meaning (breakpoint.h).
//
// The clock is the stack's scheduler in virtual mode (Scheduler::setMode). The pacer moves it the
// way the headless runner does — to the next due timer, fire everything due then, hand what that
// posted to its objects (sendPostedEvents), again — so a paced run journals exactly what
// `ladderctl lab run` journals for the same scenario and seed, whatever the speed and however
// often it is paused. A pause lands between two instants: the events one timer writes together (a
// Timer A firing and the retransmission it sends) come together; the pause names the first one
// that matters (a step's first new event, the event a breakpoint matched).
//
// Lives on the stack thread.
class Pacer : public QObject {
    Q_OBJECT
public:
    static constexpr double kMinSpeed = 0.05;
    static constexpr double kMaxSpeed = 100;
    static constexpr double kAsFastAsPossible = 0; // setSpeed(0)
    // How far a step looks ahead in virtual time before it gives up ("nothing happens").
    static constexpr qint64 kStepHorizonNs = qint64(600) * 1'000'000'000;

    explicit Pacer(Stack& stack, QObject* parent = nullptr);
    ~Pacer() override;

    // Starts pacing (paused or playing) from the scheduler's current virtual time; journal events
    // from firstSeq on are looked at (steps and breakpoints), those before are not. finished() says when the run is over: as fast as
    // possible then slows to 1×, so the clock does not race through the idle timers after it.
    void begin(bool playing, quint64 firstSeq, std::function<bool()> finished);
    void end();
    bool isActive() const { return m_active; }
    // Inside a tick or a step: firing timers, or dispatching what they posted (which may be a
    // queued call that ends the run or deletes the pacer's owner — see LabController's destructor).
    bool isBusy() const { return m_busy > 0; }

    void play();
    void pause();
    // 0 (kAsFastAsPossible) or kMinSpeed…kMaxSpeed.
    void setSpeed(double speed);
    double speed() const { return m_speed; }
    bool isPlaying() const { return m_playing; }
    // Runs to the next journalled event (not a log line) and pauses there.
    void step();
    // Runs to the next event about this transaction, dialog or association id, and pauses there.
    void stepOver(quint64 object);
    // Runs as fast as possible through every instant up to timeNs (a breakpoint may stop it first),
    // moves the clock to timeNs and pauses there: a re-run reaching the instant a rewind chose.
    void runUntil(qint64 timeNs);
    void setBreakpoints(const QList<Breakpoint>& breakpoints);
    // Called after each instant the pacer fires (every timer due then and what they posted), on the
    // stack thread: the controller records the run's history there (rewind).
    void setInstantHook(std::function<void()> hook) { m_instantHook = std::move(hook); }
    const BreakpointSet& breakpoints() const { return m_breakpoints; }

signals:
    // The pacer stopped: at event seq (-1: none) because of breakpoint index (-1: a step, or the
    // user), with a sentence saying why.
    void paused(qint64 seq, int breakpoint, const QString& why);
    // Playing or not, the speed, and the virtual time (ns); at most 20 times a second while playing.
    void stateChanged(bool playing, double speed, qint64 nowNs);

private:
    enum class Goal { None, AnyEvent, Object, Time };
    // Fires the next due timer if it is due at or before target; false if none is, if the run
    // ended meanwhile (a queued Stop or Start dispatched with what the timers posted) or if the
    // pacer is being deleted — then nothing of it may be touched.
    bool fireNext(qint64 target);
    // Looks at the events journalled since the last look; true if the pacer must stop there.
    bool inspectNew();
    void tick();
    void stop(qint64 seq, int breakpoint, const QString& why);
    void runGoal(Goal goal, quint64 object, qint64 untilNs = -1);
    void announce(bool force);

    Stack& m_stack;
    QTimer m_timer;
    QElapsedTimer m_wall;
    qint64 m_anchorWallNs = 0;
    qint64 m_anchorVirtualNs = 0;
    qint64 m_lastAnnounceWallNs = -1;
    double m_speed = 1;
    bool m_playing = false;
    bool m_active = false;
    std::function<bool()> m_finished;
    std::function<void()> m_instantHook;
    BreakpointSet m_breakpoints;
    quint64 m_scanned = 0; // events before this seq have been looked at
    quint64 m_generation = 0; // the journal's, when m_scanned was set
    Goal m_goal = Goal::None;
    quint64 m_goalObject = 0;
    bool m_stopped = false; // inspectNew found a reason to stop (and stopped)
    int m_busy = 0;
    quint64 m_run = 0; // grows with begin() and end(): a loop started in one run stops in the next
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace ladder::lab
