#!/usr/bin/env bash
# Builds the addon (build/Release/kaskade_native.node) for the repository's setup: install.mjs, the published
# package's install step, but failing when the build fails.
set -euo pipefail
exec node "$(dirname "$0")/install.mjs" --strict
