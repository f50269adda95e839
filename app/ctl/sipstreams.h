// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SIP over TLS (RFC 3261 §26) and WebSocket (RFC 7118) for `ladderctl send sip` and `listen sip`:
// the tls:, ws: and wss: forms of --to and --on, and the options they share.

#include "sip/transport/connection.h"
#include "sip/transport/streamlimits.h"
#include "sip/transport/tlscontext.h"

#include <QStringList>

namespace ladder::sip {
class SipStack;
}

namespace ladder::ctl {

// True for "tls", "ws", "wss".
bool isSipStreamProto(const QString& proto);
sip::TransportType sipStreamType(const QString& proto);

struct SipStreamOptions {
    sip::TlsSettings tls;
    sip::StreamLimits limits;
    QString path; // ws/wss: the resource outgoing connections open
    QString saveCertificate; // a self-signed certificate is written here (PEM), for clients' --ca
};

// Takes the option at args[*i] (and its value) when it is one of --ca, --insecure, --cert,
// --key, --self-signed, --save-cert, --max-header, --max-message, --max-connections, --idle;
// returns false for any other. *error is set (and true returned) when a value is missing or bad.
bool takeSipStreamOption(const QStringList& args, int* i, SipStreamOptions* options, QString* error);

// Splits "HOST:PORT/path" (ws, wss) into "HOST:PORT" and "/path".
QString splitWsPath(const QString& hostPortPath, QString* path);

// Adds to `stack` a TLS, WS or WSS transport listening on `local` (port 0: any). A TLS/WSS
// listener serves the certificate of `options` (or a self-signed one); its clients verify peers
// with its CA file or trust anyway (insecure). The listening address ("127.0.0.1:5061"), or an
// empty string with *error.
QString addSipStreamTransport(sip::SipStack& stack, const QString& proto, const sip::HostPort& local,
    const SipStreamOptions& options, QString* error);

} // namespace ladder::ctl
