// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ladder::ui::graphs {

// Axis helpers both graphs share, so that their time axes read the same.

// 1, 2, 5 × 10^n, at least `min`.
inline double niceStep(double min)
{
    double step = 1;
    while (step < min) {
        if (step * 2 >= min)
            return step * 2;
        if (step * 5 >= min)
            return step * 5;
        step *= 10;
    }
    return step;
}

// Seconds with as many decimals as the step between two ticks needs.
inline QString formatNs(qint64 ns, qint64 step)
{
    const int decimals = step >= 1000000000 ? 0
        : step >= 100000000                 ? 1
        : step >= 10000000                  ? 2
        : step >= 1000000                   ? 3
                                            : 6;
    return QString::number(double(ns) / 1e9, 'f', decimals) + QStringLiteral(" s");
}

} // namespace ladder::ui::graphs
