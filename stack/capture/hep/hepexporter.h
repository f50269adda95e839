// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/hep/hep.h"
#include "journal/event.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QObject>

#include <deque>

class QTcpSocket;
class QUdpSocket;

namespace ladder::trace::hep {

// Where and how to mirror: a collector ("udp:HOST:PORT" or "tcp:HOST:PORT" — Homer's
// heplify-server, sngrep -L, a LadderLab listener), the capture agent's id and name, and the
// collector's auth key if it wants one.
struct ExportOptions {
    QHostAddress address;
    quint16 port = 0;
    bool tcp = false;
    quint32 agentId = 2001;
    QByteArray agentName = "ladderlab";
    QByteArray authKey;
    // Packets waiting for a TCP collector that is (re)connecting; beyond this they are dropped
    // (and counted), never kept without bound.
    int maxQueued = 10000;
};
// "udp:127.0.0.1:9060", "tcp:[::1]:9060", "127.0.0.1:9060" (UDP); false with *error otherwise.
bool parseTarget(const QString& text, ExportOptions* options, QString* error);

// The HEPv3 packet for a journal event: SIP messages (SipMessage, SipRetransmission) with their
// bytes, their addresses (a lab end's label maps to the same synthetic address the pcapng export
// uses), the transport as the IP protocol (TLS and WebSocket as TCP, HEP has no number for them)
// and the event's wall-clock time (epochNs + timeNs). False for every other event.
bool packetFor(const Event& e, qint64 epochNs, const ExportOptions& options, Packet* out);

// Mirrors SIP messages to a HEP collector as HEPv3, the way a capture agent does (heplify,
// kamailio's siptrace): what a live capture sees, what the lab's peers say, what LadderLab's own
// sockets send and receive. offer() may be called from any thread (a journal's append hook);
// the socket lives on the exporter's thread and sends from its event loop. A received message
// that is the copy of one this journal sent (both ends in the lab) is mirrored once.
class Exporter : public QObject {
    Q_OBJECT
public:
    explicit Exporter(QObject* parent = nullptr);
    ~Exporter() override;

    bool start(const ExportOptions& options, QString* error);
    void stop();
    // Thread-safe. epochNs: the wall-clock time of the event's journal time 0.
    void offer(const Event& e, qint64 epochNs);
    // Sends what is queued now (tests and shutdown; otherwise the event loop does it).
    void flush();

    struct Stats {
        quint64 offered = 0; // SIP messages seen
        quint64 mirrors = 0; // received copies of own sends, not sent again
        quint64 sent = 0; // HEP packets handed to the socket
        quint64 dropped = 0; // queue full, encoding refused, socket error
        QString lastError;
    };
    Stats stats() const;
    QString description() const; // "udp:127.0.0.1:9060"

signals:
    // The collector could not be reached (once per change of state, not per packet).
    void failed(const QString& why);

private:
    void sendQueued();
    void connectTcp();

    ExportOptions m_options;
    QUdpSocket* m_udp = nullptr;
    QTcpSocket* m_tcp = nullptr;
    mutable QMutex m_mutex; // guards what offer() touches
    std::deque<QByteArray> m_queue;
    QHash<QByteArray, qint64> m_sentDigests; // digest of a Tx message → its time (for the mirror check)
    bool m_wakePending = false;
    Stats m_stats;
    bool m_failedReported = false;
};

} // namespace ladder::trace::hep
