// SPDX-License-Identifier: GPL-3.0-or-later
#include "calllist.h"

#include "journal/journal.h"
#include "sip/message/parser.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {
    const char* transportName(quint64 b)
    {
        switch (b) {
        case 0: return "UDP";
        case 1: return "TCP";
        case 2: return "SCTP";
        case 3: return "TLS";
        case 4: return "WS";
        case 5: return "WSS";
        }
        return "?";
    }

    // "Alice <sip:alice@atlanta.example.com>;tag=1" → "Alice <sip:alice@atlanta.example.com>"
    QString party(QByteArrayView v)
    {
        QString s = QString::fromUtf8(v.data(), v.size());
        const qsizetype close = s.indexOf(QLatin1Char('>'));
        if (close >= 0)
            s.truncate(close + 1);
        else if (const qsizetype semi = s.indexOf(QLatin1Char(';')); semi >= 0)
            s.truncate(semi);
        // Bytes from the network: control characters shown, never acted on.
        for (QChar& c : s)
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                c = QChar(0xfffd);
        return s.trimmed();
    }
}

CallListModel::CallListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void CallListModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_byCallId.clear();
    endResetModel();
}

void CallListModel::update(Call& c, const trace::Event& e, const sip::Message& m)
{
    if (c.messages == 0) {
        c.startNs = e.timeNs;
        c.from = party(m.value(sip::HeaderId::From));
        c.to = party(m.value(sip::HeaderId::To));
        c.method = m.isRequest() ? QString::fromLatin1(m.method().toByteArray()) : QStringLiteral("(response)");
        c.state = c.method == QLatin1String("INVITE") ? tr("Call setup") : tr("Pending");
    }
    ++c.messages;
    c.lastNs = std::max(c.lastNs, e.timeNs);
    c.transports |= quint64(1) << std::min<quint64>(e.b, 63);
    c.seqs.append(e.seq);
    const bool invite = c.method == QLatin1String("INVITE");
    if (m.isRequest()) {
        const QByteArrayView method = m.method();
        if (invite && method == "BYE" && c.answered) {
            c.state = tr("Completed");
            c.ended = true;
        } else if (invite && method == "CANCEL" && !c.answered) {
            c.state = tr("Cancelled");
            c.ended = true;
        }
        return;
    }
    const int code = m.statusCode();
    if (!invite) {
        if (code >= 200 && !c.finalSeen) {
            c.finalSeen = true;
            c.state = QStringLiteral("%1 %2").arg(code).arg(QString::fromUtf8(m.reasonPhrase().toByteArray()));
        }
        return;
    }
    // The INVITE's own responses (CSeq method INVITE); a BYE's 200 must not read as an answer.
    const QByteArrayView cseq = m.value(sip::HeaderId::CSeq);
    if (!cseq.endsWith("INVITE") || c.ended)
        return;
    if (code >= 100 && code < 200) {
        if ((code == 180 || code == 183) && !c.answered)
            c.state = tr("Ringing");
    } else if (code < 300) {
        c.answered = true;
        c.state = tr("In call");
    } else if (!c.answered) {
        c.ended = true;
        c.state = code == 487 ? tr("Cancelled") : code == 486 || code == 600 ? tr("Busy") : code < 400 ? tr("Diverted") : tr("Rejected");
    }
}

void CallListModel::append(const QVector<trace::Event>& events)
{
    // New calls are gathered and inserted in one go at the end (a live capture's batch brings
    // hundreds: one insert each made the sorting proxy and the view redo their work per call), and
    // a known call's changes are told without the start column, which never changes once the call
    // exists, so a list sorted by start time is not sorted again.
    const int known = int(m_rows.size());
    QList<Call> added;
    QList<int> changed;
    auto callAt = [&](int row) -> Call& { return row < known ? m_rows[std::size_t(row)] : added[row - known]; };
    for (const trace::Event& e : events) {
        if ((e.kind != trace::Kind::SipMessage && e.kind != trace::Kind::SipRetransmission) || e.raw.isEmpty())
            continue;
        const sip::ParseResult parsed = sip::parse(e.raw);
        if (!parsed.startLineParsed)
            continue;
        const QByteArray id = parsed.message.value(sip::HeaderId::CallId).trimmed().toByteArray();
        if (id.isEmpty())
            continue;
        // The receiving end's copy of a message the journal also holds as sent (both ends in the
        // lab) is the same message: counted once.
        const size_t digest = qHash(e.raw) ^ qHash(e.from) ^ (qHash(e.to) << 1);
        const int* row = m_byCallId.find(id);
        if (!row) {
            Call c;
            c.callId = id;
            if (e.dir == trace::Dir::Tx)
                c.sent.insert(digest);
            update(c, e, parsed.message);
            m_byCallId.insert(id, known + int(added.size()));
            added.append(std::move(c));
            continue;
        }
        Call& c = callAt(*row);
        if (e.dir == trace::Dir::Rx && c.sent.contains(digest))
            continue;
        if (e.dir == trace::Dir::Tx)
            c.sent.insert(digest);
        update(c, e, parsed.message);
        if (*row < known && (changed.isEmpty() || changed.last() != *row))
            changed.append(*row);
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    // Runs of rows close together in one signal each (a range over scattered rows would make the
    // view visit every row between).
    for (qsizetype i = 0; i < changed.size();) {
        qsizetype j = i;
        while (j + 1 < changed.size() && changed[j + 1] - changed[j] <= 8)
            ++j;
        emit dataChanged(index(changed[i], StartColumn + 1), index(changed[j], ColumnCount - 1));
        i = j + 1;
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, known, known + int(added.size()) - 1);
        for (Call& c : added)
            m_rows.push_back(std::move(c));
        endInsertRows();
    }
}

int CallListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int CallListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant CallListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Call& c = m_rows[std::size_t(index.row())];
    if (role == CallIdRole)
        return c.callId;
    if (role == Qt::TextAlignmentRole)
        return index.column() == DurationColumn || index.column() == MessagesColumn || index.column() == StartColumn
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    if (role == Qt::ToolTipRole && index.column() == StateColumn)
        return tr("%1 message(s), Call-ID %2").arg(c.messages).arg(QString::fromUtf8(c.callId));
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const bool sortKey = role == Qt::EditRole;
    switch (index.column()) {
    case StartColumn: return sortKey ? QVariant(c.startNs) : QVariant(QString::number(double(c.startNs) / 1e9, 'f', 3));
    case FromColumn: return c.from;
    case ToColumn: return c.to;
    case MethodColumn: return c.method;
    case StateColumn: return c.state;
    case DurationColumn:
        return sortKey ? QVariant(c.lastNs - c.startNs) : QVariant(QString::number(double(c.lastNs - c.startNs) / 1e9, 'f', 3));
    case MessagesColumn: return c.messages;
    case TransportColumn: {
        QStringList t;
        for (quint64 b = 0; b < 6; ++b)
            if (c.transports & (quint64(1) << b))
                t << QString::fromLatin1(transportName(b));
        return t.join(QLatin1Char('/'));
    }
    case CallIdColumn: return QString::fromUtf8(c.callId);
    }
    return {};
}

QVariant CallListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StartColumn: return tr("Start (s)");
    case FromColumn: return tr("From");
    case ToColumn: return tr("To");
    case MethodColumn: return tr("Method");
    case StateColumn: return tr("State");
    case DurationColumn: return tr("Duration (s)");
    case MessagesColumn: return tr("Msgs");
    case TransportColumn: return tr("Transport");
    case CallIdColumn: return tr("Call-ID");
    }
    return {};
}

// Matches the filter against the text of every message of a row (read from the journal once per
// change of the filter, as sngrep matches its payloads).
class CallListPane::Proxy : public QSortFilterProxyModel {
public:
    explicit Proxy(CallListPane* pane)
        : QSortFilterProxyModel(pane)
        , m_pane(pane)
    {
    }
    void setMatch(const QString& text, bool regex)
    {
        m_text = text;
        m_regex = QRegularExpression(regex ? text : QString(), QRegularExpression::CaseInsensitiveOption);
        m_useRegex = regex;
        invalidateFilter();
    }
    bool valid() const { return !m_useRegex || m_regex.isValid(); }

protected:
    bool filterAcceptsRow(int row, const QModelIndex&) const override
    {
        if (m_text.isEmpty() || !valid())
            return true;
        const CallListModel* model = m_pane->m_model;
        if (model->data(model->index(row, 0), CallListModel::CallIdRole).toByteArray().contains(m_text.toUtf8()))
            return true;
        trace::Journal* journal = m_pane->m_journal;
        if (!journal)
            return false;
        for (quint64 seq : model->seqs(row)) {
            if (!journal->available(seq))
                continue;
            const QString text = QString::fromUtf8(journal->at(seq).raw);
            if (m_useRegex ? m_regex.match(text).hasMatch() : text.contains(m_text, Qt::CaseInsensitive))
                return true;
        }
        return false;
    }

private:
    CallListPane* m_pane;
    QString m_text;
    QRegularExpression m_regex;
    bool m_useRegex = false;
};

