// SPDX-License-Identifier: GPL-3.0-or-later
#include "version.h"

namespace ladder {

QString appVersion()
{
    return QStringLiteral(LADDERLAB_VERSION);
}

QString qtVersion()
{
    return QString::fromLatin1(qVersion());
}

QString usrsctpVersion()
{
    // usrsctp has no run-time version call; the build records the version pkg-config reported.
#ifdef LADDERLAB_USRSCTP_VERSION
    return QStringLiteral(LADDERLAB_USRSCTP_VERSION);
#else
    return QStringLiteral("unknown");
#endif
}

QString versionLine()
{
    return QStringLiteral("LadderLab %1 (Qt %2, usrsctp %3)").arg(appVersion(), qtVersion(), usrsctpVersion());
}

} // namespace ladder
