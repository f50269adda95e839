// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>

class QFile;
class QSocketNotifier;
struct pcap;

namespace ladder::trace {

class CapturePipeline;

struct LiveCaptureOptions {
    QString device; // "lo", "eth0", "any"
    QString filter = QString::fromLatin1(kDefaultFilter); // BPF; empty: everything
    bool promiscuous = false;
    int snaplen = 262144;
    int bufferBytes = 32 * 1024 * 1024; // the kernel's ring for this capture
    // Frames reach the pipeline at most this long after the wire: libpcap's TPACKET_V3 ring hands
    // over a block of frames when it is full or this old (pcap_set_timeout).
    int blockTimeoutMs = 20;
    // pcap_set_immediate_mode instead: each frame on its own, but libpcap then uses TPACKET_V2, whose
    // ring has one fixed slot per frame sized for the interface's largest packet — 256 slots on lo
    // (64 KiB MTU) and 64 on any in 16 MiB, 21 and 5 ms of a 2 000 calls/s load (12 000 frames/s) — so
    // the kernel drops as soon as the reader is late by that much (docs/PERFORMANCE.md, "The kernel's
    // ring and the autosave").
    bool immediate = false;
    // Named in the permission message's setcap command (empty: this process's executable).
    QString binary;
    // Also write every captured frame, as captured, to this pcapng file (empty: none).
    QString pcapngPath;

    static constexpr const char* kDefaultFilter = "port 5060 or port 5061 or sctp or udp port 9899";
};

// A live capture with libpcap: opens a device (pcap_create, a TPACKET_V3 ring whose blocks come at
// most blockTimeoutMs after their first frame — or immediate mode on request —, non-blocking,
// nanosecond time stamps where the kernel gives them), applies a BPF filter, and feeds every frame to a
// CapturePipeline from the event loop of the thread it lives in — libpcap's selectable descriptor
// under a QSocketNotifier, read dry on each wake-up; never a busy loop, never a thread of its own.
// Link types are the pipeline's (capturereader.h): Ethernet with 802.1Q/QinQ tags, Linux cooked
// v1/v2, loopback/null, raw IP.
//
// Errors are libpcap's own words, with what to do: a bad filter is refused with pcap_geterr's
// message; missing privileges name `setcap cap_net_raw,cap_net_admin+eip BINARY` (or root). A
// device that goes away ends the capture (ended() says why); what was captured stays in the pipeline.
class LiveCapture : public QObject {
    Q_OBJECT
public:
    explicit LiveCapture(CapturePipeline& pipeline, QObject* parent = nullptr);
    ~LiveCapture() override;

    bool start(const LiveCaptureOptions& options, QString* error);
    // Stops reading (pending frames in the kernel are read first, waiting up to twice the block
    // timeout for the block still being filled). ended() is not emitted.
    void stop();
    bool running() const { return m_pcap != nullptr; }

    quint64 packets() const { return m_packets; }
    // libpcap's counters (pcap_stats): received by the filter, dropped for want of buffer space
    // (kernel), dropped by the interface. valid is false when libpcap cannot tell.
    struct Stats {
        bool valid = false;
        quint64 received = 0, dropped = 0, ifDropped = 0;
    };
    Stats stats() const;
    int linktype() const { return m_linktype; }
    QString linktypeName() const;
    QString device() const { return m_options.device; }
    // A pcapng write failed (disk full…): the capture goes on; this says what happened.
    QString pcapngError() const { return m_pcapngError; }

signals:
    // After each batch read: packets() grew.
    void captured(quint64 total);
    // The capture ended on its own (the device vanished, a read error): the reason.
    void ended(const QString& reason);

private:
    void readable();
    void close();
    friend struct LiveCaptureAccess;
    void frame(qint64 timeNs, const uchar* data, quint32 caplen, quint32 len);
    void writeFrame(qint64 timeNs, const uchar* data, quint32 caplen, quint32 len);

    CapturePipeline& m_pipeline;
    LiveCaptureOptions m_options;
    pcap* m_pcap = nullptr;
    QSocketNotifier* m_notifier = nullptr;
    int m_linktype = 0;
    bool m_nano = false;
    quint64 m_packets = 0;
    mutable Stats m_lastStats;
    std::unique_ptr<QFile> m_pcapng;
    QString m_pcapngError;
};

// The devices libpcap can open ("lo", "any", "eth0"…), with their descriptions; error when none.
QStringList captureDevices(QString* error);
// This host's name for an interface index ("lo"), or empty: what a live capture gives
// CaptureReadOptions::interfaceName (a file from elsewhere must not use it).
QString hostInterfaceName(quint32 index);

} // namespace ladder::trace
