// SPDX-License-Identifier: GPL-3.0-or-later
// prsctp-ttl-rtx-buf: the three PR-SCTP policies over a lossy link with an outage.
#include "sctpscenario.h"

#include "host/stack.h"
#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"

#include <map>

namespace ladder::lab {

namespace {

    class PrSctp : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("prsctp-ttl-rtx-buf"); }
        QString title() const override { return QStringLiteral("PR-SCTP: TTL vs RTX vs BUF"); }
        QString summary() const override
        {
            return QStringLiteral("Partially reliable messages over a lossy link: what each policy abandons, and FORWARD-TSN");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "PR-SCTP (RFC 3758, RFC 7496) lets a sender give up on a message instead of retransmitting it "
                "forever. sctp_sendmsg(3) carries the policy and its value: TTL abandons a message that is "
                "still unacknowledged after its lifetime (ms), RTX after the given number of retransmissions, "
                "and BUF turns the value into a number of bytes: \"If that number or more bytes are in queue, "
                "then other buffer based sends are looked to be removed and skipped\" — a BUF message that finds "
                "the association's send queue holding that much abandons older BUF messages, the oldest first, "
                "to make its room. An abandoned message is reported to the sender with the context value it was "
                "sent with (SCTP_SEND_FAILED_EVENT), and the sender moves the receiver's cumulative TSN past it "
                "with a FORWARD-TSN chunk, so the receiver stops waiting for it.\n\n"
                "Here, after one BUF message went through, the link towards sctp-b goes down for 600 ms and "
                "loses 15% afterwards; during the outage sctp-a sends 10 messages of each kind: TTL 150 ms "
                "(contexts 100…), RTX 1 (200…) and BUF with a threshold of 2000 bytes (300…) in turn, then 10 "
                "fully reliable ones (400…). Once 2000 bytes or more are queued, each BUF send abandons the oldest "
                "BUF message left. Watch the timeline: retransmissions, abandon "
                "marks with their contexts, the FORWARD-TSNs; the reliable messages all arrive, however long "
                "it takes.\n\n"
                "usrsctp details: it reads BUF as RFC 7496's priority (LadderLab offers that as the PRIO "
                "policy). LadderLab builds the page's threshold on it: each BUF message ranks below the ones "
                "before it, and a send that finds the threshold reached is made in explicit-EOR mode with the "
                "send buffer ending where the queue does, which is when usrsctp prunes. It prunes only messages "
                "already handed to the association (in flight or ready to go, not those still waiting in the "
                "stream queue), and only after a BUF message of the association has been acknowledged — hence "
                "the first message.");
        }
        double defaultDurationS() const override { return 10; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            m_lossy = linkParams(15, 20);
            m_pair = &addPair({}, {}); // a clean handshake: the lesson is the data
            m_sink = &keepSctp(std::make_unique<peers::SctpSink>(engine(), m_pair->b(), 5000, sctp::Style::OneToOne));
            m_sender = &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a()));
            m_sender->endpoint()->setRto(100, 50, 200);
            m_sender->endpoint()->setSendBuffer(kSendBuffer);
            // Enough path retransmissions that the outage does not mark the only path unreachable
            // (with no other path the data would then wait for a heartbeat).
            m_sender->endpoint()->setHeartbeat(200, 30);
            if (!m_sink->ok() || !m_sender->connect(sctp::Address { QStringLiteral("10.0.0.2"), 5000 }))
                done();
        }

        void tick() override
        {
            switch (phase()) {
            case 0:
                if (m_sender->up()) {
                    // usrsctp opens BUF pruning only after a BUF chunk was acknowledged: one goes
                    // through first (its threshold never reached), acknowledged at once.
                    sctp::SendInfo info;
                    info.setPolicy(sctp::PrPolicy::Buf, kSendBuffer);
                    info.flags |= sctp::flag::SackImmediately;
                    info.context = kWarmUp;
                    m_sender->send("buf-" + QByteArray::number(kWarmUp) + "-first", info);
                    nextPhase();
                } else if (inPhaseMs() > 3000) {
                    done();
                }
                break;
            case 1: {
                bool arrived = false;
                for (const auto& m : m_sink->received())
                    arrived = arrived || m.data.startsWith("buf-" + QByteArray::number(kWarmUp));
                if (arrived && inPhaseMs() >= 100) {
                    LinkParams down = m_lossy;
                    down.up = false;
                    m_pair->aToB().setParams(down);
                    m_pair->bToA().setParams(m_lossy);
                    // The three policies in turn, so that each has messages in flight when the
                    // link is down (what waits in the stream queue is neither retransmitted nor
                    // pruned).
                    for (quint32 i = 0; i < kEach; ++i) {
                        send(sctp::PrPolicy::Ttl, 150, 100 + i);
                        send(sctp::PrPolicy::Rtx, 1, 200 + i);
                        send(sctp::PrPolicy::Buf, kBufThreshold, 300 + i);
                    }
                    for (quint32 i = 0; i < kEach; ++i)
                        send(sctp::PrPolicy::None, 0, 400 + i);
                    nextPhase();
                } else if (inPhaseMs() > 3000) {
                    done();
                }
                break;
            }
            case 2:
                if (inPhaseMs() >= kOutageMs) {
                    m_pair->aToB().setParams(m_lossy);
                    nextPhase();
                }
                break;
            default: {
                int reliable = 0;
                for (const auto& m : m_sink->received())
                    reliable += m.data.startsWith("reliable-");
                if ((reliable == int(kEach) && inPhaseMs() > 500) || inPhaseMs() > 7000)
                    done();
            }
            }
        }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            std::map<quint64, QList<quint64>> abandoned; // policy -> contexts
            for (const trace::Event& e : events(stack, [](const trace::Event& e) { return e.kind == trace::Kind::SctpAbandon; }))
                abandoned[e.a].append(e.c);
            const int fwd = int(events(stack, [](const trace::Event& e) { return e.kind == trace::Kind::SctpForwardTsn; }).size());
            const int rtx = int(events(stack, [](const trace::Event& e) { return e.kind == trace::Kind::SctpRetransmission; }).size());
            QMap<QByteArray, int> delivered;
            for (const auto& m : m_sink->received())
                ++delivered[m.data.left(m.data.indexOf('-'))];
            const char* names[] = { "", "TTL", "BUF", "RTX" };
            for (quint64 p = 1; p <= 3; ++p) {
                QStringList ctx;
                for (const quint64 c : abandoned[p])
                    ctx << QString::number(c);
                r.findings << QStringLiteral("%1: %2 abandoned (contexts %3), %4 delivered")
                                  .arg(QLatin1String(names[p]))
                                  .arg(abandoned[p].size())
                                  .arg(ctx.isEmpty() ? QStringLiteral("none") : ctx.join(QLatin1Char(',')))
                                  .arg(delivered.value(QByteArray(names[p]).toLower()));
            }
            r.findings << QStringLiteral("reliable: %1 of %2 delivered; %3 retransmissions; %4 FORWARD-TSN")
                              .arg(delivered.value("reliable"))
                              .arg(kEach)
                              .arg(rtx)
                              .arg(fwd);
            if (!m_sender || !m_sender->errors().isEmpty()) {
                r.failure = QStringLiteral("sending failed: %1").arg(m_sender ? m_sender->errors().join(QStringLiteral("; ")) : QString());
                return r;
            }
            // Every abandoned context must belong to the policy it is reported under.
            for (const auto& [policy, contexts] : abandoned) {
                const quint64 base = policy == 1 ? 100 : policy == 3 ? 200 : 300;
                for (const quint64 c : contexts) {
                    if (c < base || c >= base + kEach) {
                        r.failure = QStringLiteral("context %1 was abandoned under policy %2").arg(c).arg(policy);
                        return r;
                    }
                }
            }
            if (abandoned[1].isEmpty() || abandoned[3].isEmpty()) {
                r.failure = QStringLiteral("TTL and RTX should both have abandoned messages during the outage");
                return r;
            }
            if (abandoned[2].isEmpty()) {
                r.failure = QStringLiteral("BUF should have abandoned messages once %1 bytes were queued").arg(kBufThreshold);
                return r;
            }
            if (fwd == 0) {
                r.failure = QStringLiteral("no FORWARD-TSN was sent");
                return r;
            }
            if (delivered.value("reliable") != int(kEach)) {
                r.failure = QStringLiteral("only %1 of %2 reliable messages arrived").arg(delivered.value("reliable")).arg(kEach);
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        void send(sctp::PrPolicy policy, quint32 value, quint32 context)
        {
            sctp::SendInfo info;
            info.setPolicy(policy, value);
            info.context = context;
            const char* kind = policy == sctp::PrPolicy::Ttl ? "ttl" : policy == sctp::PrPolicy::Rtx ? "rtx" : policy == sctp::PrPolicy::Buf ? "buf" : "reliable";
            m_sender->send(QByteArray(kind) + '-' + QByteArray::number(context) + '-' + QByteArray(400, 'p'), info);
        }

        static constexpr quint32 kEach = 10;
        static constexpr qint64 kOutageMs = 600;
        // Room for all 40 messages: what abandons BUF messages here is their threshold, not a
        // full buffer.
        static constexpr int kSendBuffer = 24000;
        static constexpr quint32 kBufThreshold = 2000;
        static constexpr quint32 kWarmUp = 399;
        LinkParams m_lossy;
        sctp::LabLinkPair* m_pair = nullptr;
        peers::SctpSink* m_sink = nullptr;
        peers::SctpSender* m_sender = nullptr;
    };

} // namespace

void registerPrSctp()
{
    registerScenario(QStringLiteral("prsctp-ttl-rtx-buf"), [] { return std::make_unique<PrSctp>(); });
}

} // namespace ladder::lab