CallListPane::CallListPane(QWidget* parent)
    : QWidget(parent)
{
    m_model = new CallListModel(this);
    m_proxy = new Proxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::EditRole);
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 4, 4, 2);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Match any message of the call (text; or a regular expression)"));
    m_filter->setClearButtonEnabled(true);
    m_regex = new QCheckBox(tr("Regex"), this);
    m_count = new QLabel(this);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_regex);
    bar->addWidget(m_count);
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(CallListModel::StartColumn, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    // Rows of one fixed height, as the live tables': a header that may resize its sections keeps
    // and updates state for each (an 80 ms stall when a live capture's list reached 65 536 calls).
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->verticalHeader()->setResizeContentsPrecision(0);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setResizeContentsPrecision(0); // fitting reads the rows on screen only
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false); // one line a row: a wrapped From showed its display name and "..."
    m_view->setTextElideMode(Qt::ElideMiddle); // '"Alice" <sip:…@10.0.0.7>': both ends of a From say most
    m_view->setColumnWidth(CallListModel::FromColumn, 200);
    m_view->setColumnWidth(CallListModel::ToColumn, 200);
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this); // its width, once the view has laid it out
    connect(m_view->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int section) {
        if (!m_fitting && section < CallListModel::ColumnCount - 1) // the last one stretches with the view
            m_userSized = true;
    });
    // Start times, durations and counts grow as calls come in: widen to fit at most once a second.
    m_refit = new QTimer(this);
    m_refit->setSingleShot(true);
    m_refit->setInterval(1000);
    connect(m_refit, &QTimer::timeout, this, [this] { fitColumns(true); });
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(0);
    box->addLayout(bar);
    box->addWidget(m_view, 1);
    connect(m_filter, &QLineEdit::textChanged, this, &CallListPane::refilter);
    connect(m_regex, &QCheckBox::toggled, this, &CallListPane::refilter);
    auto activate = [this](const QModelIndex& index) {
        if (index.isValid())
            emit callActivated(m_proxy->data(index, CallListModel::CallIdRole).toByteArray());
    };
    connect(m_view, &QTableView::activated, this, activate);
    connect(m_view, &QTableView::doubleClicked, this, activate);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &CallListPane::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &CallListPane::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_sized)
            fitColumns(false);
        else if (!m_userSized && !m_refit->isActive())
            m_refit->start();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        if (m_proxy->rowCount() == 0) {
            m_sized = m_userSized = false;
            return;
        }
        fitColumns(m_sized);
    });
    updateCount();
}

void CallListPane::append(const QVector<trace::Event>& events)
{
    m_model->append(events);
    if (!m_filter->text().isEmpty())
        m_proxy->invalidate(); // a row's new message may match now
    updateCount();
}

void CallListPane::clear() { m_model->clear(); }

int CallListPane::visibleCalls() const { return m_proxy->rowCount(); }

void CallListPane::fitColumns(bool widenOnly)
{
    if (m_proxy->rowCount() == 0 || m_userSized)
        return;
    if (!m_view->isVisible()) {
        m_fitWhenShown = true;
        return;
    }
    m_fitWhenShown = false;
    m_sized = true;
    m_fitting = true;
    QHeaderView* h = m_view->horizontalHeader();
    auto fitted = [&](int c) {
        const int before = h->sectionSize(c);
        m_view->resizeColumnToContents(c);
        const int w = h->sectionSize(c);
        return widenOnly ? std::max(before, w) : w;
    };
    int others = 0;
    for (int c = 0; c < CallListModel::CallIdColumn; ++c)
        if (c != CallListModel::FromColumn && c != CallListModel::ToColumn) {
            const int w = std::min(fitted(c), 240);
            h->resizeSection(c, w);
            others += w;
        }
    // From and To share what is left beside the other columns and the start of the Call-ID: each
    // gets what it needs if both fit, else at least half, the one that needs less giving the rest
    // to the other; never under 120 pixels nor over 320.
    const int room = std::max(240, m_view->viewport()->width() - others - 120);
    const int from = std::min(fitted(CallListModel::FromColumn), 320);
    const int to = std::min(fitted(CallListModel::ToColumn), 320);
    const int half = room / 2;
    const int fromWidth = from + to <= room ? from : std::max(std::min(from, half), room - std::min(to, half));
    const int toWidth = from + to <= room ? to : std::max(std::min(to, half), room - fromWidth);
    h->resizeSection(CallListModel::FromColumn, std::max(120, std::min(from, fromWidth)));
    h->resizeSection(CallListModel::ToColumn, std::max(120, std::min(to, toWidth)));
    m_fitting = false;
}

bool CallListPane::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::Show && m_fitWhenShown)
        fitColumns(m_sized);
    else if (watched == m_view->viewport() && event->type() == QEvent::Resize && m_sized
        && static_cast<QResizeEvent*>(event)->oldSize().width() != static_cast<QResizeEvent*>(event)->size().width())
        fitColumns(false); // From and To take their share of the new width
    return QWidget::eventFilter(watched, event);
}

void CallListPane::refilter()
{
    m_proxy->setMatch(m_filter->text(), m_regex->isChecked());
    m_filter->setStyleSheet(m_proxy->valid() ? QString() : QStringLiteral("color: #d55e00"));
    m_filter->setToolTip(m_proxy->valid() ? QString() : tr("Not a regular expression: %1").arg(QRegularExpression(m_filter->text()).errorString()));
    updateCount();
}

void CallListPane::updateCount()
{
    const QLocale locale;
    const int all = m_model->rowCount();
    const QString calls = all == 1 ? tr("1 call") : tr("%1 calls").arg(locale.toString(all));
    m_count->setText(m_filter->text().isEmpty() ? calls : tr("%1 of %2").arg(locale.toString(m_proxy->rowCount()), calls));
}

} // namespace ladder::ui
