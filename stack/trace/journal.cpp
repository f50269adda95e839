// SPDX-License-Identifier: GPL-3.0-or-later
#include "journal.h"

#include <QDateTime>
#include <QHash>

namespace ladder::trace {

const char* kindName(Kind kind)
{
    switch (kind) {
    case Kind::SipMessage: return "sip.message";
    case Kind::SipRetransmission: return "sip.retransmission";
    case Kind::TimerArmed: return "sip.timer.armed";
    case Kind::TimerFired: return "sip.timer.fired";
    case Kind::TimerCancelled: return "sip.timer.cancelled";
    case Kind::TransactionState: return "sip.transaction.state";
    case Kind::DialogState: return "sip.dialog.state";
    case Kind::ConnectionState: return "net.connection.state";
    case Kind::SctpPacket: return "sctp.packet";
    case Kind::SctpChunk: return "sctp.chunk";
    case Kind::SctpRetransmission: return "sctp.retransmission";
    case Kind::SctpAbandon: return "sctp.abandon";
    case Kind::SctpForwardTsn: return "sctp.forward_tsn";
    case Kind::AssociationState: return "sctp.association.state";
    case Kind::StreamState: return "sctp.stream.state";
    case Kind::SctpNotification: return "sctp.notification";
    case Kind::LinkDrop: return "lab.link.drop";
    case Kind::LinkDuplicate: return "lab.link.duplicate";
    case Kind::UserAction: return "user.action";
    case Kind::Error: return "error";
    case Kind::Log: return "log";
    }
    return "unknown";
}

const char* dirName(Dir dir)
{
    switch (dir) {
    case Dir::Tx: return "tx";
    case Dir::Rx: return "rx";
    case Dir::None: break;
    }
    return "";
}

bool kindFromName(QByteArrayView name, Kind* kind)
{
    // Every quint8 value, so that kinds added after Log are found too.
    for (int k = 0; k < 256; ++k) {
        if (name == kindName(Kind(k)) && name != "unknown") {
            *kind = Kind(k);
            return true;
        }
    }
    return false;
}

bool dirFromName(QByteArrayView name, Dir* dir)
{
    for (Dir d : { Dir::None, Dir::Tx, Dir::Rx }) {
        if (name == dirName(d)) {
            *dir = d;
            return true;
        }
    }
    return false;
}

struct Journal::Record {
    qint64 timeNs;
    quint64 object;
    quint64 a, b, c;
    quint64 textOff;
    quint64 rawOff;
    quint32 textLen;
    quint32 rawLen;
    quint32 from;
    quint32 to;
    Kind kind;
    Dir dir;
};

namespace {
constexpr std::size_t kChunkRecords = 1 << 14;
constexpr std::size_t kArenaBlock = 1 << 20;

// Bytes in fixed blocks so that growth never moves what was written (readers may hold offsets).
struct Arena {
    std::vector<std::unique_ptr<char[]>> blocks;
    std::vector<std::size_t> blockSizes;
    std::size_t used = 0; // in the last block
    std::size_t total = 0;

    // Returns a global offset encoded as (block << 32 | offsetInBlock).
    quint64 put(const char* data, std::size_t len)
    {
        if (len == 0)
            return 0;
        if (blocks.empty() || used + len > blockSizes.back()) {
            const std::size_t size = std::max(kArenaBlock, len);
            blocks.emplace_back(new char[size]);
            blockSizes.push_back(size);
            used = 0;
        }
        const quint64 off = (quint64(blocks.size() - 1) << 32) | used;
        memcpy(blocks.back().get() + used, data, len);
        used += len;
        total += len;
        return off;
    }
    const char* get(quint64 off) const { return blocks[off >> 32].get() + (off & 0xffffffffu); }
    std::size_t capacity() const
    {
        std::size_t c = 0;
        for (auto s : blockSizes)
            c += s;
        return c;
    }
};
} // namespace

struct Journal::Store {
    std::vector<std::unique_ptr<Record[]>> chunks;
    Arena text;
    Arena raw;
    QStringList strings { QString() };
    QHash<QString, quint32> stringIds { { QString(), 0 } };

