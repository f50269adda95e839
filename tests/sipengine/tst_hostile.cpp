// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile input at a listener (issue 20), against `ladderctl listen sip` run as a user runs it:
//  * a flood of garbage datagrams (10 000/s) with valid OPTIONS interleaved: every OPTIONS is
//    answered (retransmitted as a UAC would when the loopback buffer drops one), the garbage is
//    sampled — the first 8 per source whole, the rest counted in one Error per 10 s — and the
//    listener's RSS growth stays bounded (printed). LADDERLAB_FLOOD_SECONDS=60 runs the issue's
//    full minute; CI runs 8 s.
//  * 1 000 idle TCP connections, every one closed at the idle limit with the reason; a new
//    connection is still served; at a connection limit of 20, the 21st is refused.
//  * a header section that never ends and a Content-Length of 2^31: the connection is closed with
//    the reason, and the listener goes on answering.
#include "testskip.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <sys/resource.h>

#include <memory>

namespace {

quint16 freePort(bool)
{
    QUdpSocket s;
    s.bind(QHostAddress::LocalHost, 0);
    return s.localPort();
}

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

QByteArray options(quint16 localPort, int n, const char* transport = "UDP")
{
    return QStringLiteral("OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/%4 127.0.0.1:%1;branch=z9hG4bKflood%2\r\n"
                          "Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=f%2\r\nTo: <sip:ping@127.0.0.1>\r\n"
                          "Call-ID: flood-%2@127.0.0.1\r\nCSeq: %3 OPTIONS\r\nContent-Length: 0\r\n\r\n")
        .arg(localPort)
        .arg(n)
        .arg(n + 1)
        .arg(QLatin1String(transport))
        .toUtf8();
}

// ladderctl listen sip, its output in a file (it prints every message: nobody has to drain a pipe).
struct Listener {
    QTemporaryDir dir;
    QProcess process;
    QString outFile = dir.filePath(QStringLiteral("out.txt"));
    bool start(const QStringList& args)
    {
        process.setStandardOutputFile(outFile);
        process.setStandardErrorFile(dir.filePath(QStringLiteral("err.txt")));
        process.start(QStringLiteral(LADDERCTL_EXE), QStringList { QStringLiteral("listen"), QStringLiteral("sip") } + args);
        return process.waitForStarted(5000);
    }
    QByteArray output() const
    {
        QFile f(outFile);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    QByteArray errors() const
    {
        QFile f(dir.filePath(QStringLiteral("err.txt")));
        return f.open(QIODevice::ReadOnly) ? f.readAll().right(1500) : QByteArray();
    }
    ~Listener()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(5000)) {
                process.kill();
                process.waitForFinished(5000);
            }
        }
    }
};

// Waits (serving the event loop) until pred holds or ms pass.
template<typename F>
bool waitFor(F pred, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!pred()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(20);
    }
    return true;
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void garbageFloodIsSampledAndEveryOptionsAnswered();
    void idleTcpConnectionsAreClosed();
    void connectionLimitRefusesOneMore();
    void endlessHeaderAndHugeContentLength();
};

