// SPDX-License-Identifier: GPL-3.0-or-later
#include "siptransactiontracker.h"

#include "sip/message/message.h"

#include <algorithm>

namespace ladder::trace {

namespace {
    constexpr qsizetype kMaxTransactions = 200000;
    constexpr qsizetype kMaxMessages = 8; // per transaction: request, responses, ACK
    constexpr qsizetype kMaxHistory = 16;

    QString transportName(quint64 b)
    {
        switch (b) {
        case 0: return QStringLiteral("UDP");
        case 1: return QStringLiteral("TCP");
        case 2: return QStringLiteral("SCTP");
        case 3: return QStringLiteral("TLS");
        case 4: return QStringLiteral("WS");
        case 5: return QStringLiteral("WSS");
        default: return QStringLiteral("?");
        }
    }

    // The method as a string; the common ones shared (no allocation per transaction).
    QString methodName(QByteArrayView m)
    {
        static const QString known[] = { QStringLiteral("INVITE"), QStringLiteral("ACK"), QStringLiteral("BYE"),
            QStringLiteral("CANCEL"), QStringLiteral("OPTIONS"), QStringLiteral("REGISTER"), QStringLiteral("PRACK"),
            QStringLiteral("UPDATE"), QStringLiteral("INFO"), QStringLiteral("SUBSCRIBE"), QStringLiteral("NOTIFY"),
            QStringLiteral("REFER"), QStringLiteral("MESSAGE"), QStringLiteral("PUBLISH") };
        for (const QString& k : known)
            if (QLatin1String(m) == k)
                return k;
        return QString::fromUtf8(m);
    }

