// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QAbstractItemModel;
class QLabel;

namespace ladder::ui {

// Shows a view, or — while its model has no rows — a short explanation of what will appear there
// and how to make it appear. A blank rectangle tells the user nothing; this does.
class EmptyState : public QWidget {
    Q_OBJECT
public:
    EmptyState(QWidget* view, QAbstractItemModel* model, const QString& title, const QString& hint,
        QWidget* parent = nullptr);
    // For views that are not item views: show the message until setEmpty(false).
    EmptyState(QWidget* view, const QString& title, const QString& hint, QWidget* parent = nullptr);

    void setEmpty(bool empty);
    bool isShowingEmptyState() const;
    QWidget* view() const { return m_view; }

private:
    void build(const QString& title, const QString& hint);
    QWidget* m_view;
    QWidget* m_message = nullptr;
};

} // namespace ladder::ui
