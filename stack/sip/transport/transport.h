// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connection.h"

#include <QObject>

#include <functional>
#include <memory>

namespace ladder::sip {

// A listening point of the SIP stack (RFC 3261 §18): one UDP socket, one TCP listener, one SCTP
// endpoint or one side of the in-process lab network. It turns a remote address into a
// Connection (RFC 3261's "connection" for streams, a remote address for datagrams) and hands every
// complete message it receives to the stack with the connection it arrived on.
class Transport : public QObject {
    Q_OBJECT
public:
    // bytes: exactly one message (datagram, or one framed message of a stream).
    using ReceiveHandler = std::function<void(const std::shared_ptr<Connection>&, const QByteArray& bytes)>;
    using ConnectionHandler = std::function<void(const std::shared_ptr<Connection>&)>;
    // c: the connection concerned, or nullptr for one refused before it became a Connection.
    // text: "TLS 127.0.0.1:40112: stream: header section exceeds 65536 bytes, connection closed".
    // error: a failure (the journal's Error); otherwise a note (Log), e.g. a certificate trusted
    // anyway.
    using ReportHandler = std::function<void(const std::shared_ptr<Connection>& c, const QString& text, bool error)>;

    ~Transport() override = default;

    virtual TransportType type() const = 0;
    virtual bool reliable() const = 0;
    virtual bool stream() const = 0;
    // The address this transport listens on (after bind: the real port).
    virtual HostPort local() const = 0;
    // The connection towards `remote`: an existing one, or a new one (a TCP connect is started
    // and messages queue until it is up). nullptr with *error set when it cannot be made.
    virtual std::shared_ptr<Connection> connectTo(const HostPort& remote, QString* error) = 0;
    // Connections this transport currently holds.
    virtual QList<std::shared_ptr<Connection>> connections() const = 0;

    // The "[label ]" prefix of this side's trace endpoints ("uac", "proxy"); may be empty.
    const QString& label() const { return m_label; }
    void setLabel(const QString& label) { m_label = label; }

    void setReceiveHandler(ReceiveHandler h) { m_onReceive = std::move(h); }
    // Called when a connection closes (TCP FIN/RST, SCTP association down).
    void setClosedHandler(ConnectionHandler h) { m_onClosed = std::move(h); }
    // Called for connections created by the peer (accepted TCP) and by connectTo.
    void setOpenedHandler(ConnectionHandler h) { m_onOpened = std::move(h); }
    // Called when a connection fails (a limit hit, a TLS verification failure, a refused
    // connection; before the closed handler), and for notes about a connection.
    void setReportHandler(ReportHandler h) { m_onReport = std::move(h); }

protected:
    explicit Transport(QObject* parent = nullptr)
        : QObject(parent)
    {
    }
    void deliver(const std::shared_ptr<Connection>& c, const QByteArray& bytes) const
    {
        if (m_onReceive)
            m_onReceive(c, bytes);
    }
    void notifyClosed(const std::shared_ptr<Connection>& c) const
    {
        if (m_onClosed)
            m_onClosed(c);
    }
    void notifyOpened(const std::shared_ptr<Connection>& c) const
    {
        if (m_onOpened)
            m_onOpened(c);
    }
    void report(const std::shared_ptr<Connection>& c, const QString& text, bool error = true) const
    {
        if (m_onReport)
            m_onReport(c, text, error);
    }

private:
    QString m_label;
    ReceiveHandler m_onReceive;
    ConnectionHandler m_onClosed;
    ConnectionHandler m_onOpened;
    ReportHandler m_onReport;
};

} // namespace ladder::sip
