// SPDX-License-Identifier: GPL-3.0-or-later
#include "livecapture.h"

#include "capture/live/pipeline.h"
#include "capture/packetdecoder.h"

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>

namespace ladder::trace {

struct LiveCaptureAccess {
    static void onPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes)
    {
        auto* c = reinterpret_cast<LiveCapture*>(user);
        const qint64 frac = c->m_nano ? qint64(h->ts.tv_usec) : qint64(h->ts.tv_usec) * 1000;
        c->frame(qint64(h->ts.tv_sec) * 1000000000 + frac, bytes, h->caplen, h->len);
    }
};

namespace {
    constexpr int kBatch = 256; // frames per pcap_dispatch; the notifier fires again for the rest

    QString pcapError(pcap_t* p) { return QString::fromLocal8Bit(pcap_geterr(p)); }

    void putLe16(QByteArray& b, quint16 v)
    {
        b.append(char(v)).append(char(v >> 8));
    }
    void putLe32(QByteArray& b, quint32 v)
    {
        b.append(char(v)).append(char(v >> 8)).append(char(v >> 16)).append(char(v >> 24));
    }
    void pad4(QByteArray& b)
    {
        while (b.size() % 4)
            b.append('\0');
    }
    // A pcapng block: type, length, body (padded), length.
    QByteArray block(quint32 type, QByteArray body)
    {
        pad4(body);
        QByteArray b;
        putLe32(b, type);
        putLe32(b, quint32(body.size() + 12));
        b += body;
        putLe32(b, quint32(body.size() + 12));
        return b;
    }
    QByteArray option(quint16 code, const QByteArray& value)
    {
        QByteArray o;
        putLe16(o, code);
        putLe16(o, quint16(value.size()));
        o += value;
        pad4(o);
        return o;
    }
} // namespace

LiveCapture::LiveCapture(CapturePipeline& pipeline, QObject* parent)
    : QObject(parent)
    , m_pipeline(pipeline)
{
}

LiveCapture::~LiveCapture()
{
    close();
}

