// SPDX-License-Identifier: GPL-3.0-or-later
// sendall (SCTP_SENDALL on a one-to-many socket) and addr-over (SCTP_ADDR_OVER).
#include "sctpscenario.h"

#include "core/stack.h"
#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"

namespace ladder::lab {

namespace {

    class SendAll : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("sendall"); }
        QString title() const override { return QStringLiteral("SCTP_SENDALL on a one-to-many socket"); }
        QString summary() const override
        {
            return QStringLiteral("One sctp_sendmsg with SCTP_SENDALL reaches every association of a one-to-many socket");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "A one-to-many (SOCK_SEQPACKET) SCTP socket holds many associations at once; a send names the "
                "association (or the peer address) it is for. With SCTP_SENDALL (RFC 6458 §5.3.2), one call "
                "sends the same message on every association of the socket — a broadcast to all peers.\n\n"
                "Here a one-to-many server on sctp-b (port 5000) is joined by three one-to-one clients from "
                "sctp-a; once all three associations are up, the server makes one sctp_sendmsg call with "
                "SCTP_SENDALL, and each client receives the message once, on its own association (three DATA "
                "chunks, three TSN spaces).");
        }
        double defaultDurationS() const override { return 8; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            m_pair = &addPair(linkParams(0, 10), linkParams(0, 10));
            m_server = &keepSctp(std::make_unique<peers::SctpSink>(engine(), m_pair->b(), 5000, sctp::Style::OneToMany));
            for (int i = 0; i < kClients; ++i) {
                m_clients << &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a()));
                if (!m_clients.last()->connect(sctp::Address { QStringLiteral("10.0.0.2"), 5000 }))
                    done();
            }
            if (!m_server->ok())
                done();
        }

        void tick() override
        {
            if (phase() == 0) {
                bool all = true;
                for (auto* c : std::as_const(m_clients))
                    all = all && c->up();
                if (all && m_server->listener()->associations().size() == kClients) {
                    sctp::SendInfo info;
                    info.flags = sctp::flag::SendAll;
                    info.ppid = 51; // WebRTC string, for Wireshark's sake
                    auto r = m_server->listener()->send("hello, everyone", info);
                    m_sendOk = bool(r);
                    if (!r)
                        m_sendError = r.error().text();
                    nextPhase();
                } else if (inPhaseMs() > 4000) {
                    done();
                }
                return;
            }
            int got = 0;
            for (auto* c : std::as_const(m_clients))
                got += !c->received().isEmpty();
            if ((got == kClients && inPhaseMs() > 200) || inPhaseMs() > 3000)
                done();
        }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            QStringList per;
            int reached = 0;
            for (auto* c : m_clients) {
                const int n = int(c->received().size());
                per << QString::number(n);
                reached += n == 1 && c->received().first().data == "hello, everyone";
            }
            r.findings << QStringLiteral("one sctp_sendmsg(SCTP_SENDALL) on the one-to-many socket with %1 associations: %2")
                              .arg(m_server && m_server->listener() ? m_server->listener()->associations().size() : 0)
                              .arg(m_sendOk ? QStringLiteral("accepted") : m_sendError);
            r.findings << QStringLiteral("messages received per client: %1").arg(per.join(QStringLiteral(", ")));
            if (!m_sendOk) {
                r.failure = QStringLiteral("the SCTP_SENDALL send failed: %1").arg(m_sendError);
                return r;
            }
            if (reached != kClients) {
                r.failure = QStringLiteral("%1 of %2 clients received the message exactly once").arg(reached).arg(kClients);
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        static constexpr int kClients = 3;
        sctp::LabLinkPair* m_pair = nullptr;
        peers::SctpSink* m_server = nullptr;
        QList<peers::SctpSender*> m_clients;
        bool m_sendOk = false;
        QString m_sendError;
    };

    class AddrOver : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("addr-over"); }
        QString title() const override { return QStringLiteral("SCTP_ADDR_OVER and a failing path"); }
        QString summary() const override
        {
            return QStringLiteral("Sending with SCTP_ADDR_OVER to a named destination address while its path fails and recovers");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "On a multi-homed association SCTP picks the path (the destination address) itself: the "
                "primary path, and another when the primary fails. SCTP_ADDR_OVER in sctp_sendmsg(3) overrides "
                "that choice: the message goes to the address given in the call. When that path fails, its "
                "retransmissions time out, its error counter climbs, and past Path.Max.Retrans the address is "
                "reported unreachable (SCTP_PEER_ADDR_CHANGE).\n\n"
                "Limitation of this lab: usrsctp's in-process (AF_CONN) addresses cannot be multi-homed, so "
                "the association here has one path. sctp-a sends with SCTP_ADDR_OVER to sctp-b's address; the "
                "path fails for 1.5 s (link down) while messages keep being sent — watch the timeout "
                "retransmissions and the PEER_ADDR_CHANGE — then recovers, and everything sent is delivered. "
                "With two paths the same run would show the failover that this one cannot.");
        }
        double defaultDurationS() const override { return 10; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            m_pair = &addPair(linkParams(0, 10), linkParams(0, 10));
            m_sink = &keepSctp(std::make_unique<peers::SctpSink>(engine(), m_pair->b(), 5000, sctp::Style::OneToOne));
            m_sender = &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a(), sctp::Style::OneToMany));
            m_sender->endpoint()->setRto(100, 50, 300);
            m_sender->endpoint()->setHeartbeat(200, 3);
            if (!m_sink->ok() || !m_sender->connect(kPeer))
                done();
        }

        void tick() override
        {
            switch (phase()) {
            case 0:
                if (m_sender->up()) {
                    send();
                    m_pair->aToB().setParams(down(true));
                    nextPhase();
                } else if (inPhaseMs() > 3000) {
                    done();
                }
                break;
            case 1:
                if (inPhaseMs() % 300 < 20)
                    send();
                if (inPhaseMs() >= 1500) {
                    m_pair->aToB().setParams(down(false));
                    nextPhase();
                }
                break;
            default:
                if ((int(m_sink->received().size()) == m_sent && inPhaseMs() > 300) || inPhaseMs() > 6000)
                    done();
            }
        }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            const int rtx = int(events(stack, [](const trace::Event& e) { return e.kind == trace::Kind::SctpRetransmission; }).size());
            const int unreachable = int(events(stack, [](const trace::Event& e) {
                return e.kind == trace::Kind::SctpNotification && e.text.contains(QLatin1String("PEER_ADDR_CHANGE"))
                    && e.text.contains(QLatin1String("unreachable"));
            }).size());
            r.findings << QStringLiteral("%1 messages sent with SCTP_ADDR_OVER to %2, %3 delivered")
                              .arg(m_sent)
                              .arg(kPeer.toString())
                              .arg(m_sink ? m_sink->received().size() : 0);
            r.findings << QStringLiteral("%1 retransmissions while the path was down; %2 PEER_ADDR_CHANGE unreachable").arg(rtx).arg(unreachable);
            r.findings << QStringLiteral("one path only: in-process (AF_CONN) associations cannot be multi-homed, so no failover");
            if (m_sender && !m_sender->errors().isEmpty()) {
                r.failure = QStringLiteral("sending failed: %1").arg(m_sender->errors().first());
                return r;
            }
            if (m_sent < 2 || m_sink->received().size() != m_sent) {
                r.failure = QStringLiteral("%1 of %2 messages arrived").arg(m_sink ? m_sink->received().size() : 0).arg(m_sent);
                return r;
            }
            if (rtx == 0) {
                r.failure = QStringLiteral("the failing path caused no retransmission");
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        LinkParams down(bool isDown) const
        {
            LinkParams p = m_pair->aToB().params();
            p.up = !isDown;
            return p;
        }
        void send()
        {
            sctp::SendInfo info;
            info.flags = sctp::flag::AddrOver;
            info.to = kPeer;
            if (m_sender->send("addr-over-" + QByteArray::number(m_sent), info))
                ++m_sent;
        }

        inline static const sctp::Address kPeer { QStringLiteral("10.0.0.2"), 5000 };
        sctp::LabLinkPair* m_pair = nullptr;
        peers::SctpSink* m_sink = nullptr;
        peers::SctpSender* m_sender = nullptr;
        int m_sent = 0;
    };

} // namespace

void registerSctpSendAll()
{
    registerScenario(QStringLiteral("sendall"), [] { return std::make_unique<SendAll>(); });
    registerScenario(QStringLiteral("addr-over"), [] { return std::make_unique<AddrOver>(); });
}

} // namespace ladder::lab
