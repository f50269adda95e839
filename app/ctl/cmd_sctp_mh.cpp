// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl send sctp --to A,B / listen sctp --on A,B: sctp_sendmsgx(3) and a multi-homed
// listener on real RFC 6951 UDP encapsulation. LadderLab's own SCTP stack runs usrsctp over
// AF_CONN, where an association has one path (docs/ARCHITECTURE.md), so several addresses go
// through the ladderlab-sctp-mh helper in its endpoint mode: threaded usrsctp with its own UDP
// encapsulation, one one-to-many socket, driven line by line (stack/sctp/multihome/multihomedpair.h
// has the protocol). What it reports is printed as it comes; chunks are not (the helper has no
// tap): capture them with `ladderctl capture` or tshark on the UDP port.
#include "cmd_sctp_mh.h"

#include "command.h"
#include "sctp/multihome/multihomedpair.h"
#include "sctp/result.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QProcess>
#include <QThread>
#include <QtEndian>

#include <climits>
#include <csignal>
#include <cstring>
#include <functional>

namespace ladder::ctl {
namespace {

    using namespace ladder::sctp;

    volatile std::sig_atomic_t g_stopMh = 0;

    QString describeErrno(int code)
    {
        return QStringLiteral("%1 (%2)").arg(errnoName(code), QString::fromLocal8Bit(std::strerror(code)));
    }

    QString helperHost(const Address& a)
    {
        return a.host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(a.host).arg(a.port)
                                                 : QStringLiteral("%1:%2").arg(a.host).arg(a.port);
    }

    bool isLoopback(const QString& host) { return host.startsWith(QLatin1String("127.")) || host == QLatin1String("::1"); }

    // The helper in endpoint mode, its report lines handed to onLine as they arrive.
    class Helper {
    public:
        std::function<void(const QList<QByteArray>& words, const QByteArray& line)> onLine;

        bool start(const QStringList& args, QString* why)
        {
            const QString path = MultiHomedPair::helperPath();
            if (path.isEmpty()) {
                *why = QStringLiteral("ladderlab-sctp-mh was not found (set LADDERLAB_SCTP_MH to its path): several "
                                      "addresses need it");
                return false;
            }
            m_child.setProcessChannelMode(QProcess::SeparateChannels);
            m_child.start(path, QStringList { QStringLiteral("--endpoint") } + args);
            if (!m_child.waitForStarted(5000)) {
                *why = QStringLiteral("cannot start %1: %2").arg(path, m_child.errorString());
                return false;
            }
            const bool ready = spin([&] { return m_ready || !m_error.isEmpty() || m_child.state() == QProcess::NotRunning; }, 10000);
            if (!ready || !m_ready) {
                *why = !m_error.isEmpty() ? QString::fromUtf8(m_error)
                                          : QStringLiteral("ladderlab-sctp-mh did not start: %1")
                                                .arg(QString::fromUtf8(m_child.readAllStandardError()).trimmed());
                return false;
            }
            return true;
        }
        void write(const QByteArray& line) { m_child.write(line + '\n'); }
        // Runs the event loop, reading reports, until pred() holds or ms pass.
        bool spin(const std::function<bool()>& pred, int ms)
        {
            QDeadlineTimer deadline(ms);
            while (!pred() && !deadline.hasExpired() && !g_stopMh) {
                m_child.waitForReadyRead(5);
                read();
                QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
            }
            read();
            return pred();
        }
        void stop()
        {
            if (m_child.state() == QProcess::NotRunning)
                return;
            write("quit");
            m_child.closeWriteChannel();
            if (!m_child.waitForFinished(5000))
                m_child.kill();
            m_child.waitForFinished(1000);
        }
        ~Helper() { stop(); }
        QByteArray error() const { return m_error; }