    const QString& kindName(bool invite, bool server)
    {
        static const QString names[] = { QStringLiteral("non-INVITE client"), QStringLiteral("non-INVITE server"),
            QStringLiteral("INVITE client"), QStringLiteral("INVITE server") };
        return names[(invite ? 2 : 0) + (server ? 1 : 0)];
    }
} // namespace

SipTransactionTracker::Tx* SipTransactionTracker::find(quint64 id)
{
    const quint32* at = m_index.find(id);
    return at ? &m_tx[*at - 1] : nullptr;
}

SipTransactionTracker::SipTransactionTracker(const ReconstructOptions& options, Terminated onTerminated)
    : m_options(options)
    , m_onTerminated(std::move(onTerminated))
{
}

int SipTransactionTracker::lastStatus(quint64 tx) const
{
    const Tx* t = find(tx);
    return t ? t->s.lastStatus : 0;
}

bool SipTransactionTracker::isInviteServerRole(quint64 tx) const
{
    const Tx* t = find(tx);
    return t && t->invite && t->role == Role::Server;
}

SipTransactionTracker::Tx& SipTransactionTracker::create(quint64 id, const Event& e, const SipFacts& m,
    bool fromResponse)
{
    m_tx.emplace_back();
    m_index[id] = quint32(m_tx.size());
    Tx& t = m_tx.back();
    t.place = quint32(m_tx.size() - 1);
    const QByteArrayView method = m.method;
    t.invite = method == "INVITE";
    // The direction flag says which side wrote the capture; a response travels the other way.
    Dir requestDir = e.dir;
    if (fromResponse)
        requestDir = e.dir == Dir::Tx ? Dir::Rx : e.dir == Dir::Rx ? Dir::Tx : Dir::None;
    t.role = requestDir == Dir::Tx ? Role::Client : requestDir == Dir::Rx ? Role::Server : Role::Observed;
    const QString requestFrom = fromResponse ? e.to : e.from;
    const QString requestTo = fromResponse ? e.from : e.to;
    t.requestFrom = requestFrom;
    t.t1Ns = m_options.t1Ns;
    sip::TransactionSnapshot& s = t.s;
    s.id = id;
    s.role = t.role == Role::Client ? QStringLiteral("client")
        : t.role == Role::Server    ? QStringLiteral("server")
                                    : QStringLiteral("observed");
    // Observed transactions follow the client machine: the wire shows what the requester saw.
    s.kind = kindName(t.invite, t.role == Role::Server);
    s.method = methodName(method);
    s.branch = m.branch.isEmpty() ? QByteArray() : m_bytes.copy(m.branch.data(), m.branch.size());
    s.connectionId = e.a;
    s.reliable = e.b != 0;
    s.localEndpoint = t.role == Role::Server ? requestTo : requestFrom;
    s.remoteEndpoint = t.role == Role::Server ? requestFrom : requestTo;
    t.transport = quint8(std::min<quint64>(e.b, 255)); // the connection text is made with the snapshot
    s.createdNs = e.timeNs;
    s.messages.reserve(t.invite ? 4 : 2);
    if (t.invite && !s.branch.isEmpty())
        m_inviteByBranch[s.branch] = id;
    return t;
}

Event SipTransactionTracker::stateEvent(const Tx& t, qint64 timeNs) const
{
    Event e;
    e.timeNs = timeNs;
    e.object = t.s.id;
    e.from = t.s.localEndpoint;
    e.to = t.s.remoteEndpoint;
    return e;
}

void SipTransactionTracker::setState(Tx& t, const QString& to, qint64 timeNs, const QString& why, QList<Event>& out)
{
    if (t.s.state == to)
        return;
    Event e = stateEvent(t, timeNs);
    e.kind = Kind::TransactionState;
    // One allocation: "INVITE client: Calling -> Proceeding (180)".
    QString& x = e.text;
    x.reserve(t.s.kind.size() + t.s.state.size() + to.size() + why.size() + 16);
    x.append(t.s.kind);
    if (t.s.state.isEmpty())
        x.append(QLatin1String(": created ")).append(to);
    else
        x.append(QLatin1String(": ")).append(t.s.state).append(QLatin1String(" -> ")).append(to);
    if (!why.isEmpty())
        x.append(QLatin1String(" (")).append(why).append(QLatin1Char(')'));
    m_texts.share(x);
    out.append(std::move(e));
    t.s.state = to;
    if (!(t.s.history.isEmpty() && t.log.add(to, timeNs)) && t.log.size() + t.s.history.size() < kMaxHistory)
        t.s.history.append({ to, timeNs });
    if (to == QLatin1String("Terminated")) {
        t.s.terminated = true;
        disarm(t);
        if (t.invite && m_onTerminated)
            m_onTerminated(t.s.id, timeNs, out);
    }
}

void SipTransactionTracker::arm(Tx& t, const QString& name, qint64 startNs, qint64 intervalNs, QList<Event>& out)
{
    disarm(t);
    if (intervalNs <= 0) {
        // Reliable transports: Timers D, I, J, K are zero, the transaction ends at once.
        setState(t, QStringLiteral("Terminated"), startNs, QStringLiteral("Timer %1 = 0 on a reliable transport").arg(name), out);
        return;
    }
    Q_ASSERT(name.size() == 1); // the RFC 3261 timers that end a transaction: one letter each
    t.timer = name.isEmpty() ? u'?' : name.at(0).unicode();
    t.timerIntervalNs = intervalNs;
    t.timerDueNs = startNs > std::numeric_limits<qint64>::max() - intervalNs ? std::numeric_limits<qint64>::max()
                                                                            : startNs + intervalNs;
    m_due.push({ t.timerDueNs, t.s.id, ++t.timerGeneration, t.place });
    // The views show it counting down (Timers column, state machine) as the live engine's: in
    // the snapshot's timers (complete()).
}

void SipTransactionTracker::disarm(Tx& t) { t.timer = 0; }

QString SipTransactionTracker::timerName(char16_t letter)
{
    static const QString letters[] = { QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"),
        QStringLiteral("D"), QStringLiteral("E"), QStringLiteral("F"), QStringLiteral("G"), QStringLiteral("H"),
        QStringLiteral("I"), QStringLiteral("J"), QStringLiteral("K"), QStringLiteral("L"), QStringLiteral("M") };
    if (letter >= u'A' && letter <= u'M')
        return letters[letter - u'A'];
    return letter ? QString(QChar(letter)) : QString();
}

void SipTransactionTracker::complete(const Tx& t, sip::TransactionSnapshot& s) const
{
    // The connection text is the same for every transaction between the same two endpoints over
    // the same transport: shared from a small table keyed by where the endpoint strings are (the
    // decoder hands out one string per endpoint; a held string keeps its address).
    const auto la = quintptr(s.localEndpoint.constData()), ra = quintptr(s.remoteEndpoint.constData());
    Connection& cached = m_connections[((la >> 4) ^ (ra >> 6) ^ quintptr(t.transport)) % m_connections.size()];
    if (cached.reliable == s.reliable && cached.transport == t.transport && sameHeld(cached.local, s.localEndpoint)
        && sameHeld(cached.remote, s.remoteEndpoint)) {
        s.connection = cached.text;
    } else {
        const QString transport = transportName(t.transport);
        s.connection.reserve(transport.size() + s.localEndpoint.size() + s.remoteEndpoint.size() + 5);
        s.connection.append(transport).append(QLatin1Char(' ')).append(s.localEndpoint).append(QLatin1String(" -> ")).append(s.remoteEndpoint);
        if (holdable(s.localEndpoint) && holdable(s.remoteEndpoint))
            cached = { s.localEndpoint, s.remoteEndpoint, s.connection, t.transport, s.reliable };
    }
    s.history = t.log.list(s.history);
    if (t.timer)
        s.timers = { sip::TimerSnapshot { timerName(t.timer), t.timerIntervalNs, t.timerDueNs } };
}

sip::TransactionSnapshot SipTransactionTracker::snapshotOf(const Tx& t) const
{
    sip::TransactionSnapshot s = t.s;
    complete(t, s);
    return s;
}

SipTransactionTracker::Tx* SipTransactionTracker::nextDue()
{
    while (!m_due.empty()) {
        const Due& d = m_due.top();
        Tx* t = d.place < m_tx.size() ? &m_tx[d.place] : nullptr;
        if (t && t->timer && t->timerGeneration == d.generation && t->timerDueNs == d.at)
            return t;
        m_due.pop();
    }
    return nullptr;
}

void SipTransactionTracker::fire(Tx& t, QList<Event>& out, bool afterEnd)
{
    touch(t);
    const QString name = timerName(t.timer);
    const qint64 at = t.timerDueNs;
    disarm(t);
    Event e = stateEvent(t, at);
    e.kind = Kind::TimerFired;
    e.text = name;
    e.a = quint64(t.timerIntervalNs / 1'000'000);
    out.append(std::move(e));
    ++m_inferredTimers;
    QString why = QStringLiteral("Timer %1, inferred").arg(name);
    if (name == QLatin1String("B") || name == QLatin1String("F"))
        why = QStringLiteral("Timer %1: no final response, inferred").arg(name);
    else if (name == QLatin1String("H"))
        why = QStringLiteral("Timer H: no ACK, inferred");
    if (afterEnd)
        why += QStringLiteral(" after the capture ended");
    setState(t, QStringLiteral("Terminated"), at, why, out);
}

void SipTransactionTracker::advanceTo(qint64 timeNs, QList<Event>& out)
{
    if (m_due.empty() || m_due.top().at > timeNs)
        return;
    while (Tx* t = nextDue()) {
        if (t->timerDueNs > timeNs)
            break;
        fire(*t, out, false);
    }
}

void SipTransactionTracker::finish(qint64 endNs, bool settle, QList<Event>& out)
{
    advanceTo(endNs, out);
    while (settle) {
        Tx* t = nextDue();
        if (!t)
            break;
        fire(*t, out, true);
    }
}

void SipTransactionTracker::keepMessage(Tx& t, const QByteArray& raw, bool request)
{
    QList<QByteArray>& msgs = t.s.messages;
    if (request && !msgs.isEmpty() && msgs.first() == raw)
        return;
    if (!request && msgs.size() >= 2 && msgs.last() == raw)
        return;
    if (msgs.size() < kMaxMessages)
        msgs.append(raw);
    else
        msgs.last() = raw; // keep the first ones and the latest
}

quint64 SipTransactionTracker::onMessage(const Event& e, const SipFacts& m, QList<Event>& before,
    QList<Event>& after)
{
    quint64 id = e.object;
    if (m.request && m.method == "ACK") {
        // An ACK with the INVITE's branch acknowledges a non-2xx final response and belongs to
        // the INVITE transaction (RFC 3261 §17.1.1.3); an ACK for a 2xx is a transaction of its own
        // that the transaction layer never sees.
        const quint64* inv = m.branch.isEmpty() ? nullptr : m_inviteByBranch.find(m.branch);
        if (!inv)
            return 0;
        Tx* found = find(*inv);
        if (!found || found->s.lastStatus < 300)
            return 0;
        Tx& t = *found;
        touch(t);
        keepMessage(t, e.raw, false);
        if (e.kind == Kind::SipRetransmission)
            ++t.s.retransmissions;
        if (t.role == Role::Server && t.s.state == QLatin1String("Completed")) {
            setState(t, QStringLiteral("Confirmed"), e.timeNs, QStringLiteral("ACK"), after);
            arm(t, QStringLiteral("I"), e.timeNs, t.s.reliable ? 0 : m_options.t4Ns, after);
        }
        return t.s.id;
    }
    if (id == 0)
        return 0;
    Tx* found = find(id);
    if (!found) {
        if (qsizetype(m_tx.size()) >= kMaxTransactions)
            return 0;
        found = &create(id, e, m, !m.request);
    }
    Tx& t = *found;
    touch(t);
    if (m.request)
        onRequest(t, e, before, after);
    else
        onResponse(t, e, m.status, before, after);
    return id;
}

void SipTransactionTracker::onRequest(Tx& t, const Event& e, QList<Event>& before, QList<Event>& after)
{
    keepMessage(t, e.raw, true);
    const bool again = t.firstRequestNs >= 0 && (e.kind == Kind::SipRetransmission || e.from == t.requestFrom);
    if (!again) {
        t.firstRequestNs = t.lastRequestNs = e.timeNs;
        if (t.s.state.isEmpty()) {
            const bool server = t.role == Role::Server;
            setState(t, t.invite ? (server ? QStringLiteral("Proceeding") : QStringLiteral("Calling")) : QStringLiteral("Trying"),
                e.timeNs, QString(), after);
            // Timer B / F bound the wait for a final response (64·T1, on every transport).
            if (!server)
                arm(t, QLatin1String(t.invite ? "B" : "F"), e.timeNs, 64 * t.t1Ns, after);
        }
        return;
    }
    ++t.s.retransmissions;
    const qint64 interval = e.timeNs - t.lastRequestNs;
    t.lastRequestNs = e.timeNs;
    if (t.role == Role::Server || t.s.reliable)
        return; // the server absorbs it (and may resend its response); no client timer shows
    // The client sent the request again: Timer A (INVITE) or E (non-INVITE) fired.
    Event f = stateEvent(t, e.timeNs);
    f.kind = Kind::TimerFired;
    f.text = QLatin1String(t.invite ? "A" : "E");
    f.a = quint64(std::max<qint64>(0, interval) / 1'000'000);
    before.append(std::move(f));
    ++m_inferredTimers;
    // Timer A/E start at T1: the first gap shows the sender's T1, and with it Timer B/F. A gap
    // far from any plausible T1 is more likely a duplicate (two capture points, a duplicating
    // network) than a timer, and leaves the configured T1 alone.
    if (m_options.estimateT1 && !t.t1Estimated && t.s.retransmissions == 1 && interval >= 50'000'000
        && interval <= 10'000'000'000) {
        t.t1Estimated = true;
        t.t1Ns = interval;
        const QString pending = timerName(t.timer);
        if (pending == QLatin1String("B") || pending == QLatin1String("F"))
            arm(t, pending, t.firstRequestNs, 64 * t.t1Ns, after);
    }
}

void SipTransactionTracker::onResponse(Tx& t, const Event& e, int status, QList<Event>& before, QList<Event>& after)
{
    keepMessage(t, e.raw, false);
    const bool final = status >= 200;
    if (e.kind == Kind::SipRetransmission) {
        ++t.s.retransmissions;
        // A final response resent by an INVITE server on an unreliable transport is Timer G
        // (a 2xx is resent by the UAS core: "2xx"); non-INVITE servers only answer retransmitted
        // requests, no timer.
        if (t.invite && final && !t.s.reliable && t.role != Role::Client) {
            Event f = stateEvent(t, e.timeNs);
            f.kind = Kind::TimerFired;
            f.text = status < 300 ? QStringLiteral("2xx") : QStringLiteral("G");
            before.append(std::move(f));
            ++m_inferredTimers;
        }
        return;
    }
    if (final)
        t.s.lastStatus = status;
    else if (t.s.lastStatus == 0 || t.s.lastStatus < 200)
        t.s.lastStatus = status;
    t.lastResponseNs = e.timeNs;
    const QString st = t.s.state;
    const bool start = st.isEmpty(); // the capture began inside this transaction
    const QString why = start ? QString::number(status) + QLatin1String("; the capture began inside the transaction")
                              : QString::number(status);
    if (t.s.terminated)
        return; // late (or the inferred timer was early); kept in messages and lastStatus
    if (t.role != Role::Server) {
        if (t.invite) {
            if (!final) {
                if (start || st == QLatin1String("Calling")) {
                    setState(t, QStringLiteral("Proceeding"), e.timeNs, why, after);
                    disarm(t); // Timer B runs in Calling only
                }
            } else if (status < 300) {
                if (start || st == QLatin1String("Calling") || st == QLatin1String("Proceeding")) {
                    setState(t, QStringLiteral("Accepted"), e.timeNs, why, after);
                    arm(t, QStringLiteral("M"), e.timeNs, 64 * t.t1Ns, after);
                }
            } else if (start || st == QLatin1String("Calling") || st == QLatin1String("Proceeding")) {
                setState(t, QStringLiteral("Completed"), e.timeNs, why, after);
                arm(t, QStringLiteral("D"), e.timeNs, t.s.reliable ? 0 : 32'000'000'000, after);
            }
        } else {
            if (!final) {
                if (start || st == QLatin1String("Trying"))
                    setState(t, QStringLiteral("Proceeding"), e.timeNs, why, after);
            } else if (start || st == QLatin1String("Trying") || st == QLatin1String("Proceeding")) {
                setState(t, QStringLiteral("Completed"), e.timeNs, why, after);
                arm(t, QStringLiteral("K"), e.timeNs, t.s.reliable ? 0 : m_options.t4Ns, after);
            }
        }
        return;
    }
    if (t.invite) {
        if (start && !final)
            setState(t, QStringLiteral("Proceeding"), e.timeNs, why, after);
        else if (final && status < 300 && (start || st == QLatin1String("Proceeding"))) {
            setState(t, QStringLiteral("Accepted"), e.timeNs, why, after);
            arm(t, QStringLiteral("L"), e.timeNs, 64 * t.t1Ns, after);
        } else if (final && (start || st == QLatin1String("Proceeding"))) {
            setState(t, QStringLiteral("Completed"), e.timeNs, why, after);
            arm(t, QStringLiteral("H"), e.timeNs, 64 * t.t1Ns, after);
        }
    } else {
        if (!final && (start || st == QLatin1String("Trying")))
            setState(t, QStringLiteral("Proceeding"), e.timeNs, why, after);
        else if (final && (start || st == QLatin1String("Trying") || st == QLatin1String("Proceeding"))) {
            setState(t, QStringLiteral("Completed"), e.timeNs, why, after);
            arm(t, QStringLiteral("J"), e.timeNs, t.s.reliable ? 0 : 64 * t.t1Ns, after);
        }
    }
}

QList<sip::TransactionSnapshot> SipTransactionTracker::takeSnapshots()
{
    QList<sip::TransactionSnapshot> out;
    out.reserve(qsizetype(m_tx.size()));
    flatmapdetail::adviseHuge(out.constData(), std::size_t(out.capacity()) * sizeof(*out.constData()));
    m_tx.drain([this, &out](Tx&& t) {
        out.append(std::move(t.s));
        complete(t, out.last());
    });
    m_index.clear();
    m_inviteByBranch = {};
    m_due = {};
    if (!std::is_sorted(out.cbegin(), out.cend(), [](const auto& a, const auto& b) { return a.id < b.id; }))
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

QList<sip::TransactionSnapshot> SipTransactionTracker::takeChanged()
{
    return m_changes.take<sip::TransactionSnapshot>([this](quint64 id) { return find(id); }, [this](const Tx& t) { return snapshotOf(t); });
}

QList<sip::TransactionSnapshot> SipTransactionTracker::snapshots() const
{
    QList<sip::TransactionSnapshot> out;
    out.reserve(qsizetype(m_tx.size()));
    for (std::size_t i = 0; i < m_tx.size(); ++i)
        out.append(snapshotOf(m_tx[i]));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

} // namespace ladder::trace
