// SPDX-License-Identifier: GPL-3.0-or-later
#include "runtime.h"

#include "core/scheduler.h"
#include "core/version.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QtEndian>
#include <QThread>

#include <algorithm>
#include <mutex>
#include <usrsctp.h>

namespace ladder::sctp {

namespace {
    std::mutex g_mutex;
    std::weak_ptr<Runtime> g_runtime;
    Runtime* g_instance = nullptr;
    bool g_initialised = false;
    bool g_lastFinishClean = true;
    Runtime::OutputCounters g_current; // only touched on the runtime's thread

    void retransmissionCounters(quint32* retrans, quint32* fast)
    {
        struct sctpstat st; // usrsctp_get_stat copies all of it: no need to clear it first (per packet)
        usrsctp_get_stat(&st);
        *retrans = st.sctps_sendretransdata;
        *fast = st.sctps_sendfastretrans;
    }

    // Serial-number order (RFC 1982) of 32-bit TSNs.
    bool tsnAfter(quint32 a, quint32 b) { return qint32(a - b) > 0; }
}

// Only a DATA or I-DATA chunk can be a retransmission, and only one whose TSN left before: the
// output of any other packet needs no snapshot of the counters (a whole sctpstat copied, per
// packet of a bulk transfer). A TSN beyond the highest one emitted between these ports leaves
// for the first time. Keyed by the ports alone, not the link: a retransmission may take another
// path. A packet whose chunk headers do not add up counts as one that may.
bool Runtime::mayRetransmit(const void* buffer, std::size_t length)
{
    const auto* p = static_cast<const uchar*>(buffer);
    if (length < 12)
        return true;
    const quint32 ports = qFromBigEndian<quint32>(p);
    quint32* highest = nullptr; // this port pair's highest TSN emitted, looked up at its first DATA
    bool may = false;
    std::size_t at = 12;
    while (at + 4 <= length) {
        const uchar type = p[at];
        const std::size_t chunkLength = qFromBigEndian<quint16>(p + at + 2);
        if (chunkLength < 4)
            return true;
        if (type == 0 || type == 64) { // DATA, I-DATA
            if (chunkLength < 8 || at + 8 > length)
                return true;
            const quint32 tsn = qFromBigEndian<quint32>(p + at + 4);
            if (!highest) {
                if (!m_lastHighest || m_lastPorts != ports) {
                    m_lastHighest = &m_highestTsn.try_emplace(ports, tsn - 1).first->second;
                    m_lastPorts = ports;
                }
                highest = m_lastHighest;
            }
            if (tsnAfter(tsn, *highest))
                *highest = tsn;
            else
                may = true;
        } else if (type == 1 || type == 2) { // INIT, INIT-ACK: a new association on these ports
            m_highestTsn.erase(ports);
            highest = m_lastHighest = nullptr;
        }
        at += (chunkLength + 3) & ~std::size_t(3);
    }
    return may || at != length; // stray bytes, or a chunk running past the end
}

Runtime::OutputCounters Runtime::currentOutput() { return g_current; }

std::shared_ptr<Runtime> Runtime::acquire()
{
    std::lock_guard lock(g_mutex);
    if (auto rt = g_runtime.lock())
        return rt;
    std::shared_ptr<Runtime> rt(new Runtime);
    g_runtime = rt;
    return rt;
}

bool Runtime::isInitialised()
{
    std::lock_guard lock(g_mutex);
    return g_initialised;
}

QString Runtime::libraryVersion()
{
    return usrsctpVersion();
}

Runtime::Runtime()
{
    usrsctp_init_nothreads(0, &Runtime::connOutput, nullptr);
    // Work around the SCTP_ADDR_OVER spin in sctp_ss_default_select (shared/USRSCTP.md).
    usrsctp_sysctl_set_sctp_default_ss_module(SCTP_SS_FIRST_COME);
    usrsctp_sysctl_set_sctp_ecn_enable(1);
    usrsctp_sysctl_set_sctp_pr_enable(1);
    g_instance = this;
    g_initialised = true;

    m_clock.start();
    m_lastTickMs = 0;
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(kTickMs);
    connect(&m_ticker, &QTimer::timeout, this, &Runtime::tick);
    m_ticker.start();
}

Runtime::~Runtime()
{
    m_ticker.stop();
    m_virtual = nullptr; // its scheduler may be gone (a lab run ends its drive; see driveFrom)
    // Deliver what is still queued so SHUTDOWN exchanges between in-process peers can finish.
    for (int round = 0; round < 200 && !m_pending.empty(); ++round) {
        flushOutput();
        usrsctp_handle_timers(kTickMs);
    }
    m_outputs.clear();
    m_counterUsers.clear();
    // usrsctp_finish returns -1 while endpoints remain; their timers must run for them to go.
    // Nothing is delivered any more, so what is left can only time out (a SHUTDOWN retransmitted
    // up to its limit, the shutdown guard): after two seconds in ticks, time runs a second per
    // round, so even those end (about 47 minutes of usrsctp's time, in no time).
    int rounds = 0;
    bool finished = usrsctp_finish() == 0;
    while (!finished && rounds < 3000) {
        usrsctp_handle_timers(rounds < 200 ? kTickMs : 1000);
        m_pending.clear();
        ++rounds;
        finished = usrsctp_finish() == 0;
    }
    if (!finished)
        qWarning("usrsctp_finish still failed after %d timer rounds: associations were left behind, and "
                 "usrsctp keeps its tables (a leak until the process ends)",
            rounds);
    std::lock_guard lock(g_mutex);
    g_instance = nullptr;
    g_initialised = false;
    g_lastFinishClean = finished;
}

bool Runtime::lastFinishClean()
{
    std::lock_guard lock(g_mutex);
    return g_lastFinishClean;
}

void Runtime::registerAddress(void* handle, Output out, bool counters)
{
    m_outputs[handle] = std::move(out);
    if (counters)
        m_counterUsers.insert(handle);
    else
        m_counterUsers.erase(handle);
    usrsctp_register_address(handle);
}

void Runtime::addBatchEnd(void* key, std::function<void()> fn)
{
    removeBatchEnd(key);
    m_batchEnds.emplace_back(key, std::move(fn));
}

void Runtime::removeBatchEnd(void* key)
{
    m_batchEnds.erase(std::remove_if(m_batchEnds.begin(), m_batchEnds.end(), [key](const auto& b) { return b.first == key; }),
        m_batchEnds.end());
}

void Runtime::addWireHook(void* key, WireHook fn)
{
    removeWireHook(key);
    m_wireHooks.emplace_back(key, std::move(fn));
}

void Runtime::removeWireHook(void* key)
{
    m_wireHooks.erase(std::remove_if(m_wireHooks.begin(), m_wireHooks.end(), [key](const auto& h) { return h.first == key; }),
        m_wireHooks.end());
}

void Runtime::deregisterAddress(void* handle)
{
    usrsctp_deregister_address(handle);
    m_outputs.erase(handle);
    m_counterUsers.erase(handle);
}

int Runtime::connOutput(void* addr, void* buffer, size_t length, uint8_t, uint8_t)
{
    Runtime* rt = g_instance;
    if (!rt)
        return 0;
    if (!rt->m_wireHooks.empty())
        rt->wire(false, addr, static_cast<const char*>(buffer), length);
    Pending p { addr, QByteArray(static_cast<const char*>(buffer), qsizetype(length)), false };
    if (!rt->m_counterUsers.empty() && rt->mayRetransmit(buffer, length)) {
        retransmissionCounters(&p.retransAt, &p.fastAt);
        p.sampled = true;
    }
    rt->m_pending.push_back(std::move(p));
    rt->scheduleFlush();
    return 0;
}

void Runtime::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    if (m_virtual)
        m_virtualFlush = m_virtual->post([this] {
            m_virtualFlush = 0;
            flushOutput();
        });
    else
        QMetaObject::invokeMethod(this, &Runtime::flushOutput, Qt::QueuedConnection);
}

