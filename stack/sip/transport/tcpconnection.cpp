// SPDX-License-Identifier: GPL-3.0-or-later
#include "tcpconnection.h"

#include "tcptransport.h"

#include <QPointer>
#include <QTcpSocket>

namespace ladder::sip {

TcpConnection::TcpConnection(TcpTransport& owner, QTcpSocket* socket, const HostPort& local, const HostPort& remote,
    const QString& label, bool outgoing)
    : Connection(TransportType::Tcp, true, true, local, remote, label)
    , m_owner(&owner)
    , m_socket(socket)
    , m_connected(!outgoing || socket->state() == QAbstractSocket::ConnectedState)
{
    socket->setParent(this);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, &TcpConnection::readAll);
    connect(socket, &QTcpSocket::connected, this, &TcpConnection::connected);
    connect(socket, &QTcpSocket::disconnected, this, [this] { lost(QStringLiteral("closed by the peer")); });
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            lost(m_socket->errorString());
    });
}

TcpConnection::~TcpConnection() = default;

bool TcpConnection::send(const QByteArray& bytes, QString* error)
{
    if (!m_open) {
        if (error)
            *error = QStringLiteral("the TCP connection to %1 is closed").arg(remote().toString());
        return false;
    }
    countSent();
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
    m_framer.feed(m_socket->readAll());
    while (self && m_open) {
        QByteArray message;
        switch (m_framer.next(&message)) {
        case StreamFramer::Status::NeedMore:
            return;
        case StreamFramer::Status::Error:
            lost(QStringLiteral("unframeable stream: ") + QString::fromUtf8(m_framer.errorString()));
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
