// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "lab/peers/network.h"
#include "lab/peers/sippeer.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "lab/scenario.h"
#include "journal/event.h"

#include <QList>

#include <functional>
#include <memory>
#include <vector>

namespace ladder::lab {

// What the built-in scenarios share: the network of lab links seeded from the run's seed, the
// SIP peers (reported to the views by forEachSipStack), the Lab panel's live loss and delay, and
// helpers to read the journal back when judging a run.
class LabScenario : public Scenario {
public:
    ~LabScenario() override;

    void stop() override;
    void forEachSipStack(const std::function<void(sip::SipStack&)>& fn) override;
    void setLinkConditions(double lossPct, qint64 delayMs) override;
    QList<FaultTally> faultTallies() const override;

protected:
    // Creates the network. In virtual time the journal's epoch is fixed (2026-01-01 00:00 UTC)
    // so that two runs with the same seed export byte-identical files.
    void begin(Stack& stack, const ScenarioParams& params);
    // The link parameters of this run: the scenario's defaults unless the user gave loss/delay.
    LinkParams linkParams(double defaultLossPct, qint64 defaultDelayMs) const;
    peers::Network& net() { return *m_net; }
    Stack& stack() { return *m_stack; }
    const ScenarioParams& params() const { return m_params; }
    // Keeps a peer for the scenario's lifetime and returns it.
    template <class P>
    P& keep(std::unique_ptr<P> peer)
    {
        P& ref = *peer;
        m_sipPeers.push_back(std::move(peer));
        return ref;
    }
    // Anything else to destroy in stop(), before the SIP peers and the network (proxies, SCTP).
    void keepOther(std::shared_ptr<void> thing) { m_others.push_back(std::move(thing)); }
    bool started() const { return m_stack != nullptr; }
    // Runs fn after ns of scheduler time, unless the scenario is stopped first.
    void after(qint64 ns, std::function<void()> fn);

    // Journal helpers. "Sent by label": the event's from endpoint is "label host:port".
    static bool fromLabel(const trace::Event& e, const QString& label);
    static bool toLabel(const trace::Event& e, const QString& label);
    static QList<trace::Event> events(Stack& stack, const std::function<bool(const trace::Event&)>& pred);
    // When transaction tx of the peer `label` sent its request (first send and retransmissions).
    static QList<qint64> sendTimes(Stack& stack, const QString& label, quint64 tx);
    // Whether a measured interval is the `want` that RFC 3261's timers prescribe: exactly, in
    // virtual time (ladderctl); in real time (the GUI) each timer fires when the event loop gets to
    // it, a millisecond or so late, which moves an interval either way by up to kRealTimeSlackNs.
    static constexpr qint64 kRealTimeSlackNs = 20'000'000;
    static bool isInterval(Stack& stack, qint64 measured, qint64 want);
    // Times (s, 3 decimals) as "0.500, 1.500".
    static QString seconds(const QList<qint64>& ns);
    static QString secondsOf(qint64 ns) { return QString::number(double(ns) / 1e9, 'f', 3); }

private:
    Stack* m_stack = nullptr;
    ScenarioParams m_params;
    std::unique_ptr<peers::Network> m_net;
    std::vector<std::unique_ptr<peers::SipPeer>> m_sipPeers;
    std::vector<std::shared_ptr<void>> m_others;
    QList<quint64> m_timers;
};

// The SIP lessons driven by the lab's UAC — "uac" at 10.0.0.1, whose stack the composer sends
// through while they run — mostly against one auto-answering UAS, "uas" at 10.0.0.2.
class UacScenario : public LabScenario {
public:
    sip::SipStack* composerSipStack() override { return m_uac ? &m_uac->sip() : nullptr; }
    void stop() override;

protected:
    // begin() and the UAC.
    peers::SipUac& beginWithUac(Stack& stack, const ScenarioParams& params);
    // The UAS "uas" at 10.0.0.2, answering as told.
    peers::SipUas& addUas(const peers::SipUas::Answer& answer = {});

    peers::SipUac* m_uac = nullptr;
    peers::SipUas* m_uas = nullptr;
};

} // namespace ladder::lab
