// SPDX-License-Identifier: GPL-3.0-or-later
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/sippeer.h"
#include "journal/journal.h"
#include "lab/runner.h"

#include <cstdlib>

namespace ladder::lab {

LabScenario::~LabScenario() { LabScenario::stop(); }

void LabScenario::begin(Stack& stack, const ScenarioParams& params)
{
    m_stack = &stack;
    m_params = params;
    m_net = std::make_unique<peers::Network>(stack, params.seed, params.faults);
    if (stack.scheduler().mode() == Scheduler::Mode::Virtual)
        stack.journal().setEpochNs(kLabEpochNs);
    // Part of the run's description, as its seed: a saved journal says which faults it ran with.
    if (!params.faults.isEmpty()) {
        QStringList rules;
        for (qsizetype i = 0; i < params.faults.size(); ++i)
            rules << m_net->faults().label(i);
        stack.log(1,
            QStringLiteral("Lab: %1 (seed %2) runs with %3")
                .arg(name())
                .arg(params.seed)
                .arg(rules.join(QStringLiteral(", "))));
    }
}

void LabScenario::after(qint64 ns, std::function<void()> fn)
{
    m_timers.append(m_stack->scheduler().schedule(ns, std::move(fn)));
}

void LabScenario::stop()
{
    if (m_stack)
        for (const quint64 id : std::as_const(m_timers))
            m_stack->scheduler().cancel(id);
    m_timers.clear();
    // Others first (they may hold SIP or SCTP peers' transports), then the SIP peers, then the
    // links they sent over.
    while (!m_others.empty())
        m_others.pop_back();
    while (!m_sipPeers.empty())
        m_sipPeers.pop_back();
    m_net.reset();
}

LinkParams LabScenario::linkParams(double defaultLossPct, qint64 defaultDelayMs) const
{
    LinkParams p;
    p.lossPct = m_params.lossPct >= 0 ? m_params.lossPct : defaultLossPct;
    p.delayMs = m_params.delayMs >= 0 ? m_params.delayMs : defaultDelayMs;
    return p;
}

void LabScenario::forEachSipStack(const std::function<void(sip::SipStack&)>& fn)
{
    for (const auto& p : m_sipPeers)
        fn(p->sip());
}

void LabScenario::setLinkConditions(double lossPct, qint64 delayMs)
{
    if (m_net)
        m_net->setConditions(lossPct, delayMs);
}

QList<FaultTally> LabScenario::faultTallies() const { return m_net ? m_net->faults().tallies() : QList<FaultTally> {}; }

bool LabScenario::fromLabel(const trace::Event& e, const QString& label)
{
    return e.from.size() > label.size() && e.from.startsWith(label) && e.from.at(label.size()) == QLatin1Char(' ');
}

bool LabScenario::toLabel(const trace::Event& e, const QString& label)
{
    return e.to.size() > label.size() && e.to.startsWith(label) && e.to.at(label.size()) == QLatin1Char(' ');
}

QList<trace::Event> LabScenario::events(Stack& stack, const std::function<bool(const trace::Event&)>& pred)
{
    QList<trace::Event> out;
    const trace::Journal& j = stack.journal();
    j.forEach(0, j.count(), [&](const trace::Event& e) {
        if (pred(e))
            out.append(e);
    });
    return out;
}

QList<qint64> LabScenario::sendTimes(Stack& stack, const QString& label, quint64 tx)
{
    QList<qint64> out;
    for (const trace::Event& e : events(stack, [&](const trace::Event& e) {
             return (e.kind == trace::Kind::SipMessage || e.kind == trace::Kind::SipRetransmission)
                 && e.dir == trace::Dir::Tx && e.object == tx && fromLabel(e, label)
                 && !e.text.startsWith(QLatin1String("SIP/2.0"));
         }))
        out.append(e.timeNs);
    return out;
}

bool LabScenario::isInterval(Stack& stack, qint64 measured, qint64 want)
{
    if (stack.scheduler().mode() == Scheduler::Mode::Virtual)
        return measured == want;
    return std::abs(measured - want) <= kRealTimeSlackNs;
}

QString LabScenario::seconds(const QList<qint64>& ns)
{
    QStringList parts;
    for (const qint64 v : ns)
        parts << secondsOf(v);
    return parts.join(QStringLiteral(", "));
}

peers::SipUac& UacScenario::beginWithUac(Stack& stack, const ScenarioParams& params)
{
    begin(stack, params);
    m_uac = &keep(std::make_unique<peers::SipUac>(stack, QStringLiteral("uac"), QStringLiteral("10.0.0.1"),
        net().seedFor(QStringLiteral("uac"))));
    return *m_uac;
}

peers::SipUas& UacScenario::addUas(const peers::SipUas::Answer& answer)
{
    m_uas = &keep(std::make_unique<peers::SipUas>(stack(), QStringLiteral("uas"), QStringLiteral("10.0.0.2"),
        net().seedFor(QStringLiteral("uas")), answer));
    return *m_uas;
}

void UacScenario::stop()
{
    m_uac = nullptr;
    m_uas = nullptr;
    LabScenario::stop();
}

} // namespace ladder::lab
