// SPDX-License-Identifier: GPL-3.0-or-later
// The TLS (TcpTransport with a TlsContext) and WebSocket (WsTransport) transports in one process,
// on loopback: what the journal records (plaintext, transport numbers 3/4/5, Via tokens), a SIP
// message split over WebSocket frames, the "sip" subprotocol required, a WS message over the
// message limit, TCP's header limit reported as an Error like TLS's, and the reasons given for a
// refused certificate.
#include "core/scheduler.h"
#include "journal/journal.h"
#include "sip/message/builder.h"
#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/tlscontext.h"
#include "sip/transport/wstransport.h"

#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

using namespace ladder;
using namespace ladder::sip;

namespace {

// Every peer listens (a self-signed certificate); the client side trusts the server's anyway.
TlsContext context(bool server)
{
    TlsSettings settings;
    settings.selfSigned = true;
    settings.insecure = !server;
    QString error;
    std::optional<TlsContext> c = TlsContext::make(settings, QStringLiteral("127.0.0.1"), &error);
    if (!c)
        qFatal("%s", qPrintable(error));
    return std::move(*c);
}

// A SipStack with one transport of `type` listening on 127.0.0.1 (any port), answering 200.
struct Peer {
    std::unique_ptr<SipStack> stack;
    Transport* transport = nullptr;
    QList<Incoming> requests, responses;

    Peer(Scheduler& s, trace::Journal& j, TransportType type, bool server, const StreamLimits& limits = {})
    {
        stack = std::make_unique<SipStack>(s, &j);
        QString error;
        bool ok = false;
        const HostPort any { QStringLiteral("127.0.0.1"), 0 };
        if (type == TransportType::Tls || type == TransportType::Tcp) {
            auto t = type == TransportType::Tls ? std::make_unique<TcpTransport>(context(server))
                                                : std::make_unique<TcpTransport>();
            t->setLimits(limits);
            ok = t->listen(any, &error);
            transport = stack->addTransport(std::move(t));
        } else {
            auto t = type == TransportType::Wss ? std::make_unique<WsTransport>(context(server))
                                                : std::make_unique<WsTransport>();
            t->setLimits(limits);
            ok = t->listen(any, &error);
            transport = stack->addTransport(std::move(t));
        }
        if (!ok)
            qFatal("%s", qPrintable(error));
        QObject::connect(stack.get(), &SipStack::requestReceived, stack.get(), [this](const Incoming& in) {
            requests.append(in);
            if (in.transaction && in.message.method() != "ACK")
                stack->reply(in.transaction, 200);
        });
        QObject::connect(stack.get(), &SipStack::responseReceived, stack.get(),
            [this](const Incoming& in) { responses.append(in); });
    }
    quint16 port() const { return transport->local().port; }
};

Message options(const std::shared_ptr<Connection>& c)
{
    RequestTemplate t;
    t.method = "OPTIONS";
    t.requestUri = "sip:bob@" + c->remote().toSentBy();
    t.from = "<sip:alice@127.0.0.1>";
    t.to = "<sip:bob@127.0.0.1>";
    t.cseq = 1;
    t.via.transport = c->viaToken();
    t.via.sentBy = c->local().toSentBy();
    return buildRequest(t);
}

QList<trace::Event> events(const trace::Journal& j, trace::Kind kind)
{
    QList<trace::Event> out;
    j.forEach(0, j.count(), [&](const trace::Event& e) {
        if (e.kind == kind)
            out.append(e);
    });
    return out;
}

QByteArray optionsText(quint16 fromPort)
{
    return "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/WS 127.0.0.1:"
        + QByteArray::number(fromPort)
        + ";branch=z9hG4bKfrag1;rport\r\n"
          "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=f1\r\nTo: <sip:bob@127.0.0.1>\r\n"
          "Call-ID: frag@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n\r\n";
}

QWebSocketHandshakeOptions sipSubprotocol()
{
    QWebSocketHandshakeOptions o;
    o.setSubprotocols({ QStringLiteral("sip") });
    return o;
}

} // namespace

