// SPDX-License-Identifier: GPL-3.0-or-later
// Network mode's SCTP endpoint (issue 20) against a real usrsctp peer on loopback: `ladderctl
// listen sctp` in its own process, over RFC 6951 UDP encapsulation. An association set up from the
// Network panel (one-to-many, connecting at Start) shows in the associations model, ESTABLISHED,
// PR-SCTP negotiated; a message from the SCTP composer with a PR-SCTP TTL policy, a stream, a PPID
// and SCTP_UNORDERED is received by the peer as sent; a message larger than the send buffer is
// EMSGSIZE in the composer's result; the packets are in the journal (timeline, ladder). A
// one-to-one endpoint answers ENOTCONN until the panel's Connect sets an association up, then
// sends. The group's settings persist and a session file records them. Every peer is started and
// stopped by the test, on free ports.
#include "composer/sctpcomposer.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "labsession.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "network/networkpanel.h"
#include "network/networksession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryFile>
#include <QTest>
#include <QUdpSocket>

using namespace ladder;

namespace {

int freePort()
{
    QUdpSocket s;
    s.bind(QHostAddress::LocalHost, 0);
    return s.localPort();
}

bool journalHas(const std::shared_ptr<trace::Journal>& journal, const std::function<bool(const trace::Event&)>& pred)
{
    bool found = false;
    journal->forEach(0, journal->count(), [&](const trace::Event& e) {
        if (!found && pred(e))
            found = true;
    });
    return found;
}

// `ladderctl listen sctp` on 127.0.0.1:PORT over UDP encapsulation port udpPort; stopped (SIGTERM)
// when it goes out of scope.
struct CtlPeer {
    QProcess process;
    quint16 sctpPort = quint16(20000 + QRandomGenerator::global()->bounded(20000));
    quint16 udpPort = quint16(freePort());
    QByteArray out;
    bool start()
    {
        // ladderctl listen prints each line as it happens, also into this pipe (line-buffered).
        process.start(qEnvironmentVariable("LADDERLAB_BINARY_DIR") + QStringLiteral("/app/ladderctl"),
            { QStringLiteral("listen"), QStringLiteral("sctp"), QStringLiteral("--on"), QStringLiteral("127.0.0.1:%1").arg(sctpPort),
                QStringLiteral("--udp-port"), QString::number(udpPort), QStringLiteral("--duration"), QStringLiteral("60"),
                QStringLiteral("--quiet") });
        if (!process.waitForStarted(5000))
            return false;
        return waitFor("listening on SCTP port", 10000);
    }
    QByteArray output()
    {
        out += process.readAllStandardOutput();
        out += process.readAllStandardError();
        return out;
    }
    bool waitFor(const QByteArray& text, int ms)
    {
        QElapsedTimer t;
        t.start();
        while (!output().contains(text) && t.elapsed() < ms && process.state() != QProcess::NotRunning)
            QTest::qWait(20);
        return output().contains(text);
    }
    ~CtlPeer()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(5000))
                process.kill();
        }
    }
};

} // namespace

class TstNetworkSctp : public QObject {
    Q_OBJECT

    struct Window {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::LabSession lab { stack, window };
        ui::NetworkSession network { stack, window };
    };

    // Fills the panel's SCTP group as a user would.
    static void fill(ui::NetworkPanel* panel, quint16 localUdp, quint16 remoteUdp, bool oneToMany, bool listen, const QString& peer)
    {
        panel->sctpGroup()->setChecked(true);
        panel->sctpHostEdit()->setText(QStringLiteral("127.0.0.1"));
        panel->sctpLocalUdpBox()->setValue(localUdp);
        panel->sctpRemoteUdpBox()->setValue(remoteUdp);
        panel->sctpPortBox()->setValue(0);
        panel->sctpStyleBox()->setCurrentIndex(panel->sctpStyleBox()->findData(oneToMany ? QStringLiteral("one-to-many") : QStringLiteral("one-to-one")));
        panel->sctpListenBox()->setChecked(listen);
        panel->sctpPeerEdit()->setText(peer);
        QTest::keyClick(panel->sctpPeerEdit(), Qt::Key_Return);
    }

    static const sctp::AssociationInfo* established(ui::AssociationModel* model)
    {
        for (const auto& a : model->rows())
            if (a.state == QLatin1String("ESTABLISHED"))
                return &a;
        return nullptr;
    }

