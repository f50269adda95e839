// SPDX-License-Identifier: GPL-3.0-or-later
#include "siphighlighter.h"

#include <QRegularExpression>

namespace ladder::ui {

namespace {
    enum State { Headers = 0, Body = 1 };

    QTextCharFormat fmt(const QColor& c, bool bold = false, bool italic = false)
    {
        QTextCharFormat f;
        f.setForeground(c);
        if (bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(italic);
        return f;
    }
} // namespace

SipHighlighter::SipHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document)
{
}

void SipHighlighter::highlightBlock(const QString& text)
{
    static const QTextCharFormat startLine = fmt(QColor(0x1e, 0x88, 0xe5), true);
    static const QTextCharFormat headerName = fmt(QColor(0x8e, 0x24, 0xaa), true);
    static const QTextCharFormat uri = fmt(QColor(0x00, 0x89, 0x7b));
    static const QTextCharFormat param = fmt(QColor(0xef, 0x6c, 0x00));
    static const QTextCharFormat quoted = fmt(QColor(0x43, 0xa0, 0x47));
    static const QTextCharFormat placeholder = fmt(QColor(0xd3, 0x2f, 0x2f), true, true);
    static const QTextCharFormat body = fmt(QColor(0x78, 0x90, 0x9c));
    static const QRegularExpression uriRe(QStringLiteral(R"((sips?|tel):[^\s;>,]+)"));
    static const QRegularExpression paramRe(QStringLiteral(R"(;[A-Za-z0-9.!%*_+`'~-]+)"));
    static const QRegularExpression quotedRe(QStringLiteral(R"("(?:[^"\\]|\\.)*")"));
    static const QRegularExpression autoRe(QStringLiteral(R"(\bauto\b)"));

    const int prev = previousBlockState();
    if (prev == Body) {
        setFormat(0, int(text.size()), body);
        setCurrentBlockState(Body);
        return;
    }
    if (text.trimmed().isEmpty() && currentBlock().blockNumber() > 0) {
        setCurrentBlockState(Body);
        return;
    }
    setCurrentBlockState(Headers);
    if (currentBlock().blockNumber() == 0) {
        setFormat(0, int(text.size()), startLine);
    } else if (!text.startsWith(QLatin1Char(' ')) && !text.startsWith(QLatin1Char('\t'))) {
        const qsizetype colon = text.indexOf(QLatin1Char(':'));
        if (colon > 0)
            setFormat(0, int(colon), headerName);
    }
    for (const auto* re : { &uriRe, &paramRe, &quotedRe, &autoRe }) {
        const QTextCharFormat& f = re == &uriRe ? uri : re == &paramRe ? param : re == &quotedRe ? quoted : placeholder;
        auto it = re->globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            setFormat(int(m.capturedStart()), int(m.capturedLength()), f);
        }
    }
}

} // namespace ladder::ui
