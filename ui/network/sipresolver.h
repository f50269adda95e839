// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace ladder::ui {

// One SRV answer (RFC 2782): what SipResolver orders before resolving each target's addresses.
struct SrvRecord {
    quint16 priority = 0, weight = 0, port = 0;
    QString target;
};

// RFC 2782's order: by priority, lowest first; among records of one priority, a weighted random
// pick — a record of weight w goes next with probability w / (sum of the weights left), records of
// weight 0 first in the running sum so they are picked rarely but can be. `random(n)` gives a value
// in [0, n] (the running sum's bound, inclusive); QRandomGenerator's when empty.
QList<SrvRecord> orderSrvRecords(QList<SrvRecord> records, const std::function<quint32(quint32 bound)>& random = {});

// The targets of one request, tried in order (RFC 3263 §4.3): the first; after a failure (a
// transport error, a transaction timeout, a 503) the next, until one answers or none is left.
// `targets` are "udp:127.0.0.1:5060" texts; `what` is what they were resolved from (the SIP
// URI), or empty for a list the user gave.
class TargetCursor {
public:
    TargetCursor() = default;
    TargetCursor(QString what, QStringList targets);

    bool isNull() const { return m_targets.isEmpty(); }
    const QString& what() const { return m_what; }
    QString current() const { return m_targets.value(m_index); }
    qsizetype index() const { return m_index; } // 0-based
    qsizetype size() const { return m_targets.size(); }
    bool hasNext() const { return m_index + 1 < m_targets.size(); }
    // The current target failed for `why`: moves to the next one. False when none is left (the
    // failure is still recorded).
    bool fail(const QString& why);
    // Every failure so far, "udp:127.0.0.1:5060 (transport error: Connection refused)".
    const QStringList& failures() const { return m_failures; }
    // After fail() returned true: "tcp:127.0.0.1:5 failed (why); trying tcp:127.0.0.2:6 next
    // (target 2 of 2, RFC 3263 §4.3)".
    QString failoverText() const;
    // After the last failed: "every target failed: a (why); b (why)".
    QString exhaustedText() const;

private:
    QString m_what;
    QStringList m_targets;
    qsizetype m_index = 0;
    QStringList m_failures;
};

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
