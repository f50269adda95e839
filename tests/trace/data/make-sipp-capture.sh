#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates sipp-fork-cancel.pcapng: two sipp calls on loopback captured by dumpcap (both tools
# from elsewhere: Debian sip-tester and wireshark's dumpcap; capturing needs root or CAP_NET_RAW).
#   call 1: INVITE answered by two "forks" (180 with To tag A, 180 with To tag B), 200 from A,
#           ACK, BYE, 200 (Record-Route, Contact);
#   call 2: a slow UAS (the INVITE is retransmitted after 500 ms), 180, CANCEL, 200, 487, ACK.
# Usage: make-sipp-capture.sh [OUT.pcapng]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/sipp-fork-cancel.pcapng}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dumpcap -q -i lo -f "udp port 5070" -w "$tmp/cap.pcapng" >/dev/null 2>&1 &
cap=$!
sleep 2
for call in fork cancel; do
    sipp -sf "$here/${call}_uas.xml" -i 127.0.0.1 -p 5070 -m 1 -nostdin >/dev/null 2>&1 &
    uas=$!
    sleep 0.5
    sipp -sf "$here/${call}_uac.xml" -i 127.0.0.1 -p 5061 -m 1 -nostdin -s bob 127.0.0.1:5070 >/dev/null 2>&1
    wait $uas || echo "sipp $call: the UAS reported a failure" >&2
done
sleep 1
kill -INT $cap
wait $cap || true
cp "$tmp/cap.pcapng" "$out"
echo "wrote $out"
