// SPDX-License-Identifier: GPL-3.0-or-later
#include "lab/scenario.h"

namespace ladder::lab {

// Every built-in scenario, registered by name. Each lives in its own file in this folder.
void registerBuiltinScenarios()
{
}

} // namespace ladder::lab
