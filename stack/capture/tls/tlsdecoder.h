// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "keylog.h"

#include <QByteArray>
#include <QStringList>

namespace ladder::trace::tls {

// One TLS 1.2 or 1.3 connection seen in a capture, decrypted with the secrets of a key log
// (keylog.h). Each direction's reassembled TCP bytes are fed in order; the record layer is framed
// (5-byte headers, a record over 2^14 + 2048 bytes ends the direction: the stream is not TLS or
// lost its framing), the plaintext ClientHello and ServerHello give the client random, the version
// (supported_versions) and the cipher suite, and the application data is decrypted:
// * TLS 1.3: handshake and application traffic keys and IVs by HKDF-Expand-Label from the key
//   log's *_HANDSHAKE_TRAFFIC_SECRET and *_TRAFFIC_SECRET_0, per-record nonce (IV xor sequence
//   number), the inner content type after the zero padding; the direction moves to its
//   application keys after its Finished. KeyUpdate is not followed (the direction stops, with a
//   problem saying so); 0-RTT early data is not decrypted.
// * TLS 1.2: the key block by the PRF (SHA-256 or SHA-384, the suite's) from CLIENT_RANDOM's
//   master secret; AEAD suites only (AES-GCM with the explicit nonce, ChaCha20-Poly1305 with the
//   IV xor sequence number); a CBC or other suite is a problem, not decrypted.
// Ciphers: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 with OpenSSL's libcrypto (EVP). A record
// that fails its tag is a problem (the first per direction is reported, all are counted) and the
// next one is tried. Input is untrusted: every length is checked; of the handshake messages only
// the hellos, Finished and KeyUpdate are held (up to 16 KiB), the rest are skipped unread.
class Connection {
public:
    enum Side { Client = 0, Server = 1 };
    enum class Keys { Unknown, Found, Missing };
    static constexpr qsizetype kMaxRecord = 16384 + 2048;
    static constexpr qsizetype kMaxHeld = 64 * 1024;
    static constexpr qsizetype kMaxHandshakeMessage = 16 * 1024; // ClientHello, ServerHello, Finished, KeyUpdate

    // log may be null (no secrets: every connection ends up Missing). When a connection's secrets
    // are not in it, the records that need them are held (up to kMaxHeld bytes) and the log is
    // read again (if it changed) at each later record: a live capture sees a TLS 1.3 server's
    // first encrypted records before the client has written the secrets for them. keys() is
    // Missing meanwhile, and Found once they came.
    explicit Connection(KeyLog* log);

    // Takes every complete record off the front of *in (the direction's in-order TCP bytes) and
    // appends the decrypted application data to *plain. Problems go to takeProblems().
    void feed(Side side, QByteArray* in, QByteArray* plain);
    QStringList takeProblems();

    Keys keys() const { return m_keys; }
    QString missingReason() const { return m_missingReason; }
    quint16 version() const { return m_version; } // 0x0303, 0x0304; 0 before a ServerHello
    quint16 cipherSuite() const { return m_suite; }
    QByteArray clientRandom() const { return m_clientRandom; }
    quint64 recordsDecrypted() const { return m_decrypted; }
    quint64 tagFailures() const { return m_tagFailures; }
    bool stopped(Side side) const { return m_dir[side].dead; }

    // For tests and the fuzz target: the secrets to use instead of a key log lookup.
    void setSecrets(const KeyLog::Secrets& s)
    {
        m_given = s;
        m_haveGiven = true;
    }

private:
    struct Cipher {
        int kind = 0; // 0 none, 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20-Poly1305
        QByteArray key, iv;
    };
    struct Direction {
        bool encrypted = false; // TLS 1.2: after ChangeCipherSpec
        int epoch = 0; // TLS 1.3: 0 not yet, 1 handshake keys, 2 application keys
        bool dead = false;
        bool tagReported = false;
        quint64 seq = 0;
        Cipher cipher;
        QByteArray hs; // handshake bytes not yet a whole message
        qint64 hsSkip = 0; // bytes of an oversized handshake message still to skip
        QByteArray held; // whole records waiting for the secrets
    };

    void record(Side side, const uchar* rec, qsizetype n, QByteArray* plain);
    void process(Side side, quint8 type, quint16 version, const uchar* body, qsizetype n, QByteArray* plain);
    bool needsKeys(Side side, quint8 type) const;
    void handshake(Side side, const uchar* d, qsizetype n);
    void clientHello(const uchar* d, qsizetype n);
    void serverHello(const uchar* d, qsizetype n);
    bool haveKeys();
    bool setKeys13(Side side, const QByteArray& secret);
    bool setKeys12();
    bool decrypt(Side side, quint8 type, quint16 version, const uchar* body, qsizetype n, QByteArray* out);
    void stop(Side side, const QString& why);
    void problem(const QString& p);
    static const char* sideName(Side s) { return s == Client ? "client" : "server"; }

    KeyLog* m_log;
    KeyLog::Secrets m_given;
    bool m_haveGiven = false;
    const KeyLog::Secrets* m_secrets = nullptr;
    Keys m_keys = Keys::Unknown;
    bool m_gaveUp = false; // Missing for good: no ClientHello, or too much held
    QString m_missingReason;
    QByteArray m_clientRandom, m_serverRandom;
    quint16 m_version = 0;
    quint16 m_suite = 0;
    Direction m_dir[2];
    QStringList m_problems;
    quint64 m_decrypted = 0;
    quint64 m_tagFailures = 0;
};

// The (IANA) name of a cipher suite this decoder knows, or "0xNNNN".
QString cipherSuiteName(quint16 suite);

} // namespace ladder::trace::tls
