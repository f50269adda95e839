// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connection.h"
#include "sip/message/parserstream.h"

#include <QObject>

#include <memory>

class QTcpSocket;

namespace ladder::sip {

class TcpTransport;

// One TCP connection of a TcpTransport: the socket, its framer and the bytes queued while an
// outgoing connection is still being set up.
class TcpConnection : public QObject, public Connection {
    Q_OBJECT
public:
    TcpConnection(TcpTransport& owner, QTcpSocket* socket, const HostPort& local, const HostPort& remote,
        const QString& label, bool outgoing);
    ~TcpConnection() override;

    bool isOpen() const override { return m_open; }
    bool send(const QByteArray& bytes, QString* error) override;
    void close() override;
    void detach() { m_owner = nullptr; }

private:
    void readAll();
    void connected();
    void lost(const QString& why);

    TcpTransport* m_owner;
    QTcpSocket* m_socket;
    StreamFramer m_framer;
    QByteArray m_queued;
    bool m_connected;
    bool m_open = true;
};

} // namespace ladder::sip
