#!/usr/bin/env bash
# The one test command (README, CI): installs everything, then type-checks, builds the packages and checks what
# they would publish, lints, checks the dependency direction, and runs all tests — unit tests and the tests against
# a real Apache Kafka broker that the run starts itself.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

echo '[test] type check'; tsc -p tsconfig.json
echo '[test] build'; tsc -b tsconfig.build.json
echo '[test] packages (publint, attw)'; node scripts/check-packages.mjs
echo '[test] lint'; eslint . && prettier --check . --log-level warn
echo '[test] dependency direction'; node scripts/check-deps.mjs

mkdir -p .cache
rm -f .cache/vitest-report.json .cache/test-kafka-version
status=0
vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json "$@" || status=$?

# The suite runs on Kaskade's native addon (restoration, the stream thread's consumer and producer, exactly-once
# included); these broker tests run again on the Kafka client alone, so the fallback stays tested — exactly-once with
# its faults and fencing among them (the whole suite so: npm run test:fallback).
fallback=0
if [ $# -eq 0 ]; then
  echo '[test] fallback: broker tests again with KASKADE_NATIVE_CLIENT=off'
  KASKADE_NATIVE_CLIENT=off vitest run --project broker --reporter=default --reporter=json \
    --outputFile.json=.cache/vitest-fallback.json test/dsl-broker.test.ts test/empty-bytes.test.ts \
    test/production-errors.test.ts test/spare-instance.test.ts test/exactly-once.test.ts \
    test/exactly-once-faults.test.ts || fallback=$?
  node scripts/test-summary.mjs .cache/vitest-fallback.json 0 | sed 's/^/[test] fallback: /' || fallback=1
fi

node scripts/test-summary.mjs .cache/vitest-report.json "$(( $(date +%s) - start ))" || status=1
if [ "$fallback" -ne 0 ]; then status=1; fi
exit $status
