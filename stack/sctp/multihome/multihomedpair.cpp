// SPDX-License-Identifier: GPL-3.0-or-later
#include "multihomedpair.h"

#include "core/scheduler.h"
#include "journal/journal.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QtEndian>

#include <cerrno>
#include <cstring>

namespace ladder::sctp {

namespace {
    // "[::1]:5000" / "127.0.0.1:5000" / "::1" → the bare host.
    QString hostOf(const QString& text)
    {
        if (const auto a = Address::parse(text))
            return a->host;
        return text;
    }
} // namespace

MultiHomedPair::MultiHomedPair(Scheduler& scheduler, trace::Journal& journal, Options options, QObject* parent)
    : QObject(parent)
    , m_scheduler(scheduler)
    , m_journal(journal)
    , m_options(std::move(options))
    , m_tap(scheduler, journal)
    , m_child(this)
    , m_statusTimer(this)
{
    for (int p = 0; p < kPaths; ++p) {
        for (int d = 0; d < 2; ++d) {
            const QString name = QStringLiteral("%1 %2").arg(pathHost(p), d == 0 ? QStringLiteral("client→server")
                                                                                 : QStringLiteral("server→client"));
            m_links[p][d] = std::make_unique<ladder::Link>(scheduler,
                m_options.seed ^ (0x9e3779b97f4a7c15ull * quint64(1 + p * 2 + d)), m_options.link, name);
            m_links[p][d]->setJournal(&journal, quint64(11 + p * 2 + d));
        }
    }
    // One handle for both paths: a TSN sent again on the other path (failover) is still a
    // retransmission of the same flow.
    m_tap.setResolver([this](void*, quint16 localPort, quint16) -> quint64 {
        if (localPort == kClientPort)
            return m_ids[0];
        if (localPort == kServerPort)
            return m_ids[1];
        return 0;
    });
    // Per-stream figures: first transmissions as the tap sees them leave, deliveries as the
    // helper's receiver reports them (recv lines).
    m_tap.setObserver([this](const PacketTap::PacketSeen& seen) {
        if (seen.dir != trace::Dir::Tx)
            return;
        for (std::size_t i = 0; i < seen.chunks->size(); ++i) {
            const ChunkFields& c = (*seen.chunks)[i];
            if ((*seen.kinds)[i] >= 0 || (c.type != 0 && c.type != 64))
                continue;
            StreamInfo& st = stream(seen.srcPort == kClientPort ? 0 : 1, c.sid);
            st.bytesSent += quint64(c.payloadLength);
            if (c.ending()) {
                ++st.messagesSent;
                if (c.unordered()) {
                    ++st.unorderedSent;
                } else {
                    ++st.orderedSent;
                    st.nextSsn = c.ssn + 1;
                }
            }
        }
    });
    for (int s = 0; s < 2; ++s) {
        AssociationInfo& info = m_info[s];
        info.id = m_ids[s];
        info.endpointStyle = QStringLiteral("one-to-many");
        info.localAddress = QStringLiteral("127.0.0.1, ::1 port %1").arg(s == 0 ? kClientPort : kServerPort);
        info.peerAddress = QStringLiteral("127.0.0.1, ::1 port %1").arg(s == 0 ? kServerPort : kClientPort);
        info.state = s == 0 ? QStringLiteral("COOKIE-WAIT") : QStringLiteral("CLOSED");
    }
    m_child.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&m_child, &QProcess::readyReadStandardOutput, this, &MultiHomedPair::readChild);
    connect(&m_child, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_stopping)
            return;
        const QString err = QString::fromUtf8(m_child.readAllStandardError()).trimmed();
        fail(QStringLiteral("ladderlab-sctp-mh ended (%1 %2)%3")
                 .arg(status == QProcess::NormalExit ? QStringLiteral("exit code") : QStringLiteral("crashed, signal"))
                 .arg(code)
                 .arg(err.isEmpty() ? QString() : QStringLiteral(": ") + err));
    });
    m_statusTimer.setInterval(250);
    connect(&m_statusTimer, &QTimer::timeout, this, [this] {
        if (running())
            m_child.write("status\n");
    });
}

MultiHomedPair::~MultiHomedPair() { stop(); }

QString MultiHomedPair::pathStateText(int state)
{
    switch (state) {
    case 0x0001: return QStringLiteral("active");
    case 0x0002: return QStringLiteral("inactive");
    case 0x0200: return QStringLiteral("unconfirmed");
    default: return QStringLiteral("state %1").arg(state);
    }
}

