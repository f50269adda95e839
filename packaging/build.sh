#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The two README commands:
#   bash packaging/build.sh run    install what is missing, build, launch LadderLab on its built-in lab
#   bash packaging/build.sh test   the same set-up, then every test (ctest), again under ASan+UBSan,
#                                  and a short fuzz run
# Extra arguments after `run` go to ladderlab (e.g. --screenshot shot.png).
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
shift || true
case "$mode" in
    run)
        bash packaging/install-deps.sh
        cmake --preset dev
        cmake --build --preset dev --target ladderlab ladderctl
        exec ./build/dev/app/ladderlab "$@"
        ;;
    test)
        bash packaging/install-deps.sh --test
        cmake --preset dev
        cmake --build --preset dev
        ctest --preset dev
        # The same suites under AddressSanitizer + UndefinedBehaviorSanitizer (halt on the first
        # report); the tests that say "run under ASan" mean it here. Benchmarks are left out of
        # this build (CMakePresets.json): they measure, and their smoke runs are in the dev suite.
        cmake --preset asan
        cmake --build --preset asan
        ctest --preset asan
        if [[ -x tests/fuzz/run.sh ]]; then
            bash tests/fuzz/run.sh
        fi
        ;;
    *)
        echo "usage: bash packaging/build.sh run|test" >&2
        exit 2
        ;;
esac
