// SPDX-License-Identifier: GPL-3.0-or-later
#include "wsconnection.h"

#include "streamlimits.h"
#include "tlscontext.h"
#include "wstransport.h"

#include <QStringDecoder>
#include <QWebSocket>

namespace ladder::sip {

namespace {
    qint64 nowMs() { return monotonicMs(); }

    bool isUtf8(const QByteArray& bytes)
    {
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder(bytes);
        return !decoder.hasError();
    }
}

WsConnection::WsConnection(WsTransport& owner, QWebSocket* socket, const HostPort& local, const HostPort& remote,
    const QString& label, bool outgoing)
    : StreamConnection(owner.type(), true, false, local, remote, label)
    , m_owner(&owner)
    , m_socket(socket)
    , m_lastActivityMs(nowMs())
    , m_connected(!outgoing)
{
    socket->setParent(this);
    // Qt's own limits stay as a backstop above ours (frames are gathered in frame(), which names
    // the limit hit): one frame may not pass the message limit, a message not twice it.
    const StreamLimits& limits = owner.limits();
    socket->setMaxAllowedIncomingFrameSize(quint64(limits.maxMessageBytes));
    socket->setMaxAllowedIncomingMessageSize(2 * quint64(limits.maxMessageBytes));
    connect(
        socket, &QWebSocket::textFrameReceived, this, [this](const QString& f, bool last) { frame(f.toUtf8(), last); });
    connect(socket, &QWebSocket::binaryFrameReceived, this, &WsConnection::frame);
    connect(socket, &QWebSocket::connected, this, &WsConnection::connected);
    connect(socket, &QWebSocket::disconnected, this, &WsConnection::disconnected);
    connect(socket, &QWebSocket::pong, this, [this] { m_lastActivityMs = nowMs(); });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::RemoteHostClosedError)
                return; // disconnected() follows, with the close code
            fail(m_socket->errorString());
        });
    connect(socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError>& errors) {
        const QString why = TlsContext::describe(errors);
        if (m_owner && m_owner->tls() && m_owner->tls()->insecure()) {
            m_socket->ignoreSslErrors();
            m_owner->note(this, QStringLiteral("certificate not verified, trusted anyway (insecure): ") + why);
            return;
        }
        // Trusted for this peer by the user: this certificate (its digest) at this address only.
        const TlsPeerTrust* trust = m_owner && m_owner->tls() ? m_owner->tls()->peerTrust().get() : nullptr;
        if (const auto note = TlsPeerTrust::vouch(trust, this->remote().toString(), why, m_socket->sslConfiguration().peerCertificate())) {
            m_socket->ignoreSslErrors();
            m_owner->note(this, *note);
            return;
        }
        fail(QStringLiteral("certificate verification failed: ") + why);
    });
}

WsConnection::~WsConnection() = default;

bool WsConnection::send(const QByteArray& bytes, QString* error)
{
    if (!m_open) {
        if (error)
            *error = QStringLiteral("the %1 connection to %2 is closed")
                         .arg(QString::fromLatin1(viaToken()), remote().toString());
        return false;
    }
    countSent();
    m_lastActivityMs = nowMs();
    if (!m_connected)
        m_queued.append(bytes); // sent when the handshake is done
    else
        transmit(bytes);
    return true;
}

void WsConnection::transmit(const QByteArray& bytes)
{
    // RFC 7118 §5: one message per WebSocket message; text when it is UTF-8 (SIP's usual case,
    // readable in any WebSocket tool), binary otherwise (a binary body).
    if (isUtf8(bytes))
        m_socket->sendTextMessage(QString::fromUtf8(bytes));
    else
        m_socket->sendBinaryMessage(bytes);
}

void WsConnection::connected()
{
    // RFC 7118 §4.1: the server must have chosen "sip", or the client closes the connection.
    if (m_socket->subprotocol() != QLatin1String("sip")) {
        fail(QStringLiteral("the server did not accept the WebSocket subprotocol \"sip\" (RFC 7118 §4.1)"));
        return;
    }
    m_connected = true;
    for (const QByteArray& m : std::as_const(m_queued))
        transmit(m);
    m_queued.clear();
}

void WsConnection::frame(const QByteArray& bytes, bool last)
{
    if (!m_open)
        return;
    m_lastActivityMs = nowMs();
    const StreamLimits limits = m_owner ? m_owner->limits() : StreamLimits {};
    const qsizetype before = m_partial.size();
    m_partial += bytes;
    if (m_headerEnd < 0) {
        const qsizetype from = qMax<qsizetype>(0, before - 3);
        const qsizetype at = m_partial.indexOf("\r\n\r\n", from);
        if (at >= 0)
            m_headerEnd = at + 4;
        if ((at < 0 && m_partial.size() > limits.maxHeaderBytes) || (at >= 0 && m_headerEnd > limits.maxHeaderBytes)) {
            fail(QStringLiteral("header section exceeds %1 bytes").arg(limits.maxHeaderBytes));
            return;
        }
    }
    if (m_partial.size() > limits.maxMessageBytes) {
        fail(QStringLiteral("message exceeds %1 bytes").arg(limits.maxMessageBytes));
        return;
    }
    if (!last)
        return;
    const QByteArray message = std::exchange(m_partial, {});
    m_headerEnd = -1;
    countReceived();
    if (m_owner)
        m_owner->received(this, message);
}

void WsConnection::disconnected()
{
    const QWebSocketProtocol::CloseCode code = m_socket->closeCode();
    // 1005/1006: the peer closed without a close frame or without a code: a plain close.
    if (code == QWebSocketProtocol::CloseCodeNormal || code == QWebSocketProtocol::CloseCodeGoingAway
        || code == QWebSocketProtocol::CloseCodeMissingStatusCode
        || code == QWebSocketProtocol::CloseCodeAbnormalDisconnection) {
        lost(QStringLiteral("closed by the peer"));
        return;
    }
    const QString reason = m_socket->closeReason();
    fail(QStringLiteral("closed with code %1%2")
             .arg(int(code))
             .arg(reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason)));
}

void WsConnection::fail(const QString& why)
{
    if (!m_open)
        return;
    setFailure(why);
    if (m_owner)
        m_owner->connectionFailed(this, why);
    lost(why);
}

void WsConnection::lost(const QString& why)
{
    if (!m_open)
        return;
    m_open = false;
    setObjectName(why);
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    if (m_owner)
        m_owner->connectionClosed(this);
}

void WsConnection::close()
{
    if (!m_open)
        return;
    m_open = false;
    setObjectName(QStringLiteral("closed by us"));
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
    if (m_owner)
        m_owner->connectionClosed(this);
}

} // namespace ladder::sip
