// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctpscenario.h"

#include "host/stack.h"
#include "sctp/engine.h"
#include "journal/journal.h"

namespace ladder::lab {

SctpLabScenario::~SctpLabScenario() { SctpLabScenario::stop(); }

void SctpLabScenario::beginSctp(Stack& stack, const ScenarioParams& params)
{
    begin(stack, params);
    m_engine = std::make_unique<sctp::Engine>(stack);
    m_phaseStartNs = nowNs();
    scheduleTick();
}

qint64 SctpLabScenario::nowNs() { return stack().scheduler().nowNs(); }

void SctpLabScenario::scheduleTick()
{
    m_tickTimer = stack().scheduler().schedule(20'000'000, [this] {
        m_tickTimer = 0;
        if (m_done)
            return;
        tick();
        if (!m_done)
            scheduleTick();
    });
}

sctp::LabLinkPair& SctpLabScenario::addPair(const LinkParams& aToB, const LinkParams& bToA, const QString& hostA,
    const QString& hostB)
{
    auto pair = std::make_unique<sctp::LabLinkPair>(*m_engine,
        net().seedFor(QStringLiteral("sctp-pair-%1").arg(m_pairs.size())), aToB, bToA, hostA, hostB);
    net().adopt(pair->aToB());
    net().adopt(pair->bToA());
    m_pairs.push_back(std::move(pair));
    return *m_pairs.back();
}

int SctpLabScenario::countEvents(trace::Kind kind)
{
    return int(events(stack(), [kind](const trace::Event& e) { return e.kind == kind; }).size());
}

void SctpLabScenario::stop()
{
    if (m_tickTimer && started())
        stack().scheduler().cancel(m_tickTimer);
    m_tickTimer = 0;
    // Peers, then the engine (it closes the endpoints while the links still exist), then links.
    m_peers.clear();
    m_engine.reset();
    m_pairs.clear();
    LabScenario::stop();
}

void SctpLabScenario::forEachSctpEngine(const std::function<void(sctp::Engine&)>& fn)
{
    if (m_engine)
        fn(*m_engine);
}

} // namespace ladder::lab
