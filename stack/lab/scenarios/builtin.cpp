// SPDX-License-Identifier: GPL-3.0-or-later
#include "lab/scenario.h"

namespace ladder::lab {

// Each scenario lives in its own file in this folder and registers itself through one of these.
void registerInviteLossyUdp();
void registerNonInviteUdpVsTcp();
void registerForking();
void registerCancelRinging();
void registerRegister();
void registerPlayground();
void registerPrSctp();
void registerSctpDelivery();
void registerSctpSendAll();
void registerAddrOver();

// Every built-in scenario, registered by name.
void registerBuiltinScenarios()
{
    registerInviteLossyUdp();
    registerNonInviteUdpVsTcp();
    registerForking();
    registerCancelRinging();
    registerRegister();
    registerPlayground();
    registerPrSctp();
    registerSctpDelivery();
    registerSctpSendAll();
    registerAddrOver();
}

} // namespace ladder::lab
