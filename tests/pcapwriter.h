// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A classic pcap file's bytes, as the suites craft them: the 24-byte file header (version 2.4, the
// magic for microsecond or nanosecond stamps, in either byte order), then for each frame a 16-byte
// record header (stamp, captured and original length, both the frame's size) and the frame.

#include <QByteArray>

namespace ladder::test {

struct PcapFormat {
    quint32 snaplen = 262144;
    bool nano = false; // nanosecond stamps (magic a1b23c4d), else microseconds (a1b2c3d4)
    bool bigEndian = false;
};

class PcapWriter {
public:
    explicit PcapWriter(quint32 linktype, PcapFormat format = PcapFormat())
        : m_format(format)
    {
        u32(format.nano ? 0xa1b23c4du : 0xa1b2c3d4u);
        u16(2);
        u16(4);
        u32(0); // thiszone
        u32(0); // sigfigs
        u32(format.snaplen);
        u32(linktype);
    }
    // One frame stamped `ns` nanoseconds after the epoch (written at the file's resolution).
    void add(const QByteArray& frame, qint64 ns)
    {
        u32(quint32(ns / 1'000'000'000));
        u32(quint32(ns % 1'000'000'000 / (m_format.nano ? 1 : 1000)));
        u32(quint32(frame.size()));
        u32(quint32(frame.size()));
        m_bytes.append(frame);
    }
    void addUs(const QByteArray& frame, qint64 us) { add(frame, us * 1000); }
    const QByteArray& bytes() const { return m_bytes; }
    QByteArray& bytes() { return m_bytes; }

private:
    void u16(quint16 v)
    {
        const char b[2] = { char(m_format.bigEndian ? v >> 8 : v), char(m_format.bigEndian ? v : v >> 8) };
        m_bytes.append(b, 2);
    }
    void u32(quint32 v)
    {
        for (int i = 0; i < 4; ++i)
            m_bytes.append(char(v >> (m_format.bigEndian ? 24 - 8 * i : 8 * i)));
    }

    PcapFormat m_format;
    QByteArray m_bytes;
};

} // namespace ladder::test
