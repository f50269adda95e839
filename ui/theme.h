// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QString>

class QPalette;

namespace ladder::ui {

enum class Theme { System, Light, Dark };

// Applies a Fusion palette for Light/Dark (projectors in classrooms want a known contrast) or the
// platform's own palette for System.
void applyTheme(Theme theme);
Theme themeFromString(const QString& name);
QString themeName(Theme theme);

// The colours of the timeline's and the ladder's marks: Okabe and Ito's colour-blind-safe set,
// lightened on a dark base so every mark keeps its contrast. Colour is never the only cue: the
// views also tell retransmissions, losses and abandons apart by shape and line style.
struct MarkPalette {
    QColor request; // SIP requests, SCTP packets carrying DATA
    QColor response; // SIP responses, SCTP SACKs
    QColor control; // other SCTP control chunks (INIT, HEARTBEAT, SHUTDOWN…)
    QColor retransmit; // retransmissions (SIP and SCTP)
    QColor drop; // a datagram the lab link lost
    QColor abandon; // an abandoned PR-SCTP message
    QColor forwardTsn; // FORWARD-TSN
    QColor timer; // a timer fired
    QColor state; // a state change
    QColor keepAlive; // folded keep-alives
    QColor density; // a density strip
    bool dark = false;
    // A darker (light theme) or lighter (dark theme) shade for text drawn in a mark's colour.
    QColor text(const QColor& mark) const { return dark ? mark.lighter(115) : mark.darker(135); }
};
MarkPalette markPalette(const QPalette& palette);

} // namespace ladder::ui
