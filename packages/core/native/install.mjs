#!/usr/bin/env node
// @kaskade/core's install step: builds Kaskade's native addon (build/Release/kaskade_native.node) with node-gyp
// against the librdkafka that @confluentinc/kafka-javascript built (find-librdkafka.mjs). An install never fails for
// it: without a compiler, Node's headers or that librdkafka build, Kaskade runs on the Kafka client alone
// (`nativeClient: 'auto'` logs why, once) — this prints what was missing. `--strict` (the repository's setup) fails
// instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
const strict = process.argv.includes('--strict');

/** npm's own node-gyp: npm names it to lifecycle scripts; else the one bundled with the global npm; else PATH. */
function nodeGyp() {
  const named = process.env['npm_config_node_gyp'];
  if (named && existsSync(named)) return [process.execPath, named];
  try {
    const root = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    const bundled = join(root, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(bundled)) return [process.execPath, bundled];
  } catch {
    // no npm on PATH: try node-gyp itself
  }
  return ['node-gyp'];
}

// Node's headers beside node itself (Debian's nodejs package: /usr/include/node) build offline; otherwise node-gyp
// fetches them for this Node version.
const prefix = dirname(dirname(realpathSync(process.execPath)));
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const [command, ...args] = nodeGyp();
const result = spawnSync(command, [...args, 'rebuild', ...nodedir], {
  cwd: here,
  stdio: strict ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
if (result.status === 0) {
  console.log(`[kaskade] native addon built: ${join(here, 'build', 'Release', 'kaskade_native.node')}`);
} else {
  const why = result.error?.message ?? `${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  if (strict) {
    console.error(`[kaskade] building the native addon failed${why ? `: ${why}` : ''}`);
    process.exit(1);
  }
  console.warn(
    `[kaskade] the native addon was not built, so Kaskade will run on the Kafka client alone (slower; nativeClient ` +
      `'auto' says so at start). Why:\n${why}`,
  );
}
