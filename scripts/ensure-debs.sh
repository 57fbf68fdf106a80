#!/usr/bin/env bash
# Install the given Debian packages, but only those not installed yet.
# Usage: scripts/ensure-debs.sh PACKAGE...
# Runs apt-get update once first; waits for another apt/dpkg run to finish.
set -euo pipefail

missing=()
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$pkg")
    fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-debs: please install these packages: ${missing[*]} (no apt-get here)" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "ensure-debs: run as root or install: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

echo "== Installing Debian packages: ${missing[*]} =="
export DEBIAN_FRONTEND=noninteractive
# Wait up to 10 minutes for a concurrent apt/dpkg run instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
# apt-get update does not wait for the lists lock by itself: retry a while.
for attempt in $(seq 1 30); do
    "${sudo[@]}" apt-get "${apt_opts[@]}" update -qq && break
    [ "$attempt" -lt 30 ] || exit 1
    echo "ensure-debs: apt-get update failed (another apt running?); retrying in 10s" >&2
    sleep 10
done
"${sudo[@]}" apt-get "${apt_opts[@]}" install -y -qq "${missing[@]}"
