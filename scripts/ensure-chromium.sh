#!/usr/bin/env bash
# Installs Debian's chromium for the headless browser tests when it is missing; silent when it is already there.
# Never downloads a browser build from elsewhere (playwright-core only drives this one).
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: $CHROMIUM is missing and this user cannot install packages (not root, no sudo)" >&2
    exit 1
  fi
fi
echo "ensure-chromium: installing Debian's chromium package (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# A half-finished earlier install (packages unpacked but not configured) blocks any new one: complete it first.
$SUDO apt-get install -y -qq --fix-broken >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "ensure-chromium: $($CHROMIUM --version 2>/dev/null || echo chromium) installed" >&2
