// SPDX-License-Identifier: GPL-3.0-or-later
// addr-over: SCTP_ADDR_OVER and path failover on a real multi-homed association (two paths,
// 127.0.0.1 and ::1), run by sctp::MultiHomedPair.
#include "labscenario.h"

#include "host/stack.h"
#include "sctp/multihome/multihomedpair.h"
#include "journal/journal.h"

#include <QtEndian>
#include <algorithm>

namespace ladder::lab {

namespace {

    class AddrOver : public LabScenario {
    public:
        QString name() const override { return QStringLiteral("addr-over"); }
        QString title() const override { return QStringLiteral("SCTP_ADDR_OVER and a failing path"); }
        QString summary() const override
        {
            return QStringLiteral("A multi-homed association (127.0.0.1 and ::1): SCTP_ADDR_OVER picks the path, a failing primary fails over");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "An SCTP association can be multi-homed: each end has several addresses, and each peer "
                "address is a path with its own heartbeats, RTO and error counter. Here both ends are bound "
                "to 127.0.0.1 and ::1, so there are two paths; 127.0.0.1 is the primary.\n\n"
                "1. Three messages go out normally: on the primary path, 127.0.0.1.\n"
                "2. Three go with SCTP_ADDR_OVER to ::1 — sctp_sendmsg(3)'s way of overriding the path "
                "choice: they travel on ::1.\n"
                "3. The primary path fails (its lab links lose everything). Messages sent now time out on "
                "127.0.0.1 and are retransmitted on ::1 (failover); after Path.Max.Retrans (2 here) "
                "consecutive timeouts the client reports PEER_ADDR_CHANGE 127.0.0.1: unreachable.\n"
                "4. The path comes back: a heartbeat is answered, PEER_ADDR_CHANGE says available, and "
                "data returns to the primary.\n\n"
                "Watch the lanes: each side has one lane per address, so the timeline shows which path "
                "every packet took. The association runs in the ladderlab-sctp-mh helper on usrsctp's "
                "own UDP encapsulation, because in-process (AF_CONN) associations have a single path; "
                "every packet passes through the lab, which journals it and emulates the failing path.\n\n"
                "Afterwards the association stays up: fail either path yourself with the Lab panel's Paths "
                "buttons, and send from the SCTP composer — with SCTP_ADDR_OVER to 127.0.0.1:5000 or "
                "[::1]:5000, or without it and let SCTP choose.");
        }
        bool needsRealTime() const override { return true; }
        double defaultDurationS() const override { return 15; }
        bool finished() const override { return m_done; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            begin(stack, params);
            sctp::MultiHomedPair::Options o;
            o.seed = net().seedFor(QStringLiteral("multi-homed"));
            o.link = linkParams(0, 5);
            m_lossPct = o.link.lossPct;
            m_pair = std::make_shared<sctp::MultiHomedPair>(stack.scheduler(), stack.journal(), o);
            keepOther(m_pair);
            QString why;
            if (!m_pair->start(&why)) {
                m_failure = why;
                m_done = true;
                return;
            }
            m_phaseStartNs = stack.scheduler().nowNs();
            tickLater();
        }

        void stop() override
        {
            if (m_pair)
                m_pair->stop();
            LabScenario::stop();
        }