bool LiveCapture::start(const LiveCaptureOptions& options, QString* error)
{
    close();
    m_options = options;
    const QByteArray device = options.device.toLocal8Bit();
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_create(device.constData(), errbuf);
    auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        if (p)
            pcap_close(p);
        return false;
    };
    if (!p)
        return fail(QStringLiteral("cannot capture on %1: %2").arg(options.device, QString::fromLocal8Bit(errbuf)));
    pcap_set_snaplen(p, options.snaplen);
    pcap_set_promisc(p, options.promiscuous ? 1 : 0);
    // Not immediate by default: a block of frames at most blockTimeoutMs old is as live as the
    // views can show (they refresh four times a second), and the V3 ring packs frames by their
    // size, so 32 MiB holds seconds of a heavy load where immediate mode's V2 slots hold milliseconds.
    pcap_set_immediate_mode(p, options.immediate ? 1 : 0);
    pcap_set_buffer_size(p, options.bufferBytes);
    pcap_set_timeout(p, options.immediate ? 100 : std::max(1, options.blockTimeoutMs));
    m_nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(p);
    if (rc == PCAP_ERROR_PERM_DENIED || (rc == PCAP_ERROR && pcapError(p).contains(QLatin1String("Operation not permitted")))) {
        const QString binary = options.binary.isEmpty() ? QCoreApplication::applicationFilePath() : options.binary;
        return fail(QStringLiteral("no permission to capture on %1 (%2): run as root, or grant this program the capture "
                                   "capabilities once: sudo setcap cap_net_raw,cap_net_admin+eip %3")
                        .arg(options.device, pcapError(p), binary));
    }
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
        return fail(QStringLiteral("cannot capture on %1: no such device (%2)").arg(options.device, pcapError(p)));
    if (rc == PCAP_ERROR_IFACE_NOT_UP)
        return fail(QStringLiteral("cannot capture on %1: the interface is down").arg(options.device));
    if (rc < 0)
        return fail(QStringLiteral("cannot capture on %1: %2").arg(options.device, pcapError(p)));
    if (rc > 0 && error) // a warning (promiscuous mode not supported…): the capture runs
        *error = QStringLiteral("%1: %2").arg(options.device, pcapError(p));
    if (!options.filter.isEmpty()) {
        bpf_program prog {};
        if (pcap_compile(p, &prog, options.filter.toLocal8Bit().constData(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            return fail(QStringLiteral("bad capture filter '%1': %2").arg(options.filter, pcapError(p)));
        const int set = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (set != 0)
            return fail(QStringLiteral("cannot apply capture filter '%1': %2").arg(options.filter, pcapError(p)));
    }
    if (pcap_setnonblock(p, 1, errbuf) != 0)
        return fail(QStringLiteral("cannot capture on %1: %2").arg(options.device, QString::fromLocal8Bit(errbuf)));
    const int fd = pcap_get_selectable_fd(p);
    if (fd < 0)
        return fail(QStringLiteral("cannot capture on %1: libpcap offers no descriptor to wait on").arg(options.device));
    m_linktype = pcap_datalink(p);
    if (!options.pcapngPath.isEmpty()) {
        m_pcapng = std::make_unique<QFile>(options.pcapngPath);
        if (!m_pcapng->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            const QString why = m_pcapng->errorString();
            m_pcapng.reset();
            return fail(QStringLiteral("cannot write %1: %2").arg(options.pcapngPath, why));
        }
        QByteArray shb;
        putLe32(shb, 0x1A2B3C4D);
        putLe16(shb, 1);
        putLe16(shb, 0);
        putLe32(shb, 0xffffffff); // section length unknown
        putLe32(shb, 0xffffffff);
        shb += option(4, QByteArrayLiteral("LadderLab live capture")); // shb_userappl
        shb += option(0, {});
        QByteArray idb;
        putLe16(idb, quint16(m_linktype));
        putLe16(idb, 0);
        putLe32(idb, quint32(options.snaplen));
        idb += option(2, device); // if_name
        if (!options.filter.isEmpty())
            idb += option(11, QByteArray(1, '\0') + options.filter.toUtf8()); // if_filter, a libpcap string
        idb += option(9, QByteArray(1, char(9))); // if_tsresol: nanoseconds
        idb += option(0, {});
        if (m_pcapng->write(block(0x0A0D0D0A, shb) + block(1, idb)) < 0)
            m_pcapngError = m_pcapng->errorString();
    }
    m_pcap = p;
    m_packets = 0;
    m_notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LiveCapture::readable);
    return true;
}

void LiveCapture::readable()
{
    if (!m_pcap)
        return;
    const quint64 before = m_packets;
    for (int round = 0; round < 64 && m_pcap; ++round) {
        const int n = pcap_dispatch(m_pcap, kBatch, &LiveCaptureAccess::onPacket, reinterpret_cast<u_char*>(this));
        if (n == PCAP_ERROR) {
            const QString why = QStringLiteral("capture on %1 ended: %2").arg(m_options.device, pcapError(m_pcap));
            close();
            if (m_packets != before)
                emit captured(m_packets);
            emit ended(why);
            return;
        }
        if (n < kBatch)
            break; // read dry (or stopped); the notifier wakes us for more
    }
    if (m_packets != before)
        emit captured(m_packets);
}

void LiveCapture::frame(qint64 timeNs, const uchar* data, quint32 caplen, quint32 len)
{
    ++m_packets;
    if (m_pcapng)
        writeFrame(timeNs, data, caplen, len);
    CapturedPacket p;
    p.linktype = quint32(m_linktype);
    p.timeNs = timeNs;
    p.data = data;
    p.size = qsizetype(caplen);
    m_pipeline.feed(p);
}

void LiveCapture::writeFrame(qint64 timeNs, const uchar* data, quint32 caplen, quint32 len)
{
    QByteArray epb;
    epb.reserve(int(caplen) + 32);
    putLe32(epb, 0); // interface 0
    putLe32(epb, quint32(quint64(timeNs) >> 32));
    putLe32(epb, quint32(quint64(timeNs)));
    putLe32(epb, caplen);
    putLe32(epb, len);
    epb.append(reinterpret_cast<const char*>(data), qsizetype(caplen));
    if (m_pcapng->write(block(6, epb)) < 0 && m_pcapngError.isEmpty())
        m_pcapngError = m_pcapng->errorString();
}

void LiveCapture::stop()
{
    if (m_pcap) {
        readable(); // what the kernel still holds
        if (m_pcap && !m_options.immediate) {
            // The block being filled is handed over when its timeout expires: wait for it.
            pollfd pfd { pcap_get_selectable_fd(m_pcap), POLLIN, 0 };
            if (pfd.fd >= 0 && ::poll(&pfd, 1, 2 * std::max(1, m_options.blockTimeoutMs)) > 0)
                readable();
        }
        close();
    }
}

LiveCapture::Stats LiveCapture::stats() const
{
    if (m_pcap) {
        pcap_stat s {};
        if (pcap_stats(m_pcap, &s) == 0) {
            m_lastStats.valid = true;
            m_lastStats.received = s.ps_recv;
            m_lastStats.dropped = s.ps_drop;
            m_lastStats.ifDropped = s.ps_ifdrop;
        }
    }
    return m_lastStats;
}

QString LiveCapture::linktypeName() const
{
    const char* name = pcap_datalink_val_to_description(m_linktype);
    return name ? QString::fromLatin1(name) : QStringLiteral("link type %1").arg(m_linktype);
}

void LiveCapture::close()
{
    delete m_notifier;
    m_notifier = nullptr;
    if (m_pcap) {
        stats(); // keep the last counters
        pcap_close(m_pcap);
        m_pcap = nullptr;
    }
    if (m_pcapng) {
        m_pcapng->close();
        m_pcapng.reset();
    }
}

QStringList captureDevices(QString* error)
{
    QStringList out;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_if_t* all = nullptr;
    if (pcap_findalldevs(&all, errbuf) != 0) {
        if (error)
            *error = QString::fromLocal8Bit(errbuf);
        return out;
    }
    for (pcap_if_t* d = all; d; d = d->next)
        out.append(d->description ? QStringLiteral("%1 (%2)").arg(QString::fromLocal8Bit(d->name), QString::fromLocal8Bit(d->description))
                                  : QString::fromLocal8Bit(d->name));
    pcap_freealldevs(all);
    if (out.isEmpty() && error)
        *error = QStringLiteral("no capture devices (no permission to list them?)");
    return out;
}

QString hostInterfaceName(quint32 index)
{
    char name[IF_NAMESIZE] = {};
    return if_indextoname(index, name) ? QString::fromLocal8Bit(name) : QString();
}

} // namespace ladder::trace
