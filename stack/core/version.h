// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ladder {

QString appVersion(); // LadderLab's own version
QString qtVersion(); // the Qt the process runs on
QString usrsctpVersion(); // the usrsctp the stack was built against
// "LadderLab 0.1.0 (Qt 6.4.2, usrsctp 0.9.5.0)"
QString versionLine();

} // namespace ladder
