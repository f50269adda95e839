// SPDX-License-Identifier: GPL-3.0-or-later
#include "listenerspec.h"

#include <QHostAddress>

namespace ladder::ui {

QString ListenerSpec::proto() const
{
    return QString::fromLatin1(sip::transportToken(type)).toLower();
}

QString ListenerSpec::toString() const
{
    QString t = proto() + QLatin1Char(':') + at.toString();
    if (!certificateFile.isEmpty())
        t += QStringLiteral(" cert=") + certificateFile + QStringLiteral(" key=") + keyFile;
    return t;
}

bool ListenerSpec::isLoopback() const
{
    if (at.host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress a(at.host);
    return !a.isNull() && a.isLoopback();
}

bool ListenerSpec::parse(const QString& text, ListenerSpec* out, QString* error, bool allowAnyPort)
{
    // Options after the address: cert=FILE key=FILE (paths without spaces).
    QStringList words = text.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.isEmpty()) {
        *error = QStringLiteral("'' is not PROTO:HOST:PORT (PROTO: udp, tcp, tls, ws or wss)");
        return false;
    }
    const QString t = words.takeFirst();
    QString cert, key;
    for (const QString& w : std::as_const(words)) {
        if (w.startsWith(QLatin1String("cert=")) && cert.isEmpty())
            cert = w.mid(5);
        else if (w.startsWith(QLatin1String("key=")) && key.isEmpty())
            key = w.mid(4);
        else {
            *error = QStringLiteral("'%1': unknown option '%2' (cert=FILE key=FILE, for tls and wss)").arg(text.trimmed(), w);
            return false;
        }
    }
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    if (colon <= 0) {
        *error = QStringLiteral("'%1' is not PROTO:HOST:PORT (PROTO: udp, tcp, tls, ws or wss)").arg(t);
        return false;
    }
    const QString proto = t.left(colon).toLower();
    sip::TransportType type;
    if (!sip::transportFromToken(proto.toLatin1(), &type) || type == sip::TransportType::Sctp) {
        *error = QStringLiteral("'%1': unknown transport '%2' (udp, tcp, tls, ws or wss)").arg(t, t.left(colon));
        return false;
    }
    const QString rest = t.mid(colon + 1);
    // The port is required: "HOST:PORT" or "[v6]:PORT".
    const qsizetype lastColon = rest.lastIndexOf(QLatin1Char(':'));
    const bool bracketed = rest.startsWith(QLatin1Char('['));
    if (lastColon < 0 || (bracketed && lastColon < rest.indexOf(QLatin1Char(']')))) {
        *error = QStringLiteral("'%1': give a port, as in %2:127.0.0.1:5060").arg(t, proto);
        return false;
    }
    bool portOk = false;
    const uint port = rest.mid(lastColon + 1).toUInt(&portOk);
    if (!portOk || port > 65535 || (port == 0 && !allowAnyPort)) {
        *error = QStringLiteral("'%1': the port '%2' is not 1–65535").arg(t, rest.mid(lastColon + 1));
        return false;
    }
    sip::HostPort hp;
    if (!sip::HostPort::parse(rest, &hp) || hp.host.isEmpty()) {
        *error = QStringLiteral("'%1': '%2' is not HOST:PORT").arg(t, rest);
        return false;
    }
    const QHostAddress address(hp.host);
    if (address.isNull() && hp.host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0) {
        *error = QStringLiteral("'%1': '%2' is not an IP address of this host (names other than localhost are not "
                                "resolved for listeners)")
                     .arg(t, hp.host);
        return false;
    }
    if (address.isNull())
        hp.host = QStringLiteral("127.0.0.1"); // localhost
    if (!cert.isEmpty() || !key.isEmpty()) {
        if (type != sip::TransportType::Tls && type != sip::TransportType::Wss) {
            *error = QStringLiteral("'%1': cert= and key= are for tls and wss listeners").arg(text.trimmed());
            return false;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            *error = QStringLiteral("'%1': give both cert=FILE and key=FILE").arg(text.trimmed());
            return false;
        }
    }
    out->type = type;
    out->at = hp;
    out->certificateFile = cert;
    out->keyFile = key;
    return true;
}

QList<ListenerSpec> ListenerSpec::defaults()
{
    ListenerSpec udp, tcp;
    udp.type = sip::TransportType::Udp;
    tcp.type = sip::TransportType::Tcp;
    udp.at = tcp.at = sip::HostPort { QStringLiteral("127.0.0.1"), 5060 };
    return { udp, tcp };
}

QString escapeNetworkText(QByteArrayView bytes, qsizetype maxChars)
{
    const QString s = QString::fromUtf8(bytes);
    QString out;
    out.reserve(qMin<qsizetype>(s.size(), maxChars) + 8);
    for (const QChar c : s) {
        if (out.size() >= maxChars) {
            out += QChar(0x2026);
            break;
        }
        const char16_t u = c.unicode();
        if (u == '\r')
            out += QLatin1String("\\r");
        else if (u == '\n')
            out += QLatin1String("\\n");
        else if ((u < 0x20 && u != '\t') || u == 0x7f || (u >= 0x80 && u < 0xa0) || u == 0x2028 || u == 0x2029
            || (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
            out += QStringLiteral("\\x%1").arg(uint(u), u > 0xff ? 4 : 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

} // namespace ladder::ui
