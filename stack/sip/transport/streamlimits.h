// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QtGlobal>

#include <chrono>

namespace ladder::sip {

// What one stream listener (TCP, TLS, WS, WSS) accepts from peers it does not control. Each limit
// hit closes the connection (or refuses it) and is journalled as an Error with the reason.
struct StreamLimits {
    // Bytes from the start line to the empty line that ends the headers.
    qsizetype maxHeaderBytes = 64 * 1024;
    // A whole message, headers and body (the body's Content-Length, or the WebSocket message).
    qsizetype maxMessageBytes = 1024 * 1024;
    // Open connections per transport, both directions; one more is refused.
    int maxConnections = 1024;
    // A connection with nothing received or sent for this long is closed (0: never).
    int idleSeconds = 300;
    // A TLS or WebSocket handshake that has not completed by then is dropped.
    int handshakeMs = 10000;

    // "64 KiB", "1 MiB", "100 bytes": limits as the journal names them.
    static QString size(qsizetype bytes)
    {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
            return QString::number(bytes / (1024 * 1024)) + QStringLiteral(" MiB");
        if (bytes >= 1024 && bytes % 1024 == 0)
            return QString::number(bytes / 1024) + QStringLiteral(" KiB");
        return QString::number(bytes) + QStringLiteral(" bytes");
    }
};

// Milliseconds on a monotonic clock: connections' last activity, for the idle limit.
inline qint64 monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace ladder::sip
