// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sctp/engine.h"
#include "sctp/sendinfo.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>


namespace ladder::lab::peers {

// The built-in SCTP peers of the lab: each one endpoint (a socket of the scenario's sctp::Engine)
// on one side of a lab link pair. They live on the stack thread like everything else and are
// driven by the endpoint's signals; the Engine owns the endpoints and closes them when it goes.

// Listens on a port and keeps every message it receives, in arrival order. One-to-one: it accepts
// every association (each becomes an endpoint of its own); one-to-many: messages of every
// association arrive on the listening socket itself.
class SctpSink {
public:
    SctpSink(sctp::Engine& engine, sctp::Transport& side, quint16 port, sctp::Style style);
    virtual ~SctpSink();
    SctpSink(const SctpSink&) = delete;
    SctpSink& operator=(const SctpSink&) = delete;

    bool ok() const { return m_listener != nullptr; }
    QString error() const { return m_error; }
    sctp::Endpoint* listener() const { return m_listener; }
    QList<sctp::Endpoint*> accepted() const { return m_accepted; }
    const QList<sctp::ReceivedMessage>& received() const { return m_received; }
    // Called after each message received (kept in received() already).
    void setOnReceived(std::function<void()> fn) { m_onReceived = std::move(fn); }
    // Associations that ended (SHUTDOWN or ABORT), with the reason the stack gave.
    const QStringList& closedReasons() const { return m_closed; }

protected:
    virtual void onMessage(sctp::Endpoint* on, const sctp::ReceivedMessage& m);

private:
    void watch(sctp::Endpoint* ep);
    void drain(sctp::Endpoint* ep);
    void acceptAll();

    std::unique_ptr<QObject> m_context = std::make_unique<QObject>();
    sctp::Endpoint* m_listener = nullptr;
    QList<sctp::Endpoint*> m_accepted;
    QList<sctp::ReceivedMessage> m_received;
    std::function<void()> m_onReceived;
    QStringList m_closed;
    QString m_error;
};

// A sink that sends every message back on the association, stream and PPID it came on.
class SctpEcho : public SctpSink {
public:
    using SctpSink::SctpSink;
    int echoed() const { return m_echoed; }

protected:
    void onMessage(sctp::Endpoint* on, const sctp::ReceivedMessage& m) override;

private:
    int m_echoed = 0;
};

// A one-to-one client that connects to a peer and sends what it is told (or a bulk of messages),
// keeping what comes back.
class SctpSender {
public:
    SctpSender(sctp::Engine& engine, sctp::Transport& side, sctp::Style style = sctp::Style::OneToOne);
    ~SctpSender();
    SctpSender(const SctpSender&) = delete;
    SctpSender& operator=(const SctpSender&) = delete;

    sctp::Endpoint* endpoint() const { return m_endpoint; }
    // Starts the association; up() says when it is established.
    bool connect(const sctp::Address& peer);
    bool up() const { return m_up; }
    bool down() const { return m_down; }
    const QString& downReason() const { return m_downReason; }
    // sctp_sendmsg(3): false when the call failed (errors() has the errno and the sentence).
    bool send(const QByteArray& data, const sctp::SendInfo& info);
    // count messages of `size` bytes ("bulk-<n>-xxxx…"), info.context = contextBase + n.
    int sendBulk(int count, int size, sctp::SendInfo info, quint32 contextBase);
    const QList<sctp::ReceivedMessage>& received() const { return m_received; }
    // Called after each message received (kept in received() already).
    void setOnReceived(std::function<void()> fn) { m_onReceived = std::move(fn); }
    const QStringList& errors() const { return m_errors; }
    int sent() const { return m_sent; }

private:
    std::unique_ptr<QObject> m_context = std::make_unique<QObject>();
    sctp::Endpoint* m_endpoint = nullptr;
    bool m_up = false, m_down = false;
    QString m_downReason;
    QList<sctp::ReceivedMessage> m_received;
    std::function<void()> m_onReceived;
    QStringList m_errors;
    int m_sent = 0;
};

} // namespace ladder::lab::peers
