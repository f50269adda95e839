// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "flatmap.h"
#include "journal/event.h"
#include "payloadarena.h"
#include "sipfacts.h"

#include "sip/snapshot.h"


namespace ladder::trace {

// INVITE dialogs (RFC 3261 §12) rebuilt from captured messages (part of Reconstructor): a 101–199
// response with a To tag makes an early dialog, a 2xx a confirmed one, each distinct To tag for
// one INVITE its own dialog (a fork); a non-2xx final response or the INVITE transaction's end
// terminates the early ones, a BYE (or a 481/408 to an in-dialog request) the dialog. Dialogs are
// keyed by Call-ID + caller tag + callee tag and numbered from 1.
class SipDialogTracker {
public:
    // tx: the transaction the message belongs to (0 if none).
    void onMessage(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after);
    // The INVITE transaction tx ended: its early dialogs end with it.
    void onInviteTerminated(quint64 tx, qint64 timeNs, QList<Event>& out);

    QList<sip::DialogSnapshot> snapshots() const;
    // The same, moved out: the tracker is empty afterwards (for a reconstruction that is done).
    QList<sip::DialogSnapshot> takeSnapshots();
    // Changes, as SipTransactionTracker's: every dialog created or changed is listed once until
    // takeChanged() gives them (by id, as they are now).
    void setTrackChanges(bool on) { m_changes.setOn(on); }
    QList<sip::DialogSnapshot> takeChanged();
    qsizetype count() const { return qsizetype(m_dialogs.size()); }

private:
    enum class Role { Uac, Uas, Observed };
    struct Invite { // what the dialog-creating request said
        Dir dir = Dir::None;
        QString from, to; // endpoints
        QByteArray contact;
        quint32 cseq = 0;
        bool secure = false;
    };
    struct Dialog {
        sip::DialogSnapshot s;
        Role role = Role::Observed;
        QString local, remote; // endpoints
        // The caller's (From) tag and the callee's (To): the snapshot's local and remote by role.
        const QByteArray& callerTag() const { return role == Role::Uas ? s.remoteTag : s.localTag; }
        const QByteArray& calleeTag() const { return role == Role::Uas ? s.localTag : s.remoteTag; }
        StateLog log; // the state history; s.history holds only what does not fit here
        bool changed = false; // listed in m_changes
    };
    // d's snapshot as the views see it (its history filled in).
    static sip::DialogSnapshot snapshotOf(const Dialog& d)
    {
        sip::DialogSnapshot s = d.s;
        s.history = d.log.list(s.history);
        return s;
    }
    static void addHistory(Dialog& d, const QString& to, qint64 timeNs);
    void touch(Dialog& d) { m_changes.touch(d, d.s.id); }

    void setState(Dialog& d, const QString& to, qint64 timeNs, const QString& why, QList<Event>& out);
    Dialog* find(QByteArrayView callId, QByteArrayView tagA, QByteArrayView tagB);
    Dialog* byId(quint64 id) { return id >= 1 && id <= m_dialogs.size() ? &m_dialogs[id - 1] : nullptr; }
    void onInviteResponse(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after);
    void create(const Event& e, const SipFacts& m, quint64 tx, QList<Event>& after);

    using Forks = QList<quint64>;
    FlatMap<quint64, Invite, U64Hash> m_invites; // by INVITE transaction
    Pool<Dialog> m_dialogs; // by id - 1
    SharedTexts m_texts; // state-change texts
    // Copies of the dialogs' Call-IDs, tags, URIs and targets in shared blocks, not an allocation
    // each (120 000 of them for 20 000 calls).
    PayloadArena m_bytes { false };
    QByteArray keep(QByteArrayView v) { return v.isEmpty() ? QByteArray() : m_bytes.copy(v.data(), v.size()); }
    ByteKeyMap<quint64> m_byKey; // Call-ID \n caller tag \n callee tag
    FlatMap<quint64, Forks, U64Hash> m_forks; // INVITE transaction → its dialogs
    ByteKeyMap<quint32> m_inviteForks; // Call-ID \n caller tag \n CSeq → dialogs made
    ChangeList m_changes;
};

} // namespace ladder::trace
