#!/usr/bin/env node
// Checks what npm would publish, package by package (run after `npm run build`): publint (package.json fields,
// exports, files) and Are the Types Wrong (types resolve as Node and bundlers resolve the code). Kaskade is ESM-only,
// so attw runs with its `esm-only` profile: the two CommonJS resolutions (node10, node16 from CJS) cannot succeed for
// an ESM-only package and are ignored; every ESM resolution (node16 from ESM, bundler) must be clean.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const packages = ['processor-api', 'state-store', 'core', 'dsl', 'schema-registry', 'testing', 'kaskade'];
const out = mkdtempSync(join(tmpdir(), 'kaskade-packages-'));
const failed = [];
try {
  for (const p of packages) {
    const dir = join(root, 'packages', p);
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }),
    );
    const tarball = join(out, filename);
    for (const [tool, args] of [
      ['publint', [tarball, '--strict']],
      ['attw', [tarball, '--profile', 'esm-only', '--format', 'ascii']],
    ]) {
      try {
        execFileSync(bin(tool), args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
        console.log(`[packages] ${tool} ok: ${filename}`);
      } catch (e) {
        failed.push(`${tool} ${filename}`);
        console.error(`[packages] ${tool} failed: ${filename}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed.length) {
  console.error(`[packages] failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`[packages] publint and attw ok on ${readdirSync(join(root, 'packages')).length} packages`);
