// SPDX-License-Identifier: GPL-3.0-or-later
// sctp::Inbox: received messages keep their order, bytes and metadata whichever way they are
// stored (arena or own buffer) and taken (take or takeInto), also while the reader stays behind.
#include "sctp/inbox.h"

#include <QTest>

#include <cstring>

using namespace ladder::sctp;

namespace {
QByteArray payload(int i)
{
    // Sizes around the arena limit, and bytes that say which message they belong to.
    const int sizes[] = { 1, 100, int(Inbox::kSmall), int(Inbox::kSmall) + 1, 5000, 0x10000 };
    QByteArray b(sizes[i % 6], Qt::Uninitialized);
    for (qsizetype k = 0; k < b.size(); ++k)
        b[k] = char((i * 31 + k) & 0xff);
    return b;
}

void push(Inbox& inbox, int i)
{
    ReceivedMessage m;
    m.stream = quint16(i % 7);
    m.ppid = quint32(i);
    m.tsn = quint32(i * 3);
    m.from = Address { QStringLiteral("10.0.0.1"), 5000 };
    const QByteArray data = payload(i);
    if (data.size() <= Inbox::kSmall) {
        std::memcpy(inbox.arenaSpace(data.size()), data.constData(), std::size_t(data.size()));
        inbox.pushArena(std::move(m), data.size());
    } else {
        m.data = data;
        inbox.push(std::move(m));
    }
}

bool matches(const ReceivedMessage& m, int i)
{
    return m.data == payload(i) && m.ppid == quint32(i) && m.stream == quint16(i % 7) && m.tsn == quint32(i * 3)
        && m.from.host == QStringLiteral("10.0.0.1");
}
}

class TestInbox : public QObject {
    Q_OBJECT
private slots:
    void keepsOrderBytesAndMetadata()
    {
        Inbox inbox;
        QVERIFY(inbox.empty());
        for (int i = 0; i < 60; ++i)
            push(inbox, i);
        QCOMPARE(inbox.size(), 60);
        ReceivedMessage reused;
        for (int i = 0; i < 60; ++i) {
            if (i % 2) {
                inbox.takeInto(reused);
                QVERIFY2(matches(reused, i), qPrintable(QString::number(i)));
            } else {
                const ReceivedMessage m = inbox.take();
                QVERIFY2(matches(m, i), qPrintable(QString::number(i)));
            }
        }
        QVERIFY(inbox.empty());
    }

    void takeIntoNeverWritesIntoSharedData()
    {
        Inbox inbox;
        push(inbox, 1);
        push(inbox, 7);
        ReceivedMessage m;
        inbox.takeInto(m);
        const QByteArray kept = m.data; // the caller keeps the first message's bytes
        inbox.takeInto(m);
        QVERIFY(matches(m, 7));
        QCOMPARE(kept, payload(1));
    }

    void takeIntoReusesTheBuffer()
    {
        Inbox inbox;
        ReceivedMessage m;
        push(inbox, 1); // 100 bytes
        inbox.takeInto(m);
        const char* buffer = m.data.constData();
        push(inbox, 7); // 100 bytes again: into the same buffer
        inbox.takeInto(m);
        QCOMPARE(m.data.constData(), buffer);
        QVERIFY(matches(m, 7));
    }

    void aReaderThatStaysBehindLosesNothing()
    {
        // The inbox never drains: taken entries are dropped from time to time (compaction),
        // and the arena's bytes move with them.
        Inbox inbox;
        int pushed = 0, taken = 0;
        for (int round = 0; round < 40; ++round) {
            for (int k = 0; k < 150; ++k)
                push(inbox, pushed++);
            for (int k = 0; k < 100; ++k) {
                ReceivedMessage m;
                inbox.takeInto(m);
                QVERIFY2(matches(m, taken), qPrintable(QString::number(taken)));
                ++taken;
            }
            QCOMPARE(inbox.size(), pushed - taken);
        }
        while (!inbox.empty()) {
            QVERIFY2(matches(inbox.take(), taken), qPrintable(QString::number(taken)));
            ++taken;
        }
        QCOMPARE(taken, pushed);
    }
};

QTEST_GUILESS_MAIN(TestInbox)
#include "tst_inbox.moc"
