// SPDX-License-Identifier: GPL-3.0-or-later
#include "link.h"

#include "scheduler.h"
#include "journal/journal.h"

namespace ladder {

quint64 Rng::next()
{
    quint64 z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

Link::Link(Scheduler& scheduler, quint64 seed, LinkParams params, QString name)
    : m_scheduler(scheduler)
    , m_rng(seed)
    , m_params(params)
    , m_name(std::move(name))
{
}

void Link::setJournal(trace::Journal* journal, quint64 linkId)
{
    m_journal = journal;
    m_linkId = linkId;
}

qint64 Link::departureDelayNs(int bytes)
{
    if (m_params.rateBitsPerSec <= 0)
        return 0;
    const qint64 now = m_scheduler.nowNs();
    const qint64 start = std::max(now, m_busyUntilNs);
    const qint64 txNs = qint64(bytes) * 8 * 1000000000 / m_params.rateBitsPerSec;
    m_busyUntilNs = start + txNs;
    return m_busyUntilNs - now;
}

LinkFault Link::judge(const QByteArray& datagram, const QString& from, const QString& to)
{
    return m_judge ? m_judge(datagram, from, to) : LinkFault {};
}

void Link::journal(int kind, const QString& from, const QString& to, const QString& text, const QByteArray& raw)
{
    if (!m_journal)
        return;
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind(kind);
    e.a = m_linkId;
    e.from = from;
    e.to = to;
    e.text = text;
    e.raw = raw;
    m_journal->append(std::move(e));
}

void Link::transmit(const QByteArray& datagram, const Deliver& deliver, const QString& from, const QString& to)
{
    transmit(datagram, judge(datagram, from, to), deliver, from, to);
}

void Link::transmit(
    const QByteArray& datagram, const LinkFault& fault, const Deliver& deliver, const QString& from, const QString& to)
{
    using Action = LinkFault::Action;
    ++m_sent;
    // Draw every random number for every datagram, whatever the parameters and faults, so that
    // changing one of them does not shift the random sequence the others see.
    const bool faulted = fault.action != Action::None;
    const bool lost = m_rng.chance(m_params.lossPct) && !faulted;
    const double jitter = m_rng.uniform();
    const bool dup = (m_rng.chance(m_params.duplicatePct) && !faulted) || fault.action == Action::Duplicate;
    const bool reorder = m_rng.chance(m_params.reorderPct) && !faulted;
    const double dupJitter = m_rng.uniform();
    const int bytes = int(datagram.size());

    if (fault.action == Action::Drop) {
        ++m_dropped;
        journal(int(trace::Kind::LinkDrop), from, to,
            QStringLiteral("%1 dropped %2 bytes on %3").arg(fault.rule).arg(bytes).arg(m_name), datagram);
        return;
    }
    if (!m_params.up || lost) {
        ++m_dropped;
        QString text = m_params.up ? QStringLiteral("%1 lost %2 bytes").arg(m_name).arg(bytes)
                                   : QStringLiteral("%1 is down: %2 bytes lost").arg(m_name).arg(bytes);
        if (faulted)
            text += QStringLiteral(" (%1 had selected them)").arg(fault.rule);
        journal(int(trace::Kind::LinkDrop), from, to, text, datagram);
        return;
    }

    qint64 delayNs
        = departureDelayNs(bytes) + m_params.delayMs * 1000000 + qint64(jitter * double(m_params.jitterMs) * 1e6);
    if (reorder) {
        ++m_reordered;
        delayNs += m_params.reorderExtraMs * 1000000;
    }
    const QByteArray* sent = &datagram;
    QByteArray corrupted;
    switch (fault.action) {
    case Action::Delay:
        delayNs += fault.delayNs;
        journal(int(trace::Kind::UserAction), from, to,
            QStringLiteral("%1 delayed %2 bytes on %3 by %4 ms")
                .arg(fault.rule)
                .arg(bytes)
                .arg(m_name)
                .arg(fault.delayNs / 1000000));
        break;
    case Action::Reorder:
        ++m_reordered;
        journal(int(trace::Kind::UserAction), from, to,
            QStringLiteral(
                "%1 held back %2 bytes on %3 until the next datagram on the link has passed them (%4 s at most)")
                .arg(fault.rule)
                .arg(bytes)
                .arg(m_name)
                .arg(kReorderHoldNs / 1000000000));
        break;
    case Action::Corrupt:
        // One byte flipped, the last: the headers stay readable on the timeline, and a checksum
        // over the whole datagram (SCTP's CRC32c) no longer matches.
        corrupted = datagram;
        if (!corrupted.isEmpty())
            corrupted[corrupted.size() - 1] = char(~quint8(corrupted.back()));
        sent = &corrupted;
        journal(int(trace::Kind::UserAction), from, to,
            QStringLiteral("%1 flipped the last of %2 bytes on %3: the receiver's checksum no longer matches")
                .arg(fault.rule)
                .arg(bytes)
                .arg(m_name),
            corrupted);
        break;
    default:
        break;
    }

    if (fault.action == Action::Reorder && !m_held->has_value()) {
        hold(*sent, deliver, delayNs);
    } else {
        m_scheduler.schedule(delayNs, [deliver, datagram = *sent] { deliver(datagram); });
        // A datagram held back goes out right behind this one (same instant, scheduled after it).
        releaseHeld(delayNs);
    }
    if (dup) {
        ++m_duplicated;
        journal(int(trace::Kind::LinkDuplicate), from, to,
            faulted ? QStringLiteral("%1 duplicated %2 bytes on %3").arg(fault.rule).arg(bytes).arg(m_name)
                    : QStringLiteral("%1 duplicated %2 bytes").arg(m_name).arg(bytes));
        m_scheduler.schedule(delayNs + qint64(dupJitter * 2e6) + 1, [deliver, datagram = *sent] { deliver(datagram); });
    }
}

void Link::hold(const QByteArray& datagram, const Deliver& deliver, qint64 delayNs)
{
    Held h;
    h.datagram = datagram;
    h.deliver = deliver;
    h.timer = m_scheduler.schedule(kReorderHoldNs + delayNs, [held = m_held] {
        if (!held->has_value())
            return;
        Held h = std::move(**held);
        held->reset();
        h.deliver(h.datagram);
    });
    *m_held = std::move(h);
}

void Link::releaseHeld(qint64 delayNs)
{
    if (!m_held->has_value())
        return;
    Held h = std::move(**m_held);
    m_held->reset();
    m_scheduler.cancel(h.timer);
    m_scheduler.schedule(
        delayNs, [deliver = std::move(h.deliver), datagram = std::move(h.datagram)] { deliver(datagram); });
}

} // namespace ladder
