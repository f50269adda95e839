// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the TSN and path graphs write when exported: the view drawn by its render(QPainter&, QSize)
// into a PNG at twice its size or into an SVG, and its CSV text.

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QString>
#include <QSvgGenerator>

#include <functional>

namespace ladder::ui::graphexport {

using Render = std::function<void(QPainter&, const QSize&)>;

inline bool png(const QString& file, const QSize& size, const Render& render)
{
    const qreal dpr = 2;
    QImage image(size * dpr, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    QPainter p(&image);
    render(p, size);
    p.end();
    return image.save(file, "PNG");
}

inline bool svg(const QString& file, const QSize& size, const QString& title, const QString& description, const Render& render)
{
    QSvgGenerator svg;
    svg.setFileName(file);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(title);
    if (!description.isEmpty())
        svg.setDescription(description);
    QPainter p;
    if (!p.begin(&svg))
        return false;
    render(p, size);
    return p.end();
}

inline bool text(const QString& file, const QString& content)
{
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    return out.write(content.toUtf8()) >= 0;
}

} // namespace ladder::ui::graphexport