        void setLinkConditions(double lossPct, qint64 delayMs) override
        {
            LabScenario::setLinkConditions(lossPct, delayMs);
            m_lossPct = std::max(m_lossPct, lossPct); // judged as lossy if it was lossy at any time
            if (m_pair)
                m_pair->setLinkConditions(lossPct, delayMs);
        }
        sctp::MultiHomedPair* composerMultiHomed() override { return m_pair.get(); }
        QStringList pathNames() const override
        {
            return { sctp::MultiHomedPair::pathHost(0), sctp::MultiHomedPair::pathHost(1) };
        }
        void setPathUp(int path, bool up) override
        {
            if (m_pair && path >= 0 && path < sctp::MultiHomedPair::kPaths)
                m_pair->setPathUp(path, up);
        }
        QList<sctp::AssociationInfo> ownAssociations() const override
        {
            return m_pair ? m_pair->associations() : QList<sctp::AssociationInfo> {};
        }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            if (!m_failure.isEmpty() || !m_pair) {
                r.failure = m_failure.isEmpty() ? QStringLiteral("the multi-homed lab did not start") : m_failure;
                return r;
            }
            // Where each message arrived from, in send order (the server sees the path's source
            // address).
            QStringList cameVia;
            for (const auto& d : lessonDeliveries())
                cameVia << sctp::Address::parse(d.from).value_or(sctp::Address { d.from, 0 }).host;
            auto via = [&](int from, int count) { return cameVia.mid(from, count); };
            const QStringList normal = via(0, kEach), over = via(kEach, kEach), failing = via(2 * kEach, m_sentWhileDown),
                              back = via(2 * kEach + m_sentWhileDown, kEach);
            r.findings << QStringLiteral("normal sends arrived via %1").arg(normal.join(QStringLiteral(", ")));
            r.findings << QStringLiteral("SCTP_ADDR_OVER to ::1 arrived via %1").arg(over.join(QStringLiteral(", ")));
            r.findings << QStringLiteral("with 127.0.0.1 failing, %1 messages arrived via %2")
                              .arg(failing.size())
                              .arg(failing.join(QStringLiteral(", ")));
            r.findings << QStringLiteral("PEER_ADDR_CHANGE 127.0.0.1 unreachable after %1 s, available again %2 s after the repair")
                              .arg(secondsOf(m_unreachableAfterNs), secondsOf(m_availableAfterNs));
            r.findings << QStringLiteral("after the repair: via %1; %2 retransmissions; DATA chunks per path: 127.0.0.1 %3, ::1 %4")
                              .arg(back.join(QStringLiteral(", ")))
                              .arg(m_pair->tap().retransmissions())
                              .arg(m_pair->dataChunksOnPath(0))
                              .arg(m_pair->dataChunksOnPath(1));
            const int expected = 3 * kEach + m_sentWhileDown;
            // With loss on the links a DATA chunk lost on its path is retransmitted on another
            // active one (RFC 4960 §6.4), so which path a message arrived on no longer tells which
            // one it was sent on: then only delivery and the failure/repair are judged.
            const bool lossy = m_lossPct > 0;
            if (lossy)
                r.findings << QStringLiteral("links lose %1 %: a DATA chunk lost on one path is retransmitted on the other, "
                                             "so arrival paths may differ from the paths chosen")
                                  .arg(m_lossPct);
            if (cameVia.size() != expected)
                r.failure = QStringLiteral("%1 of %2 messages arrived").arg(cameVia.size()).arg(expected);
            else if (lossy)
                r.ok = m_unreachableAfterNs >= 0 && m_availableAfterNs >= 0;
            else if (normal.count(QStringLiteral("127.0.0.1")) != kEach)
                r.failure = QStringLiteral("normal sends did not use the primary path 127.0.0.1");
            else if (over.count(QStringLiteral("::1")) != kEach)
                r.failure = QStringLiteral("SCTP_ADDR_OVER to ::1 did not use the ::1 path");
            else if (failing.count(QStringLiteral("::1")) != failing.size() || failing.isEmpty())
                r.failure = QStringLiteral("no failover: messages sent while 127.0.0.1 was down did not come via ::1");
            else if (m_unreachableAfterNs < 0)
                r.failure = QStringLiteral("the failing path was never reported unreachable");
            else if (m_availableAfterNs < 0)
                r.failure = QStringLiteral("the repaired path was never reported available");
            else if (back.count(QStringLiteral("127.0.0.1")) != back.size())
                r.failure = QStringLiteral("after the repair, data did not return to the primary path 127.0.0.1");
            else if (m_pair->tap().retransmissions() == 0)
                r.failure = QStringLiteral("the failing path caused no retransmission");
            else
                r.ok = true;
            if (!r.ok && r.failure.isEmpty())
                r.failure = QStringLiteral("the failing path was not reported unreachable and then available");
            return r;
        }

    private:
        static constexpr int kEach = 3;
        static constexpr quint32 kPpid = 51;

