// SPDX-License-Identifier: GPL-3.0-or-later
// unordered-vs-ordered and eof-vs-abort: delivery order under reordering; graceful vs abortive end.
#include "sctpscenario.h"

#include "host/stack.h"
#include "lab/peers/sctppeers.h"
#include "sctp/endpoint.h"

namespace ladder::lab {

namespace {

    class UnorderedVsOrdered : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("unordered-vs-ordered"); }
        QString title() const override { return QStringLiteral("Unordered vs ordered delivery"); }
        QString summary() const override
        {
            return QStringLiteral("Over a reordering link, ordered messages arrive in order; SCTP_UNORDERED ones as they come");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "Within one stream SCTP delivers ordered messages in the order they were sent: each carries a "
                "stream sequence number (SSN), and a message that arrives early waits for the ones before it "
                "(head-of-line blocking, but only within its stream). A message sent with SCTP_UNORDERED "
                "(sctp_sendmsg(3)) has no SSN: the receiver hands it up as soon as it is complete.\n\n"
                "Here sctp-a sends 30 ordered messages on stream 0 and 30 unordered ones on stream 1, one of "
                "each every 20 ms, over a link that holds back 40% of the packets by 60 ms so later ones pass "
                "them. At sctp-b the ordered stream arrives in sequence; the unordered stream arrives out of "
                "order — count the inversions.");
        }
        double defaultDurationS() const override { return 8; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            LinkParams p = linkParams(0, 10);
            p.reorderPct = 40;
            p.reorderExtraMs = 60;
            m_pair = &addPair(p, linkParams(0, 10));
            m_sink = &keepSctp(std::make_unique<peers::SctpSink>(engine(), m_pair->b(), 5000, sctp::Style::OneToOne));
            m_sender = &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a()));
            if (!m_sink->ok() || !m_sender->connect(sctp::Address { QStringLiteral("10.0.0.2"), 5000 }))
                done();
        }

        void tick() override
        {
            if (phase() == 0) {
                if (m_sender->up())
                    nextPhase();
                else if (inPhaseMs() > 3000)
                    done();
                return;
            }
            if (m_next < kCount) {
                sctp::SendInfo o;
                o.stream = 0;
                m_sender->send("ordered-" + QByteArray::number(m_next), o);
                sctp::SendInfo u;
                u.stream = 1;
                u.flags = sctp::flag::Unordered;
                m_sender->send("unordered-" + QByteArray::number(m_next), u);
                ++m_next;
                return;
            }
            if (int(m_sink->received().size()) >= 2 * kCount || inPhaseMs() > 6000)
                done();
        }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            QList<int> ordered, unordered;
            for (const auto& m : m_sink->received()) {
                const int n = m.data.mid(m.data.indexOf('-') + 1).toInt();
                (m.data.startsWith("ordered-") ? ordered : unordered) << n;
            }
            auto inversions = [](const QList<int>& v) {
                int n = 0;
                for (qsizetype i = 1; i < v.size(); ++i)
                    n += v[i] < v[i - 1];
                return n;
            };
            r.findings << QStringLiteral("stream 0 (ordered): %1 of %2 received, %3 out of order").arg(ordered.size()).arg(kCount).arg(inversions(ordered));
            r.findings << QStringLiteral("stream 1 (unordered): %1 of %2 received, %3 out of order").arg(unordered.size()).arg(kCount).arg(inversions(unordered));
            if (ordered.size() != kCount || unordered.size() != kCount) {
                r.failure = QStringLiteral("not every message arrived");
                return r;
            }
            if (inversions(ordered) != 0) {
                r.failure = QStringLiteral("ordered messages arrived out of order");
                return r;
            }
            if (inversions(unordered) == 0) {
                r.failure = QStringLiteral("no unordered message overtook another (raise the reordering)");
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        static constexpr int kCount = 30;
        sctp::LabLinkPair* m_pair = nullptr;
        peers::SctpSink* m_sink = nullptr;
        peers::SctpSender* m_sender = nullptr;
        int m_next = 0;
    };

    class EofVsAbort : public SctpLabScenario {
    public:
        QString name() const override { return QStringLiteral("eof-vs-abort"); }
        QString title() const override { return QStringLiteral("SCTP_EOF vs SCTP_ABORT"); }
        QString summary() const override
        {
            return QStringLiteral("Two associations end: SCTP_EOF delivers everything then SHUTDOWNs; SCTP_ABORT drops what is queued");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "sctp_sendmsg(3) can end an association two ways. SCTP_EOF starts a graceful shutdown: the "
                "sender stops accepting new data, everything already queued is still delivered and "
                "acknowledged, then SHUTDOWN, SHUTDOWN-ACK and SHUTDOWN-COMPLETE close it. SCTP_ABORT ends it "
                "at once with an ABORT chunk (the data of the call travels as the user's abort reason): "
                "messages still queued or in flight are thrown away.\n\n"
                "Here two clients on sctp-a each send 20 messages of 1000 bytes to sctp-b over a slow link "
                "(256 kbit/s), then one sends SCTP_EOF and the other SCTP_ABORT. The EOF association delivers "
                "all 20 and shuts down; the ABORT one delivers only what got through before its ABORT.");
        }
        double defaultDurationS() const override { return 10; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginSctp(stack, params);
            LinkParams slow = linkParams(0, 10);
            slow.rateBitsPerSec = 256'000;
            m_pair = &addPair(slow, linkParams(0, 10));
            m_sink = &keepSctp(std::make_unique<peers::SctpSink>(engine(), m_pair->b(), 5000, sctp::Style::OneToOne));
            m_eof = &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a()));
            m_abort = &keepSctp(std::make_unique<peers::SctpSender>(engine(), m_pair->a()));
            const sctp::Address to { QStringLiteral("10.0.0.2"), 5000 };
            if (!m_sink->ok() || !m_eof->connect(to) || !m_abort->connect(to))
                done();
        }

        void tick() override
        {
            switch (phase()) {
            case 0:
                if (m_eof->up() && m_abort->up()) {
                    for (int i = 0; i < kCount; ++i) {
                        m_eof->send("eof-" + QByteArray::number(i) + '-' + QByteArray(990, 'e'), {});
                        m_abort->send("abort-" + QByteArray::number(i) + '-' + QByteArray(990, 'a'), {});
                    }
                    sctp::SendInfo eof;
                    eof.flags = sctp::flag::Eof;
                    m_eof->send({}, eof);
                    sctp::SendInfo abort;
                    abort.flags = sctp::flag::Abort;
                    m_abort->send("lesson over", abort);
                    nextPhase();
                } else if (inPhaseMs() > 3000) {
                    done();
                }
                break;
            default:
                if ((received("eof-") == kCount && m_eof->down() && m_abort->down() && inPhaseMs() > 300) || inPhaseMs() > 8000)
                    done();
            }
        }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            const int eof = received("eof-"), abort = received("abort-");
            auto chunks = [&](const QString& prefix) {
                return int(events(stack, [&](const trace::Event& e) {
                    return e.kind == trace::Kind::SctpChunk && e.dir == trace::Dir::Tx && e.text.startsWith(prefix);
                }).size());
            };
            const int shutdowns = chunks(QStringLiteral("SHUTDOWN_COMPLETE")) + chunks(QStringLiteral("SHUTDOWN-COMPLETE"));
            const int aborts = chunks(QStringLiteral("ABORT"));
            r.findings << QStringLiteral("SCTP_EOF: %1 of %2 delivered, then %3 (SHUTDOWN-COMPLETE chunks: %4)")
                              .arg(eof)
                              .arg(kCount)
                              .arg(m_eof && m_eof->down() ? m_eof->downReason() : QStringLiteral("still up"))
                              .arg(shutdowns);
            r.findings << QStringLiteral("SCTP_ABORT: %1 of %2 delivered, then %3 (ABORT chunks: %4)")
                              .arg(abort)
                              .arg(kCount)
                              .arg(m_abort && m_abort->down() ? m_abort->downReason() : QStringLiteral("still up"))
                              .arg(aborts);
            if (eof != kCount) {
                r.failure = QStringLiteral("the EOF association delivered %1 of %2 messages").arg(eof).arg(kCount);
                return r;
            }
            if (abort >= kCount) {
                r.failure = QStringLiteral("the ABORT discarded nothing: the link was too fast to show it");
                return r;
            }
            if (aborts == 0) {
                r.failure = QStringLiteral("no ABORT chunk on the wire");
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        int received(const char* prefix) const
        {
            int n = 0;
            if (m_sink)
                for (const auto& m : m_sink->received())
                    n += m.data.startsWith(prefix);
            return n;
        }

        static constexpr int kCount = 20;
        sctp::LabLinkPair* m_pair = nullptr;
        peers::SctpSink* m_sink = nullptr;
        peers::SctpSender* m_eof = nullptr;
        peers::SctpSender* m_abort = nullptr;
    };

} // namespace

void registerSctpDelivery()
{
    registerScenario(QStringLiteral("unordered-vs-ordered"), [] { return std::make_unique<UnorderedVsOrdered>(); });
    registerScenario(QStringLiteral("eof-vs-abort"), [] { return std::make_unique<EofVsAbort>(); });
}

} // namespace ladder::lab
