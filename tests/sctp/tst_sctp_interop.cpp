// SPDX-License-Identifier: GPL-3.0-or-later
// Interop: our RFC 6951 encapsulation (UdpTransport, AF_CONN usrsctp single-threaded) against a
// usrsctp peer in a separate process that uses usrsctp's own UDP encapsulation and threads
// (interop_peer.c). Handshake, data both ways, clean shutdown — on loopback only.
#include "host/stack.h"
#include "sctp/endpoint.h"
#include "sctp/engine.h"
#include "sctp/udptransport.h"
#include "journal/journal.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QTest>
#include <QUdpSocket>

using namespace ladder;
using namespace ladder::sctp;

namespace {
bool waitFor(const std::function<bool()>& pred, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!pred() && !deadline.hasExpired())
        QTest::qWait(5);
    return pred();
}

quint16 freeUdpPort()
{
    QUdpSocket s;
    s.bind(QHostAddress::LocalHost, 0);
    return s.localPort();
}
}

class TestSctpInterop : public QObject {
    Q_OBJECT
private slots:
    void withUsrsctpOwnEncapsulation()
    {
        const quint16 peerUdp = freeUdpPort();
        const quint16 sctpPort = 5901;
        QProcess peer;
        peer.setProcessChannelMode(QProcess::MergedChannels);
        peer.start(QStringLiteral(LADDERLAB_INTEROP_PEER), { QString::number(peerUdp), QString::number(sctpPort) });
        QVERIFY2(peer.waitForStarted(5000), qPrintable(peer.errorString()));
        QByteArray peerOut;
        QVERIFY(waitFor([&] {
            peerOut += peer.readAll();
            return peerOut.contains("ready");
        }, 5000));

        {
            Stack stack;
            Engine engine(stack);
            UdpTransport udp(engine);
            QVERIFY(udp.bind(QHostAddress::LocalHost, 0));
            udp.setPeerUdpPort(peerUdp);
            Endpoint* client = engine.socket(Style::OneToOne, udp);
            QVERIFY(client->setStreams(4, 4));
            auto id = client->connect(Address { QStringLiteral("127.0.0.1"), sctpPort });
            QVERIFY2(id, qPrintable(id.error().text()));
            QVERIFY(waitFor([&] { return engine.association(*id)->state == QStringLiteral("ESTABLISHED"); }, 5000));

            QList<QByteArray> sent;
            SendInfo hello;
            hello.ppid = 42;
            QVERIFY(client->send("hello", hello));
            sent << "hello";
            for (int i = 0; i < 50; ++i) {
                SendInfo info;
                info.stream = 1;
                const QByteArray m = QByteArray::number(i).leftJustified(4000, char('a' + i % 26));
                QVERIFY(client->send(m, info));
                sent << m;
            }
            QList<QByteArray> echoes;
            quint32 helloPpid = 0;
            QVERIFY(waitFor([&] {
                while (client->hasMessages()) {
                    auto m = client->receive();
                    if (m->data == "echo:hello")
                        helloPpid = m->ppid;
                    echoes << m->data;
                }
                return echoes.size() == sent.size();
            }, 10000));
            for (int i = 0; i < sent.size(); ++i)
                QCOMPARE(echoes[i], "echo:" + sent[i]);
            QCOMPARE(helloPpid, quint32(42));

            QVERIFY(client->shutdown());
            QVERIFY(waitFor([&] { return engine.association(*id)->state == QStringLiteral("CLOSED"); }, 5000));
            QVERIFY(udp.datagramsReceived() > 10);
            bool sawPeerLane = false;
            stack.journal().forEach(0, stack.journal().count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SctpPacket && e.dir == trace::Dir::Rx
                    && e.from == QStringLiteral("127.0.0.1:%1").arg(peerUdp))
                    sawPeerLane = true;
            });
            QVERIFY(sawPeerLane);
        }
        QVERIFY(peer.waitForFinished(10000));
        peerOut += peer.readAll();
        QCOMPARE(peer.exitCode(), 0);
        QVERIFY2(peerOut.contains("in 51 messages; peer shut down"), peerOut.constData());
        QVERIFY(peerOut.contains("done"));
    }
};

QTEST_GUILESS_MAIN(TestSctpInterop)
#include "tst_sctp_interop.moc"
