// Lists where a V8 CPU profile (from `npm run bench -- --profile DIR`, or any `node --cpu-prof`) spent its time:
//   node --conditions=kaskade-source --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N]
// Self time per function (file:line) and per file, the idle time and GC shown as V8 names them.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string' } },
  allowPositionals: true,
});
const file = positionals[0];
if (!file) {
  process.stderr.write(
    'usage: node --conditions=kaskade-source --import tsx bench/profile-summary.ts FILE.cpuprofile [--top N]\n',
  );
  process.exit(2);
}
const top = Number(values.top ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const where = (node: ProfileNode): { fn: string; file: string } => {
  const { functionName, url, lineNumber } = node.callFrame;
  const path = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
  return {
    fn: `${functionName || '(anonymous)'} ${path ? `${path}:${lineNumber + 1}` : ''}`.trim(),
    file: path || `(${functionName})`,
  };
};

// Self time: each sample's time delta belongs to the node it hit.
const byNode = new Map<number, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  byNode.set(id, (byNode.get(id) ?? 0) + dt);
  totalUs += dt;
});
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const us = byNode.get(node.id) ?? 0;
  if (us === 0) continue;
  const w = where(node);
  byFunction.set(w.fn, (byFunction.get(w.fn) ?? 0) + us);
  byFile.set(w.file, (byFile.get(w.file) ?? 0) + us);
}

const print = (title: string, entries: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  const sorted = [...entries].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, us] of sorted) {
    process.stdout.write(
      `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}\n`,
    );
  }
};
process.stdout.write(`${file}: ${(totalUs / 1e6).toFixed(2)} s sampled\n`);
print('self time by function', byFunction);
print('self time by file', byFile);
