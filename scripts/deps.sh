#!/bin/sh
# Installs the Debian packages asrlog needs to build and test, if any is missing.
# Uses sudo when not root. Does nothing when everything is present.
# `scripts/deps.sh fuzz` also installs clang and its libFuzzer runtime (only `make fuzz` needs them).
set -eu
HS=libhyperscan-dev
# Hyperscan is x86-64 only; Vectorscan provides the same API elsewhere.
[ "$(dpkg --print-architecture)" = amd64 ] || HS=libvectorscan-dev
# rsyslog: the real syslog receiver of the --syslog test (tests/siem/check_cef_rsyslog.py).
PKGS="build-essential cmake pkg-config $HS libpcre2-dev zlib1g-dev libjansson-dev libarchive-dev libcmocka-dev python3 ripgrep rsyslog"
# The report tests (tests/output): cmark-gfm renders the Markdown report as GitHub does, headless
# chromium opens the HTML one (fonts-dejavu-core so its screenshot has legible text).
PKGS="$PKGS cmark-gfm chromium fonts-dejavu-core"
# Scale-out (tests/dask): dask.distributed for /usr/bin/python3 runs scripts/asrlog-dask;
# GNU parallel runs the README's parallel recipe.
PKGS="$PKGS python3-distributed parallel"
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "asrlog: installing missing packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
