// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/link.h"
#include "sctp/packettap.h"
#include "sctp/result.h"
#include "sctp/sendinfo.h"
#include "sctp/snapshot.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

#include <array>
#include <functional>
#include <map>
#include <memory>

class QUdpSocket;

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}

namespace sctp {

    // A real multi-homed SCTP association, shown and shaped like any other in the lab.
    //
    // AF_CONN associations (the rest of the lab) have one path each, so multi-homing runs in a
    // helper process, ladderlab-sctp-mh (app/sctpmh), on usrsctp's own UDP encapsulation: a client
    // (SCTP port 5001) and a server (port 5000), both bound to 127.0.0.1 and ::1 — two paths that
    // every Linux host has on its loopback without privileges. The helper sends every packet to
    // one of our UDP "reflectors" (one per path, on that path's address); we journal the packet
    // through a PacketTap, run it through the path's lab links (loss, delay, link down = path
    // failure) and send it back to the helper's encapsulation port. usrsctp does the rest for real:
    // heartbeats, per-path RTO, failover, SCTP_ADDR_OVER.
    //
    // Helper protocol, one line each way. Commands: "send SEQ FLAGS SID PPID CONTEXT POLICY VALUE
    // TO HEX" (TO "-", the peer host for SCTP_ADDR_OVER or "#ASSOC"), "sendx …" (the same with a
    // list "HOST:PORT,[V6]:PORT" for sctp_sendmsgx), "status", "primary HOST", "quit".
    // Reports: "ready ENCAPS CLIENTPORT SERVERPORT", "sent SEQ BYTES ERRNO", "note SIDE TYPE ASSOC
    // TEXT", "recv SIDE ASSOC SID SSN PPID TSN UNORDERED LEN FROM HEX", "assoc SIDE ID STATE IN OUT RWND
    // UNACKED PENDING PRIMARY" + "path SIDE ID ADDRESS STATE RTO SRTT CWND MTU" … "end", "error TEXT".
    //
    // Lives on the stack thread (QProcess and the reflectors need its event loop); time is real.
    class MultiHomedPair : public QObject {
        Q_OBJECT
    public:
        static constexpr int kPaths = 2; // 0: 127.0.0.1, 1: ::1
        static constexpr quint16 kServerPort = 5000;
        static constexpr quint16 kClientPort = 5001;

        struct Options {
            quint64 seed = 1;
            ladder::LinkParams link; // every path, both directions, at the start
            int rtoInitialMs = 300, rtoMinMs = 100, rtoMaxMs = 600;
            int heartbeatMs = 300;
            int pathMaxRetrans = 2;
            // false: no association until the first send names the peer's addresses
            // (sctp_sendmsgx's implicit set-up, the data on COOKIE-ECHO).
            bool connectOnStart = true;
            QString helper; // empty: helperPath()
        };
        using SendDone = std::function<void(const Result<qint64>&)>;

        MultiHomedPair(Scheduler& scheduler, trace::Journal& journal, Options options, QObject* parent = nullptr);
        ~MultiHomedPair() override;

        // Where ladderlab-sctp-mh is: $LADDERLAB_SCTP_MH, next to the running program, its
        // libexec directory, or the build tree; empty if none exists.
        static QString helperPath();
        // The host of path i ("127.0.0.1", "::1").
        static QString pathHost(int path);
        // Reading the helper's reports (also for ladderctl, which runs its endpoint mode): what
        // follows the first n space-separated words of a line, and a path's state as
        // SCTP_GET_PEER_ADDR_INFO gives it (SCTP_ACTIVE, SCTP_INACTIVE, SCTP_UNCONFIRMED) in words.
        static QByteArray afterWords(const QByteArray& line, int n);
        static QString pathStateText(int state);

        // Binds the reflectors and starts the helper; false (with why) if either is impossible —
        // no IPv6 loopback, no helper binary. The association comes up by itself (up()).
        bool start(QString* why);
        void stop();
        bool running() const { return m_child.state() != QProcess::NotRunning; }
        bool up() const { return m_up; }
        // The helper has said "ready": sends can go to it.
        bool ready() const { return running() && m_encapsPort != 0; }
        QString failure() const { return m_failure; }