QByteArray MultiHomedPair::afterWords(const QByteArray& line, int n)
{
    qsizetype at = 0;
    for (int i = 0; i < n && at >= 0; ++i) {
        at = line.indexOf(' ', at);
        if (at >= 0)
            ++at;
    }
    return at < 0 ? QByteArray() : line.mid(at);
}

QString MultiHomedPair::helperPath()
{
    const QString name = QStringLiteral("ladderlab-sctp-mh");
    QStringList candidates;
    if (qEnvironmentVariableIsSet("LADDERLAB_SCTP_MH"))
        candidates << qEnvironmentVariable("LADDERLAB_SCTP_MH");
    if (QCoreApplication::instance()) {
        const QString dir = QCoreApplication::applicationDirPath();
        candidates << dir + QLatin1Char('/') + name << dir + QStringLiteral("/../libexec/ladderlab/") + name
                   << dir + QStringLiteral("/../app/") + name; // tests/ and bench/ binaries in the build tree
    }
#ifdef LADDERLAB_SCTP_MH_BUILD_PATH
    candidates << QStringLiteral(LADDERLAB_SCTP_MH_BUILD_PATH);
#endif
    for (const QString& c : std::as_const(candidates)) {
        const QFileInfo fi(c);
        if (fi.isFile() && fi.isExecutable())
            return fi.canonicalFilePath();
    }
    return {};
}

QString MultiHomedPair::pathHost(int path) { return path == 0 ? QStringLiteral("127.0.0.1") : QStringLiteral("::1"); }

QString MultiHomedPair::lane(int side, int path) const
{
    // The journal's endpoint form, "[label ]host:port": one lane per side and path, so the
    // timeline shows which path each packet took. Port 9899 is RFC 6951's, as elsewhere in the lab
    // (exports decode as SCTP over UDP).
    const QString host = path == 0 ? QStringLiteral("127.0.0.1") : QStringLiteral("[::1]");
    return QStringLiteral("%1 %2:9899").arg(side == 0 ? QStringLiteral("client") : QStringLiteral("server"), host);
}

bool MultiHomedPair::start(QString* why)
{
    auto refuse = [&](const QString& text) {
        m_failure = text;
        journalText(int(trace::Kind::Error), 0, 0, QStringLiteral("multi-homed SCTP: ") + text);
        if (why)
            *why = text;
        return false;
    };
    const QString helper = m_options.helper.isEmpty() ? helperPath() : m_options.helper;
    if (helper.isEmpty())
        return refuse(QStringLiteral("ladderlab-sctp-mh was not found (set LADDERLAB_SCTP_MH to its path)"));
    // One reflector per path on the same port number: the helper sends to that port on every
    // peer address (SCTP_REMOTE_UDP_ENCAPS_PORT is per endpoint).
    quint16 port = 0;
    for (int attempt = 0; attempt < 20 && !m_reflectors[1]; ++attempt) {
        for (QUdpSocket*& r : m_reflectors) {
            delete r;
            r = nullptr;
        }
        auto* v4 = new QUdpSocket(this);
        if (!v4->bind(QHostAddress::LocalHost, 0)) {
            const QString err = v4->errorString();
            delete v4;
            return refuse(QStringLiteral("cannot bind a UDP socket on 127.0.0.1: %1").arg(err));
        }
        port = v4->localPort();
        auto* v6 = new QUdpSocket(this);
        if (!v6->bind(QHostAddress::LocalHostIPv6, port)) {
            const bool noV6 = v6->error() == QAbstractSocket::UnsupportedSocketOperationError
                || v6->error() == QAbstractSocket::SocketAddressNotAvailableError;
            const QString err = v6->errorString();
            delete v6;
            delete v4;
            if (noV6)
                return refuse(QStringLiteral("the IPv6 loopback ::1 is not available (%1): the multi-homed lab needs "
                                             "127.0.0.1 and ::1 as its two paths")
                                  .arg(err));
            continue; // the port is taken on ::1: try another
        }
        m_reflectors = { v4, v6 };
    }
    if (!m_reflectors[1])
        return refuse(QStringLiteral("no UDP port free on both 127.0.0.1 and ::1"));
    for (int p = 0; p < kPaths; ++p)
        connect(m_reflectors[p], &QUdpSocket::readyRead, this, [this, p] { readReflector(p); });

    QStringList args { QStringLiteral("--reflector-port"), QString::number(port), QStringLiteral("--rto-initial"),
        QString::number(m_options.rtoInitialMs), QStringLiteral("--rto-min"), QString::number(m_options.rtoMinMs),
        QStringLiteral("--rto-max"), QString::number(m_options.rtoMaxMs), QStringLiteral("--heartbeat"),
        QString::number(m_options.heartbeatMs), QStringLiteral("--path-max-retrans"),
        QString::number(m_options.pathMaxRetrans) };
    if (!m_options.connectOnStart)
        args << QStringLiteral("--no-connect");
    m_child.start(helper, args);
    if (!m_child.waitForStarted(5000))
        return refuse(QStringLiteral("cannot start %1: %2").arg(helper, m_child.errorString()));
    journalText(int(trace::Kind::Log), 0, 1,
        QStringLiteral("multi-homed SCTP: %1 runs client :%2 and server :%3 on 127.0.0.1 and ::1; reflectors on port %4")
            .arg(QFileInfo(helper).fileName())
            .arg(kClientPort)
            .arg(kServerPort)
            .arg(port));
    m_statusTimer.start();
    return true;
}

