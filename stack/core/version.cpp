// SPDX-License-Identifier: GPL-3.0-or-later
#include "version.h"

#include "sctp/runtime.h"

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
    return sctp::Runtime::libraryVersion();
}

QString versionLine()
{
    return QStringLiteral("LadderLab %1 (Qt %2, usrsctp %3)").arg(appVersion(), qtVersion(), usrsctpVersion());
}

} // namespace ladder
