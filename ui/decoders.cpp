// SPDX-License-Identifier: GPL-3.0-or-later
#include "decoders.h"

#include "inspectorwidget.h"
#include "journal/explain.h"
#include "sctp/chunkdecoder.h"
#include "sip/message/parser.h"

#include <QTreeWidgetItem>

#include <functional>

namespace ladder::ui {

namespace {
    QTreeWidgetItem* row(QTreeWidgetItem* parent, const QString& name, const QString& value = {})
    {
        auto* it = new QTreeWidgetItem(parent, { name, value });
        it->setToolTip(1, value);
        return it;
    }
    QString s(QByteArrayView v) { return QString::fromUtf8(v.data(), v.size()); }

    // Each child row's RFC column: the section that defines the field the row names.
    void referenceChildren(QTreeWidgetItem* parent, const std::function<std::optional<trace::Reference>(const QString&)>& of)
    {
        for (int i = 0; i < parent->childCount(); ++i)
            InspectorWidget::setReference(parent->child(i), of(parent->child(i)->text(0)));
    }

    void uriRows(QTreeWidgetItem* parent, const sip::Uri& u)
    {
        row(parent, QStringLiteral("scheme"), s(u.schemeText()));
        if (!u.user().isEmpty())
            row(parent, QStringLiteral("user"), s(u.user()));
        row(parent, QStringLiteral("host"), s(u.host()));
        if (u.port() >= 0)
            row(parent, QStringLiteral("port"), QString::number(u.port()));
    }
} // namespace

void decodeSip(const QByteArray& raw, QTreeWidgetItem* root)
{
    const sip::ParseResult r = sip::parse(raw);
    if (!r.ok) {
        row(root, QObject::tr("Error"), r.error);
        return;
    }
    const sip::Message& m = r.message;
    auto* start = row(root, QObject::tr("Start line"));
    if (m.isRequest()) {
        row(start, QObject::tr("Method"), s(m.method()));
        auto* uri = row(start, QObject::tr("Request-URI"), s(m.requestUriText()));
        if (auto u = m.requestUri())
            uriRows(uri, *u);
    } else {
        row(start, QObject::tr("Status"), QString::number(m.statusCode()));
        row(start, QObject::tr("Reason"), s(m.reasonPhrase()));
    }
    row(start, QObject::tr("Version"), s(m.version()));
    InspectorWidget::setReference(start, trace::sipStartLineReference(u"Start line"));
    referenceChildren(start, [](const QString& part) { return trace::sipStartLineReference(part); });
    start->setExpanded(true);
    auto* headers = row(root, QObject::tr("Headers"), QString::number(m.headerCount()));
    for (qsizetype i = 0; i < m.headerCount(); ++i) {
        const sip::HeaderView h = m.headerAt(i);
        auto* item = row(headers, s(h.name), s(h.value));
        InspectorWidget::setReference(item, trace::sipHeaderReference(s(h.name)));
        // Parameters after the first ';' outside <…> and quotes, one row each.
        const QString value = s(h.value);
        bool quoted = false;
        int angle = 0;
        for (qsizetype k = 0; k < value.size(); ++k) {
            const QChar c = value[k];
            if (c == QLatin1Char('"'))
                quoted = !quoted;
            else if (!quoted && c == QLatin1Char('<'))
                ++angle;
            else if (!quoted && c == QLatin1Char('>'))
                --angle;
            else if (!quoted && angle == 0 && c == QLatin1Char(';')) {
                const QStringList params = value.mid(k + 1).split(QLatin1Char(';'));
                for (const QString& p : params) {
                    const qsizetype eq = p.indexOf(QLatin1Char('='));
                    row(item, p.left(eq < 0 ? p.size() : eq).trimmed(), eq < 0 ? QString() : p.mid(eq + 1).trimmed());
                }
                break;
            }
        }
    }
    headers->setExpanded(true);
    if (const auto cseq = m.cseq()) {
        auto* c = row(root, QObject::tr("Transaction"));
        row(c, QObject::tr("CSeq"), QStringLiteral("%1 %2").arg(cseq->number).arg(s(cseq->method)));
        if (const auto via = m.topVia())
            row(c, QObject::tr("Branch"), s(via->branch()));
        row(c, QObject::tr("Call-ID"), s(m.callId()));
        row(c, QObject::tr("From tag"), s(m.fromTag()));
        row(c, QObject::tr("To tag"), s(m.toTag()));
    }
    if (!m.body().isEmpty()) {
        auto* body = row(root, QObject::tr("Body"), QObject::tr("%1 bytes %2").arg(m.body().size()).arg(s(m.contentType())));
        const QString text = s(m.body());
        for (const QString& line : text.split(QStringLiteral("\r\n")).mid(0, 200))
            if (!line.isEmpty())
                row(body, line.left(1), line.mid(2));
    }
    for (const QString& w : r.warnings)
        row(root, QObject::tr("Warning"), w);
}

void decodeSctp(const QByteArray& raw, QTreeWidgetItem* root)
{
    const sctp::DecodedPacket p = sctp::decodePacket(raw);
    if (!p.valid) {
        row(root, QObject::tr("Error"), p.error.isEmpty() ? QObject::tr("not an SCTP packet") : p.error);
        return;
    }
    auto* head = row(root, QObject::tr("Common header"));
    row(head, QObject::tr("Source port"), QString::number(p.srcPort));
    row(head, QObject::tr("Destination port"), QString::number(p.dstPort));
    row(head, QObject::tr("Verification tag"), QStringLiteral("0x%1").arg(p.verificationTag, 8, 16, QLatin1Char('0')));
    row(head, QObject::tr("Checksum (CRC32c)"),
        QStringLiteral("0x%1 %2").arg(p.checksum, 8, 16, QLatin1Char('0')).arg(p.checksumOk ? QObject::tr("[correct]") : QObject::tr("[incorrect]")));
    referenceChildren(head, [](const QString& field) { return trace::sctpFieldReference(trace::kSctpCommonHeader, field); });
    InspectorWidget::setReference(head, trace::sctpFieldReference(trace::kSctpCommonHeader, u"Common header"));
    head->setExpanded(true);
    if (!p.error.isEmpty())
        row(root, QObject::tr("Problem"), p.error);
    for (const sctp::DecodedChunk& c : p.chunks) {
        auto* item = row(root, sctp::chunkTypeName(c.type), c.info);
        row(item, QObject::tr("Type"), QStringLiteral("0x%1").arg(c.type, 2, 16, QLatin1Char('0')));
        row(item, QObject::tr("Flags"), QStringLiteral("0x%1").arg(c.flags, 2, 16, QLatin1Char('0')));
        row(item, QObject::tr("Length"), QString::number(c.length));
        if (c.truncated)
            row(item, QObject::tr("Truncated"), QObject::tr("yes"));
        switch (c.type) {
        case sctp::chunk::Data:
        case sctp::chunk::IData:
            row(item, QStringLiteral("TSN"), QString::number(c.tsn));
            row(item, QObject::tr("Stream"), QString::number(c.sid));
            row(item, c.type == sctp::chunk::IData ? QStringLiteral("MID") : QStringLiteral("SSN"), QString::number(c.ssn));
            row(item, QStringLiteral("PPID"), QString::number(c.ppid));
            row(item, QObject::tr("B/E/U/I"), QStringLiteral("%1%2%3%4")
                                                   .arg(c.beginning() ? QLatin1Char('B') : QLatin1Char('-'))
                                                   .arg(c.ending() ? QLatin1Char('E') : QLatin1Char('-'))
                                                   .arg(c.unordered() ? QLatin1Char('U') : QLatin1Char('-'))
                                                   .arg(c.sackImmediately() ? QLatin1Char('I') : QLatin1Char('-')));
            row(item, QObject::tr("Payload"), QObject::tr("%1 bytes").arg(c.payloadLength));
            break;
        case sctp::chunk::Sack:
        case sctp::chunk::NrSack: {
            row(item, QObject::tr("Cumulative TSN ack"), QString::number(c.cumTsn));
            row(item, QObject::tr("a_rwnd"), QString::number(c.arwnd));
            QStringList gaps;
            for (const auto& g : c.gapBlocks)
                gaps << QStringLiteral("%1–%2").arg(c.cumTsn + g.first).arg(c.cumTsn + g.second);
            row(item, QObject::tr("Gap blocks"), gaps.join(QStringLiteral(", ")));
            QStringList dups;
            for (quint32 d : c.duplicateTsns)
                dups << QString::number(d);
            row(item, QObject::tr("Duplicate TSNs"), dups.join(QStringLiteral(", ")));
            break;
        }
        case sctp::chunk::ForwardTsn:
        case sctp::chunk::IForwardTsn: {
            row(item, QObject::tr("New cumulative TSN"), QString::number(c.cumTsn));
            for (const auto& sk : c.skipped)
                row(item, QObject::tr("Skipped"), QObject::tr("stream %1 %2 %3%4").arg(sk.sid)
                                                      .arg(c.type == sctp::chunk::IForwardTsn ? QStringLiteral("MID") : QStringLiteral("SSN"))
                                                      .arg(sk.ssn)
                                                      .arg(sk.unordered ? QObject::tr(" (unordered)") : QString()));
            break;
        }
        case sctp::chunk::Init:
        case sctp::chunk::InitAck:
            row(item, QObject::tr("Initiate tag"), QStringLiteral("0x%1").arg(c.initiateTag, 8, 16, QLatin1Char('0')));
            row(item, QObject::tr("a_rwnd"), QString::number(c.arwnd));
            row(item, QObject::tr("Outbound streams"), QString::number(c.outboundStreams));
            row(item, QObject::tr("Inbound streams"), QString::number(c.inboundStreams));
            row(item, QObject::tr("Initial TSN"), QString::number(c.initialTsn));
            row(item, QObject::tr("PR-SCTP"), c.prSupported ? QObject::tr("supported") : QObject::tr("not supported"));
            row(item, QObject::tr("I-DATA"), c.idataSupported ? QObject::tr("supported") : QObject::tr("not supported"));
            break;
        case sctp::chunk::Abort:
        case sctp::chunk::OperationError:
            for (quint16 cause : c.causes)
                row(item, QObject::tr("Cause"), QStringLiteral("%1 (%2)").arg(sctp::errorCauseName(cause)).arg(cause));
            break;
        case sctp::chunk::Shutdown: row(item, QObject::tr("Cumulative TSN ack"), QString::number(c.cumTsn)); break;
        default: break;
        }
        InspectorWidget::setReference(item, trace::sctpChunkReference(c.type));
        const quint8 type = c.type;
        referenceChildren(item, [type](const QString& field) { return trace::sctpFieldReference(type, field); });
    }
}

void registerInspectorDecoders()
{
    auto sip = [](const trace::Event& e, QTreeWidgetItem* root) { decodeSip(e.raw, root); };
    InspectorWidget::registerDecoder(trace::Kind::SipMessage, sip);
    InspectorWidget::registerDecoder(trace::Kind::SipRetransmission, sip);
    InspectorWidget::registerDecoder(trace::Kind::LinkDrop, [](const trace::Event& e, QTreeWidgetItem* root) {
        if (e.raw.startsWith("SIP/2.0") || e.raw.contains(" SIP/2.0\r\n"))
            decodeSip(e.raw, root);
        else
            decodeSctp(e.raw, root);
    });
    InspectorWidget::registerDecoder(trace::Kind::SctpPacket, [](const trace::Event& e, QTreeWidgetItem* root) { decodeSctp(e.raw, root); });
}

} // namespace ladder::ui
