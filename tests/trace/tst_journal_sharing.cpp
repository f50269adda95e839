// SPDX-License-Identifier: GPL-3.0-or-later
// The journal stores a repeated text or raw payload once per segment (a packet journalled when it
// leaves one side and again when the lab link delivers it; a bulk sender's identical summaries).
// Readers must never notice: every event reads back exactly as appended, whatever was shared.
#include "capture/payloadarena.h"
#include "journal/journal.h"

#include <QTest>

#include <cstring>

using namespace ladder::trace;

namespace {

Event packet(quint64 i, const QByteArray& raw, const QString& text)
{
    Event e;
    e.timeNs = qint64(i) * 10;
    e.kind = Kind::SctpPacket;
    e.dir = i % 2 ? Dir::Rx : Dir::Tx;
    e.a = i;
    e.from = QStringLiteral("10.0.0.1:9899");
    e.to = QStringLiteral("10.0.0.2:9899");
    e.text = text;
    e.raw = raw;
    return e;
}

// Bytes the journal wrote to its spill file once everything but the newest segment spilled.
quint64 spilledBytes(const QList<Event>& events)
{
    Journal j;
    JournalLimits l;
    l.segmentBytes = 64 * 1024;
    l.memoryBytes = 1; // spill every sealed segment
    j.setLimits(l);
    for (const Event& e : events)
        j.append(e);
    return j.status().spillFileBytes;
}

} // namespace