void TestHostile::initTestCase()
{
    // 1 000 connections need more than the usual 1 024 descriptors on each side: the listener
    // inherits this limit.
    rlimit r {};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &r) == 0);
    if (r.rlim_cur < 4096) {
        r.rlim_cur = std::min<rlim_t>(r.rlim_max, 4096);
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

void TestHostile::garbageFloodIsSampledAndEveryOptionsAnswered()
{
    const int seconds = qEnvironmentVariableIntValue("LADDERLAB_FLOOD_SECONDS") > 0 ? qEnvironmentVariableIntValue("LADDERLAB_FLOOD_SECONDS") : 8;
    const quint16 port = freePort(false);
    Listener l;
    QVERIFY(l.start({ QStringLiteral("--on"), QStringLiteral("udp:127.0.0.1:%1").arg(port) }));
    QUdpSocket sock;
    QVERIFY(sock.bind(QHostAddress::LocalHost, 0));
    sock.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 1 << 20);
    QSet<int> answered;
    auto drain = [&] {
        while (sock.hasPendingDatagrams()) {
            QByteArray d(int(sock.pendingDatagramSize()), '\0');
            sock.readDatagram(d.data(), d.size());
            static const QRegularExpression cseq(QStringLiteral("\r\nCSeq: (\\d+) OPTIONS"));
            const auto m = cseq.match(QString::fromLatin1(d));
            if (d.startsWith("SIP/2.0 200") && m.hasMatch())
                answered.insert(m.captured(1).toInt() - 1);
        }
    };
    // Up once it answers.
    QVERIFY(waitFor([&] {
        sock.writeDatagram(options(sock.localPort(), 0), QHostAddress::LocalHost, port);
        QTest::qWait(100);
        drain();
        return answered.contains(0);
    }, 10000));
    QTest::qWait(300);
    const qint64 rssBefore = rssKiB(l.process.processId());
    QVERIFY(rssBefore > 0);

    // 100 garbage datagrams of 512 random bytes every 10 ms (10 000/s), and one OPTIONS with them.
    QRandomGenerator rng(20);
    QByteArray garbage(512, '\0');
    QHash<int, qint64> sentAt; // OPTIONS not yet answered -> when last sent (ms)
    QElapsedTimer clock;
    clock.start();
    int next = 1;
    qint64 garbageSent = 0;
    while (clock.elapsed() < seconds * 1000) {
        for (int i = 0; i < 100; ++i) {
            for (qsizetype k = 0; k < garbage.size(); k += 4)
                *reinterpret_cast<quint32*>(garbage.data() + k) = rng.generate();
            garbage[0] = char(0xff); // never a start line by chance
            if (sock.writeDatagram(garbage, QHostAddress::LocalHost, port) > 0)
                ++garbageSent;
        }
        sock.writeDatagram(options(sock.localPort(), next), QHostAddress::LocalHost, port);
        sentAt.insert(next++, clock.elapsed());
        drain();
        // Retransmit what is unanswered after 500 ms, as Timer E would.
        for (auto it = sentAt.begin(); it != sentAt.end();) {
            if (answered.contains(it.key())) {
                it = sentAt.erase(it);
                continue;
            }
            if (clock.elapsed() - it.value() > 500) {
                sock.writeDatagram(options(sock.localPort(), it.key()), QHostAddress::LocalHost, port);
                it.value() = clock.elapsed();
            }
            ++it;
        }
        QTest::qWait(10);
    }
    // The rest answered within a few retransmissions.
    QVERIFY2(waitFor([&] {
        drain();
        for (auto it = sentAt.begin(); it != sentAt.end(); ++it)
            if (!answered.contains(it.key()) && clock.elapsed() - it.value() > 500) {
                sock.writeDatagram(options(sock.localPort(), it.key()), QHostAddress::LocalHost, port);
                it.value() = clock.elapsed();
            }
        for (int n = 1; n < next; ++n)
            if (!answered.contains(n))
                return false;
        return true;
    }, 15000),
        qPrintable(QStringLiteral("%1 of %2 OPTIONS answered").arg(answered.size() - 1).arg(next - 1)));
    const qint64 rssAfter = rssKiB(l.process.processId());
    qInfo("flood: %lld garbage datagrams in %d s with %d OPTIONS, all answered; listener RSS %lld KiB -> %lld KiB (+%lld KiB)",
        garbageSent, seconds, next - 1, rssBefore, rssAfter, rssAfter - rssBefore);
    // Sampled: 8 kept whole per source and window, the rest summarised (the summary comes at the
    // window's end: wait for one).
    QVERIFY2(waitFor([&] { return l.output().contains("more malformed message(s)"); }, 12000), l.output().right(2000).constData());
    static const QRegularExpression kept(QStringLiteral("EPROTO: dropped a malformed message from 127\\.0\\.0\\.1:%1").arg(sock.localPort()));
    const qsizetype whole = QString::fromUtf8(l.output()).count(kept);
    QVERIFY2(whole >= 8 && whole <= 8 * (seconds / 10 + 3), qPrintable(QString::number(whole)));
    static const QRegularExpression summary(QStringLiteral("EPROTO: dropped (\\d+) more malformed message\\(s\\) \\((\\d+) bytes\\) from 127\\.0\\.0\\.1:%1 within 10 s; only the first 8 are journalled whole").arg(sock.localPort()));
    qint64 summarised = 0;
    for (auto it = summary.globalMatch(QString::fromUtf8(l.output())); it.hasNext();)
        summarised += it.next().captured(1).toLongLong();
    // Every garbage datagram that arrived is either kept or counted (loopback may drop some; under
    // AddressSanitizer the listener is several times slower and the socket buffer drops more).
#if defined(__SANITIZE_ADDRESS__)
    constexpr bool kSanitized = true;
#else
    constexpr bool kSanitized = false;
#endif
    QVERIFY2(summarised + whole <= garbageSent && summarised + whole > (kSanitized ? whole : garbageSent / 2),
        qPrintable(QStringLiteral("%1 kept + %2 counted of %3 sent").arg(whole).arg(summarised).arg(garbageSent)));
    // Bounded: before sampling, 186 500 datagrams grew the listener by about 197 MB (1 KiB each).
    // Under AddressSanitizer the allocator's quarantine and shadow memory make RSS no measure of
    // what the listener keeps: printed above, not judged.
    if (!kSanitized)
        QVERIFY2(rssAfter - rssBefore < 24 * 1024, qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(rssAfter - rssBefore)));
}