        // sctp_sendmsg(3) on the client's association. info.to, with SCTP_ADDR_OVER, names the
        // destination by host ("::1" or "[::1]:5000"). Checked here first (EINVAL for unknown flags,
        // ENOTCONN before the association is up, EINVAL for an ADDR_OVER address that is not a
        // peer address), then done by usrsctp in the helper; done() gets its answer.
        // sctp_sendmsgx(3): info.addresses lists peer addresses, "as if sctp_connectx() had been
        // called": before the association exists it is set up to all of them (each a path, the
        // first the primary, the message on COOKIE-ECHO); once it exists the message goes to the
        // first. A list is refused before anything is sent when an address is not the peer's
        // (EHOSTUNREACH: the lab's peer is 127.0.0.1 and ::1), is listed twice (EINVAL), the ports
        // differ (EINVAL) or nothing listens on the port (ECONNREFUSED).
        void send(const QByteArray& data, const SendInfo& info, SendDone done = {});
        // SCTP_PRIMARY_ADDR on the client's association.
        void setPrimary(int path);

        // The lab links of a path: direction 0 client→server, 1 server→client.
        ladder::Link& link(int path, int direction) { return *m_links[path][direction]; }
        // A failing path: both directions down (every packet lost) or back up.
        void setPathUp(int path, bool up);
        void setLinkConditions(double lossPct, qint64 delayMs);

        // Live state (refreshed every 250 ms) and what arrived.
        QList<AssociationInfo> associations() const;
        struct Delivery {
            quint64 association = 0;
            quint16 stream = 0, ssn = 0;
            quint32 ppid = 0, tsn = 0;
            bool unordered = false;
            int bytes = 0;
            QString from; // the source address usrsctp reports: which path it came on
        };
        const QList<Delivery>& received() const { return m_received; }
        // Packets that crossed each path (both directions), as the reflectors saw them.
        quint64 packetsOnPath(int path) const { return m_packetsOnPath[path]; }
        quint64 dataChunksOnPath(int path) const { return m_dataOnPath[path]; }
        PacketTap& tap() { return m_tap; }
        quint64 clientAssociation() const { return m_ids[0]; }
        quint64 serverAssociation() const { return m_ids[1]; }

    signals:
        void associationUp();
        void failed(const QString& why);

    private:
        void readChild();
        void handleLine(const QByteArray& line);
        void handleStatus(const QList<QByteArray>& words);
        void readReflector(int path);
        void forward(int path, const QByteArray& packet);
        void fail(const QString& why);
        // The list of a sctp_sendmsgx as the helper reads it ("127.0.0.1:5000,[::1]:5000"), or
        // an error.
        Result<QByteArray> addressList(const QList<Address>& addresses) const;
        void journalText(int kind, quint64 object, quint64 a, const QString& text);
        int sideIndex(const QByteArray& side) const { return side == "client" ? 0 : 1; }
        QString lane(int side, int path) const;
        StreamInfo& stream(int side, quint16 sid); // created on first use

        Scheduler& m_scheduler;
        trace::Journal& m_journal;
        Options m_options;
        PacketTap m_tap;
        QProcess m_child;
        QByteArray m_childBuffer;
        std::array<QUdpSocket*, kPaths> m_reflectors {};
        std::array<std::array<std::unique_ptr<ladder::Link>, 2>, kPaths> m_links;
        quint16 m_encapsPort = 0;
        bool m_up = false;
        bool m_stopping = false;
        QString m_failure;
        QTimer m_statusTimer;
        std::array<quint64, 2> m_ids { 1, 2 }; // our association ids: client's, server's
        std::array<quint32, 2> m_sctpIds {};
        std::array<AssociationInfo, 2> m_info;
        std::array<QList<PathInfo>, 2> m_pendingPaths;
        QList<Delivery> m_received;
        std::map<quint64, SendDone> m_pendingSends;
        quint64 m_nextSend = 1;
        std::array<quint64, kPaths> m_packetsOnPath {};
        std::array<quint64, kPaths> m_dataOnPath {};
        std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    };

} // namespace sctp
} // namespace ladder
