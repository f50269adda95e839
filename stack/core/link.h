// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

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

// One direction of an emulated wire. Each datagram is lost, delayed, jittered, duplicated,
// reordered and rate-limited as the parameters say, then handed to the deliver callback from
// the scheduler. Losses and duplicates are recorded in the journal so the timeline can show them.
class Link {
public:
    using Deliver = std::function<void(const QByteArray&)>;

    Link(Scheduler& scheduler, quint64 seed, LinkParams params = {}, QString name = {});

    void setParams(const LinkParams& params) { m_params = params; }
    const LinkParams& params() const { return m_params; }
    const QString& name() const { return m_name; }
    void setJournal(trace::Journal* journal, quint64 linkId);

    // from/to name the lanes in the journal when a datagram is lost or duplicated.
    void transmit(const QByteArray& datagram, const Deliver& deliver, const QString& from = {},
        const QString& to = {});

    quint64 sent() const { return m_sent; }
    quint64 dropped() const { return m_dropped; }
    quint64 duplicated() const { return m_duplicated; }
    quint64 reordered() const { return m_reordered; }

private:
    qint64 departureDelayNs(int bytes);

    Scheduler& m_scheduler;
    Rng m_rng;
    LinkParams m_params;
    QString m_name;
    trace::Journal* m_journal = nullptr;
    quint64 m_linkId = 0;
    qint64 m_busyUntilNs = 0;
    quint64 m_sent = 0, m_dropped = 0, m_duplicated = 0, m_reordered = 0;
};

} // namespace ladder
