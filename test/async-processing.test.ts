// Asynchronous operators on the real broker: an enrichment that calls a real HTTP server on loopback (node:http)
// answering in 20 ms — throughput by concurrency and per-key order in the output; a service that fails for some keys
// (their records in the dead-letter topic after their retries, every other record processed); a rebalance while calls
// are in flight under exactly-once; and the EOS verification with an asynchronous stage and replicas SIGKILLed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeadLetterHeaders, KafkaStreams, LogAndContinueExceptionHandler, Serdes } from '@kaskade/core';
import type { AsyncProcessingOptions } from '@kaskade/processor-api';
import type { StreamsConfigInput, Topology } from '@kaskade/core';
import { fromWireHeaders } from '@kaskade/core/internal';
import { Consumed, Produced, StreamsBuilder } from '@kaskade/dsl';
import { waitUntilCaughtUp } from 'kaskade/testing';
import { bootstrapServers, uniqueName } from './broker-context.js';
import { runEosVerification } from './eos/eos-verification.js';
import { createTopics, eventually, produce, readTopic, recordingLogger, str } from './kafka-helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const S = Serdes.String();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A client of the customer service (test/fixtures/customer-service.ts, a node:http server in its own process on
 * loopback, answering after `delayMs`, with 500 for ids starting with "bad"). Counts calls and attempts, and times
 * them: from the first call to the last answer.
 */
class CustomerService {
  readonly #delayMs: number;
  #proc: ChildProcess | undefined;
  #port = 0;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 256 });
  readonly attempts = new Map<string, number>();
  calls = 0;
  /** Calls waiting for an answer now, and the most there ever were at once (since {@link resetTiming}). */
  inFlight = 0;
  peakInFlight = 0;
  firstCallAt = 0;
  lastAnswerAt = 0;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  async start(): Promise<void> {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/customer-service.ts', String(this.#delayMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.#proc = proc;
    const [line] = (await once(createInterface({ input: proc.stdout }), 'line')) as [string];
    this.#port = (JSON.parse(line) as { port: number }).port;
  }

