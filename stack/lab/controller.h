// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "breakpoint.h"
#include "scenario.h"
#include "sctp/snapshot.h"
#include "sip/snapshot.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace ladder::lab {

class Pacer;
class VirtualSctp;

// The result of a composer send, as the user sees it.
struct ComposerResult {
    bool ok = false;
    QString errnoName; // "EINVAL", "ENOENT", … (empty when ok)
    QString text; // "sent" or the reason, one sentence
    quint64 transaction = 0;
    quint64 dialog = 0;
};

// What the SCTP composer asks for: sctp_sendmsg(3) arguments plus a burst (repeat, interval).
struct SctpComposerRequest {
    quint64 association = 0; // 0: send to `to` (one-to-many, implicit set-up)
    QString to; // "HOST:PORT" when association is 0
    QByteArray payload;
    quint16 stream = 0;
    quint32 ppid = 0;
    quint32 context = 0;
    quint32 flags = 0; // SCTP_EOF 0x100, SCTP_ABORT 0x200, SCTP_UNORDERED 0x400, SCTP_ADDR_OVER 0x800,
    //                   SCTP_SENDALL 0x1000, SCTP_SACK_IMMEDIATELY 0x4000
    QString addrOver; // the path for SCTP_ADDR_OVER
    int prPolicy = 0; // 0 none, 1 TTL (ms), 2 BUF (bytes queued), 3 RTX (retransmissions), 4 PRIO (RFC 7496)
    quint32 prValue = 0;
    int repeat = 1;
    int intervalMs = 0;
};

// The lab as the GUI drives it, living on the stack thread: starts and stops one scenario at a
// time, applies the Lab panel's link sliders, sends what the composer wrote through the
// scenario's "you" peer, and publishes live snapshots of every peer at most 10 times a second.
//
// A scenario that runs in this process runs in virtual time, paced (pacer.h): the stack's
// scheduler goes virtual for the run and usrsctp follows the lab's clock and seed, exactly as in
// `ladderctl lab run`, so the window shows the same run, event for event, as the headless one —
// and it can be paused, stepped, sped up or slowed down, and stopped at breakpoints. A real-time
// scenario (addr-over: its association lives in a helper process) runs on the real clock.
class LabController : public QObject {
    Q_OBJECT
public:
    explicit LabController(Stack& stack, QObject* parent = nullptr);
    ~LabController() override;

    // paused: start with the clock stopped at 0 (Play or Step moves it).
    bool start(const QString& name, const ScenarioParams& params, QString* error, bool paused = false);
    void stop();
    QString running() const { return m_name; }

    // The transport controls; they act on a virtual-time run only.
    void play();
    void pause();
    void step();
    // Steps to the next event about this transaction, dialog or association (0: any event).
    void stepOver(quint64 object);
    // 0 = as fast as possible, else 0.05…100 (times real time).
    void setSpeed(double speed);
    // Breakpoints (breakpoint.h), for the running scenario and the next ones; false and *error
    // (the first bad rule's text and why) when one does not parse — then none is changed.
    bool setBreakpoints(const QStringList& rules, QString* error);
    Pacer* pacer() const { return m_pacer.get(); }