bool Runtime::driveFrom(Scheduler* scheduler)
{
    if (scheduler == m_virtual)
        return true;
    if (scheduler && m_virtual)
        return false;
    if (m_virtual) {
        m_virtual->cancel(m_virtualTick);
        m_virtualTick = 0;
        if (m_virtualFlush) {
            m_virtual->cancel(m_virtualFlush);
            m_virtualFlush = 0;
            m_flushScheduled = false;
        }
    }
    m_virtual = scheduler;
    if (m_virtual) {
        m_ticker.stop();
        m_virtualTick = m_virtual->scheduleMs(kTickMs, [this] { virtualTick(); });
    } else {
        m_lastTickMs = m_clock.elapsed(); // the time spent in virtual time is not usrsctp's
        m_ticker.start();
    }
    if (!m_pending.empty() && !m_flushScheduled)
        scheduleFlush();
    return true;
}

void Runtime::virtualTick()
{
    m_virtualTick = m_virtual->scheduleMs(kTickMs, [this] { virtualTick(); });
    usrsctp_handle_timers(kTickMs);
}

void Runtime::input(void* handle, const QByteArray& packet)
{
    m_pending.push_back({ handle, packet, true });
    scheduleFlush();
}

void Runtime::inputNow(void* handle, const char* data, std::size_t length)
{
    if (m_inBatch) {
        input(handle, QByteArray(data, qsizetype(length)));
        return;
    }
    if (!m_wireHooks.empty())
        wire(true, handle, data, length);
    usrsctp_conninput(handle, data, length, 0);
}

