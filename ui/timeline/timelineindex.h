// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "sctpsummary.h"
#include "streamfates.h"

#include <QHash>
#include <QStringList>
#include <QVector>

#include <deque>
#include <vector>

namespace ladder::ui {

// What the timeline paints, one compact row per journal event (full events stay in the journal and
// are fetched by seq for tooltips and the inspector). Lanes are the endpoints that appear in the
// events' from/to; a message's transmit and receive events are paired into one arrow.
class TimelineIndex {
public:
    enum Flag : quint8 {
        Response = 1, // a SIP response (else a request)
        Paired = 2, // an Rx item whose Tx is known (pairTimeNs/pairLane valid)
        Retransmission = 4,
        KeepAlive = 8, // HEARTBEAT/HEARTBEAT-ACK only, a CRLF keep-alive, an OPTIONS ping or its answer
        SctpData = 16, // an SCTP packet with DATA or I-DATA
        SctpSack = 32, // an SCTP packet with a SACK (and no DATA)
    };
    // Item::detail for SctpRetransmission (a: how usrsctp decided) and SctpAbandon (a: the policy).
    enum RetransmitKind : quint8 { RetransmitUnknown = 0, RetransmitFast = 1, RetransmitTimeout = 2 };
    enum Policy : quint8 { PolicyNone = 0, PolicyTtl = 1, PolicyBuf = 2, PolicyRtx = 3 };

    struct Item {
        qint64 timeNs;
        qint64 pairTimeNs; // Rx: when its Tx left; LinkDrop: when the datagram was sent
        quint64 seq;
        quint64 number; // retransmission number, TSN, context… (kind-specific)
        qint32 lane; // where the item sits (-1 none)
        qint32 pairLane; // Rx: the sender's lane; LinkDrop: the lane it was heading to
        quint32 label; // index into labels(): "INVITE", "200 OK", "DATA"…
        trace::Kind kind;
        trace::Dir dir;
        quint8 flags;
        quint8 detail; // kind-specific: RetransmitKind, Policy
    };

    // A SIP client transaction's attempt: from its first send (Timer B or F armed with it) to its
    // end (the timer cancelled by a response, or fired), every send on the way (Timer A/E
    // retransmissions), and the deadline B/F set.
    struct Span {
        quint64 transaction = 0;
        qint32 lane = -1;
        qint64 startNs = 0;
        qint64 endNs = -1; // -1: still open
        qint64 deadlineNs = 0;
        bool timedOut = false; // Timer B/F fired
        bool invite = false; // Timer B (INVITE) or F (non-INVITE)
        bool notable = false; // retransmitted or timed out: listed in notableSpans()
        std::vector<qint64> sends; // retransmissions, after the first send at startNs
    };

    // Per lane and time bucket, the messages a frame's density pass counts (see buildFrame):
    // a frame over more items than it can visit one by one reads these instead. Arrow ends are
    // arrivals (and sends to a lane that never receives), keep-alives counted apart, retransmissions
    // not at all (they are important(): always drawn one by one).
    struct BucketCounts {
        quint32 arrows = 0; // arrow ends that are not keep-alives
        quint32 keepAlives = 0; // keep-alives, any direction
        quint32 keepAliveArrows = 0; // of which arrow ends
    };
    // The rare items every frame draws one by one (a retransmission, a drop, an abandon, a
    // FORWARD-TSN, an error), in time order.
    struct Marked {
        qint64 timeNs;
        quint64 seq;
    };

    void clear();
    void append(const QVector<trace::Event>& events);
    const std::vector<Span>& spans() const { return m_spans; }
    // Spans in the order they started (true unless an imported capture stepped back in time), the
    // longest a closed span reaches past its start (its end or its deadline), the open ones (by
    // index), and the retransmitted or timed-out ones (by index, in the order they became so).
    bool spansInStartOrder() const { return m_spansOrdered; }
    qint64 longestSpanReachNs() const { return m_spanReachNs; }
    std::vector<std::size_t> openSpans() const;
    const std::vector<std::size_t>& notableSpans() const { return m_notableSpans; }

    static bool isImportant(const Item& it);
    const std::vector<Marked>& important() const { return m_important; }
    // Buckets: bucket b of a lane covers [bucketOriginNs() + b × bucketNs(), … + bucketNs());
    // earlier items count in bucket 0. At most kMaxBuckets per lane (48 KiB): the width doubles as
    // the run grows, from 1 ms.
    static constexpr std::size_t kMaxBuckets = 4096;
    qint64 bucketOriginNs() const { return m_bucketOrigin; }
    qint64 bucketNs() const { return m_bucketNs; }
    const std::vector<BucketCounts>& buckets(qint32 lane) const;
    // The index of the item with this seq (and time, when known), or SIZE_MAX.
    std::size_t findItem(qint64 timeNs, quint64 seq) const;
    std::size_t findItem(quint64 seq) const;