void TestHostile::idleTcpConnectionsAreClosed()
{
    // 1 000 opened 50 at a time and left idle; each must be closed by the listener at the idle
    // limit. (In bigger bursts, loopback here overflows the listen queue: SYN cookies then leave
    // some clients "connected" to a connection the listener never had — not what this tests.)
    const int kConnections = 1000, kIdleSeconds = 4;
    const quint16 port = freePort(false);
    Listener l;
    QVERIFY(l.start({ QStringLiteral("--on"), QStringLiteral("tcp:127.0.0.1:%1").arg(port), QStringLiteral("--idle"),
        QString::number(kIdleSeconds) }));
    QVERIFY(waitFor([&] { return l.output().contains("listening on"); }, 10000));
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    int connected = 0;
    for (int i = 0; i < kConnections; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        connect(s.get(), &QTcpSocket::connected, this, [&connected] { ++connected; });
        s->connectToHost(QHostAddress::LocalHost, port);
        sockets.push_back(std::move(s));
        if (sockets.size() % 50 == 0)
            QVERIFY(waitFor([&] { return connected == int(sockets.size()); }, 30000));
    }
    // Every one connected, then closed by the listener with the reason.
    QVERIFY2(waitFor([&] {
        return connected == kConnections
            && std::all_of(sockets.begin(), sockets.end(), [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; });
    }, 90000),
        qPrintable(QStringLiteral("%1 connected, %2 closed, %3 closes journalled; %4")
                       .arg(connected)
                       .arg(std::count_if(sockets.begin(), sockets.end(), [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; }))
                       .arg(l.output().count("connection closed"))
                       .arg(QString::fromUtf8(l.output().right(600)))));
    const QByteArray idle = QStringLiteral("idle for %1 s, connection closed").arg(kIdleSeconds).toUtf8();
    QCOMPARE(int(l.output().count(idle)), kConnections);
    qInfo("%d idle connections, all closed by the listener within %lld ms", kConnections, clock.elapsed());
    // Still serving.
    QTcpSocket fresh;
    fresh.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(fresh.waitForConnected(10000));
    fresh.write(options(fresh.localPort(), 7, "TCP"));
    QVERIFY(waitFor([&] { return fresh.bytesAvailable() > 0 && fresh.peek(64).startsWith("SIP/2.0 200"); }, 10000));
}

