// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A fuzz target's promise that did not hold: says which and aborts, so libFuzzer keeps the input.
// (eventchecks.h has the same with the events that differ, for the targets that compare events.)

#include <cstdio>
#include <cstdlib>

namespace ladder::fuzz {

inline void check(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz check failed: %s\n", what);
        std::abort();
    }
}

} // namespace ladder::fuzz
