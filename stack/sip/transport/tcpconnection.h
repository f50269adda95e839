// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamtransport.h"
#include "sip/message/parserstream.h"

#include <QObject>

#include <memory>

class QTcpSocket;

namespace ladder::sip {

class TcpTransport;

// One TCP or TLS connection of a TcpTransport: the socket (a QSslSocket for TLS), its framer and
// the bytes queued while an outgoing connection is still being set up (for TLS: until the
// handshake is done and the server's certificate verified).
class TcpConnection : public QObject, public StreamConnection {
    Q_OBJECT
public:
    TcpConnection(TcpTransport& owner, QTcpSocket* socket, const HostPort& local, const HostPort& remote,
        const QString& label, bool outgoing);
    ~TcpConnection() override;

    bool isOpen() const override { return m_open; }
    bool send(const QByteArray& bytes, QString* error) override;
    void close() override;
    void detach() override { m_owner = nullptr; }
    // Closes the connection because of `why` (a limit hit, a failed handshake): journalled as an
    // Error by the transport.
    void fail(const QString& why) override;
    // Monotonic milliseconds of the last byte received or sent.
    qint64 lastActivityMs() const override { return m_lastActivityMs; }
    void release() override { deleteLater(); }

private:
    void readAll();
    void connected();
    void lost(const QString& why);
    void verificationFailed(const QString& why);

    TcpTransport* m_owner;
    QTcpSocket* m_socket;
    StreamFramer m_framer;
    QByteArray m_queued;
    qint64 m_lastActivityMs;
    bool m_connected;
    bool m_open = true;
};

} // namespace ladder::sip