        qint64 nowNs() { return stack().scheduler().nowNs(); }
        qint64 inPhaseMs() { return (nowNs() - m_phaseStartNs) / 1'000'000; }
        void nextPhase()
        {
            ++m_phase;
            m_phaseStartNs = nowNs();
        }
        void tickLater()
        {
            after(20'000'000, [this] {
                if (m_done)
                    return;
                tick();
                if (!m_done)
                    tickLater();
            });
        }
        // PEER_ADDR_CHANGE for 127.0.0.1 at the client with this state word, since `sinceNs`.
        qint64 pathChangeAfter(const QString& state, qint64 sinceNs)
        {
            const auto hits = events(stack(), [&](const trace::Event& e) {
                return e.kind == trace::Kind::SctpNotification && e.object == m_pair->clientAssociation()
                    && e.timeNs >= sinceNs && e.text.startsWith(QLatin1String("PEER_ADDR_CHANGE 127.0.0.1:"))
                    && e.text.contains(state);
            });
            return hits.isEmpty() ? -1 : hits.first().timeNs - sinceNs;
        }
        void send(bool over)
        {
            sctp::SendInfo info;
            info.stream = 1;
            info.ppid = qToBigEndian(kPpid); // the API passes the 32 bits as given: 51 on the wire
            info.context = quint32(++m_sent);
            if (over) {
                info.flags = sctp::flag::AddrOver;
                info.to = sctp::Address { QStringLiteral("::1"), sctp::MultiHomedPair::kServerPort };
            }
            m_pair->send("addr-over " + QByteArray::number(m_sent), info, [this](const sctp::Result<qint64>& res) {
                if (!res.ok() && m_failure.isEmpty())
                    m_failure = QStringLiteral("sending failed: %1").arg(res.error().text());
            });
        }
        bool primaryIsV4() const
        {
            const auto all = m_pair->associations();
            return !all.isEmpty() && all.first().primaryPath.startsWith(QLatin1String("127.0.0.1:"));
        }
        // The lesson's own messages (its PPID): what the user sends from the composer meanwhile
        // does not upset its count.
        QList<sctp::MultiHomedPair::Delivery> lessonDeliveries() const
        {
            QList<sctp::MultiHomedPair::Delivery> out;
            for (const auto& d : m_pair->received())
                if (d.ppid == qToBigEndian(kPpid))
                    out.append(d);
            return out;
        }
        int delivered() const { return int(lessonDeliveries().size()); }

        void tick()
        {
            if (!m_failure.isEmpty() || !m_pair->failure().isEmpty()) {
                if (m_failure.isEmpty())
                    m_failure = m_pair->failure();
                m_done = true;
                return;
            }
            switch (m_phase) {
            case 0: // the association comes up; 127.0.0.1 is made the primary path
                if (m_pair->up() && primaryIsV4())
                    nextPhase();
                else if (m_pair->up() && !m_primarySet) {
                    m_pair->setPrimary(0);
                    m_primarySet = true;
                }
                else if (inPhaseMs() > 5000) {
                    m_failure = QStringLiteral("the multi-homed association did not come up within 5 s");
                    m_done = true;
                }
                break;
            case 1: // normal sends, one at a time so each one's path is clear
            case 2: // SCTP_ADDR_OVER to ::1
                if (delivered() == m_sent && m_sent < m_phase * kEach && inPhaseMs() >= 100) {
                    send(m_phase == 2);
                } else if (delivered() == m_phase * kEach) {
                    nextPhase();
                } else if (inPhaseMs() > 4000) {
                    m_failure = QStringLiteral("message %1 was not delivered within 4 s").arg(m_sent);
                    m_done = true;
                }
                break;
            case 3: // the primary fails; keep sending
                if (!m_downSinceNs) {
                    m_pair->setPathUp(0, false);
                    m_downSinceNs = nowNs();
                }
                if (m_sentWhileDown < 4 && inPhaseMs() >= 200 * (m_sentWhileDown + 1)) {
                    send(false);
                    ++m_sentWhileDown;
                }
                if (m_unreachableAfterNs < 0)
                    m_unreachableAfterNs = pathChangeAfter(QStringLiteral("unreachable"), m_downSinceNs);
                if ((m_unreachableAfterNs >= 0 && m_sentWhileDown == 4 && delivered() == m_sent) || inPhaseMs() > 6000) {
                    m_pair->setPathUp(0, true);
                    m_upSinceNs = nowNs();
                    nextPhase();
                }
                break;
            case 4: // repaired: wait for the heartbeat to confirm it, then send normally again
                if (m_availableAfterNs < 0)
                    m_availableAfterNs = pathChangeAfter(QStringLiteral("available"), m_upSinceNs);
                if (m_availableAfterNs >= 0 && delivered() == m_sent && m_sent < 3 * kEach + m_sentWhileDown)
                    send(false);
                else if (delivered() == 3 * kEach + m_sentWhileDown || inPhaseMs() > 5000)
                    m_done = true;
                break;
            default:
                m_done = true;
            }
        }

        std::shared_ptr<sctp::MultiHomedPair> m_pair;
        bool m_done = false;
        QString m_failure;
        int m_phase = 0;
        bool m_primarySet = false;
        qint64 m_phaseStartNs = 0;
        int m_sent = 0;
        int m_sentWhileDown = 0;
        double m_lossPct = 0;
        qint64 m_downSinceNs = 0, m_upSinceNs = 0;
        qint64 m_unreachableAfterNs = -1, m_availableAfterNs = -1;
    };

} // namespace

void registerAddrOver()
{
    registerScenario(QStringLiteral("addr-over"), [] { return std::make_unique<AddrOver>(); });
}

} // namespace ladder::lab
