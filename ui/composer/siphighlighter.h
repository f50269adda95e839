// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSyntaxHighlighter>

namespace ladder::ui {

// Colours a SIP message as it is typed: the start line, header names, URIs, parameters, quoted
// strings, "auto" placeholders, and the body after the blank line in a muted tone.
class SipHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    explicit SipHighlighter(QTextDocument* document);

protected:
    void highlightBlock(const QString& text) override;
};

} // namespace ladder::ui
