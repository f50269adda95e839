// SPDX-License-Identifier: GPL-3.0-or-later
#include "ladderbuilder.h"

#include <algorithm>

#include "timeline/sctpsummary.h"

#include <QHash>

namespace ladder::ui {

using trace::Dir;
using trace::Kind;

LadderBuilder::LadderBuilder(Filter filter)
    : m_filter(std::move(filter))
{
}

QByteArray LadderBuilder::callIdOf(const QByteArray& raw)
{
    // Header names are case-insensitive; "i" is the compact form (RFC 3261 §7.3.3).
    qsizetype pos = 0;
    const qsizetype headEnd = raw.indexOf("\r\n\r\n");
    const qsizetype limit = headEnd < 0 ? raw.size() : headEnd;
    while (pos < limit) {
        qsizetype eol = raw.indexOf("\r\n", pos);
        if (eol < 0 || eol > limit)
            eol = limit;
        const QByteArray line = raw.mid(pos, eol - pos);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0) {
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "call-id" || name == "i")
                return line.mid(colon + 1).trimmed();
        }
        pos = eol + 2;
    }
    return {};
}

LadderBuilder::Filter LadderBuilder::sipCallId(const QByteArray& callId)
{
    return [callId](const trace::Event& e) {
        return (e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission || e.kind == Kind::LinkDrop)
            && callIdOf(e.raw) == callId;
    };
}

LadderBuilder::Filter LadderBuilder::association(quint64 associationId)
{
    return [associationId](const trace::Event& e) {
        return (e.kind == Kind::SctpPacket && e.a == associationId) || (e.kind == Kind::LinkDrop && e.raw.size() >= 12);
    };
}

int LadderBuilder::columnOf(const QString& endpoint)
{
    const int i = int(m_diagram->columns.indexOf(endpoint));
    if (i >= 0)
        return i;
    m_diagram->columns.append(endpoint);
    return int(m_diagram->columns.size() - 1);
}

void LadderBuilder::add(const trace::Event& e)
{
    const bool message = e.kind == Kind::SipMessage || e.kind == Kind::SipRetransmission || e.kind == Kind::SctpPacket;
    if (!message && e.kind != Kind::LinkDrop)
        return;
    if (m_filter && !m_filter(e))
        return;
    const quint64 key = qHash(e.raw) ^ qHash(e.from) ^ (qHash(e.to) << 1);
    if (e.kind == Kind::LinkDrop) {
        // The newest send of these bytes is the one the link dropped.
        const auto it = std::find_if(m_pending.rbegin(), m_pending.rend(), [key](const auto& p) { return p.first == key; });
        if (it != m_pending.rend()) {
            m_diagram->rows[it->second].lost = true;
            m_pending.erase(std::next(it).base());
        }
        return;
    }
    if (e.dir == Dir::Rx) {
        // Our own transmission arriving: already a row.
        // The oldest send of these bytes is the one arriving (a link keeps order). A plain scan
        // of contiguous pairs: no hash to regrow, no copy-on-write checks per element.
        const auto it = std::find_if(m_pending.cbegin(), m_pending.cend(), [key](const auto& p) { return p.first == key; });
        if (it != m_pending.cend()) {
            m_pending.erase(it);
            return;
        }
        if (m_senders.contains(e.from))
            return;
    }
    LadderRow row;
    row.timeNs = e.timeNs;
    row.fromColumn = columnOf(e.from);
    row.toColumn = columnOf(e.to);
    row.seq = e.seq;
    row.sctp = e.kind == Kind::SctpPacket;
    row.retransmission = e.kind == Kind::SipRetransmission ? std::max<quint64>(e.c, 1) : 0;
    if (row.sctp) {
        // The chunks first ("DATA TSN 12 s0, SACK cum 11"), ports and tag after.
        // TSNs relative to the direction's initial TSN, as the timeline shows them.
        quint32 initial = 0;
        const qint64 ports = sctpPorts(e.raw);
        if (ports >= 0 && sctpInitialTsn(e.raw, &initial))
            m_initialTsns.insert(quint32(ports), initial);
        TsnBases bases;
        if (ports >= 0) {
            const quint32 own = quint32(ports), peer = (own >> 16) | (own << 16);
            if (auto it = m_initialTsns.constFind(own); it != m_initialTsns.constEnd())
                bases.ownKnown = true, bases.own = *it;
            if (auto it = m_initialTsns.constFind(peer); it != m_initialTsns.constEnd())
                bases.peerKnown = true, bases.peer = *it;
        }
        row.label = sctpPacketLabel(e.raw, bases);
        if (row.label.isEmpty())
            row.label = e.text;
    } else {
        const qsizetype eol = e.raw.indexOf("\r\n");
        row.label = QString::fromUtf8(eol < 0 ? e.raw.left(80) : e.raw.left(std::min<qsizetype>(eol, 80)));
        row.response = e.raw.startsWith("SIP/2.0 ");
    }
    if (e.dir == Dir::Tx) {
        if (!m_senders.contains(e.from))
            m_senders.append(e.from);
        m_pending.push_back({ key, int(m_diagram->rows.size()) });
        if (m_pending.size() > 4096)
            m_pending.erase(m_pending.begin(), m_pending.begin() + 1024); // old sends are never going to be matched now
    }
    m_diagram->rows.append(row);
}

QString LadderDiagram::toText() const
{
    constexpr int kColWidth = 26;
    constexpr int kTimeWidth = 12;
    QString out = QString(kTimeWidth, QLatin1Char(' '));
    for (const QString& c : columns)
        out += c.left(kColWidth - 2).leftJustified(kColWidth);
    out += QLatin1Char('\n');
    for (const LadderRow& r : rows) {
        QString line = QStringLiteral("%1").arg(double(r.timeNs) / 1e9, kTimeWidth - 2, 'f', 6) + QStringLiteral("  ");
        const int a = std::min(r.fromColumn, r.toColumn), b = std::max(r.fromColumn, r.toColumn);
        for (int col = 0; col < columns.size(); ++col) {
            QString cell(kColWidth, QLatin1Char(' '));
            cell[0] = QLatin1Char('|');
            if (col >= a && col < b) {
                for (int k = 1; k < kColWidth; ++k)
                    cell[k] = r.lost ? QLatin1Char('.') : QLatin1Char('-');
                if (col == a && r.fromColumn > r.toColumn)
                    cell[1] = QLatin1Char('<');
                if (col == b - 1 && r.fromColumn < r.toColumn)
                    cell[kColWidth - 1] = r.lost ? QLatin1Char('x') : QLatin1Char('>');
            }
            line += cell;
        }
        QString label = r.label;
        if (r.retransmission)
            label += QStringLiteral(" [retransmission #%1]").arg(r.retransmission);
        if (r.lost)
            label += QStringLiteral(" [lost]");
        out += line + QStringLiteral("  ") + label;
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace ladder::ui
