// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipdialogtracker.h"

#include "sip/message/message.h"

#include <QVarLengthArray>

namespace ladder::trace {

namespace {
    constexpr qsizetype kMaxDialogs = 100000;
    constexpr qsizetype kMaxInvites = 200000;
    constexpr qsizetype kMaxHistory = 16;
    constexpr qsizetype kMaxRoutes = 32;

    // Call-ID \n a \n b, built on the stack.
    struct Key : QVarLengthArray<char, 256> {
        Key(QByteArrayView callId, QByteArrayView a, QByteArrayView b)
        {
            append(callId.data(), callId.size());
            append('\n');
            append(a.data(), a.size());
            append('\n');
            append(b.data(), b.size());
        }
        QByteArrayView view() const { return QByteArrayView(constData(), size()); }
    };

    QString roleName(int role)
    {
        return role == 0 ? QStringLiteral("UAC") : role == 1 ? QStringLiteral("UAS") : QStringLiteral("observed");
    }
} // namespace

SipDialogTracker::Dialog* SipDialogTracker::find(QByteArrayView callId, QByteArrayView tagA, QByteArrayView tagB)
{
    const quint64* id = m_byKey.find(Key(callId, tagA, tagB).view());
    if (!id)
        id = m_byKey.find(Key(callId, tagB, tagA).view());
    return id ? byId(*id) : nullptr;
}

void SipDialogTracker::setState(Dialog& d, const QString& to, qint64 timeNs, const QString& why, QList<Event>& out)
{
    if (d.s.state == to)
        return;
    touch(d);
    Event e;
    e.timeNs = timeNs;
    e.kind = Kind::DialogState;
    e.object = d.s.id;
    e.from = d.local;
    e.to = d.remote;
    e.text.reserve(d.s.state.size() + to.size() + why.size() + 8);
    e.text.append(d.s.state).append(QLatin1String(" -> ")).append(to);
    if (!why.isEmpty())
        e.text.append(QLatin1String(" (")).append(why).append(QLatin1Char(')'));
    m_texts.share(e.text);
    out.append(std::move(e));
    d.s.state = to;
    addHistory(d, to, timeNs);
}

void SipDialogTracker::addHistory(Dialog& d, const QString& to, qint64 timeNs)
{
    if (!(d.s.history.isEmpty() && d.log.add(to, timeNs)) && d.log.size() + d.s.history.size() < kMaxHistory)
        d.s.history.append({ to, timeNs });
}

void SipDialogTracker::onMessage(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after)
{
    const QByteArrayView method = m.method;
    if (m.request) {
        if (m.toTag.isEmpty()) {
            if (method == "INVITE" && tx && !m_invites.find(tx) && m_invites.size() < kMaxInvites) {
                Invite& inv = m_invites[tx];
                inv.dir = e.dir;
                inv.from = e.from;
                inv.to = e.to;
                inv.contact = keep(m.firstContact());
                inv.cseq = m.cseq;
                const QByteArrayView ruri = m.message->requestUriText();
                inv.secure = ruri.startsWith("sips:") || ruri.startsWith("SIPS:");
            }
            return;
        }
        Dialog* d = find(m.callId, m.fromTag, m.toTag);
        if (!d)
            return;
        touch(*d);
        // Which side sent it: the caller writes its own tag in From.
        const bool byCaller = m.fromTag == d->callerTag();
        const bool byLocal = (d->role == Role::Uas) ? !byCaller : byCaller;
        if (method != "ACK" && method != "CANCEL") {
            quint32& mine = byLocal ? d->s.localCSeq : d->s.remoteCSeq;
            mine = std::max(mine, m.cseq);
        }
        if (method == "BYE" && d->s.state != QLatin1String("terminated"))
            setState(*d, QStringLiteral("terminated"), e.timeNs, QStringLiteral("BYE"), after);
        else if (method == "INVITE" && !byLocal) {
            if (const QByteArrayView c = m.firstContact(); !c.isEmpty())
                d->s.remoteTarget = keep(c); // a re-INVITE from the peer refreshes its target
        }
        return;
    }
    if (method == "INVITE") {
        onInviteResponse(e, m, tx, after);
        return;
    }
    const int status = m.status;
    if ((status == 481 || status == 408) && !m.toTag.isEmpty()) {
        if (Dialog* d = find(m.callId, m.fromTag, m.toTag); d && d->s.state != QLatin1String("terminated"))
            setState(*d, QStringLiteral("terminated"), e.timeNs, QString::number(status), after);
    }
}

void SipDialogTracker::onInviteResponse(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after)
{
    const int status = m.status;
    if (status >= 300) {
        // A non-2xx final response ends every early dialog of the INVITE (RFC 3261 §13.2.2.3).
        if (const Forks* forks = m_forks.find(tx)) {
            for (quint64 id : *forks) {
                Dialog* d = byId(id);
                if (d && d->s.state == QLatin1String("early"))
                    setState(*d, QStringLiteral("terminated"), e.timeNs, QString::number(status), after);
            }
        }
        return;
    }
    if (status <= 100 || m.toTag.isEmpty() || m.fromTag.isEmpty())
        return;
    Dialog* d = find(m.callId, m.fromTag, m.toTag);
    if (!d) {
        create(e, m, tx, after);
        return;
    }
    touch(*d);
    // Seen on another leg too (a capture at a proxy): that INVITE's end concerns it as well.
    if (tx) {
        Forks& forks = m_forks[tx];
        if (!forks.contains(d->s.id))
            forks.append(d->s.id);
    }
    const bool fromRemote = d->role == Role::Uas ? false : true; // the callee answers
    if (status >= 200) {
        const bool wasEarly = d->s.state == QLatin1String("early");
        if (wasEarly)
            setState(*d, QStringLiteral("confirmed"), e.timeNs, QString::number(status), after);
        if (fromRemote) {
            if (const QByteArrayView c = m.firstContact(); !c.isEmpty())
                d->s.remoteTarget = keep(c);
            // The route set is fixed by the 2xx (RFC 3261 §12.1.2): reverse order at the UAC.
            QList<QByteArray> routes;
            for (const sip::NameAddr& rr : m.headers->recordRoutes)
                if (routes.size() < kMaxRoutes)
                    routes.prepend(keep(rr.text()));
            if (wasEarly)
                d->s.routeSet = routes;
        }
    }
}

void SipDialogTracker::create(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after)
{
    if (qsizetype(m_dialogs.size()) >= kMaxDialogs)
        return;
    const int status = m.status;
    const Invite* inv = m_invites.find(tx);
    const bool haveInvite = inv != nullptr;
    Dialog d;
    // The role follows the INVITE's direction flag, else the response's (it travels back).
    const Dir dir = haveInvite ? inv->dir : (e.dir == Dir::Rx ? Dir::Tx : e.dir == Dir::Tx ? Dir::Rx : Dir::None);
    d.role = dir == Dir::Tx ? Role::Uac : dir == Dir::Rx ? Role::Uas : Role::Observed;
    const bool uas = d.role == Role::Uas;
    const QByteArray callerTag = keep(m.fromTag);
    const QByteArray calleeTag = keep(m.toTag);
    const QString caller = haveInvite ? inv->from : e.to;
    const QString callee = haveInvite ? inv->to : e.from;
    d.local = uas ? callee : caller;
    d.remote = uas ? caller : callee;
    sip::DialogSnapshot& s = d.s;
    s.id = quint64(m_dialogs.size()) + 1;
    s.role = d.role == Role::Uac ? QStringLiteral("UAC") : uas ? QStringLiteral("UAS") : QStringLiteral("observed");
    s.method = QStringLiteral("INVITE");
    s.callId = keep(m.callId);
    s.localTag = uas ? calleeTag : callerTag;
    s.remoteTag = uas ? callerTag : calleeTag;
    const QByteArray callerUri = keep(m.headers->from.uri().text());
    const QByteArray calleeUri = keep(m.headers->to.uri().text());
    s.localUri = uas ? calleeUri : callerUri;
    s.remoteUri = uas ? callerUri : calleeUri;
    const quint32 cseq = m.cseq;
    if (uas) {
        s.remoteCSeq = cseq;
        s.remoteTarget = haveInvite ? inv->contact : QByteArray();
    } else {
        s.localCSeq = cseq;
        s.remoteTarget = keep(m.firstContact());
    }
    for (const sip::NameAddr& rr : m.headers->recordRoutes) {
        if (s.routeSet.size() >= kMaxRoutes)
            break;
        if (uas)
            s.routeSet.append(keep(rr.text()));
        else
            s.routeSet.prepend(keep(rr.text()));
    }
    s.secure = haveInvite && inv->secure;
    s.creatingTransaction = tx;
    // Forks are counted per INVITE as the caller sent it (Call-ID, From tag, CSeq): at a proxy
    // each branch is a transaction of its own, but the To tags still fork one INVITE.
    const quint32 forkCount = ++m_inviteForks[Key(s.callId, callerTag, QByteArray::number(cseq)).view()];
    const QString state = status >= 200 ? QStringLiteral("confirmed") : QStringLiteral("early");
    s.state = state;
    addHistory(d, state, e.timeNs);
    Event ev;
    ev.timeNs = e.timeNs;
    ev.kind = Kind::DialogState;
    ev.object = s.id;
    ev.from = d.local;
    ev.to = d.remote;
    ev.text = QStringLiteral("%1 dialog INVITE: created %2 (Call-ID %3, local tag %4, remote tag %5)")
                  .arg(roleName(int(d.role)), state, QString::fromUtf8(s.callId), QString::fromUtf8(s.localTag),
                      QString::fromUtf8(s.remoteTag));
    if (forkCount > 1)
        ev.text += QStringLiteral("; fork %1 of the INVITE (another To tag)").arg(forkCount);
    after.append(std::move(ev));
    m_forks[tx].append(s.id);
    m_byKey[Key(s.callId, callerTag, calleeTag).view()] = s.id;
    m_dialogs.emplace_back(std::move(d));
    touch(m_dialogs.back());
}

void SipDialogTracker::onInviteTerminated(quint64 tx, qint64 timeNs, QList<Event>& out)
{
    const Forks* forks = m_forks.find(tx);
    if (!forks)
        return;
    for (quint64 id : *forks) {
        Dialog* d = byId(id);
        if (d && d->s.state == QLatin1String("early"))
            setState(*d, QStringLiteral("terminated"), timeNs, QStringLiteral("INVITE transaction ended"), out);
    }
}

QList<sip::DialogSnapshot> SipDialogTracker::takeSnapshots()
{
    QList<sip::DialogSnapshot> out;
    out.reserve(qsizetype(m_dialogs.size()));
    flatmapdetail::adviseHuge(out.constData(), std::size_t(out.capacity()) * sizeof(*out.constData()));
    m_dialogs.drain([&out](Dialog&& d) { // in id order already
        out.append(std::move(d.s));
        out.last().history = d.log.list(out.last().history);
    });
    m_invites.clear();
    m_byKey = {};
    m_forks.clear();
    m_inviteForks = {};
    return out;
}

QList<sip::DialogSnapshot> SipDialogTracker::takeChanged()
{
    return m_changes.take<sip::DialogSnapshot>([this](quint64 id) { return byId(id); }, &snapshotOf);
}

QList<sip::DialogSnapshot> SipDialogTracker::snapshots() const
{
    QList<sip::DialogSnapshot> out;
    out.reserve(qsizetype(m_dialogs.size()));
    for (std::size_t i = 0; i < m_dialogs.size(); ++i)
        out.append(snapshotOf(m_dialogs[i]));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

} // namespace ladder::trace