void MultiHomedPair::stop()
{
    m_statusTimer.stop();
    if (running()) {
        m_stopping = true;
        m_child.write("quit\n");
        m_child.closeWriteChannel();
        if (!m_child.waitForFinished(5000)) {
            m_child.kill();
            m_child.waitForFinished(1000);
        }
    }
    *m_alive = false;
    m_alive = std::make_shared<bool>(true);
    for (QUdpSocket*& r : m_reflectors) {
        delete r;
        r = nullptr;
    }
    for (auto& [seq, done] : m_pendingSends) {
        if (done)
            done(Error { ECONNRESET, QStringLiteral("the multi-homed lab stopped before usrsctp answered.") });
    }
    m_pendingSends.clear();
}

void MultiHomedPair::fail(const QString& why)
{
    m_failure = why;
    journalText(int(trace::Kind::Error), 0, 0, why);
    emit failed(why);
}

void MultiHomedPair::journalText(int kind, quint64 object, quint64 a, const QString& text)
{
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind(kind);
    e.object = object;
    e.a = a;
    e.text = text;
    m_journal.append(std::move(e));
}

// ---- the wire ----------------------------------------------------------------------------------

void MultiHomedPair::readReflector(int path)
{
    QUdpSocket* s = m_reflectors[path];
    while (s && s->hasPendingDatagrams()) {
        const QNetworkDatagram d = s->receiveDatagram(70000);
        // Only the helper's encapsulation port is a sender here (no one else can use our
        // reflector to reach it).
        if (!d.isValid() || !m_encapsPort || d.senderPort() != m_encapsPort)
            continue;
        forward(path, d.data());
    }
}

void MultiHomedPair::forward(int path, const QByteArray& packet)
{
    if (packet.size() < 12)
        return;
    const quint16 src = qFromBigEndian<quint16>(packet.constData());
    const int fromSide = src == kClientPort ? 0 : src == kServerPort ? 1 : -1;
    if (fromSide < 0)
        return;
    const int toSide = 1 - fromSide;
    ++m_packetsOnPath[path];
    // DATA/I-DATA chunks in this packet, for the per-path counts the lessons check.
    for (int off = 12; off + 4 <= packet.size();) {
        const quint8 type = quint8(packet[off]);
        const quint16 len = qFromBigEndian<quint16>(packet.constData() + off + 2);
        if (len < 4)
            break;
        if ((type == 0 || type == 64) && fromSide == 0)
            ++m_dataOnPath[path];
        off += (len + 3) & ~3;
    }
    const QString from = lane(fromSide, path), to = lane(toSide, path);
    m_tap.observe(trace::Dir::Tx, this, packet, from, to, true);
    std::weak_ptr<bool> alive = m_alive;
    m_links[path][fromSide]->transmit(
        packet,
        [this, alive, path, from, to](const QByteArray& p) {
            if (!alive.lock() || !m_reflectors[path] || !m_encapsPort)
                return;
            m_tap.observe(trace::Dir::Rx, this, p, from, to, false);
            m_reflectors[path]->writeDatagram(p,
                path == 0 ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(QHostAddress::LocalHostIPv6),
                m_encapsPort);
        },
        from, to);
}

