// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QStringList>

#include <QHash>

#include <functional>
#include <memory>
#include <optional>

namespace ladder::sip {

// Per-peer "trust anyway" for the client side (lab work with self-signed peers, one peer at a
// time): the SHA-256 digest of the one certificate trusted for each HOST:PORT despite its
// verification errors. Verification still runs and its errors are journalled; a certificate with
// another digest at that address is refused as before. Shared (one object for every client
// transport of a user), so a change applies to the next handshake.
class TlsPeerTrust {
public:
    static QByteArray digest(const QSslCertificate& certificate); // SHA-256, raw bytes
    // "ab:cd:…" as browsers show it.
    static QString digestText(const QByteArray& digest);
    void trust(const QString& peer, const QByteArray& digest) { m_trusted.insert(peer, digest); }
    void forget(const QString& peer) { m_trusted.remove(peer); }
    void setAll(const QHash<QString, QByteArray>& trusted) { m_trusted = trusted; }
    const QHash<QString, QByteArray>& all() const { return m_trusted; }
    bool trusts(const QString& peer, const QSslCertificate& certificate) const;
    // A client connection's certificate failed verification (why): if trust holds it for this
    // peer, the line to journal; else the refusal goes to trust's `refused` (when there is a
    // trust) and nothing is returned. For TLS and WSS connections alike.
    static std::optional<QString> vouch(const TlsPeerTrust* trust, const QString& peer, const QString& why,
        const QSslCertificate& certificate);
    // Called when a peer's certificate is refused (peer "HOST:PORT", the reasons as describe()
    // gives them, the certificate): what a user is asked to trust.
    std::function<void(const QString& peer, const QString& why, const QSslCertificate& certificate)> refused;

private:
    QHash<QString, QByteArray> m_trusted;
};

// What a TLS (or WSS) transport is told by its user: RFC 3261 §26.2.1's server certificate for
// listeners, and for clients whom to trust.
struct TlsSettings {
    // Server: the certificate chain and private key, PEM files. Ignored when selfSigned.
    QString certificateFile, keyFile;
    // Server: make a certificate at start (see TlsContext::selfSign) instead of reading files.
    bool selfSigned = false;
    // Client: PEM file of CA certificates trusted besides the system's (a self-signed peer's own
    // certificate works too).
    QString caFile;
    // Client: trust anyway. Verification errors are still reported, then ignored.
    bool insecure = false;
    // Client: trust anyway, per peer and certificate (null: none).
    std::shared_ptr<TlsPeerTrust> peerTrust;
};

// The certificate for a self-signed server.
struct SelfSignedSpec {
    // Subject alternative names: DNS names and IP addresses (told apart by parsing); the first
    // is also the common name.
    QStringList names { QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1") };
    // Validity, in seconds from now (a negative notAfter gives an expired certificate, for tests).
    qint64 notBeforeSeconds = -3600;
    qint64 notAfterSeconds = 30 * 86400;
};

// One transport's TLS configuration, made once from TlsSettings: the server side (certificate
// and key) and the client side (CAs, "insecure"). Qt's TLS backend (OpenSSL) does the TLS;
// libcrypto is used directly only to make a self-signed certificate.
class TlsContext {
public:
    // nullopt with *error when a file cannot be read or the key does not fit the certificate.
    // `host`: added to the self-signed certificate's names when it is not one of them.
    static std::optional<TlsContext> make(const TlsSettings& settings, const QString& host, QString* error);

    QSslConfiguration serverConfiguration() const;
    QSslConfiguration clientConfiguration() const;
    bool insecure() const { return m_insecure; }
    const std::shared_ptr<TlsPeerTrust>& peerTrust() const { return m_peerTrust; }
    bool hasCertificate() const { return !m_certificate.isNull(); }
    const QSslCertificate& certificate() const { return m_certificate; }

    // An EC P-256 key and a certificate signed with it (SHA-256), CA:TRUE so that a client can
    // name the certificate itself as its CA. false with *error when libcrypto fails.
    static bool selfSign(const SelfSignedSpec& spec, QSslCertificate* certificate, QSslKey* key, QString* error);
    // "unknown CA (The certificate is self-signed, and untrusted)"; reasons joined by "; ".
    // The reason is one of: expired, not yet valid, name mismatch, unknown CA, revoked, invalid.
    static QString describe(const QList<QSslError>& errors);
    static QString reason(QSslError::SslError error);

private:
    QSslCertificate m_certificate;
    QList<QSslCertificate> m_chain; // after the certificate, from the same file
    QSslKey m_key;
    QList<QSslCertificate> m_cas;
    bool m_insecure = false;
    std::shared_ptr<TlsPeerTrust> m_peerTrust;
};

} // namespace ladder::sip
