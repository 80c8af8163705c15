#!/usr/bin/env bash
# Installs the Debian packages the tests use (chromium, docker-compose) when missing; silent when they are there.
# `npm test` does this itself (pretest); this is for running the browser tests or web/screenshot.mjs by hand.
set -euo pipefail
exec node "$(dirname "$0")/ensure-deps.js" --system