    private:
        void read()
        {
            m_buffer += m_child.readAllStandardOutput();
            qsizetype nl;
            while ((nl = m_buffer.indexOf('\n')) >= 0) {
                const QByteArray line = m_buffer.left(nl);
                m_buffer.remove(0, nl + 1);
                const QList<QByteArray> w = line.split(' ');
                if (w.value(0) == "ready")
                    m_ready = true;
                else if (w.value(0) == "error")
                    m_error = line.mid(6);
                if (onLine)
                    onLine(w, line);
            }
        }
        QProcess m_child;
        QByteArray m_buffer;
        bool m_ready = false;
        QByteArray m_error;
    };

    // "recv SIDE ASSOC SID SSN PPID TSN UNORDERED LEN FROM HEX" as ladderctl prints a delivery.
    QString receivedText(const QList<QByteArray>& w)
    {
        const QByteArray data = QByteArray::fromHex(w.value(10) == "-" ? QByteArray() : w.value(10));
        return QStringLiteral("received %1 bytes from %2 (association %3) on stream %4, PPID %5%6: %7")
            .arg(QString::fromUtf8(w.value(8)), QString::fromUtf8(w.value(9)), QString::fromUtf8(w.value(2)),
                QString::fromUtf8(w.value(3)))
            .arg(qFromBigEndian(quint32(w.value(5).toUInt())))
            .arg(w.value(7) == "1" ? QStringLiteral(", unordered") : QString())
            .arg(QString::fromUtf8(data.left(200)));
    }

    // "path SIDE ID ADDRESS STATE RTO SRTT CWND MTU"
    QString pathText(const QList<QByteArray>& w, const QByteArray& primary)
    {
        const QString stateText = MultiHomedPair::pathStateText(w.value(4).toInt());
        return QStringLiteral("  path %1: %2%3, RTO %4 ms, SRTT %5 ms, cwnd %6, MTU %7")
            .arg(QString::fromUtf8(w.value(3)), stateText, w.value(3) == primary ? QStringLiteral(" (primary)") : QString(),
                QString::fromUtf8(w.value(5)), QString::fromUtf8(w.value(6)), QString::fromUtf8(w.value(7)),
                QString::fromUtf8(w.value(8)));
    }

