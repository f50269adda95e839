// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}

struct LinkParams {
    double lossPct = 0; // chance a datagram is lost, 0..100
    qint64 delayMs = 0; // one-way base delay
    qint64 jitterMs = 0; // uniform extra delay 0..jitterMs
    double duplicatePct = 0; // chance a datagram arrives twice
    double reorderPct = 0; // chance a datagram is held back by an extra delay so later ones pass it
    qint64 reorderExtraMs = 10; // the hold-back
    qint64 rateBitsPerSec = 0; // serialisation rate; 0 = unlimited
    bool up = true; // a link that is down loses everything (path failure)
};

// Deterministic pseudo-random numbers (splitmix64): the same seed gives the same losses on
// every machine and standard library, which keeps lab runs reproducible.
class Rng {
public:
    explicit Rng(quint64 seed)
        : m_state(seed)
    {
    }
    quint64 next();
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); } // [0,1)
    bool chance(double pct) { return pct > 0 && uniform() * 100.0 < pct; }

private:
    quint64 m_state;
};

// What a fault rule (stack/lab/faultplan.h) makes a link do with one datagram. The rules are
// chosen by protocol meaning above the link; the link carries them out and journals them.
struct LinkFault {
    enum class Action : quint8 { None, Drop, Duplicate, Delay, Reorder, Corrupt };
    Action action = Action::None;
    qint64 delayNs = 0; // Delay: added to the link's own delay
    QString rule; // names the rule in the journal: "fault rule 1 'drop sip:INVITE nth 4'"
};

// One direction of an emulated wire. Each datagram is lost, delayed, jittered, duplicated,
// reordered and rate-limited as the parameters say, then handed to the deliver callback from
// the scheduler. Losses and duplicates are recorded in the journal so the timeline can show them.
//
// A fault judge, when set, is asked about every datagram first. A datagram it selects is spared the
// link's random loss, duplication and reordering, so that the fault is exactly what happens to it
// (a link that is down still loses it); the random numbers are drawn all the same, so the other
// datagrams see the same sequence as without the fault. Every fault is journalled: a drop as
// LinkDrop, a duplicate as LinkDuplicate, a delay, a hold-back or a corruption as UserAction.
class Link {
public:
    using Deliver = std::function<void(const QByteArray&)>;
    // Called once per datagram, in transmission order, with the lanes it goes between.
    using FaultJudge = std::function<LinkFault(const QByteArray& datagram, const QString& from, const QString& to)>;
    // A held-back datagram (Reorder) goes out right behind the next one the link delivers, or
    // after this long if none comes.
    static constexpr qint64 kReorderHoldNs = 1'000'000'000;

    Link(Scheduler& scheduler, quint64 seed, LinkParams params = {}, QString name = {});

    void setParams(const LinkParams& params) { m_params = params; }
    const LinkParams& params() const { return m_params; }
    const QString& name() const { return m_name; }
    void setJournal(trace::Journal* journal, quint64 linkId);

    void setFaultJudge(FaultJudge judge) { m_judge = std::move(judge); }
    bool hasFaultJudge() const { return bool(m_judge); }
    // The judge's verdict on one datagram (Action::None without a judge). transmit() asks for it
    // itself; a sender that needs the verdict first (SCTP's fast path for perfect links) asks here
    // and passes it to the second transmit(). Each call counts a transmission.
    LinkFault judge(const QByteArray& datagram, const QString& from, const QString& to);

    // from/to name the lanes in the journal when a datagram is lost or duplicated.
    void transmit(const QByteArray& datagram, const Deliver& deliver, const QString& from = {},
        const QString& to = {});
    void transmit(const QByteArray& datagram, const LinkFault& fault, const Deliver& deliver, const QString& from,
        const QString& to);

    quint64 sent() const { return m_sent; }
    quint64 dropped() const { return m_dropped; }
    quint64 duplicated() const { return m_duplicated; }
    quint64 reordered() const { return m_reordered; }

private:
    struct Held {
        QByteArray datagram;
        Deliver deliver;
        quint64 timer = 0;
    };
    qint64 departureDelayNs(int bytes);
    void journal(int kind, const QString& from, const QString& to, const QString& text, const QByteArray& raw = {});
    void hold(const QByteArray& datagram, const Deliver& deliver, qint64 delayNs);
    void releaseHeld(qint64 delayNs);

    Scheduler& m_scheduler;
    Rng m_rng;
    LinkParams m_params;
    QString m_name;
    trace::Journal* m_journal = nullptr;
    quint64 m_linkId = 0;
    qint64 m_busyUntilNs = 0;
    quint64 m_sent = 0, m_dropped = 0, m_duplicated = 0, m_reordered = 0;
    FaultJudge m_judge;
    // Shared with the hold-back's timer, which may fire after the link is gone (its Deliver
    // callbacks guard their receivers, as every scheduled delivery's do).
    std::shared_ptr<std::optional<Held>> m_held = std::make_shared<std::optional<Held>>();
};

} // namespace ladder