  /** GET /customers/<id>: the customer's name; rejects on a status other than 200 or when `signal` aborts. */
  lookup(id: string, seq: string, attempt: number, signal: AbortSignal): Promise<string> {
    this.calls++;
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    if (this.firstCallAt === 0) this.firstCallAt = performance.now();
    const k = `${id}#${seq}`;
    this.attempts.set(k, Math.max(attempt, this.attempts.get(k) ?? 0));
    let done = false;
    const settled =
      <T>(f: (v: T) => void) =>
      (v: T) => {
        if (!done) this.inFlight--;
        done = true;
        f(v);
      };
    return new Promise<string>((resolve0, reject0) => {
      const resolve = settled(resolve0);
      const reject = settled(reject0);
      const req = request(
        {
          host: '127.0.0.1',
          port: this.#port,
          path: `/customers/${encodeURIComponent(id)}`,
          agent: this.#agent,
          signal,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            this.lastAnswerAt = performance.now();
            if (res.statusCode !== 200) reject(new Error(`customer service answered HTTP ${res.statusCode}: ${body}`));
            else resolve((JSON.parse(body) as { name: string }).name);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  resetTiming(): void {
    this.calls = 0;
    this.inFlight = 0;
    this.peakInFlight = 0;
    this.firstCallAt = 0;
    this.lastAnswerAt = 0;
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    const proc = this.#proc;
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  }
}

/** in → mapValuesAsync(HTTP lookup of the key) → out: values become `<seq>:<name>`. */
function enrichment(
  service: CustomerService,
  input: string,
  output: string,
  options: AsyncProcessingOptions,
): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('in-' + input, Consumed.with(S, S))
    .mapValuesAsync(
      async (seq, key, { signal, attempt }) => `${seq}:${await service.lookup(key, seq, attempt, signal)}`,
      options,
    )
    .to(output, Produced.with(S, S));
  return builder.build();
}

function config(applicationId: string, extra: Partial<StreamsConfigInput> = {}): StreamsConfigInput {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaskade-async-'));
  dirs.push(stateDir);
  return {
    applicationId,
    bootstrapServers: bootstrapServers(),
    stateDir,
    commitIntervalMs: 200,
    logger: quiet,
    ...extra,
  };
}

/** `count` records over `keys` keys, values = the per-key sequence number. */
function keyedInput(count: number, keys: number, prefix = 'c'): { key: string; value: string }[] {
  const seq = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}${i % keys}`;
    const n = seq.get(key) ?? 0;
    seq.set(key, n + 1);
    return { key, value: String(n) };
  });
}

/** Every key's values in output order must be 0, 1, 2, ... (each sequence number once, in input order). */
function expectPerKeyOrder(records: { key: string; value: string }[], perKey: Map<string, number>): void {
  const byKey = new Map<string, number[]>();
  for (const r of records) {
    let list = byKey.get(r.key);
    if (!list) byKey.set(r.key, (list = []));
    list.push(Number(r.value.split(':')[0]));
  }
  expect(byKey.size).toBe(perKey.size);
  for (const [key, n] of perKey) expect(byKey.get(key), `key ${key}`).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('asynchronous processing on the broker', () => {
  // Speed is not asserted in the suite (it depends on how busy the machine is): the test asserts the concurrency the
  // service saw and logs the speed-up. `npm run measure:async` runs it alone and also asserts the speed-up of 40x.
  it('should call a 20 ms HTTP service with up to `concurrency` calls at once, keeping per-key order', async () => {
    const service = new CustomerService(20);
    await service.start();
    try {
      const rates: number[] = [];
      for (const [concurrency, count, keys] of [
        [1, 100, 10],
        [100, 6000, 600],
      ] as const) {
        const name = uniqueName(`async-http-${concurrency}`);
        const output = `${name}-out`;
        await createTopics({ topic: `in-${name}`, partitions: 1 }, { topic: output, partitions: 1 });
        const input = keyedInput(count, keys);
        await produce(`in-${name}`, input);
        service.resetTiming();
        const topology = enrichment(service, name, output, { concurrency });
        const streams = new KafkaStreams(topology, config(`${name}-app`));
        const cpu0 = process.cpuUsage();
        const wall0 = performance.now();
        await streams.start();
        try {
          await waitUntilCaughtUp(streams, topology, { timeoutMs: 120_000 });
        } finally {
          expect(await streams.close()).toBe(true);
        }
        const cpu = process.cpuUsage(cpu0);
        console.log(
          `[async] cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms over ${(performance.now() - wall0).toFixed(0)} ms wall`,
        );
        // Timed by the service, from its first request to its last answer: start-up and rebalance are not in it.
        const seconds = (service.lastAnswerAt - service.firstCallAt) / 1000;
        const rate = count / seconds;
        rates.push(rate);
        console.log(
          `[async] concurrency ${concurrency}: ${count} calls in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s`,
        );
        expect(service.calls).toBe(count);
        // Records of different keys overlap up to the limit, never beyond it (600 keys, so the limit is reached).
        expect(service.peakInFlight).toBe(concurrency);
        const out = await readTopic(output, (all) => all.length >= count, { timeoutMs: 30_000 });
        const records = out.map((m) => ({ key: str(m.key)!, value: str(m.value)! }));
        expect(records).toHaveLength(count);
        for (const r of records) expect(r.value).toBe(`${r.value.split(':')[0]}:name-of-${r.key}`);
        const perKey = new Map<string, number>();
        for (const r of input) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
        expectPerKeyOrder(records, perKey);
      }
      console.log(`[async] concurrency 100 / concurrency 1 = ${(rates[1]! / rates[0]!).toFixed(1)}x`);
      const minSpeedup = Number(process.env['KASKADE_ASYNC_MIN_SPEEDUP'] ?? '0');
      if (minSpeedup > 0) expect(rates[1]! / rates[0]!).toBeGreaterThanOrEqual(minSpeedup);
    } finally {
      await service.close();
    }
  }, 300_000);

  it('should put the records of a failing service in the dead-letter topic after their retries and process every other record', async () => {
    const service = new CustomerService(2);
    await service.start();
    try {
      const name = uniqueName('async-dlq');
      const output = `${name}-out`;
      const dlq = `${name}-dlq`;
      await createTopics(
        { topic: `in-${name}`, partitions: 2 },
        { topic: output, partitions: 2 },
        { topic: dlq, partitions: 1 },
      );
      const good = keyedInput(400, 40, 'good');
      const bad = keyedInput(20, 4, 'bad');
      const input = good.flatMap((r, i) => (i % 20 === 0 ? [r, bad[i / 20]!] : [r]));
      await produce(`in-${name}`, input);
      const topology = enrichment(service, name, output, { concurrency: 16, retries: 2, backoff: { initialMs: 5 } });
      const streams = new KafkaStreams(
        topology,
        config(`${name}-app`, {
          processingExceptionHandler: new LogAndContinueExceptionHandler({ logger: quiet, deadLetterQueueTopic: dlq }),
        }),
      );
      await streams.start();
      try {
        await waitUntilCaughtUp(streams, topology, { timeoutMs: 120_000 });
        expect(streams.metrics().deadLettered).toBe(20);
      } finally {
        expect(await streams.close()).toBe(true);
      }
      const out = await readTopic(output, (all) => all.length >= 400, { timeoutMs: 30_000 });
      const perKey = new Map<string, number>();
      for (const r of good) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
      expectPerKeyOrder(
        out.map((m) => ({ key: str(m.key)!, value: str(m.value)! })),
        perKey,
      );
      const dead = await readTopic(dlq, (all) => all.length >= 20, { timeoutMs: 30_000 });
      expect(dead.map((m) => `${str(m.key)}#${str(m.value)}`).sort()).toEqual(
        bad.map((r) => `${r.key}#${r.value}`).sort(),
      );
      for (const m of dead) {
        const headers = fromWireHeaders(m.headers ?? []);
        expect(headers.lastString(DeadLetterHeaders.EXCEPTION)).toBe('AsyncProcessingError');
        expect(headers.lastString(DeadLetterHeaders.MESSAGE)).toContain('failed after 3 attempts');
        expect(headers.lastString(DeadLetterHeaders.MESSAGE)).toContain('HTTP 500: customer store unavailable');
        expect(headers.lastString(DeadLetterHeaders.TOPIC)).toBe(`in-${name}`);
      }
      // Each failing record was tried 1 + retries times; each good one once.
      for (const r of bad) expect(service.attempts.get(`${r.key}#${r.value}`)).toBe(3);
      for (const r of good) expect(service.attempts.get(`${r.key}#${r.value}`)).toBe(1);
    } finally {
      await service.close();
    }
  }, 180_000);

  it('should lose and duplicate nothing under exactly-once when a rebalance comes while calls are in flight', async () => {
    // 4 tasks x 10 calls of 100 ms: 3000 records take about 8 s, so the second instance joins mid-way.
    const service = new CustomerService(100);
    await service.start();
    const logger = recordingLogger();
    try {
      const name = uniqueName('async-rebalance');
      const output = `${name}-out`;
      await createTopics({ topic: `in-${name}`, partitions: 4 }, { topic: output, partitions: 4 });
      const input = keyedInput(3000, 300);
      await produce(`in-${name}`, input);
      const topology = enrichment(service, name, output, { concurrency: 10 });
      // A short drain timeout: the first instance gives in-flight calls up at the rebalance (the next owner redoes them).
      const eos = { processingGuarantee: 'exactly_once_v2' as const, asyncDrainTimeoutMs: 30 };
      const first = new KafkaStreams(topology, config(`${name}-app`, { ...eos, instanceId: 'a', logger }));
      const second = new KafkaStreams(topology, config(`${name}-app`, { ...eos, instanceId: 'b' }));
      await first.start();
      try {
        await eventually(() => service.calls > 300, 60_000, 'the first instance to be busy');
        await second.start();
        await eventually(() => second.metrics().activeTasks.length > 0, 60_000, 'the second instance to get tasks');
        await waitUntilCaughtUp(first, topology, { timeoutMs: 180_000 });
      } finally {
        expect(await second.close()).toBe(true);
        expect(await first.close()).toBe(true);
      }
      expect(logger.at('warn').some((m) => m.includes('giving up') && m.includes('asynchronous calls'))).toBe(true);
      const out = await readTopic(output, (all) => all.length >= input.length, {
        timeoutMs: 30_000,
        isolation: 'read_committed',
      });
      // Read a little longer: a duplicate would come after the last expected record.
      const rest = await readTopic(output, (all) => all.length > input.length, {
        timeoutMs: 3_000,
        isolation: 'read_committed',
      });
      expect(rest.length).toBe(input.length);
      const perKey = new Map<string, number>();
      for (const r of input) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
      expectPerKeyOrder(
        out.map((m) => ({ key: str(m.key)!, value: str(m.value)! })),
        perKey,
      );
      // Abandoned calls were made again by the next owner: the service saw more calls than records.
      expect(service.calls).toBeGreaterThan(input.length);
    } finally {
      await service.close();
    }
  }, 300_000);

  it('should keep the EOS verification exact with an asynchronous stage while replicas are SIGKILLed', async () => {
    const result = await runEosVerification({
      bootstrapServers: bootstrapServers(),
      records: 10_000,
      replicas: 3,
      kills: 3,
      asyncStage: true,
      log: (line) => console.log(line),
    });
    console.log(`[eos-async] ${JSON.stringify(result)}`);
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.errors).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.losses).toBe(0);
    expect(result.openTransactions).toBe(0);
  }, 600_000);
});
