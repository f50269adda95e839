// SPDX-License-Identifier: GPL-3.0-or-later
#include "sipresolver.h"

#include "sip/message/uri.h"

#include <QDnsLookup>
#include <QHostInfo>
#include <QPointer>
#include <QRandomGenerator>

#include <algorithm>

namespace ladder::ui {

namespace {

quint16 defaultPort(const QString& proto)
{
    return proto == QLatin1String("tls") || proto == QLatin1String("wss") ? 5061 : 5060;
}

// The SRV name of a transport (RFC 3263 §4.1, RFC 7118 has none for WebSocket).
QString srvPrefix(const QString& proto)
{
    if (proto == QLatin1String("udp"))
        return QStringLiteral("_sip._udp.");
    if (proto == QLatin1String("tcp"))
        return QStringLiteral("_sip._tcp.");
    if (proto == QLatin1String("tls"))
        return QStringLiteral("_sips._tcp.");
    if (proto == QLatin1String("sctp"))
        return QStringLiteral("_sip._sctp.");
    return {};
}

} // namespace

QList<SrvRecord> orderSrvRecords(QList<SrvRecord> records, const std::function<quint32(quint32)>& random)
{
    auto pick = [&random](quint32 bound) -> quint32 {
        if (random)
            return std::min(random(bound), bound);
        return quint32(QRandomGenerator::global()->bounded(quint64(bound) + 1));
    };
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
    QList<SrvRecord> out;
    out.reserve(records.size());
    qsizetype start = 0;
    while (start < records.size()) {
        qsizetype end = start;
        while (end < records.size() && records[end].priority == records[start].priority)
            ++end;
        // RFC 2782: the weight-0 records at the beginning, then repeatedly a uniform number in
        // [0, sum] picks the first record whose running sum reaches it.
        QList<SrvRecord> group(records.begin() + start, records.begin() + end);
        std::stable_partition(group.begin(), group.end(), [](const SrvRecord& r) { return r.weight == 0; });
        while (!group.isEmpty()) {
            quint32 sum = 0;
            for (const SrvRecord& r : group)
                sum += r.weight;
            const quint32 chosen = pick(sum);
            quint32 running = 0;
            qsizetype i = 0;
            for (; i < group.size(); ++i) {
                running += group[i].weight;
                if (running >= chosen)
                    break;
            }
            out.append(group.takeAt(std::min(i, group.size() - 1)));
        }
        start = end;
    }
    return out;
}

TargetCursor::TargetCursor(QString what, QStringList targets)
    : m_what(std::move(what))
    , m_targets(std::move(targets))
{
}

bool TargetCursor::fail(const QString& why)
{
    if (m_targets.isEmpty())
        return false;
    m_failures << QStringLiteral("%1 (%2)").arg(current(), why);
    if (!hasNext())
        return false;
    ++m_index;
    return true;
}

QString TargetCursor::failoverText() const
{
    return QObject::tr("%1 failed; trying %2 next (target %3 of %4, RFC 3263 §4.3)")
        .arg(m_failures.value(m_failures.size() - 1), current())
        .arg(m_index + 1)
        .arg(m_targets.size());
}

QString TargetCursor::exhaustedText() const
{
    return m_targets.size() == 1 ? QObject::tr("%1 failed").arg(m_failures.value(0))
                                 : QObject::tr("every target failed: %1").arg(m_failures.join(QStringLiteral("; ")));
}

struct SipResolver::Job {
    Result result;
    QString name; // the URI's host, without brackets
    int port = -1; // the URI's, or -1
    QString transport; // from transport= (or tls for sips), empty when free
    bool sips = false;
    QStringList srvOrder; // transports still to try for SRV
    // SRV answers (or the plain name) waiting for their addresses.
    struct Pending {
        QString proto, host;
        quint16 port = 0;
    };
    QList<Pending> pending;
    qsizetype next = 0; // the pending entry being resolved
};

QString SipResolver::Target::toString() const
{
    return proto + QLatin1Char(':') + (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host)
        + QLatin1Char(':') + QString::number(port);
}

SipResolver::SipResolver(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<ladder::ui::SipResolver::Result>();
}

SipResolver::~SipResolver() = default;

bool SipResolver::isSipUri(const QString& text)
{
    const QString t = text.trimmed().toLower();
    return t.startsWith(QLatin1String("sip:")) || t.startsWith(QLatin1String("sips:"));
}

void SipResolver::resolve(const QString& uriText)
{
    auto job = std::make_shared<Job>();
    job->result.uri = uriText.trimmed();
    QByteArray error;
    const std::optional<sip::Uri> uri = sip::Uri::parse(job->result.uri.toUtf8(), &error);
    if (!uri || !uri->isSip()) {
        job->result.error = uri ? tr("'%1' is not a sip: or sips: URI").arg(job->result.uri)
                                : tr("'%1' is not a SIP URI: %2").arg(job->result.uri, QString::fromUtf8(error));
        finish(job);
        return;
    }
    job->sips = uri->scheme() == sip::Uri::Scheme::Sips;
    job->name = QString::fromUtf8(uri->host().toByteArray());
    if (job->name.startsWith(QLatin1Char('[')))
        job->name = job->name.mid(1, job->name.size() - 2);
    job->port = uri->port();
    QString transport = QString::fromUtf8(uri->param("transport").toByteArray()).toLower();
    if (!transport.isEmpty() && srvPrefix(transport).isEmpty() && transport != QLatin1String("ws") && transport != QLatin1String("wss")) {
        job->result.error = tr("transport=%1 is not one LadderLab speaks (udp, tcp, tls, sctp, ws, wss)").arg(transport);
        finish(job);
        return;
    }
    if (job->sips && (transport.isEmpty() || transport == QLatin1String("tcp")))
        transport = QStringLiteral("tls"); // RFC 3263 §4.1: sips over TLS
    if (job->sips && transport == QLatin1String("ws"))
        transport = QStringLiteral("wss");
    job->transport = transport;
    const QString proto = transport.isEmpty() ? QStringLiteral("udp") : transport;

    // A numeric host: no DNS at all (§4.1, §4.2).
    const QHostAddress numeric(job->name);
    if (!numeric.isNull()) {
        const quint16 port = job->port > 0 ? quint16(job->port) : defaultPort(proto);
        job->result.targets.append({ proto, numeric.toString(), port });
        job->result.steps << tr("%1 is an address: %2 on port %3").arg(job->name, proto.toUpper()).arg(port);
        finish(job);
        return;
    }
    // A port given: A/AAAA only (§4.2). WebSocket has no SRV name either.
    if (job->port > 0 || proto == QLatin1String("ws") || proto == QLatin1String("wss")) {
        const quint16 port = job->port > 0 ? quint16(job->port) : defaultPort(proto);
        job->result.steps << tr("%1 with a port (or over WebSocket): no SRV lookup (RFC 3263 §4.2)").arg(job->name);
        job->pending.append({ proto, job->name, port });
        lookupAddresses(job);
        return;
    }
    job->result.steps << tr("NAPTR not queried (Qt's resolver has no NAPTR): SRV directly");
    if (!transport.isEmpty())
        job->srvOrder = { transport };
    else
        job->srvOrder = job->sips ? QStringList { QStringLiteral("tls") }
                                  : QStringList { QStringLiteral("udp"), QStringLiteral("tcp"), QStringLiteral("tls") };
    lookupSrv(job);
}

void SipResolver::lookupSrv(const std::shared_ptr<Job>& job)
{
    if (job->srvOrder.isEmpty()) {
        // No SRV record for any transport: the name itself (§4.2), default transport and port.
        const QString proto = job->transport.isEmpty() ? (job->sips ? QStringLiteral("tls") : QStringLiteral("udp")) : job->transport;
        job->result.steps << tr("no SRV record: %1's A/AAAA records, %2 on port %3").arg(job->name, proto.toUpper()).arg(defaultPort(proto));
        job->pending.append({ proto, job->name, defaultPort(proto) });
        lookupAddresses(job);
        return;
    }
    const QString proto = job->srvOrder.takeFirst();
    const QString srvName = srvPrefix(proto) + job->name;
    auto* lookup = new QDnsLookup(QDnsLookup::SRV, srvName, this);
    if (!m_nameserver.isNull())
        lookup->setNameserver(m_nameserver);
    connect(lookup, &QDnsLookup::finished, this, [this, lookup, job, proto, srvName] {
        lookup->deleteLater();
        QList<SrvRecord> records;
        for (const QDnsServiceRecord& r : lookup->serviceRecords())
            records.append({ r.priority(), r.weight(), r.port(), r.target() });
        records = orderSrvRecords(records); // RFC 2782 (Qt orders them too; the order is ours to test)
        if (lookup->error() != QDnsLookup::NoError || records.isEmpty()) {
            job->result.steps << tr("SRV %1: none (%2)").arg(srvName,
                                    lookup->error() == QDnsLookup::NoError ? tr("no record") : lookup->errorString());
            lookupSrv(job);
            return;
        }
        for (const SrvRecord& r : records) {
            job->result.steps << tr("SRV %1 → %2:%3 (priority %4, weight %5)")
                                     .arg(srvName, r.target)
                                     .arg(r.port)
                                     .arg(r.priority)
                                     .arg(r.weight);
            job->pending.append({ proto, r.target, r.port });
        }
        lookupAddresses(job);
    });
    lookup->lookup();
}

void SipResolver::lookupAddresses(const std::shared_ptr<Job>& job)
{
    if (job->next >= job->pending.size()) {
        if (job->result.targets.isEmpty() && job->result.error.isEmpty())
            job->result.error = tr("no address for %1 (%2)").arg(job->name, job->result.steps.join(QStringLiteral("; ")));
        finish(job);
        return;
    }
    const Job::Pending p = job->pending.at(job->next++);
    auto add = [job, p](const QList<QHostAddress>& addresses, const QString& how) {
        QStringList shown;
        for (const QHostAddress& a : addresses) {
            job->result.targets.append({ p.proto, a.toString(), p.port });
            shown << a.toString();
        }
        job->result.steps << tr("%1 %2: %3").arg(how, p.host, shown.isEmpty() ? tr("none") : shown.join(QStringLiteral(", ")));
    };
    if (m_nameserver.isNull()) {
        // The system's resolver (hosts file included).
        QPointer<SipResolver> self(this);
        QHostInfo::lookupHost(p.host, this, [self, job, add](const QHostInfo& info) {
            if (!self)
                return;
            add(info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress> {}, tr("A/AAAA"));
            self->lookupAddresses(job);
        });
        return;
    }
    // A given nameserver: A, then AAAA, both from it.
    auto* a = new QDnsLookup(QDnsLookup::A, p.host, m_nameserver, this);
    connect(a, &QDnsLookup::finished, this, [this, a, job, p, add] {
        a->deleteLater();
        QList<QHostAddress> addresses;
        for (const QDnsHostAddressRecord& r : a->hostAddressRecords())
            addresses << r.value();
        auto* aaaa = new QDnsLookup(QDnsLookup::AAAA, p.host, m_nameserver, this);
        connect(aaaa, &QDnsLookup::finished, this, [this, aaaa, job, addresses, add]() mutable {
            aaaa->deleteLater();
            for (const QDnsHostAddressRecord& r : aaaa->hostAddressRecords())
                addresses << r.value();
            add(addresses, tr("A/AAAA"));
            lookupAddresses(job);
        });
        aaaa->lookup();
    });
    a->lookup();
}

void SipResolver::finish(const std::shared_ptr<Job>& job)
{
    emit finished(job->result);
}

} // namespace ladder::ui