    // A deque, not a vector: appending never moves what is there (a vector's regrowth copied every
    // item in one go — tens of milliseconds on the UI thread once a live run had a million).
    const std::deque<Item>& items() const { return m_items; }
    const QStringList& lanes() const { return m_lanes; }
    const QStringList& labels() const { return m_labels; }
    // True when some event was received on the lane (a lane we only send to is a remote peer).
    bool laneReceives(qint32 lane) const { return lane >= 0 && lane < m_laneReceives.size() && m_laneReceives[lane]; }
    qint64 firstNs() const { return m_items.empty() ? 0 : m_items.front().timeNs; }
    qint64 lastNs() const { return m_lastNs; }
    // Index of the first item at or after timeNs (items are kept in time order).
    std::size_t lowerBound(qint64 timeNs) const;
    // Lane name without an address: "uac 10.0.0.1:5060" -> "uac", "10.0.0.1:5060" stays.
    static QString laneTitle(const QString& endpoint);

    // The initial TSNs an SCTP packet's TSNs count from (from the INIT / INIT-ACK seen last before
    // timeNs on its ports), and the same for an association's events (abandons, FORWARD-TSN, TSN
    // retransmissions name the association, not the ports).
    TsnBases tsnBases(const QByteArray& raw, qint64 timeNs) const;
    TsnBases associationTsnBases(quint64 association, qint64 timeNs) const;

    // The stream sub-lanes: each SCTP message a lane sent, per stream, and its fate.
    const StreamFates& streams() const { return m_streams; }

    // Counters for the status line and tests.
    quint64 retransmissions() const { return m_retransmissions; }
    quint64 abandoned() const { return m_abandoned; }
    quint64 drops() const { return m_drops; }
    // Sends waiting for their arrival to be paired with (a captured packet, without a direction,
    // never waits).
    qsizetype pendingSends() const { return m_pendingTx.size(); }

private:
    qint32 laneOf(const QString& endpoint);
    static quint64 pairKey(const QByteArray& raw, qint32 from, qint32 to);
    quint32 labelOf(const trace::Event& e);
    static bool isSipKeepAlive(const QByteArray& raw);
    // Where the item went (its index).
    std::size_t insertSorted(const Item& item);

    std::deque<Item> m_items;
    QStringList m_lanes;
    QHash<QString, qint32> m_laneIds;
    QVector<bool> m_laneReceives;
    QStringList m_labels { QString() };
    QHash<QString, quint32> m_labelIds { { QString(), 0 } };
    QVector<quint8> m_labelFlags { 0 }; // per label: KeepAlive, SctpData, SctpSack (SCTP labels)
    // Transmissions not yet matched by a receive, by (raw bytes hash ^ lanes).
    QMultiHash<quint64, std::size_t> m_pendingTx;
    static constexpr qsizetype kMaxPendingTx = 65536;
    // An association's own lane (where its packets leave), for its events that name no endpoint
    // (abandons, state changes, notifications).
    QHash<quint64, qint32> m_associationLane;
    std::vector<Span> m_spans;
    QHash<quint64, std::size_t> m_openSpans; // by transaction id and lane
    std::vector<std::size_t> m_notableSpans;
    bool m_spansOrdered = true;
    qint64 m_spanReachNs = 0;
    void closeSpan(std::size_t i, qint64 endNs, bool timedOut);
    void markNotable(std::size_t i);
    std::vector<Marked> m_important;
    // The buckets, per lane; sends counted as arrow ends per receiving lane, so the buckets are
    // counted again when that lane first receives (m_bucketsStale).
    std::vector<std::vector<BucketCounts>> m_buckets;
    qint64 m_bucketOrigin = 0;
    qint64 m_bucketNs = 1000000;
    bool m_bucketsStarted = false;
    bool m_bucketsStale = false;
    QVector<quint32> m_sendsTowards; // per lane: sends counted as arrow ends because it never received
    void count(const Item& it);
    void recount();
    void trackSpan(const trace::Event& e, qint32 lane);
    // Initial TSNs by (src port << 16 | dst port), each with the time its INIT was seen.
    QHash<quint32, QVector<QPair<qint64, quint32>>> m_initialTsns;
    QHash<quint64, quint32> m_associationPorts; // of its own packets (src << 16 | dst)
    TsnBases basesFor(quint32 ports, qint64 timeNs) const;
    qint32 laneOrAssociation(const trace::Event& e, const QString& endpoint);
    StreamFates m_streams;
    qint64 m_lastNs = 0;
    quint64 m_retransmissions = 0, m_abandoned = 0, m_drops = 0;
};

} // namespace ladder::ui