    quint32 intern(const QString& s)
    {
        auto it = stringIds.constFind(s);
        if (it != stringIds.constEnd())
            return *it;
        const quint32 id = quint32(strings.size());
        strings.append(s);
        stringIds.insert(s, id);
        return id;
    }
};

Journal::Journal()
    : m_store(std::make_unique<Store>())
    , m_epochNs(QDateTime::currentMSecsSinceEpoch() * 1000000)
{
}

Journal::~Journal() = default;

quint64 Journal::append(Event e)
{
    QWriteLocker lock(&m_lock);
    const quint64 seq = m_count.load(std::memory_order_relaxed);
    const std::size_t chunk = seq / kChunkRecords;
    if (chunk >= m_store->chunks.size())
        m_store->chunks.emplace_back(new Record[kChunkRecords]);
    Record& r = m_store->chunks[chunk][seq % kChunkRecords];
    const QByteArray text = e.text.toUtf8();
    r.timeNs = e.timeNs;
    r.object = e.object;
    r.a = e.a;
    r.b = e.b;
    r.c = e.c;
    r.textLen = quint32(text.size());
    r.textOff = m_store->text.put(text.constData(), std::size_t(text.size()));
    r.rawLen = quint32(e.raw.size());
    r.rawOff = m_store->raw.put(e.raw.constData(), std::size_t(e.raw.size()));
    r.from = m_store->intern(e.from);
    r.to = m_store->intern(e.to);
    r.kind = e.kind;
    r.dir = e.dir;
    m_count.store(seq + 1, std::memory_order_release);
    lock.unlock();
    if (m_hook) {
        e.seq = seq;
        m_hook(e);
    }
    return seq;
}

Event Journal::materialize(const Record& r) const
{
    Event e;
    e.timeNs = r.timeNs;
    e.kind = r.kind;
    e.dir = r.dir;
    e.object = r.object;
    e.a = r.a;
    e.b = r.b;
    e.c = r.c;
    e.from = m_store->strings.at(int(r.from));
    e.to = m_store->strings.at(int(r.to));
    if (r.textLen)
        e.text = QString::fromUtf8(m_store->text.get(r.textOff), qsizetype(r.textLen));
    if (r.rawLen)
        e.raw = QByteArray(m_store->raw.get(r.rawOff), qsizetype(r.rawLen));
    return e;
}

Event Journal::at(quint64 seq) const
{
    QReadLocker lock(&m_lock);
    if (seq >= m_count.load(std::memory_order_relaxed))
        return {};
    Event e = materialize(m_store->chunks[seq / kChunkRecords][seq % kChunkRecords]);
    e.seq = seq;
    return e;
}

void Journal::forEach(quint64 first, quint64 n, const std::function<void(const Event&)>& fn) const
{
    QReadLocker lock(&m_lock);
    const quint64 end = std::min(m_count.load(std::memory_order_relaxed), first + n);
    for (quint64 seq = first; seq < end; ++seq) {
        Event e = materialize(m_store->chunks[seq / kChunkRecords][seq % kChunkRecords]);
        e.seq = seq;
        fn(e);
    }
}

QVector<Event> Journal::range(quint64 first, quint64 n) const
{
    QVector<Event> out;
    forEach(first, n, [&out](const Event& e) { out.append(e); });
    return out;
}

void Journal::clear()
{
    QWriteLocker lock(&m_lock);
    m_store = std::make_unique<Store>();
    m_count.store(0, std::memory_order_release);
    m_epochNs.store(QDateTime::currentMSecsSinceEpoch() * 1000000, std::memory_order_relaxed);
}

std::size_t Journal::memoryBytes() const
{
    QReadLocker lock(&m_lock);
    std::size_t bytes = m_store->chunks.size() * kChunkRecords * sizeof(Record);
    bytes += m_store->text.capacity() + m_store->raw.capacity();
    for (const QString& s : std::as_const(m_store->strings))
        bytes += sizeof(QString) + std::size_t(s.size()) * 2;
    return bytes;
}

void Journal::setAppendHook(std::function<void(const Event&)> hook)
{
    QWriteLocker lock(&m_lock);
    m_hook = std::move(hook);
}

} // namespace ladder::trace
