#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates resources/screenshots/*.png from the app itself, offscreen, each on the lab scenario
# that gives its view something to show. Usage: bash packaging/screenshots.sh [path/to/ladderlab]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/dev/app/ladderlab}
OUT=resources/screenshots
mkdir -p "$OUT"
# A fresh settings/data home: the default layout, no drafts or library from the user's own runs.
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$HOME_DIR/config" XDG_DATA_HOME="$HOME_DIR/data"
export XDG_RUNTIME_DIR="$HOME_DIR/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

shot() {
    local name=$1
    shift
    "$BIN" --screenshot "$OUT/$name.png" --size 1600x1000 --theme light "$@"
    echo "$OUT/$name.png"
}
shot main-window --scenario invite-lossy-udp --after-ms 7000
shot timeline --view timeline --scenario prsctp-ttl-rtx-buf --after-ms 6000
shot graphs --view graphs --scenario prsctp-ttl-rtx-buf --after-ms 6000
shot ladder --view ladder --scenario invite-lossy-udp --after-ms 9000
shot transactions --view transactions --scenario noninvite-udp-vs-tcp --after-ms 5000
shot dialogs --view dialogs --scenario forking-with-flag --after-ms 5000
shot associations --view associations --scenario addr-over --after-ms 4000
shot timeline-multihomed --view timeline --scenario addr-over --after-ms 7000
shot streams --view streams --scenario prsctp-ttl-rtx-buf --after-ms 6000
shot composer-sip --view composer-sip --scenario playground --after-ms 1500
shot composer-sctp --view composer-sctp --scenario playground --after-ms 1500
shot inspector --view inspector --scenario invite-lossy-udp --after-ms 5000
shot lab --view lab --scenario cancel-ringing --after-ms 3000
shot main-window-dark --scenario prsctp-ttl-rtx-buf --after-ms 6000 --theme dark
# The lab's rewind and what-if: a GUI test drives the timeline's context menu and saves both.
TEST_BIN=$(dirname "$(dirname "$BIN")")/tests/tst_lab_gui
LADDERLAB_SCREENSHOT_DIR=$OUT "$TEST_BIN" teacherRewindsAndDropsAPacketInAReRun > /dev/null
echo "$OUT/lab-rewind.png $OUT/lab-what-if.png"
# The path graph (Graphs ▸ Paths) of the multi-homed lesson: a GUI test runs it through the window.
LADDERLAB_SCREENSHOT_DIR=$OUT "$(dirname "$TEST_BIN")/tst_path_graph" addrOverThroughTheWindow > /dev/null
echo "$OUT/graphs-paths.png"
# Network mode: sipp's INVITE waiting in the Network panel, its answer being written.
LADDERLAB_SCREENSHOT_DIR=$OUT LADDERLAB_BINARY_DIR=$(dirname "$(dirname "$BIN")") "$(dirname "$TEST_BIN")/tst_network_gui" inviteFromSippIsAnswered486ByHand > /dev/null
echo "$OUT/network-mode.png"
# A live capture on lo (needs root or cap_net_raw, and sipp): a sipp UAC calling a sipp UAS, ten
# calls a second, the window capturing them as they go.
if command -v sipp > /dev/null; then
    sipp -sn uas -i 127.0.0.1 -p 5090 -bg > /dev/null 2>&1 || true
    sipp -sn uac 127.0.0.1:5090 -i 127.0.0.1 -p 5091 -r 10 -d 1500 -m 200 -bg > /dev/null 2>&1 || true
    shot live-capture --capture lo --capture-filter 'udp port 5090 or udp port 5091' --after-ms 6000
    pkill -f 'sipp -sn ua[cs] .*509[01]' || true
fi
