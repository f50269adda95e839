// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "labscenario.h"

#include "sctp/lablinkpair.h"

namespace ladder::sctp {
class Engine;
}

namespace ladder::lab {

// What the SCTP scenarios share: virtual time when headless (runToEnd drives usrsctp's timers from
// the scheduler and sctp::LabClock gives it the lab's clock and seed), one sctp::Engine for
// the scenario's peers, lab link pairs (sctp-a on 10.0.0.1, sctp-b on 10.0.0.2 by default) whose
// links follow the Lab panel's sliders, and a tick every 20 ms that drives the script (tick()).
class SctpLabScenario : public LabScenario {
public:
    ~SctpLabScenario() override;
    double defaultDurationS() const override { return 10; }
    bool finished() const override { return m_done; }
    void stop() override;
    void forEachSctpEngine(const std::function<void(sctp::Engine&)>& fn) override;
    sctp::Engine* composerSctpEngine() override { return m_engine.get(); }

protected:
    void beginSctp(Stack& stack, const ScenarioParams& params);
    sctp::Engine& engine() { return *m_engine; }
    sctp::LabLinkPair& addPair(const LinkParams& aToB, const LinkParams& bToA, const QString& hostA = QStringLiteral("10.0.0.1"),
        const QString& hostB = QStringLiteral("10.0.0.2"));
    template <class P>
    P& keepSctp(std::unique_ptr<P> peer)
    {
        P& ref = *peer;
        m_peers.push_back(std::shared_ptr<P>(std::move(peer)));
        return ref;
    }
    // Called every 20 ms of scheduler time until done(); phase() counts the script's steps.
    virtual void tick() = 0;
    void done() { m_done = true; }
    int phase() const { return m_phase; }
    void nextPhase()
    {
        ++m_phase;
        m_phaseStartNs = nowNs();
    }
    qint64 nowNs();
    qint64 inPhaseMs() { return (nowNs() - m_phaseStartNs) / 1'000'000; }
    int countEvents(trace::Kind kind);

private:
    void scheduleTick();

    // Declared so that, destroyed in reverse, the peers go first, then the engine (closing its
    // endpoints while the links still exist), then the links.
    std::vector<std::unique_ptr<sctp::LabLinkPair>> m_pairs;
    std::unique_ptr<sctp::Engine> m_engine;
    std::vector<std::shared_ptr<void>> m_peers;
    bool m_done = false;
    int m_phase = 0;
    qint64 m_phaseStartNs = 0;
    quint64 m_tickTimer = 0;
};

} // namespace ladder::lab