void MultiHomedPair::setPathUp(int path, bool up)
{
    for (auto& l : m_links[path]) {
        ladder::LinkParams p = l->params();
        p.up = up;
        l->setParams(p);
    }
    journalText(int(trace::Kind::UserAction), m_ids[0], quint64(path),
        up ? QStringLiteral("path %1 restored: its lab links are up").arg(pathHost(path))
           : QStringLiteral("path %1 fails: its lab links lose everything").arg(pathHost(path)));
}

void MultiHomedPair::setLinkConditions(double lossPct, qint64 delayMs)
{
    for (auto& path : m_links) {
        for (auto& l : path) {
            ladder::LinkParams p = l->params();
            p.lossPct = lossPct;
            p.delayMs = delayMs;
            l->setParams(p);
        }
    }
}

// ---- the helper --------------------------------------------------------------------------------

void MultiHomedPair::send(const QByteArray& data, const SendInfo& info, SendDone done)
{
    auto refuse = [&](int code, const QString& sentence) {
        const Error err { code, sentence };
        journalText(int(trace::Kind::Error), m_ids[0], quint64(code), err.text());
        if (done)
            done(err);
    };
    if (const QString why = info.flagsError(); !why.isEmpty())
        return refuse(EINVAL, why);
    if (info.policy() == PrPolicy::Buf)
        return refuse(EINVAL,
            QStringLiteral("PR-SCTP BUF (sctp_sendmsg(3)'s byte threshold) is not available on the multi-homed association: "
                           "usrsctp has no such policy (its BUF is RFC 7496's priority, LadderLab's PRIO), and the byte "
                           "threshold is built into LadderLab's own endpoints only; use TTL, RTX or PRIO here."));
    // sctp_sendmsgx's list (checked before anything else: a list that cannot name the peer is
    // wrong whatever the association's state); before the association exists, sctp_sendmsg's
    // one address sets it up too (a one-to-many socket's implicit set-up).
    QList<Address> list = info.addresses;
    if (list.isEmpty() && !m_up && info.to && !(info.flags & flag::AddrOver))
        list.append(*info.to);
    QByteArray command = "send";
    QString to = QStringLiteral("-");
    if (!list.isEmpty()) {
        const Result<QByteArray> addrs = addressList(list);
        if (!addrs)
            return refuse(addrs.error().code, addrs.error().sentence);
        command = "sendx";
        to = QString::fromUtf8(*addrs);
    }
    if (!running() || !m_encapsPort)
        return refuse(ENOTCONN, QStringLiteral("the multi-homed association is not running: start the lab first."));
    if (!list.isEmpty()) {
        // sendx: the helper sets the association up if need be.
    } else if (!m_up) {
        return refuse(ENOTCONN,
            m_options.connectOnStart
                ? QStringLiteral("the multi-homed association is not up yet: wait for COMM_UP.")
                : QStringLiteral("there is no association yet: give the peer's addresses (sctp_sendmsgx: 127.0.0.1:5000 and "
                                 "[::1]:5000) and the send sets it up."));
    } else if (info.flags & flag::AddrOver) {
        if (!info.to)
            return refuse(EINVAL,
                QStringLiteral("SCTP_ADDR_OVER needs a destination: give `to` as one of the peer's addresses (127.0.0.1 or ::1)."));
        const QString host = info.to->host;
        if (host != pathHost(0) && host != pathHost(1))
            return refuse(EINVAL,
                QStringLiteral("%1 is not an address of the peer: its addresses are 127.0.0.1 and ::1.").arg(host));
        if (info.to->port && info.to->port != kServerPort)
            return refuse(EINVAL, QStringLiteral("the peer is on port %1, not %2.").arg(kServerPort).arg(info.to->port));
        to = host;
    }
    const quint64 seq = m_nextSend++;
    if (done)
        m_pendingSends[seq] = std::move(done);
    const QByteArray line = command + ' ' + QByteArray::number(seq) + ' ' + QByteArray::number(info.flags) + ' '
        + QByteArray::number(info.stream) + ' ' + QByteArray::number(info.ppid) + ' ' + QByteArray::number(info.context)
        + ' ' + QByteArray::number(int(info.policy() == PrPolicy::Prio ? PrPolicy::Buf : info.policy())) + ' ' + QByteArray::number(info.timetolive) + ' ' + to.toUtf8()
        + ' ' + (data.isEmpty() ? QByteArray("-") : data.toHex()) + '\n';
    m_child.write(line);
    trace::Event e;
    e.timeNs = m_scheduler.nowNs();
    e.kind = trace::Kind::UserAction;
    e.object = m_ids[0];
    e.a = info.stream;
    e.b = info.ppid;
    e.c = info.context;
    e.text = QStringLiteral("%1 %2 bytes on stream %3, PPID %4, context %5, %6%7")
                 .arg(command == "sendx" ? QStringLiteral("sctp_sendmsgx") : QStringLiteral("sctp_sendmsg"))
                 .arg(data.size())
                 .arg(info.stream)
                 .arg(info.ppid)
                 .arg(info.context)
                 .arg(info.describeFlags(), to == QLatin1String("-") ? QString() : QStringLiteral(" to ") + to);
    m_journal.append(std::move(e));
}

