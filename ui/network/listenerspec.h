// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/transport/connection.h"

#include <QList>
#include <QString>

namespace ladder::ui {

// One SIP listening point of network mode: "udp:127.0.0.1:5060", "tls:[::1]:5061", "ws:0.0.0.0:8080".
// A TLS or WSS listener may name its certificate chain and key (PEM files), "tls:127.0.0.1:5061
// cert=/etc/ssl/sip.pem key=/etc/ssl/sip.key"; without them it serves a self-signed certificate.
struct ListenerSpec {
    sip::TransportType type = sip::TransportType::Udp;
    sip::HostPort at;
    QString certificateFile, keyFile; // TLS and WSS only; both or neither

    // "udp", "tcp", "tls", "ws", "wss".
    QString proto() const;
    // The canonical text, "udp:127.0.0.1:5060" (with " cert=… key=…" when given).
    QString toString() const;
    // Whether the host is a loopback address (127.0.0.0/8, ::1, localhost): nothing outside this
    // host can reach it.
    bool isLoopback() const;
    bool operator==(const ListenerSpec& o) const { return type == o.type && at == o.at; }

    // Parses PROTO:HOST:PORT [cert=FILE key=FILE] (PROTO one of udp, tcp, tls, ws, wss; the port is
    // required, 1–65535 — 0 is allowed for a target-less ephemeral listener only when allowAnyPort;
    // cert= and key= for tls and wss only, both or neither; the files are read when the listener
    // starts). False with *error, a sentence naming what is wrong, otherwise.
    static bool parse(const QString& text, ListenerSpec* out, QString* error, bool allowAnyPort = false);
    // The defaults the panel starts with: udp: and tcp: on 127.0.0.1:5060.
    static QList<ListenerSpec> defaults();
};

// Bytes from the network made printable: control characters (but tab) as \r, \n, \xNN; invalid
// UTF-8 as U+FFFD. At most maxChars characters, then "…".
QString escapeNetworkText(QByteArrayView bytes, qsizetype maxChars = 200);

} // namespace ladder::ui
