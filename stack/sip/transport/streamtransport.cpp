// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamtransport.h"

#include <QHostAddress>
#include <QTimer>

#include <algorithm>

namespace ladder::sip {

StreamTransport::StreamTransport(std::optional<TlsContext> tls, const QString& label, QObject* parent)
    : Transport(parent)
    , m_tls(std::move(tls))
{
    setLabel(label);
}

StreamTransport::~StreamTransport()
{
    for (const auto& c : std::as_const(m_connections))
        static_cast<StreamConnection*>(c.get())->detach();
}

QString StreamTransport::prefix(const HostPort& remote) const
{
    return QString::fromLatin1(transportToken(type())) + QLatin1Char(' ') + remote.toString() + QStringLiteral(": ");
}

bool StreamTransport::full() const { return m_connections.size() >= qsizetype(m_limits.maxConnections); }

std::shared_ptr<Connection> StreamTransport::openTo(const HostPort& remote) const
{
    const auto it = m_connections.constFind(remote.toString());
    return it != m_connections.constEnd() && (*it)->isOpen() ? *it : nullptr;
}

bool StreamTransport::mayConnect(const HostPort& remote, QHostAddress* address, QString* error) const
{
    if (!address->setAddress(remote.host)) {
        if (error)
            *error = QStringLiteral("'%1' is not an IP address").arg(remote.host);
        return false;
    }
    if (full()) {
        if (error)
            *error = QStringLiteral("%1 already has %2 connections (the limit)")
                         .arg(QString::fromLatin1(transportToken(type())))
                         .arg(m_connections.size());
        return false;
    }
    return true;
}

std::shared_ptr<Connection> StreamTransport::track(StreamConnection* connection)
{
    std::shared_ptr<Connection> c(connection, [](Connection* p) { static_cast<StreamConnection*>(p)->release(); });
    m_connections.insert(c->remote().toString(), c);
    if (m_limits.idleSeconds > 0 && !m_idleTimer) {
        m_idleTimer = new QTimer(this);
        m_idleTimer->setInterval(std::clamp(m_limits.idleSeconds * 250, 50, 5000));
        connect(m_idleTimer, &QTimer::timeout, this, &StreamTransport::sweepIdle);
    }
    if (m_idleTimer && !m_idleTimer->isActive())
        m_idleTimer->start();
    notifyOpened(c);
    return c;
}

QList<std::shared_ptr<Connection>> StreamTransport::connections() const { return m_connections.values(); }

std::shared_ptr<Connection> StreamTransport::find(StreamConnection* c) const
{
    const auto it = m_connections.constFind(c->remote().toString());
    return it != m_connections.constEnd() && it->get() == c ? *it : nullptr;
}

void StreamTransport::received(StreamConnection* c, const QByteArray& message)
{
    if (const std::shared_ptr<Connection> keep = find(c))
        deliver(keep, message);
}

void StreamTransport::connectionFailed(StreamConnection* c, const QString& why)
{
    report(find(c), prefix(c->remote()) + why + QStringLiteral(", connection closed"));
}

void StreamTransport::note(StreamConnection* c, const QString& text) { report(find(c), prefix(c->remote()) + text, false); }

void StreamTransport::connectionClosed(StreamConnection* c)
{
    const auto it = m_connections.find(c->remote().toString());
    if (it == m_connections.end() || it->get() != c)
        return;
    const std::shared_ptr<Connection> keep = *it;
    m_connections.erase(it);
    if (m_connections.isEmpty() && m_idleTimer)
        m_idleTimer->stop();
    notifyClosed(keep);
    // Transactions may still hold the connection (closed: their sends fail); the QObject parts
    // go when the last holder lets go — after this call returns.
}

void StreamTransport::sweepIdle()
{
    const qint64 now = monotonicMs();
    const qint64 limitMs = qint64(m_limits.idleSeconds) * 1000;
    QList<std::shared_ptr<Connection>> idle;
    for (const auto& c : std::as_const(m_connections))
        if (now - static_cast<StreamConnection*>(c.get())->lastActivityMs() >= limitMs)
            idle.append(c);
    for (const auto& c : std::as_const(idle))
        static_cast<StreamConnection*>(c.get())->fail(QStringLiteral("idle for %1 s").arg(m_limits.idleSeconds));
}

} // namespace ladder::sip
