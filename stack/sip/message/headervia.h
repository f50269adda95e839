// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "headerparams.h"

#include <QByteArray>

#include <optional>

namespace ladder::sip {

// One Via value: "SIP/2.0/UDP host:port;branch=z9hG4bK…;received=…;rport". Fields are views into
// the value's text, which the Via keeps alive.
class Via {
public:
    // Provided rather than defaulted: value-initialisation (std::optional's in_place, a list's
    // emplace_back()) would otherwise zero every byte of the object before constructing it.
    Via() { }
    static std::optional<Via> parse(const QByteArray& storage, QByteArrayView value, QByteArray* error);
    static std::optional<Via> parse(const QByteArray& value, QByteArray* error = nullptr)
    {
        return parse(value, QByteArrayView(value), error);
    }
    // Fills *out in place; `storage` may be null when the caller keeps the text alive.
    static bool parseInto(Via* out, const QByteArray& storage, QByteArrayView value, QByteArray* error);

    QByteArrayView protocolName() const { return m_protocolName; } // "SIP"
    QByteArrayView protocolVersion() const { return m_protocolVersion; } // "2.0"
    QByteArrayView transport() const { return m_transport; } // "UDP", "TCP", "TLS", "SCTP", …
    QByteArrayView host() const { return m_host; }
    int port() const { return m_port; } // -1 when absent
    QByteArray sentBy() const; // host[:port]
    // Whether sentBy() equals `other` ignoring case (host names are case-insensitive), without
    // building it: transaction matching runs this for every request and response.
    bool sentByEquals(QByteArrayView other) const;
    const Params& params() const { return m_params; }
    QByteArrayView branch() const { return m_params.value("branch"); }
    bool hasBranch() const { return m_params.has("branch"); }
    QByteArrayView received() const { return m_params.value("received"); }
    bool hasRport() const { return m_params.has("rport"); }
    int rport() const; // the rport value, -1 when absent or valueless
    QByteArrayView maddr() const { return m_params.value("maddr"); }
    QByteArrayView text() const { return m_text; }

private:
    // Writes host[:port] to buf; returns its length, or -1 when it does not fit in cap.
    qsizetype writeSentBy(char* buf, qsizetype cap) const;

    QByteArray m_storage;
    QByteArrayView m_text, m_protocolName, m_protocolVersion, m_transport, m_host;
    int m_port = -1;
    Params m_params;
};

} // namespace ladder::sip
