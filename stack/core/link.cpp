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

void Link::transmit(const QByteArray& datagram, const Deliver& deliver, const QString& from, const QString& to)
{
    ++m_sent;
    // Draw every random number for every datagram, whatever the parameters, so that changing one
    // parameter does not shift the random sequence the others see.
    const bool lost = m_rng.chance(m_params.lossPct);
    const double jitter = m_rng.uniform();
    const bool dup = m_rng.chance(m_params.duplicatePct);
    const bool reorder = m_rng.chance(m_params.reorderPct);
    const double dupJitter = m_rng.uniform();

    if (!m_params.up || lost) {
        ++m_dropped;
        if (m_journal) {
            trace::Event e;
            e.timeNs = m_scheduler.nowNs();
            e.kind = trace::Kind::LinkDrop;
            e.a = m_linkId;
            e.from = from;
            e.to = to;
            e.text = m_params.up ? QStringLiteral("%1 lost %2 bytes").arg(m_name).arg(datagram.size())
                                 : QStringLiteral("%1 is down: %2 bytes lost").arg(m_name).arg(datagram.size());
            e.raw = datagram;
            m_journal->append(std::move(e));
        }
        return;
    }

    qint64 delayNs = departureDelayNs(int(datagram.size())) + m_params.delayMs * 1000000
        + qint64(jitter * double(m_params.jitterMs) * 1e6);
    if (reorder) {
        ++m_reordered;
        delayNs += m_params.reorderExtraMs * 1000000;
    }
    m_scheduler.schedule(delayNs, [deliver, datagram] { deliver(datagram); });
    if (dup) {
        ++m_duplicated;
        if (m_journal) {
            trace::Event e;
            e.timeNs = m_scheduler.nowNs();
            e.kind = trace::Kind::LinkDuplicate;
            e.a = m_linkId;
            e.from = from;
            e.to = to;
            e.text = QStringLiteral("%1 duplicated %2 bytes").arg(m_name).arg(datagram.size());
            m_journal->append(std::move(e));
        }
        m_scheduler.schedule(delayNs + qint64(dupJitter * 2e6) + 1, [deliver, datagram] { deliver(datagram); });
    }
}

} // namespace ladder
