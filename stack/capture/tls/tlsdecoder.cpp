// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlsdecoder.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace ladder::trace::tls {

namespace {
    constexpr quint8 kChangeCipherSpec = 20, kHandshake = 22, kApplicationData = 23; // and 21, alert
    constexpr int kAes128Gcm = 1, kAes256Gcm = 2, kChaCha = 3;
    constexpr qsizetype kTag = 16;

    struct Suite {
        quint16 id;
        int cipher; // kAes128Gcm…
        bool sha384;
        bool tls13;
        const char* name;
    };
    constexpr Suite kSuites[] = {
        { 0x1301, kAes128Gcm, false, true, "TLS_AES_128_GCM_SHA256" },
        { 0x1302, kAes256Gcm, true, true, "TLS_AES_256_GCM_SHA384" },
        { 0x1303, kChaCha, false, true, "TLS_CHACHA20_POLY1305_SHA256" },
        { 0xC02B, kAes128Gcm, false, false, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
        { 0xC02F, kAes128Gcm, false, false, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
        { 0x009C, kAes128Gcm, false, false, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
        { 0x009E, kAes128Gcm, false, false, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
        { 0xC02C, kAes256Gcm, true, false, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
        { 0xC030, kAes256Gcm, true, false, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
        { 0x009D, kAes256Gcm, true, false, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
        { 0x009F, kAes256Gcm, true, false, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
        { 0xCCA8, kChaCha, false, false, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
        { 0xCCA9, kChaCha, false, false, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
        { 0xCCAA, kChaCha, false, false, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
    };

    const Suite* findSuite(quint16 id)
    {
        for (const Suite& s : kSuites)
            if (s.id == id)
                return &s;
        return nullptr;
    }

    int keyLength(int cipher) { return cipher == kAes128Gcm ? 16 : 32; }

    const EVP_MD* digest(const Suite* s) { return s && s->sha384 ? EVP_sha384() : EVP_sha256(); }

    quint16 get16(const uchar* p) { return quint16(p[0] << 8 | p[1]); }
    quint32 get24(const uchar* p) { return quint32(p[0]) << 16 | quint32(p[1]) << 8 | p[2]; }

    QByteArray hmac(const EVP_MD* md, QByteArrayView key, QByteArrayView data)
    {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        if (!HMAC(md, key.data(), int(key.size()), reinterpret_cast<const uchar*>(data.data()), size_t(data.size()),
                out, &len))
            return {};
        return QByteArray(reinterpret_cast<const char*>(out), int(len));
    }

    // RFC 5869 HKDF-Expand.
    QByteArray hkdfExpand(const EVP_MD* md, const QByteArray& prk, const QByteArray& info, int length)
    {
        QByteArray out, t;
        for (int i = 1; out.size() < length && i < 255; ++i) {
            t = hmac(md, prk, t + info + char(i));
            if (t.isEmpty())
                return {};
            out += t;
        }
        return out.left(length);
    }

    // RFC 8446 7.1 HKDF-Expand-Label with an empty context.
    QByteArray expandLabel(const EVP_MD* md, const QByteArray& secret, const QByteArray& label, int length)
    {
        const QByteArray full = "tls13 " + label;
        QByteArray info;
        info.append(char(length >> 8)).append(char(length)).append(char(full.size())).append(full).append(char(0));
        return hkdfExpand(md, secret, info, length);
    }

    // RFC 5246 5: PRF(secret, label, seed) = P_hash(secret, label + seed).
    QByteArray prf(
        const EVP_MD* md, const QByteArray& secret, const QByteArray& label, const QByteArray& seed, int length)
    {
        const QByteArray s = label + seed;
        QByteArray a = s, out;
        while (out.size() < length) {
            a = hmac(md, secret, a);
            if (a.isEmpty())
                return {};
            out += hmac(md, secret, a + s);
        }
        return out.left(length);
    }

    // The 12-byte nonce: iv xor the sequence number (RFC 8446 5.3, RFC 7905 2).
    QByteArray xorNonce(const QByteArray& iv, quint64 seq)
    {
        QByteArray n = iv;
        for (int i = 0; i < 8; ++i)
            n[n.size() - 1 - i] = char(uchar(n[n.size() - 1 - i]) ^ uchar(seq >> (8 * i)));
        return n;
    }

    bool aeadOpen(int cipher, const QByteArray& key, const QByteArray& nonce, QByteArrayView aad, const uchar* ct,
        qsizetype ctLen, const uchar* tag, QByteArray* out)
    {
        const EVP_CIPHER* c = cipher == kAes128Gcm ? EVP_aes_128_gcm()
            : cipher == kAes256Gcm                 ? EVP_aes_256_gcm()
                                                   : EVP_chacha20_poly1305();
        std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
        if (!ctx || nonce.size() != 12 || key.size() != keyLength(cipher))
            return false;
        int len = 0;
        if (EVP_DecryptInit_ex(ctx.get(), c, nullptr, nullptr, nullptr) != 1
            || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) != 1
            || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const uchar*>(key.constData()),
                   reinterpret_cast<const uchar*>(nonce.constData()))
                != 1
            || EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uchar*>(aad.data()), int(aad.size()))
                != 1)
            return false;
        out->resize(ctLen);
        if (ctLen > 0 && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uchar*>(out->data()), &len, ct, int(ctLen)) != 1)
            return false;
        if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, int(kTag), const_cast<uchar*>(tag)) != 1)
            return false;
        int fin = 0;
        uchar scratch[32];
        return EVP_DecryptFinal_ex(ctx.get(), scratch, &fin) == 1;
    }

    // SHA-256("HelloRetryRequest"): a ServerHello with this random is a HelloRetryRequest.
    const QByteArray& helloRetryRandom()
    {
        static const QByteArray r
            = QByteArray::fromHex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");
        return r;
    }
} // namespace

QString cipherSuiteName(quint16 suite)
{
    if (const Suite* s = findSuite(suite))
        return QString::fromLatin1(s->name);
    return QStringLiteral("0x%1").arg(suite, 4, 16, QLatin1Char('0'));
}

Connection::Connection(KeyLog* log)
    : m_log(log)
{
}

QStringList Connection::takeProblems() { return std::exchange(m_problems, {}); }

void Connection::problem(const QString& p)
{
    if (m_problems.size() < 16)
        m_problems.append(p);
}

void Connection::stop(Side side, const QString& why)
{
    if (!m_dir[side].dead)
        problem(QStringLiteral("TLS %1 records not followed further: %2").arg(QLatin1String(sideName(side)), why));
    m_dir[side].dead = true;
    m_dir[side].hs.clear();
}

void Connection::feed(Side side, QByteArray* in, QByteArray* plain)
{
    Direction& d = m_dir[side];
    qsizetype pos = 0;
    while (!d.dead && in->size() - pos >= 5) {
        const auto* h = reinterpret_cast<const uchar*>(in->constData() + pos);
        const quint8 type = h[0];
        const quint16 version = get16(h + 1);
        const qsizetype len = get16(h + 3);
        if (type < kChangeCipherSpec || type > kApplicationData || h[1] != 3 || len > kMaxRecord) {
            stop(side,
                QStringLiteral("a record header no TLS peer sends (type %1, version 0x%2, %3 bytes)")
                    .arg(type)
                    .arg(version, 4, 16, QLatin1Char('0'))
                    .arg(len));
            break;
        }
        if (in->size() - pos < 5 + len)
            break;
        record(side, h, 5 + len, plain);
        pos += 5 + len;
    }
    if (d.dead)
        in->clear();
    else
        in->remove(0, pos);
}

bool Connection::needsKeys(Side side, quint8 type) const
{
    if (m_version == 0x0304)
        return type == kApplicationData;
    return m_version == 0x0303 && (type == kChangeCipherSpec || m_dir[side].encrypted);
}

// One whole record (header and body): processed, or held until the key log has its secrets.
void Connection::record(Side side, const uchar* rec, qsizetype n, QByteArray* plain)
{
    Direction& d = m_dir[side];
    if (!d.held.isEmpty() || needsKeys(side, rec[0])) {
        if (m_keys == Keys::Missing) {
            if (m_gaveUp)
                return;
            m_keys = Keys::Unknown; // look again: the log may have grown
        }
        if (!haveKeys()) {
            if (m_gaveUp)
                return;
            if (m_dir[Client].held.size() + m_dir[Server].held.size() + n > kMaxHeld) {
                m_gaveUp = true;
                m_dir[Client].held.clear();
                m_dir[Server].held.clear();
                return;
            }
            d.held.append(reinterpret_cast<const char*>(rec), n);
            return;
        }
        if (!d.held.isEmpty()) {
            const QByteArray held = std::exchange(d.held, {});
            for (qsizetype pos = 0; pos + 5 <= held.size() && !d.dead;) {
                const auto* h = reinterpret_cast<const uchar*>(held.constData() + pos);
                const qsizetype len = get16(h + 3);
                process(side, h[0], get16(h + 1), h + 5, len, plain);
                pos += 5 + len;
            }
        }
    }
    if (!d.dead)
        process(side, rec[0], get16(rec + 1), rec + 5, n - 5, plain);
}

void Connection::process(Side side, quint8 type, quint16 version, const uchar* body, qsizetype n, QByteArray* plain)
{
    Direction& d = m_dir[side];
    const bool tls13 = m_version == 0x0304;
    if (tls13) {
        if (type == kChangeCipherSpec)
            return; // middlebox compatibility (RFC 8446 D.4)
        if (type != kApplicationData) {
            if (type == kHandshake && d.epoch == 0)
                handshake(side, body, n); // a second ClientHello after a HelloRetryRequest
            return; // a plaintext alert
        }
        if (m_keys == Keys::Missing)
            return;
        if (d.epoch == 0) {
            if (!haveKeys())
                return;
            const QByteArray& secret = side == Client ? m_secrets->clientHandshake : m_secrets->serverHandshake;
            if (!setKeys13(side, secret))
                return;
            d.epoch = 1;
        }
        QByteArray inner;
        if (!decrypt(side, type, version, body, n, &inner))
            return;
        // The inner plaintext: content, the real type, zero padding (RFC 8446 5.2).
        qsizetype end = inner.size();
        while (end > 0 && inner[end - 1] == 0)
            --end;
        if (end == 0) {
            stop(side, QStringLiteral("a record with no inner content type"));
            return;
        }
        const quint8 innerType = quint8(inner[end - 1]);
        inner.truncate(end - 1);
        if (innerType == kApplicationData) {
            if (d.epoch != 2) {
                problem(QStringLiteral("TLS %1 sent application data before its Finished (0-RTT is not decrypted)")
                            .arg(QLatin1String(sideName(side))));
                return;
            }
            plain->append(inner);
        } else if (innerType == kHandshake) {
            handshake(side, reinterpret_cast<const uchar*>(inner.constData()), inner.size());
        }
        return;
    }
    // TLS 1.2 (or before the ServerHello says which).
    if (type == kChangeCipherSpec) {
        if (m_version == 0) {
            stop(side, QStringLiteral("ChangeCipherSpec before a ServerHello (a resumed or joined-late connection)"));
            return;
        }
        if (m_version != 0x0303) {
            stop(side,
                QStringLiteral("TLS version 0x%1 is not decrypted (1.2 and 1.3 are)")
                    .arg(m_version, 4, 16, QLatin1Char('0')));
            return;
        }
        if (!haveKeys() || !setKeys12())
            return;
        d.encrypted = true;
        d.seq = 0;
        return;
    }
    if (!d.encrypted) {
        if (type == kHandshake)
            handshake(side, body, n);
        else if (type == kApplicationData)
            stop(side, QStringLiteral("application data before the handshake was seen"));
        return;
    }
    QByteArray out;
    if (!decrypt(side, type, version, body, n, &out))
        return;
    if (type == kApplicationData)
        plain->append(out);
    // Finished, alerts: decrypted (their tag checks the keys) and dropped.
}

bool Connection::haveKeys()
{
    if (m_keys == Keys::Found)
        return true;
    if (m_keys == Keys::Missing)
        return false;
    if (m_clientRandom.size() != 32) {
        m_keys = Keys::Missing;
        m_gaveUp = true;
        m_missingReason = QStringLiteral("its ClientHello was not captured");
        return false;
    }
    const bool tls13 = m_version == 0x0304;
    auto complete = [&](const KeyLog::Secrets* s) {
        return s
            && (tls13 ? !s->clientHandshake.isEmpty() && !s->serverHandshake.isEmpty() && !s->clientTraffic0.isEmpty()
                        && !s->serverTraffic0.isEmpty()
                      : !s->master.isEmpty());
    };
    const KeyLog::Secrets* s = m_haveGiven ? &m_given : nullptr;
    if (!s && m_log) {
        s = m_log->find(m_clientRandom);
        if (!complete(s) && m_log->reloadIfChanged())
            s = m_log->find(m_clientRandom);
    }
    if (!complete(s)) {
        m_keys = Keys::Missing;
        m_missingReason = s
            ? QStringLiteral("the key log has no %1 for its client random")
                  .arg(tls13 ? QStringLiteral("TLS 1.3 traffic secrets") : QStringLiteral("CLIENT_RANDOM line"))
            : QStringLiteral("its client random %1 is not in the key log")
                  .arg(QString::fromLatin1(m_clientRandom.toHex().left(16)) + QStringLiteral("…"));
        return false;
    }
    m_secrets = s;
    m_keys = Keys::Found;
    return true;
}

bool Connection::setKeys13(Side side, const QByteArray& secret)
{
    const Suite* s = findSuite(m_suite);
    if (!s || !s->tls13) {
        stop(side, QStringLiteral("cipher suite %1 is not decrypted").arg(cipherSuiteName(m_suite)));
        return false;
    }
    const EVP_MD* md = digest(s);
    if (secret.size() != EVP_MD_get_size(md)) {
        stop(side,
            QStringLiteral("the key log's secret has %1 bytes, %2 needs %3")
                .arg(secret.size())
                .arg(cipherSuiteName(m_suite))
                .arg(EVP_MD_get_size(md)));
        return false;
    }
    Cipher& c = m_dir[side].cipher;
    c.kind = s->cipher;
    c.key = expandLabel(md, secret, "key", keyLength(s->cipher));
    c.iv = expandLabel(md, secret, "iv", 12);
    m_dir[side].seq = 0;
    return c.key.size() == keyLength(s->cipher) && c.iv.size() == 12;
}

bool Connection::setKeys12()
{
    const Suite* s = findSuite(m_suite);
    if (!s || s->tls13) {
        for (Side side : { Client, Server })
            stop(side,
                QStringLiteral("cipher suite %1 is not decrypted (AES-GCM and ChaCha20-Poly1305 suites are)")
                    .arg(cipherSuiteName(m_suite)));
        return false;
    }
    if (m_dir[Client].cipher.kind != 0)
        return true; // the other direction derived them already
    const int keyLen = keyLength(s->cipher);
    const int ivLen = s->cipher == kChaCha ? 12 : 4;
    const QByteArray block
        = prf(digest(s), m_secrets->master, "key expansion", m_serverRandom + m_clientRandom, 2 * keyLen + 2 * ivLen);
    if (block.size() != 2 * keyLen + 2 * ivLen)
        return false;
    m_dir[Client].cipher = { s->cipher, block.mid(0, keyLen), block.mid(2 * keyLen, ivLen) };
    m_dir[Server].cipher = { s->cipher, block.mid(keyLen, keyLen), block.mid(2 * keyLen + ivLen, ivLen) };
    return true;
}

bool Connection::decrypt(Side side, quint8 type, quint16 version, const uchar* body, qsizetype n, QByteArray* out)
{
    Direction& d = m_dir[side];
    const Cipher& c = d.cipher;
    const quint64 seq = d.seq++;
    const bool explicitNonce = m_version == 0x0303 && c.kind != kChaCha;
    const qsizetype overhead = kTag + (explicitNonce ? 8 : 0);
    if (n < overhead) {
        problem(QStringLiteral("TLS %1 record %2: %3 bytes, too short for its cipher")
                    .arg(QLatin1String(sideName(side)))
                    .arg(seq)
                    .arg(n));
        return false;
    }
    QByteArray nonce;
    QByteArray aad;
    const uchar* ct = body;
    qsizetype ctLen = n - kTag;
    if (m_version == 0x0304) {
        nonce = xorNonce(c.iv, seq);
        aad.append(char(type)).append(char(version >> 8)).append(char(version)).append(char(n >> 8)).append(char(n));
    } else {
        if (explicitNonce) {
            nonce = c.iv + QByteArray(reinterpret_cast<const char*>(body), 8);
            ct += 8;
            ctLen -= 8;
        } else {
            nonce = xorNonce(c.iv, seq);
        }
        for (int i = 7; i >= 0; --i)
            aad.append(char(seq >> (8 * i)));
        aad.append(char(type))
            .append(char(version >> 8))
            .append(char(version))
            .append(char(ctLen >> 8))
            .append(char(ctLen));
    }
    if (!aeadOpen(c.kind, c.key, nonce, aad, ct, ctLen, body + n - kTag, out)) {
        ++m_tagFailures;
        if (!d.tagReported) {
            d.tagReported = true;
            problem(QStringLiteral("TLS %1 record %2 failed its authentication tag (a wrong key log entry, or damaged "
                                   "bytes); later ones are still tried")
                        .arg(QLatin1String(sideName(side)))
                        .arg(seq));
        }
        return false;
    }
    ++m_decrypted;
    return true;
}

// Handshake messages (plaintext, or decrypted in TLS 1.3): type, 24-bit length, body.
void Connection::handshake(Side side, const uchar* data, qsizetype n)
{
    Direction& d = m_dir[side];
    if (d.hsSkip > 0) {
        const qsizetype skip = qsizetype(std::min<qint64>(d.hsSkip, n));
        d.hsSkip -= skip;
        data += skip;
        n -= skip;
    }
    if (n <= 0)
        return;
    d.hs.append(reinterpret_cast<const char*>(data), n);
    qsizetype pos = 0;
    while (!d.dead && d.hs.size() - pos >= 4) {
        const auto* h = reinterpret_cast<const uchar*>(d.hs.constData() + pos);
        const quint8 type = h[0];
        const qsizetype len = get24(h + 1);
        const bool wanted = type == 1 || type == 2 || type == 20 || type == 24;
        if (wanted && len > kMaxHandshakeMessage) {
            stop(side, QStringLiteral("a handshake message of type %1 with %2 bytes").arg(type).arg(len));
            return;
        }
        if (!wanted) {
            // Certificates, key exchange, tickets…: skipped without holding them.
            const qsizetype have = d.hs.size() - pos - 4;
            if (have >= len) {
                pos += 4 + len;
                continue;
            }
            d.hsSkip = len - have;
            pos = d.hs.size();
            break;
        }
        if (d.hs.size() - pos - 4 < len)
            break;
        const uchar* body = h + 4;
        switch (type) {
        case 1: // ClientHello
            if (side == Client)
                clientHello(body, len);
            break;
        case 2: // ServerHello
            if (side == Server)
                serverHello(body, len);
            break;
        case 20: // Finished: in TLS 1.3 the direction's application keys follow
            if (m_version == 0x0304 && d.epoch == 1 && m_secrets) {
                const QByteArray& secret = side == Client ? m_secrets->clientTraffic0 : m_secrets->serverTraffic0;
                if (setKeys13(side, secret))
                    d.epoch = 2;
            }
            break;
        case 24: // KeyUpdate
            if (m_version == 0x0304) {
                pos += 4 + len;
                d.hs.remove(0, pos);
                stop(side, QStringLiteral("a KeyUpdate (TLS 1.3 key updates are not followed)"));
                return;
            }
            break;
        default:
            break;
        }
        pos += 4 + len;
    }
    d.hs.remove(0, std::min(pos, d.hs.size()));
}

void Connection::clientHello(const uchar* d, qsizetype n)
{
    if (n < 2 + 32) {
        problem(QStringLiteral("TLS ClientHello of %1 bytes, too short").arg(n));
        return;
    }
    m_clientRandom = QByteArray(reinterpret_cast<const char*>(d + 2), 32);
}

void Connection::serverHello(const uchar* d, qsizetype n)
{
    qsizetype off = 2 + 32;
    if (n < off + 1) {
        problem(QStringLiteral("TLS ServerHello of %1 bytes, too short").arg(n));
        return;
    }
    quint16 version = get16(d);
    const QByteArray random(reinterpret_cast<const char*>(d + 2), 32);
    off += 1 + d[off]; // session id
    if (n < off + 3) {
        problem(QStringLiteral("TLS ServerHello cut short"));
        return;
    }
    const quint16 suite = get16(d + off);
    off += 3; // suite, compression method
    if (n >= off + 2) {
        const qsizetype extEnd = std::min<qsizetype>(n, off + 2 + get16(d + off));
        off += 2;
        while (off + 4 <= extEnd) {
            const quint16 type = get16(d + off);
            const qsizetype len = get16(d + off + 2);
            if (off + 4 + len > extEnd)
                break;
            if (type == 43 && len == 2) // supported_versions: the version chosen
                version = get16(d + off + 4);
            off += 4 + len;
        }
    }
    if (random == helloRetryRandom())
        return; // a HelloRetryRequest: the real ServerHello follows a second ClientHello
    m_serverRandom = random;
    m_version = version;
    m_suite = suite;
    if (version != 0x0303 && version != 0x0304) {
        for (Side side : { Client, Server })
            stop(side,
                QStringLiteral("TLS version 0x%1 is not decrypted (1.2 and 1.3 are)")
                    .arg(version, 4, 16, QLatin1Char('0')));
        return;
    }
    const Suite* s = findSuite(suite);
    if (!s || s->tls13 != (version == 0x0304)) {
        for (Side side : { Client, Server })
            stop(side,
                QStringLiteral("cipher suite %1 is not decrypted (AES-GCM and ChaCha20-Poly1305 suites are)")
                    .arg(cipherSuiteName(suite)));
    }
}

} // namespace ladder::trace::tls
