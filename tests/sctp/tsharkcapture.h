// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// For the suites that have tshark check our SCTP on the wire (tst_sctp_tshark, tst_multihome):
// the journal's outgoing SCTP packets written as a pcapng with usrsctp's own CRC32c, and tshark's
// fields for every frame of such a capture, decoded as SCTP over UDP 9899.

#include "journal/journal.h"
#include "capture/pcapng.h"

#include <QFile>
#include <QProcess>
#include <QStringList>

namespace ladder::sctp::testing {

struct SentCapture {
    bool ok = false;
    QString error;
    int packets = 0;
    quint64 fixedChecksums = 0; // checksums the writer had to recompute (none expected)
};

// Writes every SctpPacket event that left a side (Tx) to `file`, which this opens and closes:
// what a capture at the senders sees, with the checksums usrsctp computed (not recomputed here).
inline SentCapture writeSentPackets(const trace::Journal& journal, QFile& file)
{
    SentCapture c;
    if (!file.open(QIODevice::WriteOnly)) {
        c.error = file.errorString();
        return c;
    }
    trace::PcapngOptions options;
    options.fixSctpChecksums = false;
    trace::PcapngWriter writer(&file, options);
    if (!writer.begin()) {
        c.error = writer.errorString();
        return c;
    }
    journal.forEach(0, journal.count(), [&](const trace::Event& e) {
        if (e.kind == trace::Kind::SctpPacket && e.dir == trace::Dir::Tx) {
            writer.write(e);
            ++c.packets;
        }
    });
    file.close();
    c.fixedChecksums = writer.stats().fixedChecksums;
    c.ok = true;
    return c;
}

// tshark's `fields` for every frame of `capture` (SCTP over UDP 9899, CRC32c checked, `options`
// added as further -o settings), one list per frame; several occurrences of a field are joined
// with ','. Empty fields are kept, the last one of the last frame too. False with *error when
// tshark fails.
inline bool tsharkFields(const QString& tshark, const QString& capture, const QStringList& options,
    const QStringList& fields, QList<QList<QByteArray>>* frames, QString* error)
{
    QStringList args { QStringLiteral("-r"), capture, QStringLiteral("-n"), QStringLiteral("-d"),
        QStringLiteral("udp.port==9899,sctp"), QStringLiteral("-o"), QStringLiteral("sctp.checksum:CRC 32c") };
    for (const QString& o : options)
        args << QStringLiteral("-o") << o;
    args << QStringLiteral("-T") << QStringLiteral("fields") << QStringLiteral("-E") << QStringLiteral("occurrence=a")
         << QStringLiteral("-E") << QStringLiteral("aggregator=,");
    for (const QString& f : fields)
        args << QStringLiteral("-e") << f;
    QProcess p;
    p.start(tshark, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        *error = QStringLiteral("tshark failed: %1").arg(QString::fromLocal8Bit(p.readAllStandardError()));
        return false;
    }
    QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast(); // after the last newline (trimming would eat the last empty field too)
    frames->clear();
    for (const QByteArray& line : lines)
        frames->append(line.split('\t'));
    return true;
}

} // namespace ladder::sctp::testing
