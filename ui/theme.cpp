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

MarkPalette markPalette(const QPalette& palette)
{
    MarkPalette m;
    m.dark = palette.color(QPalette::Base).lightness() < 128;
    // Okabe & Ito (2008): blue, bluish green, orange, vermillion, reddish purple, sky blue.
    if (!m.dark) {
        m.request = QColor(0x00, 0x72, 0xb2);
        m.response = QColor(0x00, 0x9e, 0x73);
        m.control = QColor(0x6b, 0x7b, 0x8c);
        m.retransmit = QColor(0xe6, 0x9f, 0x00);
        m.drop = QColor(0xd5, 0x5e, 0x00);
        m.abandon = QColor(0xb8, 0x3d, 0x8c);
        m.forwardTsn = QColor(0x35, 0x8f, 0xc9);
        m.timer = QColor(0x7e, 0x57, 0xc2);
        m.state = QColor(0x78, 0x90, 0x9c);
        m.keepAlive = QColor(0x9a, 0xa5, 0xb1);
        m.density = QColor(0x00, 0x72, 0xb2);
    } else {
        m.request = QColor(0x56, 0xb4, 0xe9);
        m.response = QColor(0x2e, 0xc4, 0x96);
        m.control = QColor(0x9d, 0xab, 0xb9);
        m.retransmit = QColor(0xf0, 0xb4, 0x2a);
        m.drop = QColor(0xff, 0x7a, 0x2e);
        m.abandon = QColor(0xe3, 0x8f, 0xc6);
        m.forwardTsn = QColor(0x8f, 0xd3, 0xff);
        m.timer = QColor(0xb3, 0x9d, 0xdb);
        m.state = QColor(0xa0, 0xb0, 0xbb);
        m.keepAlive = QColor(0x6f, 0x7a, 0x86);
        m.density = QColor(0x56, 0xb4, 0xe9);
    }
    return m;
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
