// SPDX-License-Identifier: GPL-3.0-or-later
// register: REGISTER to a registrar — bind, list, remove.
#include "labscenario.h"

#include "host/stack.h"
#include "lab/peers/registrar.h"
#include "lab/peers/sipuac.h"
#include "sip/transport/labtransport.h"
#include "sip/sipstack.h"

namespace ladder::lab {

namespace {

    class Register : public UacScenario {
    public:
        QString name() const override { return QStringLiteral("register"); }
        QString title() const override { return QStringLiteral("REGISTER with a registrar"); }
        QString summary() const override
        {
            return QStringLiteral("Bind a Contact to an address-of-record, list the bindings, remove them (Expires: 0)");
        }
        QString lesson() const override
        {
            return QStringLiteral(
                "A registrar (RFC 3261 §10) keeps, for each address-of-record (the To URI of a REGISTER), the "
                "Contact addresses where its user can be reached now, each with an expiry. A REGISTER with a "
                "Contact adds or refreshes a binding; the 200 lists every current binding with its remaining "
                "\";expires=\". A REGISTER without Contact only asks for the list; one with Expires: 0 removes "
                "the binding. The client keeps the same Call-ID for all its registrations and increments the "
                "CSeq (§10.2.4), so the registrar can put them in order.\n\n"
                "Here uac registers <sip:uac@10.0.0.1:5060> for one hour (CSeq 1), asks for its bindings a "
                "second later (CSeq 2), and unregisters (CSeq 3): three non-INVITE transactions, three 200s, the "
                "last with no Contact left.");
        }
        double defaultDurationS() const override { return 20; }

        void start(Stack& stack, const ScenarioParams& params) override
        {
            beginWithUac(stack, params);
            m_registrar = &keep(std::make_unique<peers::Registrar>(stack, QStringLiteral("registrar"),
                QStringLiteral("10.0.0.6"), net().seedFor(QStringLiteral("registrar"))));
            const LinkParams p = linkParams(0, 15);
            net().wire(m_uac->transport(), m_registrar->transport(), p, p);
            m_callId = m_uac->ids().callId("10.0.0.1");
            m_fromTag = m_uac->ids().tag();
            m_uac->setFinalHandler([this](quint64 tx, int status) { onFinal(tx, status); });
            step();
        }

        bool finished() const override { return m_uac && (m_failed || (m_step == 3 && m_uac->idle())); }

        ScenarioResult result(Stack& stack) const override
        {
            Q_UNUSED(stack);
            ScenarioResult r;
            const QStringList what = { QStringLiteral("register"), QStringLiteral("query"), QStringLiteral("unregister") };
            for (int i = 0; i < m_tx.size(); ++i) {
                const int status = m_uac->finalStatus(m_tx[i]);
                r.findings << QStringLiteral("%1 (CSeq %2): %3, %4 Contact(s) in the response")
                                  .arg(what.value(i))
                                  .arg(i + 1)
                                  .arg(status)
                                  .arg(m_contacts.value(i, -1));
            }
            if (m_tx.size() != 3) {
                r.failure = QStringLiteral("only %1 of 3 REGISTERs were sent").arg(m_tx.size());
                return r;
            }
            for (int i = 0; i < 3; ++i) {
                if (m_uac->finalStatus(m_tx[i]) != 200) {
                    r.failure = QStringLiteral("the %1 was answered %2, not 200").arg(what[i]).arg(m_uac->finalStatus(m_tx[i]));
                    return r;
                }
            }
            if (m_contacts.value(0) != 1 || m_contacts.value(1) != 1 || m_contacts.value(2) != 0) {
                r.failure = QStringLiteral("the bindings listed were %1, %2, %3 — not 1, 1, 0")
                                .arg(m_contacts.value(0))
                                .arg(m_contacts.value(1))
                                .arg(m_contacts.value(2));
                return r;
            }
            if (!m_expiresOk) {
                r.failure = QStringLiteral("the first 200 did not carry the binding's expiry (3600 s)");
                return r;
            }
            r.findings << QStringLiteral("the registrar holds %1 binding(s) at the end")
                              .arg(m_registrar->bindings("sip:uac@10.0.0.1").size());
            r.ok = true;
            return r;
        }

        void stop() override
        {
            m_registrar = nullptr;
            UacScenario::stop();
        }

    private:
        void step()
        {
            peers::SipUac::Request req;
            req.method = "REGISTER";
            req.nextHop = m_registrar->address();
            req.requestUri = "sip:10.0.0.6";
            req.to = "<sip:uac@10.0.0.1>";
            req.callId = m_callId;
            req.fromTag = m_fromTag;
            req.cseq = quint32(m_step + 1);
            if (m_step == 0) {
                req.headers << qMakePair(QByteArray("Contact"), QByteArray("<sip:uac@10.0.0.1:5060>"));
                req.headers << qMakePair(QByteArray("Expires"), QByteArray("3600"));
            } else if (m_step == 2) {
                req.headers << qMakePair(QByteArray("Contact"), QByteArray("<sip:uac@10.0.0.1:5060>"));
                req.headers << qMakePair(QByteArray("Expires"), QByteArray("0"));
            }
            const quint64 tx = m_uac->request(req);
            ++m_step;
            if (!tx) {
                m_failed = true;
                return;
            }
            m_tx.append(tx);
        }

        void onFinal(quint64 tx, int status)
        {
            const int index = int(m_tx.indexOf(tx));
            if (index < 0)
                return;
            int contacts = 0;
            for (const auto& seen : m_uac->responses()) {
                if (seen.transaction == tx && seen.status >= 200) {
                    contacts = int(seen.message.contacts().size());
                    if (index == 0)
                        m_expiresOk = !seen.message.contacts().isEmpty()
                            && seen.message.contacts().first().param("expires") == "3600";
                }
            }
            while (m_contacts.size() <= index)
                m_contacts.append(-1);
            m_contacts[index] = contacts;
            if (status != 200 || m_step >= 3) {
                m_failed = status != 200;
                return;
            }
            after(1'000'000'000, [this] { step(); });
        }

        peers::Registrar* m_registrar = nullptr;
        QByteArray m_callId, m_fromTag;
        int m_step = 0;
        bool m_failed = false;
        bool m_expiresOk = false;
        QList<quint64> m_tx;
        QList<int> m_contacts;
    };

} // namespace

void registerRegister()
{
    registerScenario(QStringLiteral("register"), [] { return std::make_unique<Register>(); });
}

} // namespace ladder::lab
