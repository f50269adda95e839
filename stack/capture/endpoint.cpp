// SPDX-License-Identifier: GPL-3.0-or-later
#include "endpoint.h"

#include <QHostAddress>

namespace ladder::trace {

namespace {
    QByteArray v4Bytes(quint32 a)
    {
        QByteArray b(4, '\0');
        b[0] = char(a >> 24);
        b[1] = char(a >> 16);
        b[2] = char(a >> 8);
        b[3] = char(a);
        return b;
    }

    NetEndpoint synthetic(const QString& label, quint16 port)
    {
        const QByteArray utf8 = label.toUtf8();
        quint32 h = 2166136261u;
        for (char c : utf8) {
            h ^= quint8(c);
            h *= 16777619u;
        }
        quint8 last = quint8(h);
        if (last == 0 || last == 255)
            last = 1 + (last & 0x7f);
        NetEndpoint e;
        e.addr = v4Bytes((10u << 24) | (((h >> 24) & 0xff) << 16) | (((h >> 16) & 0xff) << 8) | last);
        e.port = port;
        e.synthetic = true;
        return e;
    }

    bool toEndpoint(const QString& host, NetEndpoint& out)
    {
        QHostAddress a;
        if (host.isEmpty() || !a.setAddress(host))
            return false;
        if (a.protocol() == QAbstractSocket::IPv4Protocol) {
            out.v6 = false;
            out.addr = v4Bytes(a.toIPv4Address());
            return true;
        }
        if (a.protocol() == QAbstractSocket::IPv6Protocol) {
            const Q_IPV6ADDR v6 = a.toIPv6Address();
            out.v6 = true;
            out.addr = QByteArray(reinterpret_cast<const char*>(v6.c), 16);
            return true;
        }
        return false;
    }
} // namespace

NetEndpoint parseEndpoint(const QString& text, quint16 defaultPort)
{
    const QString trimmed = text.trimmed();
    const qsizetype space = trimmed.lastIndexOf(QLatin1Char(' '));
    const QString spec = space >= 0 ? trimmed.mid(space + 1) : trimmed;
    NetEndpoint e;
    e.port = defaultPort;
    QString host = spec;
    QString portText;
    if (spec.startsWith(QLatin1Char('['))) {
        const qsizetype close = spec.indexOf(QLatin1Char(']'));
        if (close > 0) {
            host = spec.mid(1, close - 1);
            if (spec.mid(close + 1).startsWith(QLatin1Char(':')))
                portText = spec.mid(close + 2);
        }
    } else if (spec.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = spec.indexOf(QLatin1Char(':'));
        host = spec.left(colon);
        portText = spec.mid(colon + 1);
    }
    bool portOk = true;
    if (!portText.isEmpty()) {
        const uint p = portText.toUInt(&portOk);
        if (portOk && p <= 65535)
            e.port = quint16(p);
        else
            portOk = false;
    }
    if (portOk && toEndpoint(host, e))
        return e;
    // Not an address: a label alone, a host name, or garbage. Keep a given port if it parsed.
    const quint16 port = portOk ? e.port : defaultPort;
    return synthetic(portOk && !portText.isEmpty() ? host : trimmed, port);
}

void unifyFamilies(NetEndpoint& a, NetEndpoint& b)
{
    if (a.v6 == b.v6)
        return;
    NetEndpoint& four = a.v6 ? b : a;
    four.addr = QByteArray("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) + four.addr;
    four.v6 = true;
}

QString formatEndpoint(const QByteArray& addr, quint16 port)
{
    if (addr.size() == 4) {
        const auto* p = reinterpret_cast<const quint8*>(addr.constData());
        return QStringLiteral("%1.%2.%3.%4:%5").arg(p[0]).arg(p[1]).arg(p[2]).arg(p[3]).arg(port);
    }
    if (addr.size() == 16) {
        Q_IPV6ADDR v6;
        memcpy(v6.c, addr.constData(), 16);
        return QStringLiteral("[%1]:%2").arg(QHostAddress(v6).toString()).arg(port);
    }
    return QStringLiteral("?:%1").arg(port);
}

} // namespace ladder::trace