// The connection limit: with --max-connections 20, the 21st is refused (and journalled) while 20
// are held.
void TestHostile::connectionLimitRefusesOneMore()
{
    const quint16 port = freePort(false);
    Listener l;
    QVERIFY(l.start({ QStringLiteral("--on"), QStringLiteral("tcp:127.0.0.1:%1").arg(port), QStringLiteral("--max-connections"),
        QStringLiteral("20") }));
    QVERIFY(waitFor([&] { return l.output().contains("listening on"); }, 10000));
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 20; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s->waitForConnected(10000));
        held.push_back(std::move(s));
    }
    QTest::qWait(300); // accepted by the listener
    QTcpSocket extra;
    extra.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(waitFor([&] { return l.output().contains("over 20 connections, connection refused"); }, 15000));
    QVERIFY(waitFor([&] { return extra.state() == QAbstractSocket::UnconnectedState; }, 5000));
    QVERIFY(std::all_of(held.begin(), held.end(), [](const auto& s) { return s->state() == QAbstractSocket::ConnectedState; }));
}

void TestHostile::endlessHeaderAndHugeContentLength()
{
    const quint16 port = freePort(false);
    Listener l;
    QVERIFY(l.start({ QStringLiteral("--on"), QStringLiteral("tcp:127.0.0.1:%1").arg(port) }));
    auto connectOne = [&](QTcpSocket& s) {
        return waitFor([&] {
            s.abort();
            s.connectToHost(QHostAddress::LocalHost, port);
            return s.waitForConnected(200);
        }, 10000);
    };
    // A header section that never ends: a line of 'x' with no CRLF CRLF, 70 KiB and counting.
    QTcpSocket endless;
    QVERIFY(connectOne(endless));
    const quint16 endlessPort = endless.localPort(); // 0 once closed
    endless.write("OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nX-Endless: ");
    for (int i = 0; i < 70 && endless.state() == QAbstractSocket::ConnectedState; ++i) {
        endless.write(QByteArray(1024, 'x'));
        endless.waitForBytesWritten(100);
        QTest::qWait(5);
    }
    QVERIFY(waitFor([&] { return endless.state() == QAbstractSocket::UnconnectedState; }, 10000));
    QVERIFY2(waitFor([&] { return l.output().contains(QStringLiteral("TCP 127.0.0.1:%1: stream: header section exceeds 65536 bytes, connection closed").arg(endlessPort).toUtf8()); }, 5000),
        l.output().right(2000).constData());
    // Content-Length 2^31: refused before a byte of the body is waited for.
    QTcpSocket huge;
    QVERIFY(connectOne(huge));
    const quint16 hugePort = huge.localPort();
    QByteArray msg = options(hugePort, 9, "TCP");
    msg.replace("Content-Length: 0", "Content-Length: 2147483648");
    huge.write(msg);
    QVERIFY(waitFor([&] { return huge.state() == QAbstractSocket::UnconnectedState; }, 10000));
    QVERIFY2(waitFor([&] { return l.output().contains(QStringLiteral("TCP 127.0.0.1:%1: ").arg(hugePort).toUtf8()); }, 5000),
        l.output().right(2000).constData());
    const QString out = QString::fromUtf8(l.output());
    const qsizetype at = out.indexOf(QStringLiteral("TCP 127.0.0.1:%1: ").arg(hugePort));
    const QString line = out.mid(at, out.indexOf(QLatin1Char('\n'), at) - at);
    QVERIFY2(line.contains(QLatin1String("connection closed")) && (line.contains(QLatin1String("1 MiB")) || line.contains(QLatin1String("Content-Length"))),
        qPrintable(line));
    // Still serving.
    QTcpSocket fresh;
    QVERIFY(connectOne(fresh));
    fresh.write(options(fresh.localPort(), 11, "TCP"));
    QVERIFY(waitFor([&] { return fresh.bytesAvailable() > 0 && fresh.peek(64).startsWith("SIP/2.0 200"); }, 10000));
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
