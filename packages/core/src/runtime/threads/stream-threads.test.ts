import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InvalidStateStoreError } from '@kaskade/processor-api';
import { KafkaStreams } from '../kafka-streams.js';
import { Topology } from '../../topology/topology.js';
import { streamsMetrics } from '../streams-metrics.js';
import type { StreamsMetrics } from '../streams-metrics.js';
import { sumMetrics } from './stream-thread-pool.js';

const config = { applicationId: 'threads-unit', bootstrapServers: 'localhost:9092' };
const topology = (): Topology => new Topology().addSource('src', 'in').addSink('sink', 'out', {}, 'src');
const dir = mkdtempSync(join(tmpdir(), 'kaskade-threads-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module file (plain JavaScript, so that Node imports it without a loader) exporting `source`. */
function moduleFile(name: string, source: string): URL {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  return pathToFileURL(file);
}

describe('numStreamThreads', () => {
  it('should default to 1 and refuse what is not a whole number >= 1, naming the field', () => {
    expect(new KafkaStreams(topology(), config).config.numStreamThreads).toBe(1);
    for (const n of [0, -1, 1.5, '2']) {
      expect(() => new KafkaStreams(topology(), { ...config, numStreamThreads: n as number })).toThrowError(
        /numStreamThreads: /,
      );
    }
  });

  it('should refuse more than one thread at construction unless the instance comes from a module', () => {
    let error: unknown;
    try {
      new KafkaStreams(topology(), { ...config, numStreamThreads: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { field: 'numStreamThreads', message: 'more than 1 needs KafkaStreams.fromModule(url)' },
    ]);
    expect((error as Error).message).toContain('create the instance with KafkaStreams.fromModule(url)');
  });
});

describe('KafkaStreams.fromModule', () => {
  it("should refuse a registry of the user's for the metrics of several threads, pointing to the server", async () => {
    const url = moduleFile(
      'app-registry',
      `export default () => ({ topology: globalThis[Symbol.for('kaskade.threads-unit.topology')], config: { applicationId: 'r', bootstrapServers: 'localhost:9092', numStreamThreads: 2, metrics: { registry: { metrics() {}, registerMetric() {}, getSingleMetric() {} } } } });`,
    );
    (globalThis as Record<symbol, unknown>)[Symbol.for('kaskade.threads-unit.topology')] = topology();
    const error = await KafkaStreams.fromModule(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { field: 'metrics.registry', message: 'not supported with numStreamThreads > 1; use server' },
    ]);
  });

  it("should call the module's export with the arguments and make the instance of what it returns", async () => {
    const url = moduleFile(
      'app',
      `const TOPOLOGY = Symbol.for('kaskade.threads-unit.topology');
       export function build(args) { return { topology: globalThis[TOPOLOGY], config: { applicationId: args.id, bootstrapServers: 'localhost:9092', numStreamThreads: 3 } }; }`,
    );
    // The module lies outside the workspace (it cannot import Kaskade): it returns a topology this test made.
    (globalThis as Record<symbol, unknown>)[Symbol.for('kaskade.threads-unit.topology')] = topology();
    const streams = await KafkaStreams.fromModule(url, { exportName: 'build', args: { id: 'from-module' } });
    expect(streams.config.applicationId).toBe('from-module');
    expect(streams.config.numStreamThreads).toBe(3);
    expect(streams.state).toBe('CREATED');
    expect(streams.metadataForLocalThreads()).toEqual([]);
    // Each thread's stores live in its worker: a query says so instead of answering from none of them.
    expect(() => streams.localStores('counts')).toThrowError(InvalidStateStoreError);
    expect(() => streams.localStores('counts')).toThrowError(/numStreamThreads > 1 each thread's stores live in/);
  });

  it('should refuse a relative path, which would resolve against Kaskade, and take an absolute one', async () => {
    await expect(KafkaStreams.fromModule('./app.js')).rejects.toThrowError(
      `KafkaStreams.fromModule("./app.js"): a relative path would be resolved against Kaskade's files, not yours; ` +
        "pass new URL('./app.js', import.meta.url) or an absolute path",
    );
    const url = moduleFile(
      'absolute',
      `export default () => ({ topology: globalThis[Symbol.for('kaskade.threads-unit.topology')], config: { applicationId: 'abs', bootstrapServers: 'localhost:9092' } });`,
    );
    (globalThis as Record<symbol, unknown>)[Symbol.for('kaskade.threads-unit.topology')] = topology();
    expect((await KafkaStreams.fromModule(url.pathname)).config.applicationId).toBe('abs');
  });

  it('should name the module and export when the export is not a factory, or returns no topology', async () => {
    const url = moduleFile('not-app', `export const build = 42; export default () => ({ config: {} });`);
    await expect(KafkaStreams.fromModule(url, { exportName: 'build' })).rejects.toThrowError(
      `${url.href} has no export "build" that builds the application (a function returning { topology, config })`,
    );
    await expect(KafkaStreams.fromModule(url.href)).rejects.toThrowError(
      `${url.href}: export "default" must return { topology, config }`,
    );
  });
});

describe('sumMetrics', () => {
  const of = (m: Partial<StreamsMetrics>): StreamsMetrics => ({ ...streamsMetrics(undefined), ...m });

  it('should add the counters of the threads and unite their tasks', () => {
    const sum = sumMetrics([
      of({
        processed: 10,
        commits: 2,
        activeTasks: ['0_2', '0_0'],
        droppedByReason: { late: 1 },
        standbyOffsets: { a: 4 },
      }),
      of({
        processed: 5,
        commits: 3,
        activeTasks: ['0_1'],
        droppedByReason: { late: 2, expired: 1 },
        throttledMsByTopic: { t: 7 },
      }),
    ]);
    expect(sum).toMatchObject({
      processed: 15,
      commits: 5,
      activeTasks: ['0_0', '0_1', '0_2'],
      droppedByReason: { late: 3, expired: 1 },
      standbyOffsets: { a: 4 },
      throttledMsByTopic: { t: 7 },
    });
  });

  it('should be all zero for no thread', () => {
    expect(sumMetrics([])).toEqual(streamsMetrics(undefined));
  });
});
