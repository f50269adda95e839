// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "sctp/snapshot.h"

#include <QHash>
#include <QRectF>
#include <QString>
#include <QVector>

#include <map>
#include <vector>

namespace ladder::ui::graphs {

// What the path graph draws per path. Cwnd, RTO and SRTT are usrsctp's own numbers
// (SCTP_GET_PEER_ADDR_INFO, sampled by the stack whenever a reading differs from the one before);
// flight size is inferred from the journal, because usrsctp does not expose it: the user-data
// bytes of DATA chunks sent to the path's address and not yet covered by a SACK (cumulative TSN
// or gap-ack block) or skipped by a FORWARD-TSN. usrsctp exposes no ssthresh either: it is
// inferred by the rules usrsctp's default congestion control applies (RFC 9260 §7.2.3) — the
// peer's a_rwnd from its INIT or INIT-ACK at the start; at a fast retransmission, once per fast
// recovery, cwnd/2 but at least 2 MTU (the cwnd read at that instant, which usrsctp set to it,
// when there is one); at a T3-rtx timeout cwnd/2 but at least 4 MTU, from the cwnd read before.
enum class Metric : quint8 { Cwnd, Flight, Ssthresh, Rto, Srtt, Count };
constexpr int kMetrics = int(Metric::Count);
// "cwnd", "flight size (inferred)", "ssthresh (inferred)", "RTO", "SRTT" (legend)
QString metricName(Metric m);
// "cwnd_bytes", "flight_bytes_inferred", "ssthresh_bytes_inferred", "rto_ms", "srtt_ms" (CSV)
QString metricKey(Metric m);
inline bool inBytes(Metric m) { return m == Metric::Cwnd || m == Metric::Flight || m == Metric::Ssthresh; }

struct Sample {
    qint64 timeNs = 0;
    quint32 value = 0;
    quint64 seq = ~0ull; // the journal event it came from (flight size), ~0: a status reading
};

// A vertical line across the graph: something happened to a path.
enum class MarkerKind : quint8 {
    PathState, // a PEER_ADDR_CHANGE notification (unreachable, available, confirmed…), at its event
    Primary, // the primary path changed (SCTP_PRIMARY_ADDR, or usrsctp's own choice)
    DataPath, // DATA went to another path than the DATA before it: a failover (or SCTP_ADDR_OVER)
};

struct Marker {
    qint64 timeNs = 0;
    MarkerKind kind = MarkerKind::PathState;
    QString path; // the path's address it concerns
    QString text; // the label
    quint64 seq = ~0ull; // the journal event, ~0: from a status reading
};

// A retransmission that cut a path's ssthresh (what the inferred ssthresh is computed from).
struct Loss {
    qint64 timeNs = 0;
    quint64 seq = 0; // its SctpRetransmission event
    bool timeout = false; // T3-rtx; else a fast retransmission
};

struct PathSeries {
    QString address; // "127.0.0.1:5000", or the host alone when only the journal named it
    std::vector<Sample> metrics[kMetrics];
    int state = -1; // of the last reading, -1 none yet
    bool primary = false;
    quint32 mtu = 0; // of the last reading
    std::vector<Loss> losses; // in time order
    const std::vector<Sample>& of(Metric m) const { return metrics[int(m)]; }
};

// One association's paths, from its status readings (cwnd, RTO, SRTT, state, primary) and from
// the journal (flight size, failover markers, the events a click selects).
struct PathGraph {
    quint64 association = 0;
    std::vector<PathSeries> paths;
    std::vector<Marker> markers; // in time order per source
    quint64 lastSample = 0; // the highest sample number taken
    quint64 missedSamples = 0; // readings that left the snapshots' window before this view saw them
    qint64 firstNs = 0, lastNs = 0;
    bool hasTime = false;
    int pathIndex(const QString& address) const;
    QString title() const;

private:
    friend class PathGraphModel;
    // Outstanding DATA: TSN -> user-data bytes and the path's host it went to.
    struct Outstanding {
        quint32 bytes = 0;
        int path = -1;
        int previousPath = -1; // where it went before it was sent again (at movedNs)
        qint64 movedNs = 0;
    };
    std::map<quint32, Outstanding> m_outstanding; // keyed by TSN - m_tsnBase (serial arithmetic)
    bool m_tsnKnown = false;
    quint32 m_tsnBase = 0;
    bool m_cumKnown = false;
    quint32 m_cum = 0; // the highest cumulative TSN acknowledged or skipped (relative to m_tsnBase)
    quint32 m_highest = 0; // the highest TSN sent (relative)
    bool m_fastRecovery = false; // until the cumulative TSN reaches m_recoveryTsn
    quint32 m_recoveryTsn = 0;
    bool m_rwndKnown = false; // the peer's a_rwnd (INIT / INIT-ACK received): the first ssthresh
    quint32 m_peerRwnd = 0;
    qint64 m_rwndNs = 0;
    quint64 m_rwndSeq = ~0ull;
    int m_lastDataPath = -1;
    std::vector<quint64> m_flight; // per path: the bytes of m_outstanding sent there
    QString m_dataTo; // the destination of the last DATA packet, and its path
    int m_dataPath = -1;
    quint64 m_dataPathGeneration = ~0ull;
    std::vector<std::pair<qint64, quint64>> m_events; // (time, seq) of its SCTP events, for clicks
    void touch(qint64 timeNs);
};

// Per-pixel geometry of one strip (a metric group of one path) of the graph.
struct StripViewport {
    QRectF plot;
    qint64 startNs = 0;
    double nsPerPx = 1e6;
    double low = 0, perPx = 1; // value at the bottom edge, value per pixel
    double x(qint64 ns) const { return plot.left() + double(ns - startNs) / nsPerPx; }
    double y(double v) const { return plot.bottom() - (v - low) / perPx; }
};

// Turns snapshots and journal events into PathGraphs. Pure computation: no painting, no widgets.
class PathGraphModel {
public:
    // Every sample series keeps at most this many points: beyond it every second one of the older
    // half goes (the view says so), as the lab's own history does.
    static constexpr std::size_t kMaxSamples = 200000;

