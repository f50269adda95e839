// SPDX-License-Identifier: GPL-3.0-or-later
// forking-with-flag / forking-without-flag: a forked INVITE and SIP_DIALOG_ON_FORK.
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/forkingproxy.h"
#include "lab/peers/sipuac.h"
#include "lab/peers/sipuas.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class Forking : public UacScenario {
    public:
        explicit Forking(bool flag)
            : m_flag(flag)
        {
        }
        QString name() const override
        {
            return m_flag ? QStringLiteral("forking-with-flag") : QStringLiteral("forking-without-flag");
        }
        QString title() const override
        {
            return m_flag ? QStringLiteral("Forking with SIP_DIALOG_ON_FORK") : QStringLiteral("Forking without SIP_DIALOG_ON_FORK");
        }
        QString summary() const override
        {
            return m_flag ? QStringLiteral("A proxy forks the INVITE to two phones; with the flag each 180 makes its own early dialog (2)")
                          : QStringLiteral("A proxy forks the INVITE to two phones; without the flag only the first 180 makes a dialog (1)");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                       "A forking proxy sends one INVITE to several phones (RFC 3261 §16.7). Each phone that rings "
                       "answers with its own To tag, and each distinct To tag is a distinct (early) dialog on the "
                       "caller's side (§12.1.2, §13.2.2.4) — one INVITE, several dialogs. sip_sendmsg(3SIP) lets the "
                       "caller choose: with SIP_DIALOG_ON_FORK every forked 1xx/2xx with a new To tag creates its own "
                       "dialog; without it only the first To tag does, and the others' responses arrive with no "
                       "dialog.\n\n"
                       "Here uac calls sip:bob@10.0.0.3, the proxy forks the INVITE to uas-a and uas-b, both ring "
                       "(two 180s with two To tags reach uac), uas-a answers after 1.5 s, the proxy CANCELs uas-b "
                       "(487, ACKed by the proxy) and uac ACKs the 200 and hangs up a second later. ")
                + (m_flag ? QStringLiteral("This run sets the flag: the Dialogs view shows two dialogs for the one "
                                           "Call-ID — uas-a's confirmed, uas-b's early until the INVITE transaction "
                                           "ends. Compare with forking-without-flag.")
                          : QStringLiteral("This run does not set the flag: the Dialogs view shows one dialog, "
                                           "uas-a's; uas-b's 180 reaches uac but makes none. Compare with "
                                           "forking-with-flag."));
        }
        double defaultDurationS() const override { return 40; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginWithUac(stack, params);
            m_proxy = std::make_shared<peers::ForkingProxy>(stack, QStringLiteral("proxy"), QStringLiteral("10.0.0.3"),
                net().seedFor(QStringLiteral("proxy")));
            keepOther(m_proxy);
            peers::SipUas::Answer a;
            a.ringMs = 1500;
            m_a = &keep(std::make_unique<peers::SipUas>(stack, QStringLiteral("uas-a"), QStringLiteral("10.0.0.4"),
                net().seedFor(QStringLiteral("uas-a")), a));
            peers::SipUas::Answer b;
            b.ringMs = 20000; // rings until the proxy cancels it
            b.stackTags = true; // the stack answers the CANCEL (487): its 180 must carry the same To tag
            m_b = &keep(std::make_unique<peers::SipUas>(stack, QStringLiteral("uas-b"), QStringLiteral("10.0.0.5"),
                net().seedFor(QStringLiteral("uas-b")), b));
            const LinkParams p = linkParams(0, 10);
            net().wire(m_uac->transport(), m_proxy->transport(), p, p);
            // uas-b is a little farther away, so its 180 arrives second.
            LinkParams far = p;
            far.delayMs = p.delayMs + 15;
            net().wire(m_proxy->transport(), m_a->transport(), p, p);
            net().wire(m_proxy->transport(), m_b->transport(), far, far);
            m_proxy->setTargets({ m_a->address(), m_b->address() });
            peers::SipUac::Call call;
            call.nextHop = m_proxy->address();
            call.requestUri = "sip:bob@10.0.0.3";
            call.dialogOnFork = m_flag;
            call.hangUpAfterMs = 1000;
            m_invite = m_uac->call(call);
        }

        bool finished() const override
        {
            return m_uac && (!m_invite || (m_uac->idle() && m_b->cancelsReceived() + m_b->finalsSent() > 0));
        }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            if (!m_invite) {
                r.failure = QStringLiteral("the INVITE could not be sent: %1").arg(m_uac->errors().join(QStringLiteral("; ")));
                return r;
            }
            const int forks = int(m_uac->forkTags().size());
            const int dialogs = int(m_uac->dialogs().size());
            r.findings << QStringLiteral("%1 forks answered uac with their own To tag").arg(forks);
            r.findings << QStringLiteral("%1 dialog(s) on uac (SIP_DIALOG_ON_FORK %2)")
                              .arg(dialogs)
                              .arg(m_flag ? QStringLiteral("set") : QStringLiteral("not set"));
            QStringList states;
            for (const sip::DialogSnapshot& d : m_uac->sip().dialogSnapshots())
                states << QStringLiteral("dialog %1 to tag %2: %3")
                              .arg(d.id)
                              .arg(QString::fromUtf8(d.remoteTag), d.state);
            if (!states.isEmpty())
                r.findings << states.join(QStringLiteral("; "));
            r.findings << QStringLiteral("final response %1; proxy sent %2 CANCEL(s); uas-b got %3 CANCEL(s)")
                              .arg(m_uac->finalStatus(m_invite))
                              .arg(m_proxy->cancelsSent())
                              .arg(m_b->cancelsReceived());
            const int want = m_flag ? 2 : 1;
            if (forks != 2) {
                r.failure = QStringLiteral("%1 forks reached uac, not 2").arg(forks);
                return r;
            }
            if (dialogs != want) {
                r.failure = QStringLiteral("%1 dialog(s) on uac, not %2").arg(dialogs).arg(want);
                return r;
            }
            const int status = m_uac->finalStatus(m_invite);
            if (status < 200 || status >= 300) {
                r.failure = QStringLiteral("the call was not answered (final %1)").arg(status);
                return r;
            }
            r.ok = true;
            return r;
        }

        void stop() override
        {
            m_a = m_b = nullptr;
            m_proxy.reset();
            UacScenario::stop();
        }

    private:
        bool m_flag;
        peers::SipUas* m_a = nullptr;
        peers::SipUas* m_b = nullptr;
        std::shared_ptr<peers::ForkingProxy> m_proxy;
        quint64 m_invite = 0;
    };

} // namespace

void registerForking()
{
    registerScenario(QStringLiteral("forking-with-flag"), [] { return std::make_unique<Forking>(true); });
    registerScenario(QStringLiteral("forking-without-flag"), [] { return std::make_unique<Forking>(false); });
}

} // namespace ladder::lab
