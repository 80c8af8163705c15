#!/usr/bin/env bash
# Runs a command under another Node release line taken from the npm registry (the `node` package), with native
# modules (hnswlib-node) rebuilt for it against headers from the matching node-<platform>-<arch> package:
# nothing is downloaded from nodejs.org. Usage: scripts/with-node.sh 22 npm test
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: scripts/with-node.sh <major, e.g. 22> <command...>" >&2; exit 2; }
major=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(npx -y -p "node@$major" -- node -p 'require("path").dirname(process.execPath)')
version=$("$bin/node" --version)
version=${version#v}
[[ ${version%%.*} == "$major" ]] || { echo "with-node: asked for Node $major, npm's node@$major gave $version" >&2; exit 1; }
platform=$("$bin/node" -p 'process.platform + "-" + process.arch')
headers=${XDG_CACHE_HOME:-$HOME/.cache}/similar-users/node-headers/$version
if [[ ! -f $headers/include/node/node.h ]]; then
  echo "with-node: fetching the headers of Node $version (npm package node-$platform@$version)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-$platform@$version" >/dev/null)
  mkdir -p "$headers"
  tar xzf "$tmp"/node-*.tgz -C "$headers" --strip-components=1 package/include
  rm -rf "$tmp"
fi
export PATH="$bin:$PATH"
# node-gyp builds against these headers instead of downloading them (scripts/ensure-deps.js rebuilds on a mismatch).
export npm_config_nodedir=$headers
echo "with-node: $(node --version) from the npm registry ($bin)" >&2
cd "$root"
node scripts/ensure-deps.js --native
exec "$@"