Result<QByteArray> MultiHomedPair::addressList(const QList<Address>& addresses) const
{
    QByteArray out;
    QStringList seen;
    quint16 port = 0;
    for (const Address& a : addresses) {
        const QString host = a.host;
        if (host != pathHost(0) && host != pathHost(1))
            return Error { EHOSTUNREACH,
                QStringLiteral("%1 cannot be reached from the multi-homed lab: the peer's addresses are 127.0.0.1 and ::1.")
                    .arg(a.toString()) };
        if (seen.contains(host))
            return Error { EINVAL, QStringLiteral("%1 is listed twice: give each of the peer's addresses once.").arg(host) };
        seen.append(host);
        const quint16 p = a.port ? a.port : kServerPort;
        if (port && p != port)
            return Error { EINVAL,
                QStringLiteral("the addresses of one association share one port: %1 is on %2, %3 on %4.")
                    .arg(addresses.first().toString())
                    .arg(port)
                    .arg(a.toString())
                    .arg(p) };
        port = p;
        if (!out.isEmpty())
            out += ',';
        out += (host.contains(QLatin1Char(':')) ? '[' + host.toUtf8() + ']' : host.toUtf8()) + ':' + QByteArray::number(p);
    }
    if (port != kServerPort)
        return Error { ECONNREFUSED,
            QStringLiteral("nothing listens on SCTP port %1: the lab's peer is on port %2.").arg(port).arg(kServerPort) };
    return out;
}

void MultiHomedPair::setPrimary(int path)
{
    if (!running())
        return;
    m_child.write("primary " + pathHost(path).toUtf8() + '\n');
    journalText(int(trace::Kind::UserAction), m_ids[0], quint64(path),
        QStringLiteral("SCTP_PRIMARY_ADDR: %1 becomes the primary path").arg(pathHost(path)));
}