    QStringList tuningArgs()
    {
        // Short timers, as in the lab: a path that fails is noticed within seconds.
        return { QStringLiteral("--rto-initial"), QStringLiteral("300"), QStringLiteral("--rto-min"), QStringLiteral("100"),
            QStringLiteral("--rto-max"), QStringLiteral("1000"), QStringLiteral("--heartbeat"), QStringLiteral("500"),
            QStringLiteral("--path-max-retrans"), QStringLiteral("3") };
    }

} // namespace

std::optional<QList<Address>> parseAddressList(const QString& text, QString* why)
{
    QList<Address> out;
    quint16 port = 0;
    for (const QString& item : text.split(QLatin1Char(','))) {
        const QString t = item.trimmed();
        if (t.isEmpty()) {
            *why = QStringLiteral("an empty address in the list \"%1\"").arg(text);
            return std::nullopt;
        }
        const auto a = Address::parse(t);
        if (!a || a->port == 0) {
            *why = QStringLiteral("\"%1\" is not HOST:PORT (IPv6 as [ADDR]:PORT)").arg(t);
            return std::nullopt;
        }
        if (out.contains(*a)) {
            *why = QStringLiteral("%1 is listed twice").arg(a->toString());
            return std::nullopt;
        }
        if (port && a->port != port) {
            *why = QStringLiteral("the addresses of one association share one port: %1 is on %2, %3 on %4")
                       .arg(out.first().toString())
                       .arg(port)
                       .arg(a->toString())
                       .arg(a->port);
            return std::nullopt;
        }
        port = a->port;
        out.append(*a);
    }
    return out;
}

int sendSctpMultiHomed(const QList<Address>& to, const SendInfo& info, const QByteArray& data, quint16 peerUdp, int waitMs)
{
    // Our own addresses: the loopbacks of the listed families when every address is a loopback
    // one (two paths on one host), else every address of this host.
    QString bind = QStringLiteral("*");
    bool allLoopback = true, v4 = false, v6 = false;
    for (const Address& a : to) {
        allLoopback = allLoopback && isLoopback(a.host);
        (a.host.contains(QLatin1Char(':')) ? v6 : v4) = true;
    }
    if (allLoopback) {
        QStringList mine;
        if (v4)
            mine << QStringLiteral("127.0.0.1");
        if (v6)
            mine << QStringLiteral("::1");
        bind = mine.join(QLatin1Char(','));
    }
    QStringList list;
    for (const Address& a : to)
        list << helperHost(a);

    Helper helper;
    int sentErr = -1;
    qint64 sentBytes = 0;
    bool up = false, dry = false, shutdownDone = false;
    QByteArray primary;
    QStringList status;
    bool statusDone = false;
    helper.onLine = [&](const QList<QByteArray>& w, const QByteArray& line) {
        const QByteArray& cmd = w.value(0);
        if (cmd == "sent" && w.value(1) == "1") {
            sentBytes = w.value(2).toLongLong();
            sentErr = w.value(3).toInt();
        } else if (cmd == "note") {
            const QString text = QString::fromUtf8(MultiHomedPair::afterWords(line, 4));
            out(QStringLiteral("[SctpNotification] association %1: %2").arg(QString::fromUtf8(w.value(3)), text));
            if (text.startsWith(QLatin1String("ASSOC_CHANGE COMM_UP")))
                up = true;
            else if (text.startsWith(QLatin1String("SENDER_DRY")))
                dry = true;
            else if (text.startsWith(QLatin1String("ASSOC_CHANGE SHUTDOWN_COMP")) || text.startsWith(QLatin1String("ASSOC_CHANGE COMM_LOST"))
                || text.startsWith(QLatin1String("ASSOC_CHANGE CANT_STR_ASSOC")))
                shutdownDone = true;
        } else if (cmd == "recv") {
            out(receivedText(w));
        } else if (cmd == "assoc") {
            primary = w.value(9);
            status << QStringLiteral("association %1: peer's primary %2, %3 inbound and %4 outbound streams, %5 unacknowledged")
                          .arg(QString::fromUtf8(w.value(2)), QString::fromUtf8(w.value(9)), QString::fromUtf8(w.value(4)),
                              QString::fromUtf8(w.value(5)), QString::fromUtf8(w.value(7)));
        } else if (cmd == "path") {
            status << pathText(w, primary);
        } else if (cmd == "end") {
            statusDone = true;
        } else if (cmd == "error") {
            err(QStringLiteral("ladderctl send sctp: %1").arg(QString::fromUtf8(MultiHomedPair::afterWords(line, 1))));
        }
    };
    QString why;
    if (!helper.start(QStringList { QStringLiteral("--bind"), bind, QStringLiteral("--peer-encaps-port"),
                          QString::number(peerUdp) } + tuningArgs(),
            &why)) {
        err(QStringLiteral("ladderctl send sctp: %1").arg(why));
        return 1;
    }
    out(QStringLiteral("sctp_sendmsgx to %1 (UDP encapsulation, peer's UDP port %2; local addresses %3): one association, "
                       "each address a path")
            .arg(list.join(QStringLiteral(", ")))
            .arg(peerUdp)
            .arg(bind == QLatin1String("*") ? QStringLiteral("all of this host's") : bind));
    const int policy = int(info.policy() == PrPolicy::Prio ? PrPolicy::Buf : info.policy());
    helper.write("sendx 1 " + QByteArray::number(info.flags) + ' ' + QByteArray::number(info.stream) + ' '
        + QByteArray::number(info.ppid) + ' ' + QByteArray::number(info.context) + ' ' + QByteArray::number(policy) + ' '
        + QByteArray::number(info.timetolive) + ' ' + list.join(QLatin1Char(',')).toUtf8() + ' '
        + (data.isEmpty() ? QByteArray("-") : data.toHex()));
    helper.spin([&] { return sentErr >= 0; }, 5000);
    if (sentErr != 0) {
        err(QStringLiteral("ladderctl send sctp: sctp_sendmsgx failed: %1")
                .arg(sentErr < 0 ? QStringLiteral("no answer from ladderlab-sctp-mh") : describeErrno(sentErr)));
        return 1;
    }
    out(QStringLiteral("sent %1 bytes").arg(sentBytes));
    // Replies, notifications and the acknowledgement for --wait ms; the paths as usrsctp has
    // them once everything sent is acknowledged (or at the end).
    const QDeadlineTimer waited(waitMs);
    helper.spin([&] { return dry || shutdownDone; }, waitMs);
    if (!up) {
        err(QStringLiteral("ladderctl send sctp: no association with %1 within %2 ms").arg(list.join(QStringLiteral(", "))).arg(waitMs));
        return 1;
    }
    if (!shutdownDone) {
        helper.write("status");
        helper.spin([&] { return statusDone; }, 2000);
        for (const QString& line : std::as_const(status))
            out(line);
    }
    helper.spin([&] { return false; }, int(waited.remainingTime()));
    if (!dry && !(info.flags & flag::Abort))
        out(QStringLiteral("note: not everything sent was acknowledged within %1 ms").arg(waitMs));
    // A graceful end: SCTP_EOF on the association (SHUTDOWN), then the helper goes.
    if (!shutdownDone) {
        helper.write("send 2 " + QByteArray::number(flag::Eof) + " 0 0 0 0 0 - -");
        helper.spin([&] { return shutdownDone; }, 2000);
    }
    return 0;
}

int listenSctpMultiHomed(const QList<Address>& on, quint16 udpPort, bool echo, quint64 count, quint64 durationS)
{
    QStringList hosts;
    for (const Address& a : on)
        hosts << a.host;
    Helper helper;
    quint64 received = 0;
    quint64 seq = 0;
    helper.onLine = [&](const QList<QByteArray>& w, const QByteArray& line) {
        const QByteArray& cmd = w.value(0);
        if (cmd == "note") {
            out(QStringLiteral("[SctpNotification] association %1: %2").arg(QString::fromUtf8(w.value(3)), QString::fromUtf8(MultiHomedPair::afterWords(line, 4))));
        } else if (cmd == "recv") {
            ++received;
            out(receivedText(w));
            if (echo) {
                // Back on the same association and stream, PPID as it came, unordered if it was.
                helper.write("send " + QByteArray::number(++seq) + ' '
                    + QByteArray::number(w.value(7) == "1" ? quint32(flag::Unordered) : 0u) + ' ' + w.value(3) + ' '
                    + w.value(5) + " 0 0 0 #" + w.value(2) + ' ' + w.value(10));
            }
        } else if (cmd == "sent" && w.value(3) != "0") {
            err(QStringLiteral("echo failed: %1").arg(describeErrno(w.value(3).toInt())));
        }
    };
    QString why;
    if (!helper.start(QStringList { QStringLiteral("--listen"), QStringLiteral("--bind"), hosts.join(QLatin1Char(',')),
                          QStringLiteral("--port"), QString::number(on.first().port), QStringLiteral("--encaps-port"),
                          QString::number(udpPort) } + tuningArgs(),
            &why)) {
        err(QStringLiteral("ladderctl listen sctp: %1").arg(why));
        return 1;
    }
    say(QStringLiteral("listening on SCTP port %1 at %2 over UDP port %3 (multi-homed: every address a path)")
            .arg(on.first().port)
            .arg(hosts.join(QStringLiteral(", ")))
            .arg(udpPort));
    g_stopMh = 0;
    std::signal(SIGINT, [](int) { g_stopMh = 1; });
    std::signal(SIGTERM, [](int) { g_stopMh = 1; });
    const QDeadlineTimer deadline = durationS ? QDeadlineTimer(qint64(durationS) * 1000) : QDeadlineTimer(QDeadlineTimer::Forever);
    helper.spin([&] { return deadline.hasExpired() || (count && received >= count); }, durationS ? int(durationS * 1000) : INT_MAX);
    g_stopMh = 0;
    helper.spin([] { return false; }, 300); // the last echoes and SACKs
    out(QStringLiteral("%1 messages received").arg(received));
    return 0;
}

} // namespace ladder::ctl
