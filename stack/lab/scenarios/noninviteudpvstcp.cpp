// SPDX-License-Identifier: GPL-3.0-or-later
// noninvite-udp-vs-tcp: Timer E capped at T2 on UDP, no retransmissions on TCP.
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class NonInviteUdpVsTcp : public UacScenario {
    public:
        QString name() const override { return QStringLiteral("noninvite-udp-vs-tcp"); }
        QString title() const override { return QStringLiteral("Non-INVITE over UDP vs TCP"); }
        QString summary() const override
        {
            return QStringLiteral("The same OPTIONS to a slow server: Timer E retransmits on UDP, capped at T2; "
                                  "nothing is retransmitted on TCP");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "A non-INVITE client transaction (RFC 3261 §17.1.2) retransmits its request on an unreliable "
                "transport: Timer E starts at T1 (0.5 s) and doubles, but unlike Timer A it is capped at T2 "
                "(4 s), so a slow server sees the request at 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5 s — every 4 s "
                "once the cap is reached. On a reliable transport (TCP, SCTP) the transport does the "
                "retransmitting, so Timer E is never armed and the request is sent exactly once. Timer F "
                "(64·T1 = 32 s) bounds both.\n\n"
                "Here uac sends the same OPTIONS to uas over UDP and over TCP at the same moment; uas takes "
                "16 s to answer either. Compare the two transactions: the UDP one shows six retransmissions "
                "with intervals 0.5, 1, 2, 4, 4, 4 s and, after its 200, Timer K (T4 = 5 s) absorbing late "
                "retransmissions; the TCP one shows one request, one response, and Timer K of zero.");
        }
        double defaultDurationS() const override { return 40; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginWithUac(stack, params);
            peers::SipUas::Answer answer;
            answer.nonInviteDelayMs = kServerDelayMs;
            addUas(answer);
            const LinkParams p = linkParams(0, 10);
            for (const auto type : { sip::TransportType::Udp, sip::TransportType::Tcp })
                net().wire(m_uac->transport(type), m_uas->transport(type), p, p);
            m_t1Ns = m_uac->sip().timers().t1Ns;
            m_t2Ns = m_uac->sip().timers().t2Ns;
            peers::SipUac::Request req;
            req.nextHop = m_uas->address();
            req.requestUri = "sip:uas@10.0.0.2";
            m_udp = m_uac->request(req);
            req.transport = sip::TransportType::Tcp;
            req.requestUri = "sip:uas@10.0.0.2;transport=tcp";
            m_tcp = m_uac->request(req);
        }

        bool finished() const override { return m_uac && (!m_udp || !m_tcp || m_uac->idle()); }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            if (!m_udp || !m_tcp) {
                r.failure = QStringLiteral("the OPTIONS could not be sent: %1").arg(m_uac->errors().join(QStringLiteral("; ")));
                return r;
            }
            const QList<qint64> udp = sendTimes(stack, QStringLiteral("uac"), m_udp);
            const QList<qint64> tcp = sendTimes(stack, QStringLiteral("uac"), m_tcp);
            QList<qint64> intervals;
            for (qsizetype i = 1; i < udp.size(); ++i)
                intervals << udp[i] - udp[i - 1];
            r.findings << QStringLiteral("UDP: OPTIONS sent %1 times, Timer E intervals %2 s (T1 = %3 s, T2 = %4 s), final %5")
                              .arg(udp.size())
                              .arg(seconds(intervals), secondsOf(m_t1Ns), secondsOf(m_t2Ns))
                              .arg(finalText(m_udp));
            r.findings << QStringLiteral("TCP: OPTIONS sent %1 time(s), %2 retransmissions, final %3")
                              .arg(tcp.size())
                              .arg(std::max<qsizetype>(0, tcp.size() - 1))
                              .arg(finalText(m_tcp));
            bool capped = false;
            for (qsizetype i = 0; i < intervals.size(); ++i) {
                const qint64 want = std::min(m_t1Ns << std::min<qsizetype>(i, 40), m_t2Ns);
                if (!isInterval(stack, intervals[i], want)) {
                    r.failure = QStringLiteral("UDP retransmission %1 came %2 s after the previous one, not %3 s")
                                    .arg(i + 1)
                                    .arg(secondsOf(intervals[i]), secondsOf(want));
                    return r;
                }
                if (i > 0 && isInterval(stack, intervals[i], m_t2Ns) && isInterval(stack, intervals[i - 1], m_t2Ns))
                    capped = true;
            }
            if (!capped) {
                r.failure = QStringLiteral("the UDP run did not last long enough to show Timer E capped at T2");
                return r;
            }
            if (tcp.size() != 1) {
                r.failure = QStringLiteral("the TCP request was sent %1 times; a reliable transport sends it once").arg(tcp.size());
                return r;
            }
            const int armedOnTcp = int(events(stack, [&](const trace::Event& e) {
                return e.kind == trace::Kind::TimerArmed && e.object == m_tcp && fromLabel(e, QStringLiteral("uac"))
                    && e.text == QLatin1String("E");
            }).size());
            if (armedOnTcp) {
                r.failure = QStringLiteral("Timer E was armed on TCP");
                return r;
            }
            r.findings << QStringLiteral("Timer E never armed on TCP");
            r.ok = true;
            return r;
        }

    private:
        QString finalText(quint64 tx) const
        {
            const int s = m_uac->finalStatus(tx);
            if (s)
                return QString::number(s);
            const QString t = m_uac->timeout(tx);
            return t.isEmpty() ? QStringLiteral("none") : QStringLiteral("Timer %1 timeout").arg(t);
        }

        static constexpr qint64 kServerDelayMs = 16000;
        quint64 m_udp = 0, m_tcp = 0;
        qint64 m_t1Ns = 500'000'000, m_t2Ns = 4'000'000'000;
    };

} // namespace

void registerNonInviteUdpVsTcp()
{
    registerScenario(QStringLiteral("noninvite-udp-vs-tcp"), [] { return std::make_unique<NonInviteUdpVsTcp>(); });
}

} // namespace ladder::lab
