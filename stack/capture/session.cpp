// SPDX-License-Identifier: GPL-3.0-or-later
#include "session.h"

#include "journal/eventcodec.h"
#include "journal/journal.h"

#include <QDataStream>
#include <QFile>
#include <QSaveFile>

namespace ladder::trace {

namespace {
    const QByteArray kMagic = QByteArrayLiteral("LADDERLAB-SESSION\n");
    const QByteArray kEnd = QByteArrayLiteral("END\n");
    constexpr quint32 kVersion = 1;
    constexpr quint64 kChunkEvents = 4096;
    constexpr quint32 kMaxBlobs = 1 << 16;
    constexpr quint32 kMaxStrings = 1 << 26;

    bool fail(QString* error, const QString& why)
    {
        if (error)
            *error = why;
        return false;
    }
} // namespace

Session::Session(std::shared_ptr<Journal> journal)
    : m_journal(std::move(journal))
{
}

void Session::setBlob(const QString& name, const QByteArray& data)
{
    QMutexLocker l(&m_mutex);
    if (data.isEmpty())
        m_blobs.remove(name);
    else
        m_blobs.insert(name, data);
    ++m_revision;
}

QByteArray Session::blob(const QString& name) const
{
    QMutexLocker l(&m_mutex);
    return m_blobs.value(name);
}

QStringList Session::blobNames() const
{
    QMutexLocker l(&m_mutex);
    QStringList names = m_blobs.keys();
    names.sort();
    return names;
}

bool Session::looksLikeSession(const QByteArray& head)
{
    return head.startsWith(kMagic);
}

bool Session::save(const QString& path, QString* error) const
{
    QHash<QString, QByteArray> blobs;
    {
        QMutexLocker l(&m_mutex);
        blobs = m_blobs;
    }
    const quint64 n = m_journal->count();
    // The string table is built while encoding; events go to a temporary buffer per chunk, and
    // the table is written after the blobs, so chunks are encoded first.
    QHash<QString, quint32> ids { { QString(), 0 } };
    QStringList strings { QString() };
    auto intern = [&](const QString& s) {
        auto it = ids.constFind(s);
        if (it != ids.constEnd())
            return *it;
        const quint32 id = quint32(strings.size());
        strings.append(s);
        ids.insert(s, id);
        return id;
    };
    QList<QByteArray> chunks;
    std::vector<char> buf;
    quint64 written = 0;
    for (quint64 first = 0; first < n; first += kChunkEvents) {
        buf.clear();
        m_journal->forEach(first, std::min(kChunkEvents, n - first), [&](const Event& e) {
            codec::encode(buf, e, intern(e.from), intern(e.to));
            ++written;
        });
        chunks.append(QByteArray(buf.data(), qsizetype(buf.size())));
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    f.write(kMagic);
    QDataStream out(&f);
    out.setVersion(QDataStream::Qt_6_4);
    out << kVersion << m_journal->epochNs() << quint32(blobs.size());
    QStringList names = blobs.keys();
    names.sort(); // stable files for the same content
    for (const QString& name : std::as_const(names))
        out << name << blobs.value(name);
    out << quint32(strings.size());
    for (const QString& s : std::as_const(strings))
        out << s;
    // Discarded events are not in the file: the count is what forEach delivered.
    out << written;
    for (const QByteArray& c : std::as_const(chunks))
        out << c;
    f.write(kEnd);
    if (out.status() != QDataStream::Ok || !f.commit())
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    return true;
}

bool Session::read(const QString& path, const EventSink& sink, FileContent* content, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    if (f.read(kMagic.size()) != kMagic)
        return fail(error, QStringLiteral("%1: not a LadderLab session file").arg(path));
    QDataStream in(&f);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0, blobCount = 0, stringCount = 0;
    in >> version;
    if (version != kVersion)
        return fail(error, QStringLiteral("%1: session format version %2 is not supported (this reader knows %3)")
                               .arg(path)
                               .arg(version)
                               .arg(kVersion));
    FileContent c;
    in >> c.epochNs >> blobCount;
    if (in.status() != QDataStream::Ok || blobCount > kMaxBlobs)
        return fail(error, QStringLiteral("%1: damaged header").arg(path));
    for (quint32 i = 0; i < blobCount && in.status() == QDataStream::Ok; ++i) {
        QString name;
        QByteArray data;
        in >> name >> data;
        c.blobs.insert(name, data);
    }
    in >> stringCount;
    if (in.status() != QDataStream::Ok || stringCount > kMaxStrings || stringCount == 0)
        return fail(error, QStringLiteral("%1: damaged blobs or string table").arg(path));
    QStringList strings;
    for (quint32 i = 0; i < stringCount && in.status() == QDataStream::Ok; ++i) {
        QString s;
        in >> s;
        strings.append(s);
    }
    quint64 total = 0;
    in >> total;
    if (in.status() != QDataStream::Ok)
        return fail(error, QStringLiteral("%1: damaged string table").arg(path));
    // Decode everything before handing anything over: a damaged file delivers nothing.
    QList<Event> events;
    while (quint64(events.size()) < total) {
        QByteArray chunk;
        in >> chunk;
        if (in.status() != QDataStream::Ok || chunk.isEmpty())
            return fail(error, QStringLiteral("%1: truncated after %2 of %3 events").arg(path).arg(events.size()).arg(total));
        codec::Cursor cur { reinterpret_cast<const uchar*>(chunk.constData()),
            reinterpret_cast<const uchar*>(chunk.constData()) + chunk.size() };
        while (!cur.atEnd()) {
            Event e;
            quint32 from = 0, to = 0;
            if (!codec::decode(cur, &e, &from, &to) || from >= quint32(strings.size()) || to >= quint32(strings.size()))
                return fail(error, QStringLiteral("%1: damaged event %2").arg(path).arg(events.size()));
            e.from = strings.at(qsizetype(from));
            e.to = strings.at(qsizetype(to));
            events.append(std::move(e));
        }
    }
    if (quint64(events.size()) != total || f.read(kEnd.size()) != kEnd)
        return fail(error, QStringLiteral("%1: damaged or truncated (no end marker)").arg(path));
    c.events = total;
    for (Event& e : events)
        if (sink)
            sink(std::move(e));
    if (content)
        *content = std::move(c);
    return true;
}

bool Session::load(const QString& path, QString* error)
{
    // Read fully first: a bad file must not wipe the current session.
    QList<Event> events;
    FileContent c;
    if (!read(path, [&events](Event&& e) { events.append(std::move(e)); }, &c, error))
        return false;
    m_journal->clear();
    m_journal->setEpochNs(c.epochNs);
    for (Event& e : events)
        m_journal->append(std::move(e));
    QMutexLocker l(&m_mutex);
    m_blobs = c.blobs;
    ++m_revision;
    return true;
}

} // namespace ladder::trace
