// SPDX-License-Identifier: GPL-3.0-or-later
#include "pathgraphmodel.h"

#include "sctp/chunkdecoder.h" // chunk type numbers

#include <QCoreApplication>
#include <QVarLengthArray>
#include <QtEndian>

#include <algorithm>

namespace ladder::ui::graphs {

using trace::Dir;
using trace::Kind;

namespace {
    constexpr quint64 kNoSeq = ~0ull;
    constexpr quint64 kPeerAddrChange = 0x0002; // SCTP_PEER_ADDR_CHANGE

    QString tr(const char* text) { return QCoreApplication::translate("PathGraph", text); }

    // Keeps every second point of the older half (the newest stay exact).
    template <class T> bool thin(std::vector<T>& v, std::size_t max)
    {
        if (v.size() < max)
            return false;
        const std::size_t half = v.size() / 2;
        std::size_t out = 0;
        for (std::size_t i = 0; i < half; i += 2)
            v[out++] = v[i];
        for (std::size_t i = half; i < v.size(); ++i)
            v[out++] = v[i];
        v.resize(out);
        return true;
    }

    QString csvText(QString s)
    {
        if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')))
            s = QLatin1Char('"') + s.replace(QLatin1Char('"'), QLatin1String("\"\"")) + QLatin1Char('"');
        return s;
    }
} // namespace

QString metricName(Metric m)
{
    switch (m) {
    case Metric::Cwnd:
        return tr("cwnd");
    case Metric::Flight:
        return tr("flight size (inferred)");
    case Metric::Ssthresh:
        return tr("ssthresh (inferred)");
    case Metric::Rto:
        return tr("RTO");
    case Metric::Srtt:
        return tr("SRTT");
    case Metric::Count:
        break;
    }
    return {};
}

QString metricKey(Metric m)
{
    switch (m) {
    case Metric::Cwnd:
        return QStringLiteral("cwnd_bytes");
    case Metric::Flight:
        return QStringLiteral("flight_bytes_inferred");
    case Metric::Ssthresh:
        return QStringLiteral("ssthresh_bytes_inferred");
    case Metric::Rto:
        return QStringLiteral("rto_ms");
    case Metric::Srtt:
        return QStringLiteral("srtt_ms");
    case Metric::Count:
        break;
    }
    return {};
}

QString hostOf(const QString& address)
{
    QString a = address.mid(address.lastIndexOf(QLatin1Char(' ')) + 1);
    if (a.startsWith(QLatin1Char('['))) {
        const qsizetype close = a.indexOf(QLatin1Char(']'));
        return close > 0 ? a.left(close + 1) : a;
    }
    const qsizetype colon = a.lastIndexOf(QLatin1Char(':'));
    // One colon: host:port. More: a bare IPv6 address without a port.
    return colon > 0 && a.indexOf(QLatin1Char(':')) == colon ? a.left(colon) : a;
}

int PathGraph::pathIndex(const QString& address) const
{
    for (std::size_t i = 0; i < paths.size(); ++i)
        if (paths[i].address == address)
            return int(i);
    return -1;
}

QString PathGraph::title() const
{
    QStringList names;
    for (const PathSeries& p : paths)
        names << p.address;
    return tr("Association %1: %2").arg(association).arg(names.join(QStringLiteral(", ")));
}

void PathGraph::touch(qint64 timeNs)
{
    if (!hasTime) {
        firstNs = lastNs = timeNs;
        hasTime = true;
        return;
    }
    firstNs = std::min(firstNs, timeNs);
    lastNs = std::max(lastNs, timeNs);
}

void PathGraphModel::clear()
{
    m_graphs.clear();
    m_index.clear();
    m_thinned = false;
    ++m_generation;
}

PathGraph& PathGraphModel::graphFor(quint64 association)
{
    auto it = m_index.constFind(association);
    if (it != m_index.constEnd())
        return m_graphs[std::size_t(*it)];
    m_index.insert(association, int(m_graphs.size()));
    PathGraph& g = m_graphs.emplace_back();
    g.association = association;
    ++m_generation;
    return g;
}

// A status reading names a path by address and port; the journal's packets by the address of the
// lab's or the encapsulation's endpoint, whose port is not the SCTP port. They are the same path
// when the hosts match — and, on a single-homed association, always (its one path is the only
// place DATA can go).
int PathGraphModel::pathFor(PathGraph& g, const QString& address, bool fromJournal)
{
    const QString host = hostOf(address);
    int readings = 0, journalOnly = -1, onlyRead = -1;
    for (std::size_t i = 0; i < g.paths.size(); ++i) {
        PathSeries& p = g.paths[i];
        const bool read = p.state >= 0 || !p.of(Metric::Cwnd).empty();
        if (p.address == address || hostOf(p.address) == host) {
            if (!fromJournal && !read && p.address != address) {
                p.address = address; // a reading names it better than the journal did
                ++m_generation;
            }
            return int(i);
        }
        if (read) {
            ++readings;
            onlyRead = int(i);
        } else {
            journalOnly = int(i);
        }
    }
    if (fromJournal && readings == 1 && g.paths.size() == 1)
        return onlyRead;
    if (!fromJournal && readings == 0 && g.paths.size() == 1 && journalOnly == 0) {
        g.paths[0].address = address;
        ++m_generation;
        return 0;
    }
    PathSeries& p = g.paths.emplace_back();
    p.address = fromJournal ? host : address;
    g.m_flight.push_back(0);
    ++m_generation;
    return int(g.paths.size()) - 1;
}

void PathGraphModel::addSample(PathGraph& g, int path, Metric m, qint64 timeNs, quint32 value, quint64 seq)
{
    std::vector<Sample>& s = g.paths[std::size_t(path)].metrics[int(m)];
    if (!s.empty() && s.back().timeNs == timeNs && s.back().seq == kNoSeq && seq == kNoSeq) {
        // Two readings at one instant (a view's refresh read the stack between two events of a
        // lab instant, then the lab read it at the instant's end): the later one is the instant's.
        s.back().value = value;
        if (s.size() >= 2 && s[s.size() - 2].value == value)
            s.pop_back();
        return;
    }
    if (!s.empty() && s.back().value == value)
        return;
    if (thin(s, kMaxSamples))
        m_thinned = true;
    s.push_back({ timeNs, value, seq });
    g.touch(timeNs);
}

void PathGraphModel::addMarker(PathGraph& g, Marker&& m)
{
    if (thin(g.markers, kMaxSamples))
        m_thinned = true;
    g.markers.push_back(std::move(m));
}

void PathGraphModel::addSnapshots(const QList<sctp::AssociationInfo>& associations)
{
    for (const sctp::AssociationInfo& a : associations) {
        // Older than what this view has (the lab's rewind shows a past snapshot): nothing new.
        const int known = graphIndex(a.id);
        if (a.pathSamples.isEmpty() || a.pathSamplesTaken <= (known >= 0 ? m_graphs[std::size_t(known)].lastSample : 0))
            continue;
        PathGraph& g = graphFor(a.id);
        for (const sctp::PathSample& s : a.pathSamples) {
            if (s.number <= g.lastSample)
                continue;
            g.missedSamples += s.number - g.lastSample - 1;
            g.lastSample = s.number;
            const int i = pathFor(g, s.address, false);
            PathSeries& p = g.paths[std::size_t(i)];
            if (s.primary && !p.primary && p.state >= 0) {
                Marker m;
                m.timeNs = s.timeNs;
                m.kind = MarkerKind::Primary;
                m.path = p.address;
                m.text = tr("primary → %1").arg(p.address);
                addMarker(g, std::move(m));
            }
            p.state = s.state;
            p.primary = s.primary;
            if (s.mtu)
                p.mtu = s.mtu;
            addSample(g, i, Metric::Cwnd, s.timeNs, s.cwnd, kNoSeq);
            // The ssthresh inferred from readings: the first one starts it; one at or before a
            // loss (a reading arriving after the loss's event did) changes what the loss gave.
            if ((g.m_rwndKnown && p.of(Metric::Ssthresh).empty()) || (!p.losses.empty() && s.timeNs <= p.losses.back().timeNs))
                inferSsthresh(g, i);
            addSample(g, i, Metric::Rto, s.timeNs, s.rto, kNoSeq);
            addSample(g, i, Metric::Srtt, s.timeNs, s.srtt, kNoSeq);
        }
    }
}

void PathGraphModel::restartReadings()
{
    for (PathGraph& g : m_graphs)
        g.lastSample = 0;
}

void PathGraphModel::append(const QVector<trace::Event>& events)
{
    for (const trace::Event& e : events)
        append(e);
}

void PathGraphModel::append(const trace::Event& e)
{
    switch (e.kind) {
    case Kind::SctpPacket:
        addPacket(e);
        break;
    case Kind::SctpNotification:
        if (e.a == kPeerAddrChange && e.object)
            addNotification(e);
        break;
    case Kind::SctpRetransmission:
        if (e.object && (e.a == 1 || e.a == 2))
            addRetransmission(e);
        break;
    default:
        break;
    }
}

void PathGraphModel::addNotification(const trace::Event& e)
{
    // "PEER_ADDR_CHANGE 127.0.0.1:5000: unreachable (error 0)"
    static const QString prefix = QStringLiteral("PEER_ADDR_CHANGE ");
    if (!e.text.startsWith(prefix))
        return;
    const qsizetype colon = e.text.indexOf(QStringLiteral(": "), prefix.size());
    if (colon < 0)
        return;
    const QString address = e.text.mid(prefix.size(), colon - prefix.size());
    QString state = e.text.mid(colon + 2);
    state = state.left(state.indexOf(QStringLiteral(" (")));
    PathGraph& g = graphFor(e.object);
    const int i = pathFor(g, address, false);
    Marker m;
    m.timeNs = e.timeNs;
    m.kind = state == QLatin1String("made primary") ? MarkerKind::Primary : MarkerKind::PathState;
    m.path = g.paths[std::size_t(i)].address;
    m.text = QStringLiteral("%1 %2").arg(m.path, state);
    m.seq = e.seq;
    addMarker(g, std::move(m));
    g.m_events.emplace_back(e.timeNs, e.seq);
    g.touch(e.timeNs);
}

namespace {
    // What the path graph needs of a packet, read straight from its bytes: no texts, no lists, no
    // allocation (every SCTP packet of a bulk transfer passes here). Bounds-checked throughout.
    struct ChunkScan {
        const uchar* p;
        int n;
        quint32 be32(int at) const { return qFromBigEndian<quint32>(p + at); }
        quint16 be16(int at) const { return qFromBigEndian<quint16>(p + at); }
        // Calls fn(type, offset, length) for each whole chunk.
        template <class Fn> void each(Fn fn) const
        {
            for (int at = 12; at + 4 <= n;) {
                const int len = be16(at + 2);
                if (len < 4 || at + len > n)
                    return;
                fn(p[at], at, len);
                at += (len + 3) & ~3;
            }
        }
    };
} // namespace

void PathGraphModel::addPacket(const trace::Event& e)
{
    if (e.raw.size() < 16 || (e.dir != Dir::Tx && e.dir != Dir::Rx))
        return;
    const quint64 association = e.object ? e.object : e.a;
    if (!association)
        return;
    PathGraph& g = graphFor(association);
    if (thin(g.m_events, kMaxSamples))
        m_thinned = true;
    g.m_events.emplace_back(e.timeNs, e.seq);
    const ChunkScan scan { reinterpret_cast<const uchar*>(e.raw.constData()), int(e.raw.size()) };
    QVarLengthArray<int, 4> touched;
    const auto touch = [&](int path) {
        if (!touched.contains(path))
            touched.append(path);
    };
    const auto drop = [&](std::map<quint32, PathGraph::Outstanding>::iterator it) {
        touch(it->second.path);
        g.m_flight[std::size_t(it->second.path)] -= it->second.bytes;
        return g.m_outstanding.erase(it);
    };
    const auto ackOne = [&](quint32 tsn) {
        auto it = g.m_outstanding.find(tsn - g.m_tsnBase);
        if (it != g.m_outstanding.end())
            drop(it);
    };
    // Everything up to cum (serial arithmetic from the first TSN) is acknowledged or skipped.
    const auto ackThrough = [&](quint32 cum) {
        if (!g.m_tsnKnown || qint32(cum - g.m_tsnBase) < 0)
            return;
        const quint32 upTo = cum - g.m_tsnBase;
        if (!g.m_cumKnown || upTo > g.m_cum) {
            g.m_cumKnown = true;
            g.m_cum = upTo;
        }
        for (auto it = g.m_outstanding.begin(); it != g.m_outstanding.end() && it->first <= upTo;)
            it = drop(it);
    };
    scan.each([&](quint8 type, int at, int len) {
        switch (type) {
        case sctp::chunk::Data:
        case sctp::chunk::IData: {
            const int header = type == sctp::chunk::Data ? 16 : 20;
            if (e.dir != Dir::Tx || len < header)
                return;
            const quint32 tsn = scan.be32(at + 4);
            if (!g.m_tsnKnown) {
                g.m_tsnKnown = true;
                g.m_tsnBase = tsn;
            }
            const quint32 key = tsn - g.m_tsnBase;
            if (qint32(key) < 0 || (g.m_cumKnown && key <= g.m_cum))
                return; // before the first TSN seen, or sent again after it was acknowledged
            const int path = dataPath(g, e.to);
            auto it = g.m_outstanding.find(key);
            int previous = -1;
            if (it != g.m_outstanding.end()) {
                previous = it->second.path;
                drop(it); // sent again: on this path now
            }
            g.m_outstanding[key] = { quint32(len - header), path, previous, previous >= 0 ? e.timeNs : 0 };
            g.m_highest = std::max(g.m_highest, key);
            g.m_flight[std::size_t(path)] += quint32(len - header);
            touch(path);
            if (g.m_lastDataPath >= 0 && g.m_lastDataPath != path) {
                Marker m;
                m.timeNs = e.timeNs;
                m.kind = MarkerKind::DataPath;
                m.path = g.paths[std::size_t(path)].address;
                m.text = tr("DATA → %1").arg(m.path);
                m.seq = e.seq;
                addMarker(g, std::move(m));
            }
            g.m_lastDataPath = path;
            return;
        }
        case sctp::chunk::Sack:
        case sctp::chunk::NrSack: {
            if (e.dir != Dir::Rx || len < 16)
                return;
            const quint32 cum = scan.be32(at + 4);
            ackThrough(cum);
            if (!g.m_tsnKnown)
                return;
            // SACK: gap blocks from offset 16; NR-SACK: gap and NR gap blocks from offset 20.
            const bool nr = type == sctp::chunk::NrSack;
            if (nr && len < 20)
                return;
            const int blocks = scan.be16(at + 12) + (nr ? scan.be16(at + 14) : 0);
            for (int b = 0, off = at + (nr ? 20 : 16); b < blocks && off + 4 <= at + len; ++b, off += 4) {
                const quint16 start = scan.be16(off), end = scan.be16(off + 2);
                for (quint32 t = start; t <= end; ++t)
                    ackOne(cum + t);
            }
            return;
        }
        case sctp::chunk::ForwardTsn:
        case sctp::chunk::IForwardTsn:
            if (e.dir == Dir::Tx && len >= 8)
                ackThrough(scan.be32(at + 4));
            return;
        case sctp::chunk::Init:
        case sctp::chunk::InitAck:
            // The peer's a_rwnd: usrsctp sets every path's ssthresh to it (RFC 9260 §7.2.1).
            if (e.dir == Dir::Rx && len >= 20) {
                g.m_rwndKnown = true;
                g.m_peerRwnd = scan.be32(at + 8);
                g.m_rwndNs = e.timeNs;
                g.m_rwndSeq = e.seq;
                for (std::size_t i = 0; i < g.paths.size(); ++i)
                    inferSsthresh(g, int(i));
            }
            return;
        default:
            return;
        }
    });
    for (int path : touched)
        addSample(g, path, Metric::Flight, e.timeNs,
            quint32(std::min<quint64>(g.m_flight[std::size_t(path)], 0xffffffffu)), e.seq);
}

void PathGraphModel::addRetransmission(const trace::Event& e)
{
    PathGraph& g = graphFor(e.object);
    if (!g.m_tsnKnown)
        return;
    // The path the TSN was sent to before: its congestion window is the one cut (the
    // retransmission itself may go elsewhere, and its packet may come before or after this event).
    const quint32 key = quint32(e.c) - g.m_tsnBase;
    int path = g.m_lastDataPath;
    const auto it = g.m_outstanding.find(key);
    if (it != g.m_outstanding.end())
        path = it->second.previousPath >= 0 && it->second.movedNs == e.timeNs ? it->second.previousPath : it->second.path;
    if (path < 0)
        return;
    PathSeries& p = g.paths[std::size_t(path)];
    const bool timeout = e.a == 2;
    if (timeout) {
        // One T3-rtx expiry marks every outstanding TSN of the path: one cut.
        if (!p.losses.empty() && p.losses.back().timeout && p.losses.back().timeNs == e.timeNs)
            return;
    } else {
        // Once per fast recovery: until the cumulative TSN reaches the highest TSN sent when it began.
        if (g.m_fastRecovery && !(g.m_cumKnown && g.m_cum >= g.m_recoveryTsn))
            return;
        g.m_fastRecovery = true;
        g.m_recoveryTsn = g.m_highest;
    }
    if (thin(p.losses, kMaxSamples))
        m_thinned = true;
    p.losses.push_back({ e.timeNs, e.seq, timeout });
    inferSsthresh(g, path);
}

void PathGraphModel::inferSsthresh(PathGraph& g, int path)
{
    PathSeries& p = g.paths[std::size_t(path)];
    const std::vector<Sample>& cwnd = p.of(Metric::Cwnd);
    std::vector<Sample>& out = p.metrics[int(Metric::Ssthresh)];
    out.clear();
    if (cwnd.empty())
        return; // no readings (a capture): nothing to infer from, nothing to compare with
    const auto push = [&](qint64 timeNs, quint32 value, quint64 seq) {
        if (out.empty() || out.back().value != value)
            out.push_back({ timeNs, value, seq });
    };
    if (g.m_rwndKnown)
        push(std::max(g.m_rwndNs, cwnd.front().timeNs), g.m_peerRwnd, g.m_rwndSeq);
    for (const Loss& l : p.losses) {
        const auto at = std::lower_bound(cwnd.begin(), cwnd.end(), l.timeNs, [](const Sample& s, qint64 t) { return s.timeNs < t; });
        const Sample* before = at == cwnd.begin() ? nullptr : &*(at - 1);
        const Sample* same = at != cwnd.end() && at->timeNs == l.timeNs ? &*at : nullptr;
        quint32 value = 0;
        if (!l.timeout && same)
            value = same->value; // usrsctp set cwnd to the new ssthresh; this is the reading after
        else if (before && p.mtu)
            value = std::max(before->value / 2, (l.timeout ? 4 : 2) * p.mtu);
        else
            continue;
        push(l.timeNs, value, l.seq);
    }
}

// The path a DATA packet went to, by its destination (see pathFor); the answer is kept while the
// destination and the list of paths stay the same.
int PathGraphModel::dataPath(PathGraph& g, const QString& to)
{
    if (g.m_dataPathGeneration != m_generation || g.m_dataTo != to) {
        g.m_dataPath = pathFor(g, to, true);
        g.m_dataTo = to;
        g.m_dataPathGeneration = m_generation;
    }
    return g.m_dataPath;
}

int PathGraphModel::busiestGraph() const
{
    int best = -1;
    std::size_t bestScore = 0;
    for (std::size_t i = 0; i < m_graphs.size(); ++i) {
        std::size_t samples = 0;
        for (const PathSeries& p : m_graphs[i].paths)
            for (const auto& s : p.metrics)
                samples += s.size();
        if (!samples)
            continue;
        const std::size_t score = m_graphs[i].paths.size() * 1000000 + samples;
        if (best < 0 || score > bestScore) {
            best = int(i);
            bestScore = score;
        }
    }
    return best;
}

std::pair<std::size_t, std::size_t> PathGraphModel::range(const std::vector<Sample>& s, qint64 startNs, qint64 endNs)
{
    const auto byTime = [](const Sample& a, qint64 t) { return a.timeNs < t; };
    auto first = std::lower_bound(s.begin(), s.end(), startNs, byTime);
    if (first != s.begin())
        --first;
    auto last = std::lower_bound(first, s.end(), endNs, byTime);
    if (last != s.end())
        ++last;
    return { std::size_t(first - s.begin()), std::size_t(last - s.begin()) };
}

QVector<QPointF> PathGraphModel::stepLine(const std::vector<Sample>& s, const StripViewport& vp)
{
    QVector<QPointF> line;
    const auto [from, to] = range(s, vp.startNs, vp.startNs + qint64(vp.plot.width() * vp.nsPerPx) + 1);
    if (from >= to)
        return line;
    const double left = vp.plot.left() - 2, right = vp.plot.right() + 2;
    double prevY = 0;
    for (std::size_t i = from; i < to;) {
        const double x = std::clamp(vp.x(s[i].timeNs), left, right);
        const int column = int(std::floor(x));
        // Every sample of this pixel column: one vertical from the lowest to the highest value.
        double lo = vp.y(s[i].value), hi = lo, last = lo;
        std::size_t j = i + 1;
        for (; j < to && int(std::floor(std::clamp(vp.x(s[j].timeNs), left, right))) == column; ++j) {
            const double y = vp.y(s[j].value);
            lo = std::max(lo, y);
            hi = std::min(hi, y);
            last = y;
        }
        if (!line.isEmpty())
            line << QPointF(x, prevY); // the step: the old value holds until this sample
        if (j - i > 1) {
            line << QPointF(x, lo) << QPointF(x, hi);
        }
        line << QPointF(x, last);
        prevY = last;
        i = j;
    }
    // The last value holds to the right edge (or to the newest time the graph knows of).
    line << QPointF(right, prevY);
    return line;
}

quint64 PathGraphModel::nearestEvent(const PathGraph& g, qint64 timeNs)
{
    const auto& ev = g.m_events;
    if (ev.empty())
        return kNoSeq;
    auto it = std::lower_bound(ev.begin(), ev.end(), std::make_pair(timeNs, quint64(0)));
    if (it == ev.end())
        return ev.back().second;
    if (it != ev.begin() && timeNs - std::prev(it)->first <= it->first - timeNs)
        --it;
    return it->second;
}

QString PathGraphModel::csv(const PathGraph& g)
{
    QString out = QStringLiteral("time_s,association,path,series,value,seq\n");
    struct Row {
        qint64 timeNs;
        QString line;
    };
    std::vector<Row> rows;
    for (const PathSeries& p : g.paths)
        for (int m = 0; m < kMetrics; ++m)
            for (const Sample& s : p.metrics[m])
                rows.push_back({ s.timeNs,
                    QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                        .arg(QString::number(double(s.timeNs) / 1e9, 'f', 9))
                        .arg(g.association)
                        .arg(csvText(p.address), metricKey(Metric(m)))
                        .arg(s.value)
                        .arg(s.seq == kNoSeq ? QString() : QString::number(s.seq)) });
    for (const Marker& mk : g.markers)
        rows.push_back({ mk.timeNs,
            QStringLiteral("%1,%2,%3,marker,%4,%5\n")
                .arg(QString::number(double(mk.timeNs) / 1e9, 'f', 9))
                .arg(g.association)
                .arg(csvText(mk.path), csvText(mk.text), mk.seq == kNoSeq ? QString() : QString::number(mk.seq)) });
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.timeNs < b.timeNs; });
    for (const Row& r : rows)
        out += r.line;
    return out;
}

} // namespace ladder::ui::graphs
