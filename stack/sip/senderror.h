// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QFlags>
#include <QMetaType>
#include <QString>

namespace ladder::sip {

// The flags of the send call, after sip_sendmsg(3SIP).
enum class SendFlag : quint8 {
    None = 0,
    // SIP_SEND_STATEFUL: create a transaction for a request (and keep it: retransmissions, timers,
    // matching of responses); send a response through its server transaction.
    Stateful = 0x1,
    // SIP_DIALOG_ON_FORK: every forked 1xx/2xx with a new To tag creates its own dialog; without
    // it only the first To tag does.
    DialogOnFork = 0x2,
};
Q_DECLARE_FLAGS(SendFlags, SendFlag)
Q_DECLARE_OPERATORS_FOR_FLAGS(SendFlags)

// What the send call did (sip_sendmsg returns the error; errno is left as it was). error is 0 or an
// errno value; errnoName is "EINVAL", "ENOENT",
// "EPROTO", "ENOMEM" (sip_sendmsg's errors), or "EIO" when the transport refused the bytes;
// reason is a sentence that names the cause and what to fix.
struct SendResult {
    int error = 0;
    QByteArray errnoName;
    QString reason;
    quint64 transaction = 0; // the transaction created or used (0 = sent statelessly)
    quint64 dialog = 0; // the dialog the message belongs to (0 = none)
    // A successful send that did something other than asked says what and why (a stateful ACK
    // goes statelessly); empty otherwise.
    QString note;

    bool ok() const { return error == 0; }
    QString toString() const
    {
        if (!ok())
            return QString::fromLatin1(errnoName) + QStringLiteral(": ") + reason;
        return note.isEmpty() ? QStringLiteral("sent") : note;
    }
    static SendResult failure(int error, const char* name, QString reason)
    {
        SendResult r;
        r.error = error;
        r.errnoName = name;
        r.reason = std::move(reason);
        return r;
    }
};

} // namespace ladder::sip

Q_DECLARE_METATYPE(ladder::sip::SendResult)
