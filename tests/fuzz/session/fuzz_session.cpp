// SPDX-License-Identifier: GPL-3.0-or-later
// A session file from anywhere (File ▸ Open, ladderctl trace show, an autosave cut short) must never
// crash the reader nor make it read out of bounds. Besides that:
//  * what it delivers is what it says it read (FileContent::events), and the torn tail it reports
//    lies within the file;
//  * what it read survives a save read back: the same events, every field, and the same blobs.
#include "../common/check.h"

#include "capture/session.h"
#include "journal/journal.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>

using namespace ladder::trace;
using ladder::fuzz::check;

namespace {

bool same(const Event& a, const Event& b)
{
    return a.timeNs == b.timeNs && a.kind == b.kind && a.dir == b.dir && a.object == b.object && a.a == b.a && a.b == b.b
        && a.c == b.c && a.from == b.from && a.to == b.to && a.text == b.text && a.raw == b.raw;
}

QTemporaryDir& scratch()
{
    static QTemporaryDir dir;
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = scratch().filePath(QStringLiteral("in.llsession"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 0;
        f.write(reinterpret_cast<const char*>(data), qint64(size));
    }
    QList<Event> events;
    Session::FileContent c;
    QString error;
    const bool ok = Session::read(path, [&events](Event&& e) { events.append(std::move(e)); }, &c, &error);
    if (!ok) {
        check(!error.isEmpty(), "a refused file says why");
        check(events.isEmpty(), "a refused file delivers nothing");
        return 0;
    }
    check(quint64(events.size()) == c.events, "delivers the events it counts");
    check(c.tornBytes >= 0 && quint64(c.tornBytes) <= size, "the torn tail lies within the file");

    auto journal = std::make_shared<Journal>();
    journal->setEpochNs(c.epochNs);
    for (const Event& e : events)
        journal->append(e);
    Session s(journal);
    for (auto it = c.blobs.cbegin(); it != c.blobs.cend(); ++it)
        s.setBlob(it.key(), it.value());
    const QString again = scratch().filePath(QStringLiteral("again.llsession"));
    check(s.save(again, &error), "what was read can be saved");
    QList<Event> back;
    Session::FileContent c2;
    check(Session::read(again, [&back](Event&& e) { back.append(std::move(e)); }, &c2, &error), "the save reads back");
    check(back.size() == events.size() && c2.tornBytes == 0 && c2.epochNs == c.epochNs, "the same count and epoch");
    for (qsizetype i = 0; i < back.size(); ++i)
        check(same(back.at(i), events.at(i)), "the same events, every field");
    QHash<QString, QByteArray> blobs = c.blobs;
    for (auto it = blobs.begin(); it != blobs.end();)
        it = it.value().isEmpty() ? blobs.erase(it) : std::next(it); // an empty blob is no blob
    check(c2.blobs == blobs, "the same blobs");
    return 0;
}