    static void send(ui::SctpComposer* composer)
    {
        composer->sendButton()->click(); // as a click, also when its dock is tabbed behind another
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("LadderLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_network_sctp"));
        QSettings().remove(QStringLiteral("network"));
    }

    void cleanup() { QSettings().remove(QStringLiteral("network")); }

    // One-to-many, connecting at Start: the association in the model, a PR-SCTP message received
    // by the peer, EMSGSIZE for a message larger than the send buffer.
    void associationFromThePanelAndAPrSctpMessage()
    {
        CtlPeer peer;
        QVERIFY2(peer.start(), peer.output().constData());
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        const quint16 localUdp = quint16(freePort());
        fill(panel, localUdp, peer.udpPort, true, false, QStringLiteral("127.0.0.1:%1").arg(peer.sctpPort));
        QString error;
        QVERIFY2(w.network.start({}, &error), qPrintable(error));
        QVERIFY(w.network.sctpRunning());
        QVERIFY2(panel->stateLabel()->text().contains(QStringLiteral("SCTP one-to-many port ")), qPrintable(panel->stateLabel()->text()));
        QVERIFY2(!panel->stateLabel()->text().contains(QStringLiteral("port 0 ")), qPrintable(panel->stateLabel()->text())); // the bound one
        QVERIFY2(panel->stateLabel()->text().contains(QStringLiteral("over UDP 127.0.0.1:%1 (peers' UDP %2)").arg(localUdp).arg(peer.udpPort)),
            qPrintable(panel->stateLabel()->text()));
        // The association, live in the associations model (what the Associations and Streams views show).
        ui::AssociationModel* model = w.window.associationModel();
        QTRY_VERIFY_WITH_TIMEOUT(established(model), 10000);
        const sctp::AssociationInfo a = *established(model);
        QCOMPARE(a.peerAddress, QStringLiteral("127.0.0.1:%1").arg(peer.sctpPort));
        QVERIFY(a.prSupported);
        QVERIFY2(panel->sctpStateLabel()->text().contains(QStringLiteral("up with")), qPrintable(panel->sctpStateLabel()->text()));

        // The composer: PR-SCTP TTL 5 s, stream 1, PPID 51, context 77, SCTP_UNORDERED.
        ui::SctpComposer* composer = w.window.sctpComposer();
        composer->toEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(peer.sctpPort));
        composer->payloadMode()->setCurrentIndex(0);
        composer->payloadEdit()->setPlainText(QStringLiteral("hello over udp"));
        composer->findChild<QSpinBox*>(QStringLiteral("sctpStream"))->setValue(1);
        composer->findChild<QLineEdit*>(QStringLiteral("sctpContext"))->setText(QStringLiteral("77"));
        composer->flag(0x400)->setChecked(true);
        composer->policy()->setCurrentIndex(1); // TTL
        composer->policyValue()->setValue(5000);
        for (QLineEdit* e : composer->findChildren<QLineEdit*>())
            if (e->toolTip().startsWith(QLatin1String("Payload protocol identifier")))
                e->setText(QStringLiteral("51"));
        send(composer);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("sent 14 bytes")), 5000);
        QVERIFY2(peer.waitFor("received 14 bytes", 5000), peer.output().constData());
        const QByteArray got = peer.output();
        QVERIFY2(got.contains("on stream 1, PPID 51, unordered: hello over udp"), got.constData());
        // The journal: the composer's call with its policy, our DATA on the wire (timeline, ladder).
        const auto journal = w.stack.journal();
        QTRY_VERIFY_WITH_TIMEOUT(journalHas(journal, [](const trace::Event& e) {
            return e.kind == trace::Kind::UserAction && e.text.startsWith(QLatin1String("composer (network): sctp_sendmsg 14 bytes"))
                && e.text.contains(QLatin1String("TTL"));
        }), 2000);
        QVERIFY(journalHas(journal, [&](const trace::Event& e) {
            return e.kind == trace::Kind::SctpPacket && e.dir == trace::Dir::Tx && e.a == a.id;
        }));
        QVERIFY(journalHas(journal, [&](const trace::Event& e) {
            return e.kind == trace::Kind::SctpChunk && e.dir == trace::Dir::Tx && e.text.startsWith(QLatin1String("DATA")) && e.b == 1;
        }));

        // LADDERLAB_SCREENSHOT_DIR: the window with the live association (timeline, ladder, associations).
        if (const QString shots = qEnvironmentVariable("LADDERLAB_SCREENSHOT_DIR"); !shots.isEmpty()) {
            w.window.resize(1600, 1000);
            w.window.show();
            w.window.dock(QStringLiteral("networkDock"))->raise();
            for (const QString& view : { QStringLiteral("timeline"), QStringLiteral("ladder") }) {
                w.window.showView(view);
                w.window.showView(QStringLiteral("associations"));
                QTest::qWait(800);
                QVERIFY(w.window.grab().save(shots + QStringLiteral("/network-sctp-%1.png").arg(view)));
            }
        }

        // A message larger than the send buffer: EMSGSIZE, shown with the man page's reason.
        QTemporaryFile big;
        QVERIFY(big.open());
        big.write(QByteArray(4 * 1024 * 1024, 'x'));
        big.close();
        composer->payloadMode()->setCurrentIndex(2);
        for (QLineEdit* e : composer->findChildren<QLineEdit*>())
            if (e->placeholderText() == QLatin1String("file to send"))
                e->setText(big.fileName());
        composer->policy()->setCurrentIndex(0);
        send(composer);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("EMSGSIZE: ")), 5000);

        // Stop: the association ends (ABORT), the model empties, the composer is the lab's again.
        w.network.stop();
        QVERIFY(!composer->networkMode());
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 0, 3000);
        QVERIFY2(peer.waitFor("ABORT", 5000) || peer.output().contains("COMM_LOST"), peer.output().constData());
    }

    // One-to-one, listening: a send before any connection is ENOTCONN (nothing sent); the panel's
    // Connect sets the association up, and the same send then reaches the peer.
    void oneToOneIsEnotconnUntilConnected()
    {
        CtlPeer peer;
        QVERIFY2(peer.start(), peer.output().constData());
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        fill(panel, quint16(freePort()), peer.udpPort, false, true, QString());
        QString error;
        QVERIFY2(w.network.start({}, &error), qPrintable(error));
        QVERIFY(panel->sctpConnectButton()->isEnabled());
        ui::SctpComposer* composer = w.window.sctpComposer();
        QVERIFY(composer->networkMode());
        composer->toEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(peer.sctpPort));
        composer->payloadMode()->setCurrentIndex(0);
        composer->payloadEdit()->setPlainText(QStringLiteral("one to one"));
        composer->policy()->setCurrentIndex(3); // RTX
        composer->policyValue()->setValue(2);
        send(composer);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("ENOTCONN: ")), 5000);
        QVERIFY2(composer->resultText().contains(QLatin1String("not connected")), qPrintable(composer->resultText()));
        QVERIFY(!peer.output().contains("received"));

        panel->sctpPeerEdit()->setText(QStringLiteral("127.0.0.1:%1").arg(peer.sctpPort));
        QTest::mouseClick(panel->sctpConnectButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(established(w.window.associationModel()), 10000);
        QCOMPARE(established(w.window.associationModel())->endpointStyle, QStringLiteral("one-to-one"));
        send(composer);
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().startsWith(QLatin1String("sent 10 bytes")), 5000);
        QVERIFY2(peer.waitFor("received 10 bytes", 5000), peer.output().constData());
        QVERIFY2(peer.output().contains(": one to one"), peer.output().constData());
        w.network.stop();
    }

    // A refused start binds nothing: the peer's own UDP port is taken.
    void aPortInUseStopsTheStart()
    {
        CtlPeer peer;
        QVERIFY2(peer.start(), peer.output().constData());
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        fill(panel, peer.udpPort, peer.udpPort, true, true, QString());
        QString error;
        QVERIFY(!w.network.start({}, &error));
        QVERIFY2(error.contains(QStringLiteral("SCTP over UDP 127.0.0.1:%1").arg(peer.udpPort)), qPrintable(error));
        QVERIFY(!w.network.running());
        QVERIFY(!w.window.sctpComposer()->networkMode());
    }

    // The group persists in the settings and in session state, and comes back from both.
    void settingsAndSessionKeepTheSctpEndpoint()
    {
        {
            Window w;
            fill(w.network.panel(), 4242, 4343, false, false, QStringLiteral("127.0.0.1:6000"));
            QSettings s;
            QCOMPARE(s.value(QStringLiteral("network/sctp/enabled")).toBool(), true);
            QCOMPARE(s.value(QStringLiteral("network/sctp/localUdpPort")).toInt(), 4242);
            QCOMPARE(s.value(QStringLiteral("network/sctp/remoteUdpPort")).toInt(), 4343);
            QCOMPARE(s.value(QStringLiteral("network/sctp/style")).toString(), QStringLiteral("one-to-one"));
            QCOMPARE(s.value(QStringLiteral("network/sctp/connectTo")).toString(), QStringLiteral("127.0.0.1:6000"));
            const QJsonObject state = w.network.panel()->state().value(QStringLiteral("sctp")).toObject();
            QCOMPARE(state.value(QStringLiteral("remoteUdpPort")).toInt(), 4343);
            QCOMPARE(state.value(QStringLiteral("listen")).toBool(), false);
        }
        Window again; // from the settings
        ui::SctpEndpointSpec spec = again.network.panel()->sctpSpec();
        QVERIFY(spec.enabled);
        QCOMPARE(spec.localUdpPort, quint16(4242));
        QCOMPARE(spec.remoteUdpPort, quint16(4343));
        QVERIFY(!spec.oneToMany);
        QCOMPARE(spec.connectTo, QStringLiteral("127.0.0.1:6000"));
        // From a session file: a non-loopback address is asked about; declined, loopback instead.
        ui::SctpEndpointSpec other;
        other.enabled = true;
        other.host = QStringLiteral("0.0.0.0");
        other.remoteUdpPort = 9999;
        QStringList asked;
        again.network.panel()->setConfirmHook([&](const QString& q) {
            asked << q;
            return false;
        });
        again.network.panel()->restoreState(QJsonObject { { QStringLiteral("sctp"), other.toJson() } });
        spec = again.network.panel()->sctpSpec();
        QCOMPARE(asked.size(), 1);
        QCOMPARE(spec.host, QStringLiteral("127.0.0.1"));
        QCOMPARE(spec.remoteUdpPort, quint16(9999));
        QVERIFY(spec.oneToMany);
    }
};

QTEST_MAIN(TstNetworkSctp)
#include "tst_network_sctp.moc"
