// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ladder::ui {

enum class Theme { System, Light, Dark };

// Applies a Fusion palette for Light/Dark (projectors in classrooms want a known contrast) or the
// platform's own palette for System.
void applyTheme(Theme theme);
Theme themeFromString(const QString& name);
QString themeName(Theme theme);

} // namespace ladder::ui