    void clear();
    // Status readings: appends the samples these snapshots carry that were not seen yet.
    void addSnapshots(const QList<sctp::AssociationInfo>& associations);
    // The snapshots start anew (a new lesson's associations, numbered from 1 again): readings are
    // taken whatever their numbers, until the journal's reset clears the rest.
    void restartReadings();
    void append(const QVector<trace::Event>& events);
    void append(const trace::Event& e);

    const std::vector<PathGraph>& graphs() const { return m_graphs; }
    int graphIndex(quint64 association) const { return m_index.value(association, -1); }
    // The association with the most paths, then the most samples; -1 none.
    int busiestGraph() const;
    quint64 generation() const { return m_generation; }
    bool thinned() const { return m_thinned; }

    // Points of a series in [startNs, endNs): the index of the last one before startNs (it holds
    // until the next) up to the first at or after endNs.
    static std::pair<std::size_t, std::size_t> range(const std::vector<Sample>& s, qint64 startNs, qint64 endNs);
    // The step line of a series in pixels, with level of detail: where several samples fall in one
    // pixel column the column draws their minimum and maximum (and ends at the last value).
    static QVector<QPointF> stepLine(const std::vector<Sample>& s, const StripViewport& vp);
    // The journal event nearest to timeNs about this association (~0 none).
    static quint64 nearestEvent(const PathGraph& g, qint64 timeNs);
    // CSV of the data points: time_s,association,path,series,value,seq — series is one of the
    // metric keys or "marker" (value: its label); seq empty for status readings.
    static QString csv(const PathGraph& g);

private:
    PathGraph& graphFor(quint64 association);
    int pathFor(PathGraph& g, const QString& address, bool fromJournal);
    void addSample(PathGraph& g, int path, Metric m, qint64 timeNs, quint32 value, quint64 seq);
    void addPacket(const trace::Event& e);
    void addNotification(const trace::Event& e);
    void addRetransmission(const trace::Event& e);
    void inferSsthresh(PathGraph& g, int path); // the path's ssthresh series, from scratch
    int dataPath(PathGraph& g, const QString& to);
    void addMarker(PathGraph& g, Marker&& m);

    std::vector<PathGraph> m_graphs;
    QHash<quint64, int> m_index;
    quint64 m_generation = 0;
    bool m_thinned = false;
};

// "127.0.0.1" from "127.0.0.1:5000", "client 127.0.0.1:9899" or "[::1]:5000" ("[::1]").
QString hostOf(const QString& address);

} // namespace ladder::ui::graphs
