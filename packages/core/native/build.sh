#!/usr/bin/env bash
# Builds the prototype addon (build/Release/kaskade_native.node) offline where Node's headers are installed beside
# node itself (Debian's nodejs package: /usr/include/node), with npm's own node-gyp.
set -euo pipefail
cd "$(dirname "$0")"
prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
nodedir=()
if [ -f "$prefix/include/node/node_api.h" ]; then nodedir=(--nodedir="$prefix"); fi
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
if [ ! -f "$gyp" ]; then gyp="$(command -v node-gyp)"; fi
exec node "$gyp" rebuild "${nodedir[@]}"
