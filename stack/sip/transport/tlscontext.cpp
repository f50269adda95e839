// SPDX-License-Identifier: GPL-3.0-or-later
#include "tlscontext.h"

#include <QFile>
#include <QHostAddress>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace ladder::sip {

namespace {
    template <typename T, void (*Free)(T*)> struct Deleter {
        void operator()(T* p) const { Free(p); }
    };
    using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
    using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
    using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
    using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

    QByteArray bioBytes(BIO* bio)
    {
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        return QByteArray(data, qsizetype(n));
    }

    bool addExtension(X509* x, int nid, const QByteArray& value)
    {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        const Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
        return ext && X509_add_ext(x, ext.get(), -1) == 1;
    }

    QSslKey readKey(const QByteArray& pem)
    {
        for (const QSsl::KeyAlgorithm a : { QSsl::Ec, QSsl::Rsa, QSsl::Dsa }) {
            QSslKey key(pem, a, QSsl::Pem, QSsl::PrivateKey);
            if (!key.isNull())
                return key;
        }
        return {};
    }

    bool readFile(const QString& path, const char* what, QByteArray* out, QString* error)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the %1 %2: %3").arg(QLatin1String(what), path, f.errorString());
            return false;
        }
        *out = f.readAll();
        return true;
    }
}

std::optional<TlsContext> TlsContext::make(const TlsSettings& settings, const QString& host, QString* error)
{
    TlsContext c;
    c.m_insecure = settings.insecure;
    c.m_peerTrust = settings.peerTrust;
    if (settings.selfSigned) {
        SelfSignedSpec spec;
        if (!host.isEmpty() && !spec.names.contains(host, Qt::CaseInsensitive))
            spec.names.prepend(host);
        if (!selfSign(spec, &c.m_certificate, &c.m_key, error))
            return std::nullopt;
    } else if (!settings.certificateFile.isEmpty() || !settings.keyFile.isEmpty()) {
        if (settings.certificateFile.isEmpty() || settings.keyFile.isEmpty()) {
            *error = QStringLiteral("a TLS server needs both a certificate and a key file");
            return std::nullopt;
        }
        QByteArray pem;
        if (!readFile(settings.certificateFile, "certificate", &pem, error))
            return std::nullopt;
        const QList<QSslCertificate> chain = QSslCertificate::fromData(pem, QSsl::Pem);
        if (chain.isEmpty()) {
            *error = QStringLiteral("%1 holds no PEM certificate").arg(settings.certificateFile);
            return std::nullopt;
        }
        c.m_certificate = chain.first();
        c.m_chain = chain.mid(1);
        if (!readFile(settings.keyFile, "key", &pem, error))
            return std::nullopt;
        c.m_key = readKey(pem);
        if (c.m_key.isNull()) {
            *error = QStringLiteral("%1 holds no unencrypted PEM private key (RSA, EC or DSA)").arg(settings.keyFile);
            return std::nullopt;
        }
    }
    if (!settings.caFile.isEmpty()) {
        QByteArray pem;
        if (!readFile(settings.caFile, "CA file", &pem, error))
            return std::nullopt;
        c.m_cas = QSslCertificate::fromData(pem, QSsl::Pem);
        if (c.m_cas.isEmpty()) {
            *error = QStringLiteral("%1 holds no PEM certificate").arg(settings.caFile);
            return std::nullopt;
        }
    }
    return c;
}

QSslConfiguration TlsContext::serverConfiguration() const
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setLocalCertificate(m_certificate);
    conf.setLocalCertificateChain(QList<QSslCertificate> { m_certificate } + m_chain);
    conf.setPrivateKey(m_key);
    // RFC 3261 §26.3.1 lets a server ask for client certificates; a lab listener does not.
    conf.setPeerVerifyMode(QSslSocket::VerifyNone);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    return conf;
}

QSslConfiguration TlsContext::clientConfiguration() const
{
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    if (!m_cas.isEmpty())
        conf.addCaCertificates(m_cas);
    // Verified even when insecure, so that the errors can be reported before they are ignored.
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    return conf;
}

