// SPDX-License-Identifier: GPL-3.0-or-later
#include "controller.h"

#include "core/stack.h"
#include "sip/parser.h"
#include "sip/sipstack.h"

namespace ladder::lab {

LabController::LabController(Stack& stack, QObject* parent)
    : QObject(parent)
    , m_stack(stack)
{
    qRegisterMetaType<sip::StackSnapshot>();
    m_publish.setInterval(100);
    connect(&m_publish, &QTimer::timeout, this, &LabController::tick);
}

LabController::~LabController()
{
    stop();
}

bool LabController::start(const QString& name, const ScenarioParams& params, QString* error)
{
    auto scenario = createScenario(name);
    if (!scenario) {
        if (error)
            *error = tr("There is no scenario named '%1'.").arg(name);
        return false;
    }
    stop();
    m_scenario = std::move(scenario);
    m_name = name;
    m_reported = false;
    m_stack.log(1, tr("Lab: starting “%1” (seed %2)").arg(m_scenario->title()).arg(params.seed));
    m_scenario->start(m_stack, params);
    m_publish.start();
    emit scenarioStarted(name);
    tick();
    return true;
}

void LabController::stop()
{
    m_publish.stop();
    if (m_scenario) {
        m_scenario->stop();
        m_stack.log(1, tr("Lab: stopped “%1”").arg(m_scenario->title()));
    }
    m_scenario.reset();
    m_name.clear();
    emit sipSnapshotReady({});
}

void LabController::setLinkConditions(double lossPct, qint64 delayMs)
{
    if (!m_scenario)
        return;
    m_scenario->setLinkConditions(lossPct, delayMs);
    m_stack.log(1, tr("Lab: links now lose %1 % and delay %2 ms").arg(lossPct, 0, 'f', 1).arg(delayMs));
}

sip::StackSnapshot LabController::sipSnapshot() const
{
    sip::StackSnapshot merged;
    merged.timeNs = m_stack.scheduler().nowNs();
    if (!m_scenario)
        return merged;
    m_scenario->forEachSipStack([&](sip::SipStack& s) {
        sip::StackSnapshot one = s.snapshots();
        merged.transactions += one.transactions;
        merged.dialogs += one.dialogs;
        merged.connections += one.connections;
    });
    return merged;
}

void LabController::tick()
{
    if (!m_scenario)
        return;
    emit sipSnapshotReady(sipSnapshot());
    if (!m_reported && m_scenario->finished()) {
        m_reported = true;
        const ScenarioResult r = m_scenario->result(m_stack);
        m_stack.log(r.ok ? 1 : 2,
            r.ok ? tr("Lab: “%1” finished: %2").arg(m_scenario->title(), r.findings.join(QStringLiteral("; ")))
                 : tr("Lab: “%1” did not show its point: %2").arg(m_scenario->title(), r.failure));
        emit scenarioFinished(m_name, r.ok, r.failure, r.findings);
    }
}

ComposerResult LabController::sendSip(
    const QByteArray& text, const QString& target, quint64 dialog, bool stateful, bool dialogOnFork)
{
    ComposerResult out;
    auto fail = [&](const char* errnoName, const QString& why) {
        out.errnoName = QString::fromLatin1(errnoName);
        out.text = why;
        trace::Event e;
        e.timeNs = m_stack.scheduler().nowNs();
        e.kind = trace::Kind::Error;
        e.text = QStringLiteral("composer: %1: %2").arg(out.errnoName, why);
        m_stack.journal().append(std::move(e));
        return out;
    };
    sip::SipStack* sip = m_scenario ? m_scenario->composerSipStack() : nullptr;
    if (!sip)
        return fail("ENOTCONN", tr("No lab scenario with a SIP peer of yours is running: start the playground from the Lab panel."));

    QString spec = target.trimmed();
    sip::TransportType type = sip::TransportType::Udp;
    const qsizetype colon = spec.indexOf(QLatin1Char(':'));
    if (colon > 0 && sip::transportFromToken(spec.left(colon).toUtf8(), &type))
        spec = spec.mid(colon + 1);
    sip::HostPort remote;
    if (!sip::HostPort::parse(spec, &remote))
        return fail("EINVAL", tr("The target '%1' is not HOST:PORT or udp:/tcp:HOST:PORT.").arg(target));

    const sip::ParseResult parsed = sip::parse(text);
    if (!parsed.ok)
        return fail("EINVAL", tr("The message does not parse — %1").arg(parsed.error));

    QString error;
    auto connection = sip->connect(type, remote, &error);
    if (!connection && parsed.message.isRequest())
        return fail("EHOSTUNREACH", tr("No way to %1: %2").arg(remote.toString(), error));

    sip::SendFlags flags;
    if (stateful)
        flags |= sip::SendFlag::Stateful;
    if (dialogOnFork)
        flags |= sip::SendFlag::DialogOnFork;
    trace::Event action;
    action.timeNs = m_stack.scheduler().nowNs();
    action.kind = trace::Kind::UserAction;
    action.text = tr("composer: send %1 to %2%3%4")
                      .arg(QString::fromUtf8(text.left(text.indexOf('\r') < 0 ? 60 : text.indexOf('\r'))), remote.toString(),
                          stateful ? QStringLiteral(" SIP_SEND_STATEFUL") : QString(),
                          dialogOnFork ? QStringLiteral(" SIP_DIALOG_ON_FORK") : QString());
    m_stack.journal().append(std::move(action));
    const sip::SendResult r = sip->send(connection, parsed.message, dialog, flags);
    out.ok = r.ok();
    out.errnoName = QString::fromLatin1(r.errnoName);
    out.text = r.ok() ? tr("sent") : r.reason;
    out.transaction = r.transaction;
    out.dialog = r.dialog;
    return out;
}

} // namespace ladder::lab
