// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "models/shardedhash.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QWidget>

#include <deque>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace ladder::trace {
class Journal;
}
namespace ladder::sip {
class Message;
}

namespace ladder::ui {

// One row per call (per Call-ID), as sngrep's first screen: when it started, From, To, the first
// method, where it got to, how long it lasted, how many messages it has and over what. Fed from
// the journal's SIP messages as they come — the lab's, a capture's, a file's.
//
// States, from the messages alone: an INVITE is "Call setup", then "Ringing" (180/183), "In call"
// (2xx), "Completed" (a BYE), or "Cancelled" (CANCEL or 487), "Busy" (486, 600), "Diverted" (3xx),
// "Rejected" (another final status); any other first method shows its final status, or "Pending".
class CallListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { StartColumn, FromColumn, ToColumn, MethodColumn, StateColumn, DurationColumn, MessagesColumn,
        TransportColumn, CallIdColumn, ColumnCount };
    enum Role { CallIdRole = Qt::UserRole, SeqsRole };

    explicit CallListModel(QObject* parent = nullptr);

    void append(const QVector<trace::Event>& events);
    void clear();
    // The journal sequence numbers of a row's messages (for the filter and the ladder).
    QList<quint64> seqs(int row) const { return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)].seqs : QList<quint64>(); }
    QByteArray callId(int row) const { return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)].callId : QByteArray(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Call {
        QByteArray callId;
        qint64 startNs = 0, lastNs = 0;
        QString from, to, method, state;
        int messages = 0;
        quint64 transports = 0; // bit per transport number (Event::b)
        bool answered = false, ended = false, finalSeen = false;
        QList<quint64> seqs;
        QSet<size_t> sent; // digests of the messages journalled as sent (their received copies are not counted)
    };
    void update(Call& c, const trace::Event& e, const sip::Message& m);

    std::deque<Call> m_rows; // rows never move as more are appended (a QList regrowing past 100 000 calls did)
    ShardedHash<QByteArray, int> m_byCallId; // grows without a whole rehash (shardedhash.h)
};

// The Calls tab: the list with a filter box (plain text, or a regular expression, matched against
// every message of the call, as sngrep's match expression), and a count. Double-click (or Enter)
// opens the call's ladder.
class CallListPane : public QWidget {
    Q_OBJECT
public:
    explicit CallListPane(QWidget* parent = nullptr);
    void setJournal(trace::Journal* journal) { m_journal = journal; }
    CallListModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }
    QCheckBox* regexBox() const { return m_regex; }
    // Rows the filter lets through.
    int visibleCalls() const;

    void append(const QVector<trace::Event>& events);
    void clear();

signals:
    void callActivated(const QByteArray& callId);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    class Proxy;
    void refilter();
    void updateCount();
    // Columns fitted to the rows on screen, From and To sharing what the others leave of the
    // view's width (so Method, State and Duration stay in sight in a narrow centre); widenOnly
    // keeps columns from shrinking as rows scroll by. Nothing once the user sizes a column; when
    // the view is next shown if it is hidden (a hidden table would measure every row).
    void fitColumns(bool widenOnly);

    trace::Journal* m_journal = nullptr;
    CallListModel* m_model = nullptr;
    Proxy* m_proxy = nullptr;
    QTableView* m_view = nullptr;
    QLineEdit* m_filter = nullptr;
    QCheckBox* m_regex = nullptr;
    QLabel* m_count = nullptr;
    QTimer* m_refit = nullptr;
    bool m_sized = false; // fitted since the list was last empty
    bool m_userSized = false;
    bool m_fitting = false; // our own resizes in progress
    bool m_fitWhenShown = false;
};

} // namespace ladder::ui
