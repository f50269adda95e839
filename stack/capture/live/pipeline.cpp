// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline.h"

#include "capture/reconstructtext.h"

namespace ladder::trace {

CapturePipeline::CapturePipeline(EventSink out, const CaptureReadOptions& read, const ReconstructOptions& options)
    : m_out(std::move(out))
    , m_rec(std::make_unique<Reconstructor>(options))
{
    m_read.ok = true;
    m_read.format = QStringLiteral("live");
    m_through = [this](Event&& e) { m_rec->consume(std::move(e), m_out); };
    m_decoder = std::make_unique<PacketDecoder>(m_through, read, m_read);
}

CapturePipeline::~CapturePipeline() = default;

void CapturePipeline::feed(const CapturedPacket& p)
{
    ++m_read.packets;
    m_decoder->decode(p);
}

void CapturePipeline::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_rec->finish(m_out);
}

QStringList CapturePipeline::reconstructionText() const
{
    return trace::reconstructionText(m_rec->transactions(), m_rec->dialogs(), m_rec->associations(), m_rec->stats());
}

QString eventLine(const Event& e, quint64 position)
{
    const qint64 ns = e.timeNs;
    const char* sign = ns < 0 ? "-" : "";
    const quint64 a = ns < 0 ? quint64(0) - quint64(ns) : quint64(ns);
    const QString secs = QStringLiteral("%1%2.%3")
                             .arg(QLatin1String(sign))
                             .arg(a / 1000000000)
                             .arg(a % 1000000000 / 1000, 6, 10, QLatin1Char('0'));
    QString ends;
    if (!e.from.isEmpty() || !e.to.isEmpty())
        ends = QStringLiteral("%1 %2 %3  ").arg(e.from.isEmpty() ? QStringLiteral("-") : e.from, QString::fromUtf8("\u2192"),
            e.to.isEmpty() ? QStringLiteral("-") : e.to);
    QString text = e.text;
    text.replace(QLatin1Char('\r'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
    return QStringLiteral("%1 %2 %3 %4 %5%6")
        .arg(position, 6)
        .arg(secs, 14)
        .arg(QLatin1String(kindName(e.kind)), -22)
        .arg(QLatin1String(dirName(e.dir)), -2)
        .arg(ends, text);
}

} // namespace ladder::trace
