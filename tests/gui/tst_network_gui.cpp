// SPDX-License-Identifier: GPL-3.0-or-later
// Network mode in the window (issue 20), against real peers on loopback: sipsak's OPTIONS answered
// 200 by the default rule; sipp's INVITE held in the "Waiting for you" queue, answered 486 through
// the panel's widgets as a user would, and sipp sees that 486 (its scenario requires it); a held
// request answered 480 at the give-up time, journalled; the composer's Send in network mode reaching
// a UDP peer with a new branch, tag and CSeq each time and a Via naming the socket it left from;
// --listen parsing in the executable, bad listener text refused with a clear sentence; a
// non-loopback listener asked about; bytes from the network escaped; digest as a UAC against
// kamailio's auth module: a REGISTER challenged with 401, a wrong password refused after one
// resend, the right one accepted, the password never in the settings, and a 407 to an OPTIONS
// answered at once with the kept credentials; digest as a UAS: sipsak and ladderctl challenged
// with 401, the right password verified and answered by the rule, a wrong one refused with the
// reason in the log; OPTIONS from the composer over TLS, WS and WSS to kamailio (its tls, xhttp
// and websocket modules) answered, the plaintext journalled; calls with baresip both ways (our
// INVITE answered by baresip, baresip's answered by a rule with an SDP answer), hung up from the
// dialogs; a session file keeping the listeners and rules but no password; SIPp calls at
// 1 000/s against the listener, none lost; SIP URI targets resolved per RFC 3263 (SRV, A).
#include "composer/sipcomposer.h"
#include "host/stack.h"
#include "journal/journal.h"
#include "labsession.h"
#include "mainwindow.h"
#include "models/livemodels.h"
#include "kamailiopeer.h"
#include "network/authbox.h"
#include "network/credentialstore.h"
#include "network/networkengine.h"
#include "network/networkpanel.h"
#include "network/networksession.h"
#include "sessionfiles.h"
#include "sip/transport/tlscontext.h"
#include "testskip.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkDatagram>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
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

QString tool(const QString& name)
{
    return QStandardPaths::findExecutable(name);
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

QString ladderctl()
{
    return qEnvironmentVariable("LADDERLAB_BINARY_DIR") + QStringLiteral("/app/ladderctl");
}

// Until `p` ends (20 s at the most, the event loop running, so the window answers meanwhile): all
// it wrote, stdout and stderr merged, then "\nexit CODE".
QByteArray finish(QProcess& p)
{
    QElapsedTimer t;
    t.start();
    while (p.state() != QProcess::NotRunning && t.elapsed() < 20000)
        QTest::qWait(50);
    return p.readAll() + "\nexit " + QByteArray::number(p.exitCode());
}

// `program args` to its end, as finish() says.
QByteArray runToEnd(const QString& program, const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted())
        return QByteArray("did not start");
    return finish(p);
}

// `ladderctl send sip --auth alice:pa55` of a REGISTER for alice (From tag `tag`, Call-ID `callId`,
// written into `dir`) to udp:127.0.0.1:`port`, started with its output merged.
bool startRegisterWithAuth(QProcess& c, const QTemporaryDir& dir, int port, const QString& tag, const QString& callId)
{
    QFile f(dir.filePath(callId + QStringLiteral(".sip")));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(QStringLiteral("REGISTER sip:127.0.0.1:%1 SIP/2.0\nMax-Forwards: 70\nFrom: <sip:alice@127.0.0.1>;tag=%2\n"
                           "To: <sip:alice@127.0.0.1>\nCall-ID: %3@127.0.0.1\nCSeq: 1 REGISTER\n"
                           "Contact: <sip:alice@127.0.0.1:5999>\nContent-Length: 0\n\n")
                .arg(port)
                .arg(tag, callId)
                .toUtf8());
    f.close();
    c.setProcessChannelMode(QProcess::MergedChannels);
    c.start(ladderctl(), { QStringLiteral("send"), QStringLiteral("sip"), QStringLiteral("--to"), QStringLiteral("udp:127.0.0.1:%1").arg(port),
                             QStringLiteral("--auth"), QStringLiteral("alice:pa55"), f.fileName() });
    return c.waitForStarted();
}

// baresip (Debian's baresip-core) as a test's peer: a config for 127.0.0.1 (G.711, ALSA's "null"
// device as source and player: no sound card needed), one account that answers calls itself.
struct Baresip {
    QTemporaryDir dir;
    QProcess process;
    quint16 port = quint16(freePort());
    static QString missing()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("baresip")).isEmpty())
            return QStringLiteral("baresip is not installed (apt-get install baresip-core)");
        if (!QFile::exists(QStringLiteral("/usr/lib/baresip/modules/g711.so")) || !QFile::exists(QStringLiteral("/usr/lib/baresip/modules/alsa.so")))
            return QStringLiteral("baresip's modules are not in /usr/lib/baresip/modules");
        return {};
    }
    bool start(const QStringList& extra = {})
    {
        QFile config(dir.filePath(QStringLiteral("config"))), accounts(dir.filePath(QStringLiteral("accounts")));
        if (!config.open(QIODevice::WriteOnly) || !accounts.open(QIODevice::WriteOnly))
            return false;
        config.write(QStringLiteral("poll_method epoll\nsip_listen 127.0.0.1:%1\nmodule_path /usr/lib/baresip/modules\n"
                                    "module g711.so\nmodule alsa.so\nmodule_app account.so\nmodule_app menu.so\n"
                                    "audio_source alsa,null\naudio_player alsa,null\naudio_alert alsa,null\n")
                         .arg(port)
                         .toUtf8());
        accounts.write("<sip:bob@127.0.0.1>;regint=0;answermode=auto\n");
        config.close();
        accounts.close();
        QFile(dir.filePath(QStringLiteral("contacts"))).open(QIODevice::WriteOnly);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStandardPaths::findExecutable(QStringLiteral("baresip")), QStringList { QStringLiteral("-f"), dir.path(), QStringLiteral("-t"), QStringLiteral("40") } + extra);
        if (!process.waitForStarted(5000))
            return false;
        QElapsedTimer t;
        t.start();
        while (!m_out.contains("baresip is ready") && t.elapsed() < 10000) {
            QTest::qWait(50);
            m_out += process.readAll();
        }
        return m_out.contains("baresip is ready");
    }
    QByteArray output()
    {
        m_out += process.readAll();
        return m_out;
    }
    ~Baresip()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(5000)) {
                process.kill();
                process.waitForFinished(2000);
            }
        }
    }

private:
    QByteArray m_out;
};

// A DNS server on 127.0.0.1:53 for the RFC 3263 test (Qt 6.4's QDnsLookup asks port 53 only):
// SRV and A records from its tables, NXDOMAIN for any other name; it keeps the questions asked.
class TinyDns : public QObject {
public:
    struct Srv {
        quint16 priority = 10, weight = 1, port = 0;
        QByteArray target;
    };
    QHash<QByteArray, QList<Srv>> srv; // "_sip._udp.pbx.test"
    QHash<QByteArray, QByteArray> a; // name -> 4 address bytes per A record
    QStringList asked;
    bool start()
    {
        if (!m_socket.bind(QHostAddress(QStringLiteral("127.0.0.1")), 53))
            return false;
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
            while (m_socket.hasPendingDatagrams()) {
                const QNetworkDatagram d = m_socket.receiveDatagram();
                const QByteArray answer = respond(d.data());
                if (!answer.isEmpty())
                    m_socket.writeDatagram(answer, d.senderAddress(), quint16(d.senderPort()));
            }
        });
        return true;
    }

private:
    static void put16(QByteArray& out, quint16 v)
    {
        out += char(v >> 8);
        out += char(v & 0xff);
    }
    static QByteArray encodeName(const QByteArray& name)
    {
        QByteArray out;
        for (const QByteArray& label : name.split('.'))
            if (!label.isEmpty())
                out += char(label.size()) + label;
        return out + '\0';
    }
    QByteArray respond(const QByteArray& q)
    {
        if (q.size() < 17)
            return {};
        qsizetype at = 12;
        QByteArray name;
        while (at < q.size() && q[at] != 0) {
            const int len = quint8(q[at]);
            if (!name.isEmpty())
                name += '.';
            name += q.mid(at + 1, len);
            at += len + 1;
        }
        if (at + 5 > q.size())
            return {};
        const quint16 type = quint16(quint8(q[at + 1]) << 8 | quint8(q[at + 2]));
        const QByteArray question = q.mid(12, at + 5 - 12);
        name = name.toLower();
        asked << QStringLiteral("%1 %2").arg(type == 33 ? QStringLiteral("SRV") : type == 1 ? QStringLiteral("A") : QString::number(type),
            QString::fromLatin1(name));
        QList<QByteArray> answers; // type, rdata
        QList<quint16> types;
        const bool known = srv.contains(name) || a.contains(name);
        if (type == 33)
            for (const Srv& r : srv.value(name)) {
                QByteArray rdata;
                put16(rdata, r.priority);
                put16(rdata, r.weight);
                put16(rdata, r.port);
                rdata += encodeName(r.target);
                answers << rdata;
                types << 33;
            }
        if (type == 1 && a.contains(name))
            for (qsizetype i = 0; i + 4 <= a.value(name).size(); i += 4) { // several addresses: several records
                answers << a.value(name).mid(i, 4);
                types << 1;
            }
        QByteArray out = q.left(2);
        put16(out, known ? 0x8180 : 0x8183); // a response, recursion available; NXDOMAIN for unknown names
        put16(out, 1);
        put16(out, quint16(answers.size()));
        put16(out, 0);
        put16(out, 0);
        out += question;
        for (qsizetype i = 0; i < answers.size(); ++i) {
            put16(out, 0xc00c); // the question's name
            put16(out, types[i]);
            put16(out, 1);
            put16(out, 0);
            put16(out, 60);
            put16(out, quint16(answers[i].size()));
            out += answers[i];
        }
        return out;
    }
    QUdpSocket m_socket;
};

