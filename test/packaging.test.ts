// The packages as a user gets them: `npm pack` every package, install the tarballs into a new project outside the
// workspace, and there run a plain JavaScript word count with `node` (no tsx, no TypeScript, no kaskade-source
// condition) against the real broker, and type-check a TypeScript consumer under moduleResolution node16 and bundler.
//
// Installing: `npm install --prefer-offline --ignore-scripts` from npm's cache (which `scripts/setup.sh` filled), then
// the Kafka client's native binding — the same @confluentinc/kafka-javascript version, built once by setup.sh — is
// copied in instead of rebuilding librdkafka for two minutes. Its native files are the only thing the project gets
// from the workspace; every Kaskade module is loaded from the tarballs' dist/.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Serdes } from '@kaskade/core';
import type { ConsumedMessage } from '@kaskade/core/internal';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { createTopics, produce, readTopic } from './kafka-helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/packaging');
const PACKAGES = ['processor-api', 'state-store', 'core', 'dsl', 'schema-registry', 'testing', 'kaskade'];
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const CLIENT = '@confluentinc/kafka-javascript';

const version = (dir: string): string =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

describe('installed packages', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kaskade-packaging-'));
    expect(work.startsWith(ROOT)).toBe(false);
    await run(process.execPath, [TSC, '-b', 'tsconfig.build.json'], { cwd: ROOT });
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const p of PACKAGES) {
      await run('npm', ['pack', '--silent', '--pack-destination', tarballs], { cwd: join(ROOT, 'packages', p) });
    }
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packaging-app', private: true, type: 'module' }));
    cpSync(FIXTURES, app, { recursive: true });
    const typesNode = `@types/node@${version(join(ROOT, 'node_modules/@types/node'))}`;
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(files).toHaveLength(PACKAGES.length);
    await run(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...files, typesNode],
      { cwd: app },
    );
    // The native binding (and the librdkafka it links to through $ORIGIN/../deps) of the very same client version.
    const from = join(ROOT, 'node_modules', CLIENT);
    const to = join(app, 'node_modules', CLIENT);
    expect(version(to)).toBe(version(from));
    mkdirSync(join(to, 'build/Release'), { recursive: true });
    copyFileSync(
      join(from, 'build/Release/confluent-kafka-javascript.node'),
      join(to, 'build/Release/confluent-kafka-javascript.node'),
    );
    cpSync(join(from, 'build/deps'), join(to, 'build/deps'), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !/\/(include|librdkafka|pkgconfig)$|\.(a|mk|Makefile)$/.test(src),
    });
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('should resolve every package to its compiled dist/ and ship no tests', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'for (const s of process.argv.slice(1)) console.log(import.meta.resolve(s))',
        '--',
        'kaskade',
        'kaskade/testing',
        '@kaskade/processor-api',
        '@kaskade/state-store',
        '@kaskade/core',
        '@kaskade/dsl',
        '@kaskade/schema-registry',
        '@kaskade/testing',
      ],
      { cwd: app },
    );
    const resolved = stdout.trim().split('\n');
    expect(resolved).toHaveLength(8);
    for (const url of resolved)
      expect(url).toMatch(/\/node_modules\/(kaskade|@kaskade\/[a-z-]+)\/dist\/(index|testing)\.js$/);
    const shipped = (
      await run('find', ['node_modules/kaskade', 'node_modules/@kaskade', '-name', '*.test.*'], { cwd: app })
    ).stdout;
    expect(shipped).toBe('');
  });

  it('should run a plain JavaScript word count with node against the broker and count every word', async () => {
    const input = uniqueName('packaging-lines');
    const output = uniqueName('packaging-counts');
    await createTopics({ topic: input, partitions: 2 }, { topic: output, partitions: 2 });
    const lines = ['the stream is the table', 'the table is the stream', 'Kafka keeps the log'];
    const expected = new Map<string, number>();
    for (const w of lines.join(' ').toLowerCase().split(/\W+/)) expected.set(w, (expected.get(w) ?? 0) + 1);
    await produce(
      input,
      lines.map((value, i) => ({ key: `line-${i}`, value })),
    );
    const total = [...expected.values()].reduce((a, b) => a + b, 0);

    const { stdout } = await run(
      process.execPath,
      [
        'word-count.mjs',
        bootstrapServers(),
        uniqueName('packaging-app'),
        input,
        output,
        join(work, 'state'),
        String(total),
      ],
      { cwd: app, timeout: 120_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { total: number; counts: Record<string, number> };
    expect(result.total).toBe(total);
    expect(new Map(Object.entries(result.counts))).toEqual(expected);

    // The output topic carries the same counts: the last update per word is its count.
    const latestOf = (all: ConsumedMessage[]) => {
      const latest = new Map<string, number>();
      for (const m of all) latest.set(m.key!.toString(), Serdes.Int64().deserialize(output, m.value!)!);
      return latest;
    };
    const updates = await readTopic(
      output,
      (all) => latestOf(all).size === expected.size && [...expected].every(([w, c]) => latestOf(all).get(w) === c),
      { timeoutMs: 30_000 },
    );
    expect(latestOf(updates)).toEqual(expected);
  });

  it("should run the broker launcher's Maven resolve from the installed package (kafka/ beside dist/)", async () => {
    const script =
      "const { kafkaLibsDir } = await import('@kaskade/testing/internal'); console.log(await kafkaLibsDir());";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    const libs = stdout.trim();
    const pom = readFileSync(join(app, 'node_modules/@kaskade/testing/kafka/pom.xml'), 'utf8');
    const kafka = /<kafka.version>(.+)<\/kafka.version>/.exec(pom)![1]!;
    expect(readdirSync(libs)).toContain(`kafka_2.13-${kafka}.jar`);
  });

  it("should run kaskade/testing's TopologyTestDriver from plain JavaScript", async () => {
    const { stdout } = await run(process.execPath, ['test-driver.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual([
      { key: 'to', value: 1 },
      { key: 'be', value: 1 },
      { key: 'or', value: 1 },
      { key: 'not', value: 1 },
      { key: 'to', value: 2 },
      { key: 'be', value: 2 },
    ]);
  });

  it.each(['node16', 'bundler'])(
    'should type-check a TypeScript consumer with moduleResolution %s',
    async (resolution) => {
      const compilerOptions = {
        target: 'ES2022',
        module: resolution === 'bundler' ? 'preserve' : 'node16',
        moduleResolution: resolution,
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      };
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(join(app, config), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      const result = await run(process.execPath, [TSC, '-p', config], { cwd: app }).catch(
        (e: { stdout: string; code: number }) => e,
      );
      expect(result.stdout).toBe('');
      expect('code' in result ? result.code : 0).toBe(0);
    },
  );
});
