// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace ladder {
class Scheduler;
}

namespace ladder::sctp {

// The one owner of usrsctp in the process. usrsctp is global state, so every Stack shares one
// runtime: the first acquire() initialises it in single-threaded mode (usrsctp_init_nothreads, no
// library threads at all), the last release shuts it down cleanly (closes what is left, lets
// SHUTDOWN complete, then loops usrsctp_finish until it agrees). All usrsctp calls must come from
// the thread that acquired the runtime.
//
// Packets usrsctp wants to send arrive in conn_output; they are queued and delivered from the
// event loop, never re-entering usrsctp (calling usrsctp_conninput from inside conn_output
// deadlocks at INIT-ACK, see shared/USRSCTP.md).
class Runtime : public QObject {
    Q_OBJECT
public:
    // Called with each complete SCTP packet (common header + chunks, CRC32c filled in) that
    // usrsctp sends towards the AF_CONN address `handle`. usrsctp names an AF_CONN address by
    // pointer and sets source = destination on input, so one handle stands for one link: both
    // ends bind it and are told apart by their ports.
    using Output = std::function<void(const QByteArray& packet)>;

    static std::shared_ptr<Runtime> acquire();
    ~Runtime() override;

    static bool isInitialised();
    // Whether the last runtime to go could finish usrsctp (every socket and association gone, its
    // tables freed); true before any went.
    static bool lastFinishClean();
    static QString libraryVersion();

    // Registers an AF_CONN address (a link); packets usrsctp sends on it go to out. counters:
    // whether out reads currentOutput() (the packet tap does); while no registered address
    // does, conn_output does not sample usrsctp's counters (a copy of its statistics per packet).
    void registerAddress(void* handle, Output out, bool counters = true);
    void deregisterAddress(void* handle);
    // Called after each batch of Output callbacks (packets are only ever handed over in batches,
    // from the event loop): a transport may queue what its outputs got and send it all at once.
    void addBatchEnd(void* key, std::function<void()> fn);
    void removeBatchEnd(void* key);
    // Called synchronously with every packet as usrsctp emits it (Tx, inside usrsctp: the hook
    // must not call usrsctp) and just before usrsctp is fed one (Rx): what a caller needs to know
    // of usrsctp's queues at once, before the batch reaches the outputs and the packet tap.
    using WireHook = std::function<void(bool inbound, void* handle, const char* packet, std::size_t length)>;
    void addWireHook(void* key, WireHook fn);
    void removeWireHook(void* key);

    // Delivers a packet received for the AF_CONN address handle (safe to call from any callback:
    // it is queued and fed to usrsctp from the event loop).
    void input(void* handle, const QByteArray& packet);
    // Feeds it to usrsctp at once, straight from the caller's buffer: for a transport's socket
    // handler, which the event loop calls. (From inside a batch it is queued as input() does.)
    void inputNow(void* handle, const char* data, std::size_t length);

    // Drives usrsctp's timers; called every tick from the event loop.
    void tick();

    // Virtual time (a headless lab run): from now on usrsctp's timers tick every kTickMs of
    // scheduler's time, from the scheduler, and queued packets are handed over by scheduler.post()
    // instead of the Qt event loop, so a run that only advances its scheduler drives SCTP exactly
    // and reproducibly (with LabClock for usrsctp's own clock and random reads). nullptr: back to
    // the QTimer and real time (what is still queued goes to the event loop). The scheduler must
    // outlive the drive; one scheduler at a time (false if another one drives).
    bool driveFrom(Scheduler* scheduler);
    Scheduler* drivenBy() const { return m_virtual; }

    // During an Output callback: how many DATA chunks of the packet being handed over usrsctp
    // counted as retransmitted and, among them, fast-retransmitted. usrsctp bumps its global
    // counters (sctps_sendretransdata, sctps_sendfastretrans) right after it emitted a packet,
    // so conn_output snapshots them for every packet that may hold a retransmission (a DATA or
    // I-DATA TSN not beyond the highest one emitted between its ports), and a packet's share is
    // the difference to the next snapshot. known = false outside an Output callback and for the
    // other packets (they retransmit nothing).
    struct OutputCounters {
        quint32 retransmitted = 0;
        quint32 fast = 0;
        bool known = false;
    };
    static OutputCounters currentOutput();
    int tickIntervalMs() const { return kTickMs; }

private:
    Runtime();
    static int connOutput(void* addr, void* buffer, size_t length, uint8_t tos, uint8_t setDf);
    void flushOutput();
    void flushBatch();
    bool mayRetransmit(const void* buffer, std::size_t length);
    void scheduleFlush();
    void virtualTick();

    static constexpr int kTickMs = 10;
    static constexpr int kFlushRounds = 8;
    QTimer m_ticker;
    QElapsedTimer m_clock;
    qint64 m_lastTickMs = 0;
    Scheduler* m_virtual = nullptr; // driveFrom()
    quint64 m_virtualTick = 0; // its pending tick and flush timers
    quint64 m_virtualFlush = 0;
    std::unordered_map<void*, Output> m_outputs;
    std::unordered_set<void*> m_counterUsers; // registered addresses that read currentOutput()
    std::unordered_map<quint32, quint32> m_highestTsn; // source and destination port -> highest TSN emitted
    quint32 m_lastPorts = 0; // the pair looked up last, and its entry
    quint32* m_lastHighest = nullptr;
    std::vector<std::pair<void*, std::function<void()>>> m_batchEnds;
    std::vector<std::pair<void*, WireHook>> m_wireHooks;
    void wire(bool inbound, void* handle, const char* packet, std::size_t length)
    {
        for (std::size_t i = 0; i < m_wireHooks.size(); ++i)
            m_wireHooks[i].second(inbound, handle, packet, length);
    }
    struct Pending {
        void* handle;
        QByteArray packet;
        bool inbound;
        quint32 retransAt = 0; // usrsctp's counters when conn_output got the packet
        quint32 fastAt = 0;
        bool sampled = false; // retransAt and fastAt were taken
    };
    std::vector<Pending> m_pending;
    // flushBatch's working storage (empty between batches), kept so that a bulk transfer does not
    // allocate per batch.
    std::vector<Pending> m_batch;
    struct Snapshot {
        quint32 retrans = 0, fast = 0;
        bool sampled = false;
    };
    std::vector<Snapshot> m_next;
    bool m_flushScheduled = false;
    bool m_inBatch = false; // flushBatch is handing packets over
};

} // namespace ladder::sctp