class TestTlsWsTransports : public QObject {
    Q_OBJECT
private slots:
    void optionsJournalledAsPlaintext_data();
    void optionsJournalledAsPlaintext();
    void sipMessageInManyFrames();
    void wsWithoutSipSubprotocolIsRefused();
    void wsMessageOverTheLimit();
    void tcpHeaderLimitIsAnError();
    void reasons_data();
    void reasons();
};

void TestTlsWsTransports::optionsJournalledAsPlaintext_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("token");
    QTest::newRow("TLS") << int(TransportType::Tls) << QByteArray("TLS");
    QTest::newRow("WS") << int(TransportType::Ws) << QByteArray("WS");
    QTest::newRow("WSS") << int(TransportType::Wss) << QByteArray("WSS");
}

void TestTlsWsTransports::optionsJournalledAsPlaintext()
{
    QFETCH(int, type);
    QFETCH(QByteArray, token);
    Scheduler s;
    trace::Journal j;
    Peer server(s, j, TransportType(type), true), client(s, j, TransportType(type), false);
    QString error;
    const auto c = client.stack->connect(TransportType(type), { QStringLiteral("127.0.0.1"), server.port() }, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->viaToken(), token);
    QCOMPARE(c->stream(), TransportType(type) == TransportType::Tls); // WS frames messages itself
    QVERIFY(client.stack->send(c, options(c), 0, SendFlag::Stateful).ok());
    QTRY_COMPARE(client.responses.size(), 1);
    QCOMPARE(client.responses.first().message.statusCode(), 200);
    QCOMPARE(server.requests.first().connection->type(), TransportType(type));
    // Four messages (request and response, each sent and received), all plaintext with b = type.
    const QList<trace::Event> messages = events(j, trace::Kind::SipMessage);
    QCOMPARE(messages.size(), 4);
    for (const trace::Event& e : messages) {
        QCOMPARE(e.b, quint64(type));
        QVERIFY2(e.raw.startsWith("OPTIONS sip:bob@") || e.raw.startsWith("SIP/2.0 200 OK"), e.raw.constData());
        QVERIFY2(e.raw.contains("Via: SIP/2.0/" + token + ' '), e.raw.constData());
    }
    QVERIFY(events(j, trace::Kind::Error).isEmpty());
}

// RFC 7118 §5: a SIP message is one WebSocket message, however many frames carry it.
void TestTlsWsTransports::sipMessageInManyFrames()
{
    Scheduler s;
    trace::Journal j;
    Peer server(s, j, TransportType::Ws, true);
    QWebSocket ws;
    QStringList received;
    connect(&ws, &QWebSocket::textMessageReceived, this, [&received](const QString& m) { received << m; });
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/sip").arg(server.port())), sipSubprotocol());
    QTRY_VERIFY_WITH_TIMEOUT(ws.state() == QAbstractSocket::ConnectedState, 10000);
    QCOMPARE(ws.subprotocol(), QStringLiteral("sip"));
    ws.setOutgoingFrameSize(16);
    ws.sendTextMessage(QString::fromLatin1(optionsText(ws.localPort())));
    QTRY_COMPARE(received.size(), 1);
    QVERIFY2(received.first().startsWith(QLatin1String("SIP/2.0 200 OK\r\n")), qPrintable(received.first()));
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(server.requests.first().message.callId(), QByteArrayView("frag@127.0.0.1"));
}

