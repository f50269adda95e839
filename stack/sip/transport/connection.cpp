// SPDX-License-Identifier: GPL-3.0-or-later
#include "connection.h"

#include <atomic>

namespace ladder::sip {

namespace {
    std::atomic<quint64> g_nextConnectionId { 1 };

    QString endpoint(const QString& label, const HostPort& hp)
    {
        return label.isEmpty() ? hp.toString() : label + QLatin1Char(' ') + hp.toString();
    }
}

QByteArray transportToken(TransportType t)
{
    switch (t) {
    case TransportType::Udp:
        return QByteArrayLiteral("UDP");
    case TransportType::Tcp:
        return QByteArrayLiteral("TCP");
    case TransportType::Sctp:
        return QByteArrayLiteral("SCTP");
    case TransportType::Tls:
        return QByteArrayLiteral("TLS");
    case TransportType::Ws:
        return QByteArrayLiteral("WS");
    case TransportType::Wss:
        return QByteArrayLiteral("WSS");
    }
    return QByteArrayLiteral("UDP");
}

bool transportFromToken(QByteArrayView token, TransportType* out)
{
    const QByteArray t = token.toByteArray().toUpper();
    if (t == "UDP")
        *out = TransportType::Udp;
    else if (t == "TCP")
        *out = TransportType::Tcp;
    else if (t == "SCTP")
        *out = TransportType::Sctp;
    else if (t == "TLS")
        *out = TransportType::Tls;
    else if (t == "WS")
        *out = TransportType::Ws;
    else if (t == "WSS")
        *out = TransportType::Wss;
    else
        return false;
    return true;
}

QString HostPort::toString() const
{
    const QString h = host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('['))
        ? QLatin1Char('[') + host + QLatin1Char(']')
        : host;
    return h + QLatin1Char(':') + QString::number(port);
}

bool HostPort::parse(const QString& text, HostPort* out, quint16 defaultPort)
{
    QString host = text.trimmed();
    int port = defaultPort;
    if (host.startsWith(QLatin1Char('['))) {
        const qsizetype close = host.indexOf(QLatin1Char(']'));
        if (close < 0)
            return false;
        const QString rest = host.mid(close + 1);
        host = host.mid(1, close - 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(QLatin1Char(':')))
                return false;
            bool ok = false;
            port = rest.mid(1).toInt(&ok);
            if (!ok)
                return false;
        }
    } else if (host.count(QLatin1Char(':')) == 1) {
        bool ok = false;
        port = host.section(QLatin1Char(':'), 1).toInt(&ok);
        host = host.section(QLatin1Char(':'), 0, 0);
        if (!ok)
            return false;
    }
    if (host.isEmpty() || port < 0 || port > 65535)
        return false;
    out->host = host;
    out->port = quint16(port);
    return true;
}

Connection::Connection(
    TransportType type, bool reliable, bool stream, HostPort local, HostPort remote, const QString& label)
    : m_id(g_nextConnectionId.fetch_add(1, std::memory_order_relaxed))
    , m_type(type)
    , m_reliable(reliable)
    , m_stream(stream)
    , m_local(std::move(local))
    , m_remote(std::move(remote))
    , m_localEndpoint(endpoint(label, m_local))
    , m_remoteEndpoint(m_remote.toString())
{
}

void Connection::setLocal(const HostPort& local, const QString& label)
{
    m_local = local;
    m_localEndpoint = endpoint(label, m_local);
}

void Connection::setRemoteLabel(const QString& label) { m_remoteEndpoint = endpoint(label, m_remote); }

QString Connection::describe() const
{
    return QString::fromLatin1(viaToken()) + QLatin1Char(' ') + m_local.toString() + QStringLiteral(" -> ")
        + m_remote.toString();
}

} // namespace ladder::sip
