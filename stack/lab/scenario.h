// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "faultplan.h"
#include "sctp/snapshot.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace ladder {
class Stack;
namespace sip {
    class SipStack;
}
namespace sctp {
    class Engine;
    class MultiHomedPair;
}

namespace lab {

    // What the user may change about a run; a negative value means "the scenario's default".
    struct ScenarioParams {
        quint64 seed = 1;
        double lossPct = -1;
        qint64 delayMs = -1;
        double durationS = -1;
        // Faults chosen by protocol meaning (docs/FAULTS.md), applied by the run's lab links.
        QList<FaultRule> faults;
    };

    // The outcome of a run: whether the lesson's point was shown, and the figures that show it.
    struct ScenarioResult {
        bool ok = false;
        QString failure; // why not ok, in one sentence
        QStringList findings; // "Timer A fired at 0.5, 1.5, 3.5 s", "2 dialogs (fork flag set)"…
    };

    // A short lesson run on the lab: a title, an explanation shown in the app, and a run that sets
    // up built-in peers on lab links and drives them. Virtual-time scenarios (SIP and in-process
    // SCTP) run instantly, exactly and reproducibly when headless; real-time ones (addr-over, whose
    // association lives in a helper process with its own usrsctp and clock) take the seconds they say.
    class Scenario {
    public:
        virtual ~Scenario() = default;
        virtual QString name() const = 0; // "invite-lossy-udp"
        virtual QString title() const = 0; // "INVITE over lossy UDP"
        virtual QString summary() const = 0; // one line for `ladderctl lab list`
        virtual QString lesson() const = 0; // a paragraph or two, shown in the Lab panel
        virtual bool needsRealTime() const { return false; }
        // Whether ScenarioParams::faults reach the scenario's traffic: they act on the lab's links in
        // this process, which a real-time scenario's association (addr-over's, in a helper process
        // with its own links and clock) never passes.
        virtual bool takesFaultRules() const { return !needsRealTime(); }
        virtual double defaultDurationS() const { return 40; }

        // Sets up peers and starts the exchange on stack (its scheduler and journal).
        virtual void start(Stack& stack, const ScenarioParams& params) = 0;
        // True once the exchange is over (the runner also stops at the duration).
        virtual bool finished() const = 0;
        // Judges the run from what happened (usually from the journal).
        virtual ScenarioResult result(Stack& stack) const = 0;
        // What each of ScenarioParams::faults did so far, in rule order (empty without rules).
        virtual QList<FaultTally> faultTallies() const { return {}; }
        // Tears down peers (before the stack goes).
        virtual void stop() { }

        // Live state for the views: the GUI collects snapshots from every SIP stack and SCTP
        // engine the scenario's peers own (called on the stack thread, while running).
        virtual void forEachSipStack(const std::function<void(sip::SipStack&)>& fn) { Q_UNUSED(fn); }
        virtual void forEachSctpEngine(const std::function<void(sctp::Engine&)>& fn) { Q_UNUSED(fn); }
        // Associations that live outside any engine (the multi-homed pair's, in its helper process).
        virtual QList<sctp::AssociationInfo> ownAssociations() const { return {}; }
        // The Lab panel's sliders: change the loss and delay of every lab link, live.
        virtual void setLinkConditions(double lossPct, qint64 delayMs)
        {
            Q_UNUSED(lossPct);
            Q_UNUSED(delayMs);
        }
        // The SIP stack the composer sends through while this scenario runs (the "you" peer), if any.
        virtual sip::SipStack* composerSipStack() { return nullptr; }
        virtual sctp::Engine* composerSctpEngine() { return nullptr; }
        // The socket of composerSctpEngine() the composer sends through (Engine::sendmsg), or -1.
        virtual int composerSctpDescriptor() { return -1; }
        // Or the multi-homed association the composer sends on (its client side), if any.
        virtual sctp::MultiHomedPair* composerMultiHomed() { return nullptr; }
        // The paths of a multi-homed scenario ("127.0.0.1", "::1"), which the Lab panel lets the
        // user fail and repair (setPathUp); empty for the others.
        virtual QStringList pathNames() const { return {}; }
        virtual void setPathUp(int path, bool up)
        {
            Q_UNUSED(path);
            Q_UNUSED(up);
        }
    };

    using ScenarioFactory = std::function<std::unique_ptr<Scenario>()>;

    // The scenario list, sorted by name. The built-in exchanges (the traffic of the built-in
    // lessons, in C++) are registered on first use by registerBuiltinScenarios()
    // (scenarios/builtin.cpp) — explicitly, because self-registering objects in a static library are
    // dropped by the linker when nothing refers to them.
    //
    // Lessons as files (docs/LESSONS.md): a built-in lesson is the file ":/lessons/NAME.json"
    // (resources/lessons/), which names the exchange it drives and brings its title, summary,
    // text, defaults and expectations. createScenario(NAME) reads that file; createScenario of a
    // path ending in ".json" reads a teacher's lesson. A name without a lesson file gets the bare
    // exchange. scenarioNames() lists the exchanges and the built-in declarative lessons (a file
    // under resources/lessons/ with no exchange, e.g. prsctp-declarative); exchangeNames() only the
    // former.
    void registerScenario(const QString& name, ScenarioFactory factory);
    QStringList scenarioNames();
    // nullptr when there is no such scenario or the lesson file is bad; *error (if given) says why,
    // for a file as "FILE:LINE: FIELD: what is wrong".
    std::unique_ptr<Scenario> createScenario(const QString& name, QString* error = nullptr);
    // The bare built-in exchange in C++, without its lesson file (the registry's own factory).
    std::unique_ptr<Scenario> createExchange(const QString& name);
    QStringList exchangeNames();
    void registerBuiltinScenarios();

} // namespace lab
} // namespace ladder
