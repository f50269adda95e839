// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sippeer.h"

#include <QHash>
#include <QMap>

#include <memory>

namespace ladder::sip::auth {
class DigestServer;
}

namespace ladder::lab::peers {

// A registrar (RFC 3261 §10.3): REGISTER adds, refreshes or removes bindings of an address-of-
// record (the To URI) and is answered 200 with every current binding as a Contact with its
// ";expires=" and an Expires header; a REGISTER without Contact just lists them; "Contact: *"
// with Expires: 0 removes them all. Other requests get 405. With requireAuth(), a REGISTER
// without valid Digest credentials (RFC 3261 §22.4, RFC 7616) of a known user is answered 401 with
// a challenge (a nonce from the peer's seed and the run's time: the same bytes for the same seed).
class Registrar : public SipPeer {
public:
    struct Binding {
        QByteArray contact; // "<sip:uac@10.0.0.1:5060>"
        qint64 expiresAtNs = 0; // scheduler time
    };

    Registrar(Stack& stack, const QString& label, const QString& host, quint64 seed, quint32 maxExpires = 3600);
    ~Registrar() override;

    // Live bindings of an address-of-record ("sip:uac@10.0.0.1").
    QList<Binding> bindings(const QByteArray& aor) const;
    int registersReceived() const { return m_registers; }
    // Challenge every REGISTER in `realm`; users and their passwords.
    void requireAuth(const QByteArray& realm, const QHash<QByteArray, QByteArray>& passwords);
    int challengesSent() const { return m_challenges; }

private:
    void onRequest(const sip::Incoming& in);

    quint32 m_maxExpires;
    quint64 m_seed;
    std::unique_ptr<sip::auth::DigestServer> m_auth;
    QHash<QByteArray, QByteArray> m_passwords;
    int m_challenges = 0;
    QMap<QByteArray, QList<Binding>> m_bindings;
    int m_registers = 0;
};

} // namespace ladder::lab::peers
