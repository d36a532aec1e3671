#!/usr/bin/env node
// Prints the closing lines of a test run: the Kafka version the broker tests used, how many tests ran against
// the real broker (passed, not skipped), and the totals in the plain "N passed, N failed" form.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [reportPath, seconds] = process.argv.slice(2);
if (!reportPath || !existsSync(reportPath)) {
  console.error(`[test] no vitest report at ${reportPath}: the test run did not complete`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;
let brokerPassed = 0;
for (const file of report.testResults ?? []) {
  const broker = relative(process.cwd(), file.name).startsWith('test/');
  for (const t of file.assertionResults ?? []) {
    if (t.status === 'passed') {
      passed++;
      if (broker) brokerPassed++;
    } else if (t.status === 'failed') failed++;
    else skipped++;
  }
  // A file that failed to load, or whose beforeAll/afterAll failed (its tests then show as skipped), is a failure
  // all the same.
  const results = file.assertionResults ?? [];
  if (file.status === 'failed' && !results.some((t) => t.status === 'failed')) {
    failed++;
    console.log(`[test] failed outside any test (load, beforeAll or afterAll): ${relative(process.cwd(), file.name)}`);
  }
}
const versionFile = '.cache/test-kafka-version';
const kafka = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : 'none (no broker was started)';
console.log(`[test] Apache Kafka version used by the broker tests: ${kafka}`);
console.log(`[test] tests that ran against the real broker: ${brokerPassed} passed`);
if (skipped) console.log(`[test] skipped or todo: ${skipped}`);
console.log(`[test] total time: ${seconds}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
