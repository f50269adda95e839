// SPDX-License-Identifier: GPL-3.0-or-later
// The parsed view's per-field references: SIP header fields and SCTP chunk fields.
#include "explain_p.h"

namespace ladder::trace {

using namespace explaindetail;

std::optional<Reference> sipHeaderReference(QStringView name)
{
    struct Header {
        const char* name;
        const char* compact;
        int rfcNumber;
        const char* section;
    };
    // RFC 3261 §20 lists its headers alphabetically, §20.1–§20.44; compact forms from §7.3.3 and the
    // extensions that define them.
    static const Header headers[] = { { "Accept", nullptr, 3261, "20.1" }, { "Accept-Encoding", nullptr, 3261, "20.2" },
        { "Accept-Language", nullptr, 3261, "20.3" }, { "Alert-Info", nullptr, 3261, "20.4" }, { "Allow", nullptr, 3261, "20.5" },
        { "Authentication-Info", nullptr, 3261, "20.6" }, { "Authorization", nullptr, 3261, "20.7" },
        { "Call-ID", "i", 3261, "20.8" }, { "Call-Info", nullptr, 3261, "20.9" }, { "Contact", "m", 3261, "20.10" },
        { "Content-Disposition", nullptr, 3261, "20.11" }, { "Content-Encoding", "e", 3261, "20.12" },
        { "Content-Language", nullptr, 3261, "20.13" }, { "Content-Length", "l", 3261, "20.14" },
        { "Content-Type", "c", 3261, "20.15" }, { "CSeq", nullptr, 3261, "20.16" }, { "Date", nullptr, 3261, "20.17" },
        { "Error-Info", nullptr, 3261, "20.18" }, { "Expires", nullptr, 3261, "20.19" }, { "From", "f", 3261, "20.20" },
        { "In-Reply-To", nullptr, 3261, "20.21" }, { "Max-Forwards", nullptr, 3261, "20.22" },
        { "Min-Expires", nullptr, 3261, "20.23" }, { "MIME-Version", nullptr, 3261, "20.24" },
        { "Organization", nullptr, 3261, "20.25" }, { "Priority", nullptr, 3261, "20.26" },
        { "Proxy-Authenticate", nullptr, 3261, "20.27" }, { "Proxy-Authorization", nullptr, 3261, "20.28" },
        { "Proxy-Require", nullptr, 3261, "20.29" }, { "Record-Route", nullptr, 3261, "20.30" },
        { "Reply-To", nullptr, 3261, "20.31" }, { "Require", nullptr, 3261, "20.32" }, { "Retry-After", nullptr, 3261, "20.33" },
        { "Route", nullptr, 3261, "20.34" }, { "Server", nullptr, 3261, "20.35" }, { "Subject", "s", 3261, "20.36" },
        { "Supported", "k", 3261, "20.37" }, { "Timestamp", nullptr, 3261, "20.38" }, { "To", "t", 3261, "20.39" },
        { "Unsupported", nullptr, 3261, "20.40" }, { "User-Agent", nullptr, 3261, "20.41" }, { "Via", "v", 3261, "20.42" },
        { "Warning", nullptr, 3261, "20.43" }, { "WWW-Authenticate", nullptr, 3261, "20.44" },
        { "RSeq", nullptr, 3262, "7.1" }, { "RAck", nullptr, 3262, "7.2" }, { "Event", "o", 6665, "8.2.1" },
        { "Allow-Events", "u", 6665, "8.2.2" }, { "Subscription-State", nullptr, 6665, "8.2.3" },
        { "Refer-To", "r", 3515, "2.1" }, { "Referred-By", "b", 3892, "" }, { "Reason", nullptr, 3326, "2" },
        { "Privacy", nullptr, 3323, "" }, { "P-Asserted-Identity", nullptr, 3325, "9.1" },
        { "P-Preferred-Identity", nullptr, 3325, "9.2" }, { "Session-Expires", "x", 4028, "4" }, { "Min-SE", nullptr, 4028, "5" },
        { "Replaces", nullptr, 3891, "6.1" }, { "Flow-Timer", nullptr, 5626, "" }, { "Path", nullptr, 3327, "" },
        { "Service-Route", nullptr, 3608, "" }, { "Security-Client", nullptr, 3329, "2.6" },
        { "Security-Server", nullptr, 3329, "2.6" }, { "Security-Verify", nullptr, 3329, "2.6" },
        { "Accept-Contact", "a", 3841, "" }, { "Reject-Contact", "j", 3841, "" }, { "Request-Disposition", "d", 3841, "" },
        { "Identity", "y", 8224, "" }, { "P-Associated-URI", nullptr, 7315, "4.1" },
        { "P-Called-Party-ID", nullptr, 7315, "4.2" }, { "P-Visited-Network-ID", nullptr, 7315, "4.3" },
        { "P-Access-Network-Info", nullptr, 7315, "4.4" }, { "P-Charging-Function-Addresses", nullptr, 7315, "4.5" },
        { "P-Charging-Vector", nullptr, 7315, "4.6" } };
    const QString n = name.trimmed().toString();
    for (const Header& h : headers) {
        if (n.compare(QLatin1String(h.name), Qt::CaseInsensitive) == 0
            || (h.compact && n.compare(QLatin1String(h.compact), Qt::CaseInsensitive) == 0))
            return rfc(h.rfcNumber, QLatin1String(h.section), QStringLiteral("%1 header field").arg(QLatin1String(h.name)));
    }
    return std::nullopt;
}

std::optional<Reference> sipStartLineReference(QStringView part)
{
    if (part == QLatin1String("Method") || part == QLatin1String("Request-URI") || part == QLatin1String("Version")
        || part == QLatin1String("Start line"))
        return rfc(3261, part == QLatin1String("Request-URI") ? QStringLiteral("19.1") : QStringLiteral("7.1"),
            part == QLatin1String("Request-URI") ? QStringLiteral("SIP and SIPS Uniform Resource Indicators") : QStringLiteral("Requests"));
    if (part == QLatin1String("Status") || part == QLatin1String("Reason"))
        return rfc(3261, QStringLiteral("7.2"), QStringLiteral("Responses"));
    return std::nullopt;
}

std::optional<Reference> sctpChunkReference(quint8 type)
{
    Event e;
    e.kind = Kind::SctpChunk;
    e.a = type;
    const Explanation x = explainSctpChunk(e);
    // An unknown type is explained by RFC 4960 §3.2's rule for unknown chunks, not by a definition.
    if (x.refs.isEmpty() || x.refs.front() == rfc4960(QStringLiteral("3.2"), QStringLiteral("Chunk field descriptions")))
        return std::nullopt;
    return x.refs.front();
}

std::optional<Reference> sctpFieldReference(quint8 chunkType, QStringView field)
{
    if (chunkType == kSctpCommonHeader)
        return field == QLatin1String("Checksum (CRC32c)")
            ? rfc4960(QStringLiteral("Appendix B"), QStringLiteral("CRC32c checksum calculation"))
            : rfc4960(QStringLiteral("3.1"), QStringLiteral("SCTP common header field descriptions"));
    if (field == QLatin1String("Type") || field == QLatin1String("Flags") || field == QLatin1String("Length"))
        return rfc4960(QStringLiteral("3.2"), QStringLiteral("Chunk field descriptions"));
    if (field == QLatin1String("PR-SCTP") && (chunkType == 0x01 || chunkType == 0x02))
        return rfc(3758, QStringLiteral("3.1"), QStringLiteral("Forward-TSN-Supported parameter for INIT and INIT ACK"));
    if (field == QLatin1String("Cause"))
        return rfc4960(QStringLiteral("3.3.10"), QStringLiteral("Operation Error (ERROR) and its causes"));
    return sctpChunkReference(chunkType);
}

} // namespace ladder::trace
