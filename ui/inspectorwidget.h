// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"
#include "journal/explain.h"

#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace ladder::trace {
class Journal;
}

namespace ladder::ui {

// The message inspector: why the event happened (the transition, the rule, its RFC sections as
// links), its fields, its parsed structure (SIP headers, SCTP chunks, each with the section that
// defines it) and its raw bytes as text and as a hex dump.
class InspectorWidget : public QWidget {
    Q_OBJECT
public:
    // A decoder turns raw bytes of a given kind into tree rows under root; the SIP and SCTP layers
    // register theirs so the inspector shows parsed fields without depending on their internals.
    using Decoder = std::function<void(const trace::Event& event, QTreeWidgetItem* root)>;
    static void registerDecoder(trace::Kind kind, Decoder decoder);

    enum Column { FieldColumn, ValueColumn, RfcColumn, ColumnCount };
    // The RFC column's URL, for opening it (double-click or Enter on the row).
    static constexpr int kUrlRole = Qt::UserRole + 1;

    explicit InspectorWidget(QWidget* parent = nullptr);
    // The journal the shown events come from: the "Why" then uses earlier events too (which
    // retransmission, the state a timer fired in). Without one it explains from the event alone.
    void setJournal(std::shared_ptr<const trace::Journal> journal);
    void showEvent(const trace::Event& event);
    void clear();
    bool hasEvent() const { return m_has; }
    QTreeWidget* tree() const { return m_tree; }
    // "0000  49 4e 56 49 …  INVI…" lines, 16 bytes each.
    static QString hexDump(const QByteArray& bytes);
    // The "Why" area's rich text for an explanation: every piece of text HTML-escaped (event text
    // comes from the network), the references as links.
    static QString whyHtml(const trace::Explanation& x);
    // Puts a reference in a parsed-view row's RFC column: label, tooltip with title and URL, the URL.
    static void setReference(QTreeWidgetItem* item, const std::optional<trace::Reference>& ref);
    QLabel* why() const { return m_why; }

signals:
    void cleared();

private:
    QLabel* m_title;
    QLabel* m_why;
    std::shared_ptr<const trace::Journal> m_journal;
    QTabWidget* m_tabs;
    QTreeWidget* m_tree;
    QPlainTextEdit* m_text;
    QPlainTextEdit* m_hex;
    bool m_has = false;
};

} // namespace ladder::ui
