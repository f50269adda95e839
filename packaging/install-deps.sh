#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what LadderLab needs to build, run and test on Debian 12 (bookworm).
# Idempotent: installs only the packages that are missing. Works as root or through sudo.
#   packaging/install-deps.sh          build + run dependencies
#   packaging/install-deps.sh --test   also the tools the test suite drives (xvfb, tshark, peers)
set -euo pipefail

build_pkgs=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev libgl-dev
    libusrsctp-dev
    fonts-dejavu-core
)
test_pkgs=(
    xvfb xauth appstream desktop-file-utils dpkg-dev file
    tshark libnet-sip-perl sip-tester iproute2
    clang libclang-rt-14-dev
    libosip2-dev libsofia-sip-ua-dev
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
    want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#want[@]} packages already installed"
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it so no prompt appears.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
