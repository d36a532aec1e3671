#!/usr/bin/env node
// Checks what npm would publish, package by package (run after `npm run build`): publint (package.json fields,
// exports, files) and Are the Types Wrong (types resolve as Node and bundlers resolve the code). Kaskade is ESM-only,
// so attw runs with its `esm-only` profile: the two CommonJS resolutions (node10, node16 from CJS) cannot succeed for
// an ESM-only package and are ignored; every ESM resolution (node16 from ESM, bundler) must be clean.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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
    if (p === 'core') checkAddonInstall(tarball);
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

/**
 * The packed @kaskade/core builds its native addon at install and loads it from its dist: unpacked where npm would put
 * it (its dependencies linked from the repository's node_modules), its install step run as npm runs it, then the
 * native producer made from the packed dist.
 */
function checkAddonInstall(tarball) {
  const app = mkdtempSync(join(tmpdir(), 'kaskade-install-'));
  try {
    const modules = join(app, 'node_modules');
    mkdirSync(join(modules, '@kaskade'), { recursive: true });
    for (const entry of readdirSync(join(root, 'node_modules'))) {
      if (entry !== '@kaskade' && entry !== '.bin')
        symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
    }
    for (const dep of ['processor-api', 'state-store']) {
      symlinkSync(join(root, 'packages', dep), join(modules, '@kaskade', dep));
    }
    const core = join(modules, '@kaskade', 'core');
    mkdirSync(core);
    execFileSync('tar', ['-xzf', tarball, '-C', core, '--strip-components=1']);
    execFileSync('npm', ['run', 'install'], { cwd: core, encoding: 'utf8', stdio: 'pipe' });
    const loaded = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@kaskade/core/internal'); const p = new m.NativeProducerClient({ bootstrapServers: '127.0.0.1:1' }); await p.disconnect(0); console.log('loaded');",
      ],
      { cwd: app, encoding: 'utf8', stdio: 'pipe' },
    );
    if (!loaded.includes('loaded')) throw new Error(loaded);
    console.log('[packages] the packed @kaskade/core builds its native addon at install and loads it');
  } catch (e) {
    failed.push('native addon from the packed @kaskade/core');
    console.error(
      `[packages] the packed @kaskade/core's native addon: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}
if (failed.length) {
  console.error(`[packages] failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`[packages] publint and attw ok on ${readdirSync(join(root, 'packages')).length} packages`);
