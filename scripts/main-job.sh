#!/usr/bin/env bash
# The main job (README): installs what is missing, then runs the example pipeline against KASKADE_BOOTSTRAP_SERVERS,
# or against a local Apache Kafka broker that it starts (and stops) itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --conditions=kaskade-source --import tsx examples/main.ts "$@"
