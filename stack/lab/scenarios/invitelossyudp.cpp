// SPDX-License-Identifier: GPL-3.0-or-later
// invite-lossy-udp: Timer A doubling and Timer B over a lossy UDP link.
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class InviteLossyUdp : public UacScenario {
    public:
        QString name() const override { return QStringLiteral("invite-lossy-udp"); }
        QString title() const override { return QStringLiteral("INVITE over lossy UDP"); }
        QString summary() const override
        {
            return QStringLiteral("Timer A doubles the INVITE's retransmission interval (0.5, 1, 2 s…) until "
                                  "an answer or Timer B (64·T1)");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "UDP does not deliver reliably, so the INVITE client transaction retransmits the INVITE "
                "itself (RFC 3261 §17.1.1.2). Timer A starts at T1 (0.5 s) and doubles after every "
                "retransmission: the INVITE leaves at 0, 0.5, 1.5, 3.5, 7.5 s… until any response arrives "
                "(a 100 Trying is enough to stop it). Timer B, 64·T1 = 32 s, bounds the whole attempt: when "
                "it fires, the transaction gives up and the caller sees a timeout.\n\n"
                "Here the link from uac to uas is down for the first 3 s, so the first three INVITEs are "
                "lost, and loses 20% of the datagrams in both directions afterwards. Watch the intervals "
                "between the retransmissions on the timeline, then the 180, the 200 (retransmitted by the "
                "callee until the ACK arrives), the ACK and the BYE. Raise the loss to 100% and the INVITE "
                "is retransmitted 6 times before Timer B ends the attempt at 32 s.");
        }
        double defaultDurationS() const override { return 40; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginWithUac(stack, params);
            peers::SipUas::Answer answer;
            answer.ringMs = 2000;
            addUas(answer);
            const LinkParams p = linkParams(20, 20);
            auto [toUas, toUac] = net().wire(m_uac->transport(), m_uas->transport(), p, p);
            (void)toUac;
            // The outage: the first INVITEs are lost whatever the seed, so every run shows Timer A.
            peers::Network::setUp(*toUas, false);
            after(kOutageNs, [link = toUas] { peers::Network::setUp(*link, true); });
            m_t1Ns = m_uac->sip().timers().t1Ns;
            peers::SipUac::Call call;
            call.nextHop = m_uas->address();
            call.requestUri = "sip:uas@10.0.0.2";
            call.hangUpAfterMs = 1000;
            m_startNs = stack.scheduler().nowNs();
            m_invite = m_uac->call(call);
        }

        bool finished() const override { return m_uac && (m_invite == 0 || m_uac->idle()); }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            if (!m_invite) {
                r.failure = QStringLiteral("the INVITE could not be sent: %1").arg(m_uac->errors().join(QStringLiteral("; ")));
                return r;
            }
            const QList<qint64> sends = sendTimes(stack, QStringLiteral("uac"), m_invite);
            QList<qint64> at, intervals;
            for (qsizetype i = 0; i < sends.size(); ++i) {
                at << sends[i] - m_startNs;
                if (i > 0)
                    intervals << sends[i] - sends[i - 1];
            }
            r.findings << QStringLiteral("INVITE sent %1 times, at %2 s").arg(sends.size()).arg(seconds(at));
            r.findings << QStringLiteral("Timer A intervals: %1 s (T1 = %2 s, doubling)")
                              .arg(seconds(intervals), secondsOf(m_t1Ns));
            for (qsizetype i = 0; i < intervals.size(); ++i) {
                if (!isInterval(stack, intervals[i], m_t1Ns << i)) {
                    r.failure = QStringLiteral("retransmission %1 came %2 s after the previous one, not %3 s")
                                    .arg(i + 1)
                                    .arg(secondsOf(intervals[i]), secondsOf(m_t1Ns << i));
                    return r;
                }
            }
            if (intervals.isEmpty()) {
                r.failure = QStringLiteral("the INVITE was never retransmitted");
                return r;
            }
            const int status = m_uac->finalStatus(m_invite);
            const QString timer = m_uac->timeout(m_invite);
            if (status >= 200 && status < 300) {
                r.findings << QStringLiteral("answered: %1, ACK sent %2 time(s), BYE %3")
                                  .arg(status)
                                  .arg(m_uac->acksSent())
                                  .arg(m_uac->byesSent() ? QStringLiteral("sent") : QStringLiteral("not sent"));
            } else if (timer == QLatin1String("B")) {
                const qint64 after = m_uac->timeoutAtNs(m_invite) - (sends.isEmpty() ? m_startNs : sends.first());
                r.findings << QStringLiteral("Timer B fired %1 s after the first INVITE (64·T1 = %2 s): the call failed")
                                  .arg(secondsOf(after), secondsOf(64 * m_t1Ns));
                if (!isInterval(stack, after, 64 * m_t1Ns)) {
                    r.failure = QStringLiteral("Timer B fired after %1 s, not 64·T1").arg(secondsOf(after));
                    return r;
                }
            } else if (status) {
                r.findings << QStringLiteral("final response %1").arg(status);
            } else {
                r.failure = QStringLiteral("neither an answer nor Timer B within the run");
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        static constexpr qint64 kOutageNs = 3'000'000'000;
        quint64 m_invite = 0;
        qint64 m_startNs = 0;
        qint64 m_t1Ns = 500'000'000;
    };

} // namespace

void registerInviteLossyUdp()
{
    registerScenario(QStringLiteral("invite-lossy-udp"), [] { return std::make_unique<InviteLossyUdp>(); });
}

} // namespace ladder::lab
