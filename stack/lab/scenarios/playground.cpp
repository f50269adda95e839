// SPDX-License-Identifier: GPL-3.0-or-later
// playground: every built-in peer on the lab network, for the composer; never finishes by itself.
#include "sctpscenario.h"

#include "host/stack.h"
#include "lab/peers/forkingproxy.h"
#include "lab/peers/registrar.h"
#include "lab/peers/sctppeers.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "sip/transport/labtransport.h"
#include "sctp/endpoint.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class Playground : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("playground"); }
        QString title() const override { return QStringLiteral("Playground"); }
        QString summary() const override
        {
            return QStringLiteral("Every built-in peer on the lab network, waiting for what you send from the composer");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "Nothing happens here until you make it happen. The composer sends as \"you\" (10.0.0.1:5060, "
                "UDP), and the lab network links you to:\n"
                "• uas 10.0.0.2:5060 — answers INVITE with 180 then 200 after a second, everything else with 200;\n"
                "• proxy 10.0.0.3:5060 — forks requests for sip:…@10.0.0.3 to uas-a 10.0.0.4 (answers after "
                "1.5 s) and uas-b 10.0.0.5 (rings for 20 s), cancels the loser after a 2xx: send an INVITE with "
                "and without SIP_DIALOG_ON_FORK and compare the Dialogs view;\n"
                "• registrar 10.0.0.6:5060 — REGISTER binds, lists and removes contacts;\n"
                "• sctp-echo 10.0.0.7:7 — an SCTP echo: every message comes back on its stream, with its "
                "PPID and ordering. The composer's SCTP socket is a one-to-many endpoint on sctp-a 10.0.0.1: "
                "send to 10.0.0.7:7 with any flags and PR-SCTP policy.\n"
                "The Lab panel's loss and delay sliders act on every link at once: raise the loss and watch "
                "the retransmission timers work.");
        }
        double defaultDurationS() const override { return 5; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            m_you = &keep(std::make_unique<peers::SipUac>(stack, QStringLiteral("you"), QStringLiteral("10.0.0.1"),
                net().seedFor(QStringLiteral("you"))));
            auto& uas = keep(std::make_unique<peers::SipUas>(stack, QStringLiteral("uas"), QStringLiteral("10.0.0.2"),
                net().seedFor(QStringLiteral("uas"))));
            auto proxy = std::make_shared<peers::ForkingProxy>(stack, QStringLiteral("proxy"), QStringLiteral("10.0.0.3"),
                net().seedFor(QStringLiteral("proxy")));
            keepOther(proxy);
            peers::SipUas::Answer a;
            a.ringMs = 1500;
            auto& uasA = keep(std::make_unique<peers::SipUas>(stack, QStringLiteral("uas-a"), QStringLiteral("10.0.0.4"),
                net().seedFor(QStringLiteral("uas-a")), a));
            peers::SipUas::Answer b;
            b.ringMs = 20000;
            b.stackTags = true;
            auto& uasB = keep(std::make_unique<peers::SipUas>(stack, QStringLiteral("uas-b"), QStringLiteral("10.0.0.5"),
                net().seedFor(QStringLiteral("uas-b")), b));
            auto& registrar = keep(std::make_unique<peers::Registrar>(stack, QStringLiteral("registrar"),
                QStringLiteral("10.0.0.6"), net().seedFor(QStringLiteral("registrar"))));
            const LinkParams p = linkParams(0, 10);
            net().wire(m_you->transport(), uas.transport(), p, p);
            net().wire(m_you->transport(), proxy->transport(), p, p);
            net().wire(m_you->transport(), registrar.transport(), p, p);
            net().wire(proxy->transport(), uasA.transport(), p, p);
            net().wire(proxy->transport(), uasB.transport(), p, p);
            proxy->setTargets({ uasA.address(), uasB.address() });
            // SCTP: the composer's one-to-many socket on sctp-a, an echo on sctp-b.
            sctp::LabLinkPair& pair = addPair(p, p, QStringLiteral("10.0.0.1"), QStringLiteral("10.0.0.7"));
            m_echo = &keepSctp(std::make_unique<peers::SctpEcho>(engine(), pair.b(), 7, sctp::Style::OneToOne));
            m_sctpYou = engine().socket(sctp::Style::OneToMany, pair.a());
            if (m_sctpYou)
                m_sctpYou->bind(5000);
            m_peers = { QStringLiteral("you 10.0.0.1:5060"), QStringLiteral("uas 10.0.0.2:5060"),
                QStringLiteral("proxy 10.0.0.3:5060 (forks to uas-a 10.0.0.4, uas-b 10.0.0.5)"),
                QStringLiteral("registrar 10.0.0.6:5060"), QStringLiteral("sctp-echo 10.0.0.7:7 (SCTP)") };
        }

        bool finished() const override { return false; }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            r.ok = m_you != nullptr && m_echo && m_echo->ok() && m_sctpYou;
            if (!r.ok)
                r.failure = QStringLiteral("the playground was not started");
            r.findings << QStringLiteral("peers: %1").arg(m_peers.join(QStringLiteral("; ")));
            return r;
        }

        sip::SipStack* composerSipStack() override { return m_you ? &m_you->sip() : nullptr; }
        int composerSctpDescriptor() override { return m_sctpYou ? m_sctpYou->descriptor() : -1; }
        void stop() override
        {
            m_you = nullptr;
            m_echo = nullptr;
            m_sctpYou = nullptr;
            SctpLabScenario::stop();
        }

    protected:
        void tick() override { }

    private:
        peers::SipUac* m_you = nullptr;
        peers::SctpEcho* m_echo = nullptr;
        sctp::Endpoint* m_sctpYou = nullptr;
        QStringList m_peers;
    };

} // namespace

void registerPlayground()
{
    registerScenario(QStringLiteral("playground"), [] { return std::make_unique<Playground>(); });
}

} // namespace ladder::lab
