#!/usr/bin/env bash
# Installs everything Kaskade needs on a fresh machine, idempotently:
#   1. Debian packages that the Kafka client's native build links against (skipped when present),
#   2. npm packages, building @confluentinc/kafka-javascript from source against those libraries,
#   3. Apache Kafka's broker jars from Maven Central into a cache directory (see packages/testing/kafka/pom.xml),
#   4. a schema registry (Apicurio Registry) built from Maven Central into that cache (packages/testing/schema-registry),
#   and Kaskade's native addon (packages/core/native), after the client it links against.
# Caches: npm's cache, ~/.m2, $KASKADE_CACHE (default ~/.cache/kaskade) — a second run reuses all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }
start=$(date +%s)

# 1. Debian packages. The client's own install downloads binaries and sources from outside the registries,
#    which fails here; linking dynamically against Debian's libraries is what works (see ../shared/docs/KAFKA.md).
debs=(zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev pkgconf)
# Real servers that broker tests drive: Prometheus scrapes an instance (test/prometheus.test.ts) and headless Chromium
# opens the dashboard (test/dashboard.test.ts).
debs+=(prometheus chromium)
missing=()
for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || { log "apt-get not found; install: ${missing[*]}"; exit 1; }
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tool in java mvn node npm; do
  command -v "$tool" >/dev/null || { log "missing required tool: $tool (Kaskade needs Node.js 20+, OpenJDK 17+ and Maven)"; exit 1; }
done

# An S3-protocol server for test/s3-blob-store.test.ts (the claim check's S3BlobStore): moto's, from PyPI.
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  log "installing moto[server] (S3 server for the S3 blob store test)"
  python3 -m pip install -q 'moto[server]==5.2.1'
fi

# 4, started now: building the schema registry is mostly Maven downloads (about 230 MB into an empty ~/.m2), which
#    overlap the CPU-bound npm install below; cached, it is a marker-file check.
registry_log=$(mktemp)
bash packages/testing/schema-registry/resolve-schema-registry.sh >/dev/null 2>"$registry_log" &
registry_pid=$!

# 2. npm packages. CKJS_LINKING must be in the environment (an .npmrc setting does not reach the native build),
#    and nodedir=/usr points node-gyp at the installed headers instead of a download.
export CKJS_LINKING=dynamic
export npm_config_nodedir=/usr
stamp=node_modules/.kaskade-install-stamp
# Only dependencies decide whether to reinstall (a new npm script must not rebuild librdkafka).
lockhash=$(node -e '
const fs = require("fs");
const files = ["package.json", ...fs.readdirSync("packages").map((p) => `packages/${p}/package.json`)];
const deps = files.filter((f) => fs.existsSync(f)).map((f) => { const j = JSON.parse(fs.readFileSync(f, "utf8")); return [f, j.dependencies, j.devDependencies, j.workspaces]; });
const lock = fs.existsSync("package-lock.json") ? fs.readFileSync("package-lock.json", "utf8") : "";
console.log(require("crypto").createHash("sha256").update(JSON.stringify(deps) + lock).digest("hex").slice(0, 16));
')
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lockhash" ]; then
  log "installing npm packages (first run builds librdkafka from source: about 2-3 minutes)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  echo "$lockhash" > "$stamp"
fi
node -e '
const f = require("@confluentinc/kafka-javascript").features;
const need = ["ssl", "sasl", "zstd", "lz4"];
const miss = need.filter((x) => !f.includes(x));
if (miss.length) { console.error("[setup] @confluentinc/kafka-javascript lacks features: " + miss.join(", ") + " (has: " + f.join(", ") + ")"); process.exit(1); }
console.error("[setup] kafka client features ok: " + need.join(", "));
'

# Kaskade's own native addon (packages/core/native: whole batches across the native boundary; restoration reads
# changelogs through it), built against the librdkafka the client just built: a few seconds, offline. Without it
# Kaskade falls back to the client (`nativeClient: 'auto'`); tests that require it then fail and say why.
native_log=$(mktemp)
if bash packages/core/native/build.sh >"$native_log" 2>&1; then
  log "native addon built ($(node -e 'console.log(require("./packages/core/native/build/Release/kaskade_native.node").librdkafkaVersion())'))"
else
  tail -20 "$native_log" >&2
  log "building the native addon failed (above); Kaskade will use the Kafka client alone"
fi
rm -f "$native_log"

# 3. Kafka broker jars.
bash packages/testing/kafka/resolve-kafka.sh >/dev/null

# 4. The schema registry that the Avro broker tests start (test/schema-registry-avro.test.ts): built once, then cached.
if ! wait "$registry_pid"; then
  cat "$registry_log" >&2
  log "building the schema registry failed"
  exit 1
fi
rm -f "$registry_log"
log "done in $(( $(date +%s) - start ))s"
