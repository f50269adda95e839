// SPDX-License-Identifier: GPL-3.0-or-later
#include "sctpsummary.h"

#include "sctp/chunkdecoder.h"

#include <QStringList>

namespace ladder::ui {

namespace {
    // RFC spelling ("FORWARD-TSN", "HEARTBEAT-ACK"), not the decoder's Wireshark-style underscores.
    QString chunkName(quint8 type)
    {
        return sctp::chunkTypeName(type).replace(QLatin1Char('_'), QLatin1Char('-'));
    }

    QString range(quint32 a, quint32 b)
    {
        return a == b ? QString::number(a) : QStringLiteral("%1–%2").arg(a).arg(b);
    }

    quint32 rel(quint32 tsn, bool known, quint32 base) { return known ? tsn - base + 1 : tsn; }

    // Consecutive DATA / I-DATA chunks of one stream fold into one entry.
    QString dataEntry(const QList<sctp::DecodedChunk>& chunks, qsizetype first, qsizetype last, const TsnBases& b)
    {
        const sctp::DecodedChunk& c = chunks[first];
        const QString name = c.type == sctp::chunk::IData ? QStringLiteral("I-DATA") : QStringLiteral("DATA");
        const qsizetype n = last - first + 1;
        const quint32 t0 = rel(c.tsn, b.ownKnown, b.own), t1 = rel(chunks[last].tsn, b.ownKnown, b.own);
        QString s = n > 1 ? QStringLiteral("%1 ×%2 TSN %3").arg(name).arg(n).arg(range(t0, t1))
                          : QStringLiteral("%1 TSN %2").arg(name).arg(t0);
        s += QStringLiteral(" s%1").arg(c.sid);
        if (c.unordered())
            s += QStringLiteral(" U");
        return s;
    }
} // namespace

qint64 sctpPorts(const QByteArray& raw)
{
    if (raw.size() < 12)
        return -1;
    const auto* p = reinterpret_cast<const uchar*>(raw.constData());
    return (qint64(p[0]) << 24) | (qint64(p[1]) << 16) | (qint64(p[2]) << 8) | qint64(p[3]);
}

bool sctpInitialTsn(const QByteArray& raw, quint32* initialTsn)
{
    // Cheap refusal first: the first chunk's type is the 13th byte.
    if (raw.size() < 16 || (raw[12] != char(sctp::chunk::Init) && raw[12] != char(sctp::chunk::InitAck)))
        return false;
    const sctp::DecodedPacket packet = sctp::decodePacket(raw, false, false);
    for (const sctp::DecodedChunk& c : packet.chunks)
        if ((c.type == sctp::chunk::Init || c.type == sctp::chunk::InitAck) && !c.truncated) {
            *initialTsn = c.initialTsn;
            return true;
        }
    return false;
}

QString sctpChunkSummary(const QByteArray& raw, const TsnBases& b)
{
    const sctp::DecodedPacket packet = sctp::decodePacket(raw, false, false);
    if (!packet.valid)
        return {};
    QStringList parts;
    const auto& chunks = packet.chunks;
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        const sctp::DecodedChunk& c = chunks[i];
        switch (c.type) {
        case sctp::chunk::Data:
        case sctp::chunk::IData: {
            qsizetype j = i;
            while (j + 1 < chunks.size() && chunks[j + 1].type == c.type && chunks[j + 1].sid == c.sid
                && chunks[j + 1].tsn == chunks[j].tsn + 1)
                ++j;
            parts << dataEntry(chunks, i, j, b);
            i = j;
            break;
        }
        case sctp::chunk::Sack:
        case sctp::chunk::NrSack: {
            const quint32 cum = rel(c.cumTsn, b.peerKnown, b.peer);
            QString s = QStringLiteral("%1 cum %2").arg(chunkName(c.type)).arg(cum);
            if (!c.gapBlocks.isEmpty()) {
                QStringList gaps;
                for (const auto& g : c.gapBlocks)
                    gaps << range(cum + g.first, cum + g.second);
                s += QStringLiteral(" gap ") + gaps.join(QLatin1Char(','));
            }
            if (!c.duplicateTsns.isEmpty()) {
                QStringList dups;
                for (quint32 d : c.duplicateTsns)
                    dups << QString::number(rel(d, b.peerKnown, b.peer));
                s += QStringLiteral(" dup ") + dups.join(QLatin1Char(','));
            }
            parts << s;
            break;
        }
        case sctp::chunk::ForwardTsn:
        case sctp::chunk::IForwardTsn:
            parts << QStringLiteral("%1 → %2").arg(chunkName(c.type)).arg(rel(c.cumTsn, b.ownKnown, b.own));
            break;
        case sctp::chunk::Shutdown:
            parts << QStringLiteral("SHUTDOWN cum %1").arg(rel(c.cumTsn, b.peerKnown, b.peer));
            break;
        default:
            parts << chunkName(c.type);
            break;
        }
    }
    if (parts.isEmpty())
        return QStringLiteral("(no chunks)");
    return parts.join(QStringLiteral(", "));
}

QString sctpPacketLabel(const QByteArray& raw, const TsnBases& bases)
{
    const sctp::DecodedPacket packet = sctp::decodePacket(raw, false, false);
    if (!packet.valid)
        return {};
    return QStringLiteral("%1 · %2 → %3 vtag 0x%4")
        .arg(sctpChunkSummary(raw, bases))
        .arg(packet.srcPort)
        .arg(packet.dstPort)
        .arg(packet.verificationTag, 8, 16, QLatin1Char('0'));
}

} // namespace ladder::ui
