// SPDX-License-Identifier: GPL-3.0-or-later
// sendall (SCTP_SENDALL on a one-to-many socket).
#include "sctpscenario.h"

#include "host/stack.h"
#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"

#include <QtEndian>

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
                    info.ppid = qToBigEndian(quint32(51)); // WebRTC String on the wire, for Wireshark's sake
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

} // namespace

void registerSctpSendAll()
{
    registerScenario(QStringLiteral("sendall"), [] { return std::make_unique<SendAll>(); });
}

} // namespace ladder::lab
