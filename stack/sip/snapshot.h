// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace ladder::sip {

// Value snapshots of the SIP engine's live state. They cross threads (stack thread -> UI) by
// queued signals, so they hold no pointers into the stack.

struct StateStamp {
    QString state;
    qint64 timeNs = 0; // scheduler time of the change
};

struct TimerSnapshot {
    QString name; // "A", "B", "E"…, "100" (100 Trying delay), "2xx" (2xx retransmission)
    qint64 intervalNs = 0;
    qint64 dueNs = 0; // absolute scheduler time
};

struct TransactionSnapshot {
    quint64 id = 0;
    QString role; // "client" | "server"
    QString kind; // "INVITE client", "non-INVITE server"…
    QString method;
    QByteArray branch;
    QString state;
    bool terminated = false;
    QList<StateStamp> history;
    QList<TimerSnapshot> timers; // armed now
    quint32 retransmissions = 0;
    quint64 connectionId = 0;
    QString connection; // "UDP 127.0.0.1:5060 -> 127.0.0.1:5070"
    QString localEndpoint, remoteEndpoint;
    bool reliable = false;
    quint64 dialogId = 0;
    int lastStatus = 0;
    qint64 createdNs = 0;
    QList<QByteArray> messages; // request, last response, generated ACK — as on the wire
};

struct DialogSnapshot {
    quint64 id = 0;
    QString role; // "UAC" | "UAS"
    QString method; // the dialog-creating method: INVITE, SUBSCRIBE
    QString state; // "early" | "confirmed" | "terminated"
    QByteArray callId, localTag, remoteTag;
    QByteArray localUri, remoteUri, remoteTarget;
    QList<QByteArray> routeSet;
    quint32 localCSeq = 0;
    quint32 remoteCSeq = 0; // 0 = empty
    bool secure = false;
    quint64 creatingTransaction = 0;
    QList<StateStamp> history;
};

struct ConnectionSnapshot {
    quint64 id = 0;
    QString transport; // "UDP", "TCP", "SCTP"
    QString local, remote;
    bool reliable = false;
    bool stream = false;
    bool open = false;
    quint64 sent = 0, received = 0;
};

struct StackSnapshot {
    qint64 timeNs = 0;
    QList<TransactionSnapshot> transactions; // live ones, then recently terminated ones
    QList<DialogSnapshot> dialogs;
    QList<ConnectionSnapshot> connections;
};

} // namespace ladder::sip

Q_DECLARE_METATYPE(ladder::sip::TransactionSnapshot)
Q_DECLARE_METATYPE(ladder::sip::DialogSnapshot)
Q_DECLARE_METATYPE(ladder::sip::ConnectionSnapshot)
Q_DECLARE_METATYPE(ladder::sip::StackSnapshot)
