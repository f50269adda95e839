// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture/reconstruct.h"

#include <QStringList>

// Reading a CaptureReconstruction back, for the reconstruction suites (our own exports and
// foreign captures).
namespace tracetest {

// The state names of a history, in order.
inline QStringList states(const QList<ladder::sip::StateStamp>& h)
{
    QStringList s;
    for (const auto& st : h)
        s.append(st.state);
    return s;
}

// The nth rebuilt transaction of a method, or nullptr.
inline const ladder::sip::TransactionSnapshot* byMethod(const ladder::trace::CaptureReconstruction& r, const char* method,
    int nth = 0)
{
    for (const auto& t : r.transactions)
        if (t.method == QLatin1String(method) && nth-- == 0)
            return &t;
    return nullptr;
}

} // namespace tracetest
