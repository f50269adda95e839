// SPDX-License-Identifier: GPL-3.0-or-later
// cancel-ringing: CANCEL of a ringing call (200 for the CANCEL, 487 for the INVITE, ACK).
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class CancelRinging : public UacScenario {
    public:
        QString name() const override { return QStringLiteral("cancel-ringing"); }
        QString title() const override { return QStringLiteral("CANCEL of a ringing call"); }
        QString summary() const override
        {
            return QStringLiteral("The caller gives up while the phone rings: CANCEL → 200, INVITE → 487, ACK");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "A caller hangs up before anyone answers by sending CANCEL (RFC 3261 §9). The CANCEL is a "
                "request of its own, with its own non-INVITE transaction, but it carries the INVITE's branch, "
                "Call-ID, From, To and CSeq number, so the callee can find the INVITE it cancels. It may only be "
                "sent after a provisional response arrived (§9.1). The callee answers the CANCEL with 200 and "
                "the INVITE — still pending — with 487 Request Terminated (§9.2); the caller's INVITE "
                "transaction acknowledges the 487 with an ACK of the same branch (§17.1.1.3), because it is a "
                "final non-2xx response.\n\n"
                "Here uas rings (180) and never answers; uac cancels 2 s after the 180. Two transactions run in "
                "parallel on each side: watch the CANCEL's 200 and the INVITE's 487 cross, and the early dialog "
                "the 180 made end with the 487.");
        }
        double defaultDurationS() const override { return 40; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginWithUac(stack, params);
            peers::SipUas::Answer answer;
            answer.status = 0; // nobody picks up
            answer.stackTags = true; // the stack's 487 must carry the 180's To tag
            addUas(answer);
            const LinkParams p = linkParams(0, 20);
            net().wire(m_uac->transport(), m_uas->transport(), p, p);
            peers::SipUac::Call call;
            call.nextHop = m_uas->address();
            call.requestUri = "sip:uas@10.0.0.2";
            call.cancelAfterMs = 2000;
            m_uac->setFinalHandler([this](quint64 tx, int) {
                // The INVITE's final response: give its ACK time to arrive, then the lesson is over.
                if (tx == m_invite)
                    after(500'000'000, [this] { m_done = true; });
            });
            m_invite = m_uac->call(call);
        }

        bool finished() const override { return m_uac && (!m_invite || (m_done && m_uac->idle())); }

        ScenarioResult result(Stack& stack) const override
        {
            ScenarioResult r;
            if (!m_invite) {
                r.failure = QStringLiteral("the INVITE could not be sent: %1").arg(m_uac->errors().join(QStringLiteral("; ")));
                return r;
            }
            const quint64 cancel = m_uac->cancelTransaction();
            const int cancelStatus = cancel ? m_uac->finalStatus(cancel) : 0;
            const int inviteStatus = m_uac->finalStatus(m_invite);
            const int acks = int(events(stack, [&](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && fromLabel(e, QStringLiteral("uac"))
                    && e.object == m_invite && e.text.startsWith(QLatin1String("ACK "));
            }).size());
            QByteArray tag180, tag487;
            for (const auto& seen : m_uac->responses()) {
                if (seen.transaction == m_invite && seen.status == 180 && tag180.isEmpty())
                    tag180 = seen.toTag;
                if (seen.transaction == m_invite && seen.status == 487)
                    tag487 = seen.toTag;
            }
            r.findings << QStringLiteral("CANCEL answered %1; INVITE answered %2; the INVITE transaction sent %3 ACK(s)")
                              .arg(cancelStatus)
                              .arg(inviteStatus)
                              .arg(acks);
            r.findings << QStringLiteral("the 180 and the 487 carry %1 To tag")
                              .arg(tag180 == tag487 ? QStringLiteral("the same") : QStringLiteral("different"));
            if (!cancel || cancelStatus != 200) {
                r.failure = QStringLiteral("the CANCEL was not answered 200 (got %1)").arg(cancelStatus);
                return r;
            }
            if (inviteStatus != 487) {
                r.failure = QStringLiteral("the INVITE was answered %1, not 487").arg(inviteStatus);
                return r;
            }
            const int acksIn = int(events(stack, [&](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && toLabel(e, QStringLiteral("uas"))
                    && e.text.startsWith(QLatin1String("ACK "));
            }).size());
            if (acks < 1 || acksIn < 1) {
                r.failure = QStringLiteral("the 487 was not acknowledged");
                return r;
            }
            r.ok = true;
            return r;
        }

    private:
        quint64 m_invite = 0;
        bool m_done = false;
    };

} // namespace

void registerCancelRinging()
{
    registerScenario(QStringLiteral("cancel-ringing"), [] { return std::make_unique<CancelRinging>(); });
}

} // namespace ladder::lab
