// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace ladder::trace::tls {

// An SSLKEYLOGFILE in the NSS key log format (what OpenSSL's -keylogfile, curl, browsers and
// Wireshark write and read): one "LABEL <client random hex> <secret hex>" per line, '#' comments.
// Read: CLIENT_RANDOM (TLS 1.2: the 48-byte master secret), CLIENT_HANDSHAKE_TRAFFIC_SECRET,
// SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0 and SERVER_TRAFFIC_SECRET_0 (TLS 1.3);
// other labels (EXPORTER_SECRET, early traffic) are skipped. The file is untrusted: at most
// kMaxFileBytes are read, a line longer than 1 KiB or with a malformed random or secret is
// counted as bad and skipped.
class KeyLog {
public:
    static constexpr qint64 kMaxFileBytes = 64 * 1024 * 1024;
    static constexpr int kMaxEntries = 1'000'000;

    struct Secrets {
        QByteArray master; // TLS 1.2 (48 bytes)
        QByteArray clientHandshake, serverHandshake, clientTraffic0, serverTraffic0; // TLS 1.3
    };

    // Reads the file (again, if it grew since: a live capture's peers add to it while it runs).
    // False with *error when it cannot be read at all.
    bool load(const QString& path, QString* error);
    // Parses key log text; lines already known are merged.
    void parse(QByteArrayView text);
    // Reads the file again if its size changed since the last load; true if it did.
    bool reloadIfChanged();

    const Secrets* find(QByteArrayView clientRandom) const;
    qsizetype size() const { return m_secrets.size(); }
    int badLines() const { return m_badLines; }
    QString path() const { return m_path; }

private:
    QHash<QByteArray, Secrets> m_secrets; // by the 32-byte client random
    int m_badLines = 0;
    QString m_path;
    qint64 m_loadedSize = -1;
};

} // namespace ladder::trace::tls