bool TlsContext::selfSign(const SelfSignedSpec& spec, QSslCertificate* certificate, QSslKey* key, QString* error)
{
    auto fail = [error](const char* what) {
        *error = QStringLiteral("cannot make a self-signed certificate: %1").arg(QLatin1String(what));
        return false;
    };
    if (spec.names.isEmpty())
        return fail("no name given");
    const PKey pkey(EVP_EC_gen("P-256"));
    if (!pkey)
        return fail("EC key generation failed");
    const X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), 2) != 1)
        return fail("X509_new failed");
    unsigned char serial[8];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return fail("no random serial number");
    serial[0] &= 0x7f; // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    const bool serialSet = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
    BN_free(bn);
    if (!serialSet)
        return fail("cannot set the serial number");
    X509_gmtime_adj(X509_getm_notBefore(x.get()), long(spec.notBeforeSeconds));
    X509_gmtime_adj(X509_getm_notAfter(x.get()), long(spec.notAfterSeconds));
    X509_set_pubkey(x.get(), pkey.get());
    X509_NAME* name = X509_get_subject_name(x.get());
    const QByteArray cn = spec.names.first().toUtf8();
    X509_NAME_add_entry_by_txt(
        name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("LadderLab self-signed"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.constData()), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    QByteArray san;
    for (const QString& n : spec.names) {
        if (n.isEmpty() || n.contains(QLatin1Char(',')))
            return fail("a name is empty or holds a comma");
        san += (san.isEmpty() ? "" : ",") + QByteArray(QHostAddress(n).isNull() ? "DNS:" : "IP:") + n.toUtf8();
    }
    if (!addExtension(x.get(), NID_subject_alt_name, san)
        || !addExtension(x.get(), NID_basic_constraints, "critical,CA:TRUE")
        || !addExtension(x.get(), NID_key_usage, "critical,digitalSignature,keyCertSign")
        || !addExtension(x.get(), NID_ext_key_usage, "serverAuth,clientAuth")
        || !addExtension(x.get(), NID_subject_key_identifier, "hash"))
        return fail("cannot add the certificate's extensions");
    if (X509_sign(x.get(), pkey.get(), EVP_sha256()) <= 0)
        return fail("signing failed");
    const Bio certBio(BIO_new(BIO_s_mem())), keyBio(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), x.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return fail("PEM encoding failed");
    *certificate = QSslCertificate(bioBytes(certBio.get()), QSsl::Pem);
    *key = QSslKey(bioBytes(keyBio.get()), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    if (certificate->isNull() || key->isNull())
        return fail("Qt's TLS backend does not read the result");
    return true;
}

QString TlsContext::reason(QSslError::SslError error)
{
    switch (error) {
    case QSslError::CertificateExpired:
        return QStringLiteral("expired");
    case QSslError::CertificateNotYetValid:
        return QStringLiteral("not yet valid");
    case QSslError::HostNameMismatch:
        return QStringLiteral("name mismatch");
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::CertificateRejected:
    case QSslError::InvalidCaCertificate:
        return QStringLiteral("unknown CA");
    case QSslError::CertificateRevoked:
        return QStringLiteral("revoked");
    default:
        return QStringLiteral("invalid");
    }
}

QByteArray TlsPeerTrust::digest(const QSslCertificate& certificate)
{
    return certificate.isNull() ? QByteArray() : certificate.digest(QCryptographicHash::Sha256);
}

QString TlsPeerTrust::digestText(const QByteArray& digest)
{
    return QString::fromLatin1(digest.toHex(':'));
}

bool TlsPeerTrust::trusts(const QString& peer, const QSslCertificate& certificate) const
{
    const auto it = m_trusted.constFind(peer);
    return it != m_trusted.cend() && !certificate.isNull() && *it == digest(certificate);
}

std::optional<QString> TlsPeerTrust::vouch(const TlsPeerTrust* trust, const QString& peer, const QString& why,
    const QSslCertificate& certificate)
{
    if (!trust)
        return std::nullopt;
    if (trust->trusts(peer, certificate))
        return QStringLiteral("certificate not verified (%1), trusted for this peer: SHA-256 %2").arg(why, digestText(digest(certificate)));
    if (trust->refused)
        trust->refused(peer, why, certificate);
    return std::nullopt;
}

QString TlsContext::describe(const QList<QSslError>& errors)
{
    // The specific faults first: an expired or misnamed CA certificate also leaves the chain
    // untrusted, and "unknown CA" alone would hide what to fix.
    QStringList specific, unknownCa;
    for (const QSslError& e : errors) {
        const QString r = reason(e.error());
        QStringList& list = r == QLatin1String("unknown CA") ? unknownCa : specific;
        const QString part = r + QStringLiteral(" (") + e.errorString() + QLatin1Char(')');
        if (!list.contains(part))
            list << part;
    }
    const QStringList parts = specific + unknownCa;
    return parts.isEmpty() ? QStringLiteral("no reason given") : parts.join(QStringLiteral("; "));
}

} // namespace ladder::sip
