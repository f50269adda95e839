// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "journal/event.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace ladder::ui {

// The message inspector: an event's fields, its parsed structure (SIP headers, SCTP chunks) and
// its raw bytes as text and as a hex dump.
class InspectorWidget : public QWidget {
    Q_OBJECT
public:
    // A decoder turns raw bytes of a given kind into tree rows under root; the SIP and SCTP layers
    // register theirs so the inspector shows parsed fields without depending on their internals.
    using Decoder = std::function<void(const trace::Event& event, QTreeWidgetItem* root)>;
    static void registerDecoder(trace::Kind kind, Decoder decoder);

    explicit InspectorWidget(QWidget* parent = nullptr);
    void showEvent(const trace::Event& event);
    void clear();
    bool hasEvent() const { return m_has; }
    QTreeWidget* tree() const { return m_tree; }
    // "0000  49 4e 56 49 …  INVI…" lines, 16 bytes each.
    static QString hexDump(const QByteArray& bytes);

signals:
    void cleared();

private:
    QLabel* m_title;
    QTabWidget* m_tabs;
    QTreeWidget* m_tree;
    QPlainTextEdit* m_text;
    QPlainTextEdit* m_hex;
    bool m_has = false;
};

} // namespace ladder::ui