void Runtime::flushOutput()
{
    m_flushScheduled = false;
    // A perfect lab link hands packets straight back (input() during the batch): deliver them in
    // the same call, a few hops deep, instead of one event-loop round per hop. Bounded, so a bulk
    // transfer cannot keep the event loop from its other work.
    for (int round = 0; round < kFlushRounds && !m_pending.empty(); ++round)
        flushBatch();
}

void Runtime::flushBatch()
{
    // Swap first: delivering may make usrsctp produce more packets, which queue for the next round.
    std::vector<Pending> batch;
    batch.swap(m_pending);
    m_pending.swap(m_batch); // an earlier batch's storage (empty): new packets queue there
    // Every packet of the batch was emitted before this point, so the counters now bound the
    // share of the last one; the next sampled outbound packet's snapshot bounds each earlier one
    // (usrsctp counts a retransmission after emitting it; the packets not sampled, which carry
    // no TSN that left before, retransmit nothing).
    Snapshot end;
    if (!m_counterUsers.empty()) {
        retransmissionCounters(&end.retrans, &end.fast);
        end.sampled = true;
    }
    std::vector<Snapshot> next;
    next.swap(m_next);
    next.resize(batch.size());
    for (std::size_t i = batch.size(); i-- > 0;) {
        next[i] = end;
        if (!batch[i].inbound && batch[i].sampled)
            end = { batch[i].retransAt, batch[i].fastAt, true };
    }
    bool output = false;
    m_inBatch = true;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        Pending& p = batch[i];
        if (p.inbound) {
            if (!m_wireHooks.empty())
                wire(true, p.handle, p.packet.constData(), std::size_t(p.packet.size()));
            usrsctp_conninput(p.handle, p.packet.constData(), std::size_t(p.packet.size()), 0);
        } else {
            auto it = m_outputs.find(p.handle);
            if (it != m_outputs.end() && it->second) {
                if (p.sampled && next[i].sampled)
                    g_current = { next[i].retrans - p.retransAt, next[i].fast - p.fastAt, true };
                it->second(p.packet);
                g_current = {};
                output = true;
            }
        }
    }
    m_inBatch = false;
    if (output)
        for (std::size_t i = 0; i < m_batchEnds.size(); ++i) // by index: a hook may (de)register
            m_batchEnds[i].second();
    batch.clear();
    m_batch.swap(batch); // keep the capacity for a later batch
    m_next.swap(next);
}

void Runtime::tick()
{
    // usrsctp counts its timers in elapsed milliseconds; pass what really elapsed so a late tick
    // (a busy event loop) does not slow down SCTP's clock.
    const qint64 now = m_clock.elapsed();
    const qint64 elapsed = now - m_lastTickMs;
    if (elapsed <= 0)
        return;
    m_lastTickMs = now;
    usrsctp_handle_timers(uint32_t(std::min<qint64>(elapsed, 1000)));
}

} // namespace ladder::sctp
