// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipstreams.h"

#include "sip/sipstack.h"
#include "sip/transport/tcptransport.h"
#include "sip/transport/wstransport.h"

#include <QFile>

namespace ladder::ctl {

bool isSipStreamProto(const QString& proto)
{
    return proto == QLatin1String("tls") || proto == QLatin1String("ws") || proto == QLatin1String("wss");
}

sip::TransportType sipStreamType(const QString& proto)
{
    return proto == QLatin1String("tls") ? sip::TransportType::Tls
        : proto == QLatin1String("ws")   ? sip::TransportType::Ws
                                         : sip::TransportType::Wss;
}

bool takeSipStreamOption(const QStringList& args, int* i, SipStreamOptions* o, QString* error)
{
    const QString& a = args[*i];
    if (a == QLatin1String("--insecure")) {
        o->tls.insecure = true;
        return true;
    }
    if (a == QLatin1String("--self-signed")) {
        o->tls.selfSigned = true;
        return true;
    }
    static const QStringList valued { QStringLiteral("--ca"), QStringLiteral("--cert"), QStringLiteral("--key"),
        QStringLiteral("--save-cert"), QStringLiteral("--max-header"), QStringLiteral("--max-message"),
        QStringLiteral("--max-connections"), QStringLiteral("--idle") };
    if (!valued.contains(a))
        return false;
    if (*i + 1 >= args.size()) {
        *error = QStringLiteral("%1 needs a value").arg(a);
        return true;
    }
    const QString v = args[++*i];
    bool ok = true;
    if (a == QLatin1String("--ca"))
        o->tls.caFile = v;
    else if (a == QLatin1String("--cert"))
        o->tls.certificateFile = v;
    else if (a == QLatin1String("--key"))
        o->tls.keyFile = v;
    else if (a == QLatin1String("--save-cert"))
        o->saveCertificate = v;
    else if (a == QLatin1String("--max-header"))
        o->limits.maxHeaderBytes = v.toLongLong(&ok);
    else if (a == QLatin1String("--max-message"))
        o->limits.maxMessageBytes = v.toLongLong(&ok);
    else if (a == QLatin1String("--max-connections"))
        o->limits.maxConnections = v.toInt(&ok);
    else if (a == QLatin1String("--idle"))
        o->limits.idleSeconds = v.toInt(&ok);
    if (!ok || (a.startsWith(QLatin1String("--max")) && v.toLongLong() < 1)
        || (a == QLatin1String("--idle") && v.toInt() < 0))
        *error = QStringLiteral("%1 %2: not a valid number").arg(a, v);
    return true;
}

QString splitWsPath(const QString& hostPortPath, QString* path)
{
    const qsizetype slash = hostPortPath.indexOf(QLatin1Char('/'));
    if (slash < 0) {
        *path = QStringLiteral("/");
        return hostPortPath;
    }
    *path = hostPortPath.mid(slash);
    return hostPortPath.left(slash);
}

QString addSipStreamTransport(sip::SipStack& stack, const QString& proto, const sip::HostPort& local,
    const SipStreamOptions& options, QString* error)
{
    std::optional<sip::TlsContext> tls;
    if (proto != QLatin1String("ws")) {
        tls = sip::TlsContext::make(options.tls, local.host, error);
        if (!tls)
            return {};
        if (!options.saveCertificate.isEmpty() && tls->hasCertificate()) {
            QFile f(options.saveCertificate);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(tls->certificate().toPem()) < 0) {
                *error = QStringLiteral("cannot write %1: %2").arg(options.saveCertificate, f.errorString());
                return {};
            }
        }
    }
    if (proto == QLatin1String("tls")) {
        auto t = std::make_unique<sip::TcpTransport>(std::move(*tls));
        t->setLimits(options.limits);
        if (!t->listen(local, error))
            return {};
        const QString at = t->local().toString();
        stack.addTransport(std::move(t));
        return at;
    }
    auto t = tls ? std::make_unique<sip::WsTransport>(std::move(*tls)) : std::make_unique<sip::WsTransport>();
    t->setLimits(options.limits);
    t->setPath(options.path.isEmpty() ? QStringLiteral("/") : options.path);
    if (!t->listen(local, error))
        return {};
    const QString at = t->local().toString();
    stack.addTransport(std::move(t));
    return at;
}

} // namespace ladder::ctl
