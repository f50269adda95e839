// SPDX-License-Identifier: GPL-3.0-or-later
#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace ladder::ui {

void applyTheme(Theme theme)
{
    auto* app = qobject_cast<QApplication*>(QApplication::instance());
    if (!app)
        return;
    app->setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (theme == Theme::System) {
        app->setPalette(app->style()->standardPalette());
        return;
    }
    QPalette p;
    if (theme == Theme::Dark) {
        const QColor window(0x2b, 0x2f, 0x36), base(0x1e, 0x22, 0x28), text(0xe6, 0xe9, 0xee);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, Qt::red);
        p.setColor(QPalette::Link, QColor(0x4f, 0xc3, 0xf7));
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x93, 0x9f));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x8a, 0x93, 0x9f));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x8a, 0x93, 0x9f));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x8a, 0x93, 0x9f));
    } else {
        p = app->style()->standardPalette();
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb0));
    }
    app->setPalette(p);
}

Theme themeFromString(const QString& name)
{
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    if (name == QLatin1String("light"))
        return Theme::Light;
    return Theme::System;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::Light: return QStringLiteral("light");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

} // namespace ladder::ui