    // Rewind. A virtual-time run keeps its history: after each instant at which something was
    // journalled, the state every view shows (the SIP snapshot, the associations). Rewinding to a
    // time pauses the run and shows the state as of that instant — what the live views showed
    // then — until backToLive() (Play and Step go back to live first: the stack itself is never
    // rewound). The history is bounded (kMaxHistory instants; past that, every second one is kept).
    struct HistoryPoint {
        qint64 timeNs = 0;
        quint64 journalCount = 0; // events journalled by then (the last one is journalCount - 1)
        sip::StackSnapshot sip;
        QList<sctp::AssociationInfo> associations;
    };
    static constexpr qsizetype kMaxHistory = 20000;
    const QList<HistoryPoint>& history() const { return m_history; }
    // The history point as of timeNs (the last one at or before it), or null without history.
    const HistoryPoint* historyAt(qint64 timeNs) const;
    // false and *error when there is nothing to rewind (no virtual-time run, or nothing recorded).
    bool rewindTo(qint64 timeNs, QString* error);
    void backToLive();
    bool isRewound() const { return m_rewoundNs >= 0; }
    // A re-run to an instant: restarts the scenario with params (the same seed, the same or more
    // fault rules), runs it as fast as possible to timeNs and pauses there, where the user changes
    // something (the loss and delay sliders, a composed message) before Play. A fault rule aimed
    // at a packet after timeNs leaves the run identical up to there (the run is deterministic).
    bool rerunTo(const QString& name, const ScenarioParams& params, qint64 timeNs, QString* error);
    void setLinkConditions(double lossPct, qint64 delayMs);
    // RFC 3261 T1 for every SIP stack of the scenario, now and for the next starts (0: each stack's
    // own). Teaching wants a short T1 (timers you can watch) and a long one (a slow satellite link);
    // Timer B/F/H/J/M = 64·T1 follow. T2 stays 4 s unless T1 exceeds it.
    void setSipT1(qint64 t1Ms);
    // A multi-homed scenario's path fails (all its packets lost) or is repaired.
    void setPathUp(int path, bool up);

    // sip_sendmsg(3SIP) from the composer: text is one SIP message; target "udp:HOST:PORT",
    // "tcp:HOST:PORT" (or HOST:PORT for UDP) names a lab peer.
    ComposerResult sendSip(const QByteArray& text, const QString& target, quint64 dialog, bool stateful, bool dialogOnFork);

    // One merged snapshot of every SIP stack of the running scenario. Transaction and dialog ids
    // are process-wide, so they stay the journal's object ids (the views jump to them).
    sip::StackSnapshot sipSnapshot() const;
    // Every association of every SCTP engine of the running scenario (ids are process-wide).
    QList<sctp::AssociationInfo> associations() const;

    // sctp_sendmsg(3) from the composer through the scenario's own SCTP socket, repeated
    // request.repeat times every request.intervalMs. The first message is sent now; done is called
    // (on the stack thread) once the burst is over — at the first error, or after the last message.
    using SctpDone = std::function<void(const ComposerResult&)>;
    void sendSctp(const SctpComposerRequest& request, SctpDone done);
    // Stops a running burst (a new scenario or stop() does too).
    void cancelBurst();

signals:
    void sipSnapshotReady(const ladder::sip::StackSnapshot& snapshot);
    void associationsReady(const QList<ladder::sctp::AssociationInfo>& associations);
    void scenarioStarted(const QString& name);
    void scenarioFinished(const QString& name, bool ok, const QString& failure, const QStringList& findings);
    // The clock of the run: virtual (pausable) or real, playing or not, its speed (0: as fast as
    // possible) and the time now (ns since the run began).
    void clockChanged(bool virtualTime, bool playing, double speed, qint64 nowNs);
    // The run stopped at journal event seq (-1: none) for breakpoint index (-1: a step), why says so.
    void pausedAt(qint64 seq, int breakpoint, const QString& why);
    // The views show the state as of timeNs, the newest event then being lastSeq; timeNs -1: live again.
    void rewound(qint64 timeNs, qint64 lastSeq);

private:
    void tick();
    ComposerResult composerFailure(const char* errnoName, const QString& why);
    struct Burst;
    void burstStep(const std::shared_ptr<Burst>& burst);

    void endVirtualTime();
    void recordInstant();

    Stack& m_stack;
    std::unique_ptr<Pacer> m_pacer;
    std::unique_ptr<VirtualSctp> m_virtualSctp; // while a virtual-time run owns usrsctp's clock
    bool m_virtual = false;
    double m_speed = 1;
    QList<Breakpoint> m_breakpoints;
    std::unique_ptr<Scenario> m_scenario;
    QString m_name;
    bool m_reported = false;
    qint64 m_t1Ms = 0;
    QTimer m_publish;
    std::shared_ptr<Burst> m_burst;
    QList<HistoryPoint> m_history;
    bool m_historyThinned = false;
    qint64 m_rewoundNs = -1;
};

} // namespace ladder::lab
