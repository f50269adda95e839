// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace ladder::trace {

// A network address taken from an Event endpoint string ("[label ]host:port"), for the exporters
// that must put IP headers around what the journal recorded.
struct NetEndpoint {
    bool v6 = false;
    QByteArray addr; // 4 or 16 bytes, network order
    quint16 port = 0;
    bool synthetic = false; // the endpoint named no usable IP address; see parseEndpoint

    bool operator==(const NetEndpoint& o) const { return v6 == o.v6 && addr == o.addr && port == o.port; }
};

// Parses the text after the last space of an endpoint string: "10.0.0.1:5060", "[::1]:5060",
// "::1" (no port), "10.0.0.1". When that text is not an IP address ("uac", "example.com:5060", an
// empty string), the address is synthesised so that the same label always maps to the same address:
// 10.H1.H2.H3 where H1..H3 are bytes of the FNV-1a hash of the label (H3 kept within 1..254).
// A missing port becomes defaultPort.
NetEndpoint parseEndpoint(const QString& text, quint16 defaultPort);

// Gives both ends the same family: an IPv4 end facing an IPv6 end becomes ::ffff:a.b.c.d.
void unifyFamilies(NetEndpoint& a, NetEndpoint& b);

// "10.0.0.1:5060" or "[2001:db8::1]:5060" — the form the journal uses.
QString formatEndpoint(const QByteArray& addr, quint16 port);

} // namespace ladder::trace