void TestTlsWsTransports::wsWithoutSipSubprotocolIsRefused()
{
    Scheduler s;
    trace::Journal j;
    Peer server(s, j, TransportType::Ws, true);
    QWebSocket ws;
    bool closed = false;
    connect(&ws, &QWebSocket::disconnected, this, [&closed] { closed = true; });
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())));
    QTRY_VERIFY_WITH_TIMEOUT(closed, 10000);
    QCOMPARE(ws.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    const QList<trace::Event> errors = events(j, trace::Kind::Error);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().text.contains(QLatin1String("did not ask for the WebSocket subprotocol \"sip\"")),
        qPrintable(errors.first().text));
    QVERIFY(server.transport->connections().isEmpty());
}

void TestTlsWsTransports::wsMessageOverTheLimit()
{
    Scheduler s;
    trace::Journal j;
    StreamLimits limits;
    limits.maxMessageBytes = 4096;
    Peer server(s, j, TransportType::Ws, true, limits);
    QWebSocket ws;
    bool closed = false;
    connect(&ws, &QWebSocket::disconnected, this, [&closed] { closed = true; });
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.port())), sipSubprotocol());
    QTRY_VERIFY_WITH_TIMEOUT(ws.state() == QAbstractSocket::ConnectedState, 10000);
    const quint16 localPort = ws.localPort();
    QByteArray big = optionsText(localPort);
    big.replace(
        "CSeq: 1 OPTIONS\r\n\r\n", "CSeq: 1 OPTIONS\r\nContent-Type: text/plain\r\n\r\n" + QByteArray(5000, 'b'));
    ws.setOutgoingFrameSize(1024);
    ws.sendTextMessage(QString::fromLatin1(big));
    QTRY_VERIFY_WITH_TIMEOUT(closed, 10000);
    const QList<trace::Event> errors = events(j, trace::Kind::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().text,
        QStringLiteral("WS 127.0.0.1:%1: message exceeds 4096 bytes, connection closed").arg(localPort));
    QVERIFY(server.requests.isEmpty());
}

void TestTlsWsTransports::tcpHeaderLimitIsAnError()
{
    Scheduler s;
    trace::Journal j;
    StreamLimits limits;
    limits.maxHeaderBytes = 1024;
    Peer server(s, j, TransportType::Tcp, true, limits);
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(raw.waitForConnected(5000));
    const quint16 localPort = raw.localPort();
    raw.write("OPTIONS sip:a SIP/2.0\r\nX-Filler: " + QByteArray(2000, 'x') + "\r\n");
    QTRY_COMPARE(raw.state(), QAbstractSocket::UnconnectedState);
    const QList<trace::Event> errors = events(j, trace::Kind::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().text,
        QStringLiteral("TCP 127.0.0.1:%1: stream: header section exceeds 1024 bytes, connection closed")
            .arg(localPort));
}

void TestTlsWsTransports::reasons_data()
{
    QTest::addColumn<QList<QSslError>>("errors");
    QTest::addColumn<QString>("text");
    const QSslError expired(QSslError::CertificateExpired), mismatch(QSslError::HostNameMismatch),
        selfSigned(QSslError::SelfSignedCertificate), issuer(QSslError::UnableToGetLocalIssuerCertificate);
    QTest::newRow("expired") << QList<QSslError> { expired }
                             << QStringLiteral("expired (") + expired.errorString() + QLatin1Char(')');
    QTest::newRow("unknown CA after the specific fault")
        << QList<QSslError> { selfSigned, mismatch }
        << QStringLiteral("name mismatch (%1); unknown CA (%2)").arg(mismatch.errorString(), selfSigned.errorString());
    QTest::newRow("unknown issuer") << QList<QSslError> { issuer }
                                    << QStringLiteral("unknown CA (") + issuer.errorString() + QLatin1Char(')');
    QTest::newRow("none") << QList<QSslError> {} << QStringLiteral("no reason given");
}

void TestTlsWsTransports::reasons()
{
    QFETCH(QList<QSslError>, errors);
    QFETCH(QString, text);
    QCOMPARE(TlsContext::describe(errors), text);
}

QTEST_GUILESS_MAIN(TestTlsWsTransports)
#include "tst_tls_ws_transports.moc"