void MultiHomedPair::readChild()
{
    m_childBuffer += m_child.readAllStandardOutput();
    qsizetype nl;
    while ((nl = m_childBuffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_childBuffer.left(nl);
        m_childBuffer.remove(0, nl + 1);
        handleLine(line);
    }
}

void MultiHomedPair::handleLine(const QByteArray& line)
{
    const QList<QByteArray> w = line.split(' ');
    const QByteArray& cmd = w.value(0);
    if (cmd == "ready" && w.size() >= 2) {
        m_encapsPort = quint16(w[1].toUInt());
    } else if (cmd == "sent" && w.size() >= 4) {
        const quint64 seq = w[1].toULongLong();
        const qint64 bytes = w[2].toLongLong();
        const int err = w[3].toInt();
        SendDone done;
        if (auto it = m_pendingSends.find(seq); it != m_pendingSends.end()) {
            done = std::move(it->second);
            m_pendingSends.erase(it);
        }
        if (err) {
            const Error e { err, QStringLiteral("usrsctp_sendv on the multi-homed association failed: %1.")
                                     .arg(QString::fromLocal8Bit(std::strerror(err))) };
            journalText(int(trace::Kind::Error), m_ids[0], quint64(err), e.text());
            if (done)
                done(e);
        } else if (done) {
            done(bytes);
        }
    } else if (cmd == "note" && w.size() >= 5) {
        const int side = sideIndex(w[1]);
        const quint64 type = w[2].toULongLong();
        const QString text = QString::fromUtf8(afterWords(line, 4));
        journalText(int(trace::Kind::SctpNotification), m_ids[side], type, text);
        QString state;
        if (text.startsWith(QLatin1String("ASSOC_CHANGE COMM_UP"))) {
            m_sctpIds[side] = w[3].toUInt();
            m_info[side].sctpAssocId = m_sctpIds[side];
            state = QStringLiteral("ESTABLISHED");
        } else if (text.startsWith(QLatin1String("ASSOC_CHANGE COMM_LOST"))) {
            state = QStringLiteral("ABORTED");
        } else if (text.startsWith(QLatin1String("ASSOC_CHANGE SHUTDOWN_COMP"))) {
            state = QStringLiteral("CLOSED");
        }
        if (!state.isEmpty() && state != m_info[side].state) {
            journalText(int(trace::Kind::AssociationState), m_ids[side], 0,
                QStringLiteral("%1 -> %2").arg(m_info[side].state, state));
            m_info[side].state = state;
        }
        if (side == 0 && state == QLatin1String("ESTABLISHED") && !m_up) {
            m_up = true;
            emit associationUp();
        } else if (side == 0 && !state.isEmpty() && state != QLatin1String("ESTABLISHED")) {
            m_up = false;
        }
    } else if (cmd == "recv" && w.size() >= 10) {
        Delivery d;
        d.association = m_ids[sideIndex(w[1])];
        d.stream = quint16(w[3].toUInt());
        d.ssn = quint16(w[4].toUInt());
        d.ppid = w[5].toUInt();
        d.tsn = w[6].toUInt();
        d.unordered = w[7] == "1";
        d.bytes = w[8].toInt();
        d.from = QString::fromUtf8(w[9]);
        m_received.append(d);
        StreamInfo& st = stream(sideIndex(w[1]), d.stream);
        ++st.messagesReceived;
        st.bytesReceived += quint64(d.bytes);
        ++(d.unordered ? st.unorderedReceived : st.orderedReceived);
    } else if (cmd == "assoc" || cmd == "path" || cmd == "end") {
        handleStatus(w);
    } else if (cmd == "primary" && w.size() >= 3) {
        const int err = w[2].toInt();
        if (err)
            journalText(int(trace::Kind::Error), m_ids[0], quint64(err),
                Error { err, QStringLiteral("SCTP_PRIMARY_ADDR %1 failed: %2.")
                                 .arg(QString::fromUtf8(w[1]), QString::fromLocal8Bit(std::strerror(err))) }
                    .text());
    } else if (cmd == "error") {
        fail(QStringLiteral("ladderlab-sctp-mh: %1").arg(QString::fromUtf8(line.mid(6))));
    }
}

void MultiHomedPair::handleStatus(const QList<QByteArray>& w)
{
    if (w[0] == "end") {
        for (int s = 0; s < 2; ++s) {
            if (!m_pendingPaths[s].isEmpty()) {
                recordPathSamples(m_info[s], m_pendingPaths[s], m_scheduler.nowNs());
                m_info[s].paths = m_pendingPaths[s];
            }
            m_pendingPaths[s].clear();
        }
        return;
    }
    const int side = sideIndex(w.value(1));
    AssociationInfo& info = m_info[side];
    if (w[0] == "assoc" && w.size() >= 10) {
        info.stateCode = w[3].toInt(); // the name follows the notifications
        info.inboundStreams = quint16(w[4].toUInt());
        info.outboundStreams = quint16(w[5].toUInt());
        info.peerRwnd = w[6].toUInt();
        info.unackedChunks = quint16(w[7].toUInt());
        info.pendingChunks = quint16(w[8].toUInt());
        info.primaryPath = QString::fromUtf8(w[9]);
        info.prSupported = true;
        info.retransmissions = side == 0 ? m_tap.retransmissions() : 0;
    } else if (w[0] == "path" && w.size() >= 9) {
        PathInfo p;
        p.address = QString::fromUtf8(w[3]);
        p.state = w[4].toInt();
        p.stateName = pathStateText(p.state);
        p.rto = w[5].toUInt();
        p.srtt = w[6].toUInt();
        p.cwnd = w[7].toUInt();
        p.mtu = w.value(8).toUInt();
        p.primary = hostOf(p.address) == hostOf(info.primaryPath);
        m_pendingPaths[side].append(p);
    }
}

StreamInfo& MultiHomedPair::stream(int side, quint16 sid)
{
    QList<StreamInfo>& streams = m_info[side].streams;
    for (StreamInfo& s : streams)
        if (s.sid == sid)
            return s;
    StreamInfo s;
    s.sid = sid;
    streams.append(s);
    return streams.last();
}

QList<AssociationInfo> MultiHomedPair::associations() const
{
    QList<AssociationInfo> out;
    for (const AssociationInfo& i : m_info) {
        if (i.sctpAssocId)
            out.append(i);
    }
    return out;
}

} // namespace ladder::sctp