class TestJournalSharing : public QObject {
    Q_OBJECT
private slots:
    void repeatedPayloadReadsBackEverywhere()
    {
        Journal j;
        JournalLimits l;
        l.segmentBytes = 16 * 1024;
        l.memoryBytes = 40 * 1024; // most segments spill: references are read back from disk too
        j.setLimits(l);
        QList<Event> appended;
        for (quint64 i = 0; i < 600; ++i) {
            // Each payload is appended twice in a row (send, then delivery), sharing one buffer.
            const QByteArray raw(700 + int(i % 50), char('a' + i % 26));
            const QString text = QStringLiteral("5000 → 5001 vtag 0x%1: DATA").arg(i / 40);
            for (int twice = 0; twice < 2; ++twice) {
                const Event e = packet(appended.size(), raw, text);
                j.append(e);
                appended.append(e);
            }
        }
        QVERIFY(j.count() >= quint64(appended.size())); // plus the journal's notice about spilling
        QVERIFY(j.status().spilledEvents > 0);
        int compared = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            if (e.kind != Kind::SctpPacket)
                return; // the journal's own notice about spilling
            const Event& w = appended[int(e.a)];
            QCOMPARE(e.raw, w.raw);
            QCOMPARE(e.text, w.text);
            QCOMPARE(e.dir, w.dir);
            QCOMPARE(e.timeNs, w.timeNs);
            QCOMPARE(e.from, w.from);
            QCOMPARE(e.to, w.to);
            ++compared;
        });
        QCOMPARE(compared, appended.size());
    }

    void sharedPayloadIsStoredOnce()
    {
        const QByteArray raw(1200, 'x');
        const QString text = QStringLiteral("5000 → 5001 vtag 0x0badcafe: DATA");
        QList<Event> shared, distinct;
        for (quint64 i = 0; i < 400; ++i) {
            shared.append(packet(i, raw, text));
            QByteArray own = raw;
            own[0] = char(i); // a buffer of its own, with different bytes
            distinct.append(packet(i, own, text + QString::number(i)));
        }
        const quint64 sharedBytes = spilledBytes(shared);
        const quint64 distinctBytes = spilledBytes(distinct);
        QVERIFY2(distinctBytes > 400 * 1000, qPrintable(QString::number(distinctBytes)));
        // One copy per 64 KiB segment plus ~30 bytes per event.
        QVERIFY2(sharedBytes < 400 * 60, qPrintable(QString::number(sharedBytes)));
    }

    void reusedBufferWithNewBytesIsNotShared()
    {
        // A producer that rewrites its buffer in place hands the same pointer with new content:
        // the journal must store the new bytes, not refer to the old ones.
        char buffer[64];
        std::memset(buffer, 'A', sizeof buffer);
        Journal j;
        const QByteArray view = QByteArray::fromRawData(buffer, sizeof buffer);
        j.append(packet(0, view, QString()));
        std::memset(buffer, 'B', sizeof buffer);
        j.append(packet(1, view, QString()));
        QCOMPARE(j.at(0).raw, QByteArray(64, 'A'));
        QCOMPARE(j.at(1).raw, QByteArray(64, 'B'));
    }

    void reusedStringBufferWithNewTextIsNotShared()
    {
        char16_t buffer[] = u"first summary line";
        const QString view = QString::fromRawData(reinterpret_cast<const QChar*>(buffer), 18);
        Journal j;
        j.append(packet(0, {}, view));
        buffer[0] = u'F';
        j.append(packet(1, {}, view));
        QCOMPARE(j.at(0).text, QStringLiteral("first summary line"));
        QCOMPARE(j.at(1).text, QStringLiteral("First summary line"));
    }

    void textsOfEveryKindRoundTrip()
    {
        Journal j;
        const QString texts[] = {
            QString(),
            QStringLiteral("short"),
            QStringLiteral("plain ASCII summary line"),
            QStringLiteral("5000 → 5001 vtag 0x00000001: DATA, SACK"),
            QStringLiteral("café, Grüße, ½ and ĳ (two-byte UTF-8)"),
            QString::fromUtf8("emoji \xF0\x9F\x93\xA6 outside the BMP"),
            QStringLiteral("lone surrogate ") + QChar(0xd800) + QStringLiteral(" in the middle"),
            // Where the ASCII run ends inside, at or after a group of four UTF-16 units (the
            // store copies the ASCII run four units at a time).
            QStringLiteral("é then ASCII"),
            QStringLiteral("ab→"),
            QStringLiteral("abcd→efgh"),
            QStringLiteral("abcdefg") + QChar(0x7f),
            QStringLiteral("abcdefgh") + QChar(0x80),
            QStringLiteral("abcdefghijk") + QChar(0xff) + QStringLiteral("lmnop"),
        };
        for (const QString& t : texts) {
            j.append(packet(0, {}, t));
            j.append(packet(1, {}, t)); // the second one shares the first's bytes
        }
        int i = 0;
        for (const QString& t : texts) {
            const QString expected = QString::fromUtf8(t.toUtf8()); // what a UTF-8 store can keep
            QCOMPARE(j.at(quint64(i++)).text, expected);
            QCOMPARE(j.at(quint64(i++)).text, expected);
        }
    }

    // A capture's payloads are PayloadArena copies (slices of a block the reconstruction shares):
    // the journal holds them instead of copying them, so a message's bytes are in memory once.
    // Read back in memory they are the same bytes (the same address); once their segment has
    // spilled they read back from the spill file after the arena and every copy are gone.
    void arenaPayloadsAreHeldNotCopied()
    {
        Journal j;
        JournalLimits l;
        l.segmentBytes = 16 * 1024;
        l.memoryBytes = std::size_t(1) << 30;
        j.setLimits(l);
        QList<QByteArray> expected;
        QList<const char*> addresses;
        {
            PayloadArena arena;
            for (quint64 i = 0; i < 2000; ++i) {
                QByteArray bytes(300 + int(i % 400), char('a' + i % 26));
                bytes[0] = char(i);
                bytes[1] = char(i >> 8);
                const QByteArray copy = arena.copy(bytes.constData(), bytes.size());
                j.append(packet(i, copy, QStringLiteral("INVITE sip:bob@example.com")));
                expected.append(bytes);
                addresses.append(copy.constData());
            }
            QVERIFY(j.status().spilledEvents == 0);
            for (quint64 i = 0; i < 2000; ++i) {
                const Event e = j.at(i);
                QCOMPARE(e.raw, expected[int(i)]);
                QVERIFY2(e.raw.constData() == addresses[int(i)], "the journal copied a payload it could hold");
            }
            // The held bytes count as the journal's memory (its limit applies to them).
            std::size_t total = 0;
            for (const QByteArray& b : std::as_const(expected))
                total += std::size_t(b.size());
            QVERIFY2(j.memoryBytes() > total, qPrintable(QString::number(j.memoryBytes())));
            // Spill all but the newest segment: what the held arrays held goes to disk.
            l.memoryBytes = 1;
            j.setLimits(l);
            QVERIFY(j.status().spilledEvents > 0);
            QVERIFY2(j.memoryBytes() < total / 2, qPrintable(QString::number(j.memoryBytes())));
        } // the arena, and every copy of ours, let go
        quint64 compared = 0;
        j.forEach(0, j.count(), [&](const Event& e) {
            if (e.kind != Kind::SctpPacket)
                return; // the journal's notice about spilling
            QCOMPARE(e.raw, expected[int(e.a)]);
            QCOMPARE(e.text, QStringLiteral("INVITE sip:bob@example.com"));
            ++compared;
        });
        QCOMPARE(compared, quint64(expected.size()));
    }

    // A held message's summary that is its own first line is stored as a reference to the raw
    // bytes' start; one that is not (a byte differs, or it is not ASCII) is stored as it is.
    // Every text reads back exactly, from memory and from the spill file.
    void textThatStartsTheRawReadsBack()
    {
        auto run = [](bool prefix, quint64* spillBytes) {
            Journal j;
            JournalLimits l;
            l.segmentBytes = 16 * 1024;
            l.memoryBytes = std::size_t(1) << 30;
            j.setLimits(l);
            PayloadArena arena;
            QStringList texts;
            for (quint64 i = 0; i < 2000; ++i) {
                const QByteArray line = "INVITE sip:bob" + QByteArray::number(i) + "@example.com SIP/2.0";
                const QByteArray bytes = line + "\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK" + QByteArray::number(i)
                    + "\r\nCall-ID: " + QByteArray(200, 'c') + "\r\n\r\n";
                QString text = QString::fromLatin1(line);
                if (!prefix)
                    text[7] = QLatin1Char('S'); // "sip" -> "Sip": not the raw's first bytes
                if (i % 7 == 0)
                    text = QStringLiteral("INVITE sip:bøb") + QString::number(i); // not ASCII
                texts.append(text);
                j.append(packet(i, arena.copy(bytes.constData(), bytes.size()), text));
            }
            for (quint64 i = 0; i < 2000; ++i)
                if (j.at(i).text != texts[int(i)]) {
                    qWarning() << "in memory" << i << j.at(i).text << texts[int(i)];
                    return false;
                }
            l.memoryBytes = 1;
            j.setLimits(l);
            bool same = true;
            j.forEach(0, j.count(), [&](const Event& e) {
                if (e.kind == Kind::SctpPacket && e.text != texts[int(e.a)]) {
                    if (same)
                        qWarning() << "spilled" << e.a << e.text << texts[int(e.a)];
                    same = false;
                }
            });
            *spillBytes = j.status().spillFileBytes;
            return same && j.status().spilledEvents > 0;
        };
        quint64 withPrefix = 0, without = 0;
        QVERIFY(run(true, &withPrefix));
        QVERIFY(run(false, &without));
        // 1 714 of the 2 000 texts (35-38 bytes each) are references in the first run.
        QVERIFY2(withPrefix + 1714 * 30 < without, qPrintable(QStringLiteral("%1 vs %2").arg(withPrefix).arg(without)));
    }

    void ownBufferIsCopied()
    {
        // A producer's buffer of its own (not a slice of a shared block) is copied as before: it
        // may be larger than the bytes, or reused.
        QByteArray own(500, 'o');
        Journal j;
        j.append(packet(0, own, QString()));
        QCOMPARE(j.at(0).raw, own);
        QVERIFY(j.at(0).raw.constData() != own.constData());
    }

    void payloadAcrossASegmentBoundaryIsCopied()
    {
        Journal j;
        JournalLimits l;
        l.segmentBytes = 4096;
        j.setLimits(l);
        const QByteArray raw(3000, 'q');
        for (int i = 0; i < 6; ++i)
            j.append(packet(quint64(i), raw, QStringLiteral("the same text every time")));
        for (quint64 i = 0; i < 6; ++i) {
            QCOMPARE(j.at(i).raw, raw);
            QCOMPARE(j.at(i).text, QStringLiteral("the same text every time"));
        }
        j.clear();
        j.append(packet(0, raw, QStringLiteral("after clear")));
        QCOMPARE(j.at(0).raw, raw);
        QCOMPARE(j.at(0).text, QStringLiteral("after clear"));
    }
};

QTEST_GUILESS_MAIN(TestJournalSharing)
#include "tst_journal_sharing.moc"
