// SPDX-License-Identifier: GPL-3.0-or-later
#include "lablinkpair.h"

#include "engine.h"
#include "runtime.h"

#include <QtEndian>

#include <mutex>
#include <set>

namespace ladder::sctp {

namespace {
    std::mutex g_handleMutex;
    std::set<quintptr> g_handles; // handles in use

    void* takeHandle()
    {
        std::lock_guard lock(g_handleMutex);
        quintptr n = 16;
        while (g_handles.count(n))
            n += 16;
        g_handles.insert(n);
        return reinterpret_cast<void*>(n);
    }

    void releaseHandle(void* handle)
    {
        std::lock_guard lock(g_handleMutex);
        g_handles.erase(reinterpret_cast<quintptr>(handle));
    }
}

class LabLinkPair::Side : public Transport {
public:
    Side(LabLinkPair& pair, int index, QString host)
        : m_pair(pair)
        , m_index(index)
        , m_host(std::move(host))
        , m_lane(m_host + QStringLiteral(":9899"))
    {
    }
    QString localHost() const override { return m_host; }
    void* bindHandle() const override { return m_pair.handle(); }
    void portBound(quint16 port) override { m_pair.m_portSide[port] = m_index; }
    void portReleased(quint16 port) override { m_pair.m_portSide.erase(port); }
    void* peerHandle(const QString& host, QString* why) override
    {
        if (host == m_pair.m_sides[1 - m_index]->m_host)
            return m_pair.handle();
        if (why)
            *why = QStringLiteral("the lab link from %1 only reaches %2").arg(m_host, m_pair.m_sides[1 - m_index]->m_host);
        return nullptr;
    }
    QString peerHost(void* handle, quint16) const override
    {
        return handle == m_pair.handle() ? m_pair.m_sides[1 - m_index]->m_host : QString();
    }
    bool outputQueueFull() const override
    {
        return m_pair.m_queueLimit > 0 && m_pair.m_inFlight[m_index] >= m_pair.m_queueLimit;
    }
    const QString& lane() const { return m_lane; } // built once: every packet names it twice

private:
    LabLinkPair& m_pair;
    int m_index;
    QString m_host;
    QString m_lane;
};

LabLinkPair::LabLinkPair(Engine& engine, quint64 seed, ladder::LinkParams aToB, ladder::LinkParams bToA, QString hostA,
    QString hostB)
    : m_engine(&engine)
    , m_handle(takeHandle())
    , m_aToB(engine.scheduler(), seed, aToB, QStringLiteral("%1→%2").arg(hostA, hostB))
    , m_bToA(engine.scheduler(), seed ^ 0x5bd1e995u, bToA, QStringLiteral("%1→%2").arg(hostB, hostA))
{
    m_sides[0] = std::make_unique<Side>(*this, 0, hostA);
    m_sides[1] = std::make_unique<Side>(*this, 1, hostB);
    m_aToB.setJournal(&engine.journal(), 1);
    m_bToA.setJournal(&engine.journal(), 2);
    m_descriptor = engine.openNonSocket(QStringLiteral("the lab link %1–%2").arg(hostA, hostB));
    m_runtime = Runtime::acquire();
    m_runtime->registerAddress(handle(), [this](const QByteArray& p) { output(p); });
}

LabLinkPair::~LabLinkPair()
{
    m_runtime->deregisterAddress(handle());
    if (m_engine)
        m_engine->closeNonSocket(m_descriptor);
    releaseHandle(m_handle);
}

Transport& LabLinkPair::a() { return *m_sides[0]; }
Transport& LabLinkPair::b() { return *m_sides[1]; }

void LabLinkPair::output(const QByteArray& packet)
{
    if (packet.size() < 12 || !m_engine)
        return;
    const quint16 src = qFromBigEndian<quint16>(packet.constData());
    auto it = m_portSide.find(src);
    if (it == m_portSide.end())
        return; // from a port nobody bound any more (a late SHUTDOWN after close): the link has no sender
    const int from = it->second;
    const int to = 1 - from;
    const QString& fromLane = m_sides[from]->lane();
    const QString& toLane = m_sides[to]->lane();
    ladder::Link& link = from == 0 ? m_aToB : m_bToA;
    const ladder::LinkParams& lp = link.params();
    // A fault rule's verdict first: a faulted packet never takes the fast path, the others still do.
    const ladder::LinkFault fault = link.judge(packet, fromLane, toLane);
    if (lp.up && lp.lossPct <= 0 && lp.delayMs == 0 && lp.jitterMs == 0 && lp.duplicatePct <= 0 && lp.reorderPct <= 0
        && lp.rateBitsPerSec == 0 && m_queueLimit == 0 && fault.action == ladder::LinkFault::Action::None) {
        // A perfect wire: nothing to emulate, so skip the scheduler hop (the runtime still queues
        // the packet, so usrsctp is never re-entered). It arrives the instant it left, and the
        // tap records departure and arrival together.
        m_engine->tap().observeDelivery(handle(), packet, fromLane, toLane);
        deliver(to, packet, -1, false);
        return;
    }
    m_engine->tap().observe(trace::Dir::Tx, handle(), packet, fromLane, toLane, true);
    const quint64 droppedBefore = link.dropped();
    ++m_inFlight[from];
    std::weak_ptr<bool> alive = m_alive;
    link.transmit(
        packet, fault,
        [this, to, alive](const QByteArray& p) {
            if (alive.lock())
                deliver(to, p);
        },
        fromLane, toLane);
    if (link.dropped() != droppedBefore)
        --m_inFlight[from];
}

void LabLinkPair::deliver(int toSide, const QByteArray& packet, qint64 timeNs, bool observe)
{
    if (!m_engine)
        return;
    const int from = 1 - toSide;
    if (m_inFlight[from] > 0)
        --m_inFlight[from];
    // deliver() may run inside output() on the fast path: observe() and input() only queue.
    if (observe)
        m_engine->tap().observe(trace::Dir::Rx, handle(), packet, m_sides[from]->lane(), m_sides[toSide]->lane(), false,
            timeNs);
    m_runtime->input(handle(), packet);
}

} // namespace ladder::sctp
