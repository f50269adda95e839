#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what LadderLab needs to build, run and test on Debian 12 (bookworm).
# Idempotent: installs only the packages that are missing. Works as root or through sudo.
#   packaging/install-deps.sh          build + run dependencies
#   packaging/install-deps.sh --test   also the tools the test suite drives (xvfb, tshark, peers)
set -euo pipefail

build_pkgs=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-websockets-dev qtkeychain-qt6-dev libssl-dev libgl-dev
    libusrsctp-dev libpcap-dev
    fonts-dejavu-core
)
test_pkgs=(
    xvfb xauth appstream desktop-file-utils dpkg-dev file
    tshark sngrep libnet-sip-perl sip-tester sipsak baresip-core iproute2 kamailio openssl
    kamailio-tls-modules kamailio-websocket-modules
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
# A fresh machine may have another apt running (unattended upgrades, cloud-init): wait for its
# locks rather than fail — DPkg::Lock::Timeout for dpkg's, a few retries for the lists' lock.
apt_wait=(-o DPkg::Lock::Timeout=900)
for try in 1 2 3 4 5 6; do
    if $SUDO apt-get "${apt_wait[@]}" update -q; then
        break
    fi
    [[ $try -eq 6 ]] && { echo "install-deps: apt-get update kept failing" >&2; exit 1; }
    echo "install-deps: apt-get update failed (another apt holding its lock?); retrying in 30 s" >&2
    sleep 30
done
$SUDO apt-get "${apt_wait[@]}" install -y -q --no-install-recommends "${missing[@]}"
