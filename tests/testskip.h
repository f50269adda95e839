// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// LADDERLAB_SKIP(why): QSKIP on a developer's machine, QFAIL in CI. CI (CI=true) runs on a machine
// that has everything the suites need — ::1, unprivileged user namespaces, tshark, the peers and
// corpora — so a skip there means a broken machine or a broken test, never a pass.

#include <QString>
#include <QTest>

#define LADDERLAB_SKIP(why)                                                                                  \
    do {                                                                                                     \
        const QString ladderlabSkipWhy_ = (why);                                                             \
        if (qEnvironmentVariable("CI") == QLatin1String("true"))                                             \
            QFAIL(qPrintable(ladderlabSkipWhy_ + QStringLiteral(" (CI=true: CI expects this to be present)"))); \
        QSKIP(qPrintable(ladderlabSkipWhy_));                                                                \
    } while (false)
