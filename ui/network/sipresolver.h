// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>

#include <memory>

namespace ladder::ui {

// RFC 3263 §4 for a SIP or SIPS URI given as the composer's target: the transport, port and
// addresses to try, in order, through Qt's QDnsLookup (SRV, A, AAAA) and QHostInfo.
//  * A numeric host: that address, the URI's transport (transport=…, or UDP for sip:, TLS for
//    sips:) and port (or 5060/5061).
//  * A port in the URI: no SRV (§4.2); the name's A/AAAA records.
//  * Otherwise SRV: _sip._udp / _sip._tcp / _sips._tcp / _sip._sctp for a transport= parameter, or
//    else each transport in our order of preference (sip: UDP, TCP, TLS; sips: TLS) until one has
//    records; the targets in RFC 2782 order (priority, then weight), each resolved to addresses.
//  * No SRV record: the name's A/AAAA records on the default port and transport.
// NAPTR (§4.1's first step) is skipped: Qt's resolver does not query it, and SRV covers what a
// client needs here; the steps taken say so.
class SipResolver : public QObject {
    Q_OBJECT
public:
    struct Target {
        QString proto; // "udp", "tcp", "tls", "ws", "wss", "sctp"
        QString host; // an address
        quint16 port = 0;
        QString toString() const; // "udp:127.0.0.1:5060" ([v6] bracketed)
    };
    struct Result {
        QString uri;
        QList<Target> targets; // in the order to try; empty on failure
        QString error; // why none, when empty
        QStringList steps; // what was looked up and found, for the log
    };

    explicit SipResolver(QObject* parent = nullptr);
    ~SipResolver() override;

    // Whether text looks like a SIP URI to resolve (sip: or sips:), not PROTO:HOST:PORT.
    static bool isSipUri(const QString& text);
    // For tests: the DNS server to ask (port 53); the system's when null.
    void setNameserver(const QHostAddress& server) { m_nameserver = server; }
    // Starts the resolution; finished() reports it (possibly before this returns, for a numeric host).
    void resolve(const QString& uri);

signals:
    void finished(const ladder::ui::SipResolver::Result& result);

private:
    struct Job;
    void lookupSrv(const std::shared_ptr<Job>& job);
    void lookupAddresses(const std::shared_ptr<Job>& job);
    void finish(const std::shared_ptr<Job>& job);

    QHostAddress m_nameserver;
};

} // namespace ladder::ui

Q_DECLARE_METATYPE(ladder::ui::SipResolver::Result)
