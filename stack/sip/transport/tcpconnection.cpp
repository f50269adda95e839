// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcpconnection.h"

#include "tcptransport.h"
#include "tlscontext.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

namespace ladder::sip {

namespace {
    qint64 nowMs() { return monotonicMs(); }
}

TcpConnection::TcpConnection(TcpTransport& owner, QTcpSocket* socket, const HostPort& local, const HostPort& remote,
    const QString& label, bool outgoing)
    : StreamConnection(owner.type(), true, true, local, remote, label)
    , m_owner(&owner)
    , m_socket(socket)
    , m_framer(owner.limits().maxHeaderBytes, owner.limits().maxMessageBytes)
    , m_lastActivityMs(nowMs())
    , m_connected(!outgoing || socket->state() == QAbstractSocket::ConnectedState)
{
    socket->setParent(this);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, &TcpConnection::readAll);
    connect(socket, &QTcpSocket::disconnected, this, [this] { lost(QStringLiteral("closed by the peer")); });
    if (auto* ssl = qobject_cast<QSslSocket*>(socket)) {
        // Outgoing TLS: messages wait for the handshake and the verification of the server's
        // certificate (RFC 3261 §26.3.1); incoming ones are handed over once encrypted.
        connect(ssl, &QSslSocket::encrypted, this, &TcpConnection::connected);
        connect(ssl, &QSslSocket::sslErrors, this, [this, ssl](const QList<QSslError>& errors) {
            const QString why = TlsContext::describe(errors);
            if (m_owner && m_owner->tls() && m_owner->tls()->insecure()) {
                ssl->ignoreSslErrors();
                if (m_owner)
                    m_owner->note(this, QStringLiteral("certificate not verified, trusted anyway (insecure): ") + why);
                return;
            }
            // Trusted for this peer by the user: this certificate (its digest) at this address only.
            const TlsPeerTrust* trust = m_owner && m_owner->tls() ? m_owner->tls()->peerTrust().get() : nullptr;
            if (const auto note = TlsPeerTrust::vouch(trust, this->remote().toString(), why, ssl->peerCertificate())) {
                ssl->ignoreSslErrors();
                m_owner->note(this, *note);
                return;
            }
            verificationFailed(why);
        });
        connect(ssl, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::RemoteHostClosedError && m_socket->state() == QAbstractSocket::ConnectedState)
                return; // disconnected() follows
            if (e == QAbstractSocket::RemoteHostClosedError)
                lost(QStringLiteral("closed by the peer"));
            else
                fail(QStringLiteral("TLS: ") + m_socket->errorString());
        });
    } else {
        connect(socket, &QTcpSocket::connected, this, &TcpConnection::connected);
        connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
            if (m_socket->state() == QAbstractSocket::ConnectedState)
                return;
            // A connect that never succeeded (refused, unreachable, timed out) fails the requests
            // queued on it at once (reported: their transactions end with the reason) rather than
            // at Timer B/F; a connection that was up and dropped is only closed.
            if (!m_connected)
                fail(QStringLiteral("connect: ") + m_socket->errorString());
            else
                lost(m_socket->errorString());
        });
    }
}

TcpConnection::~TcpConnection() = default;

bool TcpConnection::send(const QByteArray& bytes, QString* error)
{
    if (!m_open) {
        if (error)
            *error = QStringLiteral("the %1 connection to %2 is closed")
                         .arg(QString::fromLatin1(viaToken()), remote().toString());
        return false;
    }
    countSent();
    m_lastActivityMs = nowMs();
    if (!m_connected) {
        m_queued += bytes; // sent when the connection comes up
        return true;
    }
    if (m_socket->write(bytes) != bytes.size()) {
        if (error)
            *error = m_socket->errorString();
        return false;
    }
    return true;
}

void TcpConnection::connected()
{
    m_connected = true;
    if (!m_queued.isEmpty()) {
        m_socket->write(m_queued);
        m_queued.clear();
    }
}

void TcpConnection::readAll()
{
    // The transport may drop this connection from inside a delivery (a closed stream); keep it
    // alive until the loop ends.
    QPointer<TcpConnection> self(this);
    m_lastActivityMs = nowMs();
    m_framer.feed(m_socket->readAll());
    while (self && m_open) {
        QByteArray message;
        switch (m_framer.next(&message)) {
        case StreamFramer::Status::NeedMore:
            return;
        case StreamFramer::Status::Error:
            fail(QString::fromUtf8(m_framer.errorString()));
            return;
        case StreamFramer::Status::Ping:
            // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong.
            m_socket->write("\r\n");
            continue;
        case StreamFramer::Status::Pong:
            continue;
        case StreamFramer::Status::Message:
            countReceived();
            if (m_owner)
                m_owner->received(this, message);
            continue;
        }
    }
}

void TcpConnection::verificationFailed(const QString& why)
{
    fail(QStringLiteral("certificate verification failed: ") + why);
}

void TcpConnection::fail(const QString& why)
{
    if (!m_open)
        return;
    setFailure(why);
    if (m_owner)
        m_owner->connectionFailed(this, why);
    lost(why);
}

void TcpConnection::lost(const QString& why)
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

void TcpConnection::close()
{
    if (!m_open)
        return;
    m_socket->disconnectFromHost();
    lost(QStringLiteral("closed by us"));
}

} // namespace ladder::sip
