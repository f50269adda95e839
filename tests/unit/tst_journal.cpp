// SPDX-License-Identifier: GPL-3.0-or-later
#include "trace/journal.h"

#include <QTest>
#include <QThread>

using namespace ladder::trace;

class TestJournal : public QObject {
    Q_OBJECT
private slots:
    void appendAndReadBack()
    {
        Journal j;
        Event e;
        e.timeNs = 42;
        e.kind = Kind::SipMessage;
        e.dir = Dir::Tx;
        e.object = 7;
        e.a = 1;
        e.b = 2;
        e.c = 3;
        e.from = QStringLiteral("uac 10.0.0.1:5060");
        e.to = QStringLiteral("uas 10.0.0.2:5060");
        e.text = QStringLiteral("INVITE sip:bob@example.com SIP/2.0");
        e.raw = QByteArray("INVITE sip:bob@example.com SIP/2.0\r\n\r\n\0tail", 44);
        QCOMPARE(j.append(e), quint64(0));
        QCOMPARE(j.append(e), quint64(1));
        QCOMPARE(j.count(), quint64(2));
        const Event r = j.at(1);
        QCOMPARE(r.seq, quint64(1));
        QCOMPARE(r.timeNs, qint64(42));
        QCOMPARE(r.kind, Kind::SipMessage);
        QCOMPARE(r.dir, Dir::Tx);
        QCOMPARE(r.object, quint64(7));
        QCOMPARE(r.c, quint64(3));
        QCOMPARE(r.from, e.from);
        QCOMPARE(r.to, e.to);
        QCOMPARE(r.text, e.text);
        QCOMPARE(r.raw, e.raw); // NULs survive
        QCOMPARE(j.range(1, 100).size(), 1);
        QCOMPARE(j.at(5).seq, quint64(0));
    }

    void clearStartsOver()
    {
        Journal j;
        j.append({});
        j.clear();
        QCOMPARE(j.count(), quint64(0));
        QCOMPARE(j.append({}), quint64(0));
    }

    void concurrentReaderSeesConsistentPrefix()
    {
        Journal j;
        constexpr int total = 200000;
        QThread* writer = QThread::create([&j] {
            for (int i = 0; i < total; ++i) {
                Event e;
                e.timeNs = i;
                e.a = quint64(i);
                e.text = QString::number(i);
                j.append(std::move(e));
            }
        });
        writer->start();
        quint64 checked = 0;
        while (checked < total) {
            const quint64 n = j.count();
            j.forEach(checked, n - checked, [&](const Event& e) {
                QCOMPARE(e.seq, checked);
                QCOMPARE(e.a, checked);
                QCOMPARE(e.text, QString::number(checked));
                ++checked;
            });
        }
        writer->wait();
        delete writer;
        QCOMPARE(j.count(), quint64(total));
    }
};

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"