// sipp: an INVITE that must be answered 486, then the ACK of that 486 (same Via, To with tag).
const char* kInvite486 = R"(<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="INVITE answered 486 by hand">
  <send retrans="500">
    <![CDATA[
INVITE sip:bob@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: bob <sip:bob@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Subject: network mode GUI test
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="486"/>
  <send>
    <![CDATA[
ACK sip:bob@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
</scenario>
)";

} // namespace

class TstNetworkGui : public QObject {
    Q_OBJECT

    // One window in network mode on a fresh UDP port.
    struct Window {
        StackThread stack;
        ui::MainWindow window { stack.journal() };
        ui::LabSession lab { stack, window };
        ui::NetworkSession network { stack, window };
        int port = freePort();
        bool start()
        {
            ui::ListenerSpec spec;
            QString error;
            if (!ui::ListenerSpec::parse(QStringLiteral("udp:127.0.0.1:%1").arg(port), &spec, &error))
                return false;
            if (!network.start({ spec }, &error)) {
                qWarning("%s", qPrintable(error));
                return false;
            }
            return true;
        }
    };

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("LadderLabTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_network_gui"));
        QSettings().remove(QStringLiteral("network"));
    }

    void listenerTextIsParsedOrRefusedClearly()
    {
        ui::ListenerSpec s;
        QString error;
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("udp:127.0.0.1:15070"), &s, &error));
        QCOMPARE(s.type, sip::TransportType::Udp);
        QCOMPARE(s.at.port, quint16(15070));
        QVERIFY(s.isLoopback());
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("WSS:[::1]:8443"), &s, &error));
        QCOMPARE(s.type, sip::TransportType::Wss);
        QCOMPARE(s.toString(), QStringLiteral("wss:[::1]:8443"));
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("tls:0.0.0.0:5061"), &s, &error));
        QVERIFY(!s.isLoopback());
        const QList<QPair<QString, QString>> bad {
            { QStringLiteral("127.0.0.1:5060"), QStringLiteral("unknown transport") },
            { QStringLiteral("quic:127.0.0.1:5060"), QStringLiteral("unknown transport 'quic'") },
            { QStringLiteral("udp:127.0.0.1"), QStringLiteral("give a port") },
            { QStringLiteral("tcp:127.0.0.1:70000"), QStringLiteral("not 1–65535") },
            { QStringLiteral("udp:example.org:5060"), QStringLiteral("not an IP address") },
            { QStringLiteral("nonsense"), QStringLiteral("PROTO:HOST:PORT") },
            { QStringLiteral("udp:127.0.0.1:5060 cert=a.pem key=a.key"), QStringLiteral("for tls and wss listeners") },
            { QStringLiteral("tls:127.0.0.1:5061 cert=a.pem"), QStringLiteral("give both cert=FILE and key=FILE") },
            { QStringLiteral("tls:127.0.0.1:5061 ca=a.pem"), QStringLiteral("unknown option 'ca=a.pem'") },
        };
        for (const auto& [text, why] : bad) {
            error.clear();
            QVERIFY2(!ui::ListenerSpec::parse(text, &s, &error), qPrintable(text));
            QVERIFY2(error.contains(why), qPrintable(text + QStringLiteral(" → ") + error));
        }
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("tls:127.0.0.1:5061  cert=/x/c.pem key=/x/k.pem"), &s, &error));
        QCOMPARE(s.certificateFile, QStringLiteral("/x/c.pem"));
        QCOMPARE(s.toString(), QStringLiteral("tls:127.0.0.1:5061 cert=/x/c.pem key=/x/k.pem"));
        // Bytes from the network are shown escaped.
        QCOMPARE(ui::escapeNetworkText(QByteArray("INVITE\x1b[2J\x07 x\r\n")), QStringLiteral("INVITE\\x1b[2J\\x07 x\\r\\n"));
    }

    void listenOptionOfTheExecutable()
    {
        const QString app = qEnvironmentVariable("LADDERLAB_BINARY_DIR") + QStringLiteral("/app/ladderlab");
        if (!QFileInfo::exists(app))
            LADDERLAB_SKIP(QStringLiteral("%1 is not built").arg(app));
        auto run = [&](const QStringList& args, QByteArray* out, QByteArray* err) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            p.setProcessEnvironment(env);
            p.start(app, QStringList { QStringLiteral("--no-autosave") } + args);
            if (!p.waitForFinished(30000)) {
                p.kill();
                p.waitForFinished();
                return -1;
            }
            *out = p.readAllStandardOutput();
            *err = p.readAllStandardError();
            return p.exitCode();
        };
        QByteArray out, err;
        QCOMPARE(run({ QStringLiteral("--listen"), QStringLiteral("udp:127.0.0.1") }, &out, &err), 2);
        QVERIFY2(err.contains("--listen: 'udp:127.0.0.1': give a port"), err.constData());
        QCOMPARE(run({ QStringLiteral("--listen"), QStringLiteral("sip:bob@127.0.0.1:5060") }, &out, &err), 2);
        QVERIFY2(err.contains("unknown transport 'sip'"), err.constData());
        // Two listeners, a screenshot, exit 0; the stdout line names what was bound.
        QTemporaryDir dir;
        const int port = freePort();
        const QString png = dir.filePath(QStringLiteral("net.png"));
        QCOMPARE(run({ QStringLiteral("--listen"), QStringLiteral("udp:127.0.0.1:%1").arg(port), QStringLiteral("--listen"),
                         QStringLiteral("tcp:127.0.0.1:%1").arg(port), QStringLiteral("--screenshot"), png },
                     &out, &err),
            0);
        QVERIFY2(out.contains(QStringLiteral("listening on udp:127.0.0.1:%1 tcp:127.0.0.1:%1").arg(port).toUtf8()), out.constData());
        QVERIFY(QFileInfo(png).size() > 0);
        // A port already taken: exit 1 with the reason.
        QUdpSocket taken;
        QVERIFY(taken.bind(QHostAddress::LocalHost, 0));
        QCOMPARE(run({ QStringLiteral("--listen"), QStringLiteral("udp:127.0.0.1:%1").arg(taken.localPort()) }, &out, &err), 1);
        QVERIFY2(err.contains(QStringLiteral("udp:127.0.0.1:%1").arg(taken.localPort()).toUtf8()), err.constData());
    }

    void nonLoopbackListenerIsAskedAbout()
    {
        ui::NetworkPanel panel;
        QStringList asked;
        bool answer = false;
        panel.setConfirmHook([&](const QString& q) {
            asked << q;
            return answer;
        });
        QString error;
        QVERIFY(!panel.addListener(QStringLiteral("udp:0.0.0.0:5099"), &error));
        QVERIFY2(error.contains(QLatin1String("declined")), qPrintable(error));
        QCOMPARE(asked.size(), 1);
        QVERIFY2(asked.first().contains(QLatin1String("not a loopback address")), qPrintable(asked.first()));
        QVERIFY(panel.addListener(QStringLiteral("udp:127.0.0.1:5099"), &error)); // loopback: no question
        QCOMPARE(asked.size(), 1);
        answer = true;
        QVERIFY(panel.addListener(QStringLiteral("tcp:0.0.0.0:5099"), &error));
        QCOMPARE(asked.size(), 2);
        QVERIFY(!panel.addListener(QStringLiteral("tcp:0.0.0.0:5099"), &error));
        QVERIFY2(error.contains(QLatin1String("already")), qPrintable(error));
        // Persisted: a new panel reads the same list.
        ui::NetworkPanel again;
        QStringList texts;
        for (const ui::ListenerSpec& s : again.listeners())
            texts << s.toString();
        QVERIFY2(texts.contains(QStringLiteral("udp:127.0.0.1:5099")) && texts.contains(QStringLiteral("tcp:0.0.0.0:5099")),
            qPrintable(texts.join(QLatin1Char(' '))));
        QSettings().remove(QStringLiteral("network"));
    }

    void optionsFromSipsakIsAnswered200ByTheRule()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        QVERIFY(w.start());
        QCOMPARE(w.network.panel()->ruleBox(QStringLiteral("OPTIONS"))->currentData().toString(), QStringLiteral("200"));
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(sipsak, { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
                            QStringLiteral("sip:ping@127.0.0.1:%1").arg(w.port) });
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000);
        const QByteArray out = p.readAll();
        QVERIFY2(p.exitCode() == 0 && out.contains("SIP/2.0 200 OK"), out.constData());
        // Live in the views: the server transaction, the messages in the journal, the mode.
        QTRY_VERIFY_WITH_TIMEOUT(w.window.transactionModel()->rowCount() >= 1, 5000);
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.text.contains(QLatin1String("200 OK"));
        }));
        QCOMPARE(w.network.panel()->waitingTable()->rowCount(), 0);
        QVERIFY(w.window.statusBar()->findChildren<QLabel*>().size() > 0);
        bool modeShown = false;
        for (QLabel* l : w.window.statusBar()->findChildren<QLabel*>())
            modeShown |= l->text() == QLatin1String("Network");
        QVERIFY(modeShown);
    }

    void inviteFromSippIsAnswered486ByHand()
    {
        const QString sipp = tool(QStringLiteral("sipp"));
        if (sipp.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipp is not installed (apt-get install sip-tester)"));
        Window w;
        QVERIFY(w.start());
        ui::NetworkPanel* panel = w.network.panel();
        QCOMPARE(panel->ruleBox(QStringLiteral("INVITE"))->currentData().toString(), QStringLiteral("hold"));
        QTemporaryDir dir;
        const QString scenario = dir.filePath(QStringLiteral("invite486.xml"));
        {
            QFile f(scenario);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kInvite486);
        }
        const QString messages = dir.filePath(QStringLiteral("messages.log"));
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(dir.path());
        p.start(sipp, { QStringLiteral("127.0.0.1:%1").arg(w.port), QStringLiteral("-sf"), scenario, QStringLiteral("-m"),
                          QStringLiteral("1"), QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                          QString::number(freePort()), QStringLiteral("-timeout"), QStringLiteral("25s"),
                          QStringLiteral("-timeout_error"), QStringLiteral("-trace_msg"), QStringLiteral("-message_file"),
                          messages, QStringLiteral("-nostdin") });
        QVERIFY(p.waitForStarted());
        // The INVITE waits for us.
        QTableWidget* queue = panel->waitingTable();
        QTRY_COMPARE_WITH_TIMEOUT(queue->rowCount(), 1, 10000);
        QCOMPARE(queue->item(0, 0)->text(), QStringLiteral("INVITE"));
        QVERIFY2(queue->item(0, 2)->text().startsWith(QLatin1String("UDP 127.0.0.1:")), qPrintable(queue->item(0, 2)->text()));
        QVERIFY(w.window.dock(QStringLiteral("networkDock")));
        // Choose 486, edit the reason, press Answer — as a user does.
        queue->selectRow(0);
        QVERIFY(panel->answerButton()->isEnabled());
        QComboBox* status = panel->statusBox();
        status->setCurrentIndex(status->findData(200));
        status->setCurrentIndex(status->findData(486));
        QVERIFY(status->currentText().startsWith(QLatin1String("486")));
        QTest::keyClicks(panel->reasonEdit(), QStringLiteral("Busy Here, by hand"));
        panel->headersEdit()->setPlainText(QStringLiteral("Retry-After: 60"));
        // packaging/screenshots.sh sets this: network mode with a request waiting, for the README.
        if (const QString shots = qEnvironmentVariable("LADDERLAB_SCREENSHOT_DIR"); !shots.isEmpty()) {
            w.window.resize(1600, 1000);
            w.window.show();
            w.window.dock(QStringLiteral("networkDock"))->raise();
            w.window.showView(QStringLiteral("ladder"));
            QTest::qWait(600);
            QVERIFY(w.window.grab().save(shots + QStringLiteral("/network-mode.png")));
        }
        QTest::mouseClick(panel->answerButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(queue->rowCount(), 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 30000);
        const QByteArray out = p.readAll();
        QFile log(messages);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray seen = log.readAll();
        QVERIFY2(p.exitCode() == 0, (out + seen).constData());
        QVERIFY2(seen.contains("SIP/2.0 486 Busy Here, by hand") && seen.contains("Retry-After: 60"), seen.constData());
        QVERIFY2(panel->resultLabel()->text().contains(QLatin1String("486")), qPrintable(panel->resultLabel()->text()));
        // The ACK came back and absorbed the transaction (sipp sent it after the 486).
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.text.startsWith(QLatin1String("ACK"));
        }));
        QTRY_VERIFY_WITH_TIMEOUT(w.window.transactionModel()->rowCount() >= 1, 5000);
    }

    void heldRequestIsAnswered480AtTheGiveUpTime()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        QComboBox* rule = panel->ruleBox(QStringLiteral("OPTIONS"));
        rule->setCurrentIndex(rule->findData(QStringLiteral("hold")));
        panel->findChild<QSpinBox*>(QStringLiteral("networkGiveUp"))->setValue(2);
        QVERIFY(w.start());
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(sipsak, { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
                            QStringLiteral("sip:held@127.0.0.1:%1").arg(w.port) });
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 0, 6000);
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000);
        const QByteArray out = p.readAll();
        QVERIFY2(out.contains("SIP/2.0 480 Temporarily Unavailable"), out.constData());
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::Log && e.text.contains(QLatin1String("not answered within 2 s: answering 480"));
        }));
        QSettings().remove(QStringLiteral("network"));
    }

    // 401 chosen by hand: the stack adds a Digest challenge (RFC 3261 §22.1) when none is written;
    // a header line that is not a header is refused with the reason, and the request stays queued.
    void answer401CarriesAChallenge()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        QComboBox* rule = panel->ruleBox(QStringLiteral("OPTIONS"));
        rule->setCurrentIndex(rule->findData(QStringLiteral("hold")));
        QVERIFY(w.start());
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(sipsak, { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
                            QStringLiteral("sip:auth@127.0.0.1:%1").arg(w.port) });
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
        panel->waitingTable()->selectRow(0);
        panel->statusBox()->setCurrentIndex(panel->statusBox()->findData(401));
        panel->headersEdit()->setPlainText(QStringLiteral("this is not a header"));
        QTest::mouseClick(panel->answerButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->resultLabel()->text().contains(QLatin1String("is not 'Name: value'")), 5000);
        QCOMPARE(panel->waitingTable()->rowCount(), 1);
        panel->headersEdit()->clear();
        const quint64 tx = panel->waitingTable()->item(0, 0)->data(Qt::UserRole).toULongLong();
        QTest::mouseClick(panel->answerButton(), Qt::LeftButton);
        // (sipsak may ask again at once: a new transaction, a new row.)
        auto queued = [&] {
            for (int r = 0; r < panel->waitingTable()->rowCount(); ++r)
                if (panel->waitingTable()->item(r, 0)->data(Qt::UserRole).toULongLong() == tx)
                    return true;
            return false;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(!queued(), qPrintable(panel->resultLabel()->text()), 5000);
        // The 401 as it went on the wire (sipsak, without credentials, only asks again).
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("SIP/2.0 401 Unauthorized")
                && e.raw.contains("WWW-Authenticate: Digest realm=\"ladderlab\", nonce=\"") && e.raw.contains("qop=\"auth\"");
        }));
        p.kill();
        p.waitForFinished();
        QSettings().remove(QStringLiteral("network"));
    }

    void composerSendsThroughTheNetworkStack()
    {
        Window w;
        QVERIFY(w.start());
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(composer->networkMode());
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS"))); // "auto" everywhere
        composer->setTarget(QStringLiteral("udp:127.0.0.1:%1").arg(peer.localPort()));
        QList<QByteArray> got;
        int requested = 0;
        connect(composer, &ui::SipComposer::networkSendRequested, this, [&] { ++requested; });
        for (int i = 0; i < 2; ++i) {
            composer->sendButton()->click();
            QTRY_VERIFY2_WITH_TIMEOUT(peer.hasPendingDatagrams(),
                qPrintable(QStringLiteral("%1 send(s) asked; result: %2").arg(requested).arg(composer->resultText())), 5000);
            QByteArray d(int(peer.pendingDatagramSize()), '\0');
            QHostAddress from;
            quint16 fromPort = 0;
            peer.readDatagram(d.data(), d.size(), &from, &fromPort);
            got << d;
            QCOMPARE(int(fromPort), w.port); // left from the listener
            QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().startsWith(QStringLiteral("Sent — transaction")),
                qPrintable(composer->resultText()), 5000);
            // Answer it, so the client transaction completes.
            QByteArray answer = "SIP/2.0 200 OK\r\n";
            for (const QByteArray& line : d.split('\n')) {
                const QByteArray l = line.trimmed();
                if (l.startsWith("Via:") || l.startsWith("From:") || l.startsWith("To:") || l.startsWith("Call-ID:")
                    || l.startsWith("CSeq:"))
                    answer += l + "\r\n";
            }
            answer += "Content-Length: 0\r\n\r\n";
            peer.writeDatagram(answer, from, fromPort);
            QTest::qWait(200);
        }
        for (const QByteArray& d : got) {
            QVERIFY2(!d.contains("auto"), d.constData());
            QVERIFY2(d.contains(QStringLiteral("Via: SIP/2.0/UDP 127.0.0.1:%1;branch=z9hG4bK").arg(w.port).toUtf8()), d.constData());
        }
        auto field = [](const QByteArray& d, const char* re) {
            return QRegularExpression(QString::fromLatin1(re), QRegularExpression::MultilineOption).match(QString::fromUtf8(d)).captured(1);
        };
        QVERIFY(field(got[0], "branch=([^;\\r]+)") != field(got[1], "branch=([^;\\r]+)"));
        QVERIFY(field(got[0], "^From:.*tag=([^;\\r]+)") != field(got[1], "^From:.*tag=([^;\\r]+)"));
        QVERIFY(field(got[0], "^CSeq: (\\d+)") != field(got[1], "^CSeq: (\\d+)"));
        QTRY_VERIFY_WITH_TIMEOUT(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.text.contains(QLatin1String("200 OK"));
        }), 5000);
        // A bad target is refused with the reason.
        composer->setTarget(QStringLiteral("sctp:127.0.0.1:1"));
        composer->sendButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(composer->resultText().contains(QLatin1String("EINVAL")), 5000);
        // Stopping network mode gives the composer back to the lab.
        w.network.stop();
        QVERIFY(!composer->networkMode());
    }

    // A call to sipp's built-in UAS from the composer (INVITE, 180, 200, our ACK), hung up with the
    // dialogs view's BYE: sipp's scenario completes only if every step happened.
    void callToSippHungUpFromTheDialog()
    {
        const QString sipp = tool(QStringLiteral("sipp"));
        if (sipp.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipp is not installed (apt-get install sip-tester)"));
        Window w;
        QVERIFY(w.start());
        const int sippPort = freePort();
        QTemporaryDir dir;
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(dir.path());
        p.start(sipp, { QStringLiteral("-sn"), QStringLiteral("uas"), QStringLiteral("-i"), QStringLiteral("127.0.0.1"),
                          QStringLiteral("-p"), QString::number(sippPort), QStringLiteral("-m"), QStringLiteral("1"),
                          QStringLiteral("-timeout"), QStringLiteral("25s"), QStringLiteral("-timeout_error"),
                          QStringLiteral("-nostdin") });
        QVERIFY(p.waitForStarted());
        QTest::qWait(500);
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        composer->setText(ui::SipComposer::templateText(QStringLiteral("INVITE")));
        composer->setTarget(QStringLiteral("udp:127.0.0.1:%1").arg(sippPort));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().startsWith(QStringLiteral("Sent — transaction")),
            qPrintable(composer->resultText()), 5000);
        auto confirmed = [&]() -> quint64 {
            for (int r = 0; r < w.window.dialogModel()->rowCount(); ++r)
                if (w.window.dialogModel()->at(r).state == QLatin1String("confirmed"))
                    return w.window.dialogModel()->at(r).id;
            return 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(confirmed() != 0, 10000);
        QList<QString> results;
        connect(&w.network, &ui::NetworkSession::inDialogResult, this,
            [&](const QString& method, bool ok, const QString& text) { results << method + (ok ? QStringLiteral(" ok: ") : QStringLiteral(" failed: ")) + text; });
        w.network.sendInDialog(confirmed(), QStringLiteral("BYE"));
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 5000);
        QVERIFY2(results.first().startsWith(QLatin1String("BYE ok")), qPrintable(results.first()));
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 20000);
        QVERIFY2(p.exitCode() == 0, p.readAll().constData());
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.text.startsWith(QLatin1String("ACK"));
        }));
    }

    // As a UAS: OPTIONS and REGISTER challenged for the account alice/pa55. sipsak without
    // credentials gets the 401; sipsak with them (a real peer's digest) and ladderctl --auth get
    // 200 from the rules; a wrong password is challenged again and the log says why.
    void challengesAndVerifiesAsUas()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        QVERIFY(w.start());
        ui::NetworkPanel* panel = w.network.panel();
        for (auto [edit, text] : { std::pair { panel->challengeMethodsEdit(), QStringLiteral("options, register") },
                 std::pair { panel->challengeUserEdit(), QStringLiteral("alice") },
                 std::pair { panel->challengePasswordEdit(), QStringLiteral("pa55") } }) {
            edit->setText(text);
            QTest::keyClick(edit, Qt::Key_Return); // editingFinished: the rules go to the engine
        }
        QVERIFY(!QSettings().allKeys().join(QLatin1Char(' ')).isEmpty());
        for (const QString& key : QSettings().allKeys())
            QVERIFY2(QSettings().value(key).toString() != QLatin1String("pa55"), qPrintable(key));
        QTest::qWait(200);
        auto runSipsak = [&](const QStringList& extra) {
            return runToEnd(sipsak, QStringList { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
                                        QStringLiteral("sip:alice@127.0.0.1:%1").arg(w.port) }
                    + extra);
        };
        // No credentials: the 401 and its challenge.
        QByteArray out = runSipsak({});
        QVERIFY2(out.contains("SIP/2.0 401 Unauthorized") && out.contains("WWW-Authenticate: Digest realm=\"ladderlab\""), out.constData());
        QVERIFY2(!out.contains("SIP/2.0 200"), out.constData());
        // sipsak's own digest (MD5, qop=auth): verified, then the OPTIONS rule answers 200.
        out = runSipsak({ QStringLiteral("-a"), QStringLiteral("pa55"), QStringLiteral("--auth-username=alice") });
        QVERIFY2(out.contains("SIP/2.0 200 OK") && out.endsWith("exit 0"), out.constData());
        auto logHas = [&](const QString& text) {
            return journalHas(w.stack.journal(), [&](const trace::Event& e) { return e.text.contains(text); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("credentials for 'alice' verified")), 5000);
        // A wrong password: challenged again, the reason logged.
        out = runSipsak({ QStringLiteral("-a"), QStringLiteral("guess"), QStringLiteral("--auth-username=alice") });
        QVERIFY2(!out.contains("SIP/2.0 200"), out.constData());
        QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("credentials for 'alice': wrong response (wrong password?): answering 401")), 5000);

        // ladderctl's digest as the client: REGISTER verified and answered 200 by the rule.
        QTemporaryDir dir;
        QProcess c;
        QVERIFY(startRegisterWithAuth(c, dir, w.port, QStringLiteral("r1"), QStringLiteral("uas-auth")));
        out = finish(c);
        QVERIFY2(out.endsWith("exit 0") && out.contains("final response: 200"), out.constData());
        QVERIFY2(out.contains("answering the MD5 WWW-Authenticate challenge of realm \"ladderlab\", qop=auth as 'alice'"), out.constData());
        panel->challengeMethodsEdit()->clear();
        QTest::keyClick(panel->challengeMethodsEdit(), Qt::Key_Return);
        QSettings().remove(QStringLiteral("network"));
    }

    // As a UAS with SHA-256 (RFC 8760): the Challenge line's algorithm box. "SHA-256 and MD5" sends
    // two WWW-Authenticate headers, SHA-256 first; sipsak (MD5) and ladderctl (which answers the
    // strongest, SHA-256) are both verified and answered 200 by the rule. "SHA-256" alone sends
    // one header, and ladderctl's SHA-256 credentials verify.
    void challengesWithSha256AsUas()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        QVERIFY(w.start());
        ui::NetworkPanel* panel = w.network.panel();
        QComboBox* algorithm = panel->challengeAlgorithmBox();
        QVERIFY(algorithm);
        algorithm->setCurrentIndex(algorithm->findData(QStringLiteral("SHA-256+MD5")));
        QCOMPARE(QSettings().value(QStringLiteral("network/uasAuth/algorithm")).toString(), QStringLiteral("SHA-256+MD5"));
        for (auto [edit, text] : { std::pair { panel->challengeMethodsEdit(), QStringLiteral("options register") },
                 std::pair { panel->challengeUserEdit(), QStringLiteral("alice") },
                 std::pair { panel->challengePasswordEdit(), QStringLiteral("pa55") } }) {
            edit->setText(text);
            QTest::keyClick(edit, Qt::Key_Return);
        }
        QCOMPARE(panel->state().value(QStringLiteral("challengeAlgorithm")).toString(), QStringLiteral("SHA-256+MD5"));
        QTest::qWait(200);
        const QStringList sipsakArgs { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
            QStringLiteral("sip:alice@127.0.0.1:%1").arg(w.port) };
        // Without credentials: two challenges, SHA-256 first, one nonce.
        QByteArray out = runToEnd(sipsak, sipsakArgs);
        const qsizetype sha = out.indexOf("WWW-Authenticate: Digest realm=\"ladderlab\""), md5 = out.indexOf("algorithm=MD5");
        QVERIFY2(out.contains("SIP/2.0 401 Unauthorized") && sha >= 0, out.constData());
        QVERIFY2(out.indexOf("algorithm=SHA-256", sha) > sha && md5 > out.indexOf("algorithm=SHA-256", sha), out.constData());
        QCOMPARE(out.count("WWW-Authenticate: Digest"), out.count("SIP/2.0 401") * 2);
        auto logHas = [&](const QString& text) {
            return journalHas(w.stack.journal(), [&](const trace::Event& e) { return e.text.contains(text); });
        };
        // sipsak reads only the first challenge and knows no SHA-256: it gives up, as an MD5-only
        // client that ignores the second header does.
        out = runToEnd(sipsak, sipsakArgs + QStringList { QStringLiteral("-a"), QStringLiteral("pa55"), QStringLiteral("--auth-username=alice") });
        QVERIFY2(!out.contains("SIP/2.0 200"), out.constData());
        // An MD5 client that reads both headers (this test, over a UDP socket, computing the
        // response itself per RFC 2617): answers the MD5 one, verified as MD5, then 200.
        {
            QUdpSocket udp;
            QVERIFY(udp.bind(QHostAddress::LocalHost, 0));
            auto request = [&](const QByteArray& authorization, int cseq) {
                return "REGISTER sip:127.0.0.1:" + QByteArray::number(w.port) + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:"
                    + QByteArray::number(udp.localPort()) + ";branch=z9hG4bKmd5" + QByteArray::number(cseq)
                    + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=m5\r\nTo: <sip:alice@127.0.0.1>\r\n"
                      "Call-ID: md5-both@127.0.0.1\r\nCSeq: "
                    + QByteArray::number(cseq) + " REGISTER\r\nContact: <sip:alice@127.0.0.1:5998>\r\n" + authorization
                    + "Content-Length: 0\r\n\r\n";
            };
            auto exchange = [&](const QByteArray& bytes) -> QByteArray {
                udp.writeDatagram(bytes, QHostAddress::LocalHost, quint16(w.port));
                QElapsedTimer t;
                t.start();
                while (t.elapsed() < 5000) {
                    while (udp.hasPendingDatagrams()) {
                        const QByteArray d = udp.receiveDatagram().data();
                        if (!d.startsWith("SIP/2.0 1"))
                            return d;
                    }
                    QTest::qWait(20);
                }
                return {};
            };
            const QByteArray challenge = exchange(request({}, 1));
            QVERIFY2(challenge.startsWith("SIP/2.0 401"), challenge.constData());
            const QRegularExpression md5Header(QStringLiteral("WWW-Authenticate: Digest realm=\"ladderlab\", nonce=\"([^\"]+)\", algorithm=MD5"));
            const QRegularExpressionMatch m = md5Header.match(QString::fromLatin1(challenge));
            QVERIFY2(m.hasMatch(), challenge.constData());
            const QByteArray nonce = m.captured(1).toLatin1();
            auto hex = [](const QByteArray& d) { return QCryptographicHash::hash(d, QCryptographicHash::Md5).toHex(); };
            const QByteArray uri = "sip:127.0.0.1:" + QByteArray::number(w.port);
            const QByteArray response = hex(hex("alice:ladderlab:pa55") + ':' + nonce + ":00000001:c0ffee:auth:" + hex("REGISTER:" + uri));
            const QByteArray answer = exchange(request("Authorization: Digest username=\"alice\", realm=\"ladderlab\", nonce=\"" + nonce
                    + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c0ffee\"\r\n",
                2));
            QVERIFY2(answer.startsWith("SIP/2.0 200"), answer.constData());
            QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("credentials for 'alice' verified (MD5)")), 5000);
        }
        // ladderctl picks SHA-256.
        QTemporaryDir dir;
        auto registerOnce = [&](int n) {
            QProcess c;
            if (!startRegisterWithAuth(c, dir, w.port, QStringLiteral("s%1").arg(n), QStringLiteral("uas-sha-%1").arg(n)))
                return QByteArray("did not start");
            return finish(c);
        };
        out = registerOnce(1);
        QVERIFY2(out.contains("final response: 200") && out.endsWith("exit 0"), out.constData());
        QVERIFY2(out.contains("answering the SHA-256 WWW-Authenticate challenge of realm \"ladderlab\""), out.constData());
        QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("credentials for 'alice' verified (SHA-256)")), 5000);
        // SHA-256 alone: one header; ladderctl verified again.
        algorithm->setCurrentIndex(algorithm->findData(QStringLiteral("SHA-256")));
        QTest::qWait(200);
        out = runToEnd(sipsak, sipsakArgs);
        QVERIFY2(out.contains("algorithm=SHA-256") && !out.contains("algorithm=MD5"), out.constData());
        out = registerOnce(2);
        QVERIFY2(out.contains("final response: 200") && out.contains("answering the SHA-256"), out.constData());
        panel->challengeMethodsEdit()->clear();
        QTest::keyClick(panel->challengeMethodsEdit(), Qt::Key_Return);
        QSettings().remove(QStringLiteral("network"));
    }

    // The composer over TLS, WS and WSS to kamailio: each OPTIONS answered over its transport, the
    // plaintext in the journal (no keys needed), the Via naming the transport it left on.
    void sendsOverTlsAndWebSocketToKamailio()
    {
        if (const QString why = KamailioPeer::missing({ QStringLiteral("tls.so"), QStringLiteral("websocket.so"), QStringLiteral("xhttp.so") });
            !why.isEmpty())
            LADDERLAB_SKIP(why + QStringLiteral(" (kamailio-tls-modules, kamailio-websocket-modules)"));
        QTemporaryDir dir;
        QSslCertificate cert;
        QSslKey key;
        QString why;
        QVERIFY2(sip::TlsContext::selfSign(sip::SelfSignedSpec {}, &cert, &key, &why), qPrintable(why));
        QFile c(dir.filePath(QStringLiteral("cert.pem"))), k(dir.filePath(QStringLiteral("key.pem"))),
            t(dir.filePath(QStringLiteral("tls.cfg")));
        QVERIFY(c.open(QIODevice::WriteOnly) && c.write(cert.toPem()) > 0 && k.open(QIODevice::WriteOnly) && k.write(key.toPem()) > 0);
        c.close();
        k.close();
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(QStringLiteral("[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
                               "private_key = %1\ncertificate = %2\n[client:default]\nverify_certificate = no\nrequire_certificate = no\n")
                    .arg(k.fileName(), c.fileName())
                    .toUtf8());
        t.close();
        const int tlsPort = freePort(), wsPort = freePort();
        KamailioPeer kam;
        QVERIFY2(kam.start(QStringLiteral("loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\n"
                                          "loadmodule \"tls.so\"\nloadmodule \"xhttp.so\"\nloadmodule \"websocket.so\"\n"
                                          "modparam(\"tls\", \"config\", \"%1\")\n"
                                          "request_route {\n"
                                          "    force_rport();\n"
                                          "    sl_send_reply(\"200\", \"OK from kamailio over $pr\");\n"
                                          "    exit;\n"
                                          "}\n"
                                          "event_route[xhttp:request] {\n"
                                          "    if ($hdr(Upgrade) =~ \"websocket\" && $hdr(Connection) =~ \"Upgrade\" && $rm =~ \"GET\") {\n"
                                          "        if (ws_handle_handshake()) exit;\n"
                                          "    }\n"
                                          "    xhttp_reply(\"404\", \"Not Found\", \"\", \"\");\n"
                                          "}\n")
                               .arg(t.fileName()),
                     &why,
                     QStringLiteral("tcp_children=1\nenable_tls=yes\ntcp_accept_no_cl=yes\nlisten=tls:127.0.0.1:%1\nlisten=tcp:127.0.0.1:%2\n")
                         .arg(tlsPort)
                         .arg(wsPort)),
            qPrintable(why));
        // Ready once it answers on UDP.
        QVERIFY2(kam.waitUntilAnswering(), kam.log().constData());
        QSettings().setValue(QStringLiteral("network/trustAny"), true); // kamailio's certificate is self-signed
        Window w;
        QVERIFY(w.start());
        QVERIFY(w.network.panel()->trustAnyCertificate());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        struct Case {
            QString target;
            const char* pr; // kamailio's $pr
            const char* via; // our Via's transport
        };
        for (const Case& cs : { Case { QStringLiteral("tls:127.0.0.1:%1").arg(tlsPort), "tls", "TLS" },
                 Case { QStringLiteral("ws:127.0.0.1:%1").arg(wsPort), "ws", "WS" },
                 Case { QStringLiteral("wss:127.0.0.1:%1").arg(tlsPort), "wss", "WSS" } }) {
            composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS")).replace(QLatin1String("10.0.0.2"), QLatin1String("127.0.0.1")));
            composer->setTarget(cs.target);
            composer->sendButton()->click();
            const QByteArray answer = QByteArray("SIP/2.0 200 OK from kamailio over ") + cs.pr + "\r\n";
            QTRY_VERIFY2_WITH_TIMEOUT(journalHas(w.stack.journal(), [&](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.raw.startsWith(answer);
            }),
                qPrintable(cs.target + QStringLiteral(": ") + composer->resultText() + QString::fromUtf8(kam.log())), 15000);
            QVERIFY(journalHas(w.stack.journal(), [&](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("OPTIONS ")
                    && e.raw.contains(QByteArray("Via: SIP/2.0/") + cs.via + " 127.0.0.1:");
            }));
        }
        QSettings().remove(QStringLiteral("network"));
    }

    // Per-peer "trust anyway": ladderctl's self-signed TLS listener is refused with its reason
    // (unknown CA) and the certificate's digest; "Trust this certificate for 127.0.0.1:P" keeps
    // that digest for that address (settings), and the same OPTIONS is then answered 200 over TLS.
    // The peer restarted with a new certificate at the same address is refused again.
    void tlsPeerTrustedAnywayByItsDigest()
    {
        const QString ctl = ladderctl();
        const int tlsPort = freePort();
        auto startPeer = [&](QProcess& p) {
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(ctl, { QStringLiteral("listen"), QStringLiteral("sip"), QStringLiteral("--on"),
                                                 QStringLiteral("tls:127.0.0.1:%1").arg(tlsPort), QStringLiteral("--self-signed"),
                                                 QStringLiteral("--duration"), QStringLiteral("60") });
            QElapsedTimer t;
            t.start();
            QByteArray out;
            while (!out.contains("listening on") && t.elapsed() < 10000 && p.state() != QProcess::NotRunning) {
                QTest::qWait(20);
                out += p.readAll();
            }
            return out.contains("listening on");
        };
        auto stopPeer = [](QProcess& p) {
            p.terminate();
            if (!p.waitForFinished(5000))
                p.kill();
        };
        QProcess peer;
        QVERIFY(startPeer(peer));
        Window w;
        QVERIFY(w.start());
        ui::NetworkPanel* panel = w.network.panel();
        QVERIFY(!panel->trustAnyCertificate());
        ui::SipComposer* composer = w.window.sipComposer();
        auto sendOptions = [&] {
            composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS")).replace(QLatin1String("10.0.0.2"), QLatin1String("127.0.0.1")));
            composer->setTarget(QStringLiteral("tls:127.0.0.1:%1").arg(tlsPort));
            composer->sendButton()->click();
        };
        auto answeredOverTls = [&] {
            return journalHas(w.stack.journal(), [](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.b == 3 && e.raw.startsWith("SIP/2.0 200");
            });
        };
        const QString peerName = QStringLiteral("127.0.0.1:%1").arg(tlsPort);
        sendOptions();
        QTRY_VERIFY_WITH_TIMEOUT(panel->tlsTrustButton()->isVisibleTo(panel), 10000);
        const QString refused = panel->tlsProblemLabel()->text();
        QVERIFY2(refused.contains(QStringLiteral("TLS %1 refused: unknown CA").arg(peerName)) && refused.contains(QLatin1String("SHA-256 ")),
            qPrintable(refused));
        QCOMPARE(panel->tlsTrustButton()->text(), QStringLiteral("Trust this certificate for %1").arg(peerName));
        QVERIFY(!answeredOverTls());
        QTest::mouseClick(panel->tlsTrustButton(), Qt::LeftButton);
        const QVariantMap stored = QSettings().value(QStringLiteral("network/tlsTrust")).toMap();
        QCOMPARE(stored.keys(), QStringList { peerName });
        QCOMPARE(stored.value(peerName).toString().size(), 64); // the SHA-256 digest, hex
        QVERIFY(refused.contains(QByteArray::fromHex(stored.value(peerName).toString().toLatin1()).toHex(':')));
        QTest::qWait(200);
        sendOptions();
        QTRY_VERIFY2_WITH_TIMEOUT(answeredOverTls(), qPrintable(composer->resultText() + QLatin1Char(' ') + panel->tlsProblemLabel()->text()), 10000);
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.text.contains(QLatin1String("trusted for this peer: SHA-256 "));
        }));
        // Another certificate at the same address: refused again, its own digest offered.
        stopPeer(peer);
        QProcess again;
        QVERIFY(startPeer(again));
        panel->tlsProblemLabel()->clear();
        sendOptions();
        QTRY_VERIFY_WITH_TIMEOUT(panel->tlsProblemLabel()->text().contains(QLatin1String("refused: unknown CA")), 10000);
        QVERIFY(!panel->tlsProblemLabel()->text().contains(QByteArray::fromHex(stored.value(peerName).toString().toLatin1()).toHex(':')));
        QTest::mouseClick(panel->tlsForgetButton(), Qt::LeftButton);
        QVERIFY(QSettings().value(QStringLiteral("network/tlsTrust")).toMap().isEmpty());
        stopPeer(again);
        QSettings().remove(QStringLiteral("network"));
    }

    // A call to baresip (answering by itself) from the composer with the app's SDP: INVITE, 200
    // with baresip's SDP, our ACK; hung up with the dialog's BYE, which baresip answers 200.
    void callToBaresipHungUpFromTheDialog()
    {
        if (const QString why = Baresip::missing(); !why.isEmpty())
            LADDERLAB_SKIP(why);
        Baresip bs;
        QVERIFY2(bs.start(), bs.output().constData());
        Window w;
        QVERIFY(w.start());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        QString invite = ui::SipComposer::templateText(QStringLiteral("INVITE"));
        invite.replace(QLatin1String("bob@10.0.0.2:5060"), QStringLiteral("bob@127.0.0.1:%1").arg(bs.port))
            .replace(QLatin1String("you@10.0.0.1:5060"), QStringLiteral("you@127.0.0.1:%1").arg(w.port))
            .replace(QLatin1String("10.0.0.1"), QLatin1String("127.0.0.1"))
            .replace(QLatin1String("10.0.0.2"), QLatin1String("127.0.0.1"));
        composer->setText(invite);
        composer->setTarget(QStringLiteral("udp:127.0.0.1:%1").arg(bs.port));
        composer->sendButton()->click();
        auto dialogIn = [&](const QString& state) -> quint64 {
            for (int r = 0; r < w.window.dialogModel()->rowCount(); ++r)
                if (w.window.dialogModel()->at(r).state == state)
                    return w.window.dialogModel()->at(r).id;
            return 0;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(dialogIn(QStringLiteral("confirmed")) != 0, (composer->resultText().toUtf8() + bs.output()).constData(), 15000);
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.raw.startsWith("SIP/2.0 200")
                && e.raw.contains("CSeq: ") && e.raw.contains(" INVITE\r\n") && e.raw.contains("m=audio ");
        }));
        QTRY_VERIFY_WITH_TIMEOUT(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("ACK ");
        }), 5000);
        QList<QString> results;
        connect(&w.network, &ui::NetworkSession::inDialogResult, this,
            [&](const QString& method, bool ok, const QString& text) { results << method + (ok ? QStringLiteral(" ok: ") : QStringLiteral(" failed: ")) + text; });
        w.network.sendInDialog(dialogIn(QStringLiteral("confirmed")), QStringLiteral("BYE"));
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 5000);
        QVERIFY2(results.first().startsWith(QLatin1String("BYE ok")), qPrintable(results.first()));
        QTRY_VERIFY2_WITH_TIMEOUT(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.raw.startsWith("SIP/2.0 200") && e.raw.contains(" BYE\r\n");
        }), bs.output().constData(), 10000);
    }

    // baresip calls the app; the INVITE rule "200" answers (with an SDP answer to baresip's
    // offer), baresip ACKs; the app hangs up from the dialog and baresip answers the BYE.
    void baresipCallsAndARuleAnswers()
    {
        if (const QString why = Baresip::missing(); !why.isEmpty())
            LADDERLAB_SKIP(why);
        Window w;
        QComboBox* invite = w.network.panel()->ruleBox(QStringLiteral("INVITE"));
        invite->setCurrentIndex(invite->findData(QStringLiteral("200")));
        QVERIFY(w.start());
        Baresip bs;
        QVERIFY2(bs.start({ QStringLiteral("-e"), QStringLiteral("/dial sip:alice@127.0.0.1:%1").arg(w.port) }), bs.output().constData());
        auto dialogIn = [&](const QString& state) -> quint64 {
            for (int r = 0; r < w.window.dialogModel()->rowCount(); ++r)
                if (w.window.dialogModel()->at(r).state == state)
                    return w.window.dialogModel()->at(r).id;
            return 0;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.raw.startsWith("ACK ");
        }), bs.output().constData(), 15000);
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("SIP/2.0 200")
                && e.raw.contains(" INVITE\r\n") && e.raw.contains("Content-Type: application/sdp") && e.raw.contains("m=audio 40000 RTP/AVP ");
        }));
        QTRY_VERIFY_WITH_TIMEOUT(dialogIn(QStringLiteral("confirmed")) != 0, 5000);
        QVERIFY2(!bs.output().contains("session closed"), bs.output().constData()); // baresip kept the call
        w.network.sendInDialog(dialogIn(QStringLiteral("confirmed")), QStringLiteral("BYE"));
        QTRY_VERIFY2_WITH_TIMEOUT(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Rx && e.raw.startsWith("SIP/2.0 200") && e.raw.contains(" BYE\r\n");
        }), bs.output().constData(), 10000);
        invite->setCurrentIndex(invite->findData(QStringLiteral("hold")));
    }

    // --listen's listeners (NetworkSession::start with a list of its own) are shown, never saved:
    // a rule changed meanwhile does not save them, and the session state (drafts, session files)
    // records the user's list.
    void listenListIsShownNotSaved()
    {
        QSettings().remove(QStringLiteral("network"));
        QSettings().setValue(QStringLiteral("network/listeners"), QStringList { QStringLiteral("tcp:127.0.0.1:5099") });
        Window w;
        QVERIFY(w.start()); // udp:127.0.0.1:PORT, as --listen does
        ui::NetworkPanel* panel = w.network.panel();
        QCOMPARE(panel->listeners().size(), 1);
        QCOMPARE(panel->listeners().first().at.port, quint16(w.port));
        panel->ruleBox(QStringLiteral("OPTIONS"))->setCurrentIndex(panel->ruleBox(QStringLiteral("OPTIONS"))->findData(QStringLiteral("486")));
        QCOMPARE(QSettings().value(QStringLiteral("network/listeners")).toStringList(), QStringList { QStringLiteral("tcp:127.0.0.1:5099") });
        QCOMPARE(panel->state().value(QStringLiteral("listeners")).toArray().first().toString(), QStringLiteral("tcp:127.0.0.1:5099"));
        QSettings().remove(QStringLiteral("network"));
    }

    // A session file records the listeners and rules, never a password; opening it asks about a
    // non-loopback listener it brings (declined: left out, said so).
    void sessionFileKeepsListenersAndRules()
    {
        QSettings().remove(QStringLiteral("network"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("net.ladderlab"));
        {
            Window w;
            ui::NetworkPanel* panel = w.network.panel();
            panel->setConfirmHook([](const QString&) { return true; });
            while (!panel->listeners().isEmpty())
                panel->removeListener(0);
            QString error;
            QVERIFY2(panel->addListener(QStringLiteral("tcp:127.0.0.1:5077"), &error), qPrintable(error));
            QVERIFY2(panel->addListener(QStringLiteral("udp:0.0.0.0:5078"), &error), qPrintable(error));
            panel->ruleBox(QStringLiteral("INVITE"))->setCurrentIndex(panel->ruleBox(QStringLiteral("INVITE"))->findData(QStringLiteral("486")));
            panel->challengeMethodsEdit()->setText(QStringLiteral("REGISTER"));
            panel->challengeUserEdit()->setText(QStringLiteral("alice"));
            panel->challengePasswordEdit()->setText(QStringLiteral("s3cr3t-pass"));
            QTest::keyClick(panel->challengePasswordEdit(), Qt::Key_Return);
            const ui::SessionFiles::Result r = w.window.files()->save(path);
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.contains("tcp:127.0.0.1:5077"));
        QVERIFY(!bytes.contains("s3cr3t-pass"));
        QSettings().remove(QStringLiteral("network"));
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        QStringList asked;
        panel->setConfirmHook([&](const QString& q) {
            asked << q;
            return false;
        });
        QCOMPARE(panel->listeners().size(), 2); // the defaults
        const ui::SessionFiles::Result r = w.window.files()->open(path);
        QVERIFY2(r.ok, qPrintable(r.error));
        QStringList texts;
        for (const ui::ListenerSpec& l : panel->listeners())
            texts << l.toString();
        QCOMPARE(texts, QStringList { QStringLiteral("tcp:127.0.0.1:5077") });
        QCOMPARE(asked.size(), 1);
        QVERIFY(asked.first().contains(QLatin1String("udp:0.0.0.0:5078")));
        QVERIFY2(panel->resultLabel()->text().contains(QLatin1String("udp:0.0.0.0:5078 left out")), qPrintable(panel->resultLabel()->text()));
        QCOMPARE(panel->ruleBox(QStringLiteral("INVITE"))->currentData().toString(), QStringLiteral("486"));
        QCOMPARE(panel->rules().auth.methods, QStringList { QStringLiteral("REGISTER") });
        QCOMPARE(panel->rules().auth.user, QStringLiteral("alice"));
        QVERIFY(panel->rules().auth.password.isEmpty());
        QSettings().remove(QStringLiteral("network"));
    }

    // SIPp as a load client against the window's listener: INVITE/200/ACK/BYE calls at 1 000
    // calls/s for 3 s (200/s under AddressSanitizer, which slows the stack several times), the
    // INVITE rule answering 200 — none lost (SIPp's own statistics: every call successful).
    void sippLoadAgainstTheListener()
    {
        const QString sipp = tool(QStringLiteral("sipp"));
        if (sipp.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipp is not installed (apt-get install sip-tester)"));
#if defined(__SANITIZE_ADDRESS__)
        const int rate = 200;
#else
        const int rate = 1000;
#endif
        const int calls = rate * 3;
        Window w;
        QComboBox* invite = w.network.panel()->ruleBox(QStringLiteral("INVITE"));
        invite->setCurrentIndex(invite->findData(QStringLiteral("200")));
        QVERIFY(w.start());
        QTemporaryDir dir;
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(dir.path());
        const QString stats = dir.filePath(QStringLiteral("stats.csv"));
        p.start(sipp, { QStringLiteral("-sn"), QStringLiteral("uac"), QStringLiteral("127.0.0.1:%1").arg(w.port), QStringLiteral("-i"),
                          QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(freePort()), QStringLiteral("-r"),
                          QString::number(rate), QStringLiteral("-m"), QString::number(calls), QStringLiteral("-timeout"), QStringLiteral("60s"),
                          QStringLiteral("-nostdin"), QStringLiteral("-trace_stat"), QStringLiteral("-stf"), stats });
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 70000);
        QFile f(stats);
        QVERIFY2(f.open(QIODevice::ReadOnly), p.readAll().constData());
        const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
        QVERIFY(lines.size() >= 2);
        const QList<QByteArray> head = lines.first().split(';'), last = lines.last().split(';');
        auto field = [&](const char* name) {
            const qsizetype i = head.indexOf(QByteArray(name));
            return i >= 0 && i < last.size() ? last[i].toLongLong() : -1;
        };
        qInfo("sipp at %d calls/s: %lld successful, %lld failed, %lld retransmissions", rate, field("SuccessfulCall(C)"),
            field("FailedCall(C)"), field("Retransmissions(C)"));
        QCOMPARE(field("SuccessfulCall(C)"), qint64(calls));
        QCOMPARE(field("FailedCall(C)"), qint64(0));
        QCOMPARE(p.exitCode(), 0);
        invite->setCurrentIndex(invite->findData(QStringLiteral("hold")));
    }

    // A TLS listener with its own certificate and key files serves that certificate (a client sees
    // its name); a file that cannot be read stops the start with the reason, nothing bound.
    void tlsListenerServesItsCertificateFiles()
    {
        QTemporaryDir dir;
        sip::SelfSignedSpec spec;
        spec.names = QStringList { QStringLiteral("sip.ladderlab.test"), QStringLiteral("127.0.0.1") };
        QSslCertificate cert;
        QSslKey key;
        QString why;
        QVERIFY2(sip::TlsContext::selfSign(spec, &cert, &key, &why), qPrintable(why));
        QFile c(dir.filePath(QStringLiteral("c.pem"))), k(dir.filePath(QStringLiteral("k.pem")));
        QVERIFY(c.open(QIODevice::WriteOnly) && c.write(cert.toPem()) > 0 && k.open(QIODevice::WriteOnly) && k.write(key.toPem()) > 0);
        c.close();
        k.close();
        const int port = freePort();
        ui::ListenerSpec missing, good;
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("tls:127.0.0.1:%1 cert=%2 key=%3").arg(port).arg(dir.filePath(QStringLiteral("none.pem")), k.fileName()),
            &missing, &why));
        QVERIFY(ui::ListenerSpec::parse(QStringLiteral("tls:127.0.0.1:%1 cert=%2 key=%3").arg(port).arg(c.fileName(), k.fileName()), &good, &why));
        Window w;
        QString error;
        QVERIFY(!w.network.start({ missing }, &error));
        QVERIFY2(error.contains(QLatin1String("none.pem")), qPrintable(error));
        QVERIFY(!w.network.running());
        QVERIFY2(w.network.start({ good }, &error), qPrintable(error));
        QSslSocket client;
        client.setPeerVerifyMode(QSslSocket::VerifyNone);
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(port));
        QVERIFY2(client.waitForEncrypted(10000), qPrintable(client.errorString()));
        QCOMPARE(client.peerCertificate().subjectInfo(QSslCertificate::CommonName), QStringList { QStringLiteral("sip.ladderlab.test") });
        w.network.stop();
    }

    // RFC 3263 from the composer: a SIP URI resolved through SRV (_sip._udp), through A for a URI
    // with a port, sips: through _sips._tcp, a transport= parameter's own SRV; a name without any
    // record refused with the reason. The DNS server is this test's, on 127.0.0.1:53.
    void sipUriTargetsAreResolvedPerRfc3263()
    {
        TinyDns dns;
        if (!dns.start())
            LADDERLAB_SKIP(QStringLiteral("cannot serve DNS on 127.0.0.1:53 (taken, or not root): the RFC 3263 test needs it"));
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        QTcpServer tcpPeer;
        QVERIFY(tcpPeer.listen(QHostAddress::LocalHost, 0));
        dns.srv.insert("_sip._udp.pbx.test", { TinyDns::Srv { 10, 1, peer.localPort(), "host1.pbx.test" } });
        dns.srv.insert("_sip._tcp.pbx.test", { TinyDns::Srv { 10, 1, tcpPeer.serverPort(), "host1.pbx.test" } });
        dns.a.insert("host1.pbx.test", QByteArray("\x7f\x00\x00\x01", 4));
        dns.a.insert("plain.test", QByteArray("\x7f\x00\x00\x01", 4));
        Window w;
        w.network.setDnsServer(QHostAddress(QStringLiteral("127.0.0.1")));
        QVERIFY(w.start());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        auto sendTo = [&](const QString& target) {
            composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS")).replace(QLatin1String("10.0.0.2"), QLatin1String("pbx.test")));
            composer->setTarget(target);
            composer->sendButton()->click();
        };
        auto received = [&] {
            if (!peer.hasPendingDatagrams())
                return QByteArray();
            QByteArray d(int(peer.pendingDatagramSize()), '\0');
            peer.readDatagram(d.data(), d.size());
            return d;
        };
        // SRV: _sip._udp.pbx.test → host1.pbx.test:PORT → 127.0.0.1.
        sendTo(QStringLiteral("sip:bob@pbx.test"));
        QTRY_VERIFY2_WITH_TIMEOUT(peer.hasPendingDatagrams(), qPrintable(composer->resultText() + dns.asked.join(QLatin1Char(' '))), 10000);
        QVERIFY(received().startsWith("OPTIONS "));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QStringLiteral("sip:bob@pbx.test resolved to udp:127.0.0.1:%1 (RFC 3263)").arg(peer.localPort())),
            qPrintable(composer->resultText()), 5000);
        QVERIFY2(dns.asked.contains(QLatin1String("SRV _sip._udp.pbx.test")) && dns.asked.contains(QLatin1String("A host1.pbx.test")),
            qPrintable(dns.asked.join(QLatin1Char(' '))));
        auto rfc3263Log = [&] {
            QStringList lines;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.text.contains(QLatin1String("RFC 3263")))
                    lines << e.text;
            });
            return lines.join(QLatin1Char('\n'));
        };
        QTRY_VERIFY2_WITH_TIMEOUT(rfc3263Log().contains(QStringLiteral("RFC 3263 sip:bob@pbx.test: SRV _sip._udp.pbx.test → host1.pbx.test:%1 (priority 10, weight 1)")
                                                          .arg(peer.localPort())),
            qPrintable(rfc3263Log()), 5000);
        // A port in the URI: no SRV, the name's A record.
        dns.asked.clear();
        sendTo(QStringLiteral("sip:bob@plain.test:%1").arg(peer.localPort()));
        QTRY_VERIFY2_WITH_TIMEOUT(peer.hasPendingDatagrams(), qPrintable(composer->resultText()), 10000);
        received();
        QVERIFY2(!dns.asked.join(QLatin1Char(' ')).contains(QLatin1String("SRV")), qPrintable(dns.asked.join(QLatin1Char(' '))));
        // transport=tcp: its own SRV record, a TCP connection to the peer it names.
        sendTo(QStringLiteral("sip:bob@pbx.test;transport=tcp"));
        QTRY_VERIFY2_WITH_TIMEOUT(tcpPeer.hasPendingConnections(), qPrintable(composer->resultText()), 10000);
        QVERIFY(dns.asked.contains(QLatin1String("SRV _sip._tcp.pbx.test")));
        // sips: _sips._tcp only; no record there, nor an A record for pbx.test: refused, with why.
        dns.asked.clear();
        sendTo(QStringLiteral("sips:bob@pbx.test"));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QLatin1String("EHOSTUNREACH")), qPrintable(composer->resultText()), 10000);
        QVERIFY2(composer->resultText().contains(QLatin1String("RFC 3263: no address for pbx.test")), qPrintable(composer->resultText()));
        QVERIFY2(dns.asked.contains(QLatin1String("SRV _sips._tcp.pbx.test")) && !dns.asked.contains(QLatin1String("SRV _sip._udp.pbx.test")),
            qPrintable(dns.asked.join(QLatin1Char(' '))));
        // Not a SIP URI at all.
        sendTo(QStringLiteral("sip:"));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QLatin1String("is not a SIP URI")), qPrintable(composer->resultText()), 5000);
    }

    // From the window, as a user would: REGISTER to kamailio (its auth module, password "secret"),
    // 401; Resend with a wrong password: 401 again, shown as refused (one resend, no loop); the
    // right one: 200. Keep: the name in the settings, the password in the keyring or for the
    // session only, never in the settings. With "Answer challenges at once", an OPTIONS's 407 is
    // answered without asking.
    void registerToKamailioWithAPassword()
    {
        if (const QString why = KamailioPeer::missing({ QStringLiteral("auth.so") }); !why.isEmpty())
            LADDERLAB_SKIP(why);
        KamailioPeer kam;
        QString why;
        QVERIFY2(kam.start(QStringLiteral(
                               "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\nloadmodule \"auth.so\"\n"
                               "modparam(\"auth\", \"secret\", \"ladderlab-gui-nonce-secret\")\n"
                               "request_route {\n"
                               "    if (is_method(\"REGISTER\")) {\n"
                               "        if (!pv_www_authenticate(\"$td\", \"secret\", \"0\")) { www_challenge(\"$td\", \"1\"); exit; }\n"
                               "    } else if (!pv_proxy_authenticate(\"$fd\", \"secret\", \"0\")) { proxy_challenge(\"$fd\", \"1\"); exit; }\n"
                               "    sl_send_reply(\"200\", \"Authenticated\");\n"
                               "    exit;\n"
                               "}\n"),
                     &why),
            qPrintable(why));
        // Ready once it answers anything on its port.
        QVERIFY2(kam.waitUntilAnswering(), kam.log().constData());

        Window w;
        QVERIFY(w.start());
        ui::AuthBox* auth = w.network.panel()->authBox();
        QVERIFY(auth);
        auth->atOnceBox()->setChecked(false);
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        const QString target = QStringLiteral("udp:127.0.0.1:%1").arg(kam.port());
        composer->setText(ui::SipComposer::templateText(QStringLiteral("REGISTER")).replace(QLatin1String("10.0.0.2"), QLatin1String("127.0.0.1")));
        composer->setTarget(target);
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(auth->shownChallenge() != 0, qPrintable(composer->resultText()), 10000);
        QVERIFY(auth->resendButton()->isVisibleTo(auth));
        QString shown = auth->challengeLabel()->text();
        QVERIFY2(shown.startsWith(QLatin1String("401 Unauthorized to REGISTER sip:127.0.0.1")), qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("realm \"127.0.0.1\", MD5, qop=auth")), qPrintable(shown));
        // No account kept for this realm yet: the box asks, with the challenge's realm filled in.
        QCOMPARE(auth->realm(), QStringLiteral("127.0.0.1"));
        QVERIFY2(shown.contains(QLatin1String("No account kept for realm \"127.0.0.1\"")), qPrintable(shown));

        // A wrong password: one resend, then the refusal, not a loop.
        const quint64 first = auth->shownChallenge();
        auth->userEdit()->setText(QStringLiteral("alice"));
        auth->passwordEdit()->setText(QStringLiteral("wrong"));
        auth->resendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(auth->shownChallenge() != 0 && auth->shownChallenge() != first,
            qPrintable(auth->outcomeLabel()->text()), 10000);
        shown = auth->challengeLabel()->text();
        QVERIFY2(shown.contains(QLatin1String("EACCES: 401 Unauthorized again after credentials for 'alice' in realm \"127.0.0.1\"")),
            qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("wrong user name or password?")), qPrintable(shown));
        auto registersSent = [&] {
            int n = 0;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("REGISTER "))
                    ++n;
            });
            return n;
        };
        QTest::qWait(300);
        QCOMPARE(registersSent(), 2);

        // The right one.
        auth->passwordEdit()->setText(QStringLiteral("secret"));
        auth->resendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(auth->outcomeLabel()->text().startsWith(QLatin1String("200 Authenticated to REGISTER sent with "
                                                                                        "credentials for 'alice'")),
            qPrintable(auth->outcomeLabel()->text()), 10000);
        QCOMPARE(auth->shownChallenge(), quint64(0));
        // The last REGISTER: same Call-ID as the first, CSeq up by two, Authorization for alice.
        QList<QByteArray> registers;
        w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
            if (e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("REGISTER "))
                registers << e.raw;
        });
        QCOMPARE(registers.size(), 3);
        auto field = [](const QByteArray& d, const char* re) {
            return QRegularExpression(QString::fromLatin1(re), QRegularExpression::MultilineOption).match(QString::fromUtf8(d)).captured(1);
        };
        QCOMPARE(field(registers[2], "^Call-ID: (\\S+)"), field(registers[0], "^Call-ID: (\\S+)"));
        QCOMPARE(field(registers[2], "^CSeq: (\\d+)").toInt(), field(registers[0], "^CSeq: (\\d+)").toInt() + 2);
        QVERIFY2(registers[2].contains("Authorization: Digest username=\"alice\""), registers[2].constData());
        QVERIFY(!registers[0].contains("Authorization:"));

        // Keep: the password goes to a keyring or stays for the session, never to the settings.
        auto* keep = auth->findChild<QPushButton*>(QStringLiteral("networkAuthKeep"));
        QVERIFY(keep);
        keep->click();
        QTRY_VERIFY_WITH_TIMEOUT(auth->store()->where(QStringLiteral("127.0.0.1")) != ui::CredentialStore::Where::Nowhere
                && !auth->storageLabel()->text().contains(QLatin1String("Saving")),
            5000);
        QVERIFY2(auth->storageLabel()->text().contains(QLatin1String("kept for this session only"))
                || auth->storageLabel()->text().contains(QLatin1String("in the desktop's keyring")),
            qPrintable(auth->storageLabel()->text()));
        {
            QSettings settings;
            QCOMPARE(settings.value(QStringLiteral("network/auth/accounts")).toMap(),
                QVariantMap({ { QStringLiteral("127.0.0.1"), QStringLiteral("alice") } }));
            for (const QString& key : settings.allKeys())
                QVERIFY2(!settings.value(key).toString().contains(QLatin1String("secret")), qPrintable(key));
        }

        // Answer at once: the OPTIONS's 407 (realm: the From domain, 127.0.0.1) is answered with the
        // account kept for that realm, nothing shown.
        auth->atOnceBox()->setChecked(true);
        composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS"))
                              .replace(QLatin1String("10.0.0.2"), QLatin1String("127.0.0.1"))
                              .replace(QLatin1String("10.0.0.1"), QLatin1String("127.0.0.1")));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(auth->outcomeLabel()->text().startsWith(QLatin1String("200 Authenticated to OPTIONS sent with "
                                                                                        "credentials for 'alice'")),
            qPrintable(auth->outcomeLabel()->text()), 10000);
        QCOMPARE(auth->shownChallenge(), quint64(0));
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("OPTIONS ")
                && e.raw.contains("Proxy-Authorization: Digest username=\"alice\"");
        }));
        auth->atOnceBox()->setChecked(false);
        auth->store()->forget(QStringLiteral("127.0.0.1"));
        QVERIFY(!QSettings().contains(QStringLiteral("network/auth/accounts")));
    }

    // Credentials per realm: kamailio challenges a REGISTER with the realm of its To domain and
    // knows alice/pa55-a in a.test and bob/pa55-b in b.test. Both accounts kept in the box (the
    // settings hold realm → user, never a password); with "Answer challenges at once" each
    // challenge is answered with the account of its own realm (a swapped account would be refused
    // again); c.test, which has none, is shown to the user with its realm and empty fields.
    void credentialsPerRealm()
    {
        if (const QString why = KamailioPeer::missing({ QStringLiteral("auth.so") }); !why.isEmpty())
            LADDERLAB_SKIP(why);
        KamailioPeer kam;
        QString why;
        QVERIFY2(kam.start(QStringLiteral(
                               "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"textops.so\"\nloadmodule \"auth.so\"\n"
                               "modparam(\"auth\", \"secret\", \"ladderlab-gui-realm-secret\")\n"
                               "request_route {\n"
                               "    if ($td == \"a.test\") {\n"
                               "        if (!($au == \"alice\" && pv_www_authenticate(\"$td\", \"pa55-a\", \"0\"))) { www_challenge(\"$td\", \"1\"); exit; }\n"
                               "    } else if ($td == \"b.test\") {\n"
                               "        if (!($au == \"bob\" && pv_www_authenticate(\"$td\", \"pa55-b\", \"0\"))) { www_challenge(\"$td\", \"1\"); exit; }\n"
                               "    } else { www_challenge(\"$td\", \"1\"); exit; }\n"
                               "    sl_send_reply(\"200\", \"Authenticated\");\n"
                               "    exit;\n"
                               "}\n"),
                     &why),
            qPrintable(why));
        QVERIFY2(kam.waitUntilAnswering(), kam.log().constData());

        Window w;
        QVERIFY(w.start());
        ui::AuthBox* auth = w.network.panel()->authBox();
        auth->atOnceBox()->setChecked(false);
        auto* keep = auth->findChild<QPushButton*>(QStringLiteral("networkAuthKeep"));
        QVERIFY(keep);
        for (auto [realm, user, password] : { std::tuple { "a.test", "alice", "pa55-a" }, std::tuple { "b.test", "bob", "pa55-b" } }) {
            auth->realmBox()->setEditText(QString::fromLatin1(realm));
            auth->userEdit()->setText(QString::fromLatin1(user));
            auth->passwordEdit()->setText(QString::fromLatin1(password));
            keep->click();
            QTRY_VERIFY2_WITH_TIMEOUT(!auth->storageLabel()->text().contains(QLatin1String("Saving")), qPrintable(auth->storageLabel()->text()), 5000);
            QVERIFY2(auth->storageLabel()->text().contains(QStringLiteral("realm \"%1\"").arg(QString::fromLatin1(realm))),
                qPrintable(auth->storageLabel()->text()));
        }
        QCOMPARE(auth->store()->realms(), QStringList({ QStringLiteral("a.test"), QStringLiteral("b.test") }));
        {
            QSettings settings;
            QCOMPARE(settings.value(QStringLiteral("network/auth/accounts")).toMap(),
                QVariantMap({ { QStringLiteral("a.test"), QStringLiteral("alice") }, { QStringLiteral("b.test"), QStringLiteral("bob") } }));
            for (const QString& key : settings.allKeys())
                QVERIFY2(!settings.value(key).toString().contains(QLatin1String("pa55")), qPrintable(key));
        }
        // Choosing a kept realm fills its account in.
        auth->realmBox()->setCurrentIndex(auth->realmBox()->findText(QStringLiteral("a.test")));
        emit auth->realmBox()->textActivated(QStringLiteral("a.test"));
        QCOMPARE(auth->userEdit()->text(), QStringLiteral("alice"));
        QCOMPARE(auth->passwordEdit()->text(), QStringLiteral("pa55-a"));
        auth->atOnceBox()->setChecked(true);

        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        composer->setTarget(QStringLiteral("udp:127.0.0.1:%1").arg(kam.port()));
        auto registerTo = [&](const QString& domain) {
            composer->setText(ui::SipComposer::templateText(QStringLiteral("REGISTER")).replace(QLatin1String("10.0.0.2"), domain));
            composer->sendButton()->click();
        };
        registerTo(QStringLiteral("b.test"));
        QTRY_VERIFY2_WITH_TIMEOUT(auth->outcomeLabel()->text().startsWith(QLatin1String("200 Authenticated to REGISTER sent with credentials for 'bob'")),
            qPrintable(auth->outcomeLabel()->text() + QLatin1Char('|') + auth->challengeLabel()->text()), 10000);
        registerTo(QStringLiteral("a.test"));
        QTRY_VERIFY2_WITH_TIMEOUT(auth->outcomeLabel()->text().startsWith(QLatin1String("200 Authenticated to REGISTER sent with credentials for 'alice'")),
            qPrintable(auth->outcomeLabel()->text() + QLatin1Char('|') + auth->challengeLabel()->text()), 10000);
        QCOMPARE(auth->shownChallenge(), quint64(0));
        auto authorizations = [&] {
            QStringList out;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("REGISTER ")) {
                    static const QRegularExpression credentials(
                        QString::fromLatin1("Authorization: Digest username=\"([^\"]+)\", realm=\"([^\"]+)\""));
                    const auto m = credentials.match(QString::fromUtf8(e.raw));
                    if (m.hasMatch())
                        out << m.captured(1) + QLatin1Char('@') + m.captured(2);
                }
            });
            return out;
        };
        QCOMPARE(authorizations(), QStringList({ QStringLiteral("bob@b.test"), QStringLiteral("alice@a.test") }));
        // A realm without an account: asked, nothing resent.
        registerTo(QStringLiteral("c.test"));
        QTRY_VERIFY2_WITH_TIMEOUT(auth->shownChallenge() != 0, qPrintable(composer->resultText()), 10000);
        const QString shown = auth->challengeLabel()->text();
        QVERIFY2(shown.contains(QLatin1String("realm \"c.test\"")) && shown.contains(QLatin1String("No account kept for realm \"c.test\"")),
            qPrintable(shown));
        QCOMPARE(auth->realm(), QStringLiteral("c.test"));
        QVERIFY(auth->userEdit()->text().isEmpty() && auth->passwordEdit()->text().isEmpty());
        QTest::qWait(300);
        QCOMPARE(authorizations().size(), 2);
        auth->atOnceBox()->setChecked(false);
        auth->store()->forget(QStringLiteral("a.test"));
        auth->store()->forget(QStringLiteral("b.test"));
        QVERIFY(!QSettings().contains(QStringLiteral("network/auth/accounts")));
    }

    // A 401/407 answered by hand carries the UAS digest server's challenge, and the request the
    // peer resends with credentials is checked by it against the Challenge line's account: sipsak
    // (MD5, 401) with the right password accepted, then answered 200 by hand; with a wrong one
    // refused ("wrong response"), held for the user and answered 403; ladderctl --auth (SHA-256,
    // chosen on the Challenge line, answering a 407 with Proxy-Authorization) accepted.
    void handChallengeIsVerified()
    {
        const QString sipsak = tool(QStringLiteral("sipsak"));
        if (sipsak.isEmpty())
            LADDERLAB_SKIP(QStringLiteral("sipsak is not installed (apt-get install sipsak)"));
        Window w;
        ui::NetworkPanel* panel = w.network.panel();
        for (const QString& method : { QStringLiteral("OPTIONS"), QStringLiteral("REGISTER") }) {
            QComboBox* rule = panel->ruleBox(method);
            rule->setCurrentIndex(rule->findData(QStringLiteral("hold")));
        }
        panel->challengeAlgorithmBox()->setCurrentIndex(panel->challengeAlgorithmBox()->findData(QStringLiteral("MD5")));
        for (auto [edit, text] : { std::pair { panel->challengeMethodsEdit(), QString() },
                 std::pair { panel->challengeUserEdit(), QStringLiteral("alice") },
                 std::pair { panel->challengePasswordEdit(), QStringLiteral("pa55") } }) {
            edit->setText(text);
            QTest::keyClick(edit, Qt::Key_Return);
        }
        QVERIFY(w.start());
        QTest::qWait(200);
        // Answers the newest waiting request of `method` with `status` through the panel's widgets.
        auto answerNewest = [&](int status) -> quint64 {
            QTableWidget* table = panel->waitingTable();
            const int row = table->rowCount() - 1;
            if (row < 0)
                return 0;
            const quint64 tx = table->item(row, 0)->data(Qt::UserRole).toULongLong();
            table->selectRow(row);
            panel->statusBox()->setCurrentIndex(panel->statusBox()->findData(status));
            panel->headersEdit()->clear();
            QTest::mouseClick(panel->answerButton(), Qt::LeftButton);
            return tx;
        };
        auto logHas = [&](const QString& text) {
            return journalHas(w.stack.journal(), [&](const trace::Event& e) { return e.text.contains(text); });
        };
        auto startSipsak = [&](QProcess& p, const QString& password) {
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(sipsak, { QStringLiteral("-vv"), QStringLiteral("-H"), QStringLiteral("127.0.0.1"), QStringLiteral("-s"),
                                QStringLiteral("sip:alice@127.0.0.1:%1").arg(w.port), QStringLiteral("-a"), password,
                                QStringLiteral("--auth-username=alice") });
            return p.waitForStarted();
        };
        {
            QProcess p;
            QVERIFY(startSipsak(p, QStringLiteral("pa55")));
            QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
            const quint64 challenged = answerNewest(401);
            QVERIFY(challenged);
            // The resend: checked, accepted, held again (the OPTIONS rule), its row saying so.
            QTRY_VERIFY2_WITH_TIMEOUT(panel->credentialsCheckLabel()->isVisibleTo(panel)
                    && panel->credentialsCheckLabel()->text().startsWith(QLatin1String("Accepted: OPTIONS")),
                qPrintable(panel->credentialsCheckLabel()->text() + QLatin1Char('|') + panel->resultLabel()->text()), 8000);
            QVERIFY2(panel->credentialsCheckLabel()->text().contains(QStringLiteral("resent after your 401: credentials for 'alice' verified (MD5)")),
                qPrintable(panel->credentialsCheckLabel()->text()));
            QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
            QVERIFY2(panel->waitingTable()->item(0, 0)->text().contains(QLatin1String("verified (MD5)")),
                qPrintable(panel->waitingTable()->item(0, 0)->text()));
            QVERIFY(panel->waitingTable()->item(0, 0)->data(Qt::UserRole).toULongLong() != challenged);
            answerNewest(200);
            QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 15000);
            const QByteArray out = p.readAll();
            QVERIFY2(out.contains("authorizing") && out.contains("SIP/2.0 200") && p.exitCode() == 0, out.constData());
            QVERIFY(logHas(QStringLiteral("resent after your 401 (transaction %1): credentials for 'alice' verified (MD5)").arg(challenged)));
            // The 401 on the wire: the digest server's challenge (realm, self-validating nonce, qop).
            QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
                return e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("SIP/2.0 401 Unauthorized")
                    && e.raw.contains("WWW-Authenticate: Digest realm=\"ladderlab\", nonce=\"") && e.raw.contains("algorithm=MD5");
            }));
        }
        {
            QProcess p;
            QVERIFY(startSipsak(p, QStringLiteral("guess")));
            QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
            answerNewest(401);
            QTRY_VERIFY2_WITH_TIMEOUT(panel->credentialsCheckLabel()->text().startsWith(QLatin1String("Refused: OPTIONS")),
                qPrintable(panel->credentialsCheckLabel()->text()), 8000);
            QVERIFY2(panel->credentialsCheckLabel()->text().contains(QLatin1String("credentials for 'alice' refused: wrong response (wrong password?)")),
                qPrintable(panel->credentialsCheckLabel()->text()));
            QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
            QVERIFY(panel->waitingTable()->item(0, 0)->text().contains(QLatin1String("refused")));
            answerNewest(403);
            QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 15000);
            const QByteArray out = p.readAll();
            QVERIFY2(out.contains("SIP/2.0 403") && !out.contains("SIP/2.0 200"), out.constData());
        }
        // SHA-256, 407: ladderctl answers with Proxy-Authorization, verified as SHA-256.
        panel->challengeAlgorithmBox()->setCurrentIndex(panel->challengeAlgorithmBox()->findData(QStringLiteral("SHA-256")));
        QTest::qWait(200);
        QTemporaryDir dir;
        QProcess c;
        QVERIFY(startRegisterWithAuth(c, dir, w.port, QStringLiteral("h1"), QStringLiteral("hand-407")));
        QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
        answerNewest(407);
        QTRY_VERIFY2_WITH_TIMEOUT(panel->credentialsCheckLabel()->text().startsWith(QLatin1String("Accepted: REGISTER")),
            qPrintable(panel->credentialsCheckLabel()->text()), 8000);
        QVERIFY2(panel->credentialsCheckLabel()->text().contains(QLatin1String("resent after your 407: credentials for 'alice' verified (SHA-256)")),
            qPrintable(panel->credentialsCheckLabel()->text()));
        QTRY_COMPARE_WITH_TIMEOUT(panel->waitingTable()->rowCount(), 1, 5000);
        answerNewest(200);
        QTRY_VERIFY_WITH_TIMEOUT(c.state() == QProcess::NotRunning, 15000);
        const QByteArray out = c.readAll();
        QVERIFY2(c.exitCode() == 0 && out.contains("final response: 200"), out.constData());
        QVERIFY2(out.contains("answering the SHA-256 Proxy-Authenticate challenge of realm \"ladderlab\""), out.constData());
        QSettings().remove(QStringLiteral("network"));
    }

    // RFC 3263 §4.3 failover over a list of targets — here the user's own, "tcp:…, tcp:…" (no DNS,
    // so no root needed): a TCP connection refused goes on to the next target at once; over UDP a
    // target that never answers (Timer F, T1 = 50 ms) and one answering 503 are passed over for the
    // third. Each retry is a new transaction (a new branch) with the same Call-ID and CSeq; the
    // composer and the log say which target failed, why, and which one is next; when every target
    // failed the composer says so with each reason.
    void failoverToTheNextTarget()
    {
        Window w;
        w.network.setSipTimers(sip::TimerConfig::fromMs(50, 400, 500));
        QVERIFY(w.start());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        auto logText = [&] {
            QStringList lines;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::Log)
                    lines << e.text;
            });
            return lines.join(QLatin1Char('\n'));
        };
        auto field = [](const QByteArray& d, const char* re) {
            return QRegularExpression(QString::fromLatin1(re), QRegularExpression::MultilineOption).match(QString::fromUtf8(d)).captured(1);
        };
        auto sentOptions = [&] {
            QList<QByteArray> out;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.kind == trace::Kind::SipMessage && e.dir == trace::Dir::Tx && e.raw.startsWith("OPTIONS "))
                    out << e.raw;
            });
            return out;
        };
        auto answerTo = [](const QByteArray& request, int status, const char* reason) {
            QByteArray answer = "SIP/2.0 " + QByteArray::number(status) + ' ' + reason + "\r\n";
            for (const QByteArray& line : request.split('\n')) {
                const QByteArray l = line.trimmed();
                if (l.startsWith("Via:") || l.startsWith("From:") || l.startsWith("To:") || l.startsWith("Call-ID:") || l.startsWith("CSeq:"))
                    answer += l + "\r\n";
            }
            return answer + "Content-Length: 0\r\n\r\n";
        };
        composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS")));

        // TCP: the first port refuses the connection, the second (another loopback address) takes it.
        QTcpServer live;
        QVERIFY(live.listen(QHostAddress(QStringLiteral("127.0.0.2")), 0) || live.listen(QHostAddress::LocalHost, 0));
        quint16 closed = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closed = probe.serverPort();
        }
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closed);
        const QString alive = QStringLiteral("tcp:%1:%2").arg(live.serverAddress().toString()).arg(live.serverPort());
        composer->setTarget(dead + QStringLiteral(", ") + alive);
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(live.hasPendingConnections(), qPrintable(composer->resultText() + QLatin1Char('\n') + logText()), 10000);
        QTcpSocket* in = live.nextPendingConnection();
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), got.contains("\r\n\r\n")), 5000);
        QVERIFY2(got.startsWith("OPTIONS "), got.constData());
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QStringLiteral("to %1 after %2 (transaction").arg(alive, dead)),
            qPrintable(composer->resultText()), 5000);
        QVERIFY2(composer->resultText().contains(QLatin1String("Connection refused")) && composer->resultText().contains(QLatin1String("target 2 of 2")),
            qPrintable(composer->resultText()));
        QVERIFY2(logText().contains(QRegularExpression(QStringLiteral("failover: %1 \\(transaction \\d+: .*Connection refused.*\\) failed; trying %2 next "
                                                                      "\\(target 2 of 2, RFC 3263 §4.3\\)")
                                                           .arg(QRegularExpression::escape(dead), QRegularExpression::escape(alive)))),
            qPrintable(logText()));
        QList<QByteArray> sent = sentOptions();
        QCOMPARE(sent.size(), 2);
        QCOMPARE(field(sent[1], "^Call-ID: (\\S+)"), field(sent[0], "^Call-ID: (\\S+)"));
        QCOMPARE(field(sent[1], "^CSeq: (.+)\\r"), field(sent[0], "^CSeq: (.+)\\r"));
        QVERIFY(field(sent[1], "branch=([^;\\r]+)") != field(sent[0], "branch=([^;\\r]+)"));
        QCOMPARE(field(got, "branch=([^;\\r]+)"), field(sent[1], "branch=([^;\\r]+)"));
        in->write(answerTo(got, 200, "OK"));
        in->flush();
        QTest::qWait(200);

        // UDP: silent, then 503, then 200.
        QUdpSocket silent, busy, fine;
        QVERIFY(silent.bind(QHostAddress::LocalHost, 0) && busy.bind(QHostAddress::LocalHost, 0) && fine.bind(QHostAddress::LocalHost, 0));
        QList<QByteArray> atSilent, atBusy, atFine;
        auto pump = [&] {
            auto take = [](QUdpSocket& s, QList<QByteArray>* into) {
                QList<QNetworkDatagram> out;
                while (s.hasPendingDatagrams()) {
                    const QNetworkDatagram d = s.receiveDatagram();
                    *into << d.data();
                    out << d;
                }
                return out;
            };
            take(silent, &atSilent);
            for (const QNetworkDatagram& d : take(busy, &atBusy))
                if (d.data().startsWith("OPTIONS "))
                    busy.writeDatagram(answerTo(d.data(), 503, "Service Unavailable"), d.senderAddress(), quint16(d.senderPort()));
            for (const QNetworkDatagram& d : take(fine, &atFine))
                if (d.data().startsWith("OPTIONS "))
                    fine.writeDatagram(answerTo(d.data(), 200, "OK"), d.senderAddress(), quint16(d.senderPort()));
            return true;
        };
        auto udp = [](const QUdpSocket& s) { return QStringLiteral("udp:127.0.0.1:%1").arg(s.localPort()); };
        composer->setTarget(QStringList({ udp(silent), udp(busy), udp(fine) }).join(QStringLiteral(", ")));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT((pump(), !atFine.isEmpty()), qPrintable(composer->resultText() + QLatin1Char('\n') + logText()), 15000);
        QTRY_VERIFY2_WITH_TIMEOUT((pump(), composer->resultText().contains(QLatin1String("target 3 of 3"))), qPrintable(composer->resultText()), 5000);
        const QString result = composer->resultText();
        QVERIFY2(result.startsWith(QStringLiteral("Sent — transaction")), qPrintable(result));
        QVERIFY2(result.contains(QStringLiteral("%1 (transaction").arg(udp(silent))) && result.contains(QStringLiteral("no answer: Timer F fired (64·T1 = 3.2 s)")),
            qPrintable(result));
        QVERIFY2(result.contains(QLatin1String("503 Service Unavailable")), qPrintable(result));
        QVERIFY2(logText().contains(QStringLiteral("failed; trying %1 next (target 2 of 3").arg(udp(busy)))
                && logText().contains(QStringLiteral("failed; trying %1 next (target 3 of 3").arg(udp(fine))),
            qPrintable(logText()));
        QVERIFY(atSilent.size() >= 2); // retransmitted (Timer E) before Timer F
        const QString b1 = field(atSilent.first(), "branch=([^;\\r]+)"), b2 = field(atBusy.first(), "branch=([^;\\r]+)"),
                      b3 = field(atFine.first(), "branch=([^;\\r]+)");
        QVERIFY(b1 != b2 && b2 != b3 && b1 != b3);
        QCOMPARE(field(atFine.first(), "^Call-ID: (\\S+)"), field(atSilent.first(), "^Call-ID: (\\S+)"));
        QCOMPARE(field(atFine.first(), "^CSeq: (.+)\\r"), field(atSilent.first(), "^CSeq: (.+)\\r"));
        pump();

        // A target that answered 100 Trying and then nothing: its timeout is no failure (RFC 3263
        // §4.3: only one "without ever having received any response"), the next one gets nothing.
        {
            QUdpSocket trying;
            QVERIFY(trying.bind(QHostAddress::LocalHost, 0));
            QList<QByteArray> atTrying;
            auto pumpTrying = [&] {
                while (trying.hasPendingDatagrams()) {
                    const QNetworkDatagram d = trying.receiveDatagram();
                    atTrying << d.data();
                    if (d.data().startsWith("OPTIONS "))
                        trying.writeDatagram(answerTo(d.data(), 100, "Trying"), d.senderAddress(), quint16(d.senderPort()));
                }
                return pump();
            };
            atFine.clear();
            composer->setTarget(udp(trying) + QStringLiteral(", ") + udp(fine));
            composer->sendButton()->click();
            QTRY_VERIFY2_WITH_TIMEOUT((pumpTrying(), logText().contains(QStringLiteral("%1 timed out (Timer F) after a provisional response: no failover").arg(udp(trying)))),
                qPrintable(logText()), 15000);
            QTest::qWait(300);
            pumpTrying();
            QVERIFY(!atTrying.isEmpty());
            QVERIFY2(atFine.isEmpty(), atFine.value(0).constData());
            QVERIFY2(!composer->resultText().contains(QLatin1String("target 2 of 2")), qPrintable(composer->resultText()));
        }

        // Every target failing: said with each reason.
        composer->setTarget(udp(silent) + QStringLiteral(",") + udp(busy));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT((pump(), composer->resultText().contains(QLatin1String("every target failed"))), qPrintable(composer->resultText()), 15000);
        QVERIFY2(composer->resultText().startsWith(QLatin1String("EAGAIN: every target failed: ")) && composer->resultText().contains(QLatin1String("Timer F"))
                && composer->resultText().contains(QLatin1String("503 Service Unavailable")),
            qPrintable(composer->resultText()));
    }

    // The same over DNS (RFC 3263 with this test's server on 127.0.0.1:53, so root): SRV records
    // given in the wrong order (priority 20 first) are tried by priority — the priority-10 one's
    // port refuses, the priority-20 one takes the request; and a name with two A records, the
    // first address refusing, fails over to the second.
    void failoverOverSrvAndAddresses()
    {
        TinyDns dns;
        if (!dns.start())
            LADDERLAB_SKIP(QStringLiteral("cannot serve DNS on 127.0.0.1:53 (taken, or not root): failoverToTheNextTarget covers failover without it"));
        QTcpServer live;
        if (!live.listen(QHostAddress(QStringLiteral("127.0.0.2")), 0))
            LADDERLAB_SKIP(QStringLiteral("127.0.0.2 is not a loopback address here"));
        {
            QTcpServer probe; // the same port on 127.0.0.1 must refuse
            if (!probe.listen(QHostAddress::LocalHost, live.serverPort()))
                LADDERLAB_SKIP(QStringLiteral("port %1 is taken on 127.0.0.1").arg(live.serverPort()));
        }
        quint16 closed = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closed = probe.serverPort();
        }
        dns.srv.insert("_sip._tcp.fo.test", { TinyDns::Srv { 20, 1, live.serverPort(), "live.fo.test" }, TinyDns::Srv { 10, 1, closed, "dead.fo.test" } });
        dns.a.insert("live.fo.test", QByteArray("\x7f\x00\x00\x02", 4));
        dns.a.insert("dead.fo.test", QByteArray("\x7f\x00\x00\x01", 4));
        dns.a.insert("two.fo.test", QByteArray("\x7f\x00\x00\x01\x7f\x00\x00\x02", 8));
        Window w;
        w.network.setDnsServer(QHostAddress(QStringLiteral("127.0.0.1")));
        QVERIFY(w.start());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        composer->setText(ui::SipComposer::templateText(QStringLiteral("OPTIONS")));
        // The next message on any connection the live peer accepted (the stack keeps its
        // connection to a target open and sends the next request on it).
        QList<QTcpSocket*> accepted;
        QByteArray buffered;
        auto arrived = [&] {
            while (live.hasPendingConnections())
                accepted << live.nextPendingConnection();
            for (QTcpSocket* s : accepted)
                buffered += s->readAll();
            return buffered.contains("\r\n\r\n");
        };
        auto received = [&] {
            if (!QTest::qWaitFor(arrived, 5000))
                return QByteArray();
            const QByteArray got = buffered;
            buffered.clear();
            return got;
        };
        const QString dead = QStringLiteral("tcp:127.0.0.1:%1").arg(closed), alive = QStringLiteral("tcp:127.0.0.2:%1").arg(live.serverPort());
        composer->setTarget(QStringLiteral("sip:bob@fo.test;transport=tcp"));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(arrived(), qPrintable(composer->resultText() + dns.asked.join(QLatin1Char(' '))), 10000);
        QVERIFY(received().startsWith("OPTIONS "));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QStringLiteral("to %1 after %2 (transaction").arg(alive, dead)),
            qPrintable(composer->resultText()), 5000);
        auto logHas = [&](const QString& text) {
            return journalHas(w.stack.journal(), [&](const trace::Event& e) { return e.text.contains(text); });
        };
        auto rfc3263Log = [&] {
            QStringList lines;
            w.stack.journal()->forEach(0, w.stack.journal()->count(), [&](const trace::Event& e) {
                if (e.text.contains(QLatin1String("RFC 3263")))
                    lines << e.text;
            });
            return lines.join(QLatin1Char('\n'));
        };
        // Served priority 20 first, logged and tried priority 10 first.
        const QString log = rfc3263Log();
        const qsizetype p10 = log.indexOf(QStringLiteral("SRV _sip._tcp.fo.test → dead.fo.test:%1 (priority 10, weight 1)").arg(closed));
        const qsizetype p20 = log.indexOf(QStringLiteral("SRV _sip._tcp.fo.test → live.fo.test:%1 (priority 20, weight 1)").arg(live.serverPort()));
        QVERIFY2(p10 >= 0 && p20 > p10, qPrintable(log));
        QVERIFY2(logHas(QStringLiteral("RFC 3263 sip:bob@fo.test;transport=tcp: %1 (transaction").arg(dead)), qPrintable(log));
        QVERIFY2(logHas(QStringLiteral("failed; trying %1 next (target 2 of 2, RFC 3263 §4.3)").arg(alive)), qPrintable(log));

        // Two A records: 127.0.0.1 (nothing on that port), then 127.0.0.2.
        composer->setTarget(QStringLiteral("sip:bob@two.fo.test:%1;transport=tcp").arg(live.serverPort()));
        composer->sendButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(arrived(), qPrintable(composer->resultText()), 10000);
        QVERIFY(received().startsWith("OPTIONS "));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QStringLiteral("to %1 after tcp:127.0.0.1:%2 (transaction").arg(alive).arg(live.serverPort())),
            qPrintable(composer->resultText()), 5000);
    }

    // A lab template's From and Contact (10.0.0.1, the lab's own address) become the socket's when
    // sent to a real peer: From's host, Contact's host:port — over TCP with transport=tcp, the
    // same address as the Via's sent-by; a Contact the user typed is sent as typed.
    void labAddressesRewrittenForPeers()
    {
        Window w;
        QVERIFY(w.start());
        ui::SipComposer* composer = w.window.sipComposer();
        QVERIFY(w.window.showView(QStringLiteral("composer-sip")));
        QUdpSocket peer;
        QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
        auto receive = [&] {
            QByteArray d;
            if (QTest::qWaitFor([&] { return peer.hasPendingDatagrams(); }, 5000))
                d = peer.receiveDatagram().data();
            while (peer.hasPendingDatagrams())
                peer.receiveDatagram(); // retransmissions
            return d;
        };
        auto header = [](const QByteArray& d, const char* name) {
            return QRegularExpression(QStringLiteral("^%1: (.*)\\r$").arg(QString::fromLatin1(name)), QRegularExpression::MultilineOption)
                .match(QString::fromUtf8(d))
                .captured(1);
        };
        composer->setTarget(QStringLiteral("udp:127.0.0.1:%1").arg(peer.localPort()));
        composer->setText(ui::SipComposer::templateText(QStringLiteral("INVITE")));
        composer->sendButton()->click();
        QByteArray d = receive();
        QVERIFY2(d.startsWith("INVITE "), d.constData());
        QCOMPARE(header(d, "Contact"), QStringLiteral("<sip:you@127.0.0.1:%1>").arg(w.port));
        QVERIFY2(header(d, "From").startsWith(QLatin1String("\"You\" <sip:you@127.0.0.1>;tag=")), qPrintable(header(d, "From")));
        QTRY_VERIFY2_WITH_TIMEOUT(composer->resultText().contains(QStringLiteral("Contact 10.0.0.1:5060 → 127.0.0.1:%1").arg(w.port)),
            qPrintable(composer->resultText()), 5000);
        QVERIFY(journalHas(w.stack.journal(), [](const trace::Event& e) {
            return e.kind == trace::Kind::Log && e.text.contains(QLatin1String("the template's lab address 10.0.0.1"));
        }));
        // Typed by the user: kept.
        composer->setText(ui::SipComposer::templateText(QStringLiteral("INVITE"))
                              .replace(QLatin1String("<sip:you@10.0.0.1:5060>"), QLatin1String("<sip:me@192.0.2.7:5099>")));
        composer->sendButton()->click();
        d = receive();
        QCOMPARE(header(d, "Contact"), QStringLiteral("<sip:me@192.0.2.7:5099>"));
        // Over TCP: the connection's address, with transport=tcp; the same as the Via's sent-by.
        QTcpServer tcp;
        QVERIFY(tcp.listen(QHostAddress::LocalHost, 0));
        composer->setTarget(QStringLiteral("tcp:127.0.0.1:%1").arg(tcp.serverPort()));
        composer->setText(ui::SipComposer::templateText(QStringLiteral("REGISTER")));
        composer->sendButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(tcp.hasPendingConnections(), 5000);
        QTcpSocket* in = tcp.nextPendingConnection();
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += in->readAll(), got.contains("\r\n\r\n")), 5000);
        const QString sentBy = QRegularExpression(QStringLiteral("^Via: SIP/2.0/TCP ([^;\\r]+)"), QRegularExpression::MultilineOption)
                                   .match(QString::fromUtf8(got))
                                   .captured(1);
        QVERIFY2(!sentBy.isEmpty(), got.constData());
        QCOMPARE(header(got, "Contact"), QStringLiteral("<sip:you@%1;transport=tcp>;expires=3600").arg(sentBy));
    }
};

QTEST_MAIN(TstNetworkGui)
#include "tst_network_gui.moc"
