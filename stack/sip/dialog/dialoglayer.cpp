// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialoglayer.h"

#include "sip/transport/connection.h"
#include "core/scheduler.h"
#include "journal/journal.h"

#include <atomic>

namespace ladder::sip {

DialogLayer::DialogLayer(Scheduler& scheduler)
    : m_scheduler(scheduler)
{
}

DialogLayer::~DialogLayer() = default;

quint64 DialogLayer::nextDialogId()
{
    // Unique in the process, like transaction ids: lab peers share one journal.
    static std::atomic<quint64> next { 1 };
    return next.fetch_add(1, std::memory_order_relaxed);
}

QByteArray DialogLayer::key(QByteArrayView callId, QByteArrayView local, QByteArrayView remote)
{
    QByteArray k;
    k.reserve(callId.size() + local.size() + remote.size() + 2);
    k += callId;
    k += '\n';
    k += local;
    k += '\n';
    k += remote;
    return k;
}

Dialog* DialogLayer::find(quint64 id) const
{
    const auto it = m_dialogs.find(id);
    return it == m_dialogs.end() ? nullptr : it->second.get();
}

Dialog* DialogLayer::matchRequest(const Message& request) const
{
    const QByteArrayView local = request.toTag();
    if (local.isEmpty())
        return nullptr;
    return m_byKey.value(key(request.callId(), local, request.fromTag()), nullptr);
}

Dialog* DialogLayer::matchResponse(const Message& response) const
{
    const QByteArrayView remote = response.toTag();
    if (remote.isEmpty())
        return nullptr;
    return m_byKey.value(key(response.callId(), response.fromTag(), remote), nullptr);
}

void DialogLayer::trace(const Dialog& d, const QString& text)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::DialogState;
    e.object = d.id();
    if (const auto& c = d.connection()) {
        e.from = c->localEndpoint();
        e.to = c->remoteEndpoint();
    }
    e.text = text;
    m_journal->append(std::move(e));
}

Dialog* DialogLayer::add(std::unique_ptr<Dialog> d, Dialog::State, bool)
{
    Dialog* raw = d.get();
    m_byKey.insert(key(raw->callId(), raw->localTag(), raw->remoteTag()), raw);
    m_dialogs.emplace(raw->id(), std::move(d));
    raw->stamp(m_scheduler.nowNs());
    trace(*raw,
        QStringLiteral("%1 dialog %2: created %3 (Call-ID %4, local tag %5, remote tag %6)")
            .arg(raw->role() == Dialog::Role::Uac ? QStringLiteral("UAC") : QStringLiteral("UAS"),
                QString::fromLatin1(raw->method()), QString::fromLatin1(Dialog::stateName(raw->state())),
                QString::fromUtf8(raw->callId()), QString::fromUtf8(raw->localTag()),
                QString::fromUtf8(raw->remoteTag())));
    if (m_changed)
        m_changed(*raw);
    return raw;
}

Dialog* DialogLayer::uacResponse(quint64 tx, const Message& request, const Message& response, bool dialogOnFork,
    const std::shared_ptr<Connection>& c)
{
    const int status = response.statusCode();
    if (status <= 100 || status >= 300 || response.toTag().isEmpty())
        return nullptr;
    if (Dialog* d = matchResponse(response)) {
        if (status >= 200) {
            d->updateFromResponse(response);
            setState(*d, Dialog::State::Confirmed);
        } else if (d->updateRemoteTarget(response)) {
            touched(*d);
        }
        return d;
    }
    QList<quint64>& forks = m_forks[tx];
    if (!forks.isEmpty() && !dialogOnFork) {
        trace(*find(forks.first()),
            QStringLiteral("forked %1 with To tag %2: no new dialog (SIP_DIALOG_ON_FORK not set)")
                .arg(status)
                .arg(QString::fromUtf8(response.toTag().toByteArray())));
        return nullptr;
    }
    if (atCapacity())
        return nullptr;
    auto d = Dialog::fromResponse(nextDialogId(), request, response);
    d->setCreatingTransaction(tx);
    d->setConnection(c);
    forks.append(d->id());
    return add(std::move(d), Dialog::State::Early, true);
}

void DialogLayer::uacFinished(quint64 tx, int finalStatus)
{
    const auto it = m_forks.find(tx);
    if (it == m_forks.end())
        return;
    const QList<quint64> ids = *it;
    const bool failed = finalStatus >= 300 || finalStatus == 0;
    if (failed || finalStatus < 0) {
        for (quint64 id : ids)
            if (Dialog* d = find(id); d && d->isEarly())
                setState(*d, Dialog::State::Terminated); // may drop entries from m_forks
        m_forks.remove(tx);
    }
}

Dialog* DialogLayer::uasResponse(quint64 tx, const Message& request, const Message& response,
    const std::shared_ptr<Connection>& c)
{
    const int status = response.statusCode();
    if (status <= 100 || response.toTag().isEmpty())
        return nullptr;
    const QByteArray k = key(request.callId(), response.toTag(), request.fromTag());
    if (Dialog* d = m_byKey.value(k, nullptr)) {
        if (status >= 300)
            setState(*d, Dialog::State::Terminated);
        else if (status >= 200)
            setState(*d, Dialog::State::Confirmed);
        return d;
    }
    if (status >= 300 || atCapacity())
        return nullptr;
    auto d = Dialog::fromRequest(nextDialogId(), request, response);
    d->setCreatingTransaction(tx);
    d->setConnection(c);
    return add(std::move(d), Dialog::State::Early, true);
}

void DialogLayer::setState(Dialog& d, Dialog::State s)
{
    const Dialog::State old = d.state();
    const bool changed = s == Dialog::State::Confirmed ? d.confirm()
        : s == Dialog::State::Terminated               ? d.terminate()
                                                       : false;
    if (!changed)
        return;
    d.stamp(m_scheduler.nowNs());
    trace(d,
        QString::fromLatin1(Dialog::stateName(old)) + QStringLiteral(" -> ")
            + QString::fromLatin1(Dialog::stateName(s)));
    if (m_changed)
        m_changed(d);
    if (s == Dialog::State::Terminated)
        retire(d);
}

void DialogLayer::touched(Dialog& d)
{
    trace(d, QStringLiteral("remote target %1").arg(QString::fromUtf8(d.remoteTarget())));
    if (m_changed)
        m_changed(d);
}

void DialogLayer::retire(Dialog& d)
{
    // Terminated dialogs leave matching at once; their snapshot stays visible for a while.
    m_byKey.remove(key(d.callId(), d.localTag(), d.remoteTag()));
    m_terminated.push_back(d.snapshot());
    while (m_terminated.size() > 200)
        m_terminated.pop_front();
    const quint64 id = d.id();
    const quint64 tx = d.creatingTransaction();
    if (auto f = m_forks.find(tx); f != m_forks.end()) {
        f->removeAll(id);
        if (f->isEmpty())
            m_forks.erase(f);
    }
    // Destroy from the event loop: the caller may still hold the reference.
    auto it = m_dialogs.find(id);
    if (it == m_dialogs.end())
        return;
    std::shared_ptr<Dialog> keep(std::move(it->second));
    m_dialogs.erase(it);
    m_scheduler.post([keep] { });
}

QList<DialogSnapshot> DialogLayer::snapshots() const
{
    QList<DialogSnapshot> out;
    out.reserve(qsizetype(m_dialogs.size() + m_terminated.size()));
    for (const auto& [id, d] : m_dialogs)
        out.append(d->snapshot());
    for (const DialogSnapshot& s : m_terminated)
        out.append(s);
    return out;
}

} // namespace ladder::sip
