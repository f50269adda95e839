// SPDX-License-Identifier: GPL-3.0-or-later
// ladderctl trace show|stats on every file kind it reads, and on bad input.
#include "journal/journal.h"
#include "capture/jsonl.h"
#include "capture/pcapng.h"
#include "capture/session.h"
#include "tracetestdata.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace ladder::trace;
using namespace tracetest;

namespace {

int ctl(const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr)
{
    QProcess p;
    p.start(QStringLiteral(LADDERCTL_EXE), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

} // namespace

class TestCtlTrace : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_jsonl, m_session, m_pcapng;

private slots:
    void initTestCase()
    {
        auto j = std::make_shared<Journal>();
        j->setEpochNs(1700000000LL * 1000000000);
        for (const Event& e : wireEvents())
            j->append(e);
        Event ab;
        ab.kind = Kind::SctpAbandon;
        ab.object = 3;
        j->append(ab);
        m_jsonl = m_dir.filePath(QStringLiteral("j.jsonl"));
        m_session = m_dir.filePath(QStringLiteral("j.llsession"));
        m_pcapng = m_dir.filePath(QStringLiteral("j.pcapng"));
        QFile f(m_jsonl);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(writeJsonl(*j, &f, j->epochNs()));
        f.close();
        QVERIFY(Session(j).save(m_session));
        QFile p(m_pcapng);
        QVERIFY(p.open(QIODevice::WriteOnly));
        QVERIFY(writePcapng(*j, &p, {}));
    }

    void showsEveryFormat_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("lines");
        QTest::newRow("jsonl") << QStringLiteral("j.jsonl") << 12;
        QTest::newRow("session") << QStringLiteral("j.llsession") << 12;
        QTest::newRow("pcapng") << QStringLiteral("j.pcapng") << 10; // wire events, SCTP chunk events off
    }

    void showsEveryFormat()
    {
        QFETCH(QString, file);
        QFETCH(int, lines);
        QByteArray out, err;
        // --raw: the events as read (a capture is otherwise reconstructed, see tst_reconstruct).
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), m_dir.filePath(file), QStringLiteral("--kind"),
                         QStringLiteral("s"), QStringLiteral("--raw") },
                     &out, &err),
            0);
        QVERIFY2(err.isEmpty(), err.constData());
        const QList<QByteArray> l = out.trimmed().split('\n');
        QCOMPARE(l.size(), file.endsWith(QLatin1String("pcapng")) ? lines + 3 : lines);
        QVERIFY2(l.first().contains("sip.message") && l.first().contains("INVITE sip:bob@example.com SIP/2.0"),
            l.first().constData());
        QVERIFY(l.first().contains("10.0.0.1:5060 \xe2\x86\x92 "));
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), m_dir.filePath(file), QStringLiteral("--limit"),
                         QStringLiteral("2"), QStringLiteral("--raw") },
                     &out),
            0);
        QCOMPARE(out.trimmed().split('\n').size(), 2);
    }

    void stats()
    {
        QByteArray out;
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("stats"), m_jsonl }, &out), 0);
        QVERIFY2(out.contains("events:          13"), out.constData());
        QVERIFY(out.contains("retransmissions: SIP 1, SCTP 0"));
        QVERIFY(out.contains("abandoned (PR-SCTP): 1"));
        QVERIFY(out.contains("from 2023-11-14T22:13:20.000Z"));
        QVERIFY(out.contains("  INVITE                            2"));
        QVERIFY(out.contains("  200                               2"));
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("stats"), m_pcapng }, &out), 0);
        QVERIFY2(out.contains("sctp.packet                       3"), out.constData());
    }

    // A capture made elsewhere (sipp under dumpcap): show merges the reconstructed state changes
    // into the events and both end with the tables; --raw leaves them out.
    void reconstructsCaptures()
    {
        const QString sipp = QStringLiteral(TRACE_DATA_DIR "/sipp-fork-cancel.pcapng");
        QByteArray out, err;
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("stats"), sipp }, &out, &err), 0);
        QVERIFY2(out.contains("transactions (reconstructed): 4"), out.constData());
        QVERIFY(out.contains("dialogs (reconstructed): 3"));
        QVERIFY(out.contains("INVITE client"));
        QVERIFY(out.contains("Calling@0.000 Proceeding@0.000 Accepted@0.307"));
        QVERIFY(out.contains("forkB1"));
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), sipp, QStringLiteral("--kind"), QStringLiteral("sip.") },
                     &out, &err),
            0);
        QVERIFY2(out.contains("sip.transaction.state") && out.contains("INVITE client: Calling -> Proceeding (180)"),
            out.constData());
        QVERIFY(out.contains("sip.timer.fired"));
        QVERIFY(out.contains("fork 2 of the INVITE"));
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), sipp, QStringLiteral("--raw") }, &out, &err), 0);
        QVERIFY(!out.contains("sip.transaction.state"));
        QVERIFY(!out.contains("(reconstructed)"));
        const QString sctp = QStringLiteral(TRACE_DATA_DIR "/sctp-text2pcap.pcapng");
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("stats"), sctp }, &out, &err), 0);
        QVERIFY2(out.contains("associations (reconstructed): 1"), out.constData());
        QVERIFY(out.contains("0x0a0a0a0a/0x0b0b0b0b"));
        QVERIFY(out.contains("stream 2: sent 1 msg / 9 B (ordered 0, unordered 1)"));
    }

    void badInput()
    {
        QByteArray out, err;
        QCOMPARE(ctl({ QStringLiteral("trace") }, &out, &err), 2);
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show") }, &out, &err), 2);
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("frob"), m_jsonl }, &out, &err), 2);
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), m_jsonl, QStringLiteral("--limit") }, &out, &err), 2);
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), m_dir.filePath(QStringLiteral("none")) }, &out, &err), 1);
        QVERIFY(err.contains("none"));
        const QString text = m_dir.filePath(QStringLiteral("text.txt"));
        QFile t(text);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("hello\n");
        t.close();
        QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("stats"), text }, &out, &err), 1);
        QVERIFY(err.contains("not a journal"));
        // Damaged part-way: what came before is printed, the exit status says it was damaged.
        for (const QString& src : { m_jsonl, m_pcapng, m_session }) {
            QFile f(src);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray all = f.readAll();
            const QString cut = m_dir.filePath(QStringLiteral("cut"));
            QFile c(cut);
            QVERIFY(c.open(QIODevice::WriteOnly | QIODevice::Truncate));
            c.write(all.left(all.size() * 2 / 3));
            c.close();
            QCOMPARE(ctl({ QStringLiteral("trace"), QStringLiteral("show"), cut }, &out, &err), 1);
            QVERIFY2(!err.isEmpty(), qPrintable(src));
        }
    }
};

QTEST_GUILESS_MAIN(TestCtlTrace)
#include "tst_ctl_trace.moc"
