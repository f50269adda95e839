// SPDX-License-Identifier: GPL-3.0-or-later
#include "emptystate.h"

#include <QAbstractItemModel>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>

namespace ladder::ui {

EmptyState::EmptyState(QWidget* view, QAbstractItemModel* model, const QString& title, const QString& hint,
    QWidget* parent)
    : QWidget(parent)
    , m_view(view)
{
    build(title, hint);
    auto update = [this, model] { setEmpty(model->rowCount() == 0); };
    connect(model, &QAbstractItemModel::rowsInserted, this, update);
    connect(model, &QAbstractItemModel::rowsRemoved, this, update);
    connect(model, &QAbstractItemModel::modelReset, this, update);
    connect(model, &QAbstractItemModel::layoutChanged, this, update);
    update();
}

EmptyState::EmptyState(QWidget* view, const QString& title, const QString& hint, QWidget* parent)
    : QWidget(parent)
    , m_view(view)
{
    build(title, hint);
    setEmpty(true);
}

void EmptyState::build(const QString& title, const QString& hint)
{
    auto* stack = new QStackedLayout(this);
    stack->setContentsMargins(0, 0, 0, 0);
    stack->addWidget(m_view);

    m_message = new QWidget(this);
    m_message->setObjectName(QStringLiteral("emptyState"));
    auto* box = new QVBoxLayout(m_message);
    box->addStretch(1);
    auto* titleLabel = new QLabel(title, m_message);
    titleLabel->setAlignment(Qt::AlignCenter);
    QFont f = titleLabel->font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    f.setBold(true);
    titleLabel->setFont(f);
    titleLabel->setWordWrap(true);
    auto* hintLabel = new QLabel(hint, m_message);
    hintLabel->setAlignment(Qt::AlignCenter);
    hintLabel->setWordWrap(true);
    hintLabel->setEnabled(false); // the palette's muted text colour
    box->addWidget(titleLabel);
    box->addWidget(hintLabel);
    box->addStretch(2);
    stack->addWidget(m_message);
}

void EmptyState::setEmpty(bool empty)
{
    static_cast<QStackedLayout*>(layout())->setCurrentWidget(empty ? m_message : m_view);
}

bool EmptyState::isShowingEmptyState() const
{
    return static_cast<QStackedLayout*>(layout())->currentWidget() == m_message;
}

} // namespace ladder::ui
