// The plumbing the runnable examples share, so that each example file shows its topology and little else: a broker
// (KASKADE_BOOTSTRAP_SERVERS or a local one), topics and a clean shutdown — also on Ctrl+C / SIGTERM. Producing,
// reading a topic to its end and "wait until the application has caught up" come from @kaskade/testing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTopics, deleteApplication } from 'kaskade/testing';
import type { ConsumedMessage, KafkaTestRecord } from 'kaskade/testing';
import { localBroker } from './local-broker.js';

/** True when the module with this `import.meta.url` is the file node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}

/** What an example's body gets from {@link runExample}. */
export interface ExampleContext {
  readonly bootstrapServers: string;
  /** Unique per run: examples name their topics and application after it, so runs on a shared broker never mix. */
  readonly runId: string;
  /** A fresh state directory, deleted when the example ends. */
  readonly stateDir: string;
  /** Runs `fn` when the example ends or is interrupted, the latest registered first. */
  onClose(fn: () => Promise<unknown> | unknown): void;
}

/**
 * Runs an example: finds or starts a broker, gives the body a context, and afterwards (or on SIGINT/SIGTERM) runs
 * the registered closers, stops the broker it started and deletes the state directory.
 */
export async function runExample(name: string, body: (ctx: ExampleContext) => Promise<void>): Promise<void> {
  const broker = await localBroker();
  const stateDir = mkdtempSync(join(tmpdir(), `kaskade-${name}-`));
  const closers: (() => Promise<unknown> | unknown)[] = [];
  let finished: Promise<void> | undefined;
  const finish = () =>
    (finished ??= (async () => {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (e) {
          console.error(`[${name}] cleanup failed: ${(e as Error).message}`);
        }
      }
      await broker.stop();
      rmSync(stateDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`[${name}] ${signal}: shutting down`);
    void finish().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await body({
      bootstrapServers: broker.bootstrapServers,
      runId: `${Date.now().toString(36)}-${process.pid}`,
      stateDir,
      onClose: (fn) => void closers.push(fn),
    });
  } finally {
    await finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Creates topics for an example; on a broker the example did not start itself, registers their deletion (and that
 * of the application's internal topics and consumer group) for when the example ends.
 */
export async function createExampleTopics(
  ctx: ExampleContext,
  applicationId: string,
  specs: readonly { topic: string; partitions: number }[],
): Promise<void> {
  await createTopics(ctx.bootstrapServers, specs);
  if (!process.env['KASKADE_BOOTSTRAP_SERVERS']) return; // the local broker and its data go away with it
  ctx.onClose(() =>
    deleteApplication(
      ctx.bootstrapServers,
      applicationId,
      specs.map((s) => s.topic),
    ),
  );
}

/** A sample record of an example. */
export type SampleRecord = KafkaTestRecord;

/** The last value per key of a changelog-like topic (a table's update stream), decoded. */
export function latestByKey<K, V>(
  messages: readonly ConsumedMessage[],
  decode: (m: ConsumedMessage) => { key: K; value: V },
): Map<K, V> {
  const out = new Map<K, V>();
  for (const m of messages) {
    const { key, value } = decode(m);
    out.set(key, value);
  }
  return out;
}

export { produceRecords, readToEnd, waitUntilCaughtUp } from 'kaskade/testing';
