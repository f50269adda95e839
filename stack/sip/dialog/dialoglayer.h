// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "dialog.h"

#include <QHash>

#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

namespace ladder {
class Scheduler;
namespace trace {
    class Journal;
}
}

namespace ladder::sip {

// The dialogs of one stack: creation from responses (UAC) and from our responses (UAS),
// matching of in-dialog messages by Call-ID and tags, forking (SIP_DIALOG_ON_FORK: every forked
// 1xx/2xx with a new To tag gets its own dialog; without it only the first tag does), state
// changes journalled as DialogState events.
class DialogLayer {
public:
    explicit DialogLayer(Scheduler& scheduler);
    ~DialogLayer();

    void setJournal(trace::Journal* j) { m_journal = j; }
    void setMaxDialogs(std::size_t n) { m_max = n; }
    bool atCapacity() const { return m_dialogs.size() >= m_max; }
    std::size_t liveCount() const { return m_dialogs.size(); }
    void setChangedHandler(std::function<void(const Dialog&)> fn) { m_changed = std::move(fn); }

    Dialog* find(quint64 id) const;
    // An incoming request: our tag is the To tag, theirs the From tag.
    Dialog* matchRequest(const Message& request) const;
    // A response to one of our requests: our tag is the From tag, theirs the To tag.
    Dialog* matchResponse(const Message& response) const;

    // A 101-299 response with a To tag to a dialog-creating request (INVITE, SUBSCRIBE) that
    // client transaction `tx` sent. Returns the dialog it belongs to (created if needed), or
    // nullptr when forking without dialogOnFork, at capacity, or for a 100/no tag.
    Dialog* uacResponse(quint64 tx, const Message& request, const Message& response, bool dialogOnFork,
        const std::shared_ptr<Connection>& c);
    // The creating transaction ended: with a non-2xx final, its early dialogs are terminated;
    // when it terminates, the ones still early are too (§13.2.2.4, RFC 6026).
    void uacFinished(quint64 tx, int finalStatus);
    // We sent a response with a To tag to a dialog-creating request.
    Dialog* uasResponse(quint64 tx, const Message& request, const Message& response,
        const std::shared_ptr<Connection>& c);

    void setState(Dialog& d, Dialog::State s);
    // Journals a change the dialog made to itself (target refresh, route set).
    void touched(Dialog& d);

    QList<DialogSnapshot> snapshots() const;

private:
    static quint64 nextDialogId();
    static QByteArray key(QByteArrayView callId, QByteArrayView local, QByteArrayView remote);
    Dialog* add(std::unique_ptr<Dialog> d, Dialog::State initialFrom, bool fresh);
    void trace(const Dialog& d, const QString& text);
    void retire(Dialog& d);

    Scheduler& m_scheduler;
    trace::Journal* m_journal = nullptr;
    std::size_t m_max = 1'000'000;
    std::unordered_map<quint64, std::unique_ptr<Dialog>> m_dialogs;
    QHash<QByteArray, Dialog*> m_byKey;
    QHash<quint64, QList<quint64>> m_forks; // creating client transaction -> its dialogs
    std::deque<DialogSnapshot> m_terminated;
    std::function<void(const Dialog&)> m_changed;
};

} // namespace ladder::sip
