// SPDX-License-Identifier: GPL-3.0-or-later
// trace::Reconstructor on captures nobody here wrote (committed in tests/trace/data, with the
// scripts that made them):
// * sipp-fork-cancel.pcapng — two sipp calls on loopback captured by dumpcap: a "forked" INVITE
//   (two 180s with different To tags, 200 from the first, ACK, BYE) and a CANCELled INVITE whose
//   first copy was retransmitted by sipp's Timer A;
// * sctp-text2pcap.pcapng — a native SCTP association written by text2pcap from a hex dump.
// Where tshark is installed, it cross-checks what the reader found.
#include "capture/reconstruct.h"
#include "reconstructtesthelpers.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace ladder;
using namespace ladder::trace;
using tracetest::byMethod;
using tracetest::states;

namespace {

QString data(const char* name) { return QStringLiteral(TRACE_DATA_DIR "/") + QLatin1String(name); }

// tshark's count of the frames matching a display filter; -1 when tshark is not there.
int tsharkCount(const QString& file, const QString& filter, const QStringList& extra = {})
{
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    if (tshark.isEmpty())
        return -1;
    QProcess p;
    const QStringList args = QStringList { QStringLiteral("-r"), file, QStringLiteral("-Y"), filter, QStringLiteral("-T"),
                                 QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("frame.number") }
        + extra;
    p.start(tshark, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        return -2;
    return int(p.readAllStandardOutput().trimmed().split('\n').size());
}

} // namespace

class TestReconstructForeign : public QObject {
    Q_OBJECT

private slots:
    void sippForkAndCancel()
    {
        const CaptureReconstruction r = reconstructCaptureFile(data("sipp-fork-cancel.pcapng"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        QCOMPARE(r.read.format, QStringLiteral("pcapng"));
        QCOMPARE(r.read.packets, 14u);
        QCOMPARE(r.stats.sipUnparsed, 0u);
        // INVITE (fork), BYE, INVITE (cancelled), CANCEL; the 2xx ACK is no transaction, the
        // non-2xx ACK belongs to its INVITE.
        QCOMPARE(r.transactions.size(), 4);
        const auto* forked = byMethod(r, "INVITE", 0);
        const auto* cancelled = byMethod(r, "INVITE", 1);
        const auto* bye = byMethod(r, "BYE");
        const auto* cancel = byMethod(r, "CANCEL");
        QVERIFY(forked && cancelled && bye && cancel);
        QCOMPARE(states(forked->history), (QStringList { "Calling", "Proceeding", "Accepted" }));
        QCOMPARE(forked->lastStatus, 200);
        QCOMPARE(forked->retransmissions, 0u);
        QCOMPARE(states(bye->history), (QStringList { "Trying", "Completed" }));
        // The cancelled INVITE: sent again by sipp after 500 ms (Timer A), then 180, CANCEL, 487, ACK.
        QCOMPARE(states(cancelled->history), (QStringList { "Calling", "Proceeding", "Completed" }));
        QCOMPARE(cancelled->lastStatus, 487);
        QCOMPARE(cancelled->retransmissions, 1u);
        QVERIFY(cancelled->messages.last().startsWith("ACK "));
        QCOMPARE(cancel->branch, cancelled->branch);
        QCOMPARE(states(cancel->history), (QStringList { "Trying", "Completed" }));
        QCOMPARE(cancel->lastStatus, 200);
        QList<Event> timerA;
        for (const Event& e : r.events)
            if (e.kind == Kind::TimerFired && e.object == cancelled->id)
                timerA.append(e);
        QCOMPARE(timerA.size(), 1);
        QCOMPARE(timerA[0].text, QStringLiteral("A"));
        QVERIFY2(timerA[0].a >= 490 && timerA[0].a <= 520, qPrintable(QString::number(timerA[0].a))); // sipp's 500 ms

        // Dialogs: the two forks of the first INVITE and the cancelled call's early dialog.
        QCOMPARE(r.dialogs.size(), 3);
        const sip::DialogSnapshot& a = r.dialogs[0];
        const sip::DialogSnapshot& b = r.dialogs[1];
        const sip::DialogSnapshot& c = r.dialogs[2];
        QCOMPARE(a.callId, b.callId);
        QVERIFY(a.callId != c.callId);
        QCOMPARE(a.remoteTag, QByteArray("forkA1"));
        QCOMPARE(b.remoteTag, QByteArray("forkB1"));
        QCOMPARE(a.creatingTransaction, forked->id);
        QCOMPARE(b.creatingTransaction, forked->id);
        QCOMPARE(states(a.history), (QStringList { "early", "confirmed", "terminated" }));
        QCOMPARE(states(b.history), (QStringList { "early" })); // until the INVITE transaction ends
        QCOMPARE(states(c.history), (QStringList { "early", "terminated" }));
        QCOMPARE(a.remoteTarget, QByteArray("sip:phone-a@127.0.0.1:5070"));
        QCOMPARE(b.remoteTarget, QByteArray("sip:phone-b@127.0.0.1:5070"));
        QCOMPARE(a.routeSet, (QList<QByteArray> { "<sip:proxy.example.net;lr>" }));
        QCOMPARE(a.localCSeq, 2u); // INVITE 1, BYE 2
        QVERIFY(a.localUri.startsWith("sip:sipp@"));
        QCOMPARE(a.remoteUri, QByteArray("sip:bob@127.0.0.1:5070"));

        // tshark sees as many SIP messages as the reader does.
        const int sip = tsharkCount(data("sipp-fork-cancel.pcapng"), QStringLiteral("sip"));
        if (sip >= 0)
            QCOMPARE(quint64(sip), r.stats.sipMessages);
    }

    void settleEndsTheOtherFork()
    {
        ReconstructOptions o;
        o.settle = true;
        const CaptureReconstruction r = reconstructCaptureFile(data("sipp-fork-cancel.pcapng"), {}, o);
        QCOMPARE(r.dialogs.size(), 3);
        // Timer M (64·T1) ends the forked INVITE's transaction and with it fork B's early dialog.
        QCOMPARE(states(r.dialogs[1].history), (QStringList { "early", "terminated" }));
        const auto* forked = byMethod(r, "INVITE", 0);
        QCOMPARE(states(forked->history), (QStringList { "Calling", "Proceeding", "Accepted", "Terminated" }));
        QCOMPARE(forked->history[3].timeNs - forked->history[2].timeNs, 32'000'000'000);
        for (const auto& t : r.transactions)
            QVERIFY2(t.terminated, qPrintable(t.method));
    }

    // Link type 248 (bare SCTP, no addresses): an INIT 5000 → 5001 and the INIT-ACK back are one
    // association (the ends are named by port, the same in both directions), not two flows.
    void bareSctpBothDirectionsAreOneAssociation()
    {
        const CaptureReconstruction r = reconstructCaptureFile(data("bare-sctp-two-directions.pcapng"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        QCOMPARE(r.read.packets, 2u);
        QCOMPARE(r.associations.size(), 1);
        QCOMPARE(r.associations[0].role, QStringLiteral("initiator"));
        QCOMPARE(states(r.associations[0].history), (QStringList { "COOKIE-WAIT" }));
    }

    void text2pcapSctpAssociation()
    {
        const CaptureReconstruction r = reconstructCaptureFile(data("sctp-text2pcap.pcapng"));
        QVERIFY2(r.read.ok, qPrintable(r.read.error));
        QCOMPARE(r.read.packets, 17u);
        QCOMPARE(r.associations.size(), 1);
        const CapturedAssociation& a = r.associations[0];
        QCOMPARE(a.role, QStringLiteral("initiator"));
        QCOMPARE(a.info.localAddress, QStringLiteral("192.0.2.1:40000"));
        QCOMPARE(a.info.peerAddress, QStringLiteral("192.0.2.2:5000"));
        QCOMPARE(a.localPort, quint16(40000));
        QCOMPARE(a.peerPort, quint16(5000));
        QCOMPARE(a.localTag, 0x0a0a0a0au);
        QCOMPARE(a.peerTag, 0x0b0b0b0bu);
        QCOMPARE(a.localInitialTsn, 1000u);
        QCOMPARE(a.peerInitialTsn, 5000u);
        QCOMPARE(a.info.outboundStreams, quint16(3)); // min(our OS 3, their MIS 3)
        QCOMPARE(a.info.inboundStreams, quint16(4)); // min(their OS 4, our MIS 10)
        QVERIFY(a.info.prSupported);
        QCOMPARE(states(a.history),
            (QStringList { "COOKIE-WAIT", "COOKIE-ECHOED", "ESTABLISHED", "SHUTDOWN-SENT", "CLOSED" }));
        QCOMPARE(a.info.state, QStringLiteral("CLOSED"));
        QCOMPARE(a.history[2].timeNs, 21'000'000); // COOKIE-ACK, 21 ms into the capture
        QCOMPARE(a.history[3].timeNs, 1'400'000'000); // SHUTDOWN
        QCOMPARE(a.dataSent, 5u);
        QCOMPARE(a.dataReceived, 1u);
        QCOMPARE(a.info.retransmissions, 1u);
        QCOMPARE(a.sacksReceived, 3u);
        QCOMPARE(a.sacksSent, 1u);
        QCOMPARE(a.info.forwardTsnsSent, 1u);
        QCOMPARE(a.skippedTsnsSent, 1u);
        QCOMPARE(a.info.abandoned, 1u);
        QCOMPARE(a.info.peerRwnd, 131072u);
        QCOMPARE(a.info.streams.size(), 3);
        const sctp::StreamInfo& s0 = a.info.streams[0];
        const sctp::StreamInfo& s1 = a.info.streams[1];
        const sctp::StreamInfo& s2 = a.info.streams[2];
        QCOMPARE(s0.sid, quint16(0));
        QCOMPARE(s0.messagesSent, 2u);
        QCOMPARE(s0.messagesAbandoned, 1u);
        QCOMPARE(s0.nextSsn, 2u);
        QCOMPARE(s1.messagesSent, 1u);
        QCOMPARE(s1.messagesReceived, 1u);
        QCOMPARE(s1.bytesReceived, 5u);
        QCOMPARE(s2.unorderedSent, 1u);
        QCOMPARE(s2.bytesSent, 9u); // the retransmission is not counted twice
        int retransmissionEvents = 0, streamEvents = 0;
        for (const Event& e : r.events) {
            retransmissionEvents += e.kind == Kind::SctpRetransmission;
            streamEvents += e.kind == Kind::StreamState;
        }
        QCOMPARE(retransmissionEvents, 1);
        QCOMPARE(streamEvents, 3);
        const int good = tsharkCount(data("sctp-text2pcap.pcapng"), QStringLiteral("sctp.checksum.status == 1"),
            { QStringLiteral("-o"), QStringLiteral("sctp.checksum:CRC-32C") });
        if (good >= 0)
            QCOMPARE(good, 17);
    }
};

QTEST_GUILESS_MAIN(TestReconstructForeign)
#include "tst_reconstruct_foreign.moc"
