// SPDX-License-Identifier: GPL-3.0-or-later
#include "session.h"

#include "journal/eventcodec.h"
#include "journal/journal.h"

#include <QDataStream>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtEndian>

#include <algorithm>

namespace ladder::trace {

namespace {
    const QByteArray kMagic = QByteArrayLiteral("LADDERLAB-SESSION\n");
    const QByteArray kEnd = QByteArrayLiteral("END\n");
    constexpr quint32 kVersion = 2; // what save() writes; version 1 files are still read
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

QHash<QString, QByteArray> Session::blobs() const
{
    QMutexLocker l(&m_mutex);
    return m_blobs;
}

bool Session::save(const QString& path, QString* error) const
{
    SessionFileWriter writer(*this, path);
    return writer.update(error);
}

QString Session::FileContent::tornWarning() const
{
    if (tornBytes <= 0)
        return {};
    return QStringLiteral("the last %1 byte(s), after the file's last complete save, were left out (a save cut short, or damage)")
        .arg(tornBytes);
}

SessionFileWriter::SessionFileWriter(const Session& session, QString path)
    : m_session(session)
    , m_path(std::move(path))
{
}

void SessionFileWriter::reset()
{
    const Journal& j = m_session.journal();
    m_whole = true;
    m_generation = j.generation();
    m_epochNs = j.epochNs();
    m_next = 0;
    m_written = 0;
    m_ids.clear();
    m_blobs.clear();
    m_blobRevision = ~quint64(0);
    m_size = 0;
}

bool SessionFileWriter::writeRecords(QIODevice& out)
{
    const Journal& j = m_session.journal();
    const quint64 end = j.count();
    QDataStream ds(&out);
    ds.setVersion(QDataStream::Qt_6_4);
    if (m_whole) {
        ds.writeRawData(kMagic.constData(), int(kMagic.size()));
        ds << kVersion << m_epochNs;
    }
    const quint64 revision = m_session.revision();
    if (revision != m_blobRevision) {
        const QHash<QString, QByteArray> now = m_session.blobs();
        QStringList names = now.keys();
        for (auto it = m_blobs.cbegin(); it != m_blobs.cend(); ++it)
            if (!now.contains(it.key()))
                names.append(it.key()); // removed: written empty
        names.sort(); // stable files for the same content
        for (const QString& name : std::as_const(names)) {
            const QByteArray data = now.value(name);
            if (m_blobs.contains(name) == now.contains(name) && m_blobs.value(name) == data)
                continue;
            ds << quint8('B') << name << data;
        }
        m_blobs = now;
        m_blobRevision = revision;
    }
    // A chunk at a time, each after the strings it is the first to use: one chunk in memory, however
    // large the journal.
    QStringList fresh;
    auto intern = [&](const QString& str) {
        auto it = m_ids.constFind(str);
        if (it != m_ids.constEnd())
            return *it;
        const quint32 id = quint32(m_ids.size());
        m_ids.insert(str, id);
        fresh.append(str);
        return id;
    };
    std::vector<char> buf;
    for (quint64 first = m_next; first < end && ds.status() == QDataStream::Ok; first += kChunkEvents) {
        buf.clear();
        fresh.clear();
        j.forEach(first, std::min(kChunkEvents, end - first), [&](const Event& e) {
            codec::encode(buf, e, intern(e.from), intern(e.to));
            ++m_written;
        });
        if (!fresh.isEmpty()) {
            ds << quint8('S') << quint32(fresh.size());
            for (const QString& str : std::as_const(fresh))
                ds << str;
        }
        if (!buf.empty())
            ds << quint8('E') << QByteArray::fromRawData(buf.data(), qsizetype(buf.size()));
    }
    m_next = std::max(m_next, end);
    ds << quint8('C') << m_written;
    return ds.status() == QDataStream::Ok;
}

bool SessionFileWriter::update(QString* error)
{
    const Journal& j = m_session.journal();
    if (m_whole || j.generation() != m_generation || j.epochNs() != m_epochNs)
        reset();
    if (m_whole) {
        QSaveFile f(m_path);
        if (!f.open(QIODevice::WriteOnly) || !writeRecords(f) || !f.commit()) {
            const QString why = f.errorString();
            reset(); // the next update starts again
            return fail(error, QStringLiteral("%1: %2").arg(m_path, why));
        }
        m_whole = false;
        m_size = QFileInfo(m_path).size();
        return true;
    }
    QFile f(m_path);
    if (!f.open(QIODevice::ReadWrite) || f.size() != m_size) {
        // Gone, or changed behind our back: this call writes it whole.
        reset();
        return update(error);
    }
    if (!f.seek(m_size) || !writeRecords(f) || !f.flush()) {
        const QString why = f.errorString();
        f.resize(m_size); // the last commit stays the end of the file
        reset(); // and the next update writes it whole
        return fail(error, QStringLiteral("%1: %2").arg(m_path, why));
    }
    m_size = f.size();
    return true;
}

bool Session::read(const QString& path, const EventSink& sink, FileContent* content, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("%1: %2").arg(path, f.errorString()));
    if (f.read(kMagic.size()) != kMagic)
        return fail(error, QStringLiteral("%1: not a LadderLab session file").arg(path));
    const QByteArray v = f.peek(4);
    const quint32 version = v.size() == 4 ? qFromBigEndian<quint32>(v.constData()) : 0;
    if (version == 1)
        return readV1(f, path, sink, content, error);
    if (version == kVersion)
        return readV2(f, path, sink, content, error);
    return fail(error, QStringLiteral("%1: session format version %2 is not supported (this reader knows 1 and %3)")
                           .arg(path)
                           .arg(version)
                           .arg(kVersion));
}

bool Session::readV2(QIODevice& f, const QString& path, const EventSink& sink, FileContent* content, QString* error)
{
    QDataStream in(&f);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0;
    FileContent c;
    in >> version >> c.epochNs;
    if (in.status() != QDataStream::Ok)
        return fail(error, QStringLiteral("%1: damaged header").arg(path));
    QStringList strings;
    QList<Event> events;
    QHash<QString, QByteArray> blobs;
    // What the last commit covers; a record that cannot be read ends the reading there.
    qsizetype committedEvents = -1;
    QHash<QString, QByteArray> committedBlobs;
    qint64 committedAt = 0;
    QString damage;
    while (!in.atEnd() && damage.isEmpty()) {
        quint8 kind = 0;
        in >> kind;
        if (kind == 'S') {
            quint32 n = 0;
            in >> n;
            if (in.status() != QDataStream::Ok || n > kMaxStrings || quint32(strings.size()) > kMaxStrings - n) {
                damage = QStringLiteral("damaged string table");
                break;
            }
            for (quint32 i = 0; i < n && in.status() == QDataStream::Ok; ++i) {
                QString str;
                in >> str;
                strings.append(str);
            }
        } else if (kind == 'E') {
            QByteArray chunk;
            in >> chunk;
            if (in.status() != QDataStream::Ok || chunk.isEmpty()) {
                damage = QStringLiteral("truncated after %1 events").arg(events.size());
                break;
            }
            codec::Cursor cur { reinterpret_cast<const uchar*>(chunk.constData()),
                reinterpret_cast<const uchar*>(chunk.constData()) + chunk.size() };
            while (!cur.atEnd()) {
                Event e;
                quint32 from = 0, to = 0;
                if (!codec::decode(cur, &e, &from, &to) || from >= quint32(strings.size()) || to >= quint32(strings.size())) {
                    damage = QStringLiteral("damaged event %1").arg(events.size());
                    break;
                }
                e.from = strings.at(qsizetype(from));
                e.to = strings.at(qsizetype(to));
                events.append(std::move(e));
            }
        } else if (kind == 'B') {
            QString name;
            QByteArray data;
            in >> name >> data;
            if (in.status() == QDataStream::Ok && data.isEmpty())
                blobs.remove(name);
            else if (in.status() == QDataStream::Ok && (blobs.size() < qsizetype(kMaxBlobs) || blobs.contains(name)))
                blobs.insert(name, data);
            else
                damage = QStringLiteral("damaged blobs");
        } else if (kind == 'C') {
            quint64 total = 0;
            in >> total;
            if (in.status() == QDataStream::Ok && total == quint64(events.size())) {
                committedEvents = events.size();
                committedBlobs = blobs;
                committedAt = f.pos();
            } else {
                damage = QStringLiteral("damaged commit after %1 events").arg(events.size());
            }
        } else {
            damage = QStringLiteral("unknown record %1 at byte %2").arg(int(kind)).arg(f.pos() - 1);
        }
        if (in.status() != QDataStream::Ok && damage.isEmpty())
            damage = QStringLiteral("truncated after %1 events").arg(events.size());
    }
    if (committedEvents < 0)
        return fail(error, QStringLiteral("%1: damaged or truncated (%2; nothing complete to load)")
                               .arg(path, damage.isEmpty() ? QStringLiteral("no commit") : damage));
    c.events = quint64(committedEvents);
    c.blobs = std::move(committedBlobs);
    c.tornBytes = f.size() - committedAt;
    events.resize(committedEvents);
    for (Event& e : events)
        if (sink)
            sink(std::move(e));
    if (content)
        *content = std::move(c);
    return true;
}

bool Session::readV1(QIODevice& f, const QString& path, const EventSink& sink, FileContent* content, QString* error)
{
    QDataStream in(&f);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0, blobCount = 0, stringCount = 0;
    in >> version;
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

bool Session::load(const QString& path, QString* error, QString* warning)
{
    // Read fully first: a bad file must not wipe the current session.
    QList<Event> events;
    FileContent c;
    if (!read(path, [&events](Event&& e) { events.append(std::move(e)); }, &c, error))
        return false;
    if (warning)
        *warning = c.tornWarning();
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
