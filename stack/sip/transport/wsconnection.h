// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamtransport.h"

#include <QByteArrayList>
#include <QObject>

class QWebSocket;

namespace ladder::sip {

class WsTransport;

// One WebSocket connection of a WsTransport (RFC 7118): Qt WebSockets does the framing, masking,
// pings and closing handshake; this object turns each WebSocket message (text or binary) into one
// SIP message (§5) and back. Frames of a message are gathered here rather than by Qt so that a
// header section that never ends is caught at the header limit, not at the message limit.
class WsConnection : public QObject, public StreamConnection {
    Q_OBJECT
public:
    WsConnection(WsTransport& owner, QWebSocket* socket, const HostPort& local, const HostPort& remote,
        const QString& label, bool outgoing);
    ~WsConnection() override;

    bool isOpen() const override { return m_open; }
    bool send(const QByteArray& bytes, QString* error) override;
    void close() override;
    void detach() override { m_owner = nullptr; }
    // Closes the connection because of `why`, reported as an Error by the transport.
    void fail(const QString& why) override;
    qint64 lastActivityMs() const override { return m_lastActivityMs; }
    void release() override { deleteLater(); }

private:
    void frame(const QByteArray& bytes, bool last);
    void connected();
    void disconnected();
    void lost(const QString& why);
    void transmit(const QByteArray& bytes);

    WsTransport* m_owner;
    QWebSocket* m_socket;
    QByteArray m_partial; // frames of the message being received
    qsizetype m_headerEnd = -1; // in m_partial, once seen
    QByteArrayList m_queued; // messages sent before the handshake completed
    qint64 m_lastActivityMs;
    bool m_connected;
    bool m_open = true;
};

} // namespace ladder::sip
